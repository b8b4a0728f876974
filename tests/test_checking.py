"""One check vocabulary (gongkai.engine.checking): the tolerance policy, the amount and rate
comparisons, checks as named functions timed one by one, structured problem paths; the nine
决算 tables' layout declared once; the funds denominator decided once; exact figures in Excel."""

from __future__ import annotations

import doctest
import io
import json
import re
import tokenize
import zipfile
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from conftest import FIXTURES, ROOT, D
from gongkai.engine import checking
from gongkai.engine.checking import (
    DEFAULT_POLICY,
    DIFFERENT,
    LAST_DIGIT,
    SAME,
    TAIL,
    Check,
    Place,
    Policy,
    amount_verdict,
    compare_amount,
    compare_rate,
    rate_verdict,
    run_checks,
)
from gongkai.engine.output import problems_json
from gongkai.engine.pipeline import evaluate
from gongkai.final_accounts import identities, layout, workbook
from gongkai.performance import checks as performance_checks

pytestmark = pytest.mark.engine

SRC = ROOT / "src" / "gongkai"


# ---- the comparisons ------------------------------------------------------------------------


@pytest.mark.parametrize("module", [checking, workbook])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    "stated, computed, tail, verdict",
    [
        ("94.02", "94.02", "0.01", SAME),
        ("94.020", "94.02", "0.01", SAME),  # the same number, however written
        ("94.01", "94.02", "0.01", TAIL),
        ("94.03", "94.02", "0.01", TAIL),
        ("94.00", "94.02", "0.01", DIFFERENT),
        ("8.4", "94.02", "0.01", DIFFERENT),
        ("94.00", "94.02", "0.05", TAIL),  # a ruleset's 尾数容差
        ("94.01", "94.02", "0", DIFFERENT),
    ],
)
def test_amount_verdict(stated, computed, tail, verdict):
    assert amount_verdict(D(stated), D(computed), Policy(money_tail=D(tail))) == verdict


@pytest.mark.parametrize(
    "stated, fraction, percent, verdict, expected",
    [
        ("47.64", Decimal(111) / Decimal(233), True, SAME, "47.64"),
        ("47.63", Decimal(111) / Decimal(233), True, LAST_DIGIT, "47.64"),
        ("47.65", Decimal(111) / Decimal(233), True, LAST_DIGIT, "47.64"),
        ("47.62", Decimal(111) / Decimal(233), True, DIFFERENT, "47.64"),
        ("48", Decimal(111) / Decimal(233), True, SAME, "48"),  # compared at the printed decimals
        ("47.6", Decimal(111) / Decimal(233), True, SAME, "47.6"),
        ("0.98", D("0.9782"), False, SAME, "0.98"),
        ("0.97", D("0.9782"), False, LAST_DIGIT, "0.98"),
        ("44.45", D("0.44445"), True, SAME, "44.45"),  # 四舍五入: 44.445 → 44.45
        ("88.1", D("3.47") / D("3.94"), True, SAME, "88.1"),
        ("88.0", D("3.47") / D("3.94"), True, LAST_DIGIT, "88.1"),
    ],
)
def test_rate_verdict(stated, fraction, percent, verdict, expected):
    assert rate_verdict(D(stated), fraction, DEFAULT_POLICY, percent=percent) == (verdict, D(expected))


def test_rate_policy_rounding_and_last_digit_allowance():
    assert rate_verdict(D("44.44"), D("0.44445"), Policy(rate_rounding=ROUND_HALF_EVEN), percent=True)[0] == SAME
    assert rate_verdict(D("44.44"), D("0.44445"), Policy(), percent=True)[0] == LAST_DIGIT
    assert (
        rate_verdict(D("47.63"), Decimal(111) / Decimal(233), Policy(rate_last_digit=0), percent=True)[0] == DIFFERENT
    )
    assert (
        rate_verdict(D("47.62"), Decimal(111) / Decimal(233), Policy(rate_last_digit=2), percent=True)[0] == LAST_DIGIT
    )


def test_compare_amount_returns_problems_with_place_and_path():
    at = Place("x.yaml", 9, ("指标", "产出指标", "数量指标", "培训人次", "得分"))
    assert compare_amount(at, "SCORE_MISMATCH", D("5"), D("5.00"), DEFAULT_POLICY, "不会用到") == []
    [note] = compare_amount(at, "SCORE_MISMATCH", D("4.99"), D("5"), DEFAULT_POLICY, "得分不符", tail_message="尾数")
    assert (note.code, note.severity, note.message, note.expected, note.found) == (
        "TAIL_DIFFERENCE",
        "info",
        "尾数",
        "5",
        "4.99",
    )
    assert note.path == at.path and note.line == 9 and note.file == "x.yaml"
    [error] = compare_amount(at, "SCORE_MISMATCH", D("4"), D("5"), DEFAULT_POLICY, lambda: "得分不符")
    assert (error.code, error.severity, error.message) == ("SCORE_MISMATCH", "error", "得分不符")
    # the message is only made when there is something to say
    made = []
    compare_amount(at, "SCORE_MISMATCH", D("5"), D("5"), DEFAULT_POLICY, lambda: made.append(1) or "x")
    assert made == []


def test_compare_rate_returns_problems():
    at = Place("x.yaml", 3, ("资金", "执行率"))
    fraction = D("22.85") / D("27.24")  # 83.88%
    assert compare_rate(at, "RATE_MISMATCH", "83.88%", D("83.88"), fraction, DEFAULT_POLICY, str, percent=True) == []
    [last] = compare_rate(
        at, "RATE_MISMATCH", "83.89%", D("83.89"), fraction, DEFAULT_POLICY, lambda e: f"应为 {e}", percent=True
    )
    assert (last.code, last.severity, last.message, last.expected, last.found) == (
        "RATE_LAST_DIGIT",
        "warning",
        "应为 83.88%",
        "83.88%",
        "83.89%",
    )
    [bad] = compare_rate(at, "BUDGET_RATE_MISMATCH", "76.17%", D("76.17"), fraction, DEFAULT_POLICY, str, percent=True)
    assert bad.code == "BUDGET_RATE_MISMATCH" and bad.path == ("资金", "执行率")


def test_run_checks_runs_in_order_and_times_each_check_by_name():
    seen = []

    def first(subject, policy):
        seen.append("first")
        return [Place("x", 1).problem("FIELD_INVALID", f"{subject} 1")]

    def second(subject, policy):
        seen.append(("second", policy.money_tail))
        return []

    listed = (Check("first", "一", first), Check("second", "二", second))
    timings = {"load": 0.5}
    found = run_checks(listed, "s", Policy(money_tail=D("0.05")), timings)
    assert [p.message for p in found] == ["s 1"] and seen == ["first", ("second", D("0.05"))]
    assert set(timings) == {"load", "check:first", "check:second"} and all(v >= 0 for v in timings.values())
    run_checks(listed, "s", DEFAULT_POLICY, timings)  # a second run adds to the same keys
    assert set(timings) == {"load", "check:first", "check:second"}
    assert run_checks(listed, "s") == found  # without timings: nothing is timed


def test_every_check_has_a_unique_name_and_is_documented():
    guide = (ROOT / "content" / "guide" / "checks.md").read_text(encoding="utf-8")
    for listed in (performance_checks.CHECKS, identities.CHECKS + identities.PRINTED_CHECKS):
        names = [c.name for c in listed]
        assert len(names) == len(set(names))
        for check in listed:
            assert f"`check:{check.name}`" in guide, check.name


def test_the_kinds_checks_record_their_time():
    result = evaluate(FIXTURES / "seed001" / "a07.yaml")
    timings: dict = {}
    again = performance_checks.run_checks(result.scored, timings=timings)
    assert {f"check:{c.name}" for c in performance_checks.CHECKS} == set(timings)
    assert [p.code for p in again] == [p.code for p in performance_checks.run_checks(result.scored)]
    fr = evaluate(FIXTURES / "seed001" / "final-accounts.yaml").scored
    timings = {}
    identities.check(fr.printed, "x", timings=timings)
    assert {f"check:{c.name}" for c in identities.CHECKS} == set(timings)


# ---- one tolerance ----------------------------------------------------------------------------

_TOLERANCE_WORDS = re.compile(r"toleran|容差|尾数|money_tail", re.I)
_POINT_01 = re.compile(r"""Decimal\(\s*["']0\.01["']\s*\)|(?<![\w.])0\.01(?![\d])""")


def _tolerance_constants(text: str) -> list[str]:
    """Lines of Python source that define a 0.01 tolerance, or any TOLERANCE constant."""
    out = []
    for line in text.splitlines():
        code = line.split("#", 1)[0]
        if re.match(r"\s*[A-Z_]*TOLERANCE[A-Z_]*\s*(:[^=]*)?=", code) or (
            _POINT_01.search(code) and _TOLERANCE_WORDS.search(line)
        ):
            out.append(line.strip())
    return out


def test_no_module_but_checking_defines_a_tolerance():
    own = _tolerance_constants((SRC / "engine" / "checking.py").read_text(encoding="utf-8"))
    assert own, "the pattern finds engine/checking.py's own constant"
    assert _tolerance_constants('TOLERANCE = Decimal("0.01")') and _tolerance_constants('tol = Decimal("0.01")  # 尾数')
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "engine" / "checking.py":
            continue
        lines = _tolerance_constants(path.read_text(encoding="utf-8"))
        if lines:
            found[path.relative_to(SRC).as_posix()] = lines
    assert found == {}


def test_ruleset_tolerance_is_the_policy_default():
    from gongkai.performance.rulesets import Ruleset

    assert Ruleset.model_fields["tolerance"].default == checking.DEFAULT_TOLERANCE == DEFAULT_POLICY.money_tail


# ---- structured paths -----------------------------------------------------------------------


def _paths(rel: str) -> list[tuple]:
    result = evaluate(ROOT / rel, rel)
    return [(p.code, p.path) for p in result.problems]


def test_performance_problems_carry_their_path():
    found = _paths("tests/fixtures/seed001/a07.yaml")
    assert ("TOTAL_MISMATCH", ("报告", "总分")) in found
    assert ("BUDGET_RATE_MISMATCH", ("指标", "产出指标", "成本指标", "预算执行率", "完成值")) in found


def test_every_problem_of_a_check_has_a_path(tmp_path):
    """Every problem a check, the scoring or the derivation makes is placed (those of reading a
    file are not: they have a line, not a place in the report)."""
    unplaced = {"FIELD_UNKNOWN", "FIELD_MISSING", "FIELD_INVALID", "RULESET_UNKNOWN"}
    files = sorted(
        p
        for p in list((ROOT / "data").rglob("*.yaml")) + list(FIXTURES.glob("seed*/*.yaml"))
        if "rulesets" not in p.parts
    )
    seen = 0
    for path in files:
        for p in evaluate(path).problems:
            if p.code in unplaced:
                continue
            seen += 1
            assert p.path and all(isinstance(part, str) and part for part in p.path[:-1]), p
    assert seen > 50


def test_goal_and_funds_paths(doc):
    result = doc(
        """
        类型: 项目支出绩效自评表
        规则: 自评表10加90
        年度: 2021
        部门: 示例
        名称: 示例
        资金:
          全年预算数: 100
          全年执行数: 120
          分值: 10
          原文: {执行率: 100%, 得分: 9}
        指标:
          - 名称: 产出指标
            分值: 90
            下级:
              - 名称: 数量指标
                分值: 90
                下级:
                  - {名称: 培训人次, 分值: 90, 指标值: ≥100人次, 完成值: 80人次, 原文: {得分: 70}}
        """
    )
    paths = {(p.code, p.path) for p in result.problems}
    assert ("FUNDS_OVERSPENT", ("资金", "全年执行数")) in paths
    assert ("RATE_MISMATCH", ("资金", "执行率")) in paths
    assert ("SCORE_MISMATCH", ("资金", "得分")) in paths
    assert ("SCORE_MISMATCH", ("指标", "产出指标", "数量指标", "培训人次", "得分")) in paths
    assert ("REASON_MISSING", ("指标", "产出指标", "数量指标", "培训人次", "偏差原因")) in paths


def test_final_accounts_paths_name_table_side_row_and_column():
    found = _paths("tests/fixtures/seed001/final-accounts.yaml")
    assert ("TABLE_SUM", ("表2", "合计", "本年收入合计")) in found
    assert ("TABLE_ROLLUP", ("表2", "20128", "本年收入合计")) in found
    assert ("TABLE_CROSS", ("表2", "合计", "财政拨款收入")) in found
    assert ("TAIL_DIFFERENCE", ("表6", "人员经费", "人员经费合计", "金额")) in found
    assert ("TAIL_DIFFERENCE", ("表6", "公用经费", "302", "金额")) in found
    assert ("TAIL_DIFFERENCE", ("表7", "决算数", "合计")) in found


def test_paths_are_in_the_json_and_leave_the_text_alone():
    result = evaluate(FIXTURES / "seed001" / "a07.yaml", "a07.yaml")
    data = json.loads(json.dumps(problems_json(result.problems), ensure_ascii=False))
    assert {"path": ["报告", "总分"]}.items() <= next(
        p for p in data["problems"] if p["code"] == "TOTAL_MISMATCH"
    ).items()
    total = next(p for p in result.problems if p.code == "TOTAL_MISMATCH")
    assert total.human() == "a07.yaml:51: TOTAL_MISMATCH [核对] 总分印为 8.4，计算为 94.02（应为 94.02，实为 8.4）"


# ---- the layout, declared once ---------------------------------------------------------------

# 行次 declared in layout.py beyond the first dozen (small numbers are everywhere in code).
ROW_NUMBERS = {
    n
    for t in layout.TABLES
    for side in t.sides
    for n in ([r.number for r in side.rows] + list(side.items or ()))
    if n > 12
}
LAYOUT_USERS = [
    "final_accounts/tables.py",
    "final_accounts/identities.py",
    "final_accounts/printed.py",
    "final_accounts/workbook.py",
    "render/final_view.py",
]
ALLOWED = {  # numbers that happen to equal a 行次
    ("final_accounts/workbook.py", 60): "how much of a formula a message shows",
    ("final_accounts/workbook.py", 30): "the most worksheets an import reads",
}


def test_row_numbers_are_written_only_in_the_layout():
    assert {26, 27, 29, 31, 56, 57, 58, 59, 64} <= ROW_NUMBERS
    found = []
    for rel in LAYOUT_USERS:
        with open(SRC / rel, "rb") as f:
            for token in tokenize.tokenize(f.readline):
                if (
                    token.type == tokenize.NUMBER and token.string.isdigit() and int(token.string) in ROW_NUMBERS
                    and (rel, int(token.string)) not in ALLOWED
                ):
                    found.append(f"{rel}:{token.start[0]}: {token.line.strip()}")
    for template in sorted((SRC / "templates").glob("final_*.html")):
        text = template.read_text(encoding="utf-8")
        for expression in re.findall(r"\{[{%].*?[}%]\}", text, re.S):
            numbers = {int(n) for n in re.findall(r"\b\d+\b", expression)}
            found += [f"{template.name}: {expression}" for n in numbers & (ROW_NUMBERS | {7}) if n]
        assert "table.number ==" not in text, template.name
    assert found == []


def test_the_layout_matches_what_is_derived():
    from gongkai.final_accounts.evaluate import evaluate_file

    fr, _ = evaluate_file(ROOT / "data" / "2021" / "shenzhen-gsl" / "final-accounts.yaml")
    for number, table in fr.derived.tables.items():
        declared = layout.LAYOUTS[number]
        assert table.title == declared.title and table.layout is declared
        assert [s.columns for s in table.sides] == [s.columns for s in declared.sides]
        for side, spec in zip(table.sides, declared.sides, strict=False):
            numbered = {l.number: l.name for l in side.lines if l.number}
            for row in spec.rows:
                assert numbered[row.number] == row.name
            if spec.items:
                assert min(n for n in numbered if spec.is_item(n)) == spec.items[0]
                assert max(n for n in numbered if spec.is_item(n)) == spec.items[1]
    assert (
        workbook.layout_bounds()[1] == max(t.width for t in layout.TABLES) == 12
    )  # 表7: 预算数 and 决算数, six columns each


def test_a_partly_transcribed_three_public_table_is_checked_as_far_as_it_goes(doc):
    """表7 as printed without 公务用车购置费: the 公务用车 identity cannot be checked (a figure not
    transcribed is absent, not 0), the 合计 one still is. (This used to stop the check with an
    internal error.)"""
    result = doc(
        """
        类型: 部门决算
        年度: 2021
        部门: 示例
        原表:
          表7:
            预算数: {合计: 10, 因公出国（境）费: 0, 公务用车购置及运行费: 6, 公务用车运行费: 6, 公务接待费: 4}
            决算数: {合计: 9, 因公出国（境）费: 0, 公务用车购置及运行费: 5, 公务用车运行费: 5, 公务接待费: 3}
        """
    )
    assert [(p.code, p.path) for p in result.problems] == [("TABLE_SUM", ("表7", "决算数", "合计"))]


# ---- the funds denominator, once ------------------------------------------------------------


def test_funds_denominator_is_decided_once(doc):
    from gongkai.performance.scoring import funds_denominator

    report = """
        类型: 项目支出绩效自评表
        规则: 自评表10加90
        年度: 2021
        部门: 示例
        名称: 示例
        资金: {{全年预算数: 200, 到位数: 160, 全年执行数: 120, 分值: 10}}
        指标:
          - 名称: 产出指标
            分值: 90
            下级:
              - 名称: 成本指标
                分值: 90
                下级:
                  - {{名称: 预算执行率, 分值: 90, 指标值: 100%, 完成值: 65%, 偏差原因: 见说明}}
        """
    result = doc(report.format())
    funds = result.scored.funds
    assert (funds.denominator_name, funds.denominator, funds.rate) == ("全年预算数", D("200"), D("0.6"))
    [p] = [p for p in result.problems if p.code in ("BUDGET_RATE_MISMATCH", "RATE_LAST_DIGIT")]
    assert "120 ÷ 200 = 60%" in p.message and p.code == "BUDGET_RATE_MISMATCH"
    assert funds_denominator(result.scored.report.funds, result.scored.rules.funds) == ("全年预算数", D("200"))

    from gongkai.render.environment import html_environment
    from gongkai.render.report_view import ReportView

    values = ReportView(result.scored, html_environment()).funds_values()
    assert values["到位率"] == funds.arrival_rate == D("0.8") and values["执行率"] == funds.rate
    assert "denominator ==" not in (SRC / "performance" / "checks.py").read_text(encoding="utf-8")
    assert "divide(" not in (SRC / "render" / "report_view.py").read_text(encoding="utf-8")


def test_funds_denominator_follows_the_ruleset(tmp_path):
    from gongkai.performance.records import Funds
    from gongkai.performance.rulesets import FundsRules
    from gongkai.performance.scoring import funds_denominator

    funds = Funds.model_validate({"全年预算数": D("200"), "到位数": D("160")})
    assert funds_denominator(funds, FundsRules.model_validate({"执行率分母": "到位数"})) == ("到位数", D("160"))
    assert funds_denominator(funds, FundsRules.model_validate({})) == ("全年预算数", D("200"))
    no_arrival = Funds.model_validate({"全年预算数": D("200")})
    assert funds_denominator(no_arrival, FundsRules.model_validate({"执行率分母": "到位数"})) == (
        "全年预算数",
        D("200"),
    )


# ---- exact figures in Excel -----------------------------------------------------------------


def test_figures_go_into_the_workbook_exactly_and_come_back():
    from gongkai.final_accounts.evaluate import evaluate_file

    fr, _ = evaluate_file(ROOT / "data" / "2021" / "shenzhen-gsl" / "final-accounts.yaml")
    tables = fr.tables
    t7 = next(t for t in tables if t.number == 7)
    awkward = [D("0.1") + D("0.2"), D("0.07"), D("9.3"), D("8.03"), D("1234567890123.45"), D("0.56")]
    t7.sides[0].lines[0].values = list(awkward)
    assert [f"{float(v):.16g}" for v in awkward[:4]] != ["0.3", "0.07", "9.3", "8.03"]  # what a float would write
    data = workbook.write(tables, fr.report.department, fr.report.unit, fr.report.year)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read(f"xl/worksheets/sheet{tables.index(t7) + 1}.xml")
        for value in awkward:
            assert f"<v>{workbook.number_text(value)}</v>".encode() in sheet
        assert not any(
            re.fullmatch(rb"-?\d+\.\d{16,}", t)
            for part in archive.namelist()
            if part.startswith("xl/worksheets/")
            for t in re.findall(rb"<v>([^<]*)</v>", archive.read(part))
        )
    printed, _, problems = workbook.read(data, "x.xlsx")
    assert problems == []
    assert list(printed["表7"]["预算数"].values()) == [v.quantize(D("0.01")) for v in awkward]
    assert workbook.write(tables, fr.report.department, fr.report.unit, fr.report.year) == data  # still deterministic


def test_check_verbose_prints_the_time_of_each_check(monkeypatch):
    from click.testing import CliRunner

    from gongkai.cli.commands import main

    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["check", "--verbose", "tests/fixtures/seed001/a07.yaml"])
    assert result.exit_code == 0  # a07's 总分 is misprinted: a finding of the filed document
    for check in performance_checks.CHECKS:
        assert re.search(rf"check:{check.name} \d+\.\d{{3}} 秒", result.stderr), check.name
