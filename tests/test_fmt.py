"""gongkai fmt: one canonical form, idempotent, comments and number texts kept, files never
corrupted, --check for CI. Every file is formatted in a temporary copy."""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter

import click
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT
from gongkai.authoring import fmt as fmt_module
from gongkai.authoring.fmt import FormatError, format_bytes, format_text
from gongkai.cli.authoring import fmt

pytestmark = pytest.mark.engine  # needs neither MkDocs nor WeasyPrint

CLI = click.Group("gongkai", commands={"fmt": fmt})
SAMPLES = sorted(
    p for base in (ROOT / "data", FIXTURES) for p in base.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
)
SAMPLE_IDS = [p.relative_to(ROOT).as_posix() for p in SAMPLES]
NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


def run(*args):
    return CliRunner().invoke(CLI, ["fmt", *map(str, args)], catch_exceptions=False)


# ---- independent readings of a YAML text (not fmt's own helpers) --------------------------


def scalars(text: str) -> dict:
    """Every scalar by its path: (tag, text as written for plain scalars, value otherwise)."""
    out: dict = {}

    def walk(node, path):
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                walk(v, path + (k.value,))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, path + (i,))
        else:
            out[path] = (node.tag, node.value)

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, ())
    return out


def number_texts(text: str) -> Counter:
    return Counter(value for tag, value in scalars(text).values() if tag in NUMBER_TAGS)


def comment_lines(text: str) -> list[str]:
    """Full-line comments, and what follows " #" on other lines (end-of-line comments)."""
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            out.append(stripped)
        elif " #" in line:
            out.append(line[line.index(" #") + 1 :].rstrip())
    return out


def assert_comments_kept(before: str, after: str) -> None:
    lines = after.splitlines()
    stripped = Counter(line.strip() for line in lines)
    for comment in comment_lines(before):
        if comment.startswith("#") and stripped[comment] > 0:
            stripped[comment] -= 1
            continue
        assert any(line.rstrip().endswith(comment) for line in lines), f"注释丢失：{comment}"


def keys_in_order(text: str, path: tuple) -> list:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    for step in path:
        node = dict((k.value, v) for k, v in node.value)[step] if isinstance(step, str) else node.value[step]
    return [k.value for k, _ in node.value]


# ---- every file of the project ---------------------------------------------------------------


@pytest.fixture(scope="module")
def formatted(tmp_path_factory):
    """Each sample copied to a temporary folder and formatted once, then once more."""
    base = tmp_path_factory.mktemp("fmt")
    copies = []
    for src, rel in zip(SAMPLES, SAMPLE_IDS, strict=False):
        dst = base / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        copies.append(dst)
    first = run(base)
    assert first.exit_code == 0, first.output
    once = {rel: dst.read_bytes() for rel, dst in zip(SAMPLE_IDS, copies, strict=False)}
    second = run(base)
    assert second.exit_code == 0, second.output
    twice = {rel: dst.read_bytes() for rel, dst in zip(SAMPLE_IDS, copies, strict=False)}
    check = run("--check", base)
    return once, twice, check


def test_samples_exist():
    assert len(SAMPLES) >= 30
    assert any("fixtures" in r for r in SAMPLE_IDS) and any(r.startswith("data/") for r in SAMPLE_IDS)


@pytest.mark.parametrize("rel", SAMPLE_IDS)
def test_every_file_formats_idempotently_keeping_data_comments_and_numbers(formatted, rel):
    once, twice, _ = formatted
    before = (ROOT / rel).read_text(encoding="utf-8")
    after = once[rel].decode("utf-8")
    assert twice[rel] == once[rel], "fmt 两次与一次的结果不同"
    assert scalars(after) == scalars(before)  # every key path, every scalar's tag and text
    assert number_texts(after) == number_texts(before)
    assert_comments_kept(before, after)
    assert after.endswith("\n") and not after.endswith("\n\n")


def test_check_after_formatting_finds_nothing(formatted):
    _, _, check = formatted
    assert check.exit_code == 0, check.output
    assert "都已统一" in check.output


def test_project_data_is_already_nearly_canonical():
    """The project's own 部门决算 was written in field order: formatting changes nothing."""
    path = ROOT / "data" / "2021" / "shenzhen-gsl" / "final-accounts.yaml"
    assert format_bytes(path.read_bytes(), str(path)) == path.read_bytes()


# ---- key order ---------------------------------------------------------------------------------


REPORT = """\
# 文件开头的说明
# 第二行

名称: 示例项目
规则: 自评表10加90  # 行尾注释
未知键一: 1
年度: 2021
类型: 项目支出绩效自评表
部门: 示例单位
资金:
  全年执行数: 73.96
  其中:
    乙来源: {全年执行数: 0.00, 年初预算数: 0.00}
    甲来源: {全年执行数: 73.96, 年初预算数: 75.60}
  年初预算数: 75.60
  # 资金末尾的说明
未知键二: 2
指标:
  - 下级:
      - {得分: 1, 名称: 会刊期数, 完成值: 4期, 指标值: 6期, 分值: 2}
      # 关于培训的说明
      - 得分: 3
        下级错位的未知键: x
        名称: 培训次数
        分值: 3.00
    名称: 产出指标
    原文: {得分: 4, 出处: 评分表}
# 文件末尾的说明
"""

REPORT_FORMATTED = """\
# 文件开头的说明
# 第二行

类型: 项目支出绩效自评表
规则: 自评表10加90  # 行尾注释
年度: 2021
部门: 示例单位
名称: 示例项目
资金:
  年初预算数: 75.60
  全年执行数: 73.96
  其中:
    乙来源: {年初预算数: 0.00, 全年执行数: 0.00}
    甲来源: {年初预算数: 75.60, 全年执行数: 73.96}
  # 资金末尾的说明
指标:
  - 名称: 产出指标
    原文: {出处: 评分表, 得分: 4}
    下级:
      - {名称: 会刊期数, 分值: 2, 指标值: 6期, 完成值: 4期, 得分: 1}
      # 关于培训的说明
      - 名称: 培训次数
        分值: 3.00
        得分: 3
        下级错位的未知键: x
未知键一: 1
未知键二: 2
# 文件末尾的说明
"""


def test_canonical_order_comments_follow_their_entries():
    assert format_text(REPORT) == REPORT_FORMATTED
    assert format_text(REPORT_FORMATTED) == REPORT_FORMATTED


def test_node_fields_in_model_order_children_last():
    text = (
        "类型: 项目支出绩效评价报告\n指标:\n  - 下级: [{名称: a, 分值: 1}]\n    说明: s\n    得分: 1\n"
        "    偏差原因: r\n    理由: q\n    方法: 人工\n    分值: 1\n    名称: n\n"
    )
    out = format_text(text)
    assert keys_in_order(out, ("指标", 0)) == ["名称", "分值", "方法", "得分", "理由", "偏差原因", "说明", "下级"]


def test_final_accounts_fixed_keys_follow_their_list_free_keys_keep_theirs():
    text = (
        "年度: 2021\n类型: 部门决算\n部门: 示例\n"
        "三公经费:\n  决算: {公务接待费: 0.47, 因公出国（境）费: 0}\n  预算: {公务接待费: 5.93, 公务用车运行费: 7}\n"
        "上年决算: {乙: 2, 甲: 1}\n"
        "科目:\n  - 支出: {项目支出: 1, 基本支出: 2}\n    编码: \"2012801\"\n"
    )
    out = format_text(text)
    assert keys_in_order(out, ()) == ["类型", "年度", "部门", "科目", "三公经费", "上年决算"]
    assert keys_in_order(out, ("三公经费",)) == ["预算", "决算"]
    assert keys_in_order(out, ("三公经费", "决算")) == ["因公出国（境）费", "公务接待费"]
    assert keys_in_order(out, ("上年决算",)) == ["乙", "甲"]
    assert keys_in_order(out, ("科目", 0)) == ["编码", "支出"]
    assert keys_in_order(out, ("科目", 0, "支出")) == ["基本支出", "项目支出"]
    assert '"2012801"' in out  # quotes kept: a code is text, not a number


def test_files_that_are_not_reports_keep_their_order():
    text = "- 名称: b\n  本年: 1.50\n  原文: x\n# 两项之间\n- {本年: 2.00, 名称: a}\n"
    assert format_text(text) == text


def test_style_normalised_flow_rows_kept():
    text = (
        "类型: 项目支出绩效自评表\n资金:\n      全年预算数: 1.0\n指标:\n"
        "-   名称: a\n    下级:\n    - {名称: b, 分值: 100}\n"
    )
    out = format_text(text)
    assert out == (
        "类型: 项目支出绩效自评表\n资金:\n  全年预算数: 1.0\n指标:\n"
        "  - 名称: a\n    下级:\n      - {名称: b, 分值: 100}\n"
    )


def test_scalars_written_as_before():
    text = (
        "类型: 项目支出绩效自评表\n名称: '单引号'\n部门: \"双引号\"\n"
        "备注: >-\n  折叠的\n  多行文字\n年度: 2021\n"
        "原文: {总分: 0.00, 得分率: 56.05%, 二级指标数: 007}\n"
        "资金: {全年预算数: 12.30, 全年执行数: -0.50, 年初预算数: 12345678901234567890.123456789}\n"
        "确认:\n  - 代码: GOAL_NOT_DONE\n    说明: |\n      第一行\n        缩进的第二行\n"
    )
    out = format_text(text)
    pieces = (
        "'单引号'", '"双引号"', "备注: >-\n  折叠的\n  多行文字\n", "0.00", "56.05%", "007", "12.30", "-0.50",
        "12345678901234567890.123456789", "      第一行\n        缩进的第二行\n",
    )  # fmt: skip
    for piece in pieces:
        assert piece in out, piece
    assert scalars(out) == scalars(text)


# ---- numbers: a property over many documents ------------------------------------------------


def _number():
    sign = st.sampled_from(["", "-", "+"])
    whole = st.one_of(st.just("0"), st.integers(1, 10**16).map(str))
    digits = st.text("0123456789", min_size=1, max_size=12)
    fraction = st.one_of(st.just(""), st.just("."), digits.map(lambda d: "." + d))
    plain = st.builds(lambda s, w, f: s + w + f, sign, whole, fraction)
    # YAML 1.1: ".5" is a number, "-.5" text
    leading_point = st.text("0123456789", min_size=1, max_size=8).map(lambda d: "." + d)
    fixed = st.sampled_from(["0", "0.00", "12.30", "7", "-0.50", "100.0", "2961.99", "0.000001", "9999999999999999.99"])
    return st.one_of(fixed, plain, leading_point)


FIELDS = ["名称", "分值", "方法", "指标值", "完成值", "得分", "理由", "偏差原因", "说明", "未知"]


@st.composite
def documents(draw):
    numbers: list[str] = []
    comments: list[str] = []

    def comment():
        text = f"# 注释{len(comments)}"
        comments.append(text)
        return text

    def row(indent: int) -> list[str]:
        keys = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=6, unique=True))
        values = []
        for key in keys:
            if key in ("分值", "得分", "未知") or draw(st.booleans()):
                number = draw(_number())
                numbers.append(number)
                values.append(number)
            else:
                values.append("文字")
        pad = " " * indent
        if draw(st.booleans()):  # a one-line row
            line = pad + "- {" + ", ".join(f"{k}: {v}" for k, v in zip(keys, values, strict=False)) + "}"
            return [line + ("  " + comment() if draw(st.booleans()) else "")]
        lines = []
        for i, (key, value) in enumerate(zip(keys, values, strict=False)):
            if draw(st.integers(0, 4)) == 0:
                lines.append(pad + ("  " if i else "") + comment())
            eol = "  " + comment() if draw(st.integers(0, 3)) == 0 else ""
            lines.append(pad + ("- " if i == 0 else "  ") + f"{key}: {value}{eol}")
        return lines

    lines = [comment(), "", "类型: 项目支出绩效评价报告"]
    top = draw(st.lists(st.sampled_from(["总分", "分值", "金额"]), unique=True))
    for key in top:
        number = draw(_number())
        numbers.append(number)
        lines.append(f"原文{key}: {number}")
    lines.append("指标:")
    for _ in range(draw(st.integers(1, 4))):
        lines.extend(row(2))
    if draw(st.booleans()):
        lines.append(comment())
    return "\n".join(lines) + "\n", numbers, comments


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_number_texts_and_comments_survive(case):
    text, numbers, comments = case
    out = format_text(text)
    assert number_texts(out) == number_texts(text) == Counter(numbers)
    assert scalars(out) == scalars(text)
    written = Counter(re.findall(r"# 注释\d+", out))
    assert written == Counter(comments)
    assert format_text(out) == out
    for i, _ in enumerate(yaml.safe_load(out)["指标"]):
        order = [k for k in keys_in_order(out, ("指标", i)) if k != "未知"]
        assert order == [k for k in FIELDS if k in order]


# ---- the command -------------------------------------------------------------------------------


MESSY = "名称: 示例\n类型: 项目支出绩效自评表  # 类型\n"
TIDY = "类型: 项目支出绩效自评表  # 类型\n名称: 示例\n"


def test_check_lists_files_that_would_change_and_writes_nothing(tmp_path):
    messy, tidy = tmp_path / "messy.yaml", tmp_path / "tidy.yaml"
    messy.write_text(MESSY, encoding="utf-8")
    tidy.write_text(TIDY, encoding="utf-8")
    result = run("--check", tmp_path)
    assert result.exit_code == 1
    assert str(messy) in result.output and str(tidy) not in result.output
    assert messy.read_text(encoding="utf-8") == MESSY
    assert run("--check", tidy).exit_code == 0


def test_fmt_rewrites_then_check_passes(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(MESSY, encoding="utf-8")
    result = run(path)
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == TIDY
    assert "已统一格式" in result.output
    assert run("--check", path).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]  # no temporary file left


def test_default_path_is_data(tmp_path, monkeypatch):
    (tmp_path / "data" / "2024").mkdir(parents=True)
    (tmp_path / "data" / "2024" / "a.yaml").write_text(MESSY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("--check").exit_code == 1
    assert run().exit_code == 0
    assert (tmp_path / "data" / "2024" / "a.yaml").read_text(encoding="utf-8") == TIDY


def test_missing_path_or_a_file_that_is_not_yaml_is_a_usage_error(tmp_path):
    assert run(tmp_path / "nope").exit_code == 2
    page, data = tmp_path / "page.md", tmp_path / "a.yaml"
    page.write_text("# 标题\n\n一段\n文字\n", encoding="utf-8")  # YAML would read it as one string
    data.write_text(MESSY, encoding="utf-8")
    result = run(data, page)
    assert result.exit_code == 2 and "page.md" in result.output
    assert page.read_text(encoding="utf-8") == "# 标题\n\n一段\n文字\n"
    assert data.read_text(encoding="utf-8") == MESSY  # nothing touched


@pytest.mark.parametrize(
    "text, line",
    [
        ("类型: 项目支出绩效自评表\n指标: [1, 2\n名称: x\n", 3),
        ("类型: 项目支出绩效自评表\n名称: a\n名称: b\n", 3),
        ("类型: 项目支出绩效自评表\n指标:\n\t- 1\n", 3),
        ("a: &x 1\nb: *x\n", 1),
    ],
)
def test_invalid_yaml_is_left_untouched_with_a_located_message(tmp_path, text, line):
    bad, good = tmp_path / "bad.yaml", tmp_path / "good.yaml"
    bad.write_text(text, encoding="utf-8")
    good.write_text(MESSY, encoding="utf-8")
    result = run(tmp_path)
    assert result.exit_code == 1
    assert f"{bad}:{line}:" in result.output
    assert "文件未修改" in result.output
    message = result.output.split(f"{bad}:{line}:")[1].splitlines()[0]
    assert re.search(r"[\u4e00-\u9fff]", message) and not re.search(r"\b(expected|found|could not|did not)\b", message)
    assert bad.read_text(encoding="utf-8") == text
    assert good.read_text(encoding="utf-8") == TIDY  # the other files are still formatted


def test_line_endings_bom_and_final_newline_kept(tmp_path):
    crlf = tmp_path / "crlf.yaml"
    crlf.write_bytes("\ufeff# 说明\r\n名称: 示例\r\n类型: 项目支出绩效自评表".encode("utf-8"))
    assert run(crlf).exit_code == 0
    assert crlf.read_bytes() == "\ufeff# 说明\r\n类型: 项目支出绩效自评表\r\n名称: 示例\r\n".encode("utf-8")
    lf = tmp_path / "lf.yaml"
    lf.write_bytes(b"a: 1\n\n\n")
    assert run(lf).exit_code == 0
    assert lf.read_bytes() == b"a: 1\n"


def test_not_utf8_is_refused(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes("名称: 示例\n".encode("gbk"))
    result = run(path)
    assert result.exit_code == 1 and "UTF-8" in result.output and f"{path}:1:" in result.output
    assert path.read_bytes() == "名称: 示例\n".encode("gbk")


def test_a_result_that_would_change_the_data_is_never_written(tmp_path, monkeypatch):
    """The safety net: if formatting went wrong (here: a key dropped), the file stays as it was."""

    def broken(data, shape):
        data.pop("名称", None)

    monkeypatch.setattr(fmt_module, "_reorder", broken)
    path = tmp_path / "a.yaml"
    path.write_text(MESSY, encoding="utf-8")
    result = run(path)
    assert result.exit_code == 1 and "INTERNAL_ERROR" in result.output and "改变数据内容" in result.output
    assert path.read_text(encoding="utf-8") == MESSY
    with pytest.raises(FormatError):
        format_text(MESSY)


def test_a_failed_write_leaves_the_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "a.yaml"
    path.write_text(MESSY, encoding="utf-8")

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    result = run(path)
    assert result.exit_code == 1 and f"{path}" in result.output
    assert path.read_text(encoding="utf-8") == MESSY
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]


def test_permissions_kept(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(MESSY, encoding="utf-8")
    path.chmod(0o640)
    assert run(path).exit_code == 0
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# 只有注释\n",
        "a: |+\n  保留末尾空行\n\n",
        "- - 1\n  - 2\n- - 3\n",
        "a: {x: 1,  # 流式映射中的注释\n    y: 2}\nb: 1\n",
        "a: 这是\n  多行的普通文字\nb: 2021-12-31\nc: ~\nd:\ne: yes\n",
        "%YAML 1.1\n---\na: yes\n",
    ],
)
def test_unusual_yaml_is_formatted_without_loss(text):
    out = format_text(text)
    assert scalars(out) == scalars(text)
    assert_comments_kept(text, out)
    assert format_text(out) == out
