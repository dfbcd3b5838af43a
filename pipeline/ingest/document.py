"""A Word report sent as a return (a department filled the format's Word template): its
paragraphs and tables laid out as sheets, so the tables are found by their labels like any
workbook's, and each cell is named by its table, row and column."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

from pipeline.files.convert import read_converted
from pipeline.files.document import Document, Grid
from pipeline.files.docx import read_docx
from pipeline.files.limits import _OLE2

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


def document_sheets(doc: Document) -> dict[str, list[list[object]]]:
    """The document as sheets: its paragraphs, one a row (`正文`), then each table as a sheet of
    its own (`表格1` …), a merged cell's text at its first position only, as a workbook has it."""
    sheets: dict[str, list[list[object]]] = {BODY: []}
    for block in doc.flow:
        if isinstance(block, Grid):
            sheets[table_sheet(len(sheets))] = _rows(block)
        elif block.text.strip():
            sheets[BODY].append([block.text.strip()])
    return sheets


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
