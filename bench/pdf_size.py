"""Benchmark: the size of the example reports' PDFs, and what takes the space.

Renders every report of this repository's example site (data/ and content/) with the print
theme of each row, measures each PDF and splits the bytes of one 2-page report into font files,
page content, structure (the tagged PDF's structure tree and the other objects in object
streams), attachments and metadata. Target: a report of 2 pages ≤ 200 KB.

    .venv/bin/python bench/pdf_size.py [--project .]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
from pathlib import Path

from gongkai.pdf import writer as writer_module
from gongkai.pdf.printhtml import PrintRenderer
from gongkai.pdf.stage import _attachments as attachments
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.site import catalog as catalog_module
from gongkai.site.config import load_site

TARGET = 200 * 1024
KINDS = (
    ("font files", (b"/Subtype /OpenType", b"/FontFile")),
    ("attachments", (b"/EmbeddedFile",)),
    ("structure and dictionaries (object streams)", (b"/ObjStm",)),
    ("XMP metadata", (b"/Metadata",)),
)


def breakdown(pdf: bytes) -> dict:
    """Bytes of a PDF by what its objects hold (uncompressed objects by their dictionary)."""
    parts: dict = {}
    for match in re.finditer(rb"\d+ 0 obj(.*?)endobj", pdf, re.S):
        body = match.group(1)
        head = body[:400].split(b"stream")[0]
        kind = next((name for name, marks in KINDS if any(m in head for m in marks)), None)
        if kind is None:
            kind = "page content and images" if b"stream" in body else "other objects"
        parts[kind] = parts.get(kind, 0) + len(body)
    parts["total"] = len(pdf)
    return parts


def pages(pdf: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def render_all(project: Path, theme: str, variant: str) -> list:
    """(data file, pages, bytes, pdf) of every report of ``project`` in ``theme`` as ``variant``."""
    site = load_site(project, print_theme=theme)
    loaded = site.project
    catalog = catalog_module.build(loaded, downloads=("yaml", "json"))
    html_env = html_environment(loaded.root)
    renderer = PrintRenderer.for_catalog(loaded, catalog, html_env, markdown_environment(html_env), site.markdown)
    previous, writer_module.VARIANT = writer_module.VARIANT, variant
    try:
        writer = writer_module.Writer()
        out = []
        for entry in catalog.entries:
            files = attachments(entry, date=renderer.dates.file_date(entry.page.data))
            pdf = writer.write(renderer.report(entry), loaded.docs, loaded.docs, files, renderer.date(entry))
            out.append((entry.page.data, pages(pdf), len(pdf), pdf))
        return out
    finally:
        writer_module.VARIANT = previous


def largest_short(project: Path, theme: str = "公文", variant: str | None = None) -> tuple:
    """(data file, bytes, how many) of the largest report of at most 2 pages, and how many there are."""
    made = render_all(project, theme, variant or writer_module.VARIANT)
    two = [m for m in made if m[1] <= 2]
    largest = max(two, key=lambda m: m[2])
    return largest[0], largest[2], len(two)


def kb(size: int) -> str:
    return f"{size / 1024:.0f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    project = Path(args.project)
    rows = []
    detail = None
    for theme, variant, label in (
        ("公文", writer_module.VARIANT, "公文，带标签（PDF/A-3a + PDF/UA-1 标识，默认）"),
        ("公文", "pdf/a-3u", "公文，不带标签（PDF/A-3u）"),
        ("简洁", writer_module.VARIANT, "简洁（Noto CJK），带标签"),
    ):
        made = render_all(project, theme, variant)
        two = [m for m in made if m[1] <= 2]
        largest = max(two, key=lambda m: m[2]) if two else None
        if largest is not None:
            rows.append((f"2 页以内的报告 PDF，最大（{label}）",
                         f"{kb(largest[2])}（{largest[0]}，{len(two)} 份中最大）", "≤ 200 KB"))
            if detail is None:
                detail = (largest[0], breakdown(largest[3]))
        total = sum(m[2] for m in made)
        rows.append((f"全部 {len(made)} 份报告 PDF 合计（{label}）", kb(total), "—"))
    print("| 项目 | 结果 | 目标 |")
    print("|---|---|---|")
    for name, value, target in rows:
        print(f"| {name} | {value} | {target} |")
    if detail is not None:
        print()
        print(f"{detail[0]} 的构成：")
        for kind, size in sorted(detail[1].items(), key=lambda item: -item[1]):
            print(f"- {kind}: {kb(size)}")


if __name__ == "__main__":
    main()
