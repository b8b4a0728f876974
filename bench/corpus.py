"""Synthetic corpora for the benchmarks: realistic 自评表 data and their report pages.

    write_corpus(folder, n)             n YAML files in one folder (for gongkai check)
    write_site(project, n)              a whole MkDocs project: data/, content/, mkdocs.yml
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

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


PAGE = """---
数据: {data}
---

# {{{{ 名称 }}}}

{{{{ 概要() }}}}

## 一、基本情况

{{{{ 部门 }}}}{{{{ 年度 }}}} 年度实施“{{{{ 名称 }}}}”项目，全年预算 {{{{ 资金.全年预算数 | 千分位 }}}} 万元，执行 {{{{ 资金.全年执行数 | 千分位 }}}} 万元，预算执行率 {{{{ 资金.执行率 | 百分比 }}}}。

## 二、自评结论

自评得分 {{{{ 总分 }}}} 分，等级为“{{{{ 等级 }}}}”。项目按计划推进，主要产出指标基本完成；部分指标因客观原因未达预期，已分析原因并提出改进措施。

{{{{ 得分图() }}}}

## 三、自评表

{{{{ 报告表格() }}}}
"""

MKDOCS_YML = """site_name: 基准测试
docs_dir: content
site_dir: site
use_directory_urls: true
theme:
  name: material
  language: zh
  font: false
  features: [navigation.prune, navigation.indexes]
plugins:
  - search:
      lang: zh
markdown_extensions: [admonition, attr_list, md_in_html, tables, toc]
{hooks}"""


def write_site(project: Path, count: int, hooks: bool, seed: int = 20261122) -> None:
    """A project of ``count`` reports (data + page each); ``hooks`` adds gongkai's hooks."""
    rng = random.Random(seed)
    (project / "content").mkdir(parents=True, exist_ok=True)
    (project / "content" / "index.md").write_text("# 基准测试\n\n合成的报告。\n", encoding="utf-8")
    for i in range(count):
        dept = f"dept-{i % 37:02d}"
        rel = f"2024/{dept}/r{i:05d}"
        data = project / "data" / f"{rel}.yaml"
        page = project / "content" / f"{rel}.md"
        data.parent.mkdir(parents=True, exist_ok=True)
        page.parent.mkdir(parents=True, exist_ok=True)
        data.write_text(synthetic_report(i, rng), encoding="utf-8")
        page.write_text(PAGE.format(data=f"data/{rel}.yaml"), encoding="utf-8")
    hook_line = "hooks:\n  - hooks/gongkai_hooks.py\n" if hooks else ""
    (project / "mkdocs.yml").write_text(MKDOCS_YML.format(hooks=hook_line), encoding="utf-8")
    if hooks:
        shutil.copytree(ROOT / "hooks", project / "hooks", dirs_exist_ok=True)
