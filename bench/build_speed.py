"""Benchmark: the whole `gongkai build` (site and every PDF) of N mixed synthetic reports,
cold, warm, and again after one YAML edit, beside a plain `mkdocs build` of the same Markdown.

Every row is measured in this one run, on this machine, side by side: the builds run one
after another as subprocesses; wall time, CPU time (the build and its worker processes), the
peak memory of the whole process tree (sampled), and the size of the PDFs per page.

    .venv/bin/python bench/build_speed.py [--reports 1000] [--keep DIR]

Targets (issue 17): 1,000 reports cold ≤ 5 min; one YAML edit rebuilt ≤ 10 s; peak ≤ 2 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from corpus import write_site

BIN = Path(sys.executable).parent


@dataclass
class Run:
    wall: float
    cpu: float  # user + system seconds of the build and every process it waited for
    peak_mb: float  # the largest memory of the process tree (sum of Pss), sampled every 0.2 s
    output: str


def _tree_memory(pid: int) -> int:
    """Memory of ``pid`` and all its descendants, in kB: the sum of their proportional set sizes
    (Pss: a page shared by n processes, as forked workers share their parent's, counts 1/n in
    each), so what the tree holds is counted once."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii", errors="replace") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    stack += [int(c) for c in children.read().split()]
        except (OSError, ValueError):
            continue
    return total


def measured(args: list, cwd: Path, env: dict | None = None) -> Run:
    """Run a command to its end; its wall time, CPU time and the peak memory of its process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_memory(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} 失败：\n{output[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, peak[0] / 1024, output)


def env() -> dict:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def gongkai_build(project: Path) -> Run:
    return measured([str(BIN / "gongkai"), "build"], project, env())


def plain_build(project: Path) -> Run:
    return measured([str(BIN / "mkdocs"), "build", "-q"], project, {**env(), "GONGKAI_PDF": "0"})


def edit_one_report(project: Path) -> str:
    """Change one 自评表's text (a sentence of its 实际完成情况); returns its data file."""
    data = sorted((project / "data").rglob("r*.yaml"))[0]
    text = data.read_text(encoding="utf-8")
    edited = text.replace("基本完成年度工作任务。", "基本完成年度工作任务，个别指标未达预期。")
    data.write_text(edited, encoding="utf-8")
    return data.relative_to(project).as_posix()


def pdf_pages(folder: Path) -> tuple:
    """(PDFs, pages, bytes) of the PDFs under ``folder``."""
    import pikepdf

    count = pages = size = 0
    for path in folder.rglob("*.pdf"):
        with pikepdf.open(path) as pdf:
            pages += len(pdf.pages)
        count += 1
        size += path.stat().st_size
    return count, pages, size


def rows(reports: int, keep: Path | None) -> list:
    tmp = Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
    try:
        plain, ours = tmp / "plain", tmp / "gongkai"
        write_site(plain, reports, hooks=False, mixed=True)
        write_site(ours, reports, hooks=True, mixed=True)
        p = plain_build(plain)
        cold = gongkai_build(ours)
        warm = gongkai_build(ours)
        edited = edit_one_report(ours)
        again = gongkai_build(ours)
        count, pages, size = pdf_pages(ours / "site" / "pdf")
        reports_pdfs = [p for p in (ours / "site" / "pdf").rglob("*.pdf") if p.parent.name != "2024"]
        out = [
            (f"完整构建（{reports} 份，网站和全部 {count} 个 PDF，冷缓存）", _run(cold), "≤ 5 分钟"),
            ("同上，再构建一次（无改动，缓存全部命中）", _run(warm), "—"),
            (f"改一份 YAML 后重建（{edited}：网站和受影响的 PDF）", _run(again), "≤ 10 秒"),
            ("同一时段纯 mkdocs build 同样的 Markdown（参照）", _run(p), "—"),
            ("构建的峰值内存（进程树各进程 Pss 之和，冷构建）", f"{cold.peak_mb:.0f} MB", "≤ 2 GB"),
            ("PDF 每页大小", f"{size / pages / 1024:.0f} KB（{count} 个 PDF，{pages} 页，{size / 2**20:.0f} MB；"
             f"其中报告 {len(reports_pdfs)} 个）", "报告"),
        ]
        if keep is not None:
            shutil.copytree(ours, keep, dirs_exist_ok=True, symlinks=True)
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run(run: Run) -> str:
    return f"{run.wall:.1f} 秒（CPU {run.cpu:.0f} 秒，峰值内存 {run.peak_mb:.0f} MB）"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--keep", type=Path, default=None, help="copy the built project there")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"机器：{os.cpu_count()} 核；开始时负载 {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for name, value, target in rows(args.reports, args.keep):
        print(f"| {name} | {value} | {target} |")
    load = os.getloadavg()
    print(f"结束时负载 {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
