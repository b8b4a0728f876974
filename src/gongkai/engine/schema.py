"""The JSON Schema of report data files, for editors (YAML language server, VS Code)."""

from __future__ import annotations

from gongkai.performance.records import Report


def report_schema() -> dict:
    schema = Report.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "gongkai 报告数据"
    schema["description"] = "gongkai 绩效自评表、绩效评价报告、部门整体支出绩效评价的数据文件"
    return schema
