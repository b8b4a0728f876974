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


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_on_white(colour: str) -> float:
    return 1.05 / (luminance(colour) + 0.05)


def all_charts() -> list:
    from gongkai.render.final_view import chart_specs as final_specs

    reports = ("2022/urumqi-gsl/evaluation.yaml", "2021/shenzhen-gsl/a01.yaml", "2021/shenzhen-gsl/a02.yaml")
    specs = [s for rel in reports for s in chart_specs(scored(rel)).values()]
    specs += list(final_specs(scored("2021/shenzhen-gsl/final-accounts.yaml")).values())
    return specs


def test_charts_are_deterministic_self_contained_svg_with_cjk_labels():
    specs = all_charts()
    assert {s.kind for s in specs} == {"score_weights", "quarterly", "year_on_year"}
    for spec in specs:
        first, second = charts.draw(spec), charts.draw(spec)
        assert first == second and first.startswith("<svg") and "<title" in first
        assert "<script" not in first and "Noto Sans CJK SC" in first
        assert "pygal" not in first.lower() and "<desc" not in first  # no library name in tooltips
        assert not [u for u in re.findall(r"https?://[^\"' )]+", first) if "w3.org" not in u]
    assert "决策" in charts.draw(chart_specs(scored("2022/urumqi-gsl/evaluation.yaml"))["score"])


def test_chart_labels_are_readable_on_a_phone_and_clear_of_bars_and_axes():
    for spec in all_charts():
        svg = charts.draw(spec)
        width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
        base = int(re.search(r'<g font-family="[^"]*" font-size="(\d+)" fill="(#[0-9a-f]{6})"', svg).group(1))
        for attrs, text in re.findall(r"<text ([^>]*)>([^<]*)</text>", svg):
            size = int(re.search(r'font-size="(\d+)"', attrs).group(1)) if "font-size" in attrs else base
            assert size * 358 / width >= 11.5, (spec.kind, text)  # at a phone's 358 px: at least 11.5 px
            fill = re.search(r'fill="(#[0-9a-f]{6})"', attrs)
            assert contrast_on_white(fill.group(1) if fill else charts.TEXT) >= 4.5, (spec.kind, text)
            x = float(re.search(r' x="([\d.-]+)"', " " + attrs).group(1))
            assert 0 <= x <= width, (spec.kind, text)
        if spec.kind in ("score_weights", "year_on_year"):  # a value label starts after its bar ends
            for bar_x, bar_w, label_x in re.findall(
                r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="2\d" fill="#1f5f8b"/><text x="([\d.]+)"', svg
            ):
                assert float(label_x) >= float(bar_x) + float(bar_w) + 4
        if spec.kind == "quarterly":  # the lowest point's label stays above the quarter names under the axis
            point = r'<text x="[\d.]+" y="([\d.]+)" text-anchor="middle" font-size="15">[\d.]+%'
            labels = [float(y) for y in re.findall(point, svg)]
            assert labels and max(labels) < 240 + 10
    assert contrast_on_white(charts.TEXT) >= 13 and contrast_on_white(charts.MUTED) >= 4.5


def test_the_score_chart_shows_weight_and_lost_points_with_the_tables_precision():
    spec = chart_specs(scored("2021/shenzhen-gsl/a01.yaml"))["score"]
    svg = charts.draw(spec)
    assert "部门绩效" in svg and "54.40 / 60（90.7%）" in svg  # computed: two decimals, as in the tables
    assert "失分 5.6" in svg and spec.caption == "各一级指标得分与分值（得分按数据计算）"


def test_every_score_in_a_table_follows_one_precision_rule():
    """Filed figures as printed (19, 54.4, 92.4), computed ones with the ruleset's places (19.00)."""
    sr = scored("2021/shenzhen-gsl/a01.yaml")
    view = ReportView(sr, html_environment())
    html = view.stash.fill(str(view.summary_table()))
    cells = re.findall(r'<td data-search-exclude class="gk-num[^"]*"[^>]*>(.*?)</td>', html)
    texts = [re.sub(r"<[^>]+>", "", c) for c in cells]
    assert "19.00算" in texts and "54.40算" in texts and "60" in texts  # computed scores; a filed weight
    assert any(t.startswith("92.4") and not t.startswith("92.40") for t in texts)  # the filed 总分, as printed


# ---- open data ------------------------------------------------------------------------


def test_open_data_json_and_csv_carry_the_computed_scores():
    sr = scored("2022/urumqi-gsl/evaluation.yaml")
    data = json.loads(json_bytes(sr))
    assert data["计算结果"]["total"] == "92.68" and data["数据"]["名称"] == sr.report.name
    rows = list(csv.reader(io.StringIO(csv_bytes(sr).decode("utf-8-sig"))))
    assert len(rows) == 1 + sum(1 for _ in sr.leaves())
    training = next(r for r in rows if r[3] == "非公党员培训率")
    assert training[1:3] == ["产出", "产出质量"] and training[8] == "1.68"


def test_the_self_evaluation_csv_adds_up_to_the_total_with_its_funds_row():
    for rel, column, total in (
        ("2021/shenzhen-gsl/a02.yaml", 8, "filed_total"),  # a transcription: its printed 得分 add to its 总分
        ("2021/shenzhen-gsl/a09.yaml", 9, "total"),  # authored in gongkai: the computed ones add to the total
    ):
        sr = scored(rel)
        rows = list(csv.reader(io.StringIO(csv_bytes(sr).decode("utf-8-sig"))))
        funds = rows[1]
        assert funds[1] == "项目资金" and funds[3] == "预算执行率" and funds[7] == str(sr.funds.weight)
        assert sum(Decimal(r[column]) for r in rows[1:] if r[column] not in ("", "不适用")) == getattr(sr, total), rel
    assert scored("2021/shenzhen-gsl/a02.yaml").filed_total == Decimal("96.8")


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
