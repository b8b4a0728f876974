"""Issue 11, classes 7, 8 and 9: PDF failures are loud and local.

7. A refused reference fails the PDF and the build: whatever asks for it (a stylesheet's
   ``@import``, an image, a background, a font, an ``<image>`` inside an SVG file or inline
   SVG, an attachment link, a symbolic link pointing out), even where WeasyPrint catches the
   refusal and only logs it, the PDF is not written nor cached, the message names the page
   and the URL, and ``mkdocs build``, ``gongkai build`` and ``gongkai pdf`` exit non-zero
   without a traceback and without a byte of the target anywhere in their output.
8. The cache key covers every file actually read for a PDF: changing a stylesheet that is
   only ``@import``-ed, a font of an ``@font-face`` or an image inside an SVG file makes the
   PDF again; unchanged inputs still come from the cache, byte for byte.
9. One bad page fails alone, named: pages nested too deep (a list 100 levels deep, 60
   nested tables), a renderer error, a crashed worker; the other PDFs are made and the
   build exits non-zero. The volume holding a failed report fails too, naming it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from gongkai.pdf import stage, writer
from gongkai.pdf.printhtml import Job
from gongkai.pdf.stage import CRASHED, PdfJob, PdfJobResult, cache_holds, run
from gongkai.pdf.writer import MAX_DEPTH, RenderError, Writer
from sitebuild import GONGKAI, MKDOCS, make_project, quiet_env, sample_text

PASSWD = b"root:x:0:0"  # first line of /etc/passwd
PAGE = "content/2021/t/x.md"
DATE = "2021-12-31T23:59:59Z"
RUN_TIMEOUT = 600


def doc(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body><p>正文 A</p>{body}</body></html>"


def job(output: str, html: str, page: str = PAGE) -> PdfJob:
    return PdfJob(
        output, html, "测试", [("x.yaml", b"a: 1\n", "数据")], DATE, key="k-" + output.replace("/", "-"), pages=(page,)
    )


def no_leak(*folders: Path) -> None:
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink():
                assert PASSWD not in path.read_bytes(), path


# ---- 7. refused references, through the writer and the stage ---------------------------

SVG_OUT = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><image href="{href}" width="10" height="10"/></svg>'
)

# name → (files to put in the build folder, print HTML body, head, the URL the message names)
PROBES = {
    "import-in-linked-css": (
        {"imp.css": "@import url(file:///etc/passwd);\nbody { color: #333 }"},
        "",
        '<link rel="stylesheet" href="imp.css">',
        "file:///etc/passwd",
    ),
    "import-in-style": ({}, "", "<style>@import url(file:///etc/passwd);</style>", "file:///etc/passwd"),
    "img-loopback": ({}, '<img src="http://127.0.0.1:1/x.png">', "", "http://127.0.0.1:1/x.png"),
    "background-climb": (
        {},
        '<p style="background: url(../../../../../../../../etc/passwd)">x</p>',
        "",
        "file:///etc/passwd",
    ),
    "svg-file-image": (
        {"pic.svg": SVG_OUT.format(href="file:///etc/passwd")},
        '<img src="pic.svg">',
        "",
        "file:///etc/passwd",
    ),
    "svg-file-image-climb": (
        {"pic.svg": SVG_OUT.format(href="../../../../../../../etc/passwd")},
        '<img src="pic.svg">',
        "",
        "file:///etc/passwd",
    ),
    "inline-svg-image": ({}, SVG_OUT.format(href="file:///etc/passwd"), "", "file:///etc/passwd"),
    "symlink-out": ({"link.png": "->/etc/passwd"}, '<img src="link.png">', "", "link.png"),
    "svg-image-symlink-out": (
        {"pic.svg": SVG_OUT.format(href="link.png"), "link.png": "->/etc/passwd"},
        '<img src="pic.svg">',
        "",
        "link.png",
    ),
    "font-face": (
        {},
        '<p style="font-family: Leak">x</p>',
        "<style>@font-face { font-family: Leak; src: url(file:///etc/passwd) }</style>",
        "file:///etc/passwd",
    ),
    "attachment-link": ({"leak.txt": "->/etc/passwd"}, '<a rel="attachment" href="leak.txt">附件</a>', "", "leak.txt"),
    "network-stylesheet": (
        {},
        "",
        '<link rel="stylesheet" href="https://cdn.example.com/x.css">',
        "https://cdn.example.com/x.css",
    ),
}


def build_folder(root: Path, files: dict) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = root / name
        if text.startswith("->"):
            path.symlink_to(text[2:])
        else:
            path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("probe", PROBES)
def test_writer_refuses_and_names_the_url(probe, tmp_path):
    files, body, head, url = PROBES[probe]
    root = build_folder(tmp_path / "site", files)
    with pytest.raises(RenderError) as caught:
        Writer().render(doc(body, head), root, root, [], DATE)
    assert "不允许读取" in str(caught.value) and url in str(caught.value)


@pytest.mark.parametrize("probe", PROBES)
def test_stage_fails_the_pdf_alone_names_page_and_url_and_writes_nothing(probe, tmp_path):
    files, body, head, url = PROBES[probe]
    root = build_folder(tmp_path / "site", files)
    out, cache = tmp_path / "out", tmp_path / "cache"
    (out / "2021" / "t").mkdir(parents=True)
    (out / "2021" / "t" / "x.pdf").write_bytes(b"%PDF- an earlier build")  # must not survive
    bad, good = job("2021/t/x.pdf", doc(body, head)), job("2021/t/ok.pdf", doc("<p>好</p>"), "content/2021/t/ok.md")
    outcomes = run([bad, good], root, out, cache, workers=1, progress=False)
    assert [o.job.output for o in outcomes] == ["2021/t/x.pdf", "2021/t/ok.pdf"]
    failed, fine = outcomes
    assert failed.error and fine.error is None
    assert failed.message.startswith(f"{PAGE}: PDF 未生成（2021/t/x.pdf）：页面引用了不允许读取的地址")
    assert url in failed.message
    assert not (out / "2021" / "t" / "x.pdf").exists()
    assert not list(cache.glob(f"{bad.key}.*"))
    assert (out / "2021" / "t" / "ok.pdf").read_bytes().startswith(b"%PDF-")
    no_leak(out, cache)


def test_refused_urls_are_printed_without_control_characters(tmp_path):
    root = build_folder(tmp_path / "site", {})
    with pytest.raises(RenderError) as caught:
        Writer().render(doc('<img src="http://127.0.0.1:1/\x1b[2Jx.png">'), root, root, [], DATE)
    assert "\x1b" not in str(caught.value) and "127.0.0.1" in str(caught.value)


# ---- 7 end to end: a page's SVG image reaching out fails every command ----------------


def svg_project(root: Path) -> Path:
    page = "---\n数据: data/2021/t/x.yaml\n---\n\n# {{ 名称 }}\n\n![示意图](pic.svg)\n\n{{ 报告表格() }}\n"
    project = make_project(
        root, {"data/2021/t/x.yaml": sample_text(), "data/2021/t/ok.yaml": sample_text()}, {"2021/t/x.md": page}
    )
    (project / "content" / "2021" / "t" / "pic.svg").write_text(
        SVG_OUT.format(href="file:///etc/passwd"), encoding="utf-8"
    )
    return project


COMMANDS = {
    "mkdocs build": lambda project: [str(MKDOCS), "build", "-q", "-d", str(project / "site")],
    "gongkai build": lambda project: [str(GONGKAI), "build"],
    "gongkai pdf": lambda project: [str(GONGKAI), "pdf", "--jobs", "1"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_refused_svg_image_fails_the_build_with_a_located_message(command, tmp_path):
    project = svg_project(tmp_path / "p")
    env = quiet_env()
    env["GONGKAI_PDF"] = "1"
    result = subprocess.run(
        COMMANDS[command](project), cwd=project, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output
    if command == "gongkai pdf":
        assert (
            "content/2021/t/x.md: PDF 未生成（2021/t/x.pdf）：页面引用了不允许读取的地址：file:///etc/passwd" in output
        ), output
    else:  # the site publishes no SVG file at all (test_content_files.py): refused before any PDF
        assert "content/2021/t/pic.svg: SITE_FILE" in output, output
    assert "root:x:0:0" not in output
    if command == "gongkai pdf":
        pdfs = project / "site" / "pdf"
        assert (pdfs / "2021" / "t" / "ok.pdf").is_file()  # the other report is made
        assert not (pdfs / "2021" / "t" / "x.pdf").exists() and not (pdfs / "2021" / "t-2021.pdf").exists()
        assert (
            "content/2021/t/x.md: 汇编 PDF 未生成（2021/t-2021.pdf）："
            "其中的报告 2021/t/x.pdf 未能生成：页面引用了不允许读取的地址" in output
        )
    no_leak(project / "site" if (project / "site").exists() else tmp_path / "none", project / ".cache")


# ---- 8. the cache covers every file read --------------------------------------------------


def tiny_font(path: Path, width: int) -> None:
    """A one-glyph TrueType font ("A" is a box ``width`` wide): two widths, two fonts."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    box = TTGlyphPen(None)
    box.moveTo((0, 0))
    box.lineTo((0, 700))
    box.lineTo((width, 700))
    box.lineTo((width, 0))
    box.closePath()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "A"])
    builder.setupCharacterMap({ord("A"): "A"})
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "A": box.glyph()})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "A": (width + 100, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "GkTest", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    builder.save(str(path))


def png(colour: tuple) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def cached_build(root: Path, out: Path, cache: Path, jobs: list) -> dict:
    outcomes = run(jobs, root, out, cache, workers=1, progress=False)
    assert [o.error for o in outcomes] == [None] * len(jobs)
    return {o.job.output: (o.made, (out / o.job.output).read_bytes()) for o in outcomes}


# name → (the file that changes, its first and second content, files that stay, print HTML)
CHANGES = {
    "css-imported": (
        "extra.css",
        b"p { color: #c00000 }",
        b"p { color: #0000c0 }",
        {"print.css": b"@import url(extra.css);\n"},
        doc("<p>改变颜色</p>", '<link rel="stylesheet" href="print.css">'),
    ),
    "svg-image": (
        "dot.png",
        png((200, 0, 0)),
        png((0, 0, 200)),
        {"pic.svg": SVG_OUT.format(href="dot.png").encode()},
        doc('<img src="pic.svg" style="width: 2cm">'),
    ),
    "font": (
        "gk.ttf",
        None,
        None,
        {},
        doc(
            '<p style="font-family: GkTest; font-size: 30pt">AAA</p>',
            "<style>@font-face { font-family: GkTest; src: url(gk.ttf) }</style>",
        ),
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_changing_a_file_read_only_through_css_or_svg_makes_the_pdf_again(change, tmp_path):
    name, first, second, fixed, html = CHANGES[change]
    root, out, cache = tmp_path / "site", tmp_path / "out", tmp_path / "cache"
    root.mkdir()
    for fixed_name, content in fixed.items():
        (root / fixed_name).write_bytes(content)
    if change == "font":
        tiny_font(root / name, 300)
    else:
        (root / name).write_bytes(first)
    jobs = [
        job("a.pdf", html),
        job("b.pdf", html + "<!-- 同一资源的另一个 PDF -->"),
    ]  # the second reuses what the first loaded
    one = cached_build(root, out, cache, jobs)
    assert all(made for made, _ in one.values())
    manifest = (cache / f"{jobs[1].key}.json").read_text(encoding="utf-8")
    assert f'"{name}"' in manifest  # read for the first PDF, reused by the second: still recorded

    two = cached_build(root, out, cache, jobs)  # nothing changed: from the cache, byte for byte
    assert two == {k: (False, data) for k, (_, data) in one.items()}
    assert os.path.samefile(out / "a.pdf", cache / f"{jobs[0].key}.pdf")  # a hard link, not a copy

    if change == "font":
        tiny_font(root / name, 900)
    else:
        (root / name).write_bytes(second)
    three = cached_build(root, out, cache, jobs)
    for output, (made, data) in three.items():
        assert made and data != one[output][1], output

    (root / name).unlink()  # a file it read is gone: not a cache hit, and now refused
    assert not cache_holds(cache, jobs[0].key, root)


def test_cache_entry_without_manifest_is_made_again(tmp_path):
    root, out, cache = tmp_path / "site", tmp_path / "out", tmp_path / "cache"
    root.mkdir()
    jobs = [job("a.pdf", doc("<p>一</p>"))]
    cached_build(root, out, cache, jobs)
    (cache / f"{jobs[0].key}.json").unlink()  # an older cache, or an interrupted write
    assert cached_build(root, out, cache, jobs)["a.pdf"][0] is True


def test_manifest_cannot_point_outside_the_build_folder(tmp_path):
    root, cache = tmp_path / "site", tmp_path / "cache"
    root.mkdir()
    cache.mkdir()
    (cache / "k.pdf").write_bytes(b"%PDF-")
    import hashlib

    digest = hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()
    (cache / "k.json").write_text(f'{{"files": [["../../../../../../etc/passwd", "{digest}"]]}}', encoding="utf-8")
    assert not cache_holds(cache, "k", root)


def test_unchanged_project_pdfs_come_from_the_cache_and_a_changed_svg_image_does_not(tmp_path):
    """End to end with ``gongkai pdf``'s stage: a page shows an SVG file that shows a PNG."""
    from gongkai.pdf.stage import project_pdfs

    page = "---\n数据: data/2021/t/x.yaml\n---\n\n# {{ 名称 }}\n\n![示意图](pic.svg)\n"
    project = make_project(tmp_path / "p", {"data/2021/t/x.yaml": sample_text()}, {"2021/t/x.md": page})
    folder = project / "content" / "2021" / "t"
    (folder / "pic.svg").write_text(SVG_OUT.format(href="dot.png"), encoding="utf-8")
    (folder / "dot.png").write_bytes(png((200, 0, 0)))
    out = tmp_path / "out"

    def build():
        _, outcomes = project_pdfs(project, out, workers=1, progress=False)
        assert [o.error for o in outcomes] == [None, None]
        return {o.job.output: (o.made, (out / o.job.output).read_bytes()) for o in outcomes}

    first = build()
    again = build()
    assert again == {k: (False, data) for k, (_, data) in first.items()}
    (folder / "dot.png").write_bytes(png((0, 0, 200)))  # only the SVG's image changes
    third = build()
    assert all(made and data != first[k][1] for k, (made, data) in third.items())


# ---- 9. one bad page fails alone ------------------------------------------------------------


def nested_list(levels: int) -> str:
    return "\n".join("    " * i + f"- 第 {i + 1} 层" for i in range(levels))


def nested_tables(levels: int) -> str:
    return "<table><tr><td>格" * levels + "</td></tr></table>" * levels


def deep_project(root: Path) -> Path:
    def page(name: str, body: str) -> str:
        return f"---\n数据: data/2021/t/{name}.yaml\n---\n\n# {{{{ 名称 }}}}\n\n{body}\n"

    bodies = {"a": "正常的报告。", "list": nested_list(100), "tables": nested_tables(60), "z": "也正常。"}
    data = {f"data/2021/t/{name}.yaml": sample_text() for name in bodies}
    return make_project(root, data, {f"2021/t/{name}.md": page(name, body) for name, body in bodies.items()})


def test_deeply_nested_pages_fail_alone_and_named(tmp_path):
    project = deep_project(tmp_path / "p")
    env = quiet_env()
    result = subprocess.run(
        [str(GONGKAI), "pdf", "--jobs", "2"], cwd=project, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output and "RecursionError" not in output
    for name in ("list", "tables"):
        assert f"content/2021/t/{name}.md: PDF 未生成（2021/t/{name}.pdf）：页面结构嵌套过深" in output, output
        assert not (project / "site" / "pdf" / "2021" / "t" / f"{name}.pdf").exists()
    for name in ("a", "z"):
        assert (project / "site" / "pdf" / "2021" / "t" / f"{name}.pdf").read_bytes().startswith(b"%PDF-")
    assert (
        "content/2021/t/list.md、content/2021/t/tables.md: 汇编 PDF 未生成（2021/t-2021.pdf）："
        "其中的报告 2021/t/list.pdf 未能生成：页面结构嵌套过深" in output
    )
    assert "；报告 2021/t/tables.pdf 未能生成：页面结构嵌套过深" in output
    assert not (project / "site" / "pdf" / "2021" / "t-2021.pdf").exists()
    assert "失败 3 个" in output


def test_structure_within_the_limit_still_renders(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    levels = (MAX_DEPTH - 4) // 2  # <html><body> and the list inside them, just under the limit
    html = doc("<ul><li>层" * levels + "</li></ul>" * levels)
    assert Writer().render(html, root, root, [], DATE).pdf.startswith(b"%PDF-")


def test_recursion_and_memory_errors_become_messages(monkeypatch, tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    for error, words in (
        (RecursionError, "嵌套过深"),
        (MemoryError, "内存不足"),
        (KeyError("x"), "排版时出错（KeyError"),
    ):

        def fail(*args, _error=error, **kwargs):
            raise _error

        monkeypatch.setattr("weasyprint.HTML.render", fail)
        with pytest.raises(RenderError, match=words):
            Writer().render(doc("<p>x</p>"), root, root, [], DATE)


def _fake_render(self, html, root, base, attachments, date, tagged=True):
    """Stands in for the real writer in forked workers: a marked document kills its worker."""
    if "CRASH" in html:
        os._exit(3)
    if "FAIL" in html:
        raise ValueError("渲染器内部错误")
    return writer.Rendered(b"%PDF-fake " + html.encode(), [])


def test_a_crashed_worker_fails_only_its_job(monkeypatch, tmp_path):
    import multiprocessing

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("the fake writer reaches workers only when they are forked")
    monkeypatch.setattr(Writer, "render", _fake_render)
    jobs = [job(f"{i}.pdf", doc(f"<p>{i}</p>"), f"content/{i}.md") for i in range(6)]
    jobs[2] = job("2.pdf", doc("<p>CRASH</p>"), "content/2.md")
    jobs[4] = job("4.pdf", doc("<p>FAIL</p>"), "content/4.md")
    out = tmp_path / "out"
    outcomes = run(jobs, tmp_path, out, None, workers=2, progress=False)
    errors = {o.job.output: o.error for o in outcomes}
    assert errors.pop("2.pdf") == CRASHED and "渲染器内部错误" in errors.pop("4.pdf")
    assert set(errors.values()) == {None}
    assert sorted(p.name for p in out.glob("*.pdf")) == ["0.pdf", "1.pdf", "3.pdf", "5.pdf"]
    crashed = next(o for o in outcomes if o.job.output == "2.pdf")
    assert crashed.message == f"content/2.md: PDF 未生成（2.pdf）：{CRASHED}"


def test_a_volume_with_a_failed_report_fails_naming_it():
    report = PdfJob("2021/t/b.pdf", "", "b", pages=("content/2021/t/b.md",))
    volume = PdfJob(
        "2021/t-2021.pdf",
        "",
        "汇编",
        pages=("content/2021/t/a.md", "content/2021/t/b.md"),
        parts=("2021/t/a.pdf", "2021/t/b.pdf"),
    )
    outcomes = [PdfJobResult(report, True, "页面结构嵌套过深"), PdfJobResult(volume, True)]
    stage._fail_volumes(outcomes)
    assert (
        outcomes[1].message
        == "content/2021/t/b.md: 汇编 PDF 未生成（2021/t-2021.pdf）：其中的报告 2021/t/b.pdf 未能生成：页面结构嵌套过深"
    )


def test_plain_jobs_still_run(tmp_path):
    """``run`` also takes the printhtml Job the benchmarks plan (no page names)."""
    root = tmp_path / "site"
    root.mkdir()
    outcomes = run(
        [Job("a.pdf", doc("<p>一</p>"), "一", [], DATE, key="k")],
        root,
        tmp_path / "out",
        None,
        workers=1,
        progress=False,
    )
    assert outcomes[0].error is None and (tmp_path / "out" / "a.pdf").is_file()


def test_a_page_whose_print_html_cannot_be_made_fails_alone_with_its_line(tmp_path):
    """Planning the PDFs (``gongkai pdf`` renders each page's Markdown and template itself): a
    template error or Markdown too deep for the converter fails that page's PDF and volume,
    never the planning of the others."""
    from gongkai.pdf.stage import project_pdfs

    def page(name: str, body: str) -> str:
        return f"---\n数据: data/2021/t/{name}.yaml\n---\n\n# {{{{ 名称 }}}}\n\n{body}\n"

    bodies = {"a": "正常。", "b": "正常。\n\n总分 {{ 没有这个名字 }}。", "c": "> " * 1200 + "引用"}
    data = {f"data/2021/t/{name}.yaml": sample_text() for name in bodies}
    project = make_project(
        tmp_path / "p", data, {f"2021/t/{name}.md": page(name, body) for name, body in bodies.items()}
    )
    _, outcomes = project_pdfs(project, tmp_path / "out", workers=1, use_cache=False, progress=False)
    errors = {o.job.output: o for o in outcomes if o.error}
    assert set(errors) == {"2021/t/b.pdf", "2021/t/c.pdf", "2021/t-2021.pdf"}
    assert errors["2021/t/b.pdf"].message.startswith(
        "content/2021/t/b.md: PDF 未生成（2021/t/b.pdf）：页面模板错误（第 9 行）："
    )
    assert "没有这个名字" in errors["2021/t/b.pdf"].message
    assert errors["2021/t/c.pdf"].message.startswith(
        "content/2021/t/c.md: PDF 未生成（2021/t/c.pdf）：页面结构嵌套过深"
    )
    assert errors["2021/t-2021.pdf"].where_pages == ("content/2021/t/b.md", "content/2021/t/c.md")
    assert (tmp_path / "out" / "2021" / "t" / "a.pdf").is_file()
