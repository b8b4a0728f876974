"""The print themes, the print fonts, the dates and the metadata of the PDFs (issue 16), tested on
their parts: the whole PDFs of the example site are checked in tests/test_pdf.py."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from mkdocs.exceptions import ConfigurationError

from conftest import ROOT
from gongkai.pdf import fonts
from gongkai.pdf.dates import Dates, commit_dates, data_date, latest
from gongkai.pdf.printhtml import THEMES, PrintRenderer, captions_before_tables, document_title, shown_date
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.site import catalog as catalog_module
from gongkai.site.config import load_site

# ---- dates: real ones, or none ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2022年6月2日", "2022-06-02"),
        ("2022 年 6 月 2 日", "2022-06-02"),
        ("2022-06-02", "2022-06-02"),
        ("2022.6.2", "2022-06-02"),
        ("2022/06/02", "2022-06-02"),
        ("2022年6月", "2022-06"),
        ("2022-06", "2022-06"),
        ("2022-02-30", ""),  # not a calendar date
        ("2022年13月", ""),
        ("六月初", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_the_date_a_report_states_is_read_as_printed(text, date):
    assert data_date(text) == date


def git(root: Path, *args: str, when: str | None = None) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "HOME": str(root), "PATH": "/usr/bin:/bin"}  # fmt: skip
    if when:
        env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"] = when
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git 未安装")
def test_a_data_file_is_dated_by_its_last_commit(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    git(root, "init", "-q")
    (root / "data" / "a.yaml").write_text("年度: 2021\n", encoding="utf-8")
    (root / "data" / "b.yaml").write_text("年度: 2021\n", encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first", when="2022-03-01T08:00:00+08:00")
    (root / "data" / "b.yaml").write_text("年度: 2022\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "second", when="2022-06-02T10:30:00+08:00")
    assert commit_dates(root) == {"data/a.yaml": "2022-03-01T00:00:00Z", "data/b.yaml": "2022-06-02T02:30:00Z"}
    dates = Dates(root)
    assert dates.file_date("data/b.yaml") == "2022-06-02T02:30:00Z"
    assert dates.file_date("data/new.yaml") == ""  # not committed: no date, never the time of the build

    class Report:
        date = "2022年5月"

    assert dates.document_date(Report(), "data/b.yaml") == "2022-05"  # the report's own date comes first
    Report.date = None
    assert dates.document_date(Report(), "data/b.yaml") == "2022-06-02T02:30:00Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the builder's word for "the source's date"
    assert dates.document_date(Report(), "data/b.yaml") == "2023-11-14T22:13:20Z"


def test_outside_a_repository_there_is_no_date(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert commit_dates(tmp_path) == {}
    assert Dates(tmp_path).file_date("data/a.yaml") == ""


def test_the_latest_date_and_how_a_title_page_prints_it():
    assert latest(["2022-06", "", "2022-06-02T02:30:00Z", "2021-12-31"]) == "2022-06-02T02:30:00Z"
    assert latest(["", ""]) == ""
    assert shown_date("2022-06-02T02:30:00Z") == "2022 年 6 月 2 日"
    assert shown_date("2022-06") == "2022 年 6 月" and shown_date("") == ""


# ---- titles ------------------------------------------------------------------------------------


def test_a_pdf_title_names_the_department_and_the_year_once():
    assert document_title("深圳市工商业联合会", 2021, "项目支出绩效自评表", "工商联系统宣传教育") == (
        "深圳市工商业联合会 2021 年度项目支出绩效自评表：工商联系统宣传教育"
    )
    final = document_title("深圳市工商业联合会", 2021, "部门决算", "2021 年度部门决算")
    assert final == "深圳市工商业联合会 2021 年度部门决算"
    assert document_title("大英县", 2020, "项目支出绩效自评报告", None) == "大英县 2020 年度项目支出绩效自评报告"


# ---- themes ------------------------------------------------------------------------------------


def renderer(theme: str | None = None) -> tuple:
    site = load_site(ROOT, **({"print_theme": theme} if theme else {}))
    project = site.project
    catalog = catalog_module.build(project, downloads=("yaml", "json"))
    env = html_environment(project.root)
    return catalog, PrintRenderer.for_catalog(project, catalog, env, markdown_environment(env), site.markdown)


@pytest.fixture(scope="module")
def gongwen():
    return renderer()


def entry_of(catalog, name: str):
    return next(e for e in catalog.entries if e.page.data.endswith(name))


def test_the_default_theme_is_gongwen_after_gb_t_9704(gongwen):
    catalog, r = gongwen
    html = r.report(entry_of(catalog, "a02.yaml"))
    css = html[html.index("<style>") : html.index("</style>")]
    assert "margin: 37mm 26mm 35mm 28mm" in css  # 天头 37, 订口 28: 版心 156 × 225
    assert '"— " counter(page) " —"' in css and "@page :left" in css  # outer edge, odd right, even left
    assert "font-family: FandolFang" in css and "font-size: 16pt" in css  # 仿宋 三号
    assert re.search(r"h2 \{ font-family: FandolHei", css) and re.search(r"h3 \{ font-family: FandolKai", css)
    assert not re.search(r"@top-(left|center|right)\s*\{\s*content:(?!\s*none)", css)  # no running header
    assert "<title>深圳市工商业联合会 2021 年度项目支出绩效自评表：工商联系统宣传教育</title>" in html
    assert "FandolFang,'Noto Serif CJK SC',serif" in html and "Noto Sans CJK SC','Source Han" not in html  # chart text


def test_the_plain_theme_is_chosen_in_mkdocs_yml():
    catalog, r = renderer("简洁")
    assert r.theme is THEMES["简洁"]
    html = r.report(entry_of(catalog, "a02.yaml"))
    assert '"第 " counter(page) " 页 共 " counter(pages) " 页"' in html and "FandolFang" not in html


def test_an_unknown_theme_is_refused_by_name():
    with pytest.raises(ConfigurationError, match="print_theme"):
        load_site(ROOT, print_theme="彩色")


def test_final_accounts_captions_become_blocks_before_their_tables_on_paper(gongwen):
    catalog, r = gongwen
    html = r.body(entry_of(catalog, "final-accounts.yaml"))
    assert '<table class="gk-table gk-fa' in html and "<caption>" not in html.split("gk-fa-caption", 1)[1]
    for n in range(1, 10):
        assert f'<span class="gk-fa-title">表{n}　' in html
    assert html.count("部门：深圳市工商业联合会</span><span>单位：万元</span>") == 9
    same = '<div><table class="gk-table gk-indicators"><caption>x</caption></table></div>'
    assert captions_before_tables(same) == same  # only the 决算 tables
    assert captions_before_tables('<table class="gk-table gk-fa gk-fa-1">\n<caption>表1</caption><tr>') == (
        '<div class="gk-fa-caption">表1</div><table class="gk-table gk-fa gk-fa-1"><tr>'
    )


def test_final_accounts_bookmarks_list_every_table(gongwen):
    from weasyprint import HTML

    catalog, r = gongwen
    entry = entry_of(catalog, "final-accounts.yaml")
    document = HTML(string=r.report(entry), base_url=str(ROOT / "content") + "/").render()

    def labels(tree, depth=0):
        for label, _, children, _ in tree:
            yield depth, label
            yield from labels(children, depth + 1)

    found = list(labels(document.make_bookmark_tree()))
    tables = [(depth, label) for depth, label in found if label.startswith("表")]
    assert [label.split("　")[0] for _, label in tables] == [f"表{n}" for n in range(1, 10)]
    assert tables[0][1] == "表1　收入支出决算总表" and {depth for depth, _ in tables} == {2}  # under 第二部分


# ---- fonts -------------------------------------------------------------------------------------


def test_the_fandol_fonts_are_installed_and_the_bold_ones_are_marked_bold():
    files = fonts.fandol_files()
    assert [f.name for f in files] == list(fonts.FANDOL_FILES), "make setup 应安装 texlive-lang-chinese"
    rules = fonts.fontconfig_rules(files).decode()
    assert rules.count("<const>bold</const>") == 2 and "FandolSong-Bold.otf" in rules and "FandolFang" not in rules


def test_the_writer_adds_the_fandol_fonts_to_its_font_configuration():
    from gongkai.pdf.writer import Writer

    assert Writer().fonts.added == fonts.fandol_files()


def test_the_print_fonts_are_part_of_the_pdf_cache_key(monkeypatch, tmp_path):
    from gongkai.pdf import stage

    before = stage.fonts_fingerprint()
    fake = tmp_path / "fandol"
    fake.mkdir()
    for name in fonts.FANDOL_FILES:
        (fake / name).write_bytes(b"OTTO")
    monkeypatch.setattr(fonts, "FANDOL_DIRS", (fake,))
    assert stage.fonts_fingerprint() != before


# ---- the writer: dates and tags ------------------------------------------------------------


def pdfinfo(pdf: bytes, tmp_path: Path, *options: str) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfinfo", *options, str(path)], capture_output=True, text=True, check=True).stdout


DOC = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>测试</title>{meta}</head>'
    "<body><h1>标题</h1><p>正文</p></body></html>"
)


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils 未安装")
def test_without_a_date_the_pdf_and_its_attachments_state_none(tmp_path):
    from gongkai.pdf.writer import Writer

    root = tmp_path / "site"
    root.mkdir()
    pdf = Writer().render(DOC.format(meta=""), root, root, [("a.yaml", b"x: 1\n", "数据", "")], "").pdf
    info = pdfinfo(pdf, tmp_path)
    assert "CreationDate" not in info and "ModDate" not in info and "Tagged:          yes" in info
    assert b"/CreationDate" not in pdf and b"/ModDate" not in pdf and b"D:1970" not in pdf
    meta = pdfinfo(pdf, tmp_path, "-meta")
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="A"' in meta and 'pdfuaid:part="1"' in meta


def test_a_dated_attachment_carries_its_files_date(tmp_path):
    from gongkai.pdf.writer import Writer

    root = tmp_path / "site"
    root.mkdir()
    meta = '<meta name="dcterms.created" content="2022-06"><meta name="dcterms.modified" content="2022-06">'
    attached = [("a.yaml", b"x: 1\n", "数据", "2022-06-02T02:30:00Z")]
    pdf = Writer().render(DOC.format(meta=meta), root, root, attached).pdf
    assert b"/ModDate (D:20220602023000Z)" in pdf  # the attached file's date
    assert "CreationDate:    Wed Jun  1" in pdfinfo(pdf, tmp_path) or b"(D:202206)" in pdf  # the document's: June 2022
