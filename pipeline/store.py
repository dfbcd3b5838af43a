"""The products of the stages on disk: CSV (UTF-8 with BOM, never a live formula), the cell tables with their Parquet copies, JSON, text and bytes."""

from __future__ import annotations

import codecs
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pa_parquet

from pipeline.format2021 import AMOUNT_COLS, number_text, scale
from pipeline.render.workbook import LastYearFigures
from pipeline.render.workbook import write_template as write_return_template

CSV_ENCODING = "utf-8-sig"  # NOTE: the BOM makes Excel and WPS on Windows read the Chinese right


def write_csv(table: pd.DataFrame, path: Path, *, header: bool = True) -> Path:
    """Write a table as UTF-8 CSV with BOM, every value as quoted text, none a live formula.

    NOTE: pyarrow's writer is ~20× faster than pandas' on a province's two million cells. Text that
    Excel or WPS would take for a formula (`=…`, `+…`, `-…`, `@…`, but not a plain number such as
    `-3`) is written behind a `'`, as is text that itself begins with `'`; `read_csv` takes one
    `'` off again, so every stage reads back exactly what the one before wrote.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    text = pd.DataFrame({str(c): defused(table[c]) for c in table.columns})
    arrow = pa.Table.from_pandas(text, preserve_index=False)
    with path.open("wb") as f:
        f.write(codecs.BOM_UTF8)
        pa_csv.write_csv(
            arrow,
            f,
            write_options=pa_csv.WriteOptions(include_header=header, quoting_style="needed"),
        )
    return path


def read_csv(path: Path) -> pd.DataFrame:
    """Read a table written by `write_csv`, every column as text exactly as it was written."""
    table = pd.read_csv(
        path, dtype=str, keep_default_na=False, engine="pyarrow", encoding=CSV_ENCODING
    )
    return pd.DataFrame({c: _restored(table[c].fillna("")) for c in table.columns})


_LIVE = r"^[=+\-@\t\r']"  # what a spreadsheet would take for a formula, and the escape itself


_PLAIN_NUMBER = r"-?\d+(\.\d+)?"


def defused(column: pd.Series) -> pd.Series:
    """A column as text that no spreadsheet will run: `=1+1` becomes `'=1+1`; `-3` stays."""
    text = column.astype("string[pyarrow]").fillna("")
    live = text.str.contains(_LIVE, regex=True)
    if not live.any():
        return text
    live[live] = ~text[live].str.fullmatch(_PLAIN_NUMBER)  # NOTE: -3 is a number, not a formula
    return text.mask(live, "'" + text)


def _restored(column: pd.Series) -> pd.Series:
    escaped = column.str.startswith("'")
    return column.mask(escaped, column.str.slice(1)) if escaped.any() else column


def write_cells(cells: pd.DataFrame, path: Path) -> Path:
    """Write a cell table: CSV for people, its stored integers as the exact decimals they stand
    for; and beside it the same table as Parquet, which a later stage run on its own reads in a
    fraction of the time (a province's two million cells)."""
    shown = cells["value"].astype("string").fillna("")
    # NOTE: counts print as they are stored; only amounts (a few cells a return) need decimals
    money = _amounts(cells) & cells["value"].notna()
    shown[money] = [
        number_text(int(v), s, c)
        for v, s, c in cells.loc[money, ["value", "section", "col"]].itertuples(index=False)
    ]
    write_csv(cells.assign(value=shown), path)
    # NOTE: after the CSV, so it is never older than the CSV it copies (read_cells checks that)
    pa_parquet.write_table(pa.Table.from_pandas(cells, preserve_index=False), _sidecar(path))
    return path


def read_cells(path: Path) -> pd.DataFrame:
    """Read a cell table written by `write_cells`, its values back to exact integers: from the
    Parquet copy when it is as new as the CSV, else from the CSV (so an edited CSV is never
    overlooked)."""
    sidecar = _sidecar(path)
    if sidecar.exists() and sidecar.stat().st_mtime_ns >= path.stat().st_mtime_ns:
        text = pd.StringDtype("pyarrow", na_value=float("nan"))
        mapper = {pa.string(): text, pa.large_string(): text, pa.int64(): pd.Int64Dtype()}.get
        return pa_parquet.read_table(sidecar).to_pandas(types_mapper=mapper)
    table = read_csv(path)
    money = _amounts(table)
    text = table["value"].mask(money | (table["value"] == ""))
    stored = pd.to_numeric(text).astype("Int64")
    stored[money] = pd.array(
        [
            None if t == "" else int(Decimal(t).scaleb(scale(s, c)))
            for t, s, c in table.loc[money, ["value", "section", "col"]].itertuples(index=False)
        ],
        dtype="Int64",
    )
    return table.assign(value=stored)


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".parquet")


def _amounts(cells: pd.DataFrame) -> pd.Series:
    return cells["col"].isin(AMOUNT_COLS)


def write_grid(table: pd.DataFrame, path: Path) -> Path:
    """Write a table laid out as the report prints it: no header row, no index."""
    return write_csv(table, path, header=False)


def write_template(path: Path, unit: str, year: int, last: LastYearFigures | None = None) -> Path:
    """Write the return workbook to send to `unit` (empty: a generic copy), its 上年结转
    prefilled from `last`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_return_template(path, unit, year, last)
    return path


def write_json(record: dict, path: Path) -> Path:
    """Write a record as readable, stable JSON (keys in order, Chinese as is)."""
    text = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True, default=_plain_json)
    return write_text(text + "\n", path)


def _plain_json(value: object) -> object:
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    raise TypeError(f"not JSON: {value!r}")


def write_text(text: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_bytes(data: bytes, path: Path) -> Path:
    """Write a file made in memory (a .docx, an .xlsx) in one go."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def remove(paths: list[Path]) -> None:
    """Remove stale products (files or folders) of stages that will be run again."""
    for p in paths:
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
