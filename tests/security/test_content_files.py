"""Red-team findings 1, 4 and 7 (MkDocs' log lines): what the docs folder may publish.

A pull request controls ``content/``, and MkDocs copies every file of it into the site ahead of
the theme's files. The site build publishes from it only Markdown pages and static files of the
allowed types (``gongkai.site.published``); a file that could run script or load another site
(HTML, SVG, JavaScript, CSS, …), a file at a theme file's address (``assets/…``, loaded by every
page), a file in a reserved folder, or a file at the address of a file gongkai generates (the
downloads beside a report, the index pages, a data file's page) is a located ``SITE_FILE`` error
and nothing is built. The site's own CSS lives in the maintainers' ``overrides/`` (theme
``custom_dir``). MkDocs' own log lines, which quote file names and percent-decoded link targets,
are printed with control characters made visible and no line break of a contributor's."""

from __future__ import annotations

import io
import logging
import subprocess
from pathlib import Path

import material
import pytest

from conftest import ROOT
from gongkai.site import published
from gongkai.site.frontmatter import MARKDOWN_SUFFIXES
from gongkai.site.plugin import TERMINAL_FILTER, clean_terminal_output, stop_cleaning_terminal_output, terminal_lines
from sitebuild import MINIMAL_MKDOCS_YML, MKDOCS, make_project, quiet_env, sample_text

REPORT = "data/2021/t/x.yaml"
THEME = Path(material.__file__).parent / "templates"
BUNDLE = next((THEME / "assets" / "javascripts").glob("bundle.*.min.js")).relative_to(THEME).as_posix()


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


def project_with(tmp_path: Path, files: dict, config: str = MINIMAL_MKDOCS_YML) -> Path:
    """A small project (one report) with ``files`` (path under content/ → bytes or text) added."""
    project = make_project(tmp_path / "p", {REPORT: sample_text()})
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    for rel, content in files.items():
        path = project / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return project


def refused(output: str) -> set:
    return {
        line.split(": SITE_FILE", 1)[0].split("-  ", 1)[-1].strip()
        for line in output.splitlines()
        if ": SITE_FILE" in line
    }


# ---- finding 1: files that run script or replace the theme's ------------------------------------

HOSTILE = {
    BUNDLE: 'document.documentElement.setAttribute("data-pwned-bundle", document.domain);\n',
    "x.html": '<script>document.documentElement.setAttribute("data-pwned-html","1")</script>\n',
    "x.htm": "<script>alert(1)</script>\n",
    "x.xhtml": '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>\n',
    "x.svg": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>\n',
    "x.js": "alert(1)\n",
    "x.mjs": "alert(1)\n",
    "stylesheets/extra.css": "@import url(http://127.0.0.1:9/extra-import.css);\n",
    "x.xml": '<?xml-stylesheet href="x.xsl"?><x/>\n',
    "x.wasm": b"\0asm\x01\0\0\0",
    "x.map": "{}\n",
    "CNAME": "evil.example\n",
    "x.MD": "# not a page\n",
    "assets/images/favicon.png": b"\x89PNG\r\n\x1a\n",  # the theme's favicon: a type allowed, the place not
    "search/search_index.json": "{}\n",
    "pdf/2021/t/x.pdf": b"%PDF-1.4\n",
}


def test_files_that_could_run_script_or_replace_the_theme_are_refused_and_nothing_is_built(tmp_path):
    project = project_with(tmp_path, HOSTILE)
    site = tmp_path / "site"
    proc = build(project, site)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in output, output
    assert refused(output) == {f"content/{rel}" for rel in HOSTILE}, output
    assert not (site / "x.html").exists() and not (site / "x.svg").exists()
    if (site / BUNDLE).exists():
        assert b"data-pwned" not in (site / BUNDLE).read_bytes()


def test_the_refusal_names_why(tmp_path):
    project = project_with(
        tmp_path, {"x.svg": HOSTILE["x.svg"], "assets/images/favicon.png": b"png", "overview/index.md": "# 总览\n"}
    )
    output = build(project, tmp_path / "site").stderr
    assert "content/x.svg: SITE_FILE" in output and "网站不发布“.svg”文件" in output
    assert "content/assets/images/favicon.png: SITE_FILE" in output and "主题的文件 assets/images/favicon.png" in output
    assert "content/overview/index.md: SITE_FILE" in output and "overview/ 文件夹" in output


def test_a_theme_override_folder_is_the_themes_and_cannot_be_replaced(tmp_path):
    config = (
        MINIMAL_MKDOCS_YML.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
        + "extra_css:\n  - stylesheets/extra.css\n"
    )
    project = project_with(tmp_path, {"img/logo.png": b"\x89PNG-contributor"}, config)
    (project / "overrides" / "stylesheets").mkdir(parents=True)
    (project / "overrides" / "stylesheets" / "extra.css").write_text("body { color: #111 }\n", encoding="utf-8")
    (project / "overrides" / "img").mkdir()
    (project / "overrides" / "img" / "logo.png").write_bytes(b"\x89PNG-maintainer")
    proc = build(project, tmp_path / "site")
    assert refused(proc.stderr) == {"content/img/logo.png"}, proc.stderr
    assert "主题的文件 img/logo.png" in proc.stderr
    (project / "content" / "img" / "logo.png").unlink()
    proc = build(project, tmp_path / "site")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site" / "stylesheets" / "extra.css").read_text(encoding="utf-8") == "body { color: #111 }\n"
    assert (tmp_path / "site" / "img" / "logo.png").read_bytes() == b"\x89PNG-maintainer"
    assert 'href="stylesheets/extra.css"' in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


ALLOWED = {
    "files/图.png": b"\x89PNG\r\n\x1a\n",
    "files/a.jpg": b"jpg",
    "files/a.JPEG": b"jpeg",
    "files/a.gif": b"gif",
    "files/a.webp": b"webp",
    "files/a.pdf": b"%PDF-1.4\n",
    "files/a.doc": b"doc",
    "files/a.docx": b"docx",
    "files/a.xls": b"xls",
    "files/a.xlsx": b"xlsx",
    "files/a.csv": "a,b\n",
    "files/a.txt": "文字\n",
    "files/a.yaml": "a: 1\n",
    "files/a.yml": "a: 1\n",
    "files/a.json": "{}\n",
    ".hidden.html": "<script>alert(1)</script>\n",  # exclude_docs: MkDocs never publishes dot files
}


def test_pages_and_allowed_types_are_published(tmp_path):
    project = project_with(tmp_path, ALLOWED)
    site = tmp_path / "site"
    proc = build(project, site)
    assert proc.returncode == 0, proc.stderr
    for rel, content in ALLOWED.items():
        if not rel.startswith("."):
            data = content if isinstance(content, bytes) else content.encode("utf-8")
            assert (site / rel).read_bytes() == data, rel
    assert not (site / ".hidden.html").exists()


def test_every_markdown_suffix_mkdocs_reads_is_a_page():
    from mkdocs.utils import markdown_extensions

    assert set(MARKDOWN_SUFFIXES) == set(markdown_extensions)
    assert not set(MARKDOWN_SUFFIXES) & set(published.STATIC_SUFFIXES)
    for suffix in (
        ".html",
        ".htm",
        ".xhtml",
        ".svg",
        ".js",
        ".mjs",
        ".css",
        ".xml",
        ".wasm",
        ".map",
        ".svgz",
        ".shtml",
        "",
    ):
        assert suffix not in published.STATIC_SUFFIXES


def test_the_sites_css_comes_with_the_plugin_and_content_holds_only_published_types():
    from gongkai.site.chinese import THEME_CSS, THEME_DIR

    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "custom_dir" not in config and "extra_css" not in config  # nothing of the site's look is copied
    assert (THEME_DIR / THEME_CSS).is_file()
    for path in (ROOT / "content").rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            assert path.suffix in MARKDOWN_SUFFIXES or path.suffix.lower() in published.STATIC_SUFFIXES, path
            rel = path.relative_to(ROOT / "content").as_posix()
            assert not rel.startswith(published.RESERVED_FOLDERS), path


# ---- finding 4: a content file at the address of a generated one ------------------------------


def test_a_content_file_cannot_replace_a_generated_download_or_page(tmp_path):
    project = project_with(
        tmp_path,
        {
            "2021/t/x/x.csv": "=cmd|' /C calc'!A0\n",
            "2021/t/x/x.yaml": "名称: 伪造\n",
            "2021/t/x/x.json": "{}\n",
            # the generated page of data/2021/t/x.yaml is 2021/t/x.md: same address
            "2021/t/x.markdown": "# 伪造的报告页\n",
            "overview/index.md": "# 总览\n\n全部为“优”。\n",
            "years/2021/index.md": "# 2021\n",
            "departments/t/index.md": "# t\n",
            "a.md": "# a\n",
            "a/index.md": "# a again\n",
        },
    )
    site = tmp_path / "site"
    proc = build(project, site)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in output, output
    assert refused(output) == {
        "content/2021/t/x/x.csv",
        "content/2021/t/x/x.yaml",
        "content/2021/t/x/x.json",
        "content/2021/t/x.markdown",
        "content/overview/index.md",
        "content/years/2021/index.md",
        "content/departments/t/index.md",
        "content/a/index.md",
    }, output
    assert (
        "gongkai 生成的文件" in output
        and "gongkai 生成的页面" in output
        and "与 content/a.md 是网站上的同一地址（a/）" in output
    )
    assert not (site / "2021" / "t" / "x" / "x.csv").exists() or "=cmd" not in (
        site / "2021" / "t" / "x" / "x.csv"
    ).read_text(encoding="utf-8")


def test_a_hand_written_report_page_keeps_its_downloads(tmp_path):
    page = "---\n数据: data/2021/t/x.yaml\n---\n\n# {{ 名称 }}\n\n[原始数据](x/x.yaml)\n"
    project = project_with(tmp_path, {"2021/t/x.md": page, "2021/t/x/图.png": b"\x89PNG"})
    site = tmp_path / "site"
    proc = build(project, site)
    assert proc.returncode == 0, proc.stderr
    assert (site / "2021" / "t" / "x" / "x.yaml").read_bytes() == (project / REPORT).read_bytes()
    assert (site / "2021" / "t" / "x" / "图.png").read_bytes() == b"\x89PNG"


def test_collisions_compare_addresses_without_case():
    sources = [published.Source("2021/T/X/X.CSV", "2021/T/X/X.CSV", "content/2021/T/X/X.CSV", False)]
    found = published.collisions(sources, [("2021/t/x/x.csv", "2021/t/x/x.csv")])
    assert [p.code for p in found] == ["SITE_FILE"]
    assert (
        published.refused_place(published.Source("Assets/x.png", "Assets/x.png", "content/Assets/x.png", False), [])
        is not None
    )


# ---- finding 7: MkDocs' own log lines ---------------------------------------------------------


def test_mkdocs_log_lines_are_cleaned_and_keep_only_mkdocs_own_line_breaks():
    logger = logging.getLogger("mkdocs")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s - %(message)s"))
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        clean_terminal_output()
        clean_terminal_output()  # idempotent
        assert handler.filters.count(TERMINAL_FILTER) == 1
        child = logging.getLogger("mkdocs.structure.pages")
        child.info("pages not in nav:\n  - n\x1b]0;TITLE\x07\x1b[2J.md\n  - b.md")
        child.warning("link '%s' not found", "b\n::warning file=x::forged\u202e")
        try:
            raise ValueError("boom\x1b[2J")
        except ValueError:
            child.error("failed", exc_info=True)
        stop_cleaning_terminal_output()
        assert TERMINAL_FILTER not in handler.filters and TERMINAL_FILTER not in logger.filters
        child.info("after\x1b[2J")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    out = stream.getvalue()
    cleaned, after = out.split("INFO - after")
    assert "\x1b" not in cleaned and "\x07" not in cleaned and "\u202e" not in cleaned
    assert "pages not in nav:\n  - n\\x1b]0;TITLE\\x07\\x1b[2J.md\n  - b.md" in cleaned
    assert "b⏎::warning file=x::forged\\u202e" in cleaned
    assert not any(line.lstrip().startswith("::") for line in cleaned.splitlines())
    assert "ValueError: boom\\x1b[2J" in cleaned
    assert after.startswith("\x1b[2J")  # removed at shutdown: other programs' logging is theirs


def test_terminal_lines():
    assert terminal_lines("a\n  - x\x1b.md\n\t- y") == "a\n  - x\\x1b.md\n - y"  # a tab prints as a space
    assert terminal_lines("a\nb\r\nc") == "a⏎b⏎c"


@pytest.mark.parametrize(
    "target", ["a%1B]0;TITLE%07%1B[2J.md", "b%0A::warning%20file=mkdocs.yml::forged.md", "c%E2%80%AE.md"]
)
def test_a_link_target_in_a_page_reaches_the_log_cleaned(tmp_path, target):
    project = project_with(tmp_path, {"links.md": f"# 链接\n\n[x]({target})\n"})
    proc = build(project, tmp_path / "site")
    assert proc.returncode != 0  # strict: the broken link is a warning
    assert "links.md" in proc.stderr and "is not found among documentation files" in proc.stderr, proc.stderr
    for ch in ("\x1b", "\x07", "\u202e"):
        assert ch not in proc.stderr
    assert not [line for line in proc.stderr.splitlines() if line.lstrip().startswith("::")]
