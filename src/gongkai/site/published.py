"""Which files of the docs folder the site publishes.

A pull request controls the docs folder (``content/``), and MkDocs copies every file of it into
the site, ahead of the theme's own files. So the site build publishes from it only:

- Markdown pages (:data:`gongkai.site.frontmatter.MARKDOWN_SUFFIXES`), which gongkai renders
  and cleans, and
- static files of the types in :data:`STATIC_SUFFIXES` (images, documents, data), which a
  browser shows or downloads but never runs.

Anything else (HTML, SVG, JavaScript, CSS, XML, WebAssembly, a file without a known type) could
run script on the site's origin or load another site's content, and is refused. So is a file at
an address that belongs to someone else: a file of the theme (``assets/…``, which every page
loads), a file gongkai generates (the downloads beside each report, the index pages, the PDFs),
a file in a folder reserved for them (:data:`RESERVED_FOLDERS`), or another page's address.

Each refusal is a located ``SITE_FILE`` error and the build fails; the site's maintainers keep
their own files (the theme's overrides, extra CSS) outside the docs folder
(``theme: custom_dir``). Files MkDocs itself leaves out (``exclude_docs``: dot files,
``templates/``) are never published and are not looked at."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass

from gongkai.engine.problems import Problem, problem
from gongkai.site.frontmatter import MARKDOWN_SUFFIXES

IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
DOCUMENTS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".csv", ".txt")
DATA = (".yaml", ".yml", ".json")
STATIC_SUFFIXES = IMAGES + DOCUMENTS + DATA

# Addresses of the site that are not the docs folder's: the theme's files and search index,
# gongkai's styles (assets/gongkai/), PDFs and index pages. Compared without case (a
# case-insensitive disk would overwrite one with the other).
THEME_FOLDERS = ("assets/", "search/")
REPORT_FOLDERS = ("pdf/", "overview/", "years/", "departments/")  # only a site with reports makes these
RESERVED_FOLDERS = THEME_FOLDERS + REPORT_FOLDERS
RESERVED_FILES = ("404.html", "sitemap.xml", "sitemap.xml.gz")


@dataclass(frozen=True)
class Source:
    """A file of the docs folder as MkDocs collected it."""

    src_uri: str  # inside the docs folder, posix
    dest_uri: str  # where it goes in the site
    display: str  # as messages name it (relative to the project)
    page: bool  # MkDocs renders it as a page


def _suffix(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def _allowed_types() -> str:
    return "、".join(s.lstrip(".") for s in STATIC_SUFFIXES)


def _key(uri: str) -> str:
    return uri.casefold()


def refused_type(source: Source) -> Problem | None:
    """A ``SITE_FILE`` error when the file is neither a page nor of an allowed type."""
    if source.page:
        return None
    suffix = _suffix(source.src_uri)
    if suffix in STATIC_SUFFIXES:
        return None
    kind = f"“{suffix}”文件" if suffix else "没有扩展名的文件"
    if suffix.casefold() in MARKDOWN_SUFFIXES:
        kind = f"扩展名为“{os.path.splitext(source.src_uri)[1]}”（大小写不对，不会作为页面）的文件"
    return problem(
        "SITE_FILE", source.display, None,
        f"网站不发布{kind}：这类文件可能在读者的浏览器中运行脚本或加载其他网站的内容。"
        f"content/ 中只发布 Markdown 页面和这些类型的文件：{_allowed_types()}；请删除它，或改用允许的格式",
    )


def refused_place(source: Source, theme_dirs: list, reserved: tuple = RESERVED_FOLDERS) -> Problem | None:
    """A ``SITE_FILE`` error when the file would replace a file of the theme, or lies in a
    folder (or at a name) the theme and gongkai reserve (``reserved``: a site without reports
    reserves only :data:`THEME_FOLDERS`)."""
    for folder in theme_dirs:
        if os.path.isfile(os.path.join(folder, *source.src_uri.split("/"))):
            return problem(
                "SITE_FILE", source.display, None,
                f"与网站主题的文件 {source.src_uri} 同名，会替换主题的文件"
                "（每个页面都会加载主题的文件；它们由维护者管理）；请改名或移到其他文件夹",
            )
    dest = _key(source.dest_uri)
    for folder in reserved:
        if dest.startswith(folder):
            return problem(
                "SITE_FILE", source.display, None,
                f"网站的 {folder} 文件夹留给主题和 gongkai 生成的文件"
                f"（{'、'.join(reserved)}）；请移到其他文件夹",
            )
    if dest in RESERVED_FILES:
        return problem("SITE_FILE", source.display, None, f"网站的 {source.dest_uri} 由主题生成；请改名")
    return None


def _address(dest_uri: str) -> str:
    """How a reader sees a destination: ``2021/x/a01/`` for ``2021/x/a01/index.html``."""
    if dest_uri == "index.html" or dest_uri.endswith("/index.html"):
        return posixpath.dirname(dest_uri) + "/"
    return dest_uri


def collisions(sources: list, generated: list) -> list:
    """``SITE_FILE`` errors for files of the docs folder that go to the same address as a file
    gongkai generates (``generated``: the src_uri and dest_uri of each) or as another file of
    the docs folder."""
    made = {_key(dest): src for src, dest in generated}
    taken: dict = {}
    problems = []
    for source in sorted(sources, key=lambda s: s.src_uri):
        key = _key(source.dest_uri)
        address = _address(source.dest_uri)
        if key in made:
            what = "页面" if made[key].endswith(".md") else "文件"
            why = (
                f"网站上的这个地址（{address}）是 gongkai 生成的{what}"
                "（如报告的下载文件、索引页面），这个文件会替换它；请改名或移到其他文件夹"
            )
        elif key in taken:
            why = f"与 {taken[key]} 是网站上的同一地址（{address}），其中一个会替换另一个；请改名其中一个"
        else:
            taken[key] = source.display
            continue
        problems.append(problem("SITE_FILE", source.display, None, why))
    return problems
