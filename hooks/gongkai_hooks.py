"""MkDocs hooks for gongkai: each event is forwarded to gongkai.site.mkdocs_adapter.

Listed in mkdocs.yml under ``hooks:``. MkDocs loads this module afresh for every build,
so the one SiteBuild below lives for exactly one build."""

from gongkai.site.mkdocs_adapter import SiteBuild, on_startup as _on_startup

build = None


def on_startup(command, dirty):
    _on_startup(command)


def on_config(config):
    global build
    build = SiteBuild(config)
    return config


def on_pre_build(config):
    build.on_pre_build(config)


def on_files(files, config):
    return build.on_files(files, config)


def on_page_markdown(markdown, page, config, files):
    return build.on_page_markdown(markdown, page, config, files)


def on_page_content(html, page, config, files):
    return build.on_page_content(html, page, config, files)


def on_post_page(output, page, config):
    return build.on_post_page(output, page, config)


def on_post_build(config):
    build.on_post_build(config)


def on_serve(server, config, builder):
    return build.on_serve(server, config, builder)
