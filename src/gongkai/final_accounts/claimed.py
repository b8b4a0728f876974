"""The figures of a 部门决算 that its 情况说明 may quote, by the names claims bind to
(:mod:`gongkai.claims.binding`): the totals as shown by 口径 (收入总计, 基本支出, 三公经费,
公务接待费预算 …), and what the prose compares them with, as the data records them:
``上年决算/<name>`` and ``年初预算/<name>``."""

from __future__ import annotations

from decimal import Decimal

from gongkai.claims.binding import INITIAL, PREVIOUS


def claimed_figures(result) -> dict[str, Decimal | None]:
    figures = {name: value for name, value in result.totals.items() if isinstance(value, Decimal) or value is None}
    record = result.report
    for prefix, bases in ((PREVIOUS, record.previous), (INITIAL, record.initial_budget)):
        figures.update({prefix + name: value for name, value in bases.items()})
    return figures
