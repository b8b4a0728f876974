"""情况说明 figures: this year's amount against last year's 决算 or this year's 年初预算,
worded the way 决算 disclosures word them, from unrounded data.

    {{ 说明.一般公共预算财政拨款收入 }}
    → 2,961.99 万元，比上年决算数增加 219.86 万元，增长 8.0%
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gongkai.engine.decimals import ZERO, divide, percent, round_half_up

BASES = {"上年决算": "上年决算数", "年初预算": "年初预算数", "预算": "预算"}


def amount_text(value: Decimal, unit: str = "万元") -> str:
    """2961.99 → "2,961.99 万元"; 49.30 → "49.3 万元"; 0 → "0 万元" (as 情况说明 print them)."""
    rounded = round_half_up(value, 2)
    text = f"{rounded:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}"


def rate_text(fraction: Decimal, places: int = 1) -> str:
    """增减率 and 完成率 as 情况说明 print them: one decimal by default (8.0%)."""
    return percent(fraction, places)


@dataclass(frozen=True)
class Change:
    """A figure with what it is compared with."""

    name: str
    value: Decimal
    base: Decimal | None  # None: nothing to compare with
    against: str = "上年决算"  # 上年决算, 年初预算 or 预算
    unit: str = "万元"
    places: int = 1

    @property
    def 本年(self) -> Decimal:
        return self.value

    @property
    def 基数(self) -> Decimal | None:
        return self.base

    @property
    def 增减额(self) -> Decimal | None:
        return None if self.base is None else self.value - self.base

    @property
    def 增减率(self) -> Decimal | None:
        """The change as a fraction of the base; None when the base is 0 (不可比)."""
        if self.base is None or self.base == ZERO:
            return None
        return divide(self.value - self.base, self.base)

    @property
    def 完成率(self) -> Decimal | None:
        if self.base is None or self.base == ZERO:
            return None
        return divide(self.value, self.base)

    @property
    def 金额(self) -> str:
        return amount_text(self.value, self.unit)

    @property
    def 比较(self) -> str:
        """"比上年决算数增加 219.86 万元，增长 8.0%" and its 减少/持平/不可比 forms."""
        if self.base is None:
            return ""
        word = BASES[self.against]
        diff = self.value - self.base
        if diff == ZERO:
            return f"与{word}持平"
        if self.base == ZERO:
            return f"比{word}增加 {amount_text(diff, self.unit)}，增长--（基数为0，不可比）"
        change = self.增减率
        assert change is not None  # the base is neither None nor 0 here
        rate = rate_text(abs(change), self.places)
        if diff > ZERO:
            return f"比{word}增加 {amount_text(diff, self.unit)}，增长 {rate}"
        return f"比{word}减少 {amount_text(-diff, self.unit)}，下降 {rate}"

    @property
    def 完成(self) -> str:
        """"完成预算 12.93 万元的 30.5%"."""
        if self.base is None:
            return ""
        if self.base == ZERO:
            return f"完成{BASES[self.against]} {amount_text(self.base, self.unit)}的 0%"
        done = self.完成率
        assert done is not None  # the base is neither None nor 0 here
        return f"完成{BASES[self.against]} {amount_text(self.base, self.unit)}的 {rate_text(done, self.places)}"

    def __str__(self) -> str:
        tail = self.完成 if self.against == "预算" else self.比较
        return f"{self.金额}，{tail}" if tail else self.金额


def share(part: Decimal, whole: Decimal, places: int = 1) -> str:
    """占比 with its denominator stated by the caller: 3.47 of 3.94 → "88.1%"."""
    if whole == ZERO:
        return rate_text(ZERO, places)
    return rate_text(divide(part, whole), places)


# The figures a 情况说明 quotes: name → (this year's figure in Derived.totals, compared with).
COMPARED = {
    "一般公共预算财政拨款收入": "上年决算",
    "政府性基金预算财政拨款收入": "上年决算",
    "国有资本经营预算财政拨款收入": "上年决算",
    "上级补助收入": "上年决算",
    "事业收入": "上年决算",
    "经营收入": "上年决算",
    "附属单位上缴收入": "上年决算",
    "其他收入": "上年决算",
    "本年收入合计": "上年决算",
    "基本支出": "上年决算",
    "项目支出": "上年决算",
    "上缴上级支出": "上年决算",
    "经营支出": "上年决算",
    "对附属单位补助支出": "上年决算",
    "本年支出合计": "上年决算",
    "财政拨款收入合计": "上年决算",
    "财政拨款支出合计": "年初预算",
    "一般公共预算财政拨款支出": "年初预算",
    "政府性基金预算财政拨款支出": "年初预算",
    "国有资本经营预算财政拨款支出": "年初预算",
    "机关运行经费": "上年决算",
}
THREE_PUBLIC_ITEMS = (
    "三公经费",
    "因公出国（境）费",
    "公务用车购置及运行费",
    "公务用车购置费",
    "公务用车运行费",
    "公务接待费",
)


class Explanation(dict):
    """``说明``: every figure by name (a :class:`Change`), plus the 三公 shares."""

    def __missing__(self, key):
        raise KeyError(f"情况说明中没有“{key}”这一项；可用的有：{'、'.join(self)}")


def explanation(totals: dict, previous: dict, initial: dict, unit: str = "万元") -> Explanation:
    out = Explanation()
    names = [name for name in list(COMPARED) + list(THREE_PUBLIC_ITEMS) if name in totals]
    for against, bases in (("上年决算", previous), ("年初预算", initial)):
        out[f"比{against}"] = {name: Change(name, totals[name], bases.get(name), against, unit) for name in names}
    for name, against in COMPARED.items():  # each figure against what 情况说明 usually compares it with
        if name in totals:
            out[name] = out[f"比{against}"][name]
    # only the figures there are: a figure neither printed nor derived is absent (not 0)
    for item in THREE_PUBLIC_ITEMS:
        if item in totals:
            out[item] = Change(item, totals[item], totals.get(f"{item}预算"), "预算", unit)
    whole = totals.get("三公经费")
    if whole is not None:
        out["三公经费构成"] = {item: share(totals[item], whole) for item in THREE_PUBLIC_ITEMS[1:] if item in totals}
    if "部门预算" in initial and "财政拨款支出合计" in totals:
        out["预算执行率"] = Change("预算执行率", totals["财政拨款支出合计"], initial["部门预算"], "预算", unit)
    if "收入总计" in totals:
        out["总收入"] = Change("总收入", totals["收入总计"], None, unit=unit)
    if "支出总计" in totals:
        out["总支出"] = Change("总支出", totals["支出总计"], None, unit=unit)
    return out
