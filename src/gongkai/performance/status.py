"""The status of an indicator row: 达成, 部分达成, 未达成 or 无法判断, where the data determines it.

A report that prints no scores (a 自评报告's 绩效目标完成情况对比表: 计划值 against 完成情况)
still says, row by row, whether each target was met. The status is derived, never invented:

1. a row with a 分值 and a 得分 (filed or computed): full marks 达成, zero 未达成, between 部分达成;
2. else its 完成值 against its 指标值: a qualitative word (完成目标, 达到预期, 部分完成, 未完成 …),
   a quantity compared with the target's operator, or a rate of the target (“100%” against
   “100人次”, as 对比表 print it);
3. otherwise 无法判断.
"""

from __future__ import annotations

from decimal import Decimal

from gongkai.performance.targets import Target, parse_actual, parse_target, units_agree

MET = "达成"
PARTLY = "部分达成"
UNMET = "未达成"
UNKNOWN = "无法判断"
STATUSES = (MET, PARTLY, UNMET, UNKNOWN)

# Words a 完成情况 column prints, longest first so that 部分完成 is not read as 完成.
_WORDS = (
    ("未完成", UNMET),
    ("未达到", UNMET),
    ("未达成", UNMET),
    ("未实现", UNMET),
    ("没有完成", UNMET),
    ("未开展", UNMET),
    ("部分完成", PARTLY),
    ("部分达到", PARTLY),
    ("部分达成", PARTLY),
    ("部分实现", PARTLY),
    ("基本完成", PARTLY),
    ("基本达到", PARTLY),
    ("基本达成", PARTLY),
    ("基本实现", PARTLY),
    ("完成", MET),
    ("达到", MET),
    ("达成", MET),
    ("实现", MET),
    ("已落实", MET),
    ("符合", MET),
    ("合格", MET),
    ("满意", MET),
    ("是", MET),
)
_NEGATIONS = ("不", "未", "没", "无")


def word_status(text: str) -> str | None:
    """The status a qualitative 完成情况 states (“完成目标”, “达到预期”, “部分完成” …), if any."""
    words = text.strip().replace(" ", "")
    for word, status in _WORDS:
        if word in words:
            if status == MET and any(words.startswith(n) or (n + word) in words for n in _NEGATIONS):
                return UNMET
            return status
    return None


def score_status(weight: Decimal | None, score: Decimal | None) -> str | None:
    if weight is None or score is None or weight <= 0:
        return None
    if score >= weight:
        return MET
    if score <= 0:
        return UNMET
    return PARTLY


def compared_status(target_text, actual_text) -> str | None:
    """The status of a 完成值 against a 指标值, when the two can be compared."""
    if actual_text is None:
        return None
    actual = parse_actual(actual_text)
    if actual.quantity is None:
        return word_status(actual.text)
    if target_text is None:
        return None
    target: Target = parse_target(target_text)
    if target.quantity is None:
        return None
    quantity = actual.quantity
    if units_agree(target.quantity, quantity) and (quantity.percent == target.quantity.percent):
        if target.holds(quantity):
            return MET
        if target.op in ("<=", "<"):
            return UNMET
        return PARTLY if quantity.value > 0 else UNMET
    if quantity.percent and not target.quantity.percent:
        # 对比表: 完成情况 printed as the share of the target reached (“100%” against “100人次”).
        if target.op in ("<=", "<"):
            return None
        if quantity.value >= 100:
            return MET
        return PARTLY if quantity.value > 0 else UNMET
    return None


def row_status(weight, score, target, actual, applicable: bool = True) -> str | None:
    """达成 / 部分达成 / 未达成 / 无法判断 for one row (None for a row that does not apply)."""
    if not applicable:
        return None
    return score_status(weight, score) or compared_status(target, actual) or UNKNOWN
