"""Aggregate: the units' cells → each unit's tables and the county-wide (全县) table, cell by cell."""

from __future__ import annotations

import pandas as pd

from pipeline.format2021 import SECTIONS, number_text
from pipeline.ingest import RECEIVED

COUNTY = "全县"


def received_cells(cells: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """The cells of the returns that count: one received return per unit (no duplicates, no strays)."""
    counted = returns.loc[returns["status"] == RECEIVED, "file"]
    mask = cells["file"].isin(counted)
    return cells if mask.all() else cells[mask]  # NOTE: usually all count; no copy then


def _who(cells: pd.DataFrame) -> pd.Series:
    """Who a cell belongs to across years: the unit's code, else its name."""
    return cells["unit_code"].where(cells["unit_code"] != "", cells["unit"])


def common_units(cells: pd.DataFrame, other: pd.DataFrame) -> set[str]:
    """The units (by code, else name) present in both cell tables."""
    return set(_who(cells)) & set(_who(other))


def of_units(cells: pd.DataFrame, units: set[str]) -> pd.DataFrame:
    """The cells of these units only."""
    return cells[_who(cells).isin(units)]


def format_cells() -> pd.DataFrame:
    """Every cell of the format, in the format's order."""
    return pd.DataFrame(
        [(code, r.code, c.code) for code, s in SECTIONS.items() for r, c in s.cells],
        columns=["section", "row", "col"],
    )


def county_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """The county-wide table: each cell the exact sum over the units (integers, so no drift)."""
    sums = (
        cells.groupby(["section", "row", "col"], sort=False)
        .agg(value=("value", "sum"), units=("unit", "nunique"))
        .reset_index()
    )
    table = format_cells().merge(sums, on=["section", "row", "col"], how="left")
    return table.assign(
        value=table["value"].fillna(0).astype("Int64"),
        units=table["units"].fillna(0).astype(int),
    )


def unit_table(cells: pd.DataFrame, section: str) -> pd.DataFrame:
    """Every return's table `section`: a row per (unit, file, row code), a column per column code."""
    sec = SECTIONS[section]
    # NOTE: only the columns needed are taken; filtering all thirteen costs seconds at scale
    part = cells.loc[cells["section"] == section, ["unit", "file", "row", "col", "value"]]
    wide = part.pivot(index=["unit", "file", "row"], columns="col", values="value")
    returns = part[["unit", "file"]].drop_duplicates().sort_values(["unit", "file"])
    order = pd.MultiIndex.from_tuples(
        [(u, f, r.code) for u, f in returns.itertuples(index=False) for r in sec.rows],
        names=["unit", "file", "row"],
    )
    wide = wide.reindex(index=order, columns=[c.code for c in sec.cols])
    # NOTE: written for people, so amounts appear as exact decimals (万元, 元), not stored integers
    shown = {c: _texts(wide[c], section, c) for c in wide.columns}
    return pd.DataFrame(shown, index=wide.index).reset_index()


def _texts(values: pd.Series, section: str, col: str) -> list[str] | pd.Series:
    """A column of stored integers as printed: counts as they are, amounts as exact decimals."""
    if SECTIONS[section].col(col).scale:
        return ["" if pd.isna(v) else number_text(int(v), section, col) for v in values]
    return values.astype("Int64").astype("string").fillna("")


def as_unit_cells(county: pd.DataFrame, unit: str = COUNTY) -> pd.DataFrame:
    """The county table shaped like ingested cells, so the same rules can check it."""
    return county.assign(
        unit=unit,
        unit_code="",
        file="",
        sheet="",
        cell="",
        text="",
        read_as="number",
        problem="",
        raw_type="number",
    )
