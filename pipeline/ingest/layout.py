"""What locating a table on a sheet works out once per layout (`Layout`: where its cells are and how their labels matched), and the pieces the locators share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from pipeline.format2021 import (
    S4_GROUPS,
    S4_RESULTS,
    Section,
)
from pipeline.ingest.sheet import Located, SheetIndex, Similar
from pipeline.ingest.vocabulary import _CJK, _RANK, EXACT, SIMILAR, VARIANT, Meaning, Segment

HEADER_SLACK = 3  # rows a table's header may stand above its first row beyond its own depth


class _Run(NamedTuple):
    """A header line over an unlabelled line of figures (表四 in the format's shape)."""

    transposed: bool
    line: int  # the header's row (its column, transposed)
    across: tuple[int, ...]  # the columns (rows, transposed) of its labels


def _first_filled(index: SheetIndex, run: _Run) -> int:
    """The first line below the header holding anything in its columns (else the next)."""
    start = run.line + 1
    for line in range(start, start + HEADER_SLACK):
        values = [
            index.value(x, line) if run.transposed else index.value(line, x) for x in run.across
        ]
        # NOTE: a line of text (a title, another table's labels) ends the table: figures below
        # it are another table's, and an empty 表四 must not read them
        if any(isinstance(v, str) and len(_CJK.findall(v)) > 1 for v in values):
            return start
        if any(v not in (None, "") for v in values):
            return line
    return start


@dataclass(frozen=True)
class _Cell:
    at: tuple[int, int]
    how: tuple[str, str]


@dataclass(frozen=True)
class _Layout:
    """Where a section's cells are on a sheet as far as its text alone decides."""

    cells: dict[tuple[str, str], _Cell]
    missing: tuple[str, ...] = ()
    similar: tuple[Similar, ...] = ()
    ambiguous: tuple[tuple[str, str, str], ...] = ()
    single_other: dict[str, tuple[int, int]] = field(default_factory=dict)
    runs: tuple[_Run, ...] = ()  # header lines whose figures are the first filled line below
    # per run, the cells it places: col code -> (run index, the label's column)
    pending: dict[tuple[str, str], tuple[int, int, tuple[str, str]]] = field(default_factory=dict)

    def found(self, section: Section, below: object) -> Located:
        """The section's cells, its unlabelled rows (if any) taken at the lines `below`."""
        cells = {k: v.at for k, v in self.cells.items()}
        matched = {k: v.how for k, v in self.cells.items()}
        for key, (run, x, how) in self.pending.items():
            line = below[run]  # type: ignore[index]
            cells[key] = (x, line) if self.runs[run].transposed else (line, x)
            matched[key] = how
        return Located(
            cells,
            self.missing,
            len(cells) / len(section.cells),
            below,
            matched,
            self.similar,
            self.ambiguous,
            self.single_other,
        )


def _worst(*hows: str) -> str:
    return max(hows, key=_RANK.__getitem__)


def _how(segs: tuple[Segment, ...], meaning: Meaning | None = None) -> str:
    """How a cell's labels were matched (for `meaning`, read in its last label)."""
    how = segs[0].how if len(segs) == 1 else _worst(*(s.how for s in segs))
    if how == EXACT and segs[-1].loose and meaning in segs[-1].loose:
        return VARIANT
    return how


def _similar_of(index: SheetIndex, at: tuple[int, int], meaning: Meaning) -> list[Similar]:
    segs = index.segs[at]
    if all(s.how != SIMILAR for s in segs):
        return []
    return [
        Similar(at, index.written(*at), meaning.label, s.score) for s in segs if s.how == SIMILAR
    ]


# -- 表四 -------------------------------------------------------------------------------------
_S4_GROUP_ORDER = tuple(S4_GROUPS)  # review, direct, after: the format's order


_S4_RESULT_COUNT = len(S4_RESULTS)
