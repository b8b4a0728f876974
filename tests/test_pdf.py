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


def pages_text(pdf: Path) -> list:
    """Each page's text, in the order it is drawn."""
    return run("pdftotext", "-raw", str(pdf), "-").split("\f")[:-1]


def test_volume_is_the_reports_own_pages_behind_a_cover_and_contents(example):
    """A volume is assembled from its reports' PDFs: cover, 目录, then every page of every report
    exactly as in the report's own PDF, with the volume's page number (汇编第 N 页) added; the
    目录 gives each report's first page, and each report's first page is there."""
    catalog, _, out = example
    entries = sorted((e for e in catalog.entries if e.department_slug == "shenzhen-gsl"), key=lambda e: e.page.src_uri)
    volume = out / volume_pdf(entries[0])
    pages = pages_text(volume)
    reports = [pages_text(out / report_pdf(e)) for e in entries]
    front = len(pages) - sum(len(r) for r in reports)
    assert front == 2  # the cover and one page of 目录
    assert "深圳市工商业联合会" in pages[0] and f"共 {len(entries)} 份报告" in pages[0] and "汇编第" not in pages[0]
    contents = run("pdftotext", "-layout", "-f", "2", "-l", str(front), str(volume), "-")
    lines = [line for line in contents.splitlines() if re.search(r"\.{3,}\s*\d+\s*$", line)]
    assert len(lines) == len(entries)
    start = front + 1
    for entry, report, line in zip(entries, reports, lines, strict=True):
        assert line.lstrip().startswith(entry.report.name)
        assert int(line.split()[-1].strip(".")) == start  # the 目录's number is where the report begins
        for k, page in enumerate(report):
            assert pages[start - 1 + k] == page + f"汇编第 {start + k} 页\n"  # its own page, numbered
        start += len(report)
    assert start == len(pages) + 1
    for number in range(2, front + 1):  # the 目录 is numbered in the print theme's own style (— 2 —)
        assert f"— {number} —" in pages[number - 1] or pages[number - 1].endswith(f"汇编第 {number} 页\n")
    names = run("pdfdetach", "-list", str(volume)).splitlines()[1:]
    assert sorted(n.split(": ")[1] for n in names) == sorted(f"{e.slug}.{x}" for e in entries for x in ("json", "yaml"))
    meta = run("pdfinfo", "-meta", str(volume))
    assert 'pdfaid:part="3" pdfaid:conformance="U"' in meta and "pdfuaid:part" not in meta  # no tags claimed


def test_volume_bookmarks_and_links_point_into_the_volume(example):
    """The volume's bookmarks: 目录, then each report's own (its title, then its headings), at the
    volume's pages; a report's link to its own anchor (a12: 详见[附件](#appendix)) still leads
    there; the page labels are the printed numbers."""
    import pikepdf

    catalog, _, out = example
    entries = sorted((e for e in catalog.entries if e.department_slug == "shenzhen-gsl"), key=lambda e: e.page.src_uri)
    def tree(items) -> list:
        return [(item.title, tree(item.children)) for item in items]

    own_titles, own_trees = [], []
    for entry in entries:
        with pikepdf.open(out / report_pdf(entry)) as own, own.open_outline() as theirs:
            own_titles += [item.title for item in theirs.root]
            own_trees += tree(theirs.root)
    with pikepdf.open(out / volume_pdf(entries[0])) as volume:
        index = {page.obj.objgen: i + 1 for i, page in enumerate(volume.pages)}
        with volume.open_outline() as outline:
            top = list(outline.root)
            assert [item.title for item in top] == ["目录", *own_titles] and len(top) == len(entries) + 1
            assert all(index[item.destination[0].objgen] for item in top)
            firsts = [index[item.destination[0].objgen] for item in top[1:]]
            assert firsts == sorted(firsts) and firsts[0] == 3
            assert tree(top[1:]) == own_trees and any(item.children for item in top[1:])
        dests = volume.Root.Names.Dests.Names
        names = {str(dests[i]): index[dests[i + 1][0].objgen] for i in range(0, len(dests), 2)}
        number = [e.slug for e in entries].index("a12") + 1
        with pikepdf.open(out / report_pdf(entries[number - 1])) as own:
            own_index = {page.obj.objgen: i for i, page in enumerate(own.pages)}
            own_dests = own.Root.Names.Dests.Names
            appendix = next(own_index[own_dests[i + 1][0].objgen] for i in range(0, len(own_dests), 2)
                            if str(own_dests[i]) == "appendix")
        assert names[f"r{number}-appendix"] == firsts[number - 1] + appendix
        links = [str(a.Dest) for page in volume.pages for a in page.obj.get("/Annots", []) if "/Dest" in a]
        assert f"r{number}-appendix" in links and all(link in names for link in links)
        assert volume.Root.PageLabels.Nums[1].S == "/D"


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


# ---- assembling a volume: what it checks ------------------------------------------------


def _pdf(body: str, css: str = "") -> bytes:
    from gongkai.pdf.writer import Writer

    html = f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{css}</style></head><body>{body}</body></html>"
    return Writer().write(html, ROOT, ROOT, [], "2021-12-31T23:59:59Z")


PAGE_BREAK = "<div style='break-before: page'>{}</div>"


def test_a_volume_whose_frame_does_not_fit_its_reports_is_refused():
    """The assembly relies on the frame having one page per report page, of the same size, and
    on each 目录 target being its report's first page; otherwise it refuses, and says why."""
    from gongkai.pdf.volume import AssemblyError, assemble

    report = _pdf("<h1>甲报告</h1>" + PAGE_BREAK.format("第二页"))  # two A4 pages (WeasyPrint's default size)
    toc = "<p><a href='#report-1'>甲报告</a></p>"

    def frame(pages: int, at: int = 0, css: str = "") -> bytes:
        empty = ["<div style='break-before: page'></div>"] * pages
        empty[at] = "<div id='report-1' style='break-before: page'></div>"
        return _pdf(toc + "".join(empty), css)

    volume = assemble(frame(2), [report])
    assert pages_text_of(volume)[1:] == pages_text_of(report)
    with pytest.raises(AssemblyError, match="少于"):
        assemble(frame(1), [report, report])
    with pytest.raises(AssemblyError, match="页码与它在汇编中的位置不一致"):
        assemble(frame(3, at=0), [report])  # an empty page too many before the report
    with pytest.raises(AssemblyError, match="大小与汇编版面不一致"):
        assemble(frame(2, css="@page { size: A4 landscape }"), [report])


def pages_text_of(pdf: bytes) -> list:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return [page.strip() for page in pages_text(Path(handle.name))]
