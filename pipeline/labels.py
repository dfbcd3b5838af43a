"""Finding the format's tables in a sheet by their labels, wherever they stand.

A sheet is a grid of raw cell values (row 0 is the sheet's row 1). Rows are found by their
label, columns by their header label and the header labels above it (so 表四's three `结果维持`
are told apart by `行政复议` / `未经复议直接起诉` / `复议后起诉` above them). A column's header
is looked for only in the header rows nearest above its table's rows, so two tables stacked on
one sheet (表三 over 表四, both with `总计` and `其他`) are told apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from pipeline.format2021 import (
    OLD_FORMAT_LABELS,
    OLD_FORMAT_SINGLE_ROW,
    S3,
    SECTIONS,
    Section,
)
from pipeline.values import cell_text

Grid = list[list[object]]

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」")
_NUMBERING = re.compile(r"^(\d+)[、,，.．]")
# NOTE: misspellings and variants met in real returns, as normalised text → the format's label
# (normalised). The one place to add a peer's new way of writing a label.
_MISSPELT = {"其它": "其他", "帐": "账"}
_ALIASES_AS_WRITTEN = {
    "（二）部分公开": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "（二）部分公开（区分处理的,只计这一情形,不计其他情形）": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "本年收费金额（万元）": "本年收费金额（单位：万元）",
    "本年收费金额": "本年收费金额（单位：万元）",
    "收费金额（万元）": "本年收费金额（单位：万元）",
    "本年新收政府信息公开申请数量": "一、本年新收政府信息公开申请数量",
    "上年结转政府信息公开申请数量": "二、上年结转政府信息公开申请数量",
    "结转下年度继续办理": "四、结转下年度继续办理",
    "（七）合计": "（七）总计",
    "1.信访、举报、投诉类申请": "1.信访举报投诉类申请",
    "4.无正当理由大量、反复申请": "4.无正当理由大量反复申请",
    "5.要求行政机关确认或者重新出具已获取信息": "5.要求行政机关确认或重新出具已获取信息",
    "3.危及三个安全一个稳定": "3.危及“三安全一稳定”",
    "规范性文件": "行政规范性文件",
    "行政事业收费": "行政事业性收费",
}


def _normal(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    t = _SPACE.sub("", t)
    t = _NUMBERING.sub(r"\1.", t)
    for wrong, right in _MISSPELT.items():
        t = t.replace(wrong, right)
    return t


ALIASES = {_normal(k): _normal(v) for k, v in _ALIASES_AS_WRITTEN.items()}


@cache
def norm(text: str) -> str:
    """A label reduced to what identifies it: no spaces or line breaks, half-width, `1、` → `1.`,
    known misspellings and variants mapped to the format's label."""
    t = _normal(text)
    return ALIASES.get(t, t)


# the group labels a row label may be written after, in one cell: 三、本年度办理结果（三）不予公开1.…
_GROUPS = tuple(sorted({norm(p) for r in S3.rows for p in r.path}, key=len, reverse=True))


@cache
def keys(text: str) -> tuple[str, ...]:
    """The labels a cell's text stands for: itself, and what follows its group labels."""
    key = norm(text)
    rest = key
    stripped = True
    while stripped and rest:
        stripped = False
        for group in _GROUPS:
            if rest.startswith(group) and len(rest) > len(group):
                rest = rest[len(group) :]
                stripped = True
                break
    if rest == key:
        return (key,)
    return (key, ALIASES.get(rest, rest))


@dataclass(frozen=True)
class Located:
    """Where a section's cells are on one sheet, and which labels could not be found."""

    cells: dict[tuple[str, str], tuple[int, int]]  # (row, col) code -> (r, c), 0-based
    missing: tuple[str, ...]  # labels not found
    score: float  # share of the section's cells found
    # the row taken for a table's unlabelled row (表四's figures), which depends on the sheet's
    # values, not only its text: layouts are told apart by it as well; -1 when there is none
    variant: int = -1


class SheetIndex:
    """The text cells of one sheet, indexed by normalised label.

    NOTE: most sheets read are laid out like one seen before (every return made from one
    template), so only what identifies the layout is worked out per sheet: its fingerprint, the
    hash of its text cells as written. The index by label is built when first asked for."""

    def __init__(self, rows: Grid):
        self.rows = rows
        texts = [
            (r, c, value)
            for r, row in enumerate(rows)
            for c, value in enumerate(row)
            if value.__class__ is str and value
        ]
        self.fingerprint = hash(tuple(texts))
        self._texts = texts
        self._where: dict[str, list[tuple[int, int]]] | None = None
        self._text_at: dict[tuple[int, int], str] = {}

    def _index(self) -> None:
        self._where = defaultdict(list)
        for r, c, value in self._texts:
            if not value.isspace():
                found = keys(value)
                for key in found:
                    self._where[key].append((r, c))
                self._text_at[r, c] = found[-1]

    @property
    def where(self) -> dict[str, list[tuple[int, int]]]:
        if self._where is None:
            self._index()
        return self._where

    @property
    def text_at(self) -> dict[tuple[int, int], str]:
        if self._where is None:
            self._index()
        return self._text_at

    def covering(self, r: int, c: int) -> str:
        """The nearest label at or left of column c in row r (a merged header's text sits at its left)."""
        for cc in range(c, -1, -1):
            text = self.text_at.get((r, cc))
            if text is not None:
                return text
        return ""

    def under(self, r: int, c: int, ancestors: tuple[str, ...], top: int = 0) -> bool:
        """Whether the header labels `ancestors` (outermost first) stand above (r, c), below `top`."""
        wanted = [norm(a) for a in reversed(ancestors)]
        rr = r - 1
        while wanted and rr >= top:
            if self.covering(rr, c) == wanted[0]:
                wanted.pop(0)
            rr -= 1
        return not wanted

    def value(self, r: int, c: int) -> object:
        row = self.rows[r] if r < len(self.rows) else ()
        return row[c] if c < len(row) else None

    def field(self, label: str) -> str | None:
        """The text written after a form label such as `填报单位：`, in its cell or the next one right."""
        # NOTE: where the label stands is remembered per layout; what follows it never is (a year
        # written as a number is not part of the fingerprint)
        key = (self.fingerprint, label)
        if key not in _fields:
            _fields[key] = self._field_at(norm(label))
            if len(_fields) > 10_000:
                del _fields[next(iter(_fields))]
        at = _fields[key]
        if at is None:
            return None
        r, c, rest = at
        if rest:
            return rest
        for value in self.rows[r][c + 1 :]:
            if value not in (None, ""):
                return cell_text(value).strip()
        return ""

    def _field_at(self, key: str) -> tuple[int, int, str] | None:
        for (r, c), text in self.text_at.items():
            if text.startswith(key):
                return r, c, text[len(key) :].lstrip(":")
        return None

    def titles(self, first_rows: int = 4) -> list[str]:
        """Text cells near the top that read like a report's title (they may name the unit)."""
        return [
            text
            for (r, _c), text in sorted(self.text_at.items())
            if r < first_rows and len(text) >= 8 and _TITLE.search(text)
        ]


_fields: dict[tuple[int, str], tuple[int, int, str] | None] = {}
_TITLE = re.compile(r"(\d{4}年|年度|年报|报告|政府信息公开|政务公开)")
_OLD_TELLS = tuple(norm(label) for label in OLD_FORMAT_LABELS)
_OLD_ROW = norm(OLD_FORMAT_SINGLE_ROW)
_NEW_SUB_ROWS = frozenset(norm(r.label) for r in S3.rows if OLD_FORMAT_SINGLE_ROW in r.path)


def old_format_labels(index: SheetIndex) -> list[str]:
    """The tell-tale labels of the 2019 trial format found on a sheet."""
    texts = "\n".join(index.where)
    found = [
        label for label, key in zip(OLD_FORMAT_LABELS, _OLD_TELLS, strict=True) if key in texts
    ]
    if _OLD_ROW in index.where and not _NEW_SUB_ROWS.intersection(index.where):
        found.append(OLD_FORMAT_SINGLE_ROW)
    return found


_layouts: dict[tuple[str, int], _Layout] = {}
_resolved: dict[tuple[str, int, int], Located] = {}
HEADER_SLACK = 3  # rows a table's header may stand above its first row beyond its own depth


def locate(index: SheetIndex, section: Section) -> Located:
    """Find the cells of `section` on the sheet indexed by `index` (remembered per layout).

    NOTE: a layout is known by its text, but the row of 表四's figures (it has no label) is the
    first filled one below its header: that is decided per sheet from its values, every time."""
    key = (section.code, index.fingerprint)
    layout = _layouts.get(key)
    if layout is None:
        layout = _layout(index, section)
        if len(_layouts) < 10_000:
            _layouts[key] = layout
    below = (
        -1 if layout.columns is None else _first_filled_row(index, layout.bottom, layout.columns)
    )
    found = _resolved.get((*key, below))
    if found is None:
        found = layout.found(section, below)
        if len(_resolved) < 10_000:
            _resolved[(*key, below)] = found
    return found


@cache
def _depth(section: Section) -> int:
    return max(len(c.labels) for c in section.cols)


@cache
def _own_labels(section: Section) -> frozenset[str]:
    """Column labels no other section uses (they tell where this section's header is)."""
    others = {norm(c.label) for s in SECTIONS.values() if s is not section for c in s.cols}
    return frozenset(norm(c.label) for c in section.cols) - others


@dataclass(frozen=True)
class _Layout:
    """Where a section's rows and column headers are on a sheet: what its text alone decides."""

    row_at: dict[str, int]  # labelled row code → sheet row
    headers: dict[str, list[tuple[int, int]]]  # column code → where its header label stands
    bottom: int | None  # the header's last row, for a table without row labels
    missing: tuple[str, ...]  # row labels not found
    columns: list[int] | None  # the header's columns, when an unlabelled row must be placed

    def found(self, section: Section, below: int) -> Located:
        """The section's cells, its unlabelled rows (if any) taken at sheet row `below`."""
        row_at = dict(self.row_at)
        if self.columns is not None:
            for row in section.rows:
                if not row.label:
                    row_at[row.code] = below
        cells: dict[tuple[str, str], tuple[int, int]] = {}
        missing_cols: set[str] = set()
        for row in section.rows:
            if row.code not in row_at:
                continue
            r = row_at[row.code]
            for col in section.cols_of(row):
                above = [p for p in self.headers.get(col.code, []) if p[0] < r]
                if above:
                    cells[row.code, col.code] = (r, max(above, key=lambda p: p[0])[1])  # nearest
                else:
                    missing_cols.add(col.label)
        total = len(section.cells)
        missing = self.missing + tuple(sorted(missing_cols))
        return Located(cells, missing, len(cells) / total, below)


def _layout(index: SheetIndex, section: Section) -> _Layout:
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
    depth = _depth(section)
    blocks = any(r.block for r in section.rows)
    if row_at:
        # NOTE: table 二's blocks each have their header row just above them ("nearest above");
        # the other tables have one header, within a few rows above their first row
        top = 0 if blocks else max(0, min(row_at.values()) - depth - HEADER_SLACK)
        bottom = None
    else:
        top, bottom = _header_band(index, section, depth)
        if bottom is None:
            return _Layout({}, {}, None, tuple(missing), None)
    headers: dict[str, list[tuple[int, int]]] = {}
    for col in section.cols:
        places = [
            p
            for p in index.where.get(norm(col.label), [])
            if p[0] >= top and (bottom is None or p[0] <= bottom) and index.under(*p, col.path, top)
        ]
        if places:
            headers[col.code] = places
    unlabelled = any(not r.label for r in section.rows)
    columns = [p[1] for ps in headers.values() for p in ps] if unlabelled and headers else None
    return _Layout(row_at, headers, bottom, tuple(missing), columns)


def _header_band(index: SheetIndex, section: Section, depth: int) -> tuple[int, int | None]:
    """For a table without row labels (表四): the rows of its header, found by its own labels."""
    own = [p for label in _own_labels(section) for p in index.where.get(label, [])]
    if not own:
        return 0, None
    first = min(r for r, _ in own)
    bottom = max(r for r, _ in own if r <= first + depth)
    return max(0, first - depth), bottom


def _first_filled_row(index: SheetIndex, bottom: int | None, cols: list[int]) -> int:
    """The first row below the header holding anything in the table's columns (else the next)."""
    start = (bottom or 0) + 1
    for r in range(start, start + HEADER_SLACK):
        if any(index.value(r, c) not in (None, "") for c in cols):
            return r
    return start
