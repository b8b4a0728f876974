"""Shared helpers for the tests of the built website (test_site.py, test_serve.py).

Builds run ``.venv/bin/mkdocs`` as a subprocess, never into the project's own site/.
Only the standard library is used to read what was built (html.parser, json, re)."""

from __future__ import annotations

import fcntl
import functools
import html
import json
import os
import posixpath
import re
import select
import shutil
import subprocess
import threading
import time
from contextlib import contextmanager
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conftest import ROOT

VENV_BIN = ROOT / ".venv" / "bin"
MKDOCS = VENV_BIN / "mkdocs"
GONGKAI = VENV_BIN / "gongkai"
SAMPLE = ROOT / "data" / "2021" / "shenzhen-gsl" / "a02.yaml"  # a valid 项目支出绩效自评表

BUILD_TIMEOUT = 300


def quiet_env() -> dict:
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    return env


def mkdocs_build(project: Path, out: Path, pdf: bool = False) -> subprocess.CompletedProcess:
    """``mkdocs build -q -d OUT`` in ``project`` (its mkdocs.yml is strict or not as it says).

    These tests read the HTML site and its open data; PDFs (most of a full build's time)
    are left out with GONGKAI_PDF=0 unless ``pdf``."""
    env = quiet_env()
    env["GONGKAI_PDF"] = "1" if pdf else "0"
    return subprocess.run(
        [str(MKDOCS), "build", "-q", "-d", str(out)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        env=env,
    )


# ---- a minimal project of our own ------------------------------------------------------

MINIMAL_MKDOCS_YML = """\
site_name: 测试站点
docs_dir: content
theme:
  name: material
  language: zh
  font: false
markdown_extensions:
  - attr_list
  - tables
  - admonition
  - md_in_html
  - toc
  - fenced_code
plugins:
  - search
hooks:
  - hooks/gongkai_hooks.py
nav:
  - index.md
"""


def make_project(root: Path, data: dict[str, str], pages: dict[str, str] | None = None) -> Path:
    """A tiny gongkai project: our own mkdocs.yml, the project's hooks/, content/index.md,
    data files (path relative to the project → text) and pages (path under content/ → text)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(MINIMAL_MKDOCS_YML, encoding="utf-8")
    shutil.copytree(ROOT / "hooks", root / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "content").mkdir(exist_ok=True)
    (root / "content" / "index.md").write_text("# 测试首页\n\n只用于测试。\n", encoding="utf-8")
    for rel, text in data.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for rel, text in (pages or {}).items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def sample_text() -> str:
    """The sample report as the unit would author it in gongkai (口径 编制, in place of its first
    comment line so that line numbers stay): these tests edit data and expect the scores to follow."""
    first, rest = SAMPLE.read_text(encoding="utf-8").split("\n", 1)
    assert first.startswith("#")
    return "口径: 编制\n" + rest


def replace_once(text: str, pattern: str, replacement: str, flags: int = re.M) -> str:
    """``re.subn`` that must hit exactly once (so a changed sample file fails loudly)."""
    new, count = re.subn(pattern, lambda _m: replacement, text, count=1, flags=flags)
    assert count == 1, f"样例数据 {SAMPLE.relative_to(ROOT)} 中找不到 {pattern!r}，测试需要更新"
    return new


# ---- reading built HTML ------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
FETCH_ATTRS = {"src", "srcset", "href", "xlink:href", "data", "poster", "background", "action", "formaction"}


class Mark:
    """An element carrying ``data-gk``: its kind (总分/等级/执行率), text and enclosing row file."""

    def __init__(self, kind: str, row_file: str | None, line: int):
        self.kind = kind
        self.row_file = row_file
        self.line = line
        self.parts: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self.parts).strip()

    def __repr__(self) -> str:
        return f"Mark({self.kind!r}, {self.text!r}, row={self.row_file!r}, line={self.line})"


class PageScan(HTMLParser):
    """One pass over a page: data-gk marks, download links, URL-bearing attributes, CSS."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.open: list[tuple[int, Mark]] = []
        self.marks: list[Mark] = []
        self.downloads: list[str] = []
        self.attrs: list[tuple[str, str, str, dict]] = []  # (tag, attribute, value, all attrs)
        self.css: list[str] = []  # <style> contents and style="" attributes
        self._in_style = False

    def _row_file(self) -> str | None:
        for tag, attrs in reversed(self.stack):
            if tag == "tr" and attrs.get("data-gk-file"):
                return attrs["data-gk-file"]
        return None

    def _start(self, tag: str, attrs: list, closed: bool) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        for key, value in a.items():
            if key in FETCH_ATTRS:
                self.attrs.append((tag, key, value, a))
            if key == "style":
                self.css.append(value)
        if tag == "a" and "download" in a and a.get("href"):
            self.downloads.append(a["href"])
        if tag == "style" and not closed:
            self._in_style = True
        void = closed or tag in VOID
        if not void:
            self.stack.append((tag, a))
        if "data-gk" in a:
            mark = Mark(a["data-gk"], self._row_file(), self.getpos()[0])
            self.marks.append(mark)
            if not void:
                self.open.append((len(self.stack), mark))

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, True)

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                self.open = [(depth, m) for depth, m in self.open if depth <= i]
                del self.stack[i:]
                return

    def handle_data(self, data):
        if self._in_style:
            self.css.append(data)
        if any(tag == "sup" for tag, _ in self.stack):
            return  # a figure's “算” mark or [n] note reference, not part of the figure
        for _, mark in self.open:
            mark.parts.append(data)


def scan(path: Path) -> PageScan:
    parser = PageScan()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


ARTICLE = re.compile(r"<article\b.*?</article>", re.S)


def article(text: str) -> str:
    """The page's own content (Material's <article>), without navigation and header."""
    found = ARTICLE.findall(text)
    assert found, "页面没有 <article> 正文"
    return "\n".join(found)


# ---- network references --------------------------------------------------------------------

REMOTE = re.compile(r"^\s*(?:https?:|wss?:)?//", re.I)
CSS_REMOTE = [
    re.compile(r"url\(\s*['\"]?\s*(?:https?:)?//", re.I),
    re.compile(r"@import\s+(?:url\(\s*)?['\"]?\s*(?:https?:)?//", re.I),
]
JS_REMOTE = [
    re.compile(r"\bimportScripts\(\s*['\"`]\s*(?:https?:)?//", re.I),
    re.compile(r"\bimport\s*\(?\s*['\"`](?:https?:)?//", re.I),
    re.compile(r"\bfrom\s*['\"`](?:https?:)?//", re.I),
    re.compile(
        r"<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*?\b(?:src|href)\s*=\s*\\?['\"]?\s*(?:https?:)?//",
        re.I,
    ),
] + CSS_REMOTE


def remote_references(site: Path) -> list[str]:
    """Every place where a built HTML/SVG/CSS/JS file would load something from the network.

    Allowed: plain ``<a href>`` links (navigated only when clicked), ``<link rel=canonical>``
    (never fetched), and XML namespaces (``xmlns=""`` is not a fetching attribute)."""
    found = []
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.suffix in (".html", ".svg"):
            page = scan(path)
            for tag, key, value, attrs in page.attrs:
                if tag in ("a", "area") and key == "href":
                    continue
                if tag == "link" and key == "href" and attrs.get("rel", "").lower() == "canonical":
                    continue
                values = [v.strip().split()[0] for v in value.split(",") if v.strip()] if key == "srcset" else [value]
                if any(REMOTE.match(v) for v in values):
                    found.append(f"{rel}: <{tag} {key}={value!r}>")
            for css in page.css:
                for pattern in CSS_REMOTE:
                    for m in pattern.finditer(css):
                        found.append(f"{rel}: CSS {css[m.start():m.start() + 80]!r}")
        elif path.suffix == ".css":
            text = path.read_text(encoding="utf-8", errors="replace")
            for pattern in CSS_REMOTE:
                for m in pattern.finditer(text):
                    found.append(f"{rel}: {text[m.start():m.start() + 80]!r}")
        elif path.suffix in (".js", ".mjs"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for pattern in JS_REMOTE:
                for m in pattern.finditer(text):
                    found.append(f"{rel}: {text[m.start():m.start() + 80]!r}")
    return found


# ---- Chromium NetLog ----------------------------------------------------------------------

LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome"}
URL_KEYS = re.compile(r"url|host|^origin$|^destination$|^location$|^server$", re.I)
NOT_AN_ORIGIN = "not an origin"  # how NetLog prints a request without initiator (the browser's own)


def load_netlog(path: Path) -> dict:
    """A NetLog file; if Chromium stopped before closing it, complete the events list."""
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    lines = text.rstrip().splitlines()
    while lines:  # drop a last event that was cut in the middle
        body = "\n".join(lines).rstrip().rstrip(",")
        try:
            return json.loads(body + "]}")
        except json.JSONDecodeError:
            lines.pop()
    raise AssertionError(f"NetLog {path} 无法解析")


def _strings(value, key=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)
    elif isinstance(value, str):
        yield key, value


def _scheme_host(value: str) -> tuple[str | None, str]:
    """('https', 'example.com') for a URL; (None, 'example.com') for a bare host[:port]."""
    value = value.strip()
    if "://" in value:
        parts = urlsplit(value.split()[0])
        return parts.scheme.lower(), (parts.hostname or "").lower()
    if re.match(r"^(about|data|blob|chrome|file):", value, re.I):
        return value.split(":", 1)[0].lower(), ""
    return None, value.split(":")[0].strip("[]").lower()


def _page_request(params: dict) -> bool:
    """An event of something a page did: a request with an initiator, or anything keyed to
    the page's file:// network partition (requests, preconnects, host resolutions)."""
    initiator = params.get("initiator")
    if initiator is not None and initiator != NOT_AN_ORIGIN:
        return True
    return any("file://" in str(params.get(key, "")) for key in PARTITION_KEYS)


PARTITION_KEYS = ("network_isolation_key", "network_anonymization_key", "group_id")
UNRESOLVED = "~notfound"  # what --host-resolver-rules maps every host to (see CHROMIUM_FLAGS)


def netlog_violations(netlog: dict) -> tuple[list[str], list[str]]:
    """(addresses the pages tried to reach off this machine, the browser's own requests).

    Every URL or host in every event's parameters must be file:, data:, blob:, about: or
    chrome:. Chromium itself (component updater, account checks) makes requests that have no
    initiator and no file:// partition; their hosts are tolerated in events not tied to a
    page. Anything tied to a page (initiator or file:// partition) is a violation whatever
    its host."""
    events = netlog.get("events", [])
    browser_hosts, own = {UNRESOLVED}, []
    for event in events:
        params = event.get("params") or {}
        url = params.get("url")
        if isinstance(url, str) and "initiator" in params and not _page_request(params):
            scheme, host = _scheme_host(url)
            if scheme not in LOCAL_SCHEMES and host:
                browser_hosts.add(host)
                own.append(url)
    violations = []
    for event in events:
        params = event.get("params") or {}
        page = _page_request(params)
        for key, value in _strings(params):
            if not URL_KEYS.search(key) or not value or value in (NOT_AN_ORIGIN, "null"):
                continue
            scheme, host = _scheme_host(value)
            if scheme in LOCAL_SCHEMES or not host:
                continue
            if not page and host in browser_hosts:
                continue
            violations.append(f"{key}={value}" + (" (page)" if page else ""))
    return sorted(set(violations)), sorted(set(own))


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--net-log-capture-mode=Default",
    "--virtual-time-budget=5000",
    # Nothing may actually leave during the test, not even Chromium's own background
    # requests: every host name fails to resolve. Requests are still logged when attempted.
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


def chromium_netlog(chromium: str, url: str, work: Path, timeout: float = 120) -> tuple[str, dict]:
    """Open one URL in headless Chromium; return (the DOM it printed, the parsed NetLog)."""
    work.mkdir(parents=True, exist_ok=True)
    netlog = work / "net.json"
    command = [
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={work / 'profile'}",
        f"--log-net-log={netlog}",
        "--dump-dom",
        url,
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        dom, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.communicate()
        raise AssertionError(f"Chromium 打开 {url} 超过 {timeout} 秒未结束") from None
    assert proc.returncode == 0, f"Chromium 打开 {url} 失败（退出码 {proc.returncode}）：{err[-2000:]}"
    assert netlog.is_file(), f"Chromium 没有写出 NetLog：{err[-2000:]}"
    return dom, load_netlog(netlog)


# ---- search ------------------------------------------------------------------------------

TAG = re.compile(r"<[^>]*>")


class SearchIndex:
    """mkdocs-material's search as the site runs it: tokens split by config.separator (and
    U+200B, which jieba's segmentation puts between words), lowercased; a query matches a
    document when every query token is a prefix of one of the document's tokens."""

    def __init__(self, path: Path):
        data = json.loads(path.read_text(encoding="utf-8"))
        self.config = data["config"]
        self.separator = re.compile(f"(?:{self.config['separator']})|\u200b")
        self.docs = [
            (d["location"], self.tokens(d.get("title", "")) | self.tokens(d.get("text", ""))) for d in data["docs"]
        ]

    def tokens(self, text: str) -> set:
        text = html.unescape(TAG.sub(" ", text))
        return {t.lower() for t in self.separator.split(text) if t and t.strip()}

    def search(self, query: str) -> list[str]:
        words = self.tokens(query)
        return [loc for loc, toks in self.docs if all(any(t.startswith(w) for t in toks) for w in words)]

    def pages(self, query: str) -> set[str]:
        return {loc.split("#", 1)[0] for loc in self.search(query)}

    def has_token(self, token: str) -> list[str]:
        return [loc for loc, toks in self.docs if token.lower() in toks]


# ---- a page's script, run in Chromium (DevTools protocol over a pipe) -------------------------


@contextmanager
def served(folder: Path):
    """``folder`` served over HTTP on a free port of 127.0.0.1 (a thread); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def chromium_evaluate(chromium: str, url: str, expression: str, work: Path, timeout: float = 60) -> object:
    """Open ``url`` in headless Chromium, wait for its load event, then evaluate ``expression``
    (a promise is awaited) in the page and return its value. Chromium is driven with the
    DevTools protocol over a pipe (``--remote-debugging-pipe``: JSON messages ending in NUL on
    file descriptors 3 and 4), so only the standard library is needed."""
    work.mkdir(parents=True, exist_ok=True)
    to_chromium, from_chromium = os.pipe(), os.pipe()
    reads, writes = _high_fd(to_chromium[0]), _high_fd(from_chromium[1])

    def descriptors():
        os.dup2(reads, 3)
        os.dup2(writes, 4)

    flags = [f for f in CHROMIUM_FLAGS if not f.startswith(("--virtual-time", "--net-log", "--host-resolver"))]
    command = [chromium, *flags, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # only this machine
               f"--user-data-dir={work / 'profile'}", "--remote-debugging-pipe", "about:blank"]
    proc = subprocess.Popen(command, preexec_fn=descriptors, close_fds=False, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    for fd in (reads, writes):  # the child has them; the originals were closed by _high_fd
        os.close(fd)
    channel = _Channel(to_chromium[1], from_chromium[0], time.monotonic() + timeout)
    try:
        target = channel.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = channel.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        channel.call("Page.enable", {}, session)
        channel.call("Page.navigate", {"url": url}, session)
        channel.event("Page.loadEventFired")
        result = channel.call(
            "Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True}, session
        )
        assert "exceptionDetails" not in result, f"{url}: {result['exceptionDetails']}"
        return result["result"].get("value")
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()
        os.close(to_chromium[1])
        os.close(from_chromium[0])


def _high_fd(fd: int) -> int:
    """``fd`` moved above 2, 3 and 4, so that putting it at 3 or 4 in the child cannot clobber the other."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return moved


class _Channel:
    """The DevTools protocol on two pipes: calls by id, events by name; a deadline for all."""

    def __init__(self, out: int, into: int, deadline: float):
        self.out, self.into, self.deadline = out, into, deadline
        self.buffer = b""
        self.last = 0

    def _message(self) -> dict:
        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            ready, _, _ = select.select([self.into], [], [], max(left, 0))
            if not ready:
                raise AssertionError("Chromium 没有在限定时间内回答")
            chunk = os.read(self.into, 1 << 16)
            if not chunk:
                raise AssertionError("Chromium 已退出")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict, session: str | None = None) -> dict:
        self.last += 1
        message: dict = {"id": self.last, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self.out, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._message()
            if reply.get("id") == self.last:
                assert "error" not in reply, f"{method}: {reply['error']}"
                return reply.get("result", {})

    def event(self, method: str) -> dict:
        while True:
            message = self._message()
            if message.get("method") == method:
                return message.get("params", {})


# ---- links and anchors ---------------------------------------------------------------------


class _Anchors(HTMLParser):
    """A page's ids (and <a name>) and its links' href values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.links: list[str] = []
        self.headings: list[str] = []  # ids of h1–h6

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if a.get("id"):
            self.ids.append(a["id"])
            if re.fullmatch(r"h[1-6]", tag):
                self.headings.append(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.append(a["name"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])


def site_anchors(site: Path) -> dict:
    """Every HTML page of a built site (path relative to the site → :class:`_Anchors`)."""
    pages = {}
    for path in sorted(site.rglob("*.html")):
        parser = _Anchors()
        parser.feed(path.read_text(encoding="utf-8"))
        parser.close()
        pages[path.relative_to(site).as_posix()] = parser
    return pages


def broken_links(site: Path, pages: dict | None = None) -> list[str]:
    """Every relative link of every page (404.html aside: its links are absolute by design) whose
    file does not exist in the site, or whose #fragment is no id of that page."""
    pages = pages if pages is not None else site_anchors(site)
    found = []
    for rel, page in pages.items():
        if rel == "404.html":
            continue
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("/"):
                continue
            target = rel
            if parts.path:
                target = os.path.normpath(posixpath.join(posixpath.dirname(rel), unquote(parts.path)))
                if parts.path.endswith("/") or (site / target).is_dir():
                    target = posixpath.join(target, "index.html")
            if target.startswith("..") or not (site / target).exists():
                found.append(f"{rel}: {href}（文件不存在）")
            elif parts.fragment and target in pages and unquote(parts.fragment) not in pages[target].ids:
                found.append(f"{rel}: {href}（{target} 中没有这个锚点）")
    return found
