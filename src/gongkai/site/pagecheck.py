"""What the site build would say about a project's pages, without building it (``gongkai check``
on a project folder): each page's front matter and 数据 reference, its template rendered in the
sandbox with its report's data (PAGE_TEMPLATE: a misspelt name, an indicator that does not
exist), and the figures its prose states checked among themselves (CLAIM_MISMATCH: a share, a
completion rate or a year-on-year rate that its own amounts do not give; :mod:`gongkai.claims`).

Imports neither MkDocs nor WeasyPrint: the pages are read through the guarded open and rendered
with the same environments and the same sandbox the plugin uses."""

from __future__ import annotations

from dataclasses import dataclass, field

from gongkai.claims.arithmetic import Finding, check_claims
from gongkai.claims.binding import Bound, bind, data_message, disagreeing, unbound
from gongkai.claims.reader import read_claims
from gongkai.engine.basis import DEFAULT_BASIS, as_findings, basis_of
from gongkai.engine.pipeline import acknowledge
from gongkai.engine.problems import Problem, problem
from gongkai.engine.project import Project, builtin_kinds
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.render.page import Compiled, PageError, Stash, page_problem, render
from gongkai.render.report_view import Links
from gongkai.render.views import view_for
from gongkai.site.catalog import Catalog, build, display_name, read_page
from gongkai.site.frontmatter import FRONT_MATTER


@dataclass
class Tally:
    """What the claims reader made of the pages' prose: how many figures it read, how many it
    bound to report data, and a quiet note (CLAIM_UNBOUND, 提示) for each one it could not."""

    read: int = 0
    bound: int = 0
    unbound: list = field(default_factory=list)

    def text(self) -> str:
        return (f"正文中的数字：读到 {self.read} 个，{self.bound} 个与报告数据核对，"
                f"{len(self.unbound)} 个未能对应到数据（只核对了它们彼此的关系；--claims 逐条列出）。")


def claim_problems(text: str, display: str, first_line: int = 1, result=None, kinds=None,
                   tally: Tally | None = None) -> list[Problem]:
    """The figures of a page's prose (after its template is filled) that disagree among
    themselves (CLAIM_MISMATCH) and, given the page's report ``result``, those that disagree
    with its data (CLAIM_DATA), each at its page line. ``tally`` counts what was read and bound."""
    claims = read_claims(text)
    found = [_claim_problem(finding, display, first_line) for finding in check_claims(claims)]
    bound = bound_claims(claims, result, kinds) if result is not None else []
    found += [_data_problem(b, display, first_line) for b in disagreeing(bound)]
    if tally is not None:
        tally.read += sum(c.value is not None for c in claims)
        tally.bound += len(bound)
        tally.unbound += [_unbound_note(c, display, first_line) for c in unbound(claims, bound)]
    return found


def _unbound_note(claim, display: str, first_line: int) -> Problem:
    line = claim.line + first_line - 1
    unit = "%" if claim.unit == "%" else (claim.unit or "")
    message = (f"正文“{claim.sentence.strip()}”中的 {claim.printed}{unit}（{claim.subject or '主语不明'}）"
               "未对应到报告数据中的数字，只核对了它与同段其他数字的关系")
    return problem("CLAIM_UNBOUND", display, line, message, path=("正文", str(line), claim.subject or claim.kind))


def bound_claims(claims: list, result, kinds=None) -> list[Bound]:
    """The claims bound to the figures of ``result`` (its kind's ``claim_figures``)."""
    kind = (kinds or builtin_kinds()).of(result)
    report = result.report
    return bind(claims, kind.claim_figures(result), report.unit, getattr(report, "year", None))


def _data_problem(b: Bound, display: str, first_line: int) -> Problem:
    claim = b.claim
    line = claim.line + first_line - 1
    message, expected, printed = data_message(b)
    return problem("CLAIM_DATA", display, line, f"正文“{claim.sentence.strip()}”{message}", expected, printed,
                   path=("正文", str(line), b.name))


def _claim_problem(finding: Finding, display: str, first_line: int) -> Problem:
    claim = finding.claim
    line = claim.line + first_line - 1 if claim.line is not None else None
    printed = (claim.printed or "") + ("%" if claim.unit == "%" else "")
    message = f"正文“{claim.sentence.strip()}”中，{finding.detail}"
    return problem("CLAIM_MISMATCH", display, line, message, finding.computed, printed,
                   path=("正文", str(line or ""), claim.subject or claim.kind))


def page_findings(problems: list, report, basis: str) -> list:
    """A page's claim problems as its report's own: acknowledged by the report's 确认 (the
    warning becomes a 提示 with the reason), and findings on a transcription."""
    return as_findings([p for p in acknowledge(problems, report, "") if p.code != "FIELD_INVALID"], basis)


@dataclass(frozen=True)
class PageSource:
    """A report page read through the guarded open: how problems name it, its front matter's
    text, its Markdown body and the page-file line the body starts on."""

    display: str
    front: str
    body: str
    body_line: int


def page_source(project: Project, entry) -> PageSource | None:
    """The page of a catalog entry; None when it cannot be read (the catalog reports why)."""
    path = project.docs / entry.page.src_uri
    display = display_name(project.root, path)
    head = read_page(project.root, path, display)
    if head.problems:
        return None
    match = FRONT_MATTER.match(head.text)
    front, body = (head.text[: match.end()], head.text[match.end():]) if match else ("", head.text)
    return PageSource(display, front, body, head.body_line)


def fill(body: str, source: PageSource, entry, project: Project, compiled: Compiled, html_env, charts=None) -> str:
    """The page body with its template filled from its report, as the site build fills it
    (raises PageError as render does)."""
    view = view_for(entry.scored, html_env, Stash(), Links(), charts or {}, project.kinds)
    return render(compiled, body, view.context(), source.display)


def check_pages(project: Project, catalog: Catalog | None = None, tally: Tally | None = None) -> list[Problem]:
    """Every problem of the project's report pages that the site build would report: front
    matter and 数据 (through the catalog), template errors, and prose figures that disagree
    (``tally`` counts the figures read, bound and left unbound)."""
    catalog = catalog if catalog is not None else build(project, downloads=())
    found = [p for p in catalog.problems if p.code.startswith(("PAGE_", "SITE_", "PATH_"))]
    html_env = html_environment(project.root)
    compiled = Compiled(markdown_environment(html_env))
    for entry in catalog.entries:
        if entry.page.generated:
            continue
        source = page_source(project, entry)
        if source is None:
            continue  # reported through the catalog
        display = source.display
        try:
            filled = fill(source.body, source, entry, project, compiled, html_env, catalog.charts)
        except PageError as error:
            found.append(page_problem(display, error, source.body_line))
            continue
        basis = basis_of(entry.scored.report, project.settings.basis or DEFAULT_BASIS)
        claims = claim_problems(filled, display, source.body_line, entry.scored, project.kinds, tally)
        found += page_findings(claims, entry.scored.report, basis)
    return found
