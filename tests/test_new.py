"""gongkai new: every kind makes a data file that checks clean (no errors, no warnings) and
is already in fmt's canonical form, and a page that names it and renders; nothing existing
is ever overwritten."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from gongkai.authoring.fmt import format_text
from gongkai.authoring.scaffold import KINDS, page_for, year_from
from gongkai.cli.authoring import fmt, new
from gongkai.cli.commands import main
from gongkai.engine.pipeline import evaluate
from gongkai.engine.project import Project
from gongkai.engine.yamlload import load_file
from gongkai.final_accounts.model import FinalAccounts
from gongkai.performance.records import Report
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.render.page import Compiled, Stash, render
from gongkai.render.report_view import Links
from gongkai.render.views import view_for
from gongkai.site import catalog

CLI = click.Group("gongkai", commands={"fmt": fmt, "new": new, "check": main.commands["check"]})


def run(*args):
    return CliRunner().invoke(CLI, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "mkdocs.yml").write_text("site_name: 测试\ndocs_dir: content\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


DATA = "data/2024/my-unit/report.yaml"
PAGE = "content/2024/my-unit/report.md"


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_checks_clean(project, kind):
    result = run("new", kind, DATA, "--year", 2023, "--department", "测试单位")
    assert result.exit_code == 0, result.output
    assert (project / DATA).is_file() and (project / PAGE).is_file()

    checked = run("check", "--strict", DATA)  # --strict: warnings fail too
    assert checked.exit_code == 0, checked.output
    outcome = evaluate(project / DATA)
    assert outcome.scored is not None and outcome.problems == [], outcome.problems

    loaded = load_file(project / DATA).value
    assert loaded["类型"] == KINDS[kind][0]
    assert loaded["年度"] == 2023 and loaded["部门"] == "测试单位"


@pytest.mark.parametrize("kind", list(KINDS))
def test_data_is_already_in_canonical_form(project, kind):
    run("new", kind, DATA)
    text = (project / DATA).read_text(encoding="utf-8")
    assert format_text(text) == text
    assert run("fmt", "--check", DATA).exit_code == 0


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_top_level_field_is_explained(project, kind):
    """Each field of the record appears in the file, used or in a comment, and the file
    explains itself: more comment lines than fields."""
    run("new", kind, DATA)
    text = (project / DATA).read_text(encoding="utf-8")
    model = FinalAccounts if kind == "部门决算" else Report
    fields = [f.alias for f in model.model_fields.values()]
    missing = [a for a in fields if f"{a}:" not in text]
    assert not missing, missing
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) > len(fields)
    lines = text.splitlines()
    for at, line in enumerate(lines):  # every section (a field holding a block) has a comment above it
        if line.endswith(":") and not line.startswith((" ", "#")):
            assert lines[at - 1].startswith("#"), line


@pytest.mark.parametrize("kind", list(KINDS))
def test_page_names_the_data_and_renders(project, kind):
    run("new", kind, DATA, "--department", "测试单位")
    text = (project / PAGE).read_text(encoding="utf-8")
    meta, body_line, problems = catalog.front_matter(text, PAGE)
    assert not problems and meta == {"数据": DATA}
    assert "{{ 概要() }}" in text
    assert (
        ("{{ 全部决算表() }}" in text)
        if kind == "部门决算"
        else ("{{ 报告表格() }}" in text or "{{ 指标表() }}" in text)
    )

    built = catalog.build(Project.load(project, docs_dir=project / "content"))
    assert [p for p in built.problems if p.severity != "info"] == []
    entry = built.by_page()["2024/my-unit/report.md"]
    assert not entry.page.generated
    html_env = html_environment(project)
    stash = Stash()
    view = view_for(entry.scored, html_env, stash, Links(), built.charts)
    body = "".join(text.splitlines(keepends=True)[body_line - 1 :])
    out = stash.fill(render(Compiled(markdown_environment(html_env)), body, view.context(), PAGE))
    assert "测试单位" in out and "{{" not in out.replace("`{{ … }}`", "")
    assert "<table" in out  # the tables were inserted


def test_refuses_to_overwrite_and_writes_nothing(project):
    assert run("new", "自评表", DATA).exit_code == 0
    (project / DATA).write_text("# 我的数据\n", encoding="utf-8")
    (project / PAGE).write_text("# 我的正文\n", encoding="utf-8")
    again = run("new", "评价报告", DATA)
    assert again.exit_code == 2
    assert "不会覆盖" in again.output and DATA in again.output
    assert (project / DATA).read_text(encoding="utf-8") == "# 我的数据\n"
    assert (project / PAGE).read_text(encoding="utf-8") == "# 我的正文\n"


def test_existing_page_alone_stops_everything(project):
    (project / PAGE).parent.mkdir(parents=True)
    (project / PAGE).write_text("# 已有的页面\n", encoding="utf-8")
    result = run("new", "部门决算", DATA)
    assert result.exit_code == 2 and PAGE in result.output
    assert not (project / DATA).exists()
    assert (project / PAGE).read_text(encoding="utf-8") == "# 已有的页面\n"


@pytest.mark.parametrize("path", ["notdata/2024/x.yaml", "data/2024/x.txt"])
def test_bad_paths_are_refused(project, path):
    result = run("new", "自评表", path)
    assert result.exit_code == 2
    assert not any(project.rglob("*.md")) and not any(project.rglob("*.yaml"))


def test_unknown_kind_is_a_usage_error(project):
    assert run("new", "年报", DATA).exit_code == 2
    assert not (project / DATA).exists()


def test_year_from_path_and_odd_department_names(project):
    result = run("new", "自评表", "data/2019/x/a.yaml", "--department", "某单位: 第 #1 分部")
    assert result.exit_code == 0, result.output
    loaded = load_file(project / "data/2019/x/a.yaml").value
    assert loaded["年度"] == 2019 and loaded["部门"] == "某单位: 第 #1 分部"
    assert run("check", "--strict", "data/2019/x/a.yaml").exit_code == 0


def test_page_location(tmp_path):
    assert page_for(Path("data/2024/u/a.yaml")) == (Path("content/2024/u/a.md"), "data/2024/u/a.yaml")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    page, rel = page_for(tmp_path / "data" / "2024" / "data" / "a.yaml")  # a unit folder called data
    assert page == tmp_path / "content" / "2024" / "data" / "a.md" and rel == "data/2024/data/a.yaml"
    assert year_from(Path("data/2024/u/a.yaml")) == 2024 and year_from(Path("data/u/a.yaml")) is None


def test_run_inside_the_data_folder(project, monkeypatch):
    (project / "data" / "2024").mkdir(parents=True)
    monkeypatch.chdir(project / "data" / "2024")
    result = run("new", "自评表", "a.yaml")
    assert result.exit_code == 0, result.output
    assert (project / "data/2024/a.yaml").is_file() and (project / "content/2024/a.md").is_file()
    assert "数据: data/2024/a.yaml" in (project / "content/2024/a.md").read_text(encoding="utf-8")
