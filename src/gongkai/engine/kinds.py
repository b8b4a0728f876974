"""Report kinds: the one seam every kind of document goes through.

A kind (项目支出绩效自评表, 部门决算 …) is a value implementing :class:`ReportKind`: it validates
a loaded data file into its record, evaluates the record with a :class:`~gongkai.engine.project.Project`
into a result, and knows what the site, the CLI and ``gongkai diff`` need of that result (the page
view, the open-data downloads, the figures a review compares, its JSON Schema). Code outside a kind
never asks what type a result is: it asks the kind, found in the project's :class:`KindRegistry` by
the result's ``kind`` (the file's ``类型``).

Every result has at least ``file``, ``report`` (with its ``kind``) and ``problems`` (:class:`Evaluated`);
:func:`kind_of` gives its ``类型``.

The built-in kinds are assembled in :mod:`gongkai.engine.project` (``builtin_kinds``); this module
imports no kind, so a kind's own modules may import it freely."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Annotated, Any, Protocol, Union, runtime_checkable

from pydantic import Discriminator, Tag, TypeAdapter

from gongkai.engine.yamlload import Loaded

Project = Any  # gongkai.engine.project.Project, which imports the kinds: named here, not imported

KIND_KEY = "类型"


@runtime_checkable
class Evaluated(Protocol):
    """What every kind's result has: the file it came from (as problems name it), the validated
    record (``report``, whose ``kind`` is the file's ``类型`` and whose ``name``, ``department``
    and ``year`` every kind has), and its problems (sorted, acknowledged)."""

    file: str
    report: Any
    problems: list


def kind_of(result: Evaluated) -> str:
    """The ``类型`` of a result."""
    return result.report.kind


@dataclass(frozen=True)
class Source:
    """Where a record came from: how problems name it (``display``) and where it is in the
    project (``location``, absolute or relative to the project root; None: at the root), which
    decides the project folders searched for what the record refers to (rulesets)."""

    display: str
    location: Any = None


@dataclass
class Evaluation:
    """A kind's answer for one record: its result (None when it cannot be evaluated, e.g. an
    unknown ruleset), every problem found, and the time each stage took."""

    result: Evaluated | None
    problems: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Standing:
    """A result's place in the site's lists: total and grade (with the places the total is
    printed with), or nothing for a kind that is not scored (shown as —)."""

    total: Decimal | None = None
    grade: str | None = None
    places: int = 2
    ruleset: str | None = None  # averages are taken only among reports scored by the same ruleset
    scored: bool = False  # a scored kind: no total means 未评分 (a kind not scored shows —)
    missing: str = "—"  # what the lists say when there is no total: 未评分, 未印总分 …
    filed: bool = False  # the total is the one the document printed: shown exactly as printed
    computed: Decimal | None = None  # gongkai's total when it differs from the filed one (a marked note)


class ReportKind(Protocol):
    """One kind of report. ``names`` are the ``类型`` values it handles; ``model`` is the pydantic
    record it validates into; ``tag`` names it in the discriminated union (ASCII)."""

    names: tuple[str, ...]
    model: type
    tag: str
    page_template: str  # the generated page of a data file without a hand-written one

    def validate(self, loaded: Loaded, project: Project) -> tuple[Any, list]:
        """(record or None, problems) of a loaded data file."""

    def evaluate(self, record: Any, project: Project, source: Source) -> Evaluation:
        """Derive, score and check a record (problems are returned, never raised)."""

    def view(self, result: Evaluated, env, stash, links, charts: dict):
        """The page view of a result: an object with ``context()`` (what a page's template can use)."""

    def charts(self, result: Evaluated) -> dict:
        """The chart inputs a result has data for, by chart name (``score``, ``funds`` …)."""

    def downloads(self, result: Evaluated, wanted: tuple = ...) -> dict:
        """The open-data files of a result by format (``json``, ``csv``, ``xlsx``): those of
        ``wanted`` the kind publishes (the original YAML is the source itself, not made here)."""

    def claim_figures(self, result: Evaluated) -> Mapping[str, Decimal | None]:
        """The figures a page's prose may state, by the names claims are bound to
        (:mod:`gongkai.claims.binding`), as the report's 口径 shows them; rates as fractions."""
        ...

    def diff_figures(self, result: Evaluated) -> Mapping[str, Decimal | str | None]:
        """The headline figures a review compares, in order (name → Decimal or text)."""

    def standing(self, result: Evaluated) -> Standing:
        """Total and grade for the site's lists (empty for a kind that is not scored)."""

    def score_text(self, result: Evaluated) -> str:
        """``gongkai score``: the result for a terminal (problems are added by the caller)."""

    def score_json(self, result: Evaluated) -> str:
        """``gongkai score --format json``: the JSON text (with its problems when it lists them)."""

    def schema(self) -> dict:
        """The JSON Schema of this kind's data files (pydantic's, by alias)."""


class KindRegistry(Mapping):
    """The report kinds of a project by ``类型`` (immutable). A file whose ``类型`` no kind
    claims is validated by the ``fallback`` kind, whose model then names the 类型 values it
    accepts (as before there were kinds: its message lists the choices)."""

    def __init__(self, kinds: tuple, fallback: ReportKind):
        table: dict = {}
        for kind in kinds:
            for name in kind.names:
                if name in table:
                    raise ValueError(f"report kind {name!r} registered twice")
                table[name] = kind
        if fallback not in kinds:
            raise ValueError("the fallback kind must be one of the kinds")
        self._table = MappingProxyType(table)
        self._kinds = tuple(kinds)
        self.fallback = fallback

    def __getitem__(self, name: str) -> ReportKind:
        return self._table[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def __reduce__(self):  # a registry crosses to worker processes by its kinds
        return (KindRegistry, (self._kinds, self.fallback))

    @property
    def kinds(self) -> tuple:
        """Each kind once, in registration order."""
        return self._kinds

    def for_value(self, value: object) -> ReportKind:
        """The kind that validates a loaded document (by its ``类型``; else the fallback)."""
        name = value.get(KIND_KEY) if isinstance(value, dict) else None
        return self._table.get(name, self.fallback) if isinstance(name, str) else self.fallback

    def of(self, result: Evaluated) -> ReportKind:
        """The kind of a result (every result says its ``类型``)."""
        return self._table[kind_of(result)]

    # ---- the pydantic union discriminated on 类型 -------------------------------------------
    def _tag_of(self, value: object) -> str:
        """The union member of a value: a mapping (validation) or a record (serialisation)."""
        if isinstance(value, dict):
            return self.for_value(value).tag
        name = getattr(value, "kind", None)
        return self._table.get(name, self.fallback).tag if isinstance(name, str) else self.fallback.tag

    def union(self):
        """``Annotated[Union[...], Discriminator]``: every kind's model, chosen by ``类型``
        (a callable discriminator, since several 类型 share one model)."""
        members = tuple(Annotated[kind.model, Tag(kind.tag)] for kind in self._kinds)
        # Union[...] of a runtime tuple has no `X | Y` spelling (ruff's UP007 fix would drop the Union)
        return Annotated[Union[members], Discriminator(self._tag_of)]  # noqa: UP007

    def adapter(self) -> TypeAdapter:
        return TypeAdapter(self.union())

    def schema(self) -> dict:
        """The JSON Schema of every kind's data files. Each kind's schema applies when ``类型`` is
        one of its names (``if``/``then``: editors follow it to check the right fields); the top
        level also lists every key of every kind (a key several kinds share with different
        schemas as ``anyOf`` them), so an editor completes keys before ``类型`` is written, and
        ``类型`` with every value."""
        union = self.adapter().json_schema(by_alias=True, mode="validation")
        members = union.pop("oneOf")  # one $ref per kind, in the union's order
        definitions = union.get("$defs", {})
        branches: list[dict] = []
        properties: dict[str, Any] = {}
        for kind, member in zip(self._kinds, members, strict=False):
            branches.append(
                {"if": {"properties": {KIND_KEY: {"enum": list(kind.names)}}, "required": [KIND_KEY]}, "then": member}
            )
            model = definitions.get(member.get("$ref", "").rsplit("/", 1)[-1], member)
            for key, value in model.get("properties", {}).items():
                variants = properties.setdefault(key, [])
                if value not in variants:
                    variants.append(value)
        names = [name for kind in self._kinds for name in kind.names]
        merged = {
            key: variants[0] if len(variants) == 1 else {"anyOf": variants} for key, variants in properties.items()
        }
        merged[KIND_KEY] = {"title": KIND_KEY, "enum": names, "description": "报告的类型，决定其余字段"}
        return {"type": "object", "required": [KIND_KEY], "properties": merged, "allOf": branches, **union}
