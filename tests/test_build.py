"""Building at scale and under failure: PDF shards, the swap that keeps the previous site,
and bad pages that fail with a located message."""

import errno
import hashlib
import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from gongkai.engine.pipeline import evaluate
from gongkai.pdf.stage import project_pdfs, shard_groups
from gongkai.site.catalog import report_pages
from gongkai.site.config import parse_shard
from gongkai.site.reportcache import prune, read_print


def small_project(root: Path) -> Path:
    for rel in ("data/2021/guangshui-gsl", "data/2022/urumqi-gsl", "content/2022/urumqi-gsl"):
        shutil.copytree(ROOT / rel, root / rel)
    (root / "mkdocs.yml").write_text(
        "site_name: 测试\ndocs_dir: content\ntheme:\n  name: material\n  language: zh\n  font: false\n"
        "markdown_extensions: [admonition, attr_list, md_in_html, footnotes, tables, toc]\n"
        "hooks:\n  - hooks/gongkai_hooks.py\n",
        encoding="utf-8",
    )
    shutil.copytree(ROOT / "hooks", root / "hooks")
    (root / "content" / "index.md").write_text("# 测试\n", encoding="utf-8")
    return root


def test_shards_together_are_byte_identical_to_a_full_build(tmp_path):
    project = small_project(tmp_path / "p")
    _, full = project_pdfs(project, tmp_path / "full", workers=1, use_cache=False, progress=False)
    made = {o.job.output for o in full}
    assert len(made) == 5 and not [o for o in full if o.error]
    seen = []
    for k in (1, 2, 3):
        _, part = project_pdfs(
            project, tmp_path / f"shard{k}", workers=1, use_cache=False, progress=False, shard=(k, 3)
        )
        seen += [o.job.output for o in part]
        for o in part:
            assert (tmp_path / f"shard{k}" / o.job.output).read_bytes() == (
                tmp_path / "full" / o.job.output
            ).read_bytes()
    assert sorted(seen) == sorted(made)  # every PDF exactly once


def test_shards_take_whole_department_years_and_are_even():
    """A volume is assembled from its reports' PDFs: a department-year goes to one shard whole.
    The split is the same on every machine and as even as whole groups allow."""
    sizes = {f"2021/u{i}-2021.pdf": 5 + (i * 7) % 23 for i in range(37)}
    placed = shard_groups(sizes, 4)
    assert placed == shard_groups(dict(reversed(list(sizes.items()))), 4)  # order of discovery does not matter
    assert set(placed) == set(sizes) and set(placed.values()) == {1, 2, 3, 4}
    loads = [sum(size for group, size in sizes.items() if placed[group] == k) for k in (1, 2, 3, 4)]
    assert max(loads) - min(loads) <= max(sizes.values())
    assert shard_groups({"a": 3}, 4) == {"a": 1}  # more shards than groups: the others make nothing
    assert parse_shard("2/4") == (2, 4) and parse_shard(None) is None
    for bad in ("0/4", "5/4", "2-4", "a/b"):
        with pytest.raises(ValueError, match="K/N"):
            parse_shard(bad)


# ---- a site of many reports: pages filled in workers, shards merged ----------------------


def corpus(root: Path, count: int) -> Path:
    """A project of ``count`` synthetic reports of the three kinds (bench/corpus.py), in
    ``count`` departments (up to 37), with gongkai's hooks."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from corpus import write_site

    write_site(root, count, hooks=True, mixed=True)
    return root


def files_of(site: Path) -> dict:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_pages_filled_in_workers_are_the_pages_filled_in_the_build(tmp_path, monkeypatch):
    """A large site fills its report pages in the processes that evaluate the reports
    (site.prerender), and keeps what it made of each report for the next build
    (site.reportcache); the site is byte for byte the one made when MkDocs' page loop fills
    every page and nothing is kept."""
    from gongkai.engine import pipeline
    from gongkai.site import plugin, prerender
    from gongkai.site.plugin import build_site

    count = pipeline.PARALLEL_FROM + 6
    project = corpus(tmp_path / "p", count)
    filled_here = []
    real_fill = prerender.fill_page

    def counted(entry, *args, **kwargs):
        filled_here.append(entry.page.src_uri)
        return real_fill(entry, *args, **kwargs)

    monkeypatch.setattr(plugin, "fill_page", counted)
    build_site(project, tmp_path / "workers", pdfs=False)
    kept = project / ".cache" / "gongkai" / "reports"
    assert filled_here == [] and len(list(kept.glob("*.json"))) == count  # every page came filled from a worker
    build_site(project, tmp_path / "kept", pdfs=False)  # the same, from the report cache
    assert filled_here == [] and len(list(kept.glob("*.json"))) == count
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 10**9)  # everything in this process, nothing kept
    build_site(project, tmp_path / "here", pdfs=False)
    assert len(filled_here) == count
    here = files_of(tmp_path / "here")
    assert files_of(tmp_path / "workers") == here and files_of(tmp_path / "kept") == here


def test_a_changed_input_is_made_again_and_the_cache_keeps_only_what_a_build_used(tmp_path):
    """The report cache is found by the hash of a report's inputs: a changed data file, page or
    template is made again, never taken from an earlier build; a whole build (with PDFs) keeps
    only its own entries. The HTML a worker makes for a PDF is the PDF stage's own."""
    from gongkai.engine import pipeline
    from gongkai.pdf.printhtml import PrintRenderer
    from gongkai.render.environment import html_environment, markdown_environment
    from gongkai.site import catalog as catalog_module
    from gongkai.site.config import load_site
    from gongkai.site.prerender import Fill

    project = corpus(tmp_path / "p", pipeline.PARALLEL_FROM + 2)
    site = load_site(project)
    loaded = site.project.with_settings(pdf=True)
    folder = tmp_path / "kept"

    def catalog():
        return catalog_module.build(loaded, fill=Fill.of(loaded, folder, site.markdown, "https://example.gov.cn/gk/"))

    first = catalog()
    html_env = html_environment(loaded.root)
    renderer = PrintRenderer.for_catalog(loaded, first, html_env, markdown_environment(html_env), site.markdown,
                                         "https://example.gov.cn/gk/")
    for entry in first.entries:  # the worker's print HTML, read back from the cache, is the PDF stage's
        html = renderer.report(entry)
        assert entry.printed.digest == hashlib.sha256(html.encode()).hexdigest()
        assert read_print(entry.printed.path) == html
    entry = next(e for e in first.entries if "r00000" in e.page.src_uri)
    data = project / entry.page.data
    data.write_text(data.read_text(encoding="utf-8").replace("基准项目0", "改过名的项目"), encoding="utf-8")
    second = catalog()
    changed = next(e for e in second.entries if "r00000" in e.page.src_uri)
    assert "改过名的项目" in changed.filled.text and "改过名的项目" not in entry.filled.text
    assert len(second.kept) == len(first.kept) and len(second.kept - first.kept) == 1
    (project / "templates").mkdir()
    (project / "templates" / "extra.txt").write_text("模板文件夹中的任何文件都是输入", encoding="utf-8")
    third = catalog()
    assert not (third.kept & second.kept)  # a template changed: every report made again
    assert prune(folder, third.kept) == 2 * len(first.kept | second.kept)  # an entry and its print HTML each
    assert {p.name.split(".")[0] for p in folder.iterdir()} == third.kept


def test_search_cuts_each_text_once_into_jiebas_own_words():
    """While a build runs, jieba's cut of a text is remembered (the search index cuts every
    page's Chinese); the words are jieba's own, and a new build's terms are never answered
    from the last build's memory."""
    import jieba

    from gongkai.site.search_terms import SearchTerms

    texts = ["项目预算执行率达到百分之九十", "绩效目标完成情况对比表", "项目预算执行率达到百分之九十"]
    own = [list(jieba.cut(t)) for t in texts]
    terms = SearchTerms()
    original = jieba.cut
    terms.remember()
    try:
        assert jieba.cut is not original
        assert [list(jieba.cut(t)) for t in texts] == own
        terms.use((("search_terms.txt", "绩效目标完成情况对比表\n".encode()),))
        terms.remember()  # the next build: its terms, a fresh memory
        assert list(jieba.cut(texts[1])) == ["绩效目标完成情况对比表"]
    finally:
        terms.use(())
        terms.forget()
    assert jieba.cut is original and list(jieba.cut(texts[1])) == own[1]


def test_four_shards_merged_are_byte_identical_to_one_build(tmp_path, monkeypatch):
    """``gongkai build --shard K/4`` on four machines: each builds the whole site and the PDFs
    of its department-years; laid over each other, the four folders are the site of one build,
    byte for byte, every PDF made exactly once. ``gongkai pdf --shard K/4`` makes the same PDFs
    without the site."""
    from click.testing import CliRunner

    from gongkai.cli.commands import main
    from gongkai.site.plugin import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689599")  # the sitemap's date, on any day
    project = corpus(tmp_path / "p", 10)
    build_site(project, tmp_path / "one", pdfs=True)
    whole = files_of(tmp_path / "one")
    merged: dict = {}
    pdfs_made = []
    for k in (1, 2, 3, 4):
        build_site(project, tmp_path / f"shard{k}", pdfs=True, shard=(k, 4))
        for name, content in files_of(tmp_path / f"shard{k}").items():
            assert merged.setdefault(name, content) == content, name  # the same everywhere it is made
            pdfs_made += [name] if name.endswith(".pdf") else []
    assert merged == whole
    assert sorted(pdfs_made) == sorted(name for name in whole if name.endswith(".pdf"))  # each PDF once
    assert len(pdfs_made) == 20  # 10 reports and 10 department-year volumes
    # the PDFs alone, as a CI job that does not build the site makes them: the same bytes
    monkeypatch.chdir(project)
    alone: dict = {}
    for k in (1, 2, 3, 4):
        out = str(tmp_path / f"pdf{k}")
        result = CliRunner().invoke(main, ["pdf", "--shard", f"{k}/4", "--out", out, "--no-cache"])
        assert result.exit_code == 0, result.output
        for name, content in files_of(tmp_path / f"pdf{k}").items():
            assert alone.setdefault(f"pdf/{name}", content) == content
    assert alone == {name: content for name, content in whole.items() if name.endswith(".pdf")}


# ---- the previous site survives a failed build -------------------------------------------


def _old_site(project: Path) -> Path:
    site = project / "site"
    site.mkdir()
    (site / "index.html").write_text("上一次的网站", encoding="utf-8")
    return site


def test_a_failed_build_keeps_the_previous_site(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from gongkai.cli.commands import main

    project = small_project(tmp_path / "p")
    site = _old_site(project)
    (project / "content" / "broken.md").write_text(
        "---\n数据: data/2022/urumqi-gsl/evaluation.yaml\n---\n\n{{ 不存在 }}\n", encoding="utf-8"
    )
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["build", "--no-pdf"])
    assert result.exit_code == 1 and "原有的 site/ 保持不变" in result.output
    assert (site / "index.html").read_text(encoding="utf-8") == "上一次的网站"
    assert not [p for p in project.iterdir() if p.name.startswith(".site.")]  # no half-built folders left


def test_a_full_disk_or_interrupted_build_keeps_the_previous_site(tmp_path, monkeypatch):
    import mkdocs.commands.build as mkdocs_build

    from gongkai.site.plugin import BuildFailed, build_site

    project = small_project(tmp_path / "p")
    site = _old_site(project)

    def disk_full(config, **kwargs):
        Path(config.site_dir, "half.html").write_text("半个网站", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(mkdocs_build, "build", disk_full)
    with pytest.raises(BuildFailed, match="保持不变"):
        build_site(project, site, pdfs=False)
    assert (site / "index.html").read_text(encoding="utf-8") == "上一次的网站" and not (site / "half.html").exists()

    def interrupted(config, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(mkdocs_build, "build", interrupted)
    with pytest.raises(BuildFailed):
        build_site(project, site, pdfs=False)
    assert (site / "index.html").read_text(encoding="utf-8") == "上一次的网站"
    assert not [p for p in project.iterdir() if p.name.startswith(".site.")]


def test_a_successful_build_replaces_the_site(tmp_path, monkeypatch):
    from gongkai.site.plugin import build_site

    project = small_project(tmp_path / "p")
    site = _old_site(project)
    build_site(project, site, pdfs=False)
    assert "上一次的网站" not in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "2022" / "urumqi-gsl" / "evaluation" / "index.html").is_file()


# ---- bad pages and files -----------------------------------------------------------------


def test_malformed_front_matter_and_missing_data_are_located(tmp_path):
    docs, data = tmp_path / "content", tmp_path / "data"
    docs.mkdir()
    data.mkdir()
    (docs / "bad.md").write_text("---\n数据: [未闭合\n---\n正文\n", encoding="utf-8")
    (docs / "missing.md").write_text("---\n数据: data/没有这个文件.yaml\n---\n正文\n", encoding="utf-8")
    (docs / "outside.md").write_text("---\n数据: ../../etc/passwd\n---\n正文\n", encoding="utf-8")
    _, problems = report_pages(tmp_path, docs, data)
    found = {(p.file, p.code) for p in problems}
    assert ("content/bad.md", "PAGE_FRONT_MATTER") in found
    assert ("content/missing.md", "PAGE_DATA") in found and ("content/outside.md", "PAGE_DATA") in found
    bad = next(p for p in problems if p.code == "PAGE_FRONT_MATTER")
    assert bad.line == 3  # where the parser finds the unclosed [ (the closing --- line)


def test_a_50_mb_report_is_refused_before_it_is_read(tmp_path, monkeypatch):
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)

    def no_reading(self, *args, **kwargs):
        raise AssertionError("the file must not be read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    result = evaluate(big)
    [p] = result.problems
    assert p.code == "YAML_TOO_LARGE" and "52,428,800 字节" in p.message
