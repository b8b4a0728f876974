"""Open data published beside each report page: the original YAML, JSON with the
computed scores, and CSV of the indicator rows (UTF-8 with BOM so Excel opens it)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from ..output import score_json
from ..scoring import ScoredReport


def _plain(value):
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def json_bytes(sr: ScoredReport) -> bytes:
    """``数据``: the report as entered (numbers as exact text); ``计算结果``: gongkai score."""
    data = sr.report.model_dump(by_alias=True, exclude_none=True, exclude_defaults=False)
    body = {"数据": _plain(data), "计算结果": score_json(sr)}
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


CSV_HEADER = ("年度目标", "一级指标", "二级指标", "三级指标", "四级指标", "指标值", "完成值", "分值", "得分", "计分方法", "计分说明", "偏差原因")


def csv_bytes(sr: ScoredReport) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    trees = [("", sr.tree)] + [(g.name, g.tree) for g in sr.goals]
    for goal, tree in trees:
        for top in tree:
            for leaf in top.leaves():
                levels = list(leaf.path[1:] if goal else leaf.path)
                levels = (levels + [""] * 4)[:4]
                node = leaf.node
                writer.writerow(
                    (
                        goal,
                        *levels,
                        getattr(node, "target", None) or "",
                        getattr(node, "actual", None) or "",
                        f"{leaf.weight:f}",
                        f"{leaf.score:f}" if leaf.applicable else "不适用",
                        leaf.method or "",
                        leaf.explanation,
                        (getattr(node, "deviation", None) or getattr(node, "reason", None) or ""),
                    )
                )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
