"""The page view of a result, whatever its kind: the kind makes it."""

from __future__ import annotations

from gongkai.engine.kinds import Evaluated, KindRegistry
from gongkai.engine.project import builtin_kinds
from gongkai.render.page import Stash
from gongkai.render.report_view import Links


def view_for(result: Evaluated, env, stash: Stash, links: Links, charts: dict, kinds: KindRegistry | None = None):
    """The view (``context()``: what the page's template can use) the result's kind makes;
    ``kinds`` is the project's registry (by default the built-in kinds)."""
    return (kinds or builtin_kinds()).of(result).view(result, env, stash, links, charts)
