"""Turn loaded YAML into typed records; every validation failure becomes a located problem."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from gongkai.engine.problems import problem
from gongkai.engine.yamlload import Loaded
from gongkai.performance.records import Record

_MESSAGES = {
    "string_type": "应为文字",
    "list_type": "应为列表（每项以“- ”开头）",
    "dict_type": "应为映射（“键: 值”）",
    "model_type": "应为映射（“键: 值”）",
    "model_attributes_type": "应为映射（“键: 值”）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_type": "应为“是”或“否”",
    "bool_parsing": "应为“是”或“否”",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
}


def field_names(*models: type[BaseModel]) -> tuple[str, ...]:
    """Every alias (YAML key) of ``models`` and the models nested in them, sorted: the words an
    unknown key is compared with (“是否应为…？”)."""
    names: set[str] = set()
    seen: set[type] = set()

    def walk(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for f in model.model_fields.values():
            if f.alias:
                names.add(f.alias)
            for arg in _model_args(f.annotation):
                walk(arg)

    for model in models:
        walk(model)
    return tuple(sorted(names))


def _model_args(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _model_args(arg)


def _walk_loc(data, loc: tuple) -> tuple:
    """The real data path of a pydantic ``loc`` (dropping union-member tags)."""
    path, here = [], data
    for part in loc:
        if (isinstance(here, dict) and part in here) or (
            isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here)
        ):
            path.append(part)
            here = here[part]
        elif isinstance(here, dict) and isinstance(part, str) and part not in here and not _is_tag(part):
            path.append(part)  # a missing or unknown key
            here = None
    return tuple(path)


def _is_tag(part: str) -> bool:
    return (part[:1].isascii() and part[:1].isalpha()) or part.startswith(("list[", "dict[", "function-"))


def _message(err: Mapping[str, Any], key: str, vocabulary: tuple) -> tuple[str, str]:
    kind = err["type"]
    if kind == "missing":
        return "FIELD_MISSING", f"缺少必填字段“{key}”"
    if kind == "extra_forbidden":
        if key in vocabulary:  # a field of another kind of report (or of a ruleset)
            return "FIELD_UNKNOWN", f"未知字段“{key}”（这是另一类报告的字段，请检查“类型”是否写对）"
        close = difflib.get_close_matches(key, vocabulary, n=1, cutoff=0.5)
        hint = f"；是否应为“{close[0]}”？" if close else ""
        return "FIELD_UNKNOWN", f"未知字段“{key}”{hint}"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        expected = expected.replace("'", "“", 1) if expected else expected
        return "FIELD_INVALID", f"“{key}”的取值“{_short(err.get('input'))}”无效，可选：{_choices(err)}"
    if kind == "value_error":
        reason = str(err.get("ctx", {}).get("error", err["msg"]))
        return "FIELD_INVALID", f"“{key}”{reason}"
    text = _MESSAGES.get(kind)
    if text:
        return "FIELD_INVALID", f"“{key}”" + text.format(**{k: v for k, v in err.get("ctx", {}).items()})
    return "FIELD_INVALID", f"“{key}”取值无效（{err['msg']}）"


def _choices(err: Mapping[str, Any]) -> str:
    expected = err.get("ctx", {}).get("expected", "")
    return "、".join(part.strip(" '") for part in expected.replace(" or ", ",").split(",") if part.strip(" '"))


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def validate(model: type[Record], loaded: Loaded, vocabulary: tuple | None = None):
    """Validate ``loaded.value`` as ``model``: (record or None, problems). An unknown key is
    compared with ``vocabulary`` (by default the keys of ``model``) to suggest the one meant."""
    data = loaded.value
    if not isinstance(data, dict):
        found = "空文件" if data is None else type(data).__name__
        return None, [
            problem("FIELD_INVALID", loaded.file, loaded.line(()), f"文件顶层应为映射（“键: 值”），实为{found}")
        ]
    try:
        record = model.model_validate(data)
    except ValidationError as exc:
        problems, seen = [], set()
        for err in exc.errors():
            path = _walk_loc(data, tuple(err["loc"]))
            if path in seen:
                continue
            seen.add(path)
            key = next((p for p in reversed(path) if isinstance(p, str)), "文件")
            code, message = _message(err, key, vocabulary if vocabulary is not None else field_names(model))
            where = _path_text(path)
            keys = tuple(str(p + 1) if isinstance(p, int) else str(p) for p in path)  # list items numbered from 1
            problems.append(problem(code, loaded.file, loaded.line(path), f"{where}：{message}" if where else message,
                                    path=keys or None))
        return None, problems
    attach_lines(record, (), loaded)
    return record, []


def _path_text(path: tuple) -> str:
    parts: list[str] = []
    for p in path:
        parts.append(f"[{p + 1}]" if isinstance(p, int) else ("." if parts else "") + p)
    return "".join(parts)


def attach_lines(record, path: tuple, loaded: Loaded) -> None:
    """Give every record the line it was written on (by walking the same aliases the YAML used)."""
    if isinstance(record, Record):
        record._line = loaded.line(path)
        for name, f in type(record).model_fields.items():
            value = getattr(record, name)
            if value is not None and f.alias is not None:
                attach_lines(value, path + (f.alias,), loaded)
    elif isinstance(record, list):
        for i, item in enumerate(record):
            attach_lines(item, path + (i,), loaded)
    elif isinstance(record, dict):
        for key, item in record.items():
            attach_lines(item, path + (key,), loaded)
