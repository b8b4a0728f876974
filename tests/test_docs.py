"""The user guide documents every command, check code and scoring method, and its examples work."""

import re
from decimal import Decimal

import pytest

from conftest import ROOT, evaluate_doc
from gongkai.cli.commands import main
from gongkai.engine.problems import CODES
from gongkai.engine.reading import validate
from gongkai.engine.yamlload import Loaded, load_text
from gongkai.performance.methods import METHODS
from gongkai.performance.records import Report
from gongkai.performance.rulesets import builtin_names

GUIDE = ROOT / "content" / "guide"


def guide_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(GUIDE.glob("*.md")))


def test_every_check_code_is_documented():
    checks = (GUIDE / "checks.md").read_text(encoding="utf-8")
    missing = [code for code in CODES if f"`{code}`" not in checks]
    assert not missing


def test_every_scoring_method_has_a_section():
    methods = (GUIDE / "methods.md").read_text(encoding="utf-8")
    missing = [name for name in METHODS if f"## {name}" not in methods]
    assert not missing


def test_every_cli_command_is_documented():
    cli = (GUIDE / "cli.md").read_text(encoding="utf-8")
    missing = [name for name in main.commands if f"## gongkai {name}" not in cli]
    assert not missing
    for name, command in main.commands.items():
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in cli, f"{name} {opt}"


def test_every_builtin_ruleset_is_documented():
    rulesets = (GUIDE / "rulesets.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in rulesets for name in builtin_names())


def yaml_blocks():
    for page in sorted(GUIDE.glob("*.md")):
        for i, block in enumerate(re.findall(r"```yaml\n(.*?)```", page.read_text(encoding="utf-8"), re.S)):
            yield pytest.param(page.name, block, id=f"{page.stem}-{i}")


BASE = {"类型": "项目支出绩效评价报告", "规则": "财预2020-10号", "年度": Decimal(2021), "部门": "示例", "名称": "示例"}


@pytest.mark.parametrize("page, block", list(yaml_blocks()))
def test_guide_examples(page, block, tmp_path):
    loaded = load_text(block)
    assert not loaded.problems, loaded.problems
    data = loaded.value
    if "类型" in data:  # a whole report: it must check clean, including the 原文 figures it states
        result = evaluate_doc(tmp_path, block)
        assert result.scored is not None, result.problems
        assert [p for p in result.problems if p.severity != "info" and p.code != "REASON_MISSING"] == [], (
            result.problems
        )
    elif "总分" in data and "等级" in data:  # a ruleset
        from gongkai.performance.rulesets import Ruleset

        ruleset, problems = validate(Ruleset, loaded)
        assert ruleset is not None, problems
    elif "原表" in data or page == "final-accounts.md":  # a fragment of a 部门决算
        from gongkai.final_accounts.model import FinalAccounts

        fragment = Loaded(page, {"类型": "部门决算", "年度": Decimal(2021), "部门": "示例", **data}, loaded.lines)
        record, problems = validate(FinalAccounts, fragment)
        assert record is not None, problems
    else:  # a fragment of a report: its field names and types must be valid
        fragment = Loaded(page, {**BASE, **data}, loaded.lines)
        record, problems = validate(Report, fragment)
        assert record is not None, problems


def _report_view():
    from gongkai.engine.pipeline import evaluate
    from gongkai.render.environment import html_environment
    from gongkai.render.report_view import ReportView

    return ReportView(evaluate(ROOT / "data" / "2021" / "shenzhen-gsl" / "a02.yaml").scored, html_environment())


def test_every_page_name_function_and_filter_is_documented():
    from gongkai.render.environment import FILTERS

    site = (GUIDE / "site.md").read_text(encoding="utf-8")
    names = list(_report_view().context()) + list(FILTERS)
    missing = [n for n in names if f"`{n}`" not in site and f"`{n}()`" not in site and f"`{n}(" not in site]
    assert not missing


def test_every_built_in_template_is_listed_as_overridable():
    from gongkai.render.environment import PACKAGE_TEMPLATES

    guide = guide_text()
    templates = [p.relative_to(PACKAGE_TEMPLATES).as_posix() for p in PACKAGE_TEMPLATES.rglob("*") if p.is_file()]
    missing = [t for t in templates if f"`{t}`" not in guide]
    assert templates and not missing


def test_every_final_accounts_name_is_documented():
    from gongkai.final_accounts.evaluate import evaluate_file
    from gongkai.final_accounts.figures import COMPARED, THREE_PUBLIC_ITEMS
    from gongkai.render.environment import html_environment
    from gongkai.render.final_view import FinalAccountsView

    guide = (GUIDE / "final-accounts.md").read_text(encoding="utf-8")
    fr, _ = evaluate_file(ROOT / "data" / "2021" / "shenzhen-gsl" / "final-accounts.yaml")
    names = list(FinalAccountsView(fr, html_environment()).context()) + list(COMPARED) + list(THREE_PUBLIC_ITEMS)
    missing = [n for n in names if f"`{n}`" not in guide and f"`{n}(" not in guide and f"`{{{{ {n}(" not in guide]
    assert not missing
