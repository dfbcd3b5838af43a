"""Aggregate: the units' cells → each unit's tables and the county-wide (全县) table, cell by cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.format2021 import SECTIONS, number_text
from pipeline.ingest.register import RECEIVED
from schemas.rules import WideTables

COUNTY = "全县"


def received_cells(cells: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """The cells of the returns that count: one received return per unit (no duplicates, no strays)."""
    counted = returns.loc[returns["status"] == RECEIVED, "file"]
    mask = cells["file"].isin(counted)
    return cells if mask.all() else cells[mask]  # NOTE: usually all count; no copy then


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


def unit_table(cells: pd.DataFrame, section: str, tables: WideTables | None = None) -> pd.DataFrame:
    """Every return's table `section`: a row per (unit, file, row code), a column per column code
    (`tables`: the cells already laid out, when the caller has them)."""
    sec = SECTIONS[section]
    tables = tables if tables is not None else WideTables(cells)
    grid, present = tables.array(section)
    units, files = tables.units(), np.asarray(tables.files, dtype=object)
    order = sorted(np.flatnonzero(present), key=lambda i: (units[i], files[i]))
    rows, cols = [r.code for r in sec.rows], [c.code for c in sec.cols]
    values = grid[order].reshape(-1, len(cols))
    table: dict[str, object] = {
        "unit": np.repeat(units[order], len(rows)),
        "file": np.repeat(files[order], len(rows)),
        "row": np.tile(np.asarray(rows, dtype=object), len(order)),
    }
    # NOTE: written for people, so amounts appear as exact decimals (万元, 元), not stored integers
    for j, col in enumerate(cols):
        table[col] = _texts(values[:, j], section, col)
    return pd.DataFrame(table, columns=["unit", "file", "row", *cols])


def _texts(values: np.ndarray, section: str, col: str) -> list[str] | pd.Series:
    """A column of stored integers (as exact floats, NaN for none) as printed: counts as they
    are, amounts as exact decimals."""
    if SECTIONS[section].col(col).scale:
        return ["" if v != v else number_text(int(v), section, col) for v in values.tolist()]
    numbers = pa.array(values, from_pandas=True).cast(pa.int64())
    return pd.Series(numbers.cast(pa.string()).fill_null(""), dtype="string[pyarrow]")


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
