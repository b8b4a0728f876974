from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from gongkai.pipeline import evaluate

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


def evaluate_doc(tmp_path: Path, text: str, name: str = "report.yaml"):
    """Write a YAML document (dedented) to a file and run the whole pipeline on it."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return evaluate(path)


def codes(result) -> list[str]:
    return [p.code for p in result.problems]


@pytest.fixture
def doc(tmp_path):
    return lambda text, name="report.yaml": evaluate_doc(tmp_path, text, name)


def D(text: str) -> Decimal:
    return Decimal(text)
