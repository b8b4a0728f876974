"""Every field a user enters appears on the report's page (and so in its PDF, printed from the
same HTML), or the guide (照印发文件录入, “页面上显示什么”) says where and why not.

For every performance report in data/, the seed fixtures and the public corpus, each scalar
of the YAML as entered must appear in the text of the report's tables (``报告表格()``) and
its 概要: text as written (spaces aside), a number in its exact decimal text. The keys left
out are listed in ``NOT_ON_THE_PAGE`` with the reason the guide gives."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from gongkai.engine.pipeline import evaluate
from gongkai.engine.yamlload import load_bytes
from gongkai.render.environment import html_environment
from gongkai.render.report_view import ReportView

pytestmark = pytest.mark.engine

GUIDE = ROOT / "content" / "guide" / "transcribing.md"

# key → why it is not on the page (the guide's section “页面上显示什么” says the same)
NOT_ON_THE_PAGE = {
    "原文": "印出的数字与计算一致时不另外显示；不一致时在核对说明中",
    "方法": "评分方法的输入，体现在计分说明的算式中",
    "档次": "评分方法的输入，体现在计分说明的算式中",
    "要点": "评分方法的输入，体现在计分说明的算式中",
    "扣分": "评分方法的输入，体现在计分说明的算式中",
    "等级": "评分方法的输入，体现在计分说明的算式中",
    "季度进度": "评分方法的输入，画在进度图中",
    "变体": "评分方法的输入，体现在计分说明的算式中",
    "基准": "评分方法的输入，体现在计分说明的算式中",
}


def report_files() -> list[Path]:
    files = [p for p in (ROOT / "data").rglob("*.yaml") if "rulesets" not in p.parts]
    files += [p for p in FIXTURES.glob("seed*/*.yaml")]
    files += [p for p in sorted((FIXTURES / "public").glob("*/data.yaml")) if p.parent.name not in UNPUBLISHABLE]
    out = []
    for path in sorted(set(files)):
        head = path.read_text(encoding="utf-8")
        if "类型: 部门决算" in head or not head.lstrip().startswith(("#", "类型")) or "类型:" not in head:
            continue
        out.append(path)
    return out


def page_text(path: Path) -> str:
    result = evaluate(path)
    assert result.scored is not None, [p.human() for p in result.problems]
    view = ReportView(result.scored, html_environment())
    stash = view.stash
    blocks = [view.summary_box(), view.all_tables()]
    rendered = "".join(stash.fill(str(block)) for block in blocks)
    text = html.unescape(re.sub(r"<[^>]+>", " ", rendered))
    return re.sub(r"\s+", "", text).replace(",", "")


def entered(value, path=()):
    """(path, scalar) of every value written in the file, except under NOT_ON_THE_PAGE keys."""
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key) in NOT_ON_THE_PAGE:
                continue
            yield from entered(item, (*path, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from entered(item, (*path, i))
    elif value is not None and not isinstance(value, bool):
        yield path, value


YES = {"是", "对", "true", "yes", "y", "满足", "符合", "√", "✓"}


def as_shown(path: tuple, value) -> str:
    """What the page shows for a value: its exact text; 不适用: 是 shows as 不适用."""
    if path and path[-1] == "不适用" and str(value).strip().lower() in YES:
        return "不适用"
    text = f"{value:f}" if isinstance(value, Decimal) else str(value)
    return re.sub(r"\s+", "", text).replace(",", "")


# documents that cannot be published as they are (no 年度 or 部门 printed: see test_public_performance)
UNPUBLISHABLE = {"hunan-yueyang-glj-dept-self-eval-scores", "anhui-shouxian-2023-dept-performance-selfeval"}


@pytest.mark.parametrize("path", report_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_field_entered_is_on_the_page(path):
    loaded = load_bytes(path.read_bytes(), str(path))
    text = page_text(path)
    missing = [(p, v) for p, v in entered(loaded.value) if as_shown(p, v) not in text]
    assert not missing, missing[:10]


def test_the_fields_left_out_are_in_the_guide():
    guide = GUIDE.read_text(encoding="utf-8")
    section = guide.split("## 页面上显示什么", 1)[1]
    assert all(f"`{key}`" in section for key in NOT_ON_THE_PAGE)
