"""Each scoring method, fed through the whole pipeline from a small YAML document."""

from decimal import Decimal

import pytest

from conftest import ROOT, codes

pytestmark = pytest.mark.engine  # needs neither MkDocs nor WeasyPrint

HEAD = """\
类型: 项目支出绩效评价报告
规则: 财预2020-10号
年度: 2022
部门: 测试单位
名称: 测试
"""


def one(doc, leaf: str, rest: str = "  - {名称: 其他, 分值: 90, 得分: 90}\n", head: str = HEAD):
    result = doc(head + "指标:\n  - " + leaf + "\n" + rest)
    assert result.scored is not None, result.problems
    return result, result.scored.tree[0]


def test_ratio_keeps_its_explanation(doc):
    result, leaf = one(
        doc,
        "{名称: 培训率, 分值: 3, 方法: 比例, 指标值: ≥85%, 完成值: 111/233}",
        "  - {名称: 其他, 分值: 97, 得分: 97}\n",
    )
    assert leaf.score == Decimal("1.68")
    assert "56.05%" in leaf.explanation and leaf.explanation.endswith("= 1.68")
    assert result.scored.total == Decimal("98.68")


def test_ratio_full_when_met_and_capped(doc):
    _, leaf = one(doc, "{名称: 商会数, 分值: 10, 指标值: 20个, 完成值: 65个}")
    assert leaf.score == 10 and leaf.method == "比例"


def test_ratio_against_100_percent(doc):
    _, leaf = one(doc, "{名称: 执行, 分值: 10, 方法: 比例, 基准: 100%, 指标值: '>95%', 完成值: 45.30%}")
    assert leaf.score == Decimal("4.53")


def test_reverse_variants(doc):
    _, leaf = one(doc, "{名称: 故障率, 分值: 10, 方法: 反向, 指标值: ≤5%, 完成值: 8%}")
    assert leaf.score == Decimal("6.25")
    _, leaf = one(doc, "{名称: 故障率, 分值: 10, 方法: 反向, 变体: 线性, 指标值: ≤5%, 完成值: 8%}")
    assert leaf.score == Decimal("4")
    _, leaf = one(doc, "{名称: 故障率, 分值: 10, 指标值: ≤5%, 完成值: 0%}")
    assert leaf.score == 10 and leaf.method == "反向"


def test_pass_fail_numeric_and_text(doc):
    _, leaf = one(doc, "{名称: 验收, 分值: 10, 指标值: 合格, 完成值: 合格}")
    assert leaf.score == 10 and leaf.method == "达标"
    _, leaf = one(doc, "{名称: 期数, 分值: 10, 方法: 达标, 指标值: ≥6期, 完成值: 5期}")
    assert leaf.score == 0


def test_tiers(doc):
    bands = "档次: [{条件: ≥95%, 得分: 6}, {条件: ≥90%, 得分: 4}, {条件: ≥80%, 得分: 2}, {得分: 1}]"
    for actual, expected in (("96%", 6), ("92%", 4), ("80%", 2), ("50%", 1)):
        _, leaf = one(
            doc,
            f"{{名称: 满意度, 分值: 6, 方法: 分档, 完成值: {actual}, {bands}}}",
            "  - {名称: 其他, 分值: 94, 得分: 94}\n",
        )
        assert leaf.score == expected, actual


def test_checklist_and_its_weight_check(doc):
    points = "要点: [{内容: a, 分值: 1, 满足: 是}, {内容: b, 分值: 1, 满足: 否}, {内容: c, 分值: 2, 满足: 是}]"
    _, leaf = one(doc, f"{{名称: 规范性, 分值: 4, 方法: 要点, {points}}}", "  - {名称: 其他, 分值: 96, 得分: 96}\n")
    assert leaf.score == 3
    result, _ = one(doc, f"{{名称: 规范性, 分值: 5, 方法: 要点, {points}}}", "  - {名称: 其他, 分值: 95, 得分: 95}\n")
    assert "METHOD_INPUT" in codes(result)


def test_deductions(doc):
    _, leaf = one(
        doc, "{名称: 规范性, 分值: 5, 方法: 扣分, 扣分: {次数: 7, 每次: 1}}", "  - {名称: 其他, 分值: 95, 得分: 95}\n"
    )
    assert leaf.score == 0  # 扣完为止
    _, leaf = one(
        doc,
        "{名称: 调剂, 分值: 1, 方法: 扣分, 指标值: ≤10%, 完成值: 13%, 扣分: {每超出: 1%, 扣: 0.1}}",
        "  - {名称: 其他, 分值: 99, 得分: 99}\n",
    )
    assert leaf.score == Decimal("0.70")


def test_qualitative_band_is_enforced(doc):
    result, leaf = one(doc, "{名称: 社会效益, 分值: 10, 方法: 定性, 等级: 达到预期, 得分: 9}")
    assert leaf.score == 9 and "QUALITATIVE_BAND" not in codes(result)
    result, _ = one(doc, "{名称: 社会效益, 分值: 10, 方法: 定性, 等级: 达到预期, 得分: 6}")
    assert "QUALITATIVE_BAND" in codes(result)


def test_quarterly_schedule_reproduces_shenzhen(doc):
    head = HEAD.replace("项目支出绩效评价报告", "部门整体支出绩效评价").replace("财预2020-10号", "深圳部门整体")
    _, leaf = one(doc, "{名称: 预算执行率, 分值: 6, 方法: 序时进度, 季度进度: [10.3%, 85.7%, 90.7%, 98.8%]}",
                  "  - {名称: 其他, 分值: 94, 得分: 94}\n", head)
    assert leaf.score == Decimal("5.40")


def test_manual_needs_a_reason_below_full_marks(doc):
    head = HEAD.replace("项目支出绩效评价报告", "项目支出绩效自评表").replace("财预2020-10号", "自评表10加90")
    head += "资金: {年初预算数: 10, 全年预算数: 10, 全年执行数: 10, 分值: 10}\n"
    result, leaf = one(
        doc, "{名称: 期数, 分值: 2, 指标值: 6期, 完成值: 4, 得分: 1}", "  - {名称: 其他, 分值: 88, 得分: 88}\n", head
    )
    assert leaf.method == "人工" and leaf.score == 1
    assert "REASON_MISSING" in codes(result)
    assert result.scored.total == Decimal("99.00")


def test_not_applicable_policies(doc):
    _, leaf = one(doc, "{名称: 经济效益, 分值: 10, 不适用: 是}")
    assert leaf.score == 10  # 财预2020-10号: 满分
    head = HEAD.replace("项目支出绩效评价报告", "项目支出绩效自评表").replace("财预2020-10号", "广水项目")
    result = doc(head + """\
指标:
  - {名称: 决策, 分值: 15, 得分: 15}
年度目标:
  - 名称: 目标
    指标:
      - {名称: 经济效益, 分值: 10, 不适用: 无}
      - {名称: 其他, 分值: 75, 得分: 75}
""")
    assert result.scored.total == 90  # 广水: 零分


def test_rescale_policy(doc, tmp_path):
    (tmp_path / "rulesets").mkdir()
    (tmp_path / "rulesets" / "r.yaml").write_text(
        "名称: 折算规则\n等级: [{名称: 优, 下限: 90}, {名称: 差, 下限: 0}]\n不适用: 折算\n", encoding="utf-8")
    result = doc(HEAD.replace("财预2020-10号", "折算规则") + """\
指标:
  - {名称: 经济效益, 分值: 20, 不适用: 是}
  - {名称: 其他, 分值: 80, 得分: 60}
""")
    assert result.scored.total == Decimal("75.00")  # 60 / 80 × 100


def test_annual_goals_are_averaged_and_rounded(doc):
    head = HEAD.replace("项目支出绩效评价报告", "部门整体支出绩效评价").replace("财预2020-10号", "广水部门整体")
    result = doc(head + """\
指标:
  - {名称: 共性, 分值: 30, 得分: 30}
年度目标:
  - {名称: 一, 指标: [{名称: a, 分值: 70, 得分: 68}]}
  - {名称: 二, 指标: [{名称: a, 分值: 70, 得分: 63}]}
  - {名称: 三, 指标: [{名称: a, 分值: 70, 得分: 59}]}
""")
    assert result.scored.goals_score == 63  # (68 + 63 + 59) ÷ 3 = 63.3 → 63
    assert result.scored.total == 93


def test_weight_split_gives_whole_points(doc):
    head = HEAD.replace("项目支出绩效评价报告", "部门整体支出绩效评价").replace("财预2020-10号", "广水部门整体")
    result = doc(head + """\
指标:
  - {名称: 共性, 分值: 30, 得分: 30}
年度目标:
  - 名称: 一
    指标:
      - 名称: 数量
        分值: 10
        下级:
          - {名称: a, 指标值: 1, 完成值: 1}
          - {名称: b, 指标值: 1, 完成值: 1}
          - {名称: c, 指标值: 2, 完成值: 1}
      - {名称: 其余, 分值: 60, 得分: 60}
""")
    weights = [leaf.weight for leaf in result.scored.goals[0].tree[0].children]
    assert weights == [4, 3, 3]
    assert result.scored.goals[0].tree[0].score == Decimal("8.50")


def test_ruleset_places_out_of_range_is_a_located_problem(tmp_path):
    """A ruleset asking for 40 decimal places is refused where it is written, not an internal error."""
    from click.testing import CliRunner

    from gongkai.cli import main

    rules = (ROOT / "src" / "gongkai" / "rulesets" / "self-eval-10-90.yaml").read_text(encoding="utf-8")
    (tmp_path / "data" / "rulesets").mkdir(parents=True)
    (tmp_path / "data" / "rulesets" / "x.yaml").write_text(
        rules.replace("名称: 自评表10加90", "名称: 宽", 1).replace("\n小数位: 2\n", "\n小数位: 40\n", 1),
        encoding="utf-8",
    )
    report = (ROOT / "data" / "2021" / "shenzhen-gsl" / "a02.yaml").read_text(encoding="utf-8")
    (tmp_path / "data" / "a.yaml").write_text(report.replace("规则: 自评表10加90", "规则: 宽", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "data")])
    assert result.exit_code == 1
    assert "x.yaml:9: RULESET_INVALID" in result.output and "INTERNAL_ERROR" not in result.output
