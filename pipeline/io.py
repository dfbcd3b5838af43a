"""The edges: every file the pipeline reads or writes goes through here."""

from __future__ import annotations

import codecs
import hashlib
import html
import json
import re
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from io import BytesIO
from operator import itemgetter
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pa_parquet
from python_calamine import CalamineWorkbook, PasswordError, SheetVisibleEnum

from pipeline.format2021 import AMOUNT_COLS, number_text, scale
from pipeline.inputs import read_config, read_units  # noqa: F401  (the run's own inputs)
from pipeline.ooxml import stable_package
from pipeline.values import Hidden
from pipeline.workbook import write_template as write_return_template

CSV_ENCODING = "utf-8-sig"  # NOTE: the BOM makes Excel and WPS on Windows read the Chinese right
Sheets = dict[str, list[list[object]]]


class UnreadableFile(Exception):
    """A file that could not be opened as a spreadsheet; the message says why, in Chinese, and
    `rule` names the finding it makes."""

    def __init__(self, reason: str, rule: str = "file.unreadable"):
        super().__init__(reason)
        self.rule = rule


@dataclass(frozen=True)
class WorkbookRead:
    """One return as read: its sheets, what its empty-looking cells really hold (formulas with
    no stored result, error values: asked for only when needed), the rules of the notes it calls
    for (macros, external links: never run or followed), and which sheets are hidden."""

    sheets: Sheets
    hidden: Callable[[], Hidden] | None = None
    notes: tuple[str, ...] = ()
    size: int = 0  # bytes read
    sha256: str = ""  # of the bytes read: what every figure of the return came from
    hidden_sheets: frozenset[str] = frozenset()  # hidden or very hidden

    def formulas(self) -> dict[str, dict[tuple[int, int], str]]:
        """Per sheet, the cells holding a formula with no stored result."""
        return self.hidden().formulas if self.hidden else {}


def read_workbook(path: Path) -> WorkbookRead:
    """A return read from one snapshot of its bytes, after they were checked against LIMITS."""
    data = _snapshot(path)
    digest = hashlib.sha256(data).hexdigest()
    if encrypted(data):
        raise UnreadableFile("设有打开密码", "file.encrypted")
    notes = checked_workbook(data)
    try:
        # NOTE: from the bytes already checked, never from the path: the file may change meanwhile
        wb = CalamineWorkbook.from_filelike(BytesIO(data))
        # NOTE: skip_empty_area=False keeps row 0 at the sheet's row 1, so addresses stay true.
        sheets = {
            name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in wb.sheet_names
        }
        hidden_sheets = frozenset(
            m.name for m in wb.sheets_metadata if m.visible != SheetVisibleEnum.Visible
        )
    except Exception as exc:  # calamine raises its own error types for every kind of bad file
        if isinstance(exc, PasswordError) or "password" in str(exc).lower():
            raise UnreadableFile("设有打开密码", "file.encrypted") from exc
        raise UnreadableFile(_reason(exc)) from exc
    return WorkbookRead(sheets, lambda: hidden_cells(data), notes, len(data), digest, hidden_sheets)


def read_sheets(path: Path) -> Sheets:
    """Every sheet of a workbook as a grid of raw values, row 0 being the sheet's first row."""
    return read_workbook(path).sheets


def _snapshot(path: Path) -> bytes:
    """The file's bytes, read once; raises if it is too big, or vanished or changed while read."""
    try:
        before = path.stat()
        if before.st_size > LIMITS.file_bytes:
            raise _too_big(before.st_size)
        data = _contents(path)
        after = path.stat()
    except FileNotFoundError as exc:
        raise UnreadableFile("在读取时已被删除或移走", "file.changed") from exc
    except OSError as exc:
        raise UnreadableFile(f"读取失败（{exc.strerror or type(exc).__name__}）") from exc
    changed = (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns)
    if changed or len(data) != after.st_size:
        raise UnreadableFile(
            f"在读取过程中被改动（读取前{before.st_size}字节，读取后{after.st_size}字节"
            f"{'，修改时间也不同' if before.st_mtime_ns != after.st_mtime_ns else ''}）",
            "file.changed",
        )
    if not data:
        raise UnreadableFile("文件为空（0字节）")
    return data


def _contents(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(LIMITS.file_bytes + 1)


# -- hostile files: checked before any reader (calamine, openpyxl) touches them ---------------------
@dataclass(frozen=True)
class Limits:
    """What a return may be. A real return is 30–60 KB, with 5–6 sheets of a few dozen rows; each
    limit leaves room for a department's own bigger workbook, and stops a hostile file before it
    costs minutes or gigabytes."""

    # the whole file is read into memory once; 20 MB is 300 times a real return
    file_bytes: int = 20 * 2**20
    # zip entries: a return has 10–30 (sheets, styles, theme, printer settings, a few images)
    parts: int = 1_000
    # one entry inflated: a real sheet's XML is 50–300 KB; calamine holds a whole part in memory
    part_bytes: int = 64 * 2**20
    # every entry inflated, together
    total_bytes: int = 256 * 2**20
    # inflated ÷ compressed: sheet XML deflates 5–30×, a zip bomb about 1,000×; parts under
    # `ratio_grace` are not judged by it (Apache POI's ZipSecureFile works the same way)
    ratio: int = 200
    ratio_grace: int = 2**20
    # a return has 5–6; a department's whole workbook a few dozen
    sheets: int = 200
    # rows of one sheet: a return has a few dozen
    rows: int = 10_000
    # rows × columns over all sheets: calamine builds every sheet as a full grid (≈ 32 bytes a
    # cell, then a Python list), so one cell at XFD1048576 would cost gigabytes; 500,000 is
    # 250 times a return (≈ 2,000) and at most ≈ 40 MB
    cells: int = 500_000
    # one text run of the XML (a cell's text, a shared string): Excel holds at most 32,767
    # characters in a cell, under 256 KB even as 8-byte character references
    text_bytes: int = 2**18


LIMITS = Limits()
_CHUNK = 2**16
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def checked_workbook(data: bytes) -> tuple[str, ...]:
    """The rules of the notes a workbook's bytes call for (macros, external links); raises
    UnreadableFile when they are beyond LIMITS (a zip bomb, a million rows, thousands of sheets,
    a text of megabytes), before any reader inflates them."""
    if len(data) > LIMITS.file_bytes:
        raise _too_big(len(data))
    if data[:2] == b"PK":
        try:
            zf = zipfile.ZipFile(BytesIO(data))
        except (zipfile.BadZipFile, ValueError, OSError):
            return ()  # NOTE: not a zip after all; calamine says what it is
        with zf:
            return _checked_package(zf, data)
    if data[:8] == _OLE2:
        return _checked_biff(data)
    return ()


def _checked_package(zf: zipfile.ZipFile, data: bytes) -> tuple[str, ...]:
    """Check a zip's directory (declared sizes, ratios, entry count), then the sheets' XML."""
    infos = zf.infolist()
    for info in infos:
        if info.file_size > LIMITS.part_bytes:
            raise UnreadableFile(
                f"的部件“{info.filename}”解压后为{_size(info.file_size)}"
                f"（上限{_size(LIMITS.part_bytes)}）",
                "file.zip_bomb",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > LIMITS.ratio_grace and ratio > LIMITS.ratio:
            raise UnreadableFile(
                f"的部件“{info.filename}”压缩比为{ratio:.0f}:1"
                f"（{_size(info.compress_size)}解压后为{_size(info.file_size)}，上限{LIMITS.ratio}:1）",
                "file.zip_bomb",
            )
    total = sum(i.file_size for i in infos)
    if total > LIMITS.total_bytes:
        raise UnreadableFile(
            f"解压后共{_size(total)}（上限{_size(LIMITS.total_bytes)}）", "file.zip_bomb"
        )
    by_name = {i.filename: i for i in infos}
    listed: list[str] = []  # the part of each sheet the workbook lists (one part may serve many)
    if "xl/workbook.xml" in by_name and "xl/_rels/workbook.xml.rels" in by_name:
        book = b"".join(_inflated(data, by_name["xl/workbook.xml"]))
        rels = b"".join(_inflated(data, by_name["xl/_rels/workbook.xml.rels"]))
        listed = [part for part, _ in _sheet_parts(book, rels)]
    if len(listed) > LIMITS.sheets:
        raise UnreadableFile(f"有{len(listed)}个工作表（上限{LIMITS.sheets}个）", "file.too_large")
    if len(infos) > LIMITS.parts:
        raise UnreadableFile(
            f"的压缩包有{len(infos)}个部件（上限{LIMITS.parts}个）", "file.too_large"
        )
    cells = 0
    sheet_parts = {n for n in by_name if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    for name in sorted(sheet_parts | set(listed) | {"xl/sharedStrings.xml", "content.xml"}):
        info = by_name.get(name)
        if info is None:
            continue
        if name in ("xl/sharedStrings.xml", "content.xml"):
            extent = _ods_extent if name == "content.xml" else _texts_only
            sheets, area = extent(_inflated(data, info), name)
            if sheets > LIMITS.sheets:
                raise UnreadableFile(
                    f"有{sheets}个工作表（上限{LIMITS.sheets}个）", "file.too_large"
                )
        else:
            rows, cols = _xlsx_extent(_inflated(data, info), name)
            if rows > LIMITS.rows:
                raise UnreadableFile(
                    f"的工作表部件“{name}”有{rows}行以上（上限{LIMITS.rows}行）", "file.too_large"
                )
            area = rows * cols * max(1, listed.count(name))
        cells += area
        if cells > LIMITS.cells:
            raise UnreadableFile(
                f"的工作表共有{cells}个以上单元格的范围（上限{LIMITS.cells}个）",
                "file.too_large",
            )
    names = {n.lower() for n in by_name}
    notes = []
    if any(n.endswith("vbaproject.bin") or n.startswith("basic/") for n in names):
        notes.append("file.macros")
    if any(n.startswith("xl/externallinks/") for n in names):
        notes.append("file.external_links")
    return tuple(notes)


def _inflated(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """One zip entry's bytes in chunks, inflated here with a cap: never more than its declared
    size (an entry that inflates past it has a lying header)."""
    start = info.header_offset
    head = data[start : start + 30]
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise UnreadableFile(f"不是有效的电子表格文件或文件已损坏（部件“{info.filename}”）")
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    start += 30 + name_len + extra_len
    raw = memoryview(data)[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        for i in range(0, min(len(raw), info.file_size), _CHUNK):
            yield bytes(raw[i : min(i + _CHUNK, info.file_size)])
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise UnreadableFile(f"部件“{info.filename}”使用了电子表格不用的压缩方式")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    left = info.file_size
    try:
        for i in range(0, len(raw), _CHUNK):
            pending = raw[i : i + _CHUNK]
            while pending:
                out = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                left -= len(out)
                if left < 0:
                    raise UnreadableFile(
                        f"的部件“{info.filename}”解压后超过其声明的{_size(info.file_size)}"
                        f"（压缩包目录不实）",
                        "file.zip_bomb",
                    )
                if out:
                    yield out
                if inflater.eof:
                    return
    except zlib.error as exc:
        raise UnreadableFile(
            f"不是有效的电子表格文件或文件已损坏（部件“{info.filename}”：{exc}）"
        ) from exc


_XLSX_TAG = re.compile(rb"<(?:\w+:)?(row|c)(?=[\s/>])([^>]*)>")
# NOTE: Excel, WPS, LibreOffice and XlsxWriter write `r` first: `<row r="3" …>`, `<c r="B3" …>`
_XLSX_REFS = re.compile(rb'<(?:row|c) r="([A-Z]{0,3})(\d{1,9})"')
_XLSX_ODD_TAG = re.compile(rb"<(?:row|c)[\t\n\r\f\v>/]")  # a <row> or <c> not followed by a space
_XLSX_PREFIXED = re.compile(rb"<\w+:(?:row|c)[\s>/]")
_XLSX_REF = re.compile(rb'\br="([A-Z]{0,3})(\d{1,9})"')
_ODS_TAG = re.compile(rb"<table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*)>")
_ODS_REPEAT = re.compile(rb'number-(?:rows|columns)-repeated="(\d{1,9})"')


def _xml_pieces(chunks: Iterator[bytes], part: str) -> Iterator[bytes]:
    """The XML of a part in pieces that end at a tag's end, with every text run checked for
    length (a text run never straddles two pieces)."""
    carry = b""
    for chunk in chunks:
        buf = carry + chunk
        end = buf.rfind(b">") + 1
        piece, carry = buf[:end], buf[end:]
        if len(carry) > LIMITS.text_bytes or _long_text(piece):
            raise _long(part)
        if piece:
            yield piece
    if len(carry) > LIMITS.text_bytes:
        raise _long(part)


_LONG_TEXT = re.compile(rb">[^<]{%d}" % LIMITS.text_bytes)


def _long_text(piece: bytes) -> bool:
    return len(piece) > LIMITS.text_bytes and _LONG_TEXT.search(piece) is not None


def _long(part: str) -> UnreadableFile:
    return UnreadableFile(
        f"的部件“{part}”中有超过{_size(LIMITS.text_bytes)}的文本（Excel一个单元格最多32767个字符）",
        "file.long_text",
    )


def _xlsx_extent(chunks: Iterator[bytes], part: str) -> tuple[int, int]:
    """The rows and columns a sheet's XML spans, as calamine lays them out (a cell or row
    without an `r` takes the next place); stops once the rows pass LIMITS.rows."""
    row = col = rows = cols = 0
    for piece in _xml_pieces(chunks, part):
        refs = _XLSX_REFS.findall(piece)
        if _all_placed(piece, len(refs)):
            # NOTE: every row and cell says where it is (as Excel and WPS write them): read in C
            if refs:
                rows = max(rows, max(map(int, map(_SECOND, refs))))
                cols = max(cols, max(map(_column, set(map(_FIRST, refs)))))
                row, col = int(refs[-1][1]), 0
        else:
            for tag, attrs in _XLSX_TAG.findall(piece):
                ref = _XLSX_REF.search(attrs)
                if tag == b"row":
                    row = int(ref.group(2)) if ref else row + 1
                    col = 0
                    rows = max(rows, row)
                elif ref and ref.group(1):
                    col = _column(ref.group(1))
                    rows = max(rows, int(ref.group(2)))
                else:
                    col += 1
                cols = max(cols, col)
        if rows > LIMITS.rows:
            break
    return rows, cols


_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _all_placed(piece: bytes, refs: int) -> bool:
    """Whether every <row> and <c> of `piece` has its `r` first, and none is written otherwise
    (with a namespace prefix, or not followed by a space): then `refs` place every one."""
    # NOTE: tags counted in C; the prefix regex runs only where a prefixed tag could be
    if piece.count(b"<c ") + piece.count(b"<row ") != refs or _XLSX_ODD_TAG.search(piece):
        return False
    return (b":c" not in piece and b":row" not in piece) or _XLSX_PREFIXED.search(piece) is None


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _texts_only(chunks: Iterator[bytes], part: str) -> tuple[int, int]:
    for _ in _xml_pieces(chunks, part):
        pass
    return 0, 0


def _ods_extent(chunks: Iterator[bytes], part: str) -> tuple[int, int]:
    """An OpenDocument spreadsheet's sheets, and the cells of the grids calamine builds: rows and
    columns up to the last one holding a value (repeats count, trailing empty ones do not)."""
    sheets = area = 0
    rows = cols = filled_rows = filled_cols = 0
    for piece in _xml_pieces(chunks, part):
        for tag, attrs in _ODS_TAG.findall(piece):
            repeat = _ODS_REPEAT.search(attrs)
            n = int(repeat.group(1)) if repeat else 1
            if tag == b"table":
                area += filled_rows * filled_cols
                sheets += 1
                rows = cols = filled_rows = filled_cols = 0
            elif tag == b"table-row":
                rows += n
                cols = 0
            else:
                cols += n
                if b"value-type=" in attrs:
                    filled_rows, filled_cols = rows, max(filled_cols, cols)
        if area + filled_rows * filled_cols > LIMITS.cells or sheets > LIMITS.sheets:
            break
    return sheets, area + filled_rows * filled_cols


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


def _too_big(size: int) -> UnreadableFile:
    return UnreadableFile(f"大小为{size:,}字节（上限{_size(LIMITS.file_bytes)}）", "file.too_large")


def _size(n: int) -> str:
    for unit, size in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + unit
    return f"{n}字节"


# -- formulas without a stored result -------------------------------------------------------------
# NOTE: calamine shows such a cell as empty (""), like a blank; only the sheet XML tells them apart.
_CELL_FORMULA = re.compile(
    r"<c\b([^>]*?)>\s*<f\b([^>]*?)(?:/>|>([^<]*)</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)
_SHARED_MASTER = re.compile(r"<c\b([^>]*?)>\s*<f\b([^>]*?\bt=\"shared\"[^>]*?)>([^<]+)</f>")
# a formula or shared-formula child followed by no value (or an empty one) and the cell's end
_NO_RESULT = (
    re.compile(rb"</f>\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"),
    re.compile(rb"<f\b[^>]*/>\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"),
)
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_ADDRESS = re.compile(r"([A-Z]+)(\d+)")


def hidden_cells(data: bytes) -> Hidden:
    """What a workbook's empty-looking cells hold (python-calamine reads a formula without a
    stored result and an error value alike as ""): read from the file's own XML or records."""
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(BytesIO(data)) as zf:
                names = set(zf.namelist())
                if "content.xml" in names:
                    return Hidden(errors=_ods_errors(zf.read("content.xml")))
                sheets = list(_worksheets(zf))  # NOTE: each sheet inflated once for both
                return Hidden(_uncached(zf, sheets), _xlsx_errors(zf, sheets))
        except (zipfile.BadZipFile, KeyError, OSError, ElementTree.ParseError):
            return Hidden()
    if data[:8] == _OLE2:
        return Hidden(errors=_biff_errors(data))
    return Hidden()


def uncached_formulas(source: Path | bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet name, the cells (0-based) of an .xlsx/.xlsm (a path, or its bytes) holding a
    formula with no stored result."""
    try:
        with zipfile.ZipFile(BytesIO(source) if isinstance(source, bytes) else source) as zf:
            return _uncached(zf)
    except (zipfile.BadZipFile, KeyError, OSError):
        return {}


def _worksheets(zf: zipfile.ZipFile) -> Iterator[tuple[str, bytes]]:
    for member in zf.namelist():
        if member.startswith("xl/worksheets/") and member.endswith(".xml"):
            yield member, zf.read(member)


def _uncached(
    zf: zipfile.ZipFile, sheets: list[tuple[str, bytes]] | None = None
) -> dict[str, dict[tuple[int, int], str]]:
    found = {}
    for member, xml in _worksheets(zf) if sheets is None else sheets:
        if b"<f" not in xml or not any(p.search(xml) for p in _NO_RESULT):
            continue
        cells = _sheet_uncached(xml.decode("utf-8", "replace"))
        if cells:
            found[member] = cells
    if not found:
        return {}
    names = _sheet_members(zf)
    return {names[m]: cells for m, cells in found.items() if m in names}


_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*\bt="e"[^>]*)>(.*?)</(?:\w+:)?c>', re.S)
_CELL_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def _xlsx_errors(
    zf: zipfile.ZipFile, sheets: list[tuple[str, bytes]]
) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet, the cells an .xlsx marks as holding an error value (`t="e"`), with the value."""
    found = {}
    for member, xml in sheets:
        if b't="e"' not in xml:
            continue
        cells = {}
        for m in _ERROR_CELL.finditer(xml):
            at = dict(_ATTR.findall(m.group(1).decode("utf-8", "replace"))).get("r", "")
            value = _CELL_VALUE.search(m.group(2))
            if _ADDRESS.fullmatch(at):
                code = html.unescape(value.group(1).decode("utf-8", "replace")) if value else ""
                cells[_position(at)] = code or "#错误"
        if cells:
            found[member] = cells
    if not found:
        return {}
    names = _sheet_members(zf)
    return {names[m]: cells for m, cells in found.items() if m in names}


_ODS = {
    "table": "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}",
    "calcext": "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}",
}


def _ods_errors(xml: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet, the cells an OpenDocument spreadsheet marks as holding an error value
    (`calcext:value-type="error"`, shown as `#DIV/0!` or LibreOffice's `Err:502`)."""
    t, calc = _ODS["table"], _ODS["calcext"]
    found: dict[str, dict[tuple[int, int], str]] = {}
    sheet, row, col = "", 0, 0
    for event, el in ElementTree.iterparse(BytesIO(xml), events=("start", "end")):
        tag = el.tag
        if tag == f"{t}table" and event == "start":
            sheet, row = el.get(f"{t}name", ""), 0
        elif tag == f"{t}table-row":
            if event == "start":
                col = 0
            else:
                row += int(el.get(f"{t}number-rows-repeated", "1"))
                el.clear()
        elif tag in (f"{t}table-cell", f"{t}covered-table-cell") and event == "end":
            repeat = int(el.get(f"{t}number-columns-repeated", "1"))
            if el.get(f"{calc}value-type") == "error":
                code = "".join(el.itertext()).strip() or "#错误"
                for c in range(col, col + min(repeat, 1_000)):
                    found.setdefault(sheet, {})[row, c] = code
            col += repeat
    return found


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


def encrypted(data: bytes) -> bool:
    """Whether a workbook's bytes are protected by an opening password: an OOXML file wrapped in
    an encrypted OLE2 container, an .xls with a FILEPASS record, an .ods with encrypted parts."""
    if data[:8] == _OLE2:
        import olefile

        try:
            with olefile.OleFileIO(data) as ole:
                if ole.exists("EncryptionInfo") and ole.exists("EncryptedPackage"):
                    return True
        except Exception:
            return False
        book = _biff_stream(data)
        return book is not None and biff_has_password(book)
    # NOTE: the zip's directory names its entries in plain bytes: a workbook without an
    # OpenDocument manifest (every .xlsx) is not opened here at all
    if data[:2] == b"PK" and b"META-INF/manifest.xml" in data:
        try:
            with zipfile.ZipFile(BytesIO(data)) as zf:
                if "META-INF/manifest.xml" in zf.namelist():
                    info = zf.getinfo("META-INF/manifest.xml")
                    if info.file_size < 2**20:
                        return b"encryption-data" in zf.read(info)
        except (zipfile.BadZipFile, OSError, KeyError):
            return False
    return False


def _sheet_uncached(xml: str) -> dict[tuple[int, int], str]:
    cells: dict[tuple[int, int], str] = {}
    shared: list[tuple[str, str]] = []  # (cell, shared index) of formulas written once for a range
    for m in _CELL_FORMULA.finditer(xml):
        at = dict(_ATTR.findall(m.group(1))).get("r", "")
        f_attrs = dict(_ATTR.findall(m.group(2)))
        text = html.unescape(m.group(3) or "")
        if text:
            cells[_position(at)] = text
        elif f_attrs.get("t") == "shared" and "si" in f_attrs:
            shared.append((at, f_attrs["si"]))
    if shared:
        from openpyxl.formula.translate import Translator

        masters = {}
        for m in _SHARED_MASTER.finditer(xml):
            f_attrs = dict(_ATTR.findall(m.group(2)))
            at = dict(_ATTR.findall(m.group(1))).get("r", "")
            masters[f_attrs.get("si")] = (at, html.unescape(m.group(3)))
        for at, si in shared:
            if si in masters:
                origin, text = masters[si]
                moved = Translator(f"={text}", origin=origin).translate_formula(at)
                cells[_position(at)] = moved.lstrip("=")
    return cells


def _position(address: str) -> tuple[int, int]:
    m = _ADDRESS.fullmatch(address)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet XML member → sheet name, from the workbook and its relationships."""
    parts = _sheet_parts(zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels"))
    return dict(parts)


def _sheet_parts(book_xml: bytes, rels_xml: bytes) -> list[tuple[str, str]]:
    """(part, name) of each sheet a workbook lists, in its order."""
    # NOTE: returns made from one template list their sheets in the very same bytes (a few KB;
    # bigger lists are not remembered)
    key = (book_xml, rels_xml)
    if len(book_xml) + len(rels_xml) > 2**16:
        return _parsed_sheet_parts(book_xml, rels_xml)
    if key not in _listed:
        if len(_listed) >= 1_000:
            _listed.clear()
        _listed[key] = _parsed_sheet_parts(book_xml, rels_xml)
    return list(_listed[key])


_listed: dict[tuple[bytes, bytes], list[tuple[str, str]]] = {}


def _parsed_sheet_parts(book_xml: bytes, rels_xml: bytes) -> list[tuple[str, str]]:
    book = book_xml.decode("utf-8", "replace")
    rels = rels_xml.decode("utf-8", "replace")
    targets = {}
    for m in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)>", rels):
        a = dict(_ATTR.findall(m.group(1)))
        target = a.get("Target", "").lstrip("/")
        targets[a.get("Id")] = target if target.startswith("xl/") else f"xl/{target}"
    parts = []
    for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)>", book):
        a = dict(_ATTR.findall(m.group(1)))
        rid = next((v for k, v in a.items() if k.endswith(":id")), None)
        if rid in targets:
            parts.append((targets[rid], html.unescape(a.get("name", ""))))
    return parts


def _reason(exc: Exception) -> str:
    text = str(exc)
    lowered = text.lower()
    if (
        "zip" in lowered
        or "invalid" in lowered
        or "cannot detect" in lowered
        or "unrecognized" in lowered
    ):
        return f"不是有效的电子表格文件或文件已损坏（{type(exc).__name__}: {text[:120]}）"
    return f"读取失败（{type(exc).__name__}: {text[:120]}）"


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


def write_cells(cells: pd.DataFrame, path: Path, *, behind: bool = False) -> Path:
    """Write a cell table: CSV for people, its stored integers as the exact decimals they stand
    for; and beside it the same table as Parquet, which the next stage reads in a fraction of the
    time (a province's two million cells).

    `behind`: written by a background thread while the run goes on (the next stage takes the
    table from memory); `wait_written` waits for it and raises what went wrong."""
    wait_written(path)  # NOTE: one writer at a time per file, the last table written last
    _kept[path] = (None, cells)
    while len(_kept) > KEPT_TABLES:
        del _kept[next(iter(_kept))]
    if not behind:
        _write_cells(cells, path)
        return path
    _pending[path] = _writer().submit(_write_cells, cells, path)
    return path


def _write_cells(cells: pd.DataFrame, path: Path) -> None:
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
    kept = _kept.get(path)  # NOTE: on the writer's thread; the main one may evict it meanwhile
    if kept is not None and kept[1] is cells:
        _kept[path] = (_stamp(path), cells)


# NOTE: the cell tables this process wrote, by path, with the files' size and time as written: the
# stages of one run hand a province's two million cells on in memory instead of reading them
# back, and an edited file (other size or time) is read again, as a new process would
KEPT_TABLES = 4  # a run writes three: the ingested cells, the county's and its tidy copy
_kept: dict[Path, tuple[tuple | None, pd.DataFrame]] = {}
_pending: dict[Path, Future] = {}


@cache
def _writer() -> ThreadPoolExecutor:
    # NOTE: pyarrow writes CSV and Parquet without holding the GIL, so this thread uses the
    # second core while the main one validates
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="xxgk-write")


def wait_written(path: Path | None = None) -> None:
    """Wait for the cell tables still being written (those at `path`, or all), and raise the
    first error met writing them."""
    for at in [path] if path is not None else list(_pending):
        job = _pending.pop(at, None)
        if job is not None:
            job.result()


def forget_kept() -> None:
    """Let go of the cell tables kept in memory (at the end of a run), once they are written.

    NOTE: errors are not raised here: a run that went well has met them in `wait_written`."""
    for job in _pending.values():
        job.exception()
    _pending.clear()
    _kept.clear()


def _stamp(path: Path) -> tuple:
    stats = [path.stat(), _sidecar(path).stat()]
    return tuple((s.st_size, s.st_mtime_ns, s.st_ino) for s in stats)


def read_cells(path: Path) -> pd.DataFrame:
    """Read a cell table written by `write_cells`, its values back to exact integers: the very
    table when this process wrote it and the files are unchanged (or still being written), else
    from the Parquet copy when it is as new as the CSV, so an edited CSV is never overlooked."""
    kept = _kept.get(path)
    if path in _pending:
        if kept is not None:
            return kept[1]  # NOTE: still being written: what is being written is this very table
        wait_written(path)  # NOTE: no longer kept: read once it is whole, never half-written
    if kept is not None and path.exists() and _sidecar(path).exists() and kept[0] == _stamp(path):
        return kept[1]
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


def write_template(path: Path, unit: str, year: int) -> Path:
    """Write the return workbook to send to `unit` (empty: a generic copy)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_return_template(path, unit, year)
    return path


FEEDBACK_SHEET = "校验问题"
_FILLS = {"error": "FFC7CE", "warning": "FFEB9C"}


def write_feedback(source: Path, target: Path, marks: list, when: datetime) -> Path:
    """A copy of the return at `source` with each mark's cell filled and commented, plus a sheet
    listing every problem; the file in raw/ is only read. A return openpyxl cannot open for
    writing (.xls, .ods) gets a new workbook holding the list alone."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    try:
        # NOTE: checked first, as for reading: openpyxl would inflate a zip bomb in memory
        data = _snapshot(source)
        checked_workbook(data)
        wb = load_workbook(BytesIO(data), keep_vba=source.suffix.lower() == ".xlsm")
    except Exception:  # NOTE: not an OOXML workbook openpyxl can edit; the list is still sent back
        wb = Workbook()
        wb.active.title = "说明"
        wb.active["A1"] = (
            f"原文件“{source.name}”的格式无法直接标注，问题清单见“{FEEDBACK_SHEET}”工作表。"
        )
    by_cell: dict[tuple[str, str], list] = {}
    for mark in marks:
        if mark.cell and mark.sheet in wb.sheetnames:
            by_cell.setdefault((mark.sheet, mark.cell), []).append(mark)
    for (sheet, address), cell_marks in by_cell.items():
        cell = _writable(wb[sheet], address)
        worst = "error" if any(m.severity == "error" for m in cell_marks) else "warning"
        cell.fill = PatternFill("solid", fgColor=_FILLS[worst])
        comment = Comment("\n\n".join(m.text for m in cell_marks), "xxgk")
        comment.width, comment.height = 320, 160
        cell.comment = comment
    if FEEDBACK_SHEET in wb.sheetnames:
        del wb[FEEDBACK_SHEET]
    ws = wb.create_sheet(FEEDBACK_SHEET, 0)
    ws.append(["序号", "严重程度", "工作表", "单元格", "问题与建议"])
    for i, mark in enumerate(marks, start=1):
        ws.append(
            [i, "错误" if mark.severity == "error" else "警告", mark.sheet, mark.cell, mark.text]
        )
    for col, width in zip("ABCDE", (6, 10, 30, 8, 100), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        row[4].alignment = Alignment(wrap_text=True, vertical="top")
        for cell in row[2:]:
            cell.data_type = "s"  # NOTE: openpyxl takes text starting with "=" for a formula
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    wb.active = 0
    buffer = BytesIO()
    wb.save(buffer)
    return write_bytes(stable_package(buffer.getvalue(), when), target)


def _writable(ws, address: str):
    """The cell at `address`, or the top-left cell of the merged range covering it."""
    for merged in ws.merged_cells.ranges:
        if address in merged:
            return ws.cell(merged.min_row, merged.min_col)
    return ws[address]


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


def available(path: Path) -> bool:
    """Whether a product can be read: on disk, or a cell table this process is writing."""
    return path in _pending or path in _kept or path.exists()


def remove(paths: list[Path]) -> None:
    """Remove stale products (files or folders) of stages that will be run again."""
    for pending in list(_pending):
        if any(pending == p or p in pending.parents for p in paths):
            wait_written(pending)
    for p in paths:
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
