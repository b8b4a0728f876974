"""``gongkai diff``: what changed in the reports between two git revisions, said for a reviewer.

Each version of a report is evaluated from its bytes in that revision, with the project rulesets of the
same revision (read the same way; nothing is written), then the two results are compared: total
and grade, the indicators whose score changed, funds, annual goals, the 部门决算 totals, and the
check problems that appeared or went away. Only what changed is reported.

This module is the entry (``run_diff``); the stages are in the package beside it:

- ``git``: revisions, trees and blobs read from git, and the refusal of unsafe paths (``DIFF_PATH``);
- ``changes``: which report and ruleset files differ between the two revisions;
- ``revision``: one revision evaluated from bytes (``Snapshot``);
- ``compare``: what changed between two evaluations (``ReportDiff``, ``DiffOutcome``);
- ``markdown``: the pull-request comment and the escaping of untrusted text;
- ``jsonout``: the JSON.
"""

from __future__ import annotations

from pathlib import Path

from gongkai.review.changes import FileChange, changed_files, is_report, is_ruleset, pathspecs, ruleset_affects
from gongkai.review.compare import DiffOutcome, compare
from gongkai.review.git import DiffError, Repo, Tree, resolve_revisions
from gongkai.review.jsonout import render_json
from gongkai.review.markdown import plain_text, render_markdown
from gongkai.review.revision import Snapshot

__all__ = ["DiffError", "DiffOutcome", "plain_text", "render_json", "render_markdown", "run_diff"]


def run_diff(base: str | None = None, head: str | None = None, main_branch: str | None = None,
             path: str = "data", cwd: str | Path | None = None) -> DiffOutcome:
    """Compare the reports under ``path`` between two revisions (HEAD None: the working tree)."""
    here = Path(cwd or Path.cwd()).resolve()
    repo = Repo(here)
    base_rev, head_rev = resolve_revisions(repo, base, head, main_branch)
    prefix = _prefix(repo, here, path)
    specs = pathspecs(prefix)
    base_tree, head_tree = Tree(repo, base_rev, specs), Tree(repo, head_rev, specs)
    if not any(_under(f, prefix) for f in base_tree.files() | head_tree.files()) and not (repo.root / prefix).is_dir():
        raise DiffError(f"两个版本中都没有“{path}”；请用 --path 指定报告数据所在的文件夹")
    reports, rulesets = changed_files(repo, base_rev, head_rev, prefix, base_tree)
    if rulesets:  # a changed ruleset may change the scores of reports whose files did not change
        listed = {p for c in reports for p in (c.old, c.new) if p}
        both = {f for f in base_tree.files() & head_tree.files() if is_report(f, prefix)}
        for f in sorted(both - listed):
            if any(ruleset_affects(r.path, f) for r in rulesets):
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
    def in_scope(rel: str) -> bool:  # what diff may read
        return _under(rel, prefix) or is_ruleset(rel)

    for snap in (old_snap, new_snap):
        snap.scan(in_scope)
    shown = sorted((d for d in diffs if d.matters()), key=lambda d: d.path)
    unchanged = sorted(d.path for d in diffs if not d.matters() and d.edited)
    under_reports = {p for d in shown for p in (*d.new_problems, *d.resolved_problems) if p.code == "DIFF_PATH"}
    refused = [p for snap in (old_snap, new_snap) for p in snap.refused.values() if p not in under_reports]
    return DiffOutcome(base_rev, head_rev, prefix, shown, unchanged, sorted(rulesets, key=lambda c: c.path), refused)


def _prefix(repo: Repo, here: Path, path: str) -> str:
    target = (here / path).resolve() if not Path(path).is_absolute() else Path(path).resolve()
    try:
        rel = target.relative_to(repo.root.resolve())
    except ValueError:
        raise DiffError(f"“{path}”不在 git 仓库 {repo.root} 中") from None
    return "" if str(rel) == "." else rel.as_posix()


def _under(rel: str, prefix: str) -> bool:
    return not prefix or rel == prefix or rel.startswith(prefix + "/")
