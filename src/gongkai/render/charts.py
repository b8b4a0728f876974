"""Charts as inline SVG, drawn at build time (the same SVG goes into the PDF).

A chart is drawn only where it says something its report's tables do not:

- 得分图: each 一级指标 (and 年度目标) as a bar as long as its 分值, filled to its 得分: where the
  points were lost, and how much each part weighs, at one glance;
- 进度图: the quarterly 执行进度 against the 序时进度 (25/50/75/100%), from the data's 季度进度;
- 变动图 (部门决算): this year's figures against last year's (上年决算), with the change.

Every label is dark text on white (contrast above 13:1, where WCAG asks 4.5:1), at least 15 units
high in a drawing 440 units wide: shown at a phone's 358 px that is still 12 px. Labels never sit
on an axis or a bar. Tooltips (``<title>``) say what a bar is, in words. The SVG is deterministic and
self-contained: no script, no external reference, no random id."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from gongkai.engine.decimals import HUNDRED, money, percent, plain, round_half_up

FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'


def svg_font(families: str) -> str:
    """A font-family list as a chart's SVG carries it (an XML attribute: single quotes, no spaces)."""
    return families.replace('"', "'").replace(", ", ",")


SVG_FONT = svg_font(FONT)  # what a print theme replaces with its own chart font

WIDTH = 440
PAD = 4  # nothing is drawn nearer the edge than this
FONT_SIZE = 16
SMALL = 15
TEXT = "#1a1a1a"  # on white: 17:1
MUTED = "#4a4a4a"  # on white: 8.9:1
SCORE = "#1f5f8b"
LOST = "#e9b8b3"
LAST_YEAR = "#9aa5b1"
SCHEDULE = "#6b6b6b"


def text_width(text: str, size: int = FONT_SIZE) -> float:
    """The width a label takes: a CJK character is a full em, other characters about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.56 for ch in text)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _short(label: str, room: float) -> str:
    """``label`` cut with "…" to fit ``room`` units (the whole name stays in the tooltip and the table)."""
    if text_width(label) <= room:
        return label
    while label and text_width(label + "…") > room:
        label = label[:-1]
    return label + "…"


def _svg(title: str, height: float, body: list[str]) -> str:
    digest = hashlib.sha1("".join(body).encode("utf-8")).hexdigest()[:8]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gk-chart-svg" viewBox="0 0 {WIDTH} {_num(height)}" '
        f'role="img" aria-labelledby="gk-chart-{digest}">'
        f'<title id="gk-chart-{digest}">{_esc(title)}</title>'
        f'<g font-family="{SVG_FONT}" font-size="{FONT_SIZE}" fill="{TEXT}">' + "".join(body) + "</g></svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = FONT_SIZE, fill: str = TEXT) -> str:
    size_attr = f' font-size="{size}"' if size != FONT_SIZE else ""
    fill_attr = f' fill="{fill}"' if fill != TEXT else ""
    return f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"{size_attr}{fill_attr}>{_esc(text)}</text>'


def _legend(y: float, items: list[tuple[str, str, str]]) -> list[str]:
    """A row of (swatch colour, dash pattern or "", label) keys, from the left."""
    parts, x = [], float(PAD)
    for colour, dash, label in items:
        if dash:
            parts.append(
                f'<line x1="{_num(x)}" y1="{_num(y - 5)}" x2="{_num(x + 22)}" y2="{_num(y - 5)}" '
                f'stroke="{colour}" stroke-width="3" stroke-dasharray="{dash}"/>'
            )
        else:
            parts.append(f'<rect x="{_num(x)}" y="{_num(y - 14)}" width="22" height="14" fill="{colour}"/>')
        parts.append(_text(x + 28, y, label, size=SMALL))
        x += 28 + text_width(label, SMALL) + 22
    return parts


def _pct(value: Decimal) -> float:
    return float(round_half_up(value * HUNDRED, 2))


# ---- 得分图 -------------------------------------------------------------------------------


def score_weights(items: tuple, title: str = "各一级指标得分与分值") -> str | None:
    """Bars as long as each part's 分值, filled to its 得分, the part's name above its bar;
    ``items`` are (name, weight, score, score as shown, weight as shown): the texts follow the
    tables' precision rule."""
    rows = [(name, Decimal(w), Decimal(sc), f"{shown} / {of}（{percent(Decimal(sc) / Decimal(w), 1)}）")
            for name, w, sc, shown, of in items if w]
    if not rows:
        return None
    longest = max(weight for _, weight, _, _ in rows)
    bar_room = WIDTH - PAD - max(text_width(label, SMALL) for *_, label in rows) - 8 - PAD
    top, pitch = 30, 52
    body = _legend(18, [(SCORE, "", "得分"), (LOST, "", "失分")])
    for i, (name, weight, score, label) in enumerate(rows):
        y = top + i * pitch
        full = bar_room * float(weight / longest)
        got = full * float(min(max(score, Decimal(0)), weight) / weight)
        body.append(f"<g><title>{_esc(f'{name}：得分 {label}，失分 {plain(weight - score)}')}</title>")
        body.append(_text(PAD, y + 16, _short(name, WIDTH - 2 * PAD)))
        body.append(f'<rect x="{PAD}" y="{y + 22}" width="{_num(full)}" height="22" fill="{LOST}"/>')
        body.append(f'<rect x="{PAD}" y="{y + 22}" width="{_num(got)}" height="22" fill="{SCORE}"/>')
        body.append(_text(PAD + full + 8, y + 38, label, size=SMALL) + "</g>")
    return _svg(title, top + len(rows) * pitch, body)


# ---- 进度图 -------------------------------------------------------------------------------

QUARTERS = ("一季度", "二季度", "三季度", "四季度")


def quarterly(progress: tuple, schedule: tuple, title: str = "分季度执行进度与序时进度") -> str | None:
    """Lines: actual progress per quarter against the schedule (序时进度), in percent."""
    if not progress:
        return None
    left, right, top, bottom = 52, 20, 34, 240
    plot_w, plot_h = WIDTH - left - right, bottom - top
    step = plot_w / 4

    def x(i: int) -> float:
        return left + step * (i + 0.5)

    def y(pct: float) -> float:
        return bottom - plot_h * min(max(pct, 0.0), 110.0) / 110.0

    body = _legend(18, [(SCORE, "", "实际进度"), (SCHEDULE, "6 4", "序时进度")])
    for tick in (0, 25, 50, 75, 100):
        level = _num(y(tick))
        body.append(f'<line x1="{left}" y1="{level}" x2="{WIDTH - right}" y2="{level}" stroke="#d9d9d9"/>')
        body.append(_text(left - 8, y(tick) + 5, f"{tick}%", "end", SMALL, MUTED))
    for i, name in enumerate(QUARTERS):
        body.append(_text(x(i), bottom + 24, name, "middle", SMALL))
    actual = [_pct(p) for p in progress][:4]
    planned = [_pct(s) for s in schedule][: len(actual)]
    if planned:
        points = " ".join(f"{_num(x(i))},{_num(y(v))}" for i, v in enumerate(planned))
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{SCHEDULE}" stroke-width="2.5" stroke-dasharray="6 4"/>'
        )
    points = " ".join(f"{_num(x(i))},{_num(y(v))}" for i, v in enumerate(actual))
    body.append(f'<polyline points="{points}" fill="none" stroke="{SCORE}" stroke-width="3"/>')
    for i, value in enumerate(actual):
        plan = planned[i] if i < len(planned) else None
        tip = f"{QUARTERS[i]}：实际进度 {_num(value)}%" + (f"，序时进度 {_num(plan)}%" if plan is not None else "")
        above = plan is None or value >= plan  # the label goes on the side away from the schedule line
        ty = y(value) - 10 if above else y(value) + 22
        body.append(
            f"<g><title>{_esc(tip)}</title>"
            f'<circle cx="{_num(x(i))}" cy="{_num(y(value))}" r="5" fill="{SCORE}"/>'
            + _text(x(i), ty, f"{_num(value)}%", "middle", SMALL)
            + "</g>"
        )
    return _svg(title, bottom + 34, body)


# ---- 变动图 (部门决算) ----------------------------------------------------------------------


def year_on_year(rows: tuple, unit: str, title: str = "本年决算与上年决算") -> str | None:
    """For each (name, last year, this year): its name, then two bars and the change; only rows
    where either year is not zero."""
    shown = [(n, Decimal(a), Decimal(b)) for n, a, b in rows if a is not None and b is not None and (a or b)]
    if not shown:
        return None
    largest = max(max(a, b) for _, a, b in shown) or Decimal(1)
    labels = []
    for _, last, this in shown:
        sign = "+" if this >= last else ""
        labels.append((money(last), money(this) + (f"（{sign}{percent((this - last) / last, 1)}）" if last else "")))
    bar_room = WIDTH - 2 * PAD - max(text_width(b, SMALL) for _, b in labels) - 8
    top, pitch = 34, 74
    body = _legend(18, [(LAST_YEAR, "", "上年决算"), (SCORE, "", f"本年决算（{unit}）")])
    for i, ((name, last, this), texts) in enumerate(zip(shown, labels, strict=True)):
        y = top + i * pitch
        tip = f"{name}：上年 {money(last)} {unit}，本年 {money(this)} {unit}"
        if last:
            tip += f"，变动 {'+' if this >= last else ''}{percent((this - last) / last, 2)}"
        body.append(f"<g><title>{_esc(tip)}</title>")
        body.append(_text(PAD, y + 16, _short(name, WIDTH - 2 * PAD)))
        for j, (value, colour, label) in enumerate(((last, LAST_YEAR, texts[0]), (this, SCORE, texts[1]))):
            width = bar_room * float(value / largest)
            by = y + 22 + j * 24
            body.append(f'<rect x="{PAD}" y="{by}" width="{_num(width)}" height="20" fill="{colour}"/>')
            body.append(_text(PAD + width + 8, by + 15, label, size=SMALL))
        body.append("</g>")
    return _svg(title, top + len(shown) * pitch, body)


class Spec(NamedTuple):
    """A chart to draw: the drawing function's name, its inputs and the caption."""

    kind: str
    args: tuple
    caption: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.args!r}"


DRAWERS: dict[str, Callable[..., str | None]] = {
    "score_weights": score_weights,
    "quarterly": quarterly,
    "year_on_year": year_on_year,
}


def draw(spec: Spec, cache: dict | None = None) -> str | None:
    """The SVG of a chart; a cache (filled by worker processes or earlier pages) is used first."""
    if cache is not None and spec.key in cache:
        return cache[spec.key]
    svg = DRAWERS[spec.kind](*spec.args)
    if cache is not None:
        cache[spec.key] = svg
    return svg
