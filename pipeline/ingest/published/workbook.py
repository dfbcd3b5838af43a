"""Workbooks (.xlsx, .xls, .ods; Excel or WPS 表格), read through the project's own checked reader.

`pipeline.io.read_workbook` opens them (hostile-file limits, calamine); each sheet becomes a grid
(`<sheet>!t1:r5:c3`). Merged cells are not expanded: a workbook keeps a merged cell's value at
its top-left position only, which is where table recognition looks.
"""

from __future__ import annotations

from pathlib import Path

from pipeline import files
from pipeline.files.document import Cell, Document, Grid, Line, failed, finding
from pipeline.files.text import leading_titles
from pipeline.ingest.values import cell_text


def read_xlsx(path: Path, data: bytes) -> Document:
    """A workbook: each sheet a grid, in sheet order."""
    try:
        book = files.read_workbook(path)
    except files.UnreadableFile as exc:
        return failed(path.name, "xlsx", finding(exc.rule, file=path.name, reason=str(exc)))
    grids: list[Grid] = []
    lines: list[Line] = []
    for s, (name, rows) in enumerate(book.sheets.items(), start=1):
        cells = tuple(
            tuple(
                Cell(cell_text(v), f"{name}!r{r + 1}:c{c + 1}", (r, c)) for c, v in enumerate(row)
            )
            for r, row in enumerate(rows)
        )
        grids.append(Grid(f"{name}!t{s}", cells))
        lines.extend(
            Line(" ".join(c.text for c in row if c.text), row[0].where)
            for row in cells
            if row and any(c.text for c in row)
        )
    return Document(
        file=path.name,
        format="xlsx",
        titles=tuple(leading_titles([ln.text for ln in lines[:10]])),
        lines=tuple(lines),
        grids=tuple(grids),
        flow=tuple(grids),
    )
