"""``gongkai init``: a department's site, whose files are never overwritten, whose name is
checked, and whose requirements.txt and CI recipes install the gongkai it was made with.
(The whole round from the installed wheel, with a build, is tests/test_package.py.)"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from gongkai.authoring.newsite import (
    FILES,
    PLACEHOLDER_REQUIREMENT,
    SITE,
    check_name,
    requirement_from,
    site_files,
)
from gongkai.authoring.scaffold import ScaffoldError
from gongkai.cli.commands import main

UNIT = "某某县财政局"


def init(folder, name=UNIT):
    return CliRunner().invoke(main, ["init", str(folder), "--name", name])


def test_init_writes_a_site_and_says_what_to_do_next(tmp_path):
    result = init(tmp_path / "s")
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(tmp_path / "s").as_posix() for p in (tmp_path / "s").rglob("*") if p.is_file())
    assert written == sorted(FILES.values())
    assert "make setup" in result.output and "make site" in result.output
    config = (tmp_path / "s" / "mkdocs.yml").read_text(encoding="utf-8")
    assert f'site_name: "{UNIT}绩效与决算公开"' in config
    assert "  - gongkai" in config and "custom_dir" not in config and "hooks:" not in config
    assert UNIT in (tmp_path / "s" / "content" / "index.md").read_text(encoding="utf-8")


def test_every_template_of_the_site_is_written():
    assert sorted(p.name for p in SITE.iterdir() if p.is_file()) == sorted(FILES)


def test_init_never_overwrites_a_file(tmp_path):
    folder = tmp_path / "s"
    (folder / "content").mkdir(parents=True)
    (folder / "content" / "index.md").write_text("# 已有的首页\n", encoding="utf-8")
    result = init(folder)
    assert result.exit_code == 2
    assert "已存在，不会覆盖" in result.output and "index.md" in result.output
    assert (folder / "content" / "index.md").read_text(encoding="utf-8") == "# 已有的首页\n"
    assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == ["index.md"]  # nothing else written
    assert init(tmp_path / "t").exit_code == 0
    again = init(tmp_path / "t", "另一个单位")
    assert again.exit_code == 2 and "已存在，不会覆盖" in again.output


@pytest.mark.parametrize("name", ["", "   ", "a{{ 7*7 }}", "<b>局</b>", "两行\n名称", "[链接](x)", "局" * 61])
def test_names_that_cannot_be_used_are_refused(name, tmp_path):
    with pytest.raises(ScaffoldError):
        check_name(name)
    result = init(tmp_path / "s", name)
    assert result.exit_code == 2 and not (tmp_path / "s").exists()


NAMES = ["某某市财政局", "某某区发展和改革局（粮食和物资储备局）", "A&B 公司", "“两会”办公室: 一处"]


@pytest.mark.parametrize("name", NAMES)
def test_names_go_into_yaml_and_pages_as_text(name, tmp_path):
    from mkdocs.config import load_config

    assert init(tmp_path / "s", name).exit_code == 0
    config = load_config(str(tmp_path / "s" / "mkdocs.yml"))  # as MkDocs reads it
    assert config.site_name == f"{name}绩效与决算公开"
    assert f"# {name}绩效与决算公开" in (tmp_path / "s" / "content" / "index.md").read_text(encoding="utf-8")


def test_the_requirement_is_where_this_gongkai_came_from():
    git = {"url": "https://example.org/org/gongkai.git", "vcs_info": {"vcs": "git", "commit_id": "abc123"}}
    expected = "gongkai @ git+https://example.org/org/gongkai.git@abc123"
    assert requirement_from(json.dumps(git), "0.1.0") == (expected, True)
    wheel = {"url": "https://example.org/gongkai-0.1.0-py3-none-any.whl", "archive_info": {}}
    assert requirement_from(json.dumps(wheel), "0.1.0") == (f"gongkai @ {wheel['url']}", True)
    assert requirement_from(None, "0.2.0") == ("gongkai==0.2.0", True)  # from a package index
    local = {"url": "file:///home/x/gongkai", "dir_info": {"editable": True}}
    assert requirement_from(json.dumps(local), "0.1.0") == (PLACEHOLDER_REQUIREMENT, False)


def test_the_requirement_goes_into_requirements_and_both_ci_recipes():
    wanted = "gongkai @ git+https://example.org/org/gongkai.git@abc123"
    files = site_files(UNIT, wanted)
    assert files["requirements.txt"].strip().splitlines()[-1] == wanted
    assert f'GONGKAI_PIP: "{wanted}"' in files[".github/workflows/gongkai.yml"]
    assert f'GONGKAI_PIP: "{wanted}"' in files[".gitlab-ci.yml"]
    assert PLACEHOLDER_REQUIREMENT not in "".join(files.values())
