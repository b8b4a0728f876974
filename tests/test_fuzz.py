"""Bad input never raises: random structures, wrong types, huge numbers, unicode, duplicate keys, aliases."""

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from gongkai.engine.pipeline import evaluate
from gongkai.engine.problems import CODES
from gongkai.engine.yamlload import load_text

pytestmark = pytest.mark.engine  # needs neither MkDocs nor WeasyPrint

KEYS = ["类型", "规则", "年度", "部门", "名称", "指标", "下级", "分值", "得分", "方法", "指标值", "完成值", "资金",
        "原文", "年度目标", "档次", "要点", "扣分", "季度进度", "等级", "不适用", "全年预算数", "全年执行数", "总分"]
VALUES = ["项目支出绩效自评表", "自评表10加90", "财预2020-10号", "比例", "分档", "≥95%", "111/0", "合格", "是",
          "1e999", "-5", "0", "100%", "NaN", "<script>alert(1)</script>", "{{ 总分 }}", "\u202e\u0000x"]

scalars = st.one_of(
    st.sampled_from(VALUES),
    st.text(max_size=20),
    st.integers(min_value=-10**30, max_value=10**30),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.booleans(),
    st.none(),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), children, max_size=6),
    ),
    max_leaves=30,
)


def assert_located(result, name):
    for p in result.problems:
        assert p.code in CODES and p.code != "INTERNAL_ERROR", p
        assert p.file == name and p.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents)
def test_random_structures(tmp_path, data):
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert_located(evaluate(path), str(path))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_random_text(tmp_path, text):
    path = tmp_path / "text.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    assert_located(evaluate(path), str(path))


BASE = (FIXTURES / "seed001" / "a02.yaml").read_text(encoding="utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.integers(min_value=0, max_value=len(BASE) - 1),
    st.sampled_from(["", "\t", ":", "- ", "{", "&a ", "*a", "9" * 30, "：", "\n  "]),
)
def test_mutated_real_report(tmp_path, at, insert):
    path = tmp_path / "mutated.yaml"
    path.write_text(BASE[:at] + insert + BASE[at + 1:], encoding="utf-8")
    assert_located(evaluate(path), str(path))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["分值", "得分", "全年执行数", "全年预算数"]),
       st.one_of(st.decimals(allow_nan=False, allow_infinity=False), st.sampled_from(["abc", "[]", "{}", "是", "-1"])))
def test_wrong_values_in_a_real_report(tmp_path, key, value):
    text = BASE.replace(f"{key}: ", f"{key}: {value} #", 1)
    path = tmp_path / "values.yaml"
    path.write_text(text, encoding="utf-8")
    assert_located(evaluate(path), str(path))


def test_duplicate_keys_and_alias_bomb_are_located(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(BASE + "类型: 项目支出绩效自评表\n", encoding="utf-8")
    result = evaluate(path)
    assert [p.code for p in result.problems] == ["YAML_DUPLICATE_KEY"] and result.problems[0].line > 50
    bomb = "a: &a [x,x,x,x,x,x,x,x]\n" + "".join(f"b{i}: &b{i} [*{'a' if i == 0 else f'b{i-1}'}]\n" for i in range(40))
    assert {p.code for p in load_text(bomb).problems} == {"YAML_ALIAS"}


def test_huge_numbers_inside_text_fields_are_located(tmp_path):
    """Found by test_mutated_real_report: a 30-digit number inside a 指标值 once overflowed Decimal's context."""
    path = tmp_path / "huge.yaml"
    path.write_text(BASE.replace("指标值: 6期", "指标值: 6999999999999999999999999999999期", 1)
                    .replace("完成值: 100%", "完成值: 1" + "0" * 40 + "%", 1), encoding="utf-8")
    result = evaluate(path)
    assert_located(result, str(path))
    assert result.scored is not None
