"""Class 5 of issue 11: formula injection in open data.

Names come from a contributor's YAML. In the site's CSV and XLSX downloads and in
``gongkai export`` no cell may be a formula to a spreadsheet: text beginning with
= + - @ (tab, CR, and the full-width ＝＋－＠) gets a leading ' (the OWASP rule), XLSX text
cells are written as text, and numbers stay numbers."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from conftest import ROOT
from gongkai.cli.commands import main
from gongkai.final_accounts import workbook
from gongkai.final_accounts.evaluate import evaluate_file
from gongkai.render.opendata import FORMULA_STARTS, safe_cell, unquote_cell
from gongkai.site.catalog import prepare

DATA = ROOT / "data" / "2021" / "shenzhen-gsl" / "final-accounts.yaml"
REPORT = ROOT / "data" / "2021" / "shenzhen-gsl" / "a02.yaml"

HOSTILE = (
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "\tTAB=1+1",
    "\rCR=1+1",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(1)",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/","点击")',
    "'=1+1",  # already quoted once: still comes back exactly
)


def _yaml_string(text: str) -> str:
    """A double-quoted YAML scalar of ``text`` (control characters escaped)."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", text) + '"'


def _is_formula_text(text: str) -> bool:
    return (
        bool(text)
        and text[0] in FORMULA_STARTS
        and not re.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?", text)
    )


def hostile_final(tmp_path, names=HOSTILE[:8], department="=cmd|' /C calc'!A0"):
    """The 2021 部门决算 with the first 科目 named by ``names`` and a hostile 部门."""
    text = DATA.read_text(encoding="utf-8")
    codes = re.findall(r'^  - 编码: "(\d{7})".*$', text, flags=re.M)
    assert len(codes) >= len(names)
    for code, name in zip(codes, names, strict=False):
        text = re.sub(
            rf'^(  - 编码: "{code}").*$',
            lambda m: f"{m.group(1)}\n    名称: {_yaml_string(name)}",
            text,
            count=1,
            flags=re.M,
        )
    text = text.replace("部门: 深圳市工商业联合会", f"部门: {_yaml_string(department)}", 1)
    # the downloads then hold the tables derived from the (hostile) 科目, not the printed 原表
    text = re.sub(r"^口径: .*$", "口径: 编制", text, count=1, flags=re.M)
    path = tmp_path / "final-accounts.yaml"
    path.write_text(text, encoding="utf-8")
    fr, _ = evaluate_file(path, "x")
    assert fr is not None
    return path, fr


def hostile_report(tmp_path):
    """The a02 自评表 with hostile indicator names, 指标值, 完成值 and 偏差原因."""
    text = REPORT.read_text(encoding="utf-8")
    text = text.replace("{名称: 会刊设计制作期数,", "{名称: " + _yaml_string(HOSTILE[0]) + ",", 1)
    text = text.replace("{名称: 开展信息员培训次数,", "{名称: " + _yaml_string(HOSTILE[10]) + ",", 1)
    text = text.replace("{名称: 网站及网络建设及维护,", "{名称: " + _yaml_string(HOSTILE[11]) + ",", 1)
    text = text.replace("名称: 数量指标", "名称: " + _yaml_string("@数量指标"), 1)
    text = text.replace("名称: 质量指标", "名称: " + _yaml_string("＝质量指标"), 1)
    text = text.replace(
        "偏差原因: 供应商排期问题。后续会加强会项目的监管", "偏差原因: " + _yaml_string("-2+3+cmd|' /C calc'!A0"), 1
    )
    text = text.replace("偏差原因: 疫情原因，部分工作未开展", "偏差原因: " + _yaml_string("＋疫情原因"), 1)
    path = tmp_path / "a02.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def csv_cells(data: bytes) -> list:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]


def assert_safe_workbook(data: bytes) -> list:
    """No formula cell; every text cell that begins like a formula is quoted. Returns the cells."""
    book = load_workbook(io.BytesIO(data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert cells
    formulas = [f"{c.parent.title}!{c.coordinate}" for c in cells if c.data_type == "f"]
    assert formulas == []
    for cell in cells:
        if isinstance(cell.value, str):
            assert cell.data_type == "s"
            assert not _is_formula_text(cell.value), (cell.coordinate, cell.value)
    # the zip itself: no <f> element in any worksheet
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    return cells


# ---- the shared rule --------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE + ("-", "+", "@", "=", "－12.30", "'-5", "''=x"))
def test_safe_cell_quotes_formula_text_and_unquote_gives_it_back(text):
    safe = safe_cell(text)
    assert not _is_formula_text(safe)
    assert safe.startswith("'") and unquote_cell(safe) == text


@pytest.mark.parametrize(
    "text", ("-12.30", "+5", "-3%", "0.5", "-.5", "1e5", "-1E-3", "深圳", "'plain", "", "一、财政拨款收入")
)
def test_plain_numbers_and_ordinary_text_pass_unchanged(text):
    assert safe_cell(text) == text and unquote_cell(text) == text


def test_numbers_are_never_touched():
    for value in (Decimal("-12.30"), -12.3, -5, None, True):
        assert safe_cell(value) is value


# ---- the site downloads ------------------------------------------------------------------


def test_site_csv_and_xlsx_of_a_final_accounts_record_hold_no_formula(tmp_path):
    path, _fr = hostile_final(tmp_path)
    result, _, downloads = prepare(str(path), "final-accounts.yaml")
    held = [
        l.name
        for t in result.scored.tables
        if t.number == 2
        for side in t.sides
        for l in side.lines
        if l.code in CODES_OF(path)
    ]
    assert len(held) == 8 and all(
        (n.lstrip() and n.lstrip()[0] in FORMULA_STARTS) or n.startswith("TAB") or n.startswith("CR") for n in held
    )
    cells = csv_cells(downloads["csv"])
    assert not [c for c in cells if _is_formula_text(c)]
    for name in held:
        assert safe_cell(name) in cells, name
    # amounts stay plain numbers
    rows = list(csv.reader(io.StringIO(downloads["csv"].decode("utf-8-sig"))))
    assert all(re.fullmatch(r"-?\d+(\.\d+)?", row[7]) for row in rows[1:])
    xcells = assert_safe_workbook(downloads["xlsx"])
    texts = {c.value for c in xcells if isinstance(c.value, str)}
    for name in held:
        assert safe_cell(name) in texts, name
    assert "部门：=cmd|' /C calc'!A0" in texts  # inside 部门：…, never at the start of a cell


def CODES_OF(path) -> list:
    return re.findall(r'^  - 编码: "(\d{7})"', path.read_text(encoding="utf-8"), flags=re.M)


def test_tab_and_carriage_return_starts_are_quoted_in_csv_and_xlsx(tmp_path):
    """The YAML loader trims names, so a leading tab or CR is set on the derived table here."""
    from gongkai.render.final_opendata import final_csv_bytes

    _, fr = hostile_final(tmp_path)
    lines = [l for t in fr.tables if t.number == 3 for side in t.sides for l in side.lines if l.code]
    starts = ("\t=1+1", "\r=1+1", "\n=1+1", "\t", "＝1", "@x")
    for line, name in zip(lines, starts, strict=False):
        line.name = name
    cells = csv_cells(final_csv_bytes(fr))
    assert not [c for c in cells if _is_formula_text(c)]
    assert {"'\t=1+1", "'\r=1+1", "'\n=1+1", "'\t", "'＝1", "'@x"} <= set(cells)
    xcells = assert_safe_workbook(workbook.write(fr.tables, fr.report.department, fr.report.unit, fr.report.year))
    # XML reads a raw CR back as LF: the cell still begins with the quote
    assert {"'\t=1+1", "'\n=1+1", "'＝1", "'@x"} <= {c.value for c in xcells}
    assert not [c for c in xcells if isinstance(c.value, str) and c.value.lstrip("\t\r\n") and c.value[0] in "\t\r\n"]


def test_site_csv_of_a_performance_report_holds_no_formula(tmp_path):
    path = hostile_report(tmp_path)
    result, _, downloads = prepare(str(path), "a02.yaml")
    assert result.scored is not None
    rows = list(csv.reader(io.StringIO(downloads["csv"].decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if _is_formula_text(c)]
    assert "'=1+1" in cells and "'=cmd|' /C calc'!A0" in cells and "'@数量指标" in cells and "'＝质量指标" in cells
    assert "'-2+3+cmd|' /C calc'!A0" in cells and "'＋疫情原因" in cells
    # 分值 and 得分 stay numbers
    assert all(re.fullmatch(r"\d+(\.\d+)?", row[7]) for row in rows[1:])


def test_negative_amounts_stay_numbers_in_csv_and_xlsx(tmp_path):
    _path, fr = hostile_final(tmp_path, names=("=SUM(A1:A9)",))
    line = next(l for t in fr.tables if t.number == 2 for side in t.sides for l in side.lines if l.code == "2012801")
    line.values[-1] = Decimal("-12.30")  # 其他收入 of 行政运行, made negative
    if line.computed is not None:
        line.computed[-1] = Decimal("-12.30")
    from gongkai.render.final_opendata import final_csv_bytes

    rows = list(csv.reader(io.StringIO(final_csv_bytes(fr).decode("utf-8-sig"))))
    assert [r[7] for r in rows if r[4] == "2012801" and r[6] == "其他收入"] == ["-12.30"]
    book = load_workbook(io.BytesIO(workbook.write(fr.tables, fr.report.department, fr.report.unit, fr.report.year)))
    sheet = book["表2"]
    found = [c for row in sheet.iter_rows() for c in row if c.value == -12.3]
    assert found and all(c.data_type == "n" for c in found)


# ---- gongkai export -----------------------------------------------------------------------


def test_gongkai_export_holds_no_formula_and_round_trips_through_import(tmp_path):
    path, _fr = hostile_final(tmp_path)
    out = tmp_path / "决算表.xlsx"
    result = CliRunner().invoke(main, ["export", str(path), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert_safe_workbook(out.read_bytes())
    # import gives back the names exactly as written, without the quote
    yaml_out = tmp_path / "imported.yaml"
    result = CliRunner().invoke(
        main, ["import", str(out), "--year", "2021", "-o", str(yaml_out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    printed, meta, problems = workbook.read(out.read_bytes(), "x.xlsx")
    assert problems == [] and meta["部门"] == "=cmd|' /C calc'!A0"
    names = {row["名称"] for row in printed["表2"]["行"]}
    for name in HOSTILE[:8]:
        assert name.strip() in names, name  # the reader trims surrounding blanks of a name, as before


def _derived_only(tmp_path, source):
    """The record as authored (口径 编制) without its 原表: its downloads are the derived tables."""
    text = re.sub(r"^口径: .*$", "口径: 编制", source.read_text(encoding="utf-8"), count=1, flags=re.M)
    text = re.sub(r"^原表:\n(?:(?:[ #].*)?\n)*", "", text, count=1, flags=re.M)
    path = tmp_path / f"derived-{source.name}"
    path.write_text(text, encoding="utf-8")
    return path


def test_export_import_round_trip_on_the_shipped_record_and_a_hostile_one(tmp_path):
    """data → xlsx → 原表: read back equal after a second export; with the data, it checks clean."""
    names = tuple(n for n in HOSTILE if n.strip() == n)  # the loader trims names
    hostile = (hostile_final(tmp_path, names=names[:8])[0], hostile_final(tmp_path, names=names[8:])[0])
    for source in (_derived_only(tmp_path, DATA), *(_derived_only(tmp_path, h) for h in hostile)):
        fr, _ = evaluate_file(source, "x")
        first = workbook.write(fr.tables, fr.report.department, fr.report.unit, fr.report.year)
        printed, meta, problems = workbook.read(first, "x.xlsx")
        assert problems == [] and meta["部门"] == fr.report.department
        held = {l.name for t in fr.tables for side in t.sides for l in side.lines if l.name}
        read_back = {row["名称"] for n in (2, 3, 5) for row in printed[f"表{n}"]["行"]}
        assert read_back <= held and {n for n in names if n in held} <= read_back
        # the 原表 alone, exported and imported again, gives the same 原表
        again = tmp_path / "again.yaml"
        again.write_text(workbook.yaml_text(printed, meta, fr.report.year, "x.xlsx"), encoding="utf-8")
        fr2, _ = evaluate_file(again, "again.yaml")
        second = workbook.write(fr2.tables, fr2.report.department, fr2.report.unit, fr2.report.year)
        assert workbook.read(second, "y.xlsx") == (printed, meta, [])
        # the data with its imported 原表 checks clean: every printed figure and name agrees
        both = tmp_path / "both.yaml"
        both.write_text(
            source.read_text(encoding="utf-8")
            + workbook.yaml_text(printed, meta, 2021, "x").split("原表:", 1)[1].join(["原表:", ""]),
            encoding="utf-8",
        )
        checked, found = evaluate_file(both, "both.yaml")
        # every printed figure and name agrees with the data: the round trip adds no problem
        # (the shipped record is a faithful transcription and keeps its own inconsistencies)
        _, own = evaluate_file(source, "source.yaml")
        before = {(p.code, p.path) for p in own if p.severity != "info"}
        assert checked.printed and {(p.code, p.path) for p in found if p.severity != "info"} <= before


def test_control_characters_in_names_never_break_the_workbook(tmp_path):
    """"\\e" and "\\x07" are valid YAML escapes but cannot be stored in a workbook: they are dropped."""
    path, _fr = hostile_final(tmp_path, names=("\x1b[2J=1+1\x07", "\x1b=1+1"))
    _result, _, downloads = prepare(str(path), "final-accounts.yaml")
    texts = {c.value for c in assert_safe_workbook(downloads["xlsx"]) if isinstance(c.value, str)}
    assert "[2J=1+1" in texts and "'=1+1" in texts
