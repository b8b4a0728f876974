"""Scoring frameworks are data: a ruleset file chooses and parametrises the scoring methods."""

from __future__ import annotations

import os
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from gongkai.engine.paths import display_name, inspect_tree, project_of
from gongkai.engine.problems import problem
from gongkai.performance.records import KINDS, METHODS, Flag, Num, Record, Text
from gongkai.engine.yamlload import load_file

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "rulesets"
RULESET_SUFFIXES = (".yaml", ".yml")


class Grade(Record):
    name: Text = Field(alias="名称")
    floor: Num = Field(alias="下限", description="不低于此分为该等级")
    aliases: list[Text] = Field(default_factory=list, alias="别名", description="同一等级的其他写法，如“优秀”")


class RatioRules(Record):
    basis: Literal["指标值", "100%"] = Field("指标值", alias="基准")
    full_when_met: Flag = Field(True, alias="达标满分", description="达到指标值即得满分")


class ScheduleRules(Record):
    schedule: list[Text] = Field(["25%", "50%", "75%", "100%"], alias="序时")
    quarter_weight: Num = Field(Decimal(1), alias="季度分值")
    average_weight: Num = Field(Decimal(2), alias="平均分值")
    average: Literal["比值", "进度"] = Field("比值", alias="平均", description="全年平均按各季度“进度÷序时”的比值，或按进度本身")


class FundsRules(Record):
    weight: Num | None = Field(None, alias="分值", description="执行率的分值；不写则资金不计分")
    rate_places: int | None = Field(None, alias="执行率小数位", description="计分前执行率（小数形式）保留的位数")
    denominator: Literal["全年预算数", "到位数"] = Field("全年预算数", alias="执行率分母")


class MethodRule(Record):
    name: Text | None = Field(None, alias="名称", description="指标名称完全相同")
    contains: Text | None = Field(None, alias="名称包含")
    method: Literal[METHODS] = Field(alias="方法")  # type: ignore[valid-type]
    basis: Literal["指标值", "100%"] | None = Field(None, alias="基准")
    full_when_met: Flag | None = Field(None, alias="达标满分")
    variant: Literal["比值", "线性"] | None = Field(None, alias="变体")

    def matches(self, name: str) -> bool:
        if self.name is not None and name == self.name:
            return True
        return self.contains is not None and self.contains in name


class GoalRules(Record):
    weight: Num = Field(alias="分值", description="每个年度目标的满分")
    places: int = Field(2, alias="小数位", description="平均后保留的小数位")
    not_done: Literal["计零分", "不计入"] = Field("计零分", alias="未开展")


class Ruleset(Record):
    name: Text = Field(alias="名称")
    description: Text | None = Field(None, alias="说明")
    kinds: list[Literal[KINDS]] = Field(default_factory=lambda: list(KINDS), alias="适用类型")  # type: ignore[valid-type]
    total: Num = Field(Decimal(100), alias="总分")
    places: int = Field(2, alias="小数位", description="计算得分保留的小数位")
    grades: list[Grade] = Field(alias="等级")
    not_applicable: Literal["满分", "折算", "零分"] = Field("满分", alias="不适用")
    empty: Literal["零分", "满分"] = Field("零分", alias="空指标", description="未填写三级指标的节点如何计分")
    default_method: Literal["比例", "人工"] = Field("比例", alias="默认方法")
    ratio: RatioRules = Field(default_factory=RatioRules, alias="比例")
    reverse_variant: Literal["比值", "线性"] = Field("比值", alias="反向变体")
    qualitative: dict[str, list[Text]] = Field(
        default_factory=lambda: {"达到预期": ["81%", "100%"], "部分达到预期": ["51%", "80%"], "未达到预期": ["0%", "50%"]},
        alias="定性",
    )
    schedule: ScheduleRules = Field(default_factory=ScheduleRules, alias="序时进度")
    funds: FundsRules = Field(default_factory=FundsRules, alias="资金")
    method_rules: list[MethodRule] = Field(default_factory=list, alias="方法规则")
    goals: GoalRules | None = Field(None, alias="年度目标")
    weight_split: Literal["逐项", "平均"] = Field("逐项", alias="分值分配", description="平均：未写分值的指标平分上级分值（取整）")
    reasons_required: Flag = Field(True, alias="偏差原因必填")
    tolerance: Num = Field(Decimal("0.01"), alias="尾数容差")

    def grade_of(self, total: Decimal) -> str | None:
        for grade in sorted(self.grades, key=lambda g: g.floor, reverse=True):
            if total >= grade.floor:
                return grade.name
        return None

    def same_grade(self, printed: str, computed: str | None) -> bool:
        for grade in self.grades:
            if grade.name == computed:
                return printed == grade.name or printed in grade.aliases
        return False

    def rule_for(self, name: str) -> MethodRule | None:
        return next((r for r in self.method_rules if r.matches(name)), None)


def ruleset_dirs(report_path: Path) -> tuple[tuple[Path, Path], ...]:
    """Project ruleset folders for a report: ``rulesets/`` or ``data/rulesets/`` in its
    ancestors up to its project's root (never above it: a folder such as ``/tmp/rulesets``
    belongs to nobody), each with the folder it belongs to (files in it must resolve inside that)."""
    found: list = []
    project = Path(os.path.abspath(project_of(report_path)))
    for parent in Path(os.path.abspath(report_path)).parents:
        if not parent.is_relative_to(project):
            break
        for candidate in (parent / "rulesets", parent / "data" / "rulesets"):
            if os.path.lexists(candidate) and candidate not in [f for f, _ in found] and (candidate.is_dir() or candidate.is_symlink()):
                found.append((candidate, project))
    return tuple(found)


@lru_cache(maxsize=64)
def _load_dir(directory: Path, owner: Path | None = None) -> tuple[dict, tuple]:
    """The rulesets of one folder by name, and problems. Project folders (with an ``owner``)
    are read only through the guarded open: a link leaving the owner's folder, or a FIFO or
    device, is a located problem and is not read."""
    table, problems = {}, []
    if owner is not None:
        files, refused = inspect_tree(owner, directory, suffixes=RULESET_SUFFIXES, recursive=False)
        problems.extend(refused)
    else:
        files = sorted(directory.glob("*.y*ml"))
    for path in files:
        display = display_name(owner, path) if owner is not None else None
        ruleset, found = load_ruleset(path, display, owner)
        problems.extend(found)
        if ruleset is not None:
            table[ruleset.name] = ruleset
    return table, tuple(problems)


def load_ruleset(path: Path, display: str | None = None, project: Path | None = None):
    from gongkai.engine.reading import validate  # local: reading imports records, not rulesets

    loaded = load_file(path, display, project if project is not None else (BUILTIN_DIR if path.parent == BUILTIN_DIR else None))
    if loaded.problems:
        return None, loaded.problems
    ruleset, problems = validate(Ruleset, loaded)
    problems = [problem("RULESET_INVALID", p.file, p.line, p.message) for p in problems]
    return ruleset, problems


def find_ruleset(name: str, report_path: Path):
    """The ruleset called ``name``: project folders first, then the built-in ones."""
    problems: list = []
    for directory, owner in ruleset_dirs(report_path) + ((BUILTIN_DIR, None),):
        table, found = _load_dir(directory, owner)
        problems.extend(found)
        if name in table:
            return table[name], problems
    return None, problems


def builtin_names() -> list[str]:
    return sorted(_load_dir(BUILTIN_DIR)[0])


def clear_cache() -> None:
    _load_dir.cache_clear()
