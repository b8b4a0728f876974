"""Built-in 科目 tables: names of 支出功能分类 and 部门预算支出经济分类 codes (data files in
``gongkai/subjects/``), and the fixed rows of the summary tables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from ..yamlload import load_file

FOLDER = Path(__file__).resolve().parent.parent / "subjects"

# 表1 and 表4 print one row per 功能分类 类, always all of them, in this order.
SUMMARY_CATEGORIES = (
    "201", "202", "203", "204", "205", "206", "207", "208", "210", "211", "212", "213", "214",
    "215", "216", "217", "219", "220", "221", "222", "223", "224", "229", "231", "232", "234",
)

# 表6: 人员经费 and 公用经费 by 经济分类 类.
PERSONNEL = ("301", "303")
PUBLIC = ("302", "307", "310", "399")


@lru_cache(maxsize=None)
def _table(name: str) -> MappingProxyType:
    loaded = load_file(FOLDER / f"{name}.yaml")
    value = loaded.value if isinstance(loaded.value, dict) else {}
    return MappingProxyType({str(k): str(v) for k, v in value.items()})


def functional() -> MappingProxyType:
    """支出功能分类: code (3/5/7 digits) → name."""
    return _table("功能分类")


def economic() -> MappingProxyType:
    """部门预算支出经济分类: code (3/5 digits) → name."""
    return _table("经济分类")


def level(code: str) -> int:
    """类 1, 款 2, 项 3 (by the number of digits: 3, 5, 7)."""
    return {3: 1, 5: 2, 7: 3}.get(len(code), 0)


def parents(code: str) -> list:
    """``2012801`` → ``["201", "20128"]``."""
    return [code[:n] for n in (3, 5) if len(code) > n]


def economic_children(category: str) -> list:
    """The 款 codes of an 经济分类 类, in code order."""
    return sorted(c for c in economic() if len(c) == 5 and c.startswith(category))
