"""The gongkai plugin's typed configuration, and the one way gongkai reads ``mkdocs.yml``:
MkDocs' own ``load_config`` (so ``!!python/name:`` tags, ``!ENV``, ``INHERIT`` and every
default mean what they mean to MkDocs).

``plugins: - gongkai`` in mkdocs.yml takes these options::

    plugins:
      - search
      - gongkai:
          data_dir: data            # the report data files (YAML)
          pdf: true                 # make the PDFs (default: yes for a build, no under serve)
          shard: 2/4                # make only shard 2 of 4 of the PDFs (several machines)
          pdf_cache_dir: .cache/gongkai/pdf
          reports: false            # a site without reports (a user guide): Chinese UI only
          print_theme: 公文           # the PDFs' look: 公文 (GB/T 9704 practice) or 简洁

``gongkai build --no-pdf --shard K/N`` sets ``pdf`` and ``shard`` on the loaded configuration;
no setting travels through the environment. ``GONGKAI_PDF=1`` (or ``0``) is read only as the
user's choice when ``pdf`` is not written in mkdocs.yml (e.g. PDFs under ``mkdocs serve``)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config import base, load_config
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError
from mkdocs.exceptions import ConfigurationError
from mkdocs.plugins import BasePlugin

from gongkai.engine.basis import BASES, DEFAULT_BASIS
from gongkai.engine.project import DEFAULT_PRINT_THEME, PRINT_THEMES, Project

PDF_SWITCH = "GONGKAI_PDF"  # the user's choice when mkdocs.yml does not say: "1" PDFs, "0" none
PDF_CACHE = Path(".cache") / "gongkai" / "pdf"  # inside the project
PLUGIN_NAME = "gongkai"
DEFAULT_EXTENSIONS = ["admonition", "attr_list", "md_in_html", "footnotes"]
MKDOCS_BUILTINS = ["toc", "tables", "fenced_code"]  # MkDocs always adds these


def parse_shard(text: str | None) -> tuple | None:
    """"2/5" → (2, 5); None or "" → None. Raises ValueError with a Chinese message."""
    if not text:
        return None
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ValueError(f"分片应写成 K/N（1 ≤ K ≤ N），如 2/4，而不是“{text}”")
    return int(match.group(1)), int(match.group(2))


class Shard(c.BaseConfigOption):
    """``K/N`` (text) → (K, N); unset → None."""

    def run_validation(self, value: object):
        if value is None or isinstance(value, tuple):
            return value
        if not isinstance(value, str):
            raise ValidationError(f"分片应写成文字 K/N，如 2/4，而不是 {value!r}")
        try:
            return parse_shard(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class GongkaiConfig(base.Config):
    data_dir = c.Type(str, default="data")
    pdf = c.Optional(c.Type(bool))
    shard = Shard()
    pdf_cache_dir = c.Type(str, default=PDF_CACHE.as_posix())
    basis = c.Choice(BASES, default=DEFAULT_BASIS)
    reports = c.Type(bool, default=True)  # false: a site without reports (the user guide): only its Chinese UI
    print_theme = c.Choice(PRINT_THEMES, default=DEFAULT_PRINT_THEME)


def pdf_wanted(option: bool | None, command: str | None) -> bool:
    """PDFs or not: as mkdocs.yml (or ``gongkai build``) says; else as GONGKAI_PDF says; else
    yes for a build and no under ``mkdocs serve``."""
    if option is not None:
        return option
    switch = os.environ.get(PDF_SWITCH)
    if switch is not None and switch.strip() != "":
        return switch.strip() != "0"
    return command != "serve"


class GongkaiSettings(BasePlugin[GongkaiConfig]):
    """The plugin's configuration and how it makes the :class:`Project` of a build (the events
    are in :class:`gongkai.site.plugin.GongkaiPlugin`)."""

    def load_project(self, config, command: str | None = None) -> Project:
        """The project of the MkDocs configuration ``config``, loaded now (every build loads it
        again, so an edited ruleset or search-terms file is seen by the next build)."""
        root = Path(config.config_file_path).resolve().parent
        return Project.load(
            root,
            docs_dir=config.docs_dir,
            site_dir=config.site_dir,
            data_dir=self.config.data_dir,
            pdf=self.config.reports and pdf_wanted(self.config.pdf, command),
            shard=self.config.shard,
            strict=bool(config.strict),
            pdf_cache_dir=self.config.pdf_cache_dir,
            basis=self.config.basis,
            print_theme=self.config.print_theme,
        )


def find_plugin(config) -> GongkaiSettings | None:
    """The gongkai plugin of a loaded MkDocs configuration: ``plugins: - gongkai``, or the
    plugin instance of the ``hooks/gongkai_hooks.py`` shim (its module's ``plugin``)."""
    listed = config.plugins.get(PLUGIN_NAME)
    if isinstance(listed, GongkaiSettings):
        return listed
    for value in config.plugins.values():
        if isinstance(value, GongkaiSettings):
            return value
        inner = getattr(value, "plugin", None)
        if isinstance(inner, GongkaiSettings):
            return inner
    return None


def markdown_settings(config) -> tuple[list, dict]:
    """The Markdown extensions and their options as MkDocs resolved them (``None``: a project
    without mkdocs.yml gets MkDocs' built-ins and gongkai's defaults)."""
    if config is None:
        return MKDOCS_BUILTINS + DEFAULT_EXTENSIONS, {}
    return list(config.markdown_extensions), dict(config.mdx_configs)


@dataclass
class Site:
    """A project as its mkdocs.yml describes it: the MkDocs configuration (None without
    mkdocs.yml), the gongkai plugin's settings and the loaded :class:`Project`."""

    config: object | None
    project: Project
    markdown: tuple  # (extensions, their options), as the site renders Markdown


def load_site(root: str | os.PathLike, command: str = "build", **options) -> Site:
    """Load ``root/mkdocs.yml`` with MkDocs' ``load_config`` and the project it describes; the
    plugin ``options`` (``pdf``, ``shard`` …) override what mkdocs.yml says (the plugin itself is
    left as it is). Without mkdocs.yml the Markdown is in ``docs/`` and the defaults apply.
    Raises MkDocs' ConfigurationError for a configuration MkDocs refuses."""
    root = Path(os.path.abspath(root))
    path = root / "mkdocs.yml"
    config = load_config(str(path)) if path.is_file() else None
    listed = find_plugin(config) if config is not None else None
    settings = GongkaiSettings()
    errors, _ = settings.load_config({**(dict(listed.config) if listed is not None else {}), **options})
    if errors:
        raise ConfigurationError("gongkai 插件的选项有误：" + "；".join(f"{key}: {message}" for key, message in errors))
    if config is None:
        project = Project.load(root, docs_dir="docs", data_dir=settings.config.data_dir,
                               pdf=pdf_wanted(settings.config.pdf, command),
                               shard=settings.config.shard, pdf_cache_dir=settings.config.pdf_cache_dir,
                               basis=settings.config.basis, print_theme=settings.config.print_theme)
    else:
        project = settings.load_project(config, command)
    return Site(config, project, markdown_settings(config))


def site_project(root: str | os.PathLike) -> Project:
    """The Project of the folder ``root`` as its mkdocs.yml configures it (its ``basis``, docs
    and data folders); a mkdocs.yml MkDocs refuses gives the defaults (for commands that check
    pages without building, and say nothing about the configuration themselves)."""
    try:
        return load_site(root).project
    except Exception:
        return Project.load(root)
