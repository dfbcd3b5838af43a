"""Locating a table with labelled rows (表二, 表三, the fee table) on a sheet: the band of rows whose labels name them, and each row's columns under the nearest header labels above it."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from functools import cache
from typing import NamedTuple

from pipeline.files.a1 import a1
from pipeline.format2021 import OTHER_GROUP, Section
from pipeline.ingest.layout import HEADER_SLACK, _Cell, _how, _Layout, _similar_of
from pipeline.ingest.sheet import SINGLE_OTHER_ROWS, SheetIndex, Similar
from pipeline.ingest.vocabulary import _RANK, SIMILAR, Meaning, Segment, norm

BAND_GAP = 6  # a larger gap between two rows of labelled rows starts another placement


BAND_SLACK = 3  # rows past the unambiguous rows where the ambiguous ones (其他, 总计) may stand


@cache
def _paths(section: Section) -> tuple[dict[str, frozenset], dict[str, frozenset]]:
    """Per row and column code, the normalised group labels above it in the format."""
    rows = {r.code: frozenset(norm(p) for p in r.path) for r in section.rows}
    cols = {c.code: frozenset(norm(p) for p in c.path) for c in section.cols}
    return rows, cols


def _groups_fit(prefix: tuple[Segment, ...], section: str, kind: str, allowed: frozenset) -> bool:
    """Whether the group labels written before a label in its cell are groups it belongs to."""
    for seg in prefix:
        codes = {m.code for m in seg.meanings if m.section == section and m.kind == kind}
        if not codes & allowed:
            return False
    return True


class _Hit(NamedTuple):
    r: int
    c: int
    how: str
    only: bool  # the cell means this and nothing else of the section (an anchor)


def _rows_layout(index: SheetIndex, section: Section) -> _Layout:
    code = section.code
    row_paths, col_paths = _paths(section)
    rows: dict[str, list[_Hit]] = defaultdict(list)
    cols: dict[str, list[_Hit]] = defaultdict(list)
    groups: list[tuple[int, int, str]] = []
    others: list[int] = []  # rows holding labels of another table only
    for (r, c), segs in index.segs.items():
        last, prefix = segs[-1], segs[:-1]
        if code not in last.sections:
            others.append(r)
            continue
        mine = [m for m in last.meanings if m.section == code]
        kinds = {m.kind for m in mine}
        only = len(mine) == 1
        for m in mine:
            how = _how(segs, m)
            if m.kind == "row" and _groups_fit(prefix, code, "rowgroup", row_paths[m.code]):
                rows[m.code].append(_Hit(r, c, how, only))
            elif m.kind == "col" and _groups_fit(prefix, code, "colgroup", col_paths[m.code]):
                cols[m.code].append(_Hit(r, c, how, only and kinds == {"col"}))
            elif m.kind == "rowgroup":
                groups.append((r, c, m.code))
            elif m.kind == "title":
                others.append(r)  # NOTE: its own title starts it: nothing above is its header
    anchors = sorted((h.r, h.c, k) for k, hits in rows.items() for h in hits if h.only)
    if not anchors:
        return _Layout({}, tuple(r.label for r in section.rows if r.label))
    # NOTE: a header row of the table's own between its rows starts another copy of the table;
    # 表二's blocks each have their header, so there it does not
    header_rows = (
        []
        if any(r.block for r in section.rows)
        else [h.r for hits in cols.values() for h in hits if h.only]
    )
    others.sort()
    bands = _bands(anchors, sorted(others + header_rows))
    scored = sorted(bands, key=lambda b: -len({k for _, _, k in b}))
    best = scored[0]
    top_score = len({k for _, _, k in best})
    if len(scored) > 1 and top_score >= 2 and len({k for _, _, k in scored[1]}) == top_score:
        return _Layout(
            {},
            (),
            ambiguous=((section.short, _extent(scored[0]), _extent(scored[1])),),
        )
    top, bottom = min(a[0] for a in best), max(a[0] for a in best)
    lo, hi = min(a[1] for a in best), max(a[1] for a in best)
    above = [o for o in others if o < top]
    below = [o for o in others if o > bottom]
    first = max(top - BAND_SLACK, above[-1] + 1 if above else 0)
    last = min(bottom + BAND_SLACK, below[0] - 1 if below else bottom + BAND_SLACK)
    row_at: dict[str, _Hit] = {}
    ambiguous: list[tuple[str, str, str]] = []
    missing: list[str] = []
    taken: set[int] = set()
    for row in section.rows:
        hits = [h for h in rows.get(row.code, ()) if first <= h.r <= last and lo <= h.c <= hi]
        places = sorted({h.r for h in hits} - taken)
        if len(places) > 1:
            sure = sorted({h.r for h in hits if h.only} - taken)
            places = sure if len(sure) == 1 else places
        if len(places) == 1:
            hit = min((h for h in hits if h.r == places[0]), key=lambda h: _RANK[h.how])
            row_at[row.code] = hit
            taken.add(hit.r)
        elif places:
            a, b = (min(h for h in hits if h.r == p) for p in places[:2])
            ambiguous.append((row.label, a1(a.r, a.c), a1(b.r, b.c)))
        else:
            missing.append(row.label)
    header_top = max(
        above[-1] + 1 if above else 0,
        top - max(len(c.labels) for c in section.cols) - HEADER_SLACK - 2,
    )
    cells: dict[tuple[str, str], _Cell] = {}
    similar: list[Similar] = []
    missing_cols: set[str] = set()
    header_of: dict[str, tuple[int, int]] = {}
    # NOTE: per column, its header labels in the header window, right of the row labels, by
    # row: each row's header is then the nearest above it (a bisection, not a scan)
    heads_of = {
        k: sorted((h.r, h.c, h.how) for h in hits if h.r >= header_top and h.c > hi)
        for k, hits in cols.items()
    }
    for row in section.rows:
        placed = row_at.get(row.code)
        if placed is None:
            continue
        if placed.how == SIMILAR:
            at = (placed.r, placed.c)
            similar.extend(_similar_of(index, at, _meaning(section, row.code, "row")))
        for col in section.cols_of(row):
            heads = heads_of.get(col.code, [])
            k = bisect_right(heads, (placed.r, -1, "")) - 1
            if k < 0:
                missing_cols.add(col.label)
                continue
            nearest, c, how = heads[k]
            if k > 0 and heads[k - 1][0] == nearest:
                label = f"{row.label}·{col.label}" if section.code == "s2" else col.label
                ambiguous.append((label, a1(nearest, heads[k - 1][1]), a1(nearest, c)))
                continue
            cells[row.code, col.code] = _Cell((placed.r, c), (placed.how, how))
            header_of[col.code] = (nearest, c)
    for col_code, header in header_of.items():
        similar.extend(_similar_of(index, header, _meaning(section, col_code, "col")))
    single: dict[str, tuple[int, int]] = {}
    if code == "s3" and all(r.code not in row_at for r in SINGLE_OTHER_ROWS):
        group = norm(OTHER_GROUP)
        marked = [
            (r, c) for r, c, g in groups if g == group and first <= r <= last and lo <= c <= hi
        ]
        if len(marked) == 1:
            r6 = marked[0][0]
            for col in section.cols:
                over = [h for h in cols.get(col.code, ()) if header_top <= h.r < r6 and h.c > hi]
                if over:
                    top_row = max(h.r for h in over)
                    single[col.code] = (r6, min(h.c for h in over if h.r == top_row))
    return _Layout(
        cells,
        tuple(missing) + tuple(sorted(missing_cols)),
        tuple(dict.fromkeys(similar)),
        tuple(dict.fromkeys(ambiguous)),
        single,
    )


def _meaning(section: Section, code: str, kind: str) -> Meaning:
    label = section.row(code).label if kind == "row" else section.col(code).label
    return Meaning(section.code, kind, code, label)


def _bands(anchors: list[tuple[int, int, str]], others: list[int]) -> list[list]:
    """The anchors cut into bands: a gap of more than BAND_GAP rows, or a row holding another
    table's labels, starts a new one."""
    bands: list[list] = [[anchors[0]]]
    for a in anchors[1:]:
        prev = bands[-1][-1][0]
        cut = bisect_right(others, prev) < len(others) and others[bisect_right(others, prev)] < a[0]
        if a[0] - prev > BAND_GAP or cut:
            bands.append([a])
        else:
            bands[-1].append(a)
    return bands


def _extent(band: list[tuple[int, int, str]]) -> str:
    top, bottom = min(a[0] for a in band), max(a[0] for a in band)
    lo, hi = min(a[1] for a in band), max(a[1] for a in band)
    return f"{a1(top, lo)}:{a1(bottom, hi)}"
