"""Last year's cells for the rules across years, from the first source that can be used: last
year's run, else its returns; what could not be used is said, never a reason to stop."""

from __future__ import annotations

from pipeline import aggregate as agg
from pipeline import store
from pipeline.ingest.register import RECEIVED
from pipeline.inputs import CannotStart
from pipeline.memo import Memo
from pipeline.paths import Paths
from pipeline.run.checks import log
from pipeline.run.reading import read_year
from pipeline.validate.years import LastYear


def read_last_year(paths: Paths, memo: Memo | None = None) -> LastYear:
    """Last year's received cells: from last year's run if there was one, else read from its
    returns (a run reads them once and hands them to every stage that needs them)."""
    return _read_last_year(paths.previous(), memo if memo is not None else Memo())


def _read_last_year(prev: Paths, memo: Memo) -> LastYear:
    """Last year's cells from the first source that can be used (last year's run, else its
    returns); what could not be used, and why, is said, never a reason to stop this year."""
    unusable: list[str] = []
    if prev.ingested_cells.exists() and prev.ingested_returns.exists():
        where = f"上一年度的处理结果 {prev.ingested}"
        try:
            cells = agg.received_cells(
                store.read_cells(prev.ingested_cells), store.read_csv(prev.ingested_returns)
            )
            return LastYear(prev.year, cells, where)
        except Exception as exc:  # NOTE: a corrupt Parquet or CSV fails in many ways
            log.warning("上一年度的处理结果无法读取", exc_info=True)
            unusable.append(f"{where}无法读取（{_why(exc)}）")
    if prev.units.is_file():
        where = f"{prev.raw} 中的报表"
        try:
            ingested = read_year(prev, memo)
            cells, returns = ingested.cells, ingested.files
        except Exception as exc:  # NOTE: a faulty roster of last year, or any unreadable input
            log.warning("上一年度的报表无法读取", exc_info=True)
            unusable.append(f"{where}无法使用（{_why(exc)}）")
        else:
            received = agg.received_cells(cells, returns)
            bad = returns[returns["status"] != RECEIVED]
            if len(bad):
                listed = "、".join(bad["file"].head(5)) + ("等" if len(bad) > 5 else "")
                unusable.append(f"{where}中有{len(bad)}个无法使用（{listed}）")
            if len(received):
                return LastYear(prev.year, received, where, tuple(unusable))
            if not len(bad):
                unusable.append(f"{where}中没有报表")
    elif prev.raw.is_dir():
        unusable.append(f"{prev.raw} 中没有单位名册 units.csv")
    if not unusable:
        return LastYear(
            prev.year, None, f"既没有{prev.year}年度的报表文件夹，也没有{prev.year}年度的运行结果"
        )
    return LastYear(prev.year, None, "；".join(unusable), tuple(unusable))


def _why(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text[:160]}" if not isinstance(exc, CannotStart) else text
