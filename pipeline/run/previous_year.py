"""Last year's cells for the rules across years, from the first source that can be used: last
year's run, else its returns; what could not be used is said, never a reason to stop."""

from __future__ import annotations

import pandas as pd

from pipeline import aggregate as agg
from pipeline import store
from pipeline.ingest.register import RECEIVED, UnitIndex
from pipeline.inputs import CannotStart, read_units
from pipeline.memo import Memo
from pipeline.paths import Paths, listing
from pipeline.run.checks import log
from pipeline.run.reading import read_year
from pipeline.validate.years import LastYear


def read_last_year(
    paths: Paths, memo: Memo | None = None, units: pd.DataFrame | None = None
) -> LastYear:
    """Last year's received cells for the rules across years: for each unit, from the first
    source that has it — last year's run, else last year's returns, else last year's published
    report (raw/<year-1>/published/) — read once and handed to every stage that needs them."""
    if units is None and paths.units.is_file():
        units = read_units(paths.units)
    return _read_last_year(paths.previous(), memo if memo is not None else Memo(), units)


def _read_last_year(prev: Paths, memo: Memo, units: pd.DataFrame | None = None) -> LastYear:
    """Last year's cells, unit by unit from the first source that has them; what could not be
    used, and why, is said, never a reason to stop this year."""
    unusable: list[str] = []
    parts: list[pd.DataFrame] = []
    sources: dict[str, str] = {}  # unit → where its cells came from
    wanted = None if units is None else set(units["name"])

    def take(cells: pd.DataFrame, where: str) -> None:
        new = cells[~cells["unit"].isin(sources)]
        for unit in dict.fromkeys(new["unit"]):
            sources[unit] = where
        if len(new):
            parts.append(new)

    def complete() -> bool:
        return wanted is not None and wanted <= sources.keys()

    if prev.ingested_cells.exists() and prev.ingested_returns.exists():
        where = f"上一年度的处理结果 {prev.ingested}"
        try:
            take(
                agg.received_cells(
                    store.read_cells(prev.ingested_cells), store.read_csv(prev.ingested_returns)
                ),
                where,
            )
        except Exception as exc:  # NOTE: a corrupt Parquet or CSV fails in many ways
            log.warning("上一年度的处理结果无法读取", exc_info=True)
            unusable.append(f"{where}无法读取（{_why(exc)}）")
    if not complete() and prev.units.is_file():
        where = f"{prev.raw} 中的报表"
        try:
            ingested = read_year(prev, memo)
        except Exception as exc:  # NOTE: a faulty roster of last year, or any unreadable input
            log.warning("上一年度的报表无法读取", exc_info=True)
            unusable.append(f"{where}无法使用（{_why(exc)}）")
        else:
            files = ingested.files
            bad = files[files["status"] != RECEIVED]
            if len(bad):
                listed = "、".join(bad["file"].head(5)) + ("等" if len(bad) > 5 else "")
                unusable.append(f"{where}中有{len(bad)}个无法使用（{listed}）")
            received = agg.received_cells(ingested.cells, files)
            if not len(received) and not len(bad) and not prev.published.is_dir():
                unusable.append(f"{where}中没有报表")
            take(received, where)
    elif not complete() and prev.raw.is_dir() and not prev.published.is_dir():
        unusable.append(f"{prev.raw} 中没有单位名册 units.csv")
    if not complete() and prev.published.is_dir() and units is not None:
        where = f"{prev.published} 中的已发布报告"
        cells, problems = published_cells(prev, units)
        unusable += problems
        take(cells, where)
    if parts:
        cells = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        return LastYear(prev.year, cells, _sources_text(sources), tuple(unusable), sources)
    if not unusable:
        return LastYear(
            prev.year, None, f"既没有{prev.year}年度的报表文件夹，也没有{prev.year}年度的运行结果"
        )
    return LastYear(prev.year, None, "；".join(unusable), tuple(unusable))


def _sources_text(sources: dict[str, str]) -> str:
    """Where last year's cells came from, counted by source."""
    counted: dict[str, int] = {}
    for where in sources.values():
        counted[where] = counted.get(where, 0) + 1
    if len(counted) == 1:
        return next(iter(counted))
    return "；".join(f"{n}个单位来自{where}" for where, n in counted.items())


def published_cells(prev: Paths, units: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The cells of last year's published reports (raw/<year-1>/published/), each matched to
    its unit of the roster by its issuer; a report of another year, of no unit of the roster,
    or of a unit named twice is not used, and says why."""
    from pipeline.audit import read_report

    index = UnitIndex(units)
    problems: list[str] = []
    found: dict[str, list[pd.DataFrame]] = {}
    for path in listing(prev.published).files:
        report = read_report(path)
        shown = path.relative_to(prev.raw).as_posix()
        if not report.tables_found:
            # NOTE: a file that could not be read (a PDF with an opening password, a broken
            # link) is said, never taken as a report with no figures
            why = next(
                (f["message"] for f in report.findings if f.get("severity") == "error"),
                "其中找不到年报表格",
            )
            problems.append(f"已发布报告“{shown}”未能读取，未使用（{str(why).rstrip('。')}）")
            continue
        if report.year != prev.year:
            problems.append(
                f"已发布报告“{shown}”是{report.year or '年度不明'}"
                f"{'年' if report.year else ''}的报告，不是{prev.year}年度的，未使用"
            )
            continue
        codes = index.match(report.issuer) or index.match(path.stem)
        if len(codes) != 1:
            problems.append(
                f"已发布报告“{shown}”的发布机关“{report.issuer or '不明'}”对应不到名册中唯一的单位，未使用"
            )
            continue
        code = codes[0]
        cells = report.cells[report.cells["value"].notna()]
        unit = index.name_of[code]
        found.setdefault(unit, []).append(
            pd.DataFrame(
                {
                    "unit": unit,
                    "unit_code": code,
                    "file": shown,
                    "section": cells["section"].astype(str),
                    "row": cells["row"].astype(str),
                    "col": cells["col"].astype(str),
                    "value": cells["value"].astype("Int64"),
                }
            )
        )
    tables = []
    for unit, frames in found.items():
        if len(frames) > 1:
            problems.append(
                f"{unit}有{len(frames)}份{prev.year}年度的已发布报告，未使用其中任何一份"
            )
            continue
        tables.append(frames[0])
    columns = ["unit", "unit_code", "file", "section", "row", "col", "value"]
    cells = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)
    return cells, problems


def _why(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text[:160]}" if not isinstance(exc, CannotStart) else text
