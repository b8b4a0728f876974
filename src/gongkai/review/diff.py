"""``gongkai diff``: what changed in the reports between two git revisions, said for a reviewer.

Each version of a report is evaluated from its bytes in that revision, with the project rulesets of the
same revision (read the same way; nothing is written), then the two results are compared: total
and grade, the indicators whose score changed, funds, annual goals, the 部门决算 totals, and the
check problems that appeared or went away. Only what changed is reported.

The revisions are untrusted (a pull request's author made them). Every path git lists is checked before
it is used (``path_refusal``): a ``..``, ``.`` or empty component, an absolute path or a ``.git``
component in any spelling is refused anywhere in the tree, a backslash or a control character where diff
reads, and so is a symbolic link, a submodule or any other report or ruleset that is not a regular file.
A refused path is a ``DIFF_PATH`` problem; it is never read. Nothing of a revision is written to disk:
reports and rulesets are evaluated from their bytes. Every text taken from the data is escaped before it goes into the
Markdown (``md_text``, ``md_code``); the JSON keeps it exact, with terminal controls written as escapes.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

from gongkai import __version__
from gongkai.engine.decimals import HUNDRED, fixed, money, percent, plain
from gongkai.engine.kinds import Evaluated
from gongkai.engine.pipeline import REPORT_SUFFIXES, Result, evaluate_source
from gongkai.engine.problems import ERROR, INFO, SEVERITY_ZH, WARNING, Problem, problem, terminal_text
from gongkai.engine.project import Project, builtin_kinds
from gongkai.performance.scoring import ScoredReport

KINDS = builtin_kinds()  # what each evaluated version is asked of: is it scored, its figures

MAIN_BRANCHES = ("origin/main", "main", "master")
STATUS_ZH = {"added": "新增", "modified": "修改", "renamed": "重命名", "removed": "删除"}
DIRECTION_ZH = {"up": "上升", "down": "下降"}
HEADLINE_TOTALS = ("收入总计", "支出总计", "本年收入合计", "本年支出合计", "财政拨款支出合计", "三公经费")
MAX_ROWS = 40  # indicator rows and problems per report in Markdown (JSON has them all)


class DiffError(Exception):
    """A usage error with a Chinese message (bad revision, not a repository …): exit code 2."""


# ---- untrusted text ------------------------------------------------------------------------------
# Names, reasons, messages and paths come from the pull request. In the Markdown comment they are
# plain text: nothing in them may become a link, an image, an HTML tag, a mention, an issue reference,
# a table cell or a new line. GitHub finds mentions, issue references and bare URLs in the rendered
# text, after Markdown escapes and HTML entities are undone, so those are broken by a zero-width space
# (U+200B) that the reader does not see; the rest is escaped as CommonMark says. The comment has no
# link of its own, so there is no URL to encode.

_BREAKS = re.compile("[\t\r\n\x85\u2028\u2029]+")  # a line break or tab in a value: one space
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # bytes of a name that is not UTF-8 (os.fsdecode)
_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]|~!#$]")
_MD_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ZWSP = "\u200b"
_LINKISH = re.compile(r"(?i)(?<=[@#])(?=[0-9a-z])|(?<=www)(?=\.)|(?<=gh)(?=-\d)|(?<=:)(?=//)")


def plain_text(value: object) -> str:
    """One line of text: line breaks become a space, other controls, direction marks and undecodable
    bytes visible escapes (``\\x1b``, ``\\u202e``), as on every terminal output of gongkai."""
    return terminal_text(_BREAKS.sub(" ", str(value)))


def md_text(value: object) -> str:
    """Untrusted text as inert Markdown inline text (for a table cell, a list item or a sentence)."""
    text = plain_text(value)
    text = re.sub("[&<>]", lambda m: _MD_ENTITY[m.group()], text)
    text = _MD_SPECIAL.sub(lambda m: "\\" + m.group(), text)
    return _LINKISH.sub(_ZWSP, text)


def md_line(value: object) -> str:
    """Untrusted text that starts a line: ``md_text``, and what would open a list or heading is escaped."""
    text = md_text(value).lstrip(" ")
    if text[:1] in ("-", "+", "="):
        return "\\" + text
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", text)


def md_code(value: object) -> str:
    """Untrusted text (a path, a code) as a Markdown code span: literal whatever it holds."""
    text = plain_text(value)
    if not text.strip():
        return "—"
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return f"{fence}{pad}{text}{pad}{fence}"


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


def _shown(rel: str) -> str:
    """A path as the reader sees it: controls and undecodable bytes written as escapes."""
    return terminal_text(rel)


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


def _split_z(data: bytes) -> list[str]:
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

    def markdown(self) -> str:
        return md_text(self.label) if self.commit is None else f"{md_code(self.short)}{md_text(self.note)}"

    def words(self) -> str:
        """Where a message says a path is: 提交 abc1234 中, or 工作区中."""
        return "工作区中" if self.commit is None else f"提交 {self.short} 中"

    def as_dict(self) -> dict:
        return {"revision": self.asked, "commit": self.commit, "working_tree": self.working_tree, "label": self.label}


def resolve_revisions(repo: Repo, base: str | None, head: str | None, main_branch: str | None) -> tuple[Revision, Revision]:
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
                listed = _split_z(self.repo.out("ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *self.specs))
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
                    kind = "file" if mode in FILE_MODES else "link" if mode == "120000" else "submodule" if mode == "160000" else "other"
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

    def unsafe_names(self, in_scope) -> list[tuple[str, str]]:
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
            return _worktree_bytes(self.repo.root, rel)
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


def _worktree_bytes(root: Path, rel: str) -> bytes | None:
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


def _ancestors(rel: str) -> list[str]:
    return ["" if str(p) == "." else str(p) for p in PurePosixPath(rel).parents]


def _is_ruleset(rel: str) -> bool:
    path = PurePosixPath(rel)
    return path.parent.name == "rulesets" and fnmatch(path.name, "*.y*ml")


def _ruleset_affects(ruleset: str, report: str) -> bool:
    """Whether a project ruleset file is found from a report (``rulesets/`` or ``data/rulesets/`` above it)."""
    owner = PurePosixPath(ruleset).parent.parent
    above = _ancestors(report)
    here = "" if str(owner) == "." else str(owner)
    if here in above:
        return True
    return owner.name == "data" and ("" if str(owner.parent) == "." else str(owner.parent)) in above


class Snapshot:
    """Evaluates report files of one revision from their bytes (``git cat-file`` for a commit, the
    guarded read for the working tree), with the project ruleset files of the same revision given
    as bytes too (:meth:`Project.with_rulesets`): nothing is written anywhere. Only files with safe
    paths are read; every path refused is kept in ``refused``."""

    def __init__(self, tree: Tree):
        self.tree = tree
        self._rulesets: dict[str, bytes] = {}  # readable ruleset files of this revision, by path
        self._looked: set[str] = set()  # ruleset paths already looked at (read or refused)
        self._project: Project | None = None
        self.refused: dict[str, Problem] = {}  # path -> its DIFF_PATH problem

    def refuse(self, rel: str, reason: str) -> Problem:
        if rel not in self.refused:
            where = self.tree.revision.words()
            self.refused[rel] = problem("DIFF_PATH", _shown(rel), None,
                                        f"{where}的路径不安全：“{_shown(rel)}”{reason}；没有写出，也没有读取")
        return self.refused[rel]

    def evaluate(self, rel: str) -> Result | None:
        reason = self.tree.refusal(rel)
        if reason is not None:  # the report is listed, not evaluated: its one problem says why
            return Result(rel, None, [self.refuse(rel, reason)])
        data = self.tree.read(rel)
        if data is None:
            return None
        rulesets = {}
        for ruleset in sorted(self.tree.files()):
            if not (_is_ruleset(ruleset) and _ruleset_affects(ruleset, rel)):
                continue
            if ruleset not in self._looked:
                self._looked.add(ruleset)
                why = self.tree.refusal(ruleset)
                content = self.tree.read(ruleset) if why is None else None
                if why is not None:
                    self.refuse(ruleset, why)
                elif content is not None:
                    self._rulesets[ruleset] = content
            if ruleset in self._rulesets:
                rulesets[ruleset] = self._rulesets[ruleset]
        if self._project is None:
            self._project = Project.load(self.tree.repo.root, rulesets={})
        return evaluate_source(data, rel, self._project.with_rulesets(rulesets), rel)

    def scan(self, in_scope) -> None:
        """Refuse every unsafe path the revision lists, used or not (a report's own refusal stays one problem)."""
        for rel, reason in self.tree.unsafe_names(in_scope):
            self.refuse(rel, reason)

    def close(self) -> None:
        """Nothing to clean up: no file was written."""


# ---- which files changed ------------------------------------------------------------------------


@dataclass
class FileChange:
    status: str  # added / removed / modified / renamed
    old: str | None
    new: str | None
    edited: bool = True  # False: the file is the same, a ruleset it uses changed

    @property
    def path(self) -> str:
        return self.new or self.old or ""


def _name_status(repo: Repo, base: Revision, head: Revision, specs: list[str]) -> list[FileChange]:
    args = ["diff", "--name-status", "-z", "-M", "--no-ext-diff", "--no-color", base.commit or ""]
    if head.commit is not None:
        args.append(head.commit)
    tokens = _split_z(repo.out(*args, "--", *specs))
    changes, i = [], 0
    while i < len(tokens):
        code = tokens[i][0]
        if code in "RC":
            old, new = tokens[i + 1], tokens[i + 2]
            changes.append(FileChange("renamed", old, new) if code == "R" else FileChange("added", None, new))
            i += 3
            continue
        path = tokens[i + 1]
        status = {"A": "added", "D": "removed"}.get(code, "modified")
        changes.append(FileChange(status, None if status == "added" else path, None if status == "removed" else path))
        i += 2
    return changes


def _specs(prefix: str) -> list[str]:
    """The compared folder and every ruleset folder (a report may use one above its folder)."""
    return [prefix or ".", ":(glob)**/rulesets/*"]


def changed_files(repo: Repo, base: Revision, head: Revision, prefix: str, base_tree: Tree) -> tuple[list[FileChange], list[FileChange]]:
    """(report files, project ruleset files) that differ between the two revisions, renames paired."""
    specs = _specs(prefix)
    raw = _name_status(repo, base, head, specs)
    untracked: set[str] = set()
    if head.working_tree:
        untracked = set(_split_z(repo.out("ls-files", "-z", "--others", "--exclude-standard", "--", *specs)))
        raw += [FileChange("added", None, f) for f in sorted(untracked)]
    reports, rulesets = [], []
    for change in raw:
        if change.status == "renamed" and not (_is_report(change.old, prefix) and _is_report(change.new, prefix)):
            split = [FileChange("removed", change.old, None), FileChange("added", None, change.new)]
        else:
            split = [change]
        for c in split:
            if _is_report(c.path, prefix):
                reports.append(c)
            elif _is_ruleset(c.path) and _ruleset_relevant(c.path, prefix):
                rulesets.append(c)
    if head.working_tree:
        reports = _pair_untracked(repo.root, base_tree, reports, untracked)
    return reports, rulesets


def _is_report(rel: str | None, prefix: str) -> bool:
    if not rel or PurePosixPath(rel).suffix not in REPORT_SUFFIXES:
        return False
    path = PurePosixPath(rel)
    if prefix:
        try:
            path = path.relative_to(prefix)
        except ValueError:
            return False
    return "rulesets" not in path.parts[:-1]


def _ruleset_relevant(rel: str, prefix: str) -> bool:
    """A changed ruleset matters when reports under the compared folder can find it."""
    if not prefix or rel.startswith(prefix + "/"):
        return True
    return _ruleset_affects(rel, prefix + "/x.yaml")


def _pair_untracked(root: Path, base_tree: Tree, reports: list[FileChange], untracked: set) -> list[FileChange]:
    """git does not pair a removed file with a new untracked one: pair them by content (≥ 50 % alike)."""
    removed = [c for c in reports if c.status == "removed"]
    added = [c for c in reports if c.status == "added" and c.new in untracked]
    if not removed or not added:
        return reports
    old_text = {c.old: (base_tree.read(c.old) or b"").decode("utf-8", "replace").splitlines() for c in removed}
    for a in added:
        new_text = (_worktree_bytes(root, a.new) or b"").decode("utf-8", "replace").splitlines()
        best, score = None, 0.5
        for r in removed:
            if r.status != "removed":
                continue
            ratio = difflib.SequenceMatcher(None, old_text[r.old], new_text, autojunk=False).ratio()
            if ratio >= score:
                best, score = r, ratio
        if best is not None:
            best.status, best.new = "renamed", a.new
            a.status = "paired"
    return [c for c in reports if c.status != "paired"]


# ---- comparing two evaluated versions ------------------------------------------------------------


@dataclass
class Pair:
    old: object = None
    new: object = None

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def change(self) -> Decimal | None:
        if isinstance(self.old, Decimal) and isinstance(self.new, Decimal):
            return self.new - self.old
        return None


@dataclass
class IndicatorChange:
    path: tuple
    goal: str | None  # the annual goal the indicator belongs to, None for the report's own indicators
    score: Pair
    weight: Pair
    explanation: str  # 计分说明 of the new version (of the old one when the indicator was removed)
    method: str | None = None
    line: int | None = None


@dataclass
class GoalChange:
    name: str
    score: Pair
    weight: Pair
    counted: Pair


@dataclass
class ReportDiff:
    status: str
    old_path: str | None
    new_path: str | None
    edited: bool = True
    title: Pair = field(default_factory=Pair)  # (name, kind, department, year) of each version
    scored: Pair = field(default_factory=Pair)  # whether each version could be evaluated
    places: int = 2
    total: Pair | None = None
    grade: Pair | None = None
    direction: str | None = None  # up / down when the grade changed
    funds_rate: Pair | None = None
    funds_score: Pair | None = None
    funds_weight: Decimal | None = None
    goals_score: Pair | None = None
    goals: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    totals: list = field(default_factory=list)  # (name, Pair) of 部门决算 figures
    unit: str | None = None
    new_problems: list = field(default_factory=list)  # all of them when the new version cannot be evaluated
    resolved_problems: list = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""

    @property
    def status_zh(self) -> str:
        return STATUS_ZH[self.status]

    def matters(self) -> bool:
        """Anything a reviewer needs to see (added, removed and renamed files always are)."""
        if self.status != "modified":
            return True
        pairs = [self.title, self.scored, self.total, self.grade, self.funds_rate, self.funds_score, self.goals_score]
        return (any(p is not None and p.changed for p in pairs) or bool(self.goals) or bool(self.indicators)
                or bool(self.totals) or bool(self.new_problems) or bool(self.resolved_problems))

    def matters_beyond_rename(self) -> bool:
        return replace(self, status="modified").matters()


def _title(result: Result | None):
    """(name, 类型, department, year) of an evaluated version (every kind's record has them)."""
    scored = result.scored if result is not None else None
    if scored is None:
        return None
    r = scored.report
    return (r.name, r.kind, r.department, r.year)


def _scored(result: Evaluated | None) -> bool:
    """Whether a version is of a kind that scores its reports (a total and a grade): its kind says."""
    return result is not None and KINDS.of(result).standing(result).total is not None


def _leaves(sr: ScoredReport | None) -> dict:
    """Every indicator leaf keyed by (goal, path, n-th of that path)."""
    out: dict = {}
    if sr is None:
        return out
    seen: Counter = Counter()
    trees = [(None, top) for top in sr.tree] + [(g.name, top) for g in sr.goals for top in g.tree]
    for goal, top in trees:
        for leaf in top.leaves():
            key = (goal, leaf.path)
            out[(goal, leaf.path, seen[key])] = leaf
            seen[key] += 1
    return out


_LINE_TEXT = re.compile(r"第\s*\d+\s*行")
_FILE_LINE = re.compile(r"(\.ya?ml):\d+")


def _problem_key(p, paths) -> tuple:
    message = p.message
    for path in paths:
        if path:
            message = message.replace(path, "〈文件〉")
    message = _FILE_LINE.sub(r"\1", _LINE_TEXT.sub("第 行", message))
    file = "〈文件〉" if p.file in paths else p.file
    return (p.code, p.severity, file, message, p.expected, p.found)


def _problem_changes(old: list, new: list, paths) -> tuple[list, list]:
    """(new problems, resolved problems), compared without line numbers."""
    return _not_in(new, old, paths), _not_in(old, new, paths)


def _not_in(these: list, those: list, paths) -> list:
    """The problems of ``these`` that ``those`` does not have (as many times as they occur)."""
    left = Counter(_problem_key(p, paths) for p in those)
    out = []
    for p in these:
        key = _problem_key(p, paths)
        if left[key]:
            left[key] -= 1
        else:
            out.append(p)
    return out


def _direction(old: ScoredReport, new: ScoredReport) -> str | None:
    """up / down by the grades' order in the new ruleset (else the old one), else by the totals."""
    if not old.grade or not new.grade or old.grade == new.grade:
        return None
    for rules in (new.rules, old.rules):
        order = [g.name for g in sorted(rules.grades, key=lambda g: g.floor, reverse=True)]
        if old.grade in order and new.grade in order:
            return "up" if order.index(new.grade) < order.index(old.grade) else "down"
    return "up" if new.total > old.total else "down" if new.total < old.total else None


def compare(change: FileChange, old: Result | None, new: Result | None) -> ReportDiff:
    """What matters in the difference between two evaluations of one report file."""
    d = ReportDiff(change.status, change.old, change.new, change.edited)
    d.title = Pair(_title(old), _title(new))
    old_s = old.scored if old is not None else None
    new_s = new.scored if new is not None else None
    d.scored = Pair(None if old is None else old_s is not None, None if new is None else new_s is not None)
    paths = (change.old, change.new)
    old_problems = old.problems if old is not None else []
    new_problems = new.problems if new is not None else []
    if change.status == "removed":
        old_problems = new_problems = []  # a removed file's problems go with it: not "resolved"
    if new is not None and new_s is None:  # it does not parse (or validate): all its problems
        d.new_problems, d.resolved_problems = list(new_problems), []
    else:
        d.new_problems, d.resolved_problems = _problem_changes(old_problems, new_problems, paths)

    old_sr = old_s if _scored(old_s) else None
    new_sr = new_s if _scored(new_s) else None
    if old_sr is not None or new_sr is not None:
        d.places = (new_sr or old_sr).rules.places
        d.total = Pair(old_sr.total if old_sr else None, new_sr.total if new_sr else None)
        d.grade = Pair(old_sr.grade if old_sr else None, new_sr.grade if new_sr else None)
        if old_sr is not None and new_sr is not None:
            d.direction = _direction(old_sr, new_sr)
        old_f = old_sr.funds if old_sr else None
        new_f = new_sr.funds if new_sr else None
        if old_f is not None or new_f is not None:
            d.funds_rate = Pair(old_f.rate if old_f else None, new_f.rate if new_f else None)
            d.funds_score = Pair(old_f.score if old_f else None, new_f.score if new_f else None)
            d.funds_weight = (new_f or old_f).weight
        if (old_sr and old_sr.goals) or (new_sr and new_sr.goals):
            d.goals_score = Pair(old_sr.goals_score if old_sr else None, new_sr.goals_score if new_sr else None)
            d.goals = _goal_changes(old_sr, new_sr, both=old_sr is not None and new_sr is not None)
        if old_sr is not None and new_sr is not None:
            d.indicators = _indicator_changes(old_sr, new_sr)

    old_fr = old_s if old_s is not None and old_sr is None else None  # a kind that is not scored: its figures
    new_fr = new_s if new_s is not None and new_sr is None else None
    if old_fr is not None or new_fr is not None:
        d.unit = (new_fr or old_fr).report.unit
        old_t = KINDS.of(old_fr).diff_figures(old_fr) if old_fr is not None else {}
        new_t = KINDS.of(new_fr).diff_figures(new_fr) if new_fr is not None else {}
        if old_fr is not None and new_fr is not None:
            names = list(new_t) + [n for n in old_t if n not in new_t]
        else:
            names = [n for n in HEADLINE_TOTALS if n in old_t or n in new_t]
        d.totals = [(n, Pair(old_t.get(n), new_t.get(n))) for n in names if old_t.get(n) != new_t.get(n)]
    return d


def _goal_changes(old: ScoredReport | None, new: ScoredReport | None, both: bool) -> list:
    old_g = {g.name: g for g in old.goals} if old else {}
    new_g = {g.name: g for g in new.goals} if new else {}
    out = []
    for name in list(new_g) + [n for n in old_g if n not in new_g]:
        a, b = old_g.get(name), new_g.get(name)
        change = GoalChange(name, Pair(a and a.score, b and b.score), Pair(a and a.weight, b and b.weight),
                            Pair(a and a.counted, b and b.counted))
        if not both or change.score.changed or change.weight.changed or change.counted.changed:
            out.append(change)
    return out


def _indicator_changes(old: ScoredReport, new: ScoredReport) -> list:
    before, after = _leaves(old), _leaves(new)
    out = []
    for key in list(after) + [k for k in before if k not in after]:
        a, b = before.get(key), after.get(key)
        score = Pair(a.score if a else None, b.score if b else None)
        weight = Pair(a.weight if a else None, b.weight if b else None)
        if not (score.changed or weight.changed):
            continue
        shown = b or a
        out.append(IndicatorChange(key[1], key[0], score, weight, shown.explanation, shown.method, shown.line))
    return out


# ---- the whole comparison ------------------------------------------------------------------------


@dataclass
class Outcome:
    base: Revision
    head: Revision
    prefix: str
    reports: list  # ReportDiff that matter, by path
    unchanged: list  # edited report files whose scores, grades and problems are all the same
    rulesets: list  # FileChange of project ruleset files
    refused: list = field(default_factory=list)  # DIFF_PATH problems not already shown under a report

    def counts(self) -> dict:
        out = {s: sum(1 for r in self.reports if r.status == s) for s in STATUS_ZH}
        out["grade_down"] = sum(1 for r in self.reports if r.direction == "down")
        out["grade_up"] = sum(1 for r in self.reports if r.direction == "up")
        for side, attr in (("new", "new_problems"), ("resolved", "resolved_problems")):
            for severity in (ERROR, WARNING, INFO):
                out[f"{side}_{severity}s"] = sum(1 for r in self.reports for p in getattr(r, attr) if p.severity == severity)
        return out


def run_diff(base: str | None = None, head: str | None = None, main_branch: str | None = None,
             path: str = "data", cwd: str | Path | None = None) -> Outcome:
    """Compare the reports under ``path`` between two revisions (HEAD None: the working tree)."""
    here = Path(cwd or Path.cwd()).resolve()
    repo = Repo(here)
    base_rev, head_rev = resolve_revisions(repo, base, head, main_branch)
    prefix = _prefix(repo, here, path)
    specs = _specs(prefix)
    base_tree, head_tree = Tree(repo, base_rev, specs), Tree(repo, head_rev, specs)
    if not any(_under(f, prefix) for f in base_tree.files() | head_tree.files()) and not (repo.root / prefix).is_dir():
        raise DiffError(f"两个版本中都没有“{path}”；请用 --path 指定报告数据所在的文件夹")
    reports, rulesets = changed_files(repo, base_rev, head_rev, prefix, base_tree)
    if rulesets:  # a changed ruleset may change the scores of reports whose files did not change
        listed = {p for c in reports for p in (c.old, c.new) if p}
        both = {f for f in base_tree.files() & head_tree.files() if _is_report(f, prefix)}
        for f in sorted(both - listed):
            if any(_ruleset_affects(r.path, f) for r in rulesets):
                reports.append(FileChange("modified", f, f, edited=False))
    old_snap, new_snap = Snapshot(base_tree), Snapshot(head_tree)
    try:
        diffs = []
        for change in reports:
            old = old_snap.evaluate(change.old) if change.old else None
            new = new_snap.evaluate(change.new) if change.new else None
            diffs.append(compare(change, old, new))
    finally:
        old_snap.close()
        new_snap.close()
    in_scope = lambda rel: _under(rel, prefix) or _is_ruleset(rel)  # noqa: E731  (what diff may read)
    for snap in (old_snap, new_snap):
        snap.scan(in_scope)
    shown = sorted((d for d in diffs if d.matters()), key=lambda d: d.path)
    unchanged = sorted(d.path for d in diffs if not d.matters() and d.edited)
    listed = {p for d in shown for p in (*d.new_problems, *d.resolved_problems) if p.code == "DIFF_PATH"}
    refused = [p for snap in (old_snap, new_snap) for p in snap.refused.values() if p not in listed]
    return Outcome(base_rev, head_rev, prefix, shown, unchanged, sorted(rulesets, key=lambda c: c.path), refused)


def _prefix(repo: Repo, here: Path, path: str) -> str:
    target = (here / path).resolve() if not Path(path).is_absolute() else Path(path).resolve()
    try:
        rel = target.relative_to(repo.root.resolve())
    except ValueError:
        raise DiffError(f"“{path}”不在 git 仓库 {repo.root} 中") from None
    return "" if str(rel) == "." else rel.as_posix()


def _under(rel: str, prefix: str) -> bool:
    return not prefix or rel == prefix or rel.startswith(prefix + "/")


# ---- words -------------------------------------------------------------------------------------------


def summary_text(outcome: Outcome) -> str:
    """One line: e.g. "3 份报告有变化：1 份新增，2 份修改；1 份等级下降"."""
    c = outcome.counts()
    refused = f"拒绝 {len(outcome.refused)} 个不安全的路径" if outcome.refused else ""
    if not outcome.reports:
        return f"报告的得分、等级和核对结果都没有变化；{refused}。" if refused else "报告的得分、等级和核对结果都没有变化。"
    kinds = "，".join(f"{c[s]} 份{STATUS_ZH[s]}" for s in STATUS_ZH if c[s])
    text = f"{len(outcome.reports)} 份报告有变化：{kinds}"
    grades = "，".join(f"{c[k]} 份等级{DIRECTION_ZH[k[6:]]}" for k in ("grade_down", "grade_up") if c[k])
    if grades:
        text += f"；{grades}"
    for side, word in (("new", "新出现"), ("resolved", "已解决")):
        parts = "、".join(f"{c[f'{side}_{s}s']} 个{SEVERITY_ZH[s]}" for s in (ERROR, WARNING, INFO) if c[f"{side}_{s}s"])
        if parts:
            text += f"；{word} {parts}"
    return f"{text}；{refused}" if refused else text


def _cell(text: object) -> str:
    """A table cell: untrusted text made inert (``md_text``); — for no value."""
    return "—" if text is None else md_text(text)


def _signed(value: Decimal | None, text: str) -> str:
    if value is None:
        return ""
    return f"+{text}" if value > 0 else text


def _score(value, places: int) -> str | None:
    return None if value is None else fixed(value, places)


def _score_change(pair: Pair, places: int) -> str:
    if not isinstance(pair.old, Decimal) or not isinstance(pair.new, Decimal):
        return ""
    delta = Decimal(fixed(pair.new, places)) - Decimal(fixed(pair.old, places))
    return _signed(delta, fixed(delta, places))


def _report_heading(d: ReportDiff) -> str:
    if d.status == "renamed":
        return f"### 重命名：{md_code(d.old_path)} → {md_code(d.new_path)}"
    return f"### {d.status_zh}：{md_code(d.path)}"


def _title_line(d: ReportDiff) -> str:
    title = d.title.new or d.title.old
    if title is None:
        return ""
    name, kind, department, year = title
    line = f"{name}（{kind}，{department}，{year} 年）"
    if d.title.old and d.title.new and d.title.old[0] != d.title.new[0]:
        line += f"；名称原为“{d.title.old[0]}”"
    return md_line(line)  # the line is a paragraph of its own: nothing in it may start a list or a heading


def _main_rows(d: ReportDiff) -> list:
    rows = []
    p = d.places
    if d.total is not None:
        same = d.total.old is not None and not d.total.changed
        rows.append(("总分", _score(d.total.old, p), _score(d.total.new, p), "不变" if same else _score_change(d.total, p)))
    if d.grade is not None:
        move = DIRECTION_ZH.get(d.direction or "", "") if d.grade.changed else "不变"
        if d.grade.old is None or d.grade.new is None:
            move = ""
        rows.append(("等级", d.grade.old, d.grade.new, move))
    show_all = d.status in ("added", "removed")
    if d.funds_rate is not None and (show_all or d.funds_rate.changed):
        delta = d.funds_rate.change
        change = _signed(delta, fixed(delta * HUNDRED, 2)) + " 个百分点" if delta is not None else ""
        old, new = (None if v is None else percent(v) for v in (d.funds_rate.old, d.funds_rate.new))
        rows.append(("资金执行率", old, new, change))
    if d.funds_score is not None and (show_all or d.funds_score.changed):
        weight = f"（满分 {plain(d.funds_weight)}）" if d.funds_weight is not None else ""
        rows.append((f"资金执行率得分{weight}", _score(d.funds_score.old, p), _score(d.funds_score.new, p), _score_change(d.funds_score, p)))
    if d.goals_score is not None and (show_all or d.goals_score.changed):
        rows.append(("年度目标平均得分", _score(d.goals_score.old, p), _score(d.goals_score.new, p), _score_change(d.goals_score, p)))
    for g in d.goals:
        note = ""
        if g.counted.new is False or (g.counted.new is None and g.counted.old is False):
            note = "（不计入平均）"
        elif g.counted.changed and g.counted.old is False:
            note = "（改为计入平均）"
        weight = g.weight.new if g.weight.new is not None else g.weight.old
        label = f"年度目标“{g.name}”{note}（满分 {plain(weight)}）"
        rows.append((label, _score(g.score.old, p), _score(g.score.new, p), _score_change(g.score, p)))
    return rows


def _indicator_name(ic: IndicatorChange) -> str:
    path = " / ".join(ic.path[1:] if ic.goal is not None else ic.path)
    return f"年度目标“{ic.goal}” / {path}" if ic.goal is not None else path


def _score_of(score, weight, places: int) -> str | None:
    if score is None:
        return None
    return f"{fixed(score, places)} / {plain(weight)}" if weight is not None else fixed(score, places)


def _problem_line(p, resolved: bool, report_path: str | None) -> str:
    where = ""
    if p.file and p.file != report_path and p.file not in ("", None):
        where = f"{md_code(p.file)} "
    if p.line:
        where += f"{'原' if resolved else ''}第 {p.line} 行"
    extra = ""
    if p.expected is not None or p.found is not None:
        extra = f"（应为 {p.expected}，实为 {p.found}）"
    place = f"（{where.strip()}）" if where else ""
    return f"- {SEVERITY_ZH[p.severity]} {md_code(p.code)}{place}：{md_text(p.message + extra)}"


def _problem_list(heading: str, problems: list, resolved: bool, path: str | None) -> list:
    lines = [heading, ""] + [_problem_line(p, resolved, path) for p in problems[:MAX_ROWS]]
    if len(problems) > MAX_ROWS:
        lines.append(f"- 另有 {len(problems) - MAX_ROWS} 个，见 `--format json`")
    return lines + [""]


def _report_markdown(d: ReportDiff) -> list:
    lines = [_report_heading(d), ""]
    title = _title_line(d)
    if title:
        lines += [title, ""]
    if not d.edited:
        lines += ["文件本身没有改动；它使用的评分规则集有改动。", ""]
    if d.scored.old is False:
        lines += ["原版本无法计分。", ""]
    rows = _main_rows(d)
    if rows:
        lines += ["| 项目 | 原 | 新 | 变化 |", "| --- | --- | --- | --- |"]
        lines += [f"| {_cell(a)} | {_cell(b)} | {_cell(c)} | {_cell(e)} |" for a, b, c, e in rows]
        lines.append("")
    if d.indicators:
        lines += ["得分有变化的指标：", "", "| 指标 | 原得分 | 新得分 | 变化 | 计分说明 |", "| --- | --- | --- | --- | --- |"]
        for ic in d.indicators[:MAX_ROWS]:
            note = ic.explanation if ic.score.new is not None else "（指标已删除）"
            if ic.score.old is None:
                note = f"（新增指标）{note}"
            lines.append(f"| {_cell(_indicator_name(ic))} | {_cell(_score_of(ic.score.old, ic.weight.old, d.places))} | "
                         f"{_cell(_score_of(ic.score.new, ic.weight.new, d.places))} | {_cell(_score_change(ic.score, d.places))} | {_cell(note)} |")
        if len(d.indicators) > MAX_ROWS:
            lines.append(f"| 另有 {len(d.indicators) - MAX_ROWS} 个指标，见 `--format json` | | | | |")
        lines.append("")
    if d.totals:
        heading = "决算数字" if d.status in ("added", "removed") else "有变化的决算数字"
        lines += [f"{heading}（{md_text(d.unit or '万元')}）：", "", "| 项目 | 原 | 新 | 变化 |", "| --- | --- | --- | --- |"]
        for name, pair in d.totals:
            delta = pair.change
            lines.append(f"| {_cell(name)} | {_cell(pair.old if pair.old is None else money(pair.old))} | "
                         f"{_cell(pair.new if pair.new is None else money(pair.new))} | {_cell(_signed(delta, money(delta)) if delta is not None else '')} |")
        lines.append("")
    if d.scored.new is False:
        lines += _problem_list("**新版本无法计分**，问题如下：", d.new_problems, False, d.new_path)
    elif d.new_problems:
        lines += _problem_list("核对问题：" if d.status == "added" else "新出现的核对问题：", d.new_problems, False, d.new_path)
    if d.resolved_problems:
        lines += _problem_list("已解决的核对问题：", d.resolved_problems, True, d.old_path)
    if d.status == "renamed" and not d.matters_beyond_rename():
        lines += ["得分、等级和核对结果都没有变化。", ""]
    return lines


def render_markdown(outcome: Outcome) -> str:
    """A pull-request comment: heading, summary line, one section per changed report."""
    lines = [f"## 报告变化：{outcome.base.markdown()} → {outcome.head.markdown()}", "", summary_text(outcome), ""]
    if outcome.refused:
        lines += _problem_list("**不安全的路径**（已拒绝：没有写出，也没有读取）：", outcome.refused, False, None)
    if outcome.rulesets:
        listed = "、".join(f"{md_code(c.path)}（{STATUS_ZH[c.status]}）" for c in outcome.rulesets)
        lines += [f"评分规则集有改动：{listed}。", ""]
    for d in outcome.reports:
        lines += _report_markdown(d)
    if outcome.unchanged:
        names = "、".join(md_code(p) for p in outcome.unchanged)
        lines += [f"另有 {len(outcome.unchanged)} 份报告文件有改动，但得分、等级和核对结果都没有变化：{names}。", ""]
    lines.append(f"<sub>由 gongkai {__version__} 的 `gongkai diff` 生成；两个版本都按同一版本的 gongkai 及其内置评分规则集计分。</sub>")
    return "\n".join(lines) + "\n"


# ---- data ----------------------------------------------------------------------------------------------


def _num(value) -> str | None:
    return None if value is None else f"{value:f}"


def _pair_json(pair: Pair | None, numeric: bool = True) -> dict | None:
    if pair is None:
        return None
    if not numeric:
        return {"old": pair.old, "new": pair.new}
    return {"old": _num(pair.old), "new": _num(pair.new), "change": _num(pair.change)}


def _title_json(title) -> dict | None:
    if title is None:
        return None
    name, kind, department, year = title
    return {"name": name, "kind": kind, "department": department, "year": year}


def report_json(d: ReportDiff) -> dict:
    data = {
        "status": d.status,
        "status_zh": d.status_zh,
        "path": d.path,
        "old_path": d.old_path,
        "new_path": d.new_path,
        "file_changed": d.edited,
        "old": _title_json(d.title.old),
        "new": _title_json(d.title.new),
        "scored": {"old": d.scored.old, "new": d.scored.new},
    }
    if d.total is not None:
        data["total"] = _pair_json(d.total)
        data["grade"] = {"old": d.grade.old, "new": d.grade.new, "direction": d.direction}
    everything = d.status in ("added", "removed")
    if d.funds_rate is not None and (everything or d.funds_rate.changed or d.funds_score.changed):
        data["funds"] = {"rate": _pair_json(d.funds_rate), "score": _pair_json(d.funds_score), "weight": _num(d.funds_weight)}
    if d.goals_score is not None and (everything or d.goals_score.changed or d.goals):
        data["goals_score"] = _pair_json(d.goals_score)
        data["goals"] = [
            {"name": g.name, "score": _pair_json(g.score), "weight": _pair_json(g.weight), "counted": _pair_json(g.counted, numeric=False)}
            for g in d.goals
        ]
    if d.total is not None:
        data["indicators"] = [
            {"path": list(ic.path), "goal": ic.goal, "score": _pair_json(ic.score), "weight": _pair_json(ic.weight),
             "method": ic.method, "explanation": ic.explanation, "line": ic.line}
            for ic in d.indicators
        ]
    if d.unit is not None:
        data["unit"] = d.unit
        data["totals"] = [{"name": name, **_pair_json(pair)} for name, pair in d.totals]
    data["problems"] = {
        "new": [p.as_dict() for p in d.new_problems],
        "resolved": [p.as_dict() for p in d.resolved_problems],
    }
    return data


def render_json(outcome: Outcome) -> dict:
    """The same content as the Markdown, numbers as exact decimal strings."""
    c = outcome.counts()
    return {
        "base": outcome.base.as_dict(),
        "head": outcome.head.as_dict(),
        "path": outcome.prefix,
        "summary": {
            "text": summary_text(outcome),
            "changed": len(outcome.reports),
            **{s: c[s] for s in STATUS_ZH},
            "grade_down": c["grade_down"],
            "grade_up": c["grade_up"],
            "new_problems": {"errors": c["new_errors"], "warnings": c["new_warnings"], "infos": c["new_infos"]},
            "resolved_problems": {"errors": c["resolved_errors"], "warnings": c["resolved_warnings"], "infos": c["resolved_infos"]},
            "refused": len(outcome.refused),
        },
        "rulesets": [{"status": r.status, "status_zh": STATUS_ZH[r.status], "old_path": r.old, "new_path": r.new} for r in outcome.rulesets],
        "reports": [report_json(d) for d in outcome.reports],
        "unchanged": outcome.unchanged,
        "refused": [p.as_dict() for p in outcome.refused],
        "gongkai": __version__,
    }
