"""The nine tables as a page, a PDF and the open data show them, by the report's 口径.

Every figure has two roles (:class:`gongkai.engine.basis.Figure`): *filed*, what the 原表
prints (None: not printed, or not transcribed), and *computed*, what gongkai derives from the
data (科目, 基本支出明细, 三公经费; None: no data for it).

- ``原文``: a table transcribed in 原表 is shown with its own rows and its printed figures,
  exactly; a cell left blank where the data gives a figure shows that figure, marked as
  computed. A table not transcribed is shown as derived, every figure marked as computed.
- ``计算``: the derived tables; a table with no data behind it is shown as printed.
- ``编制``: the derived tables (filed = computed by construction); else as printed.

Figures that differ are never replaced silently: the page puts the numbered notes of the
problems at a figure's path (``identities.path_of``) beside it. Nothing here invents a figure:
a cell is blank when it is neither printed nor derived.
"""

from __future__ import annotations

from gongkai.engine.basis import AUTHORED, COMPUTED, Figure
from gongkai.final_accounts.identities import _match, _norm
from gongkai.final_accounts.layout import LAYOUTS, ORDERS, THREE_PUBLIC_COLUMNS
from gongkai.final_accounts.model import FISCAL_SOURCES, INCOME_SOURCES, SPENDING_KINDS
from gongkai.final_accounts.tables import Line, Side, Table

FILED_ROLE = "filed"
COMPUTED_ROLE = "computed"


def _at(values: list, i: int):
    return values[i] if i < len(values) else None


def _shown_line(line: Line, filed: list, computed: list, basis: str) -> Line:
    width = max(len(filed), len(computed))
    figures = [Figure(_at(filed, i), _at(computed, i)) for i in range(width)]
    shown = [f.shown(basis) for f in figures]
    return Line(
        line.name,
        [value for value, _ in shown],
        line.code,
        line.level,
        line.number,
        line.source,
        roles=[role for _, role in shown],
        filed=[f.filed for f in figures],
        computed=[f.computed for f in figures],
    )


def _copy(table: Table, sides: list) -> Table:
    layout = LAYOUTS[table.number]
    out = Table(table.number, layout.title, sides, layout.note, table.empty_note, table.position)
    return out


def _from_printed(printed: Table, derived: Table | None, basis: str) -> Table:
    """The printed table's rows; each figure filed, and computed from the derived table's matching row."""
    sides = []
    for i, side in enumerate(printed.sides):
        mine = derived.sides[i] if derived is not None and i < len(derived.sides) else None
        lines = []
        for line in side.lines:
            match = _match(line, mine) if mine is not None else None
            lines.append(_shown_line(line, list(line.values), list(match.values) if match else [], basis))
        sides.append(Side(side.title, side.columns, lines, side.coded))
    return _copy(printed, sides)


def _from_derived(derived: Table, printed: Table | None, basis: str) -> Table:
    """The derived table's rows; each figure computed, and filed from the printed table's matching row."""
    sides = []
    for i, side in enumerate(derived.sides):
        theirs = printed.sides[i] if printed is not None and i < len(printed.sides) else None
        lines = []
        for line in side.lines:
            match = _match(line, theirs) if theirs is not None and (line.code or line.name) else None
            lines.append(_shown_line(line, list(match.values) if match else [], list(line.values), basis))
        sides.append(Side(side.title, side.columns, lines, side.coded))
    table = _copy(derived, sides)
    if printed is not None:
        table.empty_note = printed.empty_note
    return table


def shown_tables(printed: dict, derived: dict | None, basis: str, order: str) -> list[Table]:
    """The tables to show, in the record's 表序 (with their positions): those printed or
    derived; a table neither printed nor derived is left out."""
    out = []
    for position, number in enumerate(ORDERS[order], 1):
        p = printed.get(number)
        d = derived.get(number) if derived else None
        if p is None and d is None:
            continue
        if d is not None and (basis in (AUTHORED, COMPUTED) or p is None):
            table = _from_derived(d, p, basis)
        else:
            assert p is not None
            table = _from_printed(p, d, basis)
        table.position = position
        out.append(table)
    return out


# ---- the named figures of the 情况说明, read from the tables shown ----------------------------


def _cell(tables: dict, number: int, row: str | None, column: int, side: int = 0) -> Figure | None:
    """A figure of a shown table in its two roles: its row by name (None: the 合计 line)."""
    table = tables.get(number)
    if table is None or side >= len(table.sides):
        return None
    for line in table.sides[side].lines:
        if (line.level == 0) if row is None else (_norm(line.name) == _norm(row)):
            return line.figure(column)
    return None


def _places() -> dict:
    """name → (table, row (None: 合计), column, side), where the tables print each named figure."""
    places: dict = {}
    for source in INCOME_SOURCES:
        name = source if source.endswith("收入") else f"{source}收入"
        places[name] = (1, name, 0, 0)
    places["本年收入合计"] = (1, "本年收入合计", 0, 0)
    places["收入总计"] = (1, "总计", 0, 0)
    for i, kind in enumerate(SPENDING_KINDS, 1):
        places[kind] = (3, None, i, 0)
    places["本年支出合计"] = (1, "本年支出合计", 0, 1)
    places["支出总计"] = (1, "总计", 0, 1)
    places["财政拨款收入合计"] = (4, "本年收入合计", 0, 0)
    for i, source in enumerate(FISCAL_SOURCES, 1):
        places[f"{source}支出"] = (4, "本年支出合计", i, 1)
    places["一般公共预算财政拨款基本支出"] = (5, None, 1, 0)
    places["一般公共预算财政拨款项目支出"] = (5, None, 2, 0)
    places["政府性基金预算财政拨款基本支出"] = (8, None, 3, 0)
    places["政府性基金预算财政拨款项目支出"] = (8, None, 4, 0)
    places["国有资本经营预算财政拨款基本支出"] = (9, None, 1, 0)
    places["国有资本经营预算财政拨款项目支出"] = (9, None, 2, 0)
    places["财政拨款支出合计"] = (4, "本年支出合计", 0, 1)
    places["人员经费"] = (6, "人员经费合计", 0, 0)
    places["公用经费"] = (6, "公用经费合计", 0, 1)
    places["机关运行经费"] = (6, "公用经费合计", 0, 1)
    names = ("三公经费",) + THREE_PUBLIC_COLUMNS[1:]
    for i, name in enumerate(names):
        places[name] = (7, "决算数", i, 0)
        places[f"{name}预算"] = (7, "预算数", i, 0)
    return places


PLACES = _places()


def named_figures(tables: list[Table], computed: dict) -> dict[str, Figure]:
    """name → Figure of the figures a 情况说明 and the 概要 quote: filed as the tables print it,
    computed from the data; a figure neither printed nor computed is absent."""
    by_number = {t.number: t for t in tables}
    out: dict[str, Figure] = {}
    for name, (number, row, column, side) in PLACES.items():
        found = _cell(by_number, number, row, column, side)
        filed = found.filed if found is not None else None
        figure = Figure(filed, computed.get(name))
        if figure.filed is not None or figure.computed is not None:
            out[name] = figure
    for name, value in computed.items():  # derived figures no table holds
        if name not in out:
            out[name] = Figure(None, value)
    return out


def shown_values(figures: dict[str, Figure], basis: str) -> dict:
    """name → the figure the 口径 shows."""
    return {name: f.shown(basis)[0] for name, f in figures.items()}
