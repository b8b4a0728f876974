"""Report pages filled before MkDocs' page loop: in the worker processes that evaluate the
reports, each report page's template is filled from its report (tables, charts, figures) and
its prose checked against the data, so MkDocs' single-threaded loop only looks the result up.

One function fills a page (:func:`fill_page`), wherever it runs: in a worker here, or in the
plugin's ``on_page_markdown`` for a page that was not filled ahead (a small site, a generated
page, or a page whose Markdown is not exactly what the worker read, e.g. because another
plugin changed it). Either way the page is the same: the output does not depend on which
process filled it. A template error is never raised in a worker: the page is left unfilled and
the plugin fills it, reporting the error at its line as it always has.

Imports neither MkDocs nor WeasyPrint."""

from __future__ import annotations

import hashlib
import pickle
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from gongkai.engine.basis import basis_of
from gongkai.engine.paths import display_name
from gongkai.engine.project import Project
from gongkai.pdf.stage import PDF_FOLDER, report_pdf
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.render.page import Compiled, Stash, render, with_check_notes
from gongkai.render.report_view import Links
from gongkai.render.views import view_for
from gongkai.site import reportcache
from gongkai.site.catalog import Catalog, Entry, Page, prepare, relative_url
from gongkai.site.frontmatter import read_page
from gongkai.site.pagecheck import claim_problems, page_findings
from gongkai.site.pages import download_names

# MkDocs' split of a page into front matter and body (mkdocs.utils.meta.get_data)
_MKDOCS_META = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.UNICODE | re.DOTALL)


@dataclass
class Filled:
    """A report page with its template filled: the Markdown it was filled from (as MkDocs
    hands it to ``on_page_markdown``), the filled Markdown (stashed blocks as placeholders), the
    stash, and the page's problems (its prose against its data, as its report's own)."""

    body: str
    text: str
    stash: Stash
    problems: list = field(default_factory=list)


def fill_page(
    entry: Entry, markdown: str, display: str, body_line: int, project: Project, compiled: Compiled, html_env,
    charts: dict, pdf: bool,
) -> Filled:
    """Fill a report page's template from its report (raises PageError as ``render`` does)."""
    stash = Stash()
    links = Links(**download_names(entry))
    if pdf:
        links.pdf = relative_url(entry.url, f"{PDF_FOLDER}/{report_pdf(entry)}").rstrip("/")
    view = view_for(entry.scored, html_env, stash, links, charts, project.kinds)
    context = view.context()
    text = render(compiled, markdown, context, display)
    basis = basis_of(entry.scored.report, project.settings.basis)
    claims = claim_problems(text, display, body_line, entry.scored, project.kinds)
    problems = page_findings(claims, entry.scored.report, basis)
    text = with_check_notes(text, context, stash)
    if "下载链接(" not in markdown and "概要(" not in markdown:
        text += "\n\n" + str(context["下载链接"]()) + "\n"
    return Filled(markdown, text, stash, problems)


def mkdocs_body(text: str) -> tuple[str, int] | None:
    """A page's Markdown as MkDocs gives it to ``on_page_markdown`` (universal newlines, the
    front matter and the blank lines after it removed) and the page-file line it starts on;
    None when MkDocs would not find a front matter."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    match = _MKDOCS_META.match(text)
    if match is None:
        return None
    rest = text[match.end() :]
    body = rest.lstrip("\n")
    return body, text[: match.end()].count("\n") + 1 + len(rest) - len(body)


# ---- in the workers ---------------------------------------------------------------------


@dataclass
class Printed:
    """The print HTML of a report's PDF, made in a worker: its sha256, and the HTML itself when
    there is no report cache to keep it in (else it is read from there when the PDF is made)."""

    digest: str
    html: str | None = None
    path: Path | None = None  # where the report cache keeps it


@dataclass(frozen=True)
class Fill:
    """What :func:`gongkai.site.catalog.build` needs to fill pages in its workers: the project,
    whether pages link their PDFs, the report cache folder (or None), and, when PDFs are made,
    how the PDFs' HTML is made (the Markdown extensions and options of mkdocs.yml, site_url)."""

    project: Project
    pdf: bool
    cache: Path | None = None
    markdown: tuple | None = None
    site_url: str | None = None
    fingerprint: str = field(default="", compare=False)

    @classmethod
    def of(cls, project: Project, cache: Path | None, markdown: tuple | None, site_url: str | None) -> Fill:
        pdf = bool(project.settings.pdf)
        if pdf and not _sendable(markdown):
            markdown = None  # extension options a worker cannot receive: the PDF stage makes the HTML
        fill = cls(project, pdf, cache, markdown if pdf else None, site_url if pdf else None)
        extra = repr((fill.markdown, fill.site_url))
        return replace(fill, fingerprint=reportcache.project_fingerprint(project, extra) if cache else "")

    @property
    def task(self):
        return prepare_and_fill

    @property
    def start(self) -> tuple:
        """(initializer, its arguments) of each worker."""
        return start, (self,)


def _sendable(value) -> bool:
    try:
        pickle.dumps(value)
    except Exception:
        return False
    return True


class Filler:
    """What a worker fills pages with: the environments made once, for every page it gets."""

    def __init__(self, fill: Fill):
        self.settings = fill
        self.project = fill.project
        self.html_env = html_environment(self.project.root)
        self.markdown_env = markdown_environment(self.html_env)
        self.compiled = Compiled(self.markdown_env)

    def fill(self, entry: Entry, charts: dict) -> Filled | None:
        if entry.page.generated:
            return None
        path = self.project.docs / entry.page.src_uri
        display = display_name(self.project.root, path)
        head = read_page(self.project.root, path, display)
        split = mkdocs_body(head.text) if not head.problems else None
        if split is None:
            return None
        body, body_line = split
        try:
            return fill_page(entry, body, display, body_line, self.project, self.compiled, self.html_env, charts,
                             self.settings.pdf)
        except Exception:  # a template error (PageError) and anything else: the plugin fills it, and says why
            return None

    def print_html(self, entry: Entry, charts: dict) -> str | None:
        """The HTML of the report's PDF (None: made by the PDF stage, which reports any error)."""
        from gongkai.pdf.printhtml import PrintRenderer
        from gongkai.site.pages import SitePages

        try:
            generated = {}
            if entry.page.generated:
                pages = SitePages(Catalog(), self.html_env, self.markdown_env)
                generated[entry.page.src_uri] = pages.report(entry).content
            renderer = PrintRenderer(self.project, self.html_env, self.markdown_env, charts, generated,
                                     self.settings.markdown, self.settings.site_url)
            return renderer.report(entry)
        except Exception:
            return None


_filler: Filler | None = None  # set in each worker process by start()


def start(fill: Fill) -> None:
    """The initializer of a worker that fills pages."""
    global _filler
    _filler = Filler(fill)


def prepare_and_fill(path: str, display: str, charts: tuple, downloads: tuple, project: Project, page: Page) -> tuple:
    """:func:`gongkai.site.catalog.prepare`, then the report's page filled and its PDF's HTML
    made (each None when not made here), all taken from the report cache when its inputs are
    those of an earlier build: (result, charts, files, filled, printed, the cache entry's key or None)."""
    filler = _filler
    settings = filler.settings if filler is not None else None
    folder = settings.cache if settings is not None else None
    key = None
    if settings is not None and folder is not None:
        page_file = () if page.generated else (str(project.docs / page.src_uri),)
        key = reportcache.report_key(
            settings.fingerprint, (page.src_uri, page.data, page.generated, charts, downloads), (path, *page_file)
        )
        kept = reportcache.load(folder, key)
        if kept is not None:
            return (*_from_cache(kept, reportcache.print_path(folder, key), path, display, charts, downloads,
                                 project), key)
    result, drawn, made = prepare(path, display, charts, downloads, project)
    if result.scored is None or filler is None:
        return result, drawn, made, None, None, None
    entry = Entry(page, result, made, project.kinds.of(result.scored))
    filled = filler.fill(entry, drawn)
    html = filler.print_html(entry, drawn) if settings is not None and settings.markdown is not None else None
    printed = Printed(hashlib.sha256(html.encode("utf-8")).hexdigest(), html) if html is not None else None
    if folder is not None and key is not None:
        kept = {
            "charts": drawn,
            "downloads": reportcache.files_state({k: v for k, v in made.items() if k != "yaml"}),
            "filled": _filled_state(filled),
            "printed": printed.digest if printed else None,
        }
        if printed is not None and printed.html is not None:
            reportcache.store_print(folder, key, printed.html)
            printed = Printed(printed.digest, None, reportcache.print_path(folder, key))
        reportcache.store(folder, key, kept)
    return result, drawn, made, filled, printed, key


def _from_cache(kept: dict, printed_at: Path, path, display, charts, downloads, project) -> tuple:
    others = reportcache.files_restored(kept.get("downloads", {}))
    result, drawn, made = prepare(path, display, charts, downloads, project, made=(kept.get("charts", {}), others))
    if result.scored is None:
        return result, drawn, made, None, None
    state = kept.get("filled")
    filled = None
    if state is not None:
        stash = reportcache.stash_restored(state["stash"])
        filled = Filled(state["body"], state["text"], stash, reportcache.problems_restored(state["problems"]))
    printed = Printed(kept["printed"], None, printed_at) if kept.get("printed") else None
    return result, drawn, made, filled, printed


def _filled_state(filled: Filled | None) -> dict | None:
    if filled is None:
        return None
    return {"body": filled.body, "text": filled.text, "stash": filled.stash.state(),
            "problems": reportcache.problems_state(filled.problems)}
