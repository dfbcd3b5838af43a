"""BIFF8 workbooks (.xls, as old Excel and WPS save them): their records checked before reading, their error values and their opening password."""

from __future__ import annotations

import struct

from pipeline.files.limits import LIMITS, UnreadableFile
from pipeline.inputs import read_config, read_units  # noqa: F401  (the run's own inputs)

# BIFF8 records (the .xls format) holding a cell: the row, then the column, lead their data
_BIFF_CELLS = {0x0006, 0x00BD, 0x00BE, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6}


_BIFF_BOF, _BIFF_SHEET, _BIFF_SUPBOOK = 0x0809, 0x0085, 0x01AE


def _checked_biff(data: bytes) -> tuple[str, ...]:
    """Check an .xls: its sheets and the grid each cell record spans; macros, external links."""
    import olefile

    try:
        ole = olefile.OleFileIO(data)
    except Exception:  # NOTE: not an OLE2 file olefile can read; calamine says what it is
        return ()
    with ole:
        stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
        if stream is None:
            return ()  # NOTE: an encrypted .xlsx is an OLE2 file too; calamine names it
        book = ole.openstream(stream).read()
        macros = ole.exists("_VBA_PROJECT_CUR")
    sheets = cells = 0
    rows = cols = 0
    external = False
    at = 0
    while at + 4 <= len(book):
        kind, size = struct.unpack_from("<HH", book, at)
        body = book[at + 4 : at + 4 + size]
        at += 4 + size
        if kind in _BIFF_CELLS and len(body) >= 4:
            r, c = struct.unpack_from("<HH", body)
            if kind in (0x00BD, 0x00BE) and len(body) >= 6:
                c = struct.unpack_from("<H", body, len(body) - 2)[0]
            rows, cols = max(rows, r + 1), max(cols, c + 1)
        elif kind == _BIFF_BOF:
            cells += rows * cols
            rows = cols = 0
        elif kind == _BIFF_SHEET:
            sheets += 1
        elif kind == _BIFF_SUPBOOK and len(body) >= 4:
            # NOTE: 0x0401 marks the workbook's own references, 0x3A01 add-in functions
            external |= body[2:4] not in (b"\x01\x04", b"\x01\x3a")
        if rows > LIMITS.rows:
            raise UnreadableFile(
                f"的第{sheets}个工作表有{rows}行以上（上限{LIMITS.rows}行）", "file.too_large"
            )
        if cells + rows * cols > LIMITS.cells:
            raise UnreadableFile(
                f"的工作表共有{cells + rows * cols}个以上单元格的范围（上限{LIMITS.cells}个）",
                "file.too_large",
            )
    if sheets > LIMITS.sheets:
        raise UnreadableFile(f"有{sheets}个工作表（上限{LIMITS.sheets}个）", "file.too_large")
    return tuple(n for n, on in (("file.macros", macros), ("file.external_links", external)) if on)


# BIFF8 error codes (a BOOLERR record's value, a FORMULA record's cached error)
_BIFF_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}


_BIFF_FORMULA, _BIFF_BOOLERR, _BIFF_FILEPASS, _BIFF_EOF = 0x0006, 0x0205, 0x002F, 0x000A


def _biff_errors(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet, the cells of an .xls holding an error value (a BOOLERR record marked as an
    error, or a FORMULA record whose cached result is one)."""
    book = _biff_stream(data)
    if book is None:
        return {}
    found: dict[str, dict[tuple[int, int], str]] = {}
    plies: dict[int, str] = {}  # a sheet's BOF position in the stream → its name
    sheet = ""
    at = 0
    while at + 4 <= len(book):
        kind, size = struct.unpack_from("<HH", book, at)
        body = book[at + 4 : at + 4 + size]
        if kind == _BIFF_SHEET and len(body) >= 8:
            plies[struct.unpack_from("<I", body)[0]] = _biff_short_string(body[6:])
        elif kind == _BIFF_BOF and at in plies:
            sheet = plies[at]
        elif kind == _BIFF_BOOLERR and len(body) >= 8 and body[7] == 1:
            r, c = struct.unpack_from("<HH", body)
            found.setdefault(sheet, {})[r, c] = _BIFF_ERRORS.get(body[6], "#错误")
        elif (
            kind == _BIFF_FORMULA
            and len(body) >= 14
            and body[12:14] == b"\xff\xff"
            and body[6] == 2
        ):
            r, c = struct.unpack_from("<HH", body)
            found.setdefault(sheet, {})[r, c] = _BIFF_ERRORS.get(body[8], "#错误")
        at += 4 + size
    return found


def _biff_stream(data: bytes) -> bytes | None:
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
            return ole.openstream(stream).read() if stream else None
    except Exception:  # NOTE: not an OLE2 file olefile can read; calamine says what it is
        return None


def _biff_short_string(body: bytes) -> str:
    """A BIFF8 ShortXLUnicodeString: its length, a flag (UTF-16 or Latin-1), the characters."""
    if len(body) < 2:
        return ""
    n, wide = body[0], body[1] & 1
    raw = body[2 : 2 + n * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


def biff_has_password(book: bytes) -> bool:
    """Whether an .xls Workbook stream holds a FILEPASS record in its globals (before their EOF)."""
    at = 0
    while at + 4 <= len(book):
        kind, size = struct.unpack_from("<HH", book, at)
        if kind == _BIFF_FILEPASS:
            return True
        if kind == _BIFF_EOF:
            return False
        at += 4 + size
    return False
