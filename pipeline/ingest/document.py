"""A Word report sent as a return (a department filled the format's Word template): its
paragraphs and tables laid out as sheets, so the tables are found by their labels like any
workbook's, and each cell is named by its table, row and column."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import Path

from pipeline.files.convert import read_converted
from pipeline.files.document import Cell, Document, Grid, Line
from pipeline.files.docx import read_docx
from pipeline.files.limits import _OLE2
from pipeline.format2021 import SECTIONS
from pipeline.ingest.returns import ReturnRead, return_read
from pipeline.ingest.vocabulary import segments
from pipeline.ingest.wordcells import cell_reading, sentence_readings
from pipeline.memo import Memo

BODY = "正文"  # the sheet of the document's paragraphs (title, 填报单位, part 六's sentence)


def is_document(data: bytes) -> bool:
    """Whether a file's bytes are a Word or WPS document (.docx, or .doc/.wps by their
    WordDocument stream), whatever its name says."""
    if data[:2] == b"PK":
        if b"word/document.xml" not in data:  # NOTE: a zip stores its member names as written
            return False
        try:
            with zipfile.ZipFile(BytesIO(data)) as zf:
                return "word/document.xml" in zf.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
    if data[:8] == _OLE2:
        import olefile

        try:
            with olefile.OleFileIO(data) as ole:
                return bool(ole.exists("WordDocument"))
        except Exception:  # NOTE: not an OLE2 file olefile can read; the workbook reader says why
            return False
    return False


def read_document(path: Path, data: bytes) -> Document:
    """A Word or WPS document, converted by LibreOffice first when it is a .doc or .wps."""
    if data[:2] == b"PK":
        return read_docx(path, data)
    return read_converted(path, data)


def failure(doc: Document) -> str | None:
    """Why a document could not be read as a return (None when it could)."""
    if doc.grids or doc.lines:
        return None
    rules = {f.get("rule") for f in doc.findings}
    if "audit.no_converter" in rules:
        return (
            "是旧版 Word/WPS 文件（.doc/.wps），本机没有安装 LibreOffice，无法转换读取；"
            "请另存为 .docx 后重新报送"
        )
    if "file.too_large" in rules:
        return "解压后超过50MB，不是正常的年报文件"
    return "不是可读取的 Word 文件或文件已损坏"


@dataclass(frozen=True)
class WordSheets:
    """A Word document laid out as sheets: the body's paragraphs (`正文`), then each table (`表格1`
    …, numbered as in the document); the paragraphs and cells holding more than their text; the
    tables read as one because a page or section break split them, and where each row of a
    joined sheet stands in the document."""

    sheets: dict[str, list[list[object]]]
    marks: dict[tuple[str, tuple[int, int]], Line | Cell] = field(default_factory=dict)
    joined: tuple[tuple[str, str], ...] = ()  # (the first table's sheet, the continuation's)
    origins: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)

    def place(self, sheet: str, r: int, c: int) -> tuple[str, str]:
        """The table and the cell a person finds a sheet's cell at: (`表格3`, `第2行第4列`)."""
        rows = self.origins.get(sheet)
        if rows is not None and r < len(rows):
            sheet, r = rows[r]
        return sheet, place(r, c)


def document_sheets(doc: Document) -> WordSheets:
    """The document as sheets: its paragraphs, one a row (`正文`), then each table as a sheet of
    its own, a merged cell's text at its first position only, as a workbook has it; a table
    continued in the next one after a page or section break is one sheet."""
    body: list[list[object]] = []
    marks: dict[tuple[str, tuple[int, int]], Line | Cell] = {}
    tables: list[tuple[str, Grid, list[tuple[str, int]]]] = []
    joined: list[tuple[str, str]] = []
    between: list[Line] = []  # the paragraphs since the last table
    for block in doc.flow:
        if not isinstance(block, Grid):
            between.append(block)
            if block.text.strip():
                if block.shown is not None:
                    marks[BODY, (len(body), 0)] = block
                body.append([block.text.strip()])
            continue
        sheet = table_sheet(int(block.where.lstrip("t")))
        header = continued(tables[-1][1], block, between) if tables else None
        if header is None:
            tables.append((sheet, block, [(sheet, r) for r in range(len(block.rows))]))
        else:
            first, grid, rows = tables[-1]
            tables[-1] = (first, _joined(grid, block, header), rows)
            rows.extend((sheet, r) for r in range(header, len(block.rows)))
            joined.append((first, sheet))
        between = []
    sheets: dict[str, list[list[object]]] = {BODY: body}
    origins = {}
    for sheet, grid, rows in tables:
        sheets[sheet] = _rows(grid)
        if any(s != sheet for s, _ in rows):
            origins[sheet] = tuple(rows)
        for r, row in enumerate(grid.rows):
            for c, cell in enumerate(row):
                if cell.shown is not None and cell.origin == (r, c):
                    marks[sheet, (r, c)] = cell
    return WordSheets(sheets, marks, tuple(joined), origins)


def continued(first: Grid, second: Grid, between: list[Line]) -> int | None:
    """How many header rows the second table repeats when it continues the first (a table of
    the format split by a page or section break: only empty paragraphs between them, the same
    width, and the second's first labelled row the row after the first's last one in the
    format's order); None when it does not continue it."""
    if any(line.text.strip() for line in between):
        return None
    if _width(first) != _width(second):
        return None
    last = [r for r in map(_row_place, first.rows) if r is not None]
    if not last:
        return None
    section, index = last[-1]
    for k, row in enumerate(second.rows):
        found = _row_place(row)
        if found is None:
            continue
        if found != (section, index + 1):
            return None
        header = first.texts()[:k]
        return k if [[c.text for c in r] for r in second.rows[:k]] == header else None
    return None


def _width(grid: Grid) -> int:
    return max((len(row) for row in grid.rows), default=0)


def _row_place(row: tuple[Cell, ...]) -> tuple[str, int] | None:
    """The section and the index in its rows of the format's row a table row is labelled with:
    its last cell naming one row of the format and nothing else (`总计` is a column too)."""
    for cell in reversed(row):
        meanings = {
            (m.section, m.kind, m.code) for seg in segments(cell.text) for m in seg.meanings
        }
        if len(meanings) == 1:
            section, kind, code = meanings.pop()
            if kind == "row":
                return section, _ROW_ORDER[section][code]
    return None


_ROW_ORDER = {code: {r.code: i for i, r in enumerate(s.rows)} for code, s in SECTIONS.items()}


def _joined(first: Grid, second: Grid, header: int) -> Grid:
    """One grid of a table and its continuation (the continuation's repeated header left out),
    each cell's origin counted in the joined grid."""
    shift = len(first.rows) - header
    rows = [
        tuple(
            replace(cell, origin=(cell.origin[0] + shift, cell.origin[1]))
            if cell.origin[0] >= header
            else replace(cell, origin=(r + shift, c))  # NOTE: merged down from the header
            for c, cell in enumerate(row)
        )
        for r, row in enumerate(second.rows[header:], start=header)
    ]
    return Grid(first.where, (*first.rows, *rows), first.page)


def document_return(name: str, doc: Document, memo: Memo | None = None) -> ReturnRead:
    """A Word document read as a return: its tables found by their labels like a workbook's,
    each cell named by its table, row and column (`表格2!第5行第3列`), and read as Word shows
    it, what it holds beyond its text judged (`ingest/wordcells.py`)."""
    laid = document_sheets(doc)
    read = return_read(name, laid.sheets, memo=memo)
    readings = list(read.readings)
    sentence: list[int] = []
    for i, site in enumerate(read.sites):
        sheet, at, scale = site[0], site[1], site[6]
        mark = laid.marks.get((sheet, at))
        if isinstance(mark, Line):
            sentence.append(i)
        elif mark is not None:
            readings[i] = cell_reading(mark, readings[i], scale, laid.sheets[sheet], at)
    if sentence:
        line = laid.marks[read.sites[sentence[0]][0], read.sites[sentence[0]][1]]
        assert isinstance(line, Line)
        changed = sentence_readings(line, [readings[i] for i in sentence])
        for i, reading in zip(sentence, changed, strict=True):
            readings[i] = reading
    read.readings = readings
    read.sites = tuple(_placed(laid, s) for s in read.sites)
    read.layout = (*read.layout, "document")  # NOTE: its sites differ from a workbook's
    read.joined = laid.joined
    read.derived = ()
    return read


def _placed(laid: WordSheets, site: tuple) -> tuple:
    """A site of a sheet of the document named as a person finds it: its table and cell."""
    sheet, at = site[0], site[1]
    table, cell = laid.place(sheet, *at)
    return (table, at, cell, *site[3:])


def table_sheet(n: int) -> str:
    """The sheet name of the document's n-th table."""
    return f"表格{n}"


def place(r: int, c: int) -> str:
    """A cell of a document's table, as a person finds it: 第5行第3列."""
    return f"第{r + 1}行第{c + 1}列"


def _rows(grid: Grid) -> list[list[object]]:
    return [
        [cell.text if cell.origin == (r, c) else "" for c, cell in enumerate(row)]
        for r, row in enumerate(grid.rows)
    ]
