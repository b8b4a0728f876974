"""Exact numbers: rounding (四舍五入, ROUND_HALF_UP), rates and display text."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


MAX_EXPONENT = 15  # |value| < 10**16 and ≥ 10**-15: any budget in 元, far from Decimal's 28-digit context
MAX_DIGITS = 28


def usable(value: Decimal) -> bool:
    """Whether a number read from the user's text is in the range gongkai computes with exactly."""
    if not value.is_finite():
        return False
    if value and abs(value.adjusted()) > MAX_EXPONENT:
        return False
    return len(value.as_tuple().digits) <= MAX_DIGITS


def round_half_up(value: Decimal, places: int) -> Decimal:
    """四舍五入 to ``places`` decimals (negative places round to tens, hundreds …)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def places_of(value: Decimal) -> int:
    """Number of decimals written in ``value`` (``Decimal('5.0')`` → 1)."""
    exp = value.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    """Exact-enough quotient (34 significant digits) for rates; callers guard against zero."""
    with localcontext() as ctx:
        ctx.prec = 34
        return numerator / denominator


def plain(value: Decimal) -> str:
    """Text of a number without exponent notation or a needless trailing '.0…'."""
    if value == value.to_integral_value():
        return f"{value.quantize(ONE):f}"
    return f"{value.normalize():f}"


def fixed(value: Decimal, places: int) -> str:
    """Text with exactly ``places`` decimals after 四舍五入."""
    return f"{round_half_up(value, places):f}"


def percent(fraction: Decimal, places: int = 2) -> str:
    """``Decimal('0.56047')`` → ``'56.05%'``."""
    return fixed(fraction * HUNDRED, places) + "%"


def money(value: Decimal, places: int = 2) -> str:
    """Amount with thousands separators: ``2961.99`` → ``'2,961.99'``."""
    return f"{round_half_up(value, places):,.{places}f}"
