"""The project: everything about one folder of reports that the stages share, loaded once.

A :class:`Project` holds the settings (where the Markdown, the data and the built site are;
whether PDFs are made, and which shard of them; strict mode), the rulesets the reports can
name (built-in and the project's own ``rulesets/`` and ``data/rulesets/``), the 科目 tables,
the template folders, the search terms and the registry of report kinds. It is immutable and
passed explicitly to every stage: evaluation (:func:`gongkai.engine.pipeline.evaluate_source`),
the catalog, the PDF stage, the CLI. Nothing of it is cached between loads: a long process
(``mkdocs serve``) loads the project again for every build and so sees every edit.

The engine knows nothing of MkDocs: the site plugin (:mod:`gongkai.site.plugin`) loads a
project with the settings of the MkDocs configuration it was given."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

from gongkai.engine.basis import DEFAULT_BASIS
from gongkai.engine.kinds import KindRegistry, ReportKind
from gongkai.engine.paths import Refused, TooLarge, docs_dir, project_of, read_bytes_inside
from gongkai.engine.problems import problem
from gongkai.engine.reading import field_names
from gongkai.final_accounts import subjects
from gongkai.final_accounts.kind import FINAL_ACCOUNTS
from gongkai.performance.kind import PERFORMANCE
from gongkai.performance.rulesets import Ruleset, RulesetLibrary

DATA_DIR = "data"
SEARCH_TERMS_FILE = "search_terms.txt"  # beside mkdocs.yml: the project's own search terms
BUILTIN_SEARCH_TERMS = Path(__file__).resolve().parent.parent / "site" / "search_terms.txt"
BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SEARCH_TERMS_LIMIT = 1024 * 1024
PRINT_THEMES = ("公文", "简洁")  # the PDFs' look: GB/T 9704 practice, or plain (gongkai.pdf.printhtml.THEMES)
DEFAULT_PRINT_THEME = "公文"


def builtin_kinds() -> KindRegistry:
    """The report kinds gongkai knows: the scored performance reports and 部门决算. A file of
    any other 类型 is validated as a performance report (whose message lists the choices)."""
    # each kind's methods take its own result type, which the ReportKind protocol cannot spell
    return KindRegistry((PERFORMANCE, FINAL_ACCOUNTS), fallback=cast(ReportKind, PERFORMANCE))


@dataclass(frozen=True)
class Settings:
    """How the project is built. Paths are absolute.

    ``pdf`` None means "as the command decides" (the site plugin: yes for a build, no under
    ``mkdocs serve``); ``shard`` (K, N) makes only shard K of N of the PDFs."""

    docs_dir: Path | None = None
    site_dir: Path | None = None
    data_dir: Path | None = None
    pdf: bool | None = None
    shard: tuple[int, int] | None = None
    strict: bool = False
    pdf_cache_dir: Path | None = None
    basis: str = DEFAULT_BASIS  # a report's 口径 when it names none (gongkai.engine.basis)
    print_theme: str = DEFAULT_PRINT_THEME  # one of PRINT_THEMES


@dataclass(frozen=True)
class Project:
    root: Path
    settings: Settings
    rulesets: RulesetLibrary
    subjects: subjects.SubjectTables
    template_dirs: tuple[Path, ...]
    search_terms: tuple[tuple[str, bytes], ...]  # (file, content): built-in first, then the project's
    kinds: KindRegistry
    vocabulary: tuple[str, ...]  # every key of every kind's data and of rulesets (for “是否应为…？”)
    problems: tuple = field(default=())  # what could not be loaded (a refused search-terms file …)

    @classmethod
    def load(
        cls,
        root: str | os.PathLike,
        *,
        docs_dir: str | os.PathLike | None = None,
        site_dir: str | os.PathLike | None = None,
        data_dir: str | os.PathLike | None = None,
        pdf: bool | None = None,
        shard: tuple[int, int] | None = None,
        strict: bool = False,
        pdf_cache_dir: str | os.PathLike | None = None,
        basis: str = DEFAULT_BASIS,
        print_theme: str = DEFAULT_PRINT_THEME,
        kinds: KindRegistry | None = None,
        rulesets: Mapping | None = None,
    ) -> Project:
        """Load the project in ``root``. Relative paths are relative to ``root``; by default
        the data is in ``data/``, the Markdown in ``docs_dir`` of mkdocs.yml (or ``content/``).
        With ``rulesets`` (path relative to ``root`` → bytes) the project's own rulesets are
        those files, and its ruleset folders on disk are not read (see :meth:`with_rulesets`)."""
        root = Path(os.path.abspath(root))
        kinds = kinds or builtin_kinds()
        vocabulary = field_names(*(kind.model for kind in kinds.kinds), Ruleset)
        settings = Settings(
            docs_dir=_under(root, docs_dir) if docs_dir is not None else _default_docs(root),
            site_dir=_under(root, site_dir) if site_dir is not None else None,
            data_dir=_under(root, data_dir if data_dir is not None else DATA_DIR),
            pdf=pdf,
            shard=shard,
            strict=strict,
            pdf_cache_dir=_under(root, pdf_cache_dir) if pdf_cache_dir is not None else None,
            basis=basis,
            print_theme=print_theme,
        )
        terms, problems = _search_terms(root)
        return cls(
            root=root,
            settings=settings,
            rulesets=RulesetLibrary.load(root, vocabulary)
            if rulesets is None
            else RulesetLibrary.from_files(root, rulesets, vocabulary),
            subjects=subjects.tables(),
            template_dirs=tuple(([root / "templates"] if (root / "templates").is_dir() else []) + [BUILTIN_TEMPLATES]),
            search_terms=terms,
            kinds=kinds,
            vocabulary=vocabulary,
            problems=tuple(problems),
        )

    @classmethod
    def of(cls, path: str | os.PathLike, **settings) -> Project:
        """The project a file or folder belongs to (:func:`gongkai.engine.paths.project_of`)."""
        return cls.load(project_of(path), **settings)

    def with_rulesets(self, files) -> Project:
        """The same project with its own rulesets taken from ``files`` (path relative to the
        root → bytes, e.g. the ``rulesets/`` files of a git revision) instead of the disk; the
        built-in rulesets stay. With :func:`gongkai.engine.pipeline.evaluate_source`, a revision
        is evaluated without writing any file."""
        return replace(self, rulesets=RulesetLibrary.from_files(self.root, files, self.vocabulary))

    def with_settings(self, **changes) -> Project:
        """The same project with some settings changed (nothing is read again)."""
        return replace(self, settings=replace(self.settings, **changes))

    @property
    def docs(self) -> Path:
        """The Markdown folder (``docs_dir``)."""
        return self.settings.docs_dir if self.settings.docs_dir is not None else self.root / "docs"

    @property
    def data(self) -> Path:
        return self.settings.data_dir if self.settings.data_dir is not None else self.root / DATA_DIR


def _under(root: Path, path) -> Path:
    return Path(os.path.abspath(root / path))


def _default_docs(root: Path) -> Path:
    found = docs_dir(root)
    return (
        Path(os.path.abspath(found))
        if found is not None
        else root / ("docs" if (root / "mkdocs.yml").is_file() else "content")
    )


_builtin_terms: dict = {}  # package data, read again when the file changes


def _builtin_search_terms() -> bytes | None:
    try:
        st = BUILTIN_SEARCH_TERMS.stat()
    except OSError:
        return None
    key = (st.st_size, st.st_mtime_ns)
    if _builtin_terms.get("key") != key:
        with open(BUILTIN_SEARCH_TERMS, "rb") as handle:
            _builtin_terms.update(key=key, value=handle.read())
    return _builtin_terms["value"]


def _search_terms(root: Path) -> tuple[tuple, list]:
    """The built-in search terms and the project's ``search_terms.txt`` (read through the
    guarded open: a link out of the project or a special file is a located problem)."""
    terms = [(BUILTIN_SEARCH_TERMS.name, builtin)] if (builtin := _builtin_search_terms()) is not None else []
    path = root / SEARCH_TERMS_FILE
    if not os.path.lexists(path):
        return tuple(terms), []
    try:
        terms.append((SEARCH_TERMS_FILE, read_bytes_inside(root, path, SEARCH_TERMS_FILE, limit=SEARCH_TERMS_LIMIT)))
    except Refused as refused:
        return tuple(terms), [refused.problem]
    except (TooLarge, OSError) as exc:
        return tuple(terms), [problem("FILE_UNREADABLE", SEARCH_TERMS_FILE, None, f"无法读取文件：{exc}")]
    return tuple(terms), []
