"""Benchmark: PDFs on one synthetic corpus, measured side by side in one run.

(a) our per-report PDF time (print HTML from Markdown + data + templates, sandboxed
    fetcher, PDF/A-3u, attachments) over bare WeasyPrint rendering the same HTML
    (target ≤ 1.1);
(b) parallel speed-up of the PDF stage on all cores over one process (target ≥ 1.7× on 2);
(c) rebuild after changing one report's YAML as a fraction of the full build
    (target ≤ 5 % on 200 reports).

    .venv/bin/python bench/pdf_speed.py [--reports 200] [--sample 12]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from corpus import write_site

from gongkai.engine.project import Project
from gongkai.pdf.printhtml import PrintRenderer, document_date
from gongkai.pdf.stage import _attachments as attachments
from gongkai.pdf.stage import plan, project_pdfs, run
from gongkai.pdf.writer import Writer
from gongkai.render.environment import html_environment, markdown_environment
from gongkai.site.catalog import build


def renderer_for(project: Path):
    loaded = Project.load(project, docs_dir=project / "content")
    catalog = build(loaded)
    html_env = html_environment(project)
    return catalog, PrintRenderer(loaded, html_env, markdown_environment(html_env), catalog.charts, {})


def overhead(project: Path, sample: int) -> tuple:
    """Seconds for ``sample`` reports: ours (HTML + sandboxed PDF/A with attachments) vs bare WeasyPrint."""
    from weasyprint import HTML

    catalog, renderer = renderer_for(project)
    entries = catalog.entries[:sample]
    writer = Writer()
    ours = bare = 0.0
    for round_, entry in [(r, e) for r in (0, 1) for e in entries]:  # round 0 warms fonts and caches
        start = time.perf_counter()
        html = renderer.report(entry)
        writer.write(html, project / "content", project / "content", attachments(entry), document_date(entry))
        t_ours = time.perf_counter() - start
        start = time.perf_counter()
        HTML(string=html, base_url=str(project / "content") + "/").write_pdf(font_config=writer.fonts)
        t_bare = time.perf_counter() - start
        if round_ == 1:
            ours, bare = ours + t_ours, bare + t_bare
    return ours, bare


def speedup(project: Path, sample: int) -> tuple:
    catalog, renderer = renderer_for(project)
    only = {e.page.data for e in catalog.entries[:sample]}
    jobs = [j for j in plan(catalog, renderer, only) if not j.output.endswith(f"-{catalog.entries[0].report.year}.pdf")]
    times = []
    for workers in (1, os.cpu_count() or 1):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            run(jobs, project / "content", Path(out), None, workers, progress=False)
            times.append(time.perf_counter() - start)
    return times


def rebuild(project: Path) -> tuple:
    out = project / "pdf-out"
    shutil.rmtree(project / ".cache", ignore_errors=True)
    start = time.perf_counter()
    project_pdfs(project, out, progress=False)
    full = time.perf_counter() - start
    data = sorted((project / "data").rglob("*.yaml"))[0]
    text = data.read_text(encoding="utf-8")
    data.write_text(
        text.replace("基本完成年度工作任务。", "基本完成年度工作任务，个别指标未达预期。"), encoding="utf-8"
    )
    start = time.perf_counter()
    _, outcomes = project_pdfs(project, out, progress=False)
    again = time.perf_counter() - start
    made = sum(1 for o in outcomes if o.made)
    return full, again, made, len(outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--sample", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "corpus"
        write_site(project, args.reports, hooks=False)
        ours, bare = overhead(project, args.sample)
        one, many = speedup(project, args.sample * 2)
        full, again, made, total = rebuild(project)
    cores = os.cpu_count()
    print(f"机器：{cores} 核；合成语料 {args.reports} 份自评表")
    print(
        f"(a) 每份报告 PDF：gongkai {ours / args.sample:.2f} 秒，"
        f"WeasyPrint 直接排同一 HTML {bare / args.sample:.2f} 秒；比值 {ours / bare:.2f}（目标 ≤ 1.1）"
    )
    print(
        f"(b) {args.sample * 2} 份 PDF：1 个进程 {one:.1f} 秒，"
        f"{cores} 个进程 {many:.1f} 秒；加速 {one / many:.2f}×（目标 ≥ 1.7×）"
    )
    print(
        f"(c) 全部 {total} 个 PDF（含汇编）{full:.1f} 秒；"
        f"改一份 YAML 后重建 {again:.1f} 秒（重新生成 {made} 个）= {again / full:.1%}（目标 ≤ 5%）"
    )


if __name__ == "__main__":
    main()
