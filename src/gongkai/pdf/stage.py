"""The PDF stage: plan one PDF per report and one volume per department-year, skip those
whose inputs have not changed, render the rest in parallel worker processes.

The cache key of a PDF is a hash of its print HTML (which already holds the data, the
Markdown, the templates and the CSS), its attachments, its date, the fonts and the
versions of gongkai and WeasyPrint: change any of them and the PDF is made again."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

from .. import __version__
from ..catalog import Catalog, Entry
from ..files import write_atomic
from .printhtml import Job, PrintRenderer, document_date

PDF_FOLDER = "pdf"
PDF_CACHE = Path(".cache") / "gongkai" / "pdf"  # inside the project
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))


@dataclass
class Outcome:
    job: Job
    made: bool  # False: taken from the cache
    error: str | None = None
    seconds: float = 0.0


def report_pdf(entry: Entry) -> str:
    """``2021/shenzhen-gsl/a02.pdf``: beside where its page is, under pdf/."""
    return PurePosixPath(entry.url.rstrip("/")).with_suffix(".pdf").as_posix()


def volume_pdf(entry: Entry) -> str:
    """``2021/shenzhen-gsl-2021.pdf``: one per department and year."""
    return f"{entry.report.year}/{entry.department_slug}-{entry.report.year}.pdf"


def fonts_fingerprint() -> str:
    """Names, sizes and times of the CJK fonts a PDF can use: new fonts, new PDFs."""
    digest = hashlib.sha256()
    for folder in FONT_DIRS:
        root = Path(folder)
        if root.is_dir():
            for path in sorted(root.rglob("*CJK*")):
                if path.is_file():
                    stat = path.stat()
                    digest.update(f"{path}:{stat.st_size}:{int(stat.st_mtime)}\n".encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _weasyprint_version() -> str:
    import importlib.metadata

    return importlib.metadata.version("weasyprint")


def _key(job: Job, fonts: str) -> str:
    digest = hashlib.sha256()
    for part in (__version__, _weasyprint_version(), fonts, job.date, job.html):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    for name, content, description in job.attachments:
        digest.update(name.encode() + b"\0" + description.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


def in_shard(output: str, shard: tuple | None) -> bool:
    """Whether a PDF belongs to shard K of N: a stable hash of its path, so any machine
    agrees which PDFs are its own and N shards together make every PDF exactly once."""
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha256(output.encode("utf-8")).hexdigest(), 16) % n == k - 1


def parse_shard(text: str | None) -> tuple | None:
    """"2/5" → (2, 5); None or "" → None. Raises ValueError with a Chinese message."""
    if not text:
        return None
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ValueError(f"分片应写成 K/N（1 ≤ K ≤ N），如 2/4，而不是“{text}”")
    return int(match.group(1)), int(match.group(2))


def plan(catalog: Catalog, renderer: PrintRenderer, only: set | None = None, shard: tuple | None = None) -> list:
    """Jobs for every report (or those whose data file is in ``only``) and their volumes,
    restricted to one shard when ``shard`` is (K, N)."""
    fonts = fonts_fingerprint()
    jobs, groups = [], {}
    for entry in catalog.entries:
        groups.setdefault((entry.report.year, entry.department_slug), []).append(entry)
        if only is not None and entry.page.data not in only:
            continue
        job = Job(report_pdf(entry), renderer.report(entry), entry.report.name, _attachments(entry), document_date(entry))
        jobs.append(job)
    for (year, _), entries in sorted(groups.items()):
        if only is not None and not any(e.page.data in only for e in entries):
            continue
        entries = sorted(entries, key=lambda e: e.page.src_uri)
        html = renderer.volume(entries[0].report.department, year, entries)
        attachments = [a for e in entries for a in _attachments(e, prefix=f"{e.slug}.")]
        job = Job(volume_pdf(entries[0]), html, f"{entries[0].report.department} {year} 年度汇编", attachments, max(document_date(e) for e in entries))
        jobs.append(job)
    jobs = [job for job in jobs if in_shard(job.output, shard)]
    for job in jobs:
        job.key = _key(job, fonts)
    return jobs


def _attachments(entry: Entry, prefix: str = "") -> list:
    yaml_bytes = entry.downloads.get("yaml") or b""
    json_bytes = entry.downloads.get("json") or b""
    return [
        (f"{prefix}yaml" if prefix else f"{entry.slug}.yaml", yaml_bytes, "报告的原始数据（YAML）"),
        (f"{prefix}json" if prefix else f"{entry.slug}.json", json_bytes, "原始数据与 gongkai 的计算结果（JSON）"),
    ]


# ---- running ------------------------------------------------------------------------

_writer = None  # one per worker process, made by _start_worker


def _start_worker():
    global _writer
    from .writer import Writer

    _writer = Writer()


def _render(job: Job, root: str, out: str, cache: str | None) -> Outcome:
    from .writer import RenderError

    started = time.perf_counter()
    try:
        data = _writer.write(job.html, Path(root), Path(root) / job.base, job.attachments, job.date)
    except RenderError as exc:
        return Outcome(job, True, str(exc), time.perf_counter() - started)
    write_atomic(Path(out) / job.output, data)
    if cache:
        write_atomic(Path(cache) / f"{job.key}.pdf", data)
    return Outcome(job, True, None, time.perf_counter() - started)


def _place(cached: Path, target: Path) -> None:
    """Put a cached PDF in the output: a hard link when the folders share a disk (instant), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        if os.path.samefile(cached, target):
            return
        target.unlink()
    try:
        os.link(cached, target)
    except OSError:
        shutil.copyfile(cached, target)


_RESOURCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"'#]+)["']|url\(\s*["']?([^"')]+)["']?\s*\)""")


def resources_digest(job: Job, root: Path) -> str:
    """Hash of the local files a document refers to (images, stylesheets): a changed image
    makes a new PDF even though the HTML is the same."""
    digest = hashlib.sha256()
    base = (root / job.base).resolve()
    for match in _RESOURCE.finditer(job.html):
        ref = match.group(1) or match.group(2)
        if ":" in ref.split("/")[0]:
            continue  # data:, http:, file: … are for the fetcher to allow or refuse
        path = (base / ref).resolve()
        if path.is_relative_to(root.resolve()) and path.is_file():
            digest.update(ref.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def run(jobs: list, root: Path, out: Path, cache: Path | None, workers: int | None = None, progress: bool | None = None) -> list:
    """Make the PDFs: cached ones are copied, the rest rendered on ``workers`` processes."""
    outcomes, todo = [], []
    for job in jobs:
        job.key = hashlib.sha256((job.key + resources_digest(job, root)).encode()).hexdigest()
        cached = cache / f"{job.key}.pdf" if cache else None
        if cached is not None and cached.is_file():
            _place(cached, out / job.output)
            outcomes.append(Outcome(job, False))
        else:
            todo.append(job)
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    show = sys.stderr.isatty() if progress is None else progress
    args = (str(root), str(out), str(cache) if cache else None)
    if workers == 1:
        _start_worker()
        results = (_render(job, *args) for job in todo)
        outcomes += _with_progress(results, len(todo), show)
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker) as pool:
            results = pool.map(_render, todo, *[[a] * len(todo) for a in args])
            outcomes += _with_progress(results, len(todo), show)
    return outcomes


def _with_progress(results, total: int, show: bool) -> list:
    if not show or total == 0:
        return list(results)
    import click

    with click.progressbar(results, length=total, label="生成 PDF", file=sys.stderr) as bar:
        return list(bar)


def build_pdfs(catalog: Catalog, renderer: PrintRenderer, root: Path, out: Path, cache: Path | None, workers: int | None = None, only: set | None = None, progress: bool | None = None, shard: tuple | None = None) -> list:
    """Plan and make every PDF of a catalog; returns the outcomes (errors among them)."""
    return run(plan(catalog, renderer, only, shard), root, out, cache, workers, progress)


def project_pdfs(project: Path, out: Path, workers: int | None = None, only: set | None = None, use_cache: bool = True, progress: bool | None = None, shard: tuple | None = None) -> tuple:
    """``gongkai pdf``: the PDFs of a project without building the site. Returns (catalog, outcomes);
    resources are read only from the docs folder."""
    from ..catalog import build
    from ..render.environment import html_environment, markdown_environment
    from .printhtml import docs_folder

    docs = docs_folder(project)
    catalog = build(project, docs, project / "data", downloads=("yaml", "json"))  # what PDFs attach
    if catalog.failed:
        return catalog, []
    html_env = html_environment(project)
    markdown_env = markdown_environment(html_env)
    renderer = PrintRenderer.for_catalog(project, docs, catalog, html_env, markdown_env)
    cache = project / PDF_CACHE if use_cache else None
    return catalog, build_pdfs(catalog, renderer, docs, out, cache, workers, only, progress, shard)
