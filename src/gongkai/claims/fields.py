"""The figures a report's own free-text data fields state (a performance report's 年度总体目标,
偏差原因, 说明, 备注; a 部门决算's 概况, 备注 and the 说明 of a printed table), checked among
themselves (CLAIM_MISMATCH) and, where a claim binds to a figure of the report, against it
(CLAIM_DATA), each at the field's line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gongkai.claims.arithmetic import check_claims
from gongkai.claims.binding import bind, data_message, disagreeing
from gongkai.claims.reader import read_claims
from gongkai.engine.problems import Problem, problem

Field = tuple[tuple, str, int | None]  # (path of the field, its text, its line)


def field_problems(fields: Iterable[Field], file: str, figures: Mapping | None = None, unit: str = "万元",
                   year: int | None = None) -> list[Problem]:
    found = []
    for path, text, line in fields:
        where = "/".join(path)
        claims = read_claims(text)
        for finding in check_claims(claims):
            claim = finding.claim
            unit_text = "%" if claim.unit == "%" else (claim.unit or "")
            found.append(problem(
                "CLAIM_MISMATCH", file, line, f"“{where}”中“{claim.sentence.strip()}”：{finding.detail}",
                finding.computed, f"{claim.printed}{unit_text}", path=path,
            ))
        if figures is None:
            continue
        for b in disagreeing(bind(claims, figures, unit, year)):
            message, expected, printed = data_message(b)
            found.append(problem("CLAIM_DATA", file, line, f"“{where}”中“{b.claim.sentence.strip()}”{message}",
                                 expected, printed, path=(*path, b.name)))
    return found
