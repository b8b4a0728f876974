"""What makes a gongkai site Chinese for its readers, carried by the plugin so that a site's
mkdocs.yml needs nothing copied into it:

- the theme overrides in ``theme/`` (a Chinese 404 page, a Chinese footer, the site's colours
  and fonts in ``assets/gongkai/theme.css``, the search worker ``gongkai-search.js``), put in
  the theme's folders after the site's own ``custom_dir``;
- readable heading anchors (``#一部门主要职责``, not ``#_1``) and a Chinese title on the
  permanent link of every heading;
- a search index cut at Chinese punctuation, and a search worker that cuts a query the same
  way and shows results without the zero-width spaces of the word segmentation.

Every setting the site's mkdocs.yml makes itself is kept."""

from __future__ import annotations

import re
from pathlib import Path

from markdown.extensions.toc import slugify_unicode

THEME_DIR = Path(__file__).resolve().parent / "theme"
THEME_CSS = "assets/gongkai/theme.css"
PERMALINK_TITLE = "本节链接"

# mkdocs-material's separator for Chinese ([\s\u200b\u3000\-、。，．？！；]+) with the rest of
# the Chinese punctuation: “三公”经费 is the words 三公 and 经费, as jieba cut them.
SEPARATOR = r"[\s\u200b\u3000\-、。，．？！；：“”‘’「」『』《》〈〉（）【】〔〕…—·～]+"

SEARCH_WORKER = "gongkai-search.js"
_WORKER = re.compile(r'("search":\s*")((?:[^"\\]*/)?)(search\.[0-9a-f]+\.min\.js)(")')
_CONFIG = re.compile(r'<script id="__config" type="application/json">.*?</script>', re.S)


def use_theme(config) -> None:
    """Put :data:`THEME_DIR` among the theme's folders: after the site's ``custom_dir`` (the
    maintainers' overrides win), before the theme's own templates. Once per configuration."""
    dirs = config.theme.dirs
    if str(THEME_DIR) in dirs:
        return
    custom = getattr(config.theme, "custom_dir", None)
    at = 1 if custom and dirs and Path(dirs[0]).resolve() == Path(custom).resolve() else 0
    dirs.insert(at, str(THEME_DIR))


def use_anchors(config) -> None:
    """Headings get Unicode anchors and a Chinese permanent-link title, unless mkdocs.yml sets
    ``slugify`` or ``permalink_title`` of ``toc`` itself. The PDFs read the same settings."""
    if "toc" not in config.markdown_extensions:
        config.markdown_extensions.append("toc")
    toc = config.mdx_configs.setdefault("toc", {})
    toc.setdefault("slugify", slugify_unicode)
    toc.setdefault("permalink_title", PERMALINK_TITLE)


def search_plugin(config):
    """The search plugin of the site (``search``, or the theme's ``material/search``), if any."""
    for name, plugin in config.plugins.items():
        if (name == "search" or name.endswith("/search")) and hasattr(plugin, "config"):
            return plugin
    return None


def use_separator(config) -> None:
    """The search index is cut at Chinese punctuation too (:data:`SEPARATOR`), unless mkdocs.yml
    sets the search plugin's ``separator``. Runs before the search plugin's own on_config,
    which otherwise fills in the theme's default."""
    plugin = search_plugin(config)
    if plugin is not None and not plugin.config.get("separator"):
        plugin.config["separator"] = SEPARATOR


def with_search_worker(html: str) -> str:
    """The page with the theme's search worker replaced by gongkai's (same folder), which loads
    the theme's: ``…/search.<hash>.min.js`` → ``…/gongkai-search.js?worker=search.<hash>.min.js``."""
    found = _CONFIG.search(html)
    if found is None:
        return html
    block = _WORKER.sub(lambda m: f"{m[1]}{m[2]}{SEARCH_WORKER}?worker={m[3]}{m[4]}", found[0], count=1)
    return html[: found.start()] + block + html[found.end() :]
