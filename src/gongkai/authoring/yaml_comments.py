"""The one place where gongkai touches ruamel.yaml's private comment machinery.

``gongkai fmt`` finds a file's comments itself (from PyYAML's node positions), lets ruamel.yaml
load and dump the data in round-trip mode, and writes the comments back through ruamel's comment
slots. ruamel.yaml has no public API for "these whole lines go above this key, this text after
its value", so the slots are written directly. Everything that depends on how ruamel.yaml stores
comments is here, behind four functions:

* :func:`clear_comments` — forget every comment ruamel attached while loading;
* :func:`set_comments` — the lines above an entry and the text after its value;
* :func:`is_flow` — whether a loaded mapping or list was written in flow style (``{…}``/``[…]``);
* :func:`check_supported` — whether the installed ruamel.yaml still works the way this module
  relies on (its private attributes exist, and a probe document is written as expected).

What is relied upon (ruamel.yaml 0.18 and 0.19):

* ``ruamel.yaml.comments.Comment`` with ``Comment.attrib`` (the attribute name, ``_yaml_comment``,
  under which a collection keeps its ``Comment``) and ``Comment().items`` (a dict, key or index →
  a list of four slots);
* the slot layout of ``items``: a mapping entry ``[None, lines above, after the value, None]``,
  a list item ``[after the value, lines above, None, None]``;
* ``ruamel.yaml.tokens.CommentToken(value, start_mark)`` and ``ruamel.yaml.error.CommentMark(column)``:
  a comment's text (ending in a newline) and the column it starts at;
* ``CommentedBase.fa.flow_style()``: the flow style of a loaded collection.

``pyproject.toml`` pins ruamel.yaml to the range this has been tested with
(:data:`TESTED_RANGE`). ``tests/test_yaml_comments.py`` runs :func:`check_supported`, so a
ruamel.yaml that changed any of this fails the tests with a message naming what changed, and
``gongkai fmt`` refuses to run with it rather than write a file whose comments moved.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence

import ruamel.yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import Comment, CommentedMap, CommentedSeq

TESTED_RANGE = ">=0.18,<0.20"  # keep in step with the ruamel.yaml line of pyproject.toml

try:  # the private pieces; a ruamel.yaml without them is reported by check_supported
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken
except ImportError as exc:  # pragma: no cover - only with an unsupported ruamel.yaml
    CommentMark = CommentToken = None  # type: ignore[assignment,misc]
    _IMPORT_ERROR: str | None = str(exc)
else:
    _IMPORT_ERROR = None


class UnsupportedRuamel(RuntimeError):
    """The installed ruamel.yaml does not store comments the way gongkai fmt relies on."""

    details: str = ""  # what exactly changed: the pieces missing, or the probe's expected and written text


def _line(text: str) -> str:
    return text + "\n" if text else "\n"


def set_comments(
    container: CommentedMap | CommentedSeq,
    key,
    above: Sequence[str] = (),
    indent: int = 0,
    after: str | None = None,
    after_column: int = 0,
) -> None:
    """Give the entry ``key`` of ``container`` (a key of a mapping, an index of a list) its comments.

    ``above``: whole lines written above the entry, each a comment's text (``"# …"``) written at
    column ``indent``, or ``""`` for a blank line. ``after``: the text written right after the
    entry's value, ending in a newline: on the value's line it starts at column ``after_column``
    (``"# note\\n"``); following lines are written as given, with their own indentation
    (``"\\n  # closes the block\\n"``). Replaces whatever comments the entry had."""
    pre = [CommentToken(_line(text), CommentMark(indent)) for text in above] or None
    post = CommentToken(after, CommentMark(after_column)) if after is not None else None
    if pre is None and post is None:
        return
    slots = container.ca.items
    if isinstance(container, CommentedMap):
        slots[key] = [None, pre, post, None]
    else:
        slots[key] = [post, pre, None, None]


def clear_comments(data) -> None:
    """Remove every comment from ``data`` and the mappings and lists inside it."""
    if isinstance(data, (CommentedMap, CommentedSeq)):
        setattr(data, Comment.attrib, Comment())
        for value in data.values() if isinstance(data, CommentedMap) else data:
            clear_comments(value)


def is_flow(data) -> bool:
    """A loaded mapping or list written in flow style (``{a: 1}``, ``[1, 2]``)."""
    return isinstance(data, (CommentedMap, CommentedSeq)) and bool(data.fa.flow_style())


# ---- does the installed ruamel.yaml still work this way? ---------------------------------------

# A probe: a mapping with a list, comments placed through set_comments, and the text ruamel.yaml
# must write for it.
_PROBE_EXPECTED = (
    "# above a\n"
    "a: 1  # after a\n"
    "\n"
    "b:\n"
    "  # above the first item\n"
    "  - x  # after x\n"
    "  - y\n"
    "  # closes b\n"
    "c: 3\n"
)


def _probe() -> str:
    data = CommentedMap([("a", 1), ("b", CommentedSeq(["x", "y"])), ("c", 3)])
    clear_comments(data)
    set_comments(data, "a", ["# above a"], 0, "# after a\n", 6)
    set_comments(data, "b", [""], 0)
    set_comments(data["b"], 0, ["# above the first item"], 2, "# after x\n", 7)
    set_comments(data["b"], 1, after="\n  # closes b\n", after_column=0)
    y = YAML(typ="rt")
    y.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    y.dump(data, stream)
    return stream.getvalue()


def _missing() -> list[str]:
    """The private pieces this module uses that the installed ruamel.yaml lacks."""
    missing = []
    if _IMPORT_ERROR is not None:
        missing.append(f"ruamel.yaml.error.CommentMark / ruamel.yaml.tokens.CommentToken（{_IMPORT_ERROR}）")
    if not isinstance(getattr(Comment, "attrib", None), str):
        missing.append("ruamel.yaml.comments.Comment.attrib")
    try:
        if not isinstance(Comment().items, dict):
            missing.append("ruamel.yaml.comments.Comment().items（应为 dict）")
    except Exception as exc:
        missing.append(f"ruamel.yaml.comments.Comment().items（{type(exc).__name__}: {exc}）")
    for cls in (CommentedMap, CommentedSeq):
        for name in ("ca", "fa"):
            if not hasattr(cls, name):
                missing.append(f"ruamel.yaml.comments.{cls.__name__}.{name}")
    try:
        if not callable(getattr(CommentedMap().fa, "flow_style", None)):
            missing.append("ruamel.yaml.comments.Format.flow_style()")
    except Exception as exc:
        missing.append(f"ruamel.yaml.comments.CommentedMap().fa（{type(exc).__name__}: {exc}）")
    return missing


@functools.cache
def _problem() -> tuple[str, str] | None:
    """What is wrong with the installed ruamel.yaml: (reason, details), or None."""
    missing = _missing()
    if missing:
        return "缺少 gongkai fmt 依赖的内部接口", "；".join(missing)
    try:
        written = _probe()
    except Exception as exc:
        return "按 gongkai fmt 的方式写注释时出错", f"{type(exc).__name__}: {exc}"
    if written != _PROBE_EXPECTED:
        return "注释写出的位置与预期不同", f"应为 {_PROBE_EXPECTED!r}，实为 {written!r}"
    return None


def check_supported() -> None:
    """Raise :class:`UnsupportedRuamel` when the installed ruamel.yaml does not keep comments the
    way this module relies on: its message says why, its ``details`` name what changed. Checked
    once per process."""
    found = _problem()
    if found is not None:
        reason, details = found
        version = ruamel.yaml.__version__
        error = UnsupportedRuamel(
            f"ruamel.yaml {version} 不受支持：{reason}；gongkai fmt 用 ruamel.yaml{TESTED_RANGE} 测试过，"
            f"请安装这一范围内的版本（pip install 'ruamel.yaml{TESTED_RANGE}'）"
        )
        error.details = details
        raise error
