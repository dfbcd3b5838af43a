"""BIFF8 workbooks (.xls, as old Excel and WPS save them): their records checked before reading, their error values, the formatting that changes what is seen of their cells (rich strings, fonts, fills), and their opening password."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from openpyxl.styles.colors import COLOR_INDEX

from pipeline.files.limits import LIMITS, UnreadableFile
from pipeline.files.runs import Run
from pipeline.ingest.values import Marked
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


# -- formatting that changes what is seen: fonts, cell formats, rich strings ---------------------
_BIFF_FONT, _BIFF_XF, _BIFF_FORMAT, _BIFF_PALETTE = 0x0031, 0x00E0, 0x041E, 0x0092
_BIFF_SST, _BIFF_CONTINUE, _BIFF_LABELSST = 0x00FC, 0x003C, 0x00FD
_BIFF_NUMBER, _BIFF_RK, _BIFF_MULRK, _BIFF_LABEL = 0x0203, 0x027E, 0x00BD, 0x0204
_BUILT_IN = ("000000", "FFFFFF", "FF0000", "00FF00", "0000FF", "FFFF00", "FF00FF", "00FFFF")


@dataclass(frozen=True)
class _Font:
    """What a BIFF8 FONT record does to text: raised or lowered, struck through, its colour."""

    position: str = ""
    strike: bool = False
    colour: int = 0x7FFF  # a palette index; 0x7FFF: automatic (black)


def biff_marked(data: bytes) -> dict[str, dict[tuple[int, int], Marked]]:
    """Per sheet, the cells of an .xls whose formatting changes what is seen: a rich string's
    runs raised, lowered, struck through or in the colour of the cell's fill (calamine joins
    them), or a cell format striking the value through, colouring it as its fill or showing
    nothing of it."""
    book = _biff_stream(data)
    if book is None:
        return {}
    fonts: list[_Font] = []
    xfs: list[tuple[int, int, int, int]] = []  # (font, number format, fill pattern, fill colour)
    formats: dict[int, str] = {}
    palette = [c[-6:] for c in COLOR_INDEX]
    sst: list[bytes] = []  # the SST record and its CONTINUE records, as written
    plies: dict[int, str] = {}
    cells: list[tuple[str, int, int, int, int | None]] = []  # sheet, row, col, xf, string index
    sheet = ""
    at = 0
    last = 0
    while at + 4 <= len(book):
        kind, size = struct.unpack_from("<HH", book, at)
        body = book[at + 4 : at + 4 + size]
        if kind == _BIFF_FONT and len(body) >= 10:
            grbit, icv, _, sss = struct.unpack_from("<HHHH", body, 2)
            position = {1: "super", 2: "sub"}.get(sss, "")
            fonts.append(_Font(position, bool(grbit & 0x08), icv))
        elif kind == _BIFF_XF and len(body) >= 20:
            ifnt, ifmt = struct.unpack_from("<HH", body)
            pattern = struct.unpack_from("<I", body, 14)[0] >> 26
            fore = struct.unpack_from("<H", body, 18)[0] & 0x7F
            xfs.append((ifnt, ifmt, pattern, fore))
        elif kind == _BIFF_FORMAT and len(body) >= 5:
            formats[struct.unpack_from("<H", body)[0]] = _biff_string(body[2:])
        elif kind == _BIFF_PALETTE and len(body) >= 2:
            count = struct.unpack_from("<H", body)[0]
            for i in range(min(count, 56, (len(body) - 2) // 4)):
                r, g, b = body[2 + 4 * i : 5 + 4 * i]
                palette[8 + i] = f"{r:02X}{g:02X}{b:02X}"
        elif kind == _BIFF_SST:
            sst = [body]
        elif kind == _BIFF_CONTINUE and last == _BIFF_SST:
            sst.append(body)
            kind = _BIFF_SST  # NOTE: more CONTINUE records may follow
        elif kind == _BIFF_SHEET and len(body) >= 8:
            plies[struct.unpack_from("<I", body)[0]] = _biff_short_string(body[6:])
        elif kind == _BIFF_BOF and at in plies:
            sheet = plies[at]
        elif kind == _BIFF_LABELSST and len(body) >= 10:
            r, c, xf, isst = struct.unpack_from("<HHHI", body)
            cells.append((sheet, r, c, xf, isst))
        elif kind in (_BIFF_NUMBER, _BIFF_RK, _BIFF_LABEL) and len(body) >= 6:
            r, c, xf = struct.unpack_from("<HHH", body)
            cells.append((sheet, r, c, xf, None))
        elif kind == _BIFF_MULRK and len(body) >= 6:
            r, first = struct.unpack_from("<HH", body)
            for i in range((len(body) - 6) // 6):
                xf = struct.unpack_from("<H", body, 4 + 6 * i)[0]
                cells.append((sheet, r, first + i, xf, None))
        last = kind
        at += 4 + size
    looks = _biff_looks(fonts, xfs, formats, palette)
    rich = _biff_rich(sst) if sst else {}
    found: dict[str, dict[tuple[int, int], Marked]] = {}
    for sheet, r, c, xf, isst in cells:
        look = looks[xf] if xf < len(looks) else None
        runs = rich.get(isst) if isst is not None else None
        mark = None
        if runs is not None and look is not None:
            mark = _biff_rich_marked(runs, look, fonts, palette)
        elif look is not None and (look.strike or look.unseen or look.hides):
            mark = Marked(strike=look.strike, unseen=look.unseen, format=look.hides)
        if mark is not None:
            found.setdefault(sheet, {})[r, c] = mark
    return found


@dataclass(frozen=True)
class _BiffLook:
    """What one cell format does to its text: its font's, whether struck through or unseen (the
    colour of the fill), a number format showing nothing; and the fill's colour."""

    font: _Font
    fill: str | None
    strike: bool
    unseen: bool
    hides: str


def _font(fonts: list[_Font], ifnt: int) -> _Font:
    """A font by its BIFF index (index 4 is never written: later fonts are numbered from 5)."""
    i = ifnt - 1 if ifnt > 4 else ifnt
    return fonts[i] if 0 <= i < len(fonts) else _Font()


def _icv(icv: int, palette: list[str], automatic: str) -> str | None:
    if icv < len(palette):
        return palette[icv]
    return {64: "000000", 65: "FFFFFF", 0x7FFF: automatic}.get(icv)


def _biff_looks(
    fonts: list[_Font],
    xfs: list[tuple[int, int, int, int]],
    formats: dict[int, str],
    palette: list[str],
) -> list[_BiffLook]:
    looks = []
    for ifnt, ifmt, pattern, fore in xfs:
        font = _font(fonts, ifnt)
        fill = (
            "FFFFFF" if pattern == 0 else (_icv(fore, palette, "FFFFFF") if pattern == 1 else None)
        )
        colour = _icv(font.colour, palette, "000000")
        code = formats.get(ifmt, "")
        looks.append(
            _BiffLook(
                font,
                fill,
                font.strike,
                fill is not None and colour == fill,
                code if ";" in code and not code.split(";")[0].strip() and '"' not in code else "",
            )
        )
    return looks


def _biff_rich_marked(
    runs: tuple[str, tuple[tuple[int, int], ...]],
    look: _BiffLook,
    fonts: list[_Font],
    palette: list[str],
) -> Marked | None:
    """A rich string's runs in a cell of one format (text before the first run in the cell's
    font), or None when none changes what is seen."""
    text, starts = runs
    bounds = [(0, None), *((ich, ifnt) for ich, ifnt in starts if 0 < ich < len(text))]
    if starts and starts[0][0] == 0:
        bounds[0] = (0, starts[0][1])
    seen = []
    for i, (start, ifnt) in enumerate(bounds):
        end = bounds[i + 1][0] if i + 1 < len(bounds) else len(text)
        font = look.font if ifnt is None else _font(fonts, ifnt)
        colour = _icv(font.colour, palette, "000000")
        seen.append(
            Run(
                text[start:end],
                font.position,
                font.strike,
                look.fill is not None and colour == look.fill,
            )
        )
    if look.hides or any(r.position or r.strike or r.unseen for r in seen):
        return Marked(tuple(seen), format=look.hides)
    return None


class _Segments:
    """The SST record and its CONTINUE records read as one stream: a string's characters broken
    by a record boundary go on after a new flags byte (8- or 16-bit characters)."""

    def __init__(self, parts: list[bytes]) -> None:
        self.parts, self.part, self.at = parts, 0, 0

    def _next(self) -> None:
        self.part, self.at = self.part + 1, 0
        if self.part >= len(self.parts):
            raise EOFError

    def read(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            if self.at >= len(self.parts[self.part]):
                self._next()
            body = self.parts[self.part]
            take = body[self.at : self.at + n - len(out)]
            self.at += len(take)
            out += take
        return out

    def chars(self, count: int, wide: bool) -> str:
        out = []
        while count:
            body = self.parts[self.part]
            if self.at >= len(body):
                self._next()
                wide = bool(self.read(1)[0] & 1)
                continue
            width = 2 if wide else 1
            n = min(count, (len(body) - self.at) // width)
            if n == 0:
                raise EOFError
            raw = body[self.at : self.at + n * width]
            out.append(raw.decode("utf-16-le" if wide else "latin-1", "replace"))
            self.at += n * width
            count -= n
        return "".join(out)


def _biff_rich(parts: list[bytes]) -> dict[int, tuple[str, tuple[tuple[int, int], ...]]]:
    """The shared strings of an .xls that are rich (by index): their text and their runs
    (first character, font index)."""
    found: dict[int, tuple[str, tuple[tuple[int, int], ...]]] = {}
    stream = _Segments(parts)
    try:
        _, unique = struct.unpack("<II", stream.read(8))
        for index in range(unique):
            count, flags = struct.unpack("<HB", stream.read(3))
            runs = struct.unpack("<H", stream.read(2))[0] if flags & 0x08 else 0
            ext = struct.unpack("<I", stream.read(4))[0] if flags & 0x04 else 0
            text = stream.chars(count, bool(flags & 1))
            starts = tuple(struct.unpack("<HH", stream.read(4)) for _ in range(runs))
            if ext:
                stream.read(ext)
            if starts:
                found[index] = (text, starts)
    except (EOFError, struct.error):
        return found  # NOTE: a truncated table: the strings read so far are known
    return found


def _biff_string(body: bytes) -> str:
    """A BIFF8 XLUnicodeString: its length (2 bytes), a flag (UTF-16 or Latin-1), the characters."""
    if len(body) < 3:
        return ""
    n, wide = struct.unpack_from("<H", body)[0], body[2] & 1
    raw = body[3 : 3 + n * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


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
