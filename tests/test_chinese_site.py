"""Chinese everywhere a reader looks, on the example site and on the user guide's own site:
readable heading anchors that every link finds, no English from the theme, a Chinese 404 page
that works under a subpath, a sitemap with addresses, and search that finds “三公”经费 typed
with Chinese quotes (in a real browser, through the theme's search and gongkai's worker).

All of it comes from the gongkai plugin (src/gongkai/site/chinese.py and theme/), so a site
made by ``gongkai init`` has it too (tests/test_package.py builds one from the wheel)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from conftest import ROOT
from sitebuild import (
    BUILD_TIMEOUT,
    MKDOCS,
    SearchIndex,
    article,
    broken_links,
    chromium_evaluate,
    mkdocs_build,
    quiet_env,
    served,
    site_anchors,
)
from test_site import site  # noqa: F401  (the example site, built once per session)

SITE_URL = "https://gongkai.example.gov.cn/gk/"
FINAL = "2021/shenzhen-gsl/final-accounts/"
ENGLISH = ("Permanent link", "Made with", "Material for MkDocs", "Not found", "404 - Not found")


@pytest.fixture(scope="module")
def guide(tmp_path_factory) -> Path:
    """The user guide, built as its own site from mkdocs.guide.yml."""
    out = tmp_path_factory.mktemp("guide") / "guide-site"
    proc = subprocess.run(
        [str(MKDOCS), "build", "--strict", "-f", "mkdocs.guide.yml", "-d", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT, env={**quiet_env(), "GONGKAI_PDF": "0"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def site_with_url(tmp_path_factory) -> Path:
    """The example site built with its address under a subpath (GONGKAI_SITE_URL, as CI sets it)."""
    out = tmp_path_factory.mktemp("with-url") / "site"
    os.environ["GONGKAI_SITE_URL"] = SITE_URL
    try:
        proc = mkdocs_build(ROOT, out)
    finally:
        del os.environ["GONGKAI_SITE_URL"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.skip("找不到 chromium（make test 会通过 apt 安装它）：无法在浏览器中检查搜索")
    return found


# ---- anchors ---------------------------------------------------------------------------------


def test_every_link_and_anchor_of_the_example_site_resolves(site):  # noqa: F811
    pages = site_anchors(site)
    assert len(pages) > 30
    assert broken_links(site, pages) == []


def test_every_link_and_anchor_of_the_guide_resolves(guide):
    assert broken_links(guide) == []
    # the links between guide pages to Chinese headings, which were #_7 and broken, now resolve
    cli = (guide / "cli" / "index.html").read_text(encoding="utf-8")
    assert 'href="../checks/#问题的位置path"' in cli or 'href="../checks/#%E9%97%AE' in cli


@pytest.mark.parametrize("which", ["site", "guide"])
def test_headings_have_readable_anchors(which, request):
    built = request.getfixturevalue(which)
    numbered = {
        f"{rel}#{i}" for rel, page in site_anchors(built).items() for i in page.headings if re.fullmatch(r"_\d+", i)
    }
    assert not numbered, sorted(numbered)[:10]


def test_the_final_accounts_page_lists_its_nine_tables_with_anchors(site):  # noqa: F811
    page = site_anchors(site)[FINAL + "index.html"]
    listed = [unquote(h) for h in page.links if re.fullmatch(r"#表\d", unquote(h))]
    assert listed == [f"#表{n}" for n in range(1, 10)], listed
    assert all(anchor[1:] in page.ids for anchor in listed)
    html = (site / FINAL / "index.html").read_text(encoding="utf-8")
    assert 'id="表7"' in html and "“三公”经费" in html


# ---- no English ------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["site", "guide"])
def test_a_reader_sees_no_english_from_the_theme(which, request):
    built = request.getfixturevalue(which)
    for path in sorted(built.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        found = [words for words in ENGLISH if words in text]
        assert not found, f"{path.relative_to(built)}: {found}"
    index = (built / "index.html").read_text(encoding="utf-8")
    assert "本网站由 gongkai 根据公开的数据文件生成" in index  # the footer
    assert 'title="本节链接"' in index or which == "guide"


def test_the_example_site_shows_departments_and_reports_only(site):  # noqa: F811
    assert not (site / "guide").exists()
    for path in site.rglob("*.html"):
        assert "guide/" not in path.read_text(encoding="utf-8"), path.relative_to(site)
    tabs = re.findall(r'class="md-tabs__link[^"]*"[^>]*>\s*([^<]+?)\s*<', (site / "index.html").read_text("utf-8"))
    assert tabs == ["首页", "总览", "按年度", "按部门"], tabs


def test_quick_start_code_blocks_inside_list_items_are_code_blocks(guide):
    text = article((guide / "index.html").read_text(encoding="utf-8"))
    assert "<code>text" not in text
    blocks = re.findall(r"<pre\b.*?</pre>", text, re.S)
    assert any(".venv/bin/gongkai check data/" in re.sub(r"<[^>]+>", "", b) for b in blocks), blocks


# ---- 404 and sitemap -------------------------------------------------------------------------


def test_the_404_page_is_chinese_and_works_under_a_subpath(site_with_url):
    text = (site_with_url / "404.html").read_text(encoding="utf-8")
    assert "404：页面不存在" in text and "返回首页" in text
    references = re.findall(r'(?:href|src)="([^"]+)"', text)
    local = [r for r in references if not urlsplit(r).scheme]
    assert local and all(r.startswith("/gk/") for r in local), local
    for ref in local:
        path = unquote(urlsplit(ref).path)[len("/gk/") :]
        target = site_with_url / path
        assert target.is_file() or (target / "index.html").is_file(), ref


def test_the_sitemap_lists_every_page_when_site_url_is_set(site_with_url, site):  # noqa: F811
    sitemap = (site_with_url / "sitemap.xml").read_text(encoding="utf-8")
    listed = set(re.findall(r"<loc>([^<]+)</loc>", sitemap))
    folders = [p.parent.relative_to(site_with_url).as_posix() for p in site_with_url.rglob("index.html")]
    pages = {SITE_URL if f == "." else f"{SITE_URL}{quote(f)}/" for f in folders}
    assert len(pages) > 30 and listed == pages
    assert "<lastmod>" not in sitemap  # two builds of the same data give the same sitemap
    assert "<loc>" not in (site / "sitemap.xml").read_text(encoding="utf-8")  # no site_url, no addresses


# ---- search ----------------------------------------------------------------------------------


def test_the_search_index_is_cut_at_chinese_punctuation(site):  # noqa: F811
    index = SearchIndex(site / "search" / "search_index.json")
    assert all(c in index.config["separator"] for c in "“”（）《》：")
    assert FINAL in index.pages("“三公”经费")
    assert FINAL in index.pages("三公 经费")


SEARCH = """new Promise((resolve) => {
  const started = Date.now();
  const look = () => {
    const items = [...document.querySelectorAll(".md-search-result__item")];
    const meta = document.querySelector(".md-search-result__meta");
    if (items.length || Date.now() - started > 20000) {
      resolve({
        meta: meta ? meta.textContent : "",
        items: items.map((li) => {
          const link = li.querySelector("a");
          const title = li.querySelector("h1, h2");
          return { href: link ? link.getAttribute("href") : "", title: title ? title.textContent : "" };
        }),
      });
    } else setTimeout(look, 200);
  };
  look();
})"""


@pytest.mark.parametrize("query", ["“三公”经费", "三公经费"])
def test_search_in_the_browser_finds_the_page(site, tmp_path, query):  # noqa: F811
    """The theme's own search, in Chromium: the results for the query list the 部门决算 page,
    and their titles have no zero-width spaces (the index's titles do: the worker takes them out)."""
    browser = chromium()
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert any("\u200b" in doc["title"] for doc in index["docs"])
    with served(site) as base:
        found = chromium_evaluate(browser, f"{base}?q={quote(query)}", SEARCH, tmp_path)
    hrefs = [urlsplit(item["href"]).path for item in found["items"]]
    assert f"/{FINAL}" in hrefs, found
    assert not [i["title"] for i in found["items"] if "\u200b" in i["title"]], found
    assert "没有找到" not in found["meta"], found
