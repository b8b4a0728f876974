"""The sandbox a contributor's page template runs in.

Whoever opens a pull request controls ``content/`` and ``data/``, so a page's ``{{ … }}``
and ``{% … %}`` are untrusted. They run in an :class:`ImmutableSandboxedEnvironment` that

- sees only what the page's view passes (the documented data and functions) and the
  documented filters: no Jinja globals (``range``, ``dict``, ``lipsum``, ``cycler``,
  ``joiner``, ``namespace``), no ``self``, no loader (``include``, ``import``, ``from``
  and ``extends`` are refused when the page is compiled);
- reads no attribute starting with ``_``, no ``mro``, ``format`` or ``format_map``, and
  calls no method except a short list of harmless ones on text, lists, dicts and ``loop``
  (a context function's ``__self__``, a Decimal's ``__class__``, ``str.format`` gadgets and
  ``|attr("__class__")`` all end here); ``%`` does not format text;
- stays within limits: no text or list built by the page larger than :data:`MAX_VALUE`
  (``*``, ``+``, ``~``, literals, the text filters), no integer beyond :data:`MAX_BITS`,
  no decimal number beyond 10 to the power ±:data:`MAX_EXPONENT` (``*`` and ``**`` are
  refused before they are computed when their operands' sizes say the result would be;
  ``{{ x }}`` prints a Decimal digit by digit), at most :data:`MAX_OUTPUT` characters from
  one template or macro (and from a whole page: ``render.page`` adds up its expressions), at
  most :data:`MAX_STEPS` loop iterations and calls, and :data:`MAX_SECONDS`, per page.

Every refusal is a :class:`Refused` (at run time) or a :class:`RefusedStatement` (when the
page is compiled), with a Chinese message; ``render.page`` turns both into a located
``PAGE_TEMPLATE`` problem. Maintainer templates (``templates/``) do not run here."""

from __future__ import annotations

import functools
import math
import time
import weakref
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from numbers import Number

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.filters import FILTERS as JINJA_FILTERS
from jinja2.filters import do_replace, make_attrgetter, sync_do_join, sync_do_sum
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

MAX_VALUE = 1_000_000  # characters of one text, or items (counted through nesting) of one list
MAX_OUTPUT = 10_000_000  # characters one template, macro or {% set %} block may output
MAX_BITS = 4096  # the largest integer * or ** may make
MAX_EXPONENT = 1000  # the largest power of ten of a decimal number *, **, / or // may make (either way)
MAX_STEPS = 20_000  # loop iterations plus calls in one page
MAX_SECONDS = 60.0  # time one page's template may take

# Jinja's own filters a page may use: none of them makes a value much larger than its input.
# (Left out: center, indent, wordwrap, format, batch, slice, pprint, random, tojson, urlize,
# xmlattr, safe. join, replace and sum are replaced by checked versions below.)
SAFE_JINJA_FILTERS = frozenset(
    {
        "abs", "attr", "capitalize", "count", "d", "default", "dictsort", "e", "escape",
        "filesizeformat", "first", "float", "forceescape", "groupby", "int", "items", "last",
        "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "reverse",
        "round", "select", "selectattr", "sort", "string", "striptags", "title", "trim",
        "truncate", "unique", "upper", "urlencode", "wordcount",
    }
)
# Filters that turn any value into text: their input is checked first (a list printed as text
# is as long as everything in it).
TEXT_FILTERS = frozenset(
    {
        "capitalize",
        "e",
        "escape",
        "forceescape",
        "lower",
        "string",
        "striptags",
        "title",
        "trim",
        "truncate",
        "upper",
        "urlencode",
        "wordcount",
    }
)

# The methods a page may call, by the type of the object (the first match counts).
_TEXT_METHODS = frozenset(
    {
        "upper", "lower", "title", "capitalize", "casefold", "swapcase", "strip", "lstrip",
        "rstrip", "startswith", "endswith", "split", "rsplit", "splitlines", "partition",
        "rpartition", "removeprefix", "removesuffix", "count", "find", "rfind", "index",
        "rindex", "isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum", "isspace",
        "isupper", "islower", "istitle",
    }
)
METHODS = (
    (Markup, _TEXT_METHODS | {"striptags", "unescape"}),
    (str, _TEXT_METHODS),
    (dict, frozenset({"get", "keys", "values", "items"})),
    (list, frozenset({"index", "count"})),
    (tuple, frozenset({"index", "count"})),
    (LoopContext, frozenset({"cycle", "changed"})),
)
NEVER = frozenset({"mro", "format", "format_map"})
REFUSED_STATEMENTS = (
    (nodes.Extends, "extends"),
    (nodes.Include, "include"),
    (nodes.Import, "import"),
    (nodes.FromImport, "from … import"),
)


class Refused(SecurityError):
    """Something a page template may not do; the message is Chinese and names it."""


class RefusedStatement(jinja2.TemplateSyntaxError):
    """A statement or name a page template may not use, found when the page is compiled."""


# ---- limits --------------------------------------------------------------------------------


@dataclass
class _Budget:
    steps: int
    deadline: float


_BUDGET: ContextVar[_Budget | None] = ContextVar("gongkai_page_budget", default=None)


@contextmanager
def limits():
    """One page's budget of steps (loop iterations and calls) and time."""
    token = _BUDGET.set(_Budget(MAX_STEPS, time.monotonic() + MAX_SECONDS))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def limited() -> bool:
    """Whether a page's template is running (inside :func:`limits`)."""
    return _BUDGET.get() is not None


def _spend() -> None:
    budget = _BUDGET.get()
    if budget is None:
        return
    budget.steps -= 1
    if budget.steps < 0:
        raise Refused(f"页面模板的循环和调用超过 {MAX_STEPS} 次，已停止")
    if time.monotonic() > budget.deadline:
        raise Refused(f"页面模板运行超过 {MAX_SECONDS:g} 秒，已停止")


def exceeds(value, limit: int = MAX_VALUE) -> bool:
    """Whether ``value`` (text, or containers counted through every level, shared parts as
    often as they appear) is larger than ``limit``. Stops as soon as it is: never slow."""
    left, stack = limit, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            left -= len(item)
        elif isinstance(item, (list, tuple, set, frozenset, dict)):
            left -= 1 + len(item)
            if left < 0:
                return True
            stack.extend(item.items() if isinstance(item, dict) else item)
        else:
            left -= 1
        if left < 0:
            return True
    return False


def _checked(value, what: str = "页面模板生成的文字或列表"):
    if exceeds(value):
        raise Refused(f"{what}过大（超过 {MAX_VALUE} 个字符或项），已停止")
    return value


def _capped_concat(parts) -> str:
    """``Environment.concat`` for pages: a template's, macro's or block's output, bounded."""
    out, size = [], 0
    for part in parts:
        size += len(part)
        if size > MAX_OUTPUT:
            raise Refused(f"页面模板输出的文字超过 {MAX_OUTPUT} 个字符，已停止")
        out.append(part)
    return "".join(out)


# ---- operators -------------------------------------------------------------------------------


def _repeat_operands(left, right):
    """(sequence, count) for ``text * n`` or ``n * list``; None for anything else."""
    if isinstance(left, (str, list, tuple)) and isinstance(right, int):
        return left, right
    if isinstance(right, (str, list, tuple)) and isinstance(left, int):
        return right, left
    return None


def _check_multiply(left, right) -> None:
    repeat = _repeat_operands(left, right)
    if repeat is not None:
        sequence, count = repeat
        if count > 0 and exceeds(sequence, MAX_VALUE // count):
            raise Refused(f"页面模板中重复（*）得到的文字或列表过大（超过 {MAX_VALUE} 个字符或项）")
    elif _integers(left, right) and left.bit_length() + right.bit_length() > MAX_BITS:
        raise Refused(f"页面模板中乘法（*）的结果过大（超过 {MAX_BITS} 位）")
    else:
        _check_decimal_multiply(left, right)


def _check_power(left, right) -> None:
    if _integers(left, right) and right > 0 and (left.bit_length() - 1) * right > MAX_BITS:
        raise Refused(f"页面模板中乘方（**）的结果过大（超过 {MAX_BITS} 位）")
    if _decimal_operands(left, right):
        size = _log10(left)
        if size is None or size == 0:  # 0 ** n, 1 ** n and -1 ** n stay small
            return
        estimate = size * _as_float(right)
        if not math.isfinite(estimate) or abs(estimate) > MAX_EXPONENT:
            raise Refused(_TOO_LARGE_DECIMAL.format(op="乘方（**）"))


_TOO_LARGE_DECIMAL = "页面模板中{op}的结果过大或过小（超过 10 的 ±" + str(MAX_EXPONENT) + " 次方）"


def _decimal_operands(left, right) -> bool:
    """A Decimal with a Decimal or an integer (the operations whose size the Decimal type does not bound)."""
    numbers = (Decimal, int)
    return (
        isinstance(left, numbers)
        and isinstance(right, numbers)
        and (isinstance(left, Decimal) or isinstance(right, Decimal))
    )


def _as_float(value) -> float:
    try:
        return float(value)
    except (OverflowError, ValueError):
        return math.inf


def _log10(value) -> float | None:
    """log10 of ``|value|`` for a Decimal or an integer of any size (never through a float that
    could overflow); None for zero; inf for an infinite or NaN Decimal."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            return math.inf
        if not value:
            return None
        exponent = value.adjusted()
        return exponent + math.log10(float(abs(value).scaleb(-exponent)))
    return math.log10(abs(value)) if value else None  # exact enough for an integer of any size


def _check_decimal_multiply(left, right) -> None:
    if not _decimal_operands(left, right):
        return
    left_size, right_size = _log10(left), _log10(right)
    if left_size is None or right_size is None:  # a zero: the product is zero
        return
    if abs(left_size + right_size) > MAX_EXPONENT + 1:
        raise Refused(_TOO_LARGE_DECIMAL.format(op="乘法（*）"))


def _check_decimal_result(operator: str, result):
    """A Decimal result of ``*``, ``**``, ``/`` or ``//`` within 10 to the power ±:data:`MAX_EXPONENT`."""
    if isinstance(result, Decimal) and result and (not result.is_finite() or abs(result.adjusted()) > MAX_EXPONENT):
        raise Refused(_TOO_LARGE_DECIMAL.format(op=_OPERATOR_NAMES.get(operator, operator)))
    return result


_OPERATOR_NAMES = {"*": "乘法（*）", "**": "乘方（**）", "/": "除法（/）", "//": "整除（//）"}


def _check_modulo(left, right) -> None:
    if isinstance(left, str):
        raise Refused("页面模板不允许用 % 格式化文字；数字请用文档列出的过滤器（如 百分比、千分位）")


def _integers(*values) -> bool:
    return all(isinstance(v, int) for v in values)


_BEFORE = {"*": _check_multiply, "**": _check_power, "%": _check_modulo}


# ---- filters ---------------------------------------------------------------------------------


@jinja2.pass_eval_context
def _join(eval_ctx, value, d: str = "", attribute=None):
    items = list(value)
    if attribute is not None:
        items = list(map(make_attrgetter(eval_ctx.environment, attribute), items))
    _checked(items, "join 的输入")
    if len(str(d)) * max(len(items) - 1, 0) > MAX_VALUE:
        raise Refused(f"join 的结果过大（超过 {MAX_VALUE} 个字符）")
    return sync_do_join(eval_ctx, items, d)


@jinja2.pass_eval_context
def _replace(eval_ctx, s, old, new, count=None):
    text, old, new = str(s), str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    if count is not None:
        hits = min(hits, max(int(count), 0))
    if len(text) + hits * max(len(new) - len(old), 0) > MAX_VALUE:
        raise Refused(f"replace 的结果过大（超过 {MAX_VALUE} 个字符）")
    return do_replace(eval_ctx, s, old, new, count)


@jinja2.pass_environment
def _sum(environment, iterable, attribute=None, start=0):
    """Numbers as Jinja adds them; lists (``sum(start=[])`` flattens one level) in one
    pass and within :data:`MAX_VALUE`, never by repeated ``+``."""
    if isinstance(start, Number):
        return sync_do_sum(environment, iterable, attribute, start)
    if not isinstance(start, (list, tuple)):
        raise Refused("sum 只能把数字或列表相加")
    items = list(iterable)
    if attribute is not None:
        items = list(map(make_attrgetter(environment, attribute), items))
    _checked([start, *items], "sum 的输入")
    out = list(start)
    for item in items:
        if not isinstance(item, type(start)):
            raise TypeError(f"sum 不能把 {type(item).__name__} 加到列表上")
        out.extend(item)
    return out if isinstance(start, list) else tuple(out)


CHECKED_FILTERS = {"join": _join, "replace": _replace, "sum": _sum}


def _text_filter(func):
    """A filter that makes text of its input: the input is checked for size first."""

    @functools.wraps(func)
    def checked(*args, **kwargs):
        for value in (*args, *kwargs.values()):
            _checked(value, "过滤器的输入")
        return func(*args, **kwargs)

    return checked


def page_filters(source: dict) -> dict:
    """The filters of ``source`` a page may use: gongkai's own (百分比, 千分位, …), the safe
    Jinja filters, and checked join, replace and sum."""
    filters = {}
    for name, func in source.items():
        if name in CHECKED_FILTERS:
            filters[name] = CHECKED_FILTERS[name]
        elif name in TEXT_FILTERS:
            filters[name] = _text_filter(func)
        elif name in SAFE_JINJA_FILTERS or name not in JINJA_FILTERS:
            filters[name] = func
    return filters


# ---- compiling -----------------------------------------------------------------------------


class PageCodeGenerator(CodeGenerator):
    """Compiles a page: refuses include/import/extends and ``self``, counts each loop
    iteration, and checks the size of every ``~``, list, tuple and dict the page builds."""

    def visit_Template(self, node: nodes.Template, frame=None) -> None:
        self._refuse_statements(node)
        for loop in node.find_all(nodes.For):
            loop.body.insert(0, self._step(loop.lineno))
        super().visit_Template(node, frame)

    def _refuse_statements(self, node: nodes.Template) -> None:
        for kind, word in REFUSED_STATEMENTS:
            found = node.find(kind)
            if found is not None:
                raise RefusedStatement(
                    f"页面模板不能使用 {{% {word} %}}：页面不能读取其他模板或文件",
                    found.lineno,
                    self.name,
                    self.filename,
                )
        for name in node.find_all(nodes.Name):
            if name.name == "self" and name.ctx == "load":
                raise RefusedStatement("页面模板不能使用“self”", name.lineno, self.name, self.filename)

    def _step(self, lineno: int) -> nodes.ExprStmt:
        call = nodes.Call(nodes.EnvironmentAttribute("page_step", lineno=lineno), [], [], None, None, lineno=lineno)
        statement = nodes.ExprStmt(call, lineno=lineno)
        statement.set_environment(self.environment)
        return statement

    def visit_Concat(self, node: nodes.Concat, frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"environment.checked_value({join}((")
        for arg in node.nodes:
            self.write("environment.checked_value(")
            self.visit(arg, frame)
            self.write("), ")
        self.write(")))")

    def _checked_literal(self, visit, node, frame) -> None:
        self.write("environment.checked_value(")
        visit(node, frame)
        self.write(")")

    def visit_List(self, node: nodes.List, frame) -> None:
        self._checked_literal(super().visit_List, node, frame)

    def visit_Dict(self, node: nodes.Dict, frame) -> None:
        self._checked_literal(super().visit_Dict, node, frame)

    def visit_Tuple(self, node: nodes.Tuple, frame) -> None:
        if node.ctx == "load":
            self._checked_literal(super().visit_Tuple, node, frame)
        else:  # an assignment target: for a, b in …
            super().visit_Tuple(node, frame)


# ---- the environment -------------------------------------------------------------------------


def _finalize(inner):
    """The page's finalize, refusing to print a function (or anything too large)."""

    def finalize(value):
        if callable(value) and not isinstance(value, (str, jinja2.Undefined)):
            raise Refused("页面模板不能显示函数本身：调用时要加括号，如 {{ 指标表() }}")
        if isinstance(value, Decimal) and value and value.is_finite() and abs(value.adjusted()) > MAX_EXPONENT:
            raise Refused(f"页面模板要显示的数字过大或过小（超过 10 的 ±{MAX_EXPONENT} 次方），已停止")
        _checked(value)
        return inner(value)

    return finalize


class PageEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox for one build's pages (see the module docstring)."""

    intercepted_binops = frozenset({"+", "*", "**", "%", "/", "//"})
    code_generator_class = PageCodeGenerator

    def __init__(self, source: jinja2.Environment):
        super().__init__(
            autoescape=source.autoescape,
            undefined=source.undefined,
            finalize=_finalize(source.finalize or (lambda value: value)),
            keep_trailing_newline=source.keep_trailing_newline,
            trim_blocks=source.trim_blocks,
            lstrip_blocks=source.lstrip_blocks,
            newline_sequence=source.newline_sequence,
            auto_reload=False,
            loader=None,
        )
        self.globals.clear()
        self.filters = page_filters(source.filters)
        # jinja2 declares ``concat`` as a method; the sandbox replaces it per instance on purpose.
        self.concat = _capped_concat  # type: ignore[method-assign]

    # -- attributes --
    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        if attr.startswith("_") or attr in NEVER or not super().is_safe_attribute(obj, attr, value):
            return False
        if callable(value):
            return attr in _methods(obj)
        return True

    def unsafe_undefined(self, obj, attribute):
        raise Refused(f"页面模板不允许访问“{attribute}”")

    def wrap_str_format(self, value):
        return None  # str.format and format_map are refused like any other method

    # -- calls and operators --
    def call(self, context, obj, /, *args, **kwargs):
        _spend()
        if isinstance(obj, type):
            raise Refused("页面模板不允许调用类型")
        return super().call(context, obj, *args, **kwargs)

    def call_binop(self, context, operator: str, left, right):
        check = _BEFORE.get(operator)
        if check is not None:
            check(left, right)
        result = self.binop_table[operator](left, right)
        return _checked(result) if operator == "+" else _check_decimal_result(operator, result)

    @staticmethod
    def checked_value(value):
        return _checked(value)

    @staticmethod
    def page_step() -> None:
        """Called (and so counted) at the start of every loop iteration."""


def _methods(obj) -> frozenset:
    for kind, names in METHODS:
        if isinstance(obj, kind):
            return names
    return frozenset()


_PAGE_ENVIRONMENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def page_environment(env: jinja2.Environment) -> PageEnvironment:
    """The sandbox for pages rendered with ``env``'s filters, finalize and escaping (made once per ``env``)."""
    if isinstance(env, PageEnvironment):
        return env
    sandbox = _PAGE_ENVIRONMENTS.get(env)
    if sandbox is None:
        sandbox = _PAGE_ENVIRONMENTS[env] = PageEnvironment(env)
    return sandbox


def refusal_message(exc: SecurityError) -> str:
    """The Chinese message of a refusal (Jinja's own sandbox errors are wrapped)."""
    if isinstance(exc, Refused):
        return str(exc)
    return f"页面模板不允许这样做：{exc}"

