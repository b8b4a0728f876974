import json

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, ROOT, authored_copy
from gongkai.cli.commands import main

pytestmark = pytest.mark.engine  # needs neither MkDocs nor WeasyPrint


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_check_example_data_exits_0_with_the_documents_findings():
    """The example data transcribes filed documents with real errors: reported as 核对, exit 0."""
    result = run("check", str(ROOT / "data"))
    assert result.exit_code == 0, result.output
    assert "共 0 个错误，0 个警告" in result.output
    assert "TOTAL_MISMATCH [核对] 总分印为 8.4，计算为 94.02" in result.output


def test_a_transcription_reports_findings_and_exits_0():
    result = run("check", "--strict", str(FIXTURES / "seed001" / "a07.yaml"))
    assert result.exit_code == 0, result.output
    assert "a07.yaml:51: TOTAL_MISMATCH [核对] 总分印为 8.4，计算为 94.02" in result.output


def test_check_an_authored_report_exits_1_with_located_problems(tmp_path):
    result = run("check", str(authored_copy(tmp_path, FIXTURES / "seed001" / "a07.yaml")))
    assert result.exit_code == 1
    assert "a07.yaml:52: TOTAL_MISMATCH [错误]" in result.output
    assert "总分印为 8.4，计算为 94.02" in result.output


def test_check_json_format():
    result = run("check", "--format", "json", str(FIXTURES / "seed001" / "a10.yaml"))
    data = json.loads(result.output)
    assert data["summary"] == {"errors": 0, "warnings": 0, "infos": 0, "findings": 2}
    first = data["problems"][0]
    assert set(first) == {"code", "severity", "file", "line", "message", "expected", "found", "path"}
    total = next(p for p in data["problems"] if p["code"] == "TOTAL_MISMATCH")
    assert (total["expected"], total["found"], total["line"]) == ("99.9", "90", 49)
    assert total["path"] == ["报告", "总分"]  # where it is, for programs (gongkai.engine.checking)


def test_strict_makes_warnings_fail(tmp_path):
    path = str(authored_copy(tmp_path, FIXTURES / "seed001" / "a06.yaml"))
    assert run("check", path).exit_code == 0
    assert run("check", "--strict", path).exit_code == 1


def test_usage_errors_exit_2():
    assert run("check", "no/such/path").exit_code == 2
    assert run("score", "no/such/file.yaml").exit_code == 2
    assert run("check", "--format", "xml").exit_code == 2


def test_score_json_shape_and_values():
    result = run("score", "--format", "json", str(FIXTURES / "seed000" / "report.yaml"))
    data = json.loads(result.output)
    assert data["total"] == "92.68" and data["grade"] == "优" and data["kind"] == "项目支出绩效评价报告"
    leaf = next(i for i in data["indicators"] if i["path"][-1] == "非公党员培训率")
    assert leaf["score"] == "1.68" and leaf["method"] == "比例" and leaf["line"] > 0
    assert {"path", "weight", "score"} <= set(data["levels"][0])


def test_score_json_goals():
    data = json.loads(run("score", "--format", "json", str(FIXTURES / "seed003" / "department.yaml")).output)
    assert [g["score"] for g in data["goals"]] == ["0", "52", "0"]
    assert data["goals_score"] == "17"


def test_score_text_is_a_readable_table():
    result = run("score", str(ROOT / "data" / "2021" / "shenzhen-gsl" / "a02.yaml"))
    assert result.exit_code == 0
    assert "总分：96.80" in result.output and "等级：优" in result.output
    assert "10 × 0.98 = 9.80" in result.output


def test_schema_is_json_schema_with_chinese_keys():
    data = json.loads(run("schema").output)
    assert data["$schema"].endswith("2020-12/schema")
    assert {"类型", "规则", "指标", "资金", "原文"} <= set(data["properties"])


def test_unknown_ruleset_and_field_are_located(doc):
    result = doc("类型: 项目支出绩效自评表\n规则: 不存在\n年度: 2021\n部门: x\n名称: y\n")
    assert [p.code for p in result.problems] == ["RULESET_UNKNOWN"]
    result = doc(
        "类型: 项目支出绩效自评表\n规则: 自评表10加90\n年度: 2021\n部门: x\n名称: y\n指标:\n  - {名称: a, 得份: 3}\n"
    )
    assert result.problems[0].code == "FIELD_UNKNOWN" and result.problems[0].line == 7
    assert "得分" in result.problems[0].message
