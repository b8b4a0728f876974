"""The print fonts: which free font files the print themes use and where Debian installs them.

The 公文 theme follows GB/T 9704 practice: body in 仿宋, 一级 headings in 黑体, 二级 in 楷体,
the title in a bold 宋体 standing in for 小标宋. The free fonts apt installs for it:

- Fandol (FandolFang, FandolHei, FandolKai, FandolSong; GPL with the font exception, so a PDF
  that embeds them is not bound by the GPL), in Debian's ``texlive-lang-chinese``. They sit in
  the TeX tree, where fontconfig does not look, so the writer adds these files to its own font
  configuration by path (:data:`FANDOL_FILES`): they are system files named here by the
  maintainers, never read through a page's fetcher, and a page cannot name another file.
- AR PL KaitiM GB (Arphic Public License), ``fonts-arphic-gkai00mp``: a second 楷体, known to
  fontconfig.
- Noto Serif/Sans CJK SC (SIL Open Font License 1.1), ``fonts-noto-cjk``: the 简洁 theme, and
  the fallback of the 公文 theme for characters beyond the Fandol fonts' GB 2312 repertoire.

Fandol's two bold faces declare a regular weight (OS/2 400); :data:`FONTCONFIG_RULES` tells
fontconfig they are bold, so ``font-weight: 700`` finds them."""

from __future__ import annotations

import hashlib
from pathlib import Path

# Where TeX Live's Fandol fonts are: Debian and Ubuntu first, then other distributions' TeX trees.
FANDOL_DIRS = (
    Path("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"),
    Path("/usr/share/texmf-dist/fonts/opentype/public/fandol"),
    Path("/usr/share/texmf/fonts/opentype/public/fandol"),
)
FANDOL_FILES = (
    "FandolFang-Regular.otf",
    "FandolHei-Regular.otf",
    "FandolHei-Bold.otf",
    "FandolKai-Regular.otf",
    "FandolSong-Regular.otf",
    "FandolSong-Bold.otf",
)
BOLD_FILES = ("FandolHei-Bold.otf", "FandolSong-Bold.otf")
KAITI_GB = Path("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf")  # found by fontconfig itself


def fandol_files() -> list[Path]:
    """The Fandol font files installed on this machine (the first folder that has them)."""
    for folder in FANDOL_DIRS:
        found = [folder / name for name in FANDOL_FILES if (folder / name).is_file()]
        if found:
            return found
    return []


def fontconfig_rules(files: list[Path]) -> bytes:
    """Fontconfig rules that mark the bold Fandol files bold when fontconfig scans them."""
    rules = "".join(
        f'<match target="scan"><test name="file" compare="eq"><string>{path.as_posix()}</string></test>'
        '<edit name="weight" mode="assign"><const>bold</const></edit></match>'
        for path in files
        if path.name in BOLD_FILES
    )
    return (
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig>{rules}</fontconfig>"
    ).encode()


def fingerprint(digest: hashlib._Hash) -> None:
    """Add the names, sizes and times of the print fonts to ``digest`` (the PDF cache key)."""
    for path in [*fandol_files(), KAITI_GB]:
        if not path.is_file():
            continue
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{int(stat.st_mtime)}\n".encode())
