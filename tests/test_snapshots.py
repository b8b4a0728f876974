"""Golden files for what gongkai prints and renders, so a refactor can prove its output unchanged.

For every report in data/ and every seed fixture (tests/fixtures/seed*/): the score JSON that
``gongkai score --format json`` prints, and the HTML of the tables a report page can call
(``{{ 指标表() }}``, ``{{ 决算表(2) }}`` …) rendered as the site renders them. Also the
``gongkai check`` text for data/ and each seed folder, and ``gongkai diff`` (Markdown and JSON)
between two fixed commits of a small repository built here from data/ files.

The snapshot fixture is in conftest.py; the files are under tests/snapshots/test_snapshots/.
Rewrite them with ``SNAPSHOT_UPDATE=1 .venv/bin/pytest tests/test_snapshots.py`` (see
tests/snapshots/README.md) and review the diff before committing it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT, SNAPSHOTS, snapshot_update_wanted
from gongkai.cli.commands import main
from gongkai.engine.pipeline import evaluate
from gongkai.render.environment import html_environment
from gongkai.render.page import Stash
from gongkai.render.report_view import Links
from gongkai.render.views import view_for

pytestmark = pytest.mark.engine

# Files under tests/fixtures/seed*/ that are not reports (gongkai score refuses them).
NOT_REPORTS = {
    "tests/fixtures/seed001/final-accounts-figures.yaml": "the 情况说明 figures, a list read by test_final_accounts",
}


def _yaml_files(pattern: str) -> list[str]:
    return sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob(pattern) if p.is_file())


DATA_REPORTS = [f for f in _yaml_files("data/**/*.yaml") if "rulesets" not in f.split("/")]
SEED_FILES = _yaml_files("tests/fixtures/seed*/*.yaml")
SEED_REPORTS = [f for f in SEED_FILES if f not in NOT_REPORTS]
REPORTS = DATA_REPORTS + SEED_REPORTS
CHECKED = ["data", *sorted({f.rsplit("/", 1)[0] for f in SEED_FILES})]

# The table and block functions of a report page (by the names pages call them), in this order.
# Charts (得分图, 资金图, 进度图) and 下载链接 (links depend on the site layout) are left out.
REPORT_BLOCKS = ("概要", "指标表", "自评表", "资金表", "得分汇总表", "年度目标表", "计分说明", "更正说明", "报告表格")
FINAL_BLOCKS = (
    "决算表目录",
    "名词解释表",
    "概要",
    "更正说明",
)  # and 决算表(1) … 决算表(n); 全部决算表 is their concatenation


def slug(rel: str) -> str:
    """A snapshot name for a repository-relative path: data/2021/x/a02.yaml → data-2021-x-a02."""
    return rel.removesuffix(".yaml").replace("/", "-")


def cli(monkeypatch, *args: str):
    """Run gongkai from the repository root, so every path it prints is relative."""
    monkeypatch.chdir(ROOT)
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# ---- what is covered ------------------------------------------------------------------


def test_covered_files(snapshot):
    """The inventory itself: a report added to data/ or the seeds shows up here first."""
    assert DATA_REPORTS and SEED_REPORTS and set(NOT_REPORTS) <= set(SEED_FILES)
    snapshot({"data": DATA_REPORTS, "seeds": SEED_REPORTS, "not_reports": sorted(NOT_REPORTS), "checked": CHECKED})


def _expected_snapshot_files() -> set[str]:
    names = {"test_covered_files.json"}
    names |= {f"test_score_json-{slug(r)}.json" for r in REPORTS}
    names |= {f"test_report_tables-{slug(r)}.html" for r in REPORTS}
    names |= {f"test_check-{slug(c)}.txt" for c in CHECKED}
    names |= {"test_diff-markdown.md", "test_diff-json.json"}
    return names


def test_no_stale_snapshot_files(request):
    """Every file in this module's snapshot folder belongs to a test here (with the update flag,
    stale ones are removed)."""
    folder = SNAPSHOTS / Path(__file__).stem
    present = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    stale = sorted(present - _expected_snapshot_files())
    if stale and snapshot_update_wanted(request.config):
        for name in stale:
            (folder / name).unlink()
        return
    assert not stale, f"snapshot files no test writes (remove them, or run with SNAPSHOT_UPDATE=1): {stale}"


# ---- gongkai score --format json --------------------------------------------------------


@pytest.mark.parametrize("rel", REPORTS)
def test_score_json(rel, snapshot, monkeypatch):
    result = cli(monkeypatch, "score", "--format", "json", rel)
    assert result.stderr == ""
    data = json.loads(result.stdout)
    if "problems" in data:  # a scored report lists its problems; a 部门决算's JSON is its open data
        assert result.exit_code == (1 if any(p["severity"] == "error" for p in data["problems"]) else 0)
    else:
        assert result.exit_code in (0, 1)
    snapshot(result.stdout, slug(rel), ext="json")


# ---- the tables a report page renders ---------------------------------------------------


@pytest.fixture(scope="module")
def html_env():
    return html_environment(ROOT)  # as the site: the project's templates/ first, then the built-in ones


def rendered_blocks(rel: str, env) -> list[tuple[str, str]]:
    """(call, HTML) for each table function of the report's page, rendered through view_for as
    the site does (empty download links, a fresh chart cache)."""
    result = evaluate(ROOT / rel, rel)
    assert result.scored is not None, [p.human() for p in result.problems]
    stash = Stash()
    context = view_for(result.scored, env, stash, Links(), {}).context()

    def html(markup) -> str:
        return stash.fill(str(markup).strip("\n"))  # the block itself, without the placeholder's blank lines

    calls: list[tuple[str, str]] = []
    if "决算表" in context:
        calls += [(f"决算表({i})", html(context["决算表"](i))) for i in range(1, len(result.scored.tables) + 1)]
        calls += [(f"{name}()", html(context[name]())) for name in FINAL_BLOCKS]
    else:
        calls += [(f"{name}()", html(context[name]())) for name in REPORT_BLOCKS]
        for goal in context["年度目标"]:
            calls.append((f"指标表(目标={goal['名称']!r})", html(context["指标表"](目标=goal["名称"]))))
    return calls


@pytest.mark.parametrize("rel", REPORTS)
def test_report_tables(rel, snapshot, html_env):
    blocks = rendered_blocks(rel, html_env)
    assert "gkblock" not in "".join(h for _, h in blocks)  # every nested block was filled in
    text = "".join(f"<!-- {rel}: {call} -->\n{html}\n" for call, html in blocks)
    snapshot(text, slug(rel), ext="html")


# ---- gongkai check ----------------------------------------------------------------------


@pytest.mark.parametrize("folder", CHECKED)
def test_check(folder, snapshot, monkeypatch):
    result = cli(monkeypatch, "check", "--jobs", "1", folder)
    assert result.stderr == ""
    errors = "共 0 个错误" not in result.stdout and "没有发现问题" not in result.stdout
    assert result.exit_code == (1 if errors else 0)
    snapshot(result.stdout, slug(folder), ext="txt")


# ---- gongkai diff -----------------------------------------------------------------------

# Fixed author, committer and dates: the commits, and so the hashes the diff prints, are the same
# on every machine. The machine's git configuration plays no part.
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "审阅测试",
    "GIT_AUTHOR_EMAIL": "review@example.com",
    "GIT_COMMITTER_NAME": "审阅测试",
    "GIT_COMMITTER_EMAIL": "review@example.com",
    "GIT_AUTHOR_DATE": "2022-03-01T10:00:00+08:00",
    "GIT_COMMITTER_DATE": "2022-03-01T10:00:00+08:00",
}
BASE_FILES = [
    "data/2021/shenzhen-gsl/a02.yaml",
    "data/2021/shenzhen-gsl/a07.yaml",
    "data/2021/shenzhen-gsl/final-accounts.yaml",
    "data/2021/guangshui-gsl/project.yaml",
]
SATISFACTION_OLD = "{名称: 群众满意度, 分值: 20.0, 指标值: 100%, 完成值: 100%, 得分: 20.0}"
SATISFACTION_NEW = "{名称: 群众满意度, 分值: 20.0, 指标值: 100%, 完成值: 60%}"
PRINTED_TOTAL = "原文:\n  总分: 96.8\n"
# 2012804 参政议政 in 科目: 收入, 支出 and 财政拨款支出 (the printed 原表 keeps its 22.85)
参政议政 = (
    "    收入: {一般公共预算财政拨款: 22.85}\n    支出: {项目支出: 22.85}\n"
    "    财政拨款支出:\n      一般公共预算: {项目支出: 22.85}\n"
)


def _replace(path: Path, old: str, new: str, count: int) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def diff_repo(tmp_path_factory):
    """main has four reports copied from data/; its second commit edits, removes, adds and renames:
    a02 群众满意度 100% → 60% (优 → 良, printed 总分 dropped); the 决算 参政议政 +10 万元;
    a07 removed; urumqi evaluation added; guangshui project.yaml renamed unchanged."""
    repo = tmp_path_factory.mktemp("diff") / "repo"
    repo.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        for key, value in GIT_ENV.items():
            mp.setenv(key, value)

        def git(*args: str) -> str:
            return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()

        git("init", "-q", "-b", "main")
        for rel in BASE_FILES:
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / rel, repo / rel)
        git("add", "-A")
        git("commit", "-q", "-m", "录入四份报告")
        a02 = repo / "data/2021/shenzhen-gsl/a02.yaml"
        _replace(a02, SATISFACTION_OLD, SATISFACTION_NEW, 1)
        _replace(a02, PRINTED_TOTAL, "", 1)
        _replace(repo / "data/2021/shenzhen-gsl/final-accounts.yaml", 参政议政, 参政议政.replace("22.85", "32.85"), 1)
        (repo / "data/2021/shenzhen-gsl/a07.yaml").unlink()
        added = repo / "data/2022/urumqi-gsl/evaluation.yaml"
        added.parent.mkdir(parents=True)
        shutil.copyfile(ROOT / "data/2022/urumqi-gsl/evaluation.yaml", added)
        git("mv", "data/2021/guangshui-gsl/project.yaml", "data/2021/guangshui-gsl/project-2021.yaml")
        git("add", "-A")
        git("commit", "-q", "-m", "修改、删除、新增和重命名")
    return repo


@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_diff(fmt, diff_repo, snapshot, monkeypatch):
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(diff_repo)
    result = CliRunner().invoke(main, ["diff", "--format", fmt, "HEAD~1", "HEAD"], catch_exceptions=False)
    assert result.exit_code == 0 and result.stderr == "", result.output
    snapshot(result.stdout, fmt, ext="md" if fmt == "markdown" else "json")
