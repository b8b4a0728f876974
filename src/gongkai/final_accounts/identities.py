"""The identities every set of 部门决算 tables must satisfy, checked on tables as printed
(原表) and on tables derived from data alike; and printed figures against derived ones.

Each check is a small function ``(tables, report) -> None`` that reports through ``report``;
a difference of at most the tolerance (0.01 万元) is a 尾数 note, anything larger an error
naming the table, the row and the column."""

from __future__ import annotations

import re
from decimal import Decimal

from gongkai.engine import decimals as numbers
from gongkai.engine.decimals import ZERO
from gongkai.engine.problems import problem
from gongkai.final_accounts import subjects
from gongkai.final_accounts.tables import Line, Side, Table

TOLERANCE = Decimal("0.01")


def money(value: Decimal) -> str:
    return numbers.money(value, 2)


def _norm(name: str) -> str:
    """Names compared across tables: without ordinals (一、), spaces and 收入/支出 endings."""
    name = re.sub(r"^[一二三四五六七八九十]+、", "", re.sub(r"\s+", "", name or ""))
    return name


class Reporter:
    def __init__(self, file: str, tolerance: Decimal = TOLERANCE):
        self.file = file
        self.tolerance = tolerance
        self.problems: list = []

    def compare(self, code: str, table: Table, line: Line, column: str, printed, expected, why: str) -> None:
        if printed is None or expected is None:
            return
        diff = printed - expected
        if diff == ZERO:
            return
        where = f"表{table.position or table.number} {table.title} {_row(line)}“{column}”列"
        text = f"{where}：印为 {money(printed)}，{why}为 {money(expected)}（差 {money(abs(diff))}）"
        if abs(diff) <= self.tolerance:
            self.problems.append(problem("TAIL_DIFFERENCE", self.file, line.source, text, expected=money(expected), found=money(printed)))
        else:
            self.problems.append(problem(code, self.file, line.source, text, expected=money(expected), found=money(printed)))


def _row(line: Line) -> str:
    label = f"{line.code} {line.name}".strip() if line.code else line.name
    number = f"第 {line.number} 行" if line.number else ""
    return f"{number}“{label}”行" if label else number


def _sum(values) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)


# ---- within a table ---------------------------------------------------------------------

SUM_RULES = {  # table → (total column, part columns) for every row
    2: (0, (1, 2, 3, 4, 5, 6)),
    3: (0, (1, 2, 3, 4, 5)),
    5: (0, (1, 2)),
    8: (2, (3, 4)),
    9: (0, (1, 2)),
}


def row_sums(tables: dict, r: Reporter) -> None:
    """Every row: its 合计 column equals the sum of its parts."""
    for number, (total, parts) in SUM_RULES.items():
        table = tables.get(number)
        if table is None:
            continue
        side = table.sides[0]
        for line in side.lines:
            values = line.values
            if len(values) > max(parts):
                r.compare("TABLE_SUM", table, line, side.columns[total], values[total], _sum(values[p] for p in parts), "各列之和")
    t8 = tables.get(8)
    if t8 is not None:
        for line in t8.sides[0].lines:
            v = line.values
            if len(v) >= 6:
                r.compare("TABLE_SUM", t8, line, "年末结转和结余", v[5], v[0] + v[1] - v[2], "年初结转和结余 + 本年收入 − 本年支出")
    t4 = tables.get(4)
    if t4 is not None:
        side = t4.sides[1]
        for line in side.lines:
            if len(line.values) == 4 and line.values[0] is not None:
                r.compare("TABLE_SUM", t4, line, side.columns[0], line.values[0], _sum(line.values[1:]), "各项资金之和")


def rollups(tables: dict, r: Reporter) -> None:
    """类 = Σ 款, 款 = Σ 项, 合计 = Σ 类, by 科目 code (3/5/7 digits)."""
    for number in (2, 3, 5, 8, 9):
        table = tables.get(number)
        if table is None:
            continue
        side = table.sides[0]
        coded = [l for l in side.lines if l.code]
        for line in side.lines:
            if line.level == 0:
                children = [l for l in coded if subjects.level(l.code) == 1]
            elif line.level in (1, 2):
                size = 5 if line.level == 1 else 7
                children = [l for l in coded if len(l.code) == size and l.code.startswith(line.code)]
            else:
                continue
            if not children:
                continue
            for i, column in enumerate(side.columns):
                why = "所属各类之和" if line.level == 0 else ("所属各款之和" if line.level == 1 else "所属各项之和")
                r.compare("TABLE_ROLLUP", table, line, column, _at(line, i), _sum(_at(c, i) for c in children), why)


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


def totals_tables(tables: dict, r: Reporter) -> None:
    """表1 and 表4: 合计 and 总计 rows, and 收入总计 = 支出总计."""
    t1 = tables.get(1)
    if t1 is not None:
        income, spending = t1.sides
        items = [l for l in income.lines if l.number and l.number <= 26 and l.name]
        _check(r, t1, income, "本年收入合计", _sum(_at(l, 0) for l in items), "各项收入之和")
        _check(r, t1, income, "总计", _sum(_value(income, n) for n in ("本年收入合计", "使用非财政拨款结余", "年初结转和结余")), "本年收入合计、使用非财政拨款结余与年初结转和结余之和")
        categories = [l for l in spending.lines if l.number and l.number <= 56 and l.name]
        _check(r, t1, spending, "本年支出合计", _sum(_at(l, 0) for l in categories), "各类支出之和")
        _check(r, t1, spending, "总计", _sum(_value(spending, n) for n in ("本年支出合计", "结余分配", "年末结转和结余")), "本年支出合计、结余分配与年末结转和结余之和")
        _check(r, t1, spending, "总计", _value(income, "总计"), "收入总计")
    t4 = tables.get(4)
    if t4 is not None:
        income, spending = t4.sides
        items = [l for l in income.lines if l.number and l.number <= 26 and l.name]
        _check(r, t4, income, "本年收入合计", _sum(_at(l, 0) for l in items), "各项财政拨款收入之和")
        funds = [l for l in income.lines if l.number and 29 <= l.number <= 31]
        if funds:
            _check(r, t4, income, "年初财政拨款结转和结余", _sum(_at(l, 0) for l in funds), "三项资金之和")
        _check(r, t4, income, "总计", _sum(_value(income, n) for n in ("本年收入合计", "年初财政拨款结转和结余")), "本年收入合计与年初结转和结余之和")
        categories = [l for l in spending.lines if l.number and l.number <= 58 and l.name]
        for i, column in enumerate(spending.columns):
            _check(r, t4, spending, "本年支出合计", _sum(_at(l, i) for l in categories), "各类支出之和", i, column)
            _check(r, t4, spending, "总计", _sum(_value(spending, n, i) for n in ("本年支出合计", "年末财政拨款结转和结余")), "本年支出合计与年末结转和结余之和", i, column)
        _check(r, t4, spending, "总计", _value(income, "总计"), "收入总计")


def _check(r: Reporter, table: Table, side: Side, name: str, expected, why: str, column: int = 0, column_name: str | None = None) -> None:
    line = _find(side, name)
    if line is not None:
        r.compare("TABLE_SUM", table, line, column_name or side.columns[column], _at(line, column), expected, why)


def economic_detail(tables: dict, r: Reporter) -> None:
    """表6: 类 = Σ 款; 人员经费合计 = 301 + 303; 公用经费合计 = 302 + 307 + 310 + 399."""
    t6 = tables.get(6)
    if t6 is None:
        return
    for side, categories, total in ((t6.sides[0], subjects.PERSONNEL, "人员经费合计"), (t6.sides[1], subjects.PUBLIC, "公用经费合计")):
        heads = [l for l in side.lines if len(l.code) == 3]
        for head in heads:
            children = [l for l in side.lines if len(l.code) == 5 and l.code.startswith(head.code)]
            if children:
                r.compare("TABLE_ROLLUP", t6, head, "金额", _at(head, 0), _sum(_at(c, 0) for c in children), "所属各款之和")
        _check(r, t6, side, total, _sum(_at(h, 0) for h in heads if h.code in categories), "各类之和")


def three_public(tables: dict, r: Reporter) -> None:
    """表7: 合计 = 出国 + 公务用车 + 接待; 公务用车 = 购置 + 运行."""
    t7 = tables.get(7)
    if t7 is None:
        return
    side = t7.sides[0]
    for line in side.lines:
        v = line.values
        r.compare("TABLE_SUM", t7, line, "公务用车购置及运行费", v[2], v[3] + v[4], "购置费与运行费之和")
        r.compare("TABLE_SUM", t7, line, "合计", v[0], v[1] + v[2] + v[5], "三项之和")


def empty_notes(tables: dict, r: Reporter) -> None:
    for number in (8, 9):
        table = tables.get(number)
        if table is not None and table.empty and not table.empty_note:
            r.problems.append(problem("TABLE_EMPTY_NOTE", r.file, None, f"表{table.position or number} {table.title} 为空表，应注明“本部门本年度无……”的说明"))


# ---- across tables ----------------------------------------------------------------------


def _total_line(table: Table) -> Line | None:
    return next((l for l in table.sides[0].lines if l.level == 0), None)


def across(tables: dict, r: Reporter) -> None:
    t1, t2, t3, t4, t5, t6, t8, t9 = (tables.get(n) for n in (1, 2, 3, 4, 5, 6, 8, 9))
    if t1 and t2 and (total := _total_line(t2)):
        income = t1.sides[0]
        _cross(r, t1, income, "本年收入合计", total.values[0], f"表{t2.position or 2}合计的本年收入合计")
        for i, name in enumerate(("上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"), 2):
            _cross(r, t1, income, name, _at(total, i), f"表{t2.position or 2}合计的{name}")
    if t1 and t3 and (total := _total_line(t3)):
        spending = t1.sides[1]
        _cross(r, t1, spending, "本年支出合计", total.values[0], f"表{t3.position or 3}合计的本年支出合计")
        _categories(r, t1, spending, 0, t3)
    if t1 and t4:
        for name in ("一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"):
            _cross(r, t1, t1.sides[0], name + "收入", _value(t4.sides[0], name), f"表{t4.position or 4}的{name}")
    if t2 and t4 and (total := _total_line(t2)):
        line = _find(t4.sides[0], "本年收入合计")
        if line is not None:
            r.compare("TABLE_CROSS", t2, total, "财政拨款收入", _at(total, 1), _at(line, 0), f"表{t4.position or 4}的本年收入合计")
    if t4 and t5 and (total := _total_line(t5)):
        spending = t4.sides[1]
        _cross(r, t5, t5.sides[0], "合计", _value(spending, "本年支出合计", 1), f"表{t4.position or 4}本年支出合计的一般公共预算财政拨款")
        _categories(r, t4, spending, 1, t5)
    if t5 and t6 and (total := _total_line(t5)):
        staff = _value(t6.sides[0], "人员经费合计")
        public = _value(t6.sides[1], "公用经费合计")
        if staff is not None and public is not None:
            r.compare("TABLE_CROSS", t5, total, t5.sides[0].columns[1], total.values[1], staff + public, f"表{t6.position or 6}人员经费与公用经费之和")
    if t4 and t8 and (total := _total_line(t8)):
        _cross(r, t8, t8.sides[0], "合计", _value(t4.sides[1], "本年支出合计", 2), f"表{t4.position or 4}本年支出合计的政府性基金预算财政拨款", column=2)
    if t4 and t9 and (total := _total_line(t9)):
        _cross(r, t9, t9.sides[0], "合计", _value(t4.sides[1], "本年支出合计", 3), f"表{t4.position or 4}本年支出合计的国有资本经营预算财政拨款")


def _categories(r: Reporter, table: Table, side: Side, column: int, ledger: Table) -> None:
    """Each 类 row of a summary table (表1, 表4: named, not coded) against that 类 in a ledger table."""
    by_code = {l.code: l for l in ledger.sides[0].lines if l.level == 1}
    code_of = {_norm(name): code for code, name in subjects.functional().items() if len(code) == 3}
    for line in side.lines:
        match = by_code.get(code_of.get(_norm(line.name)))
        if match is not None:
            why = f"表{ledger.position or ledger.number}该类的本年支出合计"
            r.compare("TABLE_CROSS", table, line, side.columns[column], _at(line, column), match.values[0], why)


def _cross(r: Reporter, table: Table, side: Side, name: str, expected, why: str, column: int = 0) -> None:
    line = _find(side, name)
    if line is not None:
        r.compare("TABLE_CROSS", table, line, side.columns[column], _at(line, column), expected, why)


CHECKS = (row_sums, rollups, totals_tables, economic_detail, three_public, empty_notes, across)


def check(tables: dict, file: str) -> list:
    """Every identity on a set of tables (standard number → Table)."""
    reporter = Reporter(file)
    for check_tables in CHECKS:
        check_tables(tables, reporter)
    return reporter.problems


def printed_against_derived(printed: dict, derived: dict, file: str) -> list:
    """Every printed figure against the one derived from the data (same table, row and column)."""
    reporter = Reporter(file)
    for number, table in printed.items():
        mine = derived.get(number)
        if mine is None:
            continue
        for side, my_side in zip(table.sides, mine.sides):
            for line in side.lines:
                match = _match(line, my_side)
                if match is None:
                    continue
                for i, column in enumerate(side.columns):
                    reporter.compare("TABLE_PRINTED", table, line, column, _at(line, i), _at(match, i), "由数据生成")
    return reporter.problems


def _match(line: Line, side: Side) -> Line | None:
    if line.code:
        return next((l for l in side.lines if l.code == line.code), None)
    if line.number:
        found = next((l for l in side.lines if l.number == line.number), None)
        if found is not None:
            return found
    return _find(side, line.name)

