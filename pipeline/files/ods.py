"""OpenDocument spreadsheets (.ods): the extent of their grids, checked before reading, and what calamine's values of their cells do not tell (error values, text raised, lowered, struck through or in the colour of the cell's background)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from xml.etree import ElementTree

from pipeline.files.limits import LIMITS, _xml_pieces
from pipeline.files.runs import Run
from pipeline.ingest.values import Hidden, Marked
from pipeline.inputs import read_config, read_units  # noqa: F401  (the run's own inputs)

_ODS_TAG = re.compile(rb"<table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*)>")


_ODS_REPEAT = re.compile(rb'number-(?:rows|columns)-repeated="(\d{1,9})"')


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


_ODS = {
    "table": "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}",
    "calcext": "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}",
    "office": "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}",
    "style": "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}",
    "text": "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}",
    "fo": "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}",
}
_T, _CALC, _OFFICE = _ODS["table"], _ODS["calcext"], _ODS["office"]
_STYLE, _TEXT, _FO = _ODS["style"], _ODS["text"], _ODS["fo"]


# a style's properties that change what is seen of a cell's text (None: not given, inherited)
@dataclass(frozen=True)
class _Props:
    position: str | None = None  # "super" | "sub" | "" (on the line)
    strike: bool | None = None
    colour: str | None = None  # "RRGGBB"
    background: str | None = None  # "RRGGBB"; "FFFFFF" when transparent (the sheet's white)
    parent: str = ""

    def over(self, base: _Props) -> _Props:
        """These properties, the ones not given taken from `base`."""
        return _Props(
            self.position if self.position is not None else base.position,
            self.strike if self.strike is not None else base.strike,
            self.colour if self.colour is not None else base.colour,
            self.background if self.background is not None else base.background,
        )


# NOTE: the properties only matter where a run is raised, lowered, struck or coloured
_TELLING = (b"text-position", b"line-through", b"fo:color", b"use-window-font-color")


def ods_cells(content: bytes, styles: bytes = b"") -> Hidden:
    """What calamine's values of an OpenDocument spreadsheet's cells do not tell: the cells
    marked as holding an error value (`calcext:value-type="error"`, shown as `#DIV/0!` or
    LibreOffice's `Err:502`), and the cells whose formatting changes what is seen (a span
    raised, lowered, struck through or in the colour of the cell's background)."""
    telling = any(t in content or t in styles for t in _TELLING)
    known = _style_props(styles) if telling and styles else {}
    errors: dict[str, dict[tuple[int, int], str]] = {}
    marked: dict[str, dict[tuple[int, int], Marked]] = {}
    sheet, row, col = "", 0, 0
    columns: list[str] = []  # each column's default cell style
    row_style = ""
    for event, el in ElementTree.iterparse(BytesIO(content), events=("start", "end")):
        tag = el.tag
        if tag == f"{_T}table" and event == "start":
            sheet, row, columns = el.get(f"{_T}name", ""), 0, []
        elif tag == f"{_T}table-column" and event == "end":
            repeat = min(int(el.get(f"{_T}number-columns-repeated", "1")), 1_024)
            columns.extend([el.get(f"{_T}default-cell-style-name", "")] * repeat)
        elif tag == f"{_STYLE}style" and event == "end" and telling:
            known[el.get(f"{_STYLE}family", ""), el.get(f"{_STYLE}name", "")] = _props(el)
        elif tag == f"{_T}table-row":
            if event == "start":
                col, row_style = 0, el.get(f"{_T}default-cell-style-name", "")
            else:
                row += int(el.get(f"{_T}number-rows-repeated", "1"))
                el.clear()
        elif tag in (f"{_T}table-cell", f"{_T}covered-table-cell") and event == "end":
            repeat = int(el.get(f"{_T}number-columns-repeated", "1"))
            if el.get(f"{_CALC}value-type") == "error":
                code = "".join(el.itertext()).strip() or "#错误"
                for c in range(col, col + min(repeat, 1_000)):
                    errors.setdefault(sheet, {})[row, c] = code
            elif telling and tag == f"{_T}table-cell" and len(el):
                named = el.get(f"{_T}style-name") or (
                    columns[col] if col < len(columns) and columns[col] else row_style
                )
                found = _cell_marked(el, _resolved(known, "table-cell", named or "Default"), known)
                if found is not None:
                    for c in range(col, col + min(repeat, 1_000)):
                        marked.setdefault(sheet, {})[row, c] = found
            col += repeat
    return Hidden(errors=errors, marked=marked)


def _style_props(styles: bytes) -> dict[tuple[str, str], _Props]:
    """The named and default styles of styles.xml, by (family, name); a family's default style
    under the name ""."""
    known: dict[tuple[str, str], _Props] = {}
    try:
        root = ElementTree.fromstring(styles)
    except ElementTree.ParseError:
        return known
    for el in root.iter(f"{_STYLE}default-style"):
        known[el.get(f"{_STYLE}family", ""), ""] = _props(el)
    for el in root.iter(f"{_STYLE}style"):
        known[el.get(f"{_STYLE}family", ""), el.get(f"{_STYLE}name", "")] = _props(el)
    return known


def _props(el: ElementTree.Element) -> _Props:
    text = el.find(f"{_STYLE}text-properties")
    cell = el.find(f"{_STYLE}table-cell-properties")
    position = strike = colour = background = None
    if text is not None:
        given = text.get(f"{_STYLE}text-position")
        if given is not None:
            first = given.split()[0] if given.split() else "0%"
            number = first.rstrip("%")
            if first == "super" or (
                number.lstrip("-").replace(".", "").isdigit() and float(number) > 0
            ):
                position = "super"
            elif first == "sub" or (
                number.lstrip("-").replace(".", "").isdigit() and float(number) < 0
            ):
                position = "sub"
            else:
                position = ""
        lines = [text.get(f"{_STYLE}text-line-through-{k}") for k in ("style", "type")]
        if any(v is not None for v in lines):
            strike = any(v not in (None, "none") for v in lines)
        if text.get(f"{_STYLE}use-window-font-color") == "true":
            colour = "000000"
        elif (text.get(f"{_FO}color") or "").startswith("#"):
            colour = text.get(f"{_FO}color", "")[1:].upper()
    if cell is not None:
        given = cell.get(f"{_FO}background-color")
        if given == "transparent":
            background = "FFFFFF"
        elif given and given.startswith("#"):
            background = given[1:].upper()
    return _Props(position, strike, colour, background, el.get(f"{_STYLE}parent-style-name", ""))


def _resolved(known: dict[tuple[str, str], _Props], family: str, name: str) -> _Props:
    """A style's properties with those it inherits (its parents, its family's default)."""
    props = _inherited(known, family, name).over(known.get((family, ""), _Props()))
    return props.over(_Props("", False, "000000", "FFFFFF"))


def _cell_marked(
    cell: ElementTree.Element, props: _Props, known: dict[tuple[str, str], _Props]
) -> Marked | None:
    """A cell whose formatting changes what is seen: a string's runs (spans raised, lowered,
    struck or in the background's colour), or the whole value struck or in that colour."""
    string = cell.get(f"{_OFFICE}value-type", "string") == "string"
    runs: list[Run] = []
    for i, p in enumerate(cell.iterfind(f"{_TEXT}p")):
        if i:
            runs.append(Run("\n"))
        # NOTE: a cell raised or lowered as a whole still shows one number, as in .xlsx
        base = _Props(None, props.strike, props.colour, props.background)
        _paragraph_runs(p, _resolved_text(known, p, "paragraph").over(base), props, known, runs)
    if not string:
        whole = "".join(r.text for r in runs)
        unseen = props.colour == props.background
        return (
            Marked(strike=bool(props.strike), unseen=unseen)
            if (props.strike or unseen) and whole.strip()
            else None
        )
    if any((r.position or r.strike or r.unseen) and r.text.strip() for r in runs):
        return Marked(tuple(runs))
    return None


def _resolved_text(
    known: dict[tuple[str, str], _Props], el: ElementTree.Element, family: str
) -> _Props:
    return _inherited(known, family, el.get(f"{_TEXT}style-name", ""))


def _inherited(known: dict[tuple[str, str], _Props], family: str, name: str) -> _Props:
    """A style's own properties over those of its parents, as far as they are known."""
    props = _Props()
    seen = set()
    while name and name not in seen and (family, name) in known:
        seen.add(name)
        own = known[family, name]
        props = props.over(own)
        name = own.parent
    return props


def _paragraph_runs(
    el: ElementTree.Element,
    props: _Props,
    cell: _Props,
    known: dict[tuple[str, str], _Props],
    runs: list[Run],
) -> None:
    """The runs of a paragraph or span, each with the properties it shows with."""

    def add(text: str | None, p: _Props) -> None:
        if text:
            runs.append(Run(text, p.position or "", bool(p.strike), p.colour == cell.background))

    add(el.text, props)
    for child in el:
        tag = child.tag
        if tag == f"{_TEXT}span":
            _paragraph_runs(
                child, _resolved_text(known, child, "text").over(props), cell, known, runs
            )
        elif tag == f"{_TEXT}s":
            add(" " * int(child.get(f"{_TEXT}c", "1")), props)
        elif tag == f"{_TEXT}tab":
            add("\t", props)
        elif tag == f"{_TEXT}line-break":
            add("\n", props)
        elif tag == f"{_TEXT}a":
            _paragraph_runs(child, props, cell, known, runs)
        add(child.tail, props)
