"""Score a report: every leaf by its method, every parent as the sum of its children,
the funds' execution rate, the annual goals' average, the total and the grade."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gongkai.engine.decimals import ONE, ZERO, divide, plain, round_half_up
from gongkai.engine.problems import problem
from gongkai.performance.methods import GIVEN_SCORE_METHODS, METHODS, MethodError, Params
from gongkai.performance.records import Funds, Goal, Node, Report
from gongkai.performance.rulesets import FundsRules, Ruleset
from gongkai.performance.targets import parse_quantity, parse_target


@dataclass
class Scored:
    """One scored indicator (leaf or parent) with what produced its score."""

    name: str
    path: tuple
    weight: Decimal
    score: Decimal
    line: int | None
    node: Node | None = None
    method: str | None = None
    explanation: str = ""
    completion: Decimal | None = None
    inputs: dict = field(default_factory=dict)
    given: Decimal | None = None  # a 得分 written in the data for a computed method
    applicable: bool = True
    children: list = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def rate(self) -> Decimal | None:
        """得分率: score ÷ weight."""
        return divide(self.score, self.weight) if self.weight else None

    def leaves(self):
        if self.is_leaf:
            yield self
        for child in self.children:
            yield from child.leaves()

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class FundsResult:
    rate: Decimal | None
    rate_used: Decimal | None
    weight: Decimal | None
    score: Decimal | None
    arrival_rate: Decimal | None
    explanation: str
    line: int | None
    denominator: Decimal | None = None  # what the 执行率 divides 全年执行数 by (funds_denominator)
    denominator_name: str = "全年预算数"  # 全年预算数 or 到位数


def funds_denominator(funds: Funds, rules: FundsRules) -> tuple[str, Decimal | None]:
    """(name, value) of what the 执行率 divides 全年执行数 by: the ruleset's 执行率分母 —
    到位数 when it says so and the data gives one, else 全年预算数. The one place this is
    decided: scoring, the checks and the page all use :class:`FundsResult`."""
    if rules.denominator == "到位数" and funds.arrived is not None:
        return "到位数", funds.arrived
    return "全年预算数", funds.budget


def arrival_rate(funds: Funds) -> Decimal | None:
    """资金到位率: 到位数 ÷ 全年预算数, when both are given (and the budget is not 0)."""
    return divide(funds.arrived, funds.budget) if funds.arrived is not None and funds.budget else None


@dataclass
class GoalResult:
    goal: Goal
    name: str
    weight: Decimal
    score: Decimal
    tree: list
    line: int | None
    counted: bool = True


@dataclass
class ScoredReport:
    file: str
    report: Report
    rules: Ruleset
    tree: list
    funds: FundsResult | None
    goals: list
    goals_score: Decimal | None
    total: Decimal
    grade: str | None
    weight_total: Decimal
    completion: Decimal | None
    problems: list = field(default_factory=list)

    def nodes(self):
        for top in self.tree:
            yield from top.walk()
        for goal in self.goals:
            for top in goal.tree:
                yield from top.walk()

    def leaves(self):
        for node in self.nodes():
            if node.is_leaf:
                yield node

    @property
    def common_score(self) -> Decimal:
        return sum((t.score for t in self.tree), ZERO)


def params_of(rules: Ruleset) -> Params:
    return Params(
        places=rules.places,
        basis=rules.ratio.basis,
        full_when_met=rules.ratio.full_when_met,
        variant=rules.reverse_variant,
        qualitative={
            level: tuple(fraction_of(t) for t in bounds) for level, bounds in rules.qualitative.items()
        },
        schedule=tuple(fraction_of(t) for t in rules.schedule.schedule),
        quarter_weight=rules.schedule.quarter_weight,
        average_weight=rules.schedule.average_weight,
        average=rules.schedule.average,
    )


def fraction_of(text) -> Decimal:
    q = parse_quantity(str(text))
    return q.fraction if q is not None else Decimal(str(text))


class _Scorer:
    def __init__(self, file: str, rules: Ruleset):
        self.file = file
        self.rules = rules
        self.params = params_of(rules)
        self.problems: list = []
        self.part = "指标"  # the part of the report being scored: 指标, or 年度目标 (see gongkai.engine.checking)

    def report(self, code, line, message, **kw):
        self.problems.append(problem(code, self.file, line, message, **kw))

    def where(self, path: tuple, *figure: str) -> tuple:
        """The structured path of a node (and one of its figures) being scored."""
        return (self.part, *path, *figure)

    # --- weights -------------------------------------------------------------------
    def split_weights(self, parent: Node, parent_weight: Decimal | None) -> dict:
        """分值分配: 平均 — leaves without 分值 share the parent's weight in whole points."""
        missing = [c for c in parent.children or () if c.weight is None and c.is_leaf]
        if self.rules.weight_split != "平均" or parent_weight is None or not missing:
            return {}
        given = sum((c.weight for c in parent.children or () if c.weight is not None), ZERO)
        left = max(parent_weight - given, ZERO)
        share = divide(left, Decimal(len(missing)))
        floors = [share.to_integral_value(rounding="ROUND_FLOOR") for _ in missing]
        remainder = int(left - sum(floors, ZERO))
        return {id(c): floors[i] + (ONE if i < remainder else ZERO) for i, c in enumerate(missing)}

    # --- nodes ---------------------------------------------------------------------
    def score_nodes(self, nodes: list, path: tuple, derived: dict | None = None) -> list:
        return [self.score_node(n, path, (derived or {}).get(id(n))) for n in nodes]

    def score_node(self, node: Node, path: tuple, derived_weight: Decimal | None) -> Scored:
        here = path + (node.name,)
        if not node.is_leaf:
            children = self.score_nodes(node.children or [], here, self.split_weights(node, node.weight))
            child_weight = sum((c.weight for c in children), ZERO)
            weight = node.weight if node.weight is not None else child_weight
            score = min(sum((c.score for c in children), ZERO), weight)
            applicable = any(c.applicable for c in children)
            return Scored(node.name, here, weight, score, node.line, node, children=children, applicable=applicable,
                          explanation=" + ".join(plain(c.score) for c in children) + f" = {plain(score)}")
        weight = node.weight if node.weight is not None else derived_weight
        if weight is None:
            self.report("WEIGHT_MISSING", node.line, f"指标“{node.name}”缺少分值", path=self.where(here, "分值"))
            weight = ZERO
        return self.score_leaf(node, here, weight)

    def score_leaf(self, node: Node, path: tuple, weight: Decimal) -> Scored:
        base: dict[str, Any] = dict(name=node.name, path=path, weight=weight, line=node.line, node=node)
        if node.inapplicable:
            policy = self.rules.not_applicable
            score = weight if policy == "满分" else ZERO
            why = node.not_applicable if isinstance(node.not_applicable, str) else ""
            text = {"满分": "得满分", "零分": "得 0 分", "折算": "不计入，其余指标按比例折算"}[policy]
            return Scored(score=score, explanation=f"不适用{('（' + why + '）') if why else ''}：按规则集{text}",
                          applicable=policy != "折算", given=node.score, **base)
        if node.is_empty:
            score = weight if self.rules.empty == "满分" else ZERO
            self.report(
                "NODE_EMPTY",
                node.line,
                f"“{'/'.join(path)}”没有填写任何指标，按规则集计 {plain(score)} 分",
                path=self.where(path),
            )
            return Scored(score=score, explanation=f"未填写指标：按规则集计 {plain(score)} 分", **base)
        method, params = self.choose(node)
        if method == "人工" and node.method is None:
            agreeing = self.agreeing_default(node, weight, path)
            if agreeing is not None:
                method, outcome = agreeing
                return Scored(score=outcome.score, method=method, explanation=outcome.formula,
                              completion=outcome.completion, inputs=outcome.inputs, given=node.score, **base)
        try:
            outcome = METHODS[method](node, weight, params)
        except MethodError as err:
            self.report(err.code, node.line, f"指标“{node.name}”（{method}）：{err.message}", path=self.where(path))
            fallback = node.score if node.score is not None else ZERO
            return Scored(score=min(max(fallback, ZERO), weight), method=method,
                          explanation=f"无法按{method}计分：{err.message}", given=node.score, **base)
        for code, message in outcome.notes:
            self.report(code, node.line, f"指标“{node.name}”：{message}", path=self.where(path))
        score = outcome.score
        if score < 0 or score > weight:
            self.report("SCORE_RANGE", node.line, f"指标“{node.name}”的得分 {plain(score)} 超出 0–{plain(weight)}",
                        expected=f"0–{plain(weight)}", found=plain(score), path=self.where(path, "得分"))
            score = min(max(score, ZERO), weight)
        completion = outcome.completion
        if completion is None and weight:
            completion = divide(score, weight)
        given = None if method in GIVEN_SCORE_METHODS else node.score
        return Scored(score=score, method=method, explanation=outcome.formula, completion=completion,
                      inputs=outcome.inputs, given=given, **base)

    def agreeing_default(self, node: Node, weight: Decimal, path: tuple):
        """The default method and its outcome, when it gives exactly the evaluator's 得分."""
        if self.rules.default_method == "人工" or node.score is None:
            return None
        probe = node.model_copy(update={"score": None})
        method, params = self.choose(probe)
        if method in GIVEN_SCORE_METHODS:
            return None
        try:
            outcome = METHODS[method](probe, weight, params)
        except MethodError as err:
            if err.code == "ACTUAL_UNPARSED" and node.actual is not None:
                self.report(
                    "ACTUAL_NOT_MEASURED",
                    node.line,
                    f"指标“{node.name}”的指标值“{node.target}”是数量，"
                    f"完成值“{node.actual}”却不是，得分 {plain(node.score)} 无法核对",
                    path=self.where(path, "完成值"),
                )
            return None
        return (method, outcome) if outcome.score == node.score and not outcome.notes else None

    def choose(self, node: Node) -> tuple[str, Params]:
        """Method for a leaf: explicit 方法; a ruleset rule for its name; a given 得分 (人工); the default."""
        if node.method is not None:
            return node.method, self.params.with_rule(node)
        rule = self.rules.rule_for(node.name)
        if rule is not None:
            return rule.method, self.params.with_rule(rule).with_rule(node)
        if node.score is not None:
            return "人工", self.params
        if self.rules.default_method == "人工":
            return "人工", self.params
        if node.bands:
            return "分档", self.params
        if node.points:
            return "要点", self.params
        if node.deduction is not None:
            return "扣分", self.params
        if node.quarters:
            return "序时进度", self.params
        if node.level is not None:
            return "定性", self.params
        target = parse_target(node.target) if node.target is not None else None
        if target is not None and target.quantity is None:
            return "达标", self.params
        if target is not None and target.op in ("<=", "<"):
            return "反向", self.params
        return "比例", self.params

    # --- funds and goals ---------------------------------------------------------------
    def funds(self, report: Report) -> FundsResult | None:
        funds = report.funds
        if funds is None:
            return None
        rules = self.rules.funds
        what, denominator = funds_denominator(funds, rules)
        rate = divide(funds.spent, denominator) if funds.spent is not None and denominator else None
        arrival = arrival_rate(funds)
        weight = funds.weight if funds.weight is not None else rules.weight
        if rate is None or weight is None:
            return FundsResult(
                rate,
                rate,
                weight,
                None if weight is None else ZERO,
                arrival,
                "" if weight is None else "缺少执行数或预算数，资金不得分",
                funds.line,
                denominator,
                what,
            )
        used = min(rate, ONE)
        if rules.rate_places is not None:
            used = round_half_up(used, rules.rate_places)
        score = round_half_up(weight * used, self.rules.places)
        assert funds.spent is not None and denominator is not None  # the rate divides one by the other
        shown = plain(used) if rules.rate_places is not None else f"{plain(round_half_up(used * 100, 2))}%"
        formula = f"执行率 = {plain(funds.spent)} ÷ {plain(denominator)}（{what}）；{plain(weight)} × {shown} = {score}"
        return FundsResult(rate, used, weight, score, arrival, formula, funds.line, denominator, what)

    def unscored(self, node: Node, path: tuple, derived_weight: Decimal | None) -> Scored:
        """A node of a goal that was not carried out: its weights, no score."""
        here = path + (node.name,)
        shares = self.split_weights(node, node.weight) if node.children else {}
        children = [self.unscored(c, here, shares.get(id(c))) for c in node.children or []]
        if node.weight is not None:
            weight = node.weight
        elif children:
            weight = sum((c.weight for c in children), ZERO)
        else:
            weight = derived_weight or ZERO
        return Scored(node.name, here, weight, ZERO, node.line, node, explanation="年度目标未开展", children=children)

    def goal(self, goal: Goal) -> GoalResult:
        if goal.not_done:
            tree = [self.unscored(n, (goal.name,), None) for n in goal.indicators]
            weight = sum((t.weight for t in tree), ZERO)
            counted = self.rules.goals is None or self.rules.goals.not_done == "计零分"
            filled = sum(
                1 for t in tree for leaf in t.leaves() if leaf.node is not None and leaf.node.actual is not None
            )
            extra = f"，但填写了 {filled} 项完成值" if filled else ""
            effect = "计 0 分" if counted else "不计入平均"
            self.report(
                "GOAL_NOT_DONE",
                goal.line,
                f"年度目标“{goal.name}”未开展（{goal.not_done}）{extra}；按规则集{effect}",
                path=("年度目标", goal.name),
            )
            return GoalResult(goal, goal.name, weight, ZERO, tree, goal.line, counted)
        self.part = "年度目标"  # a goal's nodes' paths begin with the goal's name
        try:
            tree = self.score_nodes(goal.indicators, (goal.name,))
        finally:
            self.part = "指标"
        weight = sum((t.weight for t in tree), ZERO)
        return GoalResult(goal, goal.name, weight, sum((t.score for t in tree), ZERO), tree, goal.line)


def score_report(report: Report, rules: Ruleset, file: str) -> ScoredReport:
    scorer = _Scorer(file, rules)
    tree = scorer.score_nodes(report.indicators, ())
    funds = scorer.funds(report)
    goals = [scorer.goal(g) for g in report.goals]
    goals_score = None
    if goals:
        counted = [g for g in goals if g.counted]
        mean = divide(sum((g.score for g in counted), ZERO), Decimal(len(counted))) if counted else ZERO
        places = rules.goals.places if rules.goals is not None else rules.places
        goals_score = round_half_up(mean, places)
    funds_weight = funds.weight if funds is not None and funds.weight is not None else ZERO
    funds_score = funds.score if funds is not None and funds.score is not None else ZERO
    goal_weight = (
        (rules.goals.weight if rules.goals is not None else max((g.weight for g in goals), default=ZERO))
        if goals
        else ZERO
    )
    weight_total = funds_weight + sum((t.weight for t in tree), ZERO) + goal_weight
    raw = funds_score + sum((t.score for t in tree), ZERO) + (goals_score or ZERO)
    inapplicable = sum((leaf.weight for t in tree for leaf in t.leaves() if not leaf.applicable), ZERO)
    if inapplicable and weight_total - inapplicable > 0:
        raw = divide(raw * weight_total, weight_total - inapplicable)
    total = round_half_up(raw, rules.places)
    leaves = [leaf for t in tree for leaf in t.leaves() if leaf.applicable and leaf.completion is not None]
    completion = divide(sum((leaf.completion for leaf in leaves), ZERO), Decimal(len(leaves))) if leaves else None
    return ScoredReport(file, report, rules, tree, funds, goals, goals_score, total, rules.grade_of(total),
                        weight_total, completion, scorer.problems)
