"""The revisions ``gongkai diff`` compares, read from git: which commit a name means, which files a
revision lists, and the bytes of those that may be read.

The revisions are untrusted (a pull request's author made them). Every path git lists is checked before
it is used (``path_refusal``): a ``..``, ``.`` or empty component, an absolute path or a ``.git``
component in any spelling is refused anywhere in the tree, a backslash or a control character where diff
reads, and so is a symbolic link, a submodule or any other report or ruleset that is not a regular file.
A blob is read by its object id (``git cat-file``), a working-tree file without following a link; nothing
is written.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gongkai.engine.problems import terminal_text

MAIN_BRANCHES = ("origin/main", "main", "master")

_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # bytes of a name that is not UTF-8 (os.fsdecode)


class DiffError(Exception):
    """A usage error with a Chinese message (bad revision, not a repository …): exit code 2."""


# ---- paths from a revision --------------------------------------------------------------------------


def _is_dotgit(part: str) -> bool:
    """``.git`` as a file system may read it: any case, ignorable characters (HFS+) and trailing dots,
    spaces or a stream name dropped (NTFS), or its short name ``git~1``."""
    name = "".join(c for c in part if unicodedata.category(c) != "Cf")
    name = name.split(":", 1)[0].rstrip(" .").lower()
    return name in (".git", "git~1")


def path_refusal(rel: str, strict: bool = True) -> str | None:
    """Why a path listed by git must not be used, in Chinese; None when it may be.

    Everywhere: what git itself never stores (an absolute path, an empty, ``.`` or ``..`` component, ``.git``).
    ``strict`` (the files gongkai reads): also a backslash, a control character or a name that is not UTF-8.
    """
    if rel.startswith("/"):
        return "是绝对路径"
    for part in rel.split("/"):
        if part == "":
            return "含空的路径段"
        if part in (".", ".."):
            return f"含“{part}”"
        if _is_dotgit(part):
            return f"含“{terminal_text(part)}”（git 的保留名）"
    if not strict:
        return None
    if "\\" in rel:
        return "含反斜杠"
    if _CONTROLS.search(rel):
        return "含控制字符"
    if _SURROGATE.search(rel):
        return "不是 UTF-8 编码"
    return None


# ---- git ------------------------------------------------------------------------------------


class Repo:
    """The git repository around ``cwd``; every path below is relative to its top level, in posix form."""

    def __init__(self, cwd: Path):
        try:
            proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True)
        except FileNotFoundError:
            raise DiffError("找不到 git 命令；gongkai diff 需要安装 git") from None
        if proc.returncode != 0:
            raise DiffError(f"{cwd} 不在 git 仓库中；请在报告仓库里运行 gongkai diff")
        self.root = Path(os.fsdecode(proc.stdout.rstrip(b"\n")))

    def run(self, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
        return subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=self.root, capture_output=True, env=env)

    def out(self, *args: str) -> bytes:
        proc = self.run(*args)
        if proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip()
            raise DiffError(f"git {args[0]} 失败：{message}")
        return proc.stdout

    def commit(self, rev: str) -> str | None:
        """The commit a revision names, or None when there is no such commit here."""
        if not rev or rev.startswith("-"):
            return None
        proc = self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        return proc.stdout.decode().strip() if proc.returncode == 0 else None

    def short(self, commit: str) -> str:
        proc = self.run("rev-parse", "--short", commit)
        return proc.stdout.decode().strip() if proc.returncode == 0 else commit[:7]


def split_z(data: bytes) -> list[str]:
    return [os.fsdecode(part) for part in data.split(b"\0") if part]


@dataclass
class Revision:
    """One side of the comparison: a commit, or the working tree (``commit`` None)."""

    label: str  # how to name it to the reader (plain text)
    commit: str | None = None
    short: str | None = None
    asked: str | None = None  # as the user wrote it
    note: str = ""  # e.g. （与 main 的分叉点）

    @property
    def working_tree(self) -> bool:
        return self.commit is None

    def words(self) -> str:
        """Where a message says a path is: 提交 abc1234 中, or 工作区中."""
        return "工作区中" if self.commit is None else f"提交 {self.short} 中"

    def as_dict(self) -> dict:
        return {"revision": self.asked, "commit": self.commit, "working_tree": self.working_tree, "label": self.label}


def resolve_revisions(
    repo: Repo, base: str | None, head: str | None, main_branch: str | None
) -> tuple[Revision, Revision]:
    """BASE defaults to where the current branch left the main branch; HEAD to the working tree."""
    if head is not None:
        commit = repo.commit(head)
        if commit is None:
            raise DiffError(f"找不到修订版本“{head}”；请给出存在的提交、分支或标签（浅克隆中须是已取得的提交）")
        head_rev = Revision(repo.short(commit), commit, repo.short(commit), head)
    else:
        head_rev = Revision("工作区（含未提交的改动）", None, None, None)
    if base is not None:
        commit = repo.commit(base)
        if commit is None:
            raise DiffError(f"找不到修订版本“{base}”；请给出存在的提交、分支或标签（浅克隆中须是已取得的提交）")
        return Revision(repo.short(commit), commit, repo.short(commit), base), head_rev
    current = repo.commit("HEAD")
    if current is None:
        raise DiffError("仓库还没有任何提交，无法比较；请先提交，或给出 BASE")
    tried = (main_branch,) if main_branch else MAIN_BRANCHES
    main = next(((name, c) for name in tried if (c := repo.commit(name)) is not None), None)
    if main is None:
        raise DiffError(f"找不到主分支（试过：{'、'.join(tried)}）；请用 --main-branch 指定，或直接给出 BASE")
    proc = repo.run("merge-base", current, main[1])
    if proc.returncode != 0:
        raise DiffError(f"找不到当前提交与 {main[0]} 的共同祖先（浅克隆时历史可能不全）；请直接给出 BASE")
    commit = proc.stdout.decode().strip()
    short = repo.short(commit)
    note = f"（与 {main[0]} 的分叉点）"
    return Revision(short + note, commit, short, None, note), head_rev


FILE_MODES = ("100644", "100755")
_MODE_KINDS = {"120000": "link", "160000": "submodule"}
KIND_ZH = {"link": "是符号链接（不跟随）", "linked-folder": "位于符号链接的文件夹中（不跟随）", "submodule": "是子模块",
           "other": "不是普通文件"}


class Tree:
    """The files of one revision: read through git for a commit, from disk for the working tree.

    Only regular files whose paths pass ``path_refusal`` are ever read; ``refusal`` says why another is not.
    """

    def __init__(self, repo: Repo, revision: Revision, specs: list[str]):
        self.repo = repo
        self.revision = revision
        self.commit = revision.commit
        self.specs = specs  # the working tree is listed only there (its untracked files may be many)
        self._entries: dict[str, tuple[str, str]] | None = None  # path -> (kind, object id or "" on disk)

    def entries(self) -> dict[str, tuple[str, str]]:
        if self._entries is None:
            self._entries = {}
            if self.commit is None:
                args = ("ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *self.specs)
                listed = split_z(self.repo.out(*args))
                for f in listed:
                    kind = _worktree_kind(self.repo.root, f)
                    if kind is not None:
                        self._entries[f] = (kind, "")
            else:
                for record in self.repo.out("ls-tree", "-r", "-z", "--full-tree", self.commit).split(b"\0"):
                    meta, tab, name = record.partition(b"\t")
                    fields = meta.split(b" ")
                    if not tab or len(fields) != 3:
                        continue
                    mode, oid = fields[0].decode("ascii", "replace"), fields[2].decode("ascii", "replace")
                    kind = "file" if mode in FILE_MODES else _MODE_KINDS.get(mode, "other")
                    self._entries[os.fsdecode(name)] = (kind, oid)
        return self._entries

    def files(self) -> set[str]:
        return set(self.entries())

    def refusal(self, rel: str) -> str | None:
        """Why this file must not be read (its path or its kind), None when it may be."""
        reason = path_refusal(rel)
        if reason is None and rel in self.entries():
            kind = self.entries()[rel][0]
            reason = KIND_ZH.get(kind) if kind != "file" else None
        return reason

    def unsafe_names(self, in_scope: Callable[[str], bool]) -> list[tuple[str, str]]:
        """(path, reason) of every listed path that may not be used: strictly where gongkai reads (``in_scope``)."""
        out = []
        for rel in sorted(self.entries()):
            reason = path_refusal(rel, strict=in_scope(rel))
            if reason is not None:
                out.append((rel, reason))
        return out

    def read(self, rel: str) -> bytes | None:
        """The bytes of a regular file with a safe path (None otherwise, or when it is not there)."""
        if self.refusal(rel) is not None:
            return None
        if self.commit is None:
            return worktree_bytes(self.repo.root, rel)
        entry = self.entries().get(rel)
        if entry is None:
            return None
        proc = self.repo.run("cat-file", "blob", entry[1])  # by object id: git resolves no path here
        return proc.stdout if proc.returncode == 0 else None


def _worktree_kind(root: Path, rel: str) -> str | None:
    """file, link, linked-folder or other, looking at each folder on the way (never following a link); None: absent."""
    parts = rel.split("/")
    if path_refusal(rel, strict=False) is not None:
        return None
    current = root
    for i, part in enumerate(parts):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except (OSError, ValueError):
            return None
        last = i == len(parts) - 1
        if stat.S_ISLNK(mode):
            return "link" if last else "linked-folder"
        if last:
            return "file" if stat.S_ISREG(mode) else "other"
        if not stat.S_ISDIR(mode):
            return None
    return None


def worktree_bytes(root: Path, rel: str) -> bytes | None:
    """A regular file of the working tree, opened without following a link (None for anything else)."""
    if path_refusal(rel) is not None or _worktree_kind(root, rel) != "file":
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(root / rel, flags)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        try:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return None
            return f.read()
        except OSError:
            return None

