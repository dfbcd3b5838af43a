"""Word reports (.docx, written by Word or WPS), read with python-docx.

The body is read in order, paragraphs and tables as they stand, so a table's heading paragraph
comes before its grid. A merged cell's text stands in every grid position it spans (python-docx
returns the same cell there); each position gives where the merged cell starts, so it is read
once. Places: `t2:r5:c3` for a cell, `l<n>` for the n-th paragraph.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from pipeline.files.document import Cell, Document, Grid, Line, failed, finding
from pipeline.files.text import leading_titles

MAX_PARTS_BYTES = 50 * 2**20  # uncompressed size past which a .docx is not opened


def read_docx(path: Path, data: bytes) -> Document:
    """A .docx report: its paragraphs and tables in body order."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_PARTS_BYTES:
                return failed(
                    path.name,
                    "docx",
                    finding("file.too_large", file=path.name, reason="解压后超过50MB"),
                )
        document = docx.Document(BytesIO(data))
    except Exception as exc:  # not a zip, not a Word document, a broken part
        return failed(
            path.name,
            "docx",
            finding(
                "file.unreadable",
                file=path.name,
                reason=f"不是可读取的Word文件（{type(exc).__name__}）",
            ),
        )
    lines: list[Line] = []
    grids: list[Grid] = []
    flow: list[Line | Grid] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            line = Line(item.text, f"l{len(lines) + 1}")
            lines.append(line)
            flow.append(line)
        elif isinstance(item, Table):
            grid = _grid(item, len(grids) + 1)
            grids.append(grid)
            flow.append(grid)
            # NOTE: a table's text is part of the document's text too (the old-format tells,
            # the narrative's figures are compared with the tables, not read from them)
            for row in grid.rows:
                seen = []
                for cell in row:
                    if cell.text not in seen:
                        seen.append(cell.text)
                lines.append(Line(" ".join(seen), row[0].where if row else grid.where))
    core = document.core_properties
    titles = ([core.title.strip()] if core.title and core.title.strip() else []) + leading_titles(
        [ln.text for ln in lines[:30]]
    )
    return Document(
        file=path.name,
        format="docx",
        titles=tuple(titles),
        lines=tuple(lines),
        grids=tuple(grids),
        flow=tuple(flow),
    )


def _grid(table: Table, index: int) -> Grid:
    origins: dict[object, tuple[int, int]] = {}
    rows = []
    for r, row in enumerate(table.rows):
        out = []
        for c, cell in enumerate(row.cells):
            origin = origins.setdefault(
                cell._tc, (r, c)
            )  # NOTE: the element, not id(): lxml proxies are recreated
            out.append(Cell(cell.text, f"t{index}:r{r + 1}:c{c + 1}", origin))
        rows.append(tuple(out))
    return Grid(f"t{index}", tuple(rows))
