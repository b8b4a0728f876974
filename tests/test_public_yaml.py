"""The published YAML of a report: its data file without the transcriber's comments, the data exact."""

from __future__ import annotations

import textwrap

import pytest

from conftest import ROOT
from gongkai.engine import yamlload
from gongkai.render.public_yaml import without_comments

pytestmark = pytest.mark.engine


def strip(text: str) -> str:
    return without_comments(textwrap.dedent(text).encode("utf-8")).decode("utf-8")


def test_comments_go_and_nothing_else_changes():
    source = """\
    # 种子 001 附件 2，按原样录入。
    类型: 项目支出绩效自评表   # 见 tests/fixtures/seed001
    名称: "会刊 #3 设计"
    说明: 第#1 期，'#' 照印
    资金:
      # 第 2 页
      全年预算数: 75.60  # 照印 75.60
      引号: '# 不是注释'
    正文: |
      第一行 # 块中的井号是文字
      # 这一行也是文字
    末尾: 1
    """
    expected = """\
    类型: 项目支出绩效自评表
    名称: "会刊 #3 设计"
    说明: 第#1 期，'#' 照印
    资金:
      全年预算数: 75.60
      引号: '# 不是注释'
    正文: |
      第一行 # 块中的井号是文字
      # 这一行也是文字
    末尾: 1
    """
    assert strip(source) == textwrap.dedent(expected)
    before = yamlload.load_text(textwrap.dedent(source)).value
    assert yamlload.load_text(strip(source)).value == before
    assert str(before["资金"]["全年预算数"]) == "75.60"  # the figure's own text, still


def test_a_file_without_comments_is_published_byte_for_byte():
    raw = "类型: 部门决算\r\n名称: 'a # b'\r\n".encode()
    assert without_comments(raw) is raw
    bom = "\ufeff类型: 部门决算  # x\n".encode()
    assert without_comments(bom) == "\ufeff类型: 部门决算\n".encode()


def test_an_unreadable_file_is_published_as_it_is():
    for raw in (b"\xff\xfe# not utf-8", "键: [未闭合 # x\n".encode()):
        assert without_comments(raw) is raw


def test_every_example_data_file_loses_its_comments_and_keeps_its_data():
    files = sorted((ROOT / "data").rglob("*.yaml"))
    assert files
    commented = 0
    for path in files:
        raw = path.read_bytes()
        public = without_comments(raw)
        commented += public != raw
        assert not [line for line in public.decode("utf-8-sig").splitlines() if line.lstrip().startswith("#")], path
        assert yamlload.load_bytes(public, "p").value == yamlload.load_bytes(raw, "r").value, path
    assert commented > len(files) // 2


def test_the_site_publishes_and_attaches_the_stripped_file(tmp_path):
    from gongkai.engine.project import Project
    from gongkai.site import catalog as catalog_module

    catalog = catalog_module.build(Project.load(ROOT), downloads=("yaml",))
    entry = next(e for e in catalog.entries if e.page.data.endswith("a02.yaml"))
    raw = (ROOT / entry.page.data).read_bytes()
    assert raw.startswith(b"#") and entry.downloads["yaml"] == without_comments(raw)
