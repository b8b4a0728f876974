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

import re
from dataclasses import dataclass, field

from gongkai.engine.basis import basis_of
from gongkai.engine.paths import display_name
from gongkai.engine.project import Project
from gongkai.pdf.stage import PDF_FOLDER, report_pdf
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.render.page import Compiled, PageError, Stash, render
from gongkai.render.report_view import Links
from gongkai.render.views import view_for
from gongkai.site.catalog import Entry, Page, prepare, relative_url
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
class Filler:
    """What a worker fills pages with: the environments made once, for every page it gets."""

    project: Project
    pdf: bool
    html_env: object = None
    compiled: Compiled | None = None

    def __post_init__(self) -> None:
        self.html_env = html_environment(self.project.root)
        self.compiled = Compiled(markdown_environment(self.html_env))

    def fill(self, entry: Entry, charts: dict) -> Filled | None:
        path = self.project.docs / entry.page.src_uri
        display = display_name(self.project.root, path)
        head = read_page(self.project.root, path, display)
        split = mkdocs_body(head.text) if not head.problems else None
        if split is None:
            return None
        body, body_line = split
        try:
            assert self.compiled is not None
            return fill_page(entry, body, display, body_line, self.project, self.compiled, self.html_env, charts,
                             self.pdf)
        except (PageError, RecursionError):
            return None  # filled again by the plugin, which reports it at its line
        except Exception:
            return None


@dataclass(frozen=True)
class Fill:
    """What :func:`gongkai.site.catalog.build` needs to fill pages in its workers."""

    project: Project
    pdf: bool

    @property
    def task(self):
        return prepare_and_fill

    @property
    def start(self) -> tuple:
        """(initializer, its arguments) of each worker."""
        return start, (self.project, self.pdf)


_filler: Filler | None = None  # set in each worker process by start()


def start(project: Project, pdf: bool) -> None:
    """The initializer of a worker that fills pages."""
    global _filler
    _filler = Filler(project, pdf)


def prepare_and_fill(path: str, display: str, charts: tuple, downloads: tuple, project: Project, page: Page) -> tuple:
    """:func:`gongkai.site.catalog.prepare`, then the report's page filled (None when it is not
    filled here: a generated page, a page with problems, a template error)."""
    result, drawn, made = prepare(path, display, charts, downloads, project)
    if result.scored is None or page.generated or _filler is None:
        return result, drawn, made, None
    entry = Entry(page, result, made, project.kinds.of(result.scored))
    return result, drawn, made, _filler.fill(entry, drawn)
