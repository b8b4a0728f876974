"""Every path gongkai reads, or lets MkDocs copy, stays inside the project.

Whoever opens a pull request controls ``content/`` and ``data/``, and git stores symbolic
links. A link may point anywhere (``/etc/passwd``, ``/proc/self/environ``, ``/dev/zero``,
``../../..``, a folder such as ``/``), and a working tree may also hold FIFOs, sockets or
device files. Here such a path becomes a located problem and is never followed, read or
copied:

- ``PATH_OUTSIDE``: the path, after following every symbolic link (in the file itself or
  in any folder above it, through chains of links), is outside the project root, or
  inside its ``.git/`` folder (which may hold CI credentials);
- ``PATH_SPECIAL``: it is not a regular file: a FIFO, socket or device, a link that loops
  or points to nothing, a folder link that leads back to a folder above it, or a folder
  link found inside a linked folder;
- ``PATH_NAME``: its name holds a control character (C0 such as a newline or ESC, DEL, C1,
  a bidi control, a line separator) or is not valid UTF-8. Such a name would reach terminals,
  CI logs and CI commands (a newline starts a new ``::command::`` line in GitHub Actions);
  the message shows it through :func:`terminal_text`.

Folder links that stay inside the project are followed (as MkDocs does), never in a loop
and one level only: a folder link inside a linked folder is refused, and at most
:data:`MAX_LINKED_ENTRIES` entries are looked at through folder links, so a few links that
each point twice at the one before cannot make a walk of millions of paths.
The only thing a refused path ever gets is ``stat``/``realpath``: its target is never
opened and never named in a message (a link's target text is the contributor's text).

:func:`read_bytes_inside` is the one guarded open: it checks again at read time and then
opens the resolved path one component at a time from the project root with
``O_NOFOLLOW``, so a path swapped for a link after the check is refused, not followed."""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path
from typing import Any

from gongkai.engine.problems import (
    Problem,
    has_control_characters,
    problem,
    terminal_text,
)

OUTSIDE = "PATH_OUTSIDE"
SPECIAL = "PATH_SPECIAL"
NAME = "PATH_NAME"
MAX_ENTRIES = 500_000  # entries one folder walk may visit
MAX_LINKED_ENTRIES = 10_000  # of them, entries reached through folder links (which can multiply them)

_WHY_OUTSIDE = (
    "是指向项目之外（或项目的 .git 文件夹中）的符号链接，或位于这样的链接之下；"
    "gongkai 不读取、网站不复制这样的文件，请改为项目内的普通文件"
)
_WHY_LOOP = "是循环的符号链接，无法解析；gongkai 不读取、网站不复制这样的文件"
_WHY_DANGLING = "是符号链接，指向的文件不存在；gongkai 不读取、网站不复制这样的文件"
_WHY_FOLDER_LOOP = "是指向其上级文件夹的符号链接，会无限循环；请删除这个链接"
_WHY_TOO_MANY = f"之下（经由文件夹符号链接）的文件超过 {MAX_ENTRIES:,} 个，不再继续查看；请删除多余的文件夹链接"
_WHY_TOO_MANY_LINKED = (
    f"之下经由文件夹符号链接看到的文件超过 {MAX_LINKED_ENTRIES:,} 个，不再继续查看；"
    "请删除多余的文件夹链接，或改为普通文件夹"
)
_WHY_NESTED_LINK = (
    "是位于另一个文件夹链接之下的文件夹链接；gongkai 只跟随一层文件夹链接（多层链接可以让文件数成倍增长），"
    "请删除这个链接或改为普通文件夹"
)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class Refused(Exception):
    """A path that must not be read; ``problem`` says which and why."""

    def __init__(self, found: Problem):
        super().__init__(found.message)
        self.problem = found


class TooLarge(Exception):
    """A file larger than the limit it was read with (nothing of it is returned)."""

    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


# ---- where a path is ------------------------------------------------------------------------


def _real(path) -> str:
    return os.path.realpath(os.fspath(path))


def _within(root: str, real: str) -> bool:
    """``real`` is ``root`` or below it, and not in its ``.git`` folder (both resolved)."""
    if real == root:
        return True
    prefix = root if root.endswith(os.sep) else root + os.sep
    if not real.startswith(prefix):
        return False
    return real[len(prefix) :].split(os.sep, 1)[0] != ".git"


def inside(project, path) -> bool:
    """Whether ``path`` resolves (following every link) inside ``project`` (and not in .git)."""
    try:
        return _within(_real(project), _real(path))
    except (OSError, ValueError):
        return False


def display_name(project, path) -> str:
    """``path`` relative to the project as written (links not followed), posix; else as given."""
    absolute, root = os.path.abspath(path), os.path.abspath(project)
    if absolute == root or absolute.startswith(root.rstrip(os.sep) + os.sep):
        return Path(os.path.relpath(absolute, root)).as_posix()
    return str(path)


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO）"
    if stat.S_ISSOCK(mode):
        return "套接字"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    return "特殊文件"


def _why_name(name: str) -> str:
    return (
        f"文件名“{terminal_text(name)}”含控制字符（如换行、ESC、双向文字控制符）或不是有效的 UTF-8；"
        "这样的名字会进入终端、日志和持续集成的命令，gongkai 不读取、网站不复制这样的文件，请改名"
    )


def _why_special(mode: int) -> str:
    return f"不是普通文件（{_special_kind(mode)}）；gongkai 不读取、网站不复制这样的文件"


def _classify(root: str, path: str) -> tuple:
    """(kind, code, why) of one path: kind "file" or "dir" when it may be used, else a
    problem code and its reason. A plainly missing or unreadable path raises OSError."""
    try:
        real = _real(path)
    except ValueError:  # an embedded NUL: no such file can exist
        raise FileNotFoundError(errno.ENOENT, "文件不存在", path) from None
    if not _within(root, real):
        return None, OUTSIDE, _WHY_OUTSIDE
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, SPECIAL, _WHY_LOOP
        if exc.errno == errno.ENOENT and os.path.islink(path):
            return None, SPECIAL, _WHY_DANGLING
        raise
    if stat.S_ISDIR(st.st_mode):
        return "dir", None, None
    if stat.S_ISREG(st.st_mode):
        return "file", None, None
    return None, SPECIAL, _why_special(st.st_mode)


def safe_file(project, path, display: str | None = None) -> Problem | None:
    """None when ``path`` is a regular file inside ``project`` (after following links);
    otherwise the located problem (``PATH_OUTSIDE``, ``PATH_SPECIAL`` or ``FILE_UNREADABLE``)."""
    name = display or display_name(project, path)
    try:
        kind, code, why = _classify(_real(project), os.fspath(path))
    except OSError as exc:
        return problem("FILE_UNREADABLE", name, None, f"无法读取文件：{exc.strerror or exc}")
    if code is not None:
        return problem(code, name, None, why)
    if kind == "dir":
        return problem(SPECIAL, name, None, "是文件夹，不是文件")
    return None


# ---- walking a folder -----------------------------------------------------------------------


def inspect_tree(
    project, folder, suffixes: tuple | None = None, recursive: bool = True
) -> tuple[list[Path], list[Problem]]:
    """The regular files under ``folder`` (sorted, as written: folder links inside the
    project are followed as MkDocs follows them) and the problems of every path refused.

    With ``suffixes``, only files whose names end so are listed, and only refused paths
    with such names are reported (besides folder loops, which are always reported). Links
    are never followed out of the project, and never in a loop. Without ``recursive``, only
    the folder's own entries are looked at."""
    root = _real(project)
    folder = os.fspath(folder)
    wanted = (lambda name: True) if suffixes is None else (lambda name: os.path.splitext(name)[1] in suffixes)
    files: list[Path] = []
    problems: list[Problem] = []

    def refuse(path: str, code: str, why: str) -> None:
        problems.append(problem(code, display_name(project, path), None, why))

    try:
        kind, code, why = _classify(root, folder)
    except OSError as exc:
        refuse(folder, "FILE_UNREADABLE", f"无法读取文件夹：{exc.strerror or exc}")
        return files, problems
    if code is not None:
        refuse(folder, code, why)
        return files, problems
    if kind != "dir":
        return files, problems
    seen = linked_seen = 0
    # (folder, resolved folders down to it, reached through a folder link)
    stack: list[tuple[Any, tuple[str, ...], bool]] = [(folder, (_real(folder),), False)]
    while stack:
        here, chain, linked = stack.pop()
        try:
            with os.scandir(here) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            refuse(here, "FILE_UNREADABLE", f"无法读取文件夹：{exc.strerror or exc}")
            continue
        below: list[tuple[str, tuple[str, ...], bool]] = []
        for entry in entries:
            seen += 1
            linked_seen += linked
            if seen > MAX_ENTRIES or linked_seen > MAX_LINKED_ENTRIES:
                refuse(folder, SPECIAL, _WHY_TOO_MANY if seen > MAX_ENTRIES else _WHY_TOO_MANY_LINKED)
                return sorted(files), problems
            path = os.path.join(here, entry.name)
            try:
                if has_control_characters(entry.name):  # never read, never followed
                    if wanted(entry.name) or entry.is_dir(follow_symlinks=False):
                        refuse(path, NAME, _why_name(entry.name))
                elif entry.is_symlink():
                    kind, code, why = _classify(root, path)
                    if code is not None:
                        if wanted(entry.name):
                            refuse(path, code, why)
                    elif kind == "dir":
                        target = _real(path)
                        current = chain[-1]
                        if target in chain or current == target or current.startswith(target.rstrip(os.sep) + os.sep):
                            refuse(path, SPECIAL, _WHY_FOLDER_LOOP)
                        elif linked:
                            refuse(path, SPECIAL, _WHY_NESTED_LINK)
                        else:
                            below.append((path, chain + (target,), True))
                    elif wanted(entry.name):
                        files.append(Path(path))
                elif entry.is_dir(follow_symlinks=False):
                    below.append((path, chain + (os.path.join(chain[-1], entry.name),), linked))
                elif entry.is_file(follow_symlinks=False):
                    if wanted(entry.name):
                        files.append(Path(path))
                elif wanted(entry.name):
                    refuse(path, SPECIAL, _why_special(entry.stat(follow_symlinks=False).st_mode))
            except OSError as exc:
                if wanted(entry.name):
                    refuse(path, "FILE_UNREADABLE", f"无法读取文件：{exc.strerror or exc}")
        if recursive:
            stack.extend(reversed(below))
    return sorted(files), problems


# ---- which project a path belongs to --------------------------------------------------------


def project_of(path) -> Path:
    """The project a file or folder belongs to: the nearest folder above it holding
    ``mkdocs.yml``; else the folder holding the ``data/`` it is in; else the current folder
    if it is inside it; else its own folder. Found from the path as written (no links followed)."""
    absolute = os.path.abspath(path)
    start = absolute if os.path.isdir(absolute) and not os.path.islink(absolute) else os.path.dirname(absolute)
    folders = [Path(start), *Path(start).parents]
    for folder in folders:
        if (folder / "mkdocs.yml").is_file():
            return folder
    for folder in folders:
        if folder.name == "data" and folder.parent != folder:
            return folder.parent
    cwd = Path(os.path.abspath(os.getcwd()))
    if Path(start) == cwd or Path(start).is_relative_to(cwd):
        return cwd
    return Path(start)


_DOCS_DIR = re.compile(r"^docs_dir:[ \t]*['\"]?([^'\"#\r\n]+?)['\"]?[ \t]*(?:#.*)?$", re.M)


def docs_dir(project) -> Path | None:
    """The project's Markdown folder: ``docs_dir`` of its mkdocs.yml (MkDocs' default
    ``docs``), or ``content/`` when there is no mkdocs.yml; None when it does not exist."""
    project = Path(project)
    config = project / "mkdocs.yml"
    if config.is_file():
        try:
            text = config.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        match = _DOCS_DIR.search(text)
        folder = project / (match.group(1).strip() if match else "docs")
    else:
        folder = project / "content"
    return folder if os.path.lexists(folder) else None


def project_problems(project, docs=None) -> list[Problem]:
    """Every refused path under what a contributor controls and the build reads or copies:
    the Markdown folder (all of it: MkDocs copies every file), ``data/`` (with
    ``data/rulesets/``) and ``rulesets/``."""
    project = Path(project)
    folders = [docs if docs is not None else docs_dir(project), project / "data", project / "rulesets"]
    found: dict = {}
    for folder in folders:
        if folder is not None and os.path.lexists(folder):
            for p in inspect_tree(project, folder)[1]:
                found.setdefault((p.file, p.code), p)
    return list(found.values())


# ---- the one guarded read -------------------------------------------------------------------


def _open_resolved(root: str, real: str) -> int:
    """Open ``real`` (resolved, inside ``root``) component by component from ``root``,
    never following a link: a component that became a link since the check fails (ELOOP)."""
    rel = os.path.relpath(real, root)
    parts = [] if rel == "." else rel.split(os.sep)
    if not parts or ".." in parts:
        raise IsADirectoryError(errno.EISDIR, "是文件夹", real)
    fd = os.open(root, _OPEN_FLAGS | _DIRECTORY)
    try:
        for part in parts[:-1]:
            child = os.open(part, _OPEN_FLAGS | _DIRECTORY | _NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = child
        return os.open(parts[-1], _OPEN_FLAGS | _NOFOLLOW | _NONBLOCK, dir_fd=fd)
    finally:
        os.close(fd)


def read_bytes_inside(
    project, path, display: str | None = None, limit: int | None = None, first: int | None = None
) -> bytes:
    """The bytes of ``path``, which must be a regular file inside ``project``.

    Raises :class:`Refused` (with its located problem) for a path outside the project, a
    special file, or a link that appeared since the check; :class:`TooLarge` when the file
    exceeds ``limit`` bytes (checked before reading, and again while reading); OSError when
    it cannot be read. With ``first``, only that many bytes from the start are read."""
    name = display or display_name(project, path)
    root = _real(project)
    kind, code, why = _classify(root, os.fspath(path))  # OSError: missing or unreadable
    if code is not None:
        raise Refused(problem(code, name, None, why))
    if kind != "file":
        raise Refused(problem(SPECIAL, name, None, "是文件夹，不是文件"))
    try:
        fd = _open_resolved(root, _real(path))
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            raise Refused(
                problem(OUTSIDE, name, None, "读取时路径中出现了符号链接（文件在检查之后被替换）；" + _WHY_OUTSIDE)
            ) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused(problem(SPECIAL, name, None, _why_special(st.st_mode)))
        if limit is not None and st.st_size > limit:
            raise TooLarge(st.st_size)
        want = first if first is not None else (limit + 1 if limit is not None else None)
        chunks, total = [], 0
        while want is None or total < want:
            chunk = os.read(fd, 1 << 20 if want is None else min(1 << 20, want - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if first is None and limit is not None and total > limit:
            raise TooLarge(total)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text_inside(
    project,
    path,
    display: str | None = None,
    first: int | None = None,
    encoding: str = "utf-8",
    errors: str = "replace",
) -> str:
    """:func:`read_bytes_inside` decoded."""
    return read_bytes_inside(project, path, display, first=first).decode(encoding, errors=errors)
