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


# ---- 部门决算 -------------------------------------------------------------------------

def final_json_bytes(fr) -> bytes:
    """``数据`` as entered and ``计算结果``: every table derived, every figure of the 情况说明."""
    data = fr.report.model_dump(by_alias=True, exclude_none=True)
    tables = [
        {
            "表号": t.position or t.number,
            "表名": t.title,
            "栏": [
                {"名称": side.title, "列": list(side.columns), "行": [{"编码": l.code, "名称": l.name, "行次": l.number, "数": [_plain(v) for v in l.values]} for l in side.lines]}
                for side in t.sides
            ],
            "空表说明": t.empty_note,
        }
        for t in fr.tables
    ]
    figures = {k: _plain(v) for k, v in (fr.derived.totals.items() if fr.derived else [])}
    body = {"数据": _plain(data), "计算结果": {"file": fr.file, "kind": fr.report.kind, "tables": tables, "figures": figures}}
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


FINAL_CSV_HEADER = ("表号", "表名", "栏", "行次", "科目编码", "项目", "列", "金额")


def final_csv_bytes(fr) -> bytes:
    """Every figure of the nine tables, one per line (long format), as Excel and scripts read it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FINAL_CSV_HEADER)
    for t in fr.tables:
        for side in t.sides:
            for line in side.lines:
                for column, value in zip(side.columns, line.values):
                    if value is None:
                        continue
                    writer.writerow((t.position or t.number, t.title, side.title or "", line.number or "", line.code, line.name, column, f"{value:f}"))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
