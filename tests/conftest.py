from __future__ import annotations

import difflib
import json
import os
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from gongkai.engine.pipeline import evaluate
from gongkai.engine.project import Project

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


def evaluate_doc(tmp_path: Path, text: str, name: str = "report.yaml", basis: str = "编制"):
    """Write a YAML document (dedented) to a file and run the whole pipeline on it. These small
    documents are reports authored in gongkai (口径 编制: a printed figure that differs is an
    error) unless they say otherwise or ``basis`` is given; transcriptions are tested with
    real documents (tests/test_public_*.py, tests/test_transcription.py)."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return evaluate(path, project=Project.of(path).with_settings(basis=basis))


def authored_copy(tmp_path: Path, source: Path) -> Path:
    """A copy of a transcribed fixture marked 口径 编制 (as if the unit had authored it in
    gongkai): its inconsistencies are then errors and warnings, not findings."""
    text = source.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("类型:"))
    lines.insert(at + 1, "口径: 编制\n")
    path = tmp_path / source.name
    path.write_text("".join(lines), encoding="utf-8")
    return path


def codes(result) -> list[str]:
    return [p.code for p in result.problems]


@pytest.fixture
def doc(tmp_path):
    return lambda text, name="report.yaml": evaluate_doc(tmp_path, text, name)


def D(text: str) -> Decimal:
    return Decimal(text)


# ---- snapshots (golden files), fava style ---------------------------------------------
#
# ``snapshot(data, name=None, ext=None)`` compares ``data`` with
# tests/snapshots/<test module>/<test name>[-<name>].<ext>. Text is compared as it is (only a
# missing final newline is added); anything else is dumped as JSON (sort_keys, ensure_ascii=False,
# indent=2). With SNAPSHOT_UPDATE=1 or ``pytest --snapshot-update`` the file is (re)written
# instead. A missing file fails the test: a snapshot never passes by being absent.

SNAPSHOTS = ROOT / "tests" / "snapshots"
SNAPSHOT_UPDATE_ENV = "SNAPSHOT_UPDATE"


def pytest_addoption(parser):
    parser.addoption(
        "--snapshot-update",
        action="store_true",
        default=False,
        help=(
            "(re)write the snapshot files under tests/snapshots/ instead of comparing "
            f"(same as {SNAPSHOT_UPDATE_ENV}=1)"
        ),
    )


def snapshot_update_wanted(config) -> bool:
    return config.getoption("--snapshot-update", default=False) or os.environ.get(SNAPSHOT_UPDATE_ENV, "") == "1"


def snapshot_text(data) -> str:
    text = data if isinstance(data, str) else json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2)
    return text if text.endswith("\n") else text + "\n"


def _snapshot_stem(text: str) -> str:
    """A file-name part from a test or snapshot name (no folders, no brackets)."""
    out = "".join("-" if ch in '/\\[]:*?"<>| ' else ch for ch in text).strip("-.")
    if not out:
        raise ValueError(f"snapshot name {text!r} gives an empty file name")
    return out


@pytest.fixture
def snapshot(request, tmp_path_factory):
    """Compare (or, with the update flag, write) a golden file; see the comment above."""
    module = Path(str(request.node.path)).stem
    test = request.node.originalname
    update = snapshot_update_wanted(request.config)
    # No absolute path of this machine may end up in a snapshot (they are compared on others).
    forbidden = {str(ROOT), str(tmp_path_factory.getbasetemp())}
    forbidden |= {str(Path(p).resolve()) for p in forbidden}
    used: set[Path] = set()

    def check(data, name: str | None = None, ext: str | None = None) -> None:
        text = snapshot_text(data)
        if name is None and hasattr(request.node, "callspec"):  # a parametrized test: one file per case
            name = request.node.callspec.id
        suffix = (ext or ("txt" if isinstance(data, str) else "json")).lstrip(".")
        stem = _snapshot_stem(test if name is None else f"{test}-{name}")
        path = SNAPSHOTS / module / f"{stem}.{suffix}"
        rel = path.relative_to(ROOT).as_posix()
        if path in used:
            pytest.fail(
                f"snapshot {rel} is used twice in {request.node.nodeid}; give each call its own name", pytrace=False
            )
        used.add(path)
        leaked = sorted(p for p in forbidden if p in text)
        if leaked:
            pytest.fail(
                f"snapshot {rel} would contain the absolute path {leaked[0]}; use paths relative to the repository",
                pytrace=False,
            )
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                with open(path, "w", encoding="utf-8", newline="") as f:
                    f.write(text)
            return
        if not path.is_file():
            pytest.fail(
                f"snapshot {rel} does not exist. Create it with\n"
                f"    {SNAPSHOT_UPDATE_ENV}=1 .venv/bin/pytest '{request.node.nodeid}'\n"
                "(or pytest --snapshot-update), check the new file and commit it.",
                pytrace=False,
            )
        with open(path, encoding="utf-8", newline="") as f:
            expected = snapshot_text(f.read())  # an editor may have dropped the final newline
        if text != expected:
            lines = list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True), text.splitlines(keepends=True), rel, "actual output"
                )
            )
            shown = "".join(lines[:80]) + (f"… ({len(lines) - 80} more diff lines)\n" if len(lines) > 80 else "")
            pytest.fail(
                f"output differs from snapshot {rel}:\n{shown}"
                f"If the change is intended, rewrite it with {SNAPSHOT_UPDATE_ENV}=1 "
                f".venv/bin/pytest '{request.node.nodeid}' "
                "(or --snapshot-update) and review the diff.",
                pytrace=False,
            )

    return check
