"""Plain renderings of results for the terminal and for JSON consumers."""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal

from gongkai.engine.decimals import fixed, money, plain, percent
from gongkai.engine.problems import summary, terminal_text
from gongkai.performance.scoring import Scored, ScoredReport


def _num(value: Decimal | None) -> str | None:
    """Numbers leave as exact decimal text (JSON strings), never as floats."""
    return None if value is None else f"{value:f}"


def _levels(tree: list) -> list:
    return [
        {"path": list(n.path), "weight": _num(n.weight), "score": _num(n.score)}
        for top in tree
        for n in top.walk()
        if not n.is_leaf
    ]


def _indicators(tree: list) -> list:
    return [
        {
            "path": list(leaf.path),
            "weight": _num(leaf.weight),
            "score": _num(leaf.score),
            "method": leaf.method,
            "explanation": leaf.explanation,
            "completion": _num(leaf.completion),
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
        "total": _num(sr.total),
        "grade": sr.grade,
        "weight_total": _num(sr.weight_total),
        "completion": _num(sr.completion),
        "levels": _levels(sr.tree),
        "indicators": _indicators(sr.tree),
    }
    if sr.funds is not None:
        data["funds"] = {
            "rate": _num(sr.funds.rate),
            "weight": _num(sr.funds.weight),
            "score": _num(sr.funds.score),
            "explanation": sr.funds.explanation,
            "line": sr.funds.line,
        }
    if sr.goals:
        data["goals_score"] = _num(sr.goals_score)
        data["goals"] = [
            {
                "name": g.name,
                "weight": _num(g.weight),
                "score": _num(g.score),
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
_JSON_RAW = (0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C, 0x2028, 0x2029, *range(0xD800, 0xE000))
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in _JSON_RAW}


def json_text(data) -> str:
    """JSON for stdout or a file: readable CJK (not ASCII-escaped), exact strings, and no
    character a terminal would act on."""
    return terminal_json(json.dumps(data, ensure_ascii=False, indent=2))


def terminal_json(text: str) -> str:
    """JSON text made by json.dumps(ensure_ascii=False), with the characters above escaped.
    They can only occur inside JSON strings, so the result reads back as the same data."""
    return text.translate(_JSON_ESCAPES)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int) -> str:
    return text + " " * max(0, size - width(text))


def score_text(sr: ScoredReport) -> str:
    """Every name, explanation and label from the data goes through terminal_text."""
    r, t = sr.report, terminal_text
    lines = [f"{t(r.name)}（{t(r.kind)}，{r.year} 年，{t(r.department)}）", f"规则集：{t(sr.rules.name)}", ""]
    rows: list[tuple[str, str, str, str]] = []
    places = sr.rules.places
    if sr.funds is not None and sr.funds.score is not None:
        rows.append(("资金执行率", "", f"{fixed(sr.funds.score, places)} / {plain(sr.funds.weight)}", sr.funds.explanation))
    _tree_rows(sr.tree, 0, rows, places)
    for goal in sr.goals:
        flag = "" if goal.counted else "（不计入平均）"
        rows.append((f"年度目标：{goal.name}{flag}", "", f"{fixed(goal.score, places)} / {plain(goal.weight)}", ""))
        _tree_rows(goal.tree, 1, rows, places)
    rows = [tuple(t(cell) for cell in row) for row in rows]
    name_width = min(max((width(r[0]) for r in rows), default=10), 48)
    for name, method, score, why in rows:
        lines.append(f"{pad(name, name_width)}  {pad(method, 8)}{pad(score, 14)}{why}".rstrip())
    lines.append("")
    if sr.goals_score is not None:
        lines.append(f"年度目标平均得分：{plain(sr.goals_score)}")
    if sr.completion is not None:
        lines.append(f"指标总体完成率：{percent(sr.completion)}")
    lines.append(f"总分：{fixed(sr.total, places)} / {plain(sr.weight_total)}    等级：{t(sr.grade or '—')}")
    return "\n".join(lines)


def _tree_rows(nodes: list, depth: int, rows: list, places: int) -> None:
    for node in nodes:
        label = "  " * depth + node.name
        score = f"{fixed(node.score, places)} / {plain(node.weight)}"
        if node.is_leaf:
            rows.append((label, node.method or "", score, node.explanation))
        else:
            rows.append((label, "", score, ""))
            _tree_rows(node.children, depth + 1, rows, places)


def problems_text(problems: list) -> str:
    counts = summary(problems)
    lines = [p.human() for p in problems]
    lines.append(f"共 {counts['errors']} 个错误，{counts['warnings']} 个警告，{counts['infos']} 个提示。")
    return "\n".join(lines)


_STAGES = {"load": "读取与校验", "score": "计分", "check": "核对"}


def timings_text(results: list, elapsed: float) -> str:
    """One line: wall time and each stage's time summed over all files (and processes)."""
    stages: dict = {}
    for r in results:
        for stage, seconds in r.timings.items():
            stages[stage] = stages.get(stage, 0.0) + seconds
    parts = "，".join(f"{_STAGES[k]} {v:.3f} 秒" for k, v in stages.items())
    return f"{len(results)} 个文件，共 {elapsed:.3f} 秒（各进程累计：{parts}）"


def final_text(fr) -> str:
    """``gongkai score`` for a 部门决算: the main totals of the derived tables and the 情况说明 figures."""
    fa, t = fr.report, terminal_text
    lines = [f"{t(fa.title)}（{t(fa.department)}，单位：{t(fa.unit)}）", ""]
    if fr.derived is None:
        lines.append("只有照印发版本录入的表格（原表），没有可计算的数据。")
        return "\n".join(lines)
    for name, value in fr.derived.totals.items():
        lines.append(f"{pad(t(name), 34)}{money(value):>14}")
    if fr.explanation:
        lines.append("")
        for name, change in fr.explanation.items():
            if hasattr(change, "比较") and change.base is not None:
                lines.append(f"{t(name)}：{t(change)}")
    return "\n".join(lines)
