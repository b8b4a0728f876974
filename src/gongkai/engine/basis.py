"""Two roles for every figure: the *filed* figure (what the unit printed or approved) and the
*computed* one (what gongkai derives from the data).

A report's ``口径`` says what its data is and which figures its page shows:

- ``编制``: the unit authors the report in gongkai. Filed and computed figures are the same by
  construction; a printed figure that differs is an error to fix before publishing.
- ``原文`` (the default for a project): the data transcribes a filed document. Pages, PDFs and
  open data show the filed figures exactly; where gongkai computes something else the figure
  carries a marked note, gathered in the page's 核对说明. The inconsistencies of the filed
  document are *findings*: reported, never failing the build, never silently corrected.
- ``计算``: a transcription whose main tables show the computed figures, each filed figure
  that differs kept beside it in a marked note.

The project's default is the plugin option ``basis`` (mkdocs.yml); a report's own ``口径`` wins.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from gongkai.engine.problems import ERROR, FINDING, INFO, WARNING, Problem

BASIS_DESCRIPTION = (
    "编制：在 gongkai 中编制；原文：照印发文件录入，显示印发的数字；计算：照印发文件录入，显示计算的数字"
)
AUTHORED = "编制"
FILED = "原文"
COMPUTED = "计算"
BASES = (AUTHORED, FILED, COMPUTED)
DEFAULT_BASIS = FILED
Basis = Literal["编制", "原文", "计算"]

# The codes that say a filed document disagrees with itself or with its own arithmetic. On a
# transcription they are findings about the document; on an authored report, errors and
# warnings as their table says.
DOCUMENT_CODES = frozenset(
    {
        "UNIT_MISMATCH",
        "ACTUAL_NOT_MEASURED",
        "NODE_EMPTY",
        "GOAL_NOT_DONE",
        "WEIGHT_MISSING",
        "WEIGHT_SUM",
        "WEIGHT_TOTAL",
        "SCORE_RANGE",
        "QUALITATIVE_BAND",
        "REASON_MISSING",
        "WEIGHT_MISMATCH",
        "SCORE_MISMATCH",
        "SUBTOTAL_MISMATCH",
        "TOTAL_MISMATCH",
        "GRADE_MISMATCH",
        "COUNT_MISMATCH",
        "RATE_MISMATCH",
        "RATE_LAST_DIGIT",
        "FUNDS_SUM",
        "FUNDS_OVERSPENT",
        "FULL_MARKS_UNMET",
        "BUDGET_RATE_MISMATCH",
        "TABLE_SUM",
        "TABLE_ROLLUP",
        "TABLE_CROSS",
        "TABLE_PRINTED",
        "TABLE_EMPTY_NOTE",
        "CLAIM_MISMATCH",
        "CLAIM_DATA",
    }
)


def basis_of(report, default: str = DEFAULT_BASIS) -> str:
    """The report's ``口径``, else the project's default."""
    own = getattr(report, "basis", None)
    return own if own in BASES else default


def is_transcription(basis: str) -> bool:
    return basis != AUTHORED


def as_findings(problems: list, basis: str) -> list:
    """On a transcription, the document's own inconsistencies become findings (核对); the
    transcriber's errors (a field that cannot be read, an unknown ruleset …) stay what they are."""
    if not is_transcription(basis):
        return list(problems)
    return [
        replace(p, severity=FINDING) if p.code in DOCUMENT_CODES and p.severity in (ERROR, WARNING) else p
        for p in problems
    ]


@dataclass(frozen=True)
class Figure:
    """One figure in its two roles. ``filed`` is what the document printed (None: not printed,
    or not transcribed); ``computed`` what gongkai derives (None: the data does not determine it)."""

    filed: Decimal | str | None
    computed: Decimal | str | None

    @property
    def differs(self) -> bool:
        return self.filed is not None and self.computed is not None and not _same(self.filed, self.computed)

    def shown(self, basis: str) -> tuple[Decimal | str | None, str | None]:
        """(value, role) for the main table: role ``"filed"``, ``"computed"`` (gongkai's, to be
        marked as such on a transcription) or None when there is nothing to show."""
        if self.filed is not None and self.computed is not None and not self.differs:
            return self.filed, "filed"  # the same figure in both roles: as it was written
        if basis in (COMPUTED, AUTHORED):
            order = ((self.computed, "computed"), (self.filed, "filed"))
        else:
            order = ((self.filed, "filed"), (self.computed, "computed"))
        for value, role in order:
            if value is not None:
                return value, role
        return None, None


def _same(a, b) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return str(a).strip() == str(b).strip()


def findings(problems: list) -> list[Problem]:
    """The problems a page's 核对说明 lists: findings, and warnings and errors still open
    (a build that publishes them is not strict); acknowledged ones (提示) are left out."""
    return [p for p in problems if p.severity != INFO]
