"""A new year: its folder of inputs made from the latest earlier year's (the one thing xxgk writes
under raw/, and only as a folder that did not exist), and the return templates sent to the units,
prefilled from what xxgk knows of last year."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from pipeline import store
from pipeline.inputs import CannotStart, read_units
from pipeline.paths import Paths
from pipeline.render.workbook import LastYearFigures
from pipeline.run.previous_year import read_last_year
from pipeline.run.stages import StageResult
from pipeline.validate import LastYear


def latest_earlier(paths: Paths) -> Paths | None:
    """The latest year before `paths.year` under the same raw folder that has a roster."""
    root = paths.raw_root
    years = sorted(
        int(p.name)
        for p in (root.iterdir() if root.is_dir() else [])
        if p.name.isdigit()
        and int(p.name) < paths.year
        and Paths(root, paths.out_root, int(p.name)).units.is_file()
    )
    return Paths(paths.raw_root, paths.out_root, years[-1]) if years else None


def check_new_year(paths: Paths) -> Paths:
    """The year a new year's folder is made from (the latest earlier one, its roster checked);
    CannotStart when the folder exists (xxgk never writes into a folder of inputs) or there is
    no earlier year to start from. Nothing is written."""
    if paths.raw.exists():
        raise CannotStart(
            f"{paths.raw} 已经存在，未做任何改动：xxgk new-year 只建立还没有的年度文件夹，"
            "从不写入已有的文件夹。要用它，直接运行 xxgk template 或 xxgk report；要重新建立，请先把它改名或移走"
        )
    source = latest_earlier(paths)
    if source is None:
        raise CannotStart(
            f"{paths.raw_root} 中没有{paths.year}年以前、有单位名册 units.csv 的年度文件夹，"
            f"无法建立{paths.year}年度；请先按 README 的“输入”一节建立 {paths.raw}"
        )
    read_units(source.units)  # NOTE: a faulty roster stops here, before anything is made
    return source


def run_new_year(paths: Paths) -> StageResult:
    """Create raw/<year>/ from the latest earlier year: its roster, config and narrative
    templates copied, its supplied figures not (`check_new_year` says when it cannot)."""
    source = check_new_year(paths)
    # NOTE: what the next year starts from; the returns, the published reports and the figures
    # supplied for the text (narratives/*.toml, narrative.toml) are the year's own, never copied
    pairs = [
        (source.units, paths.units),
        (source.config, paths.config),
        (source.narrative, paths.narrative),
        *((p, paths.narratives / p.name) for p in sorted(source.narratives.glob("*.md.j2"))),
    ]
    copies = [(old, new) for old, new in pairs if old.is_file()]
    left = sorted(source.narratives.glob("*.toml"))
    left += [source.supplied] if source.supplied.is_file() else []
    # NOTE: mkdir without exist_ok is the claim: a folder made meanwhile by someone else is refused
    try:
        paths.raw.mkdir()
    except FileExistsError:
        raise CannotStart(f"{paths.raw} 已经存在，未做任何改动") from None
    try:
        for old, new in copies:
            new.parent.mkdir(exist_ok=True)
            shutil.copyfile(old, new)
        paths.returns_dir.mkdir()
    except BaseException:
        shutil.rmtree(paths.raw, ignore_errors=True)  # NOTE: only the folder made just now
        raise
    written = [new for _, new in copies]
    said = (
        f"新年度：已建立 {paths.raw}/，从 {source.raw}/ 复制了{_listed([o for o, _ in copies], source)}；"
        f"收到的报表请放进 {paths.returns_dir}/"
    )
    if left:
        said += (
            f"\n未复制{source.year}年度的数字文件（{_listed(left, source)}）：请按{paths.year}年度的数字重写，"
            f"并在文件中写 year = {paths.year}"
        )
    counts = {"copied": len(copies), "left": len(left)}
    return StageResult("new-year", counts, written, message=said)


def _listed(files: list[Path], source: Paths) -> str:
    return "、".join(path.relative_to(source.raw).as_posix() for path in files)


def run_template(paths: Paths, roster: Path | None = None) -> StageResult:
    """Write a return workbook for every unit of the roster, and a blank generic copy: the
    roster `roster`, else the year's units.csv, else the latest earlier year's (the templates
    are sent out before the year's folder exists); each unit's 上年结转 prefilled from last
    year (`template_figures`); the message says which roster and which of last year's data."""
    used = roster or _roster_for(paths)
    units = read_units(used)
    last = read_last_year(paths, units=units)
    figures = template_figures(last)
    known = {name: figures[name] for name in units["name"] if name in figures}
    written = [
        store.write_template(paths.template(name), name, paths.year, known.get(name))
        for name in units["name"]
    ]
    written.append(store.write_template(paths.template(""), "", paths.year))
    said = [] if used == paths.units else [f"使用的单位名册：{used}"]
    said.append(_prefilled(last, len(known), len(units)))
    counts = {"units": len(units), "prefilled": len(known)}
    return StageResult("template", counts, written, message="\n".join(said))


def _roster_for(paths: Paths) -> Path:
    """The year's roster, else the latest earlier year's under the same raw folder."""
    if paths.units.is_file():
        return paths.units
    earlier = latest_earlier(paths)
    if earlier is None:
        raise CannotStart(
            f"找不到单位名册：{paths.units}，{paths.raw_root} 中也没有更早年度的 units.csv；"
            "请用 --units 指定名册文件"
        )
    return earlier.units


def template_figures(last: LastYear) -> dict[str, LastYearFigures]:
    """What each unit's template carries from last year (by this year's unit name): its
    结转下年度 as 上年结转, its 现行有效件数 for the 填报说明. A unit without last year's
    cells has none; a cell read as no number is left out, never taken as 0."""
    cells = last.cells
    if cells is None or not len(cells):
        return {}
    read = cells[cells["value"].notna()]
    carried = read[(read["section"] == "s3") & (read["row"] == "carried_out")]
    in_force = read[
        (read["section"] == "s2")
        & (read["col"] == "in_force")
        & read["row"].isin(["rules", "normative"])
    ]
    return {
        unit: LastYearFigures(
            last.year,
            carried=_by(carried[carried["unit"] == unit], "col"),
            in_force=_by(in_force[in_force["unit"] == unit], "row"),
        )
        for unit in dict.fromkeys(cells["unit"])
    }


def _by(cells: pd.DataFrame, key: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in zip(cells[key], cells["value"], strict=True)}


def _prefilled(last: LastYear, prefilled: int, units: int) -> str:
    """What the templates carry from last year, and from where (or why nothing)."""
    if last.cells is None:
        return f"上年数据：没有可用的{last.year}年度数据（{last.where}），上年结转未预填。"
    unusable = f"；未能使用：{'；'.join(last.unusable)}" if last.unusable else ""
    return (
        f"上年数据：{units}个单位中{prefilled}个的“上年结转”已按{last.year}年度的“结转下年度继续办理”预填，"
        f"上年现行有效件数写在其模板的填报说明中（数据来自：{last.where}{unusable}）。"
    )
