"""The YAML a report publishes: its data file without the comments.

Comments in a data file are the transcriber's working notes (where a figure was read, which test
it feeds, what is still to check); they are for the repository, not for the public. The published
file is the data file with every comment removed and nothing else changed: the same keys,
values, order, quoting and line breaks of every value, so it loads to exactly the same data. That
is checked on every file: should removing the comments change what the file loads to (a case this
reader does not foresee), the file is published as it is."""

from __future__ import annotations

import yaml

from gongkai.engine import yamlload


def without_comments(raw: bytes) -> bytes:
    """``raw`` (a UTF-8 data file) with its comments removed; unchanged when it has none, when it
    cannot be read, or when the result would not load to the same data."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw
    if "#" not in text:
        return raw
    try:
        spans = [(t.start_mark.index, t.end_mark.index) for t in yaml.scan(text, Loader=yaml.SafeLoader)]
    except yaml.YAMLError:
        return raw
    stripped = _strip(text, spans)
    if stripped == text:
        return raw
    before, after = yamlload.load_text(text), yamlload.load_text(stripped)
    if before.problems or after.problems or before.value != after.value:
        return raw
    bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
    return (bom + stripped).encode("utf-8")


def _strip(text: str, spans: list) -> str:
    """The text without the comments that lie outside every token (``spans``: the tokens'
    character ranges). A line that held only a comment goes; a comment after a value goes with
    the blanks before it."""
    inside = bytearray(len(text) + 1)
    for start, end in spans:
        inside[start:end] = b"\x01" * (end - start)
    out, offset = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        cut = _comment_start(body, offset, inside)
        offset += len(line)
        if cut is None:
            out.append(line)
        elif body[:cut].strip() == "":
            continue  # a whole-line comment
        else:
            out.append(body[:cut].rstrip(" \t") + line[len(body) :])
    return "".join(out)


def _comment_start(body: str, offset: int, inside: bytearray) -> int | None:
    """Where a comment starts in a line: a ``#`` at its start or after a blank, outside any token."""
    for i, ch in enumerate(body):
        if ch == "#" and not inside[offset + i] and (i == 0 or body[i - 1] in " \t"):
            return i
    return None
