"""Partial transcription is normal, for every kind (issue 13): any report fixture — every data file
under data/, the seed fixtures and the public corpus, 项目支出绩效自评表, 项目支出绩效评价报告,
部门整体支出绩效评价 and 部门决算 alike — with any subset of its keys and list rows deleted (at any
depth), and any of its mappings and lists emptied, evaluates to located problems only: a known
code with a severity, the file, and a line or a path; never an INTERNAL_ERROR, never an exception.
What is left, when it can be evaluated, is shown without error: ``gongkai score`` (text and JSON),
the report's tables filled into a page, and the open data.

The mutated value is written back as YAML text (numbers as their exact decimal text, so they are
read back as the same numbers) and evaluated where the fixture is, so the project rulesets of a
public fixture (its ``rulesets/`` folder) are found. The top-level ``类型`` is kept: without it
another kind validates the file, which :func:`test_without_its_type_a_report_is_refused_at_a_place`
covers on its own.

The deletions are reproducible (``derandomize``): each example is a set of paths deleted and a set
of containers emptied, plus a share of every place deleted at random from a drawn seed (sparse and
heavy transcriptions both), so a failure names the paths it deleted."""

from __future__ import annotations

import json
import os
import random
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT
from gongkai.engine.kinds import KIND_KEY
from gongkai.engine.pipeline import evaluate_source
from gongkai.engine.problems import CODES, SEVERITY_ZH
from gongkai.engine.project import Project
from gongkai.engine.yamlload import load_bytes
from gongkai.final_accounts.evaluate import FinalResult
from gongkai.performance.scoring import ScoredReport
from gongkai.render.environment import html_environment
from gongkai.render.page import Stash
from gongkai.render.report_view import Links, ReportView

pytestmark = pytest.mark.engine  # builds no site

NOT_REPORTS = {FIXTURES / "seed001" / "final-accounts-figures.yaml"}  # the figures a test compares with

FILES = sorted(
    [
        *(p for p in (ROOT / "data").rglob("*.y*ml") if "rulesets" not in p.relative_to(ROOT / "data").parts),
        *(p for p in FIXTURES.glob("seed*/*.y*ml") if p not in NOT_REPORTS),
        *FIXTURES.glob("public/*/data.yaml"),
    ]
)
IDS = [str(p.relative_to(ROOT)) for p in FILES]

# Examples per fixture: ~60 fixtures, the whole file in well under 30 s with -n 4. A longer search
# (outside ``make test``): PARTIAL_EXAMPLES=2000 pytest tests/test_partial_transcription.py -n 4
MAX_EXAMPLES = int(os.environ.get("PARTIAL_EXAMPLES", "20"))
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
RATES = (0.0, 0.0, 0.05, 0.2, 0.5, 0.8, 0.95)  # share of the places deleted at random (besides the drawn ones)

ENV = html_environment()


# ---- the fixtures, their places and their mutations ---------------------------------------


@cache
def _project(root: Path) -> Project:
    return Project.load(root)


def _project_of(path: Path) -> Project:
    return _project(Project.of(path).root)


@cache
def _source(path: Path):
    loaded = load_bytes(path.read_bytes(), str(path))
    assert loaded.ok and isinstance(loaded.value, dict) and KIND_KEY in loaded.value, loaded.problems
    return loaded.value


def _places(value, at=()) -> list:
    """Every key of a mapping and every row of a list, as a path of keys and indexes."""
    out = []
    if isinstance(value, dict):
        for key, child in value.items():
            out.append((*at, key))
            out += _places(child, (*at, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out.append((*at, i))
            out += _places(child, (*at, i))
    return out


@cache
def _deletable(path: Path) -> tuple:
    """The places that may be deleted (all but the top-level 类型) and the containers that may be emptied."""
    value = _source(path)
    places = [p for p in _places(value) if p != (KIND_KEY,)]
    containers = [p for p in places if isinstance(_at(value, p), (dict, list))]
    return tuple(places), tuple(containers)


def _at(value, path: tuple):
    for step in path:
        value = value[step]
    return value


def _mutated(value, gone: set, emptied: set, origin: dict | None = None, at=(), new=()):
    """``value`` without the places in ``gone``, each container in ``emptied`` empty. ``origin``
    (when given) receives the original path of every place by its path in the result."""
    if origin is not None:
        origin[new] = at
    if at in emptied and isinstance(value, (dict, list)):
        return type(value)()
    if isinstance(value, dict):
        return {
            k: _mutated(v, gone, emptied, origin, (*at, k), (*new, k)) for k, v in value.items() if (*at, k) not in gone
        }
    if isinstance(value, list):
        kept = [(i, v) for i, v in enumerate(value) if (*at, i) not in gone]
        return [_mutated(v, gone, emptied, origin, (*at, i), (*new, j)) for j, (i, v) in enumerate(kept)]
    return value


def _original(value, origin: dict, where: tuple) -> tuple:
    """The original path of a problem's ``path`` in a mutated ``value`` (list rows are counted
    from 1 there), as deep as it goes into the value."""
    new: tuple = ()
    for step in where:
        if isinstance(value, list) and str(step).isdigit() and 0 < int(step) <= len(value):
            new, value = (*new, int(step) - 1), value[int(step) - 1]
        elif isinstance(value, dict) and step in value:
            new, value = (*new, step), value[step]
        else:  # a key that is not there (a field left out), or a row past the end
            return (*origin[new], step) if isinstance(value, dict) else origin[new]
    return origin[new]


def _restored(places: set, around: set) -> set:
    """``places`` without those on the way to or under a place in ``around``."""
    return {p for p in places if not any(p == a[: len(p)] or a == p[: len(a)] for a in around)}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _decimal(dumper, number: Decimal):
    """A number as a plain scalar of its exact decimal text (read back as the same Decimal)."""
    for text in (str(number), format(number, "f")):
        tag = dumper.resolve(yaml.ScalarNode, text, (True, False))
        if tag.endswith((":int", ":float")):
            return dumper.represent_scalar(tag, text)
    raise AssertionError(f"no plain YAML number for {number!r}")  # pragma: no cover


_Dumper.add_representer(Decimal, _decimal)


def _yaml(value) -> str:
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1 << 20)


@st.composite
def _deletions(draw, path: Path):
    """(paths deleted, containers emptied): a few drawn ones, and a share of all places at random."""
    places, containers = _deletable(path)
    gone = set(draw(st.sets(st.sampled_from(places), max_size=12), label="gone"))
    emptied = set(draw(st.sets(st.sampled_from(containers), max_size=3), label="emptied") if containers else ())
    rate = draw(st.sampled_from(RATES), label="rate")
    if rate:
        pick = random.Random(draw(st.integers(0, 2**32 - 1), label="seed"))
        gone |= {p for p in places if pick.random() < rate}
    return gone, emptied


# ---- crashes this property found (all fixed; each stays as a regression case) ----------------

FIXED = {  # id: (fixture, paths deleted, containers emptied)
    # 部门决算: 表4 transcribed with one 支出列 (only 合计): identities._categories read
    # side.columns[rule.column] past the columns there were
    "shenzhen-final-table4-one-column": (
        "data/2021/shenzhen-gsl/final-accounts.yaml",
        {("原表", "表4", "支出列", 1), ("原表", "表4", "支出列", 2), ("原表", "表4", "支出列", 3)},
        set(),
    ),
    # 自评表: 资金 without its 全年预算数 and 全年执行数 (its 其中 rows carry them): the 执行率 came
    # from the 其中 rows and check_budget_rate_indicator asserted funds.spent is not None
    "a02-funds-without-budget-and-spent": (
        "data/2021/shenzhen-gsl/a02.yaml",
        {("资金", "全年预算数"), ("资金", "全年执行数")},
        set(),
    ),
    # 部门决算: a 类 row of 表3 or 表5 with `数: []`: identities._categories read match.values[0]
    "seed001-final-table3-row7-no-figures": (
        "tests/fixtures/seed001/final-accounts.yaml",
        set(),
        {("原表", "表3", "行", 6, "数")},
    ),
    "seed001-final-table5-row2-no-figures": (
        "tests/fixtures/seed001/final-accounts.yaml",
        set(),
        {("原表", "表5", "行", 1, "数")},
    ),
}


# ---- the property ---------------------------------------------------------------------------


def check(path: Path, value):
    """Evaluate ``value`` as if it were the file ``path``: located problems only, and what the
    result has is shown without error."""
    display = str(path.relative_to(ROOT))
    text = _yaml(value)
    project = _project_of(path)
    result = evaluate_source(text.encode("utf-8"), display, project, path)
    for p in result.problems:
        assert p.code in CODES and p.code != "INTERNAL_ERROR", p
        assert p.severity in SEVERITY_ZH and p.message, p
        assert p.file == display, p
        assert p.line is not None or p.path is not None, p  # no whole-file problem can come of a deletion
    if result.scored is not None:
        _shown(result.scored, project)
    return result


def _shown(scored, project: Project) -> None:
    kind = project.kinds.of(scored)
    assert isinstance(kind.score_text(scored), str)
    json.loads(kind.score_json(scored))
    kind.downloads(scored, ("json", "csv"))
    kind.diff_figures(scored)
    kind.standing(scored)
    if isinstance(scored, ScoredReport):
        view = ReportView(scored, ENV)
    else:
        assert isinstance(scored, FinalResult)
        view = kind.view(scored, ENV, Stash(), Links(), {})
    view.context()
    stash = view.stash
    page = f"<h1>报告</h1>\n<p>{str(view.all_tables()).strip()}</p>\n"
    words = stash.search_view(page)
    html = stash.fill(words)
    assert "gkblock" not in html, html[:500]  # every block put in its place (a 决算 with no table has none)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_fixture_as_filed_is_evaluated_and_shown(path):
    """The property's starting point, and a check of the YAML round trip: nothing deleted."""
    check(path, _source(path))


REPAIRS = 4  # times a deletion that left the file unevaluable is narrowed and tried again


@pytest.mark.parametrize("path", FILES, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_deleting_any_keys_and_rows_gives_located_problems_only(path, data):
    """Every deletion is checked. One that leaves the file unevaluable (a required field gone)
    is then narrowed: the places its problems point to are put back, and the rest tried again,
    so that most examples also reach the scoring, the checks and the rendering."""
    gone, emptied = data.draw(_deletions(path), label="deletions")
    source = _source(path)
    for attempt in range(REPAIRS + 1):
        note(f"attempt {attempt}: deleted {sorted(gone, key=str)}; emptied {sorted(emptied, key=str)}")
        origin: dict = {}
        value = _mutated(source, gone, emptied, origin)
        result = check(path, value)
        if result.scored is not None:
            event(f"evaluated after {attempt} narrowings")
            return
        around = {_original(value, origin, p.path) for p in result.problems if p.path}
        narrower, fewer = _restored(gone, around), _restored(emptied, around)
        if (narrower, fewer) == (gone, emptied):
            break
        gone, emptied = narrower, fewer
    event("not evaluated: " + " ".join(sorted({p.code for p in result.problems})))


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_without_its_type_a_report_is_refused_at_a_place(path):
    """Without ``类型`` (or with a 类型 no kind claims) the file is not evaluated as some other
    kind by accident: FIELD_MISSING or FIELD_INVALID at 类型, every problem located, no result."""
    display = str(path.relative_to(ROOT))
    project = _project_of(path)
    source = _source(path)
    cases = {
        "FIELD_MISSING": {k: v for k, v in source.items() if k != KIND_KEY},
        "FIELD_INVALID": {**source, KIND_KEY: "某种报告"},
    }
    for code, value in cases.items():
        result = evaluate_source(_yaml(value).encode("utf-8"), display, project, path)
        assert result.scored is None
        assert [p.code for p in result.problems if p.path == (KIND_KEY,)] == [code], result.problems
        for p in result.problems:
            assert p.code in CODES and p.code != "INTERNAL_ERROR", p
            assert p.file == display and p.line is not None and p.path is not None, p


@pytest.mark.parametrize("name,gone,emptied", [pytest.param(*case, id=key) for key, case in FIXED.items()])
def test_pinned_crashes(name, gone, emptied):
    """The smallest deletions this property found that crashed gongkai (fixed): regression cases."""
    path = ROOT / name
    check(path, _mutated(_source(path), gone, emptied))
