"""``gongkai new``: a new report from a template — a data file whose every field is explained
in Chinese comments, and the narrative page that shows it.

The templates are in ``scaffolds/``: ``<name>.yaml`` (the data, with ``__YEAR__`` and
``__DEPARTMENT__`` filled in) and ``<name>.md`` (the page body; the front matter naming the
data file is added here). Each template is a small, complete report that checks clean, so a
user starts from something that works and changes it piece by piece."""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

SCAFFOLDS = Path(__file__).resolve().parent.parent / "scaffolds"
SUFFIXES = (".yaml", ".yml")

# kind on the command line -> (类型 in the data, template name)
KINDS = {
    "自评表": ("项目支出绩效自评表", "self-evaluation"),
    "评价报告": ("项目支出绩效评价报告", "evaluation"),
    "部门整体": ("部门整体支出绩效评价", "department"),
    "部门决算": ("部门决算", "final-accounts"),
}
PLACEHOLDER_DEPARTMENT = "××单位"
_YEAR = re.compile(r"(?<!\d)(?:19[4-9]\d|2[01]\d\d|2200)(?!\d)")


class ScaffoldError(Exception):
    """Why nothing was created (a Chinese message)."""


@dataclass
class Made:
    data: Path
    page: Path


def page_for(data: Path) -> tuple[Path, str]:
    """The page for a data file (``data/2024/x/p.yaml`` → ``content/2024/x/p.md``) and the data
    file's path relative to the project root (for the page's front matter).

    The project root is the folder holding ``data/``: the first such folder along the path
    that has ``mkdocs.yml``, else the nearest one."""
    parts = data.parts
    found = [i for i, part in enumerate(parts[:-1]) if part == "data"]
    if not found and not data.is_absolute():  # run inside data/…: look at the whole path
        return page_for(data.absolute())
    if not found:
        raise ScaffoldError(
            f"{data}：数据文件应放在项目的 data/ 文件夹下（如 data/2024/单位/项目.yaml），"
            "页面放在 content/ 下同样的位置"
        )
    at = next((i for i in found if (Path(*parts[:i]) if i else Path(".")).joinpath("mkdocs.yml").is_file()), found[-1])
    root = Path(*parts[:at]) if at else Path(".")
    inside = Path(*parts[at + 1 :])
    return root / "content" / inside.with_suffix(".md"), (Path("data") / inside).as_posix()


def year_from(data: Path) -> int | None:
    """A year written as a folder or file name in the path (``data/2024/…``)."""
    for part in reversed(data.parts[:-1]):
        if _YEAR.fullmatch(part):
            return int(part)
    match = _YEAR.search(data.stem)
    return int(match.group()) if match else None


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when that reads back as the same text, else quoted."""
    if text and "#" not in text and "\n" not in text and text == text.strip():
        try:
            if yaml.safe_load(f"k: {text}") == {"k": text}:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


def data_text(kind: str, year: int, department: str) -> str:
    """The data file for ``kind`` with the year and department filled in."""
    template = (SCAFFOLDS / f"{KINDS[kind][1]}.yaml").read_text(encoding="utf-8")
    return template.replace("__YEAR__", str(year)).replace("__DEPARTMENT__", yaml_scalar(department))


def page_text(kind: str, data_rel: str) -> str:
    """The narrative page for ``kind``, its front matter naming the data file."""
    body = (SCAFFOLDS / f"{KINDS[kind][1]}.md").read_text(encoding="utf-8")
    return f"---\n数据: {yaml_scalar(data_rel)}\n---\n\n{body}"


def create(kind: str, path, year: int | None = None, department: str | None = None) -> Made:
    """Write the data file and the page for a new report; refuse to overwrite either."""
    if kind not in KINDS:
        raise ScaffoldError(f"不认识的报告种类“{kind}”；可用的有：{'、'.join(KINDS)}")
    data = Path(path)
    if data.suffix not in SUFFIXES:
        raise ScaffoldError(f"{data}：数据文件名应以 .yaml 结尾")
    page, data_rel = page_for(data)
    _refuse_existing([data, page])
    department = (department if department is not None else PLACEHOLDER_DEPARTMENT).strip()
    if not department:
        raise ScaffoldError("部门名称不能为空")
    if year is None:
        year = year_from(data) or datetime.date.today().year - 1
    write_new([(data, data_text(kind, year, department)), (page, page_text(kind, data_rel))])
    return Made(data, page)


def _refuse_existing(paths: list[Path]) -> None:
    existing = [str(p) for p in paths if p.exists() or p.is_symlink()]
    if existing:
        raise ScaffoldError("已存在，不会覆盖：" + "、".join(existing) + "（请换一个文件名，或先移走已有的文件）")


def write_new(files: list) -> list[Path]:
    """Write each (path, text) as a new file, folders made as needed; refuse (ScaffoldError) when
    any exists, and never overwrite one that appears meanwhile: then nothing written is left."""
    _refuse_existing([path for path, _ in files])
    made: list[Path] = []
    try:
        for target, content in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("x", encoding="utf-8", newline="\n") as out:  # "x": never overwrite
                made.append(target)
                out.write(content)
    except FileExistsError as exc:  # appeared since we looked
        _remove(made)
        raise ScaffoldError(f"已存在，不会覆盖：{exc.filename}") from None
    except OSError as exc:
        _remove(made)
        raise ScaffoldError(f"无法写入 {exc.filename or files[0][0]}：{exc.strerror or exc}") from None
    return made


def _remove(paths: list[Path]) -> None:
    for p in paths:
        try:
            p.unlink()
        except OSError:
            pass
