"""The visible pipeline for one report file: load → validate → evaluate (derive, score, check) →
acknowledge. The file's ``类型`` chooses its kind (:mod:`gongkai.engine.kinds`), which validates and
evaluates it with the :class:`~gongkai.engine.project.Project` it is given.

``evaluate_source(data, display, project)`` is the entry: bytes in, a :class:`Result` out.
``evaluate(path)`` reads a file through the guarded open (loading its project when none is given)."""

from __future__ import annotations

import gc
import os
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from gongkai.engine.basis import as_findings, basis_of
from gongkai.engine.kinds import Evaluated, Source
from gongkai.engine.paths import inspect_tree, project_of
from gongkai.engine.problems import CODES, ERROR, INFO, WARNING, problem
from gongkai.engine.project import Project
from gongkai.engine.yamlload import Loaded, load_bytes, load_file

REPORT_SUFFIXES = (".yaml", ".yml")


@dataclass
class Result:
    """One evaluated file: its result (``scored``: whatever its kind evaluates to, None when it
    could not be evaluated), its problems and the time each stage took."""

    file: str
    scored: Evaluated | None
    problems: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)

    @property
    def kind(self) -> str | None:
        """The ``类型`` of the result (None when there is no result)."""
        return self.scored.report.kind if self.scored is not None else None


def evaluate_source(data: bytes, display: str, project: Project, location=None) -> Result:
    """Validate, evaluate and check one data file given as bytes. ``display`` is how problems
    name it; ``location`` where it is in the project (absolute, or relative to the project root;
    by default at the root), which decides the project ruleset folders it may use. Bad input
    gives problems, never an exception."""
    return _guarded(lambda: _evaluate(lambda: load_bytes(data, display), Source(display, location), project), display)


def evaluate(path: str | Path, display: str | None = None, project: Project | None = None) -> Result:
    """:func:`evaluate_source` of a file, read through the guarded open (a regular file inside
    the project, at most ``MAX_BYTES``). Without ``project``, the project the file belongs to is
    loaded for it (:meth:`Project.of`)."""
    display = display or str(path)

    def run() -> Result:
        owner = project if project is not None else Project.of(path)
        # the file's place decides its ruleset folders: absolute, so that a path relative to the
        # working directory is not taken as relative to the project root
        where = Path(os.path.abspath(path))
        return _evaluate(lambda: load_file(path, display, owner.root), Source(display, where), owner)

    return _guarded(run, display)


def _guarded(run, display: str) -> Result:
    try:
        return run()
    except Exception as exc:  # a bug in gongkai, not in the user's file: still say where
        return Result(
            display,
            None,
            [
                problem(
                    "INTERNAL_ERROR", display, None, f"gongkai 内部错误（{type(exc).__name__}: {exc}），请报告此问题"
                )
            ],
        )


def _evaluate(load, source: Source, project: Project) -> Result:
    """The stages, each a function of values: load → validate (by the kind its 类型 names) →
    evaluate (derive, score, check) → acknowledge; every problem sorted by place."""
    display = source.display
    timings = {}
    started = time.perf_counter()
    loaded: Loaded = load()
    if loaded.problems:
        return Result(display, None, _sorted(loaded.problems), {"load": time.perf_counter() - started})
    kind = project.kinds.for_value(loaded.value)
    record, problems = kind.validate(loaded, project)
    timings["load"] = time.perf_counter() - started
    if record is None:
        return Result(display, None, _sorted(problems), timings)
    evaluation = kind.evaluate(record, project, source)
    timings.update(evaluation.timings)
    problems = list(problems) + list(evaluation.problems)
    if evaluation.result is None:
        return Result(display, None, _sorted(problems), timings)
    basis = basis_of(record, project.settings.basis)
    problems = _sorted(as_findings(acknowledge(problems, record, display), basis))
    evaluation.result.problems = problems
    return Result(display, evaluation.result, problems, timings)


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


def evaluate_many(files: list, jobs: int | None = None, project: Project | None = None) -> list[Result]:
    """Evaluate files, in parallel processes when there are many (problems only cross back).
    Each file is evaluated with ``project``, or with the project it belongs to (loaded once
    for all the files of that project)."""
    projects: dict = {}
    calls = []
    for f in files:
        owner = project
        if owner is None:
            root = project_of(f)
            owner = projects.get(root) or projects.setdefault(root, Project.load(root))
        calls.append((str(f), str(f), owner))
    return map_jobs(_evaluate_for_pool, calls, jobs)


PARALLEL_FROM = 64  # calls: fewer are done in this process (starting workers costs more)


def in_workers(calls: int, jobs: int | None = None) -> bool:
    """Whether :func:`map_jobs` runs ``calls`` calls in worker processes."""
    return (jobs or os.cpu_count() or 1) > 1 and calls >= PARALLEL_FROM


def map_jobs(task, calls: list, jobs: int | None = None, initializer=None, initargs: tuple = ()) -> list:
    """``task(*args)`` for every args tuple in ``calls``, in parallel processes when there are many
    (each started with ``initializer(*initargs)``; never called in this process)."""
    jobs = jobs or os.cpu_count() or 1
    if not in_workers(len(calls), jobs):
        return [task(*args) for args in calls]
    chunk = max(1, len(calls) // (jobs * 4))
    with frozen_heap(), ProcessPoolExecutor(max_workers=jobs, initializer=initializer, initargs=initargs) as pool:
        return list(pool.map(task, *zip(*calls, strict=False), chunksize=chunk))


@contextmanager
def frozen_heap():
    """While worker processes are forked and work: this process's objects kept out of the
    garbage collector's reach (``gc.freeze``). A forked worker shares its parent's memory until
    it writes to it, and a collection in the worker would touch every object it inherited,
    copying the parent's whole heap into each worker (a site of 10,000 reports: gigabytes)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _evaluate_for_pool(path: str, display: str, project: Project) -> Result:
    result = evaluate(path, display, project)
    result.scored = None  # results cross the process boundary: keep them small
    return result
