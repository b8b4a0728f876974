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
  ``/abs`` or ``..`` above the site's root (in a PDF those would be ``file:`` addresses);
- an ``id`` (or any attribute naming an element by its id: ``for``, ``name``,
  ``aria-labelledby`` …, and the ``#fragment`` of a link inside the site) that starts with
  ``__`` is renamed ``user-content-…``: the theme's own elements have such ids (Material reads
  its configuration from ``#__config``, and ``__search``, ``__drawer``, ``__palette_0`` …
  drive its controls), and the first element with an id wins, so a page's
  ``<div id="__config">``, ``{: #__config }`` or a heading whose anchor is ``__config`` would
  replace the theme's. Links and ids are renamed alike, so in-page links keep working.
  (One underscore is not reserved: it is how Markdown's table of contents names every
  heading without Latin letters, ``_1``, ``_2`` …, and no theme id is like that.)

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

# Ids. The theme's own elements have ids starting with "__" (Material: __config, __search,
# __drawer, __toc, __settings, __consent, __analytics, __palette_<n>, __nav_<path>, and, made
# by its scripts, __code_<n>, __codelineno-…, __tabbed_…); a contributor's id that starts with
# "__" (or equals one of these) is renamed with ID_PREFIX, as GitHub does with user content.
# A single "_" is left alone: Markdown's toc names headings without Latin letters "_1", "_2" ….
ID_PREFIX = "user-content-"
RESERVED_ID_START = "__"
THEME_IDS = frozenset(
    {
        "__config",
        "__search",
        "__drawer",
        "__toc",
        "__settings",
        "__consent",
        "__analytics",
        "__announce",
        "__outdated",
        "__source",
        "__tabs",
    }
)
THEME_ID_PREFIXES = ("__palette_", "__nav_", "__code_", "__codelineno", "__tabbed_", "__md_")
# Attributes whose value is an id, or a space-separated list of ids, of an element of the page.
ID_ATTRIBUTES = frozenset({"id", "name", "for", "form", "list", "popovertarget", "anchor"})
ID_LIST_ATTRIBUTES = frozenset(
    {
        "headers",
        "itemref",
        "aria-controls",
        "aria-labelledby",
        "aria-describedby",
        "aria-owns",
        "aria-activedescendant",
        "aria-details",
        "aria-errormessage",
        "aria-flowto",
    }
)
# Attributes holding an address whose "#fragment" names an element by its id.
FRAGMENT_ATTRIBUTES = frozenset({("a", "href"), ("area", "href"), ("img", "usemap")})
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


def reserved_id(name: str) -> bool:
    """Whether ``name`` may be (or look like) an id of the theme's own elements."""
    name = name.strip()
    return name.startswith((RESERVED_ID_START, *THEME_ID_PREFIXES)) or name in THEME_IDS


def safe_id(name: str) -> str:
    """``name`` as a contributor's element may carry it: a reserved id gets :data:`ID_PREFIX`."""
    return ID_PREFIX + name.strip() if reserved_id(name) else name


def _safe_fragment(url: str) -> str:
    """A link inside the site with its ``#fragment`` renamed like the id it points to."""
    if "#" not in url or _scheme(url) is not None:
        return url
    address, fragment = url.split("#", 1)
    if not reserved_id(unquote(fragment)):
        return url
    return f"{address}#{ID_PREFIX}{unquote(fragment).strip()}"


def renamed(tag: str, attribute: str, value: str) -> str:
    """``value`` with every reserved id it names renamed (the same value when there is none)."""
    if attribute in ID_ATTRIBUTES:
        return safe_id(value)
    if attribute in ID_LIST_ATTRIBUTES:
        return " ".join(safe_id(name) for name in value.split())
    if (tag, attribute) in FRAGMENT_ATTRIBUTES:
        return _safe_fragment(value)
    return value


def _reserved_names(tag: str, attribute: str, value: str) -> list:
    """The reserved ids that ``value`` names (what :func:`renamed` renames)."""
    if attribute in ID_ATTRIBUTES:
        names = [value]
    elif attribute in ID_LIST_ATTRIBUTES:
        names = value.split()
    elif (tag, attribute) in FRAGMENT_ATTRIBUTES and "#" in value and _scheme(value) is None:
        names = [unquote(value.split("#", 1)[1])]
    else:
        names = []
    return [name.strip() for name in names if reserved_id(name)]


def _allowed_attributes(tag: str) -> frozenset:
    return GLOBAL_ATTRIBUTES | ATTRIBUTES.get(tag, frozenset())


# ---- cleaning ---------------------------------------------------------------------------------


def clean(html: str, base: str = "") -> str:
    """``html`` (a page's Markdown made HTML) with only what the policy allows; ``base`` is
    the page's folder inside the site, from which relative resources are resolved."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        return None if refusal(tag, attribute, value, base) else renamed(tag, attribute, value)

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
    renamed: bool = False  # an id renamed (see safe_id), not removed


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
                continue
            for reserved in _reserved_names(tag, name, value):
                key = f"id “{reserved}”"
                if key not in self.removed:
                    what = (
                        f"id “{reserved}”以“__”开头，这样的 id 留给网站主题，"
                        f"已改为“{safe_id(reserved)}”（页内链接随之改动）"
                    )
                    self.removed[key] = Removal(what, reserved, renamed=True)

    def _fetches(self, tag: str, values: dict) -> None:
        for name, value in values.items():
            if (tag, name) in FETCHED and not (
                tag in TAGS and name in _allowed_attributes(tag) and refusal(tag, name, value, self.base) is None
            ):
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
    """What :func:`clean` removes from ``html`` (and the reserved ids it renames), in order of first appearance."""
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
    """``(clean(html), problems)``: a ``PAGE_HTML`` warning for each kind of thing removed
    (and each reserved id renamed), at the first line of the page's source file (``source_path``) where it appears."""
    found = removals(html, base)
    if not found:
        return clean(html, base), []
    source = _read(source_path)
    problems = [
        problem(
            "PAGE_HTML",
            file,
            _line_of(source, r.needle),
            f"页面中的 {r.what}" if r.renamed else f"页面中不允许的 HTML 已删除：{r.what}",
        )
        for r in found
    ]
    return clean(html, base), problems


def page_folder(url: str) -> str:
    """The folder, inside the site, that a page at ``url`` (``2021/x/a02/`` or ``a.html``) resolves from."""
    url = url.split("#", 1)[0].split("?", 1)[0]
    return url.rstrip("/") if url.endswith("/") else posixpath.dirname(url)
