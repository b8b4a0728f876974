"""The figures a report's own free-text fields state (年度总体目标, 长期目标, 偏差原因, 说明, 备注),
checked among themselves with :mod:`gongkai.claims`: “共完成预算资金89.97万元。其中:30万元…;
30万元…;29.99万元…” whose parts add up to 89.99 is a CLAIM_MISMATCH at the field's line."""

from __future__ import annotations

from collections.abc import Iterator

from gongkai.claims.fields import field_problems
from gongkai.engine.problems import Problem
from gongkai.performance.records import Report


def _texts(report: Report) -> Iterator[tuple[tuple, str, int | None]]:
    """(path, text, line) of every free-text field of the report that may state figures."""
    goal = report.overall_goal
    if goal is not None:
        for label, text in (("预期目标", goal.expected), ("实际完成情况", goal.achieved)):
            if text:
                yield ("年度总体目标", label), text, goal.line
    for label, text in (("长期目标", report.long_term_goal), ("备注", report.remark)):
        if text:
            yield (label,), text, report.line

    def nodes(items: list, path: tuple) -> Iterator[tuple[tuple, str, int | None]]:
        for node in items:
            here = (*path, node.name)
            for label, text in (("偏差原因", node.deviation), ("理由", node.reason), ("说明", node.note)):
                if text:
                    yield (*here, label), text, node.line
            yield from nodes(node.children or [], here)

    yield from nodes(report.indicators, ("指标",))
    for g in report.goals:
        yield from nodes(g.indicators, ("年度目标", g.name))


def text_claims(report: Report, file: str, figures=None) -> list[Problem]:
    """CLAIM_MISMATCH for each figure a free-text field states that its own figures contradict,
    and CLAIM_DATA for one bound to a figure of the report (``figures``) that differs."""
    return field_problems(_texts(report), file, figures, report.unit, report.year)
