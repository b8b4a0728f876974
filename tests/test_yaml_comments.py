"""gongkai fmt relies on ruamel.yaml's private comment fields, all of them used in
``gongkai.authoring.yaml_comments``. These tests fail loudly, naming what changed, when the
installed ruamel.yaml no longer works that way (so an upgrade breaks the tests, not users' files)."""

from __future__ import annotations

import re
import tomllib

import pytest
import ruamel.yaml
from packaging.requirements import Requirement
from packaging.version import Version
from ruamel.yaml.comments import Comment

from conftest import ROOT
from gongkai.authoring import yaml_comments
from gongkai.authoring.fmt import FormatError, format_text

pytestmark = pytest.mark.engine


def test_installed_ruamel_keeps_comments_the_way_fmt_relies_on():
    try:
        yaml_comments.check_supported()
    except yaml_comments.UnsupportedRuamel as exc:
        unsupported = exc
    else:
        return
    pytest.fail(
        f"{unsupported}\n{unsupported.details}\n\ngongkai fmt writes ruamel.yaml's private comment fields "
        "(see src/gongkai/authoring/yaml_comments.py). Adapt that module to this ruamel.yaml, "
        "or install one in the range pinned in pyproject.toml.",
        pytrace=False,
    )


def _pinned() -> Requirement:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    return next(r for r in map(Requirement, dependencies) if r.name == "ruamel.yaml")


def test_ruamel_is_pinned_to_the_tested_range_with_an_upper_bound():
    pinned = _pinned()
    assert pinned.specifier == Requirement(f"ruamel.yaml{yaml_comments.TESTED_RANGE}").specifier, (
        f"pyproject.toml pins {pinned}; yaml_comments.TESTED_RANGE says {yaml_comments.TESTED_RANGE}: "
        "keep them the same"
    )
    assert any(s.operator == "<" for s in pinned.specifier), f"{pinned}: ruamel.yaml needs an upper bound"
    installed = Version(ruamel.yaml.__version__)
    assert installed in pinned.specifier, f"ruamel.yaml {installed} is installed, outside the tested range {pinned}"


def test_a_missing_private_attribute_is_named(monkeypatch):
    monkeypatch.delattr(Comment, "attrib")
    yaml_comments._problem.cache_clear()
    try:
        with pytest.raises(yaml_comments.UnsupportedRuamel, match="缺少 gongkai fmt 依赖的内部接口") as caught:
            yaml_comments.check_supported()
        assert "ruamel.yaml.comments.Comment.attrib" in caught.value.details
        assert ruamel.yaml.__version__ in str(caught.value)
        assert yaml_comments.TESTED_RANGE in str(caught.value)
    finally:
        monkeypatch.undo()
        yaml_comments._problem.cache_clear()


def test_a_changed_comment_layout_is_caught_by_the_probe(monkeypatch):
    monkeypatch.setattr(yaml_comments, "_PROBE_EXPECTED", "something else\n")
    yaml_comments._problem.cache_clear()
    try:
        with pytest.raises(yaml_comments.UnsupportedRuamel, match="注释写出的位置与预期不同"):
            yaml_comments.check_supported()
    finally:
        monkeypatch.undo()
        yaml_comments._problem.cache_clear()


def test_fmt_writes_nothing_with_an_unsupported_ruamel(monkeypatch):
    monkeypatch.setattr(yaml_comments, "_problem", lambda: ("注释写出的位置与预期不同", "测试"))
    with pytest.raises(FormatError) as caught:
        format_text("a: 1  # note\n")
    assert caught.value.problem.code == "INTERNAL_ERROR"
    message = caught.value.problem.message
    assert "不受支持" in message and "注释写出的位置与预期不同" in message and yaml_comments.TESTED_RANGE in message


def test_only_yaml_comments_touches_ruamel_internals():
    """fmt.py (and any other module using ruamel.yaml) reaches ruamel's private fields only
    through yaml_comments."""
    private = re.compile(
        r"\.ca\b|\.fa\b|Comment\.attrib|_yaml_comment|_yaml_format|CommentToken|CommentMark|\bComment\("
    )
    package = ROOT / "src" / "gongkai"
    users = [
        p for p in sorted(package.rglob("*.py")) if p.name != "yaml_comments.py" and "ruamel" in p.read_text("utf-8")
    ]
    assert any(p.name == "fmt.py" for p in users)
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in users
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if private.search(line)
    ]
    assert not offenders, "ruamel.yaml internals used outside authoring/yaml_comments.py:\n" + "\n".join(offenders)
