"""The identities every set of 部门决算 tables must satisfy, checked on tables as printed
(原表) and on tables derived from data alike; and printed figures against derived ones.

The identities are declared as data in :mod:`.layout` (which rows and columns add up to
which); each check here is a small function ``(tables, policy) -> problems`` that applies one
group of them, listed with its name in :data:`CHECKS`. Figures are compared by
:func:`gongkai.engine.checking.compare_amount`: a difference within the policy's 尾数
tolerance is a note, anything larger an error naming the table, the row and the column, with
the structured path ``("表N", [side,] row, column)``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from gongkai.engine import decimals as numbers
from gongkai.engine.checking import DEFAULT_POLICY, Check, Place, Policy, compare_amount, run_checks
from gongkai.engine.decimals import ZERO
from gongkai.engine.problems import Problem, problem
from gongkai.final_accounts import subjects
from gongkai.final_accounts.layout import (
    ACROSS,
    ECONOMIC_DIGITS,
    FUNCTIONAL_DIGITS,
    ITEMS,
    LAYOUTS,
    LEDGER,
    ROW_SUMS,
    SUMMARY_TOTALS,
    TABLES,
    THREE_PUBLIC_SUMS,
    TOTAL,
    UNDER,
    CategoriesAgree,
    Cell,
    RowRule,
    SidesAgree,
    of_form,
)
from gongkai.final_accounts.model import FISCAL_SOURCES, INCOME_SOURCES
from gongkai.final_accounts.tables import Line, Side, Table


def money(value: Decimal) -> str:
    return numbers.money(value, 2)


def _norm(name: str) -> str:
    """Names compared across tables: without ordinals (一、) and spaces."""
    name = re.sub(r"^[一二三四五六七八九十]+、", "", re.sub(r"\s+", "", name or ""))
    return name


@dataclass(frozen=True)
class TableSet:
    """The subject of the identity checks: a set of tables (standard number → Table) of one file."""

    file: str
    tables: Mapping[int, Table]


def path_of(table: Table, side: Side, line: Line, column: str) -> tuple[str, ...]:
    """``("表N", [side,] row, column)``: N the standard number, the side only for a table in two
    halves, the row by its 科目编码 or else its name without ordinal and spaces."""
    halves = (side.title or "",) if len(table.sides) > 1 else ()
    row = line.code or _norm(line.name) or (str(line.number) if line.number else "")
    return (f"表{table.number}", *halves, row, column)


def _compare(
    file: str, code: str, table: Table, side: Side, line: Line, column: str, printed, expected, why: str, policy: Policy
) -> list[Problem]:
    """The figure of ``line`` in ``column`` as printed against what it should be (``why`` says what)."""

    def message() -> str:
        where = f"表{table.position or table.number} {table.title} {_row(line)}“{column}”列"
        return f"{where}：印为 {money(printed)}，{why}为 {money(expected)}（差 {money(abs(printed - expected))}）"

    place = Place(file, line.source, path_of(table, side, line, column))
    return compare_amount(place, code, printed, expected, policy, message, shown=money)


def _row(line: Line) -> str:
    label = f"{line.code} {line.name}".strip() if line.code else line.name
    number = f"第 {line.number} 行" if line.number else ""
    return f"{number}“{label}”行" if label else number


def _items(table: int, side: int) -> frozenset:
    """The names (without ordinal) of the item rows of a summary half: 表1 收入 the eight sources,
    表4 收入 the three fiscal ones, the 支出 halves every 类 of the summary tables."""
    if side == 1:
        functional = subjects.functional()
        return frozenset(_norm(functional.get(code, code)) for code in subjects.SUMMARY_CATEGORIES)
    if table == 1:
        return frozenset(s if s.endswith("收入") else f"{s}收入" for s in INCOME_SOURCES)
    return frozenset(FISCAL_SOURCES)


def _total(values) -> Decimal | None:
    """The sum of figures that must all be there: None (the identity is not checked) when any
    of them is absent or there are none. A figure not transcribed is absent, never 0."""
    values = list(values)
    if not values or any(v is None for v in values):
        return None
    return sum(values, ZERO)


def _at(line: Line, i: int):
    return line.values[i] if i < len(line.values) else None


def _find(side: Side, name: str) -> Line | None:
    target = _norm(name)
    for line in side.lines:
        if _norm(line.name) == target:
            return line
    return None


def _value(side: Side, name: str, column: int = 0):
    line = _find(side, name)
    return None if line is None else _at(line, column)


def _total_line(table: Table) -> Line | None:
    return next((l for l in table.sides[0].lines if l.level == 0), None)


def _check(
    ts: TableSet, code: str, table: Table, side: Side, name: str, expected, why: str, policy: Policy, column: int = 0
) -> list[Problem]:
    """The row ``name`` of ``side`` (if it has one) against ``expected``, in ``column``."""
    line = _find(side, name)
    if line is None:
        return []
    return _compare(ts.file, code, table, side, line, side.columns[column], _at(line, column), expected, why, policy)


# ---- within a table ---------------------------------------------------------------------


def _row_rules(ts: TableSet, rules: tuple[RowRule, ...], policy: Policy) -> list[Problem]:
    """Column sums in every row; a sum with an absent figure is not checked."""
    found: list[Problem] = []
    for rule in rules:
        table = ts.tables.get(rule.table)
        if table is None:
            continue
        side = table.sides[rule.side]
        for line in side.lines:
            values = line.values
            if rule.width is not None and len(values) != rule.width:
                continue
            for s in rule.sums:
                if len(values) < s.reach:
                    continue
                parts, minus = [values[i] for i in s.parts], [values[i] for i in s.minus]
                expected = None if any(v is None for v in parts + minus) else sum(parts, ZERO) - sum(minus, ZERO)
                column = s.label or side.columns[s.total]
                found += _compare(
                    ts.file, "TABLE_SUM", table, side, line, column, values[s.total], expected, s.why, policy
                )
    return found


def row_sums(ts: TableSet, policy: Policy) -> list[Problem]:
    """Every row: its 合计 column equals the sum of its parts (表2, 3, 4, 5, 8, 9)."""
    return _row_rules(ts, ROW_SUMS, policy)


def rollups(ts: TableSet, policy: Policy) -> list[Problem]:
    """类 = Σ 款, 款 = Σ 项, 合计 = Σ 类, by 科目 code (3/5/7 digits)."""
    found: list[Problem] = []
    for layout in of_form(LEDGER):
        table = ts.tables.get(layout.number)
        if table is None:
            continue
        side = table.sides[0]
        coded = [l for l in side.lines if l.code]
        for line in side.lines:
            if line.level == 0:
                children = [l for l in coded if subjects.level(l.code) == 1]
            elif line.level in (1, 2):
                size = FUNCTIONAL_DIGITS[line.level + 1]
                children = [l for l in coded if len(l.code) == size and l.code.startswith(line.code)]
            else:
                continue
            if not children:
                continue
            why = "所属各类之和" if line.level == 0 else ("所属各款之和" if line.level == 1 else "所属各项之和")
            for i, column in enumerate(side.columns):
                expected = _total(_at(c, i) for c in children)
                found += _compare(
                    ts.file, "TABLE_ROLLUP", table, side, line, column, _at(line, i), expected, why, policy
                )
    return found


def totals_tables(ts: TableSet, policy: Policy) -> list[Problem]:
    """表1 and 表4: 合计 and 总计 rows, and 收入总计 = 支出总计."""
    found: list[Problem] = []
    for rule in SUMMARY_TOTALS:
        table = ts.tables.get(rule.table)
        if table is None:
            continue
        if isinstance(rule, SidesAgree):
            income, spending = table.sides
            found += _check(ts, "TABLE_SUM", table, spending, rule.row, _value(income, rule.row), rule.why, policy)
            continue
        side, layout = table.sides[rule.side], LAYOUTS[rule.table].sides[rule.side]
        for i in range(len(side.columns)) if rule.every_column else (0,):
            for total in rule.totals:
                if total.parts == ITEMS:
                    # only when every named item row of the half was transcribed: a row left
                    # out is absent (a partial transcription), not 0
                    names = _items(rule.table, rule.side)
                    items = [l for l in side.lines if layout.is_item(l.number) or _norm(l.name) in names]
                    if not names <= {_norm(l.name) for l in items}:
                        continue
                    expected = _total(_at(l, i) for l in items if l.name)
                elif total.parts == UNDER:
                    numbers_under = layout.numbers_under(total.row)
                    expected = _total(_at(l, i) for l in side.lines if l.number in numbers_under)
                else:
                    expected = _total(_value(side, name, i) for name in total.parts)
                found += _check(ts, "TABLE_SUM", table, side, total.row, expected, total.why, policy, i)
    return found


def economic_detail(ts: TableSet, policy: Policy) -> list[Problem]:
    """表6: 类 = Σ 款; 人员经费合计 = 301 + 303; 公用经费合计 = 302 + 307 + 310 + 399."""
    t6 = ts.tables.get(6)
    if t6 is None:
        return []
    found: list[Problem] = []
    for side, layout in zip(t6.sides, LAYOUTS[6].sides, strict=False):
        heads = [l for l in side.lines if len(l.code) == ECONOMIC_DIGITS[1]]
        for head in heads:
            children = [l for l in side.lines if len(l.code) == ECONOMIC_DIGITS[2] and l.code.startswith(head.code)]
            if children:
                expected = _total(_at(c, 0) for c in children)
                found += _compare(
                    ts.file,
                    "TABLE_ROLLUP",
                    t6,
                    side,
                    head,
                    side.columns[0],
                    _at(head, 0),
                    expected,
                    "所属各款之和",
                    policy,
                )
        by_code = {h.code: h for h in heads}
        # every 类 of this half printed: else the total is not checked (a 类 left out is absent, not 0)
        if all(code in by_code for code in layout.categories):
            total = _total(_at(by_code[code], 0) for code in layout.categories)
            found += _check(ts, "TABLE_SUM", t6, side, layout.total, total, "各类之和", policy)
    return found


def three_public(ts: TableSet, policy: Policy) -> list[Problem]:
    """表7: 合计 = 出国 + 公务用车 + 接待; 公务用车 = 购置 + 运行."""
    return _row_rules(ts, THREE_PUBLIC_SUMS, policy)


def empty_notes(ts: TableSet, policy: Policy) -> list[Problem]:
    """An empty 表8 or 表9 carries its 说明 (本部门本年度无……)."""
    found: list[Problem] = []
    for layout in TABLES:
        table = ts.tables.get(layout.number)
        if layout.empty_note and table is not None and table.empty and not table.empty_note:
            message = f"表{table.position or layout.number} {table.title} 为空表，应注明“本部门本年度无……”的说明"
            found.append(problem("TABLE_EMPTY_NOTE", ts.file, None, message, path=(f"表{layout.number}",)))
    return found


# ---- across tables ----------------------------------------------------------------------


def _present(tables: Mapping[int, Table], numbers: tuple[int, ...]) -> bool:
    """Every table named is there, and every ledger table among them has its 合计 line."""
    for number in numbers:
        table = tables.get(number)
        if not table or (LAYOUTS[number].form == LEDGER and _total_line(table) is None):
            return False
    return True


def _line(table: Table, cell: Cell) -> Line | None:
    return _total_line(table) if cell.row == TOTAL else _find(table.sides[cell.side], cell.row)


def _figure(tables: Mapping[int, Table], cell: Cell):
    line = _line(tables[cell.table], cell)
    return None if line is None else _at(line, cell.column)


def across(ts: TableSet, policy: Policy) -> list[Problem]:
    """The same figure in two tables: 表1 ↔ 表2, 表3, 表4; 表2 ↔ 表4; 表4 ↔ 表5, 表8, 表9; 表5 ↔ 表6."""
    tables = ts.tables
    positions = {f"表{n}": f"表{t.position or n}" for n, t in tables.items()}
    found: list[Problem] = []
    for rule in ACROSS:
        if not _present(tables, rule.tables):
            continue
        if isinstance(rule, CategoriesAgree):
            found += _categories(ts, rule, rule.why.format_map(positions), policy)
            continue
        table = tables[rule.cell.table]
        side = table.sides[rule.cell.side]
        line = _line(table, rule.cell)
        if line is None:
            continue
        figures = [_figure(tables, source) for source in rule.sources]
        expected = None if any(f is None for f in figures) else sum(figures, ZERO)
        column = rule.label or side.columns[rule.cell.column]
        why = rule.why.format_map(positions)
        found += _compare(
            ts.file, "TABLE_CROSS", table, side, line, column, _at(line, rule.cell.column), expected, why, policy
        )
    return found


def _categories(ts: TableSet, rule: CategoriesAgree, why: str, policy: Policy) -> list[Problem]:
    """Each 类 row of a summary table (表1, 表4: named, not coded) against that 类 in a ledger table."""
    table, ledger = ts.tables[rule.table], ts.tables[rule.ledger]
    side = table.sides[rule.side]
    if rule.column >= len(side.columns):
        return []  # the column was not transcribed: nothing to compare
    by_code = {l.code: l for l in ledger.sides[0].lines if l.level == 1}
    code_of = {_norm(name): code for code, name in subjects.functional().items() if len(code) == FUNCTIONAL_DIGITS[1]}
    found: list[Problem] = []
    for line in side.lines:
        match = by_code.get(code_of.get(_norm(line.name)))
        if match is not None:
            column = side.columns[rule.column]
            found += _compare(
                ts.file, "TABLE_CROSS", table, side, line, column, _at(line, rule.column), _at(match, 0), why, policy
            )
    return found


CHECKS: tuple[Check[TableSet], ...] = (
    Check("row_sums", "各行的合计列", row_sums),
    Check("rollups", "类、款、项", rollups),
    Check("totals", "表1、表4 的合计与总计", totals_tables),
    Check("economic_detail", "表6 人员经费与公用经费", economic_detail),
    Check("three_public", "表7“三公”经费", three_public),
    Check("empty_notes", "空表的说明", empty_notes),
    Check("across", "表与表之间", across),
)


def check(tables: dict, file: str, policy: Policy = DEFAULT_POLICY, timings: dict | None = None) -> list[Problem]:
    """Every identity on a set of tables (standard number → Table)."""
    return run_checks(CHECKS, TableSet(file, tables), policy, timings)


# ---- printed against derived ------------------------------------------------------------


@dataclass(frozen=True)
class PrintedAndDerived:
    """The tables as printed (原表) beside the ones derived from the data, of one file."""

    file: str
    printed: Mapping[int, Table]
    derived: Mapping[int, Table]


def printed_figures(subject: PrintedAndDerived, policy: Policy) -> list[Problem]:
    """Every printed figure against the one derived from the data (same table, row and column)."""
    found: list[Problem] = []
    for number, table in subject.printed.items():
        mine = subject.derived.get(number)
        if mine is None:
            continue
        for side, my_side in zip(table.sides, mine.sides, strict=False):
            for line in side.lines:
                match = _match(line, my_side)
                if match is None:
                    continue
                for i, column in enumerate(side.columns):
                    printed, derived = _at(line, i), _at(match, i)
                    found += _compare(
                        subject.file, "TABLE_PRINTED", table, side, line, column, printed, derived, "按数据计算", policy
                    )
    return found


PRINTED_CHECKS: tuple[Check[PrintedAndDerived], ...] = (Check("printed", "原表与数据", printed_figures),)


def printed_against_derived(
    printed: dict, derived: dict, file: str, policy: Policy = DEFAULT_POLICY, timings: dict | None = None
) -> list[Problem]:
    """Every printed figure against the derived one (:func:`printed_figures`), as a named check."""
    return run_checks(PRINTED_CHECKS, PrintedAndDerived(file, printed, derived), policy, timings)


def _match(line: Line, side: Side) -> Line | None:
    if line.code:
        return next((l for l in side.lines if l.code == line.code), None)
    if line.number:
        found = next((l for l in side.lines if l.number == line.number), None)
        if found is not None:
            return found
    return _find(side, line.name)
