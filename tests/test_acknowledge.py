"""确认: an acknowledged warning becomes a 提示 with its reason; errors cannot be acknowledged."""

import pytest

from conftest import codes

pytestmark = pytest.mark.engine  # needs neither MkDocs nor WeasyPrint

REPORT = """\
    类型: 部门整体支出绩效评价
    规则: 广水部门整体
    年度: 2021
    部门: 某单位
    名称: 部门整体
    指标:
      - {名称: 共性指标, 分值: 30, 得分: 30}
    年度目标:
      - 名称: 已开展
        指标:
          - {名称: 产出指标, 分值: 70, 得分: 70}
      - 名称: 未开展的目标
        未开展: 因疫情无法开展
        指标:
          - {名称: 产出指标, 分值: 70}
"""


def test_goal_not_done_is_a_warning_without_acknowledgement(doc):
    result = doc(REPORT)
    [warning] = [p for p in result.problems if p.code == "GOAL_NOT_DONE"]
    assert warning.severity == "warning"


def test_acknowledged_warning_becomes_info_with_the_reason(doc):
    result = doc(REPORT + "    确认:\n      - {代码: GOAL_NOT_DONE, 说明: 情况说明已写明原因}\n")
    [info] = [p for p in result.problems if p.code == "GOAL_NOT_DONE"]
    assert info.severity == "info"
    assert "已确认：情况说明已写明原因" in info.message
    assert result.scored.total == 65  # (70 + 0) / 2 + 30: acknowledging changes no score


def test_an_error_cannot_be_acknowledged(doc):
    result = doc(REPORT + "    确认:\n      - {代码: TOTAL_MISMATCH, 说明: 不想改}\n")
    assert "FIELD_INVALID" in codes(result)
    [bad] = [p for p in result.problems if p.code == "FIELD_INVALID"]
    assert bad.line == 17 and "必须修改数据" in bad.message
