"""Red-team findings 2 and 6: a page's front matter.

Material prints ``page.meta`` values as raw HTML (``description`` and ``author`` in ``<meta>``,
``title`` in ``<title>`` and the header, ``subtitle`` and ``status`` in the navigation of every
page of the section; ``template`` picks the theme template), and MkDocs parses front matter with
PyYAML, which expands aliases. gongkai reads every page (every suffix MkDocs reads as a page)
whole before MkDocs does, with its own loader (no anchors, aliases or tags), and allows only the
documented keys: ``数据``, ``使用模板``, ``title`` (printed through ``safe_title``), ``hide``
(Material's words) and ``search: {exclude: …}``; anything else is a located PAGE_FRONT_MATTER
error. The theme sees only those keys (``published_meta``)."""

from __future__ import annotations

import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from gongkai.site.catalog import report_pages
from gongkai.site.frontmatter import (
    FRONT_MATTER,
    KEYS,
    MAX_PAGE_BYTES,
    MKDOCS_FRONT_MATTER,
    MKDOCS_META_LINE,
    allowed,
    check_text,
)
from gongkai.site.plugin import published_meta
from sitebuild import MKDOCS, make_project, quiet_env, sample_text

REPORT = "data/2021/t/x.yaml"


def build(project: Path, out: Path) -> subprocess.CompletedProcess:
    env = quiet_env()
    env["GONGKAI_PDF"] = "0"
    return subprocess.run(
        [str(MKDOCS), "build", "--strict", "-d", str(out)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def located(problems) -> list:
    return [(p.code, p.line) for p in problems]


# ---- the rule --------------------------------------------------------------------------------


def test_mkdocs_patterns_are_the_ones_copied():
    from mkdocs.utils import meta

    assert MKDOCS_FRONT_MATTER.pattern == meta.YAML_RE.pattern and MKDOCS_FRONT_MATTER.flags == meta.YAML_RE.flags
    assert MKDOCS_META_LINE.pattern == meta.META_RE.pattern


def test_documented_keys_pass():
    text = (
        "---\n数据: data/2021/t/x.yaml\n使用模板: true\ntitle: 报告\n"
        "hide:\n  - navigation\n  - toc\nsearch:\n  exclude: true\n---\n\n# 正文\n"
    )
    head = check_text(text, "content/p.md")
    assert head.problems == [] and head.meta["hide"] == ["navigation", "toc"] and head.body_line == 11
    assert set(KEYS) == {"数据", "使用模板", "title", "hide", "search"}


@pytest.mark.parametrize(
    "front, line",
    [
        ("description: '\"><script>alert(1)</script>'", 2),
        ("title: 报告\nauthor: x", 3),
        ("subtitle: <img src=x onerror=alert(1)>", 2),
        ("status: 'new\" onmouseover=\"alert(1)'", 2),
        ("template: redirect.html\nlocation: 'javascript:alert(1)'", 2),
        ("icon: x", 2),
        ("tags: [a]", 2),
        ("hide: [navigation, consent]", 2),
        ("hide: navigation", 2),
        ("search: {boost: 1e308}", 2),
        ("使用模板: 是", 2),
        ("数据: [a]", 2),
        ("title: [a, b]", 2),
        ("1: x", 2),
    ],
)
def test_other_keys_and_bad_values_are_refused_with_their_line(front, line):
    head = check_text(f"---\n{front}\n---\n\n# 正文\n", "content/p.md")
    assert ("PAGE_FRONT_MATTER", line) in located(head.problems), head.problems
    assert all(p.file == "content/p.md" for p in head.problems)


def test_aliases_are_refused_however_long_the_front_matter():
    lines = ["---", "l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 7)]
    lines += ["title: *l6", "pad: '" + "p" * 20000 + "'", "---", "", "# bomb", ""]
    head = check_text("\n".join(lines), "content/bomb.md")
    assert head.problems and {p.code for p in head.problems} == {"PAGE_FRONT_MATTER"}
    assert "别名" in head.problems[0].message and head.meta == {}
    assert len({p.line for p in head.problems}) == len(head.problems)  # once per line


def test_crlf_and_what_only_gongkai_reads_as_front_matter_are_checked_too():
    assert located(check_text("---\r\ndescription: x\r\n---\r\n# a\r\n", "p.md").problems) == [("PAGE_FRONT_MATTER", 2)]
    assert located(check_text("---\ndescription: x\n---", "p.md").problems) == [
        ("PAGE_FRONT_MATTER", 2)
    ]  # no line after ---
    assert FRONT_MATTER.match("---\ndescription: x\n---") and not MKDOCS_FRONT_MATTER.match("---\ndescription: x\n---")


def test_a_first_line_mkdocs_would_take_as_metadata_is_refused():
    assert located(check_text("Title: <script>x</script>\n\n# a\n", "p.md").problems) == [("PAGE_FRONT_MATTER", 1)]
    assert located(check_text("title: x\n    more\n\n# a\n", "p.md").problems) == [("PAGE_FRONT_MATTER", 1)]
    assert check_text("\ntitle: x\n# a\n", "p.md").problems == []  # a blank first line: MkDocs reads no metadata
    assert check_text("# 标题\n\n说明: 文字\n", "p.md").problems == []


def test_the_theme_sees_only_documented_keys_and_a_safe_title():
    meta = {
        "title": '<img src=x onerror="alert(1)">',
        "description": "<script>",
        "subtitle": "x",
        "hide": ["toc", "<x>"],
        "数据": "d",
        "template": "x.html",
    }
    assert allowed(meta) == {"title": meta["title"], "数据": "d"}
    shown = published_meta(meta)
    assert shown == {"title": "＜img src=x onerror=＂alert(1)＂＞", "数据": "d"}
    assert published_meta({"title": 2021, "hide": ["navigation"], "search": {"exclude": True}}) == {
        "title": "2021",
        "hide": ["navigation"],
        "search": {"exclude": True},
    }
    assert published_meta(None) == {} and published_meta({"title": Decimal("1.5")})["title"] == "1.5"


def test_the_catalog_reads_every_markdown_suffix_and_whole_pages(tmp_path):
    project = make_project(tmp_path / "p", {REPORT: sample_text()})
    content = project / "content"
    (content / "x.markdown").write_text("---\na: &a [x, x]\ntitle: *a\n---\n\n# x\n", encoding="utf-8")
    (content / "y.mkd").write_text("---\ndescription: x\n---\n", encoding="utf-8")
    long = "---\npad: '" + "p" * 10000 + "'\n数据: data/2021/t/x.yaml\n---\n\n# 长\n"
    (content / "long.md").write_text(long, encoding="utf-8")
    (content / "huge.md").write_bytes(b"# huge\n" + b"x" * (MAX_PAGE_BYTES + 1))
    pages, problems = report_pages(project, content, project / "data")
    found = {(p.file, p.code) for p in problems}
    assert ("content/x.markdown", "PAGE_FRONT_MATTER") in found and ("content/y.mkd", "PAGE_FRONT_MATTER") in found
    assert ("content/huge.md", "SITE_FILE") in found
    assert ("content/long.md", "PAGE_FRONT_MATTER") in found  # pad is not a documented key: seen past 8192 characters
    assert [p.src_uri for p in pages if not p.generated] == ["long.md"]  # its 数据 was read too


# ---- the build -------------------------------------------------------------------------------

HOSTILE_FRONT = (
    "---\n"
    "description: '\"><script>document.documentElement.setAttribute(\"data-pwned-desc\",1)</script>'\n"
    "subtitle: '<img src=x onerror=\"alert(1)\">'\n"
    "status: 'new\" onmouseover=\"alert(1)'\n"
    "template: redirect.html\n"
    "---\n\n# 页面\n"
)


def test_a_page_with_other_keys_fails_the_build_naming_page_and_lines(tmp_path):
    project = make_project(
        tmp_path / "p",
        {REPORT: sample_text()},
        {"guide/page.md": HOSTILE_FRONT, "bomb.markdown": "---\na: &a [x]\ntitle: *a\n---\n# b\n"},
    )
    site = tmp_path / "site"
    proc = build(project, site)
    said = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in said, said
    for line in (2, 3, 4, 5):
        assert f"content/guide/page.md:{line}: PAGE_FRONT_MATTER" in said, said
    assert "content/bomb.markdown:2: PAGE_FRONT_MATTER" in said
    assert not (site / "guide" / "page" / "index.html").exists()


def test_an_html_title_is_printed_as_text_everywhere(tmp_path):
    title = '<img src=x onerror="document.documentElement.setAttribute(`data-pwned-title`,1)">'
    page = f"---\ntitle: '{title}'\nhide:\n  - toc\n---\n\n# 页面\n\n正文。\n"
    project = make_project(tmp_path / "p", {REPORT: sample_text()}, {"page.md": page})
    site = tmp_path / "site"
    proc = build(project, site)
    assert proc.returncode == 0, proc.stderr
    built = [p for p in site.rglob("*.html")] + [site / "search" / "search_index.json"]
    for path in built:
        text = path.read_text(encoding="utf-8")
        assert "<img src=x" not in text and "&lt;img src=x" not in text and 'onerror="document' not in text, path
    html = (site / "page" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<title>＜img src=x onerror=＂", html), html[:2000]
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    titles = [d["title"] for d in index["docs"] if d["location"].startswith("page/")]
    assert titles and all("<img" not in t for t in titles)
