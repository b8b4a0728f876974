"""``gongkai doctor`` and the one list of Debian packages (src/gongkai/system/packages.txt):
the Makefile installs exactly that list, the CI recipes install what gongkai doctor names, and
a missing font, library or program is named with the apt-get command that installs it."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from conftest import ROOT
from gongkai.authoring.newsite import SITE
from gongkai.cli.commands import main
from gongkai.system import doctor
from gongkai.system.doctor import Outcome, check_package, install_command, missing_packages, parse, report


def test_the_list_reads_and_names_what_each_package_is_for():
    packages = doctor.packages()
    names = [p.name for p in packages]
    assert len(names) == len(set(names))
    assert {"fonts-noto-cjk", "libharfbuzz-subset0", "libpango-1.0-0"} <= set(names)
    assert {p.use for p in packages} <= {"网站", "PDF", doctor.TEST}
    assert "chromium" not in [p.name for p in doctor.needed()]  # only this repository's tests need it


def test_the_makefile_installs_the_list():
    if shutil.which("make") is None:
        pytest.skip("没有 make")
    listed = subprocess.run(["make", "-s", "apt-packages"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert listed.stdout.split() == [p.name for p in doctor.packages()]


def test_the_ci_recipes_install_what_gongkai_doctor_names():
    for name in ("github-workflow.yml", "gitlab-ci.yml"):
        text = (SITE / name).read_text(encoding="utf-8")
        assert 'missing="$(gongkai doctor --missing)"' in text and "apt-get install" in text, name
        assert "APT_PACKAGES" not in text and "fonts-noto-cjk" not in text, name  # no second list


@pytest.mark.parametrize(
    "line",
    ["a | PDF | font", "a | PDF | sound x | 说明", "a | PDF | library x", "| PDF | command x | 说明"],
)
def test_a_line_that_does_not_read_is_refused(line):
    with pytest.raises(ValueError, match=r"packages\.txt"):
        parse(line)


MISSING = """\
# a list where nothing is there
fonts-nothing   | PDF  | font Gongkai Absent Serif       | 不存在的字体
libnothing0     | PDF  | library libgongkai-absent.so.7  | 不存在的库
nothing-utils   | 网站 | command gongkai-absent-program  | 不存在的程序
"""


def test_what_is_missing_is_named_with_the_command_that_installs_it():
    families = doctor.font_families() or ""
    outcomes = [check_package(p, families) for p in parse(MISSING)]
    assert [o.ok for o in outcomes] == [False, False, False]
    assert missing_packages(outcomes) == ["fonts-nothing", "libnothing0", "nothing-utils"]
    text = report(outcomes)
    assert "apt-get install -y fonts-nothing libnothing0 nothing-utils" in text
    assert "缺少 3 个系统软件包" in text and "没有字体 Gongkai Absent Serif" in text


def test_the_command_uses_sudo_unless_run_as_root(monkeypatch):
    monkeypatch.setattr(doctor.os, "geteuid", lambda: 1000)
    assert install_command(["a", "b"]) == "sudo apt-get install -y a b"
    monkeypatch.setattr(doctor.os, "geteuid", lambda: 0)
    assert install_command(["a"]) == "apt-get install -y a"


def test_this_machine_has_every_package(tmp_path):
    """make test installs the list; so gongkai doctor finds everything and WeasyPrint subsets fonts."""
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    for package in doctor.needed():
        assert re.search(rf"✓ {re.escape(package.name)}\s", result.output), result.output
    assert "WeasyPrint 使用 HarfBuzz 字体子集化：是" in result.output
    assert CliRunner().invoke(main, ["doctor", "--missing"]).output.strip() == ""


def test_doctor_exits_1_and_prints_only_the_names_with_missing(monkeypatch):
    monkeypatch.setattr(doctor, "needed", lambda: parse(MISSING))
    result = CliRunner().invoke(main, ["doctor", "--missing"])
    assert result.exit_code == 1
    assert result.output.split() == ["fonts-nothing", "libnothing0", "nothing-utils"]
    full = CliRunner().invoke(main, ["doctor"])
    assert full.exit_code == 1 and "✗ fonts-nothing" in full.output


def test_a_weasyprint_that_does_not_import_is_said(tmp_path):
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\necho 'OSError: cannot load library pango' >&2\nexit 3\n", encoding="utf-8")
    broken.chmod(0o755)
    outcomes = doctor.check_weasyprint(str(broken))
    assert outcomes == [Outcome("WeasyPrint（生成 PDF）", False, "无法导入：OSError: cannot load library pango")]
    assert "请重新安装 gongkai" in report(outcomes)
