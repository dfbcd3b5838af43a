"""Worksheets laid out for people and printers: row heights that fit wrapped text, and A4 print
setup. Shared by the analysts' workbook, the return template and the feedback copies.

NOTE: Excel fits a row to its wrapped text only when the row is edited; LibreOffice and WPS do
not fit rows on opening either, so a label wrapped onto three lines of a row of default height
is drawn over the row below. Every row that holds wrapped text is given its height here.
"""

from __future__ import annotations

from math import ceil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet as OpenpyxlSheet
    from xlsxwriter.worksheet import Worksheet

Spans = dict[tuple[int, int], tuple[int, int]]  # a merged cell's (rows, columns), by (row, col)

# A column width is counted in widths of the digit 0 of the workbook's default font (Calibri
# 11 pt: 7 px). A character of a CJK font at 10 pt is 13.3 px wide, about 1.9 of those; a digit or
# a Latin letter about half. Rounded up, so that a line is never longer than the estimate.
CJK_PER_PT = 0.2  # column-width units per point of font size, per full-width character
LATIN_PER_PT = 0.11
LINE_PER_PT = 1.45  # line height per point of font size (Noto CJK's 1.44 em in LibreOffice)
CELL_PADDING = 0.8  # column-width units a cell keeps free of text
ROW_PADDING_PT = 3.0
A4 = 9  # the paper size code of A4 in SpreadsheetML
A4_POINTS = (595.3, 841.9)  # its width and height, portrait
MARGINS = {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.7}  # inches, as print_setup sets
DEFAULT_ROW_PT = 15.0  # the height of a row given none (XlsxWriter's default)


def text_width(text: str, size: float) -> float:
    """How wide `text` runs on one line at `size` points, in column-width units."""
    return sum(size * (CJK_PER_PT if ord(ch) > 0x2000 else LATIN_PER_PT) for ch in text)


def text_lines(text: str, width: float, size: float) -> int:
    """How many lines `text` wraps to in a column `width` units wide (each `\\n` a new line)."""
    text, room = str(text), max(width - CELL_PADDING, size * CJK_PER_PT)
    if len(text) * size * max(CJK_PER_PT, LATIN_PER_PT) <= room and "\n" not in text:
        return 1  # NOTE: fits even were every character the widest (most cells of a sheet)
    lines = 0
    for paragraph in text.split("\n"):
        used, count = 0.0, 1
        for ch in paragraph:
            advance = size * (CJK_PER_PT if ord(ch) > 0x2000 else LATIN_PER_PT)
            if used + advance > room and used:
                count, used = count + 1, 0.0
            used += advance
        lines += count
    return lines


def printable(landscape: bool) -> tuple[float, float]:
    """The width and height in points that a sheet set up by `print_setup` prints in on A4."""
    short, long = A4_POINTS
    width, height = (long, short) if landscape else (short, long)
    return (
        width - 72 * (MARGINS["left"] + MARGINS["right"]),
        height - 72 * (MARGINS["top"] + MARGINS["bottom"]),
    )


def column_points(width: float) -> float:
    """How wide a column `width` units wide prints, in points at 100 %, at the most: a unit is
    7 px of Calibri's digit in Excel, 7.5 px of Carlito's in LibreOffice (measured), and a
    column keeps 5 px of padding, at 96 px an inch."""
    return 0.75 * 7.5 * (width + 5 / 7)


def row_height(lines: float, size: float) -> float:
    """The height in points of a row holding `lines` lines of text at `size` points."""
    return round(max(lines, 1) * size * LINE_PER_PT + ROW_PADDING_PT, 1)


def fitted_heights(
    cells: list[tuple[int, int, str]],
    widths: dict[int, float],
    size: float,
    spans: Spans | None = None,
) -> dict[int, float]:
    """The height each row needs for its wrapped cells, by row: `cells` are (row, column, text),
    `widths` the columns' widths, `spans` a cell's (rows, columns) merged, (1, 1) if absent;
    a merged cell's lines are shared over the rows it covers."""
    spans = spans or {}
    need: dict[int, float] = {}
    for r, c, text in cells:
        rows, cols = spans.get((r, c), (1, 1))
        width = sum(widths.get(c + i, 8.43) for i in range(cols))
        per_row = text_lines(text, width, size) / rows
        for i in range(rows):
            need[r + i] = max(need.get(r + i, 1), per_row)
    return {r: row_height(ceil(lines), size) for r, lines in need.items()}


def print_setup(
    ws: Worksheet,
    *,
    landscape: bool = False,
    repeat: tuple[int, int] | None = None,
    repeat_cols: tuple[int, int] | None = None,
    one_page: bool = False,
    fit_width: bool = True,
) -> None:
    """An XlsxWriter worksheet set to print on A4, one page wide (and tall, with `one_page`),
    with the header rows `repeat` (first, last) on every page and the page number in the footer."""
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(**MARGINS)
    ws.center_horizontally()
    if fit_width:
        ws.fit_to_pages(1, 1 if one_page else 0)
    if repeat is not None:
        ws.repeat_rows(*repeat)
    if repeat_cols is not None:
        ws.repeat_columns(*repeat_cols)
    ws.set_footer("&C第 &P 页，共 &N 页")


# -- openpyxl worksheets (the feedback copies of returns) -----------------------------------------
def fit_rows(ws: OpenpyxlSheet, size: float = 11) -> None:
    """Raise each row of an openpyxl worksheet to the height its wrapped text needs (a row kept
    at a height of its own is raised only when it is too short for its text)."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, float] = {}

    def width(c: int) -> float:
        if c not in widths:
            dim = ws.column_dimensions.get(get_column_letter(c))
            widths[c] = dim.width if dim is not None and dim.width else 8.43
        return widths[c]

    spans: Spans = {}
    for merged in ws.merged_cells.ranges:
        spans[merged.min_row, merged.min_col] = (
            merged.max_row - merged.min_row + 1,
            merged.max_col - merged.min_col + 1,
        )
    need: dict[int, float] = {}
    for row in ws.iter_rows():
        for cell in row:
            # NOTE: openpyxl holds a formula as its text (`=SUM(D6,…)`): not text to fit
            if cell.data_type != "s" or not isinstance(cell.value, str):
                continue
            if not cell.alignment.wrap_text:
                continue
            rows, cols = spans.get((cell.row, cell.column), (1, 1))
            room = sum(width(cell.column + i) for i in range(cols))
            font = cell.font.sz or size
            per_row = row_height(text_lines(cell.value, room, font) / rows, font)
            for r in range(cell.row, cell.row + rows):
                need[r] = max(need.get(r, 0), per_row)
    for r, height in need.items():
        current = ws.row_dimensions[r].height
        if current is None or current < height:
            ws.row_dimensions[r].height = height


def print_setup_openpyxl(
    ws: OpenpyxlSheet, *, landscape: bool = False, repeat: str | None = None
) -> None:
    """An openpyxl worksheet set to print on A4 one page wide, `repeat` rows (`1:1`) on each page,
    unless it has a print setup of its own (its author's, kept)."""
    if ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage:
        return
    if ws.page_setup.paperSize not in (None, ""):
        return
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if repeat:
        ws.print_title_rows = repeat
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
