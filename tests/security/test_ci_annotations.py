"""Red-team finding 8: the GitHub Actions template turns `gongkai check --format json` into
workflow commands (``::error file=…,line=…,title=…::message``). The file name comes from the
pull request and was printed raw: a data file named ``b\\n::stop-commands::x\\n.yaml`` emitted its
own command lines. The step's own Python snippet, taken from the GitHub workflow gongkai init writes, must escape
every value as GitHub requires (``%``, CR, LF; in properties also ``:`` and ``,``) so that each
problem is exactly one command line and reads back as the original text."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from sitebuild import GONGKAI, make_project, quiet_env, sample_text

GITHUB = ROOT / "src" / "gongkai" / "scaffolds" / "site" / "github-workflow.yml"
INJECTED = "b\n::warning file=mkdocs.yml,line=1,title=INJECTED::forged\n::stop-commands::x\r\n.yaml"
COMMAND = re.compile(r"^::(error|warning|notice) file=([^,:\r\n]*),line=(\d+),title=([^,:\r\n]*)::([^\r\n]*)$")


def annotate_script() -> str:
    """The Python the "核对报告" step runs, as the runner would (the heredoc of its run: text)."""
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    runs = [step["run"] for step in workflow["jobs"]["check"]["steps"] if "check.json" in step.get("run", "")]
    assert len(runs) == 1
    lines = runs[0].splitlines()
    start = next(i for i, line in enumerate(lines) if line.rstrip().endswith("<<'EOF'"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "EOF")
    script = "\n".join(lines[start + 1 : end]) + "\n"
    assert "json.load" in script and "print(" in script
    return script


def run_script(tmp_path: Path, problems: list) -> list:
    check = tmp_path / "check.json"
    check.write_text(json.dumps({"problems": problems}, ensure_ascii=False), encoding="utf-8")
    script = tmp_path / "annotate.py"
    script.write_text(annotate_script(), encoding="utf-8")
    out = subprocess.run([sys.executable, str(script), str(check)], capture_output=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr.decode("utf-8", "replace")
    # the runner reads lines split at LF, CR or CRLF
    return re.split(r"\r\n|\r|\n", out.stdout.decode("utf-8").rstrip("\n"))


def unescape(value: str) -> str:
    """How the runner reads a property back (actions/toolkit's command escaping, reversed)."""
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(escaped, raw)
    return value


def problem(file: str, message: str = "消息", code: str = "PATH_NAME", line=None, severity="error") -> dict:
    return {
        "code": code,
        "severity": severity,
        "file": file,
        "line": line,
        "message": message,
        "expected": None,
        "found": None,
    }


@pytest.mark.parametrize(
    "file",
    [INJECTED, "a:b,c.yaml", "%0A%25.yaml", "x\r::error::y.yaml", "data/2021/dept/a.yaml", "名称\u2028::x.yaml"],
)
def test_a_file_name_cannot_start_another_workflow_command(tmp_path, file):
    message = "第一行\n::stop-commands::m\r\n%0A 100%"
    lines = run_script(tmp_path, [problem(file, message), problem("ok.yaml", line=7, severity="warning")])
    assert len(lines) == 2, lines
    assert not any(line.startswith(("::stop-commands", "::warning file=mkdocs.yml")) for line in lines)
    first = COMMAND.match(lines[0])
    assert first, lines[0]
    assert first.group(1) == "error" and unescape(first.group(2)) == file and first.group(3) == "1"
    assert unescape(first.group(4)) == "PATH_NAME" and unescape(first.group(5)) == message
    second = COMMAND.match(lines[1])
    assert second and second.groups()[:4] == ("warning", "ok.yaml", "7", "PATH_NAME")


def test_the_redteam_reproduction_end_to_end(tmp_path):
    """`gongkai check data --format json` on a pull request adding the file of the finding,
    then the workflow's step: one annotation per problem, the name escaped."""
    project = make_project(tmp_path / "p", {"data/2021/dept/a.yaml": sample_text()})
    (project / "data" / "2021" / "dept" / INJECTED).write_text(sample_text(), encoding="utf-8")
    result = subprocess.run(
        [str(GONGKAI), "check", "data", "--format", "json"],
        cwd=project,
        capture_output=True,
        timeout=300,
        env=quiet_env(),
        check=False,
    )
    assert result.returncode == 1
    problems = json.loads(result.stdout)["problems"]
    named = [p for p in problems if p["code"] == "PATH_NAME"]
    assert [p["file"] for p in named] == [f"data/2021/dept/{INJECTED}"]
    lines = run_script(tmp_path, problems)
    assert len(lines) == len(problems)
    assert all(COMMAND.match(line) for line in lines), lines
    assert not any(line.startswith(("::stop-commands", "::warning file=mkdocs.yml")) for line in lines)
    assert any(unescape(COMMAND.match(line).group(2)) == f"data/2021/dept/{INJECTED}" for line in lines)
