"""Benchmark: generate N synthetic 自评表 and time `gongkai check` on them.

Prints the wall time of the whole command (interpreter start included) on 1,000 reports
(target: under 3 s on 2 cores) and, in the same run, the time for 100 reports, so the
growth from 100 to 1,000 can be read as a ratio (linear growth ≈ 10×).

    .venv/bin/python bench/check_speed.py [--reports 1000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import write_corpus


def time_check(folder: Path) -> float:
    gongkai = Path(sys.executable).with_name("gongkai")
    start = time.perf_counter()
    proc = subprocess.run([str(gongkai), "check", str(folder)], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr or proc.stdout)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp) / "small", Path(tmp) / "large"
        write_corpus(small, max(1, args.reports // 10))
        write_corpus(large, args.reports)
        time_check(small)  # warm the file cache and the interpreter's imports
        t_small, t_large = time_check(small), time_check(large)
    n_small = max(1, args.reports // 10)
    print(f"机器：{os.cpu_count()} 核")
    print(f"gongkai check {n_small} 份报告：{t_small:.2f} 秒")
    print(f"gongkai check {args.reports} 份报告：{t_large:.2f} 秒（目标 < 3 秒）")
    print(
        f"每份报告：{t_large / args.reports * 1000:.2f} 毫秒；"
        f"{n_small} → {args.reports} 份的时间比：{t_large / t_small:.1f}×"
    )


if __name__ == "__main__":
    main()
