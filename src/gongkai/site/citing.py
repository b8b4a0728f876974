"""Turning a figure written as text in a report page into the template reference it matches
(``gongkai cite``): an author moving a Word text into gongkai writes “预算执行率为97.8%”; once
the claims reader has bound that figure to the report's 资金执行率 and checked it, the page can
say ``{{ 资金.执行率 | 百分比(1) }}`` instead, and the figure follows the data from then on.

A replacement is offered only when the sentence's figure is bound, agrees with the data, is
written literally on its page line, and the page rendered with the reference reads exactly as
before. Nothing is written unless asked (``--write``), and then atomically."""

from __future__ import annotations

from dataclasses import dataclass

from gongkai.claims.binding import disagreeing
from gongkai.claims.reader import read_claims
from gongkai.engine.files import write_atomic
from gongkai.engine.project import Project
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.render.page import Compiled, PageError
from gongkai.site.catalog import build
from gongkai.site.pagecheck import bound_claims, fill, page_source


@dataclass(frozen=True)
class Citation:
    file: str
    line: int  # line of the page file
    literal: str  # the text replaced
    reference: str  # the template expression put in its place
    name: str  # the report figure it stands for


def reference_for(name: str, claim) -> str | None:
    """The template expression that prints the figure ``name`` as the claim printed it."""
    if claim.kind in ("execution_rate", "arrival_rate"):
        field = "执行率" if claim.kind == "execution_rate" else "到位率"
        return f"{{{{ 资金.{field} | 百分比({claim.decimals}) }}}}"
    if name == "总分":
        return "{{ 总分 }}"
    if claim.kind == "amount":
        return f'{{{{ 决算数["{name}"] }}}}'
    return None


def _literal(claim) -> str:
    return claim.printed + ("%" if claim.unit == "%" else "")


def page_citations(project: Project, entry, compiled: Compiled, html_env) -> tuple[list, str | None]:
    """(citations, the page text with them made) for one report page; nothing when it cannot be rendered."""
    source = page_source(project, entry)
    if source is None:
        return [], None

    def filled(body: str) -> str | None:
        try:
            return fill(body, source, entry, project, compiled, html_env)
        except PageError:
            return None

    before = filled(source.body)
    if before is None:
        return [], None
    bound = bound_claims(read_claims(before), entry.scored, project.kinds)
    wrong = {id(b) for b in disagreeing(bound)}
    lines = source.body.split("\n")
    citations = []
    for b in bound:
        reference = reference_for(b.name, b.claim)
        literal = _literal(b.claim)
        at = b.claim.line - 1
        if id(b) in wrong or reference is None or not (0 <= at < len(lines)) or lines[at].count(literal) != 1:
            continue
        trial = lines.copy()
        trial[at] = trial[at].replace(literal, reference, 1)
        if filled("\n".join(trial)) != before:  # the reference must read exactly as the text did
            continue
        lines = trial
        citations.append(Citation(source.display, at + source.body_line, literal, reference, b.name))
    return citations, (source.front + "\n".join(lines)) if citations else None


def cite(project: Project, write: bool = False) -> list[Citation]:
    """The citations every report page of ``project`` offers; with ``write``, made in the pages."""
    catalog = build(project, downloads=())
    html_env = html_environment(project.root)
    compiled = Compiled(markdown_environment(html_env))
    found = []
    for entry in catalog.entries:
        if entry.page.generated:
            continue
        citations, new_text = page_citations(project, entry, compiled, html_env)
        found += citations
        if write and new_text is not None:
            write_atomic(project.docs / entry.page.src_uri, new_text.encode("utf-8"))
    return found
