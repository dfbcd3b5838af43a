"""Finding the format's tables in a sheet by their labels, wherever they stand.

A sheet is a grid of raw cell values (row 0 is the sheet's row 1). Rows are found by their
label, columns by their header label and the header labels above it (so 表四's three `结果维持`
are told apart by `行政复议` / `未经复议直接起诉` / `复议后起诉` above them).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from pipeline.format2021 import Section
from pipeline.values import cell_text

Grid = list[list[object]]

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」")
_NUMBERING = re.compile(r"^(\d+)[、,，.．]")


@cache
def norm(text: str) -> str:
    """A label reduced to what identifies it: no spaces or line breaks, half-width, `1、` → `1.`."""
    t = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    t = _SPACE.sub("", t)
    return _NUMBERING.sub(r"\1.", t)


@dataclass(frozen=True)
class Located:
    """Where a section's cells are on one sheet, and which labels could not be found."""

    cells: dict[tuple[str, str], tuple[int, int]]  # (row, col) code -> (r, c), 0-based
    missing: tuple[str, ...]  # labels not found
    score: float  # share of the section's cells found


class SheetIndex:
    """The text cells of one sheet, indexed by normalised label."""

    def __init__(self, rows: Grid):
        self.rows = rows
        self.where: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.text_at: dict[tuple[int, int], str] = {}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str) and value.strip():
                    key = norm(value)
                    self.where[key].append((r, c))
                    self.text_at[r, c] = key
        # NOTE: sheets laid out alike (every return made from one template) share a fingerprint,
        # so where their tables are is worked out once
        self.fingerprint = hash(tuple(self.text_at.items()))

    def covering(self, r: int, c: int) -> str:
        """The nearest label at or left of column c in row r (a merged header's text sits at its left)."""
        for cc in range(c, -1, -1):
            text = self.text_at.get((r, cc))
            if text is not None:
                return text
        return ""

    def under(self, r: int, c: int, ancestors: tuple[str, ...]) -> bool:
        """Whether the header labels `ancestors` (outermost first) stand above (r, c)."""
        wanted = [norm(a) for a in reversed(ancestors)]
        rr = r - 1
        while wanted and rr >= 0:
            if self.covering(rr, c) == wanted[0]:
                wanted.pop(0)
            rr -= 1
        return not wanted

    def value(self, r: int, c: int) -> object:
        row = self.rows[r] if r < len(self.rows) else ()
        return row[c] if c < len(row) else None

    def field(self, label: str) -> str | None:
        """The text written after a form label such as `填报单位：`, in its cell or the next one right."""
        key = norm(label)
        for (r, c), text in self.text_at.items():
            if not text.startswith(key):
                continue
            rest = text[len(key) :].lstrip(":")
            if rest:
                return rest
            for value in self.rows[r][c + 1 :]:
                if value not in (None, ""):
                    return cell_text(value).strip()
            return ""
        return None


_layouts: dict[tuple[str, int], Located] = {}


def locate(index: SheetIndex, section: Section) -> Located:
    """Find the cells of `section` on the sheet indexed by `index` (remembered per layout)."""
    key = (section.code, index.fingerprint)
    found = _layouts.get(key)
    if found is None:
        found = _locate(index, section)
        if len(_layouts) < 10_000:
            _layouts[key] = found
    return found


def _locate(index: SheetIndex, section: Section) -> Located:
    row_at: dict[str, int] = {}
    missing: list[str] = []
    for row in section.rows:
        if not row.label:
            continue
        places = index.where.get(norm(row.label))
        if places:
            row_at[row.code] = places[0][0]
        else:
            missing.append(row.label)
    headers: dict[str, list[tuple[int, int]]] = {}
    for col in section.cols:
        places = [p for p in index.where.get(norm(col.label), []) if index.under(*p, col.path)]
        if places:
            headers[col.code] = places
    unlabelled = [r for r in section.rows if not r.label]
    if unlabelled and headers:
        below = max(p[0] for places in headers.values() for p in places) + 1
        for row in unlabelled:
            row_at[row.code] = below
    cells: dict[tuple[str, str], tuple[int, int]] = {}
    missing_cols: set[str] = set()
    for row in section.rows:
        if row.code not in row_at:
            continue
        r = row_at[row.code]
        for col in section.cols_of(row):
            above = [p for p in headers.get(col.code, []) if p[0] < r]
            if above:
                cells[row.code, col.code] = (r, max(above, key=lambda p: p[0])[1])  # nearest above
            else:
                missing_cols.add(col.label)
    total = len(section.cells)
    return Located(cells, tuple(missing) + tuple(sorted(missing_cols)), len(cells) / total)
