"""Writing files without ever leaving a half-written one: through a temporary file in the
same folder, renamed over the target only when complete."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` atomically. An existing file keeps its permissions (and a
    symbolic link its target); a new file gets the usual ones. On any failure the old file,
    if any, is untouched and no temporary file is left."""
    target = Path(os.path.realpath(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        try:
            mode = target.stat().st_mode & 0o7777
        except OSError:
            mode = _default_mode()
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
