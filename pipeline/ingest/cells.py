"""The long cell table: every cell read, with its unit, file, sheet, address, codes and reading; built from the reads as dictionary-encoded Arrow columns."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.ingest.returns import ReturnRead
from pipeline.ingest.values import (
    Reading,
)

CELL_COLUMNS = [
    "unit",
    "unit_code",
    "file",
    "sheet",
    "cell",
    "section",
    "row",
    "col",
    "raw_type",
    "text",
    "read_as",
    "value",
    "problem",
]


CELL_FIELDS = CELL_COLUMNS[3:]  # what a read gives of each cell (sheet … problem)


# NOTE: provenance added by issue 12, after the fixed columns: how the cell's row and column
# labels were matched, `row/col`, each exact | variant | similar | position (| sentence)
PROVENANCE_COLUMNS = ["matched"]


_SITE_FIELDS = {"sheet": 0, "cell": 2, "section": 3, "row": 4, "col": 5, "matched": 7}


_READING_FIELDS = ("raw_type", "text", "read_as", "value", "problem")


def cells_arrow(reads: list[ReturnRead]) -> pa.Table:
    """The cells of some reads as one Arrow table (column `file`, then a column per cell field).

    NOTE: built from numbers, not from a tuple per cell: the returns of one layout share their
    sites (one plan), and most readings are shared too (the memo keeps one per value), so
    every text column is dictionary-encoded from the few distinct sites and readings. Quick to
    build, small to send between processes, and decoded only where it is turned into a frame."""
    starts: dict[tuple, int] = {}  # a layout's sites → where they start in `sites`
    sites: list[tuple] = []
    site_index: list[np.ndarray] = []
    files: list[str] = []
    counts: list[int] = []
    readings: list[Reading] = []
    for read in reads:
        if not read.readings:
            continue
        start = starts.get(read.layout)
        if start is None:
            start = starts[read.layout] = len(sites)
            sites.extend(read.sites)
        site_index.append(np.arange(start, start + len(read.readings)))
        files.append(read.file)
        counts.append(len(read.readings))
        readings.extend(read.readings)
    # NOTE: the readings are alive in `reads`, so their identities are distinct while we look
    ids = np.fromiter(map(id, readings), dtype=np.uint64, count=len(readings))
    _, first, which = np.unique(ids, return_index=True, return_inverse=True)
    distinct = [readings[i] for i in first]
    at_site = np.concatenate(site_index) if site_index else np.empty(0, dtype=np.int64)
    arrays = {"file": _encoded(files, np.repeat(np.arange(len(files)), counts))}
    for name, k in _SITE_FIELDS.items():
        arrays[name] = _encoded([site[k] for site in sites], at_site)
    for name in _READING_FIELDS:
        values = [getattr(r, name) for r in distinct]
        arrays[name] = (
            pa.array(values, pa.int64()).take(which) if name == "value" else _encoded(values, which)
        )
    return pa.table({name: arrays[name] for name in ["file", *CELL_FIELDS, *PROVENANCE_COLUMNS]})


def _encoded(values: list[str], index: np.ndarray) -> pa.DictionaryArray:
    """`values[index]` as a dictionary array (each distinct text stored once)."""
    codes = pa.array(values, pa.string()).dictionary_encode()
    return pa.DictionaryArray.from_arrays(codes.indices.take(index), codes.dictionary)


def cell_table(cells: pa.Table, file_unit: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """One row per cell read, with its unit, file, sheet and address."""
    cells = cells.unify_dictionaries().combine_chunks()
    files = cells.column("file").chunk(0) if cells.num_rows else None
    if files is None:
        units = codes = pa.array([], pa.string())
    else:
        known = [file_unit[f] for f in files.dictionary.to_pylist()]
        units = pa.array([u for u, _ in known], type=pa.string()).take(files.indices)
        codes = pa.array([c for _, c in known], type=pa.string()).take(files.indices)
    table = (
        cells.add_column(0, "unit_code", codes)
        .add_column(0, "unit", units)
        .select([*CELL_COLUMNS, *PROVENANCE_COLUMNS])
    )
    # NOTE: decoded a column a thread: Arrow lets go of the GIL, so both cores work at it
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        columns = list(pool.map(_decoded, table.columns))
    text = pd.StringDtype("pyarrow", na_value=float("nan"))
    mapper = {pa.string(): text, pa.int64(): pd.Int64Dtype()}.get
    return pa.table(columns, names=table.column_names).to_pandas(types_mapper=mapper)


def _decoded(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column
