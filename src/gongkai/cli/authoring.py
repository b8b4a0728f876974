"""Commands for writing data: ``gongkai fmt`` and ``gongkai new``.

Registered on the ``gongkai`` group in :mod:`gongkai.cli.commands` (``main.add_command(fmt)``,
``main.add_command(new)``). Exit codes as elsewhere: 0 fine, 1 problems, 2 usage."""

from __future__ import annotations

import sys

import click

from gongkai.authoring.scaffold import KINDS
from gongkai.engine.problems import terminal_text


@click.command(name="fmt")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--check", is_flag=True, help="只检查、不改写：列出格式需要统一的文件，有则退出码 1（用于 CI）")
def fmt(paths, check):
    """统一数据文件的格式：键按规定的顺序排列，两格缩进，注释和数字的写法原样保留。

    PATHS 为 YAML 文件或文件夹，默认 data/。退出码：0 格式都已统一（或已改写），
    1 有文件需要改写（--check 时）或有文件无法读取，2 路径不存在或不是 YAML 文件。
    """
    from gongkai.authoring.fmt import format_paths

    try:
        outcomes = format_paths(paths or ["data"], check)
    except (FileNotFoundError, ValueError) as exc:
        raise click.UsageError(str(exc)) from None
    failed = [o for o in outcomes if o.problem is not None]
    changed = [o for o in outcomes if o.changed]
    for o in failed:
        click.echo(o.problem.human() + "（文件未修改）", err=True)
    for o in changed:
        click.echo(terminal_text(f"需要统一格式：{o.file}" if check else f"已统一格式：{o.file}"))
    total = len(outcomes)
    if check:
        if changed:
            click.echo(f"{len(changed)} 个文件的格式需要统一（共 {total} 个）；运行 gongkai fmt 改写。")
        elif not failed:
            click.echo(f"{total} 个文件的格式都已统一。")
    else:
        unchanged = total - len(changed) - len(failed)
        unreadable = f"，{len(failed)} 个无法读取。" if failed else "。"
        click.echo(f"已改写 {len(changed)} 个文件，{unchanged} 个无需改动" + unreadable)
    sys.exit(1 if failed or (check and changed) else 0)


@click.command(name="new")
@click.argument("kind", type=click.Choice(list(KINDS)), metavar="KIND")
@click.argument("path", type=click.Path())
@click.option(
    "--year",
    type=click.IntRange(1949, 2200),
    default=None,
    help="年度（默认取路径中的年份，如 data/2024/…，否则为上一年）",
)
@click.option("--department", default=None, help="部门（单位）名称（默认为“××单位”，之后再改）")
def new(kind, path, year, department):
    """新建一份报告：数据文件（每个字段都有中文注释）和同名的正文页面。

    KIND 为 自评表、评价报告、部门整体 或 部门决算；PATH 为数据文件，如 data/2024/my-unit/project.yaml，
    页面写到 content/ 下同样的位置（content/2024/my-unit/project.md）。已存在的文件不会被覆盖（退出码 2）。
    """
    from gongkai.authoring.scaffold import ScaffoldError, create

    try:
        made = create(kind, path, year=year, department=department)
    except ScaffoldError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    click.echo(f"已新建数据文件：{made.data}")
    click.echo(f"已新建页面：{made.page}")
    click.echo(f"按注释修改数据后，运行 gongkai check {made.data} 核对。")


@click.command(name="cite")
@click.argument("project", required=False, default=".", type=click.Path(exists=True, file_okay=False))
@click.option("--write", is_flag=True, help="把列出的替换写入页面（不写时只列出）")
def cite(project, write):
    """把报告页正文中写死的数字换成引用数据的写法。

    只换已经与数据核对一致的数字（如“预算执行率为97.8%”换成 {{ 资金.执行率 | 百分比(1) }}），
    而且换后页面显示的文字与原来完全相同。不加 --write 时只列出，不改文件。退出码：0。
    """
    from gongkai.site.citing import cite as find_citations
    from gongkai.site.config import site_project

    citations = find_citations(site_project(project), write=write)
    for c in citations:
        click.echo(terminal_text(f"{c.file}:{c.line}: “{c.literal}” → {c.reference}（{c.name}）"))
    verb = "已替换" if write else "可以替换"
    click.echo(f"{verb} {len(citations)} 处数字。" if citations else "没有可以替换的数字。")
