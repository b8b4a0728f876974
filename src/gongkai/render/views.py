"""The page view for a result: a scored report or a 部门决算."""

from __future__ import annotations

from gongkai.final_accounts.evaluate import FinalResult
from gongkai.render.final_view import FinalAccountsView
from gongkai.render.page import Stash
from gongkai.render.report_view import Links, ReportView


def view_for(result, env, stash: Stash, links: Links, charts: dict):
    if isinstance(result, FinalResult):
        return FinalAccountsView(result, env, stash, links, charts)
    return ReportView(result, env, stash, links, charts)
