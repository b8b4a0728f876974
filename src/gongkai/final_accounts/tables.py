"""The nine standard 部门决算 tables, derived from the record entered once.

Figures stay exact (Decimal) here; rounding to two decimals happens only on display.
Every table is a list of sides (表1/表4/表6 print two side by side), each a list of lines;
templates only lay them out."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from gongkai.engine.decimals import ZERO
from gongkai.engine.problems import problem
from gongkai.final_accounts import subjects
from gongkai.final_accounts.model import FISCAL_SOURCES, FUNDS, INCOME_SOURCES, SPENDING_KINDS, THREE_PUBLIC, FinalAccounts

STANDARD = (
    (1, "收入支出决算总表"),
    (2, "收入决算表"),
    (3, "支出决算表"),
    (4, "财政拨款收入支出决算总表"),
    (5, "一般公共预算财政拨款支出决算表"),
    (6, "一般公共预算财政拨款基本支出决算明细表"),
    (7, "一般公共预算财政拨款“三公”经费支出决算表"),
    (8, "政府性基金预算财政拨款收入支出决算表"),
    (9, "国有资本经营预算财政拨款支出决算表"),
)
ORDERS = {"标准": (1, 2, 3, 4, 5, 6, 7, 8, 9), "湖北": (1, 2, 3, 4, 5, 6, 8, 9, 7)}

NOTES = {
    1: "本表反映部门本年度的总收入和年末结转结余情况。",
    2: "本表反映部门本年度取得的各项收入情况。",
    3: "本表反映部门本年度各项支出情况。",
    4: "本表反映部门本年度一般公共预算财政拨款、政府性基金预算财政拨款和国有资本经营预算财政拨款的总收支和年末结转结余情况。",
    5: "本表反映部门本年度一般公共预算财政拨款实际支出情况。",
    6: "本表反映部门本年度一般公共预算财政拨款基本支出明细情况。",
    7: "本表反映部门本年度“三公”经费支出预决算情况。其中，预算数为“三公”经费全年预算数，反映按规定程序调整后的预算数；决算数是包括当年一般公共预算财政拨款和以前年度结转资金安排的实际支出。",
    8: "本表反映部门本年度政府性基金预算财政拨款收入、支出及结转结余情况。",
    9: "本表反映部门本年度国有资本经营预算财政拨款支出情况。",
}
EMPTY_NOTES = {
    8: "本部门本年度无政府性基金预算财政拨款收入、支出及结转结余。",
    9: "本部门本年度无国有资本经营预算财政拨款支出。",
}
COLUMNS = {
    2: ("本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"),
    3: ("本年支出合计",) + SPENDING_KINDS,
    4: ("合计", "一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"),
    5: ("本年支出合计", "基本支出", "项目支出"),
    8: ("年初结转和结余", "本年收入", "本年支出小计", "基本支出", "项目支出", "年末结转和结余"),
    9: ("本年支出小计", "基本支出", "项目支出"),
}
THREE_PUBLIC_COLUMNS = ("合计", "因公出国（境）费", "公务用车购置及运行费", "公务用车购置费", "公务用车运行费", "公务接待费")


@dataclass
class Line:
    name: str
    values: list
    code: str = ""
    level: int = -1  # 0 合计, 1 类, 2 款, 3 项; -1 an item that has no code
    number: int | None = None  # 行次
    source: int | None = None  # line in the YAML file it was read from


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
    def empty(self) -> bool:
        return all(not any(v for v in line.values if v is not None) for side in self.sides for line in side.lines)

    @property
    def wide(self) -> bool:
        """Printed on a landscape page: the tables with many columns side by side."""
        return self.number in (2, 3, 4, 6, 7, 8)


@dataclass
class Derived:
    tables: dict  # standard number → Table
    names: dict  # code → name used
    problems: list = field(default_factory=list)
    totals: dict = field(default_factory=dict)  # named figures the 情况说明 quotes

    def ordered(self, order: str) -> list:
        out = []
        for position, number in enumerate(ORDERS[order], 1):
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
            self.problems.append(problem("SUBJECT_UNKNOWN", self.file, line, f"功能分类科目编码 {code} 不在内置科目表中；请核对编码，或在“名称”中写明科目名称"))
            known = "（未知科目）"
        self.names[code] = known
        return known

    # ---- ledger tables by 功能分类 --------------------------------------------------
    def ledger(self, values_of) -> list:
        """合计, then every 类/款/项 with money, rolled up from the 项 entered."""
        leaves = {}
        for subject in self.fa.subjects:
            values = values_of(subject)
            if values is None or not any(values):
                continue
            code = subject.code
            if subjects.level(code) != 3:
                self.problems.append(problem("SUBJECT_LEVEL", self.file, subject.line, f"科目 {code} 不是 7 位的“项”；数据只在项一级录入，类和款由 gongkai 汇总"))
                continue
            self.name(code, subject.name, subject.line)
            leaves[code] = [a + b for a, b in zip(leaves[code], values)] if code in leaves else list(values)
        if not leaves:
            return []
        totals: dict = {}
        for code, values in leaves.items():
            for parent in subjects.parents(code) + [code]:
                totals[parent] = [a + b for a, b in zip(totals[parent], values)] if parent in totals else list(values)
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
        t2 = self.ledger(self.income_values)
        t3 = self.ledger(self.spending_values)
        t5 = self.ledger(lambda s: self.fund_values(s, "一般公共预算"))
        t8 = self.ledger(self.fund8_values)
        t9 = self.ledger(lambda s: self.fund_values(s, "国有资本经营"))
        tables = {
            1: self.table1(),
            2: Table(2, "收入决算表", [Side(None, COLUMNS[2], t2 or [Line("合计", [ZERO] * 7, "", 0)])]),
            3: Table(3, "支出决算表", [Side(None, COLUMNS[3], t3 or [Line("合计", [ZERO] * 6, "", 0)])]),
            4: self.table4(),
            5: Table(5, "一般公共预算财政拨款支出决算表", [Side(None, COLUMNS[5], t5 or [Line("合计", [ZERO] * 3, "", 0)])]),
            6: self.table6(),
            7: self.table7(),
            8: Table(8, "政府性基金预算财政拨款收入支出决算表", [Side(None, COLUMNS[8], t8 or [Line("合计", [ZERO] * 6, "", 0)])]),
            9: Table(9, "国有资本经营预算财政拨款支出决算表", [Side(None, COLUMNS[9], t9 or [Line("合计", [ZERO] * 3, "", 0)])]),
        }
        for number, table in tables.items():
            table.title = dict(STANDARD)[number]
            table.note = NOTES[number]
            if number in EMPTY_NOTES and table.empty:
                table.empty_note = EMPTY_NOTES[number]
        derived = Derived(tables, self.names, self.problems)
        derived.totals = self.totals()
        return derived

    def category_totals(self, values_of) -> dict:
        out: dict = {}
        for s in self.fa.subjects:
            values = values_of(s)
            if values is None or subjects.level(s.code) != 3:
                continue
            category = s.code[:3]
            out[category] = [a + b for a, b in zip(out[category], values)] if category in out else list(values)
        return out

    def table1(self) -> Table:
        fa = self.fa
        income = [Line(f"{_ordinal(i)}、{name}收入" if not name.endswith("收入") else f"{_ordinal(i)}、{name}", [self.income_sum(name)], number=i) for i, name in enumerate(INCOME_SOURCES, 1)]
        income += [Line("", [None], number=n) for n in range(len(income) + 1, 27)]
        income_total = _sum(self.income_sum(k) for k in INCOME_SOURCES)
        income += [
            Line("本年收入合计", [income_total], number=27),
            Line("使用非财政拨款结余", [fa.carry.non_fiscal_surplus_used], number=28),
            Line("年初结转和结余", [fa.carry.opening], number=29),
            Line("总计", [income_total + fa.carry.non_fiscal_surplus_used + fa.carry.opening], number=30),
        ]
        by_category = self.category_totals(lambda s: [self.spending_values(s)[0]])
        spending = [
            Line(f"{_ordinal(i)}、{self.functional.get(code, code)}", by_category.get(code, [ZERO]), code, 1, 30 + i)
            for i, code in enumerate(subjects.SUMMARY_CATEGORIES, 1)
        ]
        spending_total = _sum(v[0] for v in by_category.values())
        spending += [
            Line("本年支出合计", [spending_total], number=57),
            Line("结余分配", [fa.carry.distributed], number=58),
            Line("年末结转和结余", [fa.carry.closing], number=59),
            Line("总计", [spending_total + fa.carry.distributed + fa.carry.closing], number=60),
        ]
        return Table(1, "", [Side("收入", ("决算数",), income, coded=False), Side("支出", ("决算数",), spending, coded=False)])

    def income_sum(self, source: str) -> Decimal:
        return _sum(s.income.get(source) for s in self.fa.subjects)

    def table4(self) -> Table:
        fa = self.fa
        fiscal = [self.income_sum(k) for k in FISCAL_SOURCES]
        income = [Line(f"{_ordinal(i)}、{name}", [value], number=i) for i, (name, value) in enumerate(zip(FISCAL_SOURCES, fiscal), 1)]
        income += [Line("", [None], number=n) for n in range(4, 27)]
        opening = [fa.carry.fiscal_opening.get(f, ZERO) for f in FUNDS]
        income += [
            Line("本年收入合计", [_sum(fiscal)], number=27),
            Line("年初财政拨款结转和结余", [_sum(opening)], number=28),
            *[Line(name, [value], number=28 + i) for i, (name, value) in enumerate(zip(FISCAL_SOURCES, opening), 1)],
            Line("总计", [_sum(fiscal) + _sum(opening)], number=32),
        ]

        def by_fund(s):
            funds = [self.fund_values(s, f)[0] for f in FUNDS]
            return [_sum(funds), *funds]

        by_category = self.category_totals(by_fund)
        spending = [
            Line(f"{_ordinal(i)}、{self.functional.get(code, code)}", by_category.get(code, [ZERO] * 4), code, 1, 32 + i)
            for i, code in enumerate(subjects.SUMMARY_CATEGORIES, 1)
        ]
        total = [_sum(v[i] for v in by_category.values()) for i in range(4)]
        closing = [fa.carry.fiscal_closing.get(f, ZERO) for f in FUNDS]
        closing = [_sum(closing), *closing]
        spending += [
            Line("本年支出合计", total, number=59),
            Line("年末财政拨款结转和结余", closing, number=60),
            *[Line("", [None] * 4, number=n) for n in (61, 62, 63)],
            Line("总计", [a + b for a, b in zip(total, closing)], number=64),
        ]
        return Table(4, "", [Side("收入", ("金额",), income, coded=False), Side("支出", COLUMNS[4], spending, coded=False)])

    def table6(self) -> Table:
        detail = dict(self.fa.basic_detail)
        economic = subjects.economic()
        for code in detail:
            line = self.fa.lines.get(("基本支出明细", code))
            if code not in economic or len(code) != 5:
                self.problems.append(problem("SUBJECT_UNKNOWN", self.file, line, f"经济分类科目编码 {code} 不在内置科目表中（基本支出明细按 5 位的“款”录入）"))
            elif code[:3] not in subjects.PERSONNEL + subjects.PUBLIC:
                self.problems.append(problem("SUBJECT_LEVEL", self.file, line, f"经济分类科目 {code} {economic[code]} 不属于人员经费（301、303）或公用经费（302、307、310、399）"))

        def side(categories):
            lines, total = [], ZERO
            for category in categories:
                children = subjects.economic_children(category, detail)
                value = _sum(detail.get(c) for c in children)
                total += value
                lines.append(Line(economic.get(category, category), [value], category, 1))
                lines += [Line(economic.get(c, "（未知科目）"), [detail.get(c, ZERO)], c, 2) for c in children]
            return lines, total

        personnel, personnel_total = side(subjects.PERSONNEL)
        public, public_total = side(subjects.PUBLIC)
        rows = max(len(personnel), len(public))  # both totals on the last row, as printed
        personnel += [Line("", [None]) for _ in range(rows - len(personnel))]
        public += [Line("", [None]) for _ in range(rows - len(public))]
        personnel.append(Line("人员经费合计", [personnel_total], "", 0))
        public.append(Line("公用经费合计", [public_total], "", 0))
        return Table(6, "", [Side("人员经费", ("金额",), personnel), Side("公用经费", ("金额",), public)])

    def three_public_rows(self) -> dict:
        """预算数 and 决算数 of 三公, each in the order of THREE_PUBLIC_COLUMNS."""
        tp = self.fa.three_public
        rows = {}
        for label, values in (("预算数", tp.budget if tp else {}), ("决算数", tp.actual if tp else {})):
            abroad, buy, run, host = (values.get(k, ZERO) for k in THREE_PUBLIC)
            rows[label] = [abroad + buy + run + host, abroad, buy + run, buy, run, host]
        return rows

    def table7(self) -> Table:
        lines = [Line(label, values) for label, values in self.three_public_rows().items()]
        return Table(7, "", [Side(None, THREE_PUBLIC_COLUMNS, lines, coded=False)])

    def totals(self) -> dict:
        """Named figures of this year, for the 情况说明."""
        fa = self.fa
        out = {k + ("" if k.endswith("收入") else "收入"): self.income_sum(k) for k in INCOME_SOURCES}
        out["本年收入合计"] = _sum(self.income_sum(k) for k in INCOME_SOURCES)
        out["收入总计"] = out["本年收入合计"] + fa.carry.non_fiscal_surplus_used + fa.carry.opening
        for kind in SPENDING_KINDS:
            out[kind] = _sum(s.spending.get(kind) for s in fa.subjects)
        out["本年支出合计"] = _sum(out[k] for k in SPENDING_KINDS)
        out["支出总计"] = out["本年支出合计"] + fa.carry.distributed + fa.carry.closing
        out["财政拨款收入合计"] = _sum(self.income_sum(k) for k in FISCAL_SOURCES)
        for fund, source in zip(FUNDS, FISCAL_SOURCES):
            rows = [self.fund_values(s, fund) for s in fa.subjects]
            for i, part in enumerate(("支出", "基本支出", "项目支出")):
                out[f"{source}{part}"] = _sum(row[i] for row in rows)
        out["财政拨款支出合计"] = _sum(out[f"{source}支出"] for source in FISCAL_SOURCES)
        detail = fa.basic_detail
        out["人员经费"] = _sum(v for c, v in detail.items() if c[:3] in subjects.PERSONNEL)
        out["公用经费"] = _sum(v for c, v in detail.items() if c[:3] in subjects.PUBLIC)
        out["机关运行经费"] = out["公用经费"]
        names = ("三公经费",) + THREE_PUBLIC_COLUMNS[1:]
        for label, values in self.three_public_rows().items():
            suffix = "" if label == "决算数" else "预算"
            out.update({f"{name}{suffix}": value for name, value in zip(names, values)})
        return out


_ORDINALS = "一二三四五六七八九十"


def _ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 26 → 二十六."""
    if n <= 10:
        return _ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _ORDINALS[tens - 1]) + "十" + (_ORDINALS[ones - 1] if ones else "")


def derive(fa: FinalAccounts, file: str) -> Derived:
    return _Deriver(fa, file).derive()
