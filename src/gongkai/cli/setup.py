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


@click.command(name="init")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--name", "name", required=True, help="单位名称，如“某某市财政局”（用于网站名称和首页）")
def init(folder, name):
    """新建一个单位的公开网站：mkdocs.yml、首页、data/、Makefile、持续集成配置等。

    FOLDER 为网站所在的文件夹（不存在时新建）。其中已有同名文件时一个文件也不写（退出码 2）。
    新建后在该文件夹中运行 make setup 安装，gongkai new 新建报告，make site 生成网站。
    """
    from gongkai.authoring.newsite import create_site
    from gongkai.authoring.scaffold import ScaffoldError
    from gongkai.engine.problems import terminal_text

    try:
        made = create_site(folder, name)
    except ScaffoldError as exc:
        click.echo(terminal_text(str(exc)), err=True)
        sys.exit(2)
    for path in made.files:
        click.echo(terminal_text(f"已新建：{path}"))
    if not made.known:
        click.echo(
            "注意：无法判断本机的 gongkai 从哪里安装，requirements.txt 和两个持续集成配置中的 gongkai 安装来源"
            f"（{made.requirement}）需要改成 gongkai 仓库的地址，见用户指南“建立部门网站”。"
        )
    click.echo(
        terminal_text(
            f"下一步：cd {made.folder}，运行 make setup 安装；"
            "gongkai new 自评表 data/年度/单位/项目.yaml 新建报告；make site 生成网站和 PDF 到 site/。"
        )
    )
