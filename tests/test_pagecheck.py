"""``gongkai check`` covers a project's pages without building the site (issue 14): template
errors and unbound references (PAGE_TEMPLATE), and the figures of the prose checked among
themselves (CLAIM_MISMATCH), each at its page and line. The prose is a real 情况说明 sentence
(寿县文物保护中心 2023, tests/fixtures/public/anhui-shouxian-2023-wenwu-sangong-final-accounts):
“完成预算的43%” where 1.71 ÷ 3 gives 57%."""

from __future__ import annotations

from click.testing import CliRunner

from gongkai.cli.commands import main
from gongkai.engine.project import Project
from gongkai.site.pagecheck import check_pages, claim_problems
from sitebuild import make_project, sample_text

REPORT = "data/2021/x/a02.yaml"
WRONG = (
    "安徽省寿县文物保护中心2023年度一般公共预算财政拨款“三公”经费支出预算为3万元,支出决算为1.71万元,"
    "完成预算的43%,较上年减少1.29万元,下降43%。"
)
RIGHT = WRONG.replace("完成预算的43%", "完成预算的57%")


def page(body: str) -> str:
    return f"---\n数据: {REPORT}\n---\n\n# {{{{ 名称 }}}}\n\n{body}\n"


def test_a_misspelt_name_in_a_page_is_found_by_check_at_its_line(tmp_path):
    project = make_project(tmp_path / "p", {REPORT: sample_text()}, {"2021/x/a02.md": page("总分 {{ 总份 }}。")})
    result = CliRunner().invoke(main, ["check", str(project)])
    assert result.exit_code == 1, result.output
    assert "content/2021/x/a02.md:7: PAGE_TEMPLATE [错误]" in result.output and "总份" in result.output
    assert not (project / "site").exists()  # nothing was built


def test_a_figure_of_the_prose_that_its_own_amounts_contradict_is_found(tmp_path):
    project = make_project(tmp_path / "p", {REPORT: sample_text()}, {"2021/x/a02.md": page(WRONG)})
    found = [p for p in check_pages(Project.load(project)) if p.code == "CLAIM_MISMATCH"]
    assert [(p.file, p.line, p.severity, p.found) for p in found] == [("content/2021/x/a02.md", 7, "warning", "43%")]
    assert "57" in (found[0].expected or "")
    result = CliRunner().invoke(main, ["check", "--strict", str(project)])
    assert result.exit_code == 1 and "CLAIM_MISMATCH" in result.output


def test_a_transcribed_report_s_prose_gives_a_finding_and_a_right_sentence_nothing(tmp_path):
    transcribed = sample_text().replace("口径: 编制\n", "口径: 原文\n", 1)
    project = make_project(tmp_path / "p", {REPORT: transcribed}, {"2021/x/a02.md": page(WRONG)})
    found = [p for p in check_pages(Project.load(project)) if p.code == "CLAIM_MISMATCH"]
    assert [p.severity for p in found] == ["finding"]
    assert claim_problems(RIGHT, "x.md") == []


def test_a_figure_of_the_prose_is_checked_against_the_report_s_data(tmp_path):
    """Bound through its subject, at the decimals it prints: the report's own 预算执行率
    (73.96 ÷ 75.60 = 97.83%), and the 部门决算's “三公”经费 and 公务接待费 (深圳 2021, as printed)."""
    from conftest import ROOT
    from gongkai.engine.pipeline import evaluate

    a02 = evaluate(ROOT / "data/2021/shenzhen-gsl/a02.yaml").scored
    assert claim_problems("项目预算执行率为97.8%。", "x.md", 1, a02) == []
    [wrong] = claim_problems("项目预算执行率为95.8%。", "x.md", 3, a02)
    assert (wrong.code, wrong.line, wrong.expected, wrong.found) == ("CLAIM_DATA", 3, "97.8%", "95.8%")
    final = evaluate(ROOT / "data/2021/shenzhen-gsl/final-accounts.yaml").scored
    right = "2021年“三公”经费财政拨款支出决算为3.95万元，其中：公务接待费支出0.47万元。"
    assert claim_problems(right, "x.md", 1, final) == []
    wrong_text = right.replace("3.95", "3.59").replace("0.47", "0.49")
    found = claim_problems(wrong_text, "x.md", 1, final)
    assert sorted((p.path[-1], p.found) for p in found) == [("三公经费", "3.59万元"), ("公务接待费", "0.49万元")]
    # a subject the report has no figure for is not bound: nothing is said
    assert claim_problems("培训费支出12.34万元。", "x.md", 1, final) == []


def test_cite_offers_then_writes_references_for_checked_figures_only(tmp_path):
    """``gongkai cite``: the checked 97.8% becomes the template reference; the wrong 95.8% stays
    text (CLAIM_DATA reports it); the page reads exactly as before; without --write nothing changes."""
    text = page("项目预算执行率为97.8%。\n\n另一处写错：预算执行率为95.8%。")
    project = make_project(tmp_path / "p", {REPORT: sample_text()}, {"2021/x/a02.md": text})
    md = project / "content" / "2021" / "x" / "a02.md"
    offered = CliRunner().invoke(main, ["cite", str(project)])
    assert offered.exit_code == 0, offered.output
    assert "content/2021/x/a02.md:7: “97.8%” → {{ 资金.执行率 | 百分比(1) }}（预算执行率）" in offered.output
    assert md.read_text(encoding="utf-8") == text
    written = CliRunner().invoke(main, ["cite", "--write", str(project)])
    assert written.exit_code == 0 and "已替换 1 处数字" in written.output
    after = md.read_text(encoding="utf-8")
    assert after == text.replace("97.8%", "{{ 资金.执行率 | 百分比(1) }}", 1) and "95.8%" in after
    assert "没有可以替换的数字" in CliRunner().invoke(main, ["cite", str(project)]).output


def test_the_seed_narratives_of_the_example_site_raise_no_false_alarm():
    """The example site's report pages carry the seeds' own prose (深圳 2021 附件 1 and 12, the
    部门决算's 情况说明, 乌鲁木齐 2022): every claim read in them is consistent or unbound."""
    from conftest import ROOT
    from gongkai.claims.reader import read_claims
    from gongkai.site.config import load_site

    project = load_site(ROOT).project
    problems = check_pages(project)
    assert [p.human() for p in problems if p.code.startswith("CLAIM_")] == []
    pages = [p for p in (ROOT / "content").rglob("*.md") if "guide" not in p.parts]
    assert sum(len(read_claims(p.read_text(encoding="utf-8"))) for p in pages) >= 100  # they were read
