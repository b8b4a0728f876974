"""Red-team finding 7 (file names): a pull request's file names reached terminals, MkDocs' log
and CI commands raw (``n\\x1b]0;TITLE\\x07\\x1b[2J.md`` set the window title and cleared the
screen in a passing strict build; a newline in a data file's name started a new workflow
command). A file or folder under content/, data/ (with data/rulesets/) or rulesets/ whose name
holds a control character (C0, DEL, C1, bidi controls, line separators) or is not UTF-8 is
refused as a located PATH_NAME problem, by ``gongkai check`` and by the build before MkDocs
lists any file, and the name is shown with visible escapes."""

from __future__ import annotations

import os
import subprocess

import pytest

from gongkai.engine.paths import inspect_tree, project_problems
from gongkai.engine.problems import has_control_characters, terminal_text
from sitebuild import GONGKAI, MKDOCS, make_project, quiet_env, sample_text

NAMES = {
    "newline": "b\n::warning file=mkdocs.yml::x\n.yaml",
    "esc-osc": "n\x1b]0;TITLE-SET-BY-PR\x07\x1b[2J.yaml",
    "osc8": "t\x1b]8;;https:evil.example\x07CLICK\x1b]8;;\x07.yaml",
    "carriage-return": "a\rb.yaml",
    "tab": "a\tb.yaml",
    "del": "a\x7f.yaml",
    "c1-csi": "a\x9b31m.yaml",
    "nel": "a\x85b.yaml",
    "rlo": "a\u202eLMTH.yaml",
    "isolate": "a\u2066b.yaml",
    "line-separator": "a\u2028b.yaml",
}
LOCATIONS = ["content", "content/a", "data", "data/2021/dept", "data/rulesets", "rulesets"]
ORDINARY = ["报告 2021.yaml", "a#b?c%d e.yaml", "名称（全角）：、。.yaml", "x_y-z.yaml"]


def run(args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, timeout=300, env={**quiet_env(), "GONGKAI_PDF": "0"}, check=False
    )


def test_control_characters_are_recognised():
    for name in NAMES.values():
        assert has_control_characters(name), repr(name)
    assert has_control_characters(os.fsdecode(b"bad\xff.yaml"))  # not UTF-8: a lone surrogate
    for name in ORDINARY:
        assert not has_control_characters(name), name


@pytest.mark.parametrize("location", LOCATIONS)
@pytest.mark.parametrize("kind", sorted(NAMES))
def test_inspect_tree_refuses_the_name(tmp_path, location, kind):
    project = make_project(tmp_path / "p", {"data/2021/dept/a.yaml": sample_text()})
    folder = project / location
    folder.mkdir(parents=True, exist_ok=True)
    (folder / NAMES[kind]).write_text("a: 1\n", encoding="utf-8")
    found = project_problems(project, project / "content")
    named = [p for p in found if p.code == "PATH_NAME"]
    assert len(named) == 1, [p.human() for p in found]
    problem = named[0]
    assert problem.file == f"{location}/{NAMES[kind]}"
    assert terminal_text(NAMES[kind]) in problem.message  # the name, visibly escaped
    line = problem.human()
    assert not has_control_characters(line.replace(" ", "")), repr(line)
    files, _ = inspect_tree(project, folder, suffixes=(".yaml",))
    assert all(not has_control_characters(f.name) for f in files)  # never listed, so never read


def test_a_folder_with_such_a_name_is_refused_and_not_walked(tmp_path):
    project = make_project(tmp_path / "p", {"data/2021/de\x1b[2Jpt/a.yaml": sample_text()})
    files, problems = inspect_tree(project, project / "data", suffixes=(".yaml",))
    assert files == [] and [(p.code, p.file) for p in problems] == [("PATH_NAME", "data/2021/de\x1b[2Jpt")]


def test_a_name_that_is_not_utf8_is_refused(tmp_path):
    project = make_project(tmp_path / "p", {"data/2021/dept/a.yaml": sample_text()})
    raw = os.path.join(os.fsencode(project / "data" / "2021" / "dept"), b"bad\xff.yaml")
    with open(raw, "wb") as handle:
        handle.write(b"a: 1\n")
    files, problems = inspect_tree(project, project / "data", suffixes=(".yaml",))
    assert [p.code for p in problems] == ["PATH_NAME"] and "\\udcff" in problems[0].human()
    assert [f.name for f in files] == ["a.yaml"]


def test_check_refuses_and_prints_no_control_character(tmp_path):
    project = make_project(tmp_path / "p", {"data/2021/dept/a.yaml": sample_text()})
    (project / "data" / "2021" / "dept" / NAMES["esc-osc"]).write_text(sample_text(), encoding="utf-8")
    (project / "content" / NAMES["osc8"].replace(".yaml", ".md")).write_text("# x\n", encoding="utf-8")
    for args in ([str(GONGKAI), "check", "data"], [str(GONGKAI), "check", "."]):
        result = run(args, project)
        out = result.stdout + result.stderr
        assert result.returncode == 1, out.decode("utf-8", "replace")
        assert b"\x1b" not in out and b"\x07" not in out and b"Traceback" not in out
        assert "PATH_NAME" in out.decode("utf-8") and "\\x1b]0;TITLE-SET-BY-PR\\x07" in out.decode("utf-8")
    assert "\\x1b]8;;https:evil.example" in run([str(GONGKAI), "check", "."], project).stdout.decode("utf-8")


def test_build_refuses_before_mkdocs_prints_the_name(tmp_path):
    """The finding's reproduction: the page name reached MkDocs' own INFO line in a passing
    strict build. Now the build stops in its pre-scan, and nothing raw reaches the log."""
    project = make_project(tmp_path / "p", {"data/2021/dept/a.yaml": sample_text()})
    (project / "content" / "n\x1b]0;TITLE-SET-BY-PR\x07\x1b[2J.md").write_text("# hi\n", encoding="utf-8")
    result = run([str(MKDOCS), "build", "-d", str(tmp_path / "site")], project)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert b"\x1b]0;" not in log and b"\x1b[2J" not in log and b"Traceback" not in log
    assert b"PATH_NAME" in log and b"n\\x1b]0;TITLE-SET-BY-PR\\x07\\x1b[2J.md" in log
    assert not (tmp_path / "site" / "index.html").exists()


def test_ordinary_names_are_fine(tmp_path):
    project = make_project(tmp_path / "p", {f"data/2021/dept/{name}": "a: 1\n" for name in ORDINARY})
    files, problems = inspect_tree(project, project / "data", suffixes=(".yaml",))
    assert problems == [] and sorted(f.name for f in files) == sorted(ORDINARY)
