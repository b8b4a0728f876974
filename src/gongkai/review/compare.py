"""What changed between two evaluations of one report file (``compare``), and the whole comparison
(``DiffOutcome``): total and grade, the indicators whose score changed, funds, annual goals, the
部门决算 figures, and the check problems that appeared or went away. Only what changed is kept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, cast

from gongkai.engine.kinds import Evaluated
from gongkai.engine.pipeline import Result
from gongkai.engine.problems import ERROR, INFO, WARNING, Problem
from gongkai.engine.project import builtin_kinds
from gongkai.performance.scoring import ScoredReport
from gongkai.review.changes import FileChange
from gongkai.review.git import Revision

KINDS = builtin_kinds()  # what each evaluated version is asked of: is it scored, its figures

STATUS_ZH = {"added": "新增", "modified": "修改", "renamed": "重命名", "removed": "删除"}
HEADLINE_TOTALS = ("收入总计", "支出总计", "本年收入合计", "本年支出合计", "财政拨款支出合计", "三公经费")


@dataclass
class Pair:
    """A value in the old and the new version (a number, a text, a flag, a title; None: absent)."""

    old: Any = None
    new: Any = None

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def change(self) -> Decimal | None:
        if isinstance(self.old, Decimal) and isinstance(self.new, Decimal):
            return self.new - self.old
        return None


@dataclass
class IndicatorChange:
    path: tuple
    goal: str | None  # the annual goal the indicator belongs to, None for the report's own indicators
    score: Pair
    weight: Pair
    explanation: str  # 计分说明 of the new version (of the old one when the indicator was removed)
    method: str | None = None
    line: int | None = None


@dataclass
class GoalChange:
    name: str
    score: Pair
    weight: Pair
    counted: Pair


@dataclass
class ReportDiff:
    status: str
    old_path: str | None
    new_path: str | None
    edited: bool = True
    title: Pair = field(default_factory=Pair)  # (name, kind, department, year) of each version
    scored: Pair = field(default_factory=Pair)  # whether each version could be evaluated
    places: int = 2
    total: Pair | None = None
    grade: Pair | None = None
    direction: str | None = None  # up / down when the grade changed
    funds_rate: Pair | None = None
    funds_score: Pair | None = None
    funds_weight: Decimal | None = None
    goals_score: Pair | None = None
    goals: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    totals: list = field(default_factory=list)  # (name, Pair) of 部门决算 figures
    unit: str | None = None
    new_problems: list = field(default_factory=list)  # all of them when the new version cannot be evaluated
    resolved_problems: list = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""

    @property
    def status_zh(self) -> str:
        return STATUS_ZH[self.status]

    def matters(self) -> bool:
        """Anything a reviewer needs to see (added, removed and renamed files always are)."""
        if self.status != "modified":
            return True
        pairs = [self.title, self.scored, self.total, self.grade, self.funds_rate, self.funds_score, self.goals_score]
        return (any(p is not None and p.changed for p in pairs) or bool(self.goals) or bool(self.indicators)
                or bool(self.totals) or bool(self.new_problems) or bool(self.resolved_problems))

    def matters_beyond_rename(self) -> bool:
        return replace(self, status="modified").matters()


def _title(result: Result | None):
    """(name, 类型, department, year) of an evaluated version (every kind's record has them)."""
    scored = result.scored if result is not None else None
    if scored is None:
        return None
    r = scored.report
    return (r.name, r.kind, r.department, r.year)


def _scored(result: Evaluated | None) -> ScoredReport | None:
    """The version when it is of a kind that scores its reports (a total and a grade): its kind says."""
    if result is None or not KINDS.of(result).standing(result).scored:
        return None
    return cast(ScoredReport, result)


def _leaves(sr: ScoredReport | None) -> dict:
    """Every indicator leaf keyed by (goal, path, n-th of that path)."""
    out: dict = {}
    if sr is None:
        return out
    seen: Counter = Counter()
    trees = [(None, top) for top in sr.tree] + [(g.name, top) for g in sr.goals for top in g.tree]
    for goal, top in trees:
        for leaf in top.leaves():
            key = (goal, leaf.path)
            out[(goal, leaf.path, seen[key])] = leaf
            seen[key] += 1
    return out


def _problem_key(p: Problem, paths: tuple[str | None, ...]) -> tuple:
    """What makes two problems the same across revisions, without their line numbers.

    A problem placed in the report (``path``) is its file, code and path (with its severity and the figures
    it compares); only one with no place (a file that cannot be read or validated) falls back to its
    message. The report's own file is named alike in both versions, so a rename changes no key.
    """
    file = "〈文件〉" if p.file in paths else p.file
    if p.path is not None:
        return (file, p.code, p.path, p.severity, p.expected, p.found)
    message = p.message
    for path in paths:
        if path:
            message = message.replace(path, "〈文件〉")
    return (file, p.code, None, p.severity, p.expected, p.found, message)


def _problem_changes(old: list, new: list, paths: tuple[str | None, ...]) -> tuple[list, list]:
    """(new problems, resolved problems), compared without line numbers."""
    return _not_in(new, old, paths), _not_in(old, new, paths)


def _not_in(these: list, those: list, paths: tuple[str | None, ...]) -> list:
    """The problems of ``these`` that ``those`` does not have (as many times as they occur)."""
    left = Counter(_problem_key(p, paths) for p in those)
    out = []
    for p in these:
        key = _problem_key(p, paths)
        if left[key]:
            left[key] -= 1
        else:
            out.append(p)
    return out


def _direction(old: ScoredReport, new: ScoredReport) -> str | None:
    """up / down by the grades' order in the new ruleset (else the old one), else by the totals."""
    if not old.grade or not new.grade or old.grade == new.grade:
        return None
    for rules in (new.rules, old.rules):
        order = [g.name for g in sorted(rules.grades, key=lambda g: g.floor, reverse=True)]
        if old.grade in order and new.grade in order:
            return "up" if order.index(new.grade) < order.index(old.grade) else "down"
    if new.total is None or old.total is None:
        return None
    return "up" if new.total > old.total else "down" if new.total < old.total else None


def compare(change: FileChange, old: Result | None, new: Result | None) -> ReportDiff:
    """What matters in the difference between two evaluations of one report file."""
    d = ReportDiff(change.status, change.old, change.new, change.edited)
    d.title = Pair(_title(old), _title(new))
    old_s = old.scored if old is not None else None
    new_s = new.scored if new is not None else None
    d.scored = Pair(None if old is None else old_s is not None, None if new is None else new_s is not None)
    paths = (change.old, change.new)
    old_problems = old.problems if old is not None else []
    new_problems = new.problems if new is not None else []
    if change.status == "removed":
        old_problems = new_problems = []  # a removed file's problems go with it: not "resolved"
    if new is not None and new_s is None:  # it does not parse (or validate): all its problems
        d.new_problems, d.resolved_problems = list(new_problems), []
    else:
        d.new_problems, d.resolved_problems = _problem_changes(old_problems, new_problems, paths)

    old_sr, new_sr = _scored(old_s), _scored(new_s)
    either = new_sr or old_sr
    if either is not None:
        d.places = either.rules.places
        d.total = Pair(old_sr.total if old_sr else None, new_sr.total if new_sr else None)
        d.grade = Pair(old_sr.grade if old_sr else None, new_sr.grade if new_sr else None)
        if old_sr is not None and new_sr is not None:
            d.direction = _direction(old_sr, new_sr)
        old_f = old_sr.funds if old_sr else None
        new_f = new_sr.funds if new_sr else None
        funds = new_f or old_f
        if funds is not None:
            d.funds_rate = Pair(old_f.rate if old_f else None, new_f.rate if new_f else None)
            d.funds_score = Pair(old_f.score if old_f else None, new_f.score if new_f else None)
            d.funds_weight = funds.weight
        if (old_sr and old_sr.goals) or (new_sr and new_sr.goals):
            d.goals_score = Pair(old_sr.goals_score if old_sr else None, new_sr.goals_score if new_sr else None)
            d.goals = _goal_changes(old_sr, new_sr, both=old_sr is not None and new_sr is not None)
        if old_sr is not None and new_sr is not None:
            d.indicators = _indicator_changes(old_sr, new_sr)

    old_fr = old_s if old_s is not None and old_sr is None else None  # a kind that is not scored: its figures
    new_fr = new_s if new_s is not None and new_sr is None else None
    figured = new_fr or old_fr
    if figured is not None:
        d.unit = figured.report.unit
        old_t = KINDS.of(old_fr).diff_figures(old_fr) if old_fr is not None else {}
        new_t = KINDS.of(new_fr).diff_figures(new_fr) if new_fr is not None else {}
        if old_fr is not None and new_fr is not None:
            names = list(new_t) + [n for n in old_t if n not in new_t]
        else:
            names = [n for n in HEADLINE_TOTALS if n in old_t or n in new_t]
        d.totals = [(n, Pair(old_t.get(n), new_t.get(n))) for n in names if old_t.get(n) != new_t.get(n)]
    return d


def _goal_changes(old: ScoredReport | None, new: ScoredReport | None, both: bool) -> list:
    old_g = {g.name: g for g in old.goals} if old else {}
    new_g = {g.name: g for g in new.goals} if new else {}
    out = []
    for name in list(new_g) + [n for n in old_g if n not in new_g]:
        a, b = old_g.get(name), new_g.get(name)
        change = GoalChange(name, Pair(a and a.score, b and b.score), Pair(a and a.weight, b and b.weight),
                            Pair(a and a.counted, b and b.counted))
        if not both or change.score.changed or change.weight.changed or change.counted.changed:
            out.append(change)
    return out


def _indicator_changes(old: ScoredReport, new: ScoredReport) -> list:
    before, after = _leaves(old), _leaves(new)
    out = []
    for key in list(after) + [k for k in before if k not in after]:
        a, b = before.get(key), after.get(key)
        score = Pair(a.score if a else None, b.score if b else None)
        weight = Pair(a.weight if a else None, b.weight if b else None)
        if not (score.changed or weight.changed):
            continue
        shown = b or a
        if shown is None:  # pragma: no cover - every key comes from one side
            continue
        out.append(IndicatorChange(key[1], key[0], score, weight, shown.explanation, shown.method, shown.line))
    return out


@dataclass
class DiffOutcome:
    base: Revision
    head: Revision
    prefix: str
    reports: list  # ReportDiff that matter, by path
    unchanged: list  # edited report files whose scores, grades and problems are all the same
    rulesets: list  # FileChange of project ruleset files
    refused: list = field(default_factory=list)  # DIFF_PATH problems not already shown under a report

    def counts(self) -> dict:
        out = {s: sum(1 for r in self.reports if r.status == s) for s in STATUS_ZH}
        out["grade_down"] = sum(1 for r in self.reports if r.direction == "down")
        out["grade_up"] = sum(1 for r in self.reports if r.direction == "up")
        for side, attr in (("new", "new_problems"), ("resolved", "resolved_problems")):
            for severity in (ERROR, WARNING, INFO):
                found = (p for r in self.reports for p in getattr(r, attr))
                out[f"{side}_{severity}s"] = sum(1 for p in found if p.severity == severity)
        return out
