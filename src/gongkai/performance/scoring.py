"""Score a report: every leaf by its method, every parent as the sum of its children,
the funds' execution rate, the annual goals' average, the total and the grade."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gongkai.engine.basis import COMPUTED, FILED, Figure, is_transcription
from gongkai.engine.decimals import ONE, ZERO, divide, plain, round_half_up
from gongkai.engine.problems import INFO, problem
from gongkai.performance.methods import GIVEN_SCORE_METHODS, METHODS, MethodError, Params
from gongkai.performance.records import AnyFundsRow, Funds, FundsRow, Goal, Node, Report, stated_list
from gongkai.performance.rulesets import FundsRules, Ruleset
from gongkai.performance.status import row_status
from gongkai.performance.targets import parse_quantity, parse_target


@dataclass
class Scored:
    """One scored indicator (leaf or parent) with what produced its score."""

    name: str
    path: tuple
    weight: Decimal | None  # None: neither printed nor determined (an unscored report)
    score: Decimal | None  # the score the totals use; None: not scored, or not determined
    line: int | None
    node: Node | None = None
    method: str | None = None
    explanation: str = ""
    completion: Decimal | None = None
    inputs: dict = field(default_factory=dict)
    given: Decimal | None = None  # a 得分 written in the data for a computed method
    applicable: bool = True
    children: list = field(default_factory=list)
    computed_score: Decimal | None = None  # what gongkai derives (a method's score, a sum), if anything
    status: str | None = None  # 达成 / 部分达成 / 未达成 / 无法判断 (None: does not apply)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def rate(self) -> Decimal | None:
        """得分率: score ÷ weight."""
        return divide(self.score, self.weight) if self.weight and self.score is not None else None

    @property
    def complete(self) -> bool:
        """Whether every row under this one was transcribed (no 部分录入 on it or below)."""
        if self.node is not None and self.node.partial:
            return False
        return all(c.complete for c in self.children)

    @property
    def filed_weight(self) -> Decimal | None:
        """The 分值 the document printed for this row (None: not printed)."""
        if self.node is None:
            return None
        if self.node.weight is not None:
            return self.node.weight
        return next((st.weight for st in stated_list(self.node.stated) if st.weight is not None), None)

    @property
    def filed_score(self) -> Decimal | None:
        """The 得分 the document printed for this row (None: not printed)."""
        if self.node is None:
            return None
        if self.node.score is not None:
            return self.node.score
        return next((st.score for st in stated_list(self.node.stated) if st.score is not None), None)

    @property
    def weight_figure(self) -> Figure:
        return Figure(self.filed_weight, self.weight)

    @property
    def score_figure(self) -> Figure:
        computed = self.computed_score
        if computed is None and self.method is not None and self.method not in GIVEN_SCORE_METHODS:
            computed = self.score
        return Figure(self.filed_score, computed)

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
    source: AnyFundsRow | None = None  # the row the rate came from: the total row, or its 其中 sums

    @property
    def from_parts(self) -> bool:
        """Whether the total row contradicted its 其中 rows and the rate came from their sums."""
        return self.source is not None and not isinstance(self.source, Funds)

    def filed_rate(self, funds: Funds) -> str | None:
        return funds.rate or next((st.rate for st in stated_list(funds.stated) if st.rate is not None), None)

    def filed_score(self, funds: Funds) -> Decimal | None:
        if funds.score is not None:
            return funds.score
        return next((st.score for st in stated_list(funds.stated) if st.score is not None), None)

    def rate_figure(self, funds: Funds) -> Figure:
        """The 执行率 in its two roles: as printed (text), as computed (a fraction)."""
        return Figure(self.filed_rate(funds), self.rate)

    def score_figure(self, funds: Funds) -> Figure:
        return Figure(self.filed_score(funds), self.score)


AMOUNTS = (("initial", "年初预算数"), ("budget", "全年预算数"), ("arrived", "到位数"), ("spent", "全年执行数"),
           ("balance", "节余"))


def parts_sum(row: AnyFundsRow, attr: str) -> Decimal | None:
    """The sum of a row's 其中 rows in one column, when every one of them gives it."""
    values = [getattr(part, attr) for part in (row.parts or {}).values() if not _blank(part)]
    return sum_or_none(values) if values else None


def _blank(row: FundsRow) -> bool:
    """A 其中 row printed with every cell empty: it adds nothing to a sum (a row that gives
    some columns and not others makes the sum of those others unknown)."""
    return all(getattr(row, attr) is None for attr, _ in AMOUNTS) and not row.parts


def consistent_source(funds: Funds) -> AnyFundsRow:
    """The figures the 执行率 is computed from: the total row, unless it prints nothing (or 0)
    for 全年执行数 and 全年预算数 while its 其中 rows carry the money — then their sums (the
    problem is reported by the funds check, and the page shows both)."""
    if not funds.parts:
        return funds
    sums = {attr: parts_sum(funds, attr) for attr, _ in AMOUNTS}
    empty_total = all(not getattr(funds, attr) for attr in ("budget", "spent"))
    parts_carry = any(sums[attr] for attr in ("budget", "spent"))
    if empty_total and parts_carry:
        return FundsRow.model_construct(initial=sums["initial"], budget=sums["budget"], arrived=sums["arrived"],
                                        spent=sums["spent"], balance=sums["balance"])
    return funds


def funds_denominator(funds: AnyFundsRow, rules: FundsRules) -> tuple[str, Decimal | None]:
    """(name, value) of what the 执行率 divides 全年执行数 by: the ruleset's 执行率分母 —
    到位数 when it says so and the data gives one, else 全年预算数. The one place this is
    decided: scoring, the checks and the page all use :class:`FundsResult`."""
    if rules.denominator == "到位数" and funds.arrived is not None:
        return "到位数", funds.arrived
    return "全年预算数", funds.budget


def arrival_rate(funds: AnyFundsRow) -> Decimal | None:
    """资金到位率: 到位数 ÷ 全年预算数, when both are given (and the budget is not 0)."""
    return divide(funds.arrived, funds.budget) if funds.arrived is not None and funds.budget else None


@dataclass
class GoalResult:
    goal: Goal
    name: str
    weight: Decimal | None
    score: Decimal | None  # None: not determined (a row not scored), or a goal not done that is not counted
    tree: list
    line: int | None
    counted: bool = True

    @property
    def filed_score(self) -> Decimal | None:
        return next((st.score for st in stated_list(self.goal.stated) if st.score is not None), None)

    @property
    def score_figure(self) -> Figure:
        return Figure(self.filed_score, self.score)


@dataclass
class ScoredReport:
    file: str
    report: Report
    rules: Ruleset
    tree: list
    funds: FundsResult | None
    goals: list
    goals_score: Decimal | None
    total: Decimal | None  # None: the data does not determine it (an unscored or partly scored report)
    grade: str | None
    weight_total: Decimal | None
    completion: Decimal | None
    problems: list = field(default_factory=list)
    basis: str = "原文"  # the report's 口径, resolved with the project's default (gongkai.engine.basis)

    # --- the figures in their two roles (gongkai.engine.basis) ------------------------------
    def _stated(self, attr: str):
        return next((getattr(st, attr) for st in stated_list(self.report.stated)
                     if getattr(st, attr) is not None), None)

    @property
    def filed_total(self) -> Decimal | None:
        return self._stated("total")

    @property
    def filed_grade(self) -> str | None:
        return self._stated("grade")

    @property
    def total_figure(self) -> Figure:
        return Figure(self.filed_total, self.total)

    @property
    def grade_figure(self) -> Figure:
        """The grade in its two roles. On a transcription whose printed total differs from the
        computed one, no computed grade stands beside the printed total (it would grade another
        number); the difference is in the 核对说明."""
        consistent = not (is_transcription(self.basis) and self.basis != COMPUTED and self.total_figure.differs)
        return Figure(self.filed_grade, self.grade if consistent else None)

    @property
    def goals_figure(self) -> Figure:
        return Figure(self._stated("goals_score"), self.goals_score)

    @property
    def shown_total(self) -> Decimal | None:
        """The total an index page lists: the filed one, else the computed one (None: 未评分)."""
        return self.filed_total if self.filed_total is not None else self.total

    @property
    def shown_grade(self) -> str | None:
        """The grade a page shows beside the total: the printed one, else the computed one when it
        grades the total shown (see :attr:`grade_figure`)."""
        figure = self.grade_figure
        return figure.filed if figure.filed is not None else figure.computed  # type: ignore[return-value]

    @property
    def scoring(self) -> str:
        """已评分 (a total is printed or determined), 部分评分 (some rows scored) or 未评分."""
        if self.shown_total is not None:
            return "已评分"
        if any(leaf.score is not None for leaf in self.leaves()):
            return "部分评分"
        return "未评分"

    @property
    def scored_rows(self) -> bool:
        """Whether any row has a 分值 or a 得分 (else the table is a 对比表: 计划值 against 完成情况)."""
        return any(n.weight is not None or n.score is not None for n in self.nodes()) or bool(
            self.funds and self.funds.weight is not None)

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
    def common_score(self) -> Decimal | None:
        return sum_or_none(t.score for t in self.tree if t.applicable)


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
    def __init__(self, file: str, rules: Ruleset, transcription: bool = False):
        self.file = file
        self.rules = rules
        self.transcription = transcription  # absent cells are the document's, not to be filled in
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
            return self.parent(node, here)
        weight = node.weight if node.weight is not None else derived_weight
        scored = self.score_leaf(node, here, weight)
        scored.status = row_status(scored.weight, scored.score, node.target, node.actual, scored.applicable)
        return scored

    def parent(self, node: Node, here: tuple) -> Scored:
        """A parent's 分值 is printed or the sum of its children's; its score is the sum of
        theirs when every one that applies is scored (else it is not determined)."""
        children = self.score_nodes(node.children or [], here, self.split_weights(node, node.weight))
        weight = node.weight if node.weight is not None else sum_or_none(c.weight for c in children)
        applicable = any(c.applicable for c in children)
        scores = [c.score for c in children if c.applicable]
        score = sum_or_none(scores) if applicable else None
        explanation = ""
        if score is not None:
            if weight is not None:
                score = min(score, weight)
            explanation = " + ".join(plain(c) for c in scores if c is not None) + f" = {plain(score)}"
        status = row_status(weight, score, None, None, applicable) if score is not None else None
        return Scored(node.name, here, weight, score, node.line, node, children=children, applicable=applicable,
                      explanation=explanation, computed_score=score, status=status)

    def score_leaf(self, node: Node, path: tuple, weight: Decimal | None) -> Scored:
        base: dict[str, Any] = dict(name=node.name, path=path, weight=weight, line=node.line, node=node)
        if node.inapplicable:
            policy = self.rules.not_applicable
            score = None if weight is None else (weight if policy == "满分" else ZERO)
            why = node.not_applicable if isinstance(node.not_applicable, str) else ""
            text = {"满分": "得满分", "零分": "得 0 分", "折算": "不计入，其余指标按比例折算"}[policy]
            return Scored(score=score, explanation=f"不适用{('（' + why + '）') if why else ''}：按规则集{text}",
                          applicable=policy != "折算", given=node.score, computed_score=score, **base)
        if node.is_empty:
            return self.empty_leaf(node, path, weight, base)
        if node.actual is None and node.score is None and not _scores_without_actual(node):
            # 完成值 and 得分 left blank (or not transcribed): not scored, never taken as 0.
            self.report("NODE_EMPTY", node.line, f"指标“{node.name}”没有完成值和得分，不计分", path=self.where(path),
                        severity=INFO if self.transcription else None)
            return Scored(score=None, explanation="未填写完成值和得分", **base)
        if weight is None:
            # A row without a 分值 is not scored: its 得分, if printed, is kept as printed.
            if node.score is not None:
                self.report("WEIGHT_MISSING", node.line, f"指标“{node.name}”印有得分 {plain(node.score)}，却没有分值",
                            path=self.where(path, "分值"))
            return Scored(score=node.score, explanation="" if node.score is None else "照录印出的得分", **base)
        method, params = self.choose(node)
        if method == "人工" and node.method is None:
            agreeing = self.agreeing_default(node, weight, path)
            if agreeing is not None:
                method, outcome = agreeing
                return Scored(score=outcome.score, method=method, explanation=outcome.formula,
                              completion=outcome.completion, inputs=outcome.inputs, given=node.score, **base)
        if method == "人工" and node.score is None:
            # Nothing to score by: the cells were left blank (absent, not zero).
            return Scored(score=None, method=None, explanation="未填写得分", **base)
        try:
            outcome = METHODS[method](node, weight, params)
        except MethodError as err:
            self.report(err.code, node.line, f"指标“{node.name}”（{method}）：{err.message}", path=self.where(path))
            fallback = None if node.score is None else min(max(node.score, ZERO), weight)
            return Scored(score=fallback, method=method,
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

    def empty_leaf(self, node: Node, path: tuple, weight: Decimal | None, base: dict) -> Scored:
        """A row with nothing filled in: not scored, unless the ruleset's 空指标 says how."""
        policy = self.rules.empty
        if policy is None or weight is None:
            self.report("NODE_EMPTY", node.line, f"“{'/'.join(path)}”没有填写任何内容，不计分", path=self.where(path),
                        severity=INFO if self.transcription else None)
            return Scored(score=None, explanation="未填写", **base)
        score = weight if policy == "满分" else ZERO
        self.report("NODE_EMPTY", node.line, f"“{'/'.join(path)}”没有填写任何指标，按规则集计 {plain(score)} 分",
                    path=self.where(path))
        return Scored(score=score, explanation=f"未填写指标：按规则集计 {plain(score)} 分", computed_score=score,
                      **base)

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
        source = consistent_source(funds)
        what, denominator = funds_denominator(source, rules)
        rate = divide(source.spent, denominator) if source.spent is not None and denominator else None
        arrival = arrival_rate(source)
        weight = funds.weight
        origin = "" if source is funds else "（年度资金总额与其中各行不符，按其中各行之和计算）"
        if rate is None or weight is None:
            return FundsResult(rate, rate, weight, None, arrival,
                               "" if weight is None else "缺少执行数或预算数，资金得分无法计算",
                               funds.line, denominator, what, source)
        used = min(rate, ONE)
        if rules.rate_places is not None:
            used = round_half_up(used, rules.rate_places)
        score = round_half_up(weight * used, self.rules.places)
        assert source.spent is not None and denominator is not None  # the rate divides one by the other
        shown = plain(used) if rules.rate_places is not None else f"{plain(round_half_up(used * 100, 2))}%"
        formula = (f"执行率 = {plain(source.spent)} ÷ {plain(denominator)}（{what}）{origin}；"
                   f"{plain(weight)} × {shown} = {score}")
        return FundsResult(rate, used, weight, score, arrival, formula, funds.line, denominator, what, source)

    def unscored(self, node: Node, path: tuple, derived_weight: Decimal | None) -> Scored:
        """A node of a goal that was not carried out: its weights, no score."""
        here = path + (node.name,)
        shares = self.split_weights(node, node.weight) if node.children else {}
        children = [self.unscored(c, here, shares.get(id(c))) for c in node.children or []]
        weight: Decimal | None
        if node.weight is not None:
            weight = node.weight
        elif children:
            weight = sum_or_none(c.weight for c in children)
        else:
            weight = derived_weight
        return Scored(node.name, here, weight, None, node.line, node, explanation="年度目标未开展", children=children)

    def goal(self, goal: Goal) -> GoalResult:
        if goal.not_done:
            tree = [self.unscored(n, (goal.name,), None) for n in goal.indicators]
            weight = sum_or_none(t.weight for t in tree)
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
            return GoalResult(goal, goal.name, weight, ZERO if counted else None, tree, goal.line, counted)
        self.part = "年度目标"  # a goal's nodes' paths begin with the goal's name
        try:
            tree = self.score_nodes(goal.indicators, (goal.name,))
        finally:
            self.part = "指标"
        score = sum_or_none(t.score for t in tree if t.applicable)
        return GoalResult(goal, goal.name, sum_or_none(t.weight for t in tree), score, tree, goal.line)


def _scores_without_actual(node: Node) -> bool:
    """Whether a leaf has inputs a method scores without a 完成值 (要点, 扣分, 等级, 季度进度)."""
    return bool(node.points or node.deduction is not None or node.level is not None or node.quarters)


def sum_or_none(values) -> Decimal | None:
    """The sum of figures, or None when one of them is not determined (absent is not zero)."""
    total = ZERO
    for value in values:
        if value is None:
            return None
        total += value
    return total


def score_report(report: Report, rules: Ruleset, file: str, basis: str = "编制") -> ScoredReport:
    """Score a report. Shown as filed (``basis`` 原文) a total follows only from the document's own
    得分: a row scored by a method where the document printed no 得分 (a cell left blank, or not
    transcribed) leaves the total undetermined, though the row's computed score is shown, marked
    as computed. Shown as computed (计算, 编制) the total is gongkai's from the data and the ruleset."""
    transcription = is_transcription(basis)
    scorer = _Scorer(file, rules, transcription)
    tree = scorer.score_nodes(report.indicators, ())
    funds = scorer.funds(report)
    goals = [scorer.goal(g) for g in report.goals]
    goals_score = None
    if goals:
        counted = [g for g in goals if g.counted]
        summed = sum_or_none(g.score for g in counted)
        if counted and summed is not None:
            mean = divide(summed, Decimal(len(counted)))
            places = rules.goals.places if rules.goals is not None else rules.places
            goals_score = round_half_up(mean, places)
    goal_weight: Decimal | None = ZERO
    if goals:
        weights = [g.weight for g in goals]
        known = [w for w in weights if w is not None]
        goal_weight = rules.goals.weight if rules.goals is not None else (
            max(known) if len(known) == len(weights) else None)
    funds_weight = funds.weight if funds is not None and funds.weight is not None else ZERO
    weight_total = sum_or_none([funds_weight, goal_weight, *(t.weight for t in tree)])
    total = None
    parts = [t.score for t in tree if t.applicable]
    if funds is not None and funds.weight is not None:
        parts.append(funds.score)
    if goals:
        parts.append(goals_score)
    raw = sum_or_none(parts) if parts else None
    if transcription and report.partial:
        raw = None  # the document was transcribed in part: its total is what it printed, if anything
    tops = [*tree, *(t for g in goals if not g.goal.not_done for t in g.tree)]
    if basis == FILED and not all(_filed(t) for t in tops):
        raw = None  # shown as filed: a total follows only from the document's own 得分
    if raw is not None and weight_total:
        inapplicable = sum_or_none(leaf.weight for t in tree for leaf in t.leaves() if not leaf.applicable)
        if inapplicable and weight_total - inapplicable > 0:
            raw = divide(raw * weight_total, weight_total - inapplicable)
        total = round_half_up(raw, rules.places)
    rates = [leaf.completion for t in tree for leaf in t.leaves() if leaf.applicable and leaf.completion is not None]
    completion = divide(sum(rates, ZERO), Decimal(len(rates))) if rates else None
    grade = rules.grade_of(total) if total is not None else None
    return ScoredReport(file, report, rules, tree, funds, goals, goals_score, total, grade,
                        weight_total, completion, scorer.problems, basis)


def _filed(node: Scored) -> bool:
    """Whether the document printed the 得分 this row adds to the total: its own, or every one
    of its children's (a row that does not apply adds none)."""
    if not node.applicable or (node.node is not None and node.node.inapplicable):
        return True
    if node.filed_score is not None:
        return True
    return bool(node.children) and all(_filed(c) for c in node.children)
