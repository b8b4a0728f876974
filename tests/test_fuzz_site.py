"""Bad input never raises in the newer stages: 部门决算 records, page templates and workbooks."""

import io

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.engine.pipeline import evaluate
from gongkai.engine.problems import CODES
from gongkai.final_accounts import workbook
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.render.page import PageError, render

MD_ENV = markdown_environment(html_environment())

codes = st.one_of(
    st.sampled_from(["2012801", "2210201", "2080505", "201", "20128", "9999999", "abc", ""]), st.text(max_size=8)
)
amounts = st.one_of(
    st.decimals(min_value=-10**6, max_value=10**9, places=2, allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["0", "-0.01", "1e999", "NaN", "一千", "", None, True]),
)
money = st.dictionaries(
    st.sampled_from(["一般公共预算财政拨款", "其他收入", "基本支出", "项目支出", "事业收入", "未知来源"]),
    amounts,
    max_size=4,
)
subject = st.fixed_dictionaries(
    {"编码": codes},
    optional={
        "收入": money,
        "支出": money,
        "财政拨款支出": st.dictionaries(st.sampled_from(["一般公共预算", "政府性基金", "外星"]), money, max_size=2),
        "名称": st.text(max_size=6),
    },
)
final_records = st.fixed_dictionaries(
    {"类型": st.just("部门决算"), "年度": st.sampled_from([2021, 1800, "二〇二一"]), "部门": st.text(max_size=6)},
    optional={
        "科目": st.lists(subject, max_size=5),
        "基本支出明细": st.dictionaries(codes, amounts, max_size=4),
        "三公经费": st.fixed_dictionaries({}, optional={"预算": money, "决算": money}),
        "上年决算": st.dictionaries(st.sampled_from(["基本支出", "其他收入", "x"]), amounts, max_size=3),
        "表序": st.sampled_from(["标准", "湖北", "火星"]),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(final_records)
def test_final_accounts_never_raise(tmp_path, record):
    path = tmp_path / "fa.yaml"
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    result = evaluate(path, "fa.yaml")
    for p in result.problems:
        assert p.code in CODES and p.code != "INTERNAL_ERROR", p
        assert p.file == "fa.yaml" and p.message


fragments = st.lists(
    st.sampled_from(
        [
            "{{",
            "}}",
            "{%",
            "%}",
            "{#",
            "#}",
            "\\{{",
            "`",
            "```",
            "\n",
            " ",
            "总分",
            "名称",
            "|",
            "百分比",
            "(",
            ")",
            "if",
            "endif",
            "for",
            "x",
            "'",
            '"',
            "[",
            "]",
            ".",
        ]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(fragments)
def test_page_templates_fail_only_with_located_page_errors(text):
    try:
        render(MD_ENV, text, {"总分": 1, "名称": "<b>x</b>"}, "p.md")
    except PageError as error:
        assert str(error) and (error.line is None or 1 <= error.line <= text.count("\n") + 2)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_as_a_workbook_give_problems_not_exceptions(data):
    printed, _meta, problems = workbook.read(data, "x.xlsx")
    assert problems or printed == {}
    for p in problems:
        assert p.code in CODES and p.file == "x.xlsx"


def test_a_workbook_with_a_strange_sheet_is_located():
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "随便"
    book.active.append(["不是决算表"])
    buffer = io.BytesIO()
    book.save(buffer)
    _, _, problems = workbook.read(buffer.getvalue(), "x.xlsx")
    assert any("工作表“随便”" in p.message and "认不出" in p.message for p in problems)
