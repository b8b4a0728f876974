"""Open data published beside each report page: the original YAML, JSON with the filed figures
(as entered) and the computed ones side by side, and CSV of the indicator rows with a 印发得分
and a 计算得分 column (UTF-8 with BOM so Excel opens it).

Numbers, in the JSON and in the CSV, are their exact decimal text ("96.80", never a float),
written by :func:`gongkai.engine.output.json_number`; in the JSON they are strings, and an
absent number is ``null``.

Every text cell of the CSV and of the Excel workbooks goes through :func:`safe_cell`, so
that no name taken from a contributor's data is ever a formula in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from gongkai.engine.basis import findings
from gongkai.engine.decimals import percent
from gongkai.engine.output import json_dumps, json_number, score_json
from gongkai.performance.scoring import ScoredReport


def _json_bytes(body: dict) -> bytes:
    """A download's JSON: Decimals anywhere in ``body`` as their exact text (json_number)."""
    return (json_dumps(body) + "\n").encode("utf-8")


# ---- formula injection (OWASP "CSV injection") --------------------------------------

# A cell whose text begins with one of these is read as a formula (or DDE command) by
# Excel, LibreOffice or WPS; the full-width forms are converted by some of them.
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def _needs_quote(text: str) -> bool:
    rest = text.lstrip("'")
    if not rest or rest[0] not in FORMULA_STARTS:
        return False
    # a plain number (-12.30, +5, -3%) is a number to every spreadsheet, never a formula
    return text.startswith("'") or not _PLAIN_NUMBER.fullmatch(text)


def safe_cell(value):
    """The value to write in a CSV or Excel cell: text that a spreadsheet would take for a
    formula gets a leading ``'`` (the OWASP rule); numbers and plain numeric text as they are.

    Text already beginning with ``'`` before such a character gets one more, so that
    :func:`unquote_cell` gives back exactly the original text."""
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def unquote_cell(value):
    """The text :func:`safe_cell` was given (for reading back a workbook we wrote)."""
    if isinstance(value, str) and value.startswith("'") and _needs_quote(value[1:]):
        return value[1:]
    return value


def _safe_row(row) -> list:
    """A CSV row: every cell is text to the csv module, so anything not a number is checked as text."""
    return [v if v is None or isinstance(v, (int, Decimal)) else safe_cell(str(v)) for v in row]


def json_bytes(sr: ScoredReport) -> bytes:
    """``数据``: the report as entered, its filed figures as transcribed (numbers as exact text);
    ``计算结果``: what gongkai computes (``total`` None when the data does not determine it;
    ``filed_total``/``filed_score`` the document's own); ``核对``: the findings about it."""
    data = sr.report.model_dump(by_alias=True, exclude_none=True, exclude_defaults=False)
    checks = [p.as_dict() for p in findings(sr.problems)]
    return _json_bytes({"数据": data, "计算结果": score_json(sr), "口径": sr.basis, "核对": checks})


CSV_HEADER = (
    "年度目标", "一级指标", "二级指标", "三级指标", "四级指标",
    "指标值", "完成值", "分值", "印发得分", "计算得分", "完成状态", "计分方法", "计分说明", "偏差原因",
)  # fmt: skip


FUNDS_ROW = "项目资金"  # the 一级指标 cell of the funds row (its 三级指标: 预算执行率)


def csv_bytes(sr: ScoredReport) -> bytes:
    """One row per leaf indicator, after a row for the scored funds (the 执行率's 分值 and 得分
    of a 自评表): the 印发得分 column adds up to the filed 总分 and the 计算得分 column to the
    computed one, as the printed table does (a report averaging its 年度目标 excepted)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    funds, result = sr.report.funds, sr.funds
    if funds is not None and result is not None and result.weight is not None:
        rate = result.filed_rate(funds) or (percent(result.rate) if result.rate is not None else "")
        row = (
            "", FUNDS_ROW, "", "预算执行率", "",  # 年度目标, 一级 … 四级指标
            "", rate,  # 指标值 (none), 完成值: the 执行率 as printed, else as computed
            json_number(result.weight), json_number(result.filed_score(funds)), json_number(result.score),
            "", "", result.explanation, "",
        )  # fmt: skip
        writer.writerow(_safe_row(row))
    trees = [("", sr.tree)] + [(g.name, g.tree) for g in sr.goals]
    for goal, tree in trees:
        for top in tree:
            for leaf in top.leaves():
                levels = list(leaf.path[1:] if goal else leaf.path)
                levels = (levels + [""] * 4)[:4]
                node = leaf.node
                row = (
                    goal,
                    *levels,
                    getattr(node, "target", None) or "",
                    getattr(node, "actual", None) or "",
                    json_number(leaf.weight),
                    json_number(leaf.filed_score),
                    json_number(leaf.score_figure.computed) if leaf.applicable else "不适用",
                    leaf.status or "",
                    leaf.method or "",
                    leaf.explanation,
                    (getattr(node, "deviation", None) or getattr(node, "reason", None) or ""),
                )
                writer.writerow(_safe_row(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
