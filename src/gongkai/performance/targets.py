"""Targets (年度指标值) and actual values (完成值) written the way the tables print them.

``≥1200册``, ``>95%``, ``≤24小时``, ``100%``, ``85%以上``, ``不低于90%``, ``合格`` are targets;
``4期``, ``88.8%``, ``111/233`` (a count: numerator/denominator), ``合格`` are actual values.
A number without a comparator means "at least".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from gongkai.engine.decimals import HUNDRED, divide, plain, usable

_PREFIX = [
    (("≥", ">=", "＞=", "≧", "不低于", "不少于", "不小于", "至少", "达到"), ">="),
    (("≤", "<=", "＜=", "≦", "不高于", "不超过", "不多于", "不大于", "至多", "控制在"), "<="),
    ((">", "＞", "高于", "大于", "超过", "多于"), ">"),
    (("<", "＜", "低于", "小于", "少于"), "<"),
    (("=", "＝", "等于"), "="),
]
_SUFFIX = [(("及以上", "以上"), ">="), (("及以下", "以下", "以内"), "<=")]
_NUMBER = re.compile(r"\s*([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(.*?)\s*$")
_COUNT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*$")
_UNIT_SAME = {"万元": "万", "元": "元", "％": "%"}
OP_TEXT = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its unit as written; ``value`` is in the written unit (95% → 95)."""

    value: Decimal
    unit: str
    text: str

    @property
    def percent(self) -> bool:
        return self.unit in ("%", "％")

    @property
    def fraction(self) -> Decimal:
        """The value as a fraction when it is a percentage (95% → 0.95), else the value."""
        return divide(self.value, HUNDRED) if self.percent else self.value

    @property
    def places(self) -> int:
        exp = self.value.as_tuple().exponent
        return -exp if isinstance(exp, int) and exp < 0 else 0


@dataclass(frozen=True, slots=True)
class Target:
    op: str  # one of >=, >, <=, <, =
    quantity: Quantity | None  # None: a qualitative target such as 合格
    text: str

    def holds(self, actual: Quantity) -> bool:
        assert self.quantity is not None, "a qualitative target has no quantity to compare"
        return compare(actual.value, self.op, self.quantity.value)

    def describe(self) -> str:
        if self.quantity is None:
            return self.text
        return OP_TEXT[self.op] + plain(self.quantity.value) + self.quantity.unit


@dataclass(frozen=True, slots=True)
class Actual:
    quantity: Quantity | None  # None: qualitative
    text: str
    counts: tuple[Decimal, Decimal] | None = None  # (numerator, denominator) when written 111/233


def compare(left: Decimal, op: str, right: Decimal) -> bool:
    return {
        ">=": left >= right,
        ">": left > right,
        "<=": left <= right,
        "<": left < right,
        "=": left == right,
    }[op]


def text_of(value) -> str:
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent  # an int, or "n"/"N"/"F" for NaN and infinity
        whole = value == value.to_integral_value() and isinstance(exponent, int) and exponent >= 0
        return plain(value) if whole else f"{value:f}"
    return str(value).strip()


def parse_quantity(text: str) -> Quantity | None:
    match = _NUMBER.match(text)
    if not match:
        return None
    number, unit = match.group(1).replace(",", ""), match.group(2)
    if re.search(r"\d", unit):
        return None
    value = Decimal(number)
    if not usable(value):
        return None
    return Quantity(value, _UNIT_SAME.get(unit, unit), text.strip())


def parse_target(value) -> Target:
    """Parse a target; text that is not a number gives a qualitative target."""
    text = text_of(value)
    rest, op = text, None
    for words, sym in _PREFIX:
        for word in words:
            if rest.startswith(word):
                rest, op = rest[len(word):], sym
                break
        if op:
            break
    for words, sym in _SUFFIX:
        for word in words:
            if rest.endswith(word):
                rest, op = rest[: -len(word)], op or sym
                break
    quantity = parse_quantity(rest)
    if quantity is None:
        return Target("=", None, text)
    return Target(op or ">=", Quantity(quantity.value, quantity.unit, text), text)


def parse_actual(value) -> Actual:
    text = text_of(value)
    count = _COUNT.match(text)
    if count:
        num, den = Decimal(count.group(1)), Decimal(count.group(2))
        if den == 0 or not (usable(num) and usable(den)):
            return Actual(None, text, (num, den))
        return Actual(Quantity(divide(num, den) * HUNDRED, "%", text), text, (num, den))
    return Actual(parse_quantity(text), text)


_SCALED = re.compile(r"[千万亿]")


def units_agree(target: Quantity, actual: Quantity) -> bool:
    """Same unit, or one side unitless (``6期`` against ``4``). A scaled unit (万元, 亿元, 千人 …)
    against a bare number never agrees: 756000 and 73.95万元 cannot be compared as written."""
    if actual.unit == target.unit:
        return True
    if not actual.unit or not target.unit:
        return not _SCALED.search(actual.unit or target.unit)
    return False


def same_text(a: str, b: str) -> bool:
    return re.sub(r"\s+", "", a) == re.sub(r"\s+", "", b)
