"""What a report page can use: its figures as Chinese-named values, and table and chart
calls (``{{ 指标表() }}``) that render the built-in templates into a stash."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import jinja2
from markupsafe import Markup

from gongkai.engine.basis import Figure, is_transcription
from gongkai.performance.scoring import Scored, ScoredReport, arrival_rate, fraction_of
from gongkai.render import charts, formatting
from gongkai.render.funds_view import FundsTable, funds_table
from gongkai.render.notes import CheckNotes
from gongkai.render.page import Stash
from gongkai.render.tables import indicator_table

# Report fields a page may quote, by their Chinese names in the data format.
META_FIELDS = {
    "类型": "kind",
    "规则": "ruleset",
    "年度": "year",
    "部门": "department",
    "名称": "name",
    "标题": "title",
    "口径": "basis",
    "项目属性": "attribute",
    "长期目标": "long_term_goal",
    "单位": "unit",
    "主管部门": "supervisor",
    "实施单位": "implementer",
    "项目负责人": "leader",
    "填报人": "filled_by",
    "单位领导审签": "approver",
    "联系电话": "phone",
    "评价机构": "evaluator",
    "填报日期": "date",
    "项目金额": "amount",
    "备注": "remark",
}


class ViewError(LookupError):
    """A page asked for something the report does not have."""


@dataclass
class Links:
    """Where a report's downloads live, relative to its page."""

    yaml: str | None = None
    json: str | None = None
    csv: str | None = None
    xlsx: str | None = None
    pdf: str | None = None


def node_values(node: Scored, basis: str = "原文") -> dict:
    """One indicator's figures by their Chinese names (得分 in the page's 口径: as filed on a
    transcription; 计算得分 and 印发得分 for each role)."""
    record = node.node
    return {
        "名称": node.name,
        "路径": "/".join(node.path),
        "分值": node.weight,
        "得分": node.score_figure.shown(basis)[0],
        "计算得分": node.score,
        "印发得分": node.filed_score,
        "完成状态": node.status,
        "得分率": node.rate,
        "指标值": getattr(record, "target", None),
        "完成值": getattr(record, "actual", None),
        "完成率": node.completion,
        "方法": node.method,
        "计分说明": node.explanation,
        "偏差原因": getattr(record, "deviation", None),
        "理由": getattr(record, "reason", None),
        "适用": node.applicable,
        "季度进度": list(getattr(record, "quarters", None) or []),
        "指标解释": getattr(record, "explanation", None),
        "评价要点": getattr(record, "criteria", None),
        "评分标准": getattr(record, "standard", None),
        "说明": getattr(record, "note", None),
        "下级": [node_values(c, basis) for c in node.children],
    }


# Header fields a 项目支出绩效自评表's own head block shows; other kinds show them in 基本信息.
_HEAD_FIELDS = (("主管部门", "supervisor"), ("实施单位", "implementer"), ("项目负责人", "leader"),
                ("项目属性", "attribute"), ("长期目标", "long_term_goal"))
_INFO_FIELDS = (("填报人", "filled_by"), ("单位领导审签", "approver"), ("联系电话", "phone"),
                ("评价机构", "evaluator"), ("填报日期", "date"), ("备注", "remark"))
# An indicator's own texts, shown as entered in 指标说明.
NODE_TEXTS = (("指标解释", "explanation"), ("评价要点", "criteria"), ("评分标准", "standard"), ("说明", "note"),
              ("指标性质", "nature"), ("指标方向", "direction"), ("计量单位", "measure"), ("部分录入", "partial"))


def info_items(sr: ScoredReport) -> list:
    """(label, text) of the header fields the report's tables do not already show."""
    report = sr.report
    items = []
    if report.kind != "项目支出绩效自评表":
        items += [(label, getattr(report, attr)) for label, attr in _HEAD_FIELDS]
        goal = report.overall_goal
        if goal is not None:
            items += [("年度总体目标：预期目标", goal.expected), ("年度总体目标：实际完成情况", goal.achieved)]
    if report.amount is not None:
        items.append((f"项目金额（{report.unit}）", formatting.as_printed(report.amount, "money")))
    items += [(label, getattr(report, attr)) for label, attr in _INFO_FIELDS]
    items.append(("部分录入", report.partial))
    return [(label, value) for label, value in items if value not in (None, "")]


def described_nodes(sr: ScoredReport) -> list:
    """(node, [(label, text)]) of every indicator with texts of its own, in the report's order."""
    out = []
    for node in sr.nodes():
        record = node.node
        if record is None:
            continue
        texts = [(label, getattr(record, attr)) for label, attr in NODE_TEXTS if getattr(record, attr, None)]
        if isinstance(record.not_applicable, str) and record.not_applicable:
            texts.append(("不适用", record.not_applicable))
        if texts:
            out.append((node, texts))
    return out


def _parts_values(row) -> dict:
    return {
        name: {"年初预算数": part.initial, "全年预算数": part.budget, "到位数": part.arrived,
               "全年执行数": part.spent, "节余": part.balance, "执行率": part.rate, "其中": _parts_values(part)}
        for name, part in (row.parts or {}).items()
    }


@dataclass
class ReportView:
    scored: ScoredReport
    env: jinja2.Environment  # the HTML environment
    stash: Stash = field(default_factory=Stash)
    links: Links = field(default_factory=Links)
    chart_cache: dict = field(default_factory=dict)  # chart SVG by its inputs, shared by a build
    _notes: CheckNotes | None = field(default=None, init=False, repr=False)

    # ---- values -------------------------------------------------------------------
    @property
    def places(self) -> int:
        return self.scored.rules.places

    @property
    def notes(self) -> CheckNotes:
        if self._notes is None:
            report = self.scored.report
            acknowledged = [f"已确认 {ack.code}：{ack.reason}" for ack in report.acknowledged]
            self._notes = CheckNotes.of(self.scored.problems, self.scored.basis,
                                        [*report.review_notes, *report.corrections, *acknowledged])
        return self._notes

    def _funds_figures(self) -> dict:
        funds, result = self.scored.report.funds, self.scored.funds
        if funds is None or result is None:
            return {"funds_rate_figure": Figure(None, None), "funds_score_figure": Figure(None, None)}
        return {"funds_rate_figure": result.rate_figure(funds), "funds_score_figure": result.score_figure(funds)}

    def funds_values(self) -> dict | None:
        funds, result = self.scored.report.funds, self.scored.funds
        if funds is None:
            return None
        return {
            "项目总预算": funds.total_budget,
            "年初预算数": funds.initial,
            "全年预算数": funds.budget,
            "到位数": funds.arrived,
            "全年执行数": funds.spent,
            "节余": funds.balance,
            "印发执行率": result.filed_rate(funds) if result else funds.rate,
            "印发得分": result.filed_score(funds) if result else funds.score,
            "明细预算": [{"名称": d.name, "金额": d.amount, "测算依据": d.basis} for d in funds.details],
            "执行率": result.rate if result else None,
            "到位率": result.arrival_rate if result else arrival_rate(funds),
            "分值": result.weight if result else funds.weight,
            "得分": result.score if result else None,
            "计分说明": result.explanation if result else "",
            "其中": _parts_values(funds),
        }

    def context(self) -> dict:
        sr, report = self.scored, self.scored.report
        meta = {zh: getattr(report, attr) for zh, attr in META_FIELDS.items()}
        basis = sr.basis
        lost = [node_values(leaf, basis) for leaf in sr.leaves()
                if leaf.applicable and leaf.score is not None and leaf.weight is not None and leaf.score < leaf.weight]
        values = {
            **meta,
            "报告": meta,
            "总分": sr.total_figure.shown(basis)[0],
            "计算总分": sr.total,
            "印发总分": sr.filed_total,
            "满分": sr.weight_total,
            "等级": sr.grade_figure.shown(basis)[0],
            "评分状态": sr.scoring,
            "规则集": sr.rules.name,
            "小数位": self.places,
            "指标总体完成率": sr.completion,
            "共性指标得分": sr.common_score if sr.goals else None,
            "年度目标得分": sr.goals_score,
            "资金": self.funds_values(),
            "年度总体目标": {
                "预期目标": report.overall_goal.expected if report.overall_goal else None,
                "实际完成情况": report.overall_goal.achieved if report.overall_goal else None,
            },
            "一级指标": [node_values(top, basis) for top in sr.tree],
            "年度目标": [
                {
                    "名称": g.name,
                    "分值": g.weight,
                    "得分": g.score_figure.shown(basis)[0],
                    "计入": g.counted,
                    "未开展": g.goal.not_done,
                    "指标": [node_values(t, basis) for t in g.tree],
                }
                for g in sr.goals
            ],
            "扣分指标": lost,
            "更正": list(report.corrections),
            "核对意见": list(report.review_notes),
            "下载": self.links,
        }
        functions = {
            "指标": self.indicator,
            "概要": self.summary_box,
            "指标表": self.indicator_table,
            "自评表": self.self_evaluation_table,
            "资金表": self.funds_table,
            "得分汇总表": self.summary_table,
            "年度目标表": self.goals_tables,
            "计分说明": self.explanations,
            "得分图": self.score_chart,
            "资金图": self.funds_chart,
            "进度图": self.quarterly_chart,
            "更正说明": self.corrections,
            "核对说明": self.check_notes,
            "基本信息": self.report_info,
            "报告表格": self.all_tables,
            "下载链接": self.downloads,
        }
        return {**values, **functions}

    def indicator(self, name: str) -> dict:
        """``指标("非公党员培训率")`` or ``指标("产出/产出质量/非公党员培训率")``."""
        matches = [
            n
            for n in self.scored.nodes()
            if n.name == name or "/".join(n.path) == name or "/".join(n.path).endswith("/" + name)
        ]
        exact = [n for n in matches if "/".join(n.path) == name]
        if exact:
            matches = exact
        if not matches:
            raise ViewError(f"没有名为“{name}”的指标")
        if len(matches) > 1:
            paths = "、".join("/".join(n.path) for n in matches)
            raise ViewError(f"名为“{name}”的指标不止一个（{paths}），请写出路径")
        return node_values(matches[0], self.scored.basis)

    # ---- blocks -------------------------------------------------------------------
    def _block(self, template: str, search_text: str = "", **values) -> Markup:
        html = self.env.get_template(template).render(sr=self.scored, places=self.places, links=self.links,
                                                      notes=self.notes, **self._funds_figures(), **values)
        return self.stash.put(html, search_text)

    def _names(self, tree: list) -> str:
        """The words of an indicator table, for the search index (not its numbers)."""
        return " ".join(n.name for top in tree for n in top.walk())

    def indicator_table(self, 目标: str | None = None, 总分: bool = True) -> Markup:
        """The indicator table; with ``目标`` one 年度目标's table; ``总分`` closes with the total."""
        if 目标 is not None:
            goal = self._goal(目标)
            return self._block(
                "indicator_table.html",
                self._names(goal.tree),
                table=indicator_table(goal.tree, "年度目标", self._headings()),
                caption=f"年度目标：{goal.name}",
                total=False,
            )
        return self._block(
            "indicator_table.html",
            self._names(self.scored.tree),
            table=indicator_table(self.scored.tree, "指标", self._headings()),
            caption=self._caption(),
            total=总分 and not self.scored.goals,
        )

    def _headings(self) -> dict:
        return dict(self.scored.report.columns or {})

    def _caption(self) -> str:
        own = self.scored.report.table_name
        if own:
            return own
        return "共性指标" if self.scored.goals else "绩效指标"

    def _goal(self, name: str):
        for goal in self.scored.goals:
            if goal.name == name:
                return goal
        raise ViewError(f"没有名为“{name}”的年度目标")

    def self_evaluation_table(self) -> Markup:
        r = self.scored.report
        goal = r.overall_goal
        words = " ".join(
            filter(
                None,
                [
                    "项目支出绩效自评表",
                    r.name,
                    goal.expected if goal else None,
                    goal.achieved if goal else None,
                    self._names(self.scored.tree),
                ],
            )
        )
        return self._block(
            "self_evaluation_table.html",
            words,
            table=indicator_table(self.scored.tree, "指标", self._headings()),
            ft=self._funds_table(),
            caption=self._caption(),
            total=not self.scored.goals,
        )

    def _funds_table(self) -> FundsTable | None:
        funds = self.scored.report.funds
        return None if funds is None else funds_table(funds, self.scored.funds, self.scored.report.unit)

    def funds_table(self) -> Markup:
        return self._block(
            "funds_table.html", "项目资金 年初预算数 全年预算数 全年执行数 执行率", ft=self._funds_table()
        )

    def report_info(self) -> Markup:
        """基本信息 and 指标说明: every field entered that the tables do not show, as entered."""
        items, described = info_items(self.scored), described_nodes(self.scored)
        words = " ".join([str(v) for _, v in items] + [t for _, texts in described for _, t in texts])
        return self._block("report_info.html", words, items=items, described=described)

    def check_notes(self) -> Markup:
        """核对说明: the document's findings and the transcriber's remarks, numbered as the tables cite them."""
        notes = self.notes
        words = " ".join([note.problem.message for note in notes.notes] + list(notes.remarks))
        return self._block("check_notes.html", words)

    def summary_table(self) -> Markup:
        return self._block("summary_table.html", "得分汇总 " + " ".join(t.name for t in self.scored.tree))

    def goals_tables(self) -> Markup:
        tables = [(g, indicator_table(g.tree, "年度目标", self._headings())) for g in self.scored.goals]
        words = " ".join(f"{g.name} {self._names(g.tree)}" for g in self.scored.goals)
        return self._block("goals_tables.html", words, goals=tables)

    def explanations(self) -> Markup:
        return self._block("explanations.html", "", nodes=[n for n in self.scored.leaves()])

    def corrections(self) -> Markup:
        """更正说明 is part of the 核对说明 now (the transcriber's remarks never stand in the
        unit's own text); kept so that pages written for earlier versions still build."""
        return Markup("")

    def summary_box(self) -> Markup:
        r = self.scored.report
        return self._block(
            "summary_box.html", f"{r.department} {r.year} {r.kind} 总分 等级 {self.scored.grade or ''} 预算执行率"
        )

    def downloads(self) -> Markup:
        return self._block("downloads.html", "")

    def all_tables(self) -> Markup:
        """The tables a report of this kind prints, in the official order."""
        return self._block("report_tables.html", "", view=self)

    def _chart(self, spec) -> Markup:
        return chart_block(self.env, self.stash, spec, self.chart_cache)

    def score_chart(self) -> Markup:
        return self._chart(chart_specs(self.scored).get("score"))

    def funds_chart(self) -> Markup:
        return self._chart(chart_specs(self.scored).get("funds"))

    def quarterly_chart(self) -> Markup:
        return self._chart(chart_specs(self.scored).get("quarterly"))


def chart_block(env: jinja2.Environment, stash: Stash, spec: charts.Spec | None, cache: dict) -> Markup:
    """A chart in its figure (``chart.html``), stashed for the page; nothing when there is no chart."""
    svg = charts.draw(spec, cache) if spec is not None else None
    if spec is None or svg is None:
        return Markup("")
    html = env.get_template("chart.html").render(svg=Markup(svg), caption=spec.caption)
    return stash.put(html, spec.caption)


def chart_specs(sr: ScoredReport) -> dict:
    """The charts a report has data for, as inputs (drawn later, possibly in a worker). Each
    shows what its tables do not: the 得分图 where the points were lost against each part's
    分值 (with the figures the 得分汇总 shows, filed ones as filed); the 进度图 the quarterly
    progress against the 序时进度. ``资金图()`` is the 进度图 (a chart of the funds table's own
    figures said nothing the table does not)."""
    specs = {}
    items, computed = [], False
    parts = [(top.name, top.weight_figure, top.score_figure) for top in sr.tree]
    parts += [
        (f"年度目标{i}", Figure(g.weight, g.weight), g.score_figure) for i, g in enumerate(sr.goals, 1) if g.counted
    ]
    for name, weight_figure, score_figure in parts:
        weight, _ = weight_figure.shown(sr.basis)
        score, role = score_figure.shown(sr.basis)
        if not isinstance(weight, Decimal) or not isinstance(score, Decimal) or not weight:
            continue
        computed = computed or role == "computed"
        shown = formatting.as_printed(score) if role == "filed" else formatting.fixed_score(score, sr.rules.places)
        items.append((name, weight, score, shown, formatting.score(weight, sr.rules.places)))
    if items:
        caption = "各一级指标得分与分值" + ("（得分按数据计算）" if computed and is_transcription(sr.basis) else "")
        specs["score"] = charts.Spec("score_weights", (tuple(items),), caption)
    for leaf in sr.leaves():
        quarters = leaf.node.quarters if leaf.node is not None else None
        if quarters:
            progress = tuple(fraction_of(q) for q in quarters)
            schedule = tuple(fraction_of(s) for s in sr.rules.schedule.schedule)
            caption = f"{leaf.name}：分季度执行进度与序时进度"
            specs["quarterly"] = charts.Spec("quarterly", (progress, schedule), caption)
            specs["funds"] = specs["quarterly"]
            break
    return specs
