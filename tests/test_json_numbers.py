"""One rule for numbers in every JSON gongkai writes: a figure is a string holding its exact
decimal text ("96.80", never a float), an absent figure is null. Made in one place,
``gongkai.engine.output`` (json_number, json_default, json_dumps)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from conftest import ROOT
from gongkai.engine.output import json_default, json_dumps, json_number, json_text
from gongkai.engine.pipeline import evaluate
from gongkai.render.final_opendata import final_json_bytes
from gongkai.render.opendata import json_bytes

pytestmark = pytest.mark.engine


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("96.80", "96.80"),
        ("0.00", "0.00"),
        ("-0.50", "-0.50"),
        ("1200", "1200"),
        ("1E+3", "1000"),
        ("1.2E-7", "0.00000012"),
        ("12345678901234567890.123456789", "12345678901234567890.123456789"),
    ],
)
def test_json_number_is_the_exact_decimal_text(value, text):
    assert json_number(Decimal(value)) == text


def test_absent_number_is_null():
    assert json_number(None) is None
    assert json_dumps({"总分": None}) == '{\n  "总分": null\n}'


def test_decimals_anywhere_are_written_as_json_number():
    data = {"a": Decimal("12.30"), "b": [Decimal("0.00"), (Decimal("1E+2"),)], "c": {"d": Decimal("-3")}, "年度": 2021}
    assert json.loads(json_dumps(data)) == {"a": "12.30", "b": ["0.00", ["100"]], "c": {"d": "-3"}, "年度": 2021}
    assert json.loads(json_text(data)) == json.loads(json_dumps(data))


def test_other_types_are_still_refused():
    with pytest.raises(TypeError, match="object"):
        json_default(object())
    with pytest.raises(TypeError):
        json_dumps({"x": {1, 2}})


def _no_floats(text: str):
    def refuse(number: str):
        raise AssertionError(f"a JSON number with a fraction: {number}")

    return json.loads(text, parse_float=refuse)


def test_open_data_json_keeps_figures_as_strings():
    result = evaluate(ROOT / "data/2021/shenzhen-gsl/a02.yaml", "data/2021/shenzhen-gsl/a02.yaml")
    body = _no_floats(json_bytes(result.scored).decode("utf-8"))
    assert body["计算结果"]["total"] == "96.80"
    assert all(isinstance(i["score"], str) for i in body["计算结果"]["indicators"])


def test_final_accounts_json_keeps_figures_as_strings():
    rel = "data/2021/shenzhen-gsl/final-accounts.yaml"
    result = evaluate(ROOT / rel, rel)
    body = _no_floats(final_json_bytes(result.scored).decode("utf-8"))
    figures = [v for t in body["计算结果"]["tables"] for s in t["栏"] for line in s["行"] for v in line["数"]]
    assert figures and all(v is None or isinstance(v, str) for v in figures)
    assert any(isinstance(v, str) and "." in v for v in figures)


def test_the_rule_is_documented():
    guide = (ROOT / "content/guide/site.md").read_text(encoding="utf-8")
    section = guide[guide.index("## 公开数据") :]
    section = section[: section.index("\n## ", 1)]
    assert "96.80" in section and "null" in section and "字符串" in section
