"""What a 部门决算 page can use: the nine tables (``{{ 决算表(2) }}``), the 情况说明 figures
(``{{ 说明.一般公共预算财政拨款收入 }}``), the 概况 and the 名词解释."""

from __future__ import annotations

from dataclasses import dataclass, field

import jinja2
from markupsafe import Markup

from gongkai.final_accounts.evaluate import FinalResult
from gongkai.render.page import Stash
from gongkai.render.report_view import Links, ViewError


@dataclass
class FinalAccountsView:
    result: FinalResult
    env: jinja2.Environment
    stash: Stash = field(default_factory=Stash)
    links: Links = field(default_factory=Links)
    chart_cache: dict = field(default_factory=dict)

    def _block(self, template: str, search_text: str = "", **values) -> Markup:
        html = self.env.get_template(template).render(
            fr=self.result, unit=self.result.report.unit, links=self.links, **values
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
            "决算数": dict(self.result.derived.totals) if self.result.derived else {},
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
            "更正说明": self.corrections,
            "下载链接": self.downloads,
        }

    def table(self, 表号: int) -> Markup:
        """``决算表(2)``: the table in that position of the record's 表序."""
        tables = self.result.tables
        if not isinstance(表号, int) or not 1 <= 表号 <= len(tables):
            raise ViewError(f"没有第 {表号} 张决算表（共 {len(tables)} 张）")
        table = tables[表号 - 1]
        names = " ".join(line.name for side in table.sides for line in side.lines if line.name)
        return self._block("final_table.html", f"{table.title} {names}", table=table, layout=table.layout)

    def all_tables(self) -> Markup:
        return Markup("").join(self.table(i) for i in range(1, len(self.result.tables) + 1))

    def table_list(self) -> Markup:
        return self._block("final_table_list.html", "", tables=self.result.tables)

    def glossary(self) -> Markup:
        terms = self.result.glossary()
        return self._block("glossary.html", " ".join(f"{w} {m}" for w, m in terms), terms=terms)

    def summary_box(self) -> Markup:
        fa = self.result.report
        return self._block(
            "final_summary_box.html",
            f"{fa.department} {fa.year} 部门决算",
            totals=self.result.derived.totals if self.result.derived else {},
        )

    def corrections(self) -> Markup:
        corrections = self.result.report.corrections
        return self._block("corrections.html", " ".join(corrections), corrections=corrections)

    def downloads(self) -> Markup:
        return self._block("downloads.html", "")
