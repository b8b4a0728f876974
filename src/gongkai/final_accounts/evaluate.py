"""One 部门决算 file: validate, derive the nine tables, check every identity, and work out
the 情况说明 figures. Problems are values, as for every other report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from gongkai.engine.reading import validate
from gongkai.engine.yamlload import Loaded, load_file
from gongkai.final_accounts import identities
from gongkai.final_accounts import printed as printed_module
from gongkai.final_accounts.figures import Explanation, explanation
from gongkai.final_accounts.model import FinalAccounts
from gongkai.final_accounts.tables import Derived, derive

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

    @property
    def kind(self) -> str:
        return self.report.kind

    @property
    def tables(self) -> list:
        """The nine tables in the record's order: derived from data, else as printed."""
        if self.derived is not None:
            return self.derived.ordered(self.report.order)
        return [self.printed[n] for n in sorted(self.printed)]

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


def evaluate_loaded(loaded: Loaded, display: str) -> tuple:
    """(FinalResult or None, problems)."""
    record, problems = validate_loaded(loaded)
    if record is None:
        return None, problems
    result, found = evaluate_record(record, display)
    return result, list(problems) + found


def evaluate_record(record: FinalAccounts, display: str) -> tuple:
    """(FinalResult, problems): derive the nine tables, check every identity, and work out the
    情况说明 figures."""
    problems: list = []
    derived = derive(record, display) if record.subjects else None
    printed = printed_module.tables(record.printed) if record.printed else {}
    if derived is not None:
        problems += derived.problems
        problems += identities.check(derived.tables, display)
        if printed:
            problems += identities.printed_against_derived(printed, derived.tables, display)
    if printed:
        for number, table in printed.items():
            table.position = number
        problems += identities.check(printed, display)
    figures = None
    if derived is not None:
        figures = explanation(derived.totals, record.previous, record.initial_budget, record.unit)
    return FinalResult(display, record, derived, printed, figures, problems), problems


def evaluate_file(path, display: str | None = None) -> tuple:
    loaded = load_file(path, display)
    if loaded.problems:
        return None, loaded.problems
    return evaluate_loaded(loaded, display or str(path))
