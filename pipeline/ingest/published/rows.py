"""Each table's region of atoms, its runs of figures with the text before each, and the row each
run may be placed at.

A run is placed at a row by a label only when exactly one label claims it: the label its own line
(or grid row) ends with, or, its line naming none, the label the text since the previous run ends
with, no other whole label standing in that text (labels bunched apart from their figures are out
of step with them) and none left over after the table's last run (figures printed above their
labels). The other runs (their label lost, torn or bunched) are `Loose`: each with the rows still
free that the pieces of label it carries allow and its figures fit; `assignments` lists the ways
to place them all. Rows are never placed by their order: extraction moves them. Header numbering
(1 2 3 … under the column titles) is no row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pipeline.ingest.published.layout import ANCHORS, ORDER, OTHER_ROWS, OTHER_TOTAL, row_keys
from pipeline.ingest.published.numbers import Atom
from pipeline.ingest.vocabulary import fragment_rows, names_column, row_at_end, rows_in

CAP = 20_000  # steps of the search for the placements of loose runs; past it, none is placed


@dataclass(frozen=True)
class Segment:
    """One run of figures and the text written before it (since the previous run)."""

    text: str
    last: str
    runs: tuple[Atom, ...]
    where: str
    label_where: str
    own: str = ""  # the part of `text` on the run's own line or grid row

    @property
    def tokens(self) -> tuple[str, ...]:
        """The figures as written, every run's tokens in order."""
        return tuple(t for a in self.runs for t in a.tokens)


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


def segments(items: Sequence[Atom], width: int = 0) -> tuple[list[Segment], str]:
    """The runs of figures of a span of atoms, each with the text written before it; and the
    text after the last run. Figures on lines that follow each other are one row's (one figure a
    line, a row wrapped) until they number `width` (the most cells a row of the table has):
    figures on the next line start another row."""
    out: list[Segment] = []
    texts: list[Atom] = []
    runs: list[Atom] = []

    def close() -> None:
        if runs:
            line = runs[0].line
            own: list[str] = []
            for a in reversed(texts):
                if not line or a.line != line:
                    break
                own.append(a.text)
            out.append(
                Segment(
                    "".join(a.text for a in texts),
                    texts[-1].text if texts else "",
                    tuple(runs),
                    runs[0].where,
                    texts[-1].where if texts else runs[0].where,
                    "".join(reversed(own)),
                )
            )
            texts.clear()
            runs.clear()

    for atom in items:
        if atom.kind == "run":
            if (
                width
                and runs
                and atom.line != runs[-1].line
                and sum(len(a.tokens) for a in runs) >= width
            ):
                close()
            runs.append(atom)
            continue
        close()
        if atom.kind == "text":
            texts.append(atom)
    close()
    return out, "".join(a.text for a in texts)


def _blank_only(seg: Segment) -> bool:
    """Whether a segment's figures are all blank."""
    return all(t == "" for t in seg.tokens)


# -- claims --------------------------------------------------------------------------------------
BOUND, LABEL, BUNCHED, FRAGMENT, NONE = "bound", "label", "bunched", "fragment", "none"


def claim(seg: Segment, code: str) -> tuple[str, tuple[str, ...]]:
    """What the text before a run says of its row: `bound` (the label its own line or grid row
    ends with), `label` (the one whole label the text since the previous run ends with),
    `bunched` (that text holds other whole labels too), `fragment` (a piece of one or more
    labels), or `none`; with the rows named."""
    for scope, how in ((seg.own, BOUND), (seg.text, LABEL)):
        if not scope:
            continue
        found = row_at_end(scope, code)
        if found is None:
            continue
        # NOTE: （六）其他处理 before one of its rows is the group's label, not the one-row total
        group = (OTHER_TOTAL,) if found.rows[0] in OTHER_ROWS else ()
        others = tuple(r for r in rows_in(scope, code) if r not in (*found.rows, *group))
        if others:
            return BUNCHED, (*found.rows, *dict.fromkeys(others))
        return how, found.rows
    rows = fragment_rows(seg.own or seg.last, code)
    return (FRAGMENT, rows) if rows else (NONE, ())


def _numbering(tokens: tuple[str, ...], start: int) -> int | None:
    """The number after the last of `tokens` when they count on by one from `start` (or from 1,
    a new run of numbering); None when they do not."""
    tokens = tuple(t for t in tokens if t)  # NOTE: an empty cell beside the numbers
    if not tokens or not all(t.isdigit() for t in tokens):
        return None
    first = int(tokens[0])
    if first not in (start, 1):
        return None
    for i, t in enumerate(tokens):
        if int(t) != first + i:
            return None
    return first + len(tokens)


def header_numbering(code: str, segs: Sequence[Segment], claims: Sequence[str]) -> set[int]:
    """The segments that are the columns' numbering (`1 2 3 4 5 6 7` under the column titles):
    figures counting on by one from 1 (or starting again at 1) that name no row, in the header
    band (before the first row a label names) or under column titles; at least two numbers in
    all, or one right under a column title."""
    out: set[int] = set()
    chain: list[int] = []
    count, titled, expect, band = 0, False, 1, True
    for i, seg in enumerate(segs):
        if claims[i] in (BOUND, LABEL):
            band = False
        after = _numbering(seg.tokens, expect) if claims[i] == NONE else None
        under_title = names_column(seg.text, code)
        if after is not None and (band or under_title or chain):
            chain.append(i)
            count += sum(1 for t in seg.tokens if t)
            titled = titled or under_title
            expect = after
            continue
        if chain and (count >= 2 or titled):
            out.update(chain)
        chain, count, titled, expect = [], 0, False, 1
    if chain and (count >= 2 or titled):
        out.update(chain)
    return out


# -- the plan ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Loose:
    """A run that no one label claims, and the rows still free it may be (by the pieces of labels
    its text carries and the number of its figures)."""

    seg: Segment
    rows: tuple[str, ...]


@dataclass
class Plan:
    """Where a table's runs go: the rows one label claims, the loose runs, the runs that fit no
    row (or whose label claims a row another label claims too), the header numbering dropped."""

    fixed: dict[str, Segment] = field(default_factory=dict)
    loose: list[Loose] = field(default_factory=list)
    unplaced: list[Segment] = field(default_factory=list)
    numbering: list[Segment] = field(default_factory=list)
    single: bool = False  # （六）其他处理 printed as one row


def plan(code: str, segs: list[Segment], tail: str, fits: Callable[[Segment, str], bool]) -> Plan:
    """Each run of table `code` placed by the one label claiming it, or loose with the rows it
    may be; `tail` is the text after the last run, `fits(seg, row)` whether a run's figures can
    be that row's."""
    out = Plan()
    claims = [claim(s, code) for s in segs]
    numbering = header_numbering(code, segs, [how for how, _ in claims])
    # NOTE: a label on the lines before a run claims it alone only when the next run has a label
    # (or a piece of one) of its own: else both runs follow that label and either may be its. A
    # whole label after the table's last run has no figures of its own: figures may stand above
    # their labels, so no label on the lines before a run says it is that run's.
    shifted = bool(rows_in(tail, code))
    others = [
        j
        for j, seg in enumerate(segs)
        if j not in numbering and not (claims[j][0] == NONE and _blank_only(seg))
    ]
    following = {a: b for a, b in zip(others, others[1:], strict=False)}
    for i, (how, _rows) in enumerate(claims):
        after = following.get(i)
        if how == LABEL and (shifted or (after is not None and claims[after][0] == NONE)):
            claims[i] = (NONE, ())
    by_row: dict[str, list[int]] = {}
    for i, (how, rows) in enumerate(claims):
        if how in (BOUND, LABEL):
            by_row.setdefault(rows[0], []).append(i)
    twice = {row for row, at in by_row.items() if len(at) > 1}
    # NOTE: a row one label claims is read there even when its figures do not fit (audit.row_short)
    fixed = {row: at[0] for row, at in by_row.items() if len(at) == 1}
    out.fixed = {row: segs[i] for row, i in fixed.items()}
    out.single = OTHER_TOTAL in fixed and not set(fixed).intersection(OTHER_ROWS)
    skip = set(OTHER_ROWS) if out.single else {OTHER_TOTAL}
    free = [k for k in row_keys(code) if k not in fixed and k not in skip and k not in twice]
    placed_at = set(fixed.values())
    for i, seg in enumerate(segs):
        how, rows = claims[i]
        if i in placed_at:
            continue
        if i in numbering:
            out.numbering.append(seg)
            continue
        if how == NONE and _blank_only(seg):
            continue  # NOTE: empty cells between rows are no row
        if how in (BOUND, LABEL) and rows[0] in twice:
            out.unplaced.append(seg)
            continue
        allowed = rows if how == FRAGMENT else free
        options = tuple(r for r in free if r in allowed and fits(seg, r))
        if options:
            out.loose.append(Loose(seg, options))
        elif not _blank_only(seg):
            out.unplaced.append(seg)
    return out


def assignments(loose: Sequence[Loose], keys: Sequence[str]) -> list[dict[int, str]] | None:
    """Every way to place all the loose runs, each at a different row it may be (runs with the
    same figures and options taken in the format's order of their rows: one way for the same
    figures); None when the search passes `CAP` steps."""
    rank = {k: i for i, k in enumerate(keys)}
    order = sorted(
        range(len(loose)), key=lambda i: (len(loose[i].rows), loose[i].rows, loose[i].seg.tokens)
    )
    twin = {
        order[j]: order[j - 1]
        for j in range(1, len(order))
        if loose[order[j]].rows == loose[order[j - 1]].rows
        and loose[order[j]].seg.tokens == loose[order[j - 1]].seg.tokens
    }
    out: list[dict[int, str]] = []
    current: dict[int, str] = {}
    steps = 0

    def walk(j: int) -> bool:
        nonlocal steps
        if j == len(order):
            out.append(dict(current))
            return True
        i = order[j]
        floor = rank[current[twin[i]]] if i in twin else -1
        for row in loose[i].rows:
            steps += 1
            if steps > CAP:
                return False
            if row in current.values() or rank[row] <= floor:
                continue
            current[i] = row
            going = walk(j + 1)
            del current[i]
            if not going:
                return False
        return True

    return out if walk(0) else None
