"""What a workbook's layout decides (`Plan`): its titles, which tables it holds, on which sheets, and where each of their cells is; worked out per layout of sheet and remembered."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pipeline.files.a1 import a1
from pipeline.format2021 import S6, SECTIONS, Section
from pipeline.ingest.fees import fee_sentence
from pipeline.ingest.locate import locate
from pipeline.ingest.sheet import Located, SheetIndex, old_format_labels
from pipeline.ingest.values import (
    Reading,
    cell_text,
)
from pipeline.ingest.vocabulary import norm
from pipeline.memo import Memo

MIN_SCORE = 0.5  # share of a table's cells that must be found for the table to count as present


@dataclass(frozen=True)
class _Plan:
    """What a workbook's layout decides: its titles, which tables it holds, and where each of
    their cells is. Put together per file from what each sheet's layout decides (remembered per
    sheet: `_facts`, `_located`); what it says of itself (unit, year) is read by `cover`."""

    titles: tuple[str, ...]
    old_format: tuple[str, ...]
    sections: tuple[str, ...]
    missing: tuple[tuple[str, str], ...]
    cells: tuple[tuple, ...]  # (sheet, (r, c), section, row, col, scale, matched)
    spots: tuple[tuple[str, int, int, int], ...]  # (sheet, r, c, scale): what reading needs
    similar: tuple = ()  # see ReturnRead
    ambiguous: tuple = ()
    single_other: tuple = ()  # (sheet, ((col label, (r, c)), …))
    fee: tuple = ()  # see ReturnRead.fee_sentence
    fixed: tuple[Reading, ...] = ()  # readings of the cells after the spots (a fee sentence's)
    layout: tuple = ()  # the keys of the tables located: what identifies the layout of `cells`
    # tables found on several sheets: (section, ((sheet, start, end) of its cells in `cells`, …))
    copies: tuple[tuple[str, tuple[tuple[str, int, int], ...]], ...] = ()


def _plan(indexes: dict[str, SheetIndex], hidden_sheets: frozenset[str], memo: Memo) -> _Plan:
    """What the layout of a workbook's sheets decides (see `_Plan`)."""
    titles: list[str] = []
    old: list[str] = []
    for index in indexes.values():
        facts = _facts(index, memo)
        titles.extend(facts.titles)
        old.extend(label for label in facts.old_format if label not in old)
    head = (tuple(titles),)
    if len(old) >= 2:
        return _Plan(*head, tuple(old), (), (), (), ())
    found: list[str] = []
    missing: list[tuple[str, str]] = []
    parts: dict[tuple, tuple] = {}
    copies: list[tuple[str, list[tuple[str, tuple]]]] = []
    similar: list[tuple] = []
    ambiguous: list[tuple] = []
    single: tuple = ()
    for code, section in SECTIONS.items():
        located = [
            (sheet, *_located(sheet, indexes[sheet], section, memo))
            for sheet in _likeliest_sheets(indexes, section, hidden_sheets, memo)
        ]
        placed = [(sheet, key, best) for sheet, key, best in located if best is not None]
        for _, _, best in placed:
            ambiguous.extend(best[3][1])
        # NOTE: a sheet where the table is placed two ways alike holds an ambiguity, not a table
        read = [(sheet, key, best) for sheet, key, best in placed if best[1]]
        if not read:
            continue
        sims, _, one_row = read[0][2][3]
        similar.extend(sims)
        single = single or one_row
        found.append(code)
        missing.extend((code, label) for label in read[0][2][0])
        if len(read) > 1:
            copies.append((code, [(sheet, key) for sheet, key, _ in read]))
        for _, key, best in read:
            parts[key] = best
    fee, fixed = (), ()
    if "s6" not in found and found:
        sentence = _fee_sentence(indexes, memo)
        if sentence is not None:
            key, part, fee, fixed = sentence
            found.append("s6")
            parts[key] = part  # NOTE: last: its cells have no spots, their readings are `fixed`
    old_format = tuple(old) if old and not found else ()
    cells, spots = _joined(parts, memo)
    return _Plan(
        *head,
        old_format,
        tuple(found),
        tuple(missing),
        cells,
        spots,
        tuple(similar),
        tuple(ambiguous),
        single,
        fee,
        fixed,
        tuple(parts),
        _places(copies, parts),
    )


def _places(copies: list, parts: dict[tuple, tuple]) -> tuple:
    """Where each copy of a table found on several sheets stands among a plan's joined cells."""
    if not copies:
        return ()
    start, spans = 0, {}
    for key, part in parts.items():
        spans[key] = (start, start + len(part[1]))
        start += len(part[1])
    return tuple(
        (code, tuple((sheet, *spans[key]) for sheet, key in located)) for code, located in copies
    )


def _fee_sentence(indexes: dict[str, SheetIndex], memo: Memo) -> tuple | None:
    """The part 六 figures stated in a sentence of one of the sheets (as the format prints them):
    the plan's part for them, its finding's fields and the readings; once per layout."""
    key = tuple((sheet, index.fingerprint) for sheet, index in indexes.items())
    return memo.get("sentences", key, lambda: _sentence_part(indexes))


def _sentence_part(indexes: dict[str, SheetIndex]) -> tuple | None:
    for sheet, index in indexes.items():
        sentence = fee_sentence(index.texts)
        if sentence is None:
            continue
        at, where = sentence.at, a1(*sentence.at)
        cells = tuple(
            (sheet, at, where, "s6", "fees", col.code, col.scale, "sentence/sentence")
            for col in S6.cols
        )
        stated = sentence.stated
        # NOTE: a figure the sentence does not state is unread, never 0 (value.unstated)
        fixed = tuple(
            Reading(sentence.text, "text", "number", int(f.value.scaleb(col.scale)))
            if (f := stated.figures.get(col.code))
            else Reading(sentence.text, "text", "unstated", None, stated.unread[col.code])
            for col in S6.cols
        )
        shown = tuple(
            f"{f.value.normalize():f}" if (f := stated.figures.get(col.code)) else ""
            for col in S6.cols
        )
        fee = (sheet, where, sentence.text, *shown)
        part = ((), cells, (), ((), (), ()))
        return ((sheet, index.fingerprint, "s6", "sentence"), part, fee, fixed)
    return None


def _single_other(
    sheets: dict[str, list[list[object]]],
    sheet: str,
    spots: tuple[tuple[str, tuple[int, int]], ...],
) -> tuple[str, str, str]:
    """表三's （六）其他处理 given as one row: its sheet, its cells and the figures written there."""
    rows = sheets[sheet]
    written = "，".join(
        f"{label}{cell_text(rows[r][c] if r < len(rows) and c < len(rows[r]) else None) or '空'}"
        for label, (r, c) in spots
    )
    return sheet, f"{a1(*spots[0][1])}:{a1(*spots[-1][1])}", written


def _joined(parts: dict[tuple, tuple], memo: Memo) -> tuple[tuple, tuple]:
    """The cells and spots of the tables located at `parts` (by their `_located` keys), joined
    once per layout."""
    return memo.get(
        "joins",
        tuple(parts),
        lambda: (
            tuple(c for part in parts.values() for c in part[1]),
            tuple(s for part in parts.values() for s in part[2]),
        ),
    )


@dataclass(frozen=True)
class _Facts:
    """What one sheet's text says, worked out once per layout of sheet."""

    titles: tuple[str, ...]
    old_format: tuple[str, ...]
    hits: dict[str, int]  # per section, how many of its labels the sheet holds


def _facts(index: SheetIndex, memo: Memo) -> _Facts:
    """What one sheet's text says, once per layout of sheet."""
    return memo.get(
        "facts",
        index.fingerprint,
        lambda: _Facts(
            tuple(index.titles()),
            tuple(old_format_labels(index)),
            {
                code: len(_signature(section).intersection(index.where))
                for code, section in SECTIONS.items()
            },
        ),
    )


def _located(
    sheet: str, index: SheetIndex, section: Section, memo: Memo
) -> tuple[tuple, tuple | None]:
    """The layout key of `section` on one sheet, and the labels not found, the cells, the
    spots (as a plan lists them) and what else locating says (similar labels, ambiguities, a
    one-row （六）), or None when too little of it is there; once per layout."""
    best = locate(index, section, memo)
    key = (sheet, index.fingerprint, section.code, best.variant)
    return key, memo.get("sections", key, lambda: _part(sheet, section, best))


def _part(sheet: str, section: Section, best: Located) -> tuple | None:
    """The labels not found, the cells, the spots and what else locating said, as a plan lists
    them; None when too little of the table is there."""
    ambiguous = tuple(
        (section.code, sheet, section.title if what == section.short else what, a, b)
        for what, a, b in best.ambiguous
    )
    if best.score < MIN_SCORE:
        found: tuple | None = ((), (), (), ((), ambiguous, ())) if ambiguous else None
    else:
        cells = []
        for row, col in section.cells:
            rc = best.cells.get((row.code, col.code))
            if rc is not None:
                how = "/".join(best.matched.get((row.code, col.code), ("", "")))
                cells.append(
                    (
                        sheet,
                        rc,
                        a1(*rc),
                        section.code,
                        row.code,
                        col.code,
                        col.scale,
                        how,
                    )
                )
        spots = tuple((c[0], *c[1], c[6]) for c in cells)
        similar = tuple((sheet, a1(*s.at), s.written, s.taken, s.score) for s in best.similar)
        single = (
            (sheet, tuple((section.col(k).label, at) for k, at in best.single_other.items()))
            if best.single_other
            else ()
        )
        found = (best.missing, tuple(cells), spots, (similar, ambiguous, single))
    return found


@cache
def _signature(section: Section) -> frozenset[str]:
    return frozenset(
        norm(label)
        for label in [*(r.label for r in section.rows), *(c.label for c in section.cols)]
        if label
    )


def _likeliest_sheets(
    indexes: dict[str, SheetIndex], section: Section, hidden: frozenset[str], memo: Memo
) -> list[str]:
    """The sheets that may hold the section (locating is tried there only): those holding at
    least half as many of its labels as the sheet holding most, visible ones first, then by how
    many they hold.

    NOTE: every such sheet is located, not only the likeliest: a second copy of a table (an
    older one on a hidden sheet, a copy on another sheet) must be seen, never silently dropped."""
    hits = {name: _facts(index, memo).hits[section.code] for name, index in indexes.items()}
    most = max(hits.values(), default=0)
    if not most:
        return []
    likely = [name for name, n in hits.items() if n >= max(2, most / 2) or n == most]
    return sorted(likely, key=lambda name: (name in hidden, -hits[name]))
