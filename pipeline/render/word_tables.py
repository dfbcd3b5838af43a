"""The report's tables in Word: how tall each row prints, where a table too tall for a page is
split (表三, 表三（续）), and the WordprocessingML of each part with its merges.

The heights are estimated from the text and the fixed line heights, the same way whatever font
the machine substitutes, so `table_parts` can tell whether a table fits under its heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations, pairwise
from math import ceil
from typing import TYPE_CHECKING

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

from pipeline.format2021 import PrintedCell, PrintedTable, group_starts, printed, printed_part
from pipeline.render.environment import Values
from pipeline.render.tables import printed_text

if TYPE_CHECKING:
    from docx.document import Document

TABLE_SIZE = {"s2": Pt(12), "s3": Pt(10.5), "s4": Pt(10.5)}  # 小四; 五号 where the table is wide
# NOTE: exact line heights (固定值), in the tables too: a row is then as tall whatever font the
# machine substitutes (Noto's natural line is 1.44 em, 仿宋's about 1.2), so where a table ends
# is the same in Word, WPS and LibreOffice, and `table_parts` can tell whether it fits a page
TABLE_LINE = {"s2": Pt(17), "s3": Pt(14), "s4": Pt(14)}
TEXT_WIDTH_MM = 156
PT_PER_MM = 72 / 25.4
BODY_HEIGHT_PT = (297 - 37 - 35) * PT_PER_MM  # the height of the text on a page
# a part heading (or a 续 caption) above a table: its 28 pt line and the 6 pt before it, borders
HEADING_PT = 28 + 6 + 2
CELL_MARGIN_MM = 0.8  # left and right inside each table cell
ROW_EXTRA_PT = 1.0  # a row's borders
# the fixed columns of each table, left first: 表三's outer label five characters wide (三、本年度
# / 办理结果), its group labels four (（三） / 不予公开), 自然人 three; its other figures share the
# rest, two characters each (商业 / 企业, four digits)
COLUMN_WIDTHS_MM = {"s2": (52,), "s3": (21, 17.5, 49.6, 12.7), "s4": ()}
NO_LINE_START = frozenset("，。、；：？！）》」』”’")
GROUP_NUMBER = re.compile(r"^（[一二三四五六七八九十]+）")


def column_widths_mm(section: str) -> list[float]:
    """The widths of a table's grid columns: its label and figure columns as set, any others
    sharing what is left of the page."""
    g = printed(section)
    fixed = COLUMN_WIDTHS_MM[section]
    rest = (TEXT_WIDTH_MM - sum(fixed)) / (g.n_cols - len(fixed)) if g.n_cols > len(fixed) else 0
    return [*fixed, *[rest] * (g.n_cols - len(fixed))]


def table_parts(
    section: str, values: Values | None = None, first_room: float | None = None
) -> list[PrintedTable]:
    """The table as printed: whole when it fits on a page under its heading, else split on purpose
    at group boundaries into parts (表三, 表三（续）) that each fit a page, with as few parts as
    can be and their heights as even as can be. With `first_room` (the height left on the page
    it starts on, when that page would otherwise hold one table alone), its first part is as
    many groups as fit there, and the rest follows on the next page."""
    g = printed(section)
    values = values or {}
    starts = group_starts(section) if g.header_rows else ()
    heights = [row_height_pt(section, r, values) for r in range(g.n_rows)]
    header = sum(heights[: g.header_rows])
    rows = heights[g.header_rows :]
    room = BODY_HEIGHT_PT - HEADING_PT  # under its part heading, or under the 续 caption
    if first_room is not None and starts and header + sum(rows) > first_room:
        fitting = [s for s in starts if header + sum(rows[:s]) <= first_room]
        if fitting:
            # NOTE: the rest is laid out as a table of its own, on the pages after
            cut = fitting[-1]
            rest = _split(header, rows[cut:], [s - cut for s in starts if s > cut], room)
            return [
                printed_part(section, 0, cut),
                *(printed_part(section, a + cut, b + cut) for a, b in rest),
            ]
    if header + sum(rows) <= room or not starts:
        return [g]
    return [printed_part(section, a, b) for a, b in _split(header, rows, list(starts), room)]


def _split(
    header: float, rows: list[float], starts: list[int], room: float
) -> list[tuple[int, int]]:
    """The data rows of each part of `rows` (their heights, under `header`) split at `starts`
    into as few parts as fit `room`, as even as can be: (first, past the last) of each."""
    if header + sum(rows) <= room or not starts:
        return [(0, len(rows))]
    cuts = [0, *starts, len(rows)]

    def height(a: int, b: int) -> float:
        return header + sum(rows[cuts[a] : cuts[b]])

    # NOTE: fewest parts first, then the most even: a part that ends half way down a page
    # leaves its continuation to start the next page on its own (page break before 表三（续）)
    best: tuple[float, tuple[int, ...]] | None = None
    for n in range(2, len(cuts)):
        for chosen in combinations(range(1, len(cuts) - 1), n - 1):
            bounds = (0, *chosen, len(cuts) - 1)
            tallest = max(height(a, b) for a, b in pairwise(bounds))
            if tallest <= room and (best is None or tallest < best[0]):
                best = (tallest, bounds)
        if best:
            break
    bounds = best[1] if best else (0, len(cuts) - 1)
    return [(cuts[a], cuts[b]) for a, b in pairwise(bounds)]


def part_height_pt(section: str, part: PrintedTable, values: Values | None = None) -> float:
    """How tall one part of a table prints (its header and its own rows)."""
    values = values or {}
    g = printed(section)
    if part is g:
        return table_height_pt(section, values)
    heights = [row_height_pt(section, r, values) for r in range(g.n_rows)]
    mine = {c.row for c in part.cells if c.kind == "value"}
    body = {
        r
        for c in g.cells
        if c.kind == "value" and c.row in mine
        for r in range(c.r, c.r + c.rowspan)
    }
    return sum(heights[: g.header_rows]) + sum(heights[r] for r in body)


@dataclass
class Flow:
    """Where a report's content falls on its pages, as estimated from its fixed line heights
    (the text's exact lines, the tables' row heights): the height used on the current page and
    what that page holds so far ("text", "table"; "space" for an empty line)."""

    used: float = 0.0
    holds: list[str] = field(default_factory=list)

    @property
    def room(self) -> float:
        """The height left on the current page."""
        return BODY_HEIGHT_PT - self.used

    @property
    def one_table_alone(self) -> bool:
        """Whether the current page holds one table and nothing else."""
        return [kind for kind in self.holds if kind != "space"] == ["table"]

    def text(self, lines: int, line: float, before: float = 0.0, kind: str = "text") -> None:
        """Lines of text, flowing on to the next page when this one is full."""
        height = before + lines * line
        if height <= self.room:
            self.used += height
            self.holds.append(kind)
            return
        here = max(0, int((self.room - before) // line))
        per_page = max(1, int(BODY_HEIGHT_PT // line))
        left = (lines - here) % per_page or per_page
        self.used, self.holds = left * line, [kind]

    def block(self, height: float, kind: str, *, new_page: bool = False) -> None:
        """A block kept whole (a heading and its table): here when it fits, else on a new page."""
        if new_page or height > self.room:
            self.used, self.holds = 0.0, []
        self.used += height
        self.holds.append(kind)


def text_lines_of(text: str, size_pt: float, indent: int = 0) -> int:
    """How many lines a paragraph of body text takes across the page (`indent`: characters of
    first-line indent)."""
    return text_lines("\u3000" * indent + text, TEXT_WIDTH_MM * PT_PER_MM, size_pt)


def table_height_pt(section: str, values: Values | None = None) -> float:
    """How tall the whole table prints, in points, at its size (the estimate `table_parts` uses)."""
    return sum(row_height_pt(section, r, values or {}) for r in range(printed(section).n_rows))


def row_height_pt(section: str, r: int, values: Values) -> float:
    """How tall grid row `r` of a table prints: the most lines a cell of it needs at its column
    width (a merged cell's lines shared over the rows it spans), at the table's fixed line height."""
    g = printed(section)
    widths = column_widths_mm(section)
    size, line = TABLE_SIZE[section].pt, TABLE_LINE[section].pt
    need = 1.0
    for cell in g.cells:
        if not cell.r <= r < cell.r + cell.rowspan:
            continue
        width = (sum(widths[cell.c : cell.c + cell.colspan]) - 2 * CELL_MARGIN_MM) * PT_PER_MM
        lines = sum(
            text_lines(piece, width, size)
            for piece in cell_lines(cell, printed_text(cell, section, values))
        )
        need = max(need, lines / cell.rowspan)
    return ceil(need) * line + ROW_EXTRA_PT


def text_lines(text: str, width_pt: float, size_pt: float) -> int:
    """How many lines `text` takes in a column `width_pt` wide, set at `size_pt`: full-width
    characters one em, others (digits, Latin) two thirds of one, a line never starting with
    closing punctuation (it takes the character before it along)."""
    lines, used = 1, 0.0
    previous = 0.0
    for char in text:
        advance = size_pt * (1.0 if ord(char) > 0x2000 else 0.67)
        if used + advance > width_pt + 0.01 and used:
            lines += 1
            carried = previous if char in NO_LINE_START else 0.0
            used = carried
        used += advance
        previous = advance
    return lines


def cell_lines(cell: PrintedCell, text: str) -> list[str]:
    """The lines a table cell is written in: a group label of 表三 breaks after its number
    (（三） / 不予公开) rather than anywhere the column happens to end."""
    if cell.kind == "label" and cell.colspan == 1 and cell.c == 1:
        found = GROUP_NUMBER.match(text)
        if found and found.end() < len(text):
            return [text[: found.end()], text[found.end() :]]
    return [text]


def table_xml(doc: Document, section: str, g: PrintedTable, values: Values, style: str) -> None:
    """One table written as WordprocessingML from its grid (`gridSpan` across, `vMerge` down), its
    paragraphs in the paragraph style `style`.

    Every row is kept with the next (`keepNext` on its paragraphs) and cannot split
    (`cantSplit`): Word, WPS and LibreOffice then move the table whole to the next page rather
    than leave a heading or a group label behind. The line height is exact, so the table is as
    tall with 仿宋 in WPS as with Noto in LibreOffice.

    NOTE: built as XML rather than through python-docx's `merge()`, which walks the whole table
    for every merge (a third of a second per report).
    """
    widths = [twips(w) for w in column_widths_mm(section)]
    style_id = doc.styles[style].style_id
    size = str(int(TABLE_SIZE[section].pt * 2))  # half-points
    line = str(int(TABLE_LINE[section].pt * 20))  # twips
    margin = str(twips(CELL_MARGIN_MM))
    cover: dict[tuple[int, int], PrintedCell] = {}
    for cell in g.cells:
        for r in range(cell.r, cell.r + cell.rowspan):
            for c in range(cell.c, cell.c + cell.colspan):
                cover[r, c] = cell
    tbl = element("w:tbl")
    pr = element("w:tblPr", tbl)
    element("w:tblStyle", pr, val=doc.styles["Table Grid"].style_id)
    element("w:tblW", pr, w=str(sum(widths)), type="dxa")
    element("w:jc", pr, val="center")
    element("w:tblLayout", pr, type="fixed")
    margins = element("w:tblCellMar", pr)
    for side in ("left", "right"):
        element(f"w:{side}", margins, w=margin, type="dxa")
    element("w:tblLook", pr, val="04A0", firstRow="1", firstColumn="1", noVBand="1")
    cols = element("w:tblGrid", tbl)
    for width in widths:
        element("w:gridCol", cols, w=str(width))
    for r in range(g.n_rows):
        tr = element("w:tr", tbl)
        tr_pr = element("w:trPr", tr)
        element("w:cantSplit", tr_pr)
        if r < g.header_rows:
            element("w:tblHeader", tr_pr)  # repeated at the top of each page
        c = 0
        while c < g.n_cols:
            cell = cover[r, c]
            tc = element("w:tc", tr)
            tc_pr = element("w:tcPr", tc)
            element("w:tcW", tc_pr, w=str(sum(widths[c : c + cell.colspan])), type="dxa")
            if cell.colspan > 1:
                element("w:gridSpan", tc_pr, val=str(cell.colspan))
            if cell.rowspan > 1:
                element("w:vMerge", tc_pr, **({"val": "restart"} if cell.r == r else {}))
            element("w:vAlign", tc_pr, val="center")
            p = element("w:p", tc)
            p_pr = element("w:pPr", p)
            element("w:pStyle", p_pr, val=style_id)
            if r < g.n_rows - 1:
                element("w:keepNext", p_pr)  # NOTE: the last row lets the table end the page
            element("w:spacing", p_pr, line=line, lineRule="exact")
            if cell.kind == "label":
                element("w:jc", p_pr, val="left")
            if cell.r == r:
                run = element("w:r", p)
                r_pr = element("w:rPr", run)
                if cell.kind == "heading":
                    element("w:b", r_pr)
                element("w:sz", r_pr, val=size)
                element("w:szCs", r_pr, val=size)
                for i, piece in enumerate(cell_lines(cell, printed_text(cell, section, values))):
                    if i:
                        element("w:br", run)
                    element("w:t", run).text = piece
            c += cell.colspan
    doc.element.body.sectPr.addprevious(tbl)


def element(tag: str, parent: etree._Element | None = None, **attrs: str) -> etree._Element:
    """A WordprocessingML element `tag` with w: attributes, appended to `parent` if given."""
    el = OxmlElement(tag) if parent is None else etree.SubElement(parent, qn(tag))
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


def twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)
