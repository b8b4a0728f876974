"""Benchmark: generate N synthetic 自评表 and time `gongkai check` on them.

Prints the wall time of the whole command (interpreter start included) on 1,000 reports
(target: under 3 s on 2 cores) and, in the same run, the time for 100 reports, so the
growth from 100 to 1,000 can be read as a ratio (linear growth ≈ 10×).

    .venv/bin/python bench/check_speed.py [--reports 1000]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SECOND_LEVEL = ["数量指标", "质量指标", "时效指标", "成本指标"]


def synthetic_report(i: int, rng: random.Random) -> str:
    budget = rng.randint(100, 100000) / 100
    spent = round(budget * rng.uniform(0.3, 1.0), 2)
    rows, weights = [], []
    n = rng.randint(8, 20)
    base = 90 // n
    for k in range(n):
        weights.append(base + (1 if k < 90 - base * n else 0))
    for k, w in enumerate(weights):
        target = rng.choice(["≥95%", ">90%", f"{rng.randint(1, 50)}次", "≤5%", "合格", "100%"])
        if target.endswith("次"):
            actual = f"{rng.randint(0, int(target[:-1]))}次"
        elif target == "合格":
            actual = rng.choice(["合格", "不合格"])
        else:
            actual = f"{rng.randint(0, 100)}%"
        rows.append(f"          - {{名称: 指标{k + 1}, 分值: {w}, 指标值: \"{target}\", 完成值: \"{actual}\", 偏差原因: 原因说明}}")
    second = rng.choice(SECOND_LEVEL)
    return f"""类型: 项目支出绩效自评表
规则: 自评表10加90
年度: 2024
部门: 基准测试单位{i % 37}
名称: 基准项目{i}
资金:
  年初预算数: {budget:.2f}
  全年预算数: {budget:.2f}
  全年执行数: {spent:.2f}
年度总体目标:
  预期目标: 完成年度工作任务，提高公共服务质量和群众满意度。
  实际完成情况: 基本完成年度工作任务。
指标:
  - 名称: 产出指标
    下级:
      - 名称: {second}
        下级:
""" + "\n".join(rows) + "\n"


def write_corpus(folder: Path, count: int, seed: int = 20261122) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"r{i:05d}.yaml").write_text(synthetic_report(i, rng), encoding="utf-8")


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
    print(f"每份报告：{t_large / args.reports * 1000:.2f} 毫秒；{n_small} → {args.reports} 份的时间比：{t_large / t_small:.1f}×")


if __name__ == "__main__":
    main()
