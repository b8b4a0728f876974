"""Plain renderings of results for the terminal and for JSON consumers."""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal
from typing import overload

from gongkai.engine.decimals import fixed, money, percent, plain
from gongkai.engine.problems import summary, terminal_text
from gongkai.performance.scoring import ScoredReport

# ---- numbers in JSON ---------------------------------------------------------------------
# The one rule for every JSON gongkai writes (``score --format json``, ``check --format json``,
# ``diff --format json``, the open-data downloads): a number is a JSON *string* holding its exact
# decimal text, as entered or as computed ("96.80", "0.00", "1200", never exponent notation and
# never a float, which could not hold 0.1 exactly); an absent number is ``null``.


@overload
def json_number(value: Decimal) -> str: ...
@overload
def json_number(value: None) -> None: ...
@overload
def json_number(value: Decimal | None) -> str | None: ...
def json_number(value: Decimal | None) -> str | None:
    """A number as gongkai's JSON writes it: its exact decimal text (``Decimal("96.80")`` →
    ``"96.80"``, ``Decimal("1E+3")`` → ``"1000"``), or None (JSON ``null``) when absent."""
    return None if value is None else f"{value:f}"


def json_default(value) -> str:
    """``json.dumps(…, default=json_default)``: a Decimal anywhere in the data is written by
    :func:`json_number`; any other type json cannot write is an error, as without the hook."""
    if isinstance(value, Decimal):
        return json_number(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def json_dumps(data) -> str:
    """The JSON text of ``data``: indented, CJK as it is (not ASCII-escaped), Decimals by
    :func:`json_number`. Every JSON that gongkai prints or publishes is made here."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=json_default)


def _levels(tree: list) -> list:
    return [
        {"path": list(n.path), "weight": json_number(n.weight), "score": json_number(n.score)}
        for top in tree
        for n in top.walk()
        if not n.is_leaf
    ]


def _indicators(tree: list) -> list:
    return [
        {
            "path": list(leaf.path),
            "weight": json_number(leaf.weight),
            "score": json_number(leaf.score),
            "filed_score": json_number(leaf.filed_score),
            "status": leaf.status,
            "method": leaf.method,
            "explanation": leaf.explanation,
            "completion": json_number(leaf.completion),
            "line": leaf.line,
        }
        for top in tree
        for leaf in top.leaves()
    ]


def score_json(sr: ScoredReport) -> dict:
    data = {
        "file": sr.file,
        "kind": sr.report.kind,
        "name": sr.report.name,
        "department": sr.report.department,
        "year": sr.report.year,
        "ruleset": sr.rules.name,
        "basis": sr.basis,
        "scoring": sr.scoring,
        "total": json_number(sr.total),
        "grade": sr.grade,
        "filed_total": json_number(sr.filed_total),
        "filed_grade": sr.filed_grade,
        "weight_total": json_number(sr.weight_total),
        "completion": json_number(sr.completion),
        "levels": _levels(sr.tree),
        "indicators": _indicators(sr.tree),
    }
    if sr.funds is not None:
        data["funds"] = {
            "rate": json_number(sr.funds.rate),
            "weight": json_number(sr.funds.weight),
            "score": json_number(sr.funds.score),
            "explanation": sr.funds.explanation,
            "line": sr.funds.line,
        }
    if sr.goals:
        data["goals_score"] = json_number(sr.goals_score)
        data["goals"] = [
            {
                "name": g.name,
                "weight": json_number(g.weight),
                "score": json_number(g.score),
                "counted": g.counted,
                "line": g.line,
                "levels": _levels(g.tree),
                "indicators": _indicators(g.tree),
            }
            for g in sr.goals
        ]
    return data


def problems_json(problems: list) -> dict:
    return {"problems": [p.as_dict() for p in problems], "summary": summary(problems)}


# JSON keeps every string exactly. json.dumps escapes C0 controls (ESC is written \u001b), but
# with ensure_ascii=False it writes DEL, C1 controls, bidi controls and U+2028/U+2029 as they
# are, and a lone surrogate cannot be encoded at all; these are written as \uXXXX escapes too,
# which JSON reads back as the same characters.
_JSON_RAW = (
    0x7F,
    *range(0x80, 0xA0),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0x200E,
    0x200F,
    0x061C,
    0x2028,
    0x2029,
    *range(0xD800, 0xE000),
)
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in _JSON_RAW}


def json_text(data) -> str:
    """JSON for stdout or a file: readable CJK (not ASCII-escaped), exact strings, and no
    character a terminal would act on."""
    return terminal_json(json_dumps(data))


def terminal_json(text: str) -> str:
    """JSON text made by :func:`json_dumps` (json.dumps with ensure_ascii=False), with the
    characters above escaped. They can only occur inside JSON strings, so the result reads back
    as the same data."""
    return text.translate(_JSON_ESCAPES)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int) -> str:
    return text + " " * max(0, size - width(text))


def score_text(sr: ScoredReport) -> str:
    """Every name, explanation and label from the data goes through terminal_text."""
    r, t = sr.report, terminal_text
    title = r.name or r.title or r.kind
    lines = [f"{t(title)}（{t(r.kind)}，{r.year} 年，{t(r.department)}）", f"规则集：{t(sr.rules.name)}",
             f"口径：{t(sr.basis)}", ""]
    rows: list[tuple[str, str, str, str]] = []
    places = sr.rules.places
    if sr.funds is not None and sr.funds.score is not None:
        assert sr.funds.weight is not None  # a scored funds line always has its weight
        score = f"{fixed(sr.funds.score, places)} / {plain(sr.funds.weight)}"
        rows.append(("资金执行率", "", score, sr.funds.explanation))
    _tree_rows(sr.tree, 0, rows, places)
    for goal in sr.goals:
        flag = "" if goal.counted else "（不计入平均）"
        rows.append((f"年度目标：{goal.name}{flag}", "", _score_of(goal.score, goal.weight, places), ""))
        _tree_rows(goal.tree, 1, rows, places)
    shown = [(t(name), t(method), t(score), t(why)) for name, method, score, why in rows]
    name_width = min(max((width(r[0]) for r in shown), default=10), 48)
    for name, method, score, why in shown:
        lines.append(f"{pad(name, name_width)}  {pad(method, 8)}{pad(score, 14)}{why}".rstrip())
    lines.append("")
    if sr.goals_score is not None:
        lines.append(f"年度目标平均得分：{plain(sr.goals_score)}")
    if sr.completion is not None:
        lines.append(f"指标总体完成率：{percent(sr.completion)}")
    if sr.filed_total is not None:
        lines.append(f"印发总分：{plain(sr.filed_total)}    印发等级：{t(sr.filed_grade or '—')}")
    if sr.total is None:
        lines.append(f"计算总分：无（{sr.scoring}：数据不足以确定总分）")
    else:
        lines.append(f"计算总分：{_score_of(sr.total, sr.weight_total, places)}    等级：{t(sr.grade or '—')}")
    return "\n".join(lines)


def _score_of(score, weight, places: int) -> str:
    """“得分 / 分值”, with “—” for a figure the data does not give."""
    left = "—" if score is None else fixed(score, places)
    right = "—" if weight is None else plain(weight)
    return f"{left} / {right}"


def _tree_rows(nodes: list, depth: int, rows: list, places: int) -> None:
    for node in nodes:
        label = "  " * depth + node.name
        score = _score_of(node.score, node.weight, places)
        if node.is_leaf:
            rows.append((label, node.method or "", score, node.explanation))
        else:
            rows.append((label, "", score, ""))
            _tree_rows(node.children, depth + 1, rows, places)


def problems_text(problems: list) -> str:
    counts = summary(problems)
    lines = [p.human() for p in problems]
    lines.append(f"共 {counts['errors']} 个错误，{counts['warnings']} 个警告，{counts['infos']} 个提示，"
                 f"{counts['findings']} 项核对发现（印发文件中的不一致，不影响构建）。")
    return "\n".join(lines)


_STAGES = {"load": "读取与校验", "score": "计分", "check": "核对"}


def timings_text(results: list, elapsed: float) -> str:
    """One line: wall time and each stage's time summed over all files (and processes)."""
    stages: dict = {}
    for r in results:
        for stage, seconds in r.timings.items():
            stages[stage] = stages.get(stage, 0.0) + seconds
    parts = "，".join(f"{_STAGES.get(k, k)} {v:.3f} 秒" for k, v in stages.items())
    return f"{len(results)} 个文件，共 {elapsed:.3f} 秒（各进程累计：{parts}）"


def final_text(fr) -> str:
    """``gongkai score`` for a 部门决算: the main totals as the page shows them (the filed ones on a
    transcription, with the computed one beside any that differs) and the 情况说明 figures."""
    fa, t = fr.report, terminal_text
    lines = [f"{t(fa.title)}（{t(fa.department)}，单位：{t(fa.unit)}，口径：{t(fr.basis)}）", ""]
    if not fr.figures:
        lines.append("没有可列出的合计数。")
        return "\n".join(lines)
    for name, figure in fr.figures.items():
        value = fr.totals.get(name)
        if value is None:
            continue
        other = figure.computed if value is not figure.computed and figure.differs else None
        note = f"    （按数据计算为 {money(other)}）" if other is not None else ""
        lines.append(f"{pad(t(name), 34)}{money(value):>14}{note}")
    if fr.explanation:
        lines.append("")
        for name, change in fr.explanation.items():
            if hasattr(change, "比较") and change.base is not None:
                lines.append(f"{t(name)}：{t(change)}")
    return "\n".join(lines)
