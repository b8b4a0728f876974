"""Turning a figure written as text in a report page into the template reference it matches
(``gongkai cite``): an author moving a Word text into gongkai writes “预算执行率为97.8%”; once
the claims reader has bound that figure to the report's 资金执行率 and checked it, the page can
say ``{{ 资金.执行率 | 百分比(1) }}`` instead, and the figure follows the data from then on.

A replacement is offered only when the sentence's figure is bound, agrees with the data, is
written literally on its page line, and the page rendered with the reference reads exactly as
before. Nothing is written unless asked (``--write``), and then atomically."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gongkai.claims.binding import bind, disagreeing
from gongkai.claims.reader import read_claims
from gongkai.engine.files import write_atomic
from gongkai.engine.project import Project
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.render.page import Compiled, PageError, Stash, render
from gongkai.render.report_view import Links
from gongkai.render.views import view_for
from gongkai.site.catalog import build, display_name, read_page
from gongkai.site.frontmatter import FRONT_MATTER


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


def page_citations(project: Project, page: Path, entry, compiled: Compiled, html_env) -> tuple[list, str | None]:
    """(citations, the page text with them made) for one report page; nothing when it cannot be rendered."""
    display = display_name(project.root, page)
    head = read_page(project.root, page, display)
    if head.problems:
        return [], None
    text = page.read_text(encoding="utf-8-sig")
    match = FRONT_MATTER.match(text)
    front, body = (text[: match.end()], text[match.end():]) if match else ("", text)

    def filled(source: str) -> str | None:
        view = view_for(entry.scored, html_env, Stash(), Links(), {}, project.kinds)
        try:
            return render(compiled, source, view.context(), display)
        except PageError:
            return None

    before = filled(body)
    if before is None:
        return [], None
    report = entry.scored.report
    kind = project.kinds.of(entry.scored)
    bound = bind(read_claims(before), kind.claim_figures(entry.scored), report.unit, getattr(report, "year", None))
    wrong = {id(b) for b in disagreeing(bound)}
    lines = body.split("\n")
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
        citations.append(Citation(display, at + head.body_line, literal, reference, b.name))
    return citations, (front + "\n".join(lines)) if citations else None


def cite(project: Project, write: bool = False) -> list[Citation]:
    """The citations every report page of ``project`` offers; with ``write``, made in the pages."""
    catalog = build(project, downloads=())
    html_env = html_environment(project.root)
    compiled = Compiled(markdown_environment(html_env))
    found = []
    for entry in catalog.entries:
        if entry.page.generated:
            continue
        page = project.docs / entry.page.src_uri
        citations, new_text = page_citations(project, page, entry, compiled, html_env)
        found += citations
        if write and new_text is not None:
            write_atomic(page, new_text.encode("utf-8"))
    return found
