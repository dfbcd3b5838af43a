"""One sheet's text indexed by label (`SheetIndex`, fingerprinted by its text), what locating a table on it gives (`Located`), and the tell-tales of the 2019 format."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from pipeline.format2021 import OTHER_ROWS, S3
from pipeline.ingest.values import cell_text
from pipeline.ingest.vocabulary import Rows, Segment, keys, norm, segments
from pipeline.ingest.vocabulary import old_format_labels as old_format_tells
from pipeline.memo import Memo


# -- what locating gives ----------------------------------------------------------------------
class Similar(NamedTuple):
    """A label read as the format's label it is similar to."""

    at: tuple[int, int]  # (r, c) of the cell, 0-based
    written: str  # the cell's text as written
    taken: str  # the format's label it was taken for
    score: float


@dataclass(frozen=True)
class Located:
    """Where a section's cells are on one sheet, how their labels were matched, and what could
    not be found or placed."""

    cells: dict[tuple[str, str], tuple[int, int]]  # (row, col) code -> (r, c), 0-based
    missing: tuple[str, ...]  # labels not found
    score: float  # share of the section's cells found
    # the rows taken for a table's unlabelled row (表四's figures), which depend on the sheet's
    # values, not only its text: layouts are told apart by them as well; -1 when there is none
    variant: object = -1
    # (row, col) code -> how its row and its column were matched (exact | variant | similar,
    # `position` for a row without a label)
    matched: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    similar: tuple[Similar, ...] = ()  # labels taken for the format's label they resemble
    # two placements that place the table (or one label) equally well: (what, first, second),
    # places in A1 notation; the table (or label) is then not read, never picked
    ambiguous: tuple[tuple[str, str, str], ...] = ()
    # 表三's （六）其他处理 given as one row without its three sub-rows: col code -> (r, c)
    single_other: dict[str, tuple[int, int]] = field(default_factory=dict)


class SheetIndex:
    """The text cells of one sheet, indexed by normalised label.

    NOTE: most sheets read are laid out like one seen before (every return made from one
    template), so only what identifies the layout is worked out per sheet: its fingerprint, the
    hash of its text cells as written. The index by label is built when first asked for."""

    def __init__(self, rows: Rows, memo: Memo | None = None) -> None:
        self.rows = rows
        self.memo = memo if memo is not None else Memo()
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
        self._segs: dict[tuple[int, int], tuple[Segment, ...]] | None = None

    def _index(self) -> None:
        self._where = defaultdict(list)
        for r, c, value in self._texts:
            if not value.isspace():
                found = keys(value)
                for key in found:
                    self._where[key].append((r, c))
                self._text_at[r, c] = found[0]

    @property
    def where(self) -> dict[str, list[tuple[int, int]]]:
        """Where each label (normalised) stands on the sheet."""
        if self._where is None:
            self._index()
        assert self._where is not None
        return self._where

    @property
    def text_at(self) -> dict[tuple[int, int], str]:
        if self._where is None:
            self._index()
        return self._text_at

    @property
    def texts(self) -> list[tuple[int, int, str]]:
        """The sheet's text cells, (r, c, text as written)."""
        return self._texts

    @property
    def segs(self) -> dict[tuple[int, int], tuple[Segment, ...]]:
        """The cells holding labels of the format, with the labels read in each."""
        if self._segs is None:
            self._segs = {}
            for r, c, value in self._texts:
                found = segments(value)
                if found:
                    self._segs[r, c] = found
        return self._segs

    def written(self, r: int, c: int) -> str:
        value = self.value(r, c)
        return value if isinstance(value, str) else ""

    def value(self, r: int, c: int) -> object:
        row = self.rows[r] if r < len(self.rows) else ()
        return row[c] if c < len(row) else None

    def field(self, label: str) -> str | None:
        """The text written after a form label such as `填报单位：`, in its cell or the next one right."""
        # NOTE: where the label stands is remembered per layout; what follows it never is (a year
        # written as a number is not part of the fingerprint)
        at = self.memo.get("fields", (self.fingerprint, label), lambda: self._field_at(norm(label)))
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


_TITLE = re.compile(r"(\d{4}年|年度|年报|报告|政府信息公开|政务公开)")


def old_format_labels(index: SheetIndex) -> list[str]:
    """The tell-tale labels of the 2019 trial format found on a sheet.

    NOTE: only labels of the 2019 format's own: （六）其他处理 as one row is a 2021 return missing
    three rows (`Located.single_other`), not an old one."""
    return list(old_format_tells("\n".join(index.where)))


def single_other_row(located: Located) -> bool:
    """Whether 表三 gave （六）其他处理 as one row without its three sub-rows."""
    return bool(located.single_other)


SINGLE_OTHER_ROWS = tuple(S3.row(code) for code in OTHER_ROWS)
