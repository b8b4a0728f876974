"""Class 11 of issue 11: ``mkdocs serve`` never hangs on a warning.

With ``strict: true`` in mkdocs.yml, MkDocs counts every WARNING record of its loggers and
aborts the build; under ``mkdocs serve`` an aborted rebuild leaves every page request
waiting. Under serve, gongkai logs its data warnings just below WARNING (still labelled as
warnings) and shows them in a box at the top of the page, so the preview keeps updating;
``mkdocs build --strict`` and ``gongkai build`` still fail on the same data."""

from __future__ import annotations

import json
import logging
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from mkdocs.utils import CountHandler

import gongkai.site.plugin as adapter
from gongkai.engine.problems import problem
from sitebuild import GONGKAI, MKDOCS, make_project, quiet_env, replace_once, sample_text
from test_serve import PAGE, REPORT, gongkai_score, poll, serving, total_of

BANNER = "预览提示：以下警告在正式构建（--strict）中会使构建失败"
EDIT_TIMEOUT = 30  # seconds for the served page to show an edit


def warned_report() -> str:
    """The sample with one indicator not achieved (得分 0 of 3) and no 偏差原因: only a
    REASON_MISSING warning. The printed 总分 that would now disagree is removed."""
    text = sample_text()
    text = replace_once(
        text,
        r"\{名称: 开展信息员培训次数, 分值: 3, 指标值: 1期, 完成值: 1, 得分: 3\}",
        "{名称: 开展信息员培训次数, 分值: 3, 指标值: 1期, 完成值: 0, 得分: 0}",
    )
    return replace_once(text, r"^原文:\n  总分: 96\.8\n?", "")


def strict_project(root: Path) -> Path:
    project = make_project(root, {REPORT: sample_text()})
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "strict: true\n", encoding="utf-8")
    return project


def only_warning(path: Path) -> None:
    checked = subprocess.run(
        [str(GONGKAI), "check", "--format", "json", str(path)], capture_output=True, text=True, timeout=120
    )
    assert checked.returncode == 0, checked.stdout[-2000:]
    problems = json.loads(checked.stdout)["problems"]
    assert [(p["code"], p["severity"]) for p in problems] == [("REASON_MISSING", "warning")], problems


def test_serve_shows_a_warning_and_strict_builds_still_fail(tmp_path):
    project = strict_project(tmp_path / "project")
    edited = tmp_path / "warned.yaml"
    edited.write_text(warned_report(), encoding="utf-8")
    only_warning(edited)
    expected = Decimal(gongkai_score(edited)["total"])
    before = Decimal(gongkai_score(project / REPORT)["total"])
    assert expected < before

    with serving(project) as (base, log, proc):
        url = base + PAGE
        first = poll(url, lambda t: 'data-gk="总分"' in t, 60, "报告页", log, proc)
        assert total_of(first) == before
        assert BANNER not in first

        (project / REPORT).write_text(warned_report(), encoding="utf-8")
        page = poll(
            url, lambda t: 'data-gk="总分"' in t and total_of(t) != before, EDIT_TIMEOUT, "只有警告的改动", log, proc
        )
        assert total_of(page) == expected
        assert BANNER in page
        banner = page[page.index(BANNER) :]
        banner = banner[: banner.index("</div>")]
        assert "REASON_MISSING" in banner and "开展信息员培训次数" in banner and f"{REPORT}:" in banner
        home = poll(base, lambda t: "gk-preview-warnings" in t, EDIT_TIMEOUT, "首页上的预览提示", log, proc)
        assert "REASON_MISSING" in home
        assert proc.poll() is None, "mkdocs serve 意外退出"
        served_log = log.read_text(encoding="utf-8")
        assert "Aborted" not in served_log and "appear stuck" not in served_log, served_log[-3000:]
        assert "WARNING -  data/2021/test-dept/x.yaml" in served_log  # still shown as a warning

    env = quiet_env()
    env["GONGKAI_PDF"] = "0"
    # no -q: MkDocs' --quiet drops warnings before strict mode can count them
    built = subprocess.run(
        [str(MKDOCS), "build", "--strict", "-d", str(tmp_path / "out")],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert built.returncode != 0, "mkdocs build --strict 应因警告失败"
    said = built.stdout + built.stderr
    assert "REASON_MISSING" in said and "strict mode" in said, said[-3000:]

    gk = subprocess.run(
        [str(GONGKAI), "build", "--no-pdf", "--site-dir", str(tmp_path / "gk-site")],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert gk.returncode != 0, "gongkai build 应因警告失败"
    assert "REASON_MISSING" in gk.stderr


# ---- the logging rule, without a server ---------------------------------------------------


@pytest.fixture
def mkdocs_counter(monkeypatch):
    """A strict-mode counter on the "mkdocs" logger, as mkdocs.commands.build adds one."""
    monkeypatch.setenv(adapter.PDF_SWITCH, "0")
    counter = CountHandler()
    counter.setLevel(logging.WARNING)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(counter)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield counter
    logger.removeHandler(counter)
    logger.setLevel(level)


def _problems():
    return [
        problem("REASON_MISSING", "data/x\x1b[2J.yaml", 3, "指标“培训\x1b]0;t\x07”得分 0 低于分值 3"),
        problem("TAIL_DIFFERENCE", "data/x.yaml", 4, "尾数"),
    ]


def test_warning_under_serve_is_not_counted_by_strict_mode(mkdocs_counter, caplog):
    plugin = adapter.GongkaiPlugin()
    plugin.on_startup(command="serve", dirty=False)
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        plugin.log_problems(_problems())
    assert mkdocs_counter.get_counts() == []
    warned = [r for r in caplog.records if "REASON_MISSING" in r.getMessage()]
    assert len(warned) == 1 and warned[0].levelno < logging.WARNING and warned[0].levelname == "WARNING"
    assert "\x1b" not in warned[0].getMessage() and "\x07" not in warned[0].getMessage()


def test_warning_in_a_build_is_counted_and_errors_always(mkdocs_counter):
    plugin = adapter.GongkaiPlugin()
    plugin.on_startup(command="build", dirty=False)
    plugin.log_problems(_problems())
    assert mkdocs_counter.get_counts() == [("WARNING", 1)]
    plugin.on_startup(command="serve", dirty=False)
    plugin.log_problems([problem("TOTAL_MISMATCH", "data/x.yaml", 5, "总分")])
    assert dict(mkdocs_counter.get_counts()) == {"WARNING": 1, "ERROR": 1}


def test_banner_goes_inside_the_article():
    page = (
        '<html><body><div class="md-container"><article class="md-content__inner md-typeset">'
        "<h1>x</h1></article></body></html>"
    )
    out = adapter._with_banner(page, "<div>B</div>")
    assert '<article class="md-content__inner md-typeset"><div>B</div><h1>x</h1>' in out
    assert adapter._with_banner(page, "") == page


def test_mkdocs_own_warnings_do_not_stop_the_preview(mkdocs_counter):
    """A broken link is MkDocs' own warning: under serve the strict counter ignores it (the
    rebuild finishes), in a build it still counts."""
    adapter.GongkaiPlugin().on_startup(command="serve", dirty=False)
    adapter._count_only_errors()
    logging.getLogger("mkdocs.structure.pages").warning(
        "Doc file 'a.md' contains a link 'b.md', but the target is not found"
    )
    assert mkdocs_counter.get_counts() == []
    logging.getLogger("mkdocs.structure.pages").error("an error")
    assert mkdocs_counter.get_counts() == [("ERROR", 1)]


def test_mkdocs_own_warnings_still_fail_a_strict_build(mkdocs_counter):
    adapter.GongkaiPlugin().on_startup(command="build", dirty=False)
    logging.getLogger("mkdocs.structure.pages").warning(
        "Doc file 'a.md' contains a link 'b.md', but the target is not found"
    )
    assert mkdocs_counter.get_counts() == [("WARNING", 1)]
