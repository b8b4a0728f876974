from decimal import Decimal

import pytest

from gongkai.performance.targets import parse_actual, parse_target

pytestmark = pytest.mark.engine  # needs neither MkDocs nor WeasyPrint


@pytest.mark.parametrize(
    "text, op, value, unit",
    [
        ("≥1200册", ">=", "1200", "册"),
        (">95%", ">", "95", "%"),
        ("≤24小时", "<=", "24", "小时"),
        ("100%", ">=", "100", "%"),
        ("85%以上", ">=", "85", "%"),
        ("5%以内", "<=", "5", "%"),
        ("不低于90%", ">=", "90", "%"),
        ("低于 5%", "<", "5", "%"),
        ("6 期", ">=", "6", "期"),
        ("1,200", ">=", "1200", ""),
        ("0.5万", ">=", "0.5", "万"),
        ("2万元", ">=", "2", "万"),
    ],
)
def test_targets(text, op, value, unit):
    target = parse_target(text)
    assert (target.op, target.quantity.value, target.quantity.unit) == (op, Decimal(value), unit)


def test_qualitative_target():
    assert parse_target("合格").quantity is None
    assert parse_target("有效提高").quantity is None


def test_counts_give_exact_rates():
    actual = parse_actual("111/233")
    assert actual.counts == (Decimal(111), Decimal(233))
    assert round(actual.quantity.value, 4) == Decimal("47.6395")
    assert parse_actual("3/0").quantity is None


def test_numbers_from_yaml_are_read_as_written():
    assert parse_target(Decimal("6")).quantity.value == Decimal(6)
    assert parse_actual(Decimal("97.80")).quantity.places == 2


def test_a_scaled_unit_never_agrees_with_a_bare_number():
    from gongkai.performance.targets import parse_quantity, units_agree

    assert not units_agree(parse_quantity("756000"), parse_quantity("73.95万元"))  # 元 written bare vs 万元
    assert units_agree(parse_quantity("6期"), parse_quantity("4"))  # a count written without its unit
    assert units_agree(parse_quantity("75.6万元"), parse_quantity("73.95万元"))
