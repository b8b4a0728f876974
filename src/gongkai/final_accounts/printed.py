"""The nine tables as printed (原表), read into the same shape as the derived ones, with the
titles, halves and columns of :mod:`.layout`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gongkai.final_accounts import subjects
from gongkai.final_accounts.layout import ECONOMIC, LAYOUTS, LEDGER, SUMMARY, THREE_PUBLIC, SideLayout, of_form
from gongkai.final_accounts.model import Printed, PrintedEconomic, PrintedLedger, PrintedThreePublic, PrintedTotals
from gongkai.final_accounts.tables import Line, Side, Table

TITLES = {number: layout.title for number, layout in LAYOUTS.items()}


def _level(code: str | None, name: str) -> int:
    if not code:
        return 0 if name.replace(" ", "") in ("合计", "总计") else -1
    return subjects.level(code)


def _side(layout: SideLayout, lines: list, columns: tuple | None = None) -> Side:
    return Side(layout.title, columns or layout.columns, lines, layout.coded)


def _ledger(number: int, printed: PrintedLedger) -> Table:
    lines = [
        Line(row.name, list(row.values), row.code or "", _level(row.code, row.name), source=row.line)
        for row in printed.rows
    ]
    table = Table(number, TITLES[number], [_side(LAYOUTS[number].sides[0], lines, tuple(printed.columns))])
    table.empty_note = printed.note
    return table


def _item(item) -> Line:
    if item.values is not None:
        values = list(item.values)
    else:
        values = [item.amount if item.amount is not None else item.money]
    return Line(item.item, values, number=item.number, source=item.line)


def _totals(number: int, printed: PrintedTotals) -> Table:
    income, spending = LAYOUTS[number].sides
    return Table(number, TITLES[number], [
        _side(income, [_item(i) for i in printed.income]),
        _side(spending, [_item(i) for i in printed.spending], tuple(printed.spending_columns or ())),
    ])


def _economic(number: int, printed: PrintedEconomic) -> Table:
    sides = []
    halves = ((printed.personnel, printed.personnel_total), (printed.public, printed.public_total))
    for layout, (rows, total) in zip(LAYOUTS[number].sides, halves, strict=False):
        lines = [
            Line(r.name, [r.amount], r.code or "", subjects.level(r.code) if r.code else -1, source=r.line)
            for r in rows
        ]
        lines.append(Line(layout.total, [total], "", 0, source=printed.line))
        sides.append(_side(layout, lines))
    return Table(number, TITLES[number], sides)


def _three_public(number: int, printed: PrintedThreePublic) -> Table:
    layout = LAYOUTS[number]
    columns = layout.columns
    lines = []
    for label, values in zip(layout.blocks, (printed.budget, printed.actual), strict=False):
        row = [values.get(c) for c in columns]
        for column, alias in layout.aliases:
            row[columns.index(column)] = values.get(column, values.get(alias))
        lines.append(Line(label, row, source=printed.line))
    return Table(number, TITLES[number], [_side(layout.sides[0], lines)])


_READ: dict[str, Callable[[int, Any], Table]] = {
    LEDGER: _ledger,
    SUMMARY: _totals,
    ECONOMIC: _economic,
    THREE_PUBLIC: _three_public,
}


def tables(printed: Printed) -> dict:
    """standard number → Table, for each table the 原表 gives (ledger tables first, as always)."""
    out = {}
    for form in (LEDGER, SUMMARY, ECONOMIC, THREE_PUBLIC):
        for layout in of_form(form):
            value = getattr(printed, f"t{layout.number}")
            if value is not None:
                out[layout.number] = _READ[form](layout.number, value)
    return out
