"""Open data of a 部门决算: JSON and CSV with every figure in its two roles, and the workbook.

Every figure of a table has a *filed* value (``原文``: what the 原表 prints, None when not
printed or not transcribed) and a *computed* one (``计算``: what gongkai derives from the data,
None when the data does not determine it); ``数``/``金额`` is the one the page shows by the
report's 口径 (原文: the filed one when there is one). Numbers are their exact decimal text
(:func:`gongkai.engine.output.json_number`), absent ones ``null`` (JSON) or an empty cell (CSV).

- JSON: ``数据`` (the record as entered) and ``计算结果``: ``口径``, the tables (each row with
  ``数``, ``原文`` and ``计算``, three lists in the order of ``列``), the named figures
  (``数字``: ``{"数": …, "原文": …, "计算": …}``) and the ``核对`` problems (code, severity,
  message, line, path) that the page numbers in its 核对说明.
- CSV (long format, one figure a line): 表号, 表名, 栏, 行次, 科目编码, 项目, 列, 金额, 来源
  (原文 or 计算: which role 金额 is), 原文, 计算, 核对 (the codes of the problems about it).
- Excel: on a transcription (口径 原文 or 计算) the tables as printed (原表) only, so that
  ``gongkai import`` of the workbook gives back the filed record and never turns a computed
  figure into a filed one; under 编制 the derived tables.
"""

from __future__ import annotations

import csv
import io

from gongkai.engine.basis import is_transcription
from gongkai.engine.output import json_number
from gongkai.final_accounts.identities import path_of
from gongkai.final_accounts.layout import ORDERS
from gongkai.render.opendata import _json_bytes, _safe_row

ROLE_ZH = {"filed": "原文", "computed": "计算"}


def _numbers(values) -> list:
    return [None if v is None else json_number(v) for v in values or []]


def _codes_by_path(fr) -> dict:
    out: dict = {}
    for p in fr.problems:
        if p.path:
            out.setdefault(tuple(p.path), []).append(p.code)
    return out


def final_json_bytes(fr) -> bytes:
    """``数据`` as entered and ``计算结果``: the tables shown, each figure in its roles; the named
    figures; the problems."""
    data = fr.report.model_dump(by_alias=True, exclude_none=True)
    tables = [
        {
            "表号": t.position or t.number,
            "标准表号": t.number,
            "表名": t.title,
            "栏": [
                {
                    "名称": side.title,
                    "列": list(side.columns),
                    "行": [
                        {
                            "编码": line.code,
                            "名称": line.name,
                            "行次": line.number,
                            "数": _numbers(line.values),
                            "原文": _numbers(line.filed),
                            "计算": _numbers(line.computed),
                        }
                        for line in side.lines
                    ],
                }
                for side in t.sides
            ],
            "空表说明": t.empty_note,
        }
        for t in fr.tables
    ]
    figures = {
        name: {
            "数": json_number(f.shown(fr.basis)[0]),
            "原文": None if f.filed is None else json_number(f.filed),
            "计算": None if f.computed is None else json_number(f.computed),
        }
        for name, f in fr.figures.items()
    }
    problems = [
        {"code": p.code, "severity": p.severity, "message": p.message, "line": p.line, "path": p.path}
        for p in fr.problems
    ]
    computed = {
        "file": fr.file,
        "kind": fr.report.kind,
        "口径": fr.basis,
        "tables": tables,
        "figures": {name: value["数"] for name, value in figures.items()},
        "数字": figures,
        "核对": problems,
    }
    return _json_bytes({"数据": data, "计算结果": computed})


FINAL_CSV_HEADER = ("表号", "表名", "栏", "行次", "科目编码", "项目", "列", "金额", "来源", "原文", "计算", "核对")


def final_csv_bytes(fr) -> bytes:
    """Every figure of the tables shown, one per line (long format), as Excel and scripts read it."""
    codes = _codes_by_path(fr)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FINAL_CSV_HEADER)
    for t in fr.tables:
        for side in t.sides:
            for line in side.lines:
                for i, column in enumerate(side.columns):
                    figure = line.figure(i)
                    value, role = figure.shown(fr.basis)
                    if value is None:
                        continue
                    row = (t.position or t.number, t.title, side.title or "", line.number or "", line.code, line.name)
                    found = "；".join(codes.get(path_of(t, side, line, column), []))
                    filed = "" if figure.filed is None else json_number(figure.filed)
                    computed = "" if figure.computed is None else json_number(figure.computed)
                    role_zh = ROLE_ZH.get(role or "", "")
                    writer.writerow(_safe_row((*row, column, json_number(value), role_zh, filed, computed, found)))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def workbook_tables(fr) -> list:
    """The tables the Excel download holds: on a transcription the printed ones (原表) in the
    record's 表序, else (or with no 原表) the tables shown."""
    if not (is_transcription(fr.basis) and fr.printed):
        return fr.tables
    out = []
    for position, number in enumerate(ORDERS[fr.report.order], 1):
        table = fr.printed.get(number)
        if table is not None:
            table.position = position
            out.append(table)
    return out
