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

from gongkai.engine.basis import is_transcription
from gongkai.engine.checking import Check, Place, Policy, compare_amount, compare_rate
from gongkai.engine.checking import run_checks as run_all
from gongkai.engine.decimals import divide, plain, round_half_up
from gongkai.engine.problems import INFO, Problem
from gongkai.performance.records import AnyFundsRow, stated_list
from gongkai.performance.rulesets import Ruleset
from gongkai.performance.scoring import AMOUNTS, Scored, ScoredReport, parts_sum, sum_or_none
from gongkai.performance.targets import parse_actual, parse_quantity, parse_target

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
                        lambda expected: f"{what}印为 {stated_text}，按数据应为 {expected}{note}",
                        percent=printed_as_percent(q))


def printed_as_percent(q) -> bool:
    """Whether a printed rate is in percent: written with %, or a bare number above 1 (a column
    headed “执行率(%)” prints 100 for 100%); a bare number up to 1 is a fraction (0.98)."""
    return q.percent or q.value > 1


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
        if node.is_leaf or node.node is None or node.node.weight is None or not node.complete:
            continue
        children = sum_or_none(ch.weight for ch in node.children)
        if children is not None and children != node.node.weight:
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
    complete = not sr.report.partial and all(t.complete for t in sr.tree) and all(
        t.complete for g in sr.goals for t in g.tree)
    if complete and sr.weight_total is not None and sr.scored_rows and sr.weight_total != rules.total:
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
            if goal.weight is not None and goal.weight != rules.goals.weight and all(t.complete for t in goal.tree):
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
        if leaf.given is None or leaf.method is None or leaf.score is None:
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

            if st.weight is not None and node.weight is not None:
                found += _amount(at("分值"), "WEIGHT_MISMATCH", f"{label}的分值", st.weight, node.weight, policy, note)
            if st.score is not None and node.score is not None:
                code = "SCORE_MISMATCH" if node.is_leaf else "SUBTOTAL_MISMATCH"
                found += _amount(at("得分"), code, f"{label}的得分", st.score, node.score, policy, note)
            if st.score_rate is not None and node.weight and node.score is not None:
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

        if st.total is not None and sr.total is not None:
            found += _amount(at("总分"), "TOTAL_MISMATCH", "总分", st.total, sr.total, policy, note)
        # The grade follows from the computed total or, when the data does not determine one,
        # from the printed total: a printed grade is checked against whichever there is.
        basis_total = sr.total if sr.total is not None else sr.filed_total
        expected = sr.rules.grade_of(basis_total) if basis_total is not None else None
        if (st.grade is not None and expected is not None and basis_total is not None
                and not sr.rules.same_grade(st.grade, expected)):
            which = "总分" if sr.total is not None else "印出的总分"
            found.append(
                at("等级").problem(
                    "GRADE_MISMATCH",
                    f"等级印为“{st.grade}”，按{which} {plain(basis_total)} 应为“{expected}”{note}",
                    expected,
                    st.grade,
                )
            )
        if st.common_score is not None and sr.common_score is not None:
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
            if st.score is not None and goal.score is not None:
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
        if node is None or not leaf.applicable or leaf.method is None:
            continue
        if leaf.score is None or leaf.weight is None or leaf.score >= leaf.weight:
            continue
        if not (node.deviation or node.reason):
            # In a transcription the blank is the document's: noted (提示), not a finding.
            found.append(
                Place(sr.file, leaf.line, (*path, "偏差原因")).problem(
                    "REASON_MISSING",
                    f"指标“{leaf.name}”得分 {plain(leaf.score)} 低于分值 {plain(leaf.weight)}，"
                    + ("印发文件未填写偏差原因" if is_transcription(sr.basis) else "应填写偏差原因"),
                    severity=INFO if is_transcription(sr.basis) else None,
                )
            )
    return found



def _rows(row: AnyFundsRow, path: tuple) -> Iterator[tuple[AnyFundsRow, tuple]]:
    """Every row of the funds tree with its path (``("资金",)``, ``("资金", "其中", "财政拨款")`` …)."""
    yield row, path
    for name, part in (row.parts or {}).items():
        yield from _rows(part, (*path, "其中", name))


def _label(path: tuple) -> str:
    return "年度资金总额" if len(path) == 1 else f"“{path[-1]}”"


def check_funds(sr: ScoredReport, policy: Policy) -> list[Problem]:
    """Each row's 其中 rows add up to it (when all are given); not overspent; each printed
    执行率 against its row; the total's printed 执行率, 到位率 and 得分."""
    funds, result = sr.report.funds, sr.funds
    if funds is None or result is None:  # the scorer scores funds whenever the report has them
        return []
    found = []
    for row, path in _rows(funds, (FUNDS,)):
        line = row.line or funds.line
        for attr, label in AMOUNTS:
            printed, parts = getattr(row, attr), parts_sum(row, attr)
            if printed is None or parts is None:
                continue
            found += _amount(
                Place(sr.file, line, (*path, label)),
                "FUNDS_SUM",
                f"{_label(path)}的{label}",
                printed,
                parts,
                policy,
                f"（其中各行之和：{'、'.join(row.parts or {})}）",
            )
        if row.spent is not None and row.budget is not None and row.spent > row.budget:
            found.append(Place(sr.file, line, (*path, "全年执行数")).problem(
                "FUNDS_OVERSPENT", f"{_label(path)}的全年执行数 {plain(row.spent)} 超过全年预算数 {plain(row.budget)}"))
        if row is not funds and row.rate is not None and row.spent is not None and row.budget:
            found += _rate(Place(sr.file, line, (*path, "执行率")), "RATE_MISMATCH", f"{_label(path)}的执行率",
                           row.rate, divide(row.spent, row.budget), policy)
    if result.rate is not None:
        for rate, line, note in _printed(funds, "rate"):
            found += _rate(Place(sr.file, line, (FUNDS, "执行率")), "RATE_MISMATCH", "资金执行率",
                           rate, result.rate, policy, _from_parts(result) + note)
    if result.arrival_rate is not None:
        for rate, line, note in _printed(funds, "arrival_rate"):
            found += _rate(Place(sr.file, line, (FUNDS, "到位率")), "RATE_MISMATCH", "资金到位率",
                           rate, result.arrival_rate, policy, note)
    if result.score is not None:
        for score, line, note in _printed(funds, "score"):
            found += _amount(Place(sr.file, line, (FUNDS, "得分")), "SCORE_MISMATCH", "资金执行率得分",
                             score, result.score, policy, f"（{result.explanation}）{note}")
    return found


def _printed(funds, attr: str) -> Iterator[tuple]:
    """(value, line, 出处 note) of a figure the funds block prints: on its own row and in each 原文."""
    places = [(getattr(funds, attr), funds.line, "")]
    places += [(getattr(st, attr), st.line or funds.line, _where(st)) for st in stated_list(funds.stated)]
    return ((value, line, note) for value, line, note in places if value is not None)


def _from_parts(result) -> str:
    return "（年度资金总额与其中各行不符，按其中各行之和计算）" if result.from_parts else ""


def check_full_marks_for_unmet_rate(sr: ScoredReport, policy: Policy) -> list[Problem]:
    """An indicator for the funds' 到位率 or 执行率 given full marks while the funds' own rate
    (computed from the funds block) falls short of the indicator's target (100% when none)."""
    result = sr.funds
    if result is None:
        return []
    found = []
    for leaf, path in _located_leaves(sr):
        node = leaf.node
        if node is None or leaf.score is None or leaf.weight is None or leaf.score < leaf.weight or not leaf.weight:
            continue
        if "到位率" in leaf.name:
            rate, what = result.arrival_rate, "资金到位率"
        elif "预算执行率" in leaf.name or leaf.name in ("执行率", "资金执行率"):
            rate, what = result.rate, "资金执行率"
        else:
            continue
        if rate is None:
            continue
        target = parse_target(node.target) if node.target is not None else None
        goal = target.quantity.fraction if target is not None and target.quantity is not None and \
            target.quantity.percent else Decimal(1)
        if rate < goal:
            found.append(Place(sr.file, leaf.line, (*path, "得分")).problem(
                "FULL_MARKS_UNMET",
                f"指标“{leaf.name}”得满分 {plain(leaf.score)}，而按资金数据{what}为 "
                f"{plain(round_half_up(rate * 100, 2))}%，未达到 {plain(round_half_up(goal * 100, 2))}%",
            ))
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
        # the figures the rate came from: the total row, or its 其中 rows when it printed none
        source = result.source
        assert source is not None  # the scorer records the row it computed the rate from
        spent, denominator = source.spent, result.denominator
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
    Check("full_marks_unmet", "资金比率指标的满分", check_full_marks_for_unmet_rate),
)


def run_checks(sr: ScoredReport, policy: Policy | None = None, timings: dict | None = None) -> list[Problem]:
    """Every check of :data:`CHECKS` on a scored report (with ``timings``: each one timed)."""
    return run_all(CHECKS, sr, policy or policy_of(sr.rules), timings)
