"""The only way a PDF can read anything: files inside the build folder and ``data:`` URLs.

Every other URL (``http:``, loopback, ``file:`` outside the folder, ``..`` escapes,
symbolic links pointing out, redirects) stops the rendering with a message that names
it; nothing outside is read. Modelled on WeasyPrint's URLFetcher (weasyprint/urls.py)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

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


class FetchRefused(FatalURLFetchingError):
    """A document asked for something outside the sandbox."""


class SandboxFetcher(URLFetcher):
    def __init__(self, root: Path):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=True, timeout=5)
        self.root = Path(root).resolve()
        self.refused: list = []

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._inside(url)
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": MIME.get(path.suffix.lower(), "application/octet-stream")})
        self._refuse(url, "只允许引用构建目录中的文件和 data: 地址，不访问网络")

    def _inside(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            self._refuse(url, "不允许引用其他主机上的文件")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root):
            self._refuse(url, f"文件不在构建目录 {self.root} 之内")
        if not path.is_file():
            self._refuse(url, "文件不存在")
        return path

    def _refuse(self, url: str, why: str):
        self.refused.append((url, why))
        raise FetchRefused(f"拒绝读取 {url}：{why}")
