"""The nine standard 部门决算 tables, derived from the record entered once.

Figures stay exact (Decimal) here; rounding to two decimals happens only on display.
Every table is a list of sides (表1/表4/表6 print two side by side), each a list of lines;
templates only lay them out. Titles, columns, fixed rows and 行次 come from :mod:`.layout`."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from gongkai.engine.basis import Figure
from gongkai.engine.decimals import ZERO
from gongkai.engine.problems import problem
from gongkai.final_accounts import subjects
from gongkai.final_accounts.layout import (
    ECONOMIC_DIGITS,
    FUNCTIONAL_DIGITS,
    LAYOUTS,
    ORDERS,
    THREE_PUBLIC_COLUMNS,
    SideLayout,
    TableLayout,
)
from gongkai.final_accounts.model import (
    FISCAL_SOURCES,
    FUNDS,
    INCOME_SOURCES,
    SPENDING_KINDS,
    THREE_PUBLIC,
    FinalAccounts,
)


@dataclass
class Line:
    name: str
    values: list
    code: str = ""
    level: int = -1  # 0 合计, 1 类, 2 款, 3 项; -1 an item that has no code
    number: int | None = None  # 行次
    source: int | None = None  # line in the YAML file it was read from
    # A table as shown (:mod:`.shown`): each figure's role ("filed", "computed" or None for a
    # blank cell), and the figure as filed and as computed (None: not printed / not computable).
    roles: list | None = None
    filed: list | None = None
    computed: list | None = None

    def figure(self, i: int) -> Figure:
        """The figure in column ``i`` in its two roles (a table not shown by 口径: as it is)."""
        if self.filed is None or self.computed is None:
            value = self.values[i] if i < len(self.values) else None
            return Figure(value, None)
        return Figure(_at(self.filed, i), _at(self.computed, i))


def _at(values: list, i: int):
    return values[i] if i < len(values) else None


@dataclass
class Side:
    title: str | None
    columns: tuple
    lines: list
    coded: bool = True  # prints 科目编码 and 科目名称 columns


@dataclass
class Table:
    number: int  # the standard number (1 … 9)
    title: str
    sides: list
    note: str = ""
    empty_note: str | None = None
    position: int = 0  # its number in the chosen order (表序)

    @property
    def layout(self) -> TableLayout:
        return LAYOUTS[self.number]

    @property
    def empty(self) -> bool:
        return all(not any(v for v in line.values if v is not None) for side in self.sides for line in side.lines)

    @property
    def wide(self) -> bool:
        """Printed on a landscape page: the tables with many columns side by side."""
        return self.layout.wide


@dataclass
class Derived:
    tables: dict  # standard number → Table
    names: dict  # code → name used
    problems: list = field(default_factory=list)
    totals: dict = field(default_factory=dict)  # named figures the 情况说明 quotes

    def ordered(self, order: str) -> list:
        out = []
        for position, number in enumerate(ORDERS[order], 1):
            if number not in self.tables:
                continue
            table = self.tables[number]
            table.position = position
            out.append(table)
        return out


def _sum(values) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)


class _Deriver:
    def __init__(self, fa: FinalAccounts, file: str):
        self.fa = fa
        self.file = file
        self.problems: list = []
        self.names: dict = {}
        self.functional = subjects.functional()

    def name(self, code: str, override: str | None, line: int | None) -> str:
        if override:
            self.names[code] = override
            return override
        if code in self.names:
            return self.names[code]
        known = self.functional.get(code)
        if known is None:
            self.problems.append(
                problem(
                    "SUBJECT_UNKNOWN",
                    self.file,
                    line,
                    f"功能分类科目编码 {code} 不在内置科目表中；请核对编码，或在“名称”中写明科目名称",
                    path=("科目", code),
                )
            )
            known = "（未知科目）"
        self.names[code] = known
        return known

    # ---- ledger tables by 功能分类 --------------------------------------------------
    def ledger(self, values_of) -> list:
        """合计, then every 类/款/项 with money, rolled up from the 项 entered."""
        leaves: dict[str, list] = {}
        for subject in self.fa.subjects:
            values = values_of(subject)
            if values is None or not any(values):
                continue
            code = subject.code
            if subjects.level(code) != 3:
                self.problems.append(
                    problem(
                        "SUBJECT_LEVEL",
                        self.file,
                        subject.line,
                        f"科目 {code} 不是 7 位的“项”；数据只在项一级录入，类和款由 gongkai 汇总",
                        path=("科目", code),
                    )
                )
                continue
            self.name(code, subject.name, subject.line)
            leaves[code] = (
                [a + b for a, b in zip(leaves[code], values, strict=False)] if code in leaves else list(values)
            )
        if not leaves:
            return []
        totals: dict = {}
        for code, values in leaves.items():
            for parent in subjects.parents(code) + [code]:
                totals[parent] = (
                    [a + b for a, b in zip(totals[parent], values, strict=False)] if parent in totals else list(values)
                )
        width = len(next(iter(leaves.values()))) if leaves else 0
        grand = [_sum(v[i] for k, v in leaves.items()) for i in range(width)]
        lines = [Line("合计", grand, "", 0)]
        for code in sorted(totals):
            lines.append(Line(self.name(code, None, None), totals[code], code, subjects.level(code)))
        return lines

    def income_values(self, s):
        fiscal = _sum(s.income.get(k) for k in FISCAL_SOURCES)
        others = [s.income.get(k, ZERO) for k in INCOME_SOURCES[3:]]
        return [fiscal + _sum(others), fiscal, *others]

    def spending_values(self, s):
        kinds = [s.spending.get(k, ZERO) for k in SPENDING_KINDS]
        return [_sum(kinds), *kinds]

    @staticmethod
    def fund_values(s, fund: str):
        parts = s.fiscal.get(fund, {})
        basic, project = parts.get("基本支出", ZERO), parts.get("项目支出", ZERO)
        return [basic + project, basic, project]

    def fund8_values(self, s):
        basic_project = self.fund_values(s, "政府性基金")
        opening = s.fund_carry.get("年初结转和结余", ZERO)
        closing = s.fund_carry.get("年末结转和结余", ZERO)
        return [opening, s.income.get("政府性基金预算财政拨款", ZERO), *basic_project, closing]

    # ---- the nine tables ------------------------------------------------------------
    def derive(self) -> Derived:
        ledgers = {
            2: self.ledger(self.income_values),
            3: self.ledger(self.spending_values),
            5: self.ledger(lambda s: self.fund_values(s, "一般公共预算")),
            8: self.ledger(self.fund8_values),
            9: self.ledger(lambda s: self.fund_values(s, "国有资本经营")),
        }
        made = {1: self.table1, 4: self.table4, 6: self.table6, 7: self.table7}
        tables = {}
        for number, layout in LAYOUTS.items():
            if number not in self.covered():
                continue  # no data for this table: it is absent, not a table of zeros
            table = made[number]() if number in made else _ledger_table(layout, ledgers[number])
            table.title = layout.title
            table.note = layout.note
            if layout.empty_note and table.empty:
                table.empty_note = layout.empty_note
            tables[number] = table
        derived = Derived(tables, self.names, self.problems)
        derived.totals = self.totals()
        return derived

    def covered(self) -> set:
        """The tables the data determines: 科目 → 表1–5, 8, 9; 基本支出明细 → 表6; 三公经费 → 表7."""
        fa = self.fa
        out = {1, 2, 3, 4, 5, 8, 9} if fa.subjects else set()
        if fa.basic_detail:
            out.add(6)
        if fa.three_public is not None:
            out.add(7)
        return out

    def category_totals(self, values_of) -> dict:
        out: dict = {}
        for s in self.fa.subjects:
            values = values_of(s)
            if values is None or subjects.level(s.code) != 3:
                continue
            category = s.code[: FUNCTIONAL_DIGITS[1]]
            out[category] = (
                [a + b for a, b in zip(out[category], values, strict=False)] if category in out else list(values)
            )
        return out

    def table1(self) -> Table:
        fa = self.fa
        income_layout, spending_layout = LAYOUTS[1].sides
        names = [name if name.endswith("收入") else f"{name}收入" for name in INCOME_SOURCES]
        income = _items(income_layout, names, [[self.income_sum(k)] for k in INCOME_SOURCES])
        income_total = _sum(self.income_sum(k) for k in INCOME_SOURCES)
        income += _fixed(income_layout, {
            "本年收入合计": [income_total],
            "使用非财政拨款结余": [fa.carry.non_fiscal_surplus_used],
            "年初结转和结余": [fa.carry.opening],
            "总计": [income_total + fa.carry.non_fiscal_surplus_used + fa.carry.opening],
        })
        by_category = self.category_totals(lambda s: [self.spending_values(s)[0]])
        spending = self.categories(spending_layout, by_category)
        spending_total = _sum(v[0] for v in by_category.values())
        spending += _fixed(spending_layout, {
            "本年支出合计": [spending_total],
            "结余分配": [fa.carry.distributed],
            "年末结转和结余": [fa.carry.closing],
            "总计": [spending_total + fa.carry.distributed + fa.carry.closing],
        })
        return Table(1, "", [_side(income_layout, income), _side(spending_layout, spending)])

    def categories(self, side: SideLayout, by_category: dict) -> list:
        """The 类 rows of a summary half: every 类 of the summary tables, in order, with its 行次."""
        assert side.items is not None  # summary halves have item rows
        first = side.items[0]
        width = len(side.columns)
        return [
            Line(
                f"{_ordinal(i)}、{self.functional.get(code, code)}",
                by_category.get(code, [ZERO] * width),
                code,
                1,
                first + i - 1,
            )
            for i, code in enumerate(subjects.SUMMARY_CATEGORIES, 1)
        ]

    def income_sum(self, source: str) -> Decimal:
        return _sum(s.income.get(source) for s in self.fa.subjects)

    def table4(self) -> Table:
        fa = self.fa
        income_layout, spending_layout = LAYOUTS[4].sides
        fiscal = [self.income_sum(k) for k in FISCAL_SOURCES]
        income = _items(income_layout, list(FISCAL_SOURCES), [[value] for value in fiscal])
        opening = [fa.carry.fiscal_opening.get(f, ZERO) for f in FUNDS]
        income += _fixed(income_layout, {
            "本年收入合计": [_sum(fiscal)],
            "年初财政拨款结转和结余": [_sum(opening)],
            **{name: [value] for name, value in zip(FISCAL_SOURCES, opening, strict=False)},
            "总计": [_sum(fiscal) + _sum(opening)],
        })

        def by_fund(s):
            funds = [self.fund_values(s, f)[0] for f in FUNDS]
            return [_sum(funds), *funds]

        by_category = self.category_totals(by_fund)
        spending = self.categories(spending_layout, by_category)
        width = len(spending_layout.columns)
        total = [_sum(v[i] for v in by_category.values()) for i in range(width)]
        closing = [fa.carry.fiscal_closing.get(f, ZERO) for f in FUNDS]
        closing = [_sum(closing), *closing]
        spending += _fixed(spending_layout, {
            "本年支出合计": total,
            "年末财政拨款结转和结余": closing,
            "总计": [a + b for a, b in zip(total, closing, strict=False)],
        })
        return Table(4, "", [_side(income_layout, income), _side(spending_layout, spending)])

    def table6(self) -> Table:
        detail = dict(self.fa.basic_detail)
        economic = subjects.economic()
        for code in detail:
            line = self.fa.lines.get(("基本支出明细", code))
            if code not in economic or len(code) != ECONOMIC_DIGITS[2]:
                self.problems.append(
                    problem(
                        "SUBJECT_UNKNOWN",
                        self.file,
                        line,
                        f"经济分类科目编码 {code} 不在内置科目表中（基本支出明细按 5 位的“款”录入）",
                        path=("基本支出明细", code),
                    )
                )
            elif code[: ECONOMIC_DIGITS[1]] not in subjects.PERSONNEL + subjects.PUBLIC:
                self.problems.append(
                    problem(
                        "SUBJECT_LEVEL",
                        self.file,
                        line,
                        f"经济分类科目 {code} {economic[code]} 不属于人员经费（301、303）"
                        "或公用经费（302、307、310、399）",
                        path=("基本支出明细", code),
                    )
                )

        def side(categories):
            lines, total = [], ZERO
            for category in categories:
                children = subjects.economic_children(category, detail)
                value = _sum(detail.get(c) for c in children)
                total += value
                lines.append(Line(economic.get(category, category), [value], category, 1))
                lines += [Line(economic.get(c, "（未知科目）"), [detail.get(c, ZERO)], c, 2) for c in children]
            return lines, total

        halves = [(layout, *side(layout.categories)) for layout in LAYOUTS[6].sides]
        rows = max(len(lines) for _, lines, _ in halves)  # both totals on the last row, as printed
        sides = []
        for layout, lines, total in halves:
            lines += [Line("", [None]) for _ in range(rows - len(lines))]
            lines.append(Line(layout.total, [total], "", 0))
            sides.append(_side(layout, lines))
        return Table(6, "", sides)

    def three_public_rows(self) -> dict:
        """预算数 and 决算数 of 三公, each in the order of THREE_PUBLIC_COLUMNS."""
        tp = self.fa.three_public
        rows: dict[str, list[Decimal | None]] = {}
        for label, values in zip(LAYOUTS[7].blocks, (tp.budget if tp else {}, tp.actual if tp else {}), strict=False):
            if not values:  # the block was not entered: absent, not 0
                rows[label] = [None] * len(THREE_PUBLIC_COLUMNS)
                continue
            abroad, buy, run, host = (values.get(k, ZERO) for k in THREE_PUBLIC)
            by_column = {
                "合计": abroad + buy + run + host,
                "因公出国（境）费": abroad,
                "公务用车购置及运行费": buy + run,
                "公务用车购置费": buy,
                "公务用车运行费": run,
                "公务接待费": host,
            }
            rows[label] = [by_column[column] for column in THREE_PUBLIC_COLUMNS]
        return rows

    def table7(self) -> Table:
        lines = [Line(label, values) for label, values in self.three_public_rows().items()]
        return Table(7, "", [_side(LAYOUTS[7].sides[0], lines)])

    def totals(self) -> dict:
        """Named figures of this year, for the 情况说明: those the data determines."""
        fa = self.fa
        out: dict = {}
        covered = self.covered()
        if fa.subjects:
            out.update(self.subject_totals())
        if 6 in covered:
            detail = fa.basic_detail
            out["人员经费"] = _sum(v for c, v in detail.items() if c[:3] in subjects.PERSONNEL)
            out["公用经费"] = _sum(v for c, v in detail.items() if c[:3] in subjects.PUBLIC)
            out["机关运行经费"] = out["公用经费"]
        if 7 in covered:
            names = ("三公经费",) + THREE_PUBLIC_COLUMNS[1:]
            for label, values in self.three_public_rows().items():
                suffix = "" if label == "决算数" else "预算"
                out.update({f"{name}{suffix}": v for name, v in zip(names, values, strict=False) if v is not None})
        return out

    def subject_totals(self) -> dict:
        fa = self.fa
        out = {k + ("" if k.endswith("收入") else "收入"): self.income_sum(k) for k in INCOME_SOURCES}
        out["本年收入合计"] = _sum(self.income_sum(k) for k in INCOME_SOURCES)
        out["收入总计"] = out["本年收入合计"] + fa.carry.non_fiscal_surplus_used + fa.carry.opening
        for kind in SPENDING_KINDS:
            out[kind] = _sum(s.spending.get(kind) for s in fa.subjects)
        out["本年支出合计"] = _sum(out[k] for k in SPENDING_KINDS)
        out["支出总计"] = out["本年支出合计"] + fa.carry.distributed + fa.carry.closing
        out["财政拨款收入合计"] = _sum(self.income_sum(k) for k in FISCAL_SOURCES)
        for fund, source in zip(FUNDS, FISCAL_SOURCES, strict=False):
            rows = [self.fund_values(s, fund) for s in fa.subjects]
            for i, part in enumerate(("支出", "基本支出", "项目支出")):
                out[f"{source}{part}"] = _sum(row[i] for row in rows)
        out["财政拨款支出合计"] = _sum(out[f"{source}支出"] for source in FISCAL_SOURCES)
        return out


def _side(layout: SideLayout, lines: list) -> Side:
    return Side(layout.title, layout.columns, lines, layout.coded)


def _ledger_table(layout: TableLayout, lines: list) -> Table:
    """A ledger table; with no money at all, its 合计 row of zeros."""
    side = layout.sides[0]
    return Table(layout.number, layout.title, [_side(side, lines or [Line("合计", [ZERO] * len(side.columns), "", 0)])])


def _items(side: SideLayout, names: list, values: list) -> list:
    """The item rows of a summary half: named rows with their ordinal, then blank rows to the last item 行次."""
    assert side.items is not None  # summary halves have item rows
    first, last = side.items
    lines = [
        Line(f"{_ordinal(i)}、{name}", value, number=first + i - 1)
        for i, (name, value) in enumerate(zip(names, values, strict=False), 1)
    ]
    blank = [None] * len(side.columns)
    return lines + [Line("", list(blank), number=n) for n in range(first + len(lines), last + 1)]


def _fixed(side: SideLayout, values: dict) -> list:
    """The fixed rows of a summary half, in its layout's order, with their 行次 (blank rows blank)."""
    blank = [None] * len(side.columns)
    return [Line(row.name, values[row.name] if row.name else list(blank), number=row.number) for row in side.rows]


_ORDINALS = "一二三四五六七八九十"


def _ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 26 → 二十六."""
    if n <= 10:
        return _ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _ORDINALS[tens - 1]) + "十" + (_ORDINALS[ones - 1] if ones else "")


def derive(fa: FinalAccounts, file: str) -> Derived:
    return _Deriver(fa, file).derive()
