"""The site's generated pages and open-data files, as plain (path, content) values.

Index pages by year and by department, the overview, a page for every data file that has
no hand-written page, and the downloads beside each report. The MkDocs adapter only
turns these into MkDocs files and navigation."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from gongkai.engine.decimals import ZERO, divide
from gongkai.engine.paths import read_bytes_inside
from gongkai.render.public_yaml import without_comments
from gongkai.site.catalog import Catalog, Entry, page_url, relative_url

YEARS = "years"
DEPARTMENTS = "departments"
OVERVIEW = "overview/index.md"
STYLESHEET = "assets/gongkai/gongkai.css"
YEAR_VOLUMES = "各部门本年度的汇编 PDF（全部报告合为一册，有封面、目录和书签）："
DEPARTMENT_VOLUMES = "各年度的汇编 PDF（一年的全部报告合为一册，有封面、目录和书签）："


@dataclass
class Generated:
    src_uri: str
    content: str | bytes


_TITLE_SAFE = str.maketrans({"<": "＜", ">": "＞", "&": "＆", '"': "＂", "'": "＇"})


def safe_title(text: str) -> str:
    """A name from the data as a navigation or page title. Themes print titles as raw HTML
    (and strip tags again for <title>), so HTML-significant characters become their
    full-width forms, which read the same in Chinese text and can never form markup."""
    return str(text).translate(_TITLE_SAFE)


def year_uri(year: int) -> str:
    return f"{YEARS}/{year}/index.md"


def department_uri(slug: str) -> str:
    return f"{DEPARTMENTS}/{slug}/index.md"


def download_files(entry: Entry) -> dict:
    """File names of a report's downloads, inside its page's folder, as written."""
    stem = entry.slug
    names = {"yaml": f"{stem}.yaml", "json": f"{stem}.json", "csv": f"{stem}.csv"}
    if "xlsx" in entry.downloads:
        names["xlsx"] = f"{stem}.xlsx"
    return names


def download_names(entry: Entry) -> dict:
    """Links to a report's downloads from its page: the file names percent-encoded, so a
    data file named ``a#1?.yaml`` links to ``a%231%3F.yaml``, not to an anchor or a query."""
    return {kind: quote(name, safe="") for kind, name in download_files(entry).items()}


def download_uris(entry: Entry) -> dict:
    folder = PurePosixPath(entry.url)
    return {kind: (folder / name).as_posix() for kind, name in download_files(entry).items()}


def _made(entry: Entry, name: str) -> bytes:
    """An open-data file of a report: made by the catalog, else by its kind now."""
    made = entry.downloads.get(name)
    if made:
        return made
    assert entry.kind is not None  # every catalog entry has the kind that evaluated it
    return entry.kind.downloads(entry.scored, (name,))[name]


def open_data(entry: Entry, project: Path) -> list:
    uris = download_uris(entry)
    files = [
        Generated(
            uris["yaml"],
            entry.downloads.get("yaml")
            or without_comments(read_bytes_inside(project, project / entry.page.data, entry.page.data)),
        ),
        Generated(uris["json"], _made(entry, "json")),
        Generated(uris["csv"], _made(entry, "csv")),
    ]
    if "xlsx" in uris:
        files.append(Generated(uris["xlsx"], entry.downloads["xlsx"]))
    return files


def _md_link(path: str) -> str:
    """A Markdown link target to a page: percent-encoded (a folder named from the data may
    hold ``#``, ``?``, ``%`` or a space); MkDocs decodes it to find the page."""
    return quote(path, safe="/")


def _rows(entries: list, here: str) -> list:
    return [
        {
            "entry": e,
            "link": relative_url(here, e.url),
            "department_link": relative_url(here, page_url(department_uri(e.department_slug))),
        }
        for e in entries
    ]


def _stats(entries: list) -> dict:
    """Counts, grades and averages of a list of reports. An average is taken only among the
    reports scored by one ruleset (totals under different rulesets do not rank units), and a
    report without a total (未评分) is left out of it and counted as such."""
    standings = [e.standing for e in entries]
    grades: dict = {}
    by_ruleset: dict = {}
    for s in standings:
        if s.total is not None:
            grades[s.grade or "未定级"] = grades.get(s.grade or "未定级", 0) + 1
            by_ruleset.setdefault(s.ruleset or "", []).append(s.total)
    averages = [
        {"规则": name, "平均": divide(sum(totals, ZERO), Decimal(len(totals))), "份数": len(totals)}
        for name, totals in sorted(by_ruleset.items())
    ]
    return {
        "count": len(entries),
        "averages": averages,
        "unscored": sum(1 for s in standings if s.scored and s.total is None),
        "grades": grades,
        "departments": len({e.department_slug for e in entries}),
    }


class SitePages:
    """Renders the generated pages from the templates in ``pages/``. ``volume`` gives the site
    path of an entry's department-year 汇编 PDF when the site has PDFs (None: no links to them)."""

    def __init__(
        self,
        catalog: Catalog,
        html_env: jinja2.Environment,
        markdown_env: jinja2.Environment,
        volume: Callable[[Entry], str] | None = None,
    ):
        self.catalog = catalog
        self.html = html_env
        self.markdown = markdown_env
        self.volume = volume

    def volumes(self, entries: list, here: str, label: Callable[[Entry], str], intro: str) -> Markup:
        """Links to the 汇编 PDFs of ``entries`` (one per department and year), as seen from ``here``."""
        if self.volume is None:
            return Markup("")
        links: dict = {}
        for e in entries:
            links.setdefault(self.volume(e), label(e))
        items = [(name, relative_url(here, path).rstrip("/")) for path, name in links.items()]
        return Markup(self.html.get_template("volume_links.html").render(volumes=items, intro=intro))

    def table(self, entries: list, here: str, columns: tuple) -> Markup:
        """The catalog table of ``entries`` as seen from the page at ``here``."""
        html = self.html.get_template("catalog_table.html").render(rows=_rows(entries, here), columns=columns)
        return Markup(html)

    def _page(self, template: str, src_uri: str, **values) -> Generated:
        here = page_url(src_uri)
        text = self.markdown.get_template(template).render(
            here=here, link=lambda url: relative_url(here, url), **values
        )
        return Generated(src_uri, text)

    def year(self, year: int) -> Generated:
        uri = year_uri(year)
        entries = self.catalog.of_year(year)
        return self._page(
            "pages/year.md", uri, year=year, stats=_stats(entries),
            table=self.table(entries, page_url(uri), ("department", "name", "kind", "total", "grade")),
            volumes=self.volumes(entries, page_url(uri), lambda e: e.report.department, YEAR_VOLUMES),
        )

    def department(self, slug: str, name: str) -> Generated:
        uri = department_uri(slug)
        entries = self.catalog.of_department(slug)
        return self._page(
            "pages/department.md", uri, name=name, stats=_stats(entries),
            table=self.table(entries, page_url(uri), ("year", "name", "kind", "total", "grade")),
            volumes=self.volumes(entries, page_url(uri), lambda e: f"{e.report.year} 年度", DEPARTMENT_VOLUMES),
        )

    def overview(self) -> Generated:
        entries = sorted(self.catalog.entries, key=lambda e: (-e.report.year, e.report.department, e.page.src_uri))
        here = page_url(OVERVIEW)
        years = [
            (y, _md_link(posixpath.relpath(year_uri(y), posixpath.dirname(OVERVIEW))), _stats(self.catalog.of_year(y)))
            for y in self.catalog.years()
        ]
        return self._page(
            "pages/overview.md",
            OVERVIEW,
            stats=_stats(entries),
            years=years,
            table=self.table(entries, here, ("year", "department", "name", "kind", "total", "grade")),
        )

    def listing(self) -> list:
        """The 按年度 and 按部门 section pages: one line per year or department."""
        years = [
            (f"{y} 年度", _md_link(posixpath.relpath(year_uri(y), YEARS)), _stats(self.catalog.of_year(y)))
            for y in self.catalog.years()
        ]
        departments = [
            (
                name,
                _md_link(posixpath.relpath(department_uri(slug), DEPARTMENTS)),
                _stats(self.catalog.of_department(slug)),
            )
            for slug, name in self.catalog.departments()
        ]
        return [
            self._page("pages/listing.md", f"{YEARS}/index.md", title="按年度", items=years),
            self._page("pages/listing.md", f"{DEPARTMENTS}/index.md", title="按部门", items=departments),
        ]

    def report(self, entry: Entry) -> Generated:
        """A page for a data file that has no hand-written page."""
        assert entry.kind is not None  # every catalog entry has the kind that evaluated it
        text = self.markdown.get_template(entry.kind.page_template).render(data=entry.page.data)
        return Generated(entry.page.src_uri, text)

    def all(self, project: Path) -> list:
        pages = [self.overview(), *self.listing()]
        pages += [self.year(y) for y in self.catalog.years()]
        pages += [self.department(slug, name) for slug, name in self.catalog.departments()]
        pages += [self.report(e) for e in self.catalog.entries if e.page.generated]
        for entry in self.catalog.entries:
            pages += open_data(entry, project)
        return pages

    def nav(self) -> list:
        """Navigation sections for the reports: by year (then department), by department, overview."""
        by_year: list[str | dict] = []
        for year in self.catalog.years():
            departments: dict = {}
            for e in self.catalog.of_year(year):
                departments.setdefault(safe_title(e.report.department), []).append(
                    {safe_title(e.report.name): e.page.src_uri}
                )
            by_year.append({f"{year} 年度": [year_uri(year)] + [{dep: items} for dep, items in departments.items()]})
        by_year.insert(0, f"{YEARS}/index.md")
        by_department = [f"{DEPARTMENTS}/index.md"] + [
            {safe_title(name): department_uri(slug)} for slug, name in self.catalog.departments()
        ]
        return [{"总览": OVERVIEW}, {"按年度": by_year}, {"按部门": by_department}]
