"""The 核对说明 of a page (worded for the site and the PDF alike: “本报告”, never “本页”):
every finding and open problem of a report, numbered, and the
figures they are about. A table cell asks :meth:`CheckNotes.refs` for the numbers of the notes
on its figure (by the problem's structured path) and shows them as marked references; the
block at the end of the tables lists them. So a filed figure is shown as filed, and what
gongkai computes differently is always next to it, never in its place."""

from __future__ import annotations

from dataclasses import dataclass, field

from gongkai.engine.basis import AUTHORED, COMPUTED, findings
from gongkai.engine.problems import SEVERITY_ZH, Problem

INTRO = {
    "原文": "本报告的表格照印发文件录入，数字均为印发的数字；带“算”字的数字为 gongkai 按数据计算（原文未印）。"
    "gongkai 按数据核对发现以下不一致，印发的数字未作改动：",
    "计算": "本报告表格中的得分、合计和比率由 gongkai 按数据计算；印发文件中与计算不同的数字见以下说明：",
    "编制": "以下问题尚未处理：",
}


@dataclass(frozen=True)
class Note:
    number: int
    problem: Problem

    @property
    def severity(self) -> str:
        return SEVERITY_ZH[self.problem.severity]

    @property
    def anchor(self) -> str:
        return f"gk-note-{self.number}"


@dataclass
class CheckNotes:
    """The numbered notes of one report page (``basis`` is its 口径)."""

    basis: str
    notes: list = field(default_factory=list)
    remarks: list = field(default_factory=list)  # what the transcriber says (核对意见, 更正)
    _by_path: dict = field(default_factory=dict)

    @classmethod
    def of(cls, problems: list, basis: str, remarks=()) -> CheckNotes:
        notes = [Note(i, p) for i, p in enumerate(findings(problems), 1)]
        by_path: dict = {}
        for note in notes:
            if note.problem.path:
                by_path.setdefault(tuple(note.problem.path), []).append(note.number)
        return cls(basis, notes, [r for r in remarks if r], by_path)

    def refs(self, *path: str) -> list[int]:
        """The numbers of the notes about the figure at ``path`` (e.g. ``("报告", "总分")``)."""
        return self._by_path.get(tuple(str(p) for p in path), [])

    def marks_computed(self) -> bool:
        """Whether a figure gongkai computed (and the document did not print) is marked “算”."""
        return self.basis not in (AUTHORED, COMPUTED)

    @property
    def intro(self) -> str:
        return INTRO.get(self.basis, INTRO["原文"])

    def __bool__(self) -> bool:
        return bool(self.notes or self.remarks)
