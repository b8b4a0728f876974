"""The claims reader (issue 14) on real sentences of 情况说明 and 自评报告 prose."""

from decimal import Decimal

import pytest

from gongkai.claims.arithmetic import check_claims, rate_interval
from gongkai.claims.reader import KINDS, read_claims
from gongkai.claims.sentences import split_sentences

pytestmark = pytest.mark.engine

D = Decimal


def _kinds(text):
    return [(c.kind, c.subject, c.value) for c in read_claims(text)]


def test_change_and_rate_against_last_year():
    claims = read_claims("一般公共预算财政拨款收入 2,961.99 万元，比上年决算数增加 219.86 万元，增长 8.0%。")
    assert [(c.kind, c.subject, c.value, c.unit, c.direction, c.base) for c in claims] == [
        ("amount", "一般公共预算财政拨款收入", D("2961.99"), "万元", None, None),
        ("change", "一般公共预算财政拨款收入", D("219.86"), "万元", "增加", "上年"),
        ("change_rate", "一般公共预算财政拨款收入", D("8.0"), "%", "增长", "上年"),
    ]
    assert claims[2].decimals == 1
    assert claims[0].sentence[claims[0].span[0]:claims[0].span[1]] == "2,961.99 万元"
    assert check_claims(claims) == []


def test_share_subject_is_the_nearest_subject():
    text = ("安徽省寿县文物保护中心2023年度一般公共预算财政拨款“三公”经费支出决算中,公务接待费支出决算0.53万元,占69%;"
            "公务用车购置及运行维护费支出决算1.18万元,占31%。")
    shares = [c for c in read_claims(text) if c.kind == "share"]
    assert [(c.subject, c.value, c.parent) for c in shares] == [
        ("公务接待费", D("69"), "“三公”经费"), ("公务用车购置及运行维护费", D("31"), "“三公”经费")]
    found = check_claims(read_claims(text))
    assert [(f.kind, f.claim.printed, f.computed) for f in found] == [("share", "69", "31%"), ("share", "31", "69%")]


def test_completion_rate_against_budget_and_actual():
    text = "1.公务接待费预算为1万元,支出决算为0.53万元,完成预算的47%;较上年减少0.47万元,下降47 %。"
    claims = read_claims(text)
    assert [(c.kind, c.stage) for c in claims if c.kind == "amount"] == [("amount", "预算"), ("amount", "决算")]
    rate = next(c for c in claims if c.kind == "change_rate")
    assert (rate.subject, rate.value, rate.base) == ("公务接待费", D("47"), "上年")
    assert [(f.kind, f.computed) for f in check_claims(claims)] == [("completion_rate", "53%")]


def test_inline_budget_and_base_zero():
    text = ("深圳市罗湖区审计局2024年度“三公”经费财政拨款支出决算为2.02万元,完成全年预算5.3万元的38.1%,"
            "比上年决算数减少0.33万元,下降14%。")
    claims = read_claims(text)
    assert ("amount", "“三公”经费", D("5.3")) in _kinds(text)
    assert next(c for c in claims if c.value == D("5.3")).stage == "全年预算"
    assert check_claims(claims) == []
    zero = read_claims("政府性基金预算财政拨款支出 0 万元，比上年决算数增加 12.02 万元，增长--（基数为 0，不可比）。")
    assert "base_zero" in [c.kind for c in zero]
    flat = read_claims("上级补助收入 0 万元，与年初预算数持平。")
    assert [(c.kind, c.base) for c in flat if c.kind == "flat"] == [("flat", "年初预算")]


def test_change_against_initial_budget_and_last_year():
    text = ("2021年“三公”经费支出共计9.07万元,较年初预算数减少10.93万元,下降54.65%, 较上年支出数减少0.71万元,"
            "下降7.83%,主要原因是认真贯彻落实中央八项规定精神。")
    rates = [(c.base, c.value) for c in read_claims(text) if c.kind == "change_rate"]
    assert rates == [("年初预算", D("54.65")), ("上年", D("7.83"))]
    assert [(f.claim.printed, f.computed) for f in check_claims(read_claims(text))] == [("7.83", "7.26%")]


def test_change_against_budget_wrong_rate():
    text = "2.公务接待费支出2.14万元, 与2021年度预算相比,增加1.14万元,增长1.14%,增长的原因是成立新的临时机构。"
    assert [(f.kind, f.computed) for f in check_claims(read_claims(text))] == [("change_rate", "114.00%")]


def test_pairs_with_each():
    text = ("2022年度收、支总计各是4125.49,4143.91万元。与2021年相比,收、支总计各减少1267.86,2570.97万元,"
            "各下降23.51%、38.28%。")
    claims = read_claims(text)
    assert [(c.kind, c.subject, c.value) for c in claims] == [
        ("amount", "收入总计", D("4125.49")), ("amount", "支出总计", D("4143.91")),
        ("change", "收入总计", D("1267.86")), ("change", "支出总计", D("2570.97")),
        ("change_rate", "收入总计", D("23.51")), ("change_rate", "支出总计", D("38.28")),
    ]
    assert [(f.claim.subject, f.computed) for f in check_claims(claims)] == [("支出总计", "38.29%")]


def test_thousands_separators_in_yuan():
    text = "年初预算为27,080元,支出决算为26,085.58元,完成年初预算的96.33%,比上年减少18,987.42元,下降42.13%。"
    claims = read_claims(text)
    assert [(c.kind, c.value, c.unit) for c in claims][:3] == [
        ("amount", D("27080"), "元"), ("amount", D("26085.58"), "元"), ("completion_rate", D("96.33"), "%")]
    assert claims[0].stage == "年初预算"


def test_qizhong_parts_inherit_the_context():
    text = ("2022年本年收入合计4125.49万元,其中:一般公共预算财政拨款收入3859.16万元,占93.54%;"
            "政府性基金预算财政拨款收入0万元,占0%;其他收入266.33万元,占6.46%。")
    claims = read_claims(text)
    parts = [(c.subject, c.parent) for c in claims if c.kind == "share"]
    assert parts == [("一般公共预算财政拨款收入", "本年收入合计"), ("政府性基金预算财政拨款收入", "本年收入合计"),
                     ("其他收入", "本年收入合计")]
    assert check_claims(claims) == []


def test_parts_exceeding_their_total():
    text = "本项目共完成预算资金89.97万元。其中:30万元用于预算编制;30万元用于审计;29.99万元用于设计、规划、测绘。"
    found = check_claims(read_claims(text))
    assert [(f.kind, f.claim.printed, f.computed) for f in found] == [("sum", "89.97", "89.99")]


def test_parenthesised_parts_belong_to_the_amount_before():
    text = ("2021年度镇本级“三公”经费决算4.5万元,因公出国(境)费0万元,公务接待费0万元,"
            "公务用车购置及运行维护费4.5万元(公务用车购置费0万元、公务用车运行维护费4.5万元)。")
    claims = read_claims(text)
    assert [c.subject for c in claims][:2] == ["“三公”经费", "因公出国（境）费"]
    assert [c.parent for c in claims if c.subject == "公务用车运行维护费"] == ["公务用车购置及运行维护费"]
    assert check_claims(claims) == []


def test_count_with_listing():
    text = "直属事业单位10个,即县国库集中支付中心、县财政信息中心、县工资统发中心。"
    count = next(c for c in read_claims(text) if c.kind == "count")
    assert (count.subject, count.value, len(count.items)) == ("直属事业单位", D("10"), 3)
    assert [f.computed for f in check_claims(read_claims(text))] == ["3个"]
    assert check_claims(read_claims("纳入部门预算编制范围的单位有3个,分别为机关本级、事务中心和支付中心。")) == []


def test_performance_sentences():
    text = "项目预算执行率为97.8%，资金到位率100%，总得分93分，等级为优。年末结余3.1万元。一级指标3项，二级指标8个。"
    got = [(c.kind, c.subject, c.value, c.unit) for c in read_claims(text)]
    assert ("execution_rate", "项目", D("97.8"), "%") in got or ("execution_rate", None, D("97.8"), "%") in got
    assert [k for k, *_ in got] == ["execution_rate", "arrival_rate", "score", "grade", "balance", "count", "count"]
    assert got[5][1:] == ("一级指标", D("3"), "项")
    assert all(c.kind in KINDS for c in read_claims(text))


def test_year_to_year_change():
    text = ("鄂城区2022年的“三公\"经费决算数合计为1000.86万,其中:因公出国(境)费0万元、公务用车购置费399.25万元。"
            "2021年的三公经费决算数合计为807.95万,其中:因公出国(境)费0万元。\n\n"
            "2022年“三公\"经费决算数相较于上年增加275.76万元,主要原因是:")
    found = check_claims(read_claims(text))
    assert [(f.kind, f.computed) for f in found] == [("change", "192.91")]


def test_rounding_tolerance():
    # 下降15%: 按所印数为 15.56%，但在所印金额的取整误差内可以得到（审计 notes）
    lo, hi = rate_interval(D("0.7"), D("4.5"), D("0.005"), D("0.01"))
    assert lo < D("15.5") < hi or lo < D("15.56") < hi


def test_sentences_keep_lines_and_do_not_glue_numbers():
    text = ("# 标题\n\n比去年增加\n1.55 万元，增长 39.4%。\n金额1,2\n34.56万元。\n\n"
            "| 项目 | 金额 |\n|---|---|\n| 合计 | 3 |\n")
    sentences = split_sentences(text)
    assert [s.text for s in sentences][:3] == ["标题", "比去年增加1.55 万元，增长 39.4%。", "金额1,2 34.56万元。"]
    s = sentences[1]
    assert s.line == 3 and s.line_at(s.text.index("1.55")) == 4
    assert [s.text for s in sentences if s.in_table] == ["项目", "金额", "合计", "3"]
    change = next(c for c in read_claims(text) if c.kind == "change")
    assert (change.value, change.line, change.base) == (D("1.55"), 4, "上年")
    values = [c.value for c in read_claims(text)]
    assert D("34.56") in values and D("1234.56") not in values


def test_semicolon_inside_parentheses_does_not_end_the_sentence():
    text = ("公务用车购置及运行费支出决算为 3.47 万元，完成预算 7 万元的 49.6%（其中：公务用车购置支出决算为 0 万元，"
            "完成预算 0 万元的 0%；公务用车运行费支出决算为 3.47 万元，完成预算 7 万元的 49.6%）；")
    assert len(split_sentences(text)) == 1
    claims = read_claims(text)
    assert check_claims(claims) == []
    assert [c.subject for c in claims if c.kind == "completion_rate"] == [
        "公务用车购置及运行费", "公务用车购置", "公务用车运行费"]
