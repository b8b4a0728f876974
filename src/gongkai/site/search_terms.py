"""Budget and performance terms that Chinese search must keep whole.

jieba (used by mkdocs-material's search to segment Chinese) would split 预算执行率 into
预算/执行率; loading these terms keeps them one word, so searching 预算执行率 finds the
pages that use it. A project can add its own in ``search_terms.txt`` beside mkdocs.yml
(one term per line, jieba's user-dictionary format)."""

from __future__ import annotations

import io
from pathlib import Path

BUILTIN = Path(__file__).resolve().parent / "search_terms.txt"
PROJECT_FILE = "search_terms.txt"


def load_search_terms(project: Path | None = None) -> list[Path]:
    """Load the built-in terms and the project's own into jieba; returns the files loaded."""
    import jieba

    loaded = []
    for path in (BUILTIN, (project / PROJECT_FILE) if project else None):
        if path is not None and path.is_file():
            jieba.load_userdict(io.BytesIO(path.read_bytes()))
            loaded.append(path)
    return loaded
