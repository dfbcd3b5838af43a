"""Finding the format's tables in a sheet by their labels, however a department laid them out.

A sheet is a grid of raw cell values (row 0 is the sheet's row 1). Every text cell is read as a
sequence of the format's own labels (`segments`): `三、本年度办理结果（三）不予公开1.属于国家秘密`
is two row groups and a row, `行政诉讼（复议后起诉）` two column groups, `属于国家秘密` the row
`denied_secret` written without its number, `其他法律行政止公开` a misspelling similar to
`2.其他法律行政法规禁止公开`. Each table is then recognised as a whole:

- 表二, 表三 and the fee table: the rows whose labels are unambiguous form a band (one cluster of
  sheet rows, their labels in a few columns on the left); the other rows (`其他`, `总计`, which
  are column headers too) are taken only inside that band and its label columns; every row's
  columns are the nearest header labels above it, right of the labels and below the previous
  table. Group labels above, left of or in a cell are checked when present, never required.
- 表四: its fifteen cells are a group (行政复议 / 未经复议直接起诉 / 复议后起诉) crossed with a
  result (结果维持 … 总计). Both orientations of the sheet are tried: results in a header row
  with their group in the same cell, above, to the left or told by their order (15 in a row),
  their figures in the first filled row below; or results heading a grid whose rows are the
  groups. The placement that places most cells wins; two different placements placing as many
  are an ambiguity, never a pick.

What only the sheet's text decides is worked out once per layout (`SheetIndex.fingerprint`);
表四's unlabelled figure row depends on values and is placed per sheet (`Located.variant`).
Thresholds and reasons: docs/layouts.md.
"""

from __future__ import annotations

from pipeline.format2021 import (
    Section,
)
from pipeline.ingest.layout import _first_filled, _Layout
from pipeline.ingest.rows import _rows_layout
from pipeline.ingest.sheet import Located, SheetIndex
from pipeline.ingest.table4 import _s4_layout
from pipeline.memo import Memo


# -- locating ---------------------------------------------------------------------------------
def locate(index: SheetIndex, section: Section, memo: Memo | None = None) -> Located:
    """Find the cells of `section` on the sheet indexed by `index` (remembered per layout in
    `memo`).

    NOTE: a layout is known by its text, but the row of 表四's figures (it has no label) is the
    first filled one below its header: that is decided per sheet from its values, every time."""
    memo = memo if memo is not None else Memo()
    key = (section.code, index.fingerprint)
    layout = memo.get("layouts", key, lambda: _layout(index, section))
    below = tuple(_first_filled(index, run) for run in layout.runs) if layout.runs else -1
    return memo.get("resolved", (*key, below), lambda: layout.found(section, below))


def _layout(index: SheetIndex, section: Section) -> _Layout:
    if section.code == "s4":
        return _s4_layout(index)
    return _rows_layout(index, section)
