"""Load YAML into plain values that remember where they came from.

Numbers become ``Decimal`` built from the scalar's own text (``12.30`` stays ``12.30``);
anchors, aliases, merge keys, duplicate keys and non-standard tags are refused with a
located problem; files over ``MAX_BYTES`` are refused before they are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from gongkai.engine.decimals import MAX_DIGITS, MAX_EXPONENT, usable
from gongkai.engine.paths import Refused, TooLarge, project_of, read_bytes_inside
from gongkai.engine.problems import Problem, problem

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
# libyaml composes recursively in C: guard its stack before handing it the text.
_MAX_FLOW_DEPTH = 200
_DEEP_DASHES = re.compile(r"(?:-[ \t]+){200}")
_DEEP_INDENT = re.compile(r"^[ \t]{1000}", re.M)
_BRACKETS = re.compile(r"[\[\]{}]")
_DECIMAL_TEXT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_TRUE = {"true", "yes", "on", "y"}
_FALSE = {"false", "no", "off", "n"}

Path_ = tuple  # a path of keys and indexes from the document root


@dataclass
class Loaded:
    """A loaded document: its value, the line of every path in it, and problems."""

    file: str
    value: object = None
    lines: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)

    def line(self, path: Path_) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_file(path: str | Path, display: str | None = None, project: str | Path | None = None) -> Loaded:
    """Read and load one YAML file; never raises for bad input.

    The file is read only through :func:`gongkai.engine.paths.read_bytes_inside`: it must be a
    regular file inside ``project`` (by default the project the path belongs to) after
    following every symbolic link, and at most ``MAX_BYTES`` long (checked before reading)."""
    path = Path(path)
    name = display or str(path)
    try:
        raw = read_bytes_inside(project if project is not None else project_of(path), path, name, limit=MAX_BYTES)
    except Refused as refused:
        return Loaded(name, problems=[refused.problem])
    except TooLarge as large:
        return Loaded(name, problems=[_too_large(name, large.size)])
    except OSError as exc:
        return Loaded(name, problems=[problem("FILE_UNREADABLE", name, None, f"无法读取文件：{exc.strerror or exc}")])
    return load_bytes(raw, name)


def load_bytes(raw: bytes, name: str) -> Loaded:
    if len(raw) > MAX_BYTES:
        return Loaded(name, problems=[_too_large(name, len(raw))])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Loaded(name, problems=[problem("FILE_ENCODING", name, line, "文件不是 UTF-8 编码，请另存为 UTF-8")])
    return load_text(text, name)


def load_text(text: str, name: str = "<文本>") -> Loaded:
    """Load YAML text. The result's ``value`` is None when any problem stopped loading."""
    out = Loaded(name)
    if len(text) > MAX_BYTES:
        out.problems.append(_too_large(name, len(text.encode("utf-8"))))
        return out
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        out.problems.append(problem("FILE_ENCODING", name, line, "文件含有空字符（\\0），不是文本文件"))
        return out
    deep = _too_deep_for_parser(text)
    if deep is not None:
        out.problems.append(problem("YAML_TOO_DEEP", name, deep, f"嵌套层级过深（最多 {MAX_DEPTH} 层）"))
        return out
    if "&" in text:
        anchors = _anchor_lines(text, name, out)
        if anchors:
            for line in anchors:
                out.problems.append(_alias_problem(name, line))
            return out
        if out.problems:
            return out
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        out.problems.append(_syntax_problem(name, exc, text))
        return out
    except yaml.YAMLError as exc:
        out.problems.append(problem("YAML_SYNTAX", name, None, f"YAML 语法错误：{exc}"))
        return out
    if node is None:
        out.value = None
        out.lines[()] = 1
        return out
    builder = _Builder(name, out)
    value = builder.build(node, (), 0)
    if not out.problems:
        out.value = value
    return out


def _too_large(name: str, size: int) -> Problem:
    return problem(
        "YAML_TOO_LARGE",
        name,
        None,
        f"文件有 {size:,} 字节，超过上限 {MAX_BYTES:,} 字节；请拆分为多个报告",
        expected=f"≤{MAX_BYTES}",
        found=size,
    )


def _alias_problem(name: str, line: int) -> Problem:
    return problem("YAML_ALIAS", name, line, "不允许使用 YAML 锚点和别名（& 与 *）：每个数字只录入一次，请直接写出内容")


def _syntax_problem(name: str, exc: yaml.MarkedYAMLError, text: str = "") -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    what = exc.problem or exc.context or "无法解析"
    message = _SYNTAX_ZH.get(what, what)
    if mark is not None and text:
        rows = text.splitlines()
        row = rows[mark.line] if mark.line < len(rows) else ""
        if "\t" in row[: mark.column + 1]:
            message += "（YAML 不能用 Tab 缩进，请改用空格）"
    return problem("YAML_SYNTAX", name, line, f"YAML 语法错误：{message}")


_SYNTAX_ZH = {
    "found character that cannot start any token": "遇到无法识别的字符",
    "mapping values are not allowed here": "此处不能出现“键: 值”（冒号后要有空格；值中含冒号时请加引号）",
    "mapping values are not allowed in this context": "此处不能出现“键: 值”（冒号后要有空格；值中含冒号时请加引号）",
    "could not find expected ':'": "找不到预期的冒号“:”",
    "did not find expected key": "缩进不一致，找不到预期的键",
    "did not find expected '-' indicator": "缩进不一致，找不到预期的“- ”",
    "expected <block end>, but found '-'": "缩进不一致：列表项“- ”的位置不对",
    "expected <block end>, but found '<block mapping start>'": "缩进不一致",
    "expected <block end>, but found '<scalar>'": "缩进不一致",
    "found unexpected end of stream": "文件意外结束（引号或括号没有闭合？）",
    "found unknown escape character": "双引号中有无法识别的转义字符（\\ 后的字符）",
    "expected a single document in the stream": "文件中只能有一个文档（不要使用 ---）",
    "found undefined alias": "使用了未定义的别名",
    "found duplicate anchor; first occurrence": "锚点重复",
    "expected ',' or ']', but got '<scalar>'": "方括号列表中缺少逗号或“]”",
    "expected ',' or '}', but got '<scalar>'": "花括号映射中缺少逗号或“}”",
}


def _too_deep_for_parser(text: str) -> int | None:
    """First line where nesting could be deeper than libyaml can compose safely."""
    match = _DEEP_DASHES.search(text) or _DEEP_INDENT.search(text)
    if match:
        return text.count("\n", 0, match.start()) + 1
    depth = 0
    for m in _BRACKETS.finditer(text):
        if m.group() in "[{":
            depth += 1
            if depth > _MAX_FLOW_DEPTH:
                return text.count("\n", 0, m.start()) + 1
        else:
            depth = max(0, depth - 1)
    return None


def _anchor_lines(text: str, name: str, out: Loaded) -> list[int]:
    """Lines of anchors and aliases, scanned from parser events (only called when '&' occurs)."""
    lines = []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if (isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None)) and event.start_mark is not None:
                lines.append(event.start_mark.line + 1)
    except yaml.MarkedYAMLError as exc:
        if not lines:
            out.problems.append(_syntax_problem(name, exc, text))
    except yaml.YAMLError as exc:
        out.problems.append(problem("YAML_SYNTAX", name, None, f"YAML 语法错误：{exc}"))
    return lines


class _Builder:
    def __init__(self, name: str, out: Loaded):
        self.name = name
        self.out = out
        self.seen: set[int] = set()

    def fail(self, code: str, node, message: str, **kw) -> None:
        self.out.problems.append(problem(code, self.name, node.start_mark.line + 1, message, **kw))

    def build(self, node, path: tuple, depth: int):
        if depth > MAX_DEPTH:
            self.fail("YAML_TOO_DEEP", node, f"嵌套层级过深（最多 {MAX_DEPTH} 层）")
            return None
        if id(node) in self.seen:
            self.out.problems.append(_alias_problem(self.name, node.start_mark.line + 1))
            return None
        self.seen.add(id(node))
        self.out.lines[path] = node.start_mark.line + 1
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            if node.tag != _TAG + "seq":
                return self.bad_tag(node)
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if node.tag != _TAG + "map":
                return self.bad_tag(node)
            return self.mapping(node, path, depth)
        return self.bad_tag(node)  # pragma: no cover - composer yields only the three kinds

    def mapping(self, node, path: tuple, depth: int) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                self.out.problems.append(_alias_problem(self.name, key_node.start_mark.line + 1))
                continue
            if not isinstance(key_node, ScalarNode):
                self.fail("FIELD_INVALID", key_node, "键必须是简单的文字，不能是列表或映射")
                continue
            key = key_node.value
            if key in result:
                first = self.out.lines.get(path + (key,))
                where = f"（第一次出现在第 {first} 行）" if first else ""
                self.fail("YAML_DUPLICATE_KEY", key_node, f"键“{key}”重复出现{where}；每个字段只能写一次")
                continue
            result[key] = self.build(value_node, path + (key,), depth + 1)
            self.out.lines[path + (key,)] = key_node.start_mark.line + 1
        return result

    def scalar(self, node):
        tag, text = node.tag, node.value
        if tag in (_TAG + "str", _TAG + "timestamp"):
            return text
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            low = text.lower()
            return True if low in _TRUE else False if low in _FALSE else text
        if tag in (_TAG + "int", _TAG + "float"):
            return self.number(node, text)
        return self.bad_tag(node)

    def number(self, node, text: str):
        if not _DECIMAL_TEXT.fullmatch(text):
            if text.lower().lstrip("+-") in (".inf", ".nan"):
                self.fail("YAML_NUMBER", node, f"“{text}”不是有限的数字")
                return None
            return text  # 0x1F, 1_000, 1:30 and the like stay text
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid text
            self.fail("YAML_NUMBER", node, f"“{text}”不是有效的数字")
            return None
        if not usable(value):
            self.fail(
                "YAML_NUMBER",
                node,
                f"数字“{text[:40]}”超出可用范围（绝对值须小于 10^{MAX_EXPONENT + 1}、"
                f"不小于 10^-{MAX_EXPONENT}，最多 {MAX_DIGITS} 位有效数字）",
            )
            return None
        return value

    def bad_tag(self, node):
        self.fail("YAML_TAG", node, f"不允许的 YAML 标签“{node.tag}”：数据文件只能包含文字、数字、列表和映射")
        return None
