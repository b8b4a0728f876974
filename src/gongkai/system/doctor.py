"""``gongkai doctor``: is this machine ready to build a site and its PDFs?

One check per package of :data:`PACKAGES` (``packages.txt``) whose use is not 测试: a font family
that fc-list knows, a shared library that loads, a program on PATH, a file (fonts outside
fontconfig's folders). Then WeasyPrint itself, in a child process (its import loads Pango and
prints to standard output when a library is missing): it must import, and use HarfBuzz to
subset fonts. Every check is a value (:class:`Outcome`); the
command prints them and the apt-get command that installs the missing packages."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

LIST = "packages.txt"
TEST = "测试"  # packages only this repository's tests need
CHECKS = ("font", "library", "command", "file")


@dataclass(frozen=True)
class Package:
    """A line of ``packages.txt``."""

    name: str
    use: str  # 网站, PDF or 测试
    check: str  # font, library, command or file
    target: str  # the font family, the library's soname, the program
    what: str  # what it gives, in Chinese


@dataclass(frozen=True)
class Outcome:
    """One check: what was checked, whether it passed, what was found (or why not), and the
    Debian package that provides it (None for a check of Python packages)."""

    name: str
    ok: bool
    detail: str
    package: str | None = None


def parse(text: str) -> list[Package]:
    """The packages of a ``packages.txt`` text; a line that does not read raises ValueError."""
    found = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = [f.strip() for f in line.split("|")]
        if len(fields) != 4 or not all(fields):
            raise ValueError(f"{LIST} 第 {number} 行应为“包名 | 用途 | 检查 | 说明”四栏：{raw!r}")
        name, use, check, what = fields
        kind, _, target = check.partition(" ")
        if kind not in CHECKS or not target.strip():
            raise ValueError(f"{LIST} 第 {number} 行的检查应为 {'、'.join(CHECKS)} 之一加对象：{check!r}")
        found.append(Package(name, use, kind, target.strip(), what))
    return found


def packages() -> list[Package]:
    """Every package of gongkai's list, in its order."""
    return parse(files("gongkai.system").joinpath(LIST).read_text(encoding="utf-8"))


def needed() -> list[Package]:
    """The packages a site needs (not those of this repository's tests)."""
    return [p for p in packages() if p.use != TEST]


# ---- checks ------------------------------------------------------------------------------


def font_families() -> str | None:
    """``fc-list : family`` output, or None without fc-list."""
    if shutil.which("fc-list") is None:
        return None
    try:
        return subprocess.run(
            ["fc-list", ":", "family"], capture_output=True, text=True, timeout=60, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def check_package(package: Package, families: str | None) -> Outcome:
    if package.check == "font":
        if families is None:
            return Outcome(package.what, False, "无法列出字体（没有 fc-list）", package.name)
        names = {name.strip() for line in families.splitlines() for name in line.split(",")}
        if package.target in names:
            return Outcome(package.what, True, f"找到字体 {package.target}", package.name)
        return Outcome(package.what, False, f"没有字体 {package.target}", package.name)
    if package.check == "library":
        try:
            ctypes.CDLL(package.target)
        except OSError:
            return Outcome(package.what, False, f"找不到 {package.target}", package.name)
        return Outcome(package.what, True, f"已加载 {package.target}", package.name)
    if package.check == "file":
        if Path(package.target).is_file():
            return Outcome(package.what, True, package.target, package.name)
        return Outcome(package.what, False, f"找不到文件 {package.target}", package.name)
    path = shutil.which(package.target)
    if path is None:
        return Outcome(package.what, False, f"找不到程序 {package.target}", package.name)
    return Outcome(package.what, True, path, package.name)


_WEASYPRINT = """\
import sys
try:
    import weasyprint
    from weasyprint.text import ffi
except BaseException as exc:
    sys.stderr.write(f"{type(exc).__name__}: {exc}")
    sys.exit(3)
print(weasyprint.__version__)
print("subset" if getattr(ffi, "harfbuzz_subset", None) is not None else "no-subset")
"""


def check_weasyprint(python: str = sys.executable) -> list[Outcome]:
    """WeasyPrint imports (its libraries load) and subsets fonts with HarfBuzz, in a child process."""
    try:
        run = subprocess.run([python, "-c", _WEASYPRINT], capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return [Outcome("WeasyPrint（生成 PDF）", False, f"无法运行 Python：{exc}")]
    if run.returncode != 0:
        why = (run.stderr.strip().splitlines() or ["未知原因"])[-1]
        return [Outcome("WeasyPrint（生成 PDF）", False, f"无法导入：{why}")]
    version, subset = (run.stdout.split() + ["", ""])[:2]
    return [
        Outcome("WeasyPrint（生成 PDF）", True, f"版本 {version}"),
        Outcome(
            "WeasyPrint 使用 HarfBuzz 字体子集化",
            subset == "subset",
            "是" if subset == "subset" else "否：改用较慢的 fontTools（安装 libharfbuzz-subset0）",
        ),
    ]


def examine() -> list[Outcome]:
    """Every check, in order: the packages of the list, then WeasyPrint."""
    families = font_families()
    return [check_package(p, families) for p in needed()] + check_weasyprint()


def missing_packages(outcomes: list[Outcome]) -> list[str]:
    """The Debian packages of the failed checks, each once, in the list's order."""
    return list(dict.fromkeys(o.package for o in outcomes if not o.ok and o.package is not None))


def install_command(names: list[str]) -> str:
    """The exact command that installs ``names`` (``sudo`` unless run as root)."""
    sudo = "" if hasattr(os, "geteuid") and os.geteuid() == 0 else "sudo "
    return f"{sudo}apt-get install -y {' '.join(names)}"


def report(outcomes: list[Outcome]) -> str:
    """What ``gongkai doctor`` prints."""
    width = max((len(o.package or "") for o in outcomes), default=0)
    lines = ["检查生成网站和 PDF 所需的系统软件："]
    for o in outcomes:
        mark = "✓" if o.ok else "✗"
        package = f"{o.package or '':<{width}}  " if width else ""
        lines.append(f"  {mark} {package}{o.name}：{o.detail}")
    missing = missing_packages(outcomes)
    failed = [o for o in outcomes if not o.ok]
    if not failed:
        lines.append("全部就绪。")
    elif missing:
        lines.append(f"缺少 {len(missing)} 个系统软件包。请运行：")
        lines.append(f"  {install_command(missing)}")
        if any(o.package is None for o in failed):
            lines.append("装好后再运行 gongkai doctor；WeasyPrint 仍然无法导入时，请重新安装 gongkai。")
    else:
        lines.append("系统软件包都已安装，但 WeasyPrint 仍有问题（见上）：请重新安装 gongkai。")
    return "\n".join(lines)
