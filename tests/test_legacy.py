"""Data files written for the previous version keep working unchanged (issue 13, item 8).

tests/fixtures/legacy/ holds four files of the previous example site, as they were: reports
whose printed errors had been corrected in the data (listed under 更正), with no 口径. They
still validate and evaluate without an error. Their figures were gongkai's computation: a
project that wants them shown that way again sets the plugin option ``basis: 计算`` (or the
file says ``口径: 计算``), and then every total is the one the previous version published."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import FIXTURES
from gongkai.authoring.fmt import format_text
from gongkai.engine.pipeline import evaluate
from gongkai.engine.problems import ERROR
from gongkai.engine.project import Project

pytestmark = pytest.mark.engine

LEGACY = FIXTURES / "legacy"
# the totals the previous version computed and published (its snapshots)
PUBLISHED = {
    "shenzhen-gsl-a07.yaml": ("94.79", "优"),
    "urumqi-gsl-evaluation.yaml": ("92.68", "优"),
    "guangshui-gsl-department.yaml": ("47.00", "差"),
}


@pytest.mark.parametrize("path", sorted(LEGACY.glob("*.yaml")), ids=lambda p: p.name)
def test_a_file_of_the_previous_version_evaluates_unchanged(path):
    result = evaluate(path)
    assert result.scored is not None
    assert [p.human() for p in result.problems if p.severity == ERROR] == []


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_with_basis_computed_the_previous_totals_come_back(name):
    path = LEGACY / name
    result = evaluate(path, project=Project.of(path).with_settings(basis="计算"))
    total, grade = PUBLISHED[name]
    assert (result.scored.total, result.scored.grade) == (Decimal(total), grade)
    assert result.scored.total_figure.shown("计算")[0] == Decimal(total)


@pytest.mark.parametrize("path", sorted(LEGACY.glob("*.yaml")), ids=lambda p: p.name)
def test_fmt_leaves_them_as_they_are(path):
    text = path.read_text(encoding="utf-8")
    assert format_text(text, str(path)) == text
