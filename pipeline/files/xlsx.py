"""Office Open XML workbooks (.xlsx, .xlsm): the package checked before reading, and what calamine's values of its cells do not tell (formulas and whether Excel recalculates them, error values, rich text and formatting that changes what is seen, date-typed cells)."""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from operator import itemgetter
from pathlib import Path
from typing import TypeVar
from xml.etree import ElementTree

from pipeline.files.a1 import A1, position
from pipeline.files.limits import LIMITS, UnreadableFile, _inflated, _size, _xml_pieces
from pipeline.files.ods import _ods_extent
from pipeline.files.runs import Run
from pipeline.ingest.values import Hidden, Marked
from pipeline.inputs import read_config, read_units  # noqa: F401  (the run's own inputs)
from pipeline.memo import Memo

KEPT_BYTES = 2**21  # a part inflated to check it is kept for reading up to this size


def _checked_package(
    zf: zipfile.ZipFile, data: bytes, memo: Memo | None, kept: dict[str, bytes] | None = None
) -> tuple[str, ...]:
    """Check a zip's directory (declared sizes, ratios, entry count), then the sheets' XML
    (each part inflated once: into `kept`, when given, if it is small)."""
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
        if kept is not None:
            kept["xl/workbook.xml"], kept["xl/_rels/workbook.xml.rels"] = book, rels
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
        chunks = _inflated(data, info)
        if kept is not None and info.file_size <= KEPT_BYTES:
            chunks = _keeping(chunks, name, info.file_size, kept)
        if name in ("xl/sharedStrings.xml", "content.xml"):
            extent = _ods_extent if name == "content.xml" else _texts_only
            sheets, area = extent(chunks, name)
            if sheets > LIMITS.sheets:
                raise UnreadableFile(
                    f"有{sheets}个工作表（上限{LIMITS.sheets}个）", "file.too_large"
                )
        else:
            rows, cols = _xlsx_extent(chunks, name)
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


V = TypeVar("V")


def _keeping(
    chunks: Iterator[bytes], name: str, size: int, kept: dict[str, bytes]
) -> Iterator[bytes]:
    """`chunks` passed on, and joined into `kept[name]` when all of them (`size` bytes) were."""
    seen = []
    for chunk in chunks:
        seen.append(chunk)
        yield chunk
    whole = b"".join(seen)
    if len(whole) == size:
        kept[name] = whole


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


# -- what calamine's values do not tell ----------------------------------------------------------
# NOTE: calamine gives a formula's stored result (or "" when none was stored), an error value as
# "", and the runs of a rich text joined (`148` and a superscript `1` as "1481"); only the
# sheet's XML, the shared strings and the styles tell these apart.
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')


_BATTR = re.compile(rb'([\w:]+)="([^"]*)"')


# Excel 2019 and Microsoft 365 write this calculation engine's id; a workbook last calculated
# by an older engine (or by none: no calcId) is recalculated in full when Excel opens it
EXCEL_CALC_ID = 191029


def uncached_formulas(source: Path | bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet name, the cells (0-based) of an .xlsx/.xlsm (a path, or its bytes) holding a
    formula with no stored result."""
    try:
        with zipfile.ZipFile(BytesIO(source) if isinstance(source, bytes) else source) as zf:
            found = {m: _sheet_formulas(xml)[0] for m, xml in _worksheets(zf)}
            return _by_sheet_name(zf, {m: cells for m, cells in found.items() if cells})
    except (zipfile.BadZipFile, KeyError, OSError):
        return {}


def _worksheets(
    zf: zipfile.ZipFile, kept: dict[str, bytes] | None = None
) -> Iterator[tuple[str, bytes]]:
    """Each worksheet part and its XML (taken from `kept` when there)."""
    kept = kept or {}
    for member in zf.namelist():
        if member.startswith("xl/worksheets/") and member.endswith(".xml"):
            yield member, kept[member] if member in kept else zf.read(member)


def package_cells(
    zf: zipfile.ZipFile, memo: Memo | None = None, kept: dict[str, bytes] | None = None
) -> Hidden:
    """What the values calamine reads from an .xlsx/.xlsm do not tell (`Hidden`): its formulas
    and whether Excel recalculates them on open, its error values, its cells whose formatting
    changes what is seen, its date-typed cells, what cells it reads as empty hold."""
    names = set(zf.namelist())
    kept = kept or {}
    # NOTE: each sheet inflated once for everything below, its tags without a namespace prefix
    sheets = [(member, _unprefixed(xml)) for member, xml in _worksheets(zf, kept)]
    look = _looks(zf, names, memo)
    sst = "xl/sharedStrings.xml"
    rich = _rich_strings(kept[sst] if sst in kept else zf.read(sst), look) if sst in names else {}
    uncached: dict[str, dict[tuple[int, int], str]] = {}
    stored: dict[str, dict[tuple[int, int], str]] = {}
    marked: dict[str, dict[tuple[int, int], Marked]] = {}
    dates: dict[str, dict[tuple[int, int], str]] = {}
    held: dict[str, dict[tuple[int, int], str]] = {}
    for member, xml in sheets:
        if b"<f>" in xml or b"<f " in xml:  # NOTE: not `<formula1>` of a data validation
            uncached[member], stored[member] = _sheet_formulas(xml)
        marked[member] = _marked_cells(xml, rich, look)
        if b't="d"' in xml:
            dates[member] = _typed_cells(xml, b"d")
        if b"inlineStr" in xml:
            held[member] = {}
            marked[member] |= _inline_cells(xml, look, held[member])
    book = kept.get("xl/workbook.xml") or (
        zf.read("xl/workbook.xml") if "xl/workbook.xml" in names else b""
    )
    errors = _xlsx_errors(sheets)
    found = (uncached, stored, marked, dates, held, errors)
    members = None
    if any(cells for per_sheet in found for cells in per_sheet.values()):
        members = _sheet_members(zf, memo, kept)
    return Hidden(
        formulas=_by_sheet_name(zf, uncached, members),
        errors=_by_sheet_name(zf, errors, members),
        stored=_by_sheet_name(zf, stored, members),
        marked=_by_sheet_name(zf, marked, members),
        dates=_by_sheet_name(zf, dates, members),
        held=_by_sheet_name(zf, held, members),
        recalculated=recalculated_on_open(book),
    )


_PREFIX = re.compile(rb"<(/?)\w+:(?=\w)")


def _unprefixed(xml: bytes) -> bytes:
    """A sheet's XML with its elements' namespace prefixes dropped (`<x:c>` as `<c>`, as some
    writers put them; calamine reads both), so that one set of patterns reads every sheet."""
    if b":c" not in xml or _XLSX_PREFIXED.search(xml) is None:
        return xml  # NOTE: Excel, WPS, LibreOffice and XlsxWriter write no prefix
    return _PREFIX.sub(rb"<\1", xml)


_CALC_PR = re.compile(rb"<(?:\w+:)?calcPr\b([^>]*)>")


def recalculated_on_open(book_xml: bytes) -> bool:
    """Whether Excel recalculates a workbook's formulas when it is opened: when the workbook asks
    (`<calcPr fullCalcOnLoad="1"/>`, as XlsxWriter and openpyxl write), or when it was last
    calculated by another engine than Excel 2019/365's (`calcId` below EXCEL_CALC_ID, or none:
    LibreOffice writes none)."""
    m = _CALC_PR.search(book_xml)
    attrs = {k.decode(): v.decode() for k, v in _BATTR.findall(m.group(1))} if m else {}
    if attrs.get("fullCalcOnLoad", "").lower() in ("1", "true"):
        return True
    calc_id = attrs.get("calcId", "")
    return not calc_id.isdigit() or int(calc_id) < EXCEL_CALC_ID


def _sheet_formulas(
    xml: bytes,
) -> tuple[dict[tuple[int, int], str], dict[tuple[int, int], str]]:
    """A sheet's formulas (0-based cell → text without `=`): those saved without a result, and
    those with one (error results left to `_xlsx_errors`)."""
    uncached: dict[tuple[int, int], str] = {}
    stored: dict[tuple[int, int], str] = {}
    shared: list[tuple[str, str, bool]] = []  # (cell, index, stored) of formulas written once
    masters: dict[str, tuple[str, str]] = {}
    # NOTE: found by their `<f>` (a few dozen), each cell's opening tag looked up backwards:
    # matching every cell of the sheet to find them costs several times more
    for m in _FORMULA.finditer(xml):
        at_f = m.start()
        start = xml.rfind(b"<c ", max(0, at_f - 256), at_f)
        if start < 0:
            start = xml.rfind(b"<c ", 0, at_f)
        ref = _CELL_REF.search(xml, start, at_f) if start >= 0 else None
        if ref is None or xml.find(b't="e"', start, at_f) >= 0:
            continue
        rc = (int(ref.group(2)) - 1, _column(ref.group(1)) - 1)
        attrs, raw, value = m.groups()
        text = raw.decode("utf-8", "replace") if raw else ""
        if "&" in text:
            text = html.unescape(text)
        has_result = bool(value and value.strip())
        if attrs.strip():
            f_attrs = dict(_BATTR.findall(attrs))
            kind = f_attrs.get(b"t", b"normal")
            if kind == b"shared" and b"si" in f_attrs:
                si = f_attrs[b"si"].decode()
                at = (ref.group(1) + ref.group(2)).decode()
                if text:
                    masters[si] = (at, text)
                else:
                    shared.append((at, si, has_result))
                    continue
            elif kind != b"normal" and text:
                text = f"{{{text}}}"  # NOTE: an array or data-table formula: never evaluated
        if text:
            (stored if has_result else uncached)[rc] = text
    if shared:
        from openpyxl.formula.translate import Translator

        for at, si, has_result in shared:
            if si in masters:
                origin, text = masters[si]
                moved = Translator(f"={text}", origin=origin).translate_formula(at)
                (stored if has_result else uncached)[position(at)] = moved.lstrip("=")
    return uncached, stored


_FORMULA = re.compile(rb"<f\b([^>]*?)(?:/>|>([^<]*)</f>)\s*(?:<v>([^<]*)</v>|<v\s*/>)?\s*</c>")


_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([1-9]\d{0,6})"')


_CELL_TYPES = frozenset({"b", "d", "e", "inlineStr", "n", "s", "str"})


def odd_cell_type(data: bytes) -> str:
    """Why calamine could not read an .xlsx, when a cell of a type the format does not define
    is the reason (naming its sheet and cell); "" otherwise."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            members = None
            for member, xml in _worksheets(zf):
                for m in _TYPED_CELL.finditer(xml):
                    kind = m.group(2).decode("utf-8", "replace")
                    if kind in _CELL_TYPES:
                        continue
                    members = members or _sheet_members(zf)
                    at = dict(_BATTR.findall(m.group(1))).get(b"r", b"?").decode("utf-8", "replace")
                    return (
                        f"工作表“{members.get(member, member)}”的单元格{at}的类型为“{kind}”，"
                        "不是电子表格格式规定的单元格类型，无法读取它显示的内容；"
                        "请用 Excel 或 WPS 打开、检查该单元格并另存后重新报送"
                    )
    except (zipfile.BadZipFile, KeyError, OSError):
        return ""
    return ""


_TYPED_CELL = re.compile(rb'<c\b([^>]*?\bt="(\w+)"[^>/]*)(?:/>|>(.*?)</c>)', re.S)


def _typed_cells(xml: bytes, kind: bytes) -> dict[tuple[int, int], str]:
    """A sheet's cells of one type (`t="d"`), with the value as stored."""
    found = {}
    for m in _TYPED_CELL.finditer(xml):
        if m.group(2) != kind:
            continue
        at = dict(_BATTR.findall(m.group(1))).get(b"r", b"").decode()
        value = _CELL_VALUE.search(m.group(3) or b"")
        if A1.fullmatch(at):
            text = value.group(1).decode("utf-8", "replace") if value else ""
            found[position(at)] = html.unescape(text)
    return found


# -- formatting that changes what is seen: styles, rich text ----------------------------------
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


@dataclass(frozen=True)
class _Look:
    """What one cell format (an `xf` of `cellXfs`) does to a cell's text: its font's colour
    ("RRGGBB"), whether struck through, its fill's colour ("FFFFFF" with no fill; None when
    unknown: a pattern, a gradient, a colour not resolved), a number format showing nothing."""

    colour: str | None = "000000"
    strike: bool = False
    fill: str | None = "FFFFFF"
    hides: str = ""

    @property
    def marked(self) -> bool:
        return (
            self.strike or bool(self.hides) or (self.fill is not None and self.colour == self.fill)
        )


@dataclass(frozen=True)
class _Looks:
    """The cell formats of a workbook, and the theme and palette its colours refer to."""

    xfs: tuple[_Look, ...] = ()
    theme: tuple[str | None, ...] = ()
    palette: tuple[str, ...] = ()

    def of(self, xf: int) -> _Look:
        return self.xfs[xf] if 0 <= xf < len(self.xfs) else (self.xfs[0] if self.xfs else _Look())

    @property
    def marked(self) -> frozenset[int]:
        return frozenset(i for i, look in enumerate(self.xfs) if look.marked)


def _looks(zf: zipfile.ZipFile, names: set[str], memo: Memo | None) -> _Looks:
    """The cell formats of a workbook, worked out once per styles part and theme (returns made
    from one template share them)."""
    if "xl/styles.xml" not in names:
        return _Looks()
    styles = zf.read("xl/styles.xml")
    theme = next((n for n in sorted(names) if n.startswith("xl/theme/") and n.endswith(".xml")), "")
    info = zf.getinfo(theme) if theme else None
    # NOTE: the theme is known by its CRC and size (its bytes need not be inflated to look up)
    key = (styles, (info.CRC, info.file_size) if info else None)

    def make() -> _Looks:
        return _parsed_looks(styles, zf.read(theme) if theme else b"")

    if memo is None or len(styles) > 2**20:
        return make()
    return memo.get("styles", key, make)


# NOTE: Excel numbers a theme's colours lt1, dk1, lt2, dk2, accent1-6, hlink, folHlink (the first
# two pairs swapped against their order in the theme part); with no theme part, Office's own
_THEME_ORDER = (
    "lt1",
    "dk1",
    "lt2",
    "dk2",
    "accent1",
    "accent2",
    "accent3",
    "accent4",
    "accent5",
    "accent6",
    "hlink",
    "folHlink",
)
_OFFICE_THEME = (
    "FFFFFF",
    "000000",
    "E7E6E6",
    "44546A",
    "4472C4",
    "ED7D31",
    "A5A5A5",
    "FFC000",
    "5B9BD5",
    "70AD47",
    "0563C1",
    "954F72",
)


def _parsed_looks(styles: bytes, theme: bytes) -> _Looks:
    from openpyxl.styles.colors import COLOR_INDEX

    try:
        root = ElementTree.fromstring(styles)
    except ElementTree.ParseError:
        return _Looks()
    palette = tuple(c[-6:] for c in COLOR_INDEX)
    custom = root.find(f"{_MAIN}colors/{_MAIN}indexedColors")
    if custom is not None:
        palette = tuple(
            (e.get("rgb") or "000000")[-6:].upper() for e in custom.findall(f"{_MAIN}rgbColor")
        )
    looks = _Looks(theme=_theme_colours(theme), palette=palette)
    formats = {
        int(e.get("numFmtId", "-1")): e.get("formatCode", "")
        for e in root.iterfind(f"{_MAIN}numFmts/{_MAIN}numFmt")
    }
    fonts = [
        (_colour(f.find(f"{_MAIN}color"), looks) or "000000", _on(f.find(f"{_MAIN}strike")))
        for f in root.iterfind(f"{_MAIN}fonts/{_MAIN}font")
    ]
    fills = [_fill(f, looks) for f in root.iterfind(f"{_MAIN}fills/{_MAIN}fill")]
    xfs = []
    for xf in root.iterfind(f"{_MAIN}cellXfs/{_MAIN}xf"):
        font = _index(xf.get("fontId"), fonts, ("000000", False))
        fill = _index(xf.get("fillId"), fills, "FFFFFF")
        code = formats.get(int(xf.get("numFmtId", "0") or 0), "")
        xfs.append(_Look(font[0], font[1], fill, code if _shows_nothing(code) else ""))
    return _Looks(tuple(xfs), looks.theme, looks.palette)


def _index(at: str | None, items: list[V], default: V) -> V:
    """The item a format's index (`fontId="3"`) names, `default` past the end."""
    i = int(at) if at and at.isdigit() else 0
    return items[i] if i < len(items) else default


def _on(el: ElementTree.Element | None) -> bool:
    """Whether a font property (`<strike/>`, `<strike val="0"/>`) is set."""
    return el is not None and el.get("val", "1").lower() not in ("0", "false")


def _fill(el: ElementTree.Element, looks: _Looks) -> str | None:
    pattern = el.find(f"{_MAIN}patternFill")
    if pattern is None:
        return None if el.find(f"{_MAIN}gradientFill") is not None else "FFFFFF"
    kind = pattern.get("patternType", "none")
    if kind == "none":
        return "FFFFFF"  # NOTE: no fill: the sheet's own white
    if kind != "solid":
        return None
    return _colour(pattern.find(f"{_MAIN}fgColor"), looks)


def _shows_nothing(code: str) -> bool:
    """Whether a number format shows nothing of a positive number (`;;;`, `;-0;0`)."""
    return ";" in code and not code.split(";")[0].strip() and '"' not in code


def _colour(el: ElementTree.Element | None, looks: _Looks) -> str | None:
    """A colour as "RRGGBB": given as rgb, by the legacy palette's index, or by the theme's
    (with its tint); None when it cannot be told (the automatic colour is black)."""
    if el is None:
        return None
    if el.get("auto", "").lower() in ("1", "true"):
        return "000000"
    if el.get("rgb"):
        return el.get("rgb", "")[-6:].upper()
    if el.get("indexed", "").isdigit():
        i = int(el.get("indexed", "0"))
        if i < len(looks.palette):
            return looks.palette[i]
        return {64: "000000", 65: "FFFFFF"}.get(i)  # NOTE: the system's text and window colours
    if el.get("theme", "").isdigit():
        i = int(el.get("theme", "0"))
        base = looks.theme[i] if i < len(looks.theme) else None
        tint = float(el.get("tint", "0") or 0)
        return _tinted(base, tint) if base else None
    return None


def _tinted(rgb: str, tint: float) -> str:
    """A colour lightened (tint > 0) or darkened (tint < 0), as ECMA-376 §18.8.19 says: on the
    luminance of its HLS form."""
    if not tint:
        return rgb
    import colorsys

    r, g, b = (int(rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    h, lum, s = colorsys.rgb_to_hls(r, g, b)
    lum = lum * (1 + tint) if tint < 0 else lum * (1 - tint) + tint
    return "".join(f"{round(x * 255):02X}" for x in colorsys.hls_to_rgb(h, lum, s))


def _theme_colours(theme: bytes) -> tuple[str | None, ...]:
    if not theme:
        return _OFFICE_THEME
    try:
        root = ElementTree.fromstring(theme)
    except ElementTree.ParseError:
        return _OFFICE_THEME
    scheme = root.find(f"{_DRAWING}themeElements/{_DRAWING}clrScheme")
    if scheme is None:
        return _OFFICE_THEME
    out: list[str | None] = []
    for name in _THEME_ORDER:
        el = scheme.find(f"{_DRAWING}{name}")
        colour = None
        if el is not None and len(el):
            given = el[0]
            colour = given.get("val") if given.tag == f"{_DRAWING}srgbClr" else given.get("lastClr")
        out.append(colour.upper() if colour else None)
    return tuple(out)


# a run of rich text: its text, and what its own properties say (None: the cell's font's)
_RichRun = tuple[str, str, bool | None, str | None]  # text, position, strike, colour


def _rich_strings(sst: bytes, looks: _Looks) -> dict[int, tuple[_RichRun, ...]]:
    """The shared strings (by index) whose runs are raised, lowered, struck through or coloured:
    those may read otherwise than their text joined."""
    if b"rPr" not in sst:
        return {}  # NOTE: no run has properties of its own (every return of the template)
    found: dict[int, tuple[_RichRun, ...]] = {}
    index = 0
    try:
        for _, el in ElementTree.iterparse(BytesIO(sst)):
            if el.tag != f"{_MAIN}si":
                continue
            runs = _runs(el, looks)
            if runs is not None:
                found[index] = runs
            index += 1
            el.clear()
    except ElementTree.ParseError:
        return found
    return found


def _runs(item: ElementTree.Element, looks: _Looks) -> tuple[_RichRun, ...] | None:
    """The runs of a rich string (`<si>` or `<is>`), or None when none has formatting that
    changes how it reads (phonetic runs, `<rPh>`, are not shown in the cell and are left out)."""
    runs: list[_RichRun] = []
    telling = False
    for r in item.iterfind(f"{_MAIN}r"):
        text = "".join(t.text or "" for t in r.iterfind(f"{_MAIN}t"))
        props = r.find(f"{_MAIN}rPr")
        if props is None:
            runs.append((text, "", None, None))
            continue
        align = props.find(f"{_MAIN}vertAlign")
        position = {"superscript": "super", "subscript": "sub"}.get(
            align.get("val", "") if align is not None else "", ""
        )
        strike_el = props.find(f"{_MAIN}strike")
        strike = _on(strike_el) if strike_el is not None else None
        colour_el = props.find(f"{_MAIN}color")
        colour = _colour(colour_el, looks) if colour_el is not None else None
        telling |= bool(position) or strike is not None or colour_el is not None
        runs.append((text, position, strike, colour))
    return tuple(runs) if telling else None


_STRING_CELL = re.compile(rb'<c\b([^>]*\bt="s"[^>]*)>\s*<v>\s*(\d+)\s*</v>')


_STYLED_CELL = re.compile(rb'<c\b([^>]*\bs="(\d+)"[^>]*)>')


def _marked_cells(
    xml: bytes, rich: dict[int, tuple[_RichRun, ...]], looks: _Looks
) -> dict[tuple[int, int], Marked]:
    """A sheet's cells whose formatting changes what is seen: a shared rich string's runs, or a
    format striking the value through, colouring it as its fill, or showing nothing of it."""
    found: dict[tuple[int, int], Marked] = {}
    marked = looks.marked
    if marked:
        for m in _STYLED_CELL.finditer(xml):
            xf = int(m.group(2))
            if xf in marked:
                at = dict(_BATTR.findall(m.group(1))).get(b"r", b"").decode()
                if A1.fullmatch(at):
                    look = looks.of(xf)
                    unseen = look.fill is not None and look.colour == look.fill
                    found[position(at)] = Marked(
                        strike=look.strike, unseen=unseen, format=look.hides
                    )
    if rich:
        for m in _STRING_CELL.finditer(xml):
            runs = rich.get(int(m.group(2)))
            if runs is None:
                continue
            cell = dict(_BATTR.findall(m.group(1)))
            at = cell.get(b"r", b"").decode()
            if A1.fullmatch(at):
                mark = _rich_marked(runs, looks.of(int(cell.get(b"s", b"0") or 0)))
                if mark is not None:
                    found[position(at)] = mark
    return found


def _rich_marked(runs: tuple[_RichRun, ...], look: _Look) -> Marked | None:
    """A rich string's runs in a cell of one format (each run's own properties, else the
    format's font's), or None when none changes what is seen."""
    seen = tuple(
        Run(
            text,
            position,
            look.strike if strike is None else strike,
            look.fill is not None and (colour or look.colour) == look.fill,
        )
        for text, position, strike, colour in runs
    )
    if look.hides or any(r.position or r.strike or r.unseen for r in seen):
        return Marked(seen, format=look.hides)
    return None


def _inline_cells(
    xml: bytes, looks: _Looks, held: dict[tuple[int, int], str]
) -> dict[tuple[int, int], Marked]:
    """A sheet's inline strings (`t="inlineStr"`) whose runs change what is seen; and in `held`,
    what each inline-string cell holds (calamine reads some of them as empty)."""
    found: dict[tuple[int, int], Marked] = {}
    for m in _TYPED_CELL.finditer(xml):
        if m.group(2) != b"inlineStr":
            continue
        cell = dict(_BATTR.findall(m.group(1)))
        at = cell.get(b"r", b"").decode()
        if not A1.fullmatch(at):
            continue
        body = m.group(3) or b""
        if b"rPr" not in body:
            # NOTE: no run with properties of its own (most writers of inline strings): its text
            # is all there is to know, read without a parser
            text = b"".join(_INLINE_TEXT.findall(body)).decode("utf-8", "replace")
            held[position(at)] = html.unescape(text) if "&" in text else text
            continue
        look = looks.of(int(cell.get(b"s", b"0") or 0))
        try:
            item = ElementTree.fromstring(
                b'<c xmlns="' + _MAIN[1:-1].encode() + b'">' + body + b"</c>"
            )
        except ElementTree.ParseError:
            held[position(at)] = body.decode("utf-8", "replace")
            continue
        texts = [t.text or "" for t in item.iter(f"{_MAIN}t")] + [
            v.text or "" for v in item.iter(f"{_MAIN}v")
        ]
        held[position(at)] = "".join(texts)
        string = item.find(f"{_MAIN}is")
        runs = _runs(string, looks) if string is not None else None
        mark = _rich_marked(runs, look) if runs is not None else None
        if mark is not None:
            found[position(at)] = mark
    return found


_INLINE_TEXT = re.compile(rb"<(?:t|v)(?:\s[^>]*)?>([^<]*)</(?:t|v)>")


_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*\bt="e"[^>]*)>(.*?)</(?:\w+:)?c>', re.S)


_CELL_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def _xlsx_errors(sheets: list[tuple[str, bytes]]) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet part, the cells an .xlsx marks as holding an error value (`t="e"`), with the value."""
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
    return found


def _by_sheet_name(
    zf: zipfile.ZipFile,
    found: dict[str, dict[tuple[int, int], V]],
    members: dict[str, str] | None = None,
) -> dict[str, dict[tuple[int, int], V]]:
    """What was found per worksheet part (`xl/worksheets/sheet2.xml`), keyed by the sheet's name
    (`members`: each part's sheet name, when already known)."""
    if not any(found.values()):
        return {}
    names = _sheet_members(zf) if members is None else members
    return {names[m]: cells for m, cells in found.items() if m in names and cells}


def _sheet_members(
    zf: zipfile.ZipFile, memo: Memo | None = None, kept: dict[str, bytes] | None = None
) -> dict[str, str]:
    """Sheet XML member → sheet name, from the workbook and its relationships."""
    book, rels = (
        (kept or {}).get(name) or zf.read(name)
        for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
    )
    return dict(_sheet_parts(book, rels, memo))


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
