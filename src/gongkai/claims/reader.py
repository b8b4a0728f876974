"""Read the formulaic figure sentences of Chinese finance prose into located claims.

``read_claims(text)`` returns :class:`Claim` objects: what a sentence states about a figure
(kind, subject, value, unit, direction, comparison base), where (line, span in the
sentence), and nothing about whether it is right.  Binding claims to report data and
checking them is done elsewhere (:mod:`gongkai.claims.arithmetic` checks claims among
themselves).

Claim kinds (closed set, see ``KINDS``):

``amount``           "支出决算为1.71万元", "预算为27,080元"  (``stage``: 预算/年初预算/全年预算/决算/None;
                     ``base`` set for the compared figure of "较上年1174万元减少40万元")
``change``           "比上年增加38.97万元", "较年初预算数减少10.93万元"
``change_rate``      "增长168.7%", "下降47 %", "降低28.6%"
``share``            "占69%", "占本年支出合计的31.45%"  (``whole``: the named whole, if any)
``completion_rate``  "完成预算的84%", "完成全年预算5.3万元的38.1%"
``execution_rate``   "预算执行率为97.8%", "支付率68.07%"
``arrival_rate``     "资金到位率100%"
``score``            "总得分93分", "综合评分97分"
``grade``            "等级为优"  (value is None, the grade is in ``text``)
``balance``          "节余3.1万元", "结余资金2万元"
``count``            "一级指标3项", "直属事业单位10个,即A、B…" (``items``: the listed names)
``flat``             "与上年持平", "比预算无增减变化"  (value None)
``base_zero``        "增长--(基数为0,不可比)"  (value None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from gongkai.claims.sentences import Sentence, split_sentences

__all__ = ["KINDS", "RISING", "Claim", "normalise_subject", "read_claims", "read_sentence_claims"]

KINDS = frozenset({
    "amount", "change", "change_rate", "share", "completion_rate", "execution_rate",
    "arrival_rate", "score", "grade", "balance", "count", "flat", "base_zero",
})


# direction words of a rise ("增437.7%" is a rise too); every other direction word is a fall
RISING = frozenset({"增加", "增长", "上升", "增支", "超支", "增"})


@dataclass(frozen=True)
class Claim:
    kind: str
    subject: str | None
    value: Decimal | None
    unit: str | None
    direction: str | None
    base: str | None
    sentence: str
    line: int
    span: tuple[int, int]
    paragraph: int = 0
    sentence_index: int = 0
    printed: str = ""          # the number exactly as printed (for decimals / messages)
    stage: str | None = None   # amounts: 预算 / 年初预算 / 全年预算 / 决算 / None
    parent: str | None = None  # subject of the 其中 / “X中,” / parenthesis context
    whole: str | None = None   # share: the whole named after 占 ("本年支出合计")
    year: str | None = None    # "2022" when the sentence names the year before the figure
    items: tuple[str, ...] = ()
    text: str = ""             # the matched text

    @property
    def decimals(self) -> int:
        p = self.printed.replace(",", "")
        return len(p.split(".")[1]) if "." in p else 0


# ------------------------------------------------------------------ lexicon
_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_Q = "[“”\"'‘’「」]"

# Known subject phrases, longest first.  Order inside the alternation matters only for
# equal starting positions; the regex engine takes the first alternative that matches.
_KNOWN = [
    r"(?:一般公共预算)?(?:财政拨款)?[“\"]?三公[”\"]?经费(?:财政拨款)?(?:支出)?",
    "因公出国[（(]境[)）]费", "公务?用?车购置及运行(?:维护)?费", "公务用车运行(?:及)?(?:维护)?费", "公务用车购置费",
    "公务用车购置", "公务接待费", "会议费", "培训费", "机关运行经费",
    "政府采购支出总额", "政府采购货物支出", "政府采购工程支出", "政府采购服务支出",
    "授予中小企业合同金额", "授予小微企业合同金额",
    "一般公共预算财政拨款收入", "一般公共预算财政拨款支出", "一般公共预算财政拨款",
    "政府性基金预算财政拨款收入", "政府性基金预算财政拨款支出",
    "国有资本经营预算财政拨款收入", "国有资本经营预算财政拨款支出",
    "财政拨款收入总计", "财政拨款支出总计", "财政拨款收入", "财政拨款支出",
    "本年收入合计", "本年支出合计", "收入总计", "支出总计", "本年收入", "本年支出",
    "总收入", "总支出", "基本支出", "项目支出", "人员经费", "公用经费", "日常公用经费",
    "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入", "其他支出",
    "年初结转和结余", "年末结转和结余", "结余分配", "经营支出", "上缴上级支出",
    "对附属单位补助支出", "工资福利支出", "商品和服务支出", "对个人和家庭的补助", "资本性支出",
    "一级指标", "二级指标", "三级指标", "绩效指标", "预算资金", "项目资金",
]
_KNOWN_RE = re.compile("|".join(f"(?:{k})" for k in _KNOWN))

_STOP_TAIL = re.compile(
    r"(?:(?:决算|预算)数?合计|支出决算数?|决算支出数?|决算数?|年初预算数?|全年预算数?|调整后预算数?|预算数?|合计|总计"
    r"|共计|总额|累计|实际|全年|本年度?|共|为|是|达到?|计|约|的|:|：|\s)+$")
_STOP_HEAD = re.compile(
    r"^(?:[（(]第\d+段[)）]|其中|\d{1,3}[.、．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、"
    r"|\d{4}年度?|[“\"]|[:：,，\s]|全年|本年度?|截至|截止|我[镇局委办院所]|本单位|本部门|[年月日底末])+")
_VERBS = re.compile(r"(?:比|较|与|同比|相较于|相比)")
# "经比较2020年度…" opens a sentence: it compares nothing by itself
_CLOSED = re.compile(r"持平|无增减变化?|无变化|没有变化|未发生变化")
_OPENER = re.compile(r"^\s*(?:经过?|通过)?(?:比较|对比)\s*[,，:：]?")
# the compared figure right after its comparison word: "较上年1174万元", "较2022年决算数688.84万元"
_COMPARED = re.compile(r"(?:较|比)(?:上年|去年|上一年|同期|预算数?|年初预算数?|全年预算数?|调整后预算数?|\d{4}年度?)"
                       r"(?:同期)?(?:决算数?|预算数?)?(?:累计)?(?:支出数?)?(?:数)?\s*$")


def _comparison(prefix: str) -> re.Match[str] | None:
    """The comparison word of a clause prefix ("较上年"), not an opening "经比较", nor one a
    "持平" closes before the subject ("与上年持平公务接待费…", printed without a comma)."""
    opener = _OPENER.match(prefix)
    pos = opener.end() if opener else 0
    while (m := _VERBS.search(prefix, pos)) is not None:
        closed = _CLOSED.search(prefix, m.end())
        if closed is None:
            return m
        pos = closed.end()
    return None


def _tidy(raw: str) -> str:
    s = re.sub(r"\s+", "", raw.strip()).replace("(", "（").replace(")", "）")
    s = re.sub(r"公务?车(?=购置|运行)", "公务用车", s)  # 公车购置及运行费, 公务车购置及运行维护费
    if re.search(r"三公" + _Q + r"?经费", s):
        return "“三公”经费"
    return s


def normalise_subject(raw: str | None) -> str | None:
    """The subject as written, with quote variants, years and stage words tidied away."""
    if raw is None:
        return None
    s = _tidy(raw)
    s = _STOP_HEAD.sub("", s)
    s = _STOP_TAIL.sub("", s)
    s = re.sub(r"费支出$", "费", s)
    if re.search(r"三公" + _Q + r"?经费", s):
        # “三公”经费, 三公经费, 一般公共预算财政拨款“三公”经费支出, “三公”经费财政拨款支出…
        s = re.sub(r"^.*?" + _Q + r"?三公" + _Q + r"?经费.*$", "“三公”经费", s)
    return s or None


def _subject_in(prefix: str) -> str | None:
    """Nearest subject phrase in ``prefix`` (text of the clause before the figure)."""
    # cut at a comparison word: "较上年" is never part of the subject
    known = list(_KNOWN_RE.finditer(prefix))
    if known:
        return _tidy(known[-1].group(0))
    cut = _comparison(prefix)
    text = prefix[: cut.start()] if cut else prefix
    # a generic noun phrase: the last run of CJK letters and brackets
    runs = re.findall(r"[\u4e00-\u9fff“”\"（）()]+", text)
    if not runs:
        return None
    cand = normalise_subject(runs[-1])
    if cand is None or len(cand) < 2 or re.fullmatch(r"[\u4e00-\u9fff]?(?:年|月|万元|元)", cand):
        return None
    if len(cand) > 24:
        cand = cand[-24:]
    return cand


def _num(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _base_of(text: str) -> str | None:
    if re.search("年初预算", text):
        return "年初预算"
    if re.search("全年预算|调整后?预算|变动后预算", text):
        return "全年预算"
    if "预算" in text:
        return "预算"
    if re.search("上年|去年|上一年|同期|同比", text):
        return "上年"
    m = re.search(r"(\d{4})年", text)
    if m:
        return f"{m.group(1)}年"
    return None


def _stage_of(before: str) -> str | None:
    tail = before[-10:]
    best: tuple[int, int, str | None] = (-1, 0, None)
    for word, stage in (("年初预算", "年初预算"), ("全年预算", "全年预算"), ("调整后预算", "全年预算"),
                        ("决算", "决算"), ("执行数", "决算"), ("预算", "预算")):
        at = tail.rfind(word)
        if at >= 0 and (at + len(word), len(word)) > best[:2]:
            best = (at + len(word), len(word), stage)
    return best[2]


# ------------------------------------------------------------------ clause patterns
_UNIT_MONEY = r"\s*(?P<unit>万元|元|万(?![\u4e00-\u9fff]))"
_PCT = r"\s*[%％]"
_DIR = r"(?P<dir>增加|减少|增长|下降|降低|上升|减支|增支|节约|超支|增(?=\s*\d)|减(?=\s*\d))"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("base_zero", re.compile(r"基数为\s*0|不可比|--\s*[%％]?")),
    ("flat", re.compile(r"(?:持平|无增减变化?|无变化|没有变化|未发生变化)")),
    ("completion_rate", re.compile(
        r"完成(?P<which>年初|全年|调整后)?预算(?:数)?(?:\s*(?P<bnum>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<bunit>万元|元))?"
        r"(?:的)?\s*[,，]?\s*" + _NUM + _PCT)),
    ("execution_rate", re.compile(r"(?:预算)?(?:执行率|支付率)(?:为|达到?|是)?\s*[:：]?\s*" + _NUM + _PCT)),
    ("arrival_rate", re.compile(r"(?:资金)?到位率(?:为|达到?|是)?\s*[:：]?\s*" + _NUM + _PCT)),
    ("share", re.compile(
        r"占(?!用)(?P<whole>[^,，;；。%\d]{0,24}?)(?:的|比(?:重|例)?(?:为)?)?\s*[,，]?\s*" + _NUM + _PCT)),
    ("score", re.compile(r"(?:总|综合|自评|评价)?(?:得分|评分|分数)(?:为|是|达到?)?\s*[:：]?\s*" + _NUM + r"\s*分")),
    ("grade", re.compile(
        r"(?:等级|等次|评级|级别)(?:为|是|评定为|:|：)?\s*[“\"]?(?P<grade>优秀|良好|合格|不合格|优|良|中|差)")),
    ("balance", re.compile(r"(?P<bal>节余|结余|结转)(?:资金)?(?:为|是)?\s*" + _NUM + _UNIT_MONEY)),
    ("change_rate", re.compile(_DIR + r"(?:了|率为|幅度为|幅度)?\s*" + _NUM + _PCT)),
    ("change", re.compile(_DIR + r"(?:了)?\s*" + _NUM + _UNIT_MONEY)),
    ("count", re.compile(_NUM + r"\s*(?P<unit>项|个|批次|人次|辆|台|家|人)(?![\u4e00-\u9fff]*?[%％])")),
    ("amount", re.compile(_NUM + _UNIT_MONEY)),
]

_CLAUSE_SPLIT = re.compile(r"[,，、]")
_YEAR = re.compile(r"(\d{4})\s*年")


@dataclass
class _State:
    subject: str | None = None
    parent: str | None = None
    base: str | None = None
    last_amount_subject: str | None = None
    promoted: bool = False  # st.parent comes from "A X万元,其中:B…;" continued past "；"


def read_claims(text: str) -> list[Claim]:
    """All claims in ``text`` (Markdown or plain text), in reading order."""
    claims: list[Claim] = []
    state = _State()
    paragraph = -1
    sentences = split_sentences(text)
    for index, sentence in enumerate(sentences):
        if sentence.paragraph != paragraph:
            paragraph = sentence.paragraph
            state = _State()
        claims.extend(read_sentence_claims(sentence, index, state))
    rows = read_comparison_rows(text, sentences)
    if rows:
        claims = sorted(claims + rows, key=lambda c: (c.sentence_index, c.span[0]))
    return claims


# ------------------------------------------------------------------ comparison tables
# | 项 目 | 2014年决算数 | 2015年决算数 | 增、减额 | 增、减幅度 |
_YEAR_COLUMN = re.compile(r"(\d{4})\s*年(?:度)?\s*(?:决算|支出|实际)")
_CHANGE_COLUMN = re.compile(r"增\s*[、,，]?\s*减\s*额|增加额|减少额")
_RATE_COLUMN = re.compile(r"增\s*[、,，]?\s*减\s*(?:幅度|率|%)|增长率|增加幅度|增幅")
_CELL_NUMBER = re.compile(r"(?P<sign>[-−])?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<pct>[%％])?")
_TABLE_UNIT = re.compile(r"单位\s*[:：]\s*(万元|元)")


def read_comparison_rows(text: str, sentences: list[Sentence] | None = None) -> list[Claim]:
    """Rows of a printed year-on-year table (two years' 决算数, 增减额, 增减幅度) as claims: the row's
    amounts for both years, its change against last year and its rate, in the row's own paragraph."""
    sentences = sentences if sentences is not None else split_sentences(text)
    first_index: dict[int, int] = {}
    for i, s in enumerate(sentences):
        first_index.setdefault(s.line, i)
    lines = text.splitlines()
    out: list[Claim] = []
    i = 0
    while i < len(lines):
        header = _row_cells(lines[i])
        if header is None or i + 1 >= len(lines) or not re.match(r"^\s*\|?\s*:?-{2,}", lines[i + 1]):
            i += 1
            continue
        years = {j: int(m.group(1)) for j, c in enumerate(header) if (m := _YEAR_COLUMN.search(c))
                 and not _CHANGE_COLUMN.search(c) and not _RATE_COLUMN.search(c)}
        change_col = next((j for j, c in enumerate(header) if _CHANGE_COLUMN.search(c)), None)
        rate_col = next((j for j, c in enumerate(header) if _RATE_COLUMN.search(c)), None)
        units = _TABLE_UNIT.findall("\n".join(lines[max(i - 4, 0):i]))
        j = i + 2
        while j < len(lines) and _row_cells(lines[j]) is not None:
            j += 1
        if len(set(years.values())) == 2 and (change_col is not None or rate_col is not None) and units:
            for number in range(i + 2, j):
                out += _comparison_row(lines[number].strip(), number + 1, first_index.get(number + 1, 0),
                                       years, change_col, rate_col, units[-1])
        i = j
    return out


def _row_cells(line: str) -> list[str] | None:
    stripped = line.strip()
    if not stripped.startswith("|"):
        return None
    return [c.strip() for c in stripped.strip("|").split("|")]


def _comparison_row(row: str, line: int, index: int, years: dict[int, int], change_col: int | None,
                    rate_col: int | None, unit: str) -> list[Claim]:
    cells = _row_cells(row) or []
    label = re.sub(r"\s+", "", cells[0]) if cells else ""
    subject = normalise_subject(label) or (label if label in ("合计", "总计") else None)
    if subject is None:
        return []
    now_year, last_year = max(years.values()), min(years.values())
    out: list[Claim] = []
    for col, cell in enumerate(cells):
        m = _CELL_NUMBER.fullmatch(cell)
        if m is None or col == 0:
            continue
        at = row.index(cell, sum(len(c) + 1 for c in cells[:col]))
        span = (at, at + len(cell))
        value, printed = _num(m.group("num")), m.group("num")
        falling = m.group("sign") is not None
        if col in years and not m.group("pct"):
            last = years[col] == last_year
            out.append(Claim("amount", subject, value, unit, None, "上年" if last else None, row, line, span,
                             -line, index, printed, "决算", None, None, str(years[col]), (), cell))
        elif col == change_col and not m.group("pct") and value != 0:
            out.append(Claim("change", subject, value, unit, "减少" if falling else "增加", "上年", row, line, span,
                             -line, index, printed, None, None, None, str(now_year), (), cell))
        elif col == rate_col and value != 0:
            out.append(Claim("change_rate", subject, value, "%", "下降" if falling else "增长", "上年", row, line,
                             span, -line, index, printed, None, None, None, str(now_year), (), cell))
    return out


def _find_all(text: str) -> list[tuple[str, re.Match[str]]]:
    """Non-overlapping pattern matches, earlier patterns winning ties of position."""
    found: list[tuple[str, re.Match[str]]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            found.append((kind, m))
            taken.append((s, e))
    found.sort(key=lambda km: km[1].start())
    return found


def _clause_start(text: str, pos: int, stops: str = ",，;；:：") -> int:
    i = pos
    while i > 0 and text[i - 1] not in stops:
        i -= 1
    return i


def read_sentence_claims(sentence: Sentence, index: int = 0, state: _State | None = None) -> list[Claim]:
    """Claims of one sentence; ``state`` carries subject, 其中 context and base across the paragraph."""
    st = state if state is not None else _State()
    text = sentence.text
    out: list[Claim] = []
    matches = _find_all(text)
    if not any(k not in ("base_zero", "flat") for k, _ in matches) and not matches:
        # a sentence without figures may still set the subject for the next one
        subj = _subject_in(text)
        if subj and _KNOWN_RE.search(text):
            st.subject = subj
        return out
    # 其中 at the start of a sentence opens a list for the rest of the paragraph; 其中 inside
    # a sentence opens a list of the amount just before it, for the rest of the sentence.
    parens = [(m.start(), m.end()) for m in re.finditer(r"[（(][^（()）]*[)）]", text)]
    local_parents: list[tuple[int, int, str | None]] = []
    for m_q in re.finditer(r"其中\s*[:：]?", text):
        if text[:m_q.start()].strip(" （(第0123456789段）)") == "":
            st.parent = st.last_amount_subject
            st.promoted = False
        else:
            scope = next((pe for ps, pe in parens if ps <= m_q.start() < pe), len(text))
            local_parents.append((m_q.start(), scope, None))
            if scope == len(text) and st.promoted:
                st.parent, st.promoted = None, False  # a new total with its own list ends the old one
    m_ctx = re.search(r"(?P<ctx>[^,，;；]*?)中\s*[,，]", text)
    paren_depth_subject: str | None = None
    paren_subjects: dict[int, str] = {}
    last_end = 0
    if m_ctx and _KNOWN_RE.search(m_ctx.group("ctx")) and "其中" not in m_ctx.group("ctx"):
        st.parent = _subject_in(m_ctx.group("ctx"))
        last_end = m_ctx.end()
    for kind, m in matches:
        start, end = m.span()
        in_paren = any(ps <= start < pe for ps, pe in parens)
        clause_from = max(_clause_start(text, start, ",，;；:：（(" if in_paren else ",，;；:："), last_end)
        prefix = text[clause_from:start]
        if not in_paren:
            # an earlier parenthesis in the clause is not where the subject is
            prefix = re.sub(r"[（(][^（()）]*[)）]", _keep_jing, prefix)
        if kind in ("base_zero", "flat"):
            # inherits everything; only record it once per clause
            base = _base_of(text[_clause_start(text, start):end]) or st.base
            out.append(_make(kind, st.subject, None, None, None, base, sentence, index, m, st, None))
            continue
        cut = _comparison(prefix)
        subject_prefix = prefix[: cut.start()] if cut else prefix
        subj = _subject_in(subject_prefix)
        if kind in ("change", "change_rate"):
            before = text[_clause_start(text, start):start]
            if cut or re.search("比|较|与|相较于|同比", before):
                st.base = _base_of(before) or st.base
        paren_at = next((ps for ps, pe in parens if ps <= start < pe), None)
        if subj is None and paren_at is not None:
            subj = paren_subjects.get(paren_at)
        if subj is None:
            subj = st.subject
        if paren_at is not None and subj is not None:
            paren_subjects[paren_at] = subj
        parent = st.parent
        for i, (q_at, q_end, q_parent) in enumerate(local_parents):
            if q_at < start < q_end:
                if q_parent is None:
                    q_parent = _last_amount(out, q_at) or st.last_amount_subject
                    local_parents[i] = (q_at, q_end, q_parent)
                parent = q_parent
        if in_paren and paren_depth_subject:
            parent = paren_depth_subject
        base = st.base if kind in ("change", "change_rate") else None
        if kind == "amount" and cut and _COMPARED.search(prefix[cut.start():]):
            # "较上年1174万元减少40万元": the figure compared with, not the subject's own
            base = st.base = _base_of(prefix[cut.start():])
        claim = _make(kind, subj, m, None, None, base, sentence, index, m, st, parent)
        if kind == "amount" and base is not None:
            out.append(claim)
            last_end = max(last_end, clause_from)
            continue
        if kind == "amount" and not in_paren:
            paren_depth_subject = subj
            st.last_amount_subject = subj
        if kind == "completion_rate" and m.group("bnum"):
            # the inline budget: "完成全年预算5.3万元的38.1%"
            which = (m.group("which") or "") + "预算"
            out.append(Claim("amount", subj, _num(m.group("bnum")), m.group("bunit"), None, None,
                             text, sentence.line_at(m.start("bnum")), (m.start("bnum"), m.end("bunit")),
                             sentence.paragraph, index, m.group("bnum"), which, parent, None,
                             _year(text, start), (), m.group(0)))
        out.append(claim)
        if subj and kind in ("amount", "change", "balance", "count", "score") and not in_paren:
            st.subject = subj
        last_end = max(last_end, clause_from)
    # "A合计X万元,其中:B…;C…;" — a list opened in a sentence of its own continues past "；"
    open_lists = [p for at, end, p in local_parents if end == len(text) and p is not None]
    if open_lists and st.parent != open_lists[-1] and text.rstrip()[-1:] in "；;":
        st.parent = open_lists[-1]
        st.promoted = True
    out = _distribute_each(text, out, sentence, index)
    out = _attach_items(text, out)
    return _verbless_changes(text, out)


def _verbless_changes(text: str, claims: list[Claim]) -> list[Claim]:
    """"较2022年决算数688.84万元131.49万元,增长19.09%": an amount right after the compared
    figure is the change, its direction that of the rate which follows it."""
    out = list(claims)
    for i, c in enumerate(out):
        if i == 0 or c.kind != "amount" or c.base is not None:
            continue
        prev = out[i - 1]
        if prev.kind != "amount" or prev.base is None or text[prev.span[1]:c.span[0]].strip():
            continue
        rate = next((r for r in out[i + 1:] if r.kind in ("change_rate", "amount", "change")), None)
        if rate is None or rate.kind != "change_rate" or rate.direction is None:
            continue
        direction = "增加" if rate.direction in RISING else "减少"
        out[i] = replace(c, kind="change", base=prev.base, direction=direction, stage=None)
    return out


def _keep_jing(m: re.Match[str]) -> str:
    """Drop a parenthesis from a subject prefix, except the （境） of 因公出国（境）费."""
    return m.group(0) if re.fullmatch(r"[（(]境[)）]", m.group(0)) else ""


def _last_amount(claims: list[Claim], before: int) -> str | None:
    subj = None
    for c in claims:
        if c.kind == "amount" and c.span[0] < before:
            subj = c.subject
    return subj


def _year(text: str, pos: int) -> str | None:
    """The year named before ``pos``, not one compared with ("较2022年决算数…" names the base)."""
    years = [m.group(1) for m in _YEAR.finditer(text[:pos])
             if not re.search(r"(?:较|比|与|相较于)\s*$", text[:m.start()])]
    return years[-1] if years else None


def _make(kind: str, subject: str | None, m: re.Match[str] | None, _unit: str | None, _dir: str | None,
          base: str | None, sentence: Sentence, index: int, match: re.Match[str], st: _State,
          parent: str | None) -> Claim:
    text = sentence.text
    start, end = match.span()
    value: Decimal | None = None
    printed = ""
    unit: str | None = None
    direction: str | None = None
    stage: str | None = None
    whole: str | None = None
    groups = match.groupdict()
    if m is not None and groups.get("num"):
        printed = groups["num"]
        value = _num(printed)
    if kind in ("change_rate", "share", "completion_rate", "execution_rate", "arrival_rate"):
        unit = "%"
    elif kind == "score":
        unit = "分"
    elif groups.get("unit"):
        unit = groups["unit"]
        if unit == "万":
            unit = "万元"
    if groups.get("dir"):
        direction = groups["dir"]
    if kind == "amount":
        stage = _stage_of(text[_clause_start(text, start):start])
    if kind == "completion_rate":
        stage = (groups.get("which") or "") + "预算"
        base = stage
    if kind == "share":
        whole = normalise_subject(groups.get("whole") or None)
    if kind == "grade":
        printed = groups["grade"]
    if kind == "balance":
        stage = groups["bal"]
    at = match.start("num") if groups.get("num") else start
    return Claim(kind, subject, value, unit, direction, base, text, sentence.line_at(at), (start, end),
                 sentence.paragraph, index, printed, stage, parent, whole, _year(text, start), (), match.group(0))


_EACH_SUBJECTS = re.compile(r"(?P<a>[\u4e00-\u9fff])、(?P<b>[\u4e00-\u9fff])(?P<tail>总计|合计)")
_EACH_FIGURES = re.compile(
    r"各(?:是|为|自)?\s*(?:" + _DIR + r")?\s*"
    r"(?P<list>(?:\d[\d,.]*\s*(?:万元|元|%|％)?\s*[,，、]\s*)+\d[\d.]*)\s*(?P<unit>万元|元|%|％)")
_LONG = {"收": "收入", "支": "支出"}


def _distribute_each(text: str, claims: list[Claim], sentence: Sentence, index: int) -> list[Claim]:
    """"收、支总计各是4125.49,4143.91万元" / "各下降23.51%、38.28%": one claim per subject."""
    subjects = _EACH_SUBJECTS.search(text)
    if not subjects:
        return claims
    names = [_LONG.get(subjects.group(x), subjects.group(x)) + subjects.group("tail") for x in ("a", "b")]
    out = list(claims)
    for m in _EACH_FIGURES.finditer(text):
        # "4125.49,4143.91": here the comma separates figures (no thousands separators in lists)
        nums = re.findall(r"\d+(?:\.\d+)?", m.group("list"))
        if len(nums) != len(names):
            continue
        unit = m.group("unit").replace("％", "%")
        direction = m.group("dir")
        kind = "change_rate" if unit == "%" else ("change" if direction else "amount")
        base = _base_of(text[: m.start()])
        # drop the claims the generic patterns read inside this span
        out = [c for c in out if not (m.start() <= c.span[0] < m.end())]
        pos = m.start("list")
        for name, n in zip(names, nums, strict=True):
            s = text.index(n, pos)
            pos = s + len(n)
            out.append(Claim(kind, name, _num(n), unit, direction, base if kind != "amount" else None, text,
                             sentence.line_at(s), (s, s + len(n)), sentence.paragraph, index, n,
                             None, None, None, _year(text, s), (), text[s:s + len(n)]))
    out.sort(key=lambda c: c.span[0])
    return out


_LISTING = re.compile(r"(?P<num>\d+)\s*个\s*[,，]?\s*(?:即|分别为|分别是|包括|为)\s*[:：]?(?P<list>[^。；;]+)")


def _attach_items(text: str, claims: list[Claim]) -> list[Claim]:
    """"直属事业单位10个,即A、B、C": record the names listed after a count."""
    out = []
    for c in claims:
        if c.kind == "count":
            m = _LISTING.match(text, c.span[0])
            if m:
                items = tuple(x.strip() for x in re.split(r"[、,，]", m.group("list").rstrip("。.")) if x.strip())
                if len(items) >= 2:
                    c = Claim(**{**c.__dict__, "items": items})
        out.append(c)
    return out
