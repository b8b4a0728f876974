"""The MkDocs plugin: the only module that connects MkDocs' build events to the engine.

Any site enables it with ``plugins: - gongkai`` (the ``gongkai`` entry point of
``mkdocs.plugins``); its options are in :mod:`gongkai.site.config`. ``hooks/gongkai_hooks.py``
is a thin shim for sites that list it under ``hooks:``: it forwards every event to a plugin
instance of its own.

The plugin instance holds the state of one build (:class:`SiteBuild`: the project, the catalog,
the template environments and each page's stash), made afresh in ``on_config``. MkDocs keeps a
plugin that has ``on_startup`` for the whole ``mkdocs serve`` process, so every rebuild loads the
project again: an edited ruleset, template or search-terms file is seen without a restart."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from markupsafe import escape
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import CountHandler

from gongkai.engine.paths import display_name, project_problems, safe_file
from gongkai.engine.problems import ERROR, FINDING, INFO, WARNING, has_errors, terminal_text
from gongkai.engine.project import Project
from gongkai.pdf.printhtml import PrintRenderer
from gongkai.pdf.stage import PDF_FOLDER, build_pdfs, volume_pdf
from gongkai.render import rawhtml
from gongkai.render.environment import PACKAGE_TEMPLATES, html_environment, markdown_environment
from gongkai.render.page import Compiled, PageError, Stash, page_problem, render
from gongkai.site import catalog as catalog_module
from gongkai.site import chinese, frontmatter, published, reportcache
from gongkai.site.catalog import Catalog
from gongkai.site.config import PDF_SWITCH, GongkaiConfig, GongkaiSettings, find_plugin, markdown_settings
from gongkai.site.pages import STYLESHEET, SitePages, page_url, safe_title
from gongkai.site.prerender import Fill, Filled, fill_page
from gongkai.site.search_terms import SearchTerms

log = logging.getLogger("mkdocs.plugins.gongkai")
REPORTS_CACHE = "reports"  # beside the PDF cache folder

TEMPLATE_KEY = frontmatter.TEMPLATE_KEY

__all__ = ["PDF_SWITCH", "BuildFailed", "GongkaiConfig", "GongkaiPlugin", "SiteBuild", "build_site"]


class GongkaiPlugin(GongkaiSettings):
    """``plugins: - gongkai``. Under ``mkdocs serve`` (a preview) no PDFs are made unless asked
    for, and a data warning does not stop the rebuild: it is shown at the top of the page."""

    def __init__(self):
        super().__init__()
        self.command: str | None = None  # the MkDocs command (on_startup): build, serve, gh-deploy
        self.site: SiteBuild | None = None  # the state of the build in progress
        self.search = SearchTerms()  # what this process has loaded into jieba
        self.shim = False  # True for the instance of hooks/gongkai_hooks.py

    @classmethod
    def for_hooks(cls) -> GongkaiPlugin:
        """The instance behind ``hooks/gongkai_hooks.py``: default options (a hooks entry has
        none), reset after every command (``gongkai build`` sets its own for one build)."""
        plugin = cls()
        plugin.shim = True
        plugin.load_config({})
        return plugin

    @property
    def preview(self) -> bool:
        return self.command == "serve"

    # ---- events ---------------------------------------------------------------------
    def on_startup(self, *, command: str, dirty: bool) -> None:
        """``serve`` is a preview: a warning does not stop its rebuild (see :func:`log_problems`)
        but is shown on the page; every other command (``build``, ``gh-deploy``, ``gongkai
        build``) keeps strict mode's failure on warnings."""
        self.command = command
        clean_terminal_output()

    def on_shutdown(self) -> None:
        """The command is over: MkDocs may reuse this instance for another one in the same process."""
        self.site = None
        self.command = None
        self.search.forget()
        stop_cleaning_terminal_output()
        if self.shim:  # the shim's options are its defaults again (gongkai build set its own for one build)
            self.load_config({})

    @event_priority(50)  # before the search plugin's on_config, which fills in its separator
    def on_config(self, config):
        self.site = None
        clean_terminal_output()  # again: strict mode's counter joins the "mkdocs" logger at each build
        if self.shim and _listed_plugin(config, self) is not None:
            log.info("mkdocs.yml 同时启用了 gongkai 插件和 hooks/gongkai_hooks.py：由插件处理，hooks 不再重复处理")
            return config
        if self.preview:
            _count_only_errors()
        project = self.load_project(config, self.command)
        self.search.use(project.search_terms)
        self.search.remember()
        self.site = SiteBuild(config, project, self.preview, reports=self.config.reports)
        chinese.use_theme(config)
        chinese.use_anchors(config)
        chinese.use_separator(config)
        # gongkai's styles first: the site's own extra_css comes after them and wins
        config.extra_css[:0] = [css for css in (chinese.THEME_CSS, STYLESHEET) if css not in config.extra_css]
        return config

    def on_pre_build(self, *, config) -> None:
        if self.site is not None:
            self.site.on_pre_build(config)

    def on_files(self, files: Files, *, config) -> Files:
        return self.site.on_files(files, config) if self.site is not None else files

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        return self.site.on_page_markdown(markdown, page, config, files) if self.site is not None else markdown

    def on_page_content(self, html: str, *, page, config, files) -> str:
        return self.site.on_page_content(html, page, config, files) if self.site is not None else html

    def on_post_page(self, output: str, *, page, config) -> str:
        if self.site is None:
            return output
        return chinese.with_search_worker(self.site.on_post_page(output, page, config))

    def on_post_template(self, output: str, *, template_name: str, config) -> str:
        """The theme's own pages (404.html) use gongkai's search worker too."""
        if self.site is None or not template_name.endswith(".html"):
            return output
        return chinese.with_search_worker(output)

    def on_post_build(self, *, config) -> None:
        if self.site is not None:
            self.site.on_post_build(config)

    def on_build_error(self, *, error) -> None:
        self.search.forget()
        self.site = None

    def on_serve(self, server, *, config, builder):
        return self.site.on_serve(server, config, builder) if self.site is not None else server

    def log_problems(self, problems: list) -> None:
        log_problems(problems, self.preview)


def _listed_plugin(config, shim: GongkaiPlugin) -> GongkaiSettings | None:
    """The gongkai plugin of ``plugins:`` when the shim is not the one found."""
    found = find_plugin(config)
    return found if found is not None and found is not shim else None


def _count_only_errors() -> None:
    """Under ``mkdocs serve``, strict mode's counter (put on the "mkdocs" logger before
    on_config) counts only errors, so MkDocs' own warnings (a broken link, a page missing
    from nav) never stop the preview's rebuild and leave the browser waiting; they are still
    printed, and ``mkdocs build --strict`` still fails on them."""
    for handler in _engine_handlers():
        if isinstance(handler, CountHandler) and not getattr(handler, "_gongkai_preview", False):
            handler.addFilter(lambda record: record.levelno >= logging.ERROR)
            handler._gongkai_preview = True  # type: ignore[attr-defined]


class TerminalFilter(logging.Filter):
    """MkDocs' own log lines name contributors' files and link targets as they are (a file
    name or a percent-decoded link may hold ESC, BEL or a line break): every record that
    reaches a handler of the "mkdocs" logger is made safe to print once, with
    :func:`~gongkai.engine.problems.terminal_text` (control characters become visible escapes).
    A line break is kept only where MkDocs lists items (a line break before ``  - name``); any other becomes
    "⏎", so no text of a contributor starts a line of its own (in CI, a line beginning with
    ``::`` is a command to the runner)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_gongkai_clean", False):
            return True
        try:
            message = record.getMessage()
        except Exception:
            message = f"{record.msg} {record.args}"
        record.msg, record.args = terminal_lines(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = "\n".join(
                terminal_text(line) for line in logging.Formatter().formatException(record.exc_info).split("\n")
            )
        if record.stack_info:
            record.stack_info = "\n".join(terminal_text(line) for line in record.stack_info.split("\n"))
        record._gongkai_clean = True
        return True


TERMINAL_FILTER = TerminalFilter()
_LIST_ITEM = re.compile(r"\n(?=[ \t]+- )")


def terminal_lines(text: str) -> str:
    """``text`` safe to print: MkDocs' list lines kept, every other line break and control shown as text."""
    return "\n".join(terminal_text(part) for part in _LIST_ITEM.split(str(text)))


def _engine_loggers() -> list:
    """The loggers the engine's messages go to: "mkdocs", and under ProperDocs (whose command
    makes ``mkdocs`` an alias of its own package) also "properdocs", which holds the console
    and strict mode's counter; "mkdocs" is its child there."""
    import mkdocs

    names = dict.fromkeys(["mkdocs", mkdocs.__name__])
    return [logging.getLogger(name) for name in names]


def _engine_handlers() -> list:
    return [handler for logger in _engine_loggers() for handler in logger.handlers]


def clean_terminal_output() -> None:
    """Put :data:`TERMINAL_FILTER` on the engine's loggers and each of their handlers (the
    console, strict mode's counter), once each. The command's ``on_shutdown`` takes it off."""
    for logger in _engine_loggers():
        logger.addFilter(TERMINAL_FILTER)  # addFilter adds a filter once
    for handler in _engine_handlers():
        handler.addFilter(TERMINAL_FILTER)


def stop_cleaning_terminal_output() -> None:
    for logger in _engine_loggers():
        logger.removeFilter(TERMINAL_FILTER)
    for handler in _engine_handlers():
        handler.removeFilter(TERMINAL_FILTER)


class SiteBuild:
    """State of one build: the project, the catalog, the template environments and each page's stash."""

    def __init__(self, config, project: Project, preview: bool = False, reports: bool = True):
        self.project = project
        self.preview = preview
        self.reports = reports  # False: a site without reports (the user guide); nothing is generated
        self.root = project.root
        self.docs = Path(config.docs_dir).resolve()
        self.data = project.data
        self.markdown = markdown_settings(config)
        self.html_env = html_environment(self.root)
        self.markdown_env = markdown_environment(self.html_env)
        self.compiled = Compiled(self.markdown_env)
        self.catalog = Catalog()
        self.entries: dict = {}
        self.stashes: dict = {}
        self.refused: list = list(project.problems)  # paths refused before MkDocs collects files (on_pre_build)

    # ---- paths: nothing outside the project is read or copied ---------------------------
    def on_pre_build(self, config) -> None:
        """Before MkDocs collects files: MkDocs walks the docs folder following every link
        (``os.walk(followlinks=True)``) and copies what it finds, so a link to /etc/passwd,
        /dev/zero or / must stop the build here. The docs folder, data/ and rulesets/ are
        walked without following links out of the project; every refused path is a located
        error and the build fails."""
        problems = self.refused + project_problems(self.root, self.docs)
        if problems:
            log_problems(problems, self.preview)
            raise PluginError(
                f"{len(problems)} 个文件指向项目之外或不是普通文件，未生成网站；"
                "请删除或改为项目内的普通文件（gongkai check 也会列出）。"
            )

    def _drop_refused(self, files: Files, config) -> None:
        """Second line of defence: no file of the docs folder that resolves outside the
        project (or is not a regular file) reaches the site, whatever collected it."""
        docs = os.path.abspath(config.docs_dir)
        refused = []
        for file in list(files):
            source = file.abs_src_path
            if not source or not (os.path.abspath(source) + os.sep).startswith(docs.rstrip(os.sep) + os.sep):
                continue  # generated, or from the theme
            found = safe_file(self.root, Path(source))
            if found is not None:
                files.remove(file)
                refused.append(found)
        if refused:
            log_problems(refused, self.preview)
            raise PluginError(f"{len(refused)} 个文件指向项目之外或不是普通文件，未生成网站。")

    # ---- files and navigation -------------------------------------------------------
    def on_files(self, files: Files, config) -> Files:
        """Before MkDocs reads a page or copies a file: the docs folder publishes only pages and
        static files of the allowed types, none at an address of the theme or of gongkai
        (:mod:`gongkai.site.published`); every page's front matter is read with gongkai's loader
        and holds only the documented keys (the catalog, :mod:`gongkai.site.frontmatter`).
        Then the generated pages and downloads are added: none may share an address with a
        file of the docs folder. Every refusal is a located error and the build fails."""
        self._drop_refused(files, config)
        sources = self._docs_sources(files, config)
        refused = self._refuse_files(files, sources, config)
        if not self.reports:
            log_problems(refused, self.preview)
            if has_errors(refused):
                raise PluginError(f"{len(refused)} 个文件不能发布到网站（见上），未生成网站；请删除或改用允许的格式。")
            return files
        fill = Fill.of(self.project, reports_cache(self.project), self.markdown, config.site_url)
        self.catalog = catalog_module.build(self.project, fill=fill)
        self.entries = self.catalog.by_page()  # looked up for every page
        log_problems(self.catalog.problems + refused, self.preview)
        if self.catalog.failed:
            raise PluginError("数据有错误，未生成网站；请先运行 gongkai check 修正上面列出的问题。")
        pages = self.pages()
        css = (PACKAGE_TEMPLATES / "gongkai.css").read_text(encoding="utf-8")
        made = [File.generated(config, g.src_uri, content=g.content) for g in pages.all(self.root)]
        made.append(File.generated(config, STYLESHEET, content=css))
        kept = [s for s in sources.values() if s.src_uri in files.src_uris]
        clashes = published.collisions(kept, [(f.src_uri, f.dest_uri) for f in made])
        log_problems(clashes, self.preview)
        if has_errors(refused + clashes):
            raise PluginError(
                f"{len(refused) + len(clashes)} 个文件不能发布到网站（见上），未生成网站；"
                "请删除、改名或改用允许的格式。"
            )
        for file in made:
            files.append(file)
        if config.nav is not None:
            config.nav = config.nav[:1] + pages.nav() + config.nav[1:]
        return files

    def pages(self) -> SitePages:
        """The generated pages; with PDFs, the department and year pages link to the 汇编 PDFs."""
        volume = (lambda entry: f"{PDF_FOLDER}/{volume_pdf(entry)}") if self.project.settings.pdf else None
        return SitePages(self.catalog, self.html_env, self.markdown_env, volume)

    def _docs_sources(self, files: Files, config) -> dict:
        """The files MkDocs collected from the docs folder and will publish, by src_uri."""
        docs = os.path.abspath(config.docs_dir).rstrip(os.sep) + os.sep
        found = {}
        for file in files:
            source = file.abs_src_path
            if file.generated_by or not source or not os.path.abspath(source).startswith(docs):
                continue  # generated, or from the theme
            if file.inclusion == InclusionLevel.EXCLUDED:
                continue  # exclude_docs (dot files, templates/): never copied, not even by serve
            found[file.src_uri] = published.Source(
                file.src_uri, file.dest_uri, display_name(self.root, source), file.is_documentation_page()
            )
        return found

    def _refuse_files(self, files: Files, sources: dict, config) -> list:
        """``SITE_FILE`` errors for the docs folder's files of a type that is not published,
        or at an address of the theme; each such file is taken out of ``files``."""
        problems = []
        for src_uri, source in sources.items():
            reserved = published.RESERVED_FOLDERS if self.reports else published.THEME_FOLDERS
            found = published.refused_type(source) or published.refused_place(source, config.theme.dirs, reserved)
            if found is not None:
                problems.append(found)
                file = files.get_file_from_path(src_uri)
                if file is not None:
                    files.remove(file)
        return problems

    # ---- pages --------------------------------------------------------------------
    def on_page_markdown(self, markdown: str, page, config, files) -> str:
        page.meta = published_meta(page.meta)  # before the theme sees any of it
        entry = self.entries.get(page.file.src_uri)
        uses_templates = bool(page.meta.get(TEMPLATE_KEY))
        if entry is None and not uses_templates:
            return markdown
        display = _display(page, self.root)
        filled = entry.filled if entry is not None else None
        if isinstance(filled, Filled) and filled.body == markdown:  # filled in a worker (site.prerender)
            self.stashes[page.file.src_uri] = filled.stash
            log_problems(filled.problems, self.preview)
            return filled.text
        try:
            if entry is not None:
                filled = fill_page(
                    entry, markdown, display, _body_line(page), self.project, self.compiled, self.html_env,
                    self.catalog.charts, bool(self.project.settings.pdf),
                )
                self.stashes[page.file.src_uri] = filled.stash
                log_problems(filled.problems, self.preview)
                return filled.text
            stash = Stash()
            self.stashes[page.file.src_uri] = stash
            return render(self.compiled, markdown, self.site_context(page), display)
        except PageError as error:
            problem = page_problem(display, error, _body_line(page))
            log.error(problem.human())
            raise PluginError(terminal_text(f"页面模板错误：{display}")) from None

    def site_context(self, page) -> dict:
        """What a non-report page with ``使用模板: true`` can use: the catalog."""
        here = page_url(page.file.src_uri)
        pages = self.pages()
        entries = sorted(self.catalog.entries, key=lambda e: (-e.report.year, e.report.department, e.page.src_uri))
        stash = self.stashes[page.file.src_uri]
        return {
            "报告数": len(self.catalog.entries),
            "部门数": len(self.catalog.departments()),
            "年度": self.catalog.years(),
            "报告列表": lambda 年度=None: stash.put(
                pages.table(
                    [e for e in entries if 年度 is None or e.report.year == 年度],
                    here,
                    ("year", "department", "name", "total", "grade"),
                )
            ),
            "链接": lambda url: catalog_module.relative_url(here, url),
        }

    def on_page_content(self, html: str, page, config, files) -> str:
        """Search indexes this HTML: it gets each block's words; the blocks come at on_post_page.
        Titles may come from data (a report's name): they never carry markup."""
        if page.title:
            page.title = safe_title(page.title)
        if not page.file.generated_by:  # a contributor's page: its raw HTML is cleaned (rawhtml)
            html, problems = rawhtml.clean_page(
                html, _display(page, self.root), rawhtml.page_folder(page.url), page.file.abs_src_path
            )
            log_problems(problems, self.preview)
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
        if not self.preview:
            return ""
        warnings = [p for p in self.catalog.problems if p.severity == WARNING]
        if not page.is_homepage:
            entry = self.entries.get(page.file.src_uri)
            own = {_display(page, self.root), *([entry.page.data] if entry is not None else [])}
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
        settings = self.project.settings
        if not settings.pdf or not self.catalog.entries:
            return
        renderer = PrintRenderer.for_catalog(
            self.project, self.catalog, self.html_env, self.markdown_env, self.markdown, config.site_url
        )
        site = Path(config.site_dir).resolve()
        cache = settings.pdf_cache_dir if settings.pdf_cache_dir is not None else None
        outcomes = build_pdfs(self.catalog, renderer, site, site / PDF_FOLDER, cache, shard=settings.shard)
        failed = [o for o in outcomes if o.error]
        made = sum(1 for o in outcomes if o.made and not o.error)
        log.info(
            f"PDF：{len(outcomes)} 个，新生成 {made} 个，"
            f"取自缓存 {len(outcomes) - made - len(failed)} 个，失败 {len(failed)} 个"
        )
        for outcome in failed:  # each names its page: content/…/x.md: PDF 未生成（…pdf）：why
            log.error(outcome.message)
        if failed:
            raise PluginError(f"{len(failed)} 个 PDF 未能生成（见上）；其余 {len(outcomes) - len(failed)} 个已生成")
        folder = reports_cache(self.project)
        if folder is not None and self.catalog.kept and not self.preview:  # a whole build: only its entries stay
            reportcache.prune(folder, self.catalog.kept)

    # ---- serve --------------------------------------------------------------------
    def on_serve(self, server, config, builder):
        for folder in (self.data, self.root / "templates", self.root / "rulesets"):
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
        for _path, watch in list(server._watch_refs.items()):
            old.unschedule(watch)
        server._watched_paths.clear()
        server._watch_refs.clear()
        for path, count in watched.items():
            for _ in range(count):
                server.watch(path)
    except (ImportError, AttributeError) as exc:  # another MkDocs or watchdog: keep its watcher
        log.warning(f"无法改用不跟随符号链接的文件监视（{exc}）")


def reports_cache(project: Project) -> Path | None:
    """The report cache (site.reportcache): ``reports/`` beside the PDF cache (``.cache/gongkai/``)."""
    pdf_cache = project.settings.pdf_cache_dir
    return pdf_cache.parent / REPORTS_CACHE if pdf_cache is not None else None


def published_meta(meta) -> dict:
    """What the theme may see of a page's front matter: the documented keys with valid values
    (:func:`gongkai.site.frontmatter.allowed`), the title as :func:`safe_title` makes it. The
    theme prints ``page.meta`` values as raw HTML (``<title>``, the header, navigation, ``<meta>``)."""
    kept = frontmatter.allowed(meta)
    if "title" in kept:
        kept["title"] = safe_title(str(kept["title"]))
    return kept


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


def log_problems(problems: list, preview: bool = False) -> None:
    """Log each problem (its human() line, cleaned for the terminal). Under ``mkdocs serve``
    (``preview``) a warning is logged below the level strict mode counts, so the preview keeps
    rebuilding and shows it (serve_banner); a build still fails on it in strict mode. Errors
    always fail."""
    previewed = 0
    for p in problems:
        if p.severity == ERROR:
            log.error(p.human())
        elif p.severity == WARNING and preview:
            previewed += _preview_warning(p.human())
        elif p.severity == WARNING:
            log.warning(p.human())
        elif p.severity in (INFO, FINDING):  # a finding is on its page's 核对说明 (or in gongkai check)
            log.info(p.human())
    if previewed:
        log.info(
            f"预览：以上 {previewed} 个警告不中断 mkdocs serve，并显示在页面顶部；"
            "mkdocs build --strict 和 gongkai build 会因此失败。"
        )


def _preview_warning(message: str) -> int:
    if not log.isEnabledFor(PREVIEW_WARNING):
        return 0
    record = log.makeRecord(log.name, PREVIEW_WARNING, __file__, 0, message, (), None)
    record.levelname = logging.getLevelName(logging.WARNING)  # shown (and coloured) as a warning
    log.handle(record)
    return 1


def build_site(
    project: Path, site_dir: Path, pdfs: bool = True, shard: tuple | None = None, strict: bool = True
) -> None:
    """``gongkai build``: build into a new folder beside ``site_dir`` and swap it in only when
    the build succeeded, so an error, a full disk or an interruption leaves the previous site
    intact. ``pdfs`` and ``shard`` are set on the gongkai plugin of the loaded configuration.
    Raises BuildFailed with a Chinese message."""
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
    try:
        config = load_config(str(project / "mkdocs.yml"), site_dir=str(staging), strict=strict)
        plugin = find_plugin(config)
        if plugin is None:
            raise BuildFailed(
                "mkdocs.yml 没有启用 gongkai："
                "请在 plugins 下加入 gongkai（或在 hooks 下列出 hooks/gongkai_hooks.py）"
            )
        plugin.config.pdf = pdfs
        plugin.config.shard = shard
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except (MkDocsException, OSError, KeyboardInterrupt) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildFailed(
            terminal_text(f"网站未生成（{type(exc).__name__}：{exc}）；原有的 {site_dir.name}/ 保持不变")
        ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = site_dir.with_name(f".{site_dir.name}.old-{os.getpid()}")
    if site_dir.exists():
        os.replace(site_dir, retired)
    os.replace(staging, site_dir)
    shutil.rmtree(retired, ignore_errors=True)


class BuildFailed(Exception):
    """The site could not be built; the message says why, in Chinese."""
