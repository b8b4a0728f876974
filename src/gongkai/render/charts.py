"""Charts as inline SVG, drawn by pygal at build time (the same SVG goes into the PDF).

pygal lays out axes, bars and labels; this module only chooses the data, the style and
makes the output deterministic and self-contained: no scripts, no external references,
no generation date, and an id derived from the content instead of a random UUID."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

import pygal
from pygal.style import Style

from gongkai.engine.decimals import HUNDRED, round_half_up

FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
PALETTE = ("#1f5f8b", "#c0392b", "#7f8c8d", "#27ae60", "#8e44ad")

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#333333",
    foreground_strong="#111111",
    foreground_subtle="#888888",
    opacity="0.9",
    opacity_hover="1",
    colors=PALETTE,
    font_family=FONT,
    label_font_family=FONT,
    major_label_font_family=FONT,
    value_font_family=FONT,
    value_label_font_family=FONT,
    title_font_family=FONT,
    legend_font_family=FONT,
    tooltip_font_family=FONT,
    no_data_font_family=FONT,
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=13,
    title_font_size=15,
    legend_font_size=13,
)

_COMMON = dict(
    style=STYLE,
    js=[],
    disable_xml_declaration=True,
    explicit_size=False,
    print_values=True,
    show_legend=False,
    margin=12,
    no_data_text="无数据",
)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _finish(svg: str, title: str) -> str:
    """Deterministic, script-free SVG with an accessible title."""
    svg = _SCRIPT.sub("", svg)
    svg = _COMMENT.sub("", svg)
    found = _UUID.search(svg)
    digest = hashlib.sha1(_UUID.sub("", svg).encode("utf-8")).hexdigest()[:12]
    if found:
        svg = svg.replace(found.group(0), f"gk{digest}")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(title)}" ', 1)
    return svg


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


LABEL_CHARS = 12  # longer names are shortened with "…" (the table below the chart has them whole)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _label_width(labels) -> int:
    """Room for CJK axis labels (pygal estimates Latin widths)."""
    widest = max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in label) for label in labels), default=4)
    return 16 + widest * 7


def _pct(value: Decimal) -> float:
    return float(round_half_up(value * HUNDRED, 2))


def score_rates(items: list, title: str = "各一级指标得分率") -> str | None:
    """Horizontal bars: 得分率 (%) of each 一级指标; ``items`` are (name, weight, score)."""
    rows = [(name, score / weight) for name, weight, score in items if weight]
    if not rows:
        return None
    rows.reverse()  # pygal draws the first bar at the bottom; the table order reads top down
    labels = [_short(name) for name, _ in rows]
    chart = pygal.HorizontalBar(
        **_COMMON,
        width=640,
        height=50 + 38 * len(rows),
        range=(0, 100),
        margin_left=_label_width(labels),
        margin_right=28,
        truncate_label=-1,
        value_formatter=lambda v: f"{v:g}%",
        y_labels=[0, 20, 40, 60, 80, 100],
        show_y_guides=False,
    )
    chart.x_labels = labels
    chart.add("得分率", [_pct(rate) for _, rate in rows])
    return _finish(chart.render(is_unicode=True), title)


def funds(items: list, unit: str, title: str = "预算与执行") -> str | None:
    """Bars of budget figures: ``items`` are (label, amount) in the report's unit."""
    rows = [(label, value) for label, value in items if value is not None]
    if not rows:
        return None
    chart = pygal.Bar(
        **_COMMON,
        width=640,
        height=300,
        value_formatter=lambda v: f"{v:,.2f}",
        margin_right=24,
        show_x_guides=False,
    )
    chart.x_labels = [label for label, _ in rows]
    chart.add(unit, [float(value) for _, value in rows])
    return _finish(chart.render(is_unicode=True), f"{title}（{unit}）")


def quarterly(progress: list, schedule: list, title: str = "分季度执行进度") -> str | None:
    """Lines: actual progress per quarter against the schedule (序时进度), in percent."""
    if not progress:
        return None
    chart = pygal.Line(
        **{**_COMMON, "show_legend": True},
        width=640,
        height=300,
        range=(0, 100),
        legend_at_bottom=True,
        margin_right=48,
        value_formatter=lambda v: f"{v:g}%",
    )
    chart.x_labels = ["第一季度", "第二季度", "第三季度", "第四季度"][: len(progress)]
    chart.add("实际进度", [_pct(p) for p in progress])
    chart.add("序时进度", [_pct(s) for s in schedule[: len(progress)]])
    return _finish(chart.render(is_unicode=True), title)


class Spec(NamedTuple):
    """A chart to draw: the drawing function's name, its inputs and the caption."""

    kind: str
    args: tuple
    caption: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.args!r}"


DRAWERS: dict[str, Callable[..., str | None]] = {"score_rates": score_rates, "funds": funds, "quarterly": quarterly}


def draw(spec: Spec, cache: dict | None = None) -> str | None:
    """The SVG of a chart; a cache (filled by worker processes or earlier pages) is used first."""
    if cache is not None and spec.key in cache:
        return cache[spec.key]
    svg = DRAWERS[spec.kind](*spec.args)
    if cache is not None:
        cache[spec.key] = svg
    return svg
