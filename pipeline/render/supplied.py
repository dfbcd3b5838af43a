"""Figures the office supplies for a report's text that no table holds (documents published,
items released, policy interpretations, new-media accounts), read from a small TOML file beside
the narrative, `raw/<year>/narratives/<unit>.toml`, and checked before any work.

The file names its year and holds named whole numbers, one a line, each name from
`SUPPLIED_FIGURES`:

    year = 2023
    documents_published = 84   # 主动公开的文件（件）
    items_released = 1053      # 发布的信息（条）

A file of another year stops the run (a copy of last year's folder would otherwise publish last
year's figures); a file without `year` is used, with a warning asking for it.

A narrative then writes `{{ documents_published }}件` where it would have typed 84, so that the
figure comes from data like every other one. A name the catalog does not know, a value that is
not a whole number ≥ 0, a file that is not UTF-8 or not TOML stops the run (`CannotStart`) with a
Chinese message naming the file and the line.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipeline.inputs import CannotStart


@dataclass(frozen=True)
class SuppliedFigure:
    """A figure a narrative may use that no table holds: its name, what it counts, its unit."""

    name: str
    meaning: str
    unit: str


SUPPLIED_FIGURES: dict[str, SuppliedFigure] = {
    f.name: f
    for f in (
        SuppliedFigure("documents_published", "主动公开的文件数", "件"),
        SuppliedFigure("items_released", "发布的政府信息条数", "条"),
        SuppliedFigure("interpretations", "政策解读件数", "件"),
        SuppliedFigure("new_media_accounts", "政务新媒体个数", "个"),
        SuppliedFigure("press_conferences", "新闻发布会场次", "场"),
        SuppliedFigure("trainings", "政务公开业务培训次数", "次"),
    )
}

_EXAMPLE = "documents_published = 84"


@dataclass(frozen=True)
class Supplied:
    """A supplied-figures file as read: its figures by name, and whether it lacks its year."""

    figures: dict[str, int]
    undated: bool = False  # a file without `year = …`: used, with a warning


def supplied_figures(path: Path, year: int) -> Supplied:
    """The figures in a supplied-figures file (`raw/<year>/narratives/<unit>.toml`) of the
    report's `year`, by name, to pass to `narrative_context(..., **figures)`; none when there is
    no such file. A file of another year is CannotStart, naming it."""
    if not path.is_file():
        return Supplied({})
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CannotStart(
            f"数字文件 {path} 不是 UTF-8 编码（TOML 文件必须是 UTF-8），请另存为 UTF-8 后重试"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CannotStart(
            f"数字文件 {path} 有语法错误：{_toml_place(exc)}；格式如 {_EXAMPLE}"
        ) from None
    stated = data.pop(YEAR_KEY, None)
    if stated is not None:
        _same_year(path, text, stated, year)
    figures = {}
    for name, value in data.items():
        line = _line_of(text, name)
        if name not in SUPPLIED_FIGURES:
            close = difflib.get_close_matches(name, SUPPLIED_FIGURES, n=1)
            hint = f"是不是 {close[0]}？" if close else ""
            raise CannotStart(
                f"数字文件 {path} 第{line}行：不认识的名称“{name}”。{hint}"
                f"可用的名称：{YEAR_KEY}（年度）、{known_names()}"
            )
        figure = SUPPLIED_FIGURES[name]
        # NOTE: TOML's true/false are Python bools, which are ints too; 84.0 is a float
        if isinstance(value, bool) or not isinstance(value, int):
            shown = f"“{value}”" if isinstance(value, str) else repr(value)
            raise CannotStart(
                f"数字文件 {path} 第{line}行：{name}（{figure.meaning}）应为不带引号的整数，"
                f"如 {name} = 84，现为 {shown}"
            )
        if value < 0:
            raise CannotStart(
                f"数字文件 {path} 第{line}行：{name}（{figure.meaning}）不能小于0，现为 {value}"
            )
        figures[name] = value
    return Supplied(figures, undated=stated is None)


YEAR_KEY = "year"  # the key that names the year a supplied-figures file is of


def _same_year(path: Path, text: str, stated: object, year: int) -> None:
    """Refuse a file whose `year` is not the report's (or is not a year at all)."""
    line = _line_of(text, YEAR_KEY)
    if isinstance(stated, bool) or not isinstance(stated, int):
        shown = f"“{stated}”" if isinstance(stated, str) else repr(stated)
        raise CannotStart(
            f"数字文件 {path} 第{line}行：{YEAR_KEY} 应为不带引号的年度，如 {YEAR_KEY} = {year}，现为 {shown}"
        )
    if stated != year:
        raise CannotStart(
            f"数字文件 {path} 第{line}行写明是{stated}年度的数字（{YEAR_KEY} = {stated}），"
            f"不能用于{year}年度的报告；请改为{year}年度的数字并写 {YEAR_KEY} = {year}，或删去这个文件"
        )


def known_names() -> str:
    """The names a supplied-figures file may use, with what each counts (for messages)."""
    return "、".join(f"{f.name}（{f.meaning}，{f.unit}）" for f in SUPPLIED_FIGURES.values())


def _line_of(text: str, name: str) -> int:
    """The line of `text` where `name` is given a value (1 when it cannot be found)."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return 1


def _toml_place(exc: tomllib.TOMLDecodeError) -> str:
    # NOTE: Python 3.11's tomllib gives the place only in its message: "… (at line 3, column 5)"
    text = str(exc)
    place = re.search(r"\(at line (\d+), column (\d+)\)", text)
    reason = text[: place.start()].strip() if place else text
    return f"第{place.group(1)}行第{place.group(2)}列（{reason}）" if place else f"（{reason}）"
