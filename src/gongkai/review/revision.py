"""One revision evaluated: each report file from its bytes, with the project ruleset files of the same
revision given as bytes too. Nothing of a revision is written to disk; a path that may not be read is a
``DIFF_PATH`` problem instead.
"""

from __future__ import annotations

from collections.abc import Callable

from gongkai.engine.pipeline import Result, evaluate_source
from gongkai.engine.problems import Problem, problem, terminal_text
from gongkai.engine.project import Project
from gongkai.review.changes import is_ruleset, ruleset_affects
from gongkai.review.git import Tree


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
            self.refused[rel] = problem("DIFF_PATH", terminal_text(rel), None,
                                        f"{where}的路径不安全：“{terminal_text(rel)}”{reason}；没有写出，也没有读取")
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
            if not (is_ruleset(ruleset) and ruleset_affects(ruleset, rel)):
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

    def scan(self, in_scope: Callable[[str], bool]) -> None:
        """Refuse every unsafe path the revision lists, used or not (a report's own refusal stays one problem)."""
        for rel, reason in self.tree.unsafe_names(in_scope):
            self.refuse(rel, reason)

    def close(self) -> None:
        """Nothing to clean up: no file was written."""
