"""A workbook read from one snapshot of its bytes: its sheets as grids of raw values, what its empty-looking cells hold, its notes, whether it is encrypted."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import cast
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook, PasswordError, SheetVisibleEnum

from pipeline.files.limits import _OLE2, LIMITS, UnreadableFile, _snapshot, _too_big
from pipeline.files.ods import ods_cells
from pipeline.files.xls import (
    _biff_errors,
    _biff_stream,
    _checked_biff,
    biff_has_password,
    biff_marked,
)
from pipeline.files.xlsx import _checked_package, odd_cell_type, package_cells
from pipeline.ingest.values import Hidden
from pipeline.memo import Memo

Sheets = dict[str, list[list[object]]]


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


def read_workbook(path: Path, memo: Memo | None = None) -> WorkbookRead:
    """A return read from one snapshot of its bytes, after they were checked against LIMITS."""
    return workbook_of(_snapshot(path), memo)


def workbook_of(data: bytes, memo: Memo | None = None) -> WorkbookRead:
    """A workbook read from its bytes, after they were checked against LIMITS."""
    digest = hashlib.sha256(data).hexdigest()
    if encrypted(data):
        raise UnreadableFile("设有打开密码", "file.encrypted")
    if len(data) > LIMITS.file_bytes:
        raise _too_big(len(data))
    kept: dict[str, bytes] = {}  # NOTE: the parts inflated to be checked, read again below
    package = _package(data)
    notes = checked_workbook(data, memo, kept, package)
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
        raise UnreadableFile(odd_cell_type(data) or _reason(exc)) from exc
    return WorkbookRead(
        cast(Sheets, sheets),
        lambda: hidden_cells(data, memo, kept, package),
        notes,
        len(data),
        digest,
        hidden_sheets,
    )


def read_sheets(path: Path) -> Sheets:
    """Every sheet of a workbook as a grid of raw values, row 0 being the sheet's first row."""
    return read_workbook(path).sheets


def _package(data: bytes) -> zipfile.ZipFile | None:
    """A workbook's bytes opened as a zip (OOXML, OpenDocument), or None when they are not one."""
    if data[:2] != b"PK":
        return None
    try:
        return zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None  # NOTE: not a zip after all; calamine says what it is


def checked_workbook(
    data: bytes,
    memo: Memo | None = None,
    kept: dict[str, bytes] | None = None,
    package: zipfile.ZipFile | None = None,
) -> tuple[str, ...]:
    """The rules of the notes a workbook's bytes call for (macros, external links); raises
    UnreadableFile when they are beyond LIMITS (a zip bomb, a million rows, thousands of sheets,
    a text of megabytes), before any reader inflates them (the small parts inflated to check
    them go into `kept`, when given)."""
    if len(data) > LIMITS.file_bytes:
        raise _too_big(len(data))
    if data[:2] == b"PK":
        zf = package or _package(data)
        return () if zf is None else _checked_package(zf, data, memo, kept)
    if data[:8] == _OLE2:
        return _checked_biff(data)
    return ()


def hidden_cells(
    data: bytes,
    memo: Memo | None = None,
    kept: dict[str, bytes] | None = None,
    package: zipfile.ZipFile | None = None,
) -> Hidden:
    """What python-calamine's values of a workbook's cells do not tell (it reads a formula
    without a stored result and an error value alike as "", a formula's stored result whether or
    not the application recalculates it, rich text with its runs joined): read from the file's
    own XML or records (`kept`: parts already inflated, by name)."""
    kept = kept or {}
    if data[:2] == b"PK":
        zf = package or _package(data)
        if zf is None:
            return Hidden()
        try:
            names = set(zf.namelist())
            if "content.xml" in names:
                styles = zf.read("styles.xml") if "styles.xml" in names else b""
                return ods_cells(kept.get("content.xml") or zf.read("content.xml"), styles)
            return package_cells(zf, memo, kept)
        except (zipfile.BadZipFile, KeyError, OSError, ElementTree.ParseError):
            return Hidden()
    if data[:8] == _OLE2:
        return Hidden(errors=_biff_errors(data), marked=biff_marked(data))
    return Hidden()


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
