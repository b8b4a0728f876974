"""Split Markdown or plain text into sentences that remember where they came from.

A *paragraph* is a run of non-blank text lines, a list item, a heading, or one cell of a
Markdown table row.  Paragraph lines are joined without a separator (Chinese text has no
spaces between words), except where the break falls between two digits: joining there
could glue two numbers together ("1,2" + "34.56"), so a line break between digits is kept
as a space, which the claim reader never reads through.  Sentences end at 。；;！？!?.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

__all__ = ["Sentence", "split_sentences"]

_ENDS = "。；;！？!?"
_LIST_ITEM = re.compile(
    r"^\s*(?:[-*+]\s+|\d{1,3}(?:[.．](?!\d)|、)\s*|[（(][一二三四五六七八九十\d]{1,3}[)）]\s*|[一二三四五六七八九十]{1,3}、)")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text, the line it starts on, and the paragraph it belongs to.

    ``breaks`` maps offsets in ``text`` to source lines: the character at offset ``o``
    lies on line ``lines[i]`` where ``i`` is the last index with ``breaks[i] <= o``.
    """

    text: str
    line: int
    paragraph: int
    breaks: tuple[int, ...] = (0,)
    lines: tuple[int, ...] = ()
    in_table: bool = False

    def line_at(self, offset: int) -> int:
        if not self.lines:
            return self.line
        i = bisect_right(self.breaks, offset) - 1
        return self.lines[max(i, 0)]


def _table_cells(line: str) -> list[str] | None:
    stripped = line.strip()
    if not stripped.startswith("|"):
        return None
    body = stripped[1:-1] if stripped.endswith("|") and len(stripped) > 1 else stripped[1:]
    return [cell.strip() for cell in body.split("|")]


def _paragraphs(text: str) -> list[tuple[list[tuple[int, str]], bool]]:
    """Group source lines into paragraphs: ([(line number, text), ...], in_table)."""
    out: list[tuple[list[tuple[int, str]], bool]] = []
    current: list[tuple[int, str]] = []
    in_fence = False

    def flush() -> None:
        nonlocal current
        if current:
            out.append((current, False))
            current = []

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if _FENCE.match(line):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if not line.strip():
            flush()
            continue
        cells = _table_cells(line)
        if cells is not None:
            flush()
            if _TABLE_SEPARATOR.match(line):
                continue
            for cell in cells:
                if cell:
                    out.append(([(number, cell)], True))
            continue
        stripped = line.strip()
        if stripped.startswith("#") or stripped.startswith(">"):
            flush()
            out.append(([(number, stripped.lstrip("#> ").strip())], False))
            continue
        if _LIST_ITEM.match(line):
            flush()
        current.append((number, stripped))
    flush()
    return out


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` in order, with source line numbers and paragraph indexes."""
    sentences: list[Sentence] = []
    for index, (lines, in_table) in enumerate(_paragraphs(text)):
        joined = ""
        breaks: list[int] = []
        numbers: list[int] = []
        for number, part in lines:
            if joined and joined[-1].isdigit() and part[:1].isdigit():
                joined += " "
            breaks.append(len(joined))
            numbers.append(number)
            joined += part
        start = 0
        depth = 0
        for i, ch in enumerate(joined):
            if ch in "（(":
                depth += 1
            elif ch in ")）":
                depth = max(depth - 1, 0)
            # "；" inside parentheses separates items of a parenthetical list, not sentences
            inside = depth > 0 and ch in "；;" and i - start < 400
            if (ch in _ENDS and not inside) or i == len(joined) - 1:
                _emit(sentences, joined, start, i + 1, breaks, numbers, index, in_table)
                start = i + 1
    return sentences


def _emit(out: list[Sentence], joined: str, start: int, end: int, breaks: list[int],
          numbers: list[int], paragraph: int, in_table: bool) -> None:
    piece = joined[start:end]
    lead = len(piece) - len(piece.lstrip())
    piece = piece.strip()
    if not piece:
        return
    first = start + lead
    local_breaks: list[int] = []
    local_lines: list[int] = []
    for b, n in zip(breaks, numbers, strict=True):
        if b <= first:
            local_breaks = [0]
            local_lines = [n]
        elif b < first + len(piece):
            local_breaks.append(b - first)
            local_lines.append(n)
    out.append(Sentence(piece, local_lines[0], paragraph, tuple(local_breaks), tuple(local_lines), in_table))
