"""One 部门决算 file: validate, derive the nine tables, check every identity, and work out
the 情况说明 figures. Problems are values, as for every other report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from gongkai.claims.fields import field_problems
from gongkai.engine.basis import DEFAULT_BASIS, basis_of
from gongkai.engine.reading import validate
from gongkai.engine.yamlload import Loaded, load_file
from gongkai.final_accounts import identities
from gongkai.final_accounts import printed as printed_module
from gongkai.final_accounts.claimed import claimed_figures
from gongkai.final_accounts.figures import Explanation, explanation
from gongkai.final_accounts.model import FinalAccounts
from gongkai.final_accounts.shown import named_figures, shown_tables, shown_values
from gongkai.final_accounts.tables import Derived, derive
from gongkai.final_accounts.texts import final_texts

GLOSSARY = Path(__file__).resolve().parent / "glossary.yaml"


@dataclass
class FinalResult:
    """What the site, the PDFs and the CLI use of a 部门决算: the derived and the printed tables
    and the 情况说明 figures. It is not a scored report: what the site or a review needs of it
    is asked of its kind (:mod:`gongkai.final_accounts.kind`)."""

    file: str
    report: FinalAccounts
    derived: Derived | None
    printed: dict = field(default_factory=dict)
    explanation: Explanation | None = None
    problems: list = field(default_factory=list)
    basis: str = DEFAULT_BASIS  # 口径: the report's own, else the project's (gongkai.engine.basis)
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def kind(self) -> str:
        return self.report.kind

    @property
    def tables(self) -> list:
        """The tables shown, in the record's 表序: by 口径, the printed figures (原文) or the
        derived ones (计算, 编制), each figure with its role (:mod:`.shown`). Only the tables
        printed or derived: a table neither transcribed nor derivable is left out."""
        key = ("tables", self.basis, self.report.order)
        if key not in self._memo:
            derived = self.derived.tables if self.derived else None
            self._memo[key] = shown_tables(self.printed, derived, self.basis, self.report.order)
        return self._memo[key]

    @property
    def figures(self) -> dict:
        """name → Figure (filed and computed) of the totals a 情况说明 and the 概要 quote."""
        key = ("figures", self.basis)
        if key not in self._memo:
            computed = dict(self.derived.totals) if self.derived is not None else {}
            self._memo[key] = named_figures(self.tables, computed)
        return self._memo[key]

    @property
    def totals(self) -> dict:
        """name → the figure shown by 口径 (filed under 原文, else computed when there is one)."""
        return shown_values(self.figures, self.basis)

    def glossary(self) -> list:
        """(词, 解释): the default glossary with the record's own entries replacing or adding."""
        loaded = load_file(GLOSSARY)
        terms = {str(t["词"]): str(t["解释"]) for t in cast("list[dict[str, Any]]", loaded.value or [])}
        for term in self.report.glossary:
            terms[term.word] = term.meaning
        return list(terms.items())


def validate_loaded(loaded: Loaded, vocabulary: tuple | None = None) -> tuple:
    """(FinalAccounts or None, problems): the record, named (its title) and knowing the line of
    every figure (figures in mappings carry no line of their own)."""
    record, problems = validate(FinalAccounts, loaded, vocabulary)
    if record is not None:
        record.name = record.title
        record._lines = loaded.lines
    return record, problems


def evaluate_loaded(loaded: Loaded, display: str, basis: str = DEFAULT_BASIS) -> tuple:
    """(FinalResult or None, problems)."""
    record, problems = validate_loaded(loaded)
    if record is None:
        return None, problems
    result, found = evaluate_record(record, display, basis)
    return result, list(problems) + found


def _has_data(record: FinalAccounts) -> bool:
    """Whether the record has data the tables are derived from (beyond the printed 原表)."""
    return bool(record.subjects or record.basic_detail or record.three_public)


def evaluate_record(record: FinalAccounts, display: str, default_basis: str = DEFAULT_BASIS) -> tuple:
    """(FinalResult, problems): derive the nine tables, check every identity, and work out the
    情况说明 figures.

    The printed tables (原表) are checked for their own identities; the derived ones for those
    of the tables that were not printed (where a table was printed, a derived figure that breaks
    an identity differs from a printed one, and that difference is reported as TABLE_PRINTED);
    every printed figure against the derived one, except where an identity of the printed tables
    already says the same (same figure, same computed value)."""
    problems: list = []
    derived = derive(record, display) if _has_data(record) else None
    printed = printed_module.tables(record.printed) if record.printed else {}
    own: list = []
    if printed:
        for number, table in printed.items():
            table.position = number
        own = identities.check(printed, display)
    if derived is not None:
        problems += derived.problems
        unprinted = {n: t for n, t in derived.tables.items() if n not in printed}
        problems += identities.check(unprinted, display)
        if printed:
            said = {(p.path, p.expected) for p in own}
            against = identities.printed_against_derived(printed, derived.tables, display)
            problems += [p for p in against if (p.path, p.expected) not in said]
    problems += own
    basis = basis_of(record, default_basis)
    result = FinalResult(display, record, derived, printed, None, problems, basis)
    result.explanation = explanation(result.totals, record.previous, record.initial_budget, record.unit)
    problems += field_problems(final_texts(record), display, claimed_figures(result), record.unit, record.year)
    return result, problems


def evaluate_file(path, display: str | None = None, basis: str = DEFAULT_BASIS) -> tuple:
    loaded = load_file(path, display)
    if loaded.problems:
        return None, loaded.problems
    return evaluate_loaded(loaded, display or str(path), basis)
