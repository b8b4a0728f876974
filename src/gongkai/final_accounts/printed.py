"""The nine tables as printed (原表), read into the same shape as the derived ones."""

from __future__ import annotations

from gongkai.final_accounts import subjects
from gongkai.final_accounts.model import Printed, PrintedLedger, PrintedTotals
from gongkai.final_accounts.tables import COLUMNS, STANDARD, THREE_PUBLIC_COLUMNS, Line, Side, Table

TITLES = dict(STANDARD)


def _level(code: str | None, name: str) -> int:
    if not code:
        return 0 if name.replace(" ", "") in ("合计", "总计") else -1
    return subjects.level(code)


def _ledger(number: int, printed: PrintedLedger) -> Table:
    lines = [Line(row.name, list(row.values), row.code or "", _level(row.code, row.name), source=row.line) for row in printed.rows]
    table = Table(number, TITLES[number], [Side(None, tuple(printed.columns) or COLUMNS[number], lines)])
    table.empty_note = printed.note
    return table


def _item(item) -> Line:
    if item.values is not None:
        values = list(item.values)
    else:
        values = [item.amount if item.amount is not None else item.money]
    return Line(item.item, values, number=item.number, source=item.line)


def _totals(number: int, printed: PrintedTotals) -> Table:
    income = Side("收入", ("决算数" if number == 1 else "金额",), [_item(i) for i in printed.income], coded=False)
    columns = tuple(printed.spending_columns) if printed.spending_columns else (("决算数",) if number == 1 else COLUMNS[4])
    spending = Side("支出", columns, [_item(i) for i in printed.spending], coded=False)
    return Table(number, TITLES[number], [income, spending])


def tables(printed: Printed) -> dict:
    out = {}
    for number, attr in ((2, "t2"), (3, "t3"), (5, "t5"), (8, "t8"), (9, "t9")):
        value = getattr(printed, attr)
        if value is not None:
            out[number] = _ledger(number, value)
    for number, attr in ((1, "t1"), (4, "t4")):
        value = getattr(printed, attr)
        if value is not None:
            out[number] = _totals(number, value)
    if printed.t6 is not None:
        t6 = printed.t6
        personnel = [Line(r.name, [r.amount], r.code or "", subjects.level(r.code) if r.code else -1, source=r.line) for r in t6.personnel]
        public = [Line(r.name, [r.amount], r.code or "", subjects.level(r.code) if r.code else -1, source=r.line) for r in t6.public]
        personnel.append(Line("人员经费合计", [t6.personnel_total], "", 0, source=t6.line))
        public.append(Line("公用经费合计", [t6.public_total], "", 0, source=t6.line))
        out[6] = Table(6, TITLES[6], [Side("人员经费", ("金额",), personnel), Side("公用经费", ("金额",), public)])
    if printed.t7 is not None:
        lines = []
        for label, values in (("预算数", printed.t7.budget), ("决算数", printed.t7.actual)):
            row = [values.get(c) for c in THREE_PUBLIC_COLUMNS]
            row[2] = values.get("公务用车购置及运行费", values.get("公务用车购置及运行费小计"))
            lines.append(Line(label, row, source=printed.t7.line))
        out[7] = Table(7, TITLES[7], [Side(None, THREE_PUBLIC_COLUMNS, lines, coded=False)])
    return out
