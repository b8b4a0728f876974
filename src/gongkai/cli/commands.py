"""The ``gongkai`` command line (click). Exit codes: 0 fine, 1 problems, 2 usage or unreadable input."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from gongkai import __version__
from gongkai.engine.files import write_atomic
from gongkai.engine.output import json_text, problems_json, problems_text, timings_text
from gongkai.engine.pipeline import discover, discover_checked, evaluate, evaluate_many
from gongkai.engine.problems import has_errors
from gongkai.engine.project import Project
from gongkai.engine.schema import report_schema

FORMATS = click.Choice(["text", "json"])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gongkai", message="%(prog)s %(version)s")
def main() -> None:
    """gongkai（公开）：用 YAML + Markdown 编写绩效评价和部门决算，计算、核对并发布。"""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="输出格式")
@click.option("--strict", is_flag=True, help="警告也视为失败（退出码 1）")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="并行进程数（默认为 CPU 核数）")
@click.option("--verbose", "-v", is_flag=True, help="在标准错误输出各阶段（读取、计分、核对）的耗时")
@click.option("--claims", "list_claims", is_flag=True, help="逐条列出报告页正文中未能对应到数据的数字（提示）")
def check(paths, fmt, strict, jobs, verbose, list_claims):
    """核对报告数据：计算每个得分、小计、总分和比率，列出所有不一致之处。

    PATHS 为数据文件或文件夹，默认 data/。退出码：0 无错误，1 有错误（--strict 时含警告），2 用法错误或路径不存在。
    """
    paths = paths or ["data"]
    files, missing, refused = discover_checked(paths)
    if missing:
        raise click.UsageError("找不到：" + "、".join(missing))
    started = time.perf_counter()
    refused += _project_paths(paths)
    results = evaluate_many(files, jobs)
    from gongkai.site.pagecheck import Tally

    tally = Tally()
    refused += _project_pages(paths, tally)
    if list_claims:
        refused += tally.unbound
    problems = list(
        {(p.file, p.line, p.code, p.message): p for p in refused + [p for r in results for p in r.problems]}.values()
    )
    if verbose:
        click.echo(timings_text(results, time.perf_counter() - started), err=True)
    if fmt == "json":
        click.echo(json_text(problems_json(problems)))
    else:
        if problems:
            click.echo(problems_text(problems))
        else:
            click.echo(f"已核对 {len(files)} 个文件，没有发现问题。")
        if tally.read:
            click.echo(tally.text())
    sys.exit(1 if has_errors(problems, strict) else 0)


def _project_pages(paths, tally) -> list:
    """Checking a project folder or its data/: also its report pages, as the site build would
    (front matter, templates, the figures of the prose), without building the site."""
    from gongkai.engine.paths import project_of
    from gongkai.site.config import site_project
    from gongkai.site.pagecheck import check_pages

    found: list = []
    for raw in paths:
        folder = Path(raw)
        if not folder.is_dir() or folder.is_symlink():
            continue
        root = project_of(folder)
        if folder.resolve() not in (root.resolve(), (root / "data").resolve()):
            continue
        found += check_pages(site_project(root), tally=tally)
    return found


def _project_paths(paths) -> list:
    """Checking a project folder or its data/: also every refused path (a link leaving the
    project, a FIFO or device) under its Markdown folder, data/ and rulesets/, which the site
    build would otherwise copy or read."""
    from gongkai.engine.paths import docs_dir, project_of, project_problems

    found = []
    for raw in paths:
        folder = Path(raw)
        if not folder.is_dir() or folder.is_symlink():
            continue
        project = project_of(folder)
        if folder.resolve() in (project.resolve(), (project / "data").resolve()):
            found += project_problems(project, docs_dir(project))
    return found


@main.command()
@click.argument("path", type=click.Path())
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="输出格式")
def score(path, fmt):
    """计算一份报告的得分：每个指标的得分及计算过程、各级小计、总分和等级。"""
    if not Path(path).is_file():
        raise click.UsageError(f"找不到文件：{path}")
    project = Project.of(path)
    result = evaluate(path, project=project)
    if result.scored is None:
        click.echo(problems_text(result.problems), err=True)
        sys.exit(2)
    kind = project.kinds.of(result.scored)
    if fmt == "json":
        click.echo(kind.score_json(result.scored))
    else:
        click.echo(kind.score_text(result.scored))
        if result.problems:
            click.echo("\n" + problems_text(result.problems))
    sys.exit(1 if has_errors(result.problems) else 0)


@main.command()
def schema():
    """输出数据文件的 JSON Schema，供编辑器补全和校验。"""
    click.echo(json_text(report_schema()))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--out", type=click.Path(), default="site/pdf", show_default=True, help="PDF 输出目录")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="并行进程数（默认为 CPU 核数）")
@click.option("--no-cache", is_flag=True, help="不使用缓存，全部重新生成")
@click.option("--shard", default=None, help="只生成 K/N 分片的 PDF（如 2/4，按部门年度分），用于多台机器并行")
def pdf(paths, out, jobs, no_cache, shard):
    """生成 PDF：每份报告一个，每个部门每个年度一册汇编（封面、目录、书签）。

    在项目根目录（mkdocs.yml 所在处）运行。PATHS 为数据文件或文件夹，只生成这些报告所在的部门年度
    （其中的报告和汇编）；默认全部。
    输入（数据、页面、模板、样式、字体、版本）未变的 PDF 直接取自缓存 .cache/gongkai/pdf/。
    """
    from mkdocs.exceptions import MkDocsException

    from gongkai.pdf.stage import project_pdfs
    from gongkai.site.config import parse_shard

    try:
        parts = parse_shard(shard)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    project = Path.cwd()
    only = None
    if paths:
        files, missing = discover(paths)
        if missing:
            raise click.UsageError("找不到：" + "、".join(missing))
        only = {f.resolve().relative_to(project.resolve()).as_posix() for f in files}
    started = time.perf_counter()
    try:
        catalog, outcomes = project_pdfs(project, Path(out), jobs, only, not no_cache, shard=parts)
    except MkDocsException as exc:  # mkdocs.yml (or an option of the gongkai plugin) is refused by MkDocs
        raise click.UsageError(f"mkdocs.yml 有误：{exc}") from None
    shown = [p for p in catalog.problems if p.severity != "info"]
    if shown:
        click.echo(problems_text(shown), err=True)
    if catalog.failed:
        click.echo("数据有错误，未生成 PDF。", err=True)
        sys.exit(1)
    failed = [o for o in outcomes if o.error]
    for o in failed:  # each names its page: content/…/x.md: PDF 未生成（…pdf）：why
        click.echo(o.message, err=True)
    made = sum(1 for o in outcomes if o.made and not o.error)
    click.echo(
        f"PDF {len(outcomes)} 个（新生成 {made} 个，取自缓存 {len(outcomes) - made - len(failed)} 个，"
        f"失败 {len(failed)} 个），用时 {time.perf_counter() - started:.1f} 秒，输出到 {out}/"
    )
    sys.exit(1 if failed else 0)


@main.command(name="import")
@click.argument("workbook", type=click.Path())
@click.option(
    "--out", "-o", type=click.Path(), required=True, help="写出的 YAML 文件（已存在时不覆盖，除非加 --force）"
)
@click.option("--year", type=click.IntRange(1949, 2200), required=True, help="决算年度")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
def import_(workbook, out, year, force):
    """把按公开版式填写的九张决算表（.xlsx，每张表一个工作表）读成 YAML（原表）。

    读不出的单元格逐一列出工作表和行号；有问题时不写出文件，退出码 1。
    """
    from gongkai.final_accounts.workbook import read_path, yaml_text

    source = Path(workbook)
    if not source.is_file():
        raise click.UsageError(f"找不到文件：{workbook}")
    target = Path(out)
    if target.exists() and not force:
        raise click.UsageError(f"{out} 已存在；要覆盖请加 --force")
    printed, meta, problems = read_path(source, str(source))  # refuses a file over the size limit unread
    if problems:
        click.echo(problems_text(problems), err=True)
        sys.exit(1)
    write_atomic(target, yaml_text(printed, meta, year, source.name).encode("utf-8"))
    click.echo(f"已导入 {len(printed)} 张表到 {out}；请运行 gongkai check {out} 核对。")


@main.command()
@click.argument("path", type=click.Path())
@click.option(
    "--out", "-o", type=click.Path(), required=True, help="写出的 .xlsx 文件（已存在时不覆盖，除非加 --force）"
)
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
def export(path, out, force):
    """把一份部门决算（数据或原表）导出为按公开版式排好的九张表（.xlsx），也可作为填写模板。"""
    if not Path(path).is_file():
        raise click.UsageError(f"找不到文件：{path}")
    target = Path(out)
    if target.exists() and not force:
        raise click.UsageError(f"{out} 已存在；要覆盖请加 --force")
    project = Project.of(path)
    result = evaluate(path, project=project)
    workbook = project.kinds.of(result.scored).downloads(result.scored, ("xlsx",)) if result.scored is not None else {}
    if "xlsx" not in workbook:  # only a kind with tables (部门决算) has a workbook
        click.echo(problems_text(result.problems) if result.problems else f"{path} 不是部门决算", err=True)
        sys.exit(1)
    write_atomic(target, workbook["xlsx"])
    click.echo(f"已导出 {len(result.scored.tables)} 张表到 {out}")


@main.command()
@click.option("--site-dir", type=click.Path(), default="site", show_default=True, help="网站输出目录")
@click.option("--shard", default=None, help="只生成 K/N 分片的 PDF（如 2/4），用于多台机器并行")
@click.option("--no-pdf", is_flag=True, help="不生成 PDF")
def build(site_dir, shard, no_pdf):
    """生成网站和 PDF（在 mkdocs.yml 所在目录运行）。

    先生成到临时目录，成功后才替换原有的网站目录：出错、磁盘满或中断时，原来的网站保持不变。
    """
    from gongkai.site.config import parse_shard
    from gongkai.site.plugin import BuildFailed, build_site

    try:
        parts = parse_shard(shard)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if not Path("mkdocs.yml").is_file():
        raise click.UsageError("当前目录没有 mkdocs.yml；请在项目根目录运行")
    started = time.perf_counter()
    try:
        build_site(Path.cwd(), Path(site_dir), pdfs=not no_pdf, shard=parts)
    except BuildFailed as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"网站已生成到 {site_dir}/（{time.perf_counter() - started:.1f} 秒）")


# The commands kept in their own modules import `main` from here, so they come after it.
from gongkai.cli.authoring import cite as cite_command  # noqa: E402
from gongkai.cli.authoring import fmt as fmt_command  # noqa: E402
from gongkai.cli.authoring import new as new_command  # noqa: E402
from gongkai.cli.review import diff as diff_command  # noqa: E402
from gongkai.cli.setup import doctor as doctor_command  # noqa: E402
from gongkai.cli.setup import init as init_command  # noqa: E402

main.add_command(diff_command)
main.add_command(fmt_command)
main.add_command(cite_command)
main.add_command(new_command)
main.add_command(doctor_command)
main.add_command(init_command)
