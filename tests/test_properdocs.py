"""The sites build on ProperDocs, the maintained fork of MkDocs 1.x (``pip install properdocs``,
``properdocs build``; it reads mkdocs.yml and runs the plugins of the ``mkdocs.plugins`` entry
points, gongkai's among them), as they build on MkDocs 1.6: the same pages, and gongkai's
warnings fail a strict build there too (ProperDocs' logger is "properdocs", not "mkdocs")."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from sitebuild import BUILD_TIMEOUT, broken_links, quiet_env
from test_site import site  # noqa: F401  (the example site built with MkDocs, once per session)

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("properdocs") is None,
    reason="ProperDocs 未安装（pip install -e '.[test]' 会安装它）：无法检查网站在 ProperDocs 上的生成",
)

CONFIG = """\
site_name: 测试站点
docs_dir: content
strict: {strict}
theme:
  name: material
  language: zh
  font: false
plugins:
  - search
  - gongkai
"""


def properdocs(project: Path, out: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "properdocs", "build", *options, "-d", str(out)],
        cwd=project, capture_output=True, text=True, timeout=BUILD_TIMEOUT, env={**quiet_env(), "GONGKAI_PDF": "0"},
    )


def pages(folder: Path) -> set:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*.html")}


def test_the_example_site_builds_on_properdocs_as_on_mkdocs(site, tmp_path):  # noqa: F811
    proc = properdocs(ROOT, tmp_path / "site", "--strict")
    assert proc.returncode == 0, proc.stderr[-3000:]
    built = tmp_path / "site"
    assert pages(built) == pages(site)
    assert broken_links(built) == []
    page = (built / "2021" / "shenzhen-gsl" / "final-accounts" / "index.html").read_text(encoding="utf-8")
    assert 'id="表1"' in page and "gongkai-search.js?worker=" in page and "assets/gongkai/theme.css" in page


def test_the_guide_builds_on_properdocs(tmp_path):
    proc = properdocs(ROOT, tmp_path / "guide", "--strict", "-f", "mkdocs.guide.yml")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "guide" / "cli" / "index.html").is_file()


@pytest.mark.parametrize("strict", [True, False])
def test_a_gongkai_warning_fails_a_strict_properdocs_build(strict, tmp_path):
    project = tmp_path / "p"
    (project / "content").mkdir(parents=True)
    (project / "mkdocs.yml").write_text(CONFIG.format(strict=str(strict).lower()), encoding="utf-8")
    (project / "content" / "index.md").write_text("# 首页\n\n<script>alert(1)</script>\n", encoding="utf-8")
    proc = properdocs(project, tmp_path / "site")
    assert "PAGE_HTML" in proc.stderr, proc.stderr[-3000:]  # gongkai's message reaches ProperDocs' console
    assert (proc.returncode != 0) == strict, proc.stderr[-3000:]
