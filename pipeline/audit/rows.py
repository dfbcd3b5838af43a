"""Each table's region of atoms, its runs of figures with the text before each, and their rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.audit.labelmatch import match_label
from pipeline.audit.layout import ANCHORS, ORDER, OTHER_ROWS, OTHER_TOTAL, row_keys, row_labels
from pipeline.audit.numbers import Atom


@dataclass(frozen=True)
class Segment:
    """One run of figures and the text written before it (since the previous run)."""

    text: str
    last: str
    runs: tuple[Atom, ...]
    where: str
    label_where: str


def regions(items: Sequence[Atom]) -> tuple[dict[str, tuple[int, int]], dict[str, str]]:
    """Each table's span of atoms (start, end), and where each heading found stands."""
    found: dict[str, int] = {}
    for i, atom in enumerate(items):
        if atom.kind == "heading" and atom.text not in found:
            after = max(
                (found[c] for c in found if ORDER.index(c) < ORDER.index(atom.text)), default=-1
            )
            if i > after:
                found[atom.text] = i
    where = {code: items[i].where for code, i in found.items()}
    for code, rx in ANCHORS.items():
        if code in found:
            continue
        before = max((found[c] for c in found if ORDER.index(c) < ORDER.index(code)), default=-1)
        for i in range(before + 1, len(items)):
            if items[i].kind == "text" and rx.search(items[i].text):
                found[code] = i - 1
                break
    spans = {}
    for code in ("s2", "s3", "s4"):
        if code not in found:
            continue
        start = found[code] + 1
        later = [i for c, i in found.items() if i > found[code]]
        spans[code] = (start, min(later, default=len(items)))
    return spans, where


def segments(items: Sequence[Atom]) -> list[Segment]:
    """The runs of figures of a span of atoms, each with the text written before it."""
    out: list[Segment] = []
    texts: list[Atom] = []
    runs: list[Atom] = []

    def close() -> None:
        if runs:
            out.append(
                Segment(
                    "".join(a.text for a in texts),
                    texts[-1].text if texts else "",
                    tuple(runs),
                    runs[0].where,
                    texts[-1].where if texts else runs[0].where,
                )
            )
            texts.clear()
            runs.clear()

    for atom in items:
        if atom.kind == "run":
            runs.append(atom)
            continue
        close()
        if atom.kind == "text":
            texts.append(atom)
    close()
    return out


def _blank_only(seg: Segment) -> bool:
    """Whether a segment's figures are all blank."""
    return all(t == "" for a in seg.runs for t in a.tokens)


def placed(code: str, segs: list[Segment]) -> tuple[dict[str, Segment], list[Segment]]:
    """Each row's segment (by row code) and the segments that could not be placed."""
    keys = row_keys(code)
    order = {k: i for i, k in enumerate(keys)}
    matches = [match_label(s.text, s.last, row_labels(code)) for s in segs]
    fixed: dict[int, str] = {}
    last = -1
    unplaced: list[Segment] = []
    for i, m in enumerate(matches):
        if m and m.how in ("exact", "fuzzy"):
            key = m.keys[0]
            # NOTE: 表二's blocks are independent and extraction may reorder them (a block's
            # header printed after the others); 表三's rows only ever come in order
            if order[key] > last or (
                code == "s2" and m.how == "exact" and key not in fixed.values()
            ):
                fixed[i] = key
                last = max(last, order[key])
    taken = set(fixed.values())
    single = OTHER_TOTAL in taken and not taken.intersection(OTHER_ROWS)
    skip = set(OTHER_ROWS) if single else {OTHER_TOTAL}
    rows: dict[str, Segment] = {fixed[i]: segs[i] for i in fixed}
    bounds = [-1, *sorted(fixed), len(segs)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        loose = [i for i in range(a + 1, b) if not (_blank_only(segs[i]) and matches[i] is None)]
        if not loose:
            continue
        lo = order[fixed[a]] if a >= 0 else -1
        hi = order[fixed[b]] if b < len(segs) else len(keys)
        free = [k for k in keys[lo + 1 : hi] if k not in skip and k not in taken]
        fits = len(loose) == len(free) and all(
            m is None or k in m.keys for m, k in zip((matches[i] for i in loose), free, strict=True)
        )
        if fits:
            rows.update({k: segs[i] for i, k in zip(loose, free, strict=True)})
            continue
        for i in loose:
            m = matches[i]
            options = [k for k in free if m is not None and k in m.keys]
            if len(options) == 1 and options[0] not in rows:
                rows[options[0]] = segs[i]
            elif not _blank_only(segs[i]):
                unplaced.append(segs[i])
    return rows, unplaced
