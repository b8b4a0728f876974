"""``gongkai fmt``: one canonical form for data files, so diffs show only real changes.

The canonical form:

* the keys of every mapping in the order of the record's fields (``gongkai.performance.records``,
  ``gongkai.final_accounts.model``, ``gongkai.performance.rulesets``), a node's ``下级`` last, keys
  gongkai does not know kept after them in their own order; mappings whose keys are
  names (``其中``, ``上年决算`` …) keep their order, those keyed by a fixed list (收入
  来源、三公经费 …) follow that list;
* two-space indentation, ``- `` two spaces in under its key; block or flow style of each
  mapping and list as the author wrote it (``- {名称: …, 分值: 2}`` rows stay one line);
* every comment kept: a comment line moves with the entry below it, an end-of-line comment
  with the entry on its line, a comment indented deeper than the entry below it stays at
  the end of the block above; the comments heading the file and those ending it stay
  there; blank lines between entries are kept;
* every scalar written as before: a number keeps its text (``12.30``, ``0.00``), quotes
  stay quotes, ``>-`` stays ``>-``;
* the file's line endings and byte-order mark, one newline at the end.

The data are read and written with ruamel.yaml's round-trip mode (quotes, ``>-`` and flow
style kept); numbers, booleans, nulls and dates are kept as their source text. Comments are
found from PyYAML's node positions (outside every scalar), given to the entries they belong
to, and written through ruamel's comment slots after the keys are reordered
(:mod:`gongkai.authoring.yaml_comments` holds every use of ruamel's private comment fields).
Every result is checked before it is written: it must load to the same data (keys, scalar
texts, lists in order) and carry the same comments, or the file is left alone. Files are
replaced atomically. A file that is a symbolic link, or lies under a linked folder, is never
formatted (``PATH_OUTSIDE``), wherever it points: writing it would rewrite the link's target,
which may be a maintainer's file outside data/.
"""

from __future__ import annotations

import bisect
import io
import os
import types
import typing
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Literal, Union

import yaml
from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError as RuamelMarkedError
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.representer import RoundTripRepresenter
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from gongkai.authoring.yaml_comments import UnsupportedRuamel, check_supported, clear_comments, is_flow, set_comments
from gongkai.engine.files import write_atomic
from gongkai.engine.paths import Refused, project_of, read_bytes_inside, safe_file
from gongkai.engine.problems import Problem, problem
from gongkai.engine.yamlload import MAX_BYTES, load_bytes, load_text

SUFFIXES = (".yaml", ".yml")
_BOM = "\ufeff"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
# Problems from gongkai's loader that do not stop formatting: the text is kept as written.
_FORMATTABLE = {"YAML_NUMBER"}


# libyaml's wording of syntax errors that gongkai's loader does not translate
_SYNTAX_ZH = {
    "did not find expected ',' or ']'": "方括号列表中缺少逗号或“]”",
    "did not find expected ',' or '}'": "花括号映射中缺少逗号或“}”",
    "did not find expected node content": "缺少内容（多余的逗号或冒号？）",
    "did not find expected comment or line break": "引号或括号之后多出了内容",
    "found unexpected ':'": "多余的冒号“:”（值中含冒号时请加引号）",
    "found a tab character that violates indentation": "YAML 不能用 Tab 缩进，请改用空格",
}


def _in_chinese(found: Problem) -> Problem:
    for english, chinese in _SYNTAX_ZH.items():
        if english in found.message:
            return replace(found, message=found.message.replace(english, chinese))
    return found


class FormatError(Exception):
    """A file that cannot be formatted, as a located problem."""

    def __init__(self, found: Problem):
        super().__init__(found.message)
        self.problem = found


# ---- canonical key order ---------------------------------------------------------------


@dataclass(eq=False)
class _Model:
    order: tuple = ()
    fields: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _ListOf:
    item: object


@dataclass(frozen=True)
class _DictOf:
    keys: tuple | None  # the fixed order of the keys, when the keys are a Literal
    value: object


@dataclass(frozen=True)
class _AnyOf:
    options: tuple


_LAST = {"Node": ("下级",)}  # fields written after all others (a node's children)
_MODELS: dict = {}


def _model(cls) -> _Model:
    shape = _MODELS.get(cls)
    if shape is None:
        shape = _MODELS[cls] = _Model()  # registered first: records refer to themselves
        names = [(f.alias or name, f.annotation) for name, f in cls.model_fields.items()]
        last = _LAST.get(cls.__name__, ())
        shape.order = tuple([a for a, _ in names if a not in last] + [a for a, _ in names if a in last])
        for alias, annotation in names:
            sub = _shape(annotation)
            if sub is not None:
                shape.fields[alias] = sub
    return shape


def _shape(tp):
    """The shape of an annotation: where records are nested in it, or None (a plain value)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Annotated:
        return _shape(args[0])
    if origin in (Union, types.UnionType):
        options = tuple(s for s in (_shape(a) for a in args if a is not type(None)) if s is not None)
        return options[0] if len(options) == 1 else _AnyOf(options) if options else None
    if origin is list:
        item = _shape(args[0]) if args else None
        return _ListOf(item) if item is not None else None
    if origin is dict:
        key = args[0]
        while typing.get_origin(key) is Annotated:
            key = typing.get_args(key)[0]
        keys = typing.get_args(key) if typing.get_origin(key) is Literal else None
        value = _shape(args[1])
        return _DictOf(keys, value) if keys or value is not None else None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _model(tp)
    return None


def _root_shape(data):
    """The record a whole file holds, judged from its content."""
    if not isinstance(data, CommentedMap):
        return None
    from gongkai.final_accounts.model import FinalAccounts
    from gongkai.performance.records import Report
    from gongkai.performance.rulesets import Ruleset

    if "类型" in data:
        return _model(FinalAccounts if data["类型"] == "部门决算" else Report)
    if "等级" in data and "名称" in data:
        return _model(Ruleset)
    return None


def _reorder(data, shape) -> None:
    if shape is None:
        return
    if isinstance(shape, _AnyOf):
        wanted = (_Model, _DictOf) if isinstance(data, CommentedMap) else (_ListOf,)
        shape = next((s for s in shape.options if isinstance(s, wanted)), None)
        _reorder(data, shape)
    elif isinstance(shape, _Model) and isinstance(data, CommentedMap):
        _sort_keys(data, shape.order)
        for key, value in data.items():
            _reorder(value, shape.fields.get(key))
    elif isinstance(shape, _DictOf) and isinstance(data, CommentedMap):
        if shape.keys:
            _sort_keys(data, shape.keys)
        for value in data.values():
            _reorder(value, shape.value)
    elif isinstance(shape, _ListOf) and isinstance(data, CommentedSeq):
        for item in data:
            _reorder(item, shape.item)


def _sort_keys(data: CommentedMap, order: tuple) -> None:
    rank = {key: i for i, key in enumerate(order)}
    keys = list(data)
    wanted = sorted(keys, key=lambda k: (0, rank[k]) if isinstance(k, str) and k in rank else (1, 0))
    if wanted != keys:
        for key in wanted:
            data.move_to_end(key)


# ---- reading and writing scalars as written -------------------------------------------


class RawScalar(str):
    """A number, boolean, null or date kept as its source text, with its resolved tag."""

    tag: str

    def __new__(cls, text: str, tag: str):
        self = super().__new__(cls, text)
        self.tag = tag
        return self


class _Constructor(RoundTripConstructor):
    pass


class _Representer(RoundTripRepresenter):
    pass


def _construct_raw(constructor, node):
    tag = node.tag
    return RawScalar(node.value, getattr(tag, "value", None) or str(tag))


def _represent_raw(representer, data: RawScalar):
    return representer.represent_scalar(data.tag, str(data))


for _name in ("int", "float", "bool", "null", "timestamp"):
    _Constructor.add_constructor(_TAG + _name, _construct_raw)
_Representer.add_representer(RawScalar, _represent_raw)


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.Constructor = _Constructor
    y.Representer = _Representer
    y.preserve_quotes = True
    y.width = 1 << 30  # never fold a long line
    y.indent(mapping=2, sequence=4, offset=2)
    y.allow_duplicate_keys = False
    return y


# ---- comments ----------------------------------------------------------------------------


@dataclass
class _Line:
    """A comment (``eol``: after something on its line) or a blank line (``text`` empty)."""

    line: int
    column: int
    text: str
    eol: bool = False


def _walk_nodes(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, MappingNode):
            for k, v in n.value:
                stack.extend((k, v))
        elif isinstance(n, SequenceNode):
            stack.extend(n.value)


def _is_block_scalar(node) -> bool:
    return isinstance(node, ScalarNode) and node.style in ("|", ">")


def _is_block_collection(node) -> bool:
    return isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style


def comment_lines(text: str, root) -> list[_Line]:
    """Every comment and blank line of ``text`` (outside scalars), given its composed root."""
    inside = bytearray(len(text) + 1)  # 1: inside a scalar (a '#' there is text)
    in_flow = bytearray(len(text) + 1)  # 1: inside a flow collection (blank lines there are dropped)
    if root is not None:
        for node in _walk_nodes(root):
            start, end = node.start_mark.index, node.end_mark.index
            if isinstance(node, ScalarNode):
                if _is_block_scalar(node):
                    newline = text.find("\n", start)
                    header = text[start : newline if newline != -1 else len(text)]
                    if "+" not in header.split("#")[0]:  # clipped or stripped: trailing blank lines are not content
                        end = start + len(text[start:end].rstrip())
                inside[start:end] = b"\x01" * (end - start)
            elif node.flow_style:
                in_flow[start:end] = b"\x01" * (end - start)
    out, pos = [], 0
    rows = text.split("\n")
    if rows[-1] == "":  # after the last newline: not a line
        rows.pop()
    for number, line in enumerate(rows):
        column = _comment_start(text, pos, line, inside)
        if column is not None:
            out.append(_Line(number, column, line[column:].rstrip(), bool(line[:column].strip())))
        elif not line.strip() and not inside[pos] and not in_flow[pos]:
            out.append(_Line(number, 0, ""))
        pos += len(line) + 1
    return out


def _comment_start(text: str, pos: int, line: str, inside: bytearray) -> int | None:
    column = line.find("#")
    while column != -1:
        if not inside[pos + column] and (column == 0 or line[column - 1] in " \t"):
            return column
        column = line.find("#", column + 1)
    return None


@dataclass(eq=False)
class _Slot:
    """A place comments belong to: a mapping entry or a list item in block style."""

    owner: CommentedMap | CommentedSeq  # the CommentedMap or CommentedSeq holding the entry
    key: object  # its key or index
    line: int  # where it starts
    column: int  # the column of its key or its "-" in the source
    indent: int  # the column it is written at
    eol_line: int | None  # the line an end-of-line comment of it would be on
    depth: int
    block_scalar: bool  # its value is a | or > scalar (ends with its own newline)
    parent: _Slot | None = None
    pre: list = field(default_factory=list)  # lines above it
    eol: _Line | None = None
    post: list = field(default_factory=list)  # (indent, text): comments closing the blocks it ends


class _Text:
    """Lines and columns of character indexes (lines end only at ``\\n`` here, whatever the
    parser counted as a line break)."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0]
        position = text.find("\n")
        while position != -1:
            self.starts.append(position + 1)
            position = text.find("\n", position + 1)

    def line(self, index: int) -> int:
        return bisect.bisect_right(self.starts, index) - 1

    def column(self, index: int) -> int:
        return index - self.starts[self.line(index)]

    def dash(self, index: int) -> int:
        """The index of the "-" that introduces the list item starting at ``index``."""
        position = index - 1
        while position > 0 and self.text[position] != "-":
            position -= 1
        return max(position, 0)


def _slots(
    node, data, where: _Text, depth: int = 0, indent: int = 0, parent: _Slot | None = None, out: list | None = None
) -> list[_Slot]:
    """Block-style entries in document order, pairing composed nodes with loaded data."""
    out = [] if out is None else out
    eol_line: int | None
    if isinstance(node, MappingNode) and not node.flow_style:
        keys = list(data)
        if len(keys) != len(node.value):
            raise _Mismatch()
        for key, (key_node, value_node) in zip(keys, node.value, strict=False):
            block = _is_block_scalar(value_node)
            if _is_block_collection(value_node):
                eol_line = where.line(key_node.end_mark.index)
            else:
                eol_line = None if block else where.line(value_node.end_mark.index)
            start = key_node.start_mark.index
            slot = _Slot(data, key, where.line(start), where.column(start), indent, eol_line, depth, block, parent)
            out.append(slot)
            if _is_block_collection(value_node):
                _slots(value_node, data[key], where, depth + 1, indent + 2, slot, out)
    elif isinstance(node, SequenceNode) and not node.flow_style:
        if len(data) != len(node.value):
            raise _Mismatch()
        if depth == 0:
            indent = 2  # ruamel writes a top-level list two spaces in; _dedent_root_list moves it back
        for index, item in enumerate(node.value):
            block = _is_block_scalar(item)
            eol_line = None if _is_block_collection(item) or block else where.line(item.end_mark.index)
            dash = where.dash(item.start_mark.index)
            slot = _Slot(data, index, where.line(dash), where.column(dash), indent, eol_line, depth, block, parent)
            out.append(slot)
            if _is_block_collection(item):
                inner = indent + 4 if isinstance(item, SequenceNode) else indent + 2
                _slots(item, data[index], where, depth + 1, inner, slot, out)
    return out


class _Mismatch(Exception):
    pass


def _attach(lines: list[_Line], slots: list[_Slot], root_line: int = 0) -> tuple[list[str], list[str], list]:
    """Give each comment to its entry; return the file's header and trailer lines.

    An end-of-line comment belongs to the innermost entry on its line. The comment lines
    between two entries belong to the next one, except those indented deeper than it:
    they close the block above and stay at its end."""
    by_eol_line: dict = {}
    by_line: dict = {}
    for slot in slots:
        by_eol_line.setdefault(slot.eol_line, []).append(slot)
        by_line.setdefault(slot.line, []).append(slot)
    gaps: dict = {}
    starts = [s.line for s in slots]
    for item in lines:
        if item.eol:
            owner = _deepest_free(by_eol_line.get(item.line, ())) or _deepest_free(by_line.get(item.line, ()))
            if owner is not None:
                owner.eol = item
                continue
        gaps.setdefault(bisect.bisect_right(starts, item.line), []).append(item)
    header: list[str] = []
    trailer: list[str] = []
    closers: list = []
    for at, gap in sorted(gaps.items()):
        after = slots[at] if at < len(slots) else None
        before = slots[at - 1] if at > 0 else None
        if before is None:
            if after is None:
                for item in gap:
                    (header if item.line < root_line else trailer).append(item.text)
            else:
                after.pre.extend(item.text for item in gap)
            continue
        limit = after.column if after is not None else 0
        closing = max((i for i, item in enumerate(gap) if item.text and item.column > limit), default=-1) + 1
        block = None
        for item in gap[:closing]:
            if item.text or block is None:
                block = _enclosing(before, item.column if item.text else next(i.column for i in gap if i.text))
            closers.append((block, len(closers), item.text))
        rest = [item.text for item in gap[closing:]]
        if after is not None:
            after.pre.extend(rest)
        else:
            trailer.extend(rest)
    if slots:  # comments above the first entry head the file, but those after a blank line are the entry's
        pre = slots[0].pre
        cut = max((i for i, text in enumerate(pre) if not text), default=len(pre) - 1) + 1
        header, slots[0].pre = pre[:cut], pre[cut:]
    header = header[next((i for i, text in enumerate(header) if text), len(header)) :]
    while trailer and not trailer[-1]:
        trailer.pop()
    return header, trailer, closers


def _enclosing(slot: _Slot, column: int) -> _Slot:
    """The entry, among ``slot`` and those enclosing it, whose block a comment at ``column``
    closes: the innermost one not indented deeper than the comment."""
    best = slot
    current: _Slot | None = slot
    while current is not None:
        best = current
        if current.column <= column:
            break
        current = current.parent
    return best


def _close_blocks(closers: list, slots: list[_Slot]) -> None:
    """Put each closing comment after the last entry of its block, as the block is ordered
    now (inner blocks' comments before outer ones')."""
    index = {(id(s.owner), s.key): s for s in slots}
    for block, _, text in sorted(closers, key=lambda c: (-c[0].depth, c[1])):
        container = block.owner
        while True:
            key = next(reversed(container)) if isinstance(container, CommentedMap) else len(container) - 1
            last = index[(id(container), key)]
            value = container[key]
            if isinstance(value, (CommentedMap, CommentedSeq)) and len(value) and not is_flow(value):
                container = value
                continue
            break
        last.post.append((block.indent, text))


def _trim(lines: list[str]) -> list[str]:
    """Without blank lines at either end."""
    start, end = 0, len(lines)
    while start < end and not lines[start]:
        start += 1
    while end > start and not lines[end - 1]:
        end -= 1
    return lines[start:end]


def _deepest_free(candidates) -> _Slot | None:
    """The innermost entry (the last one of those) that has no end-of-line comment yet."""
    free = [s for s in candidates if s.eol is None]
    return max(reversed(free), key=lambda s: s.depth) if free else None


def _after(slot: _Slot) -> tuple[str, int] | None:
    """The text written after an entry's value, and the column it starts at: its end-of-line
    comment, then the lines that close its block (each with its own indentation)."""
    if slot.eol is None and not slot.post:
        return None
    lines = "".join(" " * indent + text + "\n" if text else "\n" for indent, text in slot.post)
    if slot.block_scalar:  # the scalar has written its own newline
        return lines, 0
    eol = slot.eol.text if slot.eol is not None else ""
    return eol + "\n" + lines, slot.eol.column if slot.eol is not None else 0


def _place(slots: list[_Slot]) -> None:
    """Give each entry the comments attached to it, for ruamel to write."""
    for slot in slots:
        after, column = _after(slot) or (None, 0)
        set_comments(slot.owner, slot.key, slot.pre, slot.indent, after, column)


# ---- formatting --------------------------------------------------------------------------


def format_text(text: str, name: str = "<文本>") -> str:
    """The canonical form of YAML ``text`` (with ``\\n`` line ends). Raises FormatError."""
    loaded = load_text(text, name)
    stopping = [p for p in loaded.problems if p.code not in _FORMATTABLE]
    if stopping:
        raise FormatError(_in_chinese(stopping[0]))
    root = yaml.compose(text, Loader=_Loader)
    if root is None:  # nothing but comments and blank lines
        return _join(_trim([item.text for item in comment_lines(text, None)]))
    try:
        check_supported()
    except UnsupportedRuamel as exc:  # a ruamel.yaml outside the tested range: write nothing
        raise FormatError(problem("INTERNAL_ERROR", name, None, str(exc))) from None
    lines = comment_lines(text, root)
    try:
        data = _yaml().load(_without_comments(text, lines))
    except RuamelMarkedError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise FormatError(problem("YAML_SYNTAX", name, line, f"YAML 语法错误：{exc.problem or exc.context}")) from None
    except RuamelError as exc:
        raise FormatError(problem("YAML_SYNTAX", name, None, f"YAML 语法错误：{exc}")) from None
    where = _Text(text)
    try:
        slots = _slots(root, data, where)
    except (_Mismatch, TypeError, KeyError, IndexError):
        raise FormatError(problem("YAML_SYNTAX", name, None, "无法按 YAML 结构读取此文件")) from None
    header, trailer, closers = _attach(lines, slots, where.line(root.start_mark.index))
    root_list = isinstance(data, CommentedSeq) and isinstance(root, SequenceNode) and not root.flow_style
    if root_list:  # written two columns in, then moved back: keep end-of-line comments where they were
        for slot in slots:
            if slot.eol is not None:
                slot.eol.column += 2
    clear_comments(data)
    _reorder(data, _root_shape(data))
    _close_blocks(closers, slots)
    _place(slots)
    stream = io.StringIO()
    y = _yaml()
    y.explicit_start, y.version = _document_start(text)
    y.dump(data, stream)
    body = stream.getvalue()
    if root_list:
        body = _dedent_root_list(body)
    out = _join(header) + (body if body.endswith("\n") else body + "\n") + _join(trailer)
    _verify(text, out, name)
    return out


def _without_comments(text: str, lines: list[_Line]) -> str:
    """The text without its comments and blank lines (outside scalars): ruamel reads only
    the data, comments are placed from gongkai's own reading. Blank lines inside scalars
    and the comment after a block scalar's ``|`` stay."""
    rows = text.split("\n")
    dropped: set[int] = set()
    for item in reversed(lines):
        if item.eol:
            rows[item.line] = rows[item.line][: item.column].rstrip()
        else:
            dropped.add(item.line)
    return "\n".join(row for number, row in enumerate(rows) if number not in dropped)


def _join(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _document_start(text: str) -> tuple[bool, tuple | None]:
    """Whether the document starts with ``---``, and its ``%YAML`` version, kept when writing."""
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.DocumentStartEvent):
            return bool(event.explicit), event.version
    return False, None


def _dedent_root_list(body: str) -> str:
    """ruamel indents a top-level list by the sequence offset; write it from column 0."""
    lines = body.split("\n")
    if all(not line.strip() or line.startswith("  ") or line == "---" for line in lines):
        return "\n".join(line[2:] if line.startswith("  ") else line for line in lines)
    return body


def _verify(before: str, after: str, name: str) -> None:
    """The formatted text must hold the same data and the same comments, or nothing is written."""
    try:
        a = yaml.compose(before, Loader=_Loader)
        b = yaml.compose(after, Loader=_Loader)
    except yaml.YAMLError as exc:
        message = f"格式化的结果无法读取（{exc}）；请报告此问题"
        raise FormatError(problem("INTERNAL_ERROR", name, None, message)) from None
    if not same_data(a, b):
        raise FormatError(problem("INTERNAL_ERROR", name, None, "格式化会改变数据内容；请报告此问题"))
    if comment_texts(before, a) != comment_texts(after, b):
        raise FormatError(problem("INTERNAL_ERROR", name, None, "格式化会丢失或改变注释；请报告此问题"))


def comment_texts(text: str, root=None) -> Counter:
    """The comments of a YAML text (each without its indentation), counted; with those on the
    ``|`` or ``>`` line of block scalars."""
    if root is None:
        root = yaml.compose(text, Loader=_Loader)
    found = Counter(item.text for item in comment_lines(text, root) if item.text)
    for node in _walk_nodes(root) if root is not None else ():
        if _is_block_scalar(node):
            newline = text.find("\n", node.start_mark.index)
            header = text[node.start_mark.index : newline if newline != -1 else len(text)]
            at = header.find("#")
            if at > 0 and header[at - 1] in " \t":
                found[header[at:].rstrip()] += 1
    return found


def same_data(a, b) -> bool:
    """Composed YAML trees are equal: mappings by key (any order), lists in order, scalars by
    tag and text (so ``12.30`` and ``12.3`` differ; nulls are equal however written)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, ScalarNode):  # a null may be written empty, ~ or null
        return a.tag == b.tag and (a.value == b.value or a.tag == _TAG + "null")
    if isinstance(a, SequenceNode):
        return len(a.value) == len(b.value) and all(same_data(x, y) for x, y in zip(a.value, b.value, strict=False))
    if isinstance(a, MappingNode):
        if len(a.value) != len(b.value):
            return False
        other = {(k.tag, k.value): v for k, v in b.value if isinstance(k, ScalarNode)}
        for k, v in a.value:
            if not isinstance(k, ScalarNode) or (k.tag, k.value) not in other:
                return False
            if not same_data(v, other[(k.tag, k.value)]):
                return False
        return True
    return a is None and b is None


# ---- files -------------------------------------------------------------------------------


@dataclass
class FormatOutcome:
    file: str
    changed: bool = False
    problem: Problem | None = None


def discover(paths) -> tuple[list[Path], list[str], list[str]]:
    """YAML files under ``paths`` (folders searched, hidden ones skipped), the paths that do
    not exist, and the files named that are not YAML (``.yaml``/``.yml``)."""
    files: list[Path] = []
    missing: list[str] = []
    other: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                rel = found.relative_to(path).parts
                if found.suffix in SUFFIXES and found.is_file() and not any(p.startswith(".") for p in rel):
                    files.append(found)
        elif path.is_file():
            if path.suffix in SUFFIXES:
                files.append(path)
            else:
                other.append(str(raw))
        else:
            missing.append(str(raw))
    return files, missing, other


def format_bytes(raw: bytes, name: str) -> bytes:
    """The canonical bytes of a file's content: encoding, BOM and line endings kept."""
    if len(raw) > MAX_BYTES:
        raise FormatError(load_bytes(raw, name).problems[0])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FormatError(problem("FILE_ENCODING", name, line, "文件不是 UTF-8 编码，请另存为 UTF-8")) from None
    bom = text.startswith(_BOM)
    if bom:
        text = text[1:]
    newline = "\r\n" if "\r\n" in text else "\r" if "\r" in text else "\n"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = format_text(text, name)
    if newline != "\n":
        out = out.replace("\n", newline)
    return ((_BOM if bom else "") + out).encode("utf-8")


_WHY_LINKED = (
    "是符号链接（或位于链接的文件夹之下）；gongkai fmt 不格式化链接，以免改写链接所指的文件"
    "（它可能是维护者的文件，不在 data/ 中）。请改为普通文件，或格式化链接所指的文件本身"
)


def _linked(project: Path, path: Path, name: str) -> Problem | None:
    """A ``PATH_OUTSIDE`` problem when ``path``, or a folder between the project and it, is a
    symbolic link (wherever it points): fmt writes only the file that is there, never a
    link's target."""
    absolute = os.path.abspath(path)
    root = os.path.abspath(project)
    if os.path.islink(absolute):
        return problem("PATH_OUTSIDE", name, None, _WHY_LINKED)
    relative = os.path.relpath(absolute, root)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None  # not below its project (project_of never gives that): the guarded read decides
    if os.path.realpath(absolute) != os.path.join(os.path.realpath(root), relative):
        return problem("PATH_OUTSIDE", name, None, _WHY_LINKED)
    return None


def format_file(path: Path, check: bool = False, display: str | None = None) -> FormatOutcome:
    """Format one file in place (unless ``check``); never leaves it half written."""
    name = display or str(path)
    project = project_of(path)
    linked = _linked(project, path, name)
    if linked is not None:  # even inside the project: fmt would rewrite the link's target
        return FormatOutcome(name, problem=linked)
    try:
        raw = read_bytes_inside(project, path, name)
    except Refused as exc:  # a link out of the project is neither read nor written through
        return FormatOutcome(name, problem=exc.problem)
    except OSError as exc:
        message = f"无法读取文件：{exc.strerror or exc}"
        return FormatOutcome(name, problem=problem("FILE_UNREADABLE", name, None, message))
    try:
        new = format_bytes(raw, name)
    except FormatError as exc:
        return FormatOutcome(name, problem=exc.problem)
    except Exception as exc:  # a bug in gongkai: say where, leave the file alone
        message = f"gongkai 内部错误（{type(exc).__name__}: {exc}）；请报告此问题"
        return FormatOutcome(name, problem=problem("INTERNAL_ERROR", name, None, message))
    if new == raw:
        return FormatOutcome(name)
    if not check:
        refused = _linked(project, path, name) or safe_file(project, path, name)
        if refused is not None:  # replaced by a link while it was being formatted
            return FormatOutcome(name, problem=refused)
        try:
            write_atomic(path, new)
        except OSError as exc:
            message = f"无法写入文件：{exc.strerror or exc}"
            return FormatOutcome(name, problem=problem("FILE_UNREADABLE", name, None, message))
    return FormatOutcome(name, changed=True)


def format_paths(paths, check: bool = False, jobs: int | None = None) -> list[FormatOutcome]:
    """Format every YAML file under ``paths`` (in parallel processes when there are many).
    Raises FileNotFoundError for paths that do not exist and ValueError for files that are
    not YAML, before touching anything."""
    from gongkai.engine.pipeline import map_jobs

    files, missing, other = discover(paths)
    if missing:
        raise FileNotFoundError("找不到：" + "、".join(missing))
    if other:
        raise ValueError("不是 YAML 文件（应以 .yaml 或 .yml 结尾）：" + "、".join(other))
    return map_jobs(format_file, [(f, check) for f in files], jobs)
