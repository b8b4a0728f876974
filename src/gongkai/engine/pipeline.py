"""The visible pipeline for one report file: load → validate → score → check."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from gongkai.performance.checks import run_checks
from gongkai.engine.paths import inspect_tree, project_of
from gongkai.engine.problems import CODES, ERROR, INFO, WARNING, problem
from gongkai.final_accounts.evaluate import evaluate_loaded, is_final_accounts
from gongkai.engine.reading import validate
from gongkai.performance.records import Report
from gongkai.engine.yamlload import load_file
from gongkai.performance.rulesets import builtin_names, find_ruleset
from gongkai.performance.scoring import ScoredReport, score_report

REPORT_SUFFIXES = (".yaml", ".yml")


@dataclass
class Result:
    file: str
    scored: ScoredReport | None
    problems: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)


def evaluate(path: str | Path, display: str | None = None) -> Result:
    """Score and check one report file. Bad input gives problems, never an exception."""
    display = display or str(path)
    try:
        return _evaluate(Path(path), display)
    except Exception as exc:  # a bug in gongkai, not in the user's file: still say where
        return Result(display, None, [problem("INTERNAL_ERROR", display, None, f"gongkai 内部错误（{type(exc).__name__}: {exc}），请报告此问题")])


def _evaluate(path: Path, display: str) -> Result:
    timings = {}
    t0 = time.perf_counter()
    loaded = load_file(path, display)
    if loaded.problems:
        return Result(display, None, _sorted(loaded.problems), {"load": time.perf_counter() - t0})
    if is_final_accounts(loaded):
        final, problems = evaluate_loaded(loaded, display)
        timings["load"] = time.perf_counter() - t0
        problems = _sorted(acknowledge(problems, final.report, display) if final is not None else problems)
        if final is not None:
            final.problems = problems
        return Result(display, final, problems, timings)
    report, problems = validate(Report, loaded)
    timings["load"] = time.perf_counter() - t0
    if report is None:
        return Result(display, None, _sorted(problems), timings)
    rules, found = find_ruleset(report.ruleset, path)
    problems = list(found)
    if rules is None:
        names = "、".join(builtin_names())
        problems.append(problem("RULESET_UNKNOWN", display, report.line, f"找不到评分规则集“{report.ruleset}”；内置的有：{names}，也可放在 data/rulesets/ 下"))
        return Result(display, None, _sorted(problems), timings)
    if report.kind not in rules.kinds:
        problems.append(problem("RULESET_UNKNOWN", display, report.line, f"规则集“{rules.name}”不适用于“{report.kind}”（适用于：{'、'.join(rules.kinds)}）"))
        return Result(display, None, _sorted(problems), timings)
    t1 = time.perf_counter()
    scored = score_report(report, rules, display)
    timings["score"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    problems.extend(scored.problems)
    problems.extend(run_checks(scored))
    problems = acknowledge(problems, report, display)
    timings["check"] = time.perf_counter() - t2
    scored.problems = _sorted(problems)
    return Result(display, scored, scored.problems, timings)


def acknowledge(problems: list, report, display: str) -> list:
    """Warnings listed under 确认 become 提示 carrying the authors' reason; errors cannot be."""
    reasons, out = {}, []
    for ack in report.acknowledged:
        severity = CODES.get(ack.code, (None,))[0]
        if severity != WARNING:
            kind = "错误，必须修改数据" if severity == ERROR else "不是警告代码"
            out.append(problem("FIELD_INVALID", display, ack.line, f"“确认”只能用于警告；{ack.code} {kind}"))
            continue
        reasons[ack.code] = ack.reason
    for p in problems:
        if p.severity == WARNING and p.code in reasons:
            p = replace(p, severity=INFO, message=f"{p.message}（已确认：{reasons[p.code]}）")
        out.append(p)
    return out


def _sorted(problems: list) -> list:
    return sorted(problems, key=lambda p: (p.file, p.line or 0))


def discover(paths, project: Path | None = None) -> tuple[list[Path], list[str]]:
    """Report files under ``paths`` (folders are searched; rulesets/ folders are skipped) and
    missing paths. Paths refused by :mod:`gongkai.engine.paths` (links leaving the project, FIFOs,
    devices) are left out; :func:`discover_checked` also says which and why."""
    files, missing, _ = discover_checked(paths, project)
    return files, missing


def discover_checked(paths, project: Path | None = None) -> tuple[list[Path], list[str], list]:
    """:func:`discover` and the located problems of the report files it refused.

    A folder is walked without following links out of ``project`` (by default the project
    each path belongs to); a file named explicitly is listed even when it is a link or a
    special file, and the guarded read then reports it."""
    files, missing, problems = [], [], []
    for raw in paths:
        path = _reports_folder(Path(raw))
        if path.is_dir():  # a link to a folder outside the project is reported, not walked
            found, refused = inspect_tree(project or project_of(path), path, suffixes=REPORT_SUFFIXES)
            problems += refused
            files += [f for f in found if "rulesets" not in f.relative_to(path).parts]
        elif os.path.lexists(path):
            files.append(path)
        else:
            missing.append(str(raw))
    return files, missing, problems


def _reports_folder(path: Path) -> Path:
    """A project folder (one with mkdocs.yml) stands for its data/: its mkdocs.yml, CI and
    pre-commit files are YAML but not reports."""
    if path.is_dir() and (path / "mkdocs.yml").is_file() and (path / "data").is_dir():
        return path / "data"
    return path


def evaluate_many(files: list, jobs: int | None = None) -> list[Result]:
    """Evaluate files, in parallel processes when there are many (problems only cross back)."""
    return map_jobs(_evaluate_for_pool, [(str(f), str(f)) for f in files], jobs)


def map_jobs(task, calls: list, jobs: int | None = None) -> list:
    """``task(*args)`` for every args tuple in ``calls``, in parallel processes when there are many."""
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(calls) < 64:
        return [task(*args) for args in calls]
    chunk = max(1, len(calls) // (jobs * 4))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(task, *zip(*calls), chunksize=chunk))


def _evaluate_for_pool(path: str, display: str) -> Result:
    result = evaluate(path, display)
    result.scored = None  # results cross the process boundary: keep them small
    return result
