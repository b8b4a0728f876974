"""The Project and the report kinds: one immutable project value handed to every stage, every
kind behind one seam, one JSON Schema for every kind, and a package without import cycles
whose engine never imports MkDocs or WeasyPrint."""

from __future__ import annotations

import ast
import dataclasses
import json
import pickle
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from gongkai.engine.kinds import KindRegistry
from gongkai.engine.pipeline import evaluate, evaluate_source
from gongkai.engine.project import Project, builtin_kinds
from gongkai.engine.yamlload import load_file
from gongkai.final_accounts.evaluate import FinalResult
from gongkai.performance.records import KINDS

pytestmark = pytest.mark.engine

SRC = ROOT / "src" / "gongkai"
A02 = ROOT / "data" / "2021" / "shenzhen-gsl" / "a02.yaml"
FINAL = ROOT / "data" / "2021" / "shenzhen-gsl" / "final-accounts.yaml"
BUILTIN_RULES = SRC / "rulesets" / "self-eval-10-90.yaml"
SCHEMA = ROOT / "schema" / "report.schema.json"


def data_files(*folders: str) -> list[Path]:
    """Every data file (not a ruleset) with a 类型 under the folders."""
    out = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.yaml")):
            if "rulesets" in path.relative_to(ROOT).parts:
                continue
            value = yaml.safe_load(path.read_text(encoding="utf-8"))
            if isinstance(value, dict) and "类型" in value:
                out.append(path)
    return out


# ---- the Project -----------------------------------------------------------------------------


def test_project_is_immutable_and_crosses_to_worker_processes():
    project = Project.load(ROOT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        project.root = Path("/")  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        project.settings.pdf = True  # type: ignore[misc]
    assert project.docs == ROOT / "content" and project.data == ROOT / "data"
    assert project.template_dirs[0] == ROOT / "templates" and project.template_dirs[-1] == SRC / "templates"
    assert next(name for name, _ in project.search_terms) == "search_terms.txt"
    copy = pickle.loads(pickle.dumps(project))
    assert copy.root == project.root and copy.rulesets.builtin_names() == project.rulesets.builtin_names()
    assert evaluate(A02, "a02.yaml", copy).scored.total == Decimal("96.80")


def test_evaluate_source_takes_bytes_and_the_project():
    project = Project.load(ROOT)
    from_file = evaluate(A02, "data/2021/shenzhen-gsl/a02.yaml", project)
    from_bytes = evaluate_source(
        A02.read_bytes(), "data/2021/shenzhen-gsl/a02.yaml", project, "data/2021/shenzhen-gsl/a02.yaml"
    )
    assert from_bytes.scored.total == from_file.scored.total == Decimal("96.80")
    assert [p.human() for p in from_bytes.problems] == [p.human() for p in from_file.problems]
    broken = evaluate_source("类型: [".encode(), "x.yaml", project)
    assert broken.scored is None and broken.problems[0].code == "YAML_SYNTAX"


def _ruleset_project(root: Path, floor: str) -> Path:
    (root / "data" / "rulesets").mkdir(parents=True)
    (root / "data" / "2021" / "t").mkdir(parents=True)
    rules = BUILTIN_RULES.read_text(encoding="utf-8").replace("名称: 自评表10加90", "名称: 测试规则")
    rules = rules.replace("{名称: 优, 下限: 90", "{名称: 优, 下限: " + floor)
    (root / "data" / "rulesets" / "x.yaml").write_text(rules, encoding="utf-8")
    report = A02.read_text(encoding="utf-8").replace("规则: 自评表10加90", "规则: 测试规则")
    (root / "data" / "2021" / "t" / "a.yaml").write_text(report, encoding="utf-8")
    return root / "data" / "2021" / "t" / "a.yaml"


def test_an_edited_ruleset_is_seen_by_the_next_evaluation_in_the_same_process(tmp_path):
    report = _ruleset_project(tmp_path, "90")
    assert evaluate(report).scored.grade == "优"
    rules = tmp_path / "data" / "rulesets" / "x.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("下限: 90", "下限: 99"), encoding="utf-8")
    assert evaluate(report).scored.grade == "良"  # no cache outlives the edit
    loaded = Project.of(report)
    rules.write_text(rules.read_text(encoding="utf-8").replace("下限: 99", "下限: 90"), encoding="utf-8")
    assert evaluate(report, project=loaded).scored.grade == "良"  # a project is what it was when loaded
    assert evaluate(report, project=Project.of(report)).scored.grade == "优"


def test_rulesets_can_come_from_bytes(tmp_path):
    """What ``gongkai diff`` needs to evaluate a revision without writing it anywhere."""
    report = _ruleset_project(tmp_path, "90")
    project = Project.of(report)
    stricter = (
        (tmp_path / "data" / "rulesets" / "x.yaml").read_bytes().replace("下限: 90".encode(), "下限: 99".encode())
    )
    revision = project.with_rulesets({"data/rulesets/x.yaml": stricter, "data/rulesets/bad.yaml": "名称: [".encode()})
    result = evaluate_source(report.read_bytes(), "data/2021/t/a.yaml", revision, "data/2021/t/a.yaml")
    assert result.scored.grade == "良"
    assert [(p.file, p.code) for p in result.problems] == [("data/rulesets/bad.yaml", "YAML_SYNTAX")]
    assert evaluate_source(report.read_bytes(), "a.yaml", project, "data/2021/t/a.yaml").scored.grade == "优"


def test_no_module_level_cache_of_project_data():
    """The rulesets and subjects modules keep no lru_cache (package data is re-read when its files change)."""
    for rel in (
        "performance/rulesets.py",
        "final_accounts/subjects.py",
        "engine/reading.py",
        "engine/project.py",
        "site/search_terms.py",
    ):
        assert "lru_cache" not in (SRC / rel).read_text(encoding="utf-8"), rel


# ---- report kinds ---------------------------------------------------------------------------------


def test_every_kind_is_registered_by_its_type():
    kinds = builtin_kinds()
    assert set(kinds) == {*KINDS, "部门决算"}
    assert len(kinds.kinds) == 2 and kinds.fallback is kinds["项目支出绩效自评表"]
    assert kinds.for_value({"类型": "部门决算"}) is kinds["部门决算"]
    assert kinds.for_value({"类型": "不存在的类型"}) is kinds.fallback and kinds.for_value(None) is kinds.fallback
    with pytest.raises(ValueError):
        KindRegistry((kinds["部门决算"], kinds["部门决算"]), kinds["部门决算"])


@pytest.mark.parametrize("path", data_files("data"), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_union_validates_each_file_to_its_kinds_model(path):
    kinds = builtin_kinds()
    loaded = load_file(path)
    record = kinds.adapter().validate_python(loaded.value)
    kind = kinds.for_value(loaded.value)
    assert type(record) is kind.model
    result = evaluate(path)
    assert kinds.of(result.scored) is kind and result.kind == loaded.value["类型"]


def test_a_final_accounts_result_is_not_a_scored_report():
    project = Project.load(ROOT)
    result = evaluate(FINAL, "final-accounts.yaml", project)
    fr = result.scored
    assert isinstance(fr, FinalResult) and fr.kind == "部门决算" and fr.file == "final-accounts.yaml"
    for duck in ("total", "grade", "rules", "goals"):
        assert not hasattr(fr, duck), duck
    kind = project.kinds.of(fr)
    assert kind.standing(fr).total is None and set(kind.charts(fr)) == {"yoy"}  # 上年决算 against this year
    figures = kind.diff_figures(fr)
    assert figures["收入总计"] == fr.totals["收入总计"] and all(
        isinstance(v, Decimal) for v in figures.values()
    )
    downloads = kind.downloads(fr, ("json", "csv", "xlsx"))
    assert set(downloads) == {"json", "csv", "xlsx"} and downloads["xlsx"][:2] == b"PK"
    assert "部门决算" in kind.score_json(fr) and fr.report.department in kind.score_text(fr)


def test_a_scored_report_answers_through_its_kind():
    project = Project.load(ROOT)
    sr = evaluate(A02, "a02.yaml", project).scored
    kind = project.kinds.of(sr)
    standing = kind.standing(sr)
    # a transcription is listed with what it printed: 总分 96.8 and no grade (a02 prints none)
    assert (standing.total, standing.grade, standing.places) == (Decimal("96.8"), None, 2)
    figures = kind.diff_figures(sr)
    assert list(figures)[:4] == ["总分", "等级", "资金执行率", "资金执行率得分"]
    assert figures["总分"] == Decimal("96.80") and figures["等级"] == "优"
    assert any(name.startswith("指标/") for name in figures)
    assert set(kind.downloads(sr)) == {"json", "csv"} and "xlsx" not in kind.downloads(sr, ("xlsx",))
    assert json.loads(kind.score_json(sr))["total"] == "96.80"
    assert set(kind.charts(sr)) == {"score"}  # no 季度进度: no 进度图 (and 资金图 is the 进度图)


# ---- one JSON Schema for every kind ------------------------------------------------------------


def test_the_schema_covers_every_kind_chosen_by_its_type():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert set(schema["properties"]["类型"]["enum"]) == {*KINDS, "部门决算"}
    chosen = {tuple(b["if"]["properties"]["类型"]["enum"]): b["then"]["$ref"] for b in schema["allOf"]}
    assert chosen == {tuple(KINDS): "#/$defs/Report", ("部门决算",): "#/$defs/FinalAccounts"}
    assert {"科目", "原表", "指标", "资金"} <= set(schema["properties"])


@pytest.mark.parametrize("path", data_files("data", "tests/fixtures"), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_data_file_of_every_kind_is_judged_by_the_schema_as_by_gongkai(path):
    """Valid under the schema exactly when gongkai validates it (部门决算 included); a file
    gongkai refuses for its fields is refused by the schema too."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    result = evaluate(path)
    fields_ok = not any(p.code.startswith("FIELD_") for p in result.problems)
    errors = [e.message for e in validator.iter_errors(data)]
    assert (not errors) == fields_ok, (errors[:3], [p.human() for p in result.problems][:3])


def test_the_schema_refuses_a_final_accounts_field_in_a_performance_report():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    report = yaml.safe_load(A02.read_text(encoding="utf-8"))
    final = yaml.safe_load(FINAL.read_text(encoding="utf-8"))
    assert validator.is_valid(report) and validator.is_valid(final)
    assert not validator.is_valid({**report, "科目": []})
    assert not validator.is_valid({**final, "规则": "自评表10加90"})
    assert not validator.is_valid({**final, "类型": "部门预算"})


# ---- the package's shape ---------------------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str, modules: set) -> set:
    """Every gongkai module ``path`` imports, wherever the import statement is (module level,
    inside a function, under TYPE_CHECKING): ``from a import b`` counts a.b when it is a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {m for m in found if m in modules and m != name}


def test_no_import_cycles_between_modules():
    files = {_module_name(p): p for p in SRC.rglob("*.py")}
    modules = set(files)
    graph = {name: _imports(path, name, modules) for name, path in files.items()}
    # a module imports its package's __init__ implicitly; packages here hold nothing else
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert not cycles, "\n".join(" → ".join(c) for c in cycles)
    assert "gongkai.performance.rulesets" not in graph["gongkai.engine.reading"]


def test_the_engine_imports_neither_mkdocs_nor_weasyprint():
    engine = [m for m in sorted(_module_name(p) for p in SRC.rglob("*.py"))
              if m.split(".")[1:2] in (["engine"], ["performance"], ["final_accounts"], ["render"])]
    code = (
        "import sys, importlib\n"
        f"for name in {engine!r}:\n"
        "    importlib.import_module(name)\n"
        "from gongkai.engine.pipeline import evaluate\n"
        f"evaluate({str(A02)!r}); evaluate({str(FINAL)!r})\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'weasyprint')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"
    assert len(engine) > 30


def test_the_project_without_mkdocs_yml_is_found_from_a_report(tmp_path):
    shutil.copytree(ROOT / "data" / "2021" / "shenzhen-gsl", tmp_path / "data" / "2021" / "x")
    project = Project.of(tmp_path / "data" / "2021" / "x" / "a02.yaml")
    assert project.root == tmp_path and project.data == tmp_path / "data"
    assert project.settings.pdf is None and project.settings.shard is None
