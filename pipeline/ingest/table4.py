"""Locating 表四 on a sheet: its fifteen cells (a group crossed with a result) in either orientation, under a header in any of the ways departments write it, or as a small grid."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from typing import Any, NamedTuple

from pipeline.files.a1 import a1
from pipeline.format2021 import (
    S4_GROUPS,
    S4_RESULTS,
    SECTIONS,
)
from pipeline.ingest.layout import (
    _S4_GROUP_ORDER,
    _S4_RESULT_COUNT,
    HEADER_SLACK,
    _Cell,
    _how,
    _Layout,
    _Run,
    _worst,
)
from pipeline.ingest.sheet import SheetIndex, Similar
from pipeline.ingest.vocabulary import POSITION, SIMILAR, Segment


class _Label(NamedTuple):
    i: int  # line (a sheet row, or a column when transposed)
    j: int  # place along the line
    code: str  # result or group key
    group: str  # a group written in the same cell, else ""
    how: str


class _View:
    """A sheet's label cells seen row by row, or (transposed) column by column."""

    def __init__(self, index: SheetIndex, transposed: bool):
        self.index = index
        self.transposed = transposed
        self.segs = {(c, r): s for (r, c), s in index.segs.items()} if transposed else index.segs
        self.lines: dict[int, list[int]] = defaultdict(list)
        for i, j in sorted(self.segs):
            self.lines[i].append(j)

    def sheet(self, i: int, j: int) -> tuple[int, int]:
        return (j, i) if self.transposed else (i, j)

    def covering(
        self, i: int, j: int, lo: int
    ) -> tuple[tuple[int, int], tuple[Segment, ...]] | None:
        """The label cell at or left of (i, j), not left of `lo` (a merged header's text sits at
        its left)."""
        places = self.lines.get(i)
        if not places:
            return None
        k = bisect_right(places, j) - 1
        if k < 0 or places[k] < lo:
            return None
        return (i, places[k]), self.segs[i, places[k]]


def _group_in(segs: tuple[Segment, ...]) -> tuple[str, str] | None:
    """The 表四 group (review, direct, after) a cell names, and how it was matched."""
    for seg in reversed(segs):
        for m in seg.meanings:
            if m.section == "s4" and m.kind == "group":
                return m.code, seg.how
    return None


class _Placement(NamedTuple):
    cells: dict[tuple[str, str], _Cell]
    pending: dict[tuple[str, str], tuple[int, int, tuple[str, str]]]
    runs: tuple[_Run, ...]
    labels: tuple[tuple[int, int], ...]  # sheet cells of the labels used
    duplicates: tuple[tuple[str, str, str], ...]

    @property
    def size(self) -> int:
        return len(self.cells) + len(self.pending)

    def places(self) -> frozenset:
        return frozenset(self.cells) | frozenset(self.pending)


def _s4_layout(index: SheetIndex) -> _Layout:
    placements: list[_Placement] = []
    # NOTE: an orientation is looked at only when one of its lines (or two adjacent ones, as the
    # format's header has them) holds four results or more
    by_row: dict[int, set[str]] = defaultdict(set)
    by_col: dict[int, set[str]] = defaultdict(set)
    for (r, c), segs in index.segs.items():
        if "s4" in segs[-1].sections:
            for m in segs[-1].meanings:
                if m.kind == "result":
                    by_row[r].add(m.code)
                    by_col[c].add(m.code)
    for transposed, lines in ((False, by_row), (True, by_col)):
        if any(len(v | lines.get(i + 1, set())) >= _S4_RESULT_COUNT - 1 for i, v in lines.items()):
            placements.extend(_s4_placements(_View(index, transposed)))
    placements = [p for p in placements if p.size]
    section = SECTIONS["s4"]
    if not placements:
        return _Layout({}, tuple(S4_RESULTS.values()))
    placements.sort(key=lambda p: -p.size)
    best = placements[0]
    rival = next(
        (p for p in placements[1:] if p.size == best.size and p.labels != best.labels), None
    )
    if rival is not None and best.size / len(section.cells) >= 0.5:
        return _Layout(
            {},
            (),
            ambiguous=((section.short, _spot(best.labels), _spot(rival.labels)),),
        )
    missing = tuple(
        c.label if not c.path else f"{c.path[-1]}·{c.label}"
        for c in section.cols
        if ("cases", c.code) not in best.places()
    )
    similar = [
        Similar(at, index.written(*at), _s4_label(seg), seg.score)
        for at in best.labels
        for seg in index.segs[at]
        if seg.how == SIMILAR
    ]
    return _Layout(
        best.cells,
        missing,
        tuple(dict.fromkeys(similar)),
        best.duplicates,
        {},
        best.runs,
        best.pending,
    )


def _s4_label(seg: Segment) -> str:
    return next(m.label for m in seg.meanings if m.section == "s4")


def _spot(labels: tuple[tuple[int, int], ...]) -> str:
    rows = [r for r, _ in labels]
    cols = [c for _, c in labels]
    return f"{a1(min(rows), min(cols))}:{a1(max(rows), max(cols))}"


def _s4_placements(view: _View) -> list[_Placement]:
    """表四 placed in one orientation: from each header line (or band of adjacent header lines,
    a merged result label reaching down) holding four results or more."""
    results: dict[int, list[_Label]] = defaultdict(list)
    groups: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    boundary: dict[int, list[int]] = defaultdict(list)  # another table's labels, by line
    for (i, j), segs in view.segs.items():
        last = segs[-1]
        result = next((m for m in last.meanings if m.section == "s4" and m.kind == "result"), None)
        if result is not None:
            inside = _group_in(segs[:-1])
            how = _how(segs, result)
            results[i].append(_Label(i, j, result.code, inside[0] if inside else "", how))
            continue
        group = _group_in(segs)
        if group is not None:
            groups[i].append((j, *group))
        elif all(m.section != "s4" for m in last.meanings):
            boundary[i].append(j)
    out = []
    headers = []
    for band in _header_bands(results):
        if len({x.code for x in band}) < _S4_RESULT_COUNT - 1:
            continue
        header = _s4_header(view, band, groups)
        if header is not None:
            headers.append(header)
    out.extend(_merged(headers))
    for i, labels in results.items():
        labels = sorted(labels, key=lambda x: x.j)
        if len({x.code for x in labels}) < _S4_RESULT_COUNT - 1:
            continue
        grid = _s4_grid(view, i, labels, groups, boundary, results)
        if grid is not None:
            out.append(grid)
    return out


def _header_bands(results: dict[int, list[_Label]]) -> list[list[_Label]]:
    """Result labels of adjacent lines whose places do not overlap, as one header each."""
    bands: list[list[_Label]] = []
    last = None
    for i in sorted(results):
        line = results[i]
        places = {x.j for x in line}
        if last is not None and i == last + 1 and not places & {x.j for x in bands[-1]}:
            bands[-1].extend(line)
        else:
            bands.append(list(line))
        last = i
    return [sorted(b, key=lambda x: x.j) for b in bands]


def _merged(headers: list[_Placement]) -> list[_Placement]:
    """Header placements placing different cells (表四 as three small tables, one per group)
    joined into one; a header placing cells already placed starts another placement."""
    out: list[_Placement] = []
    for h in headers:
        target = next((p for p in out if not p.places() & h.places()), None)
        if target is None:
            out.append(h)
            continue
        shift = len(target.runs)
        pending = dict(target.pending)
        pending.update({k: (run + shift, x, how) for k, (run, x, how) in h.pending.items()})
        out[out.index(target)] = _Placement(
            {},
            pending,
            target.runs + h.runs,
            tuple(sorted(set(target.labels) | set(h.labels))),
            target.duplicates + h.duplicates,
        )
    return out


def _s4_header(view: _View, labels: list[_Label], groups: Any) -> _Placement | None:
    """Results in one header (a line, or adjacent lines), each told its group (in its cell,
    above it, left of it or by its order); the figures in the first filled line below."""
    lo = labels[0].j
    bottom = max(x.i for x in labels)
    told: list[tuple[_Label, str, str, tuple[int, int] | None]] = []
    for x in labels:
        if x.group:
            told.append((x, x.group, x.how, None))
            continue
        found = None
        for ii in range(x.i - 1, max(x.i - 1 - HEADER_SLACK, -1), -1):
            cover = view.covering(ii, x.j, lo - 1)
            if cover is not None:
                g = _group_in(cover[1])
                if g is not None:
                    found = (g[0], g[1], cover[0])
                    break
        if found is None:
            left = [(j, g, how) for j, g, how in groups.get(x.i, ()) if lo - 1 <= j < x.j]
            if left:
                j, g, how = max(left)
                found = (g, how, (x.i, j))
        if found is not None:
            told.append((x, found[0], found[1], found[2]))
    if not told and len(labels) == len(S4_GROUPS) * _S4_RESULT_COUNT:
        blocks = [labels[k : k + _S4_RESULT_COUNT] for k in range(0, len(labels), _S4_RESULT_COUNT)]
        if all(len({x.code for x in b}) == _S4_RESULT_COUNT for b in blocks):
            told = [
                (x, group, POSITION, None)
                for group, block in zip(_S4_GROUP_ORDER, blocks, strict=True)
                for x in block
            ]
    if not told:
        return None
    run = _Run(view.transposed, bottom, tuple(x.j for x, *_ in told))
    pending: dict[tuple[str, str], tuple[int, int, tuple[str, str]]] = {}
    where: dict[tuple[str, str], _Label] = {}
    duplicates = []
    used: list[tuple[int, int]] = []
    for x, group, how, group_at in told:
        key = ("cases", f"{group}_{x.code}")
        if key in where:
            duplicates.append(
                (
                    _s4_name(group, x.code),
                    a1(*view.sheet(where[key].i, where[key].j)),
                    a1(*view.sheet(x.i, x.j)),
                )
            )
            continue
        where[key] = x
        pending[key] = (0, x.j, (POSITION, _worst(x.how, how)))
        used.append(view.sheet(x.i, x.j))
        if group_at is not None:
            used.append(view.sheet(*group_at))
    for name, *_ in duplicates:
        pending.pop(_S4_KEYS[name], None)
    return _Placement({}, pending, (run,), tuple(sorted(set(used))), tuple(duplicates))


_S4_KEYS = {
    f"{path[-1]}·{S4_RESULTS[result]}": ("cases", f"{group}_{result}")
    for group, path in S4_GROUPS.items()
    for result in S4_RESULTS
}


def _s4_name(group: str, result: str) -> str:
    return f"{S4_GROUPS[group][-1]}·{S4_RESULTS[result]}"


def _s4_grid(
    view: _View, i: int, labels: list[_Label], groups: Any, boundary: Any, results: Any
) -> _Placement | None:
    """Results heading a grid: one line per group below, its label left of the results."""
    if any(x.group for x in labels) or len(labels) != len({x.code for x in labels}):
        return None
    lo = labels[0].j
    cells: dict[tuple[str, str], _Cell] = {}
    used = [view.sheet(i, x.j) for x in labels]
    duplicates = []
    seen: dict[str, int] = {}
    # NOTE: another table's labels across the grid's extent end it (not those beside it)
    reach = range(lo - HEADER_SLACK - 2, labels[-1].j + 1)
    # NOTE: so does the next line of results: another grid's header
    stop = min(
        [
            *(b for b, js in boundary.items() if b > i and any(j in reach for j in js)),
            *(b for b in results if b > i),
        ],
        default=None,
    )
    for ii in range(i + 1, i + 1 + 4 * (len(S4_GROUPS) + HEADER_SLACK)):
        if stop is not None and ii >= stop:
            break
        found = [(j, g, how) for j, g, how in groups.get(ii, ()) if j < lo]
        if not found:
            continue
        codes = {g for _, g, _ in found}
        if len(codes) != 1:
            continue
        j, group, how = max(found)
        if group in seen:
            duplicates.append(
                (
                    S4_GROUPS[group][-1],
                    a1(*view.sheet(seen[group], j)),
                    a1(*view.sheet(ii, j)),
                )
            )
            continue
        seen[group] = ii
        used.append(view.sheet(ii, j))
        for x in labels:
            cells["cases", f"{group}_{x.code}"] = _Cell(view.sheet(ii, x.j), (how, x.how))
    if not cells:
        return None
    for name, *_ in duplicates:
        group = next(g for g, path in S4_GROUPS.items() if path[-1] == name)
        for key in [k for k in cells if k[1].startswith(f"{group}_")]:
            del cells[key]
    return _Placement(cells, {}, (), tuple(sorted(set(used))), tuple(duplicates))
