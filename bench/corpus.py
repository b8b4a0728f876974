"""Synthetic corpora for the benchmarks: realistic reports of every kind and their pages.

    write_corpus(folder, n, mixed)      n YAML files in one folder (for gongkai check)
    write_site(project, n, hooks, mixed) a whole MkDocs project: data/, content/, mkdocs.yml

Without ``mixed`` every report is a 项目支出绩效自评表 (8–20 indicators). With it, one in
ten is a 项目支出绩效评价报告 (a four-part indicator system of 20–40 rows with narrative),
one in twenty a 部门决算 (a 功能分类 tree drawn from the built-in 科目 table, 表6 detail,
三公), the rest 自评表.
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
        rows.append(
            f'          - {{名称: 指标{k + 1}, 分值: {w}, 指标值: "{target}", 完成值: "{actual}", 偏差原因: 原因说明}}'
        )
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


PARTS = {
    "决策": ["项目立项", "绩效目标", "资金投入"],
    "过程": ["资金管理", "组织实施"],
    "产出": ["产出数量", "产出质量", "产出时效", "产出成本"],
    "效益": ["社会效益", "可持续影响", "满意度"],
}
PART_WEIGHTS = {"决策": 20, "过程": 20, "产出": 40, "效益": 20}


def synthetic_evaluation(i: int, rng: random.Random) -> str:
    """A 项目支出绩效评价报告: 决策/过程/产出/效益, three levels, manual and ratio scores."""
    lines = []
    for part, seconds in PARTS.items():
        lines.append(f"  - 名称: {part}\n    下级:")
        weight = PART_WEIGHTS[part]
        shares = [weight // len(seconds)] * len(seconds)
        shares[0] += weight - sum(shares)
        for second, share in zip(seconds, shares, strict=False):
            lines.append(f"      - 名称: {second}\n        下级:")
            n = rng.randint(2, 4)
            leaves = [share // n] * n
            leaves[0] += share - sum(leaves)
            for k, w in enumerate(leaves):
                if w == 0:
                    continue
                if part in ("产出", "效益"):
                    target = rng.choice(["≥95%", "≥20个", "100%"])
                    actual = {
                        "≥95%": f"{rng.randint(60, 100)}%",
                        "≥20个": f"{rng.randint(5, 40)}个",
                        "100%": f"{rng.randint(70, 100)}%",
                    }[target]
                    lines.append(
                        f'          - {{名称: {second}指标{k + 1}, 分值: {w}, 指标值: "{target}", '
                        f'完成值: "{actual}", 偏差原因: 受客观因素影响未完全达到预期}}'
                    )
                else:
                    score = rng.randint(max(0, w - 2), w)
                    lines.append(
                        f"          - {{名称: {second}要点{k + 1}, 分值: {w}, 得分: {score}, "
                        f"理由: 评价组查阅资料并现场核实}}"
                    )
    budget = rng.randint(1000, 500000) / 100
    return f"""类型: 项目支出绩效评价报告
规则: 财预2020-10号
年度: 2024
部门: 基准测试单位{i % 37}
名称: 基准评价项目{i}
资金:
  年初预算数: {budget:.2f}
  全年预算数: {budget:.2f}
  到位数: {budget:.2f}
  全年执行数: {round(budget * rng.uniform(0.6, 1.0), 2):.2f}
指标:
""" + "\n".join(lines) + "\n"


def synthetic_final_accounts(i: int, rng: random.Random) -> str:
    """A 部门决算 with a 功能分类 tree drawn from the built-in 科目 table."""
    import sys

    sys.path.insert(0, str(ROOT / "src"))
    from gongkai.final_accounts import subjects

    items = sorted(c for c in subjects.functional() if len(c) == 7)
    chosen = sorted(rng.sample(items, rng.randint(4, 14)))
    basic_total = 0
    lines = []
    for code in chosen:
        basic, project = rng.randint(0, 200000), rng.randint(0, 100000)
        basic_total += basic
        b, p = basic / 100, project / 100
        lines.append(
            f'  - 编码: "{code}"\n    收入: {{一般公共预算财政拨款: {b + p:.2f}}}\n'
            f"    支出: {{基本支出: {b:.2f}, 项目支出: {p:.2f}}}\n"
            f"    财政拨款支出:\n      一般公共预算: {{基本支出: {b:.2f}, 项目支出: {p:.2f}}}"
        )
    detail_codes = ["30101", "30102", "30108", "30113", "30201", "30205", "30211", "30231", "30299", "30302"]
    cuts = sorted(rng.randint(0, basic_total) for _ in range(len(detail_codes) - 1))
    parts = [b - a for a, b in zip([0] + cuts, cuts + [basic_total], strict=False)]
    detail = "\n".join(f"  \"{c}\": {v / 100:.2f}" for c, v in zip(detail_codes, parts, strict=False))
    run, host = rng.randint(0, 800), rng.randint(0, 500)
    return f"""类型: 部门决算
年度: 2024
部门: 基准测试单位{i % 37}
名称: 2024 年度部门决算
概况:
  主要职责: 负责本部门职责范围内的各项工作。
  机构设置: 内设处室若干个。
  单位构成: 本部门单独编制部门决算。
科目:
""" + "\n".join(lines) + f"""
基本支出明细:
{detail}
三公经费:
  预算: {{公务用车运行费: {run / 100 + 5:.2f}, 公务接待费: {host / 100 + 3:.2f}}}
  决算: {{公务用车运行费: {run / 100:.2f}, 公务接待费: {host / 100:.2f}}}
"""


def kind_of(i: int, mixed: bool) -> str:
    if not mixed:
        return "self"
    return "final" if i % 20 == 19 else ("evaluation" if i % 10 == 9 else "self")


def synthetic(i: int, rng: random.Random, mixed: bool) -> str:
    kind = kind_of(i, mixed)
    if kind == "final":
        return synthetic_final_accounts(i, rng)
    if kind == "evaluation":
        return synthetic_evaluation(i, rng)
    return synthetic_report(i, rng)


def write_corpus(folder: Path, count: int, seed: int = 20261122, mixed: bool = False) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"r{i:05d}.yaml").write_text(synthetic(i, rng, mixed), encoding="utf-8")


PAGE = """---
数据: {data}
---

# {{{{ 名称 }}}}

{{{{ 概要() }}}}

## 一、基本情况

{{{{ 部门 }}}}{{{{ 年度 }}}} 年度实施“{{{{ 名称 }}}}”项目，全年预算 {{{{ 资金.全年预算数 | 千分位 }}}} 万元，\
执行 {{{{ 资金.全年执行数 | 千分位 }}}} 万元，预算执行率 {{{{ 资金.执行率 | 百分比 }}}}。

## 二、自评结论

自评得分 {{{{ 总分 }}}} 分，等级为“{{{{ 等级 }}}}”。项目按计划推进，主要产出指标基本完成；\
部分指标因客观原因未达预期，已分析原因并提出改进措施。

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


FINAL_PAGE = """---
数据: {data}
---

# {{{{ 部门 }}}} {{{{ 名称 }}}}

{{{{ 概要() }}}}

## 第一部分 概况

{{{{ 概况.主要职责 }}}}

## 第二部分 部门决算表

{{{{ 全部决算表() }}}}

## 第三部分 情况说明

本年度一般公共预算财政拨款收入 {{{{ 说明.一般公共预算财政拨款收入.金额 }}}}；\
基本支出 {{{{ 说明.基本支出.金额 }}}}，项目支出 {{{{ 说明.项目支出.金额 }}}}。“三公”经费 {{{{ 说明.三公经费 }}}}。

## 第四部分 名词解释

{{{{ 名词解释表() }}}}
"""


def write_site(project: Path, count: int, hooks: bool, seed: int = 20261122, mixed: bool = False) -> None:
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
        data.write_text(synthetic(i, rng, mixed), encoding="utf-8")
        template = FINAL_PAGE if kind_of(i, mixed) == "final" else PAGE
        page.write_text(template.format(data=f"data/{rel}.yaml"), encoding="utf-8")
    hook_line = "hooks:\n  - hooks/gongkai_hooks.py\n" if hooks else ""
    (project / "mkdocs.yml").write_text(MKDOCS_YML.format(hooks=hook_line), encoding="utf-8")
    if hooks:
        shutil.copytree(ROOT / "hooks", project / "hooks", dirs_exist_ok=True)
