"""OpenDocument spreadsheets (.ods): the extent of their grids, checked before reading, and their error values."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO
from xml.etree import ElementTree

from pipeline.files.limits import LIMITS, _xml_pieces
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
