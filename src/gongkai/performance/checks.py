"""Checks: small pure functions ``(scored report) -> problems``, run in order by ``run_checks``.

Each compares what the data says with what gongkai computed, or checks an identity
(weights add up, funds add up). Differences within the ruleset's 尾数容差 are notes.
"""

from __future__ import annotations

from decimal import Decimal

from gongkai.engine.decimals import HUNDRED, ZERO, divide, fixed, plain, round_half_up
from gongkai.engine.problems import problem
from gongkai.performance.records import stated_list
from gongkai.performance.scoring import ScoredReport
from gongkai.performance.targets import parse_actual, parse_quantity


# --- comparing one stated figure -----------------------------------------------------------
def compare_amount(stated: Decimal, computed: Decimal, tolerance: Decimal) -> str:
    """'ok', 'tail' (within the 尾数 tolerance) or 'bad'."""
    diff = abs(stated - computed)
    if diff == 0:
        return "ok"
    return "tail" if diff <= tolerance else "bad"


def compare_rate(stated_text: str, fraction: Decimal) -> tuple[str, str] | None:
    """Compare a printed rate (``97.82%`` or ``0.98``) with a fraction, to the printed decimals.

    Returns (verdict, expected text) with verdict 'ok', 'last' (off by one in the last
    printed digit) or 'bad'; None when the text is not a number.
    """
    q = parse_quantity(str(stated_text))
    if q is None:
        return None
    value = fraction * HUNDRED if q.percent else fraction
    expected = round_half_up(value, q.places)
    unit = "%" if q.percent else ""
    diff = abs(q.value - expected)
    ulp = Decimal(1).scaleb(-q.places)
    verdict = "ok" if diff == 0 else "last" if diff == ulp else "bad"
    return verdict, f"{expected:f}{unit}"


def _where(st) -> str:
    return f"（出处：{st.source}）" if getattr(st, "source", None) else ""


class _Checker:
    def __init__(self, sr: ScoredReport):
        self.sr = sr
        self.file = sr.file
        self.tol = sr.rules.tolerance
        self.problems: list = []

    def add(self, code, line, message, expected=None, found=None, severity=None):
        self.problems.append(problem(code, self.file, line, message, expected, found, severity))

    def amount(self, code, line, what, stated, computed, note=""):
        verdict = compare_amount(stated, computed, self.tol)
        if verdict == "ok":
            return
        if verdict == "tail":
            self.add("TAIL_DIFFERENCE", line, f"{what}印为 {plain(stated)}，计算为 {plain(computed)}，相差在尾数容差内{note}",
                     plain(computed), plain(stated))
            return
        self.add(code, line, f"{what}印为 {plain(stated)}，计算为 {plain(computed)}{note}", plain(computed), plain(stated))

    def rate(self, code, line, what, stated_text, fraction, note=""):
        result = compare_rate(stated_text, fraction)
        if result is None:
            self.add("FIELD_INVALID", line, f"{what}“{stated_text}”不是数字")
            return
        verdict, expected = result
        if verdict == "ok":
            return
        code = "RATE_LAST_DIGIT" if verdict == "last" else code
        self.add(code, line, f"{what}印为 {stated_text}，按数据应为 {expected}{note}", expected, stated_text)


# --- the checks --------------------------------------------------------------------------------
def check_weights(sr: ScoredReport, c: _Checker) -> None:
    for node in sr.nodes():
        if node.is_leaf or node.node is None or node.node.weight is None:
            continue
        children = sum((ch.weight for ch in node.children), ZERO)
        if children != node.node.weight:
            names = "、".join(ch.name for ch in node.children)
            c.add("WEIGHT_SUM", node.line, f"“{'/'.join(node.path)}”分值为 {plain(node.node.weight)}，下级（{names}）分值之和为 {plain(children)}",
                  plain(node.node.weight), plain(children))
    rules = sr.rules
    if sr.weight_total != rules.total:
        c.add("WEIGHT_TOTAL", sr.report.line, f"各项分值合计为 {plain(sr.weight_total)}，规则集“{rules.name}”的满分为 {plain(rules.total)}",
              plain(rules.total), plain(sr.weight_total))
    if rules.goals is not None:
        for goal in sr.goals:
            if goal.weight != rules.goals.weight:
                c.add("WEIGHT_SUM", goal.line, f"年度目标“{goal.name}”的分值合计为 {plain(goal.weight)}，规则集规定为 {plain(rules.goals.weight)}",
                      plain(rules.goals.weight), plain(goal.weight))


def check_given_scores(sr: ScoredReport, c: _Checker) -> None:
    """A 得分 written for an indicator whose method computes the score must agree with it."""
    for leaf in sr.leaves():
        if leaf.given is None or leaf.method is None:
            continue
        c.amount("SCORE_MISMATCH", leaf.line, f"指标“{leaf.name}”的得分", leaf.given, leaf.score, f"（{leaf.explanation}）")


def check_stated_nodes(sr: ScoredReport, c: _Checker) -> None:
    for node in sr.nodes():
        if node.node is None:
            continue
        for st in stated_list(node.node.stated):
            line, note, label = st.line or node.line, _where(st), f"“{'/'.join(node.path)}”"
            if st.weight is not None:
                c.amount("WEIGHT_MISMATCH", line, f"{label}的分值", st.weight, node.weight, note)
            if st.score is not None:
                code = "SCORE_MISMATCH" if node.is_leaf else "SUBTOTAL_MISMATCH"
                c.amount(code, line, f"{label}的得分", st.score, node.score, note)
            if st.score_rate is not None and node.weight:
                c.rate("RATE_MISMATCH", line, f"{label}的得分率", st.score_rate, divide(node.score, node.weight), note)
            if st.completion is not None and node.completion is not None:
                c.rate("RATE_MISMATCH", line, f"{label}的完成率", st.completion, node.completion, note)
            if st.actual is not None and node.node.actual is not None:
                actual = parse_actual(node.node.actual)
                if actual.counts is not None and actual.quantity is not None:
                    c.rate("RATE_MISMATCH", line, f"{label}的完成值（{actual.text}）", st.actual, actual.quantity.fraction, note)
            _check_counts(c, line, label, node, st, note)


def _check_counts(c, line, label, node, st, note) -> None:
    levels = _count_levels([node], len(node.path))
    for depth, stated in ((2, st.level2_count), (3, st.level3_count)):
        if stated is None:
            continue
        found = levels.get(depth, 0)
        if found != stated:
            c.add("COUNT_MISMATCH", line, f"{label}印为含 {stated} 个{_LEVEL_ZH[depth]}指标，数据中有 {found} 个{note}", found, stated)


_LEVEL_ZH = {1: "一级", 2: "二级", 3: "三级"}


def _count_levels(nodes, depth: int = 1, counts: dict | None = None) -> dict:
    counts = {} if counts is None else counts
    for n in nodes:
        counts[depth] = counts.get(depth, 0) + 1
        _count_levels(n.children, depth + 1, counts)
    return counts


def check_stated_root(sr: ScoredReport, c: _Checker) -> None:
    levels = _count_levels(sr.tree)
    for st in stated_list(sr.report.stated):
        line, note = st.line or sr.report.line, _where(st)
        if st.total is not None:
            c.amount("TOTAL_MISMATCH", line, "总分", st.total, sr.total, note)
        if st.grade is not None and not sr.rules.same_grade(st.grade, sr.grade):
            c.add("GRADE_MISMATCH", line, f"等级印为“{st.grade}”，按总分 {plain(sr.total)} 应为“{sr.grade}”{note}", sr.grade, st.grade)
        if st.common_score is not None:
            c.amount("SUBTOTAL_MISMATCH", line, "共性指标得分", st.common_score, sr.common_score, note)
        if st.goals_score is not None and sr.goals_score is not None:
            c.amount("SUBTOTAL_MISMATCH", line, "年度目标得分", st.goals_score, sr.goals_score, note)
        if st.completion is not None and sr.completion is not None:
            c.rate("RATE_MISMATCH", line, "指标总体完成率", st.completion, sr.completion, note)
        rate = sr.funds.rate if sr.funds is not None else None
        if st.budget_rate is not None and rate is not None:
            c.rate("RATE_MISMATCH", line, "预算执行率", st.budget_rate, rate, note)
        if st.deviation is not None and rate is not None and sr.completion is not None:
            c.rate("RATE_MISMATCH", line, "预算执行率与指标完成率的偏差", st.deviation, abs(min(rate, Decimal(1)) - sr.completion), note)
        for depth, stated in ((1, st.level1_count), (2, st.level2_count), (3, st.level3_count)):
            if stated is not None and levels.get(depth, 0) != stated:
                c.add("COUNT_MISMATCH", line, f"印为{_LEVEL_ZH[depth]}指标 {stated} 项，数据中有 {levels.get(depth, 0)} 项{note}",
                      levels.get(depth, 0), stated)


def check_goals(sr: ScoredReport, c: _Checker) -> None:
    for goal in sr.goals:
        for st in stated_list(goal.goal.stated):
            if st.score is not None:
                c.amount("SUBTOTAL_MISMATCH", st.line or goal.line, f"年度目标“{goal.name}”的得分", st.score, goal.score, _where(st))


def check_reasons(sr: ScoredReport, c: _Checker) -> None:
    if not sr.rules.reasons_required:
        return
    for leaf in sr.leaves():
        node = leaf.node
        if node is None or not leaf.applicable or leaf.method is None or leaf.score >= leaf.weight:
            continue
        if not (node.deviation or node.reason):
            c.add("REASON_MISSING", leaf.line, f"指标“{leaf.name}”得分 {plain(leaf.score)} 低于分值 {plain(leaf.weight)}，应填写偏差原因")


_COLUMNS = (("initial", "年初预算数"), ("budget", "全年预算数"), ("spent", "全年执行数"))


def check_funds(sr: ScoredReport, c: _Checker) -> None:
    funds, result = sr.report.funds, sr.funds
    if funds is None:
        return
    if funds.parts:
        for attr, label in _COLUMNS:
            total = getattr(funds, attr)
            values = [getattr(row, attr) for row in funds.parts.values()]
            if total is None or any(v is None for v in values):
                continue
            c.amount("FUNDS_SUM", funds.line, f"资金来源明细的{label}之和", sum(values, ZERO), total,
                     f"（{'、'.join(funds.parts)}）")
    if funds.spent is not None and funds.budget is not None and funds.spent > funds.budget:
        c.add("FUNDS_OVERSPENT", funds.line, f"全年执行数 {plain(funds.spent)} 超过全年预算数 {plain(funds.budget)}")
    for st in stated_list(funds.stated):
        line, note = st.line or funds.line, _where(st)
        if st.rate is not None and result.rate is not None:
            c.rate("RATE_MISMATCH", line, "资金执行率", st.rate, result.rate, note)
        if st.arrival_rate is not None and result.arrival_rate is not None:
            c.rate("RATE_MISMATCH", line, "资金到位率", st.arrival_rate, result.arrival_rate, note)
        if st.score is not None and result.score is not None:
            c.amount("SCORE_MISMATCH", line, "资金执行率得分", st.score, result.score, f"（{result.explanation}）{note}")


def check_budget_rate_indicator(sr: ScoredReport, c: _Checker) -> None:
    """An indicator named 预算执行率 must report the same rate as the funds block."""
    if sr.funds is None or sr.funds.rate is None:
        return
    for leaf in sr.leaves():
        node = leaf.node
        if node is None or "预算执行率" not in leaf.name or node.actual is None:
            continue
        actual = parse_actual(node.actual)
        if actual.quantity is None or not actual.quantity.percent or actual.counts is not None:
            continue
        result = compare_rate(node.actual, sr.funds.rate)
        if result is None or result[0] == "ok":
            continue
        verdict, expected = result
        code = "RATE_LAST_DIGIT" if verdict == "last" else "BUDGET_RATE_MISMATCH"
        funds = sr.report.funds
        c.add(code, leaf.line, f"指标“{leaf.name}”的完成值为 {node.actual}，资金执行率 {plain(funds.spent)} ÷ "
              f"{plain(funds.arrived if sr.rules.funds.denominator == '到位数' and funds.arrived is not None else funds.budget)} = {expected}",
              expected, node.actual)


CHECKS = (
    check_weights,
    check_given_scores,
    check_stated_nodes,
    check_stated_root,
    check_goals,
    check_reasons,
    check_funds,
    check_budget_rate_indicator,
)


def run_checks(sr: ScoredReport) -> list:
    checker = _Checker(sr)
    for check in CHECKS:
        check(sr, checker)
    return checker.problems
