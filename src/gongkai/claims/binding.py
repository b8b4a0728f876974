"""Claims bound to a report's data: a figure the prose states, compared with the figure of the
same subject in the report (as its 口径 shows it), with the rounding the prose printed.

A claim is bound only when its subject names one figure of the report (``figures``: name →
value, as the kind's ``claim_figures`` gives them) and nothing in the sentence makes it another
figure (an earlier year, a budget stage the report does not hold). What is bound:

- an amount, a 总分, an indicator's 得分, a count of indicators, a 节余, the report's own
  预算执行率 and 资金到位率: the figure itself;
- a change and its rate “比上年增加 Y 万元，增长 Z%”: against ``上年决算/<name>``;
- a completion rate “完成（年初）预算的 Z%”: against ``年初预算/<name>`` or ``<name>预算``;
- a share “占 Z%”: of the whole it names (or the 其中 it stands in), when that is a figure.

A claim that cannot be bound says nothing (:func:`unbound` counts them, a quiet note, never a
false alarm)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gongkai.claims.arithmetic import rate_interval
from gongkai.claims.reader import RISING, Claim

# How prose names a figure → the name the report's figures use.
ALIASES = {
    "“三公”经费": "三公经费",
    "公务用车购置及运行维护费": "公务用车购置及运行费",
    "公务用车运行维护费": "公务用车运行费",
    "公务用车运行及维护费": "公务用车运行费",
    "公务用车运行及维护支出": "公务用车运行费",
    "公务接待经费": "公务接待费",
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
_OWN = (None, "项目", "本项目", "资金", "项目资金", "预算资金")
_TEN_THOUSAND = Decimal(10000)
_HUNDRED = Decimal(100)
# the whole a share names, as its matched text writes it → the figure
_WHOLES = (("本年支出合计", "本年支出合计"), ("本年收入合计", "本年收入合计"), ("支出总计", "支出总计"),
           ("收入总计", "收入总计"), ("三公", "三公经费"), ("财政拨款支出", "财政拨款支出合计"),
           ("财政拨款收入", "财政拨款收入合计"))
_COUNTS = {"一级指标": "一级指标个数", "二级指标": "二级指标个数", "三级指标": "三级指标个数",
           "绩效指标": "三级指标个数", "指标": "三级指标个数"}
PREVIOUS = "上年决算/"
INITIAL = "年初预算/"
INDICATOR = "指标得分/"


@dataclass(frozen=True)
class Bound:
    claim: Claim
    name: str  # the report's figure
    value: Decimal  # the figure in the claim's unit (a rate as a percentage)
    printed: Decimal  # the claim's number
    low: Decimal | None = None  # what the prose may print when it rounds its inputs (rates)
    high: Decimal | None = None
    direction: str | None = None  # a change: 增加 or 减少, as the data gives it

    @property
    def expected(self) -> Decimal:
        return self.value.quantize(Decimal(1).scaleb(-self.claim.decimals), rounding=ROUND_HALF_UP)


def _figure_name(subject: str | None, figures: Mapping) -> str | None:
    name = ALIASES.get(subject or "", subject)
    return name if name in figures else None


def _own_rate(claim: Claim) -> str | None:
    """The report's own rate: “（项目）预算执行率为 Z%”; a named other subject's rate is not bound."""
    own = claim.subject in (*_OWN, *ALIASES, _RATE_KINDS[claim.kind])
    return _RATE_KINDS[claim.kind] if own else None


def _amount_name(claim: Claim, figures: Mapping) -> str | None:
    subject = ALIASES.get(claim.subject or "", claim.subject)
    if subject is None or claim.stage not in _STAGES:
        return None
    stage = claim.stage if not (claim.stage == "预算" and "预算" in subject) else None  # 一般公共预算… names the fund
    name = subject + _STAGES[stage]
    return name if name in figures else None


def _score_name(claim: Claim, figures: Mapping) -> str | None:
    subject = ALIASES.get(claim.subject or "", claim.subject)
    if subject == "总分":
        return "总分"
    for name in (subject, (subject or "").removesuffix("指标"), f"{subject}指标"):
        if name and INDICATOR + name in figures:
            return INDICATOR + name
    return None


def _count_name(claim: Claim) -> str | None:
    """“一级指标 4 项”: the name right before the number and nothing named after the unit
    (“由 3 个二级指标和 6 个三级指标构成” counts a part of the table, and is not bound)."""
    if claim.unit not in ("项", "个") or claim.subject not in _COUNTS:
        return None
    before, after = claim.sentence[: claim.span[0]].rstrip(), claim.sentence[claim.span[1]:]
    if not before.endswith(claim.subject) or re.match(r"\s*[\u4e00-\u9fff]", after) or "其中" in before:
        return None
    return _COUNTS[claim.subject]


def _scale(value: Decimal, claim_unit: str | None, unit: str) -> Decimal | None:
    """A money figure in the claim's unit (None: a unit that is not money)."""
    if claim_unit == "万元" and unit == "元":
        return value / _TEN_THOUSAND
    if claim_unit == "元" and unit == "万元":
        return value * _TEN_THOUSAND
    return value if claim_unit in ("万元", "元", "万") else None


def _ratio(claim: Claim, name: str, part: Decimal, whole: Decimal, unit: str) -> Bound | None:
    """A rate claim against part ÷ whole × 100, allowing inputs rounded to the cent as prose prints them."""
    if whole <= 0:
        return None  # 基数为0: not comparable
    eps = Decimal("50") if unit == "元" else Decimal("0.005")
    low, high = rate_interval(part, whole, eps, eps)
    return Bound(claim, name, part / whole * _HUNDRED, claim.value, low, high)  # type: ignore[arg-type]


def _last_year(claim: Claim, year: int | None) -> bool:
    """The claim compares with last year: “比上年”, or “较2022年决算数” in a 2023 report."""
    return claim.base == "上年" or (year is not None and claim.base == f"{year - 1}年")


def _change(claim: Claim, figures: Mapping, unit: str, year: int | None) -> Bound | None:
    if not _last_year(claim, year):
        return None
    name = _figure_name(claim.subject, figures)
    now = figures.get(name) if name else None
    before = figures.get(PREVIOUS + name) if name else None
    if now is None or before is None:
        return None
    diff = now - before
    direction = "增加" if diff > 0 else "减少" if diff < 0 else None
    if claim.kind == "change_rate":
        bound = _ratio(claim, f"{name}比上年增减率", abs(diff), before, unit)
        return None if bound is None else Bound(claim, bound.name, bound.value, bound.printed, bound.low,
                                                bound.high, direction)
    scaled = _scale(abs(diff), claim.unit, unit)
    return None if scaled is None else Bound(claim, f"{name}比上年增减额", scaled, claim.value,  # type: ignore[arg-type]
                                              direction=direction)


def _completion(claim: Claim, figures: Mapping, unit: str, year: int | None) -> Bound | None:
    name = _figure_name(claim.subject, figures)
    if name is None or figures.get(name) is None:
        return None
    if claim.stage == "年初预算":
        # the 年初预算 the data names, else the budget column of the table (表7 prints one budget)
        base_name: str | None = INITIAL + name if INITIAL + name in figures else f"{name}预算"
    else:
        base_name = f"{name}预算" if claim.stage in ("预算", "全年预算") else None
    base = figures.get(base_name) if base_name else None
    if base is None:
        return None
    return _ratio(claim, f"{name}完成{'年初预算' if claim.stage == '年初预算' else '预算'}", figures[name], base, unit)


def _whole_of(claim: Claim, figures: Mapping) -> str | None:
    text = claim.text or ""
    for word, name in _WHOLES:
        if word in text:
            return name if name in figures else None
    if claim.whole:
        return _figure_name(claim.whole, figures)
    if claim.parent:
        return _figure_name(claim.parent, figures)
    return None


def _share(claim: Claim, figures: Mapping, unit: str, year: int | None) -> Bound | None:
    name = _figure_name(claim.subject, figures)
    whole = _whole_of(claim, figures)
    if name is None or whole is None or name == whole or figures.get(name) is None or figures.get(whole) is None:
        return None
    return _ratio(claim, f"{name}占{whole}", figures[name], figures[whole], unit)


def _compared(claim: Claim, figures: Mapping, year: int | None) -> str | None:
    """The figure compared with: “较上年1174万元” → 上年决算, “较预算数1237万元” → the budget."""
    name = _figure_name(claim.subject, figures)
    if name is None or claim.base is None:
        return None
    if _last_year(claim, year):
        return PREVIOUS + name
    if "预算" in claim.base:
        initial = INITIAL + name if claim.base == "年初预算" else None
        return initial if initial in figures else f"{name}预算"
    return None


def _figure(claim: Claim, figures: Mapping, unit: str, year: int | None) -> Bound | None:
    """The claim bound to a figure of the report itself (not a change, completion or share)."""
    if claim.kind in _RATE_KINDS:
        name = _own_rate(claim)
        value = figures.get(name) if name else None
        return None if value is None else Bound(claim, name, value * _HUNDRED, claim.value)  # type: ignore[arg-type]
    if claim.kind == "score":
        name = _score_name(claim, figures)
    elif claim.kind == "count":
        name = _count_name(claim)
    elif claim.kind == "balance":
        name = "节余" if claim.subject in _OWN and claim.stage in ("节余", "结余") else None
    elif claim.kind == "amount" and claim.base is None:
        name = _amount_name(claim, figures)
    elif claim.kind == "amount":
        name = _compared(claim, figures, year)
    else:
        return None
    value = figures.get(name) if name else None
    if value is None:
        return None
    if claim.kind in ("amount", "balance"):
        value = _scale(value, claim.unit, unit)
        if value is None:
            return None
    return Bound(claim, name, value, claim.value)  # type: ignore[arg-type]


_BINDERS = {"change": _change, "change_rate": _change, "completion_rate": _completion, "share": _share}


def bind(claims: list, figures: Mapping, unit: str, year: int | None) -> list[Bound]:
    """The claims that name exactly one figure of the report, with that figure in their unit."""
    out = []
    for claim in claims:
        if claim.value is None or (claim.year is not None and year is not None and claim.year != str(year)):
            continue
        binder = _BINDERS.get(claim.kind, _figure)
        bound = binder(claim, figures, unit, year)
        if bound is not None:
            out.append(bound)
    return out


def unbound(claims: list, bound: list[Bound]) -> list[Claim]:
    """The figures of the prose that name no figure of the report (a quiet note, never an alarm);
    the words 持平/不可比 and grades carry no number and are left out."""
    taken = {id(b.claim) for b in bound}
    return [c for c in claims if c.value is not None and id(c) not in taken]


def disagreeing(bound: list[Bound], tail: Decimal = Decimal("0.01")) -> list[Bound]:
    """The bound claims whose printed number is not the figure rounded to the printed decimals
    (ROUND_HALF_UP), nor a rate the data's amounts give when rounded to the cent; a money amount
    within ``tail`` is a rounding of the data, not a mistake; a change in the wrong direction is wrong."""
    out = []
    for b in bound:
        if b.direction is not None and _direction(b.claim) not in (None, b.direction):
            out.append(b)
            continue
        if b.expected == b.printed:
            continue
        if b.claim.kind in ("amount", "balance", "change") and abs(b.value - b.printed) <= tail:
            continue
        if b.low is not None and b.high is not None and _reachable(b):
            continue
        out.append(b)
    return out


def _reachable(b: Bound) -> bool:
    places = Decimal(1).scaleb(-b.claim.decimals)
    low = b.low.quantize(places, rounding=ROUND_HALF_UP)  # type: ignore[union-attr]
    high = b.high.quantize(places, rounding=ROUND_HALF_UP) if b.high != Decimal("Infinity") else b.printed  # type: ignore[union-attr]
    return low <= b.printed <= high


def _direction(claim: Claim) -> str | None:
    if claim.direction is None:
        return None
    return "增加" if claim.direction in RISING else "减少"


def direction_word(b: Bound) -> str:
    """“增加”/“减少” or the claim's own rate word for what the data gives."""
    rate = b.claim.kind == "change_rate"
    if b.direction == "增加":
        return "增长" if rate else "增加"
    return "下降" if rate else "减少"


def data_message(b: Bound) -> tuple[str, str, str]:
    """(what is wrong, the data's figure, the printed one) of a bound claim that disagrees."""
    claim = b.claim
    unit = "%" if claim.unit == "%" else (claim.unit or "")
    printed = f"{claim.printed}{unit}"
    if b.direction is not None:
        expected = f"{direction_word(b)}{b.expected}{unit}"
        return f"写{b.name}为{claim.direction}{printed}，数据中为{expected}（按所写的小数位四舍五入）", expected, \
            f"{claim.direction}{printed}"
    expected = f"{b.expected}{unit}"
    return f"写{b.name}为 {printed}，数据中为 {expected}（按所写的小数位四舍五入）", expected, printed
