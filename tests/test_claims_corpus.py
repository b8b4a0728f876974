"""The claims reader and its internal arithmetic on real documents (issue 14).

(a) Recall: every audited prose finding of the public corpus (the ``prose:`` entries of each
    folder's expected.yaml, matched to audit.json) is found by ``check_claims`` at the
    sentence the audit names, with the printed figure the audit names.
(b) No false alarm: nothing else is flagged in the corpus — in particular not the cases the
    audits list in ``notes`` (within rounding, base 0 / 不可比) — nor in the seeds' narratives.
"""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import FIXTURES
from gongkai.claims.arithmetic import check_claims
from gongkai.claims.reader import read_claims
from gongkai.claims.sentences import split_sentences
from gongkai.engine.yamlload import load_file

pytestmark = pytest.mark.engine

PUBLIC = FIXTURES / "public"
FOLDERS = sorted(p for p in PUBLIC.iterdir() if (p / "source.md").is_file())
SEEDS = FIXTURES / "seeds"  # copies of ../shared/seeds: the three real documents the project started from


def _squash(text: str) -> str:
    """Whitespace and the transcription's paragraph markers "（第1段）" removed."""
    return re.sub(r"\s+|[（(]第\d+段[)）]", "", text)


def _printed_number(printed: str) -> Decimal:
    m = re.search(r"\d[\d,]*(?:\.\d+)?", printed)
    assert m, printed
    return Decimal(m.group(0).replace(",", ""))


def _audited_prose(folder: Path) -> list[dict]:
    """The audit findings listed under ``prose:`` in expected.yaml, and those gongkai now reports
    from a data field's text (a ``table:`` entry with a CLAIM_ code)."""
    expected = load_file(folder / "expected.yaml").value or {}
    prose = list(expected.get("prose") or [])
    prose += [row["audit"] for row in expected.get("table") or [] if str(row.get("code", "")).startswith("CLAIM_")]
    audit = json.loads((folder / "audit.json").read_text(encoding="utf-8"))
    out = []
    for entry in prose:
        if isinstance(entry, dict):
            out += [f for f in audit["findings"] if f["place"] == entry["place"] and f["printed"] == entry["printed"]
                    and f["kind"] == entry["kind"]]
        else:
            out += [f for f in audit["findings"] if str(entry) in f["place"] or f["place"] in str(entry)]
    return out


def _matches(audited: dict, finding) -> bool:
    if _printed_number(audited["printed"]) != finding.claim.value:
        return False
    sentence = audited.get("sentence")
    if not sentence:
        return True  # table-cell prose (guichi) and listings (nanxian): the printed figure identifies it
    a, b = _squash(sentence), _squash(finding.claim.sentence)
    return b in a or a in b


def _run(folder: Path):
    text = (folder / "source.md").read_text(encoding="utf-8")
    return text, check_claims(read_claims(text))


def test_recall_and_no_false_alarm_on_the_public_corpus():
    audited_total = found_total = 0
    false_alarms: list[str] = []
    sentences = claims = 0
    for folder in FOLDERS:
        text, findings = _run(folder)
        sentences += len(split_sentences(text))
        claims += len(read_claims(text))
        audited = _audited_prose(folder)
        audited_total += len(audited)
        unmatched = list(findings)
        for a in audited:
            hit = next((f for f in unmatched if _matches(a, f)), None)
            if hit is not None:
                found_total += 1
                unmatched.remove(hit)
        false_alarms += [f"{folder.name}:{f.claim.line}: {f.detail}" for f in unmatched]
    print(f"claims corpus: {len(FOLDERS)} documents, {sentences} sentences, {claims} claims, "
          f"audited prose findings {found_total}/{audited_total}, false alarms {len(false_alarms)}")
    assert audited_total == 21
    assert found_total / audited_total >= 0.95
    assert found_total == audited_total
    assert false_alarms == []
    assert sentences > 1000 and claims > 400


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_each_audited_prose_finding_is_found_at_its_sentence(folder):
    _, findings = _run(folder)
    for audited in _audited_prose(folder):
        assert any(_matches(audited, f) for f in findings), audited


def test_audit_notes_are_not_flagged():
    """Sentences the audits consciously did not count (rounding, base 0) are clean for the reader too."""
    for name, printed in [("anhui-luan-2021-gongshanglian-sangong-final-accounts", "15"),
                          ("guangdong-province-2023-czt-sangong-final-accounts", "1055.4"),
                          ("chongqing-tongliang-2021-weilong-sangong-final-accounts", "0.6")]:
        folder = PUBLIC / name
        text, findings = _run(folder)
        rates = [c for c in read_claims(text) if c.kind == "change_rate" and c.value == Decimal(printed)]
        assert rates, (name, printed)
        assert findings == [], (name, [f.detail for f in findings])


SEED_FILES = sorted(SEEDS.glob("*.txt"))


def test_no_false_alarm_on_the_seed_narratives():
    assert len(SEED_FILES) == 3
    sentences = claims = 0
    for path in SEED_FILES:
        text = path.read_text(encoding="utf-8")
        sentences += len(split_sentences(text))
        read = read_claims(text)
        claims += len(read)
        assert [f.detail for f in check_claims(read)] == [], path.name
    print(f"seeds: {len(SEED_FILES)} documents, {sentences} sentences, {claims} claims, 0 findings")


def test_seed001_figures_are_read_with_their_subjects():
    """tests/fixtures/seed001/final-accounts-figures.yaml: each 原文 read gives the printed 本年 figure."""
    entries = load_file(FIXTURES / "seed001" / "final-accounts-figures.yaml").value
    read_value = read_subject = 0
    for entry in entries:
        amounts = [c for c in read_claims(str(entry["原文"])) if c.kind == "amount"]
        want = Decimal(str(entry["本年"]))
        if any(c.value == want for c in amounts):
            read_value += 1
            if any(c.value == want and c.subject == entry["名称"] for c in amounts):
                read_subject += 1
    print(f"seed001 figures: {len(entries)}, value read {read_value}, value with its subject {read_subject}")
    assert read_value >= 0.95 * len(entries)
    assert read_subject >= 0.6 * len(entries)
