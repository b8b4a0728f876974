"""Claims bound to report data (issue 14): changes against 上年决算, completion against 年初预算
and the 表7 budgets, shares of a named whole, indicator scores and counts, 节余; data fields;
the quiet count of unbound figures; and, on the public corpus, every disagreement is an audited
error."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, ROOT
from gongkai.claims.binding import bind, disagreeing
from gongkai.claims.reader import read_claims
from gongkai.cli.commands import main
from gongkai.engine.pipeline import evaluate
from gongkai.engine.project import builtin_kinds
from gongkai.site.pagecheck import claim_problems

SHENZHEN = ROOT / "data/2021/shenzhen-gsl"
GUIDE = ROOT / "content/guide/claims.md"


def _result(path: Path):
    return evaluate(path).scored


def _data(text: str, result) -> list[tuple[str, str, str]]:
    return [(p.path[-1], p.expected or "", p.found or "") for p in claim_problems(text, "x.md", 1, result)
            if p.code == "CLAIM_DATA"]


def test_the_guide_s_partial_final_accounts_example_checks_its_three_public_sentence(tmp_path):
    """The example of 正文中的数字 / 只录入了一部分的部门决算, as the guide prints it: only 表7 and
    one 上年决算 figure; the right sentence passes, the swapped shares are each reported."""
    guide = GUIDE.read_text(encoding="utf-8")
    section = guide[guide.index("## 只录入了一部分的部门决算"):]
    yaml_text = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    sentence = re.search(r"正文写“(.*?)”时", section, re.S).group(1).replace("\n", "")
    path = tmp_path / "final.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    result = _result(path)
    assert result is not None
    bound = bind(read_claims(sentence), builtin_kinds().of(result).claim_figures(result), "万元", 2022)
    assert {b.name for b in bound} >= {"三公经费", "三公经费完成预算", "三公经费比上年增减额", "三公经费比上年增减率",
                                       "公务用车购置及运行费占三公经费", "公务接待费占三公经费"}
    assert _data(sentence, result) == []
    swapped = sentence.replace("占70%", "占X%").replace("占30%", "占70%").replace("占X%", "占30%")
    assert _data(swapped, result) == [("公务用车购置及运行费占三公经费", "70%", "30%"),
                                      ("公务接待费占三公经费", "30%", "70%")]


def test_a_change_against_last_year_is_checked_with_its_direction():
    """深圳 2021: 一般公共预算财政拨款收入 2,961.99 against 上年决算 2,742.13 is +219.86, +8.0%."""
    final = _result(SHENZHEN / "final-accounts.yaml")
    right = "一般公共预算财政拨款收入2,961.99万元，比上年决算数增加219.86万元，增长8.0%。"
    assert _data(right, final) == []
    rate = "一般公共预算财政拨款收入比上年增减率"
    assert _data(right.replace("增长8.0%", "增长8.3%"), final) == [(rate, "增长8.0%", "增长8.3%")]
    wrong_way = right.replace("增加219.86", "减少219.86").replace("增长8.0%", "下降8.0%")
    assert _data(wrong_way, final) == [("一般公共预算财政拨款收入比上年增减额", "增加219.86万元", "减少219.86万元"),
                                       ("一般公共预算财政拨款收入比上年增减率", "增长8.0%", "下降8.0%")]


def test_completion_and_share_of_the_three_public_expenses():
    """深圳 2021 表7: 三公经费 3.95 of a 12.93 budget (30.5%); 公务接待费 0.47 is 11.9% of 3.95."""
    final = _result(SHENZHEN / "final-accounts.yaml")
    text = "“三公”经费支出3.95万元，完成预算的30.5%。其中：公务接待费0.47万元，占11.9%。"
    assert _data(text, final) == []
    wrong = text.replace("30.5%", "35.0%").replace("11.9%", "21.9%")
    assert _data(wrong, final) == [("三公经费完成预算", "30.5%", "35.0%"), ("公务接待费占三公经费", "11.9%", "21.9%")]


def test_indicator_scores_counts_and_balance_of_a_performance_report():
    """深圳 2021 附件12 (a12): 4 一级, 13 二级 and 28 三级 indicators; 产出 27 分; 节余 1.65 万元."""
    a12 = _result(SHENZHEN / "a12.yaml")
    right = "指标体系包括一级指标 4 项、二级指标 13 项、三级指标 28 项。产出指标得分27分。项目节余资金1.65万元。"
    assert _data(right, a12) == []
    wrong = right.replace("二级指标 13 项", "二级指标 12 项").replace("得分27分", "得分29分").replace("1.65", "1.56")
    assert _data(wrong, a12) == [("二级指标个数", "13项", "12项"), ("指标得分/产出", "27分", "29分"),
                                 ("节余", "1.65万元", "1.56万元")]
    # a count of part of the table, and a rate of another subject, are not bound
    assert _data("项目决策指标由 3 个二级指标和 6 个三级指标构成。人员经费执行率为80%。", a12) == []


def test_free_text_fields_of_a_final_accounts_file_are_read_at_their_line(tmp_path):
    """备注 stating a 三公 figure the data does not hold and a 情况说明 (the printed text) a
    completion rate it does not give (CLAIM_DATA), 概况 listing fewer units than it counts
    (CLAIM_MISMATCH), each at its own line."""
    text = (
        "类型: 部门决算\n年度: 2022\n部门: 某某局\n口径: 原文\n"
        "概况:\n  机构设置: 下属单位3个，即甲中心、乙站。\n"
        "原表:\n  表7:\n    预算数: {合计: 10, 公务接待费: 10}\n    决算数: {合计: 8, 公务接待费: 8}\n"
        "备注: 2022年“三公”经费支出8.5万元。\n"
        "情况说明: |\n  “三公”经费支出8万元，完成预算的60%。\n"
    )
    path = tmp_path / "final.yaml"
    path.write_text(text, encoding="utf-8")
    problems = evaluate(path).problems
    claims = sorted((p.code, p.line, p.path[0], p.severity) for p in problems if p.code.startswith("CLAIM_"))
    assert claims == [("CLAIM_DATA", 11, "备注", "finding"), ("CLAIM_DATA", 12, "情况说明", "finding"),
                      ("CLAIM_MISMATCH", 6, "概况", "finding")]


def test_check_counts_unbound_figures_quietly_and_lists_them_when_asked():
    plain = CliRunner().invoke(main, ["check", str(ROOT)])
    assert plain.exit_code == 0, plain.output
    tally = re.search(r"正文中的数字：读到 (\d+) 个，(\d+) 个与报告数据核对，(\d+) 个未能对应到数据", plain.output)
    assert tally and int(tally.group(2)) >= 50 and int(tally.group(3)) > 0
    assert "CLAIM_UNBOUND" not in plain.output
    listed = CliRunner().invoke(main, ["check", "--claims", "--format", "json", str(ROOT)])
    assert listed.exit_code == 0
    notes = [p for p in json.loads(listed.output)["problems"] if p["code"] == "CLAIM_UNBOUND"]
    assert notes and all(p["severity"] == "info" and p["file"].startswith("content/") for p in notes)


def _audit(folder: Path) -> list[dict]:
    return json.loads((folder / "audit.json").read_text(encoding="utf-8"))["findings"]


CORPUS = sorted(p for p in (FIXTURES / "public").iterdir()
                if (p / "source.md").is_file() and (p / "data.yaml").is_file())


def test_on_the_public_corpus_every_disagreement_with_the_data_is_an_audited_error():
    """Each document's prose bound to its own transcribed data: nothing disagrees but the audited
    prose errors (寿县文物 2023: 43% for 57%, the swapped 69%/31%, 47% for 53%; 昌宁 2015: a rise printed
    as 减少3.51/下降0.2%, 437.7% for 439.5%, 6.1% for 6.0%, in the prose and again in its table, and the
    table's 2.40% for 2.37%)."""
    bound_total = 0
    reported = []
    for folder in CORPUS:
        result = _result(folder / "data.yaml")
        if result is None:
            continue
        claims = read_claims((folder / "source.md").read_text(encoding="utf-8"))
        bound = bind(claims, builtin_kinds().of(result).claim_figures(result), result.report.unit,
                     getattr(result.report, "year", None))
        bound_total += len(bound)
        for b in disagreeing(bound):
            printed = f"{b.claim.printed}%" if b.claim.unit == "%" else b.claim.printed
            said = re.sub(r"\s|[（(]第\d+段[)）]", "", b.claim.sentence)
            audited = [f for f in _audit(folder)
                       if printed == f["printed"] and said in re.sub(r"\s", "", f["sentence"])]
            reported.append((folder.name, printed, bool(audited)))
    print(f"public corpus: {len(CORPUS)} documents, {bound_total} figures bound to data, {len(reported)} differ")
    assert bound_total >= 150
    assert all(audited for *_, audited in reported), reported
    assert sorted(p for _, p, _ in reported) == ["0.2%", "2.40%", "3.51", "31%", "43%", "437.7%", "437.7%", "47%",
                                                 "6.1%", "6.1%", "69%"]


@pytest.mark.parametrize("text", ["2020年“三公”经费支出5万元。", "培训费支出12.34万元。",
                                  "一般公共预算财政拨款收入增加5万元。"])
def test_what_cannot_be_bound_says_nothing(text):
    """Another year, a subject the report has no figure for, a change with no stated base."""
    assert _data(text, _result(SHENZHEN / "final-accounts.yaml")) == []


def test_a_generated_final_accounts_page_prints_the_filed_statement_and_remark(tmp_path):
    """A 部门决算 with no page of its own: its 情况说明 (as printed) stands in 第三部分 in place
    of the sentences gongkai would write, its 备注 at the end; the page's 核对说明 notes the wrong rate."""
    from sitebuild import make_project, mkdocs_build

    text = ("类型: 部门决算\n年度: 2022\n部门: 某某局\n口径: 原文\n"
            "原表:\n  表7:\n    预算数: {合计: 10, 公务接待费: 10}\n    决算数: {合计: 8, 公务接待费: 8}\n"
            "情况说明: |\n  “三公”经费支出8万元，完成预算的60%。\n备注: 照印发文本录入。\n")
    project = make_project(tmp_path / "p", {"data/2022/mou/final.yaml": text})
    built = mkdocs_build(project, tmp_path / "site")
    assert built.returncode == 0, built.stderr
    page = next((tmp_path / "site").rglob("final/index.html")).read_text(encoding="utf-8")
    assert "完成预算的60%" in page and "照印发文本录入。" in page
    assert "本年度总收入" not in page  # the sentences gongkai would write are not put beside the filed text
    notes = page[page.index("核对说明"):]
    assert "完成预算为 60%，数据中为 80%" in notes  # the finding, numbered in the page's 核对说明


def test_a_named_last_year_a_compared_figure_and_a_table_budget_are_bound(tmp_path):
    """“较2014年决算数1953.72万元减少3.51万元” in a 2015 report is against 上年决算 (and the wrong
    direction is reported); the compared figure itself is checked against 上年决算; “完成年初预算的”
    uses 表7's 预算数 when the data names no 年初预算; 公务车/公务接待经费 name the 表7 rows."""
    text = ("类型: 部门决算\n年度: 2015\n部门: 某县\n口径: 原文\n原表:\n  表7:\n"
            "    预算数: {合计: 77, 公务接待费: 35, 公务用车购置及运行费: 42}\n"
            "    决算数: {合计: 1957.23, 公务接待费: 918.5, 公务用车购置及运行费: 41.9}\n"
            "上年决算: {三公经费: 1953.72, 公务接待费: 977.3}\n")
    path = tmp_path / "final.yaml"
    path.write_text(text, encoding="utf-8")
    result = _result(path)
    right = ("2015年“三公”经费决算支出数为1957.23万元,较2014年决算数1953.72万元增加3.51万元,增长0.2%。"
             "公务接待经费支出918.5万元,较上年977.3万元减少58.8万元,下降6.0%。"
             "公务车购置及运行维护费支出决算为41.9万元,完成年初预算的99.76%。")
    assert _data(right, result) == []
    wrong = right.replace("增加3.51", "减少3.51").replace("增长0.2", "下降0.2").replace("977.3万元", "967.3万元") \
        .replace("99.76", "98.76")
    assert _data(wrong, result) == [("三公经费比上年增减额", "增加3.51万元", "减少3.51万元"),
                                    ("三公经费比上年增减率", "增长0.2%", "下降0.2%"),
                                    ("上年决算/公务接待费", "977.3万元", "967.3万元"),
                                    ("公务用车购置及运行费完成年初预算", "99.76%", "98.76%")]
