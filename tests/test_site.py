"""The built website: every total and grade it shows, its open data, that it works offline,
its Chinese search, and that data and pages cannot inject HTML, links or template code.

The project's site is built once per test session (shared by the xdist workers) into a
temporary folder with ``mkdocs build -q -d DIR``; the XSS and template tests build tiny
projects of their own."""

from __future__ import annotations

import csv
import fcntl
import html
import io
import json
import os
import re
import shutil
import subprocess
import threading
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path, PurePosixPath

import pytest

from conftest import ROOT
from gongkai.engine.output import score_json
from gongkai.engine.pipeline import evaluate
from gongkai.performance.kind import PERFORMANCE
from gongkai.render.public_yaml import without_comments
from sitebuild import (
    CHROMIUM_FLAGS,
    SearchIndex,
    article,
    chromium_netlog,
    load_netlog,
    make_project,
    mkdocs_build,
    netlog_violations,
    remote_references,
    replace_once,
    sample_text,
    scan,
)

DATA = ROOT / "data"


# ---- the project's site, built once --------------------------------------------------------


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The project's site, built once per test session (shared by the xdist workers)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # pytest-N/, common to the workers of this session
    out, status = base / "gongkai-site", base / "gongkai-site.status"
    with (base / "gongkai-site.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not status.exists():
            proc = mkdocs_build(ROOT, out)
            status.write_text(f"{proc.returncode}\n{proc.stderr[-4000:]}", encoding="utf-8")
    code, _, stderr = status.read_text(encoding="utf-8").partition("\n")
    assert code == "0", f"mkdocs build 失败：\n{stderr}"
    assert (out / "index.html").is_file()
    return out


def data_files(final: bool = False) -> list[str]:
    """Every scored report data file under data/ (data/rulesets/ holds rulesets, not reports);
    with ``final``, the 部门决算 files instead (they have tables, not a total and a grade)."""
    files = [
        p
        for p in DATA.rglob("*")
        if p.suffix in (".yaml", ".yml") and p.is_file() and "rulesets" not in p.relative_to(DATA).parts
    ]
    rels = sorted(f.relative_to(ROOT).as_posix() for f in files)
    return [r for r in rels if is_final(r) == final]


def is_final(rel: str) -> bool:
    from gongkai.final_accounts.evaluate import FinalResult

    return isinstance(result_for(rel).scored, FinalResult)


_RESULTS: dict = {}
_LOCK = threading.Lock()


def result_for(rel: str):
    """The pipeline's result for a project data file (relative posix path), cached."""
    with _LOCK:
        if rel not in _RESULTS:
            _RESULTS[rel] = evaluate(ROOT / rel, rel)
        return _RESULTS[rel]


@pytest.fixture(scope="session")
def site_map(site) -> dict:
    """Every built HTML page scanned once, and which data file each report page shows."""
    pages, reports = {}, {}
    for path in sorted(site.rglob("*.html")):
        url = path.relative_to(site).as_posix()
        pages[url] = scan(path)
        yamls = sorted({h for h in pages[url].downloads if h.endswith(".yaml")})
        if not yamls:
            continue
        assert len(yamls) == 1, f"{url} 有多个 YAML 下载：{yamls}"
        page_dir = path.parent
        yaml_file = (page_dir / yamls[0]).resolve()
        jsons = sorted({h for h in pages[url].downloads if h.endswith(".json")})
        csvs = sorted({h for h in pages[url].downloads if h.endswith(".csv")})
        assert len(jsons) == 1 and len(csvs) == 1, f"{url} 应各有一个 JSON 和 CSV 下载：{pages[url].downloads}"
        reports[url] = {
            "yaml": yaml_file,
            "json": (page_dir / jsons[0]).resolve(),
            "csv": (page_dir / csvs[0]).resolve(),
        }
    return {"pages": pages, "reports": reports}


def report_data_file(info: dict) -> str:
    """The project data file behind a report page: named in its JSON download, and the
    YAML download must be a byte copy of it without its comments."""
    assert info["yaml"].is_file(), f"YAML 下载不存在：{info['yaml']}"
    assert info["json"].is_file(), f"JSON 下载不存在：{info['json']}"
    downloaded = json.loads(info["json"].read_text(encoding="utf-8"))
    rel = downloaded["计算结果"]["file"]
    assert (ROOT / rel).is_file(), f"JSON 下载里的 file 指向不存在的文件：{rel}"
    published = info["yaml"].read_bytes()
    assert published == without_comments((ROOT / rel).read_bytes()), f"{info['yaml']} 与去掉注释的 {rel} 不同"
    same = [f for f in data_files() + data_files(final=True) if without_comments((ROOT / f).read_bytes()) == published]
    assert rel in same, f"YAML 下载的内容与 {rel} 不同"
    return rel


def page_of(url: str) -> str:
    """``2021/x/a02/index.html`` → ``2021/x/a02/`` (the page's directory URL)."""
    return str(PurePosixPath(url).parent) + "/" if PurePosixPath(url).name == "index.html" else url


def check_rate(url: str, mark, rel: str | None) -> None:
    """An execution rate shown as a percentage: the funds' rate, rounded half up to 0.01%."""
    assert rel is not None, f"{url} 第 {mark.line} 行的执行率不属于任何报告"
    sr = result_for(rel).scored
    funds = sr.funds
    filed = funds.filed_rate(sr.report.funds) if funds is not None else None
    if filed is not None and sr.basis != "编制" and (sr.basis == "原文" or funds.rate is None):
        assert mark.text == filed, f"{url} 第 {mark.line} 行（{rel}）显示执行率 {mark.text}，印发为 {filed}"
        return
    if funds is None or funds.rate is None:
        assert mark.text in ("", "—"), f"{url}: {rel} 没有资金执行率，页面却显示了 {mark.text}"
        return
    assert mark.text.endswith("%"), f"{url}: 执行率 {mark.text!r} 应为百分数"
    shown = Decimal(mark.text[:-1])
    expected = (funds.rate * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert shown == expected, f"{url} 第 {mark.line} 行（{rel}）显示执行率 {mark.text}，计算为 {expected}%"


def shown_on_page(sr) -> tuple:
    """(总分, 等级) as a report page shows them: in the report's 口径 (filed on a transcription)."""
    return sr.total_figure.shown(sr.basis)[0], sr.grade_figure.shown(sr.basis)[0]


def listed(sr) -> tuple:
    """(总分, 等级) as the index pages list them (the kind's standing)."""
    standing = PERFORMANCE.standing(sr)
    return standing.total, standing.grade


# ---- 1. totals, grades and open data --------------------------------------------------------


def test_totals(site, site_map):
    """Every total and grade shown anywhere equals the pipeline's, for the right data file."""
    checked_pages, checked_rows, on_report_page, on_overview = set(), 0, set(), set()
    marks_seen = 0
    for url, page in site_map["pages"].items():
        report = site_map["reports"].get(url)
        page_file = report_data_file(report) if report else None
        for mark in page.marks:
            if mark.kind == "执行率":
                check_rate(url, mark, mark.row_file or page_file)
                continue
            if mark.kind not in ("总分", "等级"):
                continue
            rel = mark.row_file or page_file
            assert rel is not None, f"{url} 第 {mark.line} 行的 {mark} 不在报告页上，也不在带 data-gk-file 的行里"
            assert (ROOT / rel).is_file(), f"{url}: data-gk-file 指向不存在的文件 {rel}"
            result = result_for(rel)
            assert result.scored is not None, f"{rel} 无法计分：{result.problems}"
            sr = result.scored
            where = f"{url} 第 {mark.line} 行（{rel}）"
            total, grade = listed(sr) if mark.row_file else shown_on_page(sr)
            if mark.kind == "总分":
                if total is None:
                    assert mark.text in ("未评分", "未印总分", "无总分", "部分评分，无总分", "—", ""), where
                else:
                    assert re.fullmatch(r"-?\d+(\.\d+)?", mark.text), f"{where} 总分不是数字：{mark.text!r}"
                    assert Decimal(mark.text) == total, f"{where} 显示总分 {mark.text}，应为 {total}"
            else:
                assert mark.text in ({grade} if grade else {"—", ""}), f"{where} 显示等级 {mark.text!r}，应为 {grade!r}"
            marks_seen += 1
            if mark.row_file:
                checked_rows += 1
                if url == "overview/index.html":
                    on_overview.add(rel)
            else:
                on_report_page.add(rel)
            checked_pages.add(url)
    every = set(data_files())
    assert every, "data/ 下没有数据文件"
    assert on_report_page == every, f"没有在报告页上核对到：{sorted(every - on_report_page)}"
    assert on_overview == every, f"总览页缺少：{sorted(every - on_overview)}"
    assert len(site_map["reports"]) == len(every) + len(data_files(final=True)), "报告页的个数应等于数据文件的个数"
    # Each report appears on its page, the overview, its year and its department at least.
    assert checked_rows >= 3 * 2 * len(every)
    assert len(checked_pages) >= len(every) + 1 + 2
    assert marks_seen >= 2 * 4 * len(every)


def test_index_pages_list_every_report(site, site_map):
    """Year and department pages list exactly the reports of their year / department."""
    pages = site_map["pages"]
    every = data_files()
    by_year, by_dept = {}, {}
    for rel in every:
        sr = result_for(rel).scored
        by_year.setdefault(str(sr.report.year), set()).add(rel)
        by_dept.setdefault(PurePosixPath(rel).parent.name, set()).add(rel)
    for year, files in by_year.items():
        shown = {m.row_file for m in pages[f"years/{year}/index.html"].marks if m.row_file}
        assert shown == files, f"years/{year}/"
    for dept, files in by_dept.items():
        shown = {m.row_file for m in pages[f"departments/{dept}/index.html"].marks if m.row_file}
        assert shown == files, f"departments/{dept}/"


def test_open_data(site, site_map):
    """JSON download: 计算结果 is exactly ``gongkai score``'s JSON; CSV: one row per leaf."""
    assert site_map["reports"]
    for url, info in site_map["reports"].items():
        rel = report_data_file(info)
        if is_final(rel):
            continue  # test_final_accounts_pages_and_downloads
        sr = result_for(rel).scored
        downloaded = json.loads(info["json"].read_text(encoding="utf-8"))
        assert downloaded["计算结果"] == score_json(sr), f"{url}: JSON 下载的计算结果与 gongkai score 不同"
        assert "数据" in downloaded
        computed = score_json(sr)
        leaves = len(computed["indicators"]) + sum(len(g["indicators"]) for g in computed.get("goals", []))
        raw = info["csv"].read_bytes()
        assert raw.startswith("\ufeff".encode()), f"{url}: CSV 应以 BOM 开头（Excel 打开不乱码）"
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        assert rows and "印发得分" in rows[0] and "计算得分" in rows[0], f"{url}: CSV 没有表头"
        funds = 1 if (computed.get("funds") or {}).get("weight") is not None else 0  # the scored funds' own row
        expected = f"{funds} 行资金和 {leaves} 行指标"
        assert len(rows) == 1 + funds + leaves, f"{url}: CSV 有 {len(rows) - 1} 行，应为 {expected}"
        assert all(len(r) == len(rows[0]) for r in rows), f"{url}: CSV 各行列数不同"


def test_final_accounts_pages_and_downloads(site, site_map):
    """部门决算 pages show the derived totals; their JSON, CSV and Excel downloads hold the nine tables."""
    from gongkai.final_accounts import workbook
    from gongkai.render.final_opendata import final_json_bytes

    finals = data_files(final=True)
    assert finals, "示例中应有部门决算"
    seen = set()
    for url, info in site_map["reports"].items():
        rel = report_data_file(info)
        if rel not in finals:
            continue
        fr = result_for(rel).scored
        marks = {m.kind: m.text for m in site_map["pages"][url].marks}
        assert Decimal(marks["本年收入合计"].replace(",", "")) == fr.totals["本年收入合计"], url
        assert Decimal(marks["本年支出合计"].replace(",", "")) == fr.totals["本年支出合计"], url
        downloaded = json.loads(info["json"].read_text(encoding="utf-8"))
        assert downloaded["计算结果"] == json.loads(final_json_bytes(fr))["计算结果"]
        rows = list(csv.reader(io.StringIO(info["csv"].read_bytes().decode("utf-8-sig"), newline="")))
        figures = sum(
            1 for t in fr.tables for side in t.sides for line in side.lines for v in line.values if v is not None
        )
        assert len(rows) == 1 + figures
        xlsx = info["json"].with_suffix(".xlsx")
        printed, _, problems = workbook.read(xlsx.read_bytes(), str(xlsx))
        assert problems == [] and len(printed) == 9
        seen.add(rel)
    assert seen == set(finals)


# ---- 2. offline ---------------------------------------------------------------------------


def test_no_remote_references(site):
    """No built HTML/CSS/JS loads anything from the network (plain <a href> links aside)."""
    found = remote_references(site)
    assert not found, "网站引用了外部资源：\n" + "\n".join(found[:50])


def _chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.skip("找不到 chromium（make test 会通过 apt 安装它）：无法在浏览器中检查离线")
    return found


CANARY = """<!doctype html><html><head><meta charset="utf-8">
<link rel="preconnect" href="https://pre.gk-canary.invalid">
<link rel="stylesheet" href="https://css.gk-canary.invalid/a.css">
<style>@import url("https://imp.gk-canary.invalid/b.css"); \
body { background: url(https://bg.gk-canary.invalid/c.png) }</style>
<script src="http://js.gk-canary.invalid/d.js"></script>
</head><body><h1>canary</h1><img src="https://img.gk-canary.invalid/e.png">
<script>fetch("https://fetch.gk-canary.invalid/f").catch(() => {});
try { new WebSocket("ws://ws.gk-canary.invalid/g") } catch (e) {}</script>
</body></html>
"""


def test_netlog_detects_remote_requests(tmp_path):
    """The NetLog check itself: a page that loads from the network is caught, every way."""
    chromium = _chromium()
    page = tmp_path / "canary.html"
    page.write_text(CANARY, encoding="utf-8")
    dom, netlog = chromium_netlog(chromium, page.as_uri(), tmp_path / "chromium")
    assert "canary" in dom
    violations, _ = netlog_violations(netlog)
    text = "\n".join(violations)
    for host in ("css", "imp", "bg", "js", "img", "fetch", "ws"):
        assert f"{host}.gk-canary.invalid" in text, f"NetLog 检查没有发现 {host}.gk-canary.invalid：\n{text}"
    # A preconnect is only logged as a host resolution, which the resolver rule renames.
    assert "pre.gk-canary.invalid" in text or "~notfound (page)" in text, text


def test_netlog_repair(tmp_path):
    """A NetLog cut short (Chromium killed) is completed rather than rejected."""
    whole = {"constants": {}, "events": [{"params": {"url": "https://a.example/"}}, {"params": {"url": "file:///x"}}]}
    text = json.dumps(whole)
    path = tmp_path / "net.json"
    path.write_text(
        '{"constants": {},\n"events": [\n'
        + json.dumps(whole["events"][0])
        + ",\n"
        + json.dumps(whole["events"][1])
        + ",\n",
        encoding="utf-8",
    )
    assert load_netlog(path)["events"] == whole["events"]
    path.write_text(
        '{"constants": {},\n"events": [\n' + json.dumps(whole["events"][0]) + ",\n" + '{"params": {"ur',
        encoding="utf-8",
    )
    assert load_netlog(path)["events"] == whole["events"][:1]
    path.write_text(text, encoding="utf-8")
    assert netlog_violations(load_netlog(path))[0] == ["url=https://a.example/"]


OFFLINE_PAGES = {
    "index.html": "绩效与决算公开",
    "2021/shenzhen-gsl/a02/index.html": 'data-gk="总分"',
    "overview/index.html": "data-gk-file",
}


def test_site_makes_no_network_requests(site, tmp_path):
    """Opened from disk in Chromium, the home page, a report and the overview request
    nothing off this machine (everything is file:, data:, blob:, about: or chrome:)."""
    chromium = _chromium()
    results, errors = {}, []

    def run(i, rel):
        try:
            results[rel] = chromium_netlog(chromium, (site / rel).as_uri(), tmp_path / f"chromium{i}")
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(f"{rel}: {exc}")

    threads = [threading.Thread(target=run, args=(i, rel)) for i, rel in enumerate(OFFLINE_PAGES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, "\n".join(errors)
    for rel, marker in OFFLINE_PAGES.items():
        dom, netlog = results[rel]
        assert marker in dom, f"Chromium 没有打开 {rel}（DOM 中没有 {marker!r}）"
        assert netlog.get("events"), f"{rel}: NetLog 为空"
        violations, _ = netlog_violations(netlog)
        assert not violations, f"{rel} 向外发出了请求：\n" + "\n".join(violations)


# ---- 2b. on a phone ---------------------------------------------------------------------------

MEASURE = """<script>
(() => {
  const w = document.documentElement.clientWidth;
  const out = {width: w, scores: 0, off: [], wide: [], captions: []};
  const cut = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && (r.left < -0.5 || r.right > w + 0.5);
  };
  for (const el of document.querySelectorAll(
      "table.gk-indicators td.gk-score, table.gk-funds td.gk-score, [data-gk='总分'], [data-gk='等级']")) {
    out.scores += 1;
    if (cut(el)) out.off.push(el.textContent.trim());
  }
  for (const t of document.querySelectorAll("table.gk-indicators, table.gk-funds, table.gk-head-block")) {
    if (cut(t) || t.scrollWidth > t.clientWidth + 1) out.wide.push(t.className);
  }
  for (const c of document.querySelectorAll("table.gk-table caption")) {
    if (cut(c)) out.captions.push(c.textContent.trim());
  }
  parent.postMessage(JSON.stringify(out), "*");
})();
</script>"""

# Headless Chromium's window is at least 500 px wide: the page is measured in a frame of the width
# wanted (its own viewport, so the page's media queries see that width), and reports back by message.
FRAME = """<!doctype html><html><body style="margin:0">
<iframe src="{src}" width="{width}" height="844" style="border:0"></iframe>
<script>addEventListener("message", (e) => {{
  const pre = document.createElement("pre"); pre.id = "gk-measure"; pre.textContent = e.data; document.body.append(pre);
}});</script></body></html>"""


def measured(chromium: str, page: Path, work: Path, width: int) -> dict:
    """Open a built page with the measuring script in a ``width`` px wide window; what it found."""
    probe = page.with_name(f"measure-{width}.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    frame = page.with_name(f"measure-frame-{width}.html")
    frame.write_text(FRAME.format(src=probe.name, width=width), encoding="utf-8")
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={work}", "--window-size=1400,900", "--dump-dom",
               frame.as_uri()]  # fmt: skip
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120).stdout
    found = re.search(r'<pre id="gk-measure">(.*?)</pre>', dom, re.S)
    assert found, f"Chromium 没有运行测量脚本：{dom[-500:]}"
    measured = json.loads(html.unescape(found.group(1)))
    assert measured["width"] <= width, measured  # the page was laid out at the width wanted
    return measured


@pytest.mark.parametrize("width", [390, 1280])
def test_scores_totals_and_captions_stay_on_screen(site, tmp_path, width):
    """At 390 px (a phone) and 1280 px, every 得分 of the indicator and funds tables, the 总分 and
    等级 and every caption are inside the window; the indicator, funds and head tables never
    scroll sideways (on a phone they are stacked cards)."""
    chromium = _chromium()
    for rel in ("2021/shenzhen-gsl/a02/index.html", "2022/urumqi-gsl/evaluation/index.html"):
        found = measured(chromium, site / rel, tmp_path / f"{width}-{rel.split('/')[2]}", width)
        assert found["scores"] > 10, (rel, found)
        assert not found["off"] and not found["wide"] and not found["captions"], (rel, found)
    final = measured(chromium, site / "2021/shenzhen-gsl/final-accounts/index.html", tmp_path / f"fa{width}", width)
    assert not found["captions"] and not final["captions"], final  # wide 决算 tables scroll; their captions do not





@pytest.fixture(scope="session")
def search(site) -> SearchIndex:
    return SearchIndex(site / "search" / "search_index.json")


def test_search_budget_terms(search):
    """预算执行率 is one word (gongkai's jieba dictionary) and finds the reports using it."""
    found = search.pages("预算执行率")
    for page in ("2021/shenzhen-gsl/a02/", "2022/urumqi-gsl/evaluation/"):
        assert page in found, f"搜索“预算执行率”没有找到 {page}；找到：{sorted(found)}"
    whole = search.has_token("预算执行率")
    assert whole, "“预算执行率”没有作为一个词出现在搜索索引中（jieba 把它拆开了：search_terms.txt 未生效）"
    assert {loc.split("#")[0] for loc in whole} & {"2021/shenzhen-gsl/a02/", "2022/urumqi-gsl/evaluation/"}


def test_search_department(search, site_map):
    """深圳 finds the 深圳市工商业联合会 department page and its reports, not Urumqi's."""
    found = search.pages("深圳")
    assert "departments/shenzhen-gsl/" in found, f"搜索“深圳”没有找到部门页；找到：{sorted(found)}"
    shenzhen = set()
    for url, info in site_map["reports"].items():
        if report_data_file(info).startswith("data/2021/shenzhen-gsl/"):
            shenzhen.add(page_of(url))
    assert len(shenzhen) == len(
        [f for f in data_files() + data_files(final=True) if f.startswith("data/2021/shenzhen-gsl/")]
    )
    missing = shenzhen - found
    assert not missing, f"搜索“深圳”没有找到这些报告：{sorted(missing)}"
    assert "2022/urumqi-gsl/evaluation/" not in found
    assert "departments/urumqi-gsl/" not in found


# ---- 4. no injection from data, Jinja only where written ------------------------------------

XSS_NAME = "<script>alert(1)</script>"
XSS_DEPT = "测试部门<img src=x onerror=alert(1)>"
XSS_REASON = "[点我](javascript:alert(1)) {{ 7*7 }}"
# A second report, without a page of its own, whose name tries to close <title> first.
XSS_NAME_2 = "</title><script>alert(2)</script>"
XSS_PAGE = """\
---
数据: data/2021/test-dept/x.yaml
---
# {{ 名称 }}

部门：{{ 部门 }}

{{ 指标表() }}

{{ 报告表格() }}
"""


def xss_data(name: str = XSS_NAME) -> str:
    text = sample_text()
    text = replace_once(text, r"^名称: .*$", "名称: '" + name + "'")
    text = replace_once(text, r"^部门: .*$", "部门: '" + XSS_DEPT + "'")
    text = replace_once(text, r"偏差原因: [^,}\n]+", "偏差原因: '" + XSS_REASON + "'")
    return text


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory) -> Path:
    project = make_project(
        tmp_path_factory.mktemp("xss") / "project",
        {"data/2021/test-dept/x.yaml": xss_data(), "data/2021/test-dept/y.yaml": xss_data(XSS_NAME_2)},
        {"2021/test-dept/x.md": XSS_PAGE},
    )
    for name in ("x", "y"):
        result = evaluate(project / f"data/2021/test-dept/{name}.yaml")
        assert result.scored is not None and not [p for p in result.problems if p.severity == "error"], result.problems
    out = project / "out"
    proc = mkdocs_build(project, out)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out


def _html_files(out: Path) -> dict:
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html"))}


TITLE = re.compile(r"<title\b[^>]*>.*?</title", re.S | re.I)  # RCDATA: text up to the first </title


def _injections(text: str) -> list[str]:
    """Injected markup as a browser would parse it (the <title> element holds only text)."""
    text = TITLE.sub("<title", text)
    bad = []
    if re.search(r"<script>alert", text, re.I):
        bad.append("<script>alert")
    if re.search(r"<img src=x", text, re.I):
        bad.append("<img src=x")
    if re.search(r"href\s*=\s*[\"']?\s*javascript:", text, re.I):
        bad.append('href="javascript:')
    return bad


def test_data_cannot_inject_into_page_content(xss_site):
    """In every page's content, data fields appear as escaped text: no tags, no links, and
    Jinja syntax inside data is printed, never evaluated."""
    pages = _html_files(xss_site)
    report = pages["2021/test-dept/x/index.html"]
    body = article(report)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, "名称应作为文字显示"
    assert "&lt;img src=x onerror=alert(1)&gt;" in body, "部门应作为文字显示"
    assert "[点我](javascript:alert(1))" in body, "偏差原因应原样显示，而不是变成链接"
    assert "{{ 7*7 }}" in body, "数据里的 {{ 7*7 }} 应原样显示"
    assert not re.search(r"alert\(1\)\)\s*49", body), "数据里的 {{ 7*7 }} 被当作模板求值了"
    assert "&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in article(pages["2021/test-dept/y/index.html"])
    for rel, text in pages.items():
        content = article(text)
        assert not _injections(content), f"{rel} 的正文被注入：{_injections(content)}"
    for rel in ("overview/index.html", "years/2021/index.html", "departments/test-dept/index.html"):
        content = article(pages[rel])
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content, rel
        assert "&lt;img src=x onerror=alert(1)&gt;" in content, rel
    # The open data keeps the data as entered (a byte copy), but is not HTML.
    assert (xss_site / "2021/test-dept/x/x.yaml").read_text(encoding="utf-8") == xss_data()


def test_data_cannot_inject_anywhere(xss_site):
    """No built HTML file — navigation, header and title included — contains the markup."""
    bad = {rel: _injections(text) for rel, text in _html_files(xss_site).items() if _injections(text)}
    assert not bad, f"注入的 HTML 出现在：{bad}"


UNDEFINED_PAGE = """\
---
数据: data/2021/test-dept/x.yaml
---
# {{ 名称 }}

第一段。

值：{{ 不存在 }}
"""
UNDEFINED_LINE = 8

LITERAL_PAGE = """\
---
数据: data/2021/test-dept/x.yaml
---
# 字面量测试 {#anchor-literal}

总分为 {{ 总分 }} 分。

```text
模板写法：{{ 总分 }} 与 {% if 1 %}x{% endif %}
```

行内代码 `{{ 总分 }}` 保持原样，单独的 {{ 也保持原样。

## 第二节 {#second-anchor}
"""


def _one_page_project(tmp_path: Path, page: str) -> Path:
    return make_project(
        tmp_path / "project", {"data/2021/test-dept/x.yaml": sample_text()}, {"2021/test-dept/x.md": page}
    )


def test_undefined_variable_fails_with_file_and_line(tmp_path):
    project = _one_page_project(tmp_path, UNDEFINED_PAGE)
    proc = mkdocs_build(project, project / "out")
    assert proc.returncode != 0, "引用不存在的数据时网站不应生成"
    assert "x.md" in proc.stderr, proc.stderr[-3000:]
    assert re.search(rf"x\.md:{UNDEFINED_LINE}\b", proc.stderr), (
        f"错误信息应指出 x.md 第 {UNDEFINED_LINE} 行：\n{proc.stderr[-3000:]}"
    )
    assert "不存在" in proc.stderr
    assert "Traceback" not in proc.stderr, "页面模板错误应是一条说明，而不是 Python 的报错堆栈"


def test_code_and_stray_braces_stay_literal(tmp_path):
    project = _one_page_project(tmp_path, LITERAL_PAGE)
    proc = mkdocs_build(project, project / "out")
    assert proc.returncode == 0, proc.stderr[-4000:]
    body = article((project / "out/2021/test-dept/x/index.html").read_text(encoding="utf-8"))
    total = evaluate(project / "data/2021/test-dept/x.yaml").scored.total
    assert re.search(r'<h1 id="anchor-literal"', body), "attr_list 的 {#anchor} 应成为标题的 id"
    assert re.search(r'<h2 id="second-anchor"', body)
    assert "{#" not in body, "{#anchor} 不应原样留在标题里"
    prose = re.search(r"总分为 (\S+) 分", body)
    assert prose and Decimal(prose.group(1)) == total, f"正文中的 {{{{ 总分 }}}} 应替换为 {total}"
    code = re.search(r"<pre><code[^>]*>(.*?)</code></pre>", body, re.S)
    assert code, "围栏代码块没有生成 <pre><code>"
    assert "模板写法：{{ 总分 }} 与 {% if 1 %}x{% endif %}" in code.group(1)
    assert "<code>{{ 总分 }}</code>" in body, "行内代码中的 {{ 总分 }} 应原样保留"
    assert "单独的 {{ 也保持原样" in body
