"""The dates a PDF states, and where they come from. Never the time of the build (identical
input, identical PDF) and never a date made up (such as the last second of the report's year).

- The document's date (CreationDate / ModDate and the XMP dates): the report's own date when its
  data has one (``填报日期``, read as printed: ``2022年6月2日``, ``2022-06-02``, ``2022.6.2``, or
  only year and month), else the date of the data file's last git commit (``SOURCE_DATE_EPOCH``
  when the builder sets it stands in for that), else none: the PDF then carries no date.
- The date of an attached data file: its last git commit (or ``SOURCE_DATE_EPOCH``); without one
  the attachment carries no date.

Dates are W3C-DTF text (``2022-06-02``, ``2022-06``, ``2022-06-02T08:15:00Z``) as the print HTML's
``dcterms`` metadata takes them; "" means none."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

_DATE = re.compile(r"^\s*(\d{4})\s*(?:年|[-./])\s*(\d{1,2})\s*(?:(?:月|[-./])\s*(?:(\d{1,2})\s*日?)?)?\s*$")


def data_date(text: object) -> str:
    """The date a report's data states (``填报日期``), as W3C-DTF; "" when it states none or
    one that is not a calendar date.

    >>> data_date("2022年6月2日"), data_date("2022.06"), data_date("2022年6月")
    ('2022-06-02', '2022-06', '2022-06')
    >>> data_date("六月"), data_date("2022-02-30")
    ('', '')
    """
    if not isinstance(text, str):
        return ""
    match = _DATE.match(text)
    if not match:
        return ""
    year, month, day = int(match.group(1)), int(match.group(2)), match.group(3)
    try:
        if day is None:
            dt.date(year, month, 1)
            return f"{year:04d}-{month:02d}"
        return dt.date(year, month, int(day)).isoformat()
    except ValueError:
        return ""


def source_date_epoch() -> str:
    """``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) as a UTC moment, or ""."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return ""
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return ""


def commit_dates(root: Path, folder: str = ".") -> dict[str, str]:
    """The date of the last commit of every file under ``folder`` (relative to ``root``) that git
    knows (path relative to ``root``, posix → UTC moment), read with one ``git log``; {} outside
    a repository or without git."""
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotePath=false", "log", "--relative", "--format=%x1e%ct", "--name-only", "--", folder],
            cwd=root,
            capture_output=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if proc.returncode != 0:
        return {}
    dates: dict[str, str] = {}
    for block in proc.stdout.decode("utf-8", errors="replace").split("\x1e")[1:]:
        stamp, _, names = block.partition("\n")
        if not stamp.strip().isdigit():
            continue
        moment = dt.datetime.fromtimestamp(int(stamp), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for name in names.splitlines():
            if name and name not in dates:  # newest first: the first date seen is the last commit
                dates[name] = moment
    return dates


class Dates:
    """The dates of a project's reports; git is asked once, when a date is first wanted."""

    def __init__(self, root: Path, use_git: bool = True, folder: Path | None = None):
        self.root = root
        self.folder = folder  # where the data files are (git is asked about those only)
        self._commits: dict[str, str] | None = None if use_git else {}

    def file_date(self, data: str) -> str:
        """The date of the data file ``data`` (relative to the project): SOURCE_DATE_EPOCH, else its last commit."""
        epoch = source_date_epoch()
        if epoch:
            return epoch
        if self._commits is None:
            folder = self.folder
            within = "."
            if folder is not None and folder.is_relative_to(self.root):
                within = folder.relative_to(self.root).as_posix()
            self._commits = commit_dates(self.root, within)
        return self._commits.get(data, "")

    def document_date(self, report, data: str) -> str:
        """A report's date: the one its data states, else its data file's."""
        return data_date(getattr(report, "date", None)) or self.file_date(data)


def latest(dates) -> str:
    """The latest of W3C-DTF dates ("" ignored); "" when there is none."""
    known = [d for d in dates if d]
    return max(known, key=_sort_key) if known else ""


def _sort_key(date: str) -> str:
    return date.replace("Z", "")
