"""Partial transcription is normal: any 部门决算 fixture with any subset of its keys and list rows
deleted evaluates to located problems only (a code, the file, and a line or a path), never an
INTERNAL_ERROR and never an exception; and the tables, the page figures and the open data of
what is left are made without error. A figure left out is absent, not 0: an identity is checked
only when all its inputs are present, so leaving out rows never makes a sum “0.00”."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT
from gongkai.engine.pipeline import evaluate_source
from gongkai.engine.problems import CODES
from gongkai.engine.project import Project
from gongkai.engine.yamlload import load_file
from gongkai.final_accounts.evaluate import FinalResult
from gongkai.final_accounts.kind import FINAL_ACCOUNTS

pytestmark = pytest.mark.engine

FILES = [
    FIXTURES / "seed001" / "final-accounts.yaml",
    ROOT / "data" / "2021" / "shenzhen-gsl" / "final-accounts.yaml",
    *sorted((FIXTURES / "public").glob("*final-accounts*/data.yaml")),
]
PROJECT = Project.load(ROOT)


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


def _without(value, gone: set, at=()):
    if isinstance(value, dict):
        return {k: _without(v, gone, (*at, k)) for k, v in value.items() if (*at, k) not in gone}
    if isinstance(value, list):
        return [_without(v, gone, (*at, i)) for i, v in enumerate(value) if (*at, i) not in gone]
    return value


def _yaml(value) -> str:
    """Flow-style YAML of plain data, numbers as their exact decimal text."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_yaml(str(k))}: {_yaml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


SOURCES = [load_file(path).value for path in FILES]


def _check(value, name: str) -> None:
    result = evaluate_source(_yaml(value).encode("utf-8"), name, PROJECT)
    for p in result.problems:
        assert p.code in CODES and p.code != "INTERNAL_ERROR", p
        assert p.file == name and (p.line or p.path), p
    if isinstance(result.scored, FinalResult):  # what the page and the open data need of it
        fr = result.scored
        assert all(t.sides for t in fr.tables)
        fr.figures  # noqa: B018 (made without error)
        FINAL_ACCOUNTS.downloads(fr, ("json", "csv"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_deleting_any_keys_and_rows_gives_located_problems_only(data):
    index = data.draw(st.integers(0, len(SOURCES) - 1), label="file")
    source = SOURCES[index]
    places = _places(source)
    gone = set(data.draw(st.lists(st.sampled_from(places), max_size=max(1, len(places) // 3)), label="gone"))
    _check(_without(source, gone), FILES[index].name)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.parent.name)
def test_each_printed_table_alone_gives_no_false_alarm(path):
    """One printed table (or one half, or one row of it) on its own: no “各项之和为 0.00”."""
    source = load_file(path).value
    for table, body in (source.get("原表") or {}).items():
        alone = {k: v for k, v in source.items() if k in ("类型", "年度", "部门", "单位", "口径")}
        alone["原表"] = {table: body}
        result = evaluate_source(_yaml(alone).encode("utf-8"), "x.yaml", PROJECT)
        assert not any("为 0.00（" in p.message for p in result.problems), [p.message for p in result.problems]


def test_totals_only_transcription_checks_nothing_it_cannot():
    ten, one = Decimal("10"), Decimal("1.5")
    t1 = {
        "收入": [{"项目": "本年收入合计", "决算数": ten}, {"项目": "总计", "决算数": ten}],
        "支出": [{"项目": "本年支出合计", "决算数": ten}, {"项目": "总计", "决算数": ten}],
    }
    t3 = {"列": ["本年支出合计", "基本支出", "项目支出"], "行": [{"编码": "", "名称": "合计", "数": [ten, None]}]}
    t7 = {"决算数": {"合计": one, "公务接待费": one}}
    value = {"类型": "部门决算", "年度": 2021, "部门": "某单位", "原表": {"表1": t1, "表3": t3, "表7": t7}}
    result = evaluate_source(_yaml(value).encode("utf-8"), "x.yaml", PROJECT)
    assert result.problems == []
