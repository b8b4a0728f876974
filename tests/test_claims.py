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


# ---- phrasings met in the 2015–2023 “三公” documents added in corpus round 14 -----------------------


def _found(text):
    return [(f.kind, f.claim.printed, f.computed) for f in check_claims(read_claims(text))]


def test_an_opening_comparison_word_is_not_the_comparison():
    """焦石镇 2020: “经比较2020年度镇本级“三公”经费41万元,较上年减少19万元,下降43.78%”."""
    text = "经比较2020年度镇本级“三公”经费41万元,较上年减少19万元,下降43.78% ,较年初预算数减少4万元,下降2.2%。"
    assert read_claims(text)[0].subject == "“三公”经费"
    assert _found(text) == [("change_rate", "43.78", "31.67%"), ("change_rate", "2.2", "8.9%")]
    assert _found(text.replace("43.78", "31.67").replace("2.2%", "8.9%")) == []


def test_the_figure_compared_with_is_not_the_subject_s_own():
    """迪庆 2021: “较上年1174万元减少40万元,下降3%,较预算数1237万元减少103万元,下降8%”."""
    text = ("公务接待费为122万元,较上年144万元减少22万元,下降15%,较预算数339万元减少217万元,下降64%,"
            "全年国内公务接待批次为1039次。")
    claims = read_claims(text)
    assert [(c.value, c.base) for c in claims if c.kind == "amount"] == [
        (D(122), None), (D(144), "上年"), (D(339), "预算")]
    assert check_claims(claims) == []
    assert _found(text.replace("下降15%", "下降13%")) == [("change_rate", "13", "15%")]


def test_an_amount_after_the_compared_figure_is_the_change():
    """云县 2023 prints no verb: “较2022年决算数688.84万元131.49万元,增长19.09%”."""
    text = "决算支出数为820.33万元,完成年初预算数的98.59%,较2022年决算数688.84万元131.49万元,增长19.09%。"
    claims = read_claims("云县2023“三公”经费预算数为832.05万元," + text)
    change = next(c for c in claims if c.value == D("131.49"))
    assert (change.kind, change.direction, change.base, change.subject) == ("change", "增加", "2022年", "“三公”经费")
    assert check_claims(claims) == []
    assert _found("“三公”经费" + text.replace("19.09%", "23.59%")) == [("change_rate", "23.59", "19.09%")]


def test_a_bare_zeng_is_a_rise():
    """昌宁 2015: “因公出国(境)费65.98万元,增加53.75万元,增437.7%”."""
    claims = read_claims("因公出国(境)费65.98万元,增加53.75万元,增437.7%,主要是……")
    rate = claims[-1]
    assert (rate.kind, rate.direction, rate.value) == ("change_rate", "增", D("437.7"))
    assert [(f.kind, f.computed) for f in check_claims(claims)] == [("change_rate", "439.5%")]


def test_a_missing_comma_after_chiping_does_not_hide_the_next_subject():
    """云县 2023: “与上年持平公务接待费预算数为310.37万元,决算支出数为249.29万元”."""
    claims = read_claims("因公出国(境)费预算数为0万元,决算支出数为0万元,与上年持平公务接待费预算数为310.37万元,"
                         "决算支出数为249.29万元。")
    assert [(c.subject, c.value, c.stage) for c in claims if c.kind == "amount"] == [
        ("因公出国（境）费", D(0), "预算"), ("因公出国（境）费", D(0), "决算"),
        ("公务接待费", D("310.37"), "预算"), ("公务接待费", D("249.29"), "决算")]


def test_a_nested_list_continues_past_its_semicolon():
    """云县 2023: 车辆费“其中:运行维护费…;购置费…”, inside the 三公 list: no false sum."""
    text = ("云县“三公”经费决算支出数为820.33万元。其中:公务接待费决算支出数为249.29万元,"
            "公务用车购置及运行维护费决算支出数为571.04万元,其中:公务用车运行维护费决算支出数为507.98万元;公务用车购置费决算支出数为63.06万元")
    claims = read_claims(text)
    assert [c.parent for c in claims if c.subject == "公务用车购置费"] == ["公务用车购置及运行维护费"]
    assert check_claims(claims) == []


def test_a_change_against_a_named_year_is_checked_with_its_direction():
    """昌宁 2015: 1957.23 against 1953.72 is a rise of 3.51, printed “减少3.51万元,下降0.2%”."""
    text = "2015年县本级“三公”经费决算支出数为1957.23万元,较2014年决算数1953.72万元减少3.51万元,下降0.2%。"
    claims = read_claims(text)
    assert [(c.kind, c.year, c.base) for c in claims] == [
        ("amount", "2015", None), ("amount", "2015", "2014年"), ("change", "2015", "2014年"),
        ("change_rate", "2015", "2014年")]
    assert _found(text) == [("change", "3.51", "3.51"), ("change_rate", "0.2", "增长")]
    assert _found(text.replace("减少", "增加").replace("下降", "增长")) == []


COMPARISON_TABLE = """单位:万元

| 项 目 | 2014年决算数 | 2015年决算数 | 2015年决算比上年增、减情况：增、减额 | 增、减幅度 |
|---|---|---|---|---|
| 合 计 | 1953.72 | 1957.23 | -3.51 | -0.2% |
| 2、公务接待费 | 977.3 | 918.5 | -58.8 | -6.1% |
| (2)公务用车购置 | 46 | 32.76 | -13.24 | -28.8% |
"""


def test_the_rows_of_a_year_on_year_table_are_read_and_checked():
    """昌宁 2015 统计表: each row's two 决算数, 增减额 and 增减幅度; 合计 printed as a fall is a rise,
    公务接待费 −6.1% is −6.0%; 公务用车购置 −28.8% is right."""
    claims = read_claims(COMPARISON_TABLE)
    rows = [(c.kind, c.subject, c.value, c.direction, c.base, c.year) for c in claims if c.subject == "公务接待费"]
    assert rows == [("amount", "公务接待费", D("977.3"), None, "上年", "2014"),
                    ("amount", "公务接待费", D("918.5"), None, None, "2015"),
                    ("change", "公务接待费", D("58.8"), "减少", "上年", "2015"),
                    ("change_rate", "公务接待费", D("6.1"), "下降", "上年", "2015")]
    assert sorted((f.claim.subject, f.kind, f.computed) for f in check_claims(claims)) == [
        ("公务接待费", "change_rate", "6.0%"), ("合计", "change", "3.51"), ("合计", "change_rate", "增长")]
    assert read_claims(COMPARISON_TABLE.replace("单位:万元", "")) == []  # no unit printed: not read
