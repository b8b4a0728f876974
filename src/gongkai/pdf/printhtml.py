"""The HTML that becomes a PDF: a report page rendered from its Markdown, data and the
same templates as the site (never scraped from the theme), wrapped in the print layout.

No WeasyPrint here: this module produces strings, ``writer`` turns them into PDFs."""

from __future__ import annotations

import html as html_module
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

import markdown as md
from markupsafe import Markup

from gongkai.engine.project import DEFAULT_PRINT_THEME, Project
from gongkai.pdf.dates import Dates, latest
from gongkai.render import charts as charts_module
from gongkai.render import rawhtml
from gongkai.render.page import Compiled, Stash, render, with_check_notes
from gongkai.render.report_view import Links
from gongkai.render.views import view_for
from gongkai.site.catalog import FRONT_MATTER, Entry, page_url
from gongkai.site.frontmatter import MARKDOWN_SUFFIXES
from gongkai.site.pages import SitePages

DEFAULT_EXTENSIONS = ["admonition", "attr_list", "md_in_html", "footnotes"]
MKDOCS_BUILTINS = ["toc", "tables", "fenced_code"]  # MkDocs always adds these


@dataclass
class Job:
    """One PDF to make: its HTML, where it goes, what it embeds, and its inputs' hash."""

    output: str  # path relative to the PDF folder, posix
    html: str
    title: str
    attachments: list = field(default_factory=list)  # (name, bytes, description)
    date: str = ""
    key: str = ""  # content hash of everything the PDF depends on
    base: str = ""  # folder (inside the sandbox root) that relative URLs start from


def document_date(entry: Entry, dates: Dates | None = None) -> str:
    """The date a report's PDF states (:mod:`gongkai.pdf.dates`): the report's own date, else
    its data file's (SOURCE_DATE_EPOCH, or its last git commit when ``dates`` can ask git); ""
    when there is none. Never the time of the build."""
    dates = dates if dates is not None else Dates(Path("."), use_git=False)
    return dates.document_date(entry.report, entry.page.data)


def document_title(department: str, year: int, kind: str, name: str | None) -> str:
    """The title a PDF's metadata gives a report: its department, year and kind, and its name
    (``深圳市工商业联合会 2021 年度项目支出绩效自评表：工商联系统宣传教育``); a name that already
    says the year is not preceded by it again (``深圳市工商业联合会 2021 年度部门决算``)."""
    if name and str(year) in name:
        return f"{department} {name}"
    head = f"{department} {year} 年度{kind}"
    return f"{head}：{name}" if name and name != kind else head


def page_markdown(entry: Entry, docs: Path, generated: dict) -> str:
    """A report page's Markdown body (front matter removed); generated pages come from ``generated``."""
    if entry.page.generated:
        text = generated[entry.page.src_uri]
    else:
        text = (docs / entry.page.src_uri).read_text(encoding="utf-8-sig")
    match = FRONT_MATTER.match(text)
    return text[match.end() :] if match else text


_LOCAL_REF = re.compile(r"""(\s(?:src|href)=["'])(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)([^"']+)(["'])""")


def from_docs_root(html: str, folder: str) -> str:
    """Relative references of a page, rewritten from the docs root, so the same body works
    in its own PDF and inside a volume ("../" escapes stay, for the fetcher to refuse)."""
    def rewrite(m):
        joined = posixpath.normpath(posixpath.join(folder, m.group(2))) if folder else m.group(2)
        return f"{m.group(1)}{joined}{m.group(3)}"

    return _LOCAL_REF.sub(rewrite, html)


_ATTRIBUTE = r"""\s+[^\s=>/"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?"""
_LINK_TAG = re.compile(rf"<(?:a|area)\b(?:{_ATTRIBUTE})*\s*/?>", re.I)
_LINK_HREF = re.compile(r"""(\s+)href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]")
_KEPT_SCHEMES = {"http", "https", "mailto"}


def public_links(html: str, folder: str, site_url: str | None) -> str:
    """Links of a page's HTML as a PDF may carry them. A PDF is read away from the site, and
    WeasyPrint would make a relative link (``[另一份报告](a02.md)``) a ``file:`` link to the
    build machine's folder (naming its path, and different on every machine). So a relative
    link (seen from the page's docs folder ``folder``) becomes the page's public address under
    ``site_url`` as MkDocs makes it (``a02.md#x`` → ``SITE/2021/dept/a02/#x``, percent-encoded),
    or, without ``site_url``, loses its address and stays as text. Anchors in the document
    (``#x``) and http, https and mailto links stay; any other scheme, or a path above the
    docs folder, loses its address."""
    base = site_url.rstrip("/") + "/" if site_url else None

    def attribute(m):
        raw = next(g for g in m.group(2, 3, 4) if g is not None)
        url = html_module.unescape(raw).strip()
        scheme = _SCHEME.match(_URL_NOISE.sub("", url))  # as a browser reads it: tabs and newlines dropped
        if url.startswith("#") or (scheme and scheme.group(1).lower() in _KEPT_SCHEMES):
            return m.group(0)
        target = None if scheme or url.startswith(("/", "\\")) or base is None else _site_address(url, folder)
        if target is None:
            return ""
        return f'{m.group(1)}href="{html_module.escape(base + target, quote=True)}"'

    return _LINK_TAG.sub(lambda tag: _LINK_HREF.sub(attribute, tag.group(0)), html)


def _site_address(url: str, folder: str) -> str | None:
    """A relative link of the page in ``folder`` as an address from the site's root, or None
    when it leaves the site."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    joined = posixpath.normpath(posixpath.join(folder or ".", path)) if path else None
    if joined is not None and (joined == ".." or joined.startswith(("../", "/"))):
        return None
    if joined is None or joined == ".":
        address = "" if joined == "." else None
    elif PurePosixPath(joined).suffix in MARKDOWN_SUFFIXES:
        address = page_url(joined)
    else:
        address = joined + ("/" if path.endswith("/") else "")
    if address is None:
        return None
    return (
        quote(address, safe="/")
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )


_FA_CAPTION = re.compile(r'(<table class="gk-table gk-fa[^"]*">)\s*<caption>(.*?)</caption>', re.S)


def captions_before_tables(html: str) -> str:
    """On paper a 部门决算 table's caption (number, title, 部门 and 单位) becomes a block before
    the table, so that it is never left at the foot of a page without its table: WeasyPrint keeps a
    block with what follows it (``break-after: avoid``), but not a caption with its table's rows."""
    return _FA_CAPTION.sub(lambda m: f'<div class="gk-fa-caption">{m.group(2)}</div>{m.group(1)}', html)


@dataclass(frozen=True)
class Theme:
    """A print theme: its stylesheet (after the shared ``print/print.css``) and the fonts of the
    charts' SVG text (the site draws them in Noto Sans CJK SC)."""

    stylesheet: str
    chart_font: str


THEMES = {
    "公文": Theme("print/gongwen.css", 'FandolFang, "Noto Serif CJK SC", serif'),
    "简洁": Theme("print/plain.css", charts_module.FONT),
}


class PrintRenderer:
    """Turns catalog entries into print HTML with the site's templates and Markdown settings
    (``markdown``: the extensions and their options as MkDocs resolved them from mkdocs.yml)
    in the project's print theme (``print_theme``: 公文 or 简洁)."""

    def __init__(
        self,
        project: Project,
        html_env,
        markdown_env,
        charts: dict,
        generated: dict,
        markdown: tuple | None = None,
        site_url: str | None = None,
    ):
        self.kinds = project.kinds
        self.site_url = site_url or None  # links in the PDFs point there (public_links)
        self.project = project.root
        self.docs = project.docs
        self.html_env = html_env
        self.compiled = Compiled(markdown_env)
        self.charts = charts
        self.generated = generated
        extensions, configs = markdown if markdown is not None else (MKDOCS_BUILTINS + DEFAULT_EXTENSIONS, {})
        self.extensions, self.extension_configs = list(extensions), dict(configs)
        self.theme = THEMES[getattr(project.settings, "print_theme", DEFAULT_PRINT_THEME)]
        self.dates = Dates(project.root, folder=project.data)

    @classmethod
    def for_catalog(
        cls,
        project: Project,
        catalog,
        html_env,
        markdown_env,
        markdown: tuple | None = None,
        site_url: str | None = None,
    ) -> PrintRenderer:
        """A renderer for a catalog's reports, with the generated pages of the data files that
        have none; ``site_url`` (mkdocs.yml) is where the PDFs' links to other pages point."""
        pages = SitePages(catalog, html_env, markdown_env)
        generated = {e.page.src_uri: pages.report(e).content for e in catalog.entries if e.page.generated}
        return cls(project, html_env, markdown_env, catalog.charts, generated, markdown, site_url)

    def body(self, entry: Entry) -> str:
        """The report's content as HTML: page template, Markdown, tables and charts."""
        stash = Stash()
        view = view_for(entry.scored, self.html_env, stash, Links(), self.charts, self.kinds)
        context = view.context()
        text = render(self.compiled, page_markdown(entry, self.docs, self.generated), context, entry.page.src_uri)
        text = with_check_notes(text, context, stash)
        converter = md.Markdown(extensions=self.extensions, extension_configs=self.extension_configs)
        folder = posixpath.dirname(entry.page.src_uri)
        html = public_links(stash.fill(rawhtml.clean_for_print(converter.convert(text), folder)), folder, self.site_url)
        html = html.replace(charts_module.SVG_FONT, charts_module.svg_font(self.theme.chart_font))
        html = captions_before_tables(html)
        return from_docs_root(html, folder)

    def date(self, entry: Entry) -> str:
        """The date the report's PDF states ("" for none): see :mod:`gongkai.pdf.dates`."""
        return document_date(entry, self.dates)

    def css(self) -> Markup:
        """The shared print stylesheet, then the theme's."""
        shared = self.html_env.get_template("print/print.css").render()
        return _markup(shared + "\n" + self.html_env.get_template(self.theme.stylesheet).render())

    def report(self, entry: Entry) -> str:
        """A whole printable document for one report."""
        r = entry.report
        return self.html_env.get_template("print/report.html").render(
            title=document_title(r.department, r.year, r.kind, r.name),
            name=r.name or r.kind,
            department=r.department,
            year=r.year,
            kind=r.kind,
            date=self.date(entry),
            body=_markup(self.body(entry)),
            css=self.css(),
        )

    def volume(self, department: str, year: int, entries: list, layouts: list) -> str:
        """The frame of one department-year's volume (:mod:`gongkai.pdf.volume`): cover, 目录,
        and for every report one empty page per page of its PDF, of that page's size
        (``layouts``: the page sizes of each report's PDF, in the order of ``entries``)."""
        sizes: dict = {}
        parts = []
        for number, (entry, layout) in enumerate(zip(entries, layouts, strict=True), 1):
            pages = [sizes.setdefault(size, str(len(sizes) + 1)) for size in layout]
            parts.append({"id": f"report-{number}", "entry": entry, "pages": pages})
        date = latest(self.date(e) for e in entries)
        css = str(self.css()) + "\n" + self.html_env.get_template("print/volume.css").render(
            sizes=[(name, size) for size, name in sizes.items()]
        )
        return self.html_env.get_template("print/volume.html").render(
            title=f"{department} {year} 年度绩效信息公开文件汇编",
            department=department,
            year=year,
            date=date,
            shown_date=shown_date(date),
            reports=parts,
            css=_markup(css),
        )


def shown_date(date: str) -> str:
    """A W3C-DTF date as a title page prints it: ``2022-06-02…`` → ``2022 年 6 月 2 日``."""
    match = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", date)
    if not match:
        return ""
    year, month, day = match.groups()
    return f"{year} 年" + (f" {int(month)} 月" if month else "") + (f" {int(day)} 日" if day else "")


def _markup(text: str) -> Markup:
    return Markup(text)
