"""Number text for pages and PDFs: thousands separators, units, percentages, scores.

Every filter takes the exact ``Decimal`` and rounds (四舍五入) only for display."""

from __future__ import annotations

from decimal import Decimal

from gongkai.engine.decimals import fixed, money, percent, plain, round_half_up


def as_decimal(value) -> Decimal | None:
    """A number from a Decimal, an int or number text; ``None``/"" stay empty."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("布尔值不是数字")
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(str(value).replace(",", ""))


def thousands(value, places: int = 2) -> str:
    """千分位: ``2961.99`` → ``2,961.99``."""
    number = as_decimal(value)
    return "" if number is None else money(number, places)


def amount(value, unit: str = "万元", places: int = 2) -> str:
    """金额 with its unit: ``75.6`` → ``75.60 万元``."""
    text = thousands(value, places)
    return f"{text} {unit}" if text and unit else text


def percentage(fraction, places: int = 2) -> str:
    """百分比 from a fraction: ``0.56047`` → ``56.05%``."""
    number = as_decimal(fraction)
    return "" if number is None else percent(number, places)


def score(value, places: int = 2) -> str:
    """分数 rounded to the ruleset's places, without needless zeros: 9.80 → 9.8, 5.00 → 5."""
    number = as_decimal(value)
    return "" if number is None else plain(round_half_up(number, places))


def fixed_score(value, places: int = 2) -> str:
    """总分 as official tables print it, with the ruleset's decimals: 96.8 → 96.80."""
    number = as_decimal(value)
    return "" if number is None else fixed(number, places)


def number_text(value) -> str:
    """What ``{{ x }}`` prints for a Decimal: its exact text (96.80 stays 96.80), never exponent notation."""
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


def as_printed(value, kind: str = "score") -> str:
    """A filed figure exactly as transcribed: its own decimals (9.80 stays 9.80); money with
    千分位 and its own decimals; text (a rate printed ``98.5%`` or ``0.98``) as it is."""
    if not isinstance(value, Decimal):
        return "" if value is None else str(value)
    if kind == "money":
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return money(value, places)
    return number_text(value)
