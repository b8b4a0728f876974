"""``gongkai diff --format json``: the same content as the Markdown, numbers as exact decimal strings and
texts exact (terminal controls are written as escapes by the JSON writer)."""

from __future__ import annotations

from typing import Any

from gongkai import __version__
from gongkai.engine.output import json_number
from gongkai.review.compare import STATUS_ZH, DiffOutcome, Pair, ReportDiff
from gongkai.review.markdown import summary_text


def _pair_json(pair: Pair | None, numeric: bool = True) -> dict | None:
    if pair is None:
        return None
    if not numeric:
        return {"old": pair.old, "new": pair.new}
    return {"old": json_number(pair.old), "new": json_number(pair.new), "change": json_number(pair.change)}


def _title_json(title) -> dict | None:
    if title is None:
        return None
    name, kind, department, year = title
    return {"name": name, "kind": kind, "department": department, "year": year}


def report_json(d: ReportDiff) -> dict:
    data: dict[str, Any] = {
        "status": d.status,
        "status_zh": d.status_zh,
        "path": d.path,
        "old_path": d.old_path,
        "new_path": d.new_path,
        "file_changed": d.edited,
        "old": _title_json(d.title.old),
        "new": _title_json(d.title.new),
        "scored": {"old": d.scored.old, "new": d.scored.new},
    }
    if d.total is not None and d.grade is not None:
        data["total"] = _pair_json(d.total)
        data["grade"] = {"old": d.grade.old, "new": d.grade.new, "direction": d.direction}
    everything = d.status in ("added", "removed")
    rate, score = d.funds_rate, d.funds_score  # set together
    if rate is not None and score is not None and (everything or rate.changed or score.changed):
        data["funds"] = {
            "rate": _pair_json(d.funds_rate),
            "score": _pair_json(d.funds_score),
            "weight": json_number(d.funds_weight),
        }
    if d.goals_score is not None and (everything or d.goals_score.changed or d.goals):
        data["goals_score"] = _pair_json(d.goals_score)
        data["goals"] = [
            {
                "name": g.name,
                "score": _pair_json(g.score),
                "weight": _pair_json(g.weight),
                "counted": _pair_json(g.counted, numeric=False),
            }
            for g in d.goals
        ]
    if d.total is not None:
        data["indicators"] = [
            {"path": list(ic.path), "goal": ic.goal, "score": _pair_json(ic.score), "weight": _pair_json(ic.weight),
             "method": ic.method, "explanation": ic.explanation, "line": ic.line}
            for ic in d.indicators
        ]
    if d.unit is not None:
        data["unit"] = d.unit
        data["totals"] = [{"name": name, **(_pair_json(pair) or {})} for name, pair in d.totals]
    data["problems"] = {
        "new": [p.as_dict() for p in d.new_problems],
        "resolved": [p.as_dict() for p in d.resolved_problems],
    }
    return data


def render_json(outcome: DiffOutcome) -> dict:
    """The same content as the Markdown, numbers as exact decimal strings."""
    c = outcome.counts()
    return {
        "base": outcome.base.as_dict(),
        "head": outcome.head.as_dict(),
        "path": outcome.prefix,
        "summary": {
            "text": summary_text(outcome),
            "changed": len(outcome.reports),
            **{s: c[s] for s in STATUS_ZH},
            "grade_down": c["grade_down"],
            "grade_up": c["grade_up"],
            "new_problems": {"errors": c["new_errors"], "warnings": c["new_warnings"], "infos": c["new_infos"]},
            "resolved_problems": {
                "errors": c["resolved_errors"],
                "warnings": c["resolved_warnings"],
                "infos": c["resolved_infos"],
            },
            "refused": len(outcome.refused),
        },
        "rulesets": [
            {"status": r.status, "status_zh": STATUS_ZH[r.status], "old_path": r.old, "new_path": r.new}
            for r in outcome.rulesets
        ],
        "reports": [report_json(d) for d in outcome.reports],
        "unchanged": outcome.unchanged,
        "refused": [p.as_dict() for p in outcome.refused],
        "gongkai": __version__,
    }
