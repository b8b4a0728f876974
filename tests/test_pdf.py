"""PDFs: every example report and volume, their fonts and text, determinism, and the sandbox."""

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ROOT
from gongkai.pdf.stage import project_pdfs, report_pdf, volume_pdf
from gongkai.render.formatting import fixed_score
from gongkai.render.public_yaml import without_comments

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils 未安装（make test 会安装）")


def run(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    catalog, outcomes = project_pdfs(ROOT, out, progress=False)
    assert not [o.error for o in outcomes if o.error]
    return catalog, outcomes, out


def test_every_report_and_department_year_has_a_pdf(example):
    catalog, outcomes, out = example
    made = {o.job.output for o in outcomes}
    for entry in catalog.entries:
        assert report_pdf(entry) in made and (out / report_pdf(entry)).stat().st_size > 10_000
        assert volume_pdf(entry) in made
    assert len(made) == len(catalog.entries) + len({(e.report.year, e.department_slug) for e in catalog.entries})


def test_fonts_are_embedded_simplified_chinese_only(example):
    _, outcomes, out = example
    for outcome in outcomes:
        rows = run("pdffonts", str(out / outcome.job.output)).splitlines()[2:]
        assert rows
        for row in rows:
            name, emb = row.split()[0], row.split()[-5]
            assert emb == "yes", row
            # GB/simplified Chinese faces only (Fandol, AR PL KaitiM GB, Noto CJK SC), never the JP default glyph shapes
            assert re.search(r"Fandol|CJK-?SC|CJKsc|KaitiM-?GB", name), row


def test_text_of_each_pdf_states_its_total_and_grade(example):
    catalog, _, out = example
    for entry in catalog.entries:
        text = run("pdftotext", "-layout", str(out / report_pdf(entry)), "-")
        sr = entry.scored
        if not entry.standing.scored:  # a 部门决算 (its kind scores nothing): its income total as shown
            figure = f"{sr.totals['本年收入合计']:,.2f}"
            assert re.search(rf"本年收入合计[^\n]*{re.escape(figure)}", text), entry.page.data
            continue
        value, role = sr.total_figure.shown(sr.basis)
        if value is None:
            assert "总分" in text and re.search(r"未评分|部分评分，无总分", text), entry.page.data
            continue
        # a filed total exactly as printed; a computed one with the ruleset's places (and its 算 mark)
        total = str(value) if role == "filed" else fixed_score(value, sr.rules.places)
        refs = r"(算)?(\[\d+\])*"  # the computed mark and the 核对说明 references that follow a figure
        assert re.search(rf"总分[^\n]*\s{re.escape(total)}{refs}(\s|$)", text, re.M), (entry.page.data, total)
        grade, _ = sr.grade_figure.shown(sr.basis)
        if grade:
            assert re.search(rf"等级[：\s]+{grade}{refs}(\s|$)", text, re.M), (entry.page.data, grade)


def commit_date(rel: str) -> str | None:
    """pdfinfo's CreationDate of a file's last commit in this repository (None outside git)."""
    try:
        stamp = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", rel], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return time.strftime("%a %b %e %H:%M:%S %Y UTC", time.gmtime(int(stamp))) if stamp else None


def test_pdfs_are_archival_tagged_with_the_data_attached(example):
    catalog, _, out = example
    entry = next(e for e in catalog.entries if e.page.data.endswith("a02.yaml"))
    pdf = out / report_pdf(entry)
    info = run("pdfinfo", str(pdf))
    assert "Title:           深圳市工商业联合会 2021 年度项目支出绩效自评表：工商联系统宣传教育" in info
    assert "Author:          深圳市工商业联合会" in info and "Tagged:          yes" in info
    assert "2021 12 31" not in info and "Dec 31 23:59:59 2021" not in info  # never the invented end of the year
    expected = None if os.environ.get("SOURCE_DATE_EPOCH") else commit_date(entry.page.data)
    if expected:  # the data has no 填报日期: its last commit
        assert f"CreationDate:    {expected}" in info
    meta = run("pdfinfo", "-meta", str(pdf))
    assert 'pdfaid:part="3" pdfaid:conformance="A"' in meta and 'pdfuaid:part="1"' in meta  # PDF/A-3a + PDF/UA-1
    assert run("pdfdetach", "-list", str(pdf)).splitlines()[1:] == ["1: a02.json", "2: a02.yaml"]
    saved = out / "a02.yaml.out"
    run("pdfdetach", "-save", "2", "-o", str(saved), str(pdf))
    assert saved.read_bytes() == without_comments((ROOT / entry.page.data).read_bytes())  # the published YAML
    assert b"#" not in saved.read_bytes()


def test_a_report_with_a_filing_date_is_dated_by_it(example):
    catalog, _, out = example
    entry = next(e for e in catalog.entries if e.page.data.endswith("guangshui-gsl/project.yaml"))
    assert entry.report.date == "2022年6月2日"
    assert "CreationDate:    Thu Jun  2 00:00:00 2022" in run("pdfinfo", str(out / report_pdf(entry)))


def words(pdf: Path, page: int) -> list:
    """(xMin, yMin, xMax, text) of every word on a page, and the page's width, from pdftotext -bbox."""
    html = run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-")
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    found = [
        (float(a), float(b), float(c), w)
        for a, b, c, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html
        )
    ]
    return found, width


def test_gongwen_pages_are_numbered_at_the_outer_edge_with_no_running_header(example):
    catalog, _, out = example
    entry = next(e for e in catalog.entries if e.page.data.endswith("final-accounts.yaml"))
    pdf = out / report_pdf(entry)
    for page in (1, 2):
        found, width = words(pdf, page)
        dashes = [w for w in found if w[3] == "—"]
        number = [w for w in found if w[3] == str(page)]
        assert len(dashes) >= 2 and number, page  # "— 1 —"
        outer = 26 * 72 / 25.4 + 14  # the 版心's outer edge (26 mm from the paper's) and one 四号 character in
        if page % 2:  # odd pages: at the right
            assert abs(dashes[-1][2] - (width - outer)) < 2, dashes
        else:  # even pages: at the left
            assert abs(dashes[0][0] - outer) < 2, dashes
        top = min(w[1] for w in found)
        assert top > 36 * 72 / 25.4, page  # nothing in the 37 mm top margin: no running header
    assert "第 1 页" not in run("pdftotext", "-f", "1", "-l", "1", str(pdf), "-")


def test_the_gongwen_theme_sets_the_text_in_fandol_fonts(example):
    catalog, _, out = example
    entry = next(e for e in catalog.entries if e.page.data.endswith("a12.yaml"))
    fonts = run("pdffonts", str(out / report_pdf(entry)))
    for face in ("FandolFang", "FandolHei", "FandolKai", "FandolSong-Bold"):  # body, 一级, 二级, title
        assert face in fonts, face


def test_a_two_page_report_is_at_most_200_kb(example):
    catalog, _, out = example
    short = []
    for entry in catalog.entries:
        pdf = out / report_pdf(entry)
        pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(pdf))).group(1))
        if pages <= 2:
            short.append((pdf.stat().st_size, entry.page.data))
    assert short and max(short)[0] <= 200 * 1024, sorted(short)[-3:]


def test_no_web_only_wording_in_print(example):
    _, outcomes, out = example
    for outcome in outcomes:
        text = run("pdftotext", str(out / outcome.job.output), "-")
        for words_ in ("本页", "公开数据下载", "PDF 打印版", "点击", "鼠标"):
            assert words_ not in text, (outcome.job.output, words_)


def test_volume_has_a_cover_a_table_of_contents_and_every_report(example):
    catalog, _, out = example
    entries = [e for e in catalog.entries if e.department_slug == "shenzhen-gsl"]
    volume = out / volume_pdf(entries[0])
    first = run("pdftotext", "-f", "1", "-l", "1", str(volume), "-")
    assert "深圳市工商业联合会" in first and "绩效信息公开文件汇编" in first and f"共 {len(entries)} 份报告" in first
    contents = run("pdftotext", "-layout", "-f", "2", "-l", "2", str(volume), "-")
    pages = [int(p) for p in re.findall(r"\.{3,}\s*(\d+)\s*$", contents, re.M)]
    assert len(pages) == len(entries) and pages == sorted(pages) and pages[0] == 3
    total_pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(volume))).group(1))
    last = run("pdftotext", "-f", str(total_pages), "-l", str(total_pages), str(volume), "-")
    assert f"— {total_pages} —" in last


# ---- a small project of our own: determinism and hostile pages ----------------------

MKDOCS = "site_name: 测试\ndocs_dir: content\nmarkdown_extensions: [attr_list, tables, toc]\n"


def small_project(root: Path, body: str) -> Path:
    (root / "data" / "2021" / "t").mkdir(parents=True)
    (root / "content" / "2021" / "t").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS, encoding="utf-8")
    shutil.copy(ROOT / "data" / "2021" / "shenzhen-gsl" / "a02.yaml", root / "data" / "2021" / "t" / "x.yaml")
    page = f"---\n数据: data/2021/t/x.yaml\n---\n\n# {{{{ 名称 }}}}\n\n{body}\n\n{{{{ 报告表格() }}}}\n"
    (root / "content" / "2021" / "t" / "x.md").write_text(page, encoding="utf-8")
    return root


def test_same_input_gives_byte_identical_pdfs(tmp_path):
    project = small_project(tmp_path / "p", "总分 {{ 总分 }}。\n\n{{ 得分图() }}")
    _, first = project_pdfs(project, tmp_path / "one", workers=1, use_cache=False, progress=False)
    _, second = project_pdfs(project, tmp_path / "two", workers=1, use_cache=False, progress=False)
    assert [o.error for o in first + second] == [None] * 4
    for outcome in first:
        assert (tmp_path / "one" / outcome.job.output).read_bytes() == (
            tmp_path / "two" / outcome.job.output
        ).read_bytes()


HOSTILE = [
    "![密码](file:///etc/passwd)",
    '<img src="http://127.0.0.1:9/x.png">',
    "![上级](../../../../../../etc/passwd)",
    '<link rel="stylesheet" href="https://cdn.example.com/x.css">',
    "![链接](escape.png)",  # a symbolic link inside the docs pointing outside
]


@pytest.mark.parametrize("markdown", HOSTILE)
def test_hostile_references_fail_cleanly_and_leak_nothing(tmp_path, markdown):
    project = small_project(tmp_path / "p", markdown)
    (project / "content" / "2021" / "t" / "escape.png").symlink_to("/etc/passwd")
    _, outcomes = project_pdfs(project, tmp_path / "out", workers=1, use_cache=False, progress=False)
    failed = [o for o in outcomes if o.error]
    assert failed and all("不允许读取" in o.error for o in failed)
    assert all(not (tmp_path / "out" / o.job.output).exists() for o in failed)
    for pdf in (tmp_path / "out").rglob("*.pdf"):
        assert b"root:x:0:0" not in pdf.read_bytes()


def test_data_text_cannot_reference_files(tmp_path):
    project = small_project(tmp_path / "p", "{{ 部门 }}")
    data = project / "data" / "2021" / "t" / "x.yaml"
    data.write_text(
        data.read_text(encoding="utf-8").replace("部门: 深圳市工商业联合会", '部门: <img src="file:///etc/passwd">'),
        encoding="utf-8",
    )
    _, outcomes = project_pdfs(project, tmp_path / "out", workers=1, use_cache=False, progress=False)
    assert [o.error for o in outcomes] == [None, None]  # shown as text, never fetched
    text = run("pdftotext", str(tmp_path / "out" / "2021" / "t" / "x.pdf"), "-")
    assert '<img src="file:///etc/passwd">' in text.replace("\n", "")


def test_pdfs_read_markdown_with_the_sites_extensions():
    from gongkai.site.config import load_site

    extensions, configs = load_site(ROOT).markdown
    assert {"toc", "tables", "fenced_code", "admonition", "attr_list", "md_in_html", "footnotes"} <= set(extensions)
    assert configs["toc"] == {"permalink": True}
