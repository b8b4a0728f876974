"""Red-team findings 5 and 10: a page's output stays within its limits, data cannot multiply
gongkai's tables, and any error in a page's template is a located PAGE_TEMPLATE problem.

- ``{{ 总分 ** 490000 }}`` printed a million digits (a Decimal's ``*`` and ``**`` were not
  size-checked) and a page made only of ``{{ … }}`` had no limit on its total output;
- the stash's placeholders were the guessable ``gkblock<N>x`` and were replaced everywhere,
  again and again (also inside blocks already put in), so an indicator named with n
  placeholders and a 更正 entry with n more made 2·n² summary boxes: 146 MB of HTML from a
  10 KB data file, passing ``gongkai check``;
- ``{{ 一级指标|dictsort }}`` (an AttributeError) ended the build with a traceback."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from gongkai.engine.pipeline import evaluate
from gongkai.render import sandbox
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.render.page import Compiled, PageError, Stash, page_problem, render
from gongkai.render.report_view import Links, ReportView
from sitebuild import make_project, mkdocs_build, sample_text

SAMPLE = ROOT / "data" / "2021" / "shenzhen-gsl" / "a02.yaml"
MD_ENV = markdown_environment(html_environment())
CJK = re.compile(r"[\u4e00-\u9fff]")
EXTENSIONS = ["toc", "attr_list", "md_in_html", "admonition", "tables"]


def context(path=SAMPLE, stash: Stash | None = None):
    result = evaluate(path)
    assert result.scored is not None, [p.human() for p in result.problems]
    view = ReportView(result.scored, html_environment(), stash or Stash(), Links())
    return view.context(), view.stash


def refused(page: str, ctx: dict | None = None) -> PageError:
    with pytest.raises(PageError) as info:
        render(Compiled(MD_ENV), page, ctx if ctx is not None else context()[0], "p.md")
    return info.value


# ---- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "总分 ** 490000",
        "总分 ** 600",
        "总分 ** -600",
        "(总分 ** 400) * (总分 ** 400)",
        "(2 ** 4000) * 总分",
        "总分 ** (10 ** 30)",
        "1 / (总分 ** -400) / (总分 ** -400)",
        "0.5 * 总分 ** 999",
    ],
)
def test_decimal_results_beyond_the_limit_are_refused(expression):
    start = time.monotonic()
    error = refused(f"# 标题\n\n{{{{ {expression} }}}}\n")
    assert time.monotonic() - start < 5
    assert error.line == 3 and CJK.search(str(error)) and "1000" in str(error), str(error)


def test_power_is_refused_before_it_is_computed(monkeypatch):
    """The size is estimated from the operands: Decimal.__pow__ is never called."""
    called = []

    class Watched(Decimal):
        def __pow__(self, other, modulo=None):
            called.append(other)
            return Decimal.__pow__(self, other, modulo)

    ctx = {**context()[0], "x": Watched("96.8")}
    refused("{{ x ** 490000 }}\n", ctx)
    assert called == []
    assert render(Compiled(MD_ENV), "{{ x ** 2 }}\n", ctx, "p.md") == "9370.24\n" and called == [2]


def test_ordinary_arithmetic_still_works():
    out = render(
        Compiled(MD_ENV),
        "{{ 总分 * 2 }} {{ 总分 ** 2 }} {{ 总分 / 4 }} {{ 总分 // 7 }} {{ 0 * 总分 }} {{ 2 ** 10 }}\n",
        context()[0],
        "p.md",
    )
    assert out == "193.6 9370.24 24.2 13 0.0 1024\n"  # 总分 is a02's filed 96.8


# ---- a whole page's output --------------------------------------------------------------------


def test_an_expression_only_page_is_limited_as_a_whole():
    line = '{{ "a" * 999999 }}'
    page = "\n".join([line] * 12) + "\n"
    start = time.monotonic()
    error = refused(page)
    assert time.monotonic() - start < 10
    assert "超过" in str(error) and str(sandbox.MAX_OUTPUT) in str(error)
    assert error.line == 11  # the expression that went over
    assert len(render(Compiled(MD_ENV), "\n".join([line] * 9) + "\n", context()[0], "p.md")) < sandbox.MAX_OUTPUT


# ---- the stash ----------------------------------------------------------------------------------


def hostile_data(tmp_path, n: int):
    """The sample with n placeholders (old style and this stash's own style guessed) in an
    indicator's name and n more in a 更正 entry: the repro of finding 5b."""
    text = SAMPLE.read_text(encoding="utf-8")
    names = " ".join(["gkblock1x", "gkblock0000000000000000n1x"] * (n // 2))
    fixes = " ".join(["gkblock0x", "gkblock0000000000000000n0x"] * (n // 2))
    text = text.replace("{名称: 开展信息员培训次数,", '{名称: "' + names + '",', 1)
    text = text.rstrip("\n") + '\n更正:\n  - "' + fixes + '"\n'
    path = tmp_path / "a02.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def rendered_page(ctx: dict, stash: Stash, page: str) -> str:
    body = render(Compiled(MD_ENV), page, ctx, "p.md")
    html = markdown.markdown(body, extensions=EXTENSIONS)
    return stash.fill(stash.search_view(html))


def test_placeholders_in_data_do_not_multiply_blocks(tmp_path):
    ctx, stash = context(hostile_data(tmp_path, 300))
    page = "{{ 概要() }}\n\n{{ 自评表() }}\n\n{{ 更正说明() }}\n\n{{ 计分说明() }}\n"
    start = time.monotonic()
    out = rendered_page(ctx, stash, page)
    assert time.monotonic() - start < 10
    assert out.count('class="gk-summary-box') == 1
    assert len(out) < 1_000_000, len(out)
    assert "gkblock1x gkblock" in out  # the data's text is shown as text
    assert stash.token not in out  # no placeholder of this stash is left


def test_placeholders_are_random_and_never_reach_the_output():
    one, two = Stash(), Stash()
    assert one.token != two.token and len(one.token) == 16
    key = str(one.put("<b>x</b>")).strip()
    assert re.fullmatch(r"gkblock[0-9a-f]{16}n0x", key)
    assert one.fill(f"<p>{key}</p> <span title=\"{key}\">t</span> {key}") == '<b>x</b> <span title="">t</span> '


def test_fill_is_one_pass_and_each_block_is_used_once():
    stash = Stash()
    first = str(stash.put("<i>one</i>")).strip()
    # a block whose HTML names the next placeholder, and itself: never expanded again
    guessed = first.replace("n0x", "n1x")
    second = str(stash.put(f"<div>{guessed} {guessed}</div>")).strip()
    assert guessed == second and stash.blocks[1][1] == "<div> </div>"
    page = f"<p>{first}</p><p>{first}</p>" + f"<p>{second}</p>" * 1000
    out = stash.fill(page)
    assert out == "<i>one</i><div> </div>"


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.integers(min_value=0, max_value=15), max_size=30), blocks=st.integers(0, 3))
def test_filling_placeholder_by_placeholder_is_filling_the_whole_page(pieces, blocks):
    """fill and search_view search the page only from each placeholder (and the ``<`` before it):
    the result is that of the pattern run over the whole page, whatever surrounds the placeholders."""
    stash = Stash()
    keys = [str(stash.put(f"<table>{i}</table>", f"词{i}")).strip() for i in range(blocks)]
    words = ["<p>", "</p>", "<div>", "</div>", "<", ">", "文", " ", "<em>", stash.prefix + stash.token, 'x="', '"']
    for key in keys:
        words += [key, f"<p>{key}</p>", f'<a href="{key}">', stash._slot(key)]
    page = "".join(words[i % len(words)] for i in pieces)
    for method in (stash.fill, stash.search_view):
        new = method(page)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(stash, "_substitute", lambda replace, html: stash._places.sub(replace, html))
            assert new == method(page)


def test_nested_blocks_are_filled_once_and_searchable():
    stash = Stash()
    inner = stash.put("<table><td>会刊设计制作期数</td></table>", "会刊设计制作期数")
    outer = stash.put(f"<div>{inner}{inner}</div>", "外")
    assert stash.blocks[1][1].count("<table>") == 1  # put in once, when the outer block was stashed
    html = f"<p>{str(outer).strip()}</p><p>{str(inner).strip()}</p>"
    view = stash.search_view(html)
    assert "外 会刊设计制作期数" in view and "<table>" not in view
    out = stash.fill(view)
    assert out.count("<table>") == 1 and stash.token not in out and "gk-slot" not in out


def test_a_page_repeating_a_block_gets_it_once():
    ctx, stash = context()
    page = "{% set t = 自评表() %}{% for i in 'x' * 1000 %}{{ t }}{% endfor %}\n"
    out = rendered_page(ctx, stash, page)
    assert out.count("<table") == stash.blocks[-1][1].count("<table") and stash.token not in out


def test_blocks_of_one_page_are_limited(monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_OUTPUT", 200_000)
    error = refused("{% for i in 'x' * 200 %}{{ 自评表() }}{% endfor %}\n")
    assert "超过 200000 个字符" in str(error) and CJK.search(str(error))


def test_built_site_with_placeholders_in_data_stays_small(tmp_path):
    """Finding 5b as it was found: data only (a generated page), a real build."""
    hostile = hostile_data(tmp_path, 300).read_text(encoding="utf-8")
    project = make_project(tmp_path / "p", {"data/2021/dept/a.yaml": hostile})
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    pages = [p for p in (tmp_path / "site" / "2021").rglob("index.html")]
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert len(text) < 2_000_000, (page, len(text))
        assert text.count('class="gk-summary-box') <= 1


# ---- finding 10: any error in a page is PAGE_TEMPLATE --------------------------------------------


@pytest.mark.parametrize("statements", [False, True], ids=["expression", "template"])
@pytest.mark.parametrize("probe", ["{{ 一级指标|dictsort }}", "{{ 一级指标|items|list }}", "{{ boom() }}"])
def test_any_error_in_a_page_is_a_located_page_template_problem(probe, statements):
    ctx = context()[0]

    def boom():
        raise RuntimeError("内部出错")

    ctx["boom"] = boom
    page = f"# 标题\n\n{{% if 1 %}}\n{probe}\n{{% endif %}}\n" if statements else f"# 标题\n\n正文\n{probe}\n"
    error = refused(page, ctx)
    assert error.line == 4, (probe, error.line, str(error))
    found = page_problem("content/p.md", error)
    assert found.code == "PAGE_TEMPLATE" and found.line == 4 and CJK.search(found.message), found.human()
    assert "Traceback" not in found.human()


def test_an_interrupt_is_not_swallowed():
    def stop():
        raise KeyboardInterrupt

    ctx = {**context()[0], "stop": stop}
    with pytest.raises(KeyboardInterrupt):
        render(Compiled(MD_ENV), "{{ stop() }}\n", ctx, "p.md")


def test_build_reports_dictsort_on_a_list_without_a_traceback(tmp_path):
    page = "---\n数据: data/2021/dept/a.yaml\n---\n# 报告\n\n{{ 一级指标|dictsort }}\n"
    project = make_project(tmp_path / "p", {"data/2021/dept/a.yaml": sample_text()}, {"2021/dept/a.md": page})
    result = mkdocs_build(project, tmp_path / "site")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    assert re.search(r"content/2021/dept/a\.md:6: PAGE_TEMPLATE", output), output[-3000:]
