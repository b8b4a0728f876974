"""Check claims among themselves: rates against the amounts printed beside them.

Every check uses the printed figures as Decimals and compares at the printed precision
(ROUND_HALF_UP).  A printed rate is accepted when it can be obtained from *some* values
within half a unit of the last printed digit of each input: reports are meant to compute
rates from unrounded data, so a rate reachable that way is not an error.  Base 0 / 不可比
is never checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gongkai.claims.reader import RISING, Claim

__all__ = ["Finding", "check_claims", "half_unit", "rate_interval"]

_HUNDRED = Decimal(100)
_SUM_TOL = Decimal("0.01")


@dataclass(frozen=True)
class Finding:
    kind: str           # change_rate | change | share | completion_rate | sum | count | grade
    claim: Claim        # the claim found wrong
    computed: str       # what the other figures give, as a user would read it
    detail: str         # Chinese explanation


def half_unit(claim: Claim) -> Decimal:
    """Half a unit of the last printed digit; money is taken as exact to the cent
    (0.01 of the printed unit) however it is printed: "预算为1万元" is 1.00 ± 0.005."""
    places = claim.decimals
    if claim.unit in ("万元", "元"):
        places = max(places, 2)
    return Decimal(5).scaleb(-(places + 1))


def _rnd(x: Decimal, places: int) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def rate_interval(n: Decimal, d: Decimal, n_eps: Decimal, d_eps: Decimal) -> tuple[Decimal, Decimal]:
    """Smallest and largest n ÷ d × 100 for inputs within their rounding."""
    lo_d, hi_d = d - d_eps, d + d_eps
    if lo_d <= 0:
        return Decimal(0), Decimal("Infinity")
    lo = max(n - n_eps, Decimal(0)) / hi_d * _HUNDRED
    hi = (n + n_eps) / lo_d * _HUNDRED
    return lo, hi


def _rate_wrong(rate: Claim, n: Decimal, d: Decimal, n_eps: Decimal, d_eps: Decimal) -> str | None:
    """None when the printed rate is reachable, else the computed rate as printed."""
    assert rate.value is not None
    if d <= 0 or d - d_eps <= 0:
        return None
    places = rate.decimals
    exact = n / d * _HUNDRED
    if _rnd(exact, places) == rate.value:
        return None
    lo, hi = rate_interval(n, d, n_eps, d_eps)
    if _rnd(lo, places) <= rate.value <= _rnd(hi, places):
        return None
    return f"{_rnd(exact, places)}%"


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and a == b


def _by_paragraph(claims: Iterable[Claim]) -> dict[int, list[Claim]]:
    out: dict[int, list[Claim]] = {}
    for c in claims:
        out.setdefault(c.paragraph, []).append(c)
    return out


def _before(group: list[Claim], claim: Claim) -> list[Claim]:
    """Claims printed before ``claim`` in its paragraph, nearest first."""
    key = (claim.sentence_index, claim.span[0])
    return sorted((c for c in group if (c.sentence_index, c.span[0]) < key),
                  key=lambda c: (c.sentence_index, c.span[0]), reverse=True)


def _is_budget(stage: str | None) -> bool:
    return stage is not None and "预算" in stage


def check_claims(claims: list[Claim]) -> list[Finding]:
    """Findings of all internal-consistency checks on the claims of one text."""
    findings: list[Finding] = []
    paragraphs = _by_paragraph(claims)
    for group in paragraphs.values():
        findings += _check_change_rates(group)
        findings += _check_completion(group)
        findings += _check_shares(group, claims)
        findings += _check_parts(group)
        findings += _check_counts(group)
    findings += _check_year_changes(claims)
    unique: dict[int, Finding] = {}
    for f in findings:
        unique.setdefault(id(f.claim), f)  # one finding a figure
    return list(unique.values())


def _check_change_rates(group: list[Claim]) -> list[Finding]:
    out: list[Finding] = []
    for rate in group:
        if rate.kind != "change_rate" or rate.value is None or rate.subject is None:
            continue
        earlier = _before(group, rate)
        change = next((c for c in earlier if c.kind == "change" and c.value is not None
                       and _same(c.subject, rate.subject) and c.base == rate.base and c.unit != "%"), None)
        if change is None or change.value is None:
            continue
        if any(c.kind in ("change_rate", "base_zero") and _same(c.subject, rate.subject)
               and (c.sentence_index, c.span[0]) > (change.sentence_index, change.span[0]) for c in earlier):
            continue  # that change already had its rate
        current = next((c for c in _before(group, change) if c.kind == "amount" and c.value is not None
                        and c.base is None and _same(c.subject, rate.subject) and c.unit == change.unit
                        and not _is_budget(c.stage) and c.parent == change.parent), None)
        if current is None or current.value is None:
            continue
        up = change.direction in RISING
        base = current.value - change.value if up else current.value + change.value
        wrong = _rate_wrong(rate, change.value, base, half_unit(change), half_unit(current) + half_unit(change))
        if wrong:
            sign = "−" if up else "+"
            out.append(Finding("change_rate", rate, wrong,
                               f"{rate.subject}{rate.direction}{rate.printed}%：增减额 {change.printed} ÷ 比较基数"
                               f"（{current.printed} {sign} {change.printed} = {base}）× 100 应为 {wrong}。"))
    return out


def _check_completion(group: list[Claim]) -> list[Finding]:
    out: list[Finding] = []
    for rate in group:
        if rate.kind not in ("completion_rate", "execution_rate") or rate.value is None:
            continue
        inline = [c for c in group if c.sentence_index == rate.sentence_index and c.kind == "amount"
                  and rate.span[0] <= c.span[0] < rate.span[1]]   # "完成预算 7 万元的 49.6%"
        earlier = [c for c in inline + _before(group, rate) if c.sentence_index >= rate.sentence_index - 1
                   and c.kind == "amount" and c.value is not None and _same(c.subject, rate.subject)
                   and (c.base is None or c in inline)]
        budget = next((c for c in earlier if _is_budget(c.stage)), None)
        actual = next((c for c in earlier if c.stage == "决算"), None)
        if budget is None or actual is None or budget.value is None or actual.value is None:
            continue
        if budget.unit != actual.unit or budget.value == 0:
            continue
        wrong = _rate_wrong(rate, actual.value, budget.value, half_unit(actual), half_unit(budget))
        if wrong:
            out.append(Finding("completion_rate", rate, wrong,
                               f"{rate.subject}完成预算的比例：{actual.printed} ÷ {budget.printed} × 100 应为 {wrong}，"
                               f"所印为 {rate.printed}%。"))
    return out


def _part_amount(group: list[Claim], share: Claim) -> Claim | None:
    return next((c for c in _before(group, share) if c.sentence_index == share.sentence_index
                 and c.kind == "amount" and c.value is not None and c.base is None
                 and _same(c.subject, share.subject)), None)


def _check_shares(group: list[Claim], everything: list[Claim]) -> list[Finding]:
    out: list[Finding] = []
    shares = [c for c in group if c.kind == "share" and c.value is not None]
    for share in shares:
        part = _part_amount(group, share)
        if part is None or part.value is None:
            continue
        wholes: list[tuple[Decimal, Decimal]] = []
        name = share.whole or share.parent
        if name:
            cands = [c for c in everything if c.kind == "amount" and c.value is not None and c.unit == part.unit
                     and c.base is None
                     and _same(c.subject, name) and c.parent is None
                     and (c.stage == part.stage or part.stage is None or c.stage is None)]
            values = {c.value for c in cands if c.value is not None}
            if len(values) == 1:
                whole = cands[0]
                assert whole.value is not None
                wholes.append((whole.value, half_unit(whole)))
        siblings = [s for s in shares if s.parent == share.parent and s.sentence_index >= share.sentence_index - 3
                    and s.whole == share.whole]
        sib_parts = [_part_amount(group, s) for s in siblings]
        if len(siblings) >= 2 and all(p is not None for p in sib_parts):
            total_pct = sum((s.value for s in siblings if s.value is not None), Decimal(0))
            if abs(total_pct - _HUNDRED) <= Decimal(len(siblings)):
                total = sum((p.value for p in sib_parts if p is not None and p.value is not None), Decimal(0))
                eps = sum((half_unit(p) for p in sib_parts if p is not None), Decimal(0))
                wholes.append((total, eps))
        if not wholes:
            continue
        verdicts = [_rate_wrong(share, part.value, w, half_unit(part), e) for w, e in wholes]
        if all(v is not None for v in verdicts):
            wrong = verdicts[0]
            assert wrong is not None
            out.append(Finding("share", share, wrong,
                               f"{share.subject}占{name or '合计'}的比例：{part.printed} ÷ {wholes[0][0]} × 100 "
                               f"应为 {wrong}，"
                               f"所印为 {share.printed}%。"))
    return out


def _check_parts(group: list[Claim]) -> list[Finding]:
    """其中 parts that add up to more than their total."""
    out: list[Finding] = []
    amounts = [c for c in group if c.kind == "amount" and c.value is not None and c.base is None]
    for total in amounts:
        if total.parent is not None or total.subject is None:
            continue
        parts = [c for c in amounts if c.parent == total.subject and c is not total
                 and (c.sentence_index, c.span[0]) > (total.sentence_index, total.span[0])
                 and c.unit == total.unit and (c.stage == total.stage or c.stage is None)]
        nxt = next((c for c in amounts if c.parent is None and c.subject == total.subject
                    and (c.sentence_index, c.span[0]) > (total.sentence_index, total.span[0])), None)
        if nxt is not None:
            parts = [p for p in parts if (p.sentence_index, p.span[0]) < (nxt.sentence_index, nxt.span[0])]
        if len(parts) < 2 or total.value is None:
            continue
        s = sum((p.value for p in parts if p.value is not None), Decimal(0))
        if s - total.value > _SUM_TOL:
            out.append(Finding("sum", total, str(s),
                               f"{total.subject}所印 {total.printed}{total.unit}，其中各项之和为 {s}{total.unit}，"
                               f"分项之和大于合计。"))
    return out


def _check_counts(group: list[Claim]) -> list[Finding]:
    out: list[Finding] = []
    for c in group:
        if c.kind != "count" or not c.items or c.value is None:
            continue
        if any(w in item for item in c.items for w in ("和", "及", "等", "与")):
            continue  # "A和B" may be one name or two: not countable
        if c.value != len(c.items):
            out.append(Finding("count", c, f"{len(c.items)}{c.unit}",
                               f"正文称{c.printed}{c.unit}，随后列出{len(c.items)}{c.unit}（{'、'.join(c.items)}）。"))
    return out


def _years_compared(claim: Claim) -> tuple[int, int] | None:
    """(this year, the year compared with) of a change: “较2014年…” in 2015, or “比上年” in its year."""
    m = re.fullmatch(r"(\d{4})年", claim.base or "")
    if m:
        return int(m.group(1)) + 1, int(m.group(1))
    if claim.base == "上年" and claim.year is not None:
        return int(claim.year), int(claim.year) - 1
    return None


def _check_year_changes(claims: list[Claim]) -> list[Finding]:
    """"X 年…增加 Y 万元，增长 Z%" against the amounts printed for X and the year compared with
    (X − 1, or the year the sentence names: “较2014年决算数1953.72万元”) in the same text."""
    out: list[Finding] = []
    for change in claims:
        if change.kind not in ("change", "change_rate") or change.value is None:
            continue
        years = _years_compared(change)
        if years is None or change.parent is not None or change.subject is None:
            continue
        key = (change.sentence_index, change.span[0])

        def amount_of(y: int, compared: bool, change: Claim = change, key: tuple[int, int] = key) -> Claim | None:
            # the nearest amount of that year printed before the change (or the figure it names as compared)
            cands = [c for c in claims if c.kind == "amount" and c.parent is None and c.value is not None
                     and _same(c.subject, change.subject) and not _is_budget(c.stage)
                     and (c.sentence_index, c.span[0]) < key
                     and ((c.base is None and c.year == str(y)) or (compared and c.base == change.base))]
            return cands[-1] if cands else None

        now, before = amount_of(years[0], False), amount_of(years[1], True)
        if now is None or before is None or now.value is None or before.value is None or now.unit != before.unit:
            continue
        computed = now.value - before.value
        up = change.direction in RISING
        if change.kind == "change":
            if change.unit != now.unit:
                continue
            signed = change.value if up else -change.value
            if abs(signed - computed) > _SUM_TOL:
                out.append(Finding("change", change, str(computed),
                                   f"{change.subject}{change.direction}{change.printed}{change.unit}："
                                   f"所印 {years[0]} 年 {now.printed} − {years[1]} 年 {before.printed} = {computed}。"))
            continue
        if computed != 0 and up != (computed > 0):
            out.append(Finding("change_rate", change, "增长" if computed > 0 else "下降",
                               f"{change.subject}{change.direction}{change.printed}%：所印 {years[0]} 年 {now.printed}"
                               f"{'大于' if computed > 0 else '小于'} {years[1]} 年 {before.printed}，"
                               f"应为{'增长' if computed > 0 else '下降'}。"))
            continue
        wrong = _rate_wrong(change, abs(computed), before.value, half_unit(now) + half_unit(before), half_unit(before))
        if wrong and not any(f.claim is change for f in out):
            out.append(Finding("change_rate", change, wrong,
                               f"{change.subject}{change.direction}{change.printed}%："
                               f"（{now.printed} − {before.printed}）÷ {before.printed} × 100 应为 {wrong}。"))
    return out
