"""``mkdocs serve`` (live reload on, as users run it) rebuilds when data or templates change.

A tiny project with one report is served on a free port; the test edits the report's
data and then a template, and waits for the served page to show the change."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from conftest import ROOT
from sitebuild import GONGKAI, MKDOCS, make_project, quiet_env, replace_once, sample_text

REPORT = "data/2021/test-dept/x.yaml"
PAGE = "2021/test-dept/x/"
MARKER = "GK-SERVE-MARKER-7f3a"
TOTAL = re.compile(r'data-gk="总分"[^>]*>\s*([-\d.]+)\s*<')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def poll(url: str, ok, timeout: float, what: str, log: Path, proc: subprocess.Popen) -> str:
    """Fetch ``url`` until ``ok(text)``; fail after ``timeout`` seconds (or as soon as the
    server has exited) with the server's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        text = fetch(url)
        if text is not None and ok(text):
            return text
        time.sleep(0.25)
    shown = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log.exists() else ""
    state = f"mkdocs serve 已退出（{proc.returncode}）" if proc.poll() is not None else f"{timeout} 秒内"
    raise AssertionError(f"{state}没有等到{what}（{url}）。mkdocs serve 输出：\n{shown}")


def total_of(text: str) -> Decimal:
    found = TOTAL.search(text)
    assert found, "页面上没有 data-gk=\"总分\""
    return Decimal(found.group(1))


@contextmanager
def serving(project: Path):
    """``mkdocs serve -a 127.0.0.1:PORT`` in its own process group, always stopped."""
    port = free_port()
    log = project.parent / "serve.log"
    temp = project.parent / "serve-tmp"
    temp.mkdir(exist_ok=True)
    env = quiet_env()
    env["TMPDIR"] = str(temp)  # where mkdocs serve keeps its temporary site
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [str(MKDOCS), "serve", "-a", f"127.0.0.1:{port}"],
            cwd=project,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
    try:
        yield f"http://127.0.0.1:{port}/", log, proc
    finally:
        for sig, wait in ((signal.SIGINT, 10), (signal.SIGKILL, 10)):
            if proc.poll() is not None:
                break
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                pass


def edited_report() -> str:
    """The sample with less money spent: 执行率 falls to 50%, so the funds score and the
    预算执行率 indicator drop. The printed figures (原文) that would now disagree are removed."""
    text = sample_text()
    text = replace_once(text, r"^(  全年执行数: )73\.96$", "  全年执行数: 37.80")
    text = replace_once(
        text,
        r"(当年财政拨款: \{年初预算数: 0\.00, 全年预算数: 75\.60, 全年执行数: )73\.96\}",
        "当年财政拨款: {年初预算数: 0.00, 全年预算数: 75.60, 全年执行数: 37.80}",
    )
    text = replace_once(text, r"^  原文: \{执行率: 0\.98, 得分: 9\.80\}\n", "")
    text = replace_once(text, r"^原文:\n  总分: 96\.8\n?", "")
    text = replace_once(
        text,
        r'\{名称: 预算执行率, 分值: 5, 指标值: ">95%", 完成值: 97\.8%, 得分: 5\}',
        '{名称: 预算执行率, 分值: 5, 指标值: ">95%", 完成值: 50.0%, 偏差原因: 执行进度慢于计划}',
    )
    return text


def gongkai_score(path: Path) -> dict:
    proc = subprocess.run(
        [str(GONGKAI), "score", "--format", "json", str(path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, f"gongkai score {path} 失败：{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
    return json.loads(proc.stdout)


def check_clean(path: Path) -> None:
    proc = subprocess.run([str(GONGKAI), "check", "--strict", str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"修改后的数据应能通过 gongkai check --strict：\n{proc.stdout[-3000:]}"


def marked_summary_box() -> str:
    text = (ROOT / "src/gongkai/templates/summary_box.html").read_text(encoding="utf-8")
    return replace_once(text, r'<div class="gk-summary-box">', f'<div class="gk-summary-box"><p>{MARKER}</p>')


def test_serve_rebuilds_on_data_and_template_changes(tmp_path):
    project = make_project(tmp_path / "project", {REPORT: sample_text()})
    (project / "templates").mkdir()  # a project with its own (still empty) templates folder
    edited = tmp_path / "edited.yaml"
    edited.write_text(edited_report(), encoding="utf-8")
    check_clean(edited)
    expected = Decimal(gongkai_score(edited)["total"])
    before = Decimal(gongkai_score(project / REPORT)["total"])
    assert expected < before

    with serving(project) as (base, log, proc):
        url = base + PAGE
        first = poll(url, lambda t: 'data-gk="总分"' in t, 60, "报告页", log, proc)
        assert total_of(first) == before

        (project / REPORT).write_text(edited_report(), encoding="utf-8")
        changed = poll(
            url, lambda t: 'data-gk="总分"' in t and total_of(t) != before, 60, "改动数据后的新总分", log, proc
        )
        assert total_of(changed) == expected, f"改动数据后总分为 {total_of(changed)}，gongkai score 为 {expected}"
        assert MARKER not in changed

        (project / "templates" / "summary_box.html").write_text(marked_summary_box(), encoding="utf-8")
        themed = poll(url, lambda t: MARKER in t, 60, "模板改动", log, proc)
        assert total_of(themed) == expected
        assert proc.poll() is None, "mkdocs serve 意外退出"


GRADE = re.compile(r'data-gk="等级"[^>]*>\s*([^<\s]+)\s*<')
RULES = "data/rulesets/x.yaml"


def grade_of(text: str) -> str:
    found = GRADE.search(text)
    assert found, "页面上没有 data-gk=\"等级\""
    return found.group(1)


def test_serve_sees_an_edited_ruleset_without_a_restart(tmp_path):
    """The project (and its rulesets) is loaded again for every rebuild: raising the floor of 优
    in data/rulesets/x.yaml turns the served page's 优 into 良. The site enables gongkai under
    ``plugins:``, whose instance MkDocs keeps for the whole serve process."""
    rules = (ROOT / "src/gongkai/rulesets/self-eval-10-90.yaml").read_text(encoding="utf-8")
    rules = replace_once(rules, r"^名称: 自评表10加90$", "名称: 测试规则")
    report = replace_once(sample_text(), r"^规则: 自评表10加90$", "规则: 测试规则")
    project = make_project(tmp_path / "project", {REPORT: report, RULES: rules})
    config = project / "mkdocs.yml"
    config.write_text(replace_once(config.read_text(encoding="utf-8"), r"^hooks:\n  - hooks/gongkai_hooks\.py\n", "")
                      .replace("plugins:\n  - search\n", "plugins:\n  - search\n  - gongkai\n"), encoding="utf-8")
    with serving(project) as (base, log, proc):
        url = base + PAGE
        first = poll(url, lambda t: 'data-gk="等级"' in t, 60, "报告页", log, proc)
        assert grade_of(first) == "优" and total_of(first) == Decimal("96.80")

        (project / RULES).write_text(
            replace_once(rules, r"\{名称: 优, 下限: 90,", "{名称: 优, 下限: 99,"), encoding="utf-8"
        )
        changed = poll(
            url, lambda t: 'data-gk="等级"' in t and grade_of(t) != "优", 60, "改动规则集后的新等级", log, proc
        )
        assert grade_of(changed) == "良" and total_of(changed) == Decimal("96.80")
        assert proc.poll() is None, "mkdocs serve 意外退出"
