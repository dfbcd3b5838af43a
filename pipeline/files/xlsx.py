"""Office Open XML workbooks (.xlsx, .xlsm): the package checked before reading, and what calamine reads as empty (formulas without a stored result, error values)."""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterator
from io import BytesIO
from operator import itemgetter
from pathlib import Path

from pipeline.files.a1 import A1, position
from pipeline.files.limits import LIMITS, UnreadableFile, _inflated, _size, _xml_pieces
from pipeline.files.ods import _ods_extent
from pipeline.inputs import read_config, read_units  # noqa: F401  (the run's own inputs)
from pipeline.memo import Memo


def _checked_package(zf: zipfile.ZipFile, data: bytes, memo: Memo | None) -> tuple[str, ...]:
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
        listed = [part for part, _ in _sheet_parts(book, rels, memo)]
    if len(listed) > LIMITS.sheets:
        raise UnreadableFile(f"有{len(listed)}个工作表（上限{LIMITS.sheets}个）", "file.too_large")
    if len(infos) > LIMITS.parts:
        raise UnreadableFile(
            f"的压缩包有{len(infos)}个部件（上限{LIMITS.parts}个）", "file.too_large"
        )
    cells = 0
    sheet_parts = {n for n in by_name if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    for name in sorted(sheet_parts | set(listed) | {"xl/sharedStrings.xml", "content.xml"}):
        found = by_name.get(name)
        if found is None:
            continue
        info = found
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


_XLSX_TAG = re.compile(rb"<(?:\w+:)?(row|c)(?=[\s/>])([^>]*)>")


# NOTE: Excel, WPS, LibreOffice and XlsxWriter write `r` first: `<row r="3" …>`, `<c r="B3" …>`
_XLSX_REFS = re.compile(rb'<(?:row|c) r="([A-Z]{0,3})(\d{1,9})"')


_XLSX_ODD_TAG = re.compile(rb"<(?:row|c)[\t\n\r\f\v>/]")  # a <row> or <c> not followed by a space


_XLSX_PREFIXED = re.compile(rb"<\w+:(?:row|c)[\s>/]")


_XLSX_REF = re.compile(rb'\br="([A-Z]{0,3})(\d{1,9})"')


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
    return _by_sheet_name(zf, found)


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
            if A1.fullmatch(at):
                code = html.unescape(value.group(1).decode("utf-8", "replace")) if value else ""
                cells[position(at)] = code or "#错误"
        if cells:
            found[member] = cells
    return _by_sheet_name(zf, found)


def _by_sheet_name(
    zf: zipfile.ZipFile, found: dict[str, dict[tuple[int, int], str]]
) -> dict[str, dict[tuple[int, int], str]]:
    """What was found per worksheet part (`xl/worksheets/sheet2.xml`), keyed by the sheet's name."""
    if not found:
        return {}
    names = _sheet_members(zf)
    return {names[m]: cells for m, cells in found.items() if m in names}


def _sheet_uncached(xml: str) -> dict[tuple[int, int], str]:
    cells: dict[tuple[int, int], str] = {}
    shared: list[tuple[str, str]] = []  # (cell, shared index) of formulas written once for a range
    for m in _CELL_FORMULA.finditer(xml):
        at = dict(_ATTR.findall(m.group(1))).get("r", "")
        f_attrs = dict(_ATTR.findall(m.group(2)))
        text = html.unescape(m.group(3) or "")
        if text:
            cells[position(at)] = text
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
                cells[position(at)] = moved.lstrip("=")
    return cells


def _sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet XML member → sheet name, from the workbook and its relationships."""
    parts = _sheet_parts(zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels"))
    return dict(parts)


def _sheet_parts(
    book_xml: bytes, rels_xml: bytes, memo: Memo | None = None
) -> list[tuple[str, str]]:
    """(part, name) of each sheet a workbook lists, in its order."""
    # NOTE: returns made from one template list their sheets in the very same bytes (a few KB;
    # bigger lists are not remembered)
    if memo is None or len(book_xml) + len(rels_xml) > 2**16:
        return _parsed_sheet_parts(book_xml, rels_xml)
    key = (book_xml, rels_xml)
    return list(memo.get("sheet_lists", key, lambda: _parsed_sheet_parts(book_xml, rels_xml)))


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
