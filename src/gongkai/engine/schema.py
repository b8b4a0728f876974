"""The JSON Schema of report data files, for editors (YAML language server, VS Code): every
report kind of the registry, chosen by ``类型``."""

from __future__ import annotations

from gongkai.engine.kinds import KindRegistry
from gongkai.engine.project import builtin_kinds


def report_schema(kinds: KindRegistry | None = None) -> dict:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "gongkai 报告数据",
        "description": (
            "gongkai 的数据文件：项目支出绩效自评表、绩效评价报告、部门整体支出绩效评价、部门决算（按“类型”区分）"
        ),
    }
    schema.update((kinds or builtin_kinds()).schema())
    return schema
