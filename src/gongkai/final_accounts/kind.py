"""部门决算 as a report kind: the nine tables derived from the data (or transcribed as
printed), their identities checked, the 情况说明 figures; not scored (no total, no grade)."""

from __future__ import annotations

import time
from decimal import Decimal

from gongkai.engine.kinds import Evaluation, Source, Standing
from gongkai.engine.output import final_text, terminal_json
from gongkai.engine.yamlload import Loaded
from gongkai.final_accounts.claimed import claimed_figures
from gongkai.final_accounts.evaluate import FinalResult, evaluate_record, validate_loaded
from gongkai.final_accounts.model import KIND, FinalAccounts

ALL_DOWNLOADS = ("json", "csv", "xlsx")


class FinalAccountsKind:
    names = (KIND,)
    model = FinalAccounts
    tag = "final_accounts"
    page_template = "pages/final_accounts.md"

    def __repr__(self) -> str:
        return "FinalAccountsKind()"

    def __eq__(self, other) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def validate(self, loaded: Loaded, project) -> tuple:
        return validate_loaded(loaded, project.vocabulary)

    def evaluate(self, record: FinalAccounts, project, source: Source) -> Evaluation:
        started = time.perf_counter()
        result, problems = evaluate_record(record, source.display, project.settings.basis)
        return Evaluation(result, problems, {"check": time.perf_counter() - started})

    # The page, the workbook and the open data are imported when asked for: checking a report
    # (``gongkai check``) needs neither Jinja2 nor openpyxl.
    def view(self, result: FinalResult, env, stash, links, charts: dict):
        from gongkai.render.final_view import FinalAccountsView

        return FinalAccountsView(result, env, stash, links, charts)

    def charts(self, result: FinalResult) -> dict:
        from gongkai.render.final_view import chart_specs

        return chart_specs(result)

    def downloads(self, result: FinalResult, wanted: tuple = ALL_DOWNLOADS) -> dict:
        from gongkai.final_accounts import workbook
        from gongkai.render.final_opendata import final_csv_bytes, final_json_bytes, workbook_tables

        fa = result.report
        makers = {
            "json": lambda: final_json_bytes(result),
            "csv": lambda: final_csv_bytes(result),
            "xlsx": lambda: workbook.write(workbook_tables(result), fa.department, fa.unit, fa.year),
        }
        return {kind: makers[kind]() for kind in wanted if kind in makers}

    def diff_figures(self, result: FinalResult) -> dict[str, Decimal | str]:
        """The totals as the page shows them by 口径 (收入总计, 支出总计, 三公经费 …): the filed
        ones under 原文, else derived from the data."""
        return dict(result.totals)

    def claim_figures(self, result: FinalResult) -> dict[str, Decimal | None]:
        return claimed_figures(result)

    def standing(self, result: FinalResult) -> Standing:
        return Standing()

    def score_text(self, result: FinalResult) -> str:
        return final_text(result)

    def score_json(self, result: FinalResult) -> str:
        from gongkai.render.final_opendata import final_json_bytes

        return terminal_json(final_json_bytes(result).decode("utf-8"))

    def schema(self) -> dict:
        return FinalAccounts.model_json_schema(by_alias=True, mode="validation")


FINAL_ACCOUNTS = FinalAccountsKind()
