"""The site's catalog: which page shows which report, and the index pages over them.

A report page names its data file in its front matter (``数据: data/2021/x/a02.yaml``);
a data file that no page names gets a generated page at the same place as its data
(``data/2021/x/a02.yaml`` → ``2021/x/a02.md``). The catalog scores every report once,
and knows each one's year, department, total and grade for the index pages."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from gongkai.engine.paths import Refused, TooLarge, display_name, inside, inspect_tree, project_of, read_bytes_inside, safe_file
from gongkai.engine.pipeline import Result, discover_checked, evaluate, map_jobs
from gongkai.render.charts import draw
from gongkai.final_accounts import workbook
from gongkai.final_accounts.evaluate import FinalResult
from gongkai.render.opendata import csv_bytes, final_csv_bytes, final_json_bytes, json_bytes
from gongkai.render.report_view import chart_specs
from gongkai.engine.problems import has_errors, problem
from gongkai.engine.yamlload import MAX_BYTES, load_text

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
DATA_KEY = "数据"


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
    downloads: dict = field(default_factory=dict)  # open-data file contents by kind

    @property
    def scored(self):
        return self.result.scored

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

    def by_page(self) -> dict:
        return {e.page.src_uri: e for e in self.entries}

    def years(self) -> list:
        return sorted({e.report.year for e in self.entries}, reverse=True)

    def departments(self) -> list:
        """(slug, name) pairs, by name."""
        seen = {}
        for e in self.entries:
            seen.setdefault(e.department_slug, e.report.department)
        return sorted(seen.items(), key=lambda item: item[1])

    def of_year(self, year: int) -> list:
        return sorted((e for e in self.entries if e.report.year == year), key=_order)

    def of_department(self, slug: str) -> list:
        return sorted((e for e in self.entries if e.department_slug == slug), key=lambda e: (-e.report.year, *_order(e)))

    @property
    def failed(self) -> bool:
        return has_errors(self.problems)


def _order(entry: Entry) -> tuple:
    return (entry.report.department, entry.page.src_uri)


def front_matter(text: str, file: str) -> tuple[dict, int, list]:
    """A page's front matter, the line its body starts on, and problems."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, 1, []
    loaded = load_text(match.group(1) or "", file)
    body_line = text[: match.end()].count("\n") + 1
    if loaded.problems:
        return {}, body_line, [problem("PAGE_FRONT_MATTER", file, p.line + 1 if p.line else 1, p.message) for p in loaded.problems]
    if loaded.value is None:
        return {}, body_line, []
    if not isinstance(loaded.value, dict):
        return {}, body_line, [problem("PAGE_FRONT_MATTER", file, 2, "页面头部信息（--- 之间）应为“键: 值”的形式")]
    return loaded.value, body_line, []


def report_pages(project: Path, docs: Path, data: Path) -> tuple[list, list]:
    """Pages that show reports: those naming a data file, then generated ones for the rest.

    Markdown pages and data files that :mod:`gongkai.engine.paths` refuses (links leaving the
    project, FIFOs, devices) are left out, each with its located problem."""
    pages, named, existing = [], set(), set()
    markdown, problems = inspect_tree(project, docs, suffixes=(".md",)) if docs.is_dir() else ([], [])
    for md in markdown:
        src_uri = md.relative_to(docs).as_posix()
        existing.add(src_uri)
        display = display_name(project, md)
        try:
            head = _head(project, md, display)
        except Refused as refused:
            problems.append(refused.problem)
            continue
        except OSError as exc:
            problems.append(problem("FILE_UNREADABLE", display, None, f"无法读取文件：{exc.strerror or exc}"))
            continue
        if not head.startswith("---"):
            continue
        meta, _, found = front_matter(head, display)
        problems += found
        if DATA_KEY not in meta:
            continue
        target = str(meta[DATA_KEY])
        path = project / target
        if "\0" in target or not inside(project, path) or safe_file(project, path) is not None:
            problems.append(problem("PAGE_DATA", display, 2, f"页面头部的“数据: {target}”找不到（路径相对于项目根目录，应在项目内）"))
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


def _head(project: Path, path: Path, display: str, limit: int = 8192) -> str:
    """The first ``limit`` characters of a page (read through the guarded open)."""
    return read_bytes_inside(project, path, display, first=limit * 4).decode("utf-8", errors="replace")[:limit]


ALL_DOWNLOADS = ("yaml", "json", "csv", "xlsx")


def build(project: Path, docs: Path, data: Path, downloads: tuple = ALL_DOWNLOADS) -> Catalog:
    """Find, score and check every report shown on the site (and make the ``downloads`` asked for)."""
    pages, problems = report_pages(project, docs, data)
    catalog = Catalog(problems=problems)
    calls = [(str(project / p.data), p.data, wanted_charts(p, docs, project), downloads, str(project)) for p in pages]
    prepared = map_jobs(prepare, calls)
    for page, (result, charts, downloads) in zip(pages, prepared):
        catalog.problems += result.problems
        catalog.charts.update(charts)
        if result.scored is not None:
            catalog.entries.append(Entry(page, result, downloads))
    return catalog


CHART_CALLS = {"score": "得分图(", "funds": "资金图(", "quarterly": "进度图("}
GENERATED_CHARTS = ("score",)  # what pages/report.md shows


def wanted_charts(page: Page, docs: Path, project: Path | None = None) -> tuple:
    """The charts a page will show, so workers draw those and no others."""
    if page.generated:
        return GENERATED_CHARTS
    path = docs / page.src_uri
    try:
        text = read_bytes_inside(project or project_of(path), path).decode("utf-8", errors="replace")
    except (Refused, OSError):
        return ()  # report_pages already refused it
    return tuple(kind for kind, call in CHART_CALLS.items() if call in text)


def prepare(path: str, display: str, charts: tuple = (), downloads: tuple = ALL_DOWNLOADS, project: str | None = None) -> tuple:
    """Everything about one report that does not need the page: its score and problems,
    the SVG of the charts its page shows, and its open-data files. Runs in worker
    processes on large sites. The YAML download is read through the guarded open."""
    result = evaluate(path, display)
    if result.scored is None:
        return result, {}, {}
    raw = b""
    if "yaml" in downloads:
        try:
            raw = read_bytes_inside(Path(project) if project else project_of(path), path, display, limit=MAX_BYTES)
        except Refused as refused:
            return Result(display, None, [refused.problem]), {}, {}
        except (TooLarge, OSError) as exc:
            return Result(display, None, [problem("FILE_UNREADABLE", display, None, f"无法读取文件：{exc}")]), {}, {}
    if isinstance(result.scored, FinalResult):
        fr = result.scored
        makers = {
            "yaml": lambda: raw,
            "json": lambda: final_json_bytes(fr),
            "csv": lambda: final_csv_bytes(fr),
            "xlsx": lambda: workbook.write(fr.tables, fr.report.department, fr.report.unit, fr.report.year),
        }
        return result, {}, {kind: makers[kind]() for kind in downloads}
    cache: dict = {}
    for kind, spec in chart_specs(result.scored).items():
        if kind in charts:
            draw(spec, cache)
    makers = {"yaml": lambda: raw, "json": lambda: json_bytes(result.scored), "csv": lambda: csv_bytes(result.scored)}
    return result, cache, {kind: makers[kind]() for kind in downloads if kind in makers}


def relative_url(from_url: str, to_url: str) -> str:
    """Link from one directory URL to another (``years/2021/`` → ``../../2021/x/a02/``).

    Both are site paths as written (``page_url``); the link is percent-encoded as MkDocs
    encodes its own URLs, so a name with ``#``, ``?``, ``%`` or a space still links to it."""
    rel = posixpath.relpath(to_url or ".", from_url or ".")
    rel = rel if rel.endswith("/") or rel == "." else rel + "/"
    return quote(rel, safe="/")
