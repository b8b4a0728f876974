"""The site's catalog: which page shows which report, and the index pages over them.

A report page names its data file in its front matter (``数据: data/2021/x/a02.yaml``);
a data file that no page names gets a generated page at the same place as its data
(``data/2021/x/a02.yaml`` → ``2021/x/a02.md``). The catalog evaluates every report once
with the project, and knows each one's year, department and standing (total and grade, as
its kind says) for the index pages."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from gongkai.engine.kinds import ReportKind, Standing
from gongkai.engine.paths import Refused, TooLarge, display_name, inside, inspect_tree, read_bytes_inside, safe_file
from gongkai.engine.pipeline import Result, discover_checked, evaluate, in_workers, map_jobs
from gongkai.engine.problems import has_errors, problem
from gongkai.engine.project import Project
from gongkai.engine.yamlload import MAX_BYTES
from gongkai.render.charts import draw
from gongkai.render.public_yaml import without_comments
from gongkai.site.frontmatter import DATA_KEY, FRONT_MATTER, MARKDOWN_SUFFIXES, front_matter, read_page  # noqa: F401  (re-exported)


@dataclass
class Page:
    """A Markdown page of the site that shows a report."""

    src_uri: str  # inside the docs folder, posix
    data: str  # data file, relative to the project, posix
    generated: bool = False


def page_url(src_uri: str) -> str:
    """The URL of a Markdown page from the site root, as MkDocs makes it with directory URLs.

    As written, not percent-encoded: it is also the page's folder in the built site (the
    PDFs and downloads are placed by it). :func:`relative_url` encodes links."""
    path = PurePosixPath(src_uri).with_suffix("")
    return f"{path.parent}/" if path.name == "index" else f"{path}/"


@dataclass
class Entry:
    page: Page
    result: Result
    downloads: dict = field(default_factory=dict)  # open-data file contents by format
    kind: ReportKind | None = None  # what evaluated it: asked for its view, standing, downloads
    filled: object | None = None  # its page with the template filled in a worker (site.prerender.Filled)
    printed: object | None = None  # the HTML of its PDF, made in a worker (site.prerender.Printed)

    @property
    def scored(self):
        return self.result.scored

    @property
    def standing(self) -> Standing:
        """Total and grade for the lists (empty for a kind that is not scored)."""
        return self.kind.standing(self.scored) if self.kind is not None else Standing()

    @property
    def report(self):
        return self.result.scored.report

    @property
    def url(self) -> str:
        """The page's URL from the site root (directory URLs)."""
        return page_url(self.page.src_uri)

    @property
    def slug(self) -> str:
        return PurePosixPath(self.page.src_uri).stem

    @property
    def department_slug(self) -> str:
        """The data file's folder names the department (``data/2021/shenzhen-gsl/``)."""
        return PurePosixPath(self.page.data).parent.name


@dataclass
class Catalog:
    entries: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    charts: dict = field(default_factory=dict)  # chart SVG by its inputs
    kept: set = field(default_factory=set)  # the report cache entries this catalog was made with

    def by_page(self) -> dict:
        return {e.page.src_uri: e for e in self.entries}

    def years(self) -> list:
        return sorted({e.report.year for e in self.entries}, reverse=True)

    def departments(self) -> list:
        """(slug, name) pairs, by name."""
        seen: dict[str, str] = {}
        for e in self.entries:
            seen.setdefault(e.department_slug, e.report.department)
        return sorted(seen.items(), key=lambda item: item[1])

    def of_year(self, year: int) -> list:
        return sorted((e for e in self.entries if e.report.year == year), key=_order)

    def of_department(self, slug: str) -> list:
        return sorted(
            (e for e in self.entries if e.department_slug == slug), key=lambda e: (-e.report.year, *_order(e))
        )

    @property
    def failed(self) -> bool:
        return has_errors(self.problems)


def _order(entry: Entry) -> tuple:
    return (entry.report.department, entry.page.src_uri)


def report_pages(project: Path, docs: Path, data: Path) -> tuple[list, list]:
    """Pages that show reports: those naming a data file, then generated ones for the rest.

    Every Markdown page (every suffix MkDocs reads as a page) is read whole and its front
    matter checked (:mod:`gongkai.site.frontmatter`: gongkai's YAML loader, only the documented
    keys), so the site build refuses a bad page before MkDocs reads it. Markdown pages and data
    files that :mod:`gongkai.engine.paths` refuses (links leaving the project, FIFOs, devices)
    are left out, each with its located problem."""
    pages, named, existing = [], set(), set()
    markdown, problems = inspect_tree(project, docs, suffixes=MARKDOWN_SUFFIXES) if docs.is_dir() else ([], [])
    for md in markdown:
        src_uri = md.relative_to(docs).as_posix()
        existing.add(src_uri)
        display = display_name(project, md)
        head = read_page(project, md, display)
        problems += head.problems
        meta = head.meta
        if DATA_KEY not in meta:
            continue
        target = str(meta[DATA_KEY])
        path = project / target
        if "\0" in target or not inside(project, path) or safe_file(project, path) is not None:
            problems.append(problem(
                "PAGE_DATA", display, 2,
                f"页面头部的“数据: {target}”找不到"
                "（路径相对于项目根目录，应在项目内）",
            ))
            continue
        rel = path.resolve().relative_to(project.resolve()).as_posix()
        named.add(rel)
        pages.append(Page(src_uri, rel))
    files, _, refused = discover_checked([data], project) if data.is_dir() else ([], [], [])
    problems += refused
    for file in files:
        rel = file.resolve().relative_to(project.resolve()).as_posix()
        if rel in named:
            continue
        src_uri = file.relative_to(data).with_suffix(".md").as_posix()
        if src_uri not in existing:
            pages.append(Page(src_uri, rel, generated=True))
    return pages, problems


ALL_DOWNLOADS = ("yaml", "json", "csv", "xlsx")


def build(project: Project, downloads: tuple = ALL_DOWNLOADS, fill=None) -> Catalog:
    """Find, evaluate and check every report shown on the site of ``project`` (its Markdown
    folder and data folder), and make the ``downloads`` asked for. With ``fill`` (the site
    build's :class:`gongkai.site.prerender.Fill`), the worker processes that evaluate the reports
    also fill their pages' templates (``Entry.filled``); in this process they are filled later."""
    root, docs = project.root, project.docs
    pages, problems = report_pages(root, docs, project.data)
    catalog = Catalog(problems=problems)
    calls = [(str(root / p.data), p.data, wanted_charts(p, docs, root), downloads, project) for p in pages]
    if fill is not None and in_workers(len(calls)):
        prepared = map_jobs(fill.task, [(*c, p) for c, p in zip(calls, pages, strict=True)], None, *fill.start)
    else:
        prepared = [(*made, None, None, None) for made in map_jobs(prepare, calls)]
    for page, (result, charts, made, filled, printed, kept) in zip(pages, prepared, strict=False):
        catalog.kept.update([kept] if kept else [])
        catalog.problems += result.problems
        catalog.charts.update(charts)
        if result.scored is not None:
            catalog.entries.append(Entry(page, result, made, project.kinds.of(result.scored), filled, printed))
    return catalog


CHART_CALLS = {"score": "得分图(", "funds": "资金图(", "quarterly": "进度图(", "yoy": "变动图("}
GENERATED_CHARTS = ("score", "yoy")  # what pages/report.md and pages/final_accounts.md show


def wanted_charts(page: Page, docs: Path, root: Path) -> tuple:
    """The charts a page will show, so workers draw those and no others."""
    if page.generated:
        return GENERATED_CHARTS
    path = docs / page.src_uri
    try:
        text = read_bytes_inside(root, path).decode("utf-8", errors="replace")
    except (Refused, OSError):
        return ()  # report_pages already refused it
    return tuple(kind for kind, call in CHART_CALLS.items() if call in text)


def prepare(
    path: str, display: str, charts: tuple = (), downloads: tuple = ALL_DOWNLOADS, project: Project | None = None,
    made: tuple | None = None,
) -> tuple:
    """Everything about one report that does not need the page: its result and problems, the
    SVG of the charts its page shows, and its open-data files (as its kind makes them). Runs in
    worker processes on large sites. The YAML download is read through the guarded open and
    published without its comments (:mod:`gongkai.render.public_yaml`).
    Without ``project``, the project the file belongs to is loaded for it. ``made`` (charts,
    files but the YAML) is what an earlier build made of the same inputs (site.reportcache):
    the report is evaluated all the same, and those are not made again."""
    project = project if project is not None else Project.of(path)
    result = evaluate(path, display, project)
    if result.scored is None:
        return result, {}, {}
    raw = b""
    if "yaml" in downloads:
        try:
            raw = read_bytes_inside(project.root, path, display, limit=MAX_BYTES)
        except Refused as refused:
            return Result(display, None, [refused.problem]), {}, {}
        except (TooLarge, OSError) as exc:
            return Result(display, None, [problem("FILE_UNREADABLE", display, None, f"无法读取文件：{exc}")]), {}, {}
    if made is not None:
        cache, others = made
    else:
        kind = project.kinds.of(result.scored)
        cache = {}
        for name, spec in kind.charts(result.scored).items():
            if name in charts:
                draw(spec, cache)
        others = kind.downloads(result.scored, tuple(d for d in downloads if d != "yaml"))
    public = without_comments(raw) if "yaml" in downloads else raw  # the transcriber's notes stay in the repository
    files = {name: public if name == "yaml" else others[name] for name in downloads if name == "yaml" or name in others}
    return result, cache, files


def relative_url(from_url: str, to_url: str) -> str:
    """Link from one directory URL to another (``years/2021/`` → ``../../2021/x/a02/``).

    Both are site paths as written (``page_url``); the link is percent-encoded as MkDocs
    encodes its own URLs, so a name with ``#``, ``?``, ``%`` or a space still links to it."""
    rel = posixpath.relpath(to_url or ".", from_url or ".")
    rel = rel if rel.endswith("/") or rel == "." else rel + "/"
    return quote(rel, safe="/")
