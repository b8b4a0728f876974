"""The nine tables in Excel, laid out as the published tables: one sheet per table, the
title, 部门 and 单位 above the headers as printed (group headings merged over their columns),
then the rows; set up to print on A4 landscape, one page wide, the headers on every page.

``write`` makes the workbook (published beside each 决算 page, and the template users
fill in); no cell of it is a formula (``safe_cell``). ``read`` turns such a workbook back
into the 原表 (as-printed) YAML data, with a located problem (sheet and row or cell) for
every cell it cannot read. It measures the zip before opening it and reads only within the
largest layout of the nine tables (``layout_bounds``): a workbook comes from anyone."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from xml.parsers import expat

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill
from openpyxl.styles import Side as Edge
from openpyxl.utils import column_index_from_string, get_column_letter

from gongkai.engine.decimals import plain
from gongkai.engine.problems import problem
from gongkai.final_accounts.layout import (
    ECONOMIC,
    LAYOUTS,
    NOTE_ROWS,
    SUMMARY,
    TABLES,
    THREE_PUBLIC,
    TITLES,
    TOP_ROWS,
    SideLayout,
    TableLayout,
)
from gongkai.final_accounts.tables import Table
from gongkai.render.opendata import safe_cell, unquote_cell

NUMBER_FORMAT = "#,##0.00"
THIN = Edge(style="thin", color="666666")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD = PatternFill("solid", fgColor="EEF2F6")
CENT = Decimal("0.01")


# ---- writing ----------------------------------------------------------------------------


def _cell_text(value):
    """What a cell of ours holds: text never begins like a formula (see ``safe_cell``) and
    loses the control characters a workbook cannot hold; numbers stay numbers."""
    if isinstance(value, str):
        return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _row(values) -> list:
    return [_cell_text(v) for v in values]


def write(tables: list, department: str, unit: str, year: int) -> bytes:
    """A workbook of the tables (in their order), as bytes; identical tables give identical bytes.

    Every text cell is a string cell (data type "s"), never a formula, and text that a
    spreadsheet would read as a formula carries a leading ``'`` (the rule of the CSV too)."""
    book = Workbook()
    book.remove(book.active)
    exact = {}
    for index, table in enumerate(tables, 1):
        sheet = book.create_sheet(f"表{table.position or table.number}")
        exact[f"xl/worksheets/sheet{index}.xml"] = _sheet(sheet, table, department, unit, year)
    buffer = io.BytesIO()
    book.properties.creator = "gongkai"
    book.properties.title = ILLEGAL_CHARACTERS_RE.sub("", f"{department} {year} 年度部门决算表")
    moment = dt.datetime(year + 1, 1, 1) - dt.timedelta(seconds=1)  # the last second of the year
    book.properties.created = moment
    book.properties.modified = moment
    book.save(buffer)
    return _finished(buffer.getvalue(), (moment - dt.timedelta(seconds=1)).timetuple()[:6], exact)


# ---- numbers, exactly ---------------------------------------------------------------------
# A figure goes into its cell as the Decimal it is. openpyxl writes a number's text as
# "%.16g" of a float, which turns 0.07 into 0.07000000000000001 and 9.3 into 9.300000000000001;
# so, at the one boundary where a figure becomes cell XML, the value of every figure's cell is
# written again as the figure's own decimal text (:func:`number_text`). A spreadsheet reads
# that text as the nearest number it can hold, as it reads any number typed into a cell.


def number_text(value: Decimal) -> str:
    """The text a figure is written with in a cell: exact, without exponent or needless zeros.

    >>> number_text(Decimal("0.1") + Decimal("0.2")), number_text(Decimal("2961.99")), number_text(Decimal("0.00"))
    ('0.3', '2961.99', '0')
    """
    return plain(value)


_VALUE = re.compile(rb'(<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*>)<v>[^<]*</v>')


def _exact_values(content: bytes, texts: dict, part: str) -> bytes:
    """A worksheet's XML with the value of each figure's cell (by reference) written as ``texts`` gives it."""
    done = set()

    def replace(match: re.Match) -> bytes:
        ref = match.group(2).decode("ascii")
        if ref not in texts:
            return match.group(0)
        done.add(ref)
        return match.group(1) + b"<v>" + texts[ref].encode("ascii") + b"</v>"

    content = _VALUE.sub(replace, content)
    if len(done) != len(texts):  # openpyxl wrote a figure's cell in a form this does not know
        raise RuntimeError(f"{part}: {len(texts) - len(done)} cells not written exactly")
    return content


def _finished(data: bytes, when: tuple, exact: dict) -> bytes:
    """The saved workbook with every figure written exactly (``exact``: part → cell → text) and
    every zip entry dated ``when``: identical input, identical bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*when)
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", lambda m: m.group(1) + stamp.encode(), content)
                content = re.sub(rb"(<dcterms:created[^>]*>)[^<]*", lambda m: m.group(1) + stamp.encode(), content)
            elif exact.get(item.filename):
                content = _exact_values(content, exact[item.filename], item.filename)
            target.writestr(info, content)
    return out.getvalue()


def _sheet(sheet, table: Table, department: str, unit: str, year: int) -> dict:
    """Lay the table out on the sheet; returns the exact text of every figure by its cell reference."""
    rows = _layout(table)
    width = max(len(r) for r in rows)
    sheet.append(_row([f"表{table.position or table.number}"]))
    sheet.append(_row([table.title]))
    sheet.append(_row([f"部门：{department}"] + [None] * (width - 2) + [f"单位：{unit}"]))
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet["A2"].font = Font(bold=True, size=14)
    sheet["A2"].alignment = Alignment(horizontal="center")
    header_rows = _header_rows(table)
    exact = {}
    styles: dict = {}  # kind of cell → its style, worked out once (openpyxl hashes every style set)
    for i, row in enumerate(rows):
        sheet.append(_row(row))
        excel_row = TOP_ROWS + 1 + i
        for col, value in enumerate(row, 1):
            cell = sheet.cell(excel_row, col)
            if i < header_rows:
                kind = "head"
            elif isinstance(value, Decimal):
                kind = "number"
                exact[cell.coordinate] = number_text(value)
            elif (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and not _is_number_column_index(table, col)
            ):
                kind = "number"
            else:
                kind = "plain"
            if kind in styles:
                cell._style = copy.copy(styles[kind])
                continue
            cell.border = BOX
            if kind == "head":
                cell.fill = HEAD
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            elif kind == "number":
                cell.number_format = NUMBER_FORMAT
            styles[kind] = copy.copy(cell._style)
    note_row = TOP_ROWS + 1 + len(rows)
    sheet.cell(note_row, 1, _cell_text(f"注：{_note(table)}"))
    if table.empty_note:
        sheet.cell(note_row + 1, 1, _cell_text(table.empty_note))
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, whatever it begins with: never a formula
    for col in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 14 if col > 2 else 22
    sheet.freeze_panes = sheet.cell(TOP_ROWS + 1 + header_rows, 1)
    _merge_head(sheet, rows[:header_rows], width)
    _print_setup(sheet, header_rows)
    return exact


def head_merges(head: list, width: int) -> list[tuple[int, int, int, int]]:
    """The merged cells of a table's header rows, as printed: the top row's group headings span
    the empty cells to their right (收入 over its half, 预算数 over its columns, 项目 over 编码 and
    名称), and so does 栏次; any other heading spans the empty cells below it (a column heading
    over the row of 编码 and 名称). (first row, first column, last row, last column), 0-based
    within the header.

    >>> head_merges([["收入", None, "支出", None], ["项目", "金额", "项目", "金额"]], 4)
    [(0, 0, 0, 1), (0, 2, 0, 3)]
    >>> head_merges([["项目", None, "合计"], ["编码", "名称", None], ["栏次", None, 1]], 3)
    [(0, 0, 0, 1), (2, 0, 2, 1), (0, 2, 1, 2)]
    """
    grid = [list(row) + [None] * (width - len(row)) for row in head]
    covered: set = set()
    merges = []

    def take(r1, c1, r2, c2):
        if (r1, c1) != (r2, c2):
            merges.append((r1, c1, r2, c2))
            covered.update((i, j) for i in range(r1, r2 + 1) for j in range(c1, c2 + 1))

    for r, row in enumerate(grid):  # group headings and 栏次 across
        if r == 0 or row[0] == "栏次":
            for c, value in enumerate(row):
                if value is not None and (r, c) not in covered:
                    last = c
                    while last + 1 < width and row[last + 1] is None and (r, last + 1) not in covered:
                        last += 1
                    take(r, c, r, last)
    for r, row in enumerate(grid):  # other headings down
        for c, value in enumerate(row):
            if value is not None and (r, c) not in covered:
                last = r
                while last + 1 < len(grid) and grid[last + 1][c] is None and (last + 1, c) not in covered:
                    last += 1
                take(r, c, last, c)
    return merges


def _merge_head(sheet, head: list, width: int) -> None:
    for r1, c1, r2, c2 in head_merges(head, width):
        top = TOP_ROWS + 1
        sheet.merge_cells(start_row=top + r1, start_column=c1 + 1, end_row=top + r2, end_column=c2 + 1)


def _print_setup(sheet, header_rows: int) -> None:
    """Printed as 财政 prints the tables: A4 landscape, one page wide, the header rows (and the
    部门 / 单位 line above them) repeated on every page, centred."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{TOP_ROWS}:{TOP_ROWS + header_rows}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6


def _note(table: Table) -> str:
    return table.layout.note


def _is_number_column_index(table: Table, col: int) -> bool:
    """行次 columns (of a table of named rows in two halves) hold whole numbers, printed without decimals."""
    if table.layout.form == SUMMARY:
        left = table.sides[0]
        return col == 2 or col == 2 + len(left.columns) + 2
    return False


def _header_rows(table: Table) -> int:
    return table.layout.header_rows


def _three_public_head(layout: TableLayout) -> list:
    """The four header rows of 表7: 预算数 | 决算数, the headings (twice), those under them, 栏次."""
    width = len(layout.columns)
    blocks = len(layout.blocks)
    return [
        [cell for block in layout.blocks for cell in [block] + [None] * (width - 1)],
        list(layout.columns) * blocks,
        [cell for head in layout.heads for cell in (head.under or [None])] * blocks,
        list(range(1, width * blocks + 1)),
    ]


def _layout(table: Table) -> list:
    """Header rows and data rows of a table, cell by cell, as printed."""
    if table.layout.form == THREE_PUBLIC:
        return _three_public_head(table.layout) + [[v for line in table.sides[0].lines for v in line.values]]
    if len(table.sides) == 2:
        left, right = table.sides
        head = [[left.title] + [None] * (1 + len(left.columns)) + [right.title] + [None] * (1 + len(right.columns))]
        if left.coded:
            head.append(["经济分类科目编码", "科目名称", *left.columns, "经济分类科目编码", "科目名称", *right.columns])
        else:
            head.append(["项目", "行次", *left.columns, "项目", "行次", *right.columns])
            head.append(
                [
                    "栏次",
                    None,
                    *range(1, len(left.columns) + 1),
                    "栏次",
                    None,
                    *range(len(left.columns) + 1, len(left.columns) + len(right.columns) + 1),
                ]
            )
        body = []
        for i in range(max(len(left.lines), len(right.lines))):
            row = []
            for side in (left, right):
                line = side.lines[i] if i < len(side.lines) else None
                if line is None:
                    row += [None, None] + [None] * len(side.columns)
                elif side.coded:
                    row += [line.code or None, line.name, *line.values]
                else:
                    row += [line.name or None, line.number, *line.values]
            body.append(row)
        return head + body
    side = table.sides[0]
    head = [
        ["项目", None, *side.columns],
        ["功能分类科目编码", "科目名称", *[None] * len(side.columns)],
        ["栏次", None, *range(1, len(side.columns) + 1)],
    ]
    body = [[line.code or None, line.name, *line.values] for line in side.lines]
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


# ---- bounds -----------------------------------------------------------------------------
# A workbook is read only as far as the nine tables can reach, and only after its zip has
# been measured: a few kilobytes can declare a sheet of a million rows, or unpack to
# gigabytes. The limits are stated in content/guide/final-accounts.md.

MAX_FILE_BYTES = 20 * 1024 * 1024  # the .xlsx file itself
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # all its parts, unpacked
MAX_PART_BYTES = 10 * 1024 * 1024  # any one XML part, unpacked
MAX_PARTS = 200  # zip entries
MAX_SHEETS = 30
MAX_SHEET_ELEMENTS = 100_000  # XML elements of one worksheet; the largest layout, filled, has about 30 000
MAX_LOCATED = 20  # located problems of one kind per sheet; the rest are counted
MIB = 1024 * 1024


@lru_cache(maxsize=1)
def layout_bounds() -> tuple:
    """(rows, columns) the largest of the nine tables can take, as ``write`` lays them out:
    a ledger table lists 合计 and at most every 类、款、项 of the subject table."""
    from gongkai.final_accounts import subjects

    header = max(layout.header_rows for layout in TABLES)  # 表7: 4
    # 合计 and every 类、款、项 of a ledger table, or (表1, 表4) up to the last 行次
    body = 1 + max(len(subjects.functional()), len(subjects.economic()), *(layout.last_row for layout in TABLES))
    columns = max(layout.width for layout in TABLES)  # 表7: 预算数 and 决算数 side by side
    return TOP_ROWS + header + body + NOTE_ROWS, columns


def _mib(size: int) -> str:
    return f"{size / MIB:.1f} MiB"


def _archive_problems(data: bytes, file: str) -> list:
    """Refuse, before any XML is parsed, what is not a zip or would unpack beyond the limits."""

    def large(message):
        return [problem("IMPORT_TOO_LARGE", file, None, message)]

    def unreadable(message):
        return [problem("XLSX_UNREADABLE", file, None, message)]

    if len(data) > MAX_FILE_BYTES:
        return large(f"文件超过 {_mib(MAX_FILE_BYTES)}，不予读取（九张表的工作簿通常不到 1 MiB）")
    if not data.startswith(b"PK\x03\x04"):
        return unreadable(
            "不是 .xlsx 文件（.xlsx 是 zip 压缩包）；.xls、.et、.csv 等请先在 Excel 或 WPS 中另存为 .xlsx"
        )
    # zipfile makes an object of every central-directory entry: count them before it does
    if data.count(b"PK\x01\x02") > MAX_PARTS:
        return large(f"压缩包中的部件超过 {MAX_PARTS} 个，不像是决算表工作簿")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            items = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        return unreadable(f"压缩包已损坏（{type(exc).__name__}）：请确认是 .xlsx 格式且未损坏")
    if len(items) > MAX_PARTS:
        return large(f"压缩包中有 {len(items)} 个部件，超过 {MAX_PARTS} 个")
    if any(item.flag_bits & 0x1 for item in items):
        return unreadable("文件已加密；请去掉密码后另存为 .xlsx")
    # zipfile never unpacks more than an entry's declared size (then the CRC fails), so
    # the declared sizes bound what is read
    total = sum(item.file_size for item in items)
    if total > MAX_UNPACKED_BYTES:
        return large(f"解压后共 {_mib(total)}，超过 {_mib(MAX_UNPACKED_BYTES)}（压缩炸弹？）")
    for item in items:
        if item.file_size > MAX_PART_BYTES and item.filename.lower().endswith((".xml", ".rels", ".vml")):
            return large(
                f"部件 {item.filename} 解压后 {_mib(item.file_size)}，超过单个部件的上限 {_mib(MAX_PART_BYTES)}"
            )
    return []


# ---- one streaming pass over a worksheet's XML ------------------------------------------

_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_STRING = re.compile(r'"(?:[^"]|"")*"')
# [1]Sheet1!A1, '[1]My sheet'!A1, '[book.xlsx]Sheet1'!A1, [1]!name, and DDE (cmd|' /C calc'!A0)
_EXTERNAL = re.compile(r"\[\d+\]|\][^\[\]!'\s()+\-*/,;=<>&^%]*!|\][^\[\]']+'!|\|")


class _TooLarge(Exception):
    pass


def external_reference(formula: str) -> bool:
    """Whether a formula reaches another workbook (or a DDE server) rather than this one."""
    return bool(_EXTERNAL.search(_STRING.sub('""', formula)))


class _SheetScan:
    """Cells with content outside the layout, formulas without a cached value and formulas
    that reach another workbook, found by one pass of expat over the worksheet's XML. No
    tree is kept, and the pass stops at :data:`MAX_SHEET_ELEMENTS`."""

    def __init__(self, title: str, file: str, rows: int, columns: int):
        self.title, self.file, self.rows, self.columns = title, file, rows, columns
        self.problems: list = []
        self.counts: dict = {}
        self.outside = 0
        self.first_outside: tuple[int, int] | None = None
        self.elements = 0
        self.depth_data = False
        self.row = 0
        self.col = 0
        self.cell = None
        self.shared: dict = {}

    def run(self, stream) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        parser.StartDoctypeDeclHandler = self.doctype
        parser.buffer_text = True
        while True:
            chunk = stream.read(1 << 16)
            if not chunk:
                break
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
        self.finish()

    def doctype(self, *args):
        raise ValueError("worksheet XML declares a DTD")

    def start(self, name, attrs):
        self.elements += 1
        if self.elements > MAX_SHEET_ELEMENTS:
            raise _TooLarge
        tag = name.rpartition(" ")[2]
        if tag == "sheetData":
            self.depth_data = True
        elif not self.depth_data:
            return
        elif tag == "row":
            self.row = int(attrs["r"]) if "r" in attrs else self.row + 1
            self.col = 0
        elif tag == "c":
            ref = attrs.get("r")
            match = _REF.fullmatch(ref) if ref else None
            if match:
                self.col = column_index_from_string(match.group(1).upper())
                row = int(match.group(2))
            else:
                self.col += 1
                row = self.row
            self.cell = {
                "row": row,
                "col": self.col,
                "t": attrs.get("t"),
                "f": None,
                "fshared": None,
                "v": None,
                "inline": False,
                "in": None,
            }
        elif self.cell is not None:
            if tag == "f":
                self.cell["f"] = []
                self.cell["in"] = "f"
                if attrs.get("t") == "shared":
                    self.cell["fshared"] = attrs.get("si")
            elif tag == "v":
                self.cell["v"] = []
                self.cell["in"] = "v"
            elif tag == "is":
                self.cell["inline"] = True

    def text(self, data):
        cell = self.cell
        if cell is None or cell["in"] is None:
            return
        parts = cell[cell["in"]]
        if sum(map(len, parts)) < 8192:  # the longest formula Excel allows
            parts.append(data)

    def end(self, name):
        tag = name.rpartition(" ")[2]
        if tag == "sheetData":
            self.depth_data = False
        elif self.cell is None:
            return
        elif tag in ("f", "v"):
            self.cell["in"] = None
        elif tag == "c":
            self.finish_cell(self.cell)
            self.cell = None

    def place(self, row: int, col: int) -> str:
        column = get_column_letter(col) if 1 <= col <= 18278 else f"第 {col} 列"
        return f"{self.title}!{column}{row}"

    def located(self, code: str, row: int, message: str) -> None:
        count = self.counts.get(code, 0) + 1
        self.counts[code] = count
        if count <= MAX_LOCATED:
            self.problems.append(problem(code, self.file, row, message))

    def finish_cell(self, cell: dict) -> None:
        value = (
            cell["v"] is not None and (bool("".join(cell["v"]).strip()) or cell["t"] in ("str", "inlineStr"))
        ) or cell["inline"]
        formula = None if cell["f"] is None else "".join(cell["f"])
        if formula is not None and cell["fshared"] is not None:
            if formula.strip():
                self.shared.setdefault(cell["fshared"], formula)
            else:
                formula = self.shared.get(cell["fshared"], "")
        if not value and formula is None:
            return  # an empty cell (perhaps formatted): nothing to read
        row, col = cell["row"], cell["col"]
        if row > self.rows or col > self.columns:
            self.outside += 1
            if self.first_outside is None:
                self.first_outside = (row, col)
            return
        if formula is None:
            return
        shown = formula if len(formula) <= 60 else formula[:60] + "…"
        if external_reference(formula):
            self.located(
                "IMPORT_EXTERNAL_LINK",
                row,
                f"{self.place(row, col)}：公式“={shown}”引用了外部工作簿；"
                "gongkai 不读取其他文件中的数字，请把公式换成数字",
            )
        elif not value:
            self.located(
                "IMPORT_FORMULA",
                row,
                f"{self.place(row, col)}：公式“={shown}”没有计算结果（保存时没有计算）；"
                "请在 Excel 或 WPS 中打开、重新计算并保存，或把公式换成数字",
            )

    def finish(self) -> None:
        for code, count in self.counts.items():
            if count > MAX_LOCATED:
                what = "引用外部工作簿的公式" if code == "IMPORT_EXTERNAL_LINK" else "没有计算结果的公式"
                self.problems.append(
                    problem(code, self.file, None, f"工作表“{self.title}”另有 {count - MAX_LOCATED} 个{what}")
                )
        if self.first_outside:
            row, col = self.first_outside
            more = f" 等 {self.outside} 个单元格" if self.outside > 1 else ""
            last = f"{get_column_letter(self.columns)}{self.rows}"
            self.problems.append(
                problem(
                    "IMPORT_TOO_LARGE",
                    self.file,
                    row,
                    f"{self.place(row, col)}{more}：在决算表的版式（A1:{last}）以外；"
                    "gongkai 只读取版式以内的单元格，请删除版式以外的内容",
                )
            )


def _scan_sheet(archive, part: str, title: str, file: str) -> tuple:
    """(problems, whether the sheet may be read) of one worksheet part."""
    rows, columns = layout_bounds()
    scan = _SheetScan(title, file, rows, columns)
    try:
        with archive.open(part) as stream:
            scan.run(stream)
    except _TooLarge:
        message = f"工作表“{title}”的内容远超决算表的版式（超过 {MAX_SHEET_ELEMENTS} 个 XML 元素），没有读取"
        return scan.problems + [problem("IMPORT_TOO_LARGE", file, None, message)], False
    return scan.problems, True


def _external_parts(archive) -> list:
    return sorted(
        n
        for n in archive.namelist()
        if n.lower().lstrip("/").startswith("xl/externallinks/") and n.lower().endswith(".xml")
    )


def read_path(path, file: str) -> tuple:
    """``read`` of a file on disk, refusing one over :data:`MAX_FILE_BYTES` before reading it."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return {}, {}, [problem("XLSX_UNREADABLE", file, None, f"无法读取文件（{type(exc).__name__}）")]
    return read(data, file)


def read(data: bytes, file: str) -> tuple:
    """(原表 data as a dict ready for YAML, meta {部门, 单位, 年度}, problems).

    Measures the zip first (:func:`_archive_problems`), then scans every worksheet's XML
    once (:class:`_SheetScan`) and reads the values of the cells within
    :func:`layout_bounds` only. Never raises for a bad file: every failure is a problem."""
    problems = _archive_problems(data, file)
    if problems:
        return {}, {}, problems
    reader = _Reader(file)
    try:
        printed, meta = _read_book(data, reader)
    except Exception as exc:  # openpyxl and zipfile raise many kinds for a damaged file
        reader.problems.append(
            problem(
                "XLSX_UNREADABLE",
                file,
                None,
                f"无法读取 Excel 文件（{type(exc).__name__}）：请确认是 .xlsx 格式且未损坏",
            )
        )
        return {}, {}, reader.problems
    return printed, meta, reader.problems


def _read_book(data: bytes, reader: _Reader) -> tuple:
    file = reader.file
    max_rows, max_columns = layout_bounds()
    printed: dict[str, dict] = {}
    meta: dict[str, str] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # a workbook openpyxl cannot open raises here; read() reports it as XLSX_UNREADABLE
        book = load_workbook(io.BytesIO(data), data_only=True, read_only=True, keep_links=False)
        try:
            sheets = book.worksheets
            if len(sheets) > MAX_SHEETS:
                reader.problems.append(
                    problem("IMPORT_TOO_LARGE", file, None, f"工作簿有 {len(sheets)} 个工作表，超过 {MAX_SHEETS} 个")
                )
                return printed, meta
            for sheet in sheets:
                found, readable = _scan_sheet(archive, sheet._worksheet_path, sheet.title, file)
                reader.problems += found
                if not readable:
                    continue
                cells = sheet.iter_rows(min_row=1, max_row=max_rows, min_col=1, max_col=max_columns, values_only=True)
                rows = [[unquote_cell(v) for v in r] for r in cells]
                number = _table_number(sheet.title, rows)
                if number is None:
                    reader.bad(sheet.title, 1, f"认不出是哪张决算表：表名应为 {('、'.join(TITLES.values()))} 之一")
                    continue
                _meta(rows, meta)
                try:
                    printed[f"表{number}"] = _read_table(number, sheet.title, rows, reader)
                except _Layout as exc:
                    reader.bad(sheet.title, exc.row, exc.message)
        finally:
            book.close()
        if not any(p.code == "IMPORT_EXTERNAL_LINK" for p in reader.problems):
            for part in _external_parts(archive):
                reader.problems.append(
                    problem(
                        "IMPORT_EXTERNAL_LINK",
                        file,
                        None,
                        f"工作簿含有指向外部工作簿的链接（{part}）；请在 Excel 中“编辑链接—断开链接”后再导入",
                    )
                )
    missing = [f"表{n}" for n in LAYOUTS if f"表{n}" not in printed]
    if missing and printed:
        reader.problems.append(problem("XLSX_CELL", file, None, f"工作簿中缺少：{'、'.join(missing)}"))
    return printed, meta


class _Layout(Exception):
    def __init__(self, row: int, message: str):
        super().__init__(message)
        self.row = row
        self.message = message


def _table_number(title: str, rows: list) -> int | None:
    for row in rows[: TOP_ROWS + 1]:
        for cell in row:
            text = re.sub(r"\s+", "", str(cell or ""))
            found = [(len(name), number) for number, name in TITLES.items() if text.endswith(name)]
            if found:
                return max(found)[1]  # 财政拨款收入支出决算总表, not 收入支出决算总表
    match = re.fullmatch(r"表\s*(\d)", title.strip())
    return int(match.group(1)) if match else None


def _meta(rows: list, meta: dict) -> None:
    for row in rows[: TOP_ROWS + 1]:
        for cell in row:
            text = str(cell or "").strip()
            if text.startswith("部门："):
                meta.setdefault("部门", text.removeprefix("部门："))
            elif text.startswith("单位："):
                meta.setdefault("单位", text.removeprefix("单位："))


def _data_start(rows: list, layout: TableLayout) -> int:
    """Index of the first data row: after the 栏次 row (or the header rows of 表6, 表7)."""
    for i, row in enumerate(rows):
        first = re.sub(r"\s+", "", str(row[0] or "")) if row else ""
        if first == "栏次":
            return i + 1
        if layout.form == ECONOMIC and first == "经济分类科目编码":
            return i + 1
        if layout.form == THREE_PUBLIC and row and row[0] == 1 and len(row) >= layout.width:
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
    layout = LAYOUTS[number]
    start = _data_start(rows, layout)
    body = _body(rows, start)
    if layout.form == THREE_PUBLIC:
        return _three_public(layout, sheet, start, body, reader)
    if layout.form == SUMMARY:
        return _summary(layout, sheet, body, reader)
    if layout.form == ECONOMIC:
        return _economic(layout, sheet, body, reader)
    # a ledger table: the row of column headings is the first of its header rows
    side = layout.sides[0]
    headings = rows[start - layout.header_rows] if start >= layout.header_rows else []
    columns = [str(c).strip() for c in headings[2:] if c not in (None, "")] or list(side.columns)
    out_rows = []
    for excel_row, row in body:
        code, name = _code(row[0]), _text(row[1])
        if name is None:
            reader.bad(sheet, excel_row, "缺少科目名称")
            continue
        values = [reader.number(sheet, excel_row, c + 3, v) for c, v in enumerate(row[2 : 2 + len(columns)])]
        out_rows.append(
            {"编码": code or "", "名称": name, "数": [v if v is not None else Decimal("0.00") for v in values]}
        )
    table = {"列": columns, "行": out_rows}
    note = _note_of(rows)
    if note:
        table["说明"] = note
    return table


def _three_public(layout: TableLayout, sheet: str, start: int, body: list, reader: _Reader) -> dict:
    """表7: one data row, 预算数 then 决算数, each across the columns."""
    if not body:
        raise _Layout(start + 1, "没有数据行")
    excel_row, row = body[0]
    names = list(layout.columns)
    values = [reader.number(sheet, excel_row, c + 1, v) for c, v in enumerate(row[: layout.width])]
    return {
        block: dict(zip(names, values[i * len(names) : (i + 1) * len(names)], strict=False))
        for i, block in enumerate(layout.blocks)
    }


def _economic(layout: TableLayout, sheet: str, body: list, reader: _Reader) -> dict:
    """表6: 编码, 名称, 金额 of each half, side by side; each half's total row by its name."""
    halves: list[tuple[SideLayout, list, int]] = [
        (side, [], sum(s.width for s in layout.sides[:i])) for i, side in enumerate(layout.sides)
    ]  # (layout, rows, first cell)
    total_names = {side.total for side in layout.sides}
    totals: dict = {}
    for excel_row, row in body:
        for _side, lines, offset in halves:
            code, name = _code(row[offset]), _text(row[offset + 1])
            amount = reader.number(sheet, excel_row, offset + 3, row[offset + 2] if len(row) > offset + 2 else None)
            if name in total_names:
                totals[name] = amount
            elif name:
                lines.append(
                    {"编码": code or "", "名称": name, "金额": amount if amount is not None else Decimal("0.00")}
                )
    out: dict = {side.title: lines for side, lines, _ in halves}
    out.update({side.total: totals.get(side.total) for side, _, _ in halves})
    return out


def _summary(layout: TableLayout, sheet: str, body: list, reader: _Reader) -> dict:
    """表1, 表4: 项目, 行次 and the figures of 收入, then of 支出, side by side."""
    left, right = layout.sides
    width = len(right.columns)
    income, spending = [], []
    key = left.columns[0]  # 决算数 (表1) or 金额 (表4)
    for excel_row, row in body:
        name, order = _text(row[0]), row[1]
        if name:
            income.append({"项目": name, "行次": _order(order), key: reader.number(sheet, excel_row, 3, row[2])})
        at = left.width  # the first cell of 支出
        name, order = _text(row[at]), row[at + 1] if len(row) > at + 1 else None
        if name:
            values = [
                reader.number(sheet, excel_row, at + 3 + c, v) for c, v in enumerate(row[at + 2 : at + 2 + width])
            ]
            item = {"项目": name, "行次": _order(order)}
            if width == 1:
                item[right.columns[0]] = values[0]
            else:
                item["数"] = values
            spending.append(item)
    table: dict[str, list] = {"收入": income, "支出": spending}
    if width > 1:
        table["支出列"] = list(right.columns)
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
    head = {
        "类型": "部门决算",
        "年度": year,
        "部门": meta.get("部门", ""),
        "单位": meta.get("单位", "万元"),
        "原表": printed,
    }
    body = yaml.dump(head, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=200)
    return f"# 由 {source} 导入（gongkai import）：九张表照表格原样录入。\n" + body
