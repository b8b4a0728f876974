"""Class 6 of issue 11: ``gongkai import`` reads within bounds.

Hostile workbooks, built here with openpyxl and zipfile: a cell at XFD1048576, a zip bomb,
declared sizes that lie, too many parts, a file over the size limit, a file that is not
a workbook, formulas without a cached value, external links and DDE. Each gives a located
problem, exit code 1, no traceback, and leaves the output file as it was."""

from __future__ import annotations

import io
import re
import struct
import subprocess
import sys
import time
import zipfile

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from conftest import ROOT
from gongkai.cli.commands import main
from gongkai.final_accounts import workbook
from gongkai.final_accounts.evaluate import evaluate_file

DATA = ROOT / "data" / "2021" / "shenzhen-gsl" / "final-accounts.yaml"
GIB = 1 << 30
# gongkai import in a child process that may not map more than 1 GiB
BOUNDED = f"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({GIB}, {GIB}))
from gongkai.cli.commands import main
main(sys.argv[1:], prog_name="gongkai")
"""


@pytest.fixture(scope="module")
def exported() -> bytes:
    fr, _ = evaluate_file(DATA, "x")
    return workbook.write(fr.tables, fr.report.department, fr.report.unit, fr.report.year)


def sheet_part(data: bytes, title: str) -> str:
    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return book[title]._worksheet_path
    finally:
        book.close()


def rezip(data: bytes, replace: dict | None = None, add: dict | None = None) -> bytes:
    """The workbook with some parts replaced (name → bytes, or function of the old bytes) or added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            change = replace.get(item.filename)
            target.writestr(
                item.filename, change(content) if callable(change) else content if change is None else change
            )
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def with_cell(data: bytes, title: str, ref: str, inner: bytes, t: str = "") -> bytes:
    """Replace the XML of one existing cell of a sheet with ``<c r=ref t=t>inner</c>``."""
    part = sheet_part(data, title)
    attr = f' t="{t}"'.encode() if t else b""

    def change(xml: bytes) -> bytes:
        cell = b'<c r="' + ref.encode() + b'"' + attr + b">" + inner + b"</c>"
        new, count = re.subn(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', lambda m: cell, xml, count=1)
        assert count == 1
        return new

    return rezip(data, {part: change})


def run(path, out, *extra):
    return CliRunner().invoke(
        main, ["import", str(path), "--year", "2021", "-o", str(out), *extra], catch_exceptions=False
    )


def refused(tmp_path, data: bytes, name: str = "hostile.xlsx"):
    """Import ``data`` over an existing output file (with --force): exit 1, no traceback, file kept."""
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / "out.yaml"
    out.write_text("# 原有的文件\n", encoding="utf-8")
    result = run(path, out, "--force")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert out.read_text(encoding="utf-8") == "# 原有的文件\n"
    assert not (tmp_path / "fresh.yaml").exists()
    assert run(path, tmp_path / "fresh.yaml").exit_code == 1 and not (tmp_path / "fresh.yaml").exists()
    return result.output


def bounded_import(tmp_path, data: bytes, name: str = "hostile.xlsx"):
    """The CLI in a child process limited to 1 GiB of address space; returns (seconds, completed)."""
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / f"{name}.yaml"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", BOUNDED, "import", str(path), "--year", "2021", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    elapsed = time.perf_counter() - started
    assert "Traceback" not in done.stderr + done.stdout and "MemoryError" not in done.stderr
    assert done.returncode == 1, done.stderr
    assert not out.exists()
    return elapsed, done


# ---- the import of a good workbook still works ------------------------------------------


def test_an_exported_workbook_imports_cleanly(tmp_path, exported):
    path = tmp_path / "good.xlsx"
    path.write_bytes(exported)
    result = run(path, tmp_path / "out.yaml")
    assert result.exit_code == 0, result.output
    assert "原表:" in (tmp_path / "out.yaml").read_text(encoding="utf-8")


def test_a_formula_with_a_cached_value_is_read_as_that_value(exported):
    """What Excel saves for =SUM(…): the formula and its result. The result is taken."""
    xml = zipfile.ZipFile(io.BytesIO(exported)).read(sheet_part(exported, "表2"))
    value = re.search(rb'<c r="C9"[^>]*><v>([^<]+)</v>', xml).group(1)
    data = with_cell(exported, "表2", "C9", b"<f>SUM(D9:I9)</f><v>" + value + b"</v>")
    printed, _, problems = workbook.read(data, "x.xlsx")
    assert problems == []
    assert printed == workbook.read(exported, "x.xlsx")[0]


def test_layout_bounds_come_from_the_layout():
    rows, columns = workbook.layout_bounds()
    assert columns == 12  # 表7: 预算数 and 决算数, six columns each
    assert 1000 < rows < 2000  # 表头 and a line for every 类、款、项 of the subject table
    from openpyxl.utils import get_column_letter

    guide = (ROOT / "content" / "guide" / "final-accounts.md").read_text(encoding="utf-8")
    assert f"A1:{get_column_letter(columns)}{rows}" in guide  # the guide states the bounds in force
    for limit in (
        f"{workbook.MAX_FILE_BYTES >> 20} MiB",
        f"{workbook.MAX_UNPACKED_BYTES >> 20} MiB",
        f"{workbook.MAX_PART_BYTES >> 20} MiB",
        f"{workbook.MAX_PARTS} 个",
        f"{workbook.MAX_SHEETS} 张",
    ):
        assert limit in guide, limit


# ---- out of bounds ----------------------------------------------------------------------


def test_a_cell_at_xfd1048576_is_refused_quickly_in_bounded_memory(tmp_path):
    """The 4.9 KB workbook of the issue: one cell at the last row and column."""
    book = Workbook()
    book.active.title = "表2"
    book.active["XFD1048576"] = 1
    buffer = io.BytesIO()
    book.save(buffer)
    assert len(buffer.getvalue()) < 10_000
    elapsed, done = bounded_import(tmp_path, buffer.getvalue())
    assert elapsed < 60
    assert "IMPORT_TOO_LARGE" in done.stderr and "表2!XFD1048576" in done.stderr and "版式" in done.stderr


def test_a_far_cell_added_to_a_real_workbook_is_located(tmp_path, exported):
    book = load_workbook(io.BytesIO(exported))
    book["表3"]["XFD1048576"] = "=HYPERLINK(\"http://evil\",\"x\")"
    book["表3"]["M5"] = 7  # one column right of the widest table
    book["表3"]["A1201"] = 7  # one row below the longest table
    buffer = io.BytesIO()
    book.save(buffer)
    output = refused(tmp_path, buffer.getvalue())
    assert "IMPORT_TOO_LARGE" in output and "表3!M5 等 3 个单元格" in output
    elapsed, _done = bounded_import(tmp_path, buffer.getvalue(), "far.xlsx")
    assert elapsed < 60


def test_formatted_empty_cells_outside_the_layout_are_ignored(exported):
    book = load_workbook(io.BytesIO(exported))
    from openpyxl.styles import Font

    book["表2"]["Z9000"].font = Font(bold=True)  # formatted, no content
    buffer = io.BytesIO()
    book.save(buffer)
    assert workbook.read(buffer.getvalue(), "x.xlsx")[2] == []


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, exported):
    """A sheet of 64 MiB of repeated rows, compressed to a few hundred kilobytes."""
    part = sheet_part(exported, "表2")
    row = b"<row><c><v>1</v></c></row>"
    body = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(exported)) as source, zipfile.ZipFile(body, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != part:
                target.writestr(item.filename, source.read(item.filename))
                continue
            with target.open(part, "w") as stream:
                stream.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                chunk = row * 40_000
                for _ in range((64 << 20) // len(chunk)):
                    stream.write(chunk)
                stream.write(b"</sheetData></worksheet>")
    data = body.getvalue()
    assert len(data) < 2 << 20
    elapsed, done = bounded_import(tmp_path, data, "bomb.xlsx")
    assert "IMPORT_TOO_LARGE" in done.stderr and "解压后" in done.stderr and elapsed < 60


def test_declared_sizes_that_lie_are_caught_not_believed(tmp_path, exported):
    """The same bomb with its declared size patched down to 1 KB: zipfile stops there and the CRC fails."""
    part = sheet_part(exported, "表2")
    huge = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + b"<row><c><v>1</v></c></row>" * 2_000_000
        + b"</sheetData></worksheet>"
    )
    data = bytearray(rezip(exported, {part: huge}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        offset = archive.getinfo(part).header_offset
    struct.pack_into("<I", data, offset + 22, 1024)  # local header: uncompressed size
    end = data.rfind(b"PK\x05\x06")
    at = struct.unpack_from("<I", data, end + 16)[0]
    while data[at : at + 4] == b"PK\x01\x02":
        n, m, k = struct.unpack_from("<HHH", data, at + 28)
        if data[at + 46 : at + 46 + n].decode() == part:
            struct.pack_into("<I", data, at + 24, 1024)  # central directory: uncompressed size
        at += 46 + n + m + k
    output = refused(tmp_path, bytes(data))
    assert "XLSX_UNREADABLE" in output
    bounded_import(tmp_path, bytes(data), "lying.xlsx")


def test_a_sheet_far_beyond_the_layout_is_not_read(tmp_path, exported):
    """Under the size limits, but far more XML than the largest table has: refused unread."""
    part = sheet_part(exported, "表5")
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 60_001))
    huge = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + rows
        + b"</sheetData></worksheet>"
    )
    assert len(huge) < workbook.MAX_PART_BYTES
    output = refused(tmp_path, rezip(exported, {part: huge}))
    assert "IMPORT_TOO_LARGE" in output and "表5" in output and "没有读取" in output


def test_too_many_parts_are_refused(tmp_path, exported):
    output = refused(tmp_path, rezip(exported, add={f"xl/media/x{i}.bin": b"" for i in range(workbook.MAX_PARTS + 1)}))
    assert "IMPORT_TOO_LARGE" in output and "部件" in output


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path, exported):
    path = tmp_path / "big.xlsx"
    with path.open("wb") as handle:
        handle.write(exported)
        handle.truncate(workbook.MAX_FILE_BYTES + 1)  # a sparse file: nothing else written
    output = refused(tmp_path, path.read_bytes(), "big.xlsx")
    assert "IMPORT_TOO_LARGE" in output and "20.0 MiB" in output
    assert workbook.MAX_FILE_BYTES == 20 * 1024 * 1024


@pytest.mark.parametrize(
    "data",
    [
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,  # an old .xls (OLE)
        "项目,金额\n收入,1\n".encode(),  # a CSV renamed
        b"",
        b"PK\x03\x04 not really a zip",
        b"<html><body>not a workbook</body></html>",
    ],
    ids=["xls", "csv", "empty", "broken-zip", "html"],
)
def test_a_file_that_is_not_a_workbook_is_refused(tmp_path, data):
    output = refused(tmp_path, data, "renamed.xlsx")
    assert "XLSX_UNREADABLE" in output


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert "XLSX_UNREADABLE" in refused(tmp_path, buffer.getvalue())


def test_a_dtd_in_a_sheet_is_refused(tmp_path, exported):
    part = sheet_part(exported, "表2")
    laughs = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    output = refused(tmp_path, rezip(exported, {part: lambda xml: laughs + xml}))
    assert "XLSX_UNREADABLE" in output


# ---- formulas and external links ----------------------------------------------------------


def test_a_formula_without_a_cached_value_is_located(tmp_path, exported):
    book = load_workbook(io.BytesIO(exported))
    book["表2"]["C9"] = "=SUM(D9:I9)"  # openpyxl saves no result: as from a generator, never opened in Excel
    buffer = io.BytesIO()
    book.save(buffer)
    output = refused(tmp_path, buffer.getvalue())
    assert "IMPORT_FORMULA" in output and "表2!C9" in output and "=SUM(D9:I9)" in output and "没有计算结果" in output


def test_many_formulas_without_values_are_counted_not_listed(exported):
    book = load_workbook(io.BytesIO(exported))
    for row in range(9, 40):
        book["表3"][f"C{row}"] = f"=SUM(D{row}:H{row})"
    buffer = io.BytesIO()
    book.save(buffer)
    problems = [p for p in workbook.read(buffer.getvalue(), "x.xlsx")[2] if p.code == "IMPORT_FORMULA"]
    assert len(problems) == workbook.MAX_LOCATED + 1 and "另有 11 个" in problems[-1].message


@pytest.mark.parametrize(
    "inner",
    [
        b"<f>[1]Sheet1!A1</f>",
        b"<f>[1]Sheet1!A1</f><v>1982.23</v>",  # a cached value from another file is not taken either
        b"<f>'[1]My sheet'!A1+1</f><v>1</v>",
        b"<f>'C:\\dir\\[book.xlsx]Sheet1'!A1</f><v>1</v>",
        b"<f>SUM([1]Sheet1!A1:A9)</f><v>1</v>",
        b"<f>cmd|' /C calc'!A0</f><v>0</v>",  # DDE
    ],
    ids=["index", "cached", "quoted", "path", "inside", "dde"],
)
def test_a_formula_reaching_another_workbook_is_located(tmp_path, exported, inner):
    output = refused(tmp_path, with_cell(exported, "表2", "C9", inner))
    assert "IMPORT_EXTERNAL_LINK" in output and "表2!C9" in output and "外部工作簿" in output


def test_shared_formulas_reaching_another_workbook_are_located(exported):
    data = with_cell(exported, "表2", "C9", b'<f t="shared" ref="C9:C10" si="0">[1]Sheet1!A1</f><v>1</v>')
    data = with_cell(data, "表2", "C10", b'<f t="shared" si="0"/><v>2</v>')
    problems = workbook.read(data, "x.xlsx")[2]
    assert {p.message.split("：")[0] for p in problems if p.code == "IMPORT_EXTERNAL_LINK"} == {"表2!C9", "表2!C10"}


def test_formulas_that_only_look_external_are_not(exported):
    data = with_cell(exported, "表2", "C9", b'<f>SUM(D9:I9)&amp;"[1]x!"</f><v>1982.23</v>')
    assert workbook.read(data, "x.xlsx")[2] == []


def test_an_external_link_part_is_refused_even_without_a_formula(tmp_path, exported):
    link = b'<?xml version="1.0"?><externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><externalBook/></externalLink>'
    output = refused(tmp_path, rezip(exported, add={"xl/externalLinks/externalLink1.xml": link}))
    assert "IMPORT_EXTERNAL_LINK" in output and "externalLink1.xml" in output
