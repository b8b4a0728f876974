"""Commands that set up a machine and a department's site: ``gongkai doctor`` and ``gongkai init``.

Registered on the ``gongkai`` group in :mod:`gongkai.cli.commands`. Exit codes as elsewhere:
0 fine, 1 something missing, 2 usage (``init`` refusing to overwrite a file)."""

from __future__ import annotations

import sys

import click


@click.command(name="doctor")
@click.option(
    "--missing", "only_missing", is_flag=True, help="只输出缺少的系统软件包的包名（以空格分隔，供脚本和 Makefile 使用）"
)
def doctor(only_missing):
    """检查本机能否生成网站和 PDF：中文字体、Pango、HarfBuzz 字体子集化、WeasyPrint。

    缺少系统软件包时列出它们，并给出安装它们的 apt-get 命令。退出码：0 全部就绪，1 有缺少的。
    """
    from gongkai.system.doctor import examine, missing_packages, report

    outcomes = examine()
    if only_missing:
        click.echo(" ".join(missing_packages(outcomes)))
    else:
        click.echo(report(outcomes))
    sys.exit(0 if all(o.ok for o in outcomes) else 1)
