#!/usr/bin/env python3
"""Reading the claims of 1,000 pages: gongkai.claims (read every sentence's figures, check them
among themselves) against Python-Markdown converting the same pages, side by side in one run.

The pages are the public corpus's transcribed texts (tests/fixtures/public/*/source.md: 情况说明,
自评报告 and evaluation text, real wording), cycled to 1,000 pages. Prints one line:
``claims 1000 pages: X s; markdown: Y s; ratio X/Y``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import markdown

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from gongkai.claims.arithmetic import check_claims  # noqa: E402
from gongkai.claims.reader import read_claims  # noqa: E402


def pages(n: int) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests/fixtures/public").glob("*/source.md"))]
    return [texts[i % len(texts)] + f"\n\n<!-- {i} -->\n" for i in range(n)]


def time_claims(n: int = 1000) -> tuple[float, float, int]:
    """(seconds for claims, seconds for Markdown, claims found) over ``n`` pages."""
    corpus = pages(n)
    started = time.perf_counter()
    found = 0
    for text in corpus:
        claims = read_claims(text)
        check_claims(claims)
        found += len(claims)
    claims_s = time.perf_counter() - started
    started = time.perf_counter()
    for text in corpus:
        markdown.markdown(text, extensions=["tables"])
    return claims_s, time.perf_counter() - started, found


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    claims_s, markdown_s, found = time_claims(n)
    print(f"claims {n} pages: {claims_s:.2f} s ({found} claims); markdown: {markdown_s:.2f} s; "
          f"ratio {claims_s / markdown_s:.2f}")
