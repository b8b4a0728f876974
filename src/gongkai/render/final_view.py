"""What a 部门决算 page can use: the nine tables (``{{ 决算表(2) }}``), the 情况说明 figures
(``{{ 说明.一般公共预算财政拨款收入 }}``), the 概况, the 名词解释 and the 核对说明.

The tables show each figure by the report's 口径 (:mod:`gongkai.final_accounts.shown`): under
原文 as printed, with the numbers of the 核对说明 notes about it beside it; the reviewer's own
remarks (``更正``) appear only in the 核对说明, as 录入说明."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import jinja2
from markupsafe import Markup

from gongkai.engine.basis import is_transcription
from gongkai.engine.checking import TAIL_CODE
from gongkai.engine.problems import FINDING
from gongkai.final_accounts.evaluate import FinalResult
from gongkai.final_accounts.identities import path_of
from gongkai.final_accounts.layout import LAYOUTS, ORDERS
from gongkai.render import charts
from gongkai.render.notes import CheckNotes
from gongkai.render.page import Stash
from gongkai.render.report_view import Links, ViewError, chart_block


@dataclass
class FinalAccountsView:
    result: FinalResult
    env: jinja2.Environment
    stash: Stash = field(default_factory=Stash)
    links: Links = field(default_factory=Links)
    chart_cache: dict = field(default_factory=dict)

    @cached_property
    def notes(self) -> CheckNotes:
        """The page's numbered 核对说明: its findings and open problems, and the reviewer's remarks."""
        fa = self.result.report
        problems = self.result.problems
        if is_transcription(self.result.basis):
            # on a transcription a tail difference is a difference of the filed document too: noted
            problems = [replace(p, severity=FINDING) if p.code == TAIL_CODE else p for p in problems]
        return CheckNotes.of(problems, self.result.basis, list(fa.corrections))

    def _block(self, template: str, search_text: str = "", **values) -> Markup:
        html = self.env.get_template(template).render(
            fr=self.result, unit=self.result.report.unit, links=self.links, notes=self.notes, path=path_of, **values
        )
        return self.stash.put(html, search_text)

    def context(self) -> dict:
        fa = self.result.report
        overview = fa.overview
        return {
            "名称": fa.title,
            "部门": fa.department,
            "年度": fa.year,
            "类型": fa.kind,
            "单位": fa.unit,
            "概况": {
                "主要职责": overview.duties if overview else None,
                "机构设置": overview.structure if overview else None,
                "单位构成": overview.units if overview else None,
            },
            "说明": self.result.explanation or {},
            "情况说明": fa.statement,
            "备注": fa.remark,
            "决算数": dict(self.result.totals),
            "上年决算": dict(fa.previous),
            "年初预算": dict(fa.initial_budget),
            "政府采购": dict(fa.procurement),
            "国有资产": dict(fa.assets),
            "名词解释": [{"词": w, "解释": m} for w, m in self.result.glossary()],
            "更正": list(fa.corrections),
            "下载": self.links,
            "决算表": self.table,
            "全部决算表": self.all_tables,
            "决算表目录": self.table_list,
            "名词解释表": self.glossary,
            "概要": self.summary_box,
            "更正说明": self.check_notes,
            "核对说明": self.check_notes,
            "下载链接": self.downloads,
            "变动图": self.change_chart,
        }

    def table(self, 表号: int) -> Markup:
        """``决算表(2)``: the table in that position of the record's 表序; a table neither
        transcribed nor derived from data says so (it is absent, not a table of zeros)."""
        order = ORDERS[self.result.report.order]
        if not isinstance(表号, int) or isinstance(表号, bool) or not 1 <= 表号 <= len(order):
            raise ViewError(f"没有第 {表号} 张决算表（共 {len(order)} 张）")
        table = next((t for t in self.result.tables if t.position == 表号), None)
        if table is None:
            title = LAYOUTS[order[表号 - 1]].title
            html = Markup(
                '<div class="gk-table-wrap gk-final gk-fa-missing" id="表{}">'
                '<p class="gk-fa-note"><strong>表{}　{}</strong>：'
                "本表未录入（照印发文件录入时只录入文件印出的表格和数字；未录入的不视为 0）。</p></div>"
            ).format(表号, 表号, title)
            return self.stash.put(html, title)
        names = " ".join(line.name for side in table.sides for line in side.lines if line.name)
        return self._block("final_table.html", f"{table.title} {names}", table=table, layout=table.layout)

    def all_tables(self) -> Markup:
        return Markup("").join(self.table(t.position) for t in self.result.tables)

    def table_list(self) -> Markup:
        return self._block("final_table_list.html", "", tables=self.result.tables)

    def glossary(self) -> Markup:
        terms = self.result.glossary()
        return self._block("glossary.html", " ".join(f"{w} {m}" for w, m in terms), terms=terms)

    def summary_box(self) -> Markup:
        fa = self.result.report
        return self._block("final_summary_box.html", f"{fa.department} {fa.year} 部门决算", figures=self.result.figures)

    def check_notes(self) -> Markup:
        """``核对说明()``: the numbered notes the tables refer to, and the 录入说明 (``更正``).
        ``更正说明()`` is the same block (the reviewer's remarks are never put in the unit's text)."""
        notes = self.notes
        text = " ".join([n.problem.message for n in notes.notes] + list(notes.remarks))
        return self._block("check_notes.html", text)

    def downloads(self) -> Markup:
        return self._block("downloads.html", "")

    def change_chart(self) -> Markup:
        """``变动图()``: this year's figures against last year's (上年决算), where the data has both."""
        return chart_block(self.env, self.stash, chart_specs(self.result).get("yoy"), self.chart_cache)


def chart_specs(result: FinalResult) -> dict:
    """The 变动图 of a 部门决算: each figure the data gives for last year (上年决算) beside this
    year's as the page shows it, with the change (the nine tables hold this year only)."""
    shown = result.totals
    rows = tuple(
        (name, last, shown[name]) for name, last in result.report.previous.items() if shown.get(name) is not None
    )
    if not rows:
        return {}
    caption = "本年决算与上年决算（变动按两年决算数计算）"
    return {"yoy": charts.Spec("year_on_year", (rows, result.report.unit), caption)}
