"""What the site build would say about a project's pages, without building it (``gongkai check``
on a project folder): each page's front matter and 数据 reference, its template rendered in the
sandbox with its report's data (PAGE_TEMPLATE: a misspelt name, an indicator that does not
exist), and the figures its prose states checked among themselves (CLAIM_MISMATCH: a share, a
completion rate or a year-on-year rate that its own amounts do not give; :mod:`gongkai.claims`).

Imports neither MkDocs nor WeasyPrint: the pages are read through the guarded open and rendered
with the same environments and the same sandbox the plugin uses."""

from __future__ import annotations

from gongkai.claims.arithmetic import Finding, check_claims
from gongkai.claims.reader import read_claims
from gongkai.engine.basis import DEFAULT_BASIS, as_findings, basis_of
from gongkai.engine.problems import Problem, problem
from gongkai.engine.project import Project
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.render.page import Compiled, PageError, Stash, page_problem, render
from gongkai.render.report_view import Links
from gongkai.render.views import view_for
from gongkai.site.catalog import Catalog, build, display_name, read_page
from gongkai.site.frontmatter import FRONT_MATTER


def claim_problems(text: str, display: str, first_line: int = 1) -> list[Problem]:
    """The figures of a page's prose (after its template is filled) that disagree among
    themselves, each at its page line: CLAIM_MISMATCH."""
    return [_claim_problem(finding, display, first_line) for finding in check_claims(read_claims(text))]


def _claim_problem(finding: Finding, display: str, first_line: int) -> Problem:
    claim = finding.claim
    line = claim.line + first_line - 1 if claim.line is not None else None
    printed = (claim.printed or "") + ("%" if claim.unit == "%" else "")
    message = f"正文“{claim.sentence.strip()}”中，{finding.detail}"
    return problem("CLAIM_MISMATCH", display, line, message, finding.computed, printed,
                   path=("正文", str(line or ""), claim.subject or claim.kind))


def check_pages(project: Project, catalog: Catalog | None = None) -> list[Problem]:
    """Every problem of the project's report pages that the site build would report: front
    matter and 数据 (through the catalog), template errors, and prose figures that disagree."""
    catalog = catalog if catalog is not None else build(project, downloads=())
    found = [p for p in catalog.problems if p.code.startswith(("PAGE_", "SITE_", "PATH_"))]
    html_env = html_environment(project.root)
    compiled = Compiled(markdown_environment(html_env))
    for entry in catalog.entries:
        if entry.page.generated:
            continue
        path = project.docs / entry.page.src_uri
        display = display_name(project.root, path)
        head = read_page(project.root, path, display)
        if head.problems:
            continue  # reported through the catalog
        text = path.read_text(encoding="utf-8-sig")
        body = FRONT_MATTER.sub("", text, count=1)
        view = view_for(entry.scored, html_env, Stash(), Links(), catalog.charts, project.kinds)
        try:
            filled = render(compiled, body, view.context(), display)
        except PageError as error:
            found.append(page_problem(display, error, head.body_line))
            continue
        basis = basis_of(entry.scored.report, project.settings.basis or DEFAULT_BASIS)
        found += as_findings(claim_problems(filled, display, head.body_line), basis)
    return found
