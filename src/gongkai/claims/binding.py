"""Claims bound to a report's data: a figure the prose states, compared with the figure of the
same subject in the report (as its 口径 shows it), with the rounding the prose printed.

A claim is bound only when its subject names one figure of the report (``figures``: name →
value, as the kind's ``claim_figures`` gives them) and nothing in the sentence makes it another
figure (an earlier year, a budget stage the report does not hold). A claim that cannot be bound
says nothing: a quiet note is never a false alarm."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gongkai.claims.reader import Claim

# How prose names a figure → the name the report's figures use.
ALIASES = {
    "“三公”经费": "三公经费",
    "公务用车购置及运行维护费": "公务用车购置及运行费",
    "公务用车运行维护费": "公务用车运行费",
    "公务用车运行及维护费": "公务用车运行费",
    "公务用车运行及维护支出": "公务用车运行费",
    "财政拨款收入": "财政拨款收入合计",
    "财政拨款支出": "财政拨款支出合计",
    "总得分": "总分",
    "综合评分": "总分",
    "自评总分": "总分",
    "综合得分": "总分",
    "资金执行率": "预算执行率",
    "执行率": "预算执行率",
    "到位率": "资金到位率",
}
_STAGES = {None: "", "决算": "", "预算": "预算", "年初预算": "预算", "全年预算": "预算"}
_RATE_KINDS = {"execution_rate": "预算执行率", "arrival_rate": "资金到位率"}
_TEN_THOUSAND = Decimal(10000)


@dataclass(frozen=True)
class Bound:
    claim: Claim
    name: str  # the report's figure
    value: Decimal  # the figure in the claim's unit (a rate as a percentage)
    printed: Decimal  # the claim's number


def _name(claim: Claim, figures: Mapping) -> str | None:
    if claim.kind in _RATE_KINDS:
        # the report's own rate: “（项目）预算执行率为 Z%”; a named other subject's rate is not bound
        own = claim.subject in (None, "项目", "本项目", "资金", "项目资金", *ALIASES, _RATE_KINDS[claim.kind])
        return _RATE_KINDS[claim.kind] if own else None
    subject = ALIASES.get(claim.subject or "", claim.subject)
    if subject is None:
        return None
    if claim.kind == "score":
        return "总分" if subject == "总分" else None
    if claim.kind != "amount" or claim.stage not in _STAGES:
        return None
    stage = claim.stage if not (claim.stage == "预算" and "预算" in subject) else None  # 一般公共预算… names the fund
    name = subject + _STAGES[stage]
    return name if name in figures else None


def bind(claims: list, figures: Mapping, unit: str, year: int | None) -> list[Bound]:
    """The claims that name exactly one figure of the report, with that figure in their unit."""
    out = []
    for claim in claims:
        if claim.value is None or (claim.year is not None and year is not None and claim.year != str(year)):
            continue
        if claim.base is not None and claim.kind == "amount":
            continue  # “比上年增加 X 万元” states a change, not the figure
        name = _name(claim, figures)
        value = figures.get(name) if name is not None else None
        if value is None:
            continue
        if claim.kind in _RATE_KINDS:
            value = value * 100
        elif claim.kind == "amount":
            if claim.unit == "万元" and unit == "元":
                value = value / _TEN_THOUSAND
            elif claim.unit == "元" and unit == "万元":
                value = value * _TEN_THOUSAND
            elif claim.unit not in ("万元", "元", "万"):
                continue
        out.append(Bound(claim, name, value, claim.value))  # type: ignore[arg-type]
    return out


def disagreeing(bound: list[Bound], tail: Decimal = Decimal("0.01")) -> list[Bound]:
    """The bound claims whose printed number is not the figure rounded to the printed decimals
    (ROUND_HALF_UP); a money amount within ``tail`` is a rounding of the data, not a mistake."""
    out = []
    for b in bound:
        places = Decimal(1).scaleb(-b.claim.decimals)
        expected = b.value.quantize(places, rounding=ROUND_HALF_UP)
        if expected == b.printed:
            continue
        if b.claim.kind == "amount" and abs(b.value - b.printed) <= tail:
            continue
        out.append(b)
    return out
