from decimal import Decimal

import pytest

from gongkai.engine.yamlload import MAX_BYTES, load_bytes, load_file, load_text

pytestmark = pytest.mark.engine  # needs neither MkDocs nor WeasyPrint


def only_code(loaded):
    return [p.code for p in loaded.problems]


def test_numbers_are_decimals_built_from_their_text():
    loaded = load_text("a: 12.30\nb: 7\nc: -0.5\nd: '3.10'\ne: 1.5e+3\n")
    assert loaded.value == {
        "a": Decimal("12.30"),
        "b": Decimal("7"),
        "c": Decimal("-0.5"),
        "d": "3.10",
        "e": Decimal("1.5e+3"),
    }
    assert str(loaded.value["a"]) == "12.30"
    assert not any(isinstance(v, float) for v in loaded.value.values())


def test_lines_are_kept_for_every_path():
    loaded = load_text("类型: x\n指标:\n  - 名称: a\n    分值: 5\n  - 名称: b\n")
    assert loaded.line(("指标", 0, "分值")) == 4
    assert loaded.line(("指标", 1)) == 5
    assert loaded.line(("指标", 1, "名称", "missing")) == 5


def test_duplicate_key_is_refused_with_both_lines():
    loaded = load_text("名称: a\n分值: 5\n名称: b\n")
    assert only_code(loaded) == ["YAML_DUPLICATE_KEY"]
    assert loaded.problems[0].line == 3 and "第 1 行" in loaded.problems[0].message
    assert loaded.value is None


def test_anchors_aliases_and_merge_keys_are_refused():
    for text in ("a: &x 1\nb: *x\n", "base: &b {k: 1}\nc:\n  <<: *b\n", "a: &lonely 1\n"):
        loaded = load_text(text)
        assert "YAML_ALIAS" in only_code(loaded), text
        assert loaded.value is None


def test_alias_bomb_is_refused_quickly():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
        f"*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
        for i in range(1, 12)
    ]
    loaded = load_text("\n".join(lines))
    assert "YAML_ALIAS" in only_code(loaded)


def test_python_tags_are_refused():
    loaded = load_text("a: !!python/object/apply:os.system ['echo hi']\n")
    assert only_code(loaded) == ["YAML_TAG"]
    assert load_text("a: !!binary aGVsbG8=\n").problems[0].code == "YAML_TAG"


def test_bad_numbers():
    assert only_code(load_text("a: .inf\n")) == ["YAML_NUMBER"]
    assert only_code(load_text("a: .nan\n")) == ["YAML_NUMBER"]
    assert only_code(load_text("a: 1.0e+400\n")) == ["YAML_NUMBER"]
    assert only_code(load_text("a: " + "9" * 40 + "\n")) == ["YAML_NUMBER"]
    assert load_text("a: 0x1F\n").value == {"a": "0x1F"}


def test_syntax_error_is_located():
    loaded = load_text("a: 1\nb:\n\t- x\n")
    assert only_code(loaded) == ["YAML_SYNTAX"]
    assert loaded.problems[0].line == 3
    assert "Tab" in loaded.problems[0].message


def test_too_deep_nesting_is_refused_before_libyaml_sees_it():
    assert only_code(load_text("a: " + "[" * 100000 + "]" * 100000)) == ["YAML_TOO_DEEP"]
    assert only_code(load_text("- " * 5000 + "x")) == ["YAML_TOO_DEEP"]
    assert only_code(load_text("a: " + "[" * 80 + "]" * 80)) == ["YAML_TOO_DEEP"]


def test_size_and_encoding(tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.seek(MAX_BYTES + 10)
        fh.write(b"\n")
    loaded = load_file(big)
    assert only_code(loaded) == ["YAML_TOO_LARGE"]
    assert only_code(load_bytes("名称: 测试".encode("gbk"), "gbk.yaml")) == ["FILE_ENCODING"]
    assert only_code(load_file(tmp_path / "missing.yaml")) == ["FILE_UNREADABLE"]
    assert load_bytes("\ufeff名称: 测试".encode("utf-8"), "bom.yaml").value == {"名称": "测试"}
