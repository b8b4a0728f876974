"""The pull-request comment: ``render_markdown``, and the escaping that keeps text from the data inert.

Every text taken from the data (names, reasons, messages, paths) is escaped before it goes into the
Markdown (``md_text``, ``md_line``, ``md_code``).
"""

from __future__ import annotations

import re
from decimal import Decimal

from gongkai import __version__
from gongkai.engine.decimals import HUNDRED, fixed, money, percent, plain
from gongkai.engine.problems import ERROR, INFO, SEVERITY_ZH, WARNING, Problem, terminal_text
from gongkai.review.compare import STATUS_ZH, DiffOutcome, IndicatorChange, Pair, ReportDiff
from gongkai.review.git import Revision

DIRECTION_ZH = {"up": "上升", "down": "下降"}
MAX_ROWS = 40  # indicator rows and problems per report in Markdown (JSON has them all)

# ---- untrusted text ------------------------------------------------------------------------------
# Names, reasons, messages and paths come from the pull request. In the Markdown comment they are
# plain text: nothing in them may become a link, an image, an HTML tag, a mention, an issue reference,
# a table cell or a new line. GitHub finds mentions, issue references and bare URLs in the rendered
# text, after Markdown escapes and HTML entities are undone, so those are broken by a zero-width space
# (U+200B) that the reader does not see; the rest is escaped as CommonMark says. The comment has no
# link of its own, so there is no URL to encode.

_BREAKS = re.compile("[\t\r\n\x85\u2028\u2029]+")  # a line break or tab in a value: one space
_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]|~!#$]")
_MD_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ZWSP = "\u200b"
_LINKISH = re.compile(r"(?i)(?<=[@#])(?=[0-9a-z])|(?<=www)(?=\.)|(?<=gh)(?=-\d)|(?<=:)(?=//)")


def plain_text(value: object) -> str:
    """One line of text: line breaks become a space, other controls, direction marks and undecodable
    bytes visible escapes (``\\x1b``, ``\\u202e``), as on every terminal output of gongkai."""
    return terminal_text(_BREAKS.sub(" ", str(value)))


def md_text(value: object) -> str:
    """Untrusted text as inert Markdown inline text (for a table cell, a list item or a sentence)."""
    text = plain_text(value)
    text = re.sub("[&<>]", lambda m: _MD_ENTITY[m.group()], text)
    text = _MD_SPECIAL.sub(lambda m: "\\" + m.group(), text)
    return _LINKISH.sub(_ZWSP, text)


def md_line(value: object) -> str:
    """Untrusted text that starts a line: ``md_text``, and what would open a list or heading is escaped."""
    text = md_text(value).lstrip(" ")
    if text[:1] in ("-", "+", "="):
        return "\\" + text
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", text)


def md_code(value: object) -> str:
    """Untrusted text (a path, a code) as a Markdown code span: literal whatever it holds."""
    text = plain_text(value)
    if not text.strip():
        return "—"
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# ---- words -------------------------------------------------------------------------------------------


def summary_text(outcome: DiffOutcome) -> str:
    """One line: e.g. "3 份报告有变化：1 份新增，2 份修改；1 份等级下降"."""
    c = outcome.counts()
    refused = f"拒绝 {len(outcome.refused)} 个不安全的路径" if outcome.refused else ""
    if not outcome.reports:
        nothing = "报告的得分、等级和核对结果都没有变化"
        return f"{nothing}；{refused}。" if refused else f"{nothing}。"
    kinds = "，".join(f"{c[s]} 份{STATUS_ZH[s]}" for s in STATUS_ZH if c[s])
    text = f"{len(outcome.reports)} 份报告有变化：{kinds}"
    grades = "，".join(f"{c[k]} 份等级{DIRECTION_ZH[k[6:]]}" for k in ("grade_down", "grade_up") if c[k])
    if grades:
        text += f"；{grades}"
    for side, word in (("new", "新出现"), ("resolved", "已解决")):
        counted = ((c[f"{side}_{s}s"], s) for s in (ERROR, WARNING, INFO))
        parts = "、".join(f"{n} 个{SEVERITY_ZH[s]}" for n, s in counted if n)
        if parts:
            text += f"；{word} {parts}"
    return f"{text}；{refused}" if refused else text


def _revision(rev: Revision) -> str:
    """A revision as the heading names it: the working tree in words, a commit as its short hash."""
    return md_text(rev.label) if rev.commit is None else f"{md_code(rev.short)}{md_text(rev.note)}"


def _cell(text: object) -> str:
    """A table cell: untrusted text made inert (``md_text``); — for no value."""
    return "—" if text is None else md_text(text)


def _signed(value: Decimal | None, text: str) -> str:
    if value is None:
        return ""
    return f"+{text}" if value > 0 else text


def _score(value, places: int) -> str | None:
    return None if value is None else fixed(value, places)


def _score_change(pair: Pair, places: int) -> str:
    if not isinstance(pair.old, Decimal) or not isinstance(pair.new, Decimal):
        return ""
    delta = Decimal(fixed(pair.new, places)) - Decimal(fixed(pair.old, places))
    return _signed(delta, fixed(delta, places))


def _score_row(pair: Pair, places: int) -> tuple[str | None, str | None, str]:
    """(old, new, change) of a score."""
    return _score(pair.old, places), _score(pair.new, places), _score_change(pair, places)


def _report_heading(d: ReportDiff) -> str:
    if d.status == "renamed":
        return f"### 重命名：{md_code(d.old_path)} → {md_code(d.new_path)}"
    return f"### {d.status_zh}：{md_code(d.path)}"


def _title_line(d: ReportDiff) -> str:
    title = d.title.new or d.title.old
    if title is None:
        return ""
    name, kind, department, year = title
    line = f"{name}（{kind}，{department}，{year} 年）"
    if d.title.old and d.title.new and d.title.old[0] != d.title.new[0]:
        line += f"；名称原为“{d.title.old[0]}”"
    return md_line(line)  # the line is a paragraph of its own: nothing in it may start a list or a heading


def _main_rows(d: ReportDiff) -> list:
    rows = []
    p = d.places
    if d.total is not None:
        same = d.total.old is not None and not d.total.changed
        change = "不变" if same else _score_change(d.total, p)
        rows.append(("总分", _score(d.total.old, p), _score(d.total.new, p), change))
    if d.grade is not None:
        move = DIRECTION_ZH.get(d.direction or "", "") if d.grade.changed else "不变"
        if d.grade.old is None or d.grade.new is None:
            move = ""
        rows.append(("等级", d.grade.old, d.grade.new, move))
    show_all = d.status in ("added", "removed")
    if d.funds_rate is not None and (show_all or d.funds_rate.changed):
        delta = d.funds_rate.change
        change = _signed(delta, fixed(delta * HUNDRED, 2)) + " 个百分点" if delta is not None else ""
        old, new = (None if v is None else percent(v) for v in (d.funds_rate.old, d.funds_rate.new))
        rows.append(("资金执行率", old, new, change))
    if d.funds_score is not None and (show_all or d.funds_score.changed):
        weight = f"（满分 {plain(d.funds_weight)}）" if d.funds_weight is not None else ""
        rows.append((f"资金执行率得分{weight}", *_score_row(d.funds_score, p)))
    if d.goals_score is not None and (show_all or d.goals_score.changed):
        rows.append(("年度目标平均得分", *_score_row(d.goals_score, p)))
    for g in d.goals:
        note = ""
        if g.counted.new is False or (g.counted.new is None and g.counted.old is False):
            note = "（不计入平均）"
        elif g.counted.changed and g.counted.old is False:
            note = "（改为计入平均）"
        weight = g.weight.new if g.weight.new is not None else g.weight.old
        label = f"年度目标“{g.name}”{note}（满分 {plain(weight)}）"
        rows.append((label, *_score_row(g.score, p)))
    return rows


def _indicator_name(ic: IndicatorChange) -> str:
    path = " / ".join(ic.path[1:] if ic.goal is not None else ic.path)
    return f"年度目标“{ic.goal}” / {path}" if ic.goal is not None else path


def _score_of(score, weight, places: int) -> str | None:
    if score is None:
        return None
    return f"{fixed(score, places)} / {plain(weight)}" if weight is not None else fixed(score, places)


def _problem_line(p: Problem, resolved: bool, report_path: str | None) -> str:
    where = ""
    if p.file and p.file != report_path and p.file not in ("", None):
        where = f"{md_code(p.file)} "
    if p.line:
        where += f"{'原' if resolved else ''}第 {p.line} 行"
    extra = ""
    if p.expected is not None or p.found is not None:
        extra = f"（应为 {p.expected}，实为 {p.found}）"
    place = f"（{where.strip()}）" if where else ""
    return f"- {SEVERITY_ZH[p.severity]} {md_code(p.code)}{place}：{md_text(p.message + extra)}"


def _problem_list(heading: str, problems: list, resolved: bool, path: str | None) -> list:
    lines = [heading, ""] + [_problem_line(p, resolved, path) for p in problems[:MAX_ROWS]]
    if len(problems) > MAX_ROWS:
        lines.append(f"- 另有 {len(problems) - MAX_ROWS} 个，见 `--format json`")
    return lines + [""]


def _report_markdown(d: ReportDiff) -> list:
    lines = [_report_heading(d), ""]
    title = _title_line(d)
    if title:
        lines += [title, ""]
    if not d.edited:
        lines += ["文件本身没有改动；它使用的评分规则集有改动。", ""]
    if d.scored.old is False:
        lines += ["原版本无法计分。", ""]
    rows = _main_rows(d)
    if rows:
        lines += ["| 项目 | 原 | 新 | 变化 |", "| --- | --- | --- | --- |"]
        lines += [f"| {_cell(a)} | {_cell(b)} | {_cell(c)} | {_cell(e)} |" for a, b, c, e in rows]
        lines.append("")
    if d.indicators:
        lines += ["得分有变化的指标：", "", "| 指标 | 原得分 | 新得分 | 变化 | 计分说明 |"]
        lines.append("| --- | --- | --- | --- | --- |")
        for ic in d.indicators[:MAX_ROWS]:
            note = ic.explanation if ic.score.new is not None else "（指标已删除）"
            if ic.score.old is None:
                note = f"（新增指标）{note}"
            old = _score_of(ic.score.old, ic.weight.old, d.places)
            new = _score_of(ic.score.new, ic.weight.new, d.places)
            change = _score_change(ic.score, d.places)
            cells = (_indicator_name(ic), old, new, change, note)
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        if len(d.indicators) > MAX_ROWS:
            lines.append(f"| 另有 {len(d.indicators) - MAX_ROWS} 个指标，见 `--format json` | | | | |")
        lines.append("")
    if d.totals:
        heading = "决算数字" if d.status in ("added", "removed") else "有变化的决算数字"
        lines += [f"{heading}（{md_text(d.unit or '万元')}）：", "", "| 项目 | 原 | 新 | 变化 |"]
        lines.append("| --- | --- | --- | --- |")
        for name, pair in d.totals:
            delta = pair.change
            old, new = (None if v is None else money(v) for v in (pair.old, pair.new))
            change = _signed(delta, money(delta)) if delta is not None else ""
            lines.append(f"| {_cell(name)} | {_cell(old)} | {_cell(new)} | {_cell(change)} |")
        lines.append("")
    if d.scored.new is False:
        lines += _problem_list("**新版本无法计分**，问题如下：", d.new_problems, False, d.new_path)
    elif d.new_problems:
        heading = "核对问题：" if d.status == "added" else "新出现的核对问题："
        lines += _problem_list(heading, d.new_problems, False, d.new_path)
    if d.resolved_problems:
        lines += _problem_list("已解决的核对问题：", d.resolved_problems, True, d.old_path)
    if d.status == "renamed" and not d.matters_beyond_rename():
        lines += ["得分、等级和核对结果都没有变化。", ""]
    return lines


def render_markdown(outcome: DiffOutcome) -> str:
    """A pull-request comment: heading, summary line, one section per changed report."""
    lines = [f"## 报告变化：{_revision(outcome.base)} → {_revision(outcome.head)}", "", summary_text(outcome), ""]
    if outcome.refused:
        lines += _problem_list("**不安全的路径**（已拒绝：没有写出，也没有读取）：", outcome.refused, False, None)
    if outcome.rulesets:
        listed = "、".join(f"{md_code(c.path)}（{STATUS_ZH[c.status]}）" for c in outcome.rulesets)
        lines += [f"评分规则集有改动：{listed}。", ""]
    for d in outcome.reports:
        lines += _report_markdown(d)
    if outcome.unchanged:
        names = "、".join(md_code(p) for p in outcome.unchanged)
        lines += [f"另有 {len(outcome.unchanged)} 份报告文件有改动，但得分、等级和核对结果都没有变化：{names}。", ""]
    lines.append(
        f"<sub>由 gongkai {__version__} 的 `gongkai diff` 生成；"
        "两个版本都按同一版本的 gongkai 及其内置评分规则集计分。</sub>"
    )
    return "\n".join(lines) + "\n"
