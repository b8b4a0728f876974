"""The Jinja2 environments: one for HTML templates, one overlay for Markdown pages.

Both autoescape and use ``StrictUndefined``: a misspelt name fails the build instead of
printing nothing. The Markdown overlay also escapes Markdown syntax in every value it
prints, so a data field can neither inject HTML nor turn itself into a link."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from gongkai.render import formatting

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#!{}])")


def _finalize_html(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return formatting.number_text(value)
    return value


def _finalize_markdown(value):
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    text = formatting.number_text(value) if isinstance(value, Decimal) else str(value)
    return Markup(_MARKDOWN_SPECIAL.sub(r"\\\1", str(escape(text))))


FILTERS = {
    "百分比": formatting.percentage,
    "千分位": formatting.thousands,
    "金额": formatting.amount,
    "分数": formatting.score,
    "总分格式": formatting.fixed_score,
    "照印": formatting.as_printed,
}


def template_dirs(project: Path | None) -> list[Path]:
    """A project's own ``templates/`` first, so any built-in template can be overridden."""
    dirs = []
    if project is not None and (project / "templates").is_dir():
        dirs.append(project / "templates")
    dirs.append(PACKAGE_TEMPLATES)
    return dirs


def html_environment(project: Path | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(project)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize_html,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    return env


def markdown_environment(html_env: jinja2.Environment) -> jinja2.Environment:
    """The overlay used to render Markdown pages (same loader and filters)."""
    return html_env.overlay(finalize=_finalize_markdown)
