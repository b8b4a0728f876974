"""The funds table of a report as the document prints it: the total row (年度资金总额) and its
其中 rows to any depth, each amount as filed, each printed 执行率 with gongkai's rate beside it
in a note, and — when the total row contradicts its 其中 rows — the row gongkai computed from."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from gongkai.engine.basis import Figure
from gongkai.engine.decimals import divide
from gongkai.performance.records import AnyFundsRow, Funds
from gongkai.performance.scoring import AMOUNTS, FundsResult

LABELS = dict(AMOUNTS)


@dataclass
class FundsLine:
    name: str
    depth: int  # 0: the total row; 1: its 其中 rows; …
    path: tuple  # structured path, as problems carry it: ("资金",), ("资金", "其中", "财政拨款") …
    amounts: dict  # attr -> Decimal | None, as filed
    rate: Figure | None = None  # 执行率: as printed, and as computed from this row
    computed: bool = False  # a row gongkai computed (the 其中 sums used for the 执行率)
    lead: str = ""  # "其中：" before the first of a row's 其中 rows


@dataclass
class FundsTable:
    unit: str
    lines: list
    columns: list  # the amount columns to show: (attr, label)
    weight: Decimal | None
    score: Figure | None
    total_budget: Decimal | None
    details: list = field(default_factory=list)
    note: str = ""

    @property
    def scored(self) -> bool:
        return self.weight is not None or (self.score is not None and self.score.filed is not None)


def _rate(row: AnyFundsRow) -> Decimal | None:
    return divide(row.spent, row.budget) if row.spent is not None and row.budget else None


def _lines(row: AnyFundsRow, name: str, depth: int, path: tuple) -> list:
    rate = Figure(row.rate, _rate(row)) if depth else None
    lines = [FundsLine(name, depth, path, {attr: getattr(row, attr) for attr, _ in AMOUNTS}, rate)]
    for i, (part, child) in enumerate((row.parts or {}).items()):
        children = _lines(child, part, depth + 1, (*path, "其中", part))
        if i == 0:
            children[0].lead = "其中："
        lines += children
    return lines


def funds_table(funds: Funds, result: FundsResult | None, unit: str) -> FundsTable:
    lines = _lines(funds, "年度资金总额", 0, ("资金",))
    lines[0].rate = result.rate_figure(funds) if result else Figure(funds.rate, None)
    if result is not None and result.from_parts:
        source = result.source
        lines.insert(1, FundsLine("按其中各行合计（计算执行率所用）", 1, ("资金", "其中合计"),
                                  {attr: getattr(source, attr) for attr, _ in AMOUNTS}, None, computed=True))
    used = [(attr, label) for attr, label in AMOUNTS
            if attr in ("initial", "budget", "spent") or any(line.amounts.get(attr) is not None for line in lines)]
    score = result.score_figure(funds) if result else Figure(funds.score, None)
    return FundsTable(unit, lines, used, funds.weight, score, funds.total_budget, list(funds.details),
                      funds.note or "")
