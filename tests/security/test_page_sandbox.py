"""Issue 11, class 1 and raw HTML: a page's template and HTML are data, never code.

Every Jinja gadget an attacker would try is refused with a located PAGE_TEMPLATE error (no
traceback, no command run), through the page renderer and through real ``mkdocs build``s
and the PDF renderer; the documented data and functions keep working; runaway templates
stop within limits. Raw HTML that could run script or reach anything outside the build is
removed from the site and the print HTML, with located PAGE_HTML warnings, while what
Markdown and its extensions write (admonitions, footnotes, tables, anchors) survives."""

from __future__ import annotations

import re
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest

from conftest import ROOT
from gongkai.engine.pipeline import evaluate
from gongkai.pdf.printhtml import PrintRenderer
from gongkai.render import rawhtml
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.render.page import Compiled, PageError, Stash, page_problem, render
from gongkai.render.report_view import ReportView
from gongkai.site import catalog as catalog_module
from gongkai.site.config import load_site
from sitebuild import MKDOCS, article, make_project, mkdocs_build, quiet_env, sample_text

SAMPLE = ROOT / "data" / "2021" / "shenzhen-gsl" / "a02.yaml"
MD_ENV = markdown_environment(html_environment())
CJK = re.compile(r"[\u4e00-\u9fff]")
PAGE_URI = "2021/test-dept/x.md"
DATA_URI = "data/2021/test-dept/x.yaml"

# {marker}: a file that a gadget which really ran would create.
GADGETS = [
    '{{ lipsum.__globals__["os"].popen("touch {marker}").read() }}',
    '{{ lipsum.__globals__.__builtins__.open("/etc/passwd").read() }}',
    "{{ cycler.__init__.__globals__.os.popen('touch {marker}') }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ self }}",
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__base__.__subclasses__() }}",
    "{{ 总分.__class__ }}",
    "{{ 总分.as_integer_ratio.__self__.__class__ }}",
    "{{ 指标表.__self__ }}",
    "{{ 指标表.__func__.__globals__ }}",
    "{{ 下载链接.__globals__ }}",
    "{{ 资金.items.__self__ }}",
    "{{ 名称.__class__.__mro__[1].__subclasses__() }}",
    "{{ config }}",
    "{{ request }}",
    "{{ range.__self__ }}",
    "{{ 总分 | attr('__class__') }}",
    "{{ 一级指标 | map(attribute='__class__') | list }}",
    "{{ 一级指标 | sort(attribute='__class__') }}",
    "{{ '{0.__class__}'.format(总分) }}",
    "{{ '{x.__class__}'.format_map({'x': 总分}) }}",
    "{{ '%s' % 总分 }}",
    "{{ '%(a)s' % 资金 }}",
    "{{ 名称.ljust(1000000000) }}",
    "{{ 总分.__reduce_ex__(2) }}",
    "{{ 指标表 }}",
    "{% set x = 总分.__class__ %}{{ x }}",
    "{% set g = lipsum.__globals__ %}{{ g.os.popen('touch {marker}') }}",
    '{% include "/etc/passwd" %}',
    '{% include "indicator_table.html" %}',
    '{% import "macros.html" as m %}',
    '{% from "macros.html" import row %}',
    '{% extends "base.html" %}',
]

# Runaway templates: each stops quickly with a located error.
LIMITS = [
    '{{ "x" * 10**9 }}',
    "{{ [1, 2] * 10**9 }}",
    "{{ 2 ** (10 ** 6) }}",
    "{{ 7 ** 5000 * 7 ** 5000 }}",
    "{% for i in range(10**9) %}{% endfor %}",
    "{% for i in [1] * 100000 %}{% for j in [1] * 100000 %}{% endfor %}{% endfor %}",
    "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "{% macro t(n) %}{% if n %}{{ t(n - 1) }}{{ t(n - 1) }}{% endif %}{% endmacro %}{{ t(60) }}",
    (
        "{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% else %}{{ s | length }}{% endif %}{% endmacro %}"
        '{{ d("x", 40) }}'
    ),
    '{% set a = ["x" * 500000, "x" * 500000] %}{% set b = [a, a] %}{% set c = [b, b] %}{{ c }}',
    '{{ ("x" * 100000) | replace("x", "y" * 1000) }}',
    '{{ ("x" * 10000) | join("y" * 1000) }}',
    '{{ "%999999999d" % 1 }}',
    '{{ "x" | center(1000000000) }}',
    '{{ "x" | indent(1000000000, true) }}',
    "{{ ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((" * 40
    + "1"
    + "))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))" * 40
    + " }}",
]

LINE = 5  # the line of the page that holds the probe (see _page)


def _page(probe: str, statements: bool) -> str:
    """A page with ``probe`` on line 5, in the expression-only path or in a full template."""
    if statements:
        return f"# 标题\n\n{{% if 1 %}}\n\n{probe}\n\n{{% endif %}}\n"
    return f"# 标题\n\n第一段，总分 {{{{ 总分 }}}}。\n\n{probe}\n\n末段。\n"


def _context():
    view = ReportView(evaluate(SAMPLE).scored, html_environment(), Stash())
    return view.context(), view.stash


def _refused(probe: str, statements: bool, marker: Path) -> PageError:
    context, _ = _context()
    with pytest.raises(PageError) as info:
        render(MD_ENV, _page(probe.replace("{marker}", str(marker)), statements), context, "p.md")
    return info.value


# ---- the page renderer -------------------------------------------------------------------------


@pytest.mark.parametrize("statements", [False, True], ids=["expression", "template"])
@pytest.mark.parametrize("gadget", GADGETS)
def test_gadget_is_refused_with_a_located_error(gadget, statements, tmp_path):
    marker = tmp_path / "pwned"
    error = _refused(gadget, statements, marker)
    assert error.line == LINE, f"{gadget}: 应指出第 {LINE} 行，实为 {error.line}：{error}"
    assert CJK.search(str(error)) and "Traceback" not in str(error), str(error)
    found = page_problem("content/p.md", error)
    assert found.code == "PAGE_TEMPLATE" and found.human().startswith(f"content/p.md:{LINE}: PAGE_TEMPLATE [错误]")
    assert not marker.exists(), "页面模板不应能运行命令"


@pytest.mark.parametrize("probe", LIMITS)
def test_runaway_template_stops_quickly_with_a_located_error(probe, tmp_path):
    start = time.monotonic()
    error = _refused(probe, "{%" in probe, tmp_path / "unused")
    assert time.monotonic() - start < 20, f"{probe[:60]}: 用时过长"
    assert error.line == LINE and CJK.search(str(error)), f"{probe[:60]}: {error.line} {error}"


@pytest.mark.parametrize(
    "probe,refusal",
    [
        ("{{ 总分.__class__ }}", "页面模板不允许访问“__class__”"),
        ('{% include "/etc/passwd" %}', "页面模板不能使用 {% include %}"),
        ("{{ self }}", "页面模板不能使用“self”"),
        ("{{ '%s' % 总分 }}", "不允许用 % 格式化文字"),
        ('{{ "x" * 10**9 }}', "过大"),
        ("{% for i in [1] * 100000 %}{% for j in [1] * 100000 %}{% endfor %}{% endfor %}", "超过 20000 次"),
        ("{{ lipsum }}", "“lipsum”未定义"),
        ("{{ 名称 | center(80) }}", "不能使用过滤器“center”"),
    ],
)
def test_refusals_say_what_was_refused_in_chinese(probe, refusal, tmp_path):
    assert refusal in str(_refused(probe, "{%" in probe, tmp_path / "unused"))


DOCUMENTED = """# {{ 名称 }}

总分 {{ 总分 }}，满分 {{ 满分 }}，等级 {{ 等级 }}，执行率 {{ 资金.执行率 | 百分比 }}，\
预算 {{ 资金.全年预算数 | 金额 }}。
会刊 {{ 指标("会刊设计制作期数").得分 }} 分，\
{{ 指标("产出指标/数量指标/会刊设计制作期数").分值 | 分数 }} 分。
一级指标 {{ 一级指标 | length }} 项，二级 {{ 一级指标 | map(attribute="下级") | map("length") | sum }} 项，\
三级 {{ 一级指标 | map(attribute="下级") | sum(start=[]) \
| map(attribute="下级") | map("length") | sum }} 项。
{% set 产出 = 指标("产出指标") %}\
{% macro 得(名) %}{{ 指标(名).得分 | 分数 }}{% endmacro %}产出 {{ 得("产出指标") }}/{{ 产出.分值 | 分数 }}。
{% for top in 一级指标 %}{{ loop.index }}.{{ top.名称 }}{{ loop.cycle("；", "。") }}{% endfor %}
{{ 报告.items() | list | length }} {{ 名称.strip() | upper }} {{ "a" ~ 总分 }} \
{{ 2 ** 10 }} {{ 10 % 3 }} {{ ["甲", "乙"] | join("、") }}

{{ 指标表() }}
"""


def test_documented_data_and_functions_still_work():
    context, stash = _context()
    out = render(Compiled(MD_ENV), DOCUMENTED, context, "p.md")
    assert "# 工商联系统宣传教育" in out
    assert "总分 96.8，" in out and "执行率 97.83%" in out and "预算 75.60 万元" in out
    assert "会刊 1 分，2 分" in out
    assert "一级指标 2 项，二级 6 项，三级 16 项" in out
    assert "1.产出指标；2.效益指标。" in out and "a96.8 1024 1" in out and "甲、乙" in out
    assert re.search(r"^gkblock[0-9a-f]{16}n\d+x$", out, re.M) and "gk-table" in stash.fill(out)


def test_maintainer_templates_are_not_sandboxed():
    """templates/ is maintainers' code: the html environment keeps includes and globals."""
    env = html_environment()
    assert "range" in env.globals and env.loader is not None
    assert env.from_string('{% import "macros.html" as m %}{{ range(3) | list }}').render() == "[0, 1, 2]"


# ---- real builds ----------------------------------------------------------------------------------

BUILD_GADGETS = [
    '{{ lipsum.__globals__["os"].popen("touch {marker}").read() }}',
    "{{ 指标表.__self__ }}",
    '{% include "/etc/passwd" %}',
    '{{ "x" * 10**9 }}',
]


def _front(body: str) -> str:
    return f"---\n数据: {DATA_URI}\n---\n\n{body}"


@pytest.mark.parametrize("gadget", BUILD_GADGETS)
def test_mkdocs_build_refuses_the_gadget_with_file_and_line(gadget, tmp_path):
    marker = tmp_path / "pwned"
    body = _page(gadget.replace("{marker}", str(marker)), "{%" in gadget)
    project = make_project(tmp_path / "project", {DATA_URI: sample_text()}, {PAGE_URI: _front(body)})
    proc = mkdocs_build(project, project / "out")
    assert proc.returncode != 0, "含有攻击代码的页面不应生成网站"
    line = LINE + 4  # front matter and the blank line after it
    assert re.search(rf"x\.md:{line}: PAGE_TEMPLATE \[错误\]", proc.stderr), proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert not marker.exists(), "mkdocs build 不应运行页面中的命令"


def test_pdf_renderer_refuses_the_gadget(tmp_path):
    marker = tmp_path / "pwned"
    body = _page(BUILD_GADGETS[0].replace("{marker}", str(marker)), False)
    project = make_project(tmp_path / "project", {DATA_URI: sample_text()}, {PAGE_URI: _front(body)})
    renderer, entry = _print_renderer(project)
    with pytest.raises(PageError) as info:
        renderer.body(entry)
    # the body's line: the PDF renderer reads the page without its front matter
    assert info.value.line == LINE + 1 and "“lipsum”未定义" in str(info.value)
    assert not marker.exists(), "PDF 的排版不应运行页面中的命令"


def _print_renderer(project: Path):
    site = load_site(project)  # mkdocs.yml as MkDocs reads it: docs_dir, Markdown extensions
    catalog = catalog_module.build(site.project)
    html_env = html_environment(project)
    renderer = PrintRenderer.for_catalog(site.project, catalog, html_env, markdown_environment(html_env), site.markdown)
    entry = next(e for e in catalog.entries if e.page.src_uri == PAGE_URI)
    return renderer, entry


# ---- raw HTML -------------------------------------------------------------------------------------

HOSTILE = [
    '<script>document.title = "gk-pwned"</script>',
    '<img src="ok.png" onerror="gkpwn()">',
    "[点我](javascript:gkpwn())",
    '<a href="JaVaScRiPt:gkpwn()">链接</a>',
    '<a href="vbscript:gkpwn()">链接</a>',
    '<img src="file:///etc/passwd">',
    '<img src="http://gk-evil.invalid/x.png">',
    '<img src="//gk-evil.invalid/x.png">',
    '<img src="/etc/passwd">',
    '<img src="../../../../../../etc/passwd">',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    '<iframe src="https://gk-evil.invalid/frame">框架</iframe>',
    '<link rel="stylesheet" href="http://gk-evil.invalid/a.css">',
    '<object data="file:///etc/passwd">后备</object>',
    '<embed src="https://gk-evil.invalid/x.swf">',
    '<svg><image href="file:///etc/passwd"/></svg>',
    '<a rel="attachment" href="/etc/passwd">附件</a>',
    '<form action="https://gk-evil.invalid/post"><input name="q"></form>',
    '<meta http-equiv="refresh" content="0;url=https://gk-evil.invalid/">',
    '<base href="https://gk-evil.invalid/">',
    '<div style="background: url(https://gk-evil.invalid/bg.png)">背景</div>',
    '<style>body { background: url(https://gk-evil.invalid/s.png) }</style>',
    "点这里\n{: onclick=\"gkpwn()\" }",
]
# None of these may be left in the cleaned HTML of the page.
FORBIDDEN = re.compile(
    r"<script|<iframe|<object|<embed|<svg|<form|<input|<meta|<base|<link|<style|onerror|onclick|"
    r"javascript:|vbscript:|file:|data:image|gk-evil\.invalid|etc/passwd|gk-pwned|gkpwn|attachment|style=\"background",
    re.I,
)

LEGIT = """## 合法的排版 {#legit .gk-wide}

!!! note "提示"
    这是提示框。

正文有脚注[^1]，也有[外部链接](https://example.org/ok)、[邮件](mailto:a@example.org)和[站内链接](../../index.md)。

| 左 | 右 |
|:--|--:|
| 1 | 2 |

<details class="gk-indicator-system" markdown="1">
<summary>指标体系</summary>

<table><tr><td colspan="2" rowspan="1" align="center">合并</td></tr></table>

</details>

<div class="gk-note" id="note-1" title="说明"><span class="x">版式</span><br><sup>上</sup><sub>下</sub></div>

<figure><img src="pic.png" alt="示意图"><figcaption>图一</figcaption></figure>

[^1]: 脚注内容。

{{ 指标表() }}
"""


def _hostile_page() -> str:
    return "# 原始 HTML\n\n" + "\n\n".join(HOSTILE) + "\n\n" + LEGIT


def _converted(text: str) -> str:
    extensions = ["admonition", "attr_list", "md_in_html", "footnotes", "tables", "toc", "fenced_code"]
    return markdown.markdown(text, extensions=extensions, extension_configs={"toc": {"permalink": True}})


@pytest.mark.parametrize("snippet", HOSTILE)
def test_hostile_html_is_removed_and_named(snippet):
    html = _converted(f"前文\n\n{snippet}\n\n后文\n")
    cleaned, problems = rawhtml.clean_page(html, "p.md", "2021/test-dept/x")
    assert not FORBIDDEN.search(cleaned), cleaned
    assert "前文" in cleaned and "后文" in cleaned
    assert problems and all(p.code == "PAGE_HTML" and p.severity == "warning" for p in problems)


def test_markdown_extensions_output_survives_cleaning():
    html = _converted(LEGIT.replace("{{ 指标表() }}", "gkblock0x"))
    cleaned, problems = rawhtml.clean_page(html, "p.md", "2021/test-dept/x")
    assert problems == [], [p.human() for p in problems]
    _assert_legit(cleaned)
    assert "<p>gkblock0x</p>" in cleaned, "gongkai 的占位段落应原样保留"


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def _has(html: str, tag: str, **attrs) -> bool:
    """Whether ``html`` has a ``tag`` with (at least) these attributes, in any order."""
    parser = _Elements()
    parser.feed(html)
    wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
    return any(t == tag and all(a.get(k) == v for k, v in wanted.items()) for t, a in parser.found)


def _assert_legit(html: str, picture: str = "pic.png") -> None:
    """What Markdown, its extensions and allowed layout HTML write is all still there."""
    expected = [
        ("h2", {"id": "legit", "class_": "gk-wide"}),  # attr_list
        ("a", {"class_": "headerlink", "href": "#legit"}),  # toc permalink
        ("div", {"class_": "admonition note"}),
        ("p", {"class_": "admonition-title"}),
        ("a", {"class_": "footnote-ref", "href": "#fn:1"}),
        ("li", {"id": "fn:1"}),
        ("a", {"class_": "footnote-backref", "href": "#fnref:1"}),
        ("th", {"style": "text-align: right;"}),
        ("td", {"colspan": "2", "rowspan": "1", "align": "center"}),
        ("details", {"class_": "gk-indicator-system"}),
        ("summary", {}),
        ("a", {"href": "https://example.org/ok"}),
        ("a", {"href": "mailto:a@example.org"}),
        ("img", {"src": picture, "alt": "示意图"}),
        ("figcaption", {}),
        ("div", {"class_": "gk-note", "id": "note-1", "title": "说明"}),
        ("sup", {}),
    ]
    missing = [(tag, attrs) for tag, attrs in expected if not _has(html, tag, **attrs)]
    assert not missing, f"清理后缺少：{missing}"


@pytest.mark.parametrize(
    "url,base,inside",
    [
        ("pic.png", "2021/t/x", True),
        ("../../img/a.png", "2021/t/x", True),
        ("../../../img/a.png", "2021/t/x", True),
        ("../../../../img/a.png", "2021/t/x", False),
        ("%2e%2e/%2e%2e/%2e%2e/%2e%2e/x.png", "2021/t/x", False),
        ("..\\..\\..\\..\\x.png", "2021/t/x", False),
        ("/img/a.png", "2021/t/x", False),
        ("//host/a.png", "", False),
        ("https://host/a.png", "", False),
        (" java\tscript:x", "", False),
    ],
)
def test_resources_stay_inside_the_site(url, base, inside):
    assert (rawhtml.refusal("img", "src", url, base) is None) == inside


def test_page_folder():
    assert rawhtml.page_folder("2021/t/x/") == "2021/t/x"
    assert rawhtml.page_folder("") == "" and rawhtml.page_folder("a/b.html") == "a"


def _html_project(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "project", {DATA_URI: sample_text()}, {PAGE_URI: _front(_hostile_page())})
    yml = project / "mkdocs.yml"
    yml.write_text(
        yml.read_text(encoding="utf-8").replace("  - toc\n", "  - footnotes\n  - toc:\n      permalink: true\n"),
        encoding="utf-8",
    )
    return project


def _mkdocs(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = quiet_env()
    env["GONGKAI_PDF"] = "0"
    return subprocess.run(
        [str(MKDOCS), "build", *args], cwd=project, capture_output=True, text=True, timeout=300, env=env
    )


def test_site_removes_hostile_html_warns_with_lines_and_keeps_layout(tmp_path):
    project = _html_project(tmp_path)
    proc = _mkdocs(project, "-d", str(project / "out"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    body = article((project / "out/2021/test-dept/x/index.html").read_text(encoding="utf-8"))
    assert not FORBIDDEN.search(body), FORBIDDEN.search(body)
    _assert_legit(body)
    assert 'class="gk-table' in body and "data-gk=" in body, "gongkai 自己的表格不经清理，应完整保留"
    source = (project / "content" / PAGE_URI).read_text(encoding="utf-8").splitlines()
    script_line = next(i for i, text in enumerate(source, 1) if "<script>" in text)
    assert re.search(
        rf"x\.md:{script_line}: PAGE_HTML \[警告\] 页面中不允许的 HTML 已删除：<script> 标签", proc.stderr
    ), proc.stderr[-3000:]
    assert "<img> 的 onerror 属性" in proc.stderr and "<a> 的 rel 属性" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_strict_build_fails_on_removed_html(tmp_path):
    project = _html_project(tmp_path)
    proc = _mkdocs(project, "--strict", "-d", str(project / "out"))
    assert proc.returncode != 0 and "PAGE_HTML" in proc.stderr, proc.stderr[-3000:]


MARKER = re.compile(r'<img src="refused:([^"]*)" alt="">')
# What a PDF renderer would have read: each stays only as an inert refused: reference, which
# the PDF sandbox refuses, so the report's PDF fails naming it (as tests/test_pdf.py checks).
FETCHED = {
    "file:///etc/passwd",
    "http://gk-evil.invalid/x.png",
    "//gk-evil.invalid/x.png",
    "/etc/passwd",
    "../../../../../../etc/passwd",
    "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
    "https://gk-evil.invalid/frame",
    "http://gk-evil.invalid/a.css",
    "https://gk-evil.invalid/x.swf",
    "https://gk-evil.invalid/bg.png",
    "https://gk-evil.invalid/s.png",
}


def test_print_html_removes_hostile_html_and_keeps_layout(tmp_path):
    project = _html_project(tmp_path)
    renderer, entry = _print_renderer(project)
    body = renderer.body(entry)
    assert set(MARKER.findall(body)) == FETCHED
    inert = MARKER.sub("", body)
    assert not FORBIDDEN.search(inert), FORBIDDEN.search(inert)
    _assert_legit(body, picture="2021/test-dept/pic.png")  # print HTML refers from the docs root
    assert 'class="gk-table' in body and "data-gk=" in body
    assert 'rel="attachment"' not in renderer.report(entry).split("<body", 1)[1]


def test_print_html_of_a_clean_page_has_no_refused_reference():
    html = _converted(LEGIT.replace("{{ 指标表() }}", "gkblock0x"))
    assert rawhtml.clean_for_print(html, "2021/test-dept") == rawhtml.clean(html, "2021/test-dept")


def test_every_page_filter_is_documented():
    from gongkai.render.sandbox import page_environment

    site = (ROOT / "content" / "guide" / "site.md").read_text(encoding="utf-8")
    section = site.split("## 页面里的模板与 HTML（安全）", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in page_environment(MD_ENV).filters if f"`{name}`" not in site]
    assert section and not missing, missing


@pytest.mark.parametrize(
    "text,expected",
    [
        ("{% call(x) 甲() %}[{{ x }}]{% endcall %}", "<[1]>"),
        ("{% filter upper %}abc{% endfilter %}", "ABC"),
        ("{% with y = 2 %}{{ y * 3 }}{% endwith %}", "6"),
        ("{% for a, b in [(1, 2)] %}{{ a + b }}{% endfor %}", "3"),
        ("{{ {'k': 1}.get('k') }} {{ [3, 1] | sort | first }} {{ 未填写 | d('空') }}", "1 1 空"),
    ],
)
def test_statements_the_guide_lists_work(text, expected):
    source = "{% macro 甲() %}<{{ caller(1) }}>{% endmacro %}" + text if "call" in text else text
    assert render(MD_ENV, source + "\n", {}, "p.md").replace("\\", "") == expected + "\n"
