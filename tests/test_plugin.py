"""The MkDocs plugin: registered as the ``gongkai`` entry point with a typed configuration, the
``hooks/gongkai_hooks.py`` shim forwarding to it, settings passed through the loaded configuration
(never the environment), and mkdocs.yml read only by MkDocs (PDFs use its docs_dir and Markdown
extensions, ``!!python/name:`` tags included)."""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException
from mkdocs.plugins import BasePlugin

from conftest import ROOT
from sitebuild import MINIMAL_MKDOCS_YML, MKDOCS, article, make_project, quiet_env, sample_text

REPORT = "data/2021/test-dept/x.yaml"
PAGE = Path("2021/test-dept/x/index.html")
TOTAL = re.compile(r'data-gk="总分"[^>]*>\s*([-\d.]+)\s*<')

PLUGIN_YML = MINIMAL_MKDOCS_YML.replace(
    "plugins:\n  - search\nhooks:\n  - hooks/gongkai_hooks.py\n", "plugins:\n  - search\n  - gongkai{options}\n"
)


def plugin_project(root: Path, options: str = "", data: dict | None = None) -> Path:
    """A tiny project whose mkdocs.yml enables gongkai under ``plugins:`` (no hooks)."""
    project = make_project(root, data if data is not None else {REPORT: sample_text()})
    assert "hooks:" in MINIMAL_MKDOCS_YML and "{options}" in PLUGIN_YML
    (project / "mkdocs.yml").write_text(PLUGIN_YML.format(options=options), encoding="utf-8")
    return project


def build(project: Path, out: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(MKDOCS), "build", "-q", "-d", str(out)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={**quiet_env(), "GONGKAI_PDF": "0", **(env or {})},
    )


def test_the_plugin_is_the_gongkai_entry_point_with_a_typed_config():
    from gongkai.site.config import GongkaiConfig
    from gongkai.site.plugin import GongkaiPlugin

    [entry] = [e for e in importlib.metadata.entry_points(group="mkdocs.plugins") if e.name == "gongkai"]
    assert entry.load() is GongkaiPlugin
    assert issubclass(GongkaiPlugin, BasePlugin) and GongkaiPlugin.config_class is GongkaiConfig
    plugin = GongkaiPlugin()
    errors, _ = plugin.load_config({})
    assert not errors
    assert (plugin.config.data_dir, plugin.config.pdf, plugin.config.shard, plugin.config.pdf_cache_dir) == (
        "data",
        None,
        None,
        ".cache/gongkai/pdf",
    )
    errors, _ = GongkaiPlugin().load_config({"shard": "3/2"})
    assert errors and "K/N" in str(errors[0][1])
    errors, _ = GongkaiPlugin().load_config({"pdf": "yes"})
    assert errors


def test_options_in_mkdocs_yml_are_validated_by_mkdocs(tmp_path):
    project = plugin_project(tmp_path / "p", ":\n      shard: 2/3\n      pdf: true\n      data_dir: reports")
    config = load_config(str(project / "mkdocs.yml"))
    options = config.plugins["gongkai"].config
    assert (options.shard, options.pdf, options.data_dir) == ((2, 3), True, "reports")
    (project / "mkdocs.yml").write_text(PLUGIN_YML.format(options=":\n      shard: 9/3"), encoding="utf-8")
    with pytest.raises(MkDocsException):
        load_config(str(project / "mkdocs.yml"))


def test_a_site_with_plugins_gongkai_builds_from_its_data_dir(tmp_path):
    project = plugin_project(
        tmp_path / "p", ":\n      data_dir: reports", {REPORT.replace("data/", "reports/", 1): sample_text()}
    )
    built = build(project, tmp_path / "site")
    assert built.returncode == 0, built.stderr[-3000:]
    page = (tmp_path / "site" / PAGE).read_text(encoding="utf-8")
    assert TOTAL.search(article(page)).group(1) == "96.8"  # the printed 96.8, which the computation confirms
    assert (tmp_path / "site" / "2021" / "test-dept" / "x" / "x.json").is_file()
    assert not (tmp_path / "site" / "pdf").exists()


def test_the_hooks_shim_still_works_and_steps_aside_for_the_plugin(tmp_path):
    shim = make_project(tmp_path / "shim", {REPORT: sample_text()})  # hooks: - hooks/gongkai_hooks.py
    assert build(shim, tmp_path / "shim-site").returncode == 0
    both = plugin_project(tmp_path / "both")
    config = both / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "hooks:\n  - hooks/gongkai_hooks.py\n", encoding="utf-8")
    built = build(both, tmp_path / "both-site")
    assert built.returncode == 0, built.stderr[-3000:]
    for site in ("shim-site", "both-site"):
        page = (tmp_path / site / PAGE).read_text(encoding="utf-8")
        assert TOTAL.search(article(page)).group(1) == "96.8"  # the printed 96.8, which the computation confirms
        assert page.count("assets/gongkai/gongkai.css") == 1, site  # the stylesheet added once
    assert (tmp_path / "shim-site" / PAGE).read_text(encoding="utf-8") == (tmp_path / "both-site" / PAGE).read_text(
        encoding="utf-8"
    )


def test_gongkai_build_passes_pdf_and_shard_through_the_config_not_the_environment(tmp_path, monkeypatch):
    import gongkai.site.plugin as plugin_module
    from gongkai.site.plugin import build_site

    seen = []

    def fake_build_pdfs(catalog, renderer, root, out, cache, workers=None, only=None, progress=None, shard=None):
        seen.append((shard, dict(os.environ)))
        return []

    monkeypatch.setattr(plugin_module, "build_pdfs", fake_build_pdfs)
    monkeypatch.delenv("GONGKAI_PDF", raising=False)
    monkeypatch.delenv("GONGKAI_SHARD", raising=False)
    # MkDocs sets NO_MKDOCS_2_WARNING in the environment after its first warning: set it first, so
    # that what is compared is only what gongkai might pass through the environment
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", os.environ.get("NO_MKDOCS_2_WARNING", "true"))
    for project in (plugin_project(tmp_path / "plugin"), make_project(tmp_path / "shim", {REPORT: sample_text()})):
        before = dict(os.environ)
        build_site(project, project / "site", pdfs=True, shard=(2, 3))
        assert [shard for shard, _ in seen] == [(2, 3)]
        assert "PDF 打印版" in (project / "site" / PAGE).read_text(encoding="utf-8")
        assert seen[0][1] == before and dict(os.environ) == before  # nothing travelled through the environment
        seen.clear()
        build_site(project, project / "site", pdfs=False)
        assert seen == []
        assert "PDF 打印版" not in (project / "site" / PAGE).read_text(encoding="utf-8")  # no PDF link without PDFs
        build_site(project, project / "site", pdfs=True)
        assert [shard for shard, _ in seen] == [None]  # a new build: the last one's settings are gone
        seen.clear()


def test_pdfs_use_docs_dir_and_markdown_extensions_of_a_material_config(tmp_path):
    """A standard material mkdocs.yml: ``!!python/name:`` tags (pymdownx.emoji), a docs_dir of
    its own. MkDocs reads it; the PDFs render the page from that folder with those extensions."""
    from gongkai.engine.yamlload import load_text
    from gongkai.pdf.stage import project_pdfs

    project = make_project(tmp_path / "p", {REPORT: sample_text()})
    (project / "content").rename(project / "pages")
    page = project / "pages" / "2021" / "test-dept" / "x.md"
    page.parent.mkdir(parents=True)
    page.write_text(
        "---\n数据: data/2021/test-dept/x.yaml\n---\n\n# {{ 名称 }}\n\n完成得很好 :material-check-bold:\n\n"
        '!!! note "说明"\n    总分 {{ 总分 }}。\n',
        encoding="utf-8",
    )
    config = MINIMAL_MKDOCS_YML.replace("docs_dir: content", "docs_dir: pages").replace(
        "markdown_extensions:\n",
        "markdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n",
    )
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    assert load_text(config).problems  # gongkai's own strict YAML loader cannot read it: MkDocs must
    _catalog, outcomes = project_pdfs(project, tmp_path / "out", workers=1, use_cache=False, progress=False)
    assert [o.error for o in outcomes] == [None, None], [o.error for o in outcomes]
    [report] = [o.job for o in outcomes if o.job.output == "2021/test-dept/x.pdf"]
    # :material-check-bold: went through pymdownx.emoji (its inline SVG is then removed, as any raw SVG of a page)
    assert '<span class="twemoji"></span>' in report.html and ":material-check-bold:" not in report.html
    assert 'class="admonition note"' in report.html and "完成得很好" in report.html  # the page in pages/
    assert (tmp_path / "out" / "2021" / "test-dept" / "x.pdf").read_bytes()[:5] == b"%PDF-"
    built = build(project, tmp_path / "site")
    assert built.returncode == 0, built.stderr[-3000:]
    assert 'class="twemoji"' in (tmp_path / "site" / PAGE).read_text(encoding="utf-8")


def test_this_repository_enables_the_plugin():
    config = load_config(str(ROOT / "mkdocs.yml"))
    from gongkai.site.plugin import GongkaiPlugin

    assert isinstance(config.plugins["gongkai"], GongkaiPlugin) and not config.hooks


def test_every_plugin_option_is_documented():
    from gongkai.site.config import GongkaiConfig

    site = (ROOT / "content" / "guide" / "site.md").read_text(encoding="utf-8")
    missing = [name for name, _ in GongkaiConfig._schema if f"| `{name}` |" not in site]
    assert not missing
