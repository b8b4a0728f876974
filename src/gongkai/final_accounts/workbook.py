"""The nine tables in Excel, laid out as the published tables: one sheet per table, the
title, 部门 and 单位 above the headers as printed, then the rows.

``write`` makes the workbook (published beside each 决算 page, and the template users
fill in); ``read`` turns such a workbook back into the 原表 (as-printed) YAML data, with a
located problem (sheet and row) for every cell it cannot read."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side as Edge
from openpyxl.utils import get_column_letter

from ..problems import problem
from .tables import COLUMNS, NOTES, STANDARD, THREE_PUBLIC_COLUMNS, Table

TITLES = dict(STANDARD)
NUMBER_FORMAT = "#,##0.00"
THIN = Edge(style="thin", color="666666")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD = PatternFill("solid", fgColor="EEF2F6")
CENT = Decimal("0.01")


# ---- writing ----------------------------------------------------------------------------


def write(tables: list, department: str, unit: str, year: int) -> bytes:
    """A workbook of the tables (in their order), as bytes; identical tables give identical bytes."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(f"表{table.position or table.number}")
        _sheet(sheet, table, department, unit, year)
    buffer = io.BytesIO()
    book.properties.creator = "gongkai"
    book.properties.title = f"{department} {year} 年度部门决算表"
    moment = dt.datetime(year, 12, 31, 23, 59, 59)
    book.properties.created = moment
    book.properties.modified = moment
    book.save(buffer)
    return _fixed_times(buffer.getvalue(), (year, 12, 31, 23, 59, 58))


def _fixed_times(data: bytes, when: tuple) -> bytes:
    """The same workbook with every zip entry dated ``when``: identical input, identical bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        stamp = "%04d-%02d-%02dT%02d:%02d:%02dZ" % when
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", lambda m: m.group(1) + stamp.encode(), content)
                content = re.sub(rb"(<dcterms:created[^>]*>)[^<]*", lambda m: m.group(1) + stamp.encode(), content)
            target.writestr(info, content)
    return out.getvalue()


def _sheet(sheet, table: Table, department: str, unit: str, year: int) -> None:
    rows = _layout(table)
    width = max(len(r) for r in rows)
    sheet.append([f"表{table.position or table.number}"])
    sheet.append([table.title])
    sheet.append([f"部门：{department}"] + [None] * (width - 2) + [f"单位：{unit}"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet["A2"].font = Font(bold=True, size=14)
    sheet["A2"].alignment = Alignment(horizontal="center")
    header_rows = _header_rows(table)
    for i, row in enumerate(rows):
        sheet.append(row)
        excel_row = 4 + i
        for col, value in enumerate(row, 1):
            cell = sheet.cell(excel_row, col)
            cell.border = BOX
            if i < header_rows:
                cell.fill = HEAD
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and not _is_number_column_index(table, col):
                cell.number_format = NUMBER_FORMAT
    note_row = 4 + len(rows)
    sheet.cell(note_row, 1, f"注：{_note(table)}")
    if table.empty_note:
        sheet.cell(note_row + 1, 1, table.empty_note)
    for col in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 14 if col > 2 else 22
    sheet.freeze_panes = sheet.cell(4 + header_rows, 1)


def _note(table: Table) -> str:
    return NOTES[table.number]


def _is_number_column_index(table: Table, col: int) -> bool:
    """行次 columns hold whole numbers, printed without decimals."""
    if table.number in (1, 4):
        left = 2 + len(table.sides[0].columns)
        return col == 2 or col == left + 2
    return False


def _header_rows(table: Table) -> int:
    if table.number == 7:
        return 4
    if len(table.sides) == 2:
        return 2 if table.number == 6 else 3
    return 3


def _num(value):
    return None if value is None else float(value)


def _layout(table: Table) -> list:
    """Header rows and data rows of a table, cell by cell, as printed."""
    if table.number == 7:
        side = table.sides[0]
        budget, actual = side.lines
        return [
            ["预算数"] + [None] * 5 + ["决算数"] + [None] * 5,
            list(THREE_PUBLIC_COLUMNS) * 2,
            [None, None, "小计", "公务用车购置费", "公务用车运行费", None] * 2,
            list(range(1, 13)),
            [_num(v) for v in budget.values + actual.values],
        ]
    if len(table.sides) == 2:
        left, right = table.sides
        head = [[left.title] + [None] * (1 + len(left.columns)) + [right.title] + [None] * (1 + len(right.columns))]
        if left.coded:
            head.append(["经济分类科目编码", "科目名称", *left.columns, "经济分类科目编码", "科目名称", *right.columns])
        else:
            head.append(["项目", "行次", *left.columns, "项目", "行次", *right.columns])
            head.append(["栏次", None, *range(1, len(left.columns) + 1), "栏次", None, *range(len(left.columns) + 1, len(left.columns) + len(right.columns) + 1)])
        body = []
        for i in range(max(len(left.lines), len(right.lines))):
            row = []
            for side in (left, right):
                line = side.lines[i] if i < len(side.lines) else None
                if line is None:
                    row += [None, None] + [None] * len(side.columns)
                elif side.coded:
                    row += [line.code or None, line.name, *[_num(v) for v in line.values]]
                else:
                    row += [line.name or None, line.number, *[_num(v) for v in line.values]]
            body.append(row)
        return head + body
    side = table.sides[0]
    head = [
        ["项目", None, *side.columns],
        ["功能分类科目编码", "科目名称", *[None] * len(side.columns)],
        ["栏次", None, *range(1, len(side.columns) + 1)],
    ]
    body = [[line.code or None, line.name, *[_num(v) for v in line.values]] for line in side.lines]
    return head + body


# ---- reading ----------------------------------------------------------------------------


class _Reader:
    def __init__(self, file: str):
        self.file = file
        self.problems: list = []

    def bad(self, sheet: str, row: int, message: str) -> None:
        self.problems.append(problem("XLSX_CELL", self.file, row, f"工作表“{sheet}”第 {row} 行：{message}"))

    def number(self, sheet: str, row: int, col: int, value):
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            self.bad(sheet, row, f"第 {col} 列应为金额，实为“{value}”")
            return None
        if isinstance(value, (int, float)):
            return Decimal(repr(value)).quantize(CENT)
        text = str(value).strip().replace(",", "")
        if text in ("", "-", "—"):
            return None
        try:
            return Decimal(text).quantize(CENT)
        except InvalidOperation:
            self.bad(sheet, row, f"第 {col} 列应为金额，实为“{value}”")
            return None


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _code(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def read(data: bytes, file: str) -> tuple:
    """(原表 data as a dict ready for YAML, meta {部门, 单位, 年度}, problems)."""
    reader = _Reader(file)
    try:
        book = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        return {}, {}, [problem("XLSX_UNREADABLE", file, None, f"无法读取 Excel 文件（{type(exc).__name__}）：请确认是 .xlsx 格式且未损坏")]
    printed, meta = {}, {}
    for sheet in book.worksheets:
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        number = _table_number(sheet.title, rows)
        if number is None:
            reader.bad(sheet.title, 1, f"认不出是哪张决算表：表名应为 {('、'.join(TITLES.values()))} 之一")
            continue
        _meta(rows, meta)
        try:
            printed[f"表{number}"] = _read_table(number, sheet.title, rows, reader)
        except _Layout as exc:
            reader.bad(sheet.title, exc.row, exc.message)
    book.close()
    missing = [f"表{n}" for n, _ in STANDARD if f"表{n}" not in printed]
    if missing and printed:
        reader.problems.append(problem("XLSX_CELL", file, None, f"工作簿中缺少：{'、'.join(missing)}"))
    return printed, meta, reader.problems


class _Layout(Exception):
    def __init__(self, row: int, message: str):
        super().__init__(message)
        self.row = row
        self.message = message


def _table_number(title: str, rows: list) -> int | None:
    for row in rows[:4]:
        for cell in row:
            text = re.sub(r"\s+", "", str(cell or ""))
            found = [(len(name), number) for number, name in STANDARD if text.endswith(name)]
            if found:
                return max(found)[1]  # 财政拨款收入支出决算总表, not 收入支出决算总表
    match = re.fullmatch(r"表\s*(\d)", title.strip())
    return int(match.group(1)) if match else None


def _meta(rows: list, meta: dict) -> None:
    for row in rows[:4]:
        for cell in row:
            text = str(cell or "").strip()
            if text.startswith("部门："):
                meta.setdefault("部门", text.removeprefix("部门："))
            elif text.startswith("单位："):
                meta.setdefault("单位", text.removeprefix("单位："))


def _data_start(rows: list, number: int) -> int:
    """Index of the first data row: after the 栏次 row (or the header rows of 表6)."""
    for i, row in enumerate(rows):
        first = re.sub(r"\s+", "", str(row[0] or "")) if row else ""
        if first == "栏次":
            return i + 1
        if number == 6 and first == "经济分类科目编码":
            return i + 1
        if number == 7 and row and row[0] == 1 and len(row) >= 12:
            return i + 1
    raise _Layout(1, "找不到表头（“栏次”一行）；请按模板的版式填写")


def _body(rows: list, start: int) -> list:
    out = []
    for i in range(start, len(rows)):
        row = rows[i]
        first = str(row[0] or "").strip() if row else ""
        if first.startswith("注：") or first.startswith("说明："):
            break
        if not any(c not in (None, "") for c in row):
            continue
        if first.startswith("本部门本年度无"):
            continue
        out.append((i + 1, row))
    return out


def _note_of(rows: list) -> str | None:
    for row in rows:
        for cell in row or []:
            text = str(cell or "").strip()
            if text.startswith("本部门本年度无"):
                return text
    return None


def _read_table(number: int, sheet: str, rows: list, reader: _Reader) -> dict:
    start = _data_start(rows, number)
    body = _body(rows, start)
    if number == 7:
        if not body:
            raise _Layout(start + 1, "没有数据行")
        excel_row, row = body[0]
        values = [reader.number(sheet, excel_row, c + 1, v) for c, v in enumerate(row[:12])]
        names = list(THREE_PUBLIC_COLUMNS)
        return {"预算数": dict(zip(names, values[:6])), "决算数": dict(zip(names, values[6:12]))}
    if number in (1, 4, 6):
        return _two_sided(number, sheet, rows, body, reader)
    columns = [str(c).strip() for c in rows[start - 3][2:] if c not in (None, "")] or list(COLUMNS[number])
    out_rows = []
    for excel_row, row in body:
        code, name = _code(row[0]), _text(row[1])
        if name is None:
            reader.bad(sheet, excel_row, "缺少科目名称")
            continue
        values = [reader.number(sheet, excel_row, c + 3, v) for c, v in enumerate(row[2 : 2 + len(columns)])]
        out_rows.append({"编码": code or "", "名称": name, "数": [v if v is not None else Decimal("0.00") for v in values]})
    table = {"列": columns, "行": out_rows}
    note = _note_of(rows)
    if note:
        table["说明"] = note
    return table


def _two_sided(number: int, sheet: str, rows: list, body: list, reader: _Reader) -> dict:
    if number == 6:
        personnel, public, totals = [], [], {}
        for excel_row, row in body:
            for side, offset in ((personnel, 0), (public, 3)):
                code, name = _code(row[offset]), _text(row[offset + 1])
                amount = reader.number(sheet, excel_row, offset + 3, row[offset + 2] if len(row) > offset + 2 else None)
                if name in ("人员经费合计", "公用经费合计"):
                    totals[name] = amount
                elif name:
                    side.append({"编码": code or "", "名称": name, "金额": amount if amount is not None else Decimal("0.00")})
        return {"人员经费": personnel, "公用经费": public, "人员经费合计": totals.get("人员经费合计"), "公用经费合计": totals.get("公用经费合计")}
    spending_width = 1 if number == 1 else 4
    income, spending = [], []
    key = "决算数" if number == 1 else "金额"
    for excel_row, row in body:
        name, order = _text(row[0]), row[1]
        if name:
            income.append({"项目": name, "行次": _order(order), key: reader.number(sheet, excel_row, 3, row[2])})
        name, order = _text(row[3]), row[4] if len(row) > 4 else None
        if name:
            values = [reader.number(sheet, excel_row, 6 + c, v) for c, v in enumerate(row[5 : 5 + spending_width])]
            item = {"项目": name, "行次": _order(order)}
            if number == 1:
                item["决算数"] = values[0]
            else:
                item["数"] = values
            spending.append(item)
    table = {"收入": income, "支出": spending}
    if number == 4:
        table["支出列"] = list(COLUMNS[4])
    return table


def _order(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) else None


def yaml_text(printed: dict, meta: dict, year: int | None, source: str) -> str:
    """The 原表 YAML of an imported workbook (numbers written as their exact decimal text)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", f"{v:f}"))
    head = {"类型": "部门决算", "年度": year, "部门": meta.get("部门", ""), "单位": meta.get("单位", "万元"), "原表": printed}
    body = yaml.dump(head, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=200)
    return f"# 由 {source} 导入（gongkai import）：九张表照表格原样录入。\n" + body
