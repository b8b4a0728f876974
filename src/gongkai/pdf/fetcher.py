"""The only way a PDF can read anything: files inside the build folder and ``data:`` URLs.

Every other URL (``http:``, loopback, ``file:`` outside the folder, ``..`` escapes,
symbolic links pointing out, redirects) is refused with a message that names it; nothing
outside is read. Modelled on WeasyPrint's URLFetcher (weasyprint/urls.py).

The fetcher is the record of what a document read, and the source of truth about it:

- ``refused`` lists every URL it would not read, with why (a file inside the build folder
  by its path there). WeasyPrint swallows some fetch errors (an ``<image>`` inside an SVG
  is drawn inside a catch-all and just logged), so whether the rendering raised is not
  enough: the writer fails a document whenever ``refused`` is not empty after rendering.
- ``fetched`` lists every file it returned, as (path relative to the build folder, sha256
  of the bytes returned): the PDF cache keeps it beside each PDF, so a changed stylesheet
  pulled in by ``@import``, a font or an image inside an SVG makes the PDF again."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

MIME = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".yaml": "application/yaml",
    ".json": "application/json",
    ".csv": "text/csv",
}

SHOWN_URL = 200  # characters of a refused URL quoted in a message


class FetchRefused(FatalURLFetchingError):
    """A document asked for something outside the sandbox."""


def shown_url(url: str) -> str:
    """A URL as a message may print it: control characters percent-encoded (it comes from an
    untrusted page and goes to a terminal), long ones shortened."""
    safe = "".join(quote(c) if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 else c for c in url)
    return safe if len(safe) <= SHOWN_URL else safe[: SHOWN_URL - 1] + "…"


class SandboxFetcher(URLFetcher):
    def __init__(self, root: Path):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=True, timeout=5)
        self.root = Path(root).resolve()
        self.given = Path(os.path.abspath(root))  # as the base URLs spell it
        self.refused: list = []  # (URL as shown, why), in the order asked
        self.fetched: dict = {}  # path relative to root (posix) → sha256 of the bytes returned
        self.reads: list = []  # the same, one (path, sha256) per read, in order

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._inside(url)
            try:
                body = path.read_bytes()
            except OSError as exc:
                self._refuse(url, f"无法读取（{exc.strerror or type(exc).__name__}）")
            self.note(path.relative_to(self.root).as_posix(), hashlib.sha256(body).hexdigest())
            return URLFetcherResponse(
                url, body, {"Content-Type": MIME.get(path.suffix.lower(), "application/octet-stream")}
            )
        self._refuse(url, "只允许引用构建目录中的文件和 data: 地址，不访问网络")

    def note(self, rel: str, digest: str) -> None:
        """Record a file the document depends on (also one read earlier for another document
        and reused from a cache: see writer.Fonts)."""
        self.fetched[rel] = digest
        self.reads.append((rel, digest))

    def refusals(self) -> list:
        """Refused URLs, each once, in the order first asked."""
        seen: dict = {}
        for url, why in self.refused:
            seen.setdefault(url, why)
        return list(seen.items())

    def _inside(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            self._refuse(url, "不允许引用其他主机上的文件")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root):
            link = self._relative(url) is not None
            self._refuse(url, "是指向构建目录之外的符号链接" if link else "文件不在构建目录之内")
        if not path.is_file():
            self._refuse(url, "文件不存在" if not path.exists() else "不是普通文件")
        return path

    def _relative(self, url: str) -> str | None:
        """A ``file:`` URL written inside the build folder, as a path relative to it (before
        following links); None for any other URL."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        written = Path(os.path.normpath(unquote(parts.path)))
        for root in (self.given, self.root):
            if written.is_relative_to(root):
                return written.relative_to(root).as_posix()
        return None

    def _refuse(self, url: str, why: str):
        """Record and stop. The URL is recorded as a message shows it: a file inside the build
        folder by its path there (``2021/t/pic.svg``), anything else as written."""
        shown = self._relative(url) or url
        self.refused.append((shown, why))
        raise FetchRefused(f"拒绝读取 {shown_url(shown)}：{why}")
