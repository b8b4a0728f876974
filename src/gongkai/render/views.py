"""The page view for a result: a scored report or a 部门决算."""

from __future__ import annotations

from ..final_accounts.evaluate import FinalResult
from .final_view import FinalAccountsView
from .page import Stash
from .report_view import Links, ReportView


def view_for(result, env, stash: Stash, links: Links, charts: dict):
    if isinstance(result, FinalResult):
        return FinalAccountsView(result, env, stash, links, charts)
    return ReportView(result, env, stash, links, charts)
