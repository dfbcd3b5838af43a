"""Word reports (.docx, written by Word or WPS), read as a person reads them with every revision
accepted (`pipeline/files/wordxml.py`, the one reader of Word text).

The body is read in order, paragraphs and tables as they stand (inside content controls and
custom XML too), so a table's heading paragraph comes before its grid. A merged cell's text
stands in every grid position it spans; each position gives where the merged cell starts, so it
is read once. Places: `t2:r5:c3` for a cell, `l<n>` for the n-th paragraph. A cell or paragraph
holding a revision, an object, hidden text or a field keeps what was found (`shown`), for the
readers of returns and of published reports to judge.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import docx
from lxml import etree

from pipeline.files.document import Cell, Document, Grid, Line, failed, finding
from pipeline.files.text import leading_titles
from pipeline.files.wordxml import Shown, body_blocks, cell_shown, paragraph_shown, table_rows

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
    for block in body_blocks(document.element.body):
        if block.tag.endswith("}p"):
            shown = paragraph_shown(block)
            line = Line(shown.text, f"l{len(lines) + 1}", shown=_kept(shown))
            lines.append(line)
            flow.append(line)
        else:
            grid = _grid(block, len(grids) + 1)
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


def _kept(shown: Shown) -> Shown | None:
    """What a paragraph or cell holds beyond plain text, or None when it holds nothing more."""
    plain = (
        shown.before is None
        and not shown.objects
        and not shown.hidden
        and not shown.fields
        and not shown.nested
    )
    return None if plain else shown


def _grid(table: etree._Element, index: int) -> Grid:
    origins: dict[etree._Element, tuple[int, int]] = {}
    read: dict[etree._Element, Shown] = {}
    rows = []
    for r, row in enumerate(table_rows(table)):
        out = []
        for c, tc in enumerate(row):
            where = f"t{index}:r{r + 1}:c{c + 1}"
            if tc is None:  # NOTE: a row starting late (w:gridBefore): nothing stands there
                out.append(Cell("", where, (r, c)))
                continue
            origin = origins.setdefault(tc, (r, c))
            shown = read.get(tc)
            if shown is None:
                shown = read[tc] = cell_shown(tc)
            out.append(Cell(shown.text, where, origin, _kept(shown)))
        rows.append(tuple(out))
    return Grid(f"t{index}", tuple(rows))
