"""Built-in 科目 tables: names of 支出功能分类 and 部门预算支出经济分类 codes (data files in
``gongkai/subjects/``), and the fixed rows of the summary tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from gongkai.engine.yamlload import load_file

FOLDER = Path(__file__).resolve().parent.parent / "subjects"

# 表1 and 表4 print one row per 功能分类 类, always all of them, in this order.
SUMMARY_CATEGORIES = (
    "201", "202", "203", "204", "205", "206", "207", "208", "210", "211", "212", "213", "214",
    "215", "216", "217", "219", "220", "221", "222", "223", "224", "229", "231", "232", "234",
)

# 表6: 人员经费 and 公用经费 by 经济分类 类.
PERSONNEL = ("301", "303")
PUBLIC = ("302", "307", "310", "399")


_read: dict = {}  # name → ((size, mtime), table): package files, read again when they change


def _table(name: str) -> MappingProxyType:
    path = FOLDER / f"{name}.yaml"
    try:
        st = path.stat()
        key = (st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    if name not in _read or _read[name][0] != key:
        loaded = load_file(path)
        value = loaded.value if isinstance(loaded.value, dict) else {}
        _read[name] = (key, MappingProxyType({str(k): str(v) for k, v in value.items()}))
    return _read[name][1]


def functional() -> MappingProxyType:
    """支出功能分类: code (3/5/7 digits) → name."""
    return _table("功能分类")


def economic() -> MappingProxyType:
    """部门预算支出经济分类: code (3/5 digits) → name."""
    return _table("经济分类")


@dataclass(frozen=True)
class SubjectTables:
    """The 科目 tables a project uses (today the built-in ones)."""

    functional: MappingProxyType
    economic: MappingProxyType

    def __reduce__(self):  # package data: a worker process reads its own copy
        return (tables, ())


def tables() -> SubjectTables:
    return SubjectTables(functional(), economic())


def level(code: str) -> int:
    """类 1, 款 2, 项 3 (by the number of digits: 3, 5, 7)."""
    return {3: 1, 5: 2, 7: 3}.get(len(code), 0)


def parents(code: str) -> list:
    """``2012801`` → ``["201", "20128"]``."""
    return [code[:n] for n in (3, 5) if len(code) > n]


# The 款 rows 表6 prints under each 类 (the 2021 standard table), whether or not they have money.
TABLE6_ROWS = [
    "30101",
    "30102",
    "30103",
    "30106",
    "30107",
    "30108",
    "30109",
    "30110",
    "30111",
    "30112",
    "30113",
    "30114",
    "30199",
    "30301",
    "30302",
    "30303",
    "30304",
    "30305",
    "30306",
    "30307",
    "30308",
    "30309",
    "30310",
    "30311",
    "30399",
    "30201",
    "30202",
    "30203",
    "30204",
    "30205",
    "30206",
    "30207",
    "30208",
    "30209",
    "30211",
    "30212",
    "30213",
    "30214",
    "30215",
    "30216",
    "30217",
    "30218",
    "30224",
    "30225",
    "30226",
    "30227",
    "30228",
    "30229",
    "30231",
    "30239",
    "30240",
    "30299",
    "30701",
    "30702",
    "31001",
    "31002",
    "31003",
    "31005",
    "31006",
    "31007",
    "31008",
    "31009",
    "31010",
    "31011",
    "31012",
    "31013",
    "31019",
    "31021",
    "31022",
    "31099",
    "39906",
    "39907",
    "39908",
    "39999",
]


def economic_children(category: str, amounts: dict | None = None) -> list:
    """The 款 rows of an 经济分类 类 in 表6: the standard rows, and any other 款 that has money."""
    extra = [c for c in (amounts or {}) if len(c) == 5 and c.startswith(category) and c not in TABLE6_ROWS]
    return sorted({c for c in TABLE6_ROWS if c.startswith(category)} | set(extra))
