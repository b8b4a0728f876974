"""`gongkai fmt` neither reads nor writes through a link that leaves the project."""

from __future__ import annotations

import os

from click.testing import CliRunner

from gongkai.cli.commands import main


def test_fmt_refuses_a_link_out_of_the_project(tmp_path, monkeypatch):
    outside = tmp_path / "outside.yaml"
    outside.write_text("b:   1\na:    2\n", encoding="utf-8")
    before = outside.read_bytes(), outside.stat().st_mtime_ns
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "mkdocs.yml").write_text("site_name: t\n", encoding="utf-8")
    os.symlink(outside, project / "data" / "x.yaml")
    monkeypatch.chdir(project)
    for args in (["fmt", "data"], ["fmt", "--check", "data"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, result.output
        assert "data/x.yaml" in result.output and "PATH_OUTSIDE" in result.output
        assert "Traceback" not in result.output
    assert (outside.read_bytes(), outside.stat().st_mtime_ns) == before
    assert os.path.islink(project / "data" / "x.yaml")


def _project(tmp_path):
    project = tmp_path / "project"
    (project / "data" / "2021").mkdir(parents=True)
    (project / "templates").mkdir()
    (project / "mkdocs.yml").write_text("site_name: t\n", encoding="utf-8")
    maintainer = project / "templates" / "maintainer.yaml"
    maintainer.write_text("a:\n    b: 1\n    c:   [1,2]\n", encoding="utf-8")
    return project, maintainer


def test_fmt_never_formats_a_link_even_inside_the_project(tmp_path, monkeypatch):
    """Red-team finding 11: data/…/zz.yaml -> ../../templates/maintainer.yaml is inside the
    project, and `gongkai fmt` re-indented the maintainer's file through it."""
    project, maintainer = _project(tmp_path)
    before = maintainer.read_bytes(), maintainer.stat().st_mtime_ns
    os.symlink("../../templates/maintainer.yaml", project / "data" / "2021" / "zz.yaml")
    monkeypatch.chdir(project)
    for args in (["fmt"], ["fmt", "data"], ["fmt", "data/2021/zz.yaml"], ["fmt", "--check", "data"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, (args, result.output)
        assert "data/2021/zz.yaml" in result.output and "PATH_OUTSIDE" in result.output and "链接" in result.output
        assert "Traceback" not in result.output
    assert (maintainer.read_bytes(), maintainer.stat().st_mtime_ns) == before
    assert os.path.islink(project / "data" / "2021" / "zz.yaml")


def test_fmt_never_formats_a_file_under_a_linked_folder(tmp_path, monkeypatch):
    project, maintainer = _project(tmp_path)
    before = maintainer.read_bytes()
    os.symlink("../../templates", project / "data" / "2021" / "linked", target_is_directory=True)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["fmt", "data/2021/linked/maintainer.yaml"])
    assert result.exit_code == 1 and "PATH_OUTSIDE" in result.output, result.output
    assert maintainer.read_bytes() == before


def test_fmt_still_formats_a_regular_file(tmp_path, monkeypatch):
    project, _ = _project(tmp_path)
    data = project / "data" / "2021" / "a.yaml"
    data.write_text("a:\n    b: 1\n", encoding="utf-8")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["fmt", "data"])
    assert result.exit_code == 0, result.output
    assert data.read_text(encoding="utf-8") == "a:\n  b: 1\n"
