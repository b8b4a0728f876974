"""gongkai diff: what changed in the reports between two git revisions, for a reviewer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from conftest import ROOT
from gongkai.cli.commands import main
from gongkai.cli.review import diff

pytestmark = pytest.mark.engine  # needs neither MkDocs nor WeasyPrint

SEED = ROOT / "data" / "2021" / "shenzhen-gsl"
REPORTS = Path("data") / "2021" / "x"
A02 = (REPORTS / "a02.yaml").as_posix()

# The evaluator's 得分 of 群众满意度 goes with the old 完成值 (with it, the leaf stays 人工 20 分), and the
# printed 总分 96.8 would now disagree: the edit changes the 完成值 and drops both.
SATISFACTION_OLD = "{名称: 群众满意度, 分值: 20.0, 指标值: 100%, 完成值: 100%, 得分: 20.0}"
SATISFACTION_NEW = "{名称: 群众满意度, 分值: 20.0, 指标值: 100%, 完成值: 60%}"
PRINTED_TOTAL = "原文:\n  总分: 96.8\n"


@click.group()
def cli():
    """The command is not registered in gongkai.cli.commands yet: a group of its own."""


cli.add_command(diff)


@pytest.fixture(autouse=True)
def hermetic_git(monkeypatch):
    """The machine's git configuration (signing, hooks, default branch …) plays no part."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def run(repo: Path, monkeypatch, *args: str):
    monkeypatch.chdir(repo)
    return CliRunner().invoke(cli, ["diff", *args])


def lower_a02(path: Path) -> None:
    """群众满意度 完成值 100% → 60%: 20 → 12 points, 总分 96.80 → 88.80, 优 → 良."""
    text = path.read_text(encoding="utf-8")
    assert SATISFACTION_OLD in text and PRINTED_TOTAL in text
    path.write_text(text.replace(SATISFACTION_OLD, SATISFACTION_NEW).replace(PRINTED_TOTAL, ""), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: a README, then a02 and a07 under data/2021/x/ (three commits deep for the shallow clone)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "审阅测试")
    git(repo, "config", "user.email", "review@example.com")
    git(repo, "config", "commit.gpgsign", "false")
    (repo / "README.md").write_text("报告\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "开始")
    (repo / REPORTS).mkdir(parents=True)
    for name in ("a02.yaml", "a07.yaml"):
        # reports the unit authors in gongkai (口径 编制): an edit changes the scores it publishes
        # (in place of its first comment line, so that every line number stays as in the seed)
        first, rest = (SEED / name).read_text(encoding="utf-8").split("\n", 1)
        assert first.startswith("#")
        (repo / REPORTS / name).write_text("口径: 编制\n" + rest, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "录入 a02、a07")
    return repo


@pytest.fixture
def lowered(repo: Path) -> Path:
    """A branch ``feature`` whose one commit lowers a02 from 优 to 良."""
    git(repo, "checkout", "-q", "-b", "feature")
    lower_a02(repo / A02)
    git(repo, "commit", "-q", "-am", "a02 群众满意度完成值改为 60%")
    return repo


def assert_a02_lowered(markdown: str) -> None:
    assert "1 份报告有变化：1 份修改；1 份等级下降；新出现 1 个警告" in markdown
    assert "| 总分 | 96.80 | 88.80 | -8.00 |" in markdown
    assert "| 等级 | 优 | 良 | 下降 |" in markdown
    row = (
        "| 效益指标 / 满意度指标 / 群众满意度 | 20.00 / 20 | 12.00 / 20 | -8.00 |"
        " 20 × (60% ÷ 100%) = 20 × 60.00% = 12.00 |"
    )
    assert row in markdown
    assert "`REASON_MISSING`（第 57 行）" in markdown
    # the other indicators, funds and the untouched report are not mentioned
    assert "a07" not in markdown and "参政议政" not in markdown
    assert "会刊设计制作期数" not in markdown and "资金执行率" not in markdown


def test_the_edit_lowers_a02_from_excellent_to_good(lowered):
    """The test data itself, checked with gongkai score."""
    result = CliRunner().invoke(main, ["score", str(lowered / A02)])
    assert "总分：88.80 / 100    等级：良" in result.output
    assert "REASON_MISSING" in result.output and "TOTAL_MISMATCH" not in result.output


def test_two_commits_markdown(lowered, monkeypatch):
    result = run(lowered, monkeypatch, "HEAD~1", "HEAD")
    assert result.exit_code == 0, result.output
    md = result.stdout
    base, head = git(lowered, "rev-parse", "--short", "HEAD~1"), git(lowered, "rev-parse", "--short", "HEAD")
    assert md.startswith(f"## 报告变化：`{base}` → `{head}`\n")
    assert "### 修改：`data/2021/x/a02.yaml`" in md
    assert "工商联系统宣传教育（项目支出绩效自评表，深圳市工商业联合会，2021 年）" in md
    assert_a02_lowered(md)


def test_two_commits_json(lowered, monkeypatch):
    result = run(lowered, monkeypatch, "--format", "json", "HEAD~1", "HEAD")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["base"]["commit"] == git(lowered, "rev-parse", "HEAD~1")
    assert data["head"]["commit"] == git(lowered, "rev-parse", "HEAD") and not data["head"]["working_tree"]
    summary = data["summary"]
    assert summary["text"] == "1 份报告有变化：1 份修改；1 份等级下降；新出现 1 个警告"
    assert (summary["changed"], summary["modified"], summary["added"], summary["grade_down"]) == (1, 1, 0, 1)
    assert summary["new_problems"] == {"errors": 0, "warnings": 1, "infos": 0}
    [report] = data["reports"]
    assert report["status"] == "modified" and report["status_zh"] == "修改" and report["path"] == A02
    assert report["total"] == {"old": "96.80", "new": "88.80", "change": "-8.00"}
    assert report["grade"] == {"old": "优", "new": "良", "direction": "down"}
    [indicator] = report["indicators"]
    assert indicator["path"] == ["效益指标", "满意度指标", "群众满意度"] and indicator["goal"] is None
    assert indicator["score"] == {"old": "20.0", "new": "12.00", "change": "-8.00"}
    assert indicator["explanation"] == "20 × (60% ÷ 100%) = 20 × 60.00% = 12.00" and indicator["method"] == "比例"
    assert "funds" not in report  # the funds did not change
    assert [p["code"] for p in report["problems"]["new"]] == ["REASON_MISSING"]
    assert report["problems"]["resolved"] == []
    assert "a07" not in result.stdout and data["unchanged"] == []


def test_default_base_is_where_the_branch_left_main(lowered, monkeypatch):
    result = run(lowered, monkeypatch)
    assert result.exit_code == 0, result.output
    fork = git(lowered, "rev-parse", "--short", "main")
    assert result.stdout.startswith(f"## 报告变化：`{fork}`（与 main 的分叉点） → 工作区（含未提交的改动）")
    assert_a02_lowered(result.stdout)
    # on main itself nothing changed
    git(lowered, "checkout", "-q", "main")
    result = run(lowered, monkeypatch)
    assert result.exit_code == 0 and "报告的得分、等级和核对结果都没有变化" in result.stdout
    assert "### " not in result.stdout
    result = run(lowered, monkeypatch, "--main-branch", "feature")  # the branch named is used
    assert result.exit_code == 0 and "（与 feature 的分叉点）" in result.stdout


def test_working_tree_with_one_argument(repo, monkeypatch):
    lower_a02(repo / A02)  # not committed
    shutil.copyfile(SEED / "a03.yaml", repo / REPORTS / "a03.yaml")  # not even added
    result = run(repo, monkeypatch, "HEAD")
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert "→ 工作区（含未提交的改动）" in md
    assert "2 份报告有变化：1 份新增，1 份修改；1 份等级下降" in md
    assert "| 总分 | 96.80 | 88.80 | -8.00 |" in md and "| 等级 | 优 | 良 | 下降 |" in md
    assert "### 新增：`data/2021/x/a03.yaml`" in md and "| 总分 | — | 83.03 |  |" in md
    assert "a07" not in md
    data = json.loads(run(repo, monkeypatch, "HEAD", "--format", "json").stdout)
    assert data["head"] == {"revision": None, "commit": None, "working_tree": True, "label": "工作区（含未提交的改动）"}
    assert [(r["status"], r["path"]) for r in data["reports"]] == [("modified", A02), ("added", "data/2021/x/a03.yaml")]


def test_renamed_file_is_compared_with_its_old_version(lowered, monkeypatch):
    new = "data/2021/x/宣传教育.yaml"
    git(lowered, "mv", A02, new)
    git(lowered, "commit", "-q", "-m", "改名")
    # committed rename: the diff of two commits
    result = run(lowered, monkeypatch, "main", "HEAD")
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert f"### 重命名：`{A02}` → `{new}`" in md
    assert "1 份报告有变化：1 份重命名；1 份等级下降" in md
    assert "| 总分 | 96.80 | 88.80 | -8.00 |" in md and "群众满意度 | 20.00 / 20 | 12.00 / 20 | -8.00 |" in md
    assert "删除" not in md and "### 新增" not in md
    data = json.loads(run(lowered, monkeypatch, "main", "HEAD", "--format", "json").stdout)
    [report] = data["reports"]
    assert (report["status"], report["old_path"], report["new_path"]) == ("renamed", A02, new)
    # the rename alone: reported, with nothing else changed and no problem "new" or "resolved"
    result = run(lowered, monkeypatch, "HEAD~1", "HEAD")
    assert f"### 重命名：`{A02}` → `{new}`" in result.stdout
    assert "得分、等级和核对结果都没有变化" in result.stdout and "核对问题" not in result.stdout
    # renamed in the working tree without git mv: still paired with its old version
    os.rename(lowered / new, lowered / REPORTS / "renamed-again.yaml")
    result = run(lowered, monkeypatch, "HEAD")
    assert f"### 重命名：`{new}` → `data/2021/x/renamed-again.yaml`" in result.stdout
    assert "1 份报告有变化：1 份重命名" in result.stdout


def test_shallow_clone_given_two_commits(lowered, tmp_path, monkeypatch):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", "--branch", "feature", f"file://{lowered}", str(clone)],
                   check=True, capture_output=True)
    assert git(clone, "rev-parse", "--is-shallow-repository") == "true"
    result = run(clone, monkeypatch, "HEAD~1", "HEAD")
    assert result.exit_code == 0, result.output
    assert_a02_lowered(result.stdout)


def test_usage_errors_exit_2_in_chinese(lowered, tmp_path, monkeypatch):
    result = run(lowered, monkeypatch, "no-such-revision")
    assert result.exit_code == 2
    assert "找不到修订版本“no-such-revision”" in result.stderr and result.stdout == ""
    assert "Traceback" not in result.output and "Error" not in result.output
    assert run(lowered, monkeypatch, "HEAD", "no-such-revision").exit_code == 2
    result = run(lowered, monkeypatch, "--main-branch", "trunk")
    assert result.exit_code == 2 and "找不到主分支（试过：trunk）" in result.stderr
    result = run(lowered, monkeypatch, "HEAD", "--path", "no-such-folder")
    assert result.exit_code == 2 and "no-such-folder" in result.stderr
    elsewhere = tmp_path / "not-a-repo"
    elsewhere.mkdir()
    result = run(elsewhere, monkeypatch, "HEAD")
    assert result.exit_code == 2 and "不在 git 仓库中" in result.stderr
    assert run(lowered, monkeypatch, "--format", "xml").exit_code == 2


def test_moved_lines_and_unscored_edits_are_not_changes(lowered, monkeypatch):
    """Problems are compared without line numbers; an edit that changes no result lists no report."""
    path = lowered / A02
    path.write_text("# 补充说明：会议纪要见附件。\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    result = run(lowered, monkeypatch, "HEAD")
    assert result.exit_code == 0
    assert "报告的得分、等级和核对结果都没有变化" in result.stdout and "REASON_MISSING" not in result.stdout
    assert "### " not in result.stdout
    assert "另有 1 份报告文件有改动，但得分、等级和核对结果都没有变化：`data/2021/x/a02.yaml`" in result.stdout


def test_resolved_problems_and_a_file_that_does_not_parse(lowered, monkeypatch):
    path = lowered / A02
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("完成值: 60%}", "完成值: 60%, 偏差原因: 部分群众不满意}"), encoding="utf-8")
    result = run(lowered, monkeypatch, "HEAD")
    assert "已解决的核对问题：" in result.stdout and "`REASON_MISSING`（原第 57 行）" in result.stdout
    assert "| 总分 |" in result.stdout and "已解决 1 个警告" in result.stdout
    path.write_text(text + "指标: [\n", encoding="utf-8")
    result = run(lowered, monkeypatch, "HEAD")
    assert result.exit_code == 0
    assert "**新版本无法计分**，问题如下：" in result.stdout and "`YAML_SYNTAX`" in result.stdout


def test_a_changed_project_ruleset_changes_reports_that_did_not(repo, monkeypatch):
    """Each version is scored with the project rulesets of that revision (data/rulesets/ wins over built-in)."""
    builtin = ROOT / "src" / "gongkai" / "rulesets" / "self-eval-10-90.yaml"
    rules = repo / "data" / "rulesets" / "self-eval.yaml"
    rules.parent.mkdir()
    shutil.copyfile(builtin, rules)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "项目规则集")
    stricter = builtin.read_text(encoding="utf-8").replace("{名称: 优, 下限: 90", "{名称: 优, 下限: 95")
    rules.write_text(stricter, encoding="utf-8")
    data = json.loads(run(repo, monkeypatch, "HEAD", "--format", "json").stdout)
    assert data["rulesets"] == [{"status": "modified", "status_zh": "修改", "old_path": "data/rulesets/self-eval.yaml",
                                 "new_path": "data/rulesets/self-eval.yaml"}]
    [report] = data["reports"]  # a02 (96.80) stays 优; a07 (94.79) is now 良
    assert report["path"] == "data/2021/x/a07.yaml" and report["file_changed"] is False
    assert report["grade"] == {"old": "优", "new": "良", "direction": "down"}
    assert report["total"]["change"] == "0.00"
    md = run(repo, monkeypatch, "HEAD").stdout
    assert "评分规则集有改动：`data/rulesets/self-eval.yaml`（修改）" in md and "文件本身没有改动" in md


def test_a_symlink_is_read_as_git_stores_it(repo, tmp_path, monkeypatch):
    """A link in the working tree is never followed: its target's contents stay out of the PR comment."""
    secret = tmp_path / "secret.yaml"
    secret.write_text("类型: 项目支出绩效自评表\n名称: 不该出现的内容\n", encoding="utf-8")
    os.symlink(secret, repo / REPORTS / "link.yaml")
    result = run(repo, monkeypatch, "HEAD", "--format", "json")
    assert result.exit_code == 0, result.output
    [report] = json.loads(result.stdout)["reports"]
    assert report["path"] == "data/2021/x/link.yaml" and report["scored"]["new"] is False
    assert "不该出现的内容" not in result.stdout


def test_final_accounts_totals_and_annual_goals(repo, monkeypatch):
    # both as authored in gongkai (口径 编制): the edits change the figures they publish
    for source, name in ((SEED / "final-accounts.yaml", "final-accounts.yaml"),
                         (ROOT / "data" / "2021" / "guangshui-gsl" / "department.yaml", "department.yaml")):
        first, rest = source.read_text(encoding="utf-8").split("\n", 1)
        assert first.startswith("#")
        (repo / REPORTS / name).write_text("口径: 编制\n" + rest.replace("\n口径: 原文\n", "\n"), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "决算和部门整体")
    final = repo / REPORTS / "final-accounts.yaml"
    text = final.read_text(encoding="utf-8")
    assert text.count("其他收入: 0.15}") == 1
    final.write_text(text.replace("其他收入: 0.15}", "其他收入: 0.25}"), encoding="utf-8")
    department = repo / REPORTS / "department.yaml"
    text = department.read_text(encoding="utf-8")
    cost = "{名称: 所需费用, 指标值: 2万, 完成值: 2万, 得分: 7}"
    assert text.count(cost) == 1
    overspent = "{名称: 所需费用, 指标值: 2万, 完成值: 2万, 得分: 5, 理由: 超支}"
    department.write_text(text.replace(cost, overspent), encoding="utf-8")
    result = run(repo, monkeypatch, "HEAD")
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert "有变化的决算数字（万元）：" in md
    assert "| 其他收入 | 0.15 | 0.25 | +0.10 |" in md and "| 本年收入合计 | 2,961.89 | 2,961.99 | +0.10 |" in md
    assert "| 本年支出合计 |" not in md  # unchanged figures are not listed
    assert "`TABLE_PRINTED`" in md  # the printed 原表 now disagrees with the edited data
    goal = "撰写促进广水民营企业发展专题调研报告2篇"
    assert f"| 年度目标“{goal}”（满分 70） | 52.00 | 50.00 | -2.00 |" in md
    cost_row = (
        f"| 年度目标“{goal}” / 产出指标 / 成本指标 / 所需费用 |"
        " 7.00 / 7 | 5.00 / 7 | -2.00 | 人工评分 5 分：超支 |"
    )
    assert cost_row in md
    data = json.loads(run(repo, monkeypatch, "HEAD", "--format", "json").stdout)
    reports = {r["path"]: r for r in data["reports"]}
    totals = {t["name"]: t for t in reports["data/2021/x/final-accounts.yaml"]["totals"]}
    assert totals["其他收入"] == {"name": "其他收入", "old": "0.15", "new": "0.25", "change": "0.10"}
    [changed_goal] = reports["data/2021/x/department.yaml"]["goals"]
    assert changed_goal["name"] == goal and changed_goal["score"] == {"old": "52", "new": "50", "change": "-2"}


def test_revisions_are_evaluated_without_writing_a_file(lowered, monkeypatch):
    """Both versions are evaluated from their bytes (``git cat-file``) with the rulesets of their
    revision: no temporary copy is made."""
    import tempfile

    def no_copies(*args, **kwargs):
        raise AssertionError("gongkai diff must not write temporary copies")

    monkeypatch.setattr(tempfile, "mkdtemp", no_copies)
    monkeypatch.setattr(tempfile, "TemporaryDirectory", no_copies)
    result = run(lowered, monkeypatch, "HEAD~1", "HEAD")
    assert result.exit_code == 0, result.output
    assert_a02_lowered(result.stdout)
