"""The free-text fields of a 部门决算 that may state figures: 情况说明 (the printed text), 概况 (主要职责, 机构设置,
单位构成: “下属单位 3 个，即 A、B、C”), 备注, and the 说明 printed under a table of the
原表 (“本单位无政府性基金预算财政拨款收入，故本表为空表”), with their lines, for
:func:`gongkai.claims.fields.field_problems`."""

from __future__ import annotations

from collections.abc import Iterator

from gongkai.final_accounts.model import FinalAccounts

_OVERVIEW = (("主要职责", "duties"), ("机构设置", "structure"), ("单位构成", "units"))
_TABLES = ("t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9")


def final_texts(record: FinalAccounts) -> Iterator[tuple[tuple, str, int | None]]:
    lines = record.lines
    if record.overview is not None:
        for label, attr in _OVERVIEW:
            text = getattr(record.overview, attr)
            if text:
                yield ("概况", label), text, lines.get(("概况", label))
    if record.statement:
        yield ("情况说明",), record.statement, lines.get(("情况说明",))
    if record.remark:
        yield ("备注",), record.remark, lines.get(("备注",))
    if record.printed is not None:
        for number, attr in enumerate(_TABLES, start=1):
            note = getattr(getattr(record.printed, attr), "note", None)
            if note:
                path = ("原表", f"表{number}", "说明")
                yield path, note, lines.get(path)
