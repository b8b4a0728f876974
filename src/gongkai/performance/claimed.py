"""The figures of a performance report that its prose may quote, by the names claims bind to
(:mod:`gongkai.claims.binding`): 总分, 预算执行率, 资金到位率, 节余, each indicator's 得分 by
its name (a name used twice is left out: the prose could mean either), and how many 一级,
二级 and 三级 indicators the table has (only when the whole table was transcribed)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from gongkai.claims.binding import INDICATOR
from gongkai.performance.scoring import ScoredReport

_LEVELS = ("一级指标个数", "二级指标个数", "三级指标个数")


def claimed_figures(result: ScoredReport) -> dict[str, Decimal | None]:
    funds = result.funds
    figures: dict[str, Decimal | None] = {
        "总分": result.total_figure.shown(result.basis)[0],  # type: ignore[dict-item]
        "预算执行率": funds.rate if funds is not None else None,
        "资金到位率": funds.arrival_rate if funds is not None else None,
        "节余": _balance(result),
    }
    figures.update(_indicator_scores(result))
    figures.update(_level_counts(result))
    return figures


def _balance(result: ScoredReport) -> Decimal | None:
    """The 节余 the funds table printed, else 全年预算数 − 全年执行数 of the row the rate used."""
    funds = result.report.funds
    if funds is None:
        return None
    if funds.balance is not None:
        return funds.balance
    source = result.funds.source if result.funds is not None else None
    budget, spent = getattr(source, "budget", None), getattr(source, "spent", None)
    return budget - spent if budget is not None and spent is not None else None


def _indicator_scores(result: ScoredReport) -> dict[str, Decimal | None]:
    nodes = list(result.nodes())
    times = Counter(node.name for node in nodes)
    return {INDICATOR + node.name: node.score_figure.shown(result.basis)[0]
            for node in nodes if times[node.name] == 1}


def _level_counts(result: ScoredReport) -> dict[str, Decimal | None]:
    """How many indicators there are at each level, counted over every 年度目标's table."""
    tops = list(result.tree) + [top for goal in result.goals for top in goal.tree]
    if not tops or result.report.partial or not all(top.complete for top in tops):
        return {}
    counts = [0, 0, 0]
    level = tops
    for depth in range(3):
        counts[depth] = len(level)
        level = [child for node in level for child in node.children]
    if level or not all(counts):  # not a three-level table: the names 一级/二级/三级 may mean other rows
        return {}
    return {name: Decimal(n) for name, n in zip(_LEVELS, counts, strict=True)}
