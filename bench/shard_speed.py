"""Benchmark: one shard of a large project, as one job of a CI matrix runs it.

    .venv/bin/python bench/shard_speed.py [--reports 10000] [--shard 1/8]

Writes N mixed synthetic reports (bench/corpus.py), then runs `gongkai build --shard K/N`
cold (nothing cached): the whole site and the PDFs of shard K (whole department-years).
Prints its wall time, CPU time, the peak memory of its process tree, and how many PDFs it
made; the guide's CI matrix (content/guide/ci.md) quotes these figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from build_speed import BIN, env, measured
from corpus import write_site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10000)
    parser.add_argument("--shard", default="1/8")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gongkai-shard-"))
    try:
        project = tmp / "p"
        write_site(project, args.reports, hooks=True, mixed=True)
        load = os.getloadavg()
        run = measured([str(BIN / "gongkai"), "build", "--shard", args.shard], project, env())
        end = os.getloadavg()
        pdfs = list((project / "site" / "pdf").rglob("*.pdf"))
        pages = sum(1 for _ in (project / "site").rglob("index.html"))
        print(f"机器：{os.cpu_count()} 核；负载 开始 {load[0]:.2f} 结束 {end[0]:.2f}")
        print(f"{args.reports} 份报告，gongkai build --shard {args.shard}（冷缓存）：{run.wall:.0f} 秒，"
              f"CPU {run.cpu:.0f} 秒，峰值内存 {run.peak_mb:.0f} MB；{pages} 个网页，本分片 {len(pdfs)} 个 PDF")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
