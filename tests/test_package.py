"""gongkai as a department installs it: the sdist and the wheel (built from the sdist, offline,
with the build tools of the project's venv) carry every file of the package, and the wheel,
installed into a fresh venv, makes a department's site from nothing: gongkai init, gongkai new
for every kind of report, gongkai check, and a strict build with its PDFs.

The fresh venv gets only the wheel (``pip install --no-index --no-deps``); its dependencies
come from the project venv's site-packages through a .pth file, so nothing is downloaded and
the gongkai that runs is the wheel's, not the project's source."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from configparser import ConfigParser
from pathlib import Path

import pytest

from conftest import ROOT
from sitebuild import BUILD_TIMEOUT, broken_links, quiet_env, site_anchors

SOURCES = ("pyproject.toml", "README.md", "src/gongkai")
KINDS = {"自评表": "project", "评价报告": "evaluation", "部门整体": "department", "部门决算": "final-accounts"}
UNIT = "某某市工商业联合会"
SITE_URL = "https://gongkai.example.gov.cn/gk/"


def package_files() -> list[str]:
    """Every file of the package in the source tree (``gongkai/…``), bytecode aside."""
    root = ROOT / "src"
    return sorted(
        p.relative_to(root).as_posix()
        for p in (root / "gongkai").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def run(command: list, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=BUILD_TIMEOUT,
        env=env or quiet_env(),
    )


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> dict:
    """The sdist and the wheel, built once per test session (shared by the xdist workers) from a
    copy of the sources: ``python -m build --no-isolation`` builds the sdist, then the wheel from it."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    out = base / "gongkai-dist"
    with (base / "gongkai-dist.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "status").exists():
            source = out / "source"
            source.mkdir(parents=True)
            for rel in SOURCES:
                if (ROOT / rel).is_dir():
                    shutil.copytree(ROOT / rel, source / rel, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy2(ROOT / rel, source / rel)
            proc = run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out / "dist", source], source)
            log = f"{proc.returncode}\n{proc.stdout[-2000:]}{proc.stderr[-3000:]}"
            (out / "status").write_text(log, encoding="utf-8")
    code, _, log = (out / "status").read_text(encoding="utf-8").partition("\n")
    assert code == "0", f"python -m build 失败：\n{log}"
    wheels, sdists = list((out / "dist").glob("*.whl")), list((out / "dist").glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    return {"wheel": wheels[0], "sdist": sdists[0]}


def test_the_wheel_carries_every_file_of_the_package(dist):
    names = set(zipfile.ZipFile(dist["wheel"]).namelist())
    missing = [f for f in package_files() if f not in names]
    assert not missing, f"轮子（wheel）中缺少：{missing}（pyproject.toml 的 package-data 没有包括它们）"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    for needed in ("gongkai/site/theme/404.html", "gongkai/system/packages.txt", "gongkai/scaffolds/site/Makefile",
                   "gongkai/subjects/功能分类.yaml", "gongkai/templates/print/print.css"):
        assert needed in names


def test_the_sdist_carries_the_sources(dist):
    with tarfile.open(dist["sdist"]) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"pyproject.toml", "README.md"} <= names
    missing = [f for f in package_files() if f"src/{f}" not in names]
    assert not missing


def test_the_wheel_installs_the_command_and_the_mkdocs_plugin(dist):
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        name = next(n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt"))
        points = ConfigParser()
        points.read_string(wheel.read(name).decode("utf-8"))
    assert points["console_scripts"]["gongkai"] == "gongkai.cli:main"
    assert points["mkdocs.plugins"]["gongkai"] == "gongkai.site.plugin:GongkaiPlugin"


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory) -> Path:
    """A fresh venv holding the wheel; the project venv's site-packages come after its own."""
    venv = tmp_path_factory.mktemp("venv") / "v"
    made = run([sys.executable, "-m", "venv", "--without-pip", venv], venv.parent)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    own = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], venv.parent).stdout.strip()
    (Path(own) / "project-venv.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    pip = run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-index", "--no-deps",
               dist["wheel"]], venv.parent)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    where = run([python, "-c", "import gongkai; print(gongkai.__file__)"], venv.parent).stdout.strip()
    assert Path(where).is_relative_to(venv), where  # the wheel's gongkai, not the project's source
    return venv


def test_the_installed_wheel_makes_a_department_site(installed, tmp_path):
    gongkai = installed / "bin" / "gongkai"
    assert gongkai.is_file()
    made = run([gongkai, "init", "site", "--name", UNIT], tmp_path)
    assert made.returncode == 0, made.stderr
    site = tmp_path / "site"
    for name in ("mkdocs.yml", "content/index.md", "data/README.md", "Makefile", ".gitignore",
                 ".pre-commit-config.yaml", ".github/workflows/gongkai.yml", ".gitlab-ci.yml"):
        assert (site / name).is_file(), name
    assert not (site / "hooks").exists() and not (site / "overrides").exists()  # nothing copied
    for kind, stem in KINDS.items():
        new = run([gongkai, "new", kind, f"data/2024/benju/{stem}.yaml", "--department", UNIT], site)
        assert new.returncode == 0, new.stderr
    check = run([gongkai, "check", "--strict", "data"], site)
    assert check.returncode == 0, check.stdout + check.stderr
    env = {**quiet_env(), "GONGKAI_PDF": "1", "GONGKAI_SITE_URL": SITE_URL}
    build = run([installed / "bin" / "python", "-m", "mkdocs", "build", "--strict"], site, env)
    assert build.returncode == 0, build.stderr[-3000:]
    built = site / "site"
    pdfs = sorted(p.relative_to(built / "pdf").as_posix() for p in (built / "pdf").rglob("*.pdf"))
    assert pdfs == sorted([f"2024/benju/{stem}.pdf" for stem in KINDS.values()] + ["2024/benju-2024.pdf"]), pdfs
    # the 汇编 PDF is linked from its department's page and its year's page
    for page in ("departments/benju/index.html", "years/2024/index.html"):
        assert "pdf/2024/benju-2024.pdf" in (built / page).read_text(encoding="utf-8"), page
    assert broken_links(built, site_anchors(built)) == []
    home = (built / "index.html").read_text(encoding="utf-8")
    assert f"{UNIT}绩效与决算公开" in home and "assets/gongkai/theme.css" in home
    assert "gongkai-search.js?worker=search." in home
    assert "<loc>https://gongkai.example.gov.cn/gk/2024/benju/project/</loc>" in (built / "sitemap.xml").read_text(
        encoding="utf-8"
    )
    assert "404：页面不存在" in (built / "404.html").read_text(encoding="utf-8")


def test_the_installed_wheel_checks_the_machine(installed, tmp_path):
    doctor = run([installed / "bin" / "gongkai", "doctor"], tmp_path)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr  # make test installed every package
    assert "全部就绪" in doctor.stdout and "fonts-noto-cjk" in doctor.stdout
