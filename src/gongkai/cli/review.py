"""``gongkai diff``: the command a reviewer (or CI) runs on a pull request. Exit codes: 0 output given, 2 usage.

The revisions compared are untrusted: unsafe paths in them are reported (``DIFF_PATH``) and skipped, not
fatal, so the comment still says what was refused; nothing printed carries a terminal control character.
"""

from __future__ import annotations

import sys

import click

from gongkai.engine.output import json_text
from gongkai.review.diff import DiffError, plain_text, render_json, render_markdown, run_diff


@click.command(name="diff")
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option(
    "--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True, help="输出格式"
)
@click.option(
    "--main-branch",
    default=None,
    metavar="分支",
    help="不给 BASE 时与之比较的主分支（默认依次尝试 origin/main、main、master）",
)
@click.option("--path", "path", default="data", show_default=True, metavar="文件夹", help="报告数据所在的文件夹")
def diff(base, head, fmt, main_branch, path):
    """说明两个版本之间报告的变化，供审阅合并请求。

    列出总分和等级、得分有变化的指标、资金执行率、年度目标、决算数字、新出现和已解决的核对问题。

    BASE、HEAD 为 git 修订版本（提交、分支、标签）。不给 BASE 时为当前提交与主分支的分叉点；不给
    HEAD 时为工作区（含未提交和未跟踪的文件）。

    输出为可直接贴到合并请求里的 Markdown；来自数据的文字都已转义，不会成为链接、图片、提及或 HTML。
    不安全的路径（“..”、绝对路径、“.git”、符号链接等）被拒绝并列为 DIFF_PATH 错误，比较照常进行。

    退出码：0 已输出（有没有变化、有没有拒绝的路径都是 0）；2 用法错误（如修订版本不存在）。
    """
    try:
        outcome = run_diff(base, head, main_branch=main_branch, path=path)
    except DiffError as err:
        click.echo(f"gongkai diff：{plain_text(err)}", err=True)
        sys.exit(2)
    except OSError as err:  # e.g. no room for the temporary folder: said, not a traceback
        click.echo(f"gongkai diff：无法完成比较（{plain_text(err.strerror or err)}）", err=True)
        sys.exit(2)
    if fmt == "json":
        click.echo(json_text(render_json(outcome)))
    else:
        click.echo(render_markdown(outcome), nl=False)
    sys.exit(0)
