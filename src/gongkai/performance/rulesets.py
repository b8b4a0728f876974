"""Scoring frameworks are data: a ruleset file chooses and parametrises the scoring methods."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field

from gongkai.engine.checking import DEFAULT_TOLERANCE
from gongkai.engine.paths import display_name, inspect_tree
from gongkai.engine.problems import problem
from gongkai.engine.reading import validate
from gongkai.engine.yamlload import load_bytes, load_file
from gongkai.performance.records import KINDS, METHODS, Flag, Num, Record, Text

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
    average: Literal["比值", "进度"] = Field(
        "比值", alias="平均", description="全年平均按各季度“进度÷序时”的比值，或按进度本身"
    )


class FundsRules(Record):
    weight: Num | None = Field(None, alias="分值", description="执行率的分值；不写则资金不计分")
    rate_places: int | None = Field(
        None, alias="执行率小数位", ge=0, le=10, description="计分前执行率（小数形式）保留的位数（0 到 10）"
    )
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
    places: int = Field(2, alias="小数位", ge=0, le=10, description="平均后保留的小数位（0 到 10）")
    not_done: Literal["计零分", "不计入"] = Field("计零分", alias="未开展")


class Ruleset(Record):
    name: Text = Field(alias="名称")
    description: Text | None = Field(None, alias="说明")
    kinds: list[Literal[KINDS]] = Field(default_factory=lambda: list(KINDS), alias="适用类型")  # type: ignore[valid-type]
    total: Num = Field(Decimal(100), alias="总分")
    places: int = Field(2, alias="小数位", ge=0, le=10, description="计算得分保留的小数位（0 到 10）")
    grades: list[Grade] = Field(alias="等级")
    not_applicable: Literal["满分", "折算", "零分"] = Field("满分", alias="不适用")
    empty: Literal["零分", "满分"] | None = Field(
        None, alias="空指标", description="未填写任何内容的指标如何计分；不写则不计分（未填写不等于 0）"
    )
    default_method: Literal["比例", "人工"] = Field("比例", alias="默认方法")
    ratio: RatioRules = Field(default_factory=RatioRules, alias="比例")
    reverse_variant: Literal["比值", "线性"] = Field("比值", alias="反向变体")
    qualitative: dict[str, list[Text]] = Field(
        default_factory=lambda: {
            "达到预期": ["81%", "100%"],
            "部分达到预期": ["51%", "80%"],
            "未达到预期": ["0%", "50%"],
        },
        alias="定性",
    )
    schedule: ScheduleRules = Field(default_factory=ScheduleRules, alias="序时进度")
    funds: FundsRules = Field(default_factory=FundsRules, alias="资金")
    method_rules: list[MethodRule] = Field(default_factory=list, alias="方法规则")
    goals: GoalRules | None = Field(None, alias="年度目标")
    weight_split: Literal["逐项", "平均"] = Field(
        "逐项", alias="分值分配", description="平均：未写分值的指标平分上级分值（取整）"
    )
    reasons_required: Flag = Field(True, alias="偏差原因必填")
    tolerance: Num = Field(DEFAULT_TOLERANCE, alias="尾数容差")

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


def _fingerprint(folder: Path) -> tuple:
    """Names, sizes and times of a folder's YAML files: a different fingerprint, a changed folder."""
    out = []
    for path in sorted(folder.glob("*.y*ml")):
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((path.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


_builtin: dict = {}  # the package's own rulesets, kept only while their files are unchanged


def builtin_rulesets(vocabulary: tuple | None = None) -> tuple[Mapping, tuple]:
    """The built-in rulesets by name, and problems (none unless the package was edited).

    They are package files, not project data; they are read again whenever a file of theirs
    changes (size or time), so no stale copy outlives an edit."""
    key = _fingerprint(BUILTIN_DIR)
    if _builtin.get("key") != key:
        table, problems = _load_dir(BUILTIN_DIR, None, vocabulary)
        _builtin.clear()
        _builtin.update(key=key, value=(table, problems))
    return _builtin["value"]


def builtin_names() -> list[str]:
    return sorted(builtin_rulesets()[0])


def _load_dir(directory: Path, owner: Path | None = None, vocabulary: tuple | None = None) -> tuple[dict, tuple]:
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
        ruleset, found = load_ruleset(path, display, owner, vocabulary)
        problems.extend(found)
        if ruleset is not None:
            table[ruleset.name] = ruleset
    return table, tuple(problems)


def load_ruleset(path: Path, display: str | None = None, project: Path | None = None, vocabulary: tuple | None = None):
    loaded = load_file(
        path, display, project if project is not None else (BUILTIN_DIR if path.parent == BUILTIN_DIR else None)
    )
    if loaded.problems:
        return None, loaded.problems
    ruleset, problems = validate(Ruleset, loaded, vocabulary)
    problems = [problem("RULESET_INVALID", p.file, p.line, p.message) for p in problems]
    return ruleset, problems


def _candidates(folder: Path) -> tuple[Path, Path]:
    return folder / "rulesets", folder / "data" / "rulesets"


def _is_folder_entry(path: Path) -> bool:
    return os.path.lexists(path) and (path.is_dir() or path.is_symlink())


@dataclass(frozen=True)
class RulesetLibrary:
    """The rulesets a project's reports can name: its own folders first, then the built-in ones.

    A report finds ``rulesets/`` or ``data/rulesets/`` in its own folder and every folder above
    it up to the project root (never above it: a folder such as ``/tmp/rulesets`` belongs to
    nobody), nearest first, then the built-in rulesets. The project root's two folders are read
    when the library is loaded; a folder further down (``data/2021/rulesets/``) the first time a
    report below it asks, once for the life of this library. A library belongs to one
    :class:`~gongkai.engine.project.Project`: load the project again to see edited rulesets."""

    root: Path | None
    builtin: Mapping  # name → Ruleset (not to be changed: shared by every library of the process)
    builtin_problems: tuple
    folders: Mapping  # the root's folders → (rulesets by name, problems)
    vocabulary: tuple | None = None
    complete: bool = False  # True: ``folders`` holds every project folder (given as bytes); disk is not looked at
    _below: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, root: Path | None, vocabulary: tuple | None = None) -> RulesetLibrary:
        builtin, builtin_problems = builtin_rulesets(vocabulary)
        folders: dict = {}
        if root is not None:
            root = Path(os.path.abspath(root))
            for candidate in _candidates(root):
                if _is_folder_entry(candidate):
                    table, problems = _load_dir(candidate, root, vocabulary)
                    folders[candidate] = (table, problems)
        return cls(root, builtin, builtin_problems, folders, vocabulary)

    @classmethod
    def from_files(cls, root: Path, files: Mapping, vocabulary: tuple | None = None) -> RulesetLibrary:
        """A library of rulesets given as bytes (e.g. the files of a git revision, by path
        relative to ``root``, posix) instead of read from disk: every ``…/rulesets/*.yaml`` among
        ``files`` is a project ruleset of its folder. Nothing is read from disk but the built-in
        rulesets; problems name the files as given. The caller decides which paths are safe."""
        root = Path(os.path.abspath(root))
        builtin, builtin_problems = builtin_rulesets(vocabulary)
        folders: dict = {}
        for rel in sorted(files):
            path = Path(rel)
            if path.parent.name != "rulesets" or path.suffix not in RULESET_SUFFIXES:
                continue
            table, problems = folders.setdefault(root / path.parent, ({}, []))
            loaded = load_bytes(files[rel], rel)
            ruleset, found = (None, loaded.problems) if loaded.problems else validate(Ruleset, loaded, vocabulary)
            problems.extend(
                found if loaded.problems else [problem("RULESET_INVALID", p.file, p.line, p.message) for p in found]
            )
            if ruleset is not None:
                table[ruleset.name] = ruleset
        folders = {folder: (table, tuple(problems)) for folder, (table, problems) in folders.items()}
        return cls(root, builtin, builtin_problems, folders, vocabulary, complete=True)

    def folders_for(self, location=None) -> tuple[Path, ...]:
        """The project ruleset folders a report at ``location`` searches, nearest first."""
        if self.root is None:
            return ()
        where = Path(location) if location is not None else self.root / "_"
        where = Path(os.path.abspath(where if where.is_absolute() else self.root / where))
        found: list = []
        for parent in where.parents:
            if not parent.is_relative_to(self.root):
                break
            for candidate in _candidates(parent):
                exists = candidate in self.folders if self.complete else _is_folder_entry(candidate)
                if candidate not in found and exists:
                    found.append(candidate)
        return tuple(found)

    def _folder(self, directory: Path) -> tuple:
        if directory in self.folders:
            return self.folders[directory]
        if directory not in self._below:
            table, problems = _load_dir(directory, self.root, self.vocabulary)
            self._below[directory] = (table, problems)
        return self._below[directory]

    def find(self, name: str, location=None) -> tuple:
        """(the ruleset called ``name`` or None, problems of every folder searched on the way)."""
        problems: list = []
        for directory in self.folders_for(location):
            table, found = self._folder(directory)
            problems.extend(found)
            if name in table:
                return table[name], problems
        problems.extend(self.builtin_problems)
        if name in self.builtin:
            return self.builtin[name], problems
        return None, problems

    def builtin_names(self) -> list[str]:
        return sorted(self.builtin)
