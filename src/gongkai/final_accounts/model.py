"""The 部门决算 record: every figure entered once at the finest level (功能分类 项, 经济分类 款),
or the nine tables transcribed as printed (原表), or both (then the printed figures are
checked against the ones derived from the data)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, PrivateAttr

from gongkai.engine.basis import BASIS_DESCRIPTION
from gongkai.performance.records import Acknowledgement, Num, Record, Text

KIND = "部门决算"

INCOME_SOURCES = (
    "一般公共预算财政拨款",
    "政府性基金预算财政拨款",
    "国有资本经营预算财政拨款",
    "上级补助收入",
    "事业收入",
    "经营收入",
    "附属单位上缴收入",
    "其他收入",
)
FISCAL_SOURCES = INCOME_SOURCES[:3]
SPENDING_KINDS = ("基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出")
FUNDS = ("一般公共预算", "政府性基金", "国有资本经营")
THREE_PUBLIC = ("因公出国（境）费", "公务用车购置费", "公务用车运行费", "公务接待费")

IncomeKey = Literal[INCOME_SOURCES]  # type: ignore[valid-type]
SpendingKey = Literal[SPENDING_KINDS]  # type: ignore[valid-type]
FundKey = Literal[FUNDS]  # type: ignore[valid-type]
BasicProject = Literal["基本支出", "项目支出"]
ThreePublicKey = Literal[THREE_PUBLIC]  # type: ignore[valid-type]


class Subject(Record):
    """One 功能分类 项 (7-digit code) with its income by source and spending by kind."""

    code: Text = Field(alias="编码", description="7 位功能分类科目编码（项），如 2012801")
    name: Text | None = Field(None, alias="名称", description="不写则用内置科目表的名称")
    income: dict[IncomeKey, Num] = Field(default_factory=dict, alias="收入", description="本年收入，按来源")
    spending: dict[SpendingKey, Num] = Field(default_factory=dict, alias="支出", description="本年支出，按性质")
    fiscal: dict[FundKey, dict[BasicProject, Num]] = Field(
        default_factory=dict, alias="财政拨款支出", description="其中由财政拨款安排的支出，按资金和基本/项目"
    )
    fund_carry: dict[Literal["年初结转和结余", "年末结转和结余"], Num] = Field(
        default_factory=dict, alias="政府性基金结转结余"
    )


class ThreePublic(Record):
    budget: dict[ThreePublicKey, Num] = Field(default_factory=dict, alias="预算")
    actual: dict[ThreePublicKey, Num] = Field(default_factory=dict, alias="决算")


class Carry(Record):
    opening: Num = Field(Decimal(0), alias="年初结转和结余")
    non_fiscal_surplus_used: Num = Field(Decimal(0), alias="使用非财政拨款结余")
    distributed: Num = Field(Decimal(0), alias="结余分配")
    closing: Num = Field(Decimal(0), alias="年末结转和结余")
    fiscal_opening: dict[FundKey, Num] = Field(default_factory=dict, alias="年初财政拨款结转和结余")
    fiscal_closing: dict[FundKey, Num] = Field(default_factory=dict, alias="年末财政拨款结转和结余")


class Overview(Record):
    duties: Text | None = Field(None, alias="主要职责")
    structure: Text | None = Field(None, alias="机构设置")
    units: Text | None = Field(None, alias="单位构成")


class Term(Record):
    word: Text = Field(alias="词")
    meaning: Text = Field(alias="解释")


class PrintedRow(Record):
    """A row of a ledger table as printed: code, name and its figures left to right."""

    code: Text | None = Field(None, alias="编码")
    name: Text = Field(alias="名称")
    values: list[Num | None] = Field(alias="数", description="照印出的顺序；空白格写 null")


class PrintedAmount(Record):
    """A row of 表6 as printed: code, name, amount."""

    code: Text | None = Field(None, alias="编码")
    name: Text = Field(alias="名称")
    amount: Num | None = Field(None, alias="金额")


class PrintedItem(Record):
    """A row of a two-sided table (表1, 表4) as printed."""

    item: Text = Field(alias="项目")
    number: int | None = Field(None, alias="行次")
    amount: Num | None = Field(None, alias="决算数")
    money: Num | None = Field(None, alias="金额")
    values: list[Num | None] | None = Field(None, alias="数")


class PrintedLedger(Record):
    columns: list[Text] = Field(alias="列")
    rows: list[PrintedRow] = Field(default_factory=list, alias="行")
    note: Text | None = Field(None, alias="说明", description="空表的说明")


class PrintedTotals(Record):
    """表1 (and 表4): income on the left, spending on the right; either half may be left out
    when the document does not print it (a transcription of what was printed)."""

    income: list[PrintedItem] = Field(default_factory=list, alias="收入")
    spending: list[PrintedItem] = Field(default_factory=list, alias="支出")
    spending_columns: list[Text] | None = Field(None, alias="支出列")


class PrintedEconomic(Record):
    """表6: 人员经费 on the left, 公用经费 on the right."""

    personnel: list[PrintedAmount] = Field(default_factory=list, alias="人员经费")
    public: list[PrintedAmount] = Field(default_factory=list, alias="公用经费")
    personnel_total: Num | None = Field(None, alias="人员经费合计")
    public_total: Num | None = Field(None, alias="公用经费合计")


class PrintedThreePublic(Record):
    """表7 as printed: 预算数 and 决算数 by column; a column not printed is left out (absent, not 0)."""

    budget: dict[Text, Num] = Field(default_factory=dict, alias="预算数")
    actual: dict[Text, Num] = Field(default_factory=dict, alias="决算数")


class Printed(Record):
    t1: PrintedTotals | None = Field(None, alias="表1")
    t2: PrintedLedger | None = Field(None, alias="表2")
    t3: PrintedLedger | None = Field(None, alias="表3")
    t4: PrintedTotals | None = Field(None, alias="表4")
    t5: PrintedLedger | None = Field(None, alias="表5")
    t6: PrintedEconomic | None = Field(None, alias="表6")
    t7: PrintedThreePublic | None = Field(None, alias="表7")
    t8: PrintedLedger | None = Field(None, alias="表8")
    t9: PrintedLedger | None = Field(None, alias="表9")


class FinalAccounts(Record):
    kind: Literal["部门决算"] = Field(alias="类型")
    year: int = Field(alias="年度", ge=1949, le=2200)
    department: Text = Field(alias="部门")
    name: Text | None = Field(None, alias="名称", description="默认为“××年度部门决算”")
    unit: Literal["万元", "元"] = Field("万元", alias="单位")
    basis: Literal["编制", "原文", "计算"] | None = Field(None, alias="口径", description=BASIS_DESCRIPTION)
    order: Literal["标准", "湖北"] = Field(
        "标准", alias="表序", description="九张表的顺序：标准，或湖北省的顺序（“三公”经费表在最后）"
    )
    overview: Overview | None = Field(None, alias="概况")
    statement: Text | None = Field(
        None, alias="情况说明", description="照印发文本录入的部门决算情况说明（第三部分）全文；其中的数字与数据核对"
    )
    subjects: list[Subject] = Field(default_factory=list, alias="科目")
    basic_detail: dict[Text, Num] = Field(
        default_factory=dict, alias="基本支出明细", description="一般公共预算财政拨款基本支出，按经济分类款（5 位）"
    )
    three_public: ThreePublic | None = Field(None, alias="三公经费")
    carry: Carry = Field(default_factory=Carry, alias="结转结余")
    previous: dict[Text, Num] = Field(default_factory=dict, alias="上年决算")
    initial_budget: dict[Text, Num] = Field(default_factory=dict, alias="年初预算")
    procurement: dict[Text, Num] = Field(default_factory=dict, alias="政府采购")
    assets: dict[Text, Num] = Field(default_factory=dict, alias="国有资产")
    glossary: list[Term] = Field(default_factory=list, alias="名词解释")
    printed: Printed | None = Field(None, alias="原表", description="照印发版本录入的九张表")
    corrections: list[Text] = Field(default_factory=list, alias="更正")
    acknowledged: list[Acknowledgement] = Field(default_factory=list, alias="确认")
    remark: Text | None = Field(None, alias="备注")

    _lines: dict = PrivateAttr(default_factory=dict)

    @property
    def lines(self) -> dict:
        """Line of every path in the file (for figures in mappings, which carry no line)."""
        return self._lines

    @property
    def title(self) -> str:
        return self.name or f"{self.year} 年度部门决算"

