"""Budget and performance terms that Chinese search must keep whole.

jieba (used by mkdocs-material's search to segment Chinese) would split 预算执行率 into
预算/执行率; loading these terms keeps them one word, so searching 预算执行率 finds the
pages that use it. A project can add its own in ``search_terms.txt`` beside mkdocs.yml
(one term per line, jieba's user-dictionary format).

The terms are read with the project (:attr:`gongkai.engine.project.Project.search_terms`);
here they are given to jieba, whose dictionary is one per process: a term the project's file
no longer lists is taken out again at the next build (``mkdocs serve``)."""

from __future__ import annotations

import io
from pathlib import Path

BUILTIN = Path(__file__).resolve().parent / "search_terms.txt"
PROJECT_FILE = "search_terms.txt"


def words(content: bytes) -> set[str]:
    """The terms of a user-dictionary file (the first field of each line)."""
    text = content.decode("utf-8", errors="replace").lstrip("\ufeff")
    return {line.split()[0] for line in text.splitlines() if line.strip()}


class SearchTerms:
    """The terms one process has given jieba, so the next build can take back those dropped."""

    def __init__(self):
        self.loaded: dict[str, set] = {}  # file → its words, as last loaded

    def use(self, terms: tuple) -> list[str]:
        """Load ``terms`` ((file, content) pairs, built-in first) into jieba; returns the files."""
        import jieba

        current = {name: words(content) for name, content in terms}
        keep = set().union(*current.values()) if current else set()
        for _name, old in self.loaded.items():
            for word in old - keep:
                jieba.del_word(word)
        for _name, content in terms:
            jieba.load_userdict(io.BytesIO(content))
        self.loaded = current
        return [name for name, _ in terms]
