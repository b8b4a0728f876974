"""Markdown pages as Jinja templates, without breaking code or prose.

Only ``{{ … }}`` and ``{% … %}`` written in prose are template syntax. Fenced code
blocks, inline code spans, ``\\{{`` and any ``{{`` without its closing ``}}`` on the
same line stay exactly as written, and ``{#`` is never a comment (Markdown uses it for
``{#anchor}``). Line numbers are preserved so an error names the page's own line.

Blocks that must not pass through Markdown (tables, charts) are stashed: the template
call leaves a placeholder paragraph and :func:`fill` puts the HTML back afterwards."""

from __future__ import annotations

import re
import secrets
import traceback
from dataclasses import dataclass, field

import jinja2
from markupsafe import Markup, escape

from gongkai.engine.problems import problem
from gongkai.render import sandbox

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
_TOKEN = re.compile(r"\\\{\{|\{\{(?:(?!\{\{|\}\}).)*\}\}|\{%(?:(?!\{%|%\}).)*%\}")
_JINJA_OPENERS = re.compile(r"\{\{|\{%|\{#")


# Literal openers are printed through variables whose values are Markup, so neither Jinja
# nor the Markdown escaping of printed values touches them (code blocks stay exact).
_LITERALS = {"{{": "_gk_open_expr", "{%": "_gk_open_stmt", "{#": "_gk_open_comment"}
LITERAL_VALUES = {name: Markup(text) for text, name in _LITERALS.items()}
_LITERAL_TOKENS = {"{{ " + name + " }}": text for text, name in _LITERALS.items()}


def _escape_literal(text: str) -> str:
    """Text that Jinja must print as written."""
    return _JINJA_OPENERS.sub(lambda m: "{{ " + _LITERALS[m.group(0)] + " }}", text)


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
            if (
                opener
                and opener.group(1)[0] == fence[0]
                and len(opener.group(1)) >= len(fence)
                and not line.strip()[len(opener.group(1)) :].strip()
            ):
                fence = None
        else:
            paragraph.append(line)
            if not line.strip():
                flush()
    flush()
    return "".join(out)


@dataclass
class Stash:
    """HTML blocks kept out of Markdown, keyed by a placeholder that Markdown leaves alone.

    A page's HTML can be filled in two steps: :meth:`search_view` puts only each block's
    words where the block goes (what the site's search indexes: indicator names, not
    hundreds of table cells), and :meth:`fill` puts the whole blocks in the final page.

    Placeholders cannot be forged or multiplied. Each holds a random token of this stash
    (``gkblock<16 hex digits>n<index>x``), so text from the data (an indicator named
    ``gkblock0x``) is only text. A block put inside another block (``报告表格()`` holds the
    tables it prints) is put in place when the outer block is stashed, once: a placeholder
    is used at most once there, and at most once by each :meth:`fill`, which is a single
    pass over the page that never looks again at the HTML it puts in. A placeholder inside a
    tag (an attribute value) is removed, not filled, and no placeholder is left in the output.
    While a page's template runs (:func:`sandbox.limits`), the blocks it stashes hold at most
    :data:`sandbox.MAX_OUTPUT` characters in all."""

    prefix: str = "gkblock"
    blocks: list = field(default_factory=list)  # (placeholder, HTML with its nested blocks in place)
    words: dict = field(default_factory=dict)  # placeholder -> its words and its nested blocks' words
    token: str = field(default_factory=lambda: secrets.token_hex(8))

    def __post_init__(self) -> None:
        key = re.escape(self.prefix + self.token) + r"n\d+x"
        self._key = re.compile(key)
        self._places = re.compile(
            rf'<div class="gk-slot" data-gk-slot="({key})">[^<>]*</div>'  # 1: a slot of search_view
            rf"|<p>({key})</p>"  # 2: the paragraph Markdown made of a placeholder
            rf"|(<[^<>]*?{key}[^<>]*>)"  # 3: a tag with a placeholder in it
            rf"|({key})"  # 4: a placeholder anywhere else (raw HTML blocks keep it bare)
        )
        self._index: dict = {}  # placeholder -> position in blocks
        self._nested: set = set()  # placeholders put inside another block
        self._size = 0

    def state(self) -> dict:
        """What the stash holds, as plain data (kept between builds by the site's report cache)."""
        return {"token": self.token, "blocks": [list(b) for b in self.blocks], "words": dict(self.words),
                "nested": sorted(self._nested)}

    @classmethod
    def restored(cls, state: dict) -> Stash:
        """The stash that :meth:`state` described, filling and searching as it did."""
        stash = cls(blocks=[(key, html) for key, html in state["blocks"]], words=dict(state["words"]),
                    token=state["token"])
        stash._index = {key: at for at, (key, _) in enumerate(stash.blocks)}
        stash._nested = set(state["nested"])
        stash._size = sum(len(html) for _, html in stash.blocks)
        return stash

    def put(self, html: str, search_text: str = "") -> Markup:
        key = f"{self.prefix}{self.token}n{len(self.blocks)}x"
        nested: list = []

        def inner(match: re.Match) -> str:
            found = match.group(0)
            at = self._index.get(found)
            if at is None or found in self._nested:
                return ""
            self._nested.add(found)
            nested.append(at)
            return self.blocks[at][1]

        html = self._key.sub(inner, str(html))
        self._size += len(html)
        if self._size > sandbox.MAX_OUTPUT and sandbox.limited():
            raise sandbox.Refused(f"页面中的表格、图表等超过 {sandbox.MAX_OUTPUT} 个字符，已停止")
        self._index[key] = len(self.blocks)
        self.blocks.append((key, html))
        words = [search_text, *(self.words[self.blocks[at][0]] for at in sorted(nested))]
        self.words[key] = " ".join(filter(None, words))
        return Markup(f"\n\n{key}\n\n")

    def _slot(self, key: str) -> str:
        return f'<div class="gk-slot" data-gk-slot="{key}">{escape(self.words.get(key, ""))}</div>'

    def search_view(self, html: str) -> str:
        """``html`` with each block's paragraph replaced by a slot holding only its words."""
        if self.prefix + self.token not in html:
            return html

        def slot(match: re.Match) -> str:
            key = match.group(2)
            if key is None or key not in self._index or key in self._nested:
                return match.group(0)
            return self._slot(key)

        return self._substitute(slot, html)

    def _substitute(self, replace, html: str) -> str:
        """``self._places.sub(replace, html)``, without running the pattern over the whole page
        (its "tag with a placeholder" branch is tried at every ``<`` of a theme's page). Every
        match holds a placeholder and starts at it or at the last ``<`` before it, so the
        pattern is searched from there, for each placeholder in turn: the same matches, found
        in the same order."""
        mark = self.prefix + self.token
        out, done = [], 0
        found = html.find(mark)
        while found != -1:
            lt = html.rfind("<", done, found)
            match = self._places.search(html, lt if lt != -1 else found)
            if match is None:
                break
            out.append(html[done : match.start()])
            out.append(replace(match))
            done = match.end()
            found = html.find(mark, done)
        out.append(html[done:])
        return "".join(out)

    def fill(self, html: str) -> str:
        """``html`` with each block in place (at its slot, paragraph or bare placeholder, the
        first one only) and every other placeholder removed."""
        if self.prefix + self.token not in html:
            return html
        used: set = set()

        def block(match: re.Match) -> str:
            tag = match.group(3)
            if tag is not None:
                return self._key.sub("", tag)
            key = match.group(1) or match.group(2) or match.group(4)
            if key not in self._index or key in self._nested or key in used:
                return ""
            used.add(key)
            return self.blocks[self._index[key]][1]

        return self._substitute(block, html)


CHECK_NOTES_ID = 'id="gk-check-notes"'  # templates/check_notes.html


def with_check_notes(text: str, context: dict, stash: Stash) -> str:
    """A report page whose template did not place its 核对说明 (``核对说明()``, or within
    ``报告表格()``) gets it at the end: the [n] references of its tables point there."""
    if any(CHECK_NOTES_ID in html for _, html in stash.blocks):
        return text
    return text + "\n\n" + str(context["核对说明"]()) + "\n"


class PageError(Exception):
    """A template error in a page, with its line."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


_STATEMENT = re.compile(r"\{%")


class Compiled:
    """Compiled page templates. Pages with only ``{{ … }}`` expressions (the usual case)
    are rendered expression by expression, and each distinct expression is compiled
    once per build: a thousand pages quoting ``{{ 总分 }}`` compile it once.

    Pages are untrusted: whatever environment is given, they run in its sandbox
    (:func:`sandbox.page_environment`: same filters, finalize and escaping, no loader)."""

    def __init__(self, env: jinja2.Environment):
        self.env = sandbox.page_environment(env)
        self.expressions: dict = {}

    def expression(self, source: str) -> jinja2.Template:
        template = self.expressions.get(source)
        if template is None:
            template = self.expressions[source] = self.env.from_string(source)
        return template


def _pieces(source: str):
    """Split escaped template source into literal text and ``{{ … }}`` pieces with their lines."""
    pos, line = 0, 1
    for match in re.finditer(r"\{\{.*?\}\}", source):
        literal = source[pos : match.start()]
        yield "text", literal, line
        line += literal.count("\n")
        yield "expr", match.group(0), line
        pos = match.end()
    yield "text", source[pos:], line


def render(env: jinja2.Environment | Compiled, markdown: str, context: dict, name: str) -> str:
    """Render a Markdown page's template syntax; raise PageError with a Chinese message."""
    compiled = env if isinstance(env, Compiled) else Compiled(env)
    source = to_template(markdown)
    context = {**context, **LITERAL_VALUES}
    with sandbox.limits():
        if not _STATEMENT.search(source):
            return _render_expressions(compiled, source, context, name)
        template = _compile(lambda: compiled.env.from_string(source), None)
        template.name = name
        return _run(lambda: template.render(context), name, None)


def _render_expressions(compiled: Compiled, source: str, context: dict, name: str) -> str:
    """A page without statements, expression by expression: the whole page's output (not
    only each expression's) is at most :data:`sandbox.MAX_OUTPUT` characters."""
    out, size = [], 0
    for kind, text, line in _pieces(source):
        if kind == "text" or text in _LITERAL_TOKENS:
            piece = _LITERAL_TOKENS.get(text, text)
        else:
            template = _compile(lambda: compiled.expression(text), line)
            piece = _run(lambda: template.render(context), name, line)
        size += len(piece)
        if size > sandbox.MAX_OUTPUT:
            raise PageError(f"页面模板输出的文字超过 {sandbox.MAX_OUTPUT} 个字符，已停止", line)
        out.append(piece)
    return "".join(out)


def _compile(compile_call, line: int | None) -> jinja2.Template:
    """Compile a page template (or one expression at ``line``); every failure is a PageError."""
    try:
        return compile_call()
    except sandbox.RefusedStatement as exc:
        raise PageError(exc.message or str(exc), line or exc.lineno) from None
    except jinja2.TemplateSyntaxError as exc:
        raise PageError(f"模板语法错误：{_syntax_message(exc.message or str(exc))}", line or exc.lineno) from None
    except (RecursionError, SyntaxError, MemoryError):
        raise PageError("模板语法错误：模板嵌套过深或过于复杂", line) from None
    except Exception as exc:
        raise PageError(f"模板语法错误：{_exception_text(exc)}", line or getattr(exc, "lineno", None)) from None


_NO_FILTER = re.compile(r"No filter named '(.+?)'")


def _syntax_message(message: str) -> str:
    match = _NO_FILTER.search(message)
    if match:
        return f"页面模板不能使用过滤器“{match.group(1)}”（可用的过滤器见用户指南“公开网站”）"
    return message


def _run(render_call, name: str, line: int | None) -> str:
    try:
        return render_call()
    except sandbox.SecurityError as exc:
        raise PageError(sandbox.refusal_message(exc), line or _line_in(exc, name)) from None
    except RecursionError as exc:
        raise PageError("页面模板递归过深（宏或循环调用自身太多层）", line or _line_in(exc, name)) from None
    except jinja2.UndefinedError as exc:
        raise PageError(f"模板引用了不存在的数据：{_undefined_message(exc)}", line or _line_in(exc, name)) from None
    except jinja2.TemplateError as exc:
        raise PageError(f"模板错误：{_syntax_message(str(exc))}", line or _line_in(exc, name)) from None
    except (LookupError, TypeError, ValueError, ArithmeticError) as exc:
        raise PageError(f"模板求值出错：{exc}", line or _line_in(exc, name)) from None
    except AttributeError as exc:  # e.g. {{ 一级指标|dictsort }}: a filter given the wrong kind of value
        raise PageError(
            f"模板求值出错：这个值不能这样使用（{_exception_text(exc)}）", line or _line_in(exc, name)
        ) from None
    except Exception as exc:
        raise PageError(f"模板求值出错：{_exception_text(exc)}", line or _line_in(exc, name)) from None


def _exception_text(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}：{text}" if text else type(exc).__name__


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
