"""The nine standard 部门决算 tables, declared once: their titles, notes, halves, columns,
fixed rows and 行次, the digits of their 科目 codes, and the identities that hold in them.

Everything that knows where a row or column of a table is reads it here: the derivation
(:mod:`.tables`), the identities (:mod:`.identities`), the tables as printed
(:mod:`.printed`), the Excel export and import (:mod:`.workbook`, including the import's
bounds) and the page template (``final_table.html`` gets the table's layout). No other module
writes a 行次 or a column position.

The layout is plain frozen data; nothing here computes a figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from gongkai.final_accounts.model import FISCAL_SOURCES, SPENDING_KINDS
from gongkai.final_accounts.subjects import PERSONNEL, PUBLIC

# ---- codes -------------------------------------------------------------------------------

FUNCTIONAL_DIGITS = MappingProxyType({1: 3, 2: 5, 3: 7})  # 功能分类: 类, 款, 项 by level
ECONOMIC_DIGITS = MappingProxyType({1: 3, 2: 5})  # 经济分类: 类, 款 by level

# ---- forms ---------------------------------------------------------------------------------

LEDGER = "ledger"  # 合计, then every 类/款/项 by 功能分类 code, figures in columns: 表2, 3, 5, 8, 9
SUMMARY = "summary"  # two halves (收入 | 支出) of named rows with their 行次: 表1, 表4
ECONOMIC = "economic"  # two halves (人员经费 | 公用经费) by 经济分类 code: 表6
THREE_PUBLIC = "three_public"  # 预算数 and 决算数 side by side, one row each: 表7

HEADER_ROWS = MappingProxyType({LEDGER: 3, SUMMARY: 3, ECONOMIC: 2, THREE_PUBLIC: 4})  # as printed (and exported)
TOP_ROWS = 3  # above the header of an exported sheet: 表号, 表名, 部门 and 单位
NOTE_ROWS = 2  # below its last row: 注, and the 说明 of an empty table


@dataclass(frozen=True)
class Row:
    """A fixed row of a summary half: its 行次 and name ("" for a row printed blank)."""

    number: int
    name: str = ""
    under: str = ""  # the row it is a part of (表4: each fund under 年初财政拨款结转和结余)


@dataclass(frozen=True)
class Head:
    """A column heading; ``under`` the headings of the columns printed beneath it, the first of
    which is the heading's own column (表7: 公务用车购置及运行费 over 小计, 购置费, 运行费)."""

    name: str
    under: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.name, *self.under[1:])


@dataclass(frozen=True)
class SideLayout:
    """One half of a table (or the whole of a one-sided table)."""

    title: str | None
    columns: tuple[str, ...]
    coded: bool = True  # prints 科目编码 and 科目名称 (else 项目 and 行次)
    items: tuple[int, int] | None = None  # 行次 (first, last) of the item rows of a summary half
    rows: tuple[Row, ...] = ()  # the fixed rows after the items
    categories: tuple[str, ...] = ()  # 表6: the 经济分类 类 of this half
    total: str = ""  # 表6: the name of this half's total row

    @property
    def width(self) -> int:
        """Cells of a printed row of this half: code (or name), name (or 行次), the figures."""
        return 2 + len(self.columns)

    def is_item(self, number: int | None) -> bool:
        """Whether a printed 行次 is one of the item rows (those the 本年合计 adds up)."""
        return number is not None and number != 0 and self.items is not None and number <= self.items[1]

    def numbers_under(self, name: str) -> tuple[int, ...]:
        """行次 of the rows that are parts of the row ``name``."""
        return tuple(row.number for row in self.rows if row.under == name)

    @property
    def last(self) -> int:
        """The last 行次 of this half."""
        numbers = [row.number for row in self.rows] + ([self.items[1]] if self.items else [])
        return max(numbers, default=0)


@dataclass(frozen=True)
class TableLayout:
    number: int  # the standard number (1 … 9)
    title: str
    form: str
    sides: tuple[SideLayout, ...]
    note: str
    empty_note: str | None = None  # printed when the table is empty
    page_note: str = ""  # printed after the note on the page
    wide: bool = False  # printed on a landscape page
    blocks: tuple[str, ...] = ()  # 表7: the rows printed side by side (预算数, 决算数)
    heads: tuple[Head, ...] = ()  # 表7: the column headings, with the columns under them
    aliases: tuple[tuple[str, str], ...] = ()  # (column, another name it is printed with)

    @property
    def columns(self) -> tuple[str, ...]:
        return self.sides[0].columns

    @property
    def header_rows(self) -> int:
        return HEADER_ROWS[self.form]

    @property
    def width(self) -> int:
        """Cells of the widest printed row."""
        if self.form == THREE_PUBLIC:
            return len(self.blocks) * len(self.columns)
        return sum(side.width for side in self.sides)

    @property
    def last_row(self) -> int:
        """The highest 行次 (0 for tables that number no rows)."""
        return max((side.last for side in self.sides), default=0)


def _summary_rows(first: int, *names: str) -> tuple[Row, ...]:
    return tuple(Row(first + i, name) for i, name in enumerate(names))


THREE_PUBLIC_HEADS = (
    Head("合计"),
    Head("因公出国（境）费"),
    Head("公务用车购置及运行费", ("小计", "公务用车购置费", "公务用车运行费")),
    Head("公务接待费"),
)
THREE_PUBLIC_COLUMNS = tuple(column for head in THREE_PUBLIC_HEADS for column in head.columns)

_T4_FUNDS = "年初财政拨款结转和结余"

TABLES = (
    TableLayout(
        1,
        "收入支出决算总表",
        SUMMARY,
        (
            SideLayout(
                "收入",
                ("决算数",),
                coded=False,
                items=(1, 26),
                rows=_summary_rows(27, "本年收入合计", "使用非财政拨款结余", "年初结转和结余", "总计"),
            ),
            SideLayout(
                "支出",
                ("决算数",),
                coded=False,
                items=(31, 56),
                rows=_summary_rows(57, "本年支出合计", "结余分配", "年末结转和结余", "总计"),
            ),
        ),
        "本表反映部门本年度的总收入和年末结转结余情况。",
        page_note="本套报表金额单位转换时可能存在尾数误差。",
    ),
    TableLayout(
        2,
        "收入决算表",
        LEDGER,
        (
            SideLayout(
                None,
                (
                    "本年收入合计",
                    "财政拨款收入",
                    "上级补助收入",
                    "事业收入",
                    "经营收入",
                    "附属单位上缴收入",
                    "其他收入",
                ),
            ),
        ),
        "本表反映部门本年度取得的各项收入情况。",
        wide=True,
    ),
    TableLayout(
        3,
        "支出决算表",
        LEDGER,
        (SideLayout(None, ("本年支出合计",) + SPENDING_KINDS),),
        "本表反映部门本年度各项支出情况。",
        wide=True,
    ),
    TableLayout(
        4,
        "财政拨款收入支出决算总表",
        SUMMARY,
        (
            SideLayout(
                "收入",
                ("金额",),
                coded=False,
                items=(1, 26),
                rows=(
                    Row(27, "本年收入合计"),
                    Row(28, _T4_FUNDS),
                    *(Row(29 + i, name, under=_T4_FUNDS) for i, name in enumerate(FISCAL_SOURCES)),
                    Row(32, "总计"),
                ),
            ),
            SideLayout(
                "支出",
                ("合计", *FISCAL_SOURCES),
                coded=False,
                items=(33, 58),
                rows=(
                    Row(59, "本年支出合计"),
                    Row(60, "年末财政拨款结转和结余"),
                    Row(61),
                    Row(62),
                    Row(63),
                    Row(64, "总计"),
                ),
            ),
        ),
        "本表反映部门本年度一般公共预算财政拨款、政府性基金预算财政拨款和国有资本经营预算财政拨款的总收支和年末结转结余情况。",
        wide=True,
    ),
    TableLayout(
        5,
        "一般公共预算财政拨款支出决算表",
        LEDGER,
        (SideLayout(None, ("本年支出合计", "基本支出", "项目支出")),),
        "本表反映部门本年度一般公共预算财政拨款实际支出情况。",
    ),
    TableLayout(
        6,
        "一般公共预算财政拨款基本支出决算明细表",
        ECONOMIC,
        (
            SideLayout("人员经费", ("金额",), categories=PERSONNEL, total="人员经费合计"),
            SideLayout("公用经费", ("金额",), categories=PUBLIC, total="公用经费合计"),
        ),
        "本表反映部门本年度一般公共预算财政拨款基本支出明细情况。",
        wide=True,
    ),
    TableLayout(
        7,
        "一般公共预算财政拨款“三公”经费支出决算表",
        THREE_PUBLIC,
        (SideLayout(None, THREE_PUBLIC_COLUMNS, coded=False),),
        "本表反映部门本年度“三公”经费支出预决算情况。其中，预算数为“三公”经费全年预算数，反映按规定程序调整后的预算数；"
        "决算数是包括当年一般公共预算财政拨款和以前年度结转资金安排的实际支出。",
        wide=True,
        blocks=("预算数", "决算数"),
        heads=THREE_PUBLIC_HEADS,
        aliases=(("公务用车购置及运行费", "公务用车购置及运行费小计"),),
    ),
    TableLayout(
        8,
        "政府性基金预算财政拨款收入支出决算表",
        LEDGER,
        (SideLayout(None, ("年初结转和结余", "本年收入", "本年支出小计", "基本支出", "项目支出", "年末结转和结余")),),
        "本表反映部门本年度政府性基金预算财政拨款收入、支出及结转结余情况。",
        empty_note="本部门本年度无政府性基金预算财政拨款收入、支出及结转结余。",
        wide=True,
    ),
    TableLayout(
        9,
        "国有资本经营预算财政拨款支出决算表",
        LEDGER,
        (SideLayout(None, ("本年支出小计", "基本支出", "项目支出")),),
        "本表反映部门本年度国有资本经营预算财政拨款支出情况。",
        empty_note="本部门本年度无国有资本经营预算财政拨款支出。",
    ),
)
LAYOUTS = MappingProxyType({t.number: t for t in TABLES})
ORDERS = MappingProxyType({"标准": (1, 2, 3, 4, 5, 6, 7, 8, 9), "湖北": (1, 2, 3, 4, 5, 6, 8, 9, 7)})  # 表序
TITLES = MappingProxyType({t.number: t.title for t in TABLES})


def layout(number: int) -> TableLayout:
    return LAYOUTS[number]


def of_form(form: str) -> tuple[TableLayout, ...]:
    return tuple(t for t in TABLES if t.form == form)


# ---- identities ------------------------------------------------------------------------------
# Checked by :mod:`.identities` in the order written here. A figure that is absent (not
# transcribed, or a row the table does not have) is never taken as 0: an identity that needs
# it is not checked. ``why`` names the other side of the identity in the message; "{表N}" in
# it is table N as numbered in the report's 表序.


@dataclass(frozen=True)
class ColumnSum:
    """In a row: column ``total`` = Σ ``parts`` − Σ ``minus``."""

    total: int
    parts: tuple[int, ...]
    why: str
    minus: tuple[int, ...] = ()
    label: str | None = None  # the column as messages name it (default: its heading)

    @property
    def reach(self) -> int:
        """How many figures a row needs for this sum."""
        return 1 + max(self.total, *self.parts, *self.minus)


@dataclass(frozen=True)
class RowRule:
    """Column sums that hold in every row of one half of a table."""

    table: int
    sums: tuple[ColumnSum, ...]
    side: int = 0
    width: int | None = None  # only rows of exactly this many figures


# Every row: its 合计 column equals the sum of its parts (the ``row_sums`` check).
ROW_SUMS = (
    RowRule(2, (ColumnSum(0, (1, 2, 3, 4, 5, 6), "各列之和"),)),
    RowRule(3, (ColumnSum(0, (1, 2, 3, 4, 5), "各列之和"),)),
    RowRule(5, (ColumnSum(0, (1, 2), "各列之和"),)),
    RowRule(8, (ColumnSum(2, (3, 4), "各列之和"),)),
    RowRule(9, (ColumnSum(0, (1, 2), "各列之和"),)),
    RowRule(8, (ColumnSum(5, (0, 1), "年初结转和结余 + 本年收入 − 本年支出", minus=(2,), label="年末结转和结余"),)),
    RowRule(4, (ColumnSum(0, (1, 2, 3), "各项资金之和"),), side=1, width=4),
)
# 表7 (the ``three_public`` check): 公务用车 = 购置 + 运行; 合计 = 出国 + 公务用车 + 接待.
THREE_PUBLIC_SUMS = (
    RowRule(7, (ColumnSum(2, (3, 4), "购置费与运行费之和"), ColumnSum(0, (1, 2, 5), "三项之和"))),
)

ITEMS = "各项"  # the parts of a total: the item rows of its half
UNDER = "其中"  # the parts of a total: the rows declared under it (Row.under)


@dataclass(frozen=True)
class RowTotal:
    """A row of a summary half that adds up other rows of that half."""

    row: str
    parts: str | tuple[str, ...]  # ITEMS, UNDER, or the names of the rows added
    why: str


@dataclass(frozen=True)
class Totals:
    """Totals of one half of 表1 or 表4, in column 0 or, with ``every_column``, column by column."""

    table: int
    side: int
    totals: tuple[RowTotal, ...]
    every_column: bool = False


@dataclass(frozen=True)
class SidesAgree:
    """A row of the right half (支出) equals the same row of the left half (收入), in column 0."""

    table: int
    row: str
    why: str


# 表1 and 表4: 合计 and 总计 rows, and 收入总计 = 支出总计 (the ``totals`` check).
SUMMARY_TOTALS = (
    Totals(1, 0, (RowTotal("本年收入合计", ITEMS, "各项收入之和"),)),
    Totals(
        1,
        0,
        (
            RowTotal(
                "总计",
                ("本年收入合计", "使用非财政拨款结余", "年初结转和结余"),
                "本年收入合计、使用非财政拨款结余与年初结转和结余之和",
            ),
        ),
    ),
    Totals(1, 1, (RowTotal("本年支出合计", ITEMS, "各类支出之和"),)),
    Totals(
        1,
        1,
        (
            RowTotal(
                "总计", ("本年支出合计", "结余分配", "年末结转和结余"), "本年支出合计、结余分配与年末结转和结余之和"
            ),
        ),
    ),
    SidesAgree(1, "总计", "收入总计"),
    Totals(4, 0, (RowTotal("本年收入合计", ITEMS, "各项财政拨款收入之和"),)),
    Totals(4, 0, (RowTotal(_T4_FUNDS, UNDER, "三项资金之和"),)),
    Totals(4, 0, (RowTotal("总计", ("本年收入合计", _T4_FUNDS), "本年收入合计与年初结转和结余之和"),)),
    Totals(
        4,
        1,
        (
            RowTotal("本年支出合计", ITEMS, "各类支出之和"),
            RowTotal("总计", ("本年支出合计", "年末财政拨款结转和结余"), "本年支出合计与年末结转和结余之和"),
        ),
        every_column=True,
    ),
    SidesAgree(4, "总计", "收入总计"),
)

TOTAL = ""  # the row of a Cell: the 合计 line of a ledger table (its level-0 line)


@dataclass(frozen=True)
class Cell:
    """A figure of a table: its row (by name, compared without ordinals and spaces, or TOTAL)
    and column, in one half."""

    table: int
    row: str = TOTAL
    column: int = 0
    side: int = 0


@dataclass(frozen=True)
class Agree:
    """A figure of one table equals a figure of another (or the sum of several). Checked when
    every table named is present and every ledger table among them has its 合计 line."""

    cell: Cell
    sources: tuple[Cell, ...]
    why: str
    label: str | None = None  # the column as messages name it (default: its heading)

    @property
    def tables(self) -> tuple[int, ...]:
        return (self.cell.table, *(s.table for s in self.sources))


@dataclass(frozen=True)
class CategoriesAgree:
    """Each 类 row of a summary half (named, not coded) equals that 类's 合计 column in a ledger table."""

    table: int
    side: int
    column: int
    ledger: int
    why: str

    @property
    def tables(self) -> tuple[int, ...]:
        return (self.table, self.ledger)


_OTHER_INCOME = LAYOUTS[2].columns[2:]  # 上级补助收入 … 其他收入: 表2 columns that 表1 prints as rows

# Across tables (the ``across`` check): 表1 ↔ 表2, 表3, 表4; 表2 ↔ 表4; 表4 ↔ 表5, 表8, 表9; 表5 ↔ 表6.
ACROSS: tuple[Agree | CategoriesAgree, ...] = (
    Agree(Cell(1, "本年收入合计"), (Cell(2, TOTAL, 0),), "{表2}合计的本年收入合计"),
    *(Agree(Cell(1, name), (Cell(2, TOTAL, i),), f"{{表2}}合计的{name}") for i, name in enumerate(_OTHER_INCOME, 2)),
    Agree(Cell(1, "本年支出合计", side=1), (Cell(3, TOTAL, 0),), "{表3}合计的本年支出合计"),
    CategoriesAgree(1, 1, 0, 3, "{表3}该类的本年支出合计"),
    *(Agree(Cell(1, name + "收入"), (Cell(4, name),), f"{{表4}}的{name}") for name in FISCAL_SOURCES),
    Agree(Cell(2, TOTAL, 1), (Cell(4, "本年收入合计"),), "{表4}的本年收入合计", label="财政拨款收入"),
    Agree(Cell(5, "合计"), (Cell(4, "本年支出合计", 1, side=1),), "{表4}本年支出合计的一般公共预算财政拨款"),
    CategoriesAgree(4, 1, 1, 5, "{表5}该类的本年支出合计"),
    Agree(
        Cell(5, TOTAL, 1),
        (Cell(6, "人员经费合计", 0, side=0), Cell(6, "公用经费合计", 0, side=1)),
        "{表6}人员经费与公用经费之和",
    ),
    Agree(Cell(8, "合计", 2), (Cell(4, "本年支出合计", 2, side=1),), "{表4}本年支出合计的政府性基金预算财政拨款"),
    Agree(Cell(9, "合计"), (Cell(4, "本年支出合计", 3, side=1),), "{表4}本年支出合计的国有资本经营预算财政拨款"),
)
