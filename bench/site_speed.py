"""Benchmark: build a synthetic site of N reports with gongkai's hooks and, side by side,
a plain `mkdocs build` of the same Markdown without the hooks.

Prints both wall times and their ratio (target ≤ 1.3 at 1,000 reports). The two builds
alternate and each is run ``--rounds`` times; the best of each is compared, so a busy
moment on a shared machine does not decide the result.

    .venv/bin/python bench/site_speed.py [--reports 1000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import write_site


def build(project: Path) -> float:
    """Wall time of ``mkdocs build``; PDFs are off here (bench/pdf_speed.py measures them)."""
    mkdocs = Path(sys.executable).with_name("mkdocs")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GONGKAI_PDF": "0"}
    start = time.perf_counter()
    proc = subprocess.run([str(mkdocs), "build", "-q"], cwd=project, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain, ours = Path(tmp) / "plain", Path(tmp) / "gongkai"
        write_site(plain, args.reports, hooks=False)
        write_site(ours, args.reports, hooks=True)
        times: dict = {"plain": [], "gongkai": []}
        for _ in range(args.rounds):
            times["plain"].append(build(plain))
            times["gongkai"].append(build(ours))
        pages = sum(1 for _ in (ours / "site").rglob("index.html"))
        files = sum(1 for p in (ours / "site").rglob("*") if p.is_file())
    best_plain, best_ours = min(times["plain"]), min(times["gongkai"])
    print(f"机器：{os.cpu_count()} 核；{args.reports} 份报告，每种构建 {args.rounds} 次取最快")
    print(f"mkdocs build（同样的 Markdown，不用 gongkai 钩子）：{best_plain:.1f} 秒")
    print(
        f"mkdocs build（gongkai：计分、表格、图表、索引页、公开数据）：{best_ours:.1f} 秒；"
        f"{pages} 个页面，共 {files} 个文件"
    )
    print(f"比值：{best_ours / best_plain:.2f}（目标 ≤ 1.3）")


if __name__ == "__main__":
    main()
