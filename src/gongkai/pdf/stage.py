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
import itertools
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from gongkai import __version__
from gongkai.engine.files import write_atomic
from gongkai.engine.pipeline import frozen_heap
from gongkai.engine.problems import terminal_text
from gongkai.pdf import fonts as print_fonts
from gongkai.pdf.dates import latest
from gongkai.pdf.printhtml import Job, PrintRenderer
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.site import catalog as catalog_module
from gongkai.site.catalog import FRONT_MATTER, Catalog, Entry

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
    # a volume's frame (cover, 目录, numbered pages) is made once its reports' PDFs are: the
    # function from their page sizes to (print HTML, error); it stays in the planning process
    frame: Callable | None = field(default=None, repr=False, compare=False)
    fonts: str = ""  # the fonts' fingerprint, for a volume's key (made when its frame is)
    part_digests: tuple = ()  # sha256 of each report PDF a volume is assembled from
    html_digest: str = ""  # sha256 of the print HTML, when the HTML itself is read only if needed
    # where the print HTML is when it is not held here: () -> (HTML, error); stays in this process
    source: Callable | None = field(default=None, repr=False, compare=False)


SHOWN_PAGES = 5  # pages named in one message; more are counted


@dataclass
class PdfJobResult:
    job: Job
    made: bool  # False: taken from the cache
    error: str | None = None  # why it was not made, in Chinese
    seconds: float = 0.0
    pages: tuple = ()  # the pages to blame, when not the job's own (a volume failed by a report)
    made_of: dict = field(default_factory=dict)  # the PDF's page sizes and sha256, when known (PART_INFO)

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


def _html_digest(job: Job) -> str:
    return getattr(job, "html_digest", "") or hashlib.sha256(job.html.encode("utf-8")).hexdigest()


def _key(job: Job, fonts: str) -> str:
    digest = hashlib.sha256()
    parts = (__version__, _weasyprint_version(), fonts, job.date, _html_digest(job), *getattr(job, "part_digests", ()))
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    for name, content, description, *date in job.attachments:
        digest.update(name.encode() + b"\0" + description.encode() + b"\0" + content + b"\0" + "".join(date).encode())
    return digest.hexdigest()


def shard_groups(sizes: dict, n: int) -> dict:
    """Which of ``n`` shards (1 … n) makes each volume and its reports. A volume is assembled
    from its reports' PDFs, so a department-year goes to one shard whole. The largest groups are
    placed first, each on the shard with the fewest reports so far (ties: the lower shard, and
    groups in name order), so the shards are even and every machine that sees the same catalog
    agrees on the split; N shards together make every PDF exactly once."""
    loads = [0] * n
    placed = {}
    for group, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        k = min(range(n), key=lambda i: (loads[i], i))
        loads[k] += size
        placed[group] = k + 1
    return placed


def plan(catalog: Catalog, renderer: PrintRenderer, only: set | None = None, shard: tuple | None = None) -> list:
    """Jobs for every report and one volume per department-year: all of them, or the groups
    that hold a data file of ``only``, or the groups of shard K of N when ``shard`` is (K, N).
    A volume needs every report of its group, so a group is planned whole (the unchanged PDFs
    come from the cache). A report whose print HTML cannot be made (a template error, Markdown
    nested too deep) becomes a job that has already failed, and so does its volume: one page
    never stops the planning of the others."""
    fonts = fonts_fingerprint()
    groups: dict[tuple, list[Entry]] = {}
    for entry in catalog.entries:
        groups.setdefault((entry.report.year, entry.department_slug), []).append(entry)
    chosen = {key: sorted(entries, key=lambda e: e.page.src_uri) for key, entries in groups.items()}
    if only is not None:
        chosen = {key: entries for key, entries in chosen.items() if any(e.page.data in only for e in entries)}
    if shard is not None:
        k, n = shard
        owner = shard_groups({volume_pdf(entries[0]): len(entries) for entries in chosen.values()}, n)
        chosen = {key: entries for key, entries in chosen.items() if owner[volume_pdf(entries[0])] == k}
    jobs: list = []
    for (year, _), entries in sorted(chosen.items()):
        failed = []
        for entry in entries:
            made_here = lambda e=entry: _print_html(lambda: renderer.report(e), e, renderer)  # noqa: E731
            printed = getattr(entry, "printed", None)
            if printed is not None:  # made by the site's workers (site.prerender), perhaps kept in its cache
                html, error, digest = printed.html or "", None, printed.digest
                source = _printed_source(printed, made_here)
            else:
                (html, error), digest, source = made_here(), "", None
            job = PdfJob(
                report_pdf(entry),
                html,
                entry.report.name,
                _attachments(entry, date=renderer.dates.file_date(entry.page.data)),
                renderer.date(entry),
                pages=(_page_file(entry, renderer),),
                error=error,
                fonts=fonts,
                html_digest=digest,
                source=source,
            )
            job.key = _key(job, fonts)
            failed += [job] if error else []
            jobs.append(job)
        department = entries[0].report.department
        attachments = [
            a for e in entries for a in _attachments(e, prefix=f"{e.slug}.", date=renderer.dates.file_date(e.page.data))
        ]
        volume = PdfJob(
            volume_pdf(entries[0]),
            "",
            f"{department} {year} 年度汇编",
            attachments,
            latest(renderer.date(e) for e in entries),
            pages=tuple(page for c in failed for page in c.pages) or tuple(_page_file(e, renderer) for e in entries),
            parts=tuple(report_pdf(e) for e in entries),
            error="其中的" + "；".join(f"报告 {c.output} 未能生成：{c.error}" for c in failed) if failed else None,
            frame=lambda layouts, d=department, y=year, e=entries: _print_html(
                lambda: renderer.volume(d, y, e, layouts), None, renderer
            ),
            fonts=fonts,
        )
        jobs.append(volume)
    return jobs


def _printed_source(printed, made_here: Callable) -> Callable:
    """Where a report's print HTML comes from when its PDF is to be made: the report cache, else
    made again here (which also says why, if it cannot be made)."""

    def source() -> tuple:
        if printed.html:
            return printed.html, None
        if printed.path is not None:
            from gongkai.site.reportcache import read_print

            kept = read_print(printed.path)
            if kept is not None:
                return kept, None
        return made_here()

    return source


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
    from gongkai.pdf.volume import AssemblyError
    from gongkai.pdf.writer import RenderError

    started = time.perf_counter()
    try:
        assert _writer is not None, "the worker was started without its writer"
        volume = bool(getattr(job, "parts", ()))
        # a volume's frame is not tagged: the reports' pages put into it carry no place in its
        # structure tree, so the volume claims PDF/A-3u, never 3a or PDF/UA (content/guide/pdf.md)
        rendered = _writer.render(
            job.html, Path(root), Path(root) / job.base, job.attachments, job.date, tagged=not volume
        )
        if volume:
            rendered = replace(rendered, pdf=_assembled(rendered.pdf, job, Path(out)))
    except (RenderError, AssemblyError) as exc:
        return str(exc), time.perf_counter() - started
    except Exception as exc:
        return f"生成时出错（{type(exc).__name__}：{exc}）", time.perf_counter() - started
    try:
        write_atomic(Path(out) / job.output, rendered.pdf)
        made_of = _made_of(rendered.pdf)
        if cache:
            _store(Path(cache), job.key, rendered, made_of)
    except OSError as exc:
        return f"无法写入 PDF（{exc.strerror or exc}）", time.perf_counter() - started
    return None, time.perf_counter() - started, made_of


def _made_of(pdf: bytes) -> dict:
    """What a volume needs to know of a report's PDF without reading it again: the size of each
    page (its frame has pages of those sizes) and its sha256 (the volume's key holds it)."""
    from gongkai.pdf.volume import page_sizes

    try:
        sizes = [[str(size.width), str(size.height)] for size in page_sizes(pdf)]
    except Exception:
        sizes = None  # read again from the file when a volume needs it
    return {"pages": sizes, "sha256": hashlib.sha256(pdf).hexdigest()}


def _assembled(frame: bytes, job: Job, out: Path) -> bytes:
    """A volume: its frame with its reports' pages (:mod:`gongkai.pdf.volume`)."""
    from gongkai.pdf.volume import AssemblyError, assemble

    try:
        parts = [(out / part).read_bytes() for part in getattr(job, "parts", ())]
    except OSError as exc:
        raise AssemblyError(f"无法读取其中报告的 PDF（{exc.strerror or exc}）") from None
    return assemble(frame, parts)


def _store(cache: Path, key: str, rendered, made_of: dict | None = None) -> None:
    """The cached PDF and its manifest: the manifest is removed first and written last, so
    a PDF is never taken from the cache with a manifest that belongs to another rendering."""
    manifest = cache / f"{key}.json"
    manifest.unlink(missing_ok=True)
    write_atomic(cache / f"{key}.pdf", rendered.pdf)
    record = {"files": [list(entry) for entry in rendered.fetched], **(made_of or {})}
    write_atomic(manifest, json.dumps(record, ensure_ascii=False, indent=0).encode("utf-8"))


def _cached_made_of(cache: Path, key: str) -> dict:
    """The page sizes and sha256 a cached PDF's manifest records (empty for an older manifest)."""
    try:
        record = json.loads((cache / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    pages, digest = record.get("pages"), record.get("sha256")
    return {"pages": pages, "sha256": digest} if isinstance(pages, list) and isinstance(digest, str) else {}


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
    ``workers`` processes. A volume is made once all its reports are (:func:`_frame`). One outcome
    per job, in the order of ``jobs``; a job that fails fails alone (and the volume that holds
    it), and its PDF is not left in ``out``."""
    outcomes: dict = {}
    digests: dict = {}
    todo: list = []
    waiting: list = []  # volumes, until their reports are made
    for index, job in enumerate(jobs):
        if getattr(job, "error", None):
            outcomes[index] = PdfJobResult(job, True, job.error)
        elif getattr(job, "parts", ()):
            waiting.append(index)
        elif cache is not None and cache_holds(cache, job.key, root, digests):
            _place(cache / f"{job.key}.pdf", out / job.output)
            outcomes[index] = PdfJobResult(job, False, made_of=_cached_made_of(cache, job.key))
        else:
            todo.append(index)
    made_here = {job.output: index for index, job in enumerate(jobs)}
    show = sys.stderr.isatty() if progress is None else progress
    bar = _Progress(len(todo) + len(waiting), show)

    def volumes_ready() -> list:
        """Volumes whose reports are all settled: failed, placed from the cache, or rendered
        on a worker (indices to render)."""
        ready = []
        for index in list(waiting):
            job = jobs[index]
            parts = [made_here[p] for p in job.parts if p in made_here]
            if not all(i in outcomes for i in parts):
                continue
            waiting.remove(index)
            if any(outcomes[i].error for i in parts):
                outcomes[index] = PdfJobResult(job, True, "其中的报告未能生成")  # named by _fail_volumes
            elif (error := _frame(job, out, [outcomes[i].made_of for i in parts])) is not None:
                outcomes[index] = PdfJobResult(job, True, error)
            elif cache is not None and cache_holds(cache, job.key, root, digests):
                _place(cache / f"{job.key}.pdf", out / job.output)
                outcomes[index] = PdfJobResult(job, False)
            else:
                ready.append(index)
                continue
            bar.advance()
        return ready

    def settle(index: int, result: tuple) -> list:
        error, seconds, *made_of = result
        outcomes[index] = PdfJobResult(jobs[index], True, error, seconds, made_of=made_of[0] if made_of else {})
        bar.advance()
        return volumes_ready()

    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) + len(waiting) or 1))
    args = (str(root), str(out), str(cache) if cache else None)
    first = todo + volumes_ready()
    with bar:
        if workers == 1:
            _in_process(first, jobs, args, settle)
        else:
            _in_pool(first, jobs, args, settle, workers)
    ordered = [outcomes[i] for i in range(len(jobs))]
    _fail_volumes(ordered)
    for outcome in ordered:
        if outcome.error:
            (out / outcome.job.output).unlink(missing_ok=True)  # never a PDF of an earlier build in its place
    return ordered


def _frame(job: PdfJob, out: Path, known: list | None = None) -> str | None:
    """A volume's frame, once its reports' PDFs are made: the print HTML of its cover, 目录 and
    numbered pages of the sizes of theirs, and its key (which holds the reports' PDFs' hashes).
    What is ``known`` of a report's PDF (its pages and sha256, recorded when it was made) is not
    read again from the file. Returns why it cannot be made, or None."""
    from gongkai.pdf.volume import PageSize, page_sizes

    layouts, digests = [], []
    try:
        for part, made_of in zip(job.parts, known or [{}] * len(job.parts), strict=True):
            if made_of.get("pages") and made_of.get("sha256"):
                layouts.append(tuple(PageSize(Decimal(w), Decimal(h)) for w, h in made_of["pages"]))
                digests.append(made_of["sha256"])
                continue
            pdf = (out / part).read_bytes()
            layouts.append(page_sizes(pdf))
            digests.append(hashlib.sha256(pdf).hexdigest())
    except Exception as exc:  # a report PDF that is not readable: this volume fails, alone
        return f"无法读取其中报告的 PDF（{type(exc).__name__}：{exc}）"
    if job.frame is None:
        return "汇编缺少封面和目录的排版"
    job.html, error = job.frame(layouts)
    job.part_digests = tuple(digests)
    job.key = _key(job, job.fonts)
    return error


def _shipped(job: Job) -> tuple:
    """(the job as a worker gets it, or None; why it cannot be sent). The functions that make a
    volume's frame and read a report's print HTML stay here; the HTML is read now, and not kept."""
    if not isinstance(job, PdfJob):
        return job, None
    html = job.html
    if not html and job.source is not None:
        html, error = job.source()
        if error:
            return None, error
        digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
        if digest != job.html_digest:  # not the HTML the key was made from: the key of this one
            job.html_digest = digest
            job.key = _key(replace(job, html=html), job.fonts)
    return replace(job, html=html, frame=None, source=None), None


def _sent(index: int, jobs: list, settle) -> tuple:
    """The job to render, or (None, what settling it gave) when it fails before it is sent."""
    shipped, error = _shipped(jobs[index])
    if shipped is None:
        return None, settle(index, (error, 0.0))
    return shipped, []


def _in_process(first: list, jobs: list, args: tuple, settle) -> None:
    """One worker: render here, one document after another, with the workers' recursion
    limit while rendering. (No process boundary here: a crash of the renderer would end
    the whole command, with a non-zero exit.)"""
    previous = sys.getrecursionlimit()
    _start_worker()
    queue = list(first)
    try:
        while queue:
            index = queue.pop(0)
            shipped, more = _sent(index, jobs, settle)
            queue += more if shipped is None else settle(index, _render(shipped, *args))
    finally:
        sys.setrecursionlimit(previous)


def _in_pool(first: list, jobs: list, args: tuple, settle, workers: int) -> None:
    """Render on worker processes; what ``settle`` returns (volumes whose reports are done) is
    rendered next. If a worker dies (BrokenProcessPool: a crash, the kernel's out-of-memory
    killer), the jobs it took down with it are rendered again one at a time in a fresh worker:
    there the job running when a worker dies again is the one that kills it, and it alone is
    reported; the others still finish."""
    queue, parallel = list(first), workers
    submitted = itertools.count()  # a worker takes jobs in the order they are submitted
    with frozen_heap():
        _run_pool(queue, parallel, submitted, jobs, args, settle)


def _run_pool(queue: list, parallel: int, submitted, jobs: list, args: tuple, settle) -> None:
    while queue:
        broken: list = []
        with ProcessPoolExecutor(max_workers=parallel, initializer=_start_worker) as pool:
            running: dict = {}
            while queue or running:
                waiting_to_send, queue = queue, []
                for index in waiting_to_send:
                    shipped, more = _sent(index, jobs, settle)
                    if shipped is None:
                        queue += more
                        continue
                    running[pool.submit(_render, shipped, *args)] = (next(submitted), index)
                if not running:
                    continue
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    order, index = running.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        broken.append((order, index))
                        continue
                    except Exception as exc:
                        result = (f"生成时出错（{type(exc).__name__}：{exc}）", 0.0)
                    queue += settle(index, result)
                if broken:  # the pool is gone: what was running goes with the broken ones
                    broken += [running.pop(future) for future in list(running)]
                    break
        broken.sort()
        if broken and parallel == 1:
            queue += settle(broken[0][1], (CRASHED, 0.0))
            broken = broken[1:]
        queue, parallel = [index for _, index in broken] + queue, 1


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


class _Progress:
    """The terminal's progress bar of the PDF stage (nothing when ``show`` is false)."""

    def __init__(self, total: int, show: bool):
        self.bar = None
        if show and total:
            import click

            self.bar = click.progressbar(length=total, label="生成 PDF", file=sys.stderr)

    def __enter__(self):
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def advance(self) -> None:
        if self.bar is not None:
            self.bar.update(1)


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
    from gongkai.site.config import PDF_CACHE, load_site  # reads mkdocs.yml with MkDocs

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
