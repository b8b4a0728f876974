"""What the site build makes of one report, kept between builds: its charts, its open-data
files, its page with the template filled, and the HTML its PDF is laid out from.

A report's entry is found by the hash of everything it is made from (:func:`report_key`):
gongkai's own files (code, templates, built-in rulesets) and the versions of the libraries that
draw, tabulate and convert; the project's templates, rulesets and settings; the report's data
file and page, byte for byte; where they are. Change any of them and the entry is made again.
The report is still evaluated in every build (its scores, checks and problems are never taken
from here); only what is made from the evaluation is.

Entries are JSON (never pickle: nothing read from the cache folder runs code) in
``.cache/gongkai/reports/`` beside the PDF cache (the folder CI keeps between runs); the print
HTML is kept compressed beside its entry. Writes are atomic; an entry that cannot be read is
made again. Entries no build used are removed by :func:`prune`."""

from __future__ import annotations

import base64
import gzip
import hashlib
import importlib.metadata
import json
from functools import lru_cache
from pathlib import Path

from gongkai import __version__
from gongkai.engine.files import write_atomic
from gongkai.engine.problems import Problem
from gongkai.engine.project import Project
from gongkai.render.page import Stash

PACKAGE = Path(__file__).resolve().parent.parent  # src/gongkai
LIBRARIES = ("jinja2", "markdown", "pygal", "openpyxl", "pydantic", "nh3", "markupsafe", "pyyaml")
FORMAT = "1"  # of the entries: a new one makes every entry again


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """gongkai's files (its code, templates, built-in rulesets and tables) and the versions of
    the libraries whose output the entries hold."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0".encode())
    for name in LIBRARIES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\0".encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def project_fingerprint(project: Project, extra: str = "") -> str:
    """The project's templates and rulesets (every file under them), its settings that shape
    a report's outputs, and ``extra`` (the build's own: the Markdown extensions, site_url)."""
    settings = project.settings
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(f"{settings.basis}\0{settings.pdf}\0{settings.docs_dir}\0{settings.data_dir}\0{extra}\0".encode())
    for folder in (project.root / "templates", project.root / "rulesets", project.data / "rulesets"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    digest.update(str(path.relative_to(project.root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def report_key(fingerprint: str, parts: tuple, files: tuple) -> str:
    """The key of one report's entry: the project's ``fingerprint``, ``parts`` (where its data
    and page are, what is asked for) and the bytes of ``files`` (its data file, its page)."""
    digest = hashlib.sha256(fingerprint.encode())
    for part in parts:
        digest.update(repr(part).encode("utf-8") + b"\0")
    for path in files:
        try:
            digest.update(Path(path).read_bytes() + b"\0")
        except OSError:
            digest.update(b"unreadable\0")
    return digest.hexdigest()


def load(folder: Path, key: str) -> dict | None:
    try:
        return json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store(folder: Path, key: str, entry: dict) -> None:
    try:
        write_atomic(folder / f"{key}.json", json.dumps(entry, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass  # a cache that cannot be written is only slower


def print_path(folder: Path, key: str) -> Path:
    return folder / f"{key}.html.gz"


def read_print(path: Path) -> str | None:
    try:
        return gzip.decompress(path.read_bytes()).decode("utf-8")
    except (OSError, ValueError, EOFError):
        return None


def store_print(folder: Path, key: str, html: str) -> None:
    try:
        write_atomic(print_path(folder, key), gzip.compress(html.encode("utf-8"), compresslevel=1, mtime=0))
    except OSError:
        pass


def prune(folder: Path, used: set) -> int:
    """Remove the entries whose key is not in ``used``; returns how many."""
    removed = 0
    if not folder.is_dir():
        return 0
    for path in folder.iterdir():
        if path.name.split(".", 1)[0] not in used:
            try:
                path.unlink()
                removed += 1
            except OSError:
                pass
    return removed


# ---- plain data ---------------------------------------------------------------------------


def files_state(files: dict) -> dict:
    return {name: base64.b64encode(content).decode("ascii") for name, content in files.items()}


def files_restored(state: dict) -> dict:
    return {name: base64.b64decode(text) for name, text in state.items()}


def problems_state(problems: list) -> list:
    return [_problem_state(p) for p in problems]


def _problem_state(p: Problem) -> dict:
    return {name: list(value) if isinstance(value, tuple) else value for name, value in vars(p).items()}


def problems_restored(state: list) -> list:
    return [_problem_restored(item) for item in state]


def _problem_restored(item: dict) -> Problem:
    path = item.get("path")
    return Problem(item["code"], item["severity"], item["file"], item.get("line"), item["message"],
                   item.get("expected"), item.get("found"), tuple(path) if path is not None else None)


def stash_restored(state: dict) -> Stash:
    return Stash.restored(state)
