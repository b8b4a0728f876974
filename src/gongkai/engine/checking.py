"""One check vocabulary for every kind of report: one tolerance policy, one amount and one
rate comparison, and checks that are plain functions returning problems.

A check is a function ``(subject, policy) -> list[Problem]`` (the shape of beancount's
validations): it reads the evaluated report, compares, and returns what it found; nothing is
accumulated or mutated. A kind lists its checks, each with a name, as a tuple of
:class:`Check`; :func:`run_checks` runs them in order and, when asked, times each one
(``gongkai check --verbose``) under ``"check:<name>"``.

The comparisons say how two figures differ; a check says what the figures are::

    >>> policy = Policy()
    >>> amount_verdict(Decimal("94.02"), Decimal("94.02"), policy)
    'same'
    >>> amount_verdict(Decimal("1883.42"), Decimal("1883.43"), policy)   # 尾数: a note
    'tail'
    >>> amount_verdict(Decimal("8.4"), Decimal("94.02"), policy)
    'different'
    >>> rate_verdict(Decimal("47.64"), Decimal(111) / Decimal(233), policy, percent=True)
    ('same', Decimal('47.64'))
    >>> rate_verdict(Decimal("47.63"), Decimal(111) / Decimal(233), policy, percent=True)
    ('last digit', Decimal('47.64'))

Where a problem is, for programs, is its ``path`` (:class:`gongkai.engine.problems.Problem`),
a tuple of strings from the part of the report down to the figure:

- 绩效 reports (自评表, 评价报告, 部门整体):
  ``("报告", figure)`` for a whole-report figure (``分值`` of WEIGHT_TOTAL, ``总分``, ``等级``,
  ``共性指标得分``, ``年度目标得分``, ``指标总体完成率``, ``预算执行率``,
  ``预算执行率与指标完成率的偏差``, ``一级指标个数`` …);
  ``("指标", 一级, 二级, …, name[, figure])`` for a node of the indicator tree;
  ``("年度目标", goal[, 一级, …, name][, figure])`` for an annual goal and its indicators;
  ``("资金"[, "其中"], figure)`` for the funds block.
  A figure is one of ``分值 得分 得分率 完成率 完成值 二级指标个数 三级指标个数 偏差原因``
  (or, for 资金, ``执行率 到位率 得分 全年执行数`` and the 其中 columns).
- 部门决算: ``("表N", [side,] row, column)``: N the standard number of the table (1–9, the
  keys of ``原表``, whatever the 表序), side (``收入``/``支出``, ``人员经费``/``公用经费``) only
  for the tables printed in two halves (表1, 表4, 表6), row the 科目编码 of a coded row or else
  its name without ordinal and spaces (``本年收入合计``, ``预算数``), column the heading of the
  column as printed (``决算数``, ``财政拨款收入``); ``("表N",)`` for a whole table; and
  ``("科目", code)`` or ``("基本支出明细", code)`` for an entry of the data.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Generic, TypeVar

from gongkai.engine.decimals import HUNDRED, places_of, plain
from gongkai.engine.problems import Problem, problem

# ---- the policy --------------------------------------------------------------------------

DEFAULT_TOLERANCE = Decimal("0.01")  # the one 尾数容差: 0.01 of the report's unit (万元 or 元)


@dataclass(frozen=True, slots=True)
class Policy:
    """How strictly figures are compared. One value for a whole report; a ruleset may set
    ``money_tail`` (its ``尾数容差``)."""

    money_tail: Decimal = DEFAULT_TOLERANCE  # amounts and scores differing by at most this: a 尾数 note
    rate_rounding: str = ROUND_HALF_UP  # a computed rate is rounded this way to the printed decimals
    rate_last_digit: int = 1  # a printed rate this many units off in its last digit: RATE_LAST_DIGIT


DEFAULT_POLICY = Policy()

# ---- comparing -----------------------------------------------------------------------------

SAME = "same"
TAIL = "tail"  # within the 尾数 tolerance
LAST_DIGIT = "last digit"  # a rate off by the policy's last-digit allowance
DIFFERENT = "different"

TAIL_CODE = "TAIL_DIFFERENCE"
LAST_DIGIT_CODE = "RATE_LAST_DIGIT"

Text = str | Callable[[], str]  # a message, or how to make it (only made when there is a problem)


def amount_verdict(stated: Decimal, computed: Decimal, policy: Policy = DEFAULT_POLICY) -> str:
    """SAME, TAIL (differs by at most ``policy.money_tail``) or DIFFERENT.

    >>> amount_verdict(Decimal("3.95"), Decimal("3.94"))
    'tail'
    >>> amount_verdict(Decimal("3.96"), Decimal("3.94"))
    'different'
    >>> amount_verdict(Decimal("3.96"), Decimal("3.94"), Policy(money_tail=Decimal("0.05")))
    'tail'
    """
    diff = abs(stated - computed)
    if diff == 0:
        return SAME
    return TAIL if diff <= policy.money_tail else DIFFERENT


def rate_verdict(
    stated: Decimal, fraction: Decimal, policy: Policy = DEFAULT_POLICY, *, percent: bool = False
) -> tuple[str, Decimal]:
    """(verdict, expected) of a printed rate against the fraction it should show.

    ``stated`` is the number as printed (97.82 for "97.82%", 0.98 for "0.98"); ``percent`` says
    it was printed as a percentage. The fraction is shown the same way and rounded to the
    printed decimals (``policy.rate_rounding``); off by at most ``policy.rate_last_digit``
    units of the last printed digit is LAST_DIGIT, more is DIFFERENT.

    >>> rate_verdict(Decimal("0.98"), Decimal("0.9782"))
    ('same', Decimal('0.98'))
    >>> rate_verdict(Decimal("88.0"), Decimal("3.47") / Decimal("3.94"), percent=True)   # 88.07%
    ('last digit', Decimal('88.1'))
    >>> rate_verdict(Decimal("86.0"), Decimal("3.47") / Decimal("3.94"), percent=True)
    ('different', Decimal('88.1'))
    >>> rate_verdict(Decimal("45.30"), Decimal("0.45305"), percent=True)    # 45.305% → 45.31%
    ('last digit', Decimal('45.31'))
    >>> rate_verdict(Decimal("0"), Decimal(1))    # a fraction printed "0" where the rate is 100%
    ('different', Decimal('1'))
    """
    places = places_of(stated)
    value = fraction * HUNDRED if percent else fraction
    expected = value.quantize(Decimal(1).scaleb(-places), rounding=policy.rate_rounding)
    diff = abs(stated - expected)
    if diff == 0:
        return SAME, expected
    unit = Decimal(1).scaleb(-places)
    # A last digit worth more than one percentage point (a fraction printed "0" or "0.9") is no
    # tail: "0" against 100% is a different rate, not a rounding of it.
    if (unit if percent else unit * HUNDRED) <= 1 and diff <= policy.rate_last_digit * unit:
        return LAST_DIGIT, expected
    return DIFFERENT, expected


# ---- where a problem is ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """Where a compared figure is: the file, its line, and its structured path."""

    file: str
    line: int | None
    path: tuple[str, ...] | None = None

    def problem(
        self, code: str, message: str, expected: object = None, found: object = None, severity: str | None = None
    ) -> Problem:
        return problem(code, self.file, self.line, message, expected, found, severity, path=self.path)


def _text(message: Text) -> str:
    return message if isinstance(message, str) else message()


def compare_amount(
    place: Place,
    code: str,
    stated: Decimal | None,
    computed: Decimal | None,
    policy: Policy,
    message: Text,
    *,
    tail_message: Text | None = None,
    shown: Callable[[Decimal], str] = plain,
) -> list[Problem]:
    """A stated (printed) amount against the computed one: no problem when they are equal (or
    either is absent), a TAIL_DIFFERENCE note within the tolerance, else ``code``.

    ``message`` (and ``tail_message`` for the note, by default the same) may be a function, so
    that the text is only made when there is something to say. Expected and found are the two
    figures as ``shown`` writes them.

    >>> at = Place("x.yaml", 7, ("报告", "总分"))
    >>> compare_amount(at, "TOTAL_MISMATCH", Decimal("8.4"), Decimal("94.02"), Policy(), "总分不符")[0].human()
    'x.yaml:7: TOTAL_MISMATCH [错误] 总分不符（应为 94.02，实为 8.4）'
    >>> [p.code for p in compare_amount(at, "TOTAL_MISMATCH", Decimal("94.01"), Decimal("94.02"), Policy(), "总分")]
    ['TAIL_DIFFERENCE']
    >>> compare_amount(at, "TOTAL_MISMATCH", None, Decimal("94.02"), Policy(), "总分")
    []
    """
    if stated is None or computed is None:
        return []
    verdict = amount_verdict(stated, computed, policy)
    if verdict == SAME:
        return []
    if verdict == TAIL:
        tail = message if tail_message is None else tail_message
        return [place.problem(TAIL_CODE, _text(tail), shown(computed), shown(stated))]
    return [place.problem(code, _text(message), shown(computed), shown(stated))]


def compare_rate(
    place: Place,
    code: str,
    stated_text: str,
    stated: Decimal,
    fraction: Decimal,
    policy: Policy,
    message: Callable[[str], str],
    *,
    percent: bool,
) -> list[Problem]:
    """A printed rate (``stated_text``, read as ``stated``) against its fraction: no problem,
    RATE_LAST_DIGIT (a warning) when the last printed digit is off within the policy, else
    ``code``. ``message`` makes the text from the expected rate as it should be printed.

    >>> at = Place("x.yaml", 3, ("资金", "执行率"))
    >>> rate = Decimal(111) / Decimal(233)
    >>> say = lambda expected: f"应为 {expected}"
    >>> compare_rate(at, "RATE_MISMATCH", "47.63%", Decimal("47.63"), rate, Policy(), say, percent=True)[0].code
    'RATE_LAST_DIGIT'
    >>> p = compare_rate(at, "RATE_MISMATCH", "46%", Decimal("46"), rate, Policy(), say, percent=True)[0]
    >>> p.code, p.expected, p.found, p.path
    ('RATE_MISMATCH', '48%', '46%', ('资金', '执行率'))
    """
    verdict, expected = rate_verdict(stated, fraction, policy, percent=percent)
    if verdict == SAME:
        return []
    text = f"{expected:f}{'%' if percent else ''}"
    return [place.problem(LAST_DIGIT_CODE if verdict == LAST_DIGIT else code, message(text), text, stated_text)]


# ---- checks ------------------------------------------------------------------------------------

S = TypeVar("S")
TIMING_PREFIX = "check:"


@dataclass(frozen=True)
class Check(Generic[S]):
    """A named check of one kind of report: ``run(subject, policy) -> problems``."""

    name: str  # stable: the key of its time (``check:<name>``) and how the guide names it
    title: str  # what it checks, in Chinese
    run: Callable[[S, Policy], list[Problem]]


def run_checks(
    checks: Iterable[Check], subject, policy: Policy = DEFAULT_POLICY, timings: dict | None = None
) -> list[Problem]:
    """Every check on ``subject``, in order; the problems of each one after the other.

    With ``timings`` (a dict, such as the pipeline's ``Result.timings``), the time of each
    check is added under ``"check:<name>"``."""
    found: list[Problem] = []
    for check in checks:
        if timings is None:
            found += check.run(subject, policy)
            continue
        started = time.perf_counter()
        found += check.run(subject, policy)
        key = TIMING_PREFIX + check.name
        timings[key] = timings.get(key, 0.0) + time.perf_counter() - started
    return found
