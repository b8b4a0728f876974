"""A compatibility shim for sites that list gongkai under ``hooks:`` instead of ``plugins:``.

gongkai is an MkDocs plugin (``plugins: - gongkai``, options in the user guide, 公开网站).
A site whose mkdocs.yml still says ``hooks: - hooks/gongkai_hooks.py`` gets the same plugin
with its default options through this file: every event is forwarded to one plugin instance,
which makes its per-build state afresh at each ``on_config``. With both listed, the plugin
does the work and this shim steps aside."""

from gongkai.site.plugin import GongkaiPlugin

plugin = GongkaiPlugin.for_hooks()

on_startup = plugin.on_startup
on_shutdown = plugin.on_shutdown
on_config = plugin.on_config
on_pre_build = plugin.on_pre_build
on_files = plugin.on_files
on_page_markdown = plugin.on_page_markdown
on_page_content = plugin.on_page_content
on_post_page = plugin.on_post_page
on_post_template = plugin.on_post_template
on_post_build = plugin.on_post_build
on_build_error = plugin.on_build_error
on_serve = plugin.on_serve
