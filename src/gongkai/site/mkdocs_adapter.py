"""The only module that knows MkDocs: it connects MkDocs' build events to the engine.

``hooks/gongkai_hooks.py`` forwards each event here. One :class:`SiteBuild` lives for
one build (MkDocs reloads hooks for every build, also under ``mkdocs serve``)."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from markupsafe import escape
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.utils import CountHandler

from gongkai.site import catalog as catalog_module
from gongkai.site.catalog import Catalog, relative_url
from gongkai.pdf.printhtml import PrintRenderer
from gongkai.pdf.stage import PDF_CACHE, PDF_FOLDER, build_pdfs, parse_shard, report_pdf
from gongkai.engine.problems import ERROR, INFO, WARNING
from gongkai.render.environment import PACKAGE_TEMPLATES, html_environment, markdown_environment
from gongkai.render.page import Compiled, PageError, Stash, page_problem, render
from gongkai.render.report_view import Links
from gongkai.render.views import view_for
from gongkai.render import rawhtml
from gongkai.site.pages import STYLESHEET, SitePages, download_names, page_url, safe_title
from gongkai.engine.paths import project_problems, safe_file
from gongkai.site.search_terms import PROJECT_FILE as SEARCH_TERMS_FILE, load_search_terms

log = logging.getLogger("mkdocs.plugins.gongkai")

TEMPLATE_KEY = "使用模板"
PDF_SWITCH = "GONGKAI_PDF"  # "1": make PDFs; "0": do not. Default: yes for build, no for serve.
SHARD = "GONGKAI_SHARD"  # "K/N": make only shard K of N of the PDFs (gongkai build --shard)


def pdfs_wanted() -> bool:
    return os.environ.get(PDF_SWITCH, "1") != "0"


_preview = False  # set by on_startup for the whole MkDocs process: True under ``mkdocs serve``


def on_startup(command: str) -> None:
    """``mkdocs serve`` does not make PDFs unless GONGKAI_PDF=1 is set, and it is a preview:
    a warning does not stop its rebuild (see :func:`_log_problems`) but is shown on the page
    (:meth:`SiteBuild.serve_banner`). Every other command (``build``, ``gh-deploy``,
    ``gongkai build``) keeps strict mode's failure on warnings."""
    global _preview
    _preview = command == "serve"
    os.environ.setdefault(PDF_SWITCH, "0" if command == "serve" else "1")


def _count_only_errors() -> None:
    """Under ``mkdocs serve``, strict mode's counter (put on the "mkdocs" logger before
    on_config) counts only errors, so MkDocs' own warnings (a broken link, a page missing
    from nav) never stop the preview's rebuild and leave the browser waiting; they are still
    printed, and ``mkdocs build --strict`` still fails on them."""
    for handler in logging.getLogger("mkdocs").handlers:
        if isinstance(handler, CountHandler):
            handler.addFilter(lambda record: record.levelno >= logging.ERROR)


class SiteBuild:
    """State of one build: the catalog, the template environments and each page's stash."""

    def __init__(self, config):
        if _preview:
            _count_only_errors()
        self.project = Path(config.config_file_path).resolve().parent
        self.docs = Path(config.docs_dir).resolve()
        self.data = self.project / "data"
        self.html_env = html_environment(self.project)
        self.markdown_env = markdown_environment(self.html_env)
        self.compiled = Compiled(self.markdown_env)
        self.catalog = Catalog()
        self.entries: dict = {}
        self.stashes: dict = {}
        config.extra_css.append(STYLESHEET)
        self.refused: list = []  # paths refused before MkDocs collects files (on_pre_build)
        terms = self.project / SEARCH_TERMS_FILE
        if os.path.lexists(terms) and (found := safe_file(self.project, terms)) is not None:
            self.refused.append(found)
            load_search_terms(None)
        else:
            load_search_terms(self.project)

    # ---- paths: nothing outside the project is read or copied ---------------------------
    def on_pre_build(self, config) -> None:
        """Before MkDocs collects files: MkDocs walks the docs folder following every link
        (``os.walk(followlinks=True)``) and copies what it finds, so a link to /etc/passwd,
        /dev/zero or / must stop the build here. The docs folder, data/ and rulesets/ are
        walked without following links out of the project; every refused path is a located
        error and the build fails."""
        problems = self.refused + project_problems(self.project, self.docs)
        if problems:
            _log_problems(problems)
            raise PluginError(f"{len(problems)} 个文件指向项目之外或不是普通文件，未生成网站；请删除或改为项目内的普通文件（gongkai check 也会列出）。")

    def _drop_refused(self, files: Files, config) -> None:
        """Second line of defence: no file of the docs folder that resolves outside the
        project (or is not a regular file) reaches the site, whatever collected it."""
        docs = os.path.abspath(config.docs_dir)
        refused = []
        for file in list(files):
            source = file.abs_src_path
            if not source or not (os.path.abspath(source) + os.sep).startswith(docs.rstrip(os.sep) + os.sep):
                continue  # generated, or from the theme
            found = safe_file(self.project, Path(source))
            if found is not None:
                files.remove(file)
                refused.append(found)
        if refused:
            _log_problems(refused)
            raise PluginError(f"{len(refused)} 个文件指向项目之外或不是普通文件，未生成网站。")

    # ---- files and navigation -------------------------------------------------------
    def on_files(self, files: Files, config) -> Files:
        self._drop_refused(files, config)
        self.catalog = catalog_module.build(self.project, self.docs, self.data)
        self.entries = self.catalog.by_page()  # looked up for every page
        _log_problems(self.catalog.problems)
        if self.catalog.failed:
            raise PluginError("数据有错误，未生成网站；请先运行 gongkai check 修正上面列出的问题。")
        pages = SitePages(self.catalog, self.html_env, self.markdown_env)
        for generated in pages.all(self.project):
            if files.get_file_from_path(generated.src_uri) is None:
                files.append(File.generated(config, generated.src_uri, content=generated.content))
        css = (PACKAGE_TEMPLATES / "gongkai.css").read_text(encoding="utf-8")
        files.append(File.generated(config, STYLESHEET, content=css))
        if config.nav is not None:
            config.nav = config.nav[:1] + pages.nav() + config.nav[1:]
        return files

    # ---- pages --------------------------------------------------------------------
    def on_page_markdown(self, markdown: str, page, config, files) -> str:
        entry = self.entries.get(page.file.src_uri)
        uses_templates = bool(page.meta.get(TEMPLATE_KEY))
        if entry is None and not uses_templates:
            return markdown
        stash = Stash()
        self.stashes[page.file.src_uri] = stash
        display = _display(page, self.project)
        if entry is not None:
            links = Links(**download_names(entry))
            if pdfs_wanted():
                links.pdf = relative_url(entry.url, f"{PDF_FOLDER}/{report_pdf(entry)}").rstrip("/")
            view = view_for(entry.scored, self.html_env, stash, links, self.catalog.charts)
            context = view.context()
        else:
            context = self.site_context(page)
        try:
            text = render(self.compiled, markdown, context, display)
        except PageError as error:
            problem = page_problem(display, error, _body_line(page))
            log.error(problem.human())
            raise PluginError(f"页面模板错误：{display}") from None
        if entry is not None and "下载链接(" not in markdown and "概要(" not in markdown:
            text += "\n\n" + str(context["下载链接"]()) + "\n"
        return text

    def site_context(self, page) -> dict:
        """What a non-report page with ``使用模板: true`` can use: the catalog."""
        here = page_url(page.file.src_uri)
        pages = SitePages(self.catalog, self.html_env, self.markdown_env)
        entries = sorted(self.catalog.entries, key=lambda e: (-e.report.year, e.report.department, e.page.src_uri))
        stash = self.stashes[page.file.src_uri]
        return {
            "报告数": len(self.catalog.entries),
            "部门数": len(self.catalog.departments()),
            "年度": self.catalog.years(),
            "报告列表": lambda 年度=None: stash.put(
                pages.table([e for e in entries if 年度 is None or e.report.year == 年度], here, ("year", "department", "name", "total", "grade"))
            ),
            "链接": lambda url: catalog_module.relative_url(here, url),
        }

    def on_page_content(self, html: str, page, config, files) -> str:
        """Search indexes this HTML: it gets each block's words; the blocks come at on_post_page.
        Titles may come from data (a report's name): they never carry markup."""
        if page.title:
            page.title = safe_title(page.title)
        if not page.file.generated_by:  # a contributor's page: its raw HTML is cleaned (rawhtml)
            html, problems = rawhtml.clean_page(html, _display(page, self.project), rawhtml.page_folder(page.url), page.file.abs_src_path)
            _log_problems(problems)
        stash = self.stashes.get(page.file.src_uri)
        return stash.search_view(html) if stash else html

    def on_post_page(self, output: str, page, config) -> str:
        output = _with_banner(output, self.serve_banner(page))
        stash = self.stashes.pop(page.file.src_uri, None)
        return stash.fill(output) if stash else output

    # ---- preview banner (mkdocs serve) ------------------------------------------------
    def serve_banner(self, page) -> str:
        """Under ``mkdocs serve`` only: the data warnings a strict build would fail on, as a
        box at the top of the page. A report page lists its own data file's and page's
        warnings, the home page all of them. Empty when there are none, and in every build."""
        if not _preview:
            return ""
        warnings = [p for p in self.catalog.problems if p.severity == WARNING]
        if not page.is_homepage:
            entry = self.entries.get(page.file.src_uri)
            own = {_display(page, self.project), *([entry.page.data] if entry is not None else [])}
            warnings = [p for p in warnings if p.file in own]
        if not warnings:
            return ""
        items = "".join(f"<li>{escape(p.human())}</li>" for p in warnings[:BANNER_LIMIT])
        if len(warnings) > BANNER_LIMIT:
            items += f"<li>另有 {len(warnings) - BANNER_LIMIT} 个警告，见终端输出或运行 gongkai check --strict。</li>"
        return (
            '<div class="admonition warning gk-preview-warnings">'
            f'<p class="admonition-title">{BANNER_TITLE}</p><ul>{items}</ul></div>'
        )

    # ---- PDFs ---------------------------------------------------------------------
    def on_post_build(self, config) -> None:
        if not pdfs_wanted() or not self.catalog.entries:
            return
        renderer = PrintRenderer.for_catalog(self.project, self.docs, self.catalog, self.html_env, self.markdown_env)
        site = Path(config.site_dir).resolve()
        shard = parse_shard(os.environ.get(SHARD))
        outcomes = build_pdfs(self.catalog, renderer, site, site / PDF_FOLDER, self.project / PDF_CACHE, shard=shard)
        failed = [o for o in outcomes if o.error]
        made = sum(1 for o in outcomes if o.made and not o.error)
        log.info(f"PDF：{len(outcomes)} 个，新生成 {made} 个，取自缓存 {len(outcomes) - made - len(failed)} 个，失败 {len(failed)} 个")
        for outcome in failed:  # each names its page: content/…/x.md: PDF 未生成（…pdf）：why
            log.error(outcome.message)
        if failed:
            raise PluginError(f"{len(failed)} 个 PDF 未能生成（见上）；其余 {len(outcomes) - len(failed)} 个已生成")

    # ---- serve --------------------------------------------------------------------
    def on_serve(self, server, config, builder):
        for folder in (self.data, self.project / "templates", self.project / "rulesets"):
            if folder.is_dir() and not folder.is_symlink():
                server.watch(str(folder))
        _watch_without_following_links(server)
        return server


def _watch_without_following_links(server) -> None:
    """MkDocs' watcher polls with ``os.stat`` and walks into every linked folder, so a link
    to / (or a link loop) under a watched folder would have it walk the whole disk (or
    recurse without end) on every poll. Before it starts, swap it for the same polling
    watcher that uses ``os.lstat``: links are seen as links and never followed."""
    try:
        from watchdog.observers.polling import PollingObserverVFS

        old = server.observer
        if old.is_alive():
            return
        watched = dict(server._watched_paths)
        server.observer = PollingObserverVFS(os.lstat, os.scandir, polling_interval=getattr(old, "timeout", 0.5))
        for path, watch in list(server._watch_refs.items()):
            old.unschedule(watch)
        server._watched_paths.clear()
        server._watch_refs.clear()
        for path, count in watched.items():
            for _ in range(count):
                server.watch(path)
    except (ImportError, AttributeError) as exc:  # another MkDocs or watchdog: keep its watcher
        log.warning(f"无法改用不跟随符号链接的文件监视（{exc}）")


def _display(page, project: Path) -> str:
    path = Path(page.file.abs_src_path) if page.file.abs_src_path else None
    if path is not None and path.is_relative_to(project):
        return path.relative_to(project).as_posix()
    return page.file.src_uri


def _body_line(page) -> int:
    """Line of the page file where the Markdown body starts (after the front matter)."""
    if not page.file.abs_src_path:
        return 1
    text = Path(page.file.abs_src_path).read_text(encoding="utf-8-sig")
    _, line, _ = catalog_module.front_matter(text, page.file.src_uri)
    match = catalog_module.FRONT_MATTER.match(text)
    if match:  # MkDocs drops the blank lines between the front matter and the body
        rest = text[match.end() :]
        line += rest.count("\n", 0, len(rest) - len(rest.lstrip("\n")))
    return line


BANNER_TITLE = "预览提示：以下警告在正式构建（--strict）中会使构建失败："
BANNER_LIMIT = 50
_BANNER_PLACES = (re.compile(r"<article\b[^>]*>"), re.compile(r"<body\b[^>]*>"))
# Strict mode counts records of level WARNING and above on the "mkdocs" loggers
# (mkdocs.commands.build adds a utils.CountHandler at WARNING). A preview warning is logged
# just below that level, still labelled WARNING on the console, so serve's rebuild finishes.
PREVIEW_WARNING = logging.WARNING - 1


def _with_banner(output: str, banner: str) -> str:
    """The page with ``banner`` at the top of its content (inside <article>, else <body>)."""
    if not banner:
        return output
    for place in _BANNER_PLACES:
        if match := place.search(output):
            return output[: match.end()] + banner + output[match.end() :]
    return banner + output


def _log_problems(problems: list) -> None:
    """Log each problem (its human() line, cleaned for the terminal). Under ``mkdocs serve``
    a warning is logged below the level strict mode counts, so the preview keeps rebuilding
    and shows it (serve_banner); a build still fails on it in strict mode. Errors always fail."""
    previewed = 0
    for p in problems:
        if p.severity == ERROR:
            log.error(p.human())
        elif p.severity == WARNING and _preview:
            previewed += _preview_warning(p.human())
        elif p.severity == WARNING:
            log.warning(p.human())
        elif p.severity == INFO:
            log.info(p.human())
    if previewed:
        log.info(f"预览：以上 {previewed} 个警告不中断 mkdocs serve，并显示在页面顶部；mkdocs build --strict 和 gongkai build 会因此失败。")


def _preview_warning(message: str) -> int:
    if not log.isEnabledFor(PREVIEW_WARNING):
        return 0
    record = log.makeRecord(log.name, PREVIEW_WARNING, __file__, 0, message, None, None)
    record.levelname = logging.getLevelName(logging.WARNING)  # shown (and coloured) as a warning
    log.handle(record)
    return 1


def build_site(project: Path, site_dir: Path, pdfs: bool = True, shard: tuple | None = None, strict: bool = True) -> None:
    """``gongkai build``: build into a new folder beside ``site_dir`` and swap it in only when
    the build succeeded, so an error, a full disk or an interruption leaves the previous site
    intact. Raises BuildFailed with a Chinese message."""
    import shutil
    import tempfile

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    mkdocs_log = logging.getLogger("mkdocs")
    if not mkdocs_log.handlers:  # the mkdocs command sets this up; here we do
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        mkdocs_log.addHandler(handler)
        mkdocs_log.setLevel(logging.WARNING)
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.new-", dir=site_dir.parent))
    previous = {k: os.environ.get(k) for k in (PDF_SWITCH, SHARD)}
    os.environ[PDF_SWITCH] = "1" if pdfs else "0"
    os.environ[SHARD] = f"{shard[0]}/{shard[1]}" if shard else ""
    try:
        config = load_config(str(project / "mkdocs.yml"), site_dir=str(staging), strict=strict)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except (MkDocsException, OSError, KeyboardInterrupt) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildFailed(f"网站未生成（{type(exc).__name__}：{exc}）；原有的 {site_dir.name}/ 保持不变") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    retired = site_dir.with_name(f".{site_dir.name}.old-{os.getpid()}")
    if site_dir.exists():
        os.replace(site_dir, retired)
    os.replace(staging, site_dir)
    shutil.rmtree(retired, ignore_errors=True)


class BuildFailed(Exception):
    """The site could not be built; the message says why, in Chinese."""
