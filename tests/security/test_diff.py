"""Class 4 and the diff part of class 10 of issue 11: ``gongkai diff`` on a hostile pull request.

CI runs ``gongkai diff`` on every pull request, with the repository's tokens in its environment, and
posts its Markdown as a comment. The pull request's author made the commits, and git stores whatever a
tree object says: with ``git mktree`` or ``git hash-object --literally`` an entry may be called ``..``,
``.git`` or ``.GIT``, contain slashes (``a/../../x``), start with ``/``, or be a symbolic link
(mode 120000) to ``/etc/passwd``. Joined unchecked to the temporary folder, such paths wrote anywhere.

Here every such entry is refused with a located ``DIFF_PATH`` problem, the comparison goes on (exit
code 0), nothing outside the temporary root is created or changed, no link is followed, and no text
from the data becomes a link, an image, a mention, an issue reference or an HTML tag in the comment.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import markdown
import pytest
from click.testing import CliRunner

from conftest import ROOT
from gongkai.cli.review import diff
from gongkai.review.changes import pathspecs
from gongkai.review.git import Repo, Revision, Tree, path_refusal
from gongkai.review.markdown import md_code, md_line, md_text

SEED = ROOT / "data" / "2021" / "shenzhen-gsl"
REPORTS = "data/2021/x"
SENTINEL_TEXT = "类型: 项目支出绩效自评表\n名称: 原有的文件，不该被改动\n"
EVIL = "类型: 项目支出绩效自评表\n名称: 写到了临时文件夹之外\n".encode()
OLD = 1_000_000_000  # an mtime in 2001, set on every sentinel


@pytest.fixture(autouse=True)
def hermetic(monkeypatch, tmp_path):
    """The machine's git configuration plays no part; temporary folders go under ``tmp_path/tmp``."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{key}_NAME", "攻击者")
        monkeypatch.setenv(f"GIT_{key}_EMAIL", "evil@example.com")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))


def git(repo: Path, *args: str, data: bytes | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, input=data)
    return proc.stdout.decode().strip()


def run(repo: Path, monkeypatch, *args: str):
    monkeypatch.chdir(repo)
    return CliRunner().invoke(diff, list(args))


# ---- building trees as an attacker does ---------------------------------------------------------------


def blob(repo: Path, data: bytes) -> str:
    return git(repo, "hash-object", "-w", "--stdin", data=data)


def link(target: str) -> tuple:
    return ("120000", target.encode())


def tree(repo: Path, spec: dict) -> str:
    """A tree object from ``{name: bytes | ("120000", target) | {subtree}}``, names taken as they are
    (``..``, ``.git``, slashes, a leading ``/``): written with ``hash-object --literally``, which checks nothing."""
    entries = []
    for name, value in spec.items():
        raw = name.encode() if isinstance(name, str) else name
        if isinstance(value, dict):
            entries.append((raw + b"/", b"40000", raw, tree(repo, value)))
        elif isinstance(value, tuple):
            entries.append((raw, value[0].encode(), raw, blob(repo, value[1])))
        else:
            entries.append((raw, b"100644", raw, blob(repo, value)))
    data = b"".join(mode + b" " + raw + b"\0" + bytes.fromhex(oid) for _, mode, raw, oid in sorted(entries))
    return git(repo, "hash-object", "-t", "tree", "-w", "--literally", "--stdin", data=data)


def commit(repo: Path, spec: dict, branch: str = "evil") -> str:
    sha = git(repo, "commit-tree", tree(repo, spec), "-p", "main", "-m", "看起来无害的改动")
    git(repo, "update-ref", f"refs/heads/{branch}", sha)
    return sha


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: a02 and a07 under data/2021/x/ (and the files an attacker's tree starts from)."""
    repo = tmp_path / "repo"
    (repo / REPORTS).mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    for name in ("a02.yaml", "a07.yaml"):
        shutil.copyfile(SEED / name, repo / REPORTS / name)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "录入 a02、a07")
    return repo


def reports(repo: Path, extra: dict | None = None, top: dict | None = None) -> dict:
    """The spec of main's tree, with ``extra`` entries in data/ and ``top`` entries at the root."""
    x = {name: (repo / REPORTS / name).read_bytes() for name in ("a02.yaml", "a07.yaml")}
    data = {"2021": {"x": x}, **(extra or {})}
    return {"data": data, **(top or {})}


@pytest.fixture
def sentinels(tmp_path: Path):
    """Files outside the temporary root that an attacker aims at; returns a check that none changed."""
    paths = [tmp_path / "sentinel.yaml", tmp_path / "abs-sentinel.yaml", tmp_path / "outside.yaml"]
    for path in paths:
        path.write_text(SENTINEL_TEXT, encoding="utf-8")
        os.utime(path, (OLD, OLD))

    def listing() -> set:
        return {
            str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if "repo" not in p.relative_to(tmp_path).parts
        }

    before = listing()

    def unchanged() -> None:
        for path in paths:
            assert path.read_text(encoding="utf-8") == SENTINEL_TEXT, path
            assert path.stat().st_mtime == OLD, path
        assert listing() == before  # nothing created beside them, and the temporary root is gone
        assert not any((tmp_path / "tmp").iterdir())

    return unchanged


def refused(data: dict) -> dict:
    """Every DIFF_PATH problem of a JSON diff, by the path it names."""
    found = list(data["refused"])
    for report in data["reports"]:
        found += report["problems"]["new"] + report["problems"]["resolved"]
    return {p["file"]: p for p in found if p["code"] == "DIFF_PATH"}


def assert_clean(result) -> None:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and result.exception is None


# ---- tree paths ------------------------------------------------------------------------------------------


def test_dotdot_entries_never_write_outside(repo, tmp_path, sentinels, monkeypatch):
    """``..`` as a subtree, nested real ``..`` trees, and one entry whose name holds ``a/../../``."""
    up4 = {"..": {"..": {"..": {"..": {"sentinel.yaml": EVIL}}}}}
    extra = {
        "..": {"..": {"..": {"sentinel.yaml": EVIL, "new.yaml": EVIL}}},  # data/../../../sentinel.yaml
        "a": up4,  # data/a/../../../../sentinel.yaml, as real trees
        b"b/../../../../sentinel.yaml": EVIL,  # the same as one name with slashes
    }
    sha = commit(repo, reports(repo, extra))
    short = git(repo, "rev-parse", "--short", sha)
    result = run(repo, monkeypatch, "main", "evil", "--format", "json")
    assert_clean(result)
    sentinels()
    assert not (tmp_path / "new.yaml").exists()
    data = json.loads(result.stdout)
    problems = refused(data)
    for path in ("data/../../../sentinel.yaml", "data/../../../new.yaml", "data/a/../../../../sentinel.yaml",
                 "data/b/../../../../sentinel.yaml"):
        assert path in problems, (path, sorted(problems))
        p = problems[path]
        assert p["severity"] == "error" and p["message"].startswith(f"提交 {short} 中的路径不安全：“{path}”含“..”")
    # the refused files are listed as reports that cannot be evaluated: nothing of their content shows
    assert "写到了临时文件夹之外" not in result.stdout
    md = run(repo, monkeypatch, "main", "evil")
    assert_clean(md)
    assert "`DIFF_PATH`" in md.stdout
    assert "**新版本无法计分**" in md.stdout
    sentinels()


def test_dotdot_at_the_root_with_path_dot(repo, tmp_path, sentinels, monkeypatch):
    """``--path .`` makes every YAML file of the tree a report: ``../../sentinel.yaml`` at the root too."""
    commit(repo, reports(repo, top={"..": {"..": {"sentinel.yaml": EVIL}}}))
    result = run(repo, monkeypatch, "main", "evil", "--format", "json", "--path", ".")
    assert_clean(result)
    sentinels()
    assert "../../sentinel.yaml" in refused(json.loads(result.stdout))


def test_absolute_names_never_write_outside(repo, tmp_path, sentinels, monkeypatch):
    """git's own tools refuse a name with a slash, ``hash-object --literally`` does not: ``/tmp/…/x.yaml``."""
    target = str(tmp_path / "abs-sentinel.yaml")
    commit(repo, reports(repo, top={target.encode(): EVIL}))
    result = run(repo, monkeypatch, "main", "evil", "--format", "json", "--path", ".")
    assert_clean(result)
    sentinels()
    p = refused(json.loads(result.stdout))[target]
    assert "是绝对路径" in p["message"]


@pytest.mark.parametrize(
    "top, extra, path, reason",
    [
        (
            {".git": {"hooks": {"post-checkout": b"#!/bin/sh\nid > /tmp/pwned\n"}}},
            {},
            ".git/hooks/post-checkout",
            "含“.git”",
        ),
        ({".GIT": {"config": b"[core]\n\tfsmonitor = id\n"}}, {}, ".GIT/config", "含“.GIT”"),
        ({}, {".git": {"x.yaml": EVIL}}, "data/.git/x.yaml", "含“.git”"),
        ({}, {".Git ": {"x.yaml": EVIL}}, "data/.Git /x.yaml", "含“.Git ”"),
        ({}, {".git.": {"x.yaml": EVIL}}, "data/.git./x.yaml", "git 的保留名"),
        ({}, {"GIT~1": {"config": EVIL}}, "data/GIT~1/config", "git 的保留名"),
        ({}, {"2021": {".": {"x.yaml": EVIL}}}, "data/2021/./x.yaml", "含“.”"),
        ({}, {b"a\\b.yaml": EVIL}, "data/a\\b.yaml", "含反斜杠"),
        ({}, {b"a\nb.yaml": EVIL}, "data/a⏎b.yaml", "含控制字符"),
        ({}, {b"\x1b[2J.yaml": EVIL}, "data/\\x1b[2J.yaml", "含控制字符"),
    ],
)
def test_reserved_names_are_refused(repo, sentinels, monkeypatch, top, extra, path, reason):
    spec = reports(repo, extra, top)
    if "2021" in extra:  # keep main's reports beside the extra entry
        spec["data"]["2021"] = {**extra["2021"], "x": reports(repo)["data"]["2021"]["x"]}
    commit(repo, spec)
    result = run(repo, monkeypatch, "main", "evil", "--format", "json")
    assert_clean(result)
    sentinels()
    problems = refused(json.loads(result.stdout))
    assert path in problems, sorted(problems)
    assert reason in problems[path]["message"]
    assert "\x1b" not in result.stdout and "写到了临时文件夹之外" not in result.stdout
    md = run(repo, monkeypatch, "main", "evil")
    assert_clean(md)
    assert "`DIFF_PATH`" in md.stdout and "\x1b" not in md.stdout


def test_symlinks_in_a_commit_are_never_followed(repo, tmp_path, sentinels, monkeypatch):
    """Mode 120000 entries: a report linking to /etc/passwd or out of the folder, a ruleset linking out."""
    extra = {
        "2021": {"x": {**reports(repo)["data"]["2021"]["x"], "passwd.yaml": link("/etc/passwd"),
                       "out.yaml": link("../../../../outside.yaml")}},
        "rulesets": {"evil.yaml": link("/etc/passwd")},
    }
    commit(repo, {"data": extra})
    result = run(repo, monkeypatch, "main", "evil", "--format", "json")
    assert_clean(result)
    sentinels()
    data = json.loads(result.stdout)
    problems = refused(data)
    for path in ("data/2021/x/passwd.yaml", "data/2021/x/out.yaml", "data/rulesets/evil.yaml"):
        assert "是符号链接（不跟随）" in problems[path]["message"], sorted(problems)
    assert "root:" not in result.stdout and "原有的文件" not in result.stdout
    listed = {r["path"]: r for r in data["reports"]}
    assert listed["data/2021/x/passwd.yaml"]["scored"] == {"old": None, "new": False}
    assert [p["file"] for p in data["refused"]] == ["data/rulesets/evil.yaml"]  # not a report: listed on its own
    md = run(repo, monkeypatch, "main", "evil").stdout
    assert "**不安全的路径**（已拒绝：没有写出，也没有读取）：" in md and "拒绝 1 个不安全的路径" in md


def test_a_working_tree_folder_link_is_not_followed(repo, tmp_path, monkeypatch):
    """A tracked folder replaced by a link to a folder outside: git calls its files deleted, and gongkai
    never reads through the link even when asked for one of them."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a02.yaml").write_text("类型: 项目支出绩效自评表\n名称: 链接之外的内容\n", encoding="utf-8")
    shutil.rmtree(repo / REPORTS)
    os.symlink(elsewhere, repo / REPORTS)
    result = run(repo, monkeypatch, "HEAD", "--format", "json")
    assert_clean(result)
    assert {(r["status"], r["path"]) for r in json.loads(result.stdout)["reports"]} == {
        ("removed", f"{REPORTS}/a02.yaml"), ("removed", f"{REPORTS}/a07.yaml")}
    assert "链接之外的内容" not in result.stdout
    tree = Tree(Repo(repo), Revision("工作区"), pathspecs("data"))
    assert f"{REPORTS}/a02.yaml" in tree.files()
    assert tree.read(f"{REPORTS}/a02.yaml") is None
    assert tree.refusal(f"{REPORTS}/a02.yaml") == "位于符号链接的文件夹中（不跟随）"


def test_an_unreadable_tree_is_a_usage_error_without_traceback(repo, monkeypatch):
    """An empty name makes git itself fail: exit code 2 and one Chinese line, no traceback."""
    commit(repo, reports(repo, top={b"": EVIL}))
    result = run(repo, monkeypatch, "main", "evil")
    assert result.exit_code == 2 and not isinstance(result.exception, Exception)
    assert result.stdout == "" and result.stderr.startswith("gongkai diff：git ") and "Traceback" not in result.output


def test_path_refusal_rules():
    assert path_refusal("data/2021/x/a02.yaml") is None and path_refusal("data/.gitkeep/x.yaml") is None
    for bad in ("../x.yaml", "a/../x", "a/./x", "a//x", "/etc/passwd", "a/", ".git/config", "x/.GIT/y",
                "x/.git /y", "x/.git./y", "x/.g\u200cit/y", "x/git~1/y", "x/.git::$INDEX_ALLOCATION/y",
                "a\\b", "a\nb", "a\x00b", "a\udcffb"):
        assert path_refusal(bad) is not None, bad
    assert path_refusal("docs/a\\b.md", strict=False) is None  # outside what diff reads: legal on Linux
    assert path_refusal("docs/../b.md", strict=False) is not None


# ---- untrusted text in the comment ---------------------------------------------------------------------

PAYLOAD = (
    "[点我](https://evil.example/x) ![img](https://evil.example/i.png) @octocat <img src=x onerror=alert(1)> | a | b |"
)
REASON = (
    "第一行\n\n## 假标题\n- 假列表 #1 见 GH-2 与 www.evil.example\n"
    "<script>alert(1)</script>`代码`\x1b[2J ~~删~~ **粗** $x$"
)


def quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def rendered(md: str) -> str:
    """The comment as GitHub would show it: tables, strikethrough, bare URLs, @mentions and #refs linked."""
    converter = markdown.Markdown(
        extensions=["tables", "pymdownx.tilde", "pymdownx.magiclink"],
        extension_configs={"pymdownx.magiclink": {"repo_url_shorthand": True, "social_url_shorthand": True,
                                                  "provider": "github", "user": "owner", "repo": "repo"}},
    )
    return converter.convert(md)


def test_data_text_is_inert_in_the_comment(repo, monkeypatch):
    path = repo / REPORTS / "a02.yaml"
    text = path.read_text(encoding="utf-8")
    old_row = (
        "{名称: 会刊设计制作期数, 分值: 2, 指标值: 6期, 完成值: 4, 得分: 1, "
        "偏差原因: 供应商排期问题。后续会加强会项目的监管}"
    )
    assert old_row in text
    text = text.replace(
        old_row, f"{{名称: {quoted(PAYLOAD)}, 分值: 2, 指标值: 6期, 完成值: 4, 得分: 0.5, 偏差原因: {quoted(REASON)}}}"
    )
    text = text.replace("名称: 工商联系统宣传教育\n", f"名称: {quoted('- ' + PAYLOAD)}\n")
    text = text.replace("{名称: 宣传片制作次数, 分值: 2, 指标值: 1期, 完成值: 1, 得分: 2}",
                        f"{{名称: {quoted('1. @octocat <b>粗</b>')}, 分值: 2, 指标值: 1期, 完成值: 1, 得分: 1}}")
    path.write_text(text, encoding="utf-8")
    result = run(repo, monkeypatch, "HEAD")
    assert_clean(result)
    md = result.stdout
    assert "REASON_MISSING" in md and "（新增指标）" in md  # the payloads are in the comment, as text
    body = md.splitlines()[:-1]  # the last line is gongkai's own <sub> note
    for line in body:
        assert "<" not in line and "\x1b" not in line, line
        assert not re.search(r"(?<!\\)[\[\]!*_~$]", re.sub(r"`[^`]*`", "", line)), line
        if line.startswith("|"):  # one row per line, the columns intact
            assert len(re.findall(r"(?<!\\)\|", line)) in (5, 6), line
    assert "@octocat" not in md and "#1" not in md and "https://" not in md and "www.evil" not in md
    assert not any(line.startswith(("## 假标题", "- 假列表", "- [", "1.")) for line in md.splitlines())
    html = rendered(md)
    for live in ("<a ", "<img", "<script", "<b>", "<del>", "<strong>粗", "<h2>假标题"):
        assert live not in html, live
    assert "点我" in html and "octocat" in html and "假标题" in html  # all of it still readable
    # JSON keeps the exact strings; the terminal sees no escape sequence
    result = run(repo, monkeypatch, "HEAD", "--format", "json")
    assert_clean(result)
    assert "\x1b" not in result.stdout and "\\u001b" in result.stdout
    data = json.loads(result.stdout)
    [report] = data["reports"]
    assert report["new"]["name"] == "- " + PAYLOAD
    explanations = [i["explanation"] for i in report["indicators"]]
    assert any(REASON in e for e in explanations), explanations


def test_escaping_functions():
    assert md_text("a|b") == "a\\|b" and md_text("<img>") == "&lt;img&gt;" and md_text("a\r\nb") == "a b"
    assert md_text("20 × (60% ÷ 100%) = 20 × 60.00% = 12.00") == "20 × (60% ÷ 100%) = 20 × 60.00% = 12.00"
    assert md_text("@octocat #12 a@b.c") == "@\u200boctocat #\u200b12 a@\u200bb.c".replace("#", "\\#")
    assert md_text("https://x.example") == "https:\u200b//x.example"
    assert md_text("\u202e\x9b") == "\\\\u202e\\\\x9b"
    assert md_line("- x") == "\\- x" and md_line("3. x") == "3\\. x" and md_line("  + x") == "\\+ x"
    assert md_code("a`b") == "``a`b``" and md_code("`") == "`` ` ``" and md_code("a\nb") == "`a b`"
