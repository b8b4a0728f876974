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
