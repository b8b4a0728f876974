"""The public corpus of performance documents (issue 13, item 7): real published 自评表,
自评报告 and 部门整体 evaluations, transcribed as printed under tests/fixtures/public/<folder>/data.yaml,
each with an independent stdlib audit (audit.py → audit.json) and the mapping of the audit's
findings to gongkai (expected.yaml: ``table`` findings gongkai must report at their place,
``prose`` findings left to the claims reader).

Every audited table inconsistency must be reported with its place, and nothing else.
A document that prints no 年度 or 部门 cannot be published without them: gongkai says so,
located, and its tables are checked with placeholders supplied in memory.
See tests/fixtures/public/README-performance.md.
"""

from __future__ import annotations

import functools
import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from gongkai.engine.pipeline import Result, evaluate, evaluate_source
from gongkai.engine.problems import CODES, ERROR, FINDING, WARNING
from gongkai.engine.project import Project

PUBLIC = Path(__file__).resolve().parent / "fixtures" / "public"

FOLDERS = (
    "sichuan-2023-qingshen-fgj-gongzi-self-eval-table",
    "anhui-2022-guichi-tangxi-weituo-self-eval-table",
    "hebei-2019-langfang-shipin-school-self-eval-table",
    "yunnan-2020-lijiang-gucheng-weipian-self-eval-table",
    "neimenggu-2024-bayannur-ganqimaodu-self-eval-table",
    "sichuan-2020-daying-shuangxin-self-eval-report",
    "yunnan-2024-honghe-data-center-self-eval-report",
    "sichuan-2021-daying-buduanban-self-eval-report",
    "hebei-2021-lincheng-road-self-eval-report",
    "hunan-2021-nanxian-zhengxie-dept-eval",
    "hunan-2020-nanxian-czj-dept-eval",
    "hunan-yueyang-glj-dept-self-eval-scores",
    "anhui-shouxian-2023-dept-performance-selfeval",
    "hunan-yuhua-2022-fagai-dept-performance-selfeval",
)

REPORTED = (ERROR, WARNING, FINDING)

# ---- documents that cannot be published as they are ------------------------------------------------

# 年度 and 部门 place a report on the site; a document that prints neither (and whose publisher
# does not say) cannot be published without them, and gongkai says so, located. Its tables are
# still checked: the test supplies placeholders in memory and expects nothing else.
MISSING_FIELDS = {
    "hunan-yueyang-glj-dept-self-eval-scores": {"年度", "部门"},
    "anhui-shouxian-2023-dept-performance-selfeval": {"部门"},
}
PLACEHOLDERS = {"年度": "年度: 2000\n", "部门": "部门: 未印单位\n"}


# ---- reading a folder ----------------------------------------------------------------------------


@functools.cache
def result_of(folder: str) -> Result:
    return evaluate(PUBLIC / folder / "data.yaml", f"{folder}/data.yaml")


@functools.cache
def checked_tables_of(folder: str) -> Result:
    """The folder's result; for a document missing 年度 or 部门, with placeholders for them."""
    if folder not in MISSING_FIELDS:
        return result_of(folder)
    path = PUBLIC / folder / "data.yaml"
    text = path.read_text(encoding="utf-8")
    supplied = "".join(PLACEHOLDERS[name] for name in sorted(MISSING_FIELDS[folder])) + text
    return evaluate_source(supplied.encode("utf-8"), f"{folder}/data.yaml", Project.of(path), path)


@functools.cache
def expected_of(folder: str) -> dict:
    return yaml.safe_load((PUBLIC / folder / "expected.yaml").read_text(encoding="utf-8"))


@functools.cache
def audit_of(folder: str) -> dict:
    return json.loads((PUBLIC / folder / "audit.json").read_text(encoding="utf-8"))


def reported(result: Result) -> set:
    return {(p.code, tuple(p.path or ())) for p in result.problems if p.severity in REPORTED}


def expected_table(folder: str) -> set:
    return {(row["code"], tuple(row["path"])) for row in expected_of(folder)["table"]}


def scored(folder: str):
    result = result_of(folder)
    assert result.scored is not None, [p.human() for p in result.problems]
    return result.scored


def leaves(folder: str) -> dict:
    return {leaf.path[-1]: leaf for leaf in scored(folder).leaves()}


# ---- the corpus ------------------------------------------------------------------------------------


def test_the_corpus_is_every_performance_folder():
    names = {"self-eval-table", "self-eval-report", "dept-eval", "dept-performance", "dept-self-eval"}
    found = {p.name for p in PUBLIC.iterdir() if p.is_dir() and any(n in p.name for n in names)}
    assert found == set(FOLDERS)


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_mapping_accounts_for_every_audit_finding(folder):
    """Each finding of audit.json is either a table finding (with its gongkai code and path) or
    a prose finding; the mapping names the audit's places exactly."""
    findings = audit_of(folder)["findings"]
    expected = expected_of(folder)
    assert set(expected) == {"table", "prose"}
    assert len(findings) == len(expected["table"]) + len(expected["prose"])
    places = sorted([row["audit"] for row in expected["table"]] + expected["prose"])
    assert places == sorted(f["place"] for f in findings)
    assert all(row["code"] in CODES and row["path"] for row in expected["table"])


def test_the_corpus_has_eight_audited_inconsistencies():
    assert sum(len(audit_of(f)["findings"]) for f in FOLDERS) == 8


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_transcription_evaluates_without_errors(folder):
    result = result_of(folder)
    errors = [p for p in result.problems if p.severity == ERROR]
    if folder in MISSING_FIELDS:
        assert {(p.code, p.path) for p in errors} == {("FIELD_MISSING", (name,)) for name in MISSING_FIELDS[folder]}
        return
    assert result.scored is not None
    assert [p.human() for p in errors] == []
    assert result.scored.basis == "原文"


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_audited_table_inconsistency_is_reported_at_its_place_and_nothing_else(folder):
    assert reported(checked_tables_of(folder)) == expected_table(folder)


@pytest.mark.parametrize("folder", FOLDERS)
def test_never_an_internal_error(folder):
    assert all(p.code != "INTERNAL_ERROR" for p in result_of(folder).problems)


# ---- real values from real documents ------------------------------------------------------------------


def test_a_filed_total_is_shown_as_filed_and_not_recomputed():
    """南县财政局 2020: “综合评分为97分”, no grade printed, the indicator table not in the stored text."""
    sr = scored("hunan-2020-nanxian-czj-dept-eval")
    assert sr.filed_total == Decimal(97) and sr.shown_total == Decimal(97)
    assert sr.total is None and sr.filed_grade is None and sr.grade is None
    assert sr.scoring == "已评分"


def test_an_unscored_comparison_table_has_no_total_and_row_statuses():
    """大英 2020 双心: the 对比表 has only 指标值 and 实施进度 (“已完成100%” on every row)."""
    sr = scored("sichuan-2020-daying-shuangxin-self-eval-report")
    assert sr.report.columns == {"指标值": "指标值", "完成值": "实施进度"}
    assert sr.total is None and sr.shown_total is None and sr.grade is None
    assert sr.scoring == "未评分" and not sr.scored_rows
    rows = leaves("sichuan-2020-daying-shuangxin-self-eval-report")
    assert len(rows) == 6
    assert all(leaf.weight is None and leaf.score is None for leaf in rows.values())
    assert {name: leaf.status for name, leaf in rows.items()} == dict.fromkeys(rows, "达成")
    assert rows["群众满意度"].node.target == "90%" and rows["群众满意度"].node.actual == "已完成100%"


def test_a_weight_only_table_adds_up_and_has_no_total():
    """青神 2023: 权重 资金 10 + 60 + 30 = 合计 100; the unit left 完成值 and 得分 blank."""
    sr = scored("sichuan-2023-qingshen-fgj-gongzi-self-eval-table")
    assert sr.weight_total == Decimal(100)
    assert [leaf.weight for leaf in sr.leaves()] == [Decimal(60), Decimal(30)]
    assert all(leaf.node.score is None and leaf.node.actual is None for leaf in sr.leaves())
    assert sr.total is None and sr.shown_total is None and sr.scoring == "未评分"
    assert sr.report.funds.score is None  # the 得分 cell is blank: not 0
    assert sr.report.funds.parts["其他资金"].budget is None  # a blank row, not zeros


def test_a_weight_only_row_is_not_judged():
    rows = leaves("sichuan-2023-qingshen-fgj-gongzi-self-eval-table")
    assert [leaf.status for leaf in rows.values()] == ["无法判断", "无法判断"]
    assert not [p for p in result_of("sichuan-2023-qingshen-fgj-gongzi-self-eval-table").problems
                if p.code == "METHOD_INPUT"]


def test_a_rate_and_score_printed_at_whole_points_agree():
    """廊坊 2019: 37.24 ÷ 43.2 = 86.2%, printed 86%; 10 × 0.86 = 8.6, printed 9 (the table's
    scores are whole numbers: the folder's ruleset rounds to 0 places)."""
    sr = scored("hebei-2019-langfang-shipin-school-self-eval-table")
    assert sr.report.funds.rate == "86%" and sr.report.funds.score == Decimal(9)
    assert sr.funds.score == Decimal(9)
    assert sr.rules.name == "自评表10加90（得分取整）"
    assert sr.total is None  # the total row is not in the stored text
    assert leaves("hebei-2019-langfang-shipin-school-self-eval-table")["指标1工程资金金额"].score == Decimal(9)


def test_a_zero_total_row_is_computed_from_its_parts():
    """棠溪镇 2022: the 年度资金总额 row prints 0 while 本年财政拨款 carries 89.974 of 89.974."""
    sr = scored("anhui-2022-guichi-tangxi-weituo-self-eval-table")
    assert sr.funds.from_parts
    assert sr.funds.rate == Decimal(1) and sr.funds.score == Decimal(10)
    assert sr.funds.filed_score(sr.report.funds) == Decimal(0)


def test_a_truncated_table_is_only_partly_scored():
    """棠溪镇 2022: the 满意度指标 rows and the total are cut off in the stored text."""
    sr = scored("anhui-2022-guichi-tangxi-weituo-self-eval-table")
    assert sr.total is None and sr.shown_total is None and sr.scoring == "部分评分"
    rows = leaves("anhui-2022-guichi-tangxi-weituo-self-eval-table")
    assert rows["公众满"].score is None and rows["公众满"].weight is None
    assert rows["基建工程委托业务项目数量"].score == Decimal(8)


def test_a_row_whose_score_was_not_transcribed_gives_no_total():
    """丽江古城 2020: the stored text stops after the 滿意度 row's 分值 10.00. gongkai may compute
    the row's score from its 完成值 (shown marked as computed), but no total follows: the
    document's own 得分 are incomplete."""
    sr = scored("yunnan-2020-lijiang-gucheng-weipian-self-eval-table")
    row = leaves("yunnan-2020-lijiang-gucheng-weipian-self-eval-table")["滿意度"]
    assert row.filed_score is None
    _, role = row.score_figure.shown("原文")
    assert role in (None, "computed")
    assert sr.total is None and sr.shown_total is None and sr.scoring == "部分评分"


def test_printed_scores_are_kept_as_printed():
    rows = leaves("yunnan-2020-lijiang-gucheng-weipian-self-eval-table")
    assert [rows[n].filed_score for n in ("衛片執法補助經費", "項目驗收合格率", "違法行為責停率")] == [
        Decimal("9.00"), Decimal(19), Decimal("27.00")]
    assert str(rows["衛片執法補助經費"].filed_weight) == "10.00" and str(rows["項目驗收合格率"].filed_weight) == "20"


def test_funds_rates_are_kept_as_printed_and_computed_beside_them():
    nm = scored("neimenggu-2024-bayannur-ganqimaodu-self-eval-table")
    assert nm.report.funds.rate == "100" and nm.report.funds.parts["其他资金"].rate == "0"
    assert nm.funds.rate == Decimal(1)  # 2.38 ÷ 2.38
    dy = scored("sichuan-2021-daying-buduanban-self-eval-report")
    assert dy.report.funds.rate == "68.07%" and dy.report.funds.spent == Decimal("20.42")
    assert dy.funds.rate is None  # the budget is not in the stored text: not computed


def test_department_spending_adds_up():
    """南县政协 2021: 支出 799.12 = 人员经费 434.89 + 公用经费 77.4 + 项目支出 286.83."""
    sr = scored("hunan-2021-nanxian-zhengxie-dept-eval")
    parts = sr.report.funds.parts
    assert sum((p.spent for p in parts.values()), Decimal(0)) == sr.report.funds.spent == Decimal("799.12")
    assert reported(result_of("hunan-2021-nanxian-zhengxie-dept-eval")) == set()


def test_arrival_is_computed_not_filed():
    """红河 2024: 到位 334.67 of 调整后预算 861.46; the report prints no 到位率."""
    sr = scored("yunnan-2024-honghe-data-center-self-eval-report")
    assert sr.report.name is None and sr.report.funds.arrival_rate is None
    assert round(sr.funds.arrival_rate, 4) == Decimal("0.3885")  # 334.67 ÷ 861.46


def test_a_report_without_a_project_name_is_accepted():
    for folder in ("sichuan-2021-daying-buduanban-self-eval-report", "yunnan-2024-honghe-data-center-self-eval-report"):
        assert scored(folder).report.name is None and scored(folder).report.title


def test_a_partly_transcribed_department_table_keeps_its_scores():
    """雨花 2022: 投入 13 (5 + 8) and three rows of 预算执行 transcribed, each with full marks."""
    rows = leaves("hunan-yuhua-2022-fagai-dept-performance-selfeval")
    assert [rows[n].score for n in ("在职人员控制率", "“三公经费”变动率", "预算完成率")] == [
        Decimal(5), Decimal(8), Decimal(5)]
    sr = scored("hunan-yuhua-2022-fagai-dept-performance-selfeval")
    assert sr.total is None and sr.scoring == "部分评分"
    top = {node.name: node for node in sr.tree}
    assert top["投入"].score == Decimal(13) and top["过程"].score is None
