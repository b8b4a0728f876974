"""The checks of a scored report: small pure functions ``(scored report, policy) -> problems``,
listed with their names in :data:`CHECKS` and run in that order by :func:`run_checks`.

Each compares what the data says with what gongkai computed, or checks an identity
(weights add up, funds add up), through the one vocabulary of :mod:`gongkai.engine.checking`:
differences within the ruleset's 尾数容差 are notes, rates are compared at the printed
decimals. Every problem carries its structured path (``("指标", …, "得分")``).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from gongkai.engine.checking import Check, Place, Policy, compare_amount, compare_rate
from gongkai.engine.checking import run_checks as run_all
from gongkai.engine.decimals import ZERO, divide, plain
from gongkai.engine.problems import Problem
from gongkai.performance.records import stated_list
from gongkai.performance.rulesets import Ruleset
from gongkai.performance.scoring import Scored, ScoredReport
from gongkai.performance.targets import parse_actual, parse_quantity

REPORT = "报告"  # the first element of the path of a whole-report figure
INDICATORS = "指标"
GOALS = "年度目标"
FUNDS = "资金"


def policy_of(rules: Ruleset) -> Policy:
    """The comparison policy of a ruleset: its 尾数容差; rates as everywhere."""
    return Policy(money_tail=rules.tolerance)


# --- comparing one stated figure, worded for these reports --------------------------------------


def _amount(
    at: Place, code: str, what: str, stated: Decimal, computed: Decimal, policy: Policy, note: str = ""
) -> list[Problem]:
    return compare_amount(
        at, code, stated, computed, policy,
        lambda: f"{what}印为 {plain(stated)}，计算为 {plain(computed)}{note}",
        tail_message=lambda: f"{what}印为 {plain(stated)}，计算为 {plain(computed)}，相差在尾数容差内{note}",
    )


def _rate(
    at: Place, code: str, what: str, stated_text, fraction: Decimal, policy: Policy, note: str = ""
) -> list[Problem]:
    """A printed rate (``97.82%`` or ``0.98``); text that is not a number is FIELD_INVALID."""
    q = parse_quantity(str(stated_text))
    if q is None:
        return [at.problem("FIELD_INVALID", f"{what}“{stated_text}”不是数字")]
    return compare_rate(at, code, stated_text, q.value, fraction, policy,
                        lambda expected: f"{what}印为 {stated_text}，按数据应为 {expected}{note}", percent=q.percent)


def _where(st) -> str:
    return f"（出处：{st.source}）" if getattr(st, "source", None) else ""


def _located(sr: ScoredReport) -> Iterator[tuple[Scored, tuple]]:
    """Every node with the path of its part (as ``sr.nodes()``: the indicators, then the goals')."""
    for top in sr.tree:
        for node in top.walk():
            yield node, (INDICATORS, *node.path)
    for goal in sr.goals:
        for top in goal.tree:
            for node in top.walk():
                yield node, (GOALS, *node.path)  # a goal's node paths begin with the goal's name


def _located_leaves(sr: ScoredReport) -> Iterator[tuple[Scored, tuple]]:
    return ((node, path) for node, path in _located(sr) if node.is_leaf)


# --- the checks ----------------------------------------------------------------------------------


def check_weights(sr: ScoredReport, policy: Policy) -> list[Problem]:
    """Children's weights add up to their parent; all weights to the ruleset's total; each goal to its weight."""
    found = []
    for node, path in _located(sr):
        if node.is_leaf or node.node is None or node.node.weight is None:
            continue
        children = sum((ch.weight for ch in node.children), ZERO)
        if children != node.node.weight:
            names = "、".join(ch.name for ch in node.children)
            found.append(
                Place(sr.file, node.line, (*path, "分值")).problem(
                    "WEIGHT_SUM",
                    f"“{'/'.join(node.path)}”分值为 {plain(node.node.weight)}，"
                    f"下级（{names}）分值之和为 {plain(children)}",
                    plain(node.node.weight),
                    plain(children),
                )
            )
    rules = sr.rules
    if sr.weight_total != rules.total:
        found.append(
            Place(sr.file, sr.report.line, (REPORT, "分值")).problem(
                "WEIGHT_TOTAL",
                f"各项分值合计为 {plain(sr.weight_total)}，规则集“{rules.name}”的满分为 {plain(rules.total)}",
                plain(rules.total),
                plain(sr.weight_total),
            )
        )
    if rules.goals is not None:
        for goal in sr.goals:
            if goal.weight != rules.goals.weight:
                found.append(
                    Place(sr.file, goal.line, (GOALS, goal.name, "分值")).problem(
                        "WEIGHT_SUM",
                        f"年度目标“{goal.name}”的分值合计为 {plain(goal.weight)}，"
                        f"规则集规定为 {plain(rules.goals.weight)}",
                        plain(rules.goals.weight),
                        plain(goal.weight),
                    )
                )
    return found


def check_given_scores(sr: ScoredReport, policy: Policy) -> list[Problem]:
    """A 得分 written for an indicator whose method computes the score must agree with it."""
    found = []
    for leaf, path in _located_leaves(sr):
        if leaf.given is None or leaf.method is None:
            continue
        found += _amount(Place(sr.file, leaf.line, (*path, "得分")), "SCORE_MISMATCH", f"指标“{leaf.name}”的得分",
                         leaf.given, leaf.score, policy, f"（{leaf.explanation}）")
    return found


def check_stated_nodes(sr: ScoredReport, policy: Policy) -> list[Problem]:
    """What the 原文 prints for an indicator: 分值, 得分, 得分率, 完成率, 完成值 and counts."""
    found = []
    for node, path in _located(sr):
        if node.node is None:
            continue
        for st in stated_list(node.node.stated):
            line, note, label = st.line or node.line, _where(st), f"“{'/'.join(node.path)}”"

            def at(figure: str) -> Place:
                return Place(sr.file, line, (*path, figure))

            if st.weight is not None:
                found += _amount(at("分值"), "WEIGHT_MISMATCH", f"{label}的分值", st.weight, node.weight, policy, note)
            if st.score is not None:
                code = "SCORE_MISMATCH" if node.is_leaf else "SUBTOTAL_MISMATCH"
                found += _amount(at("得分"), code, f"{label}的得分", st.score, node.score, policy, note)
            if st.score_rate is not None and node.weight:
                found += _rate(
                    at("得分率"),
                    "RATE_MISMATCH",
                    f"{label}的得分率",
                    st.score_rate,
                    divide(node.score, node.weight),
                    policy,
                    note,
                )
            if st.completion is not None and node.completion is not None:
                found += _rate(
                    at("完成率"), "RATE_MISMATCH", f"{label}的完成率", st.completion, node.completion, policy, note
                )
            if st.actual is not None and node.node.actual is not None:
                actual = parse_actual(node.node.actual)
                if actual.counts is not None and actual.quantity is not None:
                    found += _rate(
                        at("完成值"),
                        "RATE_MISMATCH",
                        f"{label}的完成值（{actual.text}）",
                        st.actual,
                        actual.quantity.fraction,
                        policy,
                        note,
                    )
            levels = _count_levels([node], len(node.path))
            for depth, stated in ((2, st.level2_count), (3, st.level3_count)):
                if stated is not None and levels.get(depth, 0) != stated:
                    found.append(
                        at(f"{_LEVEL_ZH[depth]}指标个数").problem(
                            "COUNT_MISMATCH",
                            f"{label}印为含 {stated} 个{_LEVEL_ZH[depth]}指标，"
                            f"数据中有 {levels.get(depth, 0)} 个{note}",
                            levels.get(depth, 0),
                            stated,
                        )
                    )
    return found


_LEVEL_ZH = {1: "一级", 2: "二级", 3: "三级"}


def _count_levels(nodes, depth: int = 1, counts: dict | None = None) -> dict:
    counts = {} if counts is None else counts
    for n in nodes:
        counts[depth] = counts.get(depth, 0) + 1
        _count_levels(n.children, depth + 1, counts)
    return counts


def check_stated_root(sr: ScoredReport, policy: Policy) -> list[Problem]:
    """What the 原文 prints for the whole report: 总分, 等级, subtotals, rates and counts."""
    found = []
    levels = _count_levels(sr.tree)
    for st in stated_list(sr.report.stated):
        line, note = st.line or sr.report.line, _where(st)

        def at(figure: str) -> Place:
            return Place(sr.file, line, (REPORT, figure))

        if st.total is not None:
            found += _amount(at("总分"), "TOTAL_MISMATCH", "总分", st.total, sr.total, policy, note)
        if st.grade is not None and not sr.rules.same_grade(st.grade, sr.grade):
            found.append(
                at("等级").problem(
                    "GRADE_MISMATCH",
                    f"等级印为“{st.grade}”，按总分 {plain(sr.total)} 应为“{sr.grade}”{note}",
                    sr.grade,
                    st.grade,
                )
            )
        if st.common_score is not None:
            found += _amount(
                at("共性指标得分"), "SUBTOTAL_MISMATCH", "共性指标得分", st.common_score, sr.common_score, policy, note
            )
        if st.goals_score is not None and sr.goals_score is not None:
            found += _amount(
                at("年度目标得分"), "SUBTOTAL_MISMATCH", "年度目标得分", st.goals_score, sr.goals_score, policy, note
            )
        if st.completion is not None and sr.completion is not None:
            found += _rate(
                at("指标总体完成率"), "RATE_MISMATCH", "指标总体完成率", st.completion, sr.completion, policy, note
            )
        rate = sr.funds.rate if sr.funds is not None else None
        if st.budget_rate is not None and rate is not None:
            found += _rate(at("预算执行率"), "RATE_MISMATCH", "预算执行率", st.budget_rate, rate, policy, note)
        if st.deviation is not None and rate is not None and sr.completion is not None:
            found += _rate(
                at("预算执行率与指标完成率的偏差"),
                "RATE_MISMATCH",
                "预算执行率与指标完成率的偏差",
                st.deviation,
                abs(min(rate, Decimal(1)) - sr.completion),
                policy,
                note,
            )
        for depth, stated in ((1, st.level1_count), (2, st.level2_count), (3, st.level3_count)):
            if stated is not None and levels.get(depth, 0) != stated:
                found.append(
                    at(f"{_LEVEL_ZH[depth]}指标个数").problem(
                        "COUNT_MISMATCH",
                        f"印为{_LEVEL_ZH[depth]}指标 {stated} 项，数据中有 {levels.get(depth, 0)} 项{note}",
                        levels.get(depth, 0),
                        stated,
                    )
                )
    return found


def check_goals(sr: ScoredReport, policy: Policy) -> list[Problem]:
    """A 年度目标's printed 得分 against its computed one."""
    found = []
    for goal in sr.goals:
        for st in stated_list(goal.goal.stated):
            if st.score is not None:
                found += _amount(Place(sr.file, st.line or goal.line, (GOALS, goal.name, "得分")), "SUBTOTAL_MISMATCH",
                                 f"年度目标“{goal.name}”的得分", st.score, goal.score, policy, _where(st))
    return found


def check_reasons(sr: ScoredReport, policy: Policy) -> list[Problem]:
    """A score below the weight needs a 偏差原因 (when the ruleset requires one)."""
    if not sr.rules.reasons_required:
        return []
    found = []
    for leaf, path in _located_leaves(sr):
        node = leaf.node
        if node is None or not leaf.applicable or leaf.method is None or leaf.score >= leaf.weight:
            continue
        if not (node.deviation or node.reason):
            found.append(
                Place(sr.file, leaf.line, (*path, "偏差原因")).problem(
                    "REASON_MISSING",
                    f"指标“{leaf.name}”得分 {plain(leaf.score)} 低于分值 {plain(leaf.weight)}，应填写偏差原因",
                )
            )
    return found


_COLUMNS = (("initial", "年初预算数"), ("budget", "全年预算数"), ("spent", "全年执行数"))


def check_funds(sr: ScoredReport, policy: Policy) -> list[Problem]:
    """The funds' 其中 rows add up; not overspent; the printed 执行率, 到位率 and 得分."""
    funds, result = sr.report.funds, sr.funds
    if funds is None or result is None:  # the scorer scores funds whenever the report has them
        return []
    found = []
    if funds.parts:
        for attr, label in _COLUMNS:
            total = getattr(funds, attr)
            values = [getattr(row, attr) for row in funds.parts.values()]
            if total is None or any(v is None for v in values):
                continue
            found += _amount(
                Place(sr.file, funds.line, (FUNDS, "其中", label)),
                "FUNDS_SUM",
                f"资金来源明细的{label}之和",
                sum(values, ZERO),
                total,
                policy,
                f"（{'、'.join(funds.parts)}）",
            )
    if funds.spent is not None and funds.budget is not None and funds.spent > funds.budget:
        found.append(Place(sr.file, funds.line, (FUNDS, "全年执行数")).problem(
            "FUNDS_OVERSPENT", f"全年执行数 {plain(funds.spent)} 超过全年预算数 {plain(funds.budget)}"))
    for st in stated_list(funds.stated):
        line, note = st.line or funds.line, _where(st)
        if st.rate is not None and result.rate is not None:
            found += _rate(
                Place(sr.file, line, (FUNDS, "执行率")),
                "RATE_MISMATCH",
                "资金执行率",
                st.rate,
                result.rate,
                policy,
                note,
            )
        if st.arrival_rate is not None and result.arrival_rate is not None:
            found += _rate(
                Place(sr.file, line, (FUNDS, "到位率")),
                "RATE_MISMATCH",
                "资金到位率",
                st.arrival_rate,
                result.arrival_rate,
                policy,
                note,
            )
        if st.score is not None and result.score is not None:
            found += _amount(
                Place(sr.file, line, (FUNDS, "得分")),
                "SCORE_MISMATCH",
                "资金执行率得分",
                st.score,
                result.score,
                policy,
                f"（{result.explanation}）{note}",
            )
    return found


def check_budget_rate_indicator(sr: ScoredReport, policy: Policy) -> list[Problem]:
    """An indicator named 预算执行率 must report the same rate as the funds block."""
    result = sr.funds
    if result is None or result.rate is None:
        return []
    found = []
    for leaf, path in _located_leaves(sr):
        node = leaf.node
        if node is None or "预算执行率" not in leaf.name or node.actual is None:
            continue
        actual = parse_actual(node.actual)
        if actual.quantity is None or not actual.quantity.percent or actual.counts is not None:
            continue
        q = parse_quantity(str(node.actual))
        if q is None:
            continue
        funds = sr.report.funds
        assert funds is not None  # the scorer scores funds only when the report has them
        spent, denominator = funds.spent, result.denominator
        assert spent is not None and denominator is not None  # the 执行率 divides one by the other
        found += compare_rate(
            Place(sr.file, leaf.line, (*path, "完成值")),
            "BUDGET_RATE_MISMATCH",
            node.actual,
            q.value,
            result.rate,
            policy,
            lambda expected: (
                f"指标“{leaf.name}”的完成值为 {node.actual}，"
                f"资金执行率 {plain(spent)} ÷ {plain(denominator)} = {expected}"
            ),
            percent=q.percent,
        )
    return found


CHECKS: tuple[Check[ScoredReport], ...] = (
    Check("weights", "分值之和", check_weights),
    Check("given_scores", "写明的得分", check_given_scores),
    Check("stated_nodes", "原文中指标的数字", check_stated_nodes),
    Check("stated_root", "原文中的总分、等级和比率", check_stated_root),
    Check("goals", "年度目标得分", check_goals),
    Check("reasons", "偏差原因", check_reasons),
    Check("funds", "资金", check_funds),
    Check("budget_rate_indicator", "预算执行率指标", check_budget_rate_indicator),
)


def run_checks(sr: ScoredReport, policy: Policy | None = None, timings: dict | None = None) -> list[Problem]:
    """Every check of :data:`CHECKS` on a scored report (with ``timings``: each one timed)."""
    return run_all(CHECKS, sr, policy or policy_of(sr.rules), timings)
