"""The PDF stage: plan one PDF per report and one volume per department-year, skip those
whose inputs have not changed, render the rest in parallel worker processes.

The cache key of a PDF is a hash of its print HTML (which already holds the data, the
Markdown, the templates and the CSS), its attachments, its date, the fonts and the
versions of gongkai and WeasyPrint. Beside each cached PDF a manifest lists every file
the renderer actually read for it (stylesheets pulled in by ``@import``, fonts, images,
images inside SVG files) with its sha256: the cached PDF is used only when its key is the
same and every file of its manifest still hashes the same. Change any of them and the PDF
is made again.

Each PDF succeeds or fails alone: a refused reference, a page nested too deep, any error
of the renderer, even a crashed worker, is an outcome of that one job naming its page; the
other PDFs are still made, and the caller fails the build when any outcome has an error."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from gongkai import __version__
from gongkai.engine.files import write_atomic
from gongkai.engine.problems import terminal_text
from gongkai.pdf import fonts as print_fonts
from gongkai.pdf.dates import latest
from gongkai.pdf.printhtml import Job, PrintRenderer
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.site import catalog as catalog_module
from gongkai.site.catalog import FRONT_MATTER, Catalog, Entry
from gongkai.site.config import PDF_CACHE, load_site, parse_shard  # noqa: F401  (parse_shard: gongkai build --shard)

if TYPE_CHECKING:
    from gongkai.pdf.writer import Writer

PDF_FOLDER = "pdf"
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))


@dataclass
class PdfJob(Job):
    """A job with what its messages name: the files of the pages it is made from (the page's
    Markdown, or the data file of a generated page) and, for a volume, its reports' PDFs."""

    pages: tuple = ()
    parts: tuple = ()  # a volume's report PDFs (outputs), in order
    error: str | None = None  # set when planning: its print HTML could not be made


SHOWN_PAGES = 5  # pages named in one message; more are counted


@dataclass
class PdfJobResult:
    job: Job
    made: bool  # False: taken from the cache
    error: str | None = None  # why it was not made, in Chinese
    seconds: float = 0.0
    pages: tuple = ()  # the pages to blame, when not the job's own (a volume failed by a report)

    @property
    def where_pages(self) -> tuple:
        return self.pages or getattr(self.job, "pages", ()) or (self.job.output,)

    @property
    def message(self) -> str:
        """``content/2021/t/x.md: PDF 未生成（2021/t/x.pdf）：why``: the page first, as every located problem."""
        pages = self.where_pages
        where = "、".join(pages[:SHOWN_PAGES]) + (f" 等 {len(pages)} 个页面" if len(pages) > SHOWN_PAGES else "")
        kind = "汇编 PDF" if getattr(self.job, "parts", ()) else "PDF"
        return terminal_text(f"{where}: {kind} 未生成（{self.job.output}）：{self.error}")


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
    print_fonts.fingerprint(digest)
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
    for name, content, description, *date in job.attachments:
        digest.update(name.encode() + b"\0" + description.encode() + b"\0" + content + b"\0" + "".join(date).encode())
    return digest.hexdigest()


def in_shard(output: str, shard: tuple | None) -> bool:
    """Whether a PDF belongs to shard K of N: a stable hash of its path, so any machine
    agrees which PDFs are its own and N shards together make every PDF exactly once."""
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha256(output.encode("utf-8")).hexdigest(), 16) % n == k - 1


def plan(catalog: Catalog, renderer: PrintRenderer, only: set | None = None, shard: tuple | None = None) -> list:
    """Jobs for every report (or those whose data file is in ``only``) and their volumes,
    restricted to one shard when ``shard`` is (K, N). A report whose print HTML cannot be
    made (a template error, Markdown nested too deep) becomes a job that has already failed,
    and so does its volume: one page never stops the planning of the others."""
    fonts = fonts_fingerprint()
    jobs: list = []
    groups: dict[tuple, list[Entry]] = {}
    failed: dict = {}
    for entry in catalog.entries:
        groups.setdefault((entry.report.year, entry.department_slug), []).append(entry)
        if only is not None and entry.page.data not in only:
            continue
        html, error = _print_html(lambda: renderer.report(entry), entry, renderer)
        job = PdfJob(
            report_pdf(entry),
            html,
            entry.report.name,
            _attachments(entry, date=renderer.dates.file_date(entry.page.data)),
            renderer.date(entry),
            pages=(_page_file(entry, renderer),),
            error=error,
        )
        if error:
            failed[entry.page.src_uri] = job
        jobs.append(job)
    for (year, _), entries in sorted(groups.items()):
        if only is not None and not any(e.page.data in only for e in entries):
            continue
        entries = sorted(entries, key=lambda e: e.page.src_uri)
        culprits = [failed[e.page.src_uri] for e in entries if e.page.src_uri in failed]
        if culprits:
            html, error = "", "其中的" + "；".join(f"报告 {c.output} 未能生成：{c.error}" for c in culprits)
        else:
            html, error = _print_html(
                lambda: renderer.volume(entries[0].report.department, year, entries), None, renderer
            )
        attachments = [
            a for e in entries for a in _attachments(e, prefix=f"{e.slug}.", date=renderer.dates.file_date(e.page.data))
        ]
        job = PdfJob(
            volume_pdf(entries[0]),
            html,
            f"{entries[0].report.department} {year} 年度汇编",
            attachments,
            latest(renderer.date(e) for e in entries),
            pages=tuple(page for c in culprits for page in c.pages) or tuple(_page_file(e, renderer) for e in entries),
            parts=tuple(report_pdf(e) for e in entries),
            error=error,
        )
        jobs.append(job)
    jobs = [job for job in jobs if in_shard(job.output, shard)]
    for job in jobs:
        job.key = _key(job, fonts)
    return jobs


def _print_html(make, entry: Entry | None, renderer: PrintRenderer) -> tuple:
    """(print HTML, None), or ("", why in Chinese) when it cannot be made."""
    from gongkai.render.page import PageError

    try:
        return make(), None
    except PageError as exc:
        line = "" if exc.line is None or entry is None else f"（第 {exc.line + _body_offset(entry, renderer)} 行）"
        return "", f"页面模板错误{line}：{exc}"
    except RecursionError:
        return "", "页面结构嵌套过深，转换 Markdown 时超出了递归上限；请减少列表或引用块的嵌套层数"
    except MemoryError:
        return "", "生成排版用的 HTML 时内存不足"
    except Exception as exc:
        return "", f"生成排版用的 HTML 时出错（{type(exc).__name__}：{exc}）"


def _body_offset(entry: Entry, renderer: PrintRenderer) -> int:
    """Lines of the page file before its Markdown body (the front matter), which the print
    renderer leaves out: a template error's line in the body plus this is its line in the file."""
    if entry.page.generated:
        return 0
    try:
        text = (renderer.docs / entry.page.src_uri).read_text(encoding="utf-8-sig")
    except OSError:
        return 0
    match = FRONT_MATTER.match(text)
    return text[: match.end()].count("\n") if match else 0


def _page_file(entry: Entry, renderer: PrintRenderer) -> str:
    """The file a message names for a report: its page (``content/2021/t/x.md``), or its data
    file when the page is generated."""
    if entry.page.generated:
        return entry.page.data
    path = Path(os.path.abspath(renderer.docs / entry.page.src_uri))
    project = Path(os.path.abspath(renderer.project))
    return path.relative_to(project).as_posix() if path.is_relative_to(project) else entry.page.src_uri


def _attachments(entry: Entry, prefix: str = "", date: str = "") -> list:
    """(name, bytes, description, date of the data file or "") of the files a report's PDF carries."""
    yaml_bytes = entry.downloads.get("yaml") or b""
    json_bytes = entry.downloads.get("json") or b""
    yaml_name = f"{prefix}yaml" if prefix else f"{entry.slug}.yaml"
    json_name = f"{prefix}json" if prefix else f"{entry.slug}.json"
    return [
        (yaml_name, yaml_bytes, "报告的原始数据（YAML）", date),
        (json_name, json_bytes, "原始数据与 gongkai 的计算结果（JSON）", date),
    ]


# ---- running ------------------------------------------------------------------------

_writer: Writer | None = None  # one per worker process, made by _start_worker

CRASHED = "生成 PDF 的工作进程意外退出（页面可能过大或结构过于复杂）"


def _start_worker():
    global _writer
    from gongkai.pdf.writer import RECURSION_LIMIT, Writer

    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    _writer = Writer()


def _render(job: Job, root: str, out: str, cache: str | None) -> tuple:
    """In a worker: make one PDF, write it (and its cache entry with the manifest of every
    file it read). Returns (error or None, seconds). Whatever goes wrong with this document
    is reported for this document; it never ends the worker or the stage."""
    from gongkai.pdf.writer import RenderError

    started = time.perf_counter()
    try:
        assert _writer is not None, "the worker was started without its writer"
        rendered = _writer.render(job.html, Path(root), Path(root) / job.base, job.attachments, job.date)
    except RenderError as exc:
        return str(exc), time.perf_counter() - started
    except Exception as exc:
        return f"生成时出错（{type(exc).__name__}：{exc}）", time.perf_counter() - started
    try:
        write_atomic(Path(out) / job.output, rendered.pdf)
        if cache:
            _store(Path(cache), job.key, rendered)
    except OSError as exc:
        return f"无法写入 PDF（{exc.strerror or exc}）", time.perf_counter() - started
    return None, time.perf_counter() - started


def _store(cache: Path, key: str, rendered) -> None:
    """The cached PDF and its manifest: the manifest is removed first and written last, so
    a PDF is never taken from the cache with a manifest that belongs to another rendering."""
    manifest = cache / f"{key}.json"
    manifest.unlink(missing_ok=True)
    write_atomic(cache / f"{key}.pdf", rendered.pdf)
    text = json.dumps({"files": [list(entry) for entry in rendered.fetched]}, ensure_ascii=False, indent=0)
    write_atomic(manifest, text.encode("utf-8"))


def _file_digest(root: Path, rel: str) -> str | None:
    path = (root / rel).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def cache_holds(cache: Path, key: str, root: Path, digests: dict | None = None) -> bool:
    """Whether the cached PDF of ``key`` is still right: it exists, and every file it read
    when it was made (its manifest) is still in the build folder with the same content.
    ``digests`` memoises file hashes across the PDFs of one run."""
    if not (cache / f"{key}.pdf").is_file():
        return False
    try:
        files = json.loads((cache / f"{key}.json").read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return False  # no manifest (an older cache, or an interrupted write): make it again
    root = root.resolve()
    digests = {} if digests is None else digests
    for entry in files if isinstance(files, list) else [None]:
        if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(x, str) for x in entry)):
            return False
        rel, digest = entry
        if rel not in digests:
            digests[rel] = _file_digest(root, rel)
        if digests[rel] != digest:
            return False
    return True


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


def run(
    jobs: list, root: Path, out: Path, cache: Path | None, workers: int | None = None, progress: bool | None = None
) -> list:
    """Make the PDFs: cached ones (key and manifest unchanged) are linked, the rest rendered on
    ``workers`` processes. One outcome per job, in the order of ``jobs``; a job that fails
    fails alone, and its PDF is not left in ``out``."""
    outcomes: dict = {}
    todo = []
    digests: dict = {}
    for index, job in enumerate(jobs):
        if getattr(job, "error", None):
            outcomes[index] = PdfJobResult(job, True, job.error)
        elif cache is not None and cache_holds(cache, job.key, root, digests):
            _place(cache / f"{job.key}.pdf", out / job.output)
            outcomes[index] = PdfJobResult(job, False)
        else:
            todo.append(index)
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    show = sys.stderr.isatty() if progress is None else progress
    args = (str(root), str(out), str(cache) if cache else None)
    tasks = [(index, jobs[index]) for index in todo]
    results = _in_process(tasks, args) if workers == 1 else _in_pool(tasks, args, workers)
    for index, (error, seconds) in _with_progress(results, len(tasks), show):
        outcomes[index] = PdfJobResult(jobs[index], True, error, seconds)
    ordered = [outcomes[i] for i in range(len(jobs))]
    _fail_volumes(ordered)
    for outcome in ordered:
        if outcome.error:
            (out / outcome.job.output).unlink(missing_ok=True)  # never a PDF of an earlier build in its place
    return ordered


def _in_process(tasks: list, args: tuple):
    """One worker: render here, one document after another, with the workers' recursion
    limit while rendering. (No process boundary here: a crash of the renderer would end
    the whole command, with a non-zero exit.)"""
    previous = sys.getrecursionlimit()
    _start_worker()
    try:
        for index, job in tasks:
            yield index, _render(job, *args)
    finally:
        sys.setrecursionlimit(previous)


def _in_pool(tasks: list, args: tuple, workers: int):
    """Render on worker processes. If a worker dies (BrokenProcessPool: a crash, the kernel's
    out-of-memory killer), the jobs it took down with it are rendered again one at a time in
    a fresh worker: there the job running when a worker dies again is the one that kills
    it, and it alone is reported; the others still finish."""
    queue, parallel = list(tasks), workers
    while queue:
        broken = []
        with ProcessPoolExecutor(max_workers=min(parallel, len(queue)), initializer=_start_worker) as pool:
            futures = {pool.submit(_render, job, *args): (index, job) for index, job in queue}
            for future in as_completed(futures):
                index, job = futures[future]
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken.append((index, job))
                    continue
                except Exception as exc:
                    result = (f"生成时出错（{type(exc).__name__}：{exc}）", 0.0)
                yield index, result
        broken.sort(key=lambda task: task[0])
        if broken and parallel == 1:
            yield broken[0][0], (CRASHED, 0.0)
            broken = broken[1:]
        queue, parallel = broken, 1


def _fail_volumes(outcomes: list) -> None:
    """A volume (汇编) holds every report of its department and year: when one of them failed
    in this run, the volume fails too, named with that report, rather than being published
    without it."""
    failed = {o.job.output: o for o in outcomes if o.error}
    for outcome in outcomes:
        parts = getattr(outcome.job, "parts", ())
        culprits = [failed[p] for p in parts if p in failed]
        if not culprits:
            continue
        outcome.error = "其中的" + "；".join(f"报告 {c.job.output} 未能生成：{c.error}" for c in culprits)
        outcome.pages = tuple(page for c in culprits for page in c.where_pages)


def _with_progress(results, total: int, show: bool) -> list:
    if not show or total == 0:
        return list(results)
    import click

    with click.progressbar(results, length=total, label="生成 PDF", file=sys.stderr) as bar:
        return list(bar)


def build_pdfs(
    catalog: Catalog,
    renderer: PrintRenderer,
    root: Path,
    out: Path,
    cache: Path | None,
    workers: int | None = None,
    only: set | None = None,
    progress: bool | None = None,
    shard: tuple | None = None,
) -> list:
    """Plan and make every PDF of a catalog; returns the outcomes (errors among them)."""
    return run(plan(catalog, renderer, only, shard), root, out, cache, workers, progress)


def project_pdfs(
    project: Path,
    out: Path,
    workers: int | None = None,
    only: set | None = None,
    use_cache: bool = True,
    progress: bool | None = None,
    shard: tuple | None = None,
) -> tuple:
    """``gongkai pdf``: the PDFs of the project in folder ``project`` without building the site.
    Its mkdocs.yml is loaded by MkDocs (docs_dir, Markdown extensions, the gongkai plugin's
    options). Returns (catalog, outcomes); resources are read only from the docs folder."""
    site = load_site(project, shard=shard)
    loaded = site.project
    catalog = catalog_module.build(loaded, downloads=("yaml", "json"))  # what PDFs attach
    if catalog.failed:
        return catalog, []
    html_env = html_environment(loaded.root)
    markdown_env = markdown_environment(html_env)
    site_url = getattr(site.config, "site_url", None) if site.config is not None else None
    renderer = PrintRenderer.for_catalog(loaded, catalog, html_env, markdown_env, site.markdown, site_url)
    cache = (loaded.settings.pdf_cache_dir or loaded.root / PDF_CACHE) if use_cache else None
    return catalog, build_pdfs(
        catalog, renderer, loaded.docs, out, cache, workers, only, progress, loaded.settings.shard
    )
