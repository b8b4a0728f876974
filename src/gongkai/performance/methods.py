"""The scoring methods: each turns one leaf indicator into a score with its explanation.

A method is a plain function ``(node, weight, params) -> MethodResult``. It raises ``MethodError``
when its inputs are missing or unreadable; the caller turns that into a located problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from gongkai.engine.decimals import ONE, ZERO, divide, percent, plain, round_half_up
from gongkai.performance.targets import (
    Target,
    parse_actual,
    parse_quantity,
    parse_target,
    same_text,
    units_agree,
)


class MethodError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Params:
    """What a ruleset (and a matching method rule) says about scoring one leaf."""

    places: int = 2
    basis: str = "指标值"
    full_when_met: bool = True
    variant: str = "比值"
    qualitative: dict = field(default_factory=dict)  # level -> (low fraction, high fraction)
    schedule: tuple = (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), ONE)
    quarter_weight: Decimal = ONE
    average_weight: Decimal = Decimal(2)
    average: str = "比值"

    def with_rule(self, rule) -> Params:
        if rule is None:
            return self
        changes = {}
        for name in ("basis", "full_when_met", "variant"):
            value = getattr(rule, name, None)
            if value is not None:
                changes[name] = value
        return replace(self, **changes) if changes else self


@dataclass(frozen=True)
class MethodResult:
    score: Decimal
    formula: str
    completion: Decimal | None = None  # fraction of the target reached, when the method defines one
    inputs: dict = field(default_factory=dict)
    notes: tuple = ()  # (code, message) pairs: warnings found while scoring


def _numeric_target(node) -> Target:
    if node.target is None:
        raise MethodError("METHOD_INPUT", "缺少指标值")
    target = parse_target(node.target)
    if target.quantity is None:
        raise MethodError("TARGET_UNPARSED", f"指标值“{node.target}”不是数量，无法按比例计分")
    return target


def _numeric_actual(node):
    if node.actual is None:
        raise MethodError("METHOD_INPUT", "缺少完成值")
    actual = parse_actual(node.actual)
    if actual.quantity is None:
        if actual.counts is not None:
            raise MethodError("ACTUAL_UNPARSED", f"完成值“{node.actual}”的分母为 0")
        raise MethodError("ACTUAL_UNPARSED", f"完成值“{node.actual}”不是数量，无法计算完成比例")
    return actual


def _unit_notes(target, actual) -> tuple:
    if target.quantity is not None and not units_agree(target.quantity, actual.quantity):
        return (("UNIT_MISMATCH", f"指标值单位“{target.quantity.unit}”与完成值单位“{actual.quantity.unit}”不一致"),)
    return ()


def _score(weight: Decimal, fraction: Decimal, places: int) -> Decimal:
    fraction = min(max(fraction, ZERO), ONE)
    return round_half_up(weight * fraction, places)


def ratio(node, weight: Decimal, p: Params) -> MethodResult:
    """比例: full marks when the target is met (if the ruleset says so), else weight × actual ÷ basis."""
    actual = _numeric_actual(node)
    if p.basis == "100%":
        if not actual.quantity.percent:
            raise MethodError("ACTUAL_UNPARSED", f"以 100% 为基准计分时完成值应为百分数，实为“{node.actual}”")
        target = parse_target(node.target) if node.target is not None else None
        if target is not None and target.quantity is not None and target.op in ("<=", "<"):
            return reverse(node, weight, p)
        inputs = {"完成值": actual.text, "基准": "100%"}
        if p.full_when_met and target is not None and target.quantity is not None and target.holds(actual.quantity):
            return _met(weight, actual.text, target, inputs)
        fraction = actual.quantity.fraction
        score = _score(weight, fraction, p.places)
        return MethodResult(score, f"{plain(weight)} × {percent(fraction)} = {score}", min(fraction, ONE), inputs)
    target = _numeric_target(node)
    if target.op in ("<=", "<"):
        return reverse(node, weight, p)
    notes = _unit_notes(target, actual)
    inputs = {"指标值": target.text, "完成值": actual.text}
    if p.full_when_met and target.holds(actual.quantity):
        return replace(_met(weight, actual.text, target, inputs), notes=notes)
    assert target.quantity is not None  # _numeric_target refuses a target without a quantity
    base = target.quantity.value
    if base <= 0:
        raise MethodError("METHOD_INPUT", f"指标值“{node.target}”为 0，无法按比例计分")
    fraction = min(divide(actual.quantity.value, base), ONE)
    score = _score(weight, fraction, p.places)
    formula = (
        f"{plain(weight)} × ({actual.text} ÷ {target.describe().lstrip('≥>=')}) = "
        f"{plain(weight)} × {percent(fraction)} = {score}"
    )
    return MethodResult(score, formula, fraction, inputs, notes)


def _met(weight, actual_text, target, inputs) -> MethodResult:
    return MethodResult(
        weight, f"完成值 {actual_text} 达到指标值 {target.describe()}，得满分 {plain(weight)}", ONE, inputs
    )


def reverse(node, weight: Decimal, p: Params) -> MethodResult:
    """反向 (≤ targets): full marks when met; else weight × target ÷ actual, or linear to zero at twice the target."""
    target, actual = _numeric_target(node), _numeric_actual(node)
    if target.op not in ("<=", "<"):
        raise MethodError("METHOD_INPUT", f"反向计分的指标值应为“≤”或“<”，实为“{node.target}”")
    notes = _unit_notes(target, actual)
    inputs = {"指标值": target.text, "完成值": actual.text, "变体": p.variant}
    if target.holds(actual.quantity):
        return replace(_met(weight, actual.text, target, inputs), notes=notes)
    assert target.quantity is not None  # _numeric_target refuses a target without a quantity
    t, a = target.quantity.value, actual.quantity.value
    if p.variant == "线性":
        fraction = ZERO if t <= 0 else max(ZERO, divide(2 * t - a, t))
        score = _score(weight, fraction, p.places)
        formula = f"{plain(weight)} × (2 × {plain(t)} − {plain(a)}) ÷ {plain(t)} = {score}（超出指标值一倍得 0 分）"
    else:
        fraction = ZERO if a <= 0 else divide(t, a)
        score = _score(weight, fraction, p.places)
        formula = f"{plain(weight)} × {plain(t)} ÷ {plain(a)} = {score}"
    return MethodResult(score, formula, min(fraction, ONE), inputs, notes)


def pass_fail(node, weight: Decimal, p: Params) -> MethodResult:
    """达标: full marks when the comparison holds (or the text equals the target), else zero."""
    if node.target is None or node.actual is None:
        raise MethodError("METHOD_INPUT", "达标计分需要指标值和完成值")
    target, actual = parse_target(node.target), parse_actual(node.actual)
    inputs = {"指标值": target.text, "完成值": actual.text}
    if target.quantity is None or actual.quantity is None:
        met = same_text(target.text, actual.text)
        notes = ()
    else:
        met = target.holds(actual.quantity)
        notes = _unit_notes(target, actual)
    score = weight if met else ZERO
    verdict = "达标" if met else "未达标"
    return MethodResult(
        score,
        f"完成值 {actual.text} 对照指标值 {target.describe()}：{verdict}，得 {plain(score)} 分",
        ONE if met else ZERO,
        inputs,
        notes,
    )


def tiers(node, weight: Decimal, p: Params) -> MethodResult:
    """分档: the first band whose condition holds gives the score."""
    if not node.bands:
        raise MethodError("METHOD_INPUT", "分档计分需要“档次”")
    actual = _numeric_actual(node)
    for band in node.bands:
        if band.score > weight or band.score < 0:
            raise MethodError("METHOD_INPUT", f"档次得分 {plain(band.score)} 超出指标分值 {plain(weight)}")
    for band in node.bands:
        if band.condition is None:
            chosen = band
            break
        condition = parse_target(band.condition)
        if condition.quantity is None:
            raise MethodError("METHOD_INPUT", f"档次条件“{band.condition}”不是数量比较")
        if condition.holds(actual.quantity):
            chosen = band
            break
    else:
        return MethodResult(ZERO, f"完成值 {actual.text} 不在任何档次内，得 0 分", ZERO, {"完成值": actual.text})
    where = f"符合“{chosen.condition}”" if chosen.condition else "属其余情况"
    return MethodResult(
        chosen.score, f"完成值 {actual.text} {where}，得 {plain(chosen.score)} 分", None, {"完成值": actual.text}
    )


def checklist(node, weight: Decimal, p: Params) -> MethodResult:
    """要点: the points of the satisfied 评价要点 add up."""
    if not node.points:
        raise MethodError("METHOD_INPUT", "要点计分需要“要点”")
    possible = sum((pt.weight for pt in node.points), ZERO)
    if possible != weight:
        raise MethodError("METHOD_INPUT", f"要点分值之和 {plain(possible)} 不等于指标分值 {plain(weight)}")
    met = [pt for pt in node.points if pt.met]
    score = sum((pt.weight for pt in met), ZERO)
    parts = " + ".join(plain(pt.weight) for pt in met) or "0"
    return MethodResult(
        score, f"满足 {len(met)}/{len(node.points)} 个要点：{parts} = {plain(score)}", None, {"要点": len(node.points)}
    )


def deduction(node, weight: Decimal, p: Params) -> MethodResult:
    """扣分: weight − n × d, 扣完为止; or per unit by which the actual exceeds the target."""
    d = node.deduction
    if d is None:
        raise MethodError("METHOD_INPUT", "扣分计分需要“扣分”")
    if d.times is not None and d.each is not None:
        lost = d.times * d.each
        score = round_half_up(max(ZERO, weight - lost), p.places)
        return MethodResult(
            score,
            f"{plain(weight)} − {plain(d.times)} × {plain(d.each)} = {score}（扣完为止）",
            None,
            {"次数": plain(d.times)},
        )
    if d.per_excess is not None and d.deduct is not None:
        target, actual = _numeric_target(node), _numeric_actual(node)
        unit = parse_quantity(d.per_excess)
        if unit is None or unit.value <= 0:
            raise MethodError("METHOD_INPUT", f"“每超出”应为正的数量，实为“{d.per_excess}”")
        assert target.quantity is not None  # _numeric_target refuses a target without a quantity
        excess = max(ZERO, actual.quantity.value - target.quantity.value)
        times = divide(excess, unit.value)
        score = round_half_up(max(ZERO, weight - times * d.deduct), p.places)
        formula = (
            f"超出 {plain(excess)}{unit.unit}，"
            f"{plain(weight)} − {plain(round_half_up(times, 4))} × {plain(d.deduct)} = {score}（扣完为止）"
        )
        return MethodResult(score, formula, None, {"指标值": target.text, "完成值": actual.text})
    raise MethodError("METHOD_INPUT", "“扣分”应写“次数”和“每次”，或“每超出”和“扣”")


def qualitative(node, weight: Decimal, p: Params) -> MethodResult:
    """定性: the evaluator's score must fall in the band of its level (e.g. 达到预期 81%–100%)."""
    if node.level is None or node.score is None:
        raise MethodError("METHOD_INPUT", "定性计分需要“等级”和“得分”")
    low, high = p.qualitative[node.level]
    lo, hi = round_half_up(weight * low, p.places), round_half_up(weight * high, p.places)
    notes: tuple[tuple[str, str], ...] = ()
    if not lo <= node.score <= hi:
        notes = (
            (
                "QUALITATIVE_BAND",
                f"等级“{node.level}”的得分应在 {plain(lo)}–{plain(hi)} 之间，实为 {plain(node.score)}",
            ),
        )
    return MethodResult(
        node.score,
        f"定性：{node.level}（{plain(lo)}–{plain(hi)} 分），评定 {plain(node.score)} 分",
        None,
        {"等级": node.level},
        notes,
    )


def schedule(node, weight: Decimal, p: Params) -> MethodResult:
    """序时进度: each quarter's progress ÷ its schedule (≤ 1) plus the yearly average."""
    if not node.quarters or len(node.quarters) != 4:
        raise MethodError("METHOD_INPUT", "序时进度计分需要四个季度的“季度进度”")
    if p.quarter_weight * 4 + p.average_weight != weight:
        raise MethodError(
            "METHOD_INPUT",
            f"规则集的季度分值 4 × {plain(p.quarter_weight)} 加平均分值 {plain(p.average_weight)} "
            f"不等于指标分值 {plain(weight)}",
        )
    progress = []
    for text in node.quarters:
        q = parse_quantity(str(text))
        if q is None or not q.percent:
            raise MethodError("ACTUAL_UNPARSED", f"季度进度“{text}”应为百分数")
        progress.append(q.fraction)
    ratios = [divide(prog, sched) for prog, sched in zip(progress, p.schedule, strict=False)]
    quarter_scores = [min(r, ONE) * p.quarter_weight for r in ratios]
    basis = ratios if p.average == "比值" else progress
    average = min(divide(sum(basis, ZERO), Decimal(4)), ONE)
    total = round_half_up(sum(quarter_scores, ZERO) + average * p.average_weight, p.places)
    parts = " + ".join(plain(round_half_up(s, 4)) for s in quarter_scores)
    formula = f"季度 {parts} + 全年平均 {plain(round_half_up(average, 4))} × {plain(p.average_weight)} = {total}"
    return MethodResult(total, formula, None, {"季度进度": [str(q) for q in node.quarters]})


def manual(node, weight: Decimal, p: Params) -> MethodResult:
    """人工: the evaluator's score, with its reason."""
    if node.score is None:
        raise MethodError("METHOD_INPUT", "人工评分需要“得分”")
    why = node.reason or node.deviation
    formula = f"人工评分 {plain(node.score)} 分" + (f"：{why}" if why else "")
    return MethodResult(node.score, formula, None, {})


METHODS = {
    "比例": ratio,
    "反向": reverse,
    "达标": pass_fail,
    "分档": tiers,
    "要点": checklist,
    "扣分": deduction,
    "定性": qualitative,
    "序时进度": schedule,
    "人工": manual,
}

# Methods whose score is an input (the evaluator's), not a result to compare a given 得分 with.
GIVEN_SCORE_METHODS = frozenset({"人工", "定性"})
