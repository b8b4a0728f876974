"""The public corpus of 部门决算 and “三公” documents (tests/fixtures/public/*final-accounts*/):
each ``data.yaml`` transcribes what the document prints (口径 原文), and gongkai reports exactly
the table-level inconsistencies the independent audit (audit.json) found, at the places listed in
``expected.yaml`` (code and path), and nothing else. Audit findings about sentences of the
情况说明 (rates, shares, changes in prose) are listed under ``prose:`` for the claims reader of
issue 14; the test checks that the mapping covers every audit finding."""

import json
from pathlib import Path

import pytest

from conftest import FIXTURES
from gongkai.engine.pipeline import evaluate
from gongkai.engine.yamlload import load_file

pytestmark = pytest.mark.engine

PUBLIC = FIXTURES / "public"
FOLDERS = sorted(p for p in PUBLIC.glob("*final-accounts*") if p.is_dir())


def _expected(folder: Path) -> dict:
    return load_file(folder / "expected.yaml").value


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_gongkai_reports_the_audited_table_findings_and_nothing_else(folder):
    result = evaluate(folder / "data.yaml", f"{folder.name}/data.yaml")
    assert result.scored is not None, [p.human() for p in result.problems]
    assert result.scored.basis == "原文"
    found = {(p.code, tuple(p.path or ())) for p in result.problems if p.severity != "info"}
    expected = {(e["code"], tuple(e["path"])) for e in _expected(folder)["table"] or []}
    assert found == expected
    assert all(p.severity == "finding" for p in result.problems if p.severity != "info")  # never fails a build
    assert all(p.line for p in result.problems)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_every_audit_finding_is_mapped(folder):
    audit = json.loads((folder / "audit.json").read_text(encoding="utf-8"))
    expected = _expected(folder)
    mapped = [(e["place"], e["kind"], e["printed"]) for e in (expected["table"] or []) + (expected["prose"] or [])]
    assert sorted(mapped) == sorted((f["place"], f["kind"], f["printed"]) for f in audit["findings"])


def test_the_corpus_is_all_there():
    assert len(FOLDERS) == 20
    assert all((f / "data.yaml").is_file() and (f / "expected.yaml").is_file() for f in FOLDERS)


def test_a_real_finding_with_its_real_figures():
    """大英县文化广电旅游局 2022: 收、支总计印为 4125.49 与 4143.91."""
    folder = PUBLIC / "sichuan-daying-2022-wenguanglv-unit-final-accounts"
    result = evaluate(folder / "data.yaml", "x")
    (p,) = [p for p in result.problems if p.code == "TABLE_SUM"]
    assert p.found == "4,143.91" and p.expected == "4,125.49" and "差 18.42" in p.message
