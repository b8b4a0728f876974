"""Problems are values with a place: every stage returns them, none raises them at the user."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from types import MappingProxyType

ERROR = "error"
WARNING = "warning"
INFO = "info"
FINDING = "finding"  # an inconsistency of a filed document, reported in its 核对说明 (see gongkai.engine.basis)

SEVERITY_ZH = MappingProxyType({ERROR: "错误", WARNING: "警告", INFO: "提示", FINDING: "核对"})

# code -> (severity, short Chinese title). Every code is documented in content/guide/checks.md
# (a test walks this table and the page).
CODES = MappingProxyType(
    {
        # reading files
        "FILE_UNREADABLE": (ERROR, "文件无法读取"),
        "FILE_ENCODING": (ERROR, "文件不是 UTF-8 编码"),
        "YAML_TOO_LARGE": (ERROR, "文件过大"),
        "PATH_OUTSIDE": (ERROR, "文件指向项目之外"),
        "PATH_SPECIAL": (ERROR, "不是普通文件"),
        "PATH_NAME": (ERROR, "文件名含控制字符"),
        "YAML_SYNTAX": (ERROR, "YAML 语法错误"),
        "YAML_DUPLICATE_KEY": (ERROR, "重复的键"),
        "YAML_ALIAS": (ERROR, "使用了锚点或别名"),
        "YAML_TAG": (ERROR, "不允许的 YAML 标签"),
        "YAML_NUMBER": (ERROR, "无法使用的数字"),
        "YAML_TOO_DEEP": (ERROR, "嵌套层级过深"),
        # structure
        "FIELD_UNKNOWN": (ERROR, "未知字段"),
        "FIELD_MISSING": (ERROR, "缺少必填字段"),
        "FIELD_INVALID": (ERROR, "字段取值无效"),
        "RULESET_UNKNOWN": (ERROR, "找不到评分规则集"),
        "RULESET_INVALID": (ERROR, "评分规则集无效"),
        # scoring inputs
        "TARGET_UNPARSED": (ERROR, "指标值无法解析"),
        "ACTUAL_UNPARSED": (ERROR, "完成值无法解析"),
        "METHOD_INPUT": (ERROR, "评分方法缺少或有误的输入"),
        "UNIT_MISMATCH": (WARNING, "指标值与完成值单位不一致"),
        "ACTUAL_NOT_MEASURED": (WARNING, "完成值不是数量，得分无法核对"),
        "NODE_EMPTY": (WARNING, "指标未填写"),
        "GOAL_NOT_DONE": (WARNING, "年度目标未开展"),
        # weights and scores
        "WEIGHT_MISSING": (WARNING, "有得分而没有分值"),
        "WEIGHT_SUM": (ERROR, "下级分值之和不等于上级分值"),
        "WEIGHT_TOTAL": (ERROR, "分值合计不等于满分"),
        "SCORE_RANGE": (ERROR, "得分超出范围"),
        "QUALITATIVE_BAND": (ERROR, "定性得分不在等级区间内"),
        "REASON_MISSING": (WARNING, "缺少偏差原因或评分理由"),
        # stated (as printed) against computed
        "WEIGHT_MISMATCH": (ERROR, "印出的分值与数据不符"),
        "SCORE_MISMATCH": (ERROR, "印出的得分与计算不符"),
        "SUBTOTAL_MISMATCH": (ERROR, "印出的小计与计算不符"),
        "TOTAL_MISMATCH": (ERROR, "印出的总分与计算不符"),
        "GRADE_MISMATCH": (ERROR, "印出的等级与计算不符"),
        "COUNT_MISMATCH": (ERROR, "印出的指标个数与数据不符"),
        "RATE_MISMATCH": (ERROR, "印出的比率与其分子分母不符"),
        "RATE_LAST_DIGIT": (WARNING, "印出的比率末位相差 1"),
        "TAIL_DIFFERENCE": (INFO, "尾数差异"),
        # funds
        "FUNDS_SUM": (ERROR, "资金来源明细之和不等于总额"),
        "FUNDS_OVERSPENT": (WARNING, "执行数超过预算数"),
        "BUDGET_RATE_MISMATCH": (ERROR, "预算执行率指标与资金执行率不符"),
        "FULL_MARKS_UNMET": (WARNING, "资金比率未达到指标值却得满分"),
        # 部门决算 tables
        "SUBJECT_UNKNOWN": (ERROR, "科目编码未知"),
        "SUBJECT_LEVEL": (ERROR, "科目级次不对"),
        "TABLE_SUM": (ERROR, "决算表合计与各项之和不符"),
        "TABLE_ROLLUP": (ERROR, "决算表类、款、项不符"),
        "TABLE_CROSS": (ERROR, "决算表之间不一致"),
        "TABLE_PRINTED": (ERROR, "印出的决算表数字与数据不符"),
        "TABLE_EMPTY_NOTE": (WARNING, "空表缺少说明"),
        "XLSX_UNREADABLE": (ERROR, "Excel 文件无法读取"),
        "XLSX_CELL": (ERROR, "Excel 表格中有无法读取的内容"),
        "IMPORT_TOO_LARGE": (ERROR, "Excel 文件超出导入的限制"),
        "IMPORT_FORMULA": (ERROR, "公式没有计算结果"),
        "IMPORT_EXTERNAL_LINK": (ERROR, "引用了外部工作簿"),
        # pages and templates
        "PAGE_FRONT_MATTER": (ERROR, "页面头部信息无效"),
        "PAGE_DATA": (ERROR, "页面引用的数据文件不可用"),
        "PAGE_TEMPLATE": (ERROR, "页面模板错误"),
        "PAGE_HTML": (WARNING, "页面中不允许的 HTML 已删除"),
        "CLAIM_MISMATCH": (WARNING, "正文中的数字互相不符"),
        "CLAIM_DATA": (WARNING, "正文中的数字与数据不符"),
        "CLAIM_UNBOUND": (INFO, "正文中的数字未对应到数据"),
        "DIFF_PATH": (ERROR, "提交中的路径不安全"),
        # gongkai itself
        "INTERNAL_ERROR": (ERROR, "gongkai 内部错误"),
        "SITE_FILE": (ERROR, "文件不能发布到网站"),
    }
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem. ``path`` places it in the report's structure, for programs (``gongkai
    diff``, JSON consumers) that must not parse ``message``: the part of the report, then
    ever narrower names down to the figure, e.g. ``("指标", "产出指标", "数量指标",
    "培训人次", "得分")`` or ``("表6", "人员经费", "30101", "金额")``; None when the problem
    has no place inside the report (a file that cannot be read). The path formats are
    listed in :mod:`gongkai.engine.checking`."""

    code: str
    severity: str
    file: str
    line: int | None
    message: str
    expected: str | None = None
    found: str | None = None
    path: tuple[str, ...] | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def human(self) -> str:
        """One line for a terminal or a log: every part that may come from the data (file
        name, message, expected and found values) is passed through :func:`terminal_text`."""
        file = terminal_text(self.file)
        place = f"{file}:{self.line}" if self.line else file
        text = f"{place}: {self.code} [{SEVERITY_ZH[self.severity]}] {terminal_text(self.message)}"
        if self.expected is not None or self.found is not None:
            text += f"（应为 {terminal_text(self.expected)}，实为 {terminal_text(self.found)}）"
        return text


# ---- text for a terminal ------------------------------------------------------------------
# Names, reasons and file names come from whoever wrote the data. Printed as they are, an ESC
# sequence clears the screen or sets the window title (OSC ... BEL survives a pipe), a C1 CSI
# (U+009B) does the same on some terminals, a bidi override reorders what the reader sees
# (Trojan Source), and a lone surrogate makes the print itself fail. Each such character is
# shown as visible text instead; CJK text and full-width punctuation pass unchanged.

NEWLINE_MARK = "⏎"
_LINE_BREAKS = "\n\r\x85\u2028\u2029"  # a line break inside one line of output
_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)


def _escape_code(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _terminal_table() -> dict:
    table = {
        code: _escape_code(code) for code in (*range(0x00, 0x20), *range(0x7F, 0xA0), *_BIDI, *range(0xD800, 0xE000))
    }
    table[ord("\t")] = " "
    table.update({ord(ch): NEWLINE_MARK for ch in _LINE_BREAKS})
    return table


_TERMINAL = MappingProxyType(_terminal_table())


def terminal_text(text: object) -> str:
    """``text`` made safe to print as (part of) one terminal line: C0 controls, DEL, C1
    controls, bidi embeddings/overrides/isolates/marks and lone surrogates become visible
    escapes (``\\x1b``, ``\\x9b``, ``\\u202e``), a line break becomes "⏎" and a tab a space."""
    return str(text).replace("\r\n", "\n").translate(_TERMINAL)


_NAME_CONTROLS = frozenset(_TERMINAL)


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a character :func:`terminal_text` would not print as it is: a
    C0 control (tab and line breaks included), DEL, a C1 control, a bidi control, a line or
    paragraph separator, or a lone surrogate (a file name that is not valid UTF-8)."""
    return any(ord(ch) in _NAME_CONTROLS for ch in text)


def problem(
    code: str,
    file: str,
    line: int | None,
    message: str,
    expected: object = None,
    found: object = None,
    severity: str | None = None,
    path: tuple[str, ...] | None = None,
) -> Problem:
    """Make a problem whose severity comes from the code table unless given."""
    sev = severity or CODES[code][0]
    return Problem(
        code,
        sev,
        file,
        line,
        message,
        None if expected is None else str(expected),
        None if found is None else str(found),
        None if path is None else tuple(str(part) for part in path),
    )


def has_errors(problems, strict: bool = False) -> bool:
    """Errors (and, with ``strict``, warnings) fail; a finding about a filed document never does."""
    failing = {ERROR, WARNING} if strict else {ERROR}
    return any(p.severity in failing for p in problems)


def summary(problems) -> dict:
    counts = {ERROR: 0, WARNING: 0, INFO: 0, FINDING: 0}
    for p in problems:
        counts[p.severity] += 1
    return {"errors": counts[ERROR], "warnings": counts[WARNING], "infos": counts[INFO], "findings": counts[FINDING]}
