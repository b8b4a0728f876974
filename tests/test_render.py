"""Rendering without MkDocs: page templating, escaping, merged-cell tables, charts, open data."""

import csv
import io
import json
import re
from decimal import Decimal

import pytest

from conftest import ROOT
from gongkai.engine.pipeline import evaluate
from gongkai.render import charts, formatting
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.render.opendata import csv_bytes, json_bytes
from gongkai.render.page import Compiled, PageError, Stash, render
from gongkai.render.report_view import ReportView, chart_specs
from gongkai.render.tables import indicator_table

DATA = ROOT / "data"
MD_ENV = markdown_environment(html_environment())


def scored(rel: str):
    return evaluate(DATA / rel).scored


# ---- page templating ----------------------------------------------------------------

PAGE = """# 标题 {#anchor}

总分 {{ 总分 }}，孤立的 {{ 不是模板，转义的 \\{{ 总分 }}，行内 `{{ 总分 }}`。

```yaml
总分: {{ 总分 }}
```
"""


@pytest.mark.parametrize("tail", ["", "{% if 总分 > 90 %}优秀{% endif %}\n"])
def test_code_stray_braces_and_attr_lists_survive(tail):
    out = render(MD_ENV, PAGE + tail, {"总分": Decimal("96.80")}, "p.md")
    assert "总分 96.80，" in out
    assert "孤立的 {{ 不是模板" in out and "转义的 {{ 总分 }}" in out
    assert "`{{ 总分 }}`" in out and "总分: {{ 总分 }}\n```" in out
    assert "# 标题 {#anchor}" in out
    assert ("优秀" in out) == bool(tail)


@pytest.mark.parametrize("text,line", [("a\n\nb {{ 总份 }}\n", 3), ("a\n{% if 1 %}\n\nb {{ 总份 }}\n{% endif %}\n", 4)])
def test_undefined_name_names_its_line(text, line):
    with pytest.raises(PageError) as info:
        render(MD_ENV, text, {"总分": 1}, "p.md")
    assert info.value.line == line and "“总份”未定义" in str(info.value)


def test_syntax_error_names_its_line():
    with pytest.raises(PageError) as info:
        render(MD_ENV, "一\n二\n{{ 总分 | }}\n", {"总分": 1}, "p.md")
    assert info.value.line == 3 and "语法错误" in str(info.value)


def test_values_print_as_text_never_as_html_markdown_or_template():
    value = '<script>alert(1)</script> [点我](javascript:alert(1)) {{ 7*7 }} *粗*'
    out = render(MD_ENV, "{{ x }}\n", {"x": value}, "p.md")
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "](" not in out.replace("\\](", "")  # the link syntax is escaped
    assert "49" not in out and "\\{\\{ 7\\*7 \\}\\}" in out


def test_each_distinct_expression_is_compiled_once_per_build():
    compiled = Compiled(MD_ENV)
    for total in (1, 2, 3):
        assert render(compiled, "得分 {{ 总分 }}\n", {"总分": total}, "p.md") == f"得分 {total}\n"
    assert list(compiled.expressions) == ["{{ 总分 }}"]


def test_stash_fills_nested_blocks_and_gives_search_only_words():
    stash = Stash()
    inner = stash.put("<table><td>会刊设计制作期数</td><td>5</td></table>", "会刊设计制作期数")
    outer = stash.put(f"<div>{inner}</div>", "")
    html = f"<p>前</p><p>{str(outer).strip()}</p>"
    assert "会刊设计制作期数" in stash.search_view(html) and "<table>" not in stash.search_view(html)
    filled = stash.fill(stash.search_view(html))
    assert "<div>" in filled and "<td>5</td>" in filled and "gkblock" not in filled and "gk-slot" not in filled


# ---- numbers --------------------------------------------------------------------------


def test_number_filters_round_half_up_only_for_display():
    assert formatting.percentage(Decimal("0.560475")) == "56.05%"
    assert formatting.percentage(Decimal("0.97825"), 1) == "97.8%"
    assert formatting.thousands(Decimal("2961.985")) == "2,961.99"
    assert formatting.amount(Decimal("75.6")) == "75.60 万元"
    assert formatting.score(Decimal("9.80")) == "9.8" and formatting.score(Decimal("1.675")) == "1.68"
    assert formatting.fixed_score(Decimal("96.8")) == "96.80"


# ---- tables ---------------------------------------------------------------------------


def test_self_evaluation_table_merges_levels_like_the_official_table():
    sr = scored("2021/shenzhen-gsl/a02.yaml")
    table = indicator_table(sr.tree)
    assert table.depth == 3
    tops = [(row.cells[0].node.name, row.cells[0].rowspan) for row in table.rows if row.cells[0] is not None]
    assert tops == [("产出指标", 13), ("效益指标", 3)]
    seconds = [(c.node.name, c.rowspan) for row in table.rows for c in row.cells[1:2] if c is not None]
    assert seconds[0] == ("数量指标", 4) and ("满意度指标", 1) in seconds
    assert len(table.rows) == 16 and all(row.cells[-1].node is row.leaf for row in table.rows)


def test_a_leaf_above_the_deepest_level_spans_the_remaining_columns():
    sr = scored("2021/guangshui-gsl/department.yaml")
    goal = sr.goals[1]  # 经济效益 / 生态效益 have no third level
    table = indicator_table(goal.tree)
    spans = {row.leaf.name: row.cells[-1].colspan for row in table.rows}
    assert spans["经济效益"] == table.depth - 1 and spans["权益维护"] == 1


def test_rendered_self_evaluation_table_shows_total_grade_and_explanations():
    view = ReportView(scored("2021/shenzhen-gsl/a02.yaml"), html_environment())
    stash = view.stash
    view.self_evaluation_table()
    html = stash.fill(stash.blocks[-1][0])
    # a02 is a transcription: the 总分 it printed (96.8) as printed; the grade it did not print,
    # computed and marked 算
    assert 'data-gk="总分">96.8<' in html
    assert '<strong data-gk="等级"><span class="gk-computed"' in html and '优<sup class="gk-mark">算</sup>' in html
    assert "项目资金（万元）" in html and ">其中：当年财政拨款<" in html
    assert 'title="完成值 100% 达到指标值 ≥100%，得满分 4">4.0<' in html  # filed 4.0; how it computes, on hover


# ---- charts ---------------------------------------------------------------------------


def test_charts_are_deterministic_self_contained_svg_with_cjk_labels():
    sr = scored("2022/urumqi-gsl/evaluation.yaml")
    spec = chart_specs(sr)["score"]
    first, second = charts.draw(spec), charts.draw(spec)
    assert first == second and first.startswith("<svg")
    assert "<script" not in first and "决策" in first and "Noto Sans CJK SC" in first
    assert not [u for u in re.findall(r"https?://[^\"' )]+", first) if "w3.org" not in u]


# ---- open data ------------------------------------------------------------------------


def test_open_data_json_and_csv_carry_the_computed_scores():
    sr = scored("2022/urumqi-gsl/evaluation.yaml")
    data = json.loads(json_bytes(sr))
    assert data["计算结果"]["total"] == "92.68" and data["数据"]["名称"] == sr.report.name
    rows = list(csv.reader(io.StringIO(csv_bytes(sr).decode("utf-8-sig"))))
    assert len(rows) == 1 + sum(1 for _ in sr.leaves())
    training = next(r for r in rows if r[3] == "非公党员培训率")
    assert training[1:3] == ["产出", "产出质量"] and training[8] == "1.68"


def test_the_guangshui_project_page_shows_all_100_points():
    """广水 商会建设: 项目决策 2 + 项目管理 13 (the common part) and the 年度目标 商会建设 85 — the
    page once showed only the 15 common points under a total of 80."""
    sr = scored("2021/guangshui-gsl/project.yaml")
    view = ReportView(sr, html_environment())
    html = view.stash.fill(str(view.all_tables()))
    assert "年度目标1：商会建设" in html and ">受理企业投诉<" in html and ">企业诉求、权益维护<" in html
    assert sum(t.weight for t in sr.tree) + sr.goals[0].weight == 100
    assert sr.weight_total == 100 and sr.filed_total == 80 and sr.total == 80
    assert '<th>总分</th><td data-search-exclude class="gk-num">100</td>' in html
