"""What the raw HTML of a contributor's page may do, and the cleaning that enforces it.

A page may lay itself out with HTML: ``div``, ``span``, paragraphs, headings, lists,
tables (``colspan``/``rowspan``), ``details``/``summary``, ``figure``, ``img``, links and
inline emphasis, with ``class``, ``id``, ``title``, ``lang``, ``dir`` and ``align``. It may
not run anything or make the reader's browser, or the PDF renderer, fetch anything outside
the build:

- ``script``, ``style``, ``iframe``, ``object``, ``embed``, ``svg``, ``math``, ``template``
  and the like are removed with their content; any other tag not listed (``form``,
  ``input``, ``link``, ``meta``, ``base``, …) is removed, its text kept;
- attributes not listed are removed: every ``on…`` handler, ``style`` (except the
  ``text-align`` that Markdown tables write), ``rel`` (WeasyPrint embeds a
  ``rel="attachment"`` link's target in the PDF), ``srcset``, ``target``, …;
- a link (``a href``) is ``http:``, ``https:``, ``mailto:``, an anchor, or a relative
  address inside the site; a resource (``img src``) is only a relative path inside the
  site. Neither has another scheme (``data:``, ``file:``, ``javascript:``), ``//host``,
  ``/abs`` or ``..`` above the site's root (in a PDF those would be ``file:`` addresses).

:func:`clean` is run on the HTML Markdown makes of a page, before gongkai's own tables and
charts (stashed by ``render.page``) are put in, so only the contributor's part is cleaned.
For the site, :func:`clean_page` also says what was removed, as located ``PAGE_HTML``
warnings; for a PDF, :func:`clean_for_print` makes a removed reference to a file or address
fail that PDF loudly, as the PDF sandbox does for any reference outside the build."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import nh3

from gongkai.engine.problems import problem

TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
        "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
        "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary",
        "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
        "var", "wbr",
    }
)
# Removed together with everything inside them.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg",
        "math", "template", "noscript", "noembed", "noframes", "textarea", "select", "title", "xmp",
    }
)
GLOBAL_ATTRIBUTES = frozenset({"class", "id", "title", "lang", "dir", "align", "data-search-exclude"})
_CELL = frozenset({"colspan", "rowspan", "style", "valign"})
ATTRIBUTES = {
    "*": GLOBAL_ATTRIBUTES,
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "td": _CELL,
    "th": _CELL | {"scope"},
    "ol": frozenset({"start", "type", "reversed"}),
    "li": frozenset({"value"}),
    "col": frozenset({"span", "width"}),
    "colgroup": frozenset({"span", "width"}),
    "details": frozenset({"open"}),
    "time": frozenset({"datetime"}),
    "del": frozenset({"datetime"}),
    "ins": frozenset({"datetime"}),
}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_TABLE_ALIGN = re.compile(r"\s*text-align\s*:\s*(left|right|center|justify)\s*;?\s*", re.I)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]")  # browsers drop tabs and newlines inside URLs


# ---- the policy -------------------------------------------------------------------------------


def _scheme(url: str) -> str | None:
    match = _SCHEME.match(_URL_NOISE.sub("", url))
    return match.group(1).lower() if match else None


def _inside_site(url: str, base: str) -> bool:
    """A relative path that, seen from the page's folder ``base``, stays inside the site."""
    text = _URL_NOISE.sub("", url)
    path = unquote(re.split(r"[?#]", text, maxsplit=1)[0]).replace("\\", "/")
    if not path or _scheme(text) is not None or text.startswith(("/", "\\")) or path.startswith("/"):
        return False
    joined = posixpath.normpath(posixpath.join(base or ".", path))
    return not (joined == ".." or joined.startswith("../") or joined.startswith("/"))


def _link_allowed(url: str, base: str) -> bool:
    """http, https or mailto; or an anchor, a query, or a relative address inside the site
    (in a PDF, ``/x``, ``//host/x`` and ``../..`` beyond the site would be file: links)."""
    text = _URL_NOISE.sub("", url)
    scheme = _scheme(text)
    if scheme is not None:
        return scheme in LINK_SCHEMES
    return text == "" or text.startswith(("#", "?")) or _inside_site(text, base)


def refusal(tag: str, attribute: str, value: str, base: str = "") -> str | None:
    """Why an allowed attribute's value is refused (Chinese), or None when it may stay."""
    if attribute == "style" and not _TABLE_ALIGN.fullmatch(value):
        return "style 只能是表格的 text-align"
    if tag == "a" and attribute == "href" and not _link_allowed(value, base):
        return "链接只能是 http、https、mailto、页内锚点或站内的相对地址"
    if tag == "img" and attribute == "src" and not _inside_site(value, base):
        return "图片只能引用站内的相对路径，不能引用其他网站、绝对路径或站外的文件"
    return None


def _allowed_attributes(tag: str) -> frozenset:
    return GLOBAL_ATTRIBUTES | ATTRIBUTES.get(tag, frozenset())


# ---- cleaning ---------------------------------------------------------------------------------


def clean(html: str, base: str = "") -> str:
    """``html`` (a page's Markdown made HTML) with only what the policy allows; ``base`` is
    the page's folder inside the site, from which relative resources are resolved."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        return None if refusal(tag, attribute, value, base) else value

    return nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        attribute_filter=keep,
        strip_comments=True,
        link_rel=None,
        url_schemes=set(LINK_SCHEMES),
    )


# ---- what was removed ---------------------------------------------------------------------------


# Attributes whose address a PDF renderer (WeasyPrint) reads: images, stylesheets, objects,
# SVG images; plus the target of a rel="attachment" link, which it embeds in the PDF.
FETCHED = frozenset(
    {
        ("img", "src"), ("link", "href"), ("object", "data"), ("embed", "src"), ("iframe", "src"),
        ("image", "href"), ("image", "xlink:href"), ("use", "href"), ("use", "xlink:href"),
        ("feimage", "href"), ("feimage", "xlink:href"), ("input", "src"), ("video", "poster"),
        ("video", "src"), ("audio", "src"), ("source", "src"), ("track", "src"),
    }
)
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.I)


@dataclass(frozen=True)
class Removal:
    what: str  # Chinese, e.g. "<script> 标签"
    needle: str  # text to look for in the page's source, to name its line


class _Audit(HTMLParser):
    """The tags, attributes and addresses of ``html`` that :func:`clean` removes
    (``removed``), and among them the addresses a PDF renderer would have read (``fetched``)."""

    def __init__(self, base: str):
        super().__init__(convert_charrefs=True)
        self.base = base
        self.removed: dict = {}
        self.fetched: dict = {}  # address → None, in order
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        self._tag(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, attrs)

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self._css(data)

    def _tag(self, tag: str, attrs: list) -> None:
        values = {name: value or "" for name, value in attrs}
        self._fetches(tag, values)
        if tag not in TAGS:
            self._add(f"<{tag}> 标签", f"<{tag}")
            return
        allowed = _allowed_attributes(tag)
        for name, value in values.items():
            if name not in allowed:
                self._add(f"<{tag}> 的 {name} 属性", name)
                continue
            reason = refusal(tag, name, value, self.base)
            if reason:
                self._add(f"<{tag}> 的 {name}=“{value}”（{reason}）", value or name)

    def _fetches(self, tag: str, values: dict) -> None:
        for name, value in values.items():
            if (tag, name) in FETCHED and not (tag in TAGS and name in _allowed_attributes(tag) and refusal(tag, name, value, self.base) is None):
                self._fetch(value)
            elif name == "style":
                self._css(value)
        if "attachment" in values.get("rel", "").lower().split():
            self._fetch(values.get("href", ""), outside_only=True)

    def _css(self, css: str) -> None:
        for match in _CSS_URL.finditer(css):
            self._fetch(match.group(1) or match.group(2), outside_only=True)

    def _fetch(self, address: str, outside_only: bool = False) -> None:
        if address and not (outside_only and _inside_site(address, self.base)):
            self.fetched.setdefault(address, None)

    def _add(self, what: str, needle: str) -> None:
        self.removed.setdefault(what, Removal(what, needle))


def _audit(html: str, base: str) -> _Audit:
    audit = _Audit(base)
    audit.feed(html)
    audit.close()
    return audit


def removals(html: str, base: str = "") -> list:
    """What :func:`clean` removes from ``html``, in order of first appearance."""
    return list(_audit(html, base).removed.values())


REFUSED_SCHEME = "refused"


def clean_for_print(html: str, base: str = "") -> str:
    """:func:`clean` for a PDF. An address the PDF renderer would have read (an image, a
    stylesheet, an attachment) is not silently dropped: an inert ``refused:`` reference to
    it is added, which the PDF sandbox refuses like any other reference outside the build,
    so that PDF is not made and the message names the address (see ``pdf/fetcher``)."""
    cleaned = clean(html, base)
    fetched = _audit(html, base).fetched
    markers = "".join(f'<img src="{escape(REFUSED_SCHEME + ":" + address, quote=True)}" alt="">' for address in fetched)
    return cleaned + markers


def _line_of(source: str | None, needle: str) -> int | None:
    if not source:
        return None
    at = source.lower().find(needle.lower())
    return None if at < 0 else source.count("\n", 0, at) + 1


def _read(path) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8-sig") if path else None
    except (OSError, UnicodeDecodeError):
        return None


def clean_page(html: str, file: str, base: str = "", source_path=None) -> tuple[str, list]:
    """``(clean(html), problems)``: a ``PAGE_HTML`` warning for each kind of thing removed,
    at the first line of the page's source file (``source_path``) where it appears."""
    found = removals(html, base)
    if not found:
        return clean(html, base), []
    source = _read(source_path)
    problems = [
        problem("PAGE_HTML", file, _line_of(source, r.needle), f"页面中不允许的 HTML 已删除：{r.what}")
        for r in found
    ]
    return clean(html, base), problems


def page_folder(url: str) -> str:
    """The folder, inside the site, that a page at ``url`` (``2021/x/a02/`` or ``a.html``) resolves from."""
    url = url.split("#", 1)[0].split("?", 1)[0]
    return url.rstrip("/") if url.endswith("/") else posixpath.dirname(url)
