"""Row models for indicator tables with merged cells, as the official tables print them.

A table is a list of rows; each row carries, for every level column, either a cell
``(name, rowspan, colspan)`` where that indicator starts, or ``None`` where the cell
above spans over it. Templates only loop; all geometry is decided here."""

from __future__ import annotations

from dataclasses import dataclass, field

from gongkai.performance.scoring import Scored

LEVEL_NAMES = ("一级指标", "二级指标", "三级指标", "四级指标", "五级指标", "六级指标")


@dataclass
class Cell:
    node: Scored
    rowspan: int
    colspan: int = 1


@dataclass
class Row:
    leaf: Scored
    cells: list  # one entry per level down to the leaf: Cell, or None (covered by a rowspan)
    number: int = 0  # 1-based leaf number, for footnotes


HEADINGS = {
    "指标值": "年度指标值",
    "完成值": "实际完成值",
    "分值": "分值",
    "得分": "得分",
    "偏差原因": "偏差原因分析及改进措施",
}


@dataclass
class IndicatorTable:
    depth: int
    rows: list
    columns: dict = field(default_factory=dict)  # which optional columns to show
    part: str = "指标"  # the first element of its figures' paths: 指标, or 年度目标
    headings: dict = field(default_factory=lambda: dict(HEADINGS))  # as the document prints them

    @property
    def level_names(self) -> tuple:
        return LEVEL_NAMES[: self.depth]

    def where(self, node: Scored, *figure: str) -> tuple:
        """The structured path of a figure of ``node`` (as problems carry it)."""
        return (self.part, *node.path, *figure)

    @property
    def width(self) -> int:
        return self.depth + sum(1 for shown in self.columns.values() if shown)


def _depth(nodes: list) -> int:
    return max((1 + _depth(n.children) for n in nodes), default=0)


def _leaf_count(node: Scored) -> int:
    return 1 if node.is_leaf else sum(_leaf_count(c) for c in node.children)


def indicator_table(tree: list, part: str = "指标", headings: dict | None = None) -> IndicatorTable:
    """The merged-cell layout of a scored indicator tree. Columns follow the data: a 分值 or
    得分 column only when some row has one (a 对比表 prints 计划值 and 完成情况 alone, and then
    each row's status), headed as the document heads them (``headings``, from 列名)."""
    depth = max(_depth(tree), 1)
    rows: list[Row] = []

    def visit(node: Scored, level: int, opened: list):
        # A leaf above the deepest level spans the remaining level columns, so a row has
        # one entry per level down to its leaf: a Cell where an indicator starts, None
        # where the cell above spans over it.
        opened = opened + [Cell(node, _leaf_count(node), depth - level if node.is_leaf else 1)]
        if node.is_leaf:
            rows.append(Row(node, opened, len(rows) + 1))
            return
        for i, child in enumerate(node.children):
            visit(child, level + 1, opened if i == 0 else [None] * len(opened))

    for top in tree:
        visit(top, 0, [])
    leaves = [r.leaf for r in rows]
    nodes = [n for top in tree for n in top.walk()]
    weights = any(n.weight is not None for n in nodes)
    scores = any(n.score is not None or n.filed_score is not None for n in nodes)
    named = set(headings or {})  # a column the document prints (列名) is shown even when it is empty
    columns = {
        "target": "指标值" in named or any(_has(l, "target") for l in leaves),
        "actual": "完成值" in named or any(_has(l, "actual") for l in leaves),
        "weight": weights or "分值" in named,
        "score": scores or "得分" in named,
        "status": not weights and not scores,
        "deviation": "偏差原因" in named or any(_has(l, "deviation") or _has(l, "reason") for l in leaves),
    }
    return IndicatorTable(depth, rows, columns, part, {**HEADINGS, **(headings or {})})


def _has(node: Scored, attr: str) -> bool:
    return node.node is not None and getattr(node.node, attr, None) not in (None, "")

