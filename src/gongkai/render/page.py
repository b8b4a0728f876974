"""Markdown pages as Jinja templates, without breaking code or prose.

Only ``{{ … }}`` and ``{% … %}`` written in prose are template syntax. Fenced code
blocks, inline code spans, ``\\{{`` and any ``{{`` without its closing ``}}`` on the
same line stay exactly as written, and ``{#`` is never a comment (Markdown uses it for
``{#anchor}``). Line numbers are preserved so an error names the page's own line.

Blocks that must not pass through Markdown (tables, charts) are stashed: the template
call leaves a placeholder paragraph and :func:`fill` puts the HTML back afterwards."""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field

import jinja2
from markupsafe import Markup

from ..problems import problem

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
_TOKEN = re.compile(r"\\\{\{|\{\{.*?\}\}|\{%.*?%\}")
_JINJA_OPENERS = re.compile(r"\{\{|\{%|\{#")


def _escape_literal(text: str) -> str:
    """Text that Jinja must print as written."""
    return _JINJA_OPENERS.sub(lambda m: "{{ '" + m.group(0) + "' }}", text)


def _prose(text: str) -> str:
    out, pos = [], 0
    for span in _CODE_SPAN.finditer(text):
        out.append(_prose_without_code(text[pos : span.start()]))
        out.append(_escape_literal(span.group(0)))
        pos = span.end()
    out.append(_prose_without_code(text[pos:]))
    return "".join(out)


def _prose_without_code(text: str) -> str:
    out, pos = [], 0
    for token in _TOKEN.finditer(text):
        out.append(_escape_literal(text[pos : token.start()]))
        word = token.group(0)
        out.append(_escape_literal("{{") if word == "\\{{" else word)
        pos = token.end()
    out.append(_escape_literal(text[pos:]))
    return "".join(out)


def to_template(markdown: str) -> str:
    """The Jinja source for a Markdown page (same lines, code and stray braces escaped)."""
    lines = markdown.splitlines(keepends=True)
    out: list[str] = []
    fence: str | None = None
    paragraph: list[str] = []

    def flush():
        if paragraph:
            out.append(_prose("".join(paragraph)))
            paragraph.clear()

    for line in lines:
        opener = _FENCE.match(line)
        if fence is None and opener:
            flush()
            fence = opener.group(1)
            out.append(_escape_literal(line))
        elif fence is not None:
            out.append(_escape_literal(line))
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence) and not line.strip()[len(opener.group(1)) :].strip():
                fence = None
        else:
            paragraph.append(line)
            if not line.strip():
                flush()
    flush()
    return "".join(out)


@dataclass
class Stash:
    """HTML blocks kept out of Markdown, keyed by a placeholder that Markdown leaves alone."""

    prefix: str = "gkblock"
    blocks: list = field(default_factory=list)

    def put(self, html: str) -> Markup:
        key = f"{self.prefix}{len(self.blocks)}x"
        self.blocks.append((key, html))
        return Markup(f"\n\n{key}\n\n")

    def fill(self, html: str) -> str:
        for key, block in reversed(self.blocks):  # later blocks may hold earlier ones
            html = html.replace(f"<p>{key}</p>", block).replace(key, block)
        return html


class PageError(Exception):
    """A template error in a page, with its line."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


def render(env: jinja2.Environment, markdown: str, context: dict, name: str) -> str:
    """Render a Markdown page's template syntax; raise PageError with a Chinese message."""
    try:
        template = env.from_string(to_template(markdown))
        template.name = name
    except jinja2.TemplateSyntaxError as exc:
        raise PageError(f"模板语法错误：{exc.message}", exc.lineno) from None
    try:
        return template.render(context)
    except jinja2.UndefinedError as exc:
        raise PageError(f"模板引用了不存在的数据：{_undefined_message(exc)}", _line_in(exc, name)) from None
    except jinja2.TemplateError as exc:
        raise PageError(f"模板错误：{exc}", _line_in(exc, name)) from None
    except (LookupError, TypeError, ValueError, ArithmeticError) as exc:
        raise PageError(f"模板求值出错：{exc}", _line_in(exc, name)) from None


def _undefined_message(exc: jinja2.UndefinedError) -> str:
    text = str(exc)
    match = re.match(r"'(.+)' is undefined", text)
    if match:
        return f"“{match.group(1)}”未定义"
    match = re.match(r"'(.+)' has no attribute '(.+)'", text)
    if match:
        return f"没有“{match.group(2)}”这一项"
    return text


def _line_in(exc: BaseException, name: str) -> int | None:
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == name or frame.filename == "<template>":
            line = frame.lineno
    return line


def page_problem(file: str, error: PageError, first_line: int = 1):
    """A located problem for a page's template error (``first_line``: where the body starts)."""
    line = None if error.line is None else error.line + first_line - 1
    return problem("PAGE_TEMPLATE", file, line, str(error))
