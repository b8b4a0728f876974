"""``gongkai init DIR --name 单位名称``: a department's own disclosure site, ready to build.

The files come from ``scaffolds/site/`` (:data:`FILES`: each template and where it goes): the
site's mkdocs.yml (the gongkai plugin carries the theme overrides, styles and generated pages,
so nothing else is copied), the home page, ``data/``, a Makefile whose ``setup`` and ``site``
targets install and build, requirements.txt, .gitignore, a pre-commit configuration and the CI
recipes for GitHub Actions and GitLab CI. ``__NAME__`` and the like are filled in; the
requirement that installs gongkai is the one this copy was installed from when it can be told
(a git commit, a download address, a version from a package index).

Nothing is overwritten: when any of the files exists, none is written."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from gongkai.authoring.scaffold import SCAFFOLDS, ScaffoldError, write_new

SITE = SCAFFOLDS / "site"
# template in scaffolds/site/ -> where it goes in the new site
FILES = {
    "mkdocs.yml": "mkdocs.yml",
    "index.md": "content/index.md",
    "data-README.md": "data/README.md",
    "Makefile": "Makefile",
    "requirements.txt": "requirements.txt",
    "README.md": "README.md",
    "gitignore": ".gitignore",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "github-workflow.yml": ".github/workflows/gongkai.yml",
    "gitlab-ci.yml": ".gitlab-ci.yml",
}
# What the CI recipes install when the source of this gongkai cannot be told: they stop with a
# message asking for the address of the gongkai repository.
PLACEHOLDER_REQUIREMENT = "gongkai @ git+https://github.com/your-org/gongkai.git@v0.1.0"
NAME_LIMIT = 60
_NOT_IN_NAMES = set("{}<>[]`|\\\"")


@dataclass
class NewSite:
    folder: Path
    files: list  # the paths written, in order
    requirement: str  # what requirements.txt and the CI recipes install
    known: bool  # False: the requirement is the placeholder and must be changed by hand


def check_name(name: str) -> str:
    """The unit's name, stripped; a ScaffoldError says why it cannot be used (it goes into
    YAML, Markdown and a page template, so it holds no markup or template characters)."""
    name = name.strip()
    if not name:
        raise ScaffoldError("单位名称不能为空（--name 单位名称）")
    if len(name) > NAME_LIMIT:
        raise ScaffoldError(f"单位名称不能超过 {NAME_LIMIT} 个字")
    bad = sorted({c for c in name if c in _NOT_IN_NAMES or (unicodedata.category(c)[0] in "CZ" and c != " ")})
    if bad:
        shown = "、".join(repr(c)[1:-1] if unicodedata.category(c)[0] in "CZ" else c for c in bad)
        raise ScaffoldError(f"单位名称中不能有这些字符：{shown}")
    return name


def installed_requirement() -> tuple[str, bool]:
    """How this gongkai was installed, as a pip requirement: see :func:`requirement_from`."""
    try:
        dist = metadata.distribution("gongkai")
    except metadata.PackageNotFoundError:
        return PLACEHOLDER_REQUIREMENT, False
    return requirement_from(dist.read_text("direct_url.json"), dist.version)


def requirement_from(direct_url: str | None, version: str) -> tuple[str, bool]:
    """A pip requirement for the gongkai installed with PEP 610's ``direct_url`` (None: from a
    package index) and ``version``: from git, its commit; from a download address, that
    address; from an index, the version. A local folder or file cannot be installed on another
    machine: (placeholder, False)."""
    if not direct_url:
        return f"gongkai=={version}", True
    try:
        direct = json.loads(direct_url)
    except ValueError:
        return PLACEHOLDER_REQUIREMENT, False
    url = str(direct.get("url", ""))
    vcs = direct.get("vcs_info") or {}
    if vcs.get("vcs") == "git" and vcs.get("commit_id") and url.startswith(("https://", "http://", "ssh://")):
        return f"gongkai @ git+{url}@{vcs['commit_id']}", True
    if "archive_info" in direct and url.startswith("https://"):
        return f"gongkai @ {url}", True
    return PLACEHOLDER_REQUIREMENT, False


def _yaml_text(text: str) -> str:
    """A double-quoted YAML scalar (JSON is YAML)."""
    return json.dumps(text, ensure_ascii=False)


def site_files(name: str, requirement: str) -> dict:
    """The new site's files: relative path -> content."""
    values = {
        "__SITE_NAME__": _yaml_text(f"{name}绩效与决算公开"),
        "__DESCRIPTION__": _yaml_text(f"{name}公开的项目支出绩效评价、部门整体支出绩效评价和部门决算"),
        "__NAME__": name,
        "__REQUIREMENT__": requirement,
    }
    pattern = re.compile("|".join(re.escape(k) for k in values))
    files = {}
    for template, target in FILES.items():
        text = (SITE / template).read_text(encoding="utf-8")
        text = pattern.sub(lambda m: values[m.group(0)], text)
        if requirement != PLACEHOLDER_REQUIREMENT:
            text = text.replace(f'GONGKAI_PIP: "{PLACEHOLDER_REQUIREMENT}"', f"GONGKAI_PIP: {_yaml_text(requirement)}")
        files[target] = text
    return files


def create_site(folder, name: str) -> NewSite:
    """Write a new site into ``folder`` (made if missing); refuse when any of its files exists."""
    name = check_name(name)
    root = Path(folder)
    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"{root} 已存在，而且不是文件夹")
    requirement, known = installed_requirement()
    files = site_files(name, requirement)
    written = write_new([(root / rel, text) for rel, text in files.items()])
    return NewSite(root, written, requirement, known)
