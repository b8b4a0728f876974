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
    """The terms one process has given jieba, so the next build can take back those dropped;
    and, while a build runs, jieba's cuts remembered (:meth:`remember`)."""

    def __init__(self):
        self.loaded: dict[str, set] = {}  # file → its words, as last loaded
        self.original_cut = None  # jieba.cut, while ours stands in for it

    def remember(self) -> None:
        """Until :meth:`forget`: jieba cuts each distinct text once. The search index cuts every
        run of Chinese characters of every page (mkdocs-material calls ``jieba.cut`` for each),
        and report pages repeat theirs (indicator names, headings, the same sentences): the
        same text gets the same words, from memory. Made afresh for each build, after the
        terms are loaded, so a changed dictionary is never answered from an older one."""
        import jieba

        self.forget()
        original = jieba.cut
        memory: dict = {}

        def cut(sentence, *args, **kwargs):
            key = (sentence, args, tuple(sorted(kwargs.items())))
            words = memory.get(key)
            if words is None:
                words = memory[key] = tuple(original(sentence, *args, **kwargs))
            return iter(words)

        self.original_cut, jieba.cut = original, cut

    def forget(self) -> None:
        """jieba's own ``cut`` again."""
        if self.original_cut is not None:
            import jieba

            jieba.cut, self.original_cut = self.original_cut, None

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
