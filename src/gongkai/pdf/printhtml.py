"""The HTML that becomes a PDF: a report page rendered from its Markdown, data and the
same templates as the site (never scraped from the theme), wrapped in the print layout.

No WeasyPrint here: this module produces strings, ``writer`` turns them into PDFs."""

from __future__ import annotations

import datetime as dt
import html as html_module
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

import markdown as md
from markupsafe import Markup

from gongkai.engine.project import Project
from gongkai.render import rawhtml
from gongkai.render.page import Compiled, Stash, render
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


def document_date(entry: Entry) -> str:
    """The date a PDF states as created: SOURCE_DATE_EPOCH if set, else the end of the report's year.

    Never the time of the build, so identical input gives byte-identical PDFs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    else:
        moment = dt.datetime(min(entry.report.year, 9998) + 1, 1, 1, tzinfo=dt.UTC) - dt.timedelta(seconds=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


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


class PrintRenderer:
    """Turns catalog entries into print HTML with the site's templates and Markdown settings
    (``markdown``: the extensions and their options as MkDocs resolved them from mkdocs.yml)."""

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
        text = render(
            self.compiled, page_markdown(entry, self.docs, self.generated), view.context(), entry.page.src_uri
        )
        converter = md.Markdown(extensions=self.extensions, extension_configs=self.extension_configs)
        folder = posixpath.dirname(entry.page.src_uri)
        html = public_links(stash.fill(rawhtml.clean_for_print(converter.convert(text), folder)), folder, self.site_url)
        return from_docs_root(html, folder)

    def report(self, entry: Entry) -> str:
        """A whole printable document for one report."""
        r = entry.report
        return self.html_env.get_template("print/report.html").render(
            title=r.name,
            department=r.department,
            year=r.year,
            kind=r.kind,
            date=document_date(entry),
            body=_markup(self.body(entry)),
            css=_markup(self.html_env.get_template("print/print.css").render()),
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
        dates = sorted(document_date(e) for e in entries)
        css = self.html_env.get_template("print/print.css").render() + "\n" + self.html_env.get_template(
            "print/volume.css"
        ).render(sizes=[(name, size) for size, name in sizes.items()])
        return self.html_env.get_template("print/volume.html").render(
            title=f"{department} {year} 年度绩效信息公开文件汇编",
            department=department,
            year=year,
            date=dates[-1],
            reports=parts,
            css=_markup(css),
        )


def _markup(text: str) -> Markup:
    return Markup(text)
