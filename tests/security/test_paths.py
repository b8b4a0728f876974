"""Classes 2 and 3 of issue 11, and the file names of class 10: every path gongkai or its
MkDocs build reads or copies resolves inside the project after following symbolic links.

A contributor's pull request controls content/, data/ and data/rulesets/, and git stores
symbolic links. Each probe below (a link to /etc/passwd, /proc/self/environ or /dev/zero;
``../`` climbing out; a link to / or /etc; a link loop; a chain of links ending outside; a
FIFO), planted at several depths of each folder, must be refused with a located problem by
the real ``gongkai check`` and by a real ``mkdocs build``: non-zero exit, the planted path
named, no traceback, nothing of the target in the output or the site, and quickly (no
/dev/zero copied). A link that stays inside the project is fine. File names with ``#``,
``?``, ``%`` or spaces get links that work."""

from __future__ import annotations

import os
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from gongkai.engine import paths
from gongkai.engine.paths import Refused, inspect_tree, read_bytes_inside, safe_file
from gongkai.site.catalog import report_pages
from sitebuild import GONGKAI, MKDOCS, make_project, quiet_env, sample_text

LOCATIONS = ["content", "content/a/b/c", "data", "data/2021/dept", "data/rulesets"]
TARGETS = ["etc-passwd", "proc-environ", "dev-zero", "relative-climb", "dir-root", "dir-etc", "loop", "chain", "fifo"]
PASSWD = "root:x:0:0"  # the first line of /etc/passwd
MARK = "GONGKAI_ENV_MARK"  # a variable only the processes under test have: /proc/self/environ shows it
MARK_VALUE = "environ-leak-7f3c2a"
RUN_TIMEOUT = 120
QUICK = 60  # seconds: refusing must not copy /dev/zero nor walk /


def project_with_report(root: Path) -> Path:
    return make_project(root, {"data/2021/dept/a.yaml": sample_text()})


def plant(project: Path, location: str, target: str) -> str:
    """Put probe ``target`` in ``location``; return the path (relative to the project) that
    must be named."""
    folder = project / location
    folder.mkdir(parents=True, exist_ok=True)
    ext = ".txt" if location.startswith("content") else ".yaml"
    leak = folder / f"leak{ext}"
    if target == "etc-passwd":
        leak.symlink_to("/etc/passwd")
    elif target == "proc-environ":
        leak.symlink_to("/proc/self/environ")
    elif target == "dev-zero":
        leak.symlink_to("/dev/zero")
    elif target == "relative-climb":
        leak.symlink_to("../" * 40 + "etc/passwd")  # relative, climbing out of the project
    elif target in ("dir-root", "dir-etc"):
        leak = folder / "linked"
        leak.symlink_to("/" if target == "dir-root" else "/etc", target_is_directory=True)
    elif target == "loop":
        leak = folder / f"loop-a{ext}"
        leak.symlink_to(f"loop-b{ext}")
        (folder / f"loop-b{ext}").symlink_to(leak.name)
    elif target == "chain":
        (folder / f"hop{ext}").symlink_to("/etc/passwd")
        leak.symlink_to(f"hop{ext}")  # inside → inside → outside
    elif target == "fifo":
        os.mkfifo(leak)
    else:  # pragma: no cover
        raise AssertionError(target)
    return leak.relative_to(project).as_posix()


def run(command: list, cwd: Path) -> subprocess.CompletedProcess:
    env = quiet_env()
    env["GONGKAI_PDF"] = "0"
    env[MARK] = MARK_VALUE
    started = time.monotonic()
    proc = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env, stdin=subprocess.DEVNULL
    )
    proc.seconds = time.monotonic() - started
    return proc


def assert_refused(proc: subprocess.CompletedProcess, named: str) -> None:
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert named in output, f"{named} 未被指出：\n{output}"
    assert "PATH_OUTSIDE" in output or "PATH_SPECIAL" in output, output
    assert "Traceback" not in output, output
    assert PASSWD not in output and MARK_VALUE not in output, output
    assert proc.seconds < QUICK, f"用了 {proc.seconds:.0f} 秒"


def leaked_files(site: Path) -> list:
    """Files of the built site that hold anything of /etc/passwd or of the environment."""
    found = []
    if not site.exists():
        return found
    for folder, _, names in os.walk(site):  # links are not followed
        for name in names:
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                found.append(f"{path}（不是普通文件）")
                continue
            data = path.read_bytes()
            if PASSWD.encode() in data or MARK_VALUE.encode() in data:
                found.append(str(path))
    return found


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("location", LOCATIONS)
def test_check_refuses(tmp_path, location, target):
    project = project_with_report(tmp_path / "p")
    named = plant(project, location, target)
    assert_refused(run([str(GONGKAI), "check"], project), named)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("location", LOCATIONS)
def test_build_refuses(tmp_path, location, target):
    project = project_with_report(tmp_path / "p")
    named = plant(project, location, target)
    site = tmp_path / "site"
    proc = run([str(MKDOCS), "build", "-q", "-d", str(site)], project)
    assert_refused(proc, named)
    assert not leaked_files(site)


def test_a_markdown_page_linked_outside_is_refused_by_check_build_and_catalog(tmp_path):
    project = project_with_report(tmp_path / "p")
    (project / "content" / "x").mkdir()
    (project / "content" / "x" / "passwd.md").symlink_to("/etc/passwd")
    (project / "content" / "page.md").write_text("---\n数据: data/2021/dept/b.yaml\n---\n正文\n", encoding="utf-8")
    (project / "data" / "2021" / "dept" / "b.yaml").symlink_to("/etc/passwd")
    assert_refused(run([str(GONGKAI), "check"], project), "content/x/passwd.md")
    proc = run([str(MKDOCS), "build", "-q", "-d", str(tmp_path / "site")], project)
    assert_refused(proc, "content/x/passwd.md")
    assert "data/2021/dept/b.yaml" in proc.stderr
    assert not leaked_files(tmp_path / "site")
    pages, problems = report_pages(project, project / "content", project / "data")
    found = {(p.file, p.code) for p in problems}
    assert ("content/x/passwd.md", "PATH_OUTSIDE") in found and ("data/2021/dept/b.yaml", "PATH_OUTSIDE") in found
    assert [p.data for p in pages] == ["data/2021/dept/a.yaml"]
    assert all(PASSWD not in p.message for p in problems)


def test_check_on_the_project_folder_reports_content_too(tmp_path):
    project = project_with_report(tmp_path / "p")
    named = plant(project, "content/a", "etc-passwd")
    assert_refused(run([str(GONGKAI), "check", "."], project), named)
    assert_refused(run([str(GONGKAI), "check", str(project / "data")], tmp_path), named)


def test_check_names_a_refused_file_given_explicitly(tmp_path):
    project = project_with_report(tmp_path / "p")
    named = plant(project, "data/2021/dept", "fifo")
    assert_refused(run([str(GONGKAI), "check", named], project), named)
    named = plant(project, "data/2021/x", "etc-passwd")
    assert_refused(run([str(GONGKAI), "check", named, "--format", "json"], project), named)


def test_links_inside_the_project_are_accepted(tmp_path):
    project = project_with_report(tmp_path / "p")
    (project / "data" / "2021" / "dept" / "b.yaml").symlink_to("a.yaml")
    (project / "content" / "x").mkdir()
    (project / "content" / "x" / "alias.md").symlink_to("../index.md")
    (project / "content" / "shared").symlink_to("../data/2021", target_is_directory=True)
    check = run([str(GONGKAI), "check"], project)
    assert check.returncode == 0, check.stdout + check.stderr
    site = tmp_path / "site"
    build = run([str(MKDOCS), "build", "-q", "-d", str(site)], project)
    assert build.returncode == 0, build.stderr
    assert (site / "x" / "alias" / "index.html").is_file()
    assert (site / "2021" / "dept" / "b" / "b.yaml").read_bytes() == (
        project / "data" / "2021" / "dept" / "a.yaml"
    ).read_bytes()
    assert (site / "shared" / "dept" / "a.yaml").is_file()


# ---- the module itself ------------------------------------------------------------------------


def test_inspect_tree_follows_inside_folder_links_once_and_never_loops(tmp_path):
    project = tmp_path / "p"
    (project / "data" / "real").mkdir(parents=True)
    (project / "data" / "real" / "r.yaml").write_text("a: 1\n", encoding="utf-8")
    (project / "data" / "alias").symlink_to("real")
    (project / "data" / "real" / "back").symlink_to("..")  # a loop through its parent
    (project / "data" / "real" / "deeper").symlink_to("../../data")
    files, problems = inspect_tree(project, project / "data", suffixes=(".yaml",))
    assert [f.relative_to(project).as_posix() for f in files] == ["data/alias/r.yaml", "data/real/r.yaml"]
    assert sorted(p.file for p in problems) == [
        "data/alias/back",
        "data/alias/deeper",
        "data/real/back",
        "data/real/deeper",
    ]
    assert {p.code for p in problems} == {"PATH_SPECIAL"}


def test_links_into_git_are_outside(tmp_path):
    project = tmp_path / "p"
    (project / ".git").mkdir(parents=True)
    (project / ".git" / "config").write_text(
        "[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n", encoding="utf-8"
    )
    (project / "content").mkdir()
    (project / "content" / "config.txt").symlink_to("../.git/config")
    assert safe_file(project, project / "content" / "config.txt").code == "PATH_OUTSIDE"
    with pytest.raises(Refused):
        read_bytes_inside(project, project / "content" / "config.txt")


def test_a_path_swapped_for_a_link_after_the_check_is_not_followed(tmp_path, monkeypatch):
    """The guarded read opens the resolved path component by component with O_NOFOLLOW: if
    the check is passed (simulated here) and the file is a link by the time it is opened,
    the read is refused, not followed."""
    project = tmp_path / "p"
    (project / "data").mkdir(parents=True)
    link = project / "data" / "x.yaml"
    link.symlink_to("/etc/passwd")
    real = paths._real
    monkeypatch.setattr(paths, "_classify", lambda root, path: ("file", None, None))
    as_if_checked = os.path.join(real(link.parent), link.name)  # what a regular file would resolve to
    monkeypatch.setattr(paths, "_real", lambda p: as_if_checked if os.fspath(p) == str(link) else real(p))
    with pytest.raises(Refused) as refused:
        read_bytes_inside(project, link)
    assert refused.value.problem.code == "PATH_OUTSIDE" and refused.value.problem.file == "data/x.yaml"


def test_a_fifo_is_never_opened_for_reading(tmp_path):
    project = tmp_path / "p"
    (project / "data").mkdir(parents=True)
    os.mkfifo(project / "data" / "pipe.yaml")
    with pytest.raises(Refused) as refused:
        read_bytes_inside(project, project / "data" / "pipe.yaml")  # would block forever if opened
    assert refused.value.problem.code == "PATH_SPECIAL"


def test_serve_watches_without_following_links(tmp_path):
    from mkdocs.livereload import LiveReloadServer
    from watchdog.observers.polling import PollingObserverVFS

    from gongkai.site.plugin import _watch_without_following_links

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "root").symlink_to("/", target_is_directory=True)
    (tmp_path / "data" / "a.yaml").write_text("a: 1\n", encoding="utf-8")
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path / "site"))
    server.watch(str(tmp_path / "data"))
    _watch_without_following_links(server)
    assert isinstance(server.observer, PollingObserverVFS)
    assert list(server._watched_paths) == [str(tmp_path / "data")]
    [emitter] = server.observer.emitters
    seen = emitter._take_snapshot().paths
    assert str(tmp_path / "data" / "a.yaml") in seen and str(tmp_path / "data" / "root") in seen
    assert not [p for p in seen if p.startswith(str(tmp_path / "data" / "root") + os.sep)]


# ---- file names with #, ?, % and spaces ---------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "link"):
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def _target(site: Path, page: Path, href: str) -> Path | None:
    """The built file a relative link leads to (None for other sites and same-page anchors)."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    base = site if parts.path.startswith("/") else page.parent  # 404.html links from the site root
    path = (base / unquote(parts.path).lstrip("/")).resolve()
    return path / "index.html" if href.split("#")[0].split("?")[0].endswith("/") or path.is_dir() else path


def test_file_names_with_hash_question_mark_percent_and_space_link_correctly(tmp_path):
    names = ["data/2021/dept/a#1?.yaml", "data/2021/my dept%/b c.yaml"]
    project = make_project(tmp_path / "p", {name: sample_text() for name in names})
    site = tmp_path / "site"
    proc = run([str(MKDOCS), "build", "--strict", "-q", "-d", str(site)], project)
    assert proc.returncode == 0, proc.stderr
    reports = {site / "2021" / "dept" / "a#1?" / "index.html", site / "2021" / "my dept%" / "b c" / "index.html"}
    downloads = {site / "2021" / "dept" / "a#1?" / "a#1?.yaml", site / "2021" / "my dept%" / "b c" / "b c.yaml"}
    assert all(p.is_file() for p in reports | downloads)
    reached, broken = set(), []
    for page in sorted(site.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for href in parser.hrefs:
            target = _target(site, page, href)
            if target is None:
                continue
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {href}")
            reached.add(target)
    assert not broken, broken
    assert reports <= reached and downloads <= reached  # the index pages and report pages link to them


# ---- red-team finding 12: a folder-link fan-out is refused in seconds ------------------------------


def fan_out(folder: Path, depth: int) -> None:
    """``depth`` folders, each with two links to the one before: 2**depth paths, 2*depth links."""
    (folder / "d0").mkdir(parents=True)
    (folder / "d0" / "a.yaml").write_text("a: 1\n", encoding="utf-8")
    for i in range(1, depth + 1):
        (folder / f"d{i}").mkdir()
        for name in ("x", "y"):
            (folder / f"d{i}" / name).symlink_to(f"../d{i - 1}", target_is_directory=True)


@pytest.mark.parametrize("where", ["content/f", "data/f"])
def test_folder_link_fan_out_is_refused_quickly(tmp_path, where):
    project = project_with_report(tmp_path / "p")
    fan_out(project / where, 22)
    start = time.monotonic()
    problems = paths.project_problems(project, project / "content")
    assert time.monotonic() - start < 10
    nested = [p for p in problems if p.code == "PATH_SPECIAL" and "文件夹链接之下" in p.message]
    assert nested and all(p.file.startswith(where + "/") for p in nested), [p.human() for p in problems]
    start = time.monotonic()
    result = subprocess.run(
        [str(GONGKAI), "check", "data"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        env=quiet_env(),
        check=False,
    )
    assert time.monotonic() - start < 30 and result.returncode == 1, result.stdout[-2000:]
    assert "PATH_SPECIAL" in result.stdout and "Traceback" not in result.stdout + result.stderr


def test_a_folder_link_inside_a_linked_folder_is_refused(tmp_path):
    project = tmp_path / "p"
    (project / "data" / "real" / "inner").mkdir(parents=True)
    (project / "data" / "real" / "inner" / "r.yaml").write_text("a: 1\n", encoding="utf-8")
    (project / "data" / "other").mkdir()
    (project / "data" / "other" / "o.yaml").write_text("a: 1\n", encoding="utf-8")
    (project / "data" / "real" / "to-other").symlink_to("../other", target_is_directory=True)
    (project / "data" / "alias").symlink_to("real", target_is_directory=True)
    files, problems = inspect_tree(project, project / "data", suffixes=(".yaml",))
    listed = [f.relative_to(project).as_posix() for f in files]
    # one level of folder links is followed; a link reached through a link is refused
    assert listed == [
        "data/alias/inner/r.yaml",
        "data/other/o.yaml",
        "data/real/inner/r.yaml",
        "data/real/to-other/o.yaml",
    ]
    assert [(p.code, p.file) for p in problems] == [("PATH_SPECIAL", "data/alias/to-other")]


def test_entries_through_folder_links_have_their_own_budget(tmp_path, monkeypatch):
    project = tmp_path / "p"
    (project / "data" / "real").mkdir(parents=True)
    for i in range(30):
        (project / "data" / "real" / f"r{i:02}.yaml").write_text("a: 1\n", encoding="utf-8")
    for name in ("a", "b", "c", "d"):
        (project / "data" / name).symlink_to("real", target_is_directory=True)
    files, problems = inspect_tree(project, project / "data", suffixes=(".yaml",))
    assert len(files) == 150 and problems == []
    monkeypatch.setattr(paths, "MAX_LINKED_ENTRIES", 100)  # 4 links × 30 files is over it
    files, problems = inspect_tree(project, project / "data", suffixes=(".yaml",))
    assert [(p.code, p.file) for p in problems] == [("PATH_SPECIAL", "data")] and "文件夹符号链接" in problems[
        0
    ].message
