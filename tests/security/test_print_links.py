"""Red-team finding 9: links in a report's PDF never carry the build machine's path.

A relative link in a page (``[附件 2](a02.md)``, allowed as "站内的相对地址") became a
``file:///<build folder>/content/…`` link annotation in the PDF: it named the build machine's
folders in every published PDF, was dead for every reader, and made two builds of the same
input in different folders differ. Now a relative link points to the page's public address
under ``site_url`` (as MkDocs makes it), or, without ``site_url``, keeps its text and loses its
address. Anchors and http, https and mailto links stay."""

from __future__ import annotations

import re
import shutil
import zlib
from pathlib import Path

import pytest

from conftest import ROOT
from gongkai.pdf.printhtml import PrintRenderer, public_links
from gongkai.pdf.stage import plan, report_pdf, run
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.site import catalog as catalog_module
from gongkai.site.config import load_site

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils 未安装（make test 会安装）")

FINAL = "data/2021/shenzhen-gsl/final-accounts.yaml"  # its page links to a01.md … a12.md
SITE_URL = "https://gongkai.example.gov.cn/gk/"


# ---- the rewriting ---------------------------------------------------------------------------

BODY = (
    '<p><a href="a02.md">附件 2</a> <a title="a&gt;b" href="a02.md#目标" class="c">目标</a> '
    '<a href="#appendix">附件</a> '
    '<a href="https://example.org/?a=1&amp;b=2">外部</a> <a href="mailto:x@example.org">信</a> '
    '<a href="../../../../etc/passwd">上</a> <a href="file:///etc/passwd">文件</a> <a href="/abs">绝对</a> '
    "<a href='x/图 1.png'>图</a> <a href=index.md>首页</a> <a href=\"\">空</a></p>"
)


def hrefs(html: str) -> list:
    return re.findall(r"""<a\b[^>]*?\bhref=["']?([^"'\s>]*)""", html)


def test_without_site_url_relative_links_keep_their_text_and_lose_their_address():
    html = public_links(BODY, "2021/shenzhen-gsl", None)
    assert hrefs(html) == ["#appendix", "https://example.org/?a=1&amp;b=2", "mailto:x@example.org"]
    for text in ("附件 2", "目标", "上", "文件", "绝对", "图", "首页", "空"):
        assert f">{text}</a>" in html
    assert 'title="a&gt;b"' in html and 'class="c"' in html


def test_with_site_url_relative_links_point_to_the_public_pages():
    html = public_links(BODY, "2021/shenzhen-gsl", SITE_URL)
    assert hrefs(html) == [
        SITE_URL + "2021/shenzhen-gsl/a02/",
        SITE_URL + "2021/shenzhen-gsl/a02/#目标",
        "#appendix",
        "https://example.org/?a=1&amp;b=2",
        "mailto:x@example.org",
        SITE_URL + "2021/shenzhen-gsl/x/%E5%9B%BE%201.png",
        SITE_URL + "2021/shenzhen-gsl/",
    ]
    assert ">上</a>" in html and "etc/passwd" not in html and "/abs" not in html
    assert public_links('<a href="a02.md">x</a>', "", "https://h.example/sub") == '<a href="https://h.example/sub/a02/">x</a>'


# ---- the example project, built in two folders ----------------------------------------------


def copy_example(target: Path, site_url: str | None = None) -> Path:
    target.mkdir(parents=True)
    for name in ("content", "data", "overrides", "templates", "rulesets"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, target / name, symlinks=True)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"^site_url:.*\n", "", config, flags=re.M)  # the example's comes from GONGKAI_SITE_URL
    if site_url:
        config = f"site_url: {site_url}\n" + config
    (target / "mkdocs.yml").write_text(config, encoding="utf-8")
    return target


def final_accounts_pdf(project: Path, out: Path) -> bytes:
    """The PDF of the example's 部门决算 (its page has relative links), made as ``gongkai pdf`` makes it."""
    site = load_site(project)
    catalog = catalog_module.build(site.project, downloads=("yaml", "json"))
    assert not catalog.failed
    html_env = html_environment(site.project.root)
    renderer = PrintRenderer.for_catalog(
        site.project, catalog, html_env, markdown_environment(html_env), site.markdown, site.config.site_url
    )
    entry = next(e for e in catalog.entries if e.page.data == FINAL)
    jobs = [j for j in plan(catalog, renderer, only={FINAL}) if j.output == report_pdf(entry)]
    assert len(jobs) == 1
    [outcome] = run(jobs, site.project.docs, out, None, workers=1, progress=False)
    assert outcome.error is None, outcome.error
    return (out / outcome.job.output).read_bytes()


def inflated(pdf: bytes) -> bytes:
    """The PDF with every compressed stream (object streams hold the link annotations) inflated."""
    parts = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(m.group(1)))
        except zlib.error:
            pass
    return b"\n".join(parts)


def link_uris(pdf: bytes) -> list:
    return sorted({u.decode("latin-1") for u in re.findall(rb"/URI\s*\(([^)]*)\)", inflated(pdf))})


def test_a_pdf_with_relative_links_is_the_same_in_any_build_folder(tmp_path):
    one = copy_example(tmp_path / "a" / "p")
    two = copy_example(tmp_path / "a-much-longer-folder-name-for-the-second-build" / "p")
    first = final_accounts_pdf(one, tmp_path / "out1")
    second = final_accounts_pdf(two, tmp_path / "out2")
    assert first == second
    text = inflated(first)
    assert b"file:" not in text and str(tmp_path).encode() not in text
    assert link_uris(first) == []  # no site_url: the links are text


def test_with_site_url_the_pdf_links_to_the_public_pages(tmp_path):
    project = copy_example(tmp_path / "p", SITE_URL)
    pdf = final_accounts_pdf(project, tmp_path / "out")
    uris = link_uris(pdf)
    assert f"{SITE_URL}2021/shenzhen-gsl/a02/" in uris and f"{SITE_URL}2021/shenzhen-gsl/a12/" in uris, uris
    assert all(u.startswith(SITE_URL) for u in uris), uris
    assert b"file:" not in inflated(pdf) and str(tmp_path).encode() not in inflated(pdf)
