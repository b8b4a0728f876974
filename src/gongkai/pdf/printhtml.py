"""The HTML that becomes a PDF: a report page rendered from its Markdown, data and the
same templates as the site (never scraped from the theme), wrapped in the print layout.

No WeasyPrint here: this module produces strings, ``writer`` turns them into PDFs."""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import markdown as md
from markupsafe import Markup

from gongkai.site.catalog import FRONT_MATTER, Entry
from gongkai.render.page import Compiled, Stash, render
from gongkai.render.report_view import Links
from gongkai.render.views import view_for
from gongkai.render import rawhtml
from gongkai.engine.yamlload import load_text

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


def site_config(project: Path) -> dict:
    """The plain settings of the project's mkdocs.yml (read as data; MkDocs itself is not needed)."""
    path = project / "mkdocs.yml"
    if not path.is_file():
        return {}
    loaded = load_text(path.read_text(encoding="utf-8"), str(path))
    return loaded.value if isinstance(loaded.value, dict) else {}


def docs_folder(project: Path) -> Path:
    return project / str(site_config(project).get("docs_dir") or "docs")


def markdown_settings(project: Path) -> tuple[list, dict]:
    """The Markdown extensions of the project's mkdocs.yml, so PDFs read Markdown as the site does."""
    config = site_config(project)
    if not config:
        return MKDOCS_BUILTINS + DEFAULT_EXTENSIONS, {}
    extensions, configs = [], {}
    for item in config.get("markdown_extensions") or []:
        if isinstance(item, str):
            extensions.append(item)
        elif isinstance(item, dict):
            for name, options in item.items():
                extensions.append(name)
                if isinstance(options, dict):
                    configs[name] = {k: _plain(v) for k, v in options.items()}
    extensions = extensions or list(DEFAULT_EXTENSIONS)
    return MKDOCS_BUILTINS + [e for e in extensions if e not in MKDOCS_BUILTINS], configs


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def document_date(entry: Entry) -> str:
    """The date a PDF states as created: SOURCE_DATE_EPOCH if set, else the end of the report's year.

    Never the time of the build, so identical input gives byte-identical PDFs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    else:
        moment = dt.datetime(min(entry.report.year, 9998) + 1, 1, 1, tzinfo=dt.timezone.utc) - dt.timedelta(seconds=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def page_markdown(entry: Entry, docs: Path, generated: dict) -> str:
    """A report page's Markdown body (front matter removed); generated pages come from ``generated``."""
    if entry.page.generated:
        text = generated[entry.page.src_uri]
    else:
        text = (docs / entry.page.src_uri).read_text(encoding="utf-8-sig")
    match = FRONT_MATTER.match(text)
    return text[match.end() :] if match else text


_ID = re.compile(r'(\sid=")([^"]+)(")')
_HREF = re.compile(r'(\shref="#)([^"]+)(")')


_LOCAL_REF = re.compile(r"""(\s(?:src|href)=["'])(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)([^"']+)(["'])""")


def from_docs_root(html: str, folder: str) -> str:
    """Relative references of a page, rewritten from the docs root, so the same body works
    in its own PDF and inside a volume ("../" escapes stay, for the fetcher to refuse)."""
    def rewrite(m):
        joined = posixpath.normpath(posixpath.join(folder, m.group(2))) if folder else m.group(2)
        return f"{m.group(1)}{joined}{m.group(3)}"

    return _LOCAL_REF.sub(rewrite, html)


_SVG = re.compile(r"(<svg\b.*?</svg>)", re.S)


def prefix_ids(html: str, prefix: str) -> str:
    """Make a report's anchors unique inside a volume (charts keep theirs: their CSS uses them)."""
    parts = _SVG.split(html)
    for i in range(0, len(parts), 2):
        part = _ID.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}{m.group(3)}", parts[i])
        parts[i] = _HREF.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}{m.group(3)}", part)
    return "".join(parts)


class PrintRenderer:
    """Turns catalog entries into print HTML with the site's templates and Markdown settings."""

    def __init__(self, project: Path, docs: Path, html_env, markdown_env, charts: dict, generated: dict):
        self.project = project
        self.docs = docs
        self.html_env = html_env
        self.compiled = Compiled(markdown_env)
        self.charts = charts
        self.generated = generated
        self.extensions, self.extension_configs = markdown_settings(project)
        self.bodies: dict = {}  # a report's body is made once, for its own PDF and its volume

    @classmethod
    def for_catalog(cls, project: Path, docs: Path, catalog, html_env, markdown_env) -> "PrintRenderer":
        """A renderer for a catalog's reports, with the generated pages of the data files that have none."""
        from gongkai.site.pages import SitePages

        pages = SitePages(catalog, html_env, markdown_env)
        generated = {e.page.src_uri: pages.report(e).content for e in catalog.entries if e.page.generated}
        return cls(project, docs, html_env, markdown_env, catalog.charts, generated)

    def body(self, entry: Entry) -> str:
        """The report's content as HTML: page template, Markdown, tables and charts."""
        if entry.page.src_uri not in self.bodies:
            self.bodies[entry.page.src_uri] = self._body(entry)
        return self.bodies[entry.page.src_uri]

    def _body(self, entry: Entry) -> str:
        stash = Stash()
        view = view_for(entry.scored, self.html_env, stash, Links(), self.charts)
        text = render(self.compiled, page_markdown(entry, self.docs, self.generated), view.context(), entry.page.src_uri)
        converter = md.Markdown(extensions=self.extensions, extension_configs=self.extension_configs)
        html = stash.fill(rawhtml.clean_for_print(converter.convert(text), posixpath.dirname(entry.page.src_uri)))
        return from_docs_root(html, posixpath.dirname(entry.page.src_uri))

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

    def volume(self, department: str, year: int, entries: list) -> str:
        """One department-year: cover, 目录 and every report in order."""
        parts = []
        for number, entry in enumerate(entries, 1):
            body = prefix_ids(self.body(entry), f"r{number}-")
            parts.append({"id": f"report-{number}", "entry": entry, "body": _markup(body)})
        dates = sorted(document_date(e) for e in entries)
        return self.html_env.get_template("print/volume.html").render(
            title=f"{department} {year} 年度绩效信息公开文件汇编",
            department=department,
            year=year,
            date=dates[-1],
            reports=parts,
            css=_markup(self.html_env.get_template("print/print.css").render()),
        )


def _markup(text: str) -> Markup:
    return Markup(text)
