"""Which files differ between two revisions: report files (renames paired, also with an untracked file
in the working tree) and the project ruleset files a report under the compared folder can find.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

from gongkai.engine.pipeline import REPORT_SUFFIXES
from gongkai.review.git import Repo, Revision, Tree, split_z, worktree_bytes


def _ancestors(rel: str) -> list[str]:
    return ["" if str(p) == "." else str(p) for p in PurePosixPath(rel).parents]


def is_ruleset(rel: str) -> bool:
    path = PurePosixPath(rel)
    return path.parent.name == "rulesets" and fnmatch(path.name, "*.y*ml")


def ruleset_affects(ruleset: str, report: str) -> bool:
    """Whether a project ruleset file is found from a report (``rulesets/`` or ``data/rulesets/`` above it)."""
    owner = PurePosixPath(ruleset).parent.parent
    above = _ancestors(report)
    here = "" if str(owner) == "." else str(owner)
    if here in above:
        return True
    return owner.name == "data" and ("" if str(owner.parent) == "." else str(owner.parent)) in above



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
    tokens = split_z(repo.out(*args, "--", *specs))
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


def pathspecs(prefix: str) -> list[str]:
    """The compared folder and every ruleset folder (a report may use one above its folder)."""
    return [prefix or ".", ":(glob)**/rulesets/*"]


def changed_files(
    repo: Repo, base: Revision, head: Revision, prefix: str, base_tree: Tree
) -> tuple[list[FileChange], list[FileChange]]:
    """(report files, project ruleset files) that differ between the two revisions, renames paired."""
    specs = pathspecs(prefix)
    raw = _name_status(repo, base, head, specs)
    untracked: set[str] = set()
    if head.working_tree:
        untracked = set(split_z(repo.out("ls-files", "-z", "--others", "--exclude-standard", "--", *specs)))
        raw += [FileChange("added", None, f) for f in sorted(untracked)]
    reports, rulesets = [], []
    for change in raw:
        if change.status == "renamed" and not (is_report(change.old, prefix) and is_report(change.new, prefix)):
            split = [FileChange("removed", change.old, None), FileChange("added", None, change.new)]
        else:
            split = [change]
        for c in split:
            if is_report(c.path, prefix):
                reports.append(c)
            elif is_ruleset(c.path) and _ruleset_relevant(c.path, prefix):
                rulesets.append(c)
    if head.working_tree:
        reports = _pair_untracked(repo.root, base_tree, reports, untracked)
    return reports, rulesets


def is_report(rel: str | None, prefix: str) -> bool:
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
    return ruleset_affects(rel, prefix + "/x.yaml")


def _lines(data: bytes | None) -> list[str]:
    return (data or b"").decode("utf-8", "replace").splitlines()


def _pair_untracked(root: Path, base_tree: Tree, reports: list[FileChange], untracked: set) -> list[FileChange]:
    """git does not pair a removed file with a new untracked one: pair them by content (≥ 50 % alike)."""
    removed = [c for c in reports if c.status == "removed"]
    added = [c for c in reports if c.status == "added" and c.new in untracked]
    if not removed or not added:
        return reports
    old_text = {c.old: _lines(base_tree.read(c.old) if c.old else None) for c in removed}
    for a in added:
        new_text = _lines(worktree_bytes(root, a.new) if a.new else None)
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
