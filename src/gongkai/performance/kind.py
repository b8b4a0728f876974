"""The scored report kinds (项目支出绩效自评表, 项目支出绩效评价报告, 部门整体支出绩效评价): one
record model, scored by the ruleset the report names, then checked."""

from __future__ import annotations

import time
from dataclasses import replace
from decimal import Decimal

from gongkai.engine.basis import basis_of, is_transcription
from gongkai.engine.kinds import Evaluation, Source, Standing
from gongkai.engine.output import json_text, problems_json, score_json, score_text
from gongkai.engine.problems import problem
from gongkai.engine.reading import validate
from gongkai.engine.yamlload import Loaded
from gongkai.performance.checks import run_checks
from gongkai.performance.claimed import claimed_figures
from gongkai.performance.records import KINDS, Report
from gongkai.performance.scoring import ScoredReport, score_report
from gongkai.performance.texts import text_claims

ALL_DOWNLOADS = ("json", "csv")


class PerformanceKind:
    names = KINDS
    model = Report
    tag = "performance"
    page_template = "pages/report.md"

    def __repr__(self) -> str:
        return "PerformanceKind()"

    def __eq__(self, other) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def validate(self, loaded: Loaded, project) -> tuple:
        """Validate as a performance report, the kind any unknown 类型 falls to: its message about
        类型 lists every kind the project knows, 部门决算 included."""
        record, problems = validate(Report, loaded, project.vocabulary)
        names = "、".join(name for kind in project.kinds.kinds for name in kind.names)
        value = loaded.value.get("类型") if isinstance(loaded.value, dict) else None
        return record, [
            replace(p, message=f"“类型”的取值“{value}”无效，可选：{names}")
            if p.code == "FIELD_INVALID" and p.path == ("类型",)
            else p
            for p in problems
        ]

    def evaluate(self, report: Report, project, source: Source) -> Evaluation:
        """Score with the ruleset the report names (the project's own first), then check."""
        display = source.display
        rules, found = project.rulesets.find(report.ruleset, source.location)
        problems = list(found)
        if rules is None:
            names = "、".join(project.rulesets.builtin_names())
            problems.append(
                problem(
                    "RULESET_UNKNOWN",
                    display,
                    report.line,
                    f"找不到评分规则集“{report.ruleset}”；内置的有：{names}，也可放在 data/rulesets/ 下",
                )
            )
            return Evaluation(None, problems)
        if report.kind not in rules.kinds:
            problems.append(
                problem(
                    "RULESET_UNKNOWN",
                    display,
                    report.line,
                    f"规则集“{rules.name}”不适用于“{report.kind}”（适用于：{'、'.join(rules.kinds)}）",
                )
            )
            return Evaluation(None, problems)
        timings = {}
        started = time.perf_counter()
        scored = score_report(report, rules, display, basis_of(report, project.settings.basis))
        timings["score"] = time.perf_counter() - started
        started = time.perf_counter()
        problems.extend(scored.problems)
        problems.extend(run_checks(scored, timings=timings))
        problems.extend(text_claims(report, display, claimed_figures(scored)))
        timings["check"] = time.perf_counter() - started
        return Evaluation(scored, problems, timings)

    # The page, the charts and the open data are imported when asked for: checking a report
    # (``gongkai check``) needs neither Jinja2 nor the charts.
    def view(self, result: ScoredReport, env, stash, links, charts: dict):
        from gongkai.render.report_view import ReportView

        return ReportView(result, env, stash, links, charts)

    def charts(self, result: ScoredReport) -> dict:
        from gongkai.render.report_view import chart_specs

        return chart_specs(result)

    def downloads(self, result: ScoredReport, wanted: tuple = ALL_DOWNLOADS) -> dict:
        from gongkai.render.opendata import csv_bytes, json_bytes

        makers = {"json": lambda: json_bytes(result), "csv": lambda: csv_bytes(result)}
        return {kind: makers[kind]() for kind in wanted if kind in makers}

    def diff_figures(self, result: ScoredReport) -> dict[str, Decimal | str | None]:
        """总分 and 等级, the funds' 执行率 and its score, the annual goals' average and each
        goal's score, then every indicator leaf's score (by its path), in the report's order."""
        figures: dict[str, Decimal | str | None] = {"总分": result.total}
        if result.grade is not None:
            figures["等级"] = result.grade
        funds = result.funds
        if funds is not None:
            if funds.rate is not None:
                figures["资金执行率"] = funds.rate
            if funds.score is not None:
                figures["资金执行率得分"] = funds.score
        if result.goals_score is not None:
            figures["年度目标平均得分"] = result.goals_score
        for goal in result.goals:
            figures[f"年度目标/{goal.name}"] = goal.score
        trees = [("", top) for top in result.tree] + [
            (f"年度目标/{g.name}/", top) for g in result.goals for top in g.tree
        ]
        seen: dict = {}
        for prefix, top in trees:
            for leaf in top.leaves():
                name = prefix + "/".join(leaf.path[1:] if prefix else leaf.path)
                seen[name] = seen.get(name, 0) + 1
                key = name if seen[name] == 1 else f"{name}#{seen[name]}"
                figures[f"指标/{key}"] = leaf.score
        return figures

    def claim_figures(self, result: ScoredReport) -> dict[str, Decimal | None]:
        return claimed_figures(result)

    def standing(self, result: ScoredReport) -> Standing:
        """What index pages list and average: for a transcription the total and grade the
        document printed (a total gongkai computes is on the report page, marked, never listed
        as the unit's); for an authored report the computed ones. None: 未评分, or 未印总分."""
        transcribed = is_transcription(result.basis)
        total, grade = (result.filed_total, result.filed_grade) if transcribed else (result.total, result.grade)
        missing = "未评分" if result.scoring == "未评分" else "未印总分" if transcribed else "无总分"
        differs = result.total_figure.differs if transcribed else False
        return Standing(total, grade, result.rules.places, result.rules.name, True, missing, transcribed,
                        result.total if differs else None)

    def score_text(self, result: ScoredReport) -> str:
        return score_text(result)

    def score_json(self, result: ScoredReport) -> str:
        data = score_json(result)
        data["problems"] = problems_json(result.problems)["problems"]
        return json_text(data)

    def schema(self) -> dict:
        return Report.model_json_schema(by_alias=True, mode="validation")


PERFORMANCE = PerformanceKind()
