"""A page's front matter: what a contributor's page may say about itself.

MkDocs parses a page's front matter with PyYAML (anchors and aliases allowed) and hands every
key to the theme, and Material prints many of them as raw HTML: ``description`` and ``author``
in ``<meta>``, ``title`` in ``<title>`` and the header, ``subtitle`` and ``status`` in every
navigation entry, ``template`` chooses the theme template that renders the page. So every
Markdown page of the docs folder (every suffix MkDocs reads as a page: :data:`MARKDOWN_SUFFIXES`)
is read here first, whole (at most :data:`MAX_PAGE_BYTES`, through the guarded open), and:

- its front matter (between the first two ``---`` lines) is loaded with gongkai's YAML loader
  (no anchors, aliases or tags, bounded nesting), never with PyYAML's own;
- only the documented keys may be there (:data:`KEYS`): ``数据``, ``使用模板``, ``title``,
  ``hide`` (the words Material knows) and ``search`` (``exclude``); anything else is a
  located ``PAGE_FRONT_MATTER`` error naming the page and the line;
- a first line MkDocs would take as MultiMarkdown metadata (``key: value`` without ``---``)
  is refused the same way: MkDocs would hide it from the page and give it to the theme.

The site build (``site.plugin``) does this before MkDocs reads any page, and also keeps only
these keys in ``page.meta`` (:func:`allowed`) for every page it renders.

Nothing here imports MkDocs: ``gongkai check`` and ``gongkai pdf`` read pages through the
catalog without it. The two patterns MkDocs uses are copied (a test compares them)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from gongkai.engine.paths import Refused, TooLarge, read_bytes_inside
from gongkai.engine.problems import problem
from gongkai.engine.yamlload import load_text

# Every file name MkDocs reads as a page (mkdocs.utils.markdown_extensions).
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")
MAX_PAGE_BYTES = 5 * 1024 * 1024  # like a data file (YAML_TOO_LARGE); a page is far smaller

# gongkai's own pattern (the catalog, the PDFs): also CRLF, and a closing line at the very end.
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
# MkDocs' own (mkdocs.utils.meta.YAML_RE and META_RE), applied to the text as MkDocs reads it.
MKDOCS_FRONT_MATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.UNICODE | re.DOTALL)
MKDOCS_META_LINE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")

DATA_KEY = "数据"
TEMPLATE_KEY = "使用模板"
HIDE_WORDS = ("navigation", "toc", "footer", "path", "tags", "feedback")  # what Material's templates test
SEARCH_WORDS = ("exclude",)


def _data(value) -> str | None:
    return None if isinstance(value, str) and value.strip() else (
        "应为数据文件的路径（相对于项目根目录），如 data/2021/部门/a01.yaml"
    )


def _switch(value) -> str | None:
    return None if isinstance(value, bool) else "应为 true 或 false"


def _title(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        return "应为一行文字"
    return "应为一行文字" if "\n" in str(value) or "\r" in str(value) else None


def _hide(value) -> str | None:
    words = "、".join(HIDE_WORDS)
    if not isinstance(value, list) or not all(isinstance(v, str) and v in HIDE_WORDS for v in value):
        return f"应为以下词语的列表：{words}"
    return None


def _search(value) -> str | None:
    if not isinstance(value, dict) or not all(k in SEARCH_WORDS and isinstance(v, bool) for k, v in value.items()):
        return "只能写 search: {exclude: true}（不编入站内搜索）或 exclude: false"
    return None


# key -> check of its value (None: the value may stay). Documented in 公开网站 and 安全.
KEYS = {DATA_KEY: _data, TEMPLATE_KEY: _switch, "title": _title, "hide": _hide, "search": _search}


@dataclass
class PageHead:
    """A page's front matter (``meta``: empty when it has none or it could not be read), the
    line of the page file its body starts on, and the problems found."""

    meta: dict = field(default_factory=dict)
    body_line: int = 1
    problems: list = field(default_factory=list)
    text: str = ""  # the page as read (decoded), when it could be read


def read_page(project, path, display: str) -> PageHead:
    """Read the page ``path`` (guarded, whole, at most :data:`MAX_PAGE_BYTES`) and check it."""
    try:
        raw = read_bytes_inside(project, path, display, limit=MAX_PAGE_BYTES)
    except Refused as refused:
        return PageHead(problems=[refused.problem])
    except TooLarge as large:
        why = f"页面有 {large.size:,} 字节，超过上限 {MAX_PAGE_BYTES:,} 字节，不能发布；请拆分为多个页面"
        return PageHead(problems=[problem("SITE_FILE", display, None, why)])
    except OSError as exc:
        return PageHead(problems=[problem("FILE_UNREADABLE", display, None, f"无法读取文件：{exc.strerror or exc}")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return PageHead(problems=[problem("FILE_ENCODING", display, line, "页面不是 UTF-8 编码，请另存为 UTF-8")])
    return replace(check_text(text, display), text=text)


def check_text(text: str, display: str) -> PageHead:
    """Check a page's text (decoded): its front matter as gongkai and MkDocs would read it."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # MkDocs opens pages with universal newlines
    match = MKDOCS_FRONT_MATTER.match(text) or FRONT_MATTER.match(text)
    if match is None:
        first = text.split("\n", 1)[0]
        meta_line = MKDOCS_META_LINE.match(first)
        if meta_line is None:
            return PageHead()
        why = (
            f"页面第一行以“{meta_line.group('key')}:”开头，MkDocs 会把它当作页面信息而不显示它；"
            "请在它之前加一个空行或标题，页面信息请写在开头两行 --- 之间"
        )
        return PageHead(problems=[problem("PAGE_FRONT_MATTER", display, 1, why)])
    body_line = text[: match.end()].count("\n") + 1
    loaded = load_text(match.group(1) or "", display)
    if loaded.problems:
        found = {(p.line + 1 if p.line else 1, p.message): None for p in loaded.problems}  # once per line
        return PageHead(
            body_line=body_line,
            problems=[problem("PAGE_FRONT_MATTER", display, line, message) for line, message in found],
        )
    if loaded.value is None:
        return PageHead(body_line=body_line)
    if not isinstance(loaded.value, dict):
        return PageHead(body_line=body_line, problems=[
            problem("PAGE_FRONT_MATTER", display, 2, "页面头部信息（--- 之间）应为“键: 值”的形式")
        ])
    problems = []
    for key, value in loaded.value.items():
        line = (loaded.line((key,)) or 1) + 1
        check = KEYS.get(key) if isinstance(key, str) else None
        if check is None:
            problems.append(problem(
                "PAGE_FRONT_MATTER", display, line,
                f"页面头部信息不能有“{key}”：只能写 {'、'.join(KEYS)}（其他键会被网站主题原样写进网页）",
                expected="、".join(KEYS), found=key,
            ))
        elif (reason := check(value)) is not None:
            problems.append(problem("PAGE_FRONT_MATTER", display, line, f"页面头部信息“{key}”{reason}"))
    return PageHead(loaded.value, body_line, problems)


def allowed(meta) -> dict:
    """``meta`` (as MkDocs parsed it) with only the documented keys whose values are valid:
    what the theme may see of a page's front matter. The caller makes ``title`` safe to print."""
    if not isinstance(meta, dict):
        return {}
    return {key: meta[key] for key, check in KEYS.items() if key in meta and check(meta[key]) is None}


def front_matter(text: str, file: str) -> tuple[dict, int, list]:
    """A page's front matter, the line its body starts on, and problems."""
    head = check_text(text, file)
    return head.meta, head.body_line, head.problems
