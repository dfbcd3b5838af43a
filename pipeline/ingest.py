"""Ingest: returns (as grids of raw cells) → one long table of cells with provenance, the register
of returns, and the findings of reading them."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
from xlsxwriter.utility import xl_rowcol_to_cell as _address

from pipeline.fees import fee_sentence
from pipeline.format2021 import S6, SECTIONS, Section
from pipeline.labels import SheetIndex, address, locate, norm, old_format_labels
from pipeline.problems import finding, findings_table
from pipeline.values import (
    READINGS,
    Formula,
    Hidden,
    Reading,
    cell_text,
    derived_reading,
    error_value,
    read_cell,
)
from pipeline.workbook import COVER_UNIT, COVER_VERSION, COVER_YEAR

CELL_COLUMNS = [
    "unit",
    "unit_code",
    "file",
    "sheet",
    "cell",
    "section",
    "row",
    "col",
    "raw_type",
    "text",
    "read_as",
    "value",
    "problem",
]
CELL_FIELDS = CELL_COLUMNS[3:]  # what a read gives of each cell (sheet … problem)
# NOTE: provenance added by issue 12, after the fixed columns: how the cell's row and column
# labels were matched, `row/col`, each exact | variant | similar | position (| sentence)
PROVENANCE_COLUMNS = ["matched"]
RETURN_COLUMNS = [
    "file",
    "unit",
    "unit_code",
    "status",
    "written_unit",
    "written_year",
    "version",
    "sheets",
    "sections",
    "cells",
    "bytes",
    "sha256",
]
MIN_SCORE = 0.5  # share of a table's cells that must be found for the table to count as present

REGISTER_COLUMNS = ["unit_code", "unit", "kind", "status", "files", "detail"]

# the status of a file in the register of returns (and of a unit: these, or missing)
RECEIVED, UNREADABLE, NO_TABLES, UNKNOWN, DUPLICATE, OTHER_YEAR, OLD_FORMAT, MISSING = (
    "received",
    "unreadable",
    "no_tables",
    "unknown_unit",
    "duplicate",
    "other_year",
    "old_format",
    "missing",
)


@dataclass
class ReturnRead:
    """What one file gave: its cells (with provenance but no unit yet), what it says of itself."""

    file: str
    # where each cell read stands (the layout plan's cells, shared by every read of one layout:
    # (sheet, (r, c), address, section, row, col, scale)), and how it read, in the same order
    sites: tuple[tuple, ...] = ()
    readings: list[Reading] = field(default_factory=list)
    written_unit: str = ""
    written_year: str = ""
    version: str = ""
    sheets: int = 0
    sections: tuple[str, ...] = ()
    missing: list[tuple[str, str]] = field(default_factory=list)  # (section, label) not found
    error: str = ""  # why the file could not be read at all
    error_rule: str = "file.unreadable"  # the finding it makes
    notes: tuple[str, ...] = ()  # rules of the notes the file calls for (macros, external links)
    titles: tuple[str, ...] = ()  # title-like text near the top of its sheets
    old_format: tuple[str, ...] = ()  # tell-tale labels of the 2019 trial format found
    count: int = 0  # cells read (kept when the cells themselves travel as a table)
    size: int = 0  # bytes read, and their sha256 (the manifest lists them)
    sha256: str = ""
    derived: tuple[
        tuple[str, str], ...
    ] = ()  # (sheet, cell) of formulas worked out from their parts
    # tables found on more than one sheet: (section, the sheets, whether their figures agree);
    # the first sheet is the one used when they agree, none is used when they do not
    twice: tuple[tuple[str, tuple[str, ...], bool], ...] = ()
    hidden_sheets: frozenset[str] = frozenset()
    # (sheet, cell, written, taken for, score) of labels read as the format's label they resemble
    similar: tuple[tuple[str, str, str, str, float], ...] = ()
    # (section, sheet, what, first, second) of tables or labels placed two ways alike
    ambiguous: tuple[tuple[str, str, str, str, str], ...] = ()
    single_other: tuple[str, ...] = ()  # 表三's one-row （六）: (sheet, cells, figures)
    fee_sentence: tuple[str, ...] = ()  # (sheet, cell, text, N, M, K)

    @property
    def cells(self) -> list[tuple]:
        """(sheet, cell, section, row, col, raw_type, text, read_as, value, problem) per cell."""
        return [
            (s[0], s[2], s[3], s[4], s[5], r.raw_type, r.text, r.read_as, r.value, r.problem)
            for s, r in zip(self.sites, self.readings, strict=True)
        ]


def return_read(
    file: str,
    sheets: dict[str, list[list[object]]],
    hidden: Callable[[], Hidden] | None = None,
    notes: tuple[str, ...] = (),
    hidden_sheets: frozenset[str] = frozenset(),
) -> ReturnRead:
    """Read the format's tables out of one workbook's sheets, wherever they stand.

    `hidden` gives, when asked, what the cells that read empty really hold: a formula with no
    stored result (derived from the cells it adds up) or an error value (an error at its cell);
    it is asked only if a cell of a table reads empty. `notes` are the rules of the notes the
    file calls for; `hidden_sheets` the sheets its reader does not see (a table there is used
    only when no visible sheet holds it, or when every copy agrees).
    """
    indexes = {name: SheetIndex(rows) for name, rows in sheets.items()}
    plan = _plan(indexes, hidden_sheets)
    unit, year, version = cover(indexes)
    if not year:
        year = next((t for t in plan.titles if _year(t)), "")
    read = ReturnRead(
        file,
        written_unit=unit,
        written_year=year,
        version=version,
        sheets=len(sheets),
        sections=plan.sections,
        missing=list(plan.missing),
        titles=plan.titles,
        old_format=plan.old_format,
        notes=notes,
        hidden_sheets=hidden_sheets,
    )
    read.similar, read.ambiguous, read.fee_sentence = plan.similar, plan.ambiguous, plan.fee
    if plan.single_other:
        read.single_other = _single_other(sheets, *plan.single_other)
    found: Hidden | None = None
    readings = read.readings
    seen = READINGS  # NOTE: most cells hold a value read before; looked up here, not called
    for sheet, r, c, scale in plan.spots:
        rows = sheets[sheet]
        raw = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
        if (raw == "" or raw is None) and hidden is not None:
            if found is None:
                found = hidden()
            readings.append(_empty_reading(indexes[sheet], (r, c), scale, sheet, found))
        else:
            readings.append(seen.get((raw.__class__, raw, scale)) or read_cell(raw, scale))
    readings.extend(plan.fixed)
    read.sites = plan.cells
    if plan.copies:
        _one_copy_each(read, plan)
    read.count = len(read.readings)
    read.derived = tuple(
        (s[0], s[2])
        for s, r in zip(read.sites, read.readings, strict=True)
        if r.read_as == "derived"
    )
    return read


def _one_copy_each(read: ReturnRead, plan: _Plan) -> None:
    """Keep one copy of each table found on several sheets when their figures agree, none when
    they do not (`read.twice` says which); a hidden sheet is never silently preferred."""
    keep = [True] * len(read.sites)
    twice = []
    for section, places in plan.copies:
        figures = [
            {
                (site[4], site[5]): reading.value
                for site, reading in zip(read.sites[a:b], read.readings[a:b], strict=True)
            }
            for _, a, b in places
        ]
        agree = all(f == figures[0] for f in figures[1:])
        for _, a, b in places[1:] if agree else places:
            keep[a:b] = [False] * (b - a)
        twice.append((section, tuple(sheet for sheet, _, _ in places), agree))
        if not agree:
            read.missing = [m for m in read.missing if m[0] != section]
    read.twice = tuple(twice)
    read.sites = tuple(s for s, k in zip(read.sites, keep, strict=True) if k)
    read.readings = [r for r, k in zip(read.readings, keep, strict=True) if k]


@dataclass(frozen=True)
class _Plan:
    """What a workbook's layout decides: its titles, which tables it holds, and where each of
    their cells is. Put together per file from what each sheet's layout decides (remembered per
    sheet: `_facts`, `_located`); what it says of itself (unit, year) is read by `cover`."""

    titles: tuple[str, ...]
    old_format: tuple[str, ...]
    sections: tuple[str, ...]
    missing: tuple[tuple[str, str], ...]
    cells: tuple[tuple, ...]  # (sheet, (r, c), address, section, row, col, scale, matched)
    spots: tuple[tuple[str, int, int, int], ...]  # (sheet, r, c, scale): what reading needs
    similar: tuple = ()  # see ReturnRead
    ambiguous: tuple = ()
    single_other: tuple = ()  # (sheet, ((col label, (r, c)), …))
    fee: tuple = ()  # see ReturnRead.fee_sentence
    fixed: tuple[Reading, ...] = ()  # readings of the cells after the spots (a fee sentence's)
    # tables found on several sheets: (section, ((sheet, start, end) of its cells in `cells`, …))
    copies: tuple[tuple[str, tuple[tuple[str, int, int], ...]], ...] = ()


def cover(indexes: dict[str, SheetIndex]) -> tuple[str, str, str]:
    """What a return says of itself: its unit, its year, its template version.

    NOTE: read for every file: only where each label stands is remembered per layout
    (`SheetIndex.field`); the year after it is often a number, and numbers are not part of a
    layout's fingerprint."""
    unit = year = version = ""
    for index in indexes.values():
        unit = unit or (index.field(COVER_UNIT) or "")
        year = year or (index.field(COVER_YEAR) or "")
        version = version or (index.field(COVER_VERSION) or "")
    return unit, year, version


def _plan(indexes: dict[str, SheetIndex], hidden_sheets: frozenset[str] = frozenset()) -> _Plan:
    titles: list[str] = []
    old: list[str] = []
    for index in indexes.values():
        facts = _facts(index)
        titles.extend(facts.titles)
        old.extend(label for label in facts.old_format if label not in old)
    head = (tuple(titles),)
    if len(old) >= 2:
        return _Plan(*head, tuple(old), (), (), (), ())
    found, missing, parts = [], [], {}
    copies = []
    similar, ambiguous, single = [], [], ()
    for code, section in SECTIONS.items():
        located = [
            (sheet, *_located(sheet, indexes[sheet], section))
            for sheet in _likeliest_sheets(indexes, section, hidden_sheets)
        ]
        located = [(sheet, key, best) for sheet, key, best in located if best is not None]
        for _, _, best in located:
            ambiguous.extend(best[3][1])
        # NOTE: a sheet where the table is placed two ways alike holds an ambiguity, not a table
        located = [(sheet, key, best) for sheet, key, best in located if best[1]]
        if not located:
            continue
        sims, _, one_row = located[0][2][3]
        similar.extend(sims)
        single = single or one_row
        found.append(code)
        missing.extend((code, label) for label in located[0][2][0])
        if len(located) > 1:
            copies.append((code, [(sheet, key) for sheet, key, _ in located]))
        for _, key, best in located:
            parts[key] = best
    fee, fixed = (), ()
    if "s6" not in found and found:
        sentence = _fee_sentence(indexes)
        if sentence is not None:
            key, part, fee, fixed = sentence
            found.append("s6")
            parts[key] = part  # NOTE: last: its cells have no spots, their readings are `fixed`
    old_format = tuple(old) if old and not found else ()
    cells, spots = _joined(parts)
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


_sentences: dict[tuple, tuple | None] = {}


def _fee_sentence(indexes: dict[str, SheetIndex]) -> tuple | None:
    """The part 六 figures stated in a sentence of one of the sheets (as the format prints them):
    the plan's part for them, its finding's fields and the readings; once per layout."""
    key = tuple((sheet, index.fingerprint) for sheet, index in indexes.items())
    if key not in _sentences:
        found = None
        for sheet, index in indexes.items():
            sentence = fee_sentence(index.texts)
            if sentence is None:
                continue
            at, where = sentence.at, cell_address(*sentence.at)
            cells = tuple(
                (sheet, at, where, "s6", "fees", col.code, col.scale, "sentence/sentence")
                for col in S6.cols
            )
            values = (sentence.fees.notices, sentence.fees.notice_amount, sentence.fees.collected)
            fixed = tuple(
                Reading(sentence.text, "text", "number", int(Decimal(v).scaleb(col.scale)))
                for col, v in zip(S6.cols, values, strict=True)
            )
            fee = (sheet, where, sentence.text, *(f"{Decimal(v).normalize():f}" for v in values))
            part = ((), cells, (), ((), (), ()))
            found = ((sheet, index.fingerprint, "s6", "sentence"), part, fee, fixed)
            break
        if len(_sentences) < 10_000:
            _sentences[key] = found
    return _sentences[key]


def _single_other(sheets, sheet: str, spots) -> tuple[str, str, str]:
    """表三's （六）其他处理 given as one row: its sheet, its cells and the figures written there."""
    rows = sheets[sheet]
    written = "，".join(
        f"{label}{cell_text(rows[r][c] if r < len(rows) and c < len(rows[r]) else None) or '空'}"
        for label, (r, c) in spots
    )
    return sheet, f"{cell_address(*spots[0][1])}:{cell_address(*spots[-1][1])}", written


_joins: dict[tuple, tuple[tuple, tuple]] = {}


def _joined(parts: dict[tuple, tuple]) -> tuple[tuple, tuple]:
    """The cells and spots of the tables located at `parts` (by their `_located` keys): the very
    same tuples for every return of one layout, so a batch sends each layout's sites once."""
    key = tuple(parts)
    joined = _joins.get(key)
    if joined is None:
        joined = (
            tuple(c for part in parts.values() for c in part[1]),
            tuple(s for part in parts.values() for s in part[2]),
        )
        if len(_joins) < 10_000:
            _joins[key] = joined
    return joined


@dataclass(frozen=True)
class _Facts:
    """What one sheet's text says, worked out once per layout of sheet."""

    titles: tuple[str, ...]
    old_format: tuple[str, ...]
    hits: dict[str, int]  # per section, how many of its labels the sheet holds


_sheet_facts: dict[int, _Facts] = {}


def _facts(index: SheetIndex) -> _Facts:
    facts = _sheet_facts.get(index.fingerprint)
    if facts is None:
        facts = _Facts(
            tuple(index.titles()),
            tuple(old_format_labels(index)),
            {
                code: len(_signature(section).intersection(index.where))
                for code, section in SECTIONS.items()
            },
        )
        if len(_sheet_facts) < 10_000:
            _sheet_facts[index.fingerprint] = facts
    return facts


_sections_at: dict[tuple, tuple | None] = {}


def _located(sheet: str, index: SheetIndex, section: Section) -> tuple[tuple, tuple | None]:
    """The layout key of `section` on one sheet, and the labels not found, the cells, the
    spots (as a plan lists them) and what else locating says (similar labels, ambiguities, a
    one-row （六）), or None when too little of it is there; once per layout."""
    best = locate(index, section)
    key = (sheet, index.fingerprint, section.code, best.variant)
    if key not in _sections_at:
        ambiguous = tuple(
            (section.code, sheet, section.title if what == section.short else what, a, b)
            for what, a, b in best.ambiguous
        )
        if best.score < MIN_SCORE:
            found = ((), (), (), ((), ambiguous, ())) if ambiguous else None
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
                            cell_address(*rc),
                            section.code,
                            row.code,
                            col.code,
                            col.scale,
                            how,
                        )
                    )
            spots = tuple((c[0], *c[1], c[6]) for c in cells)
            similar = tuple(
                (sheet, address(*s.at), s.written, s.taken, s.score) for s in best.similar
            )
            single = (
                (sheet, tuple((section.col(k).label, at) for k, at in best.single_other.items()))
                if best.single_other
                else ()
            )
            found = (best.missing, tuple(cells), spots, (similar, ambiguous, single))
        if len(_sections_at) < 10_000:
            _sections_at[key] = found
        return key, found
    return key, _sections_at[key]


def _empty_reading(index: SheetIndex, rc, scale: int, sheet: str, hidden: Hidden) -> Reading:
    """A cell that reads empty: a blank, an error value, or a formula with no stored result,
    derived."""
    error = hidden.errors.get(sheet, {}).get(rc)
    if error is not None:
        return error_value(error)
    formulas = hidden.formulas.get(sheet, {})
    if rc not in formulas:
        return read_cell(index.value(*rc), scale)

    def raw_at(r: int, c: int) -> object:
        text = formulas.get((r, c))
        return Formula(text) if text is not None else index.value(r, c)

    return derived_reading(raw_at(*rc), raw_at, scale)


@cache
def cell_address(r: int, c: int) -> str:
    """A 0-based (row, column) as the spreadsheet names it, e.g. (11, 3) → D12."""
    return _address(r, c)


@cache
def _signature(section: Section) -> frozenset[str]:
    return frozenset(
        norm(label)
        for label in [*(r.label for r in section.rows), *(c.label for c in section.cols)]
        if label
    )


def _likeliest_sheets(
    indexes: dict[str, SheetIndex], section: Section, hidden: frozenset[str]
) -> list[str]:
    """The sheets that may hold the section (locating is tried there only): those holding at
    least half as many of its labels as the sheet holding most, visible ones first, then by how
    many they hold.

    NOTE: every such sheet is located, not only the likeliest: a second copy of a table (an
    older one on a hidden sheet, a copy on another sheet) must be seen, never silently dropped."""
    hits = {name: _facts(index).hits[section.code] for name, index in indexes.items()}
    most = max(hits.values(), default=0)
    if not most:
        return []
    likely = [name for name, n in hits.items() if n >= max(2, most / 2) or n == most]
    return sorted(likely, key=lambda name: (name in hidden, -hits[name]))


class UnitIndex:
    """The reporting units, looked up by name or alias as written in a return or a file name."""

    def __init__(self, units: pd.DataFrame):
        self.units = units
        self.names: dict[str, str] = {}  # normalised name or alias -> unit code
        for unit in units.itertuples():
            for name in [unit.name, *str(unit.aliases).split("|")]:
                if name.strip():
                    self.names[norm(name)] = unit.code
        self.name_of = dict(zip(units["code"], units["name"], strict=True))
        # NOTE: names by their first two characters, so a title is not scanned once per unit
        self.by_start: dict[str, list[str]] = defaultdict(list)
        for name in self.names:
            self.by_start[name[:2]].append(name)
        self._matched: dict[str, tuple[str, ...]] = {}

    def match(self, text: str) -> list[str]:
        """Codes of the units `text` names: an exact name or alias, else every name it contains
        (a name inside a longer one it contains, like 县司法局 in 古县司法局, does not count)."""
        # NOTE: remembered, since most returns share their titles (made from one template)
        if text not in self._matched:
            self._matched[text] = self._match(text)
        return list(self._matched[text])

    def _match(self, text: str) -> tuple[str, ...]:
        key = norm(text)
        if not key:
            return ()
        if key in self.names:
            return (self.names[key],)
        inside = {
            n
            for i in range(len(key))
            for n in self.by_start.get(key[i : i + 2], ())
            if key.startswith(n, i)
        }
        kept = {self.names[n] for n in inside if not any(n != m and n in m for m in inside)}
        return tuple(sorted(kept))


def _identified(read: ReturnRead, index: UnitIndex) -> list[str]:
    """The unit a file is from: its 填报单位 cell, else its title, else its file name."""
    for text in (read.written_unit, *read.titles, _stem(read.file)):
        candidates = index.match(text)
        if candidates:
            return candidates
    return []


def ingested(
    reads: list[ReturnRead], units: pd.DataFrame, year: int, cells: pa.Table | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The long cell table, the register of returns and the findings, from every file's read
    (`cells`: the reads' cells already as a table, when they were read elsewhere)."""
    index = UnitIndex(units)
    records, findings, by_unit = [], [], defaultdict(list)
    for read in reads:
        record = {
            "file": read.file,
            "unit": "",
            "unit_code": "",
            "written_unit": read.written_unit,
            "written_year": read.written_year,
            "version": read.version,
            "sheets": read.sheets,
            "sections": " ".join(read.sections),
            "cells": read.count,
            "bytes": read.size,
            "sha256": read.sha256,
        }
        records.append(record)
        candidates = _identified(read, index)
        if len(candidates) == 1:
            record.update(unit=index.name_of[candidates[0]], unit_code=candidates[0])
        if read.error:
            record["status"] = UNREADABLE
            findings.append(
                finding(read.error_rule, unit=record["unit"], file=read.file, reason=read.error)
            )
            continue
        for rule in read.notes:
            findings.append(finding(rule, unit=record["unit"], file=read.file))
        if read.old_format:
            record["status"] = OLD_FORMAT
            labels = "”“".join(read.old_format)
            findings.append(
                finding("file.old_format", unit=record["unit"], file=read.file, labels=labels)
            )
            continue
        if not read.sections:
            record["status"] = NO_TABLES
            findings.append(finding("file.no_tables", unit=record["unit"], file=read.file))
            continue
        if len(candidates) != 1:
            record["status"] = UNKNOWN
            record["unit"] = read.written_unit
            names = "、".join(index.name_of[c] for c in candidates)
            detail = (
                f"（可能是：{names}）"
                if candidates
                else (f"（填报单位：“{read.written_unit}”）" if read.written_unit else "")
            )
            findings.append(
                finding(
                    "register.unknown_unit", file=read.file, unit=read.written_unit, detail=detail
                )
            )
            continue
        code = candidates[0]
        record["status"] = RECEIVED
        if read.written_year and _year(read.written_year) != year:
            record["status"] = OTHER_YEAR
            findings.append(
                finding(
                    "register.year",
                    file=read.file,
                    unit=record["unit"],
                    written=read.written_year,
                    year=year,
                )
            )
            continue
        by_unit[code].append(record)
        if read.derived:
            findings.append(
                finding(
                    "file.formula_derived",
                    unit=record["unit"],
                    file=read.file,
                    sheet=" ".join(sorted({sheet for sheet, _ in read.derived})),
                    count=len(read.derived),
                    cells="、".join(cell for _, cell in read.derived),
                )
            )
    for code, recs in by_unit.items():
        if len(recs) > 1:
            files = "、".join(f"“{r['file']}”" for r in recs)
            for r in recs:
                r["status"] = DUPLICATE
            findings.append(
                finding(
                    "register.duplicate",
                    unit=index.name_of[code],
                    file=recs[0]["file"],
                    files=files,
                    year=year,
                )
            )
    sent = {r["unit_code"] for r in records if r["unit_code"]}
    for unit in units.itertuples():
        # NOTE: a unit whose only file is unreadable, old or for another year has sent something;
        # that file's own finding says what is wrong with it
        if unit.code not in sent:
            findings.append(finding("register.missing", unit=unit.name, year=year))
    returns = pd.DataFrame(records, columns=RETURN_COLUMNS)
    file_unit = {r["file"]: (r["unit"], r["unit_code"]) for r in records}
    for read in reads:
        unit = file_unit[read.file][0]
        findings.extend(_layout_findings(read, unit))
        for section, label in read.missing:
            where = {}
            if read.single_other and section == "s3" and label in _SINGLE_OTHER_LABELS:
                # NOTE: the group's figures are kept in the finding: the county needs its rows
                sheet, at, written = read.single_other
                where = {"sheet": sheet, "cell": at, "text": f"（六）其他处理：{written}"}
            findings.append(
                finding(
                    "file.cell_missing",
                    unit=unit,
                    file=read.file,
                    section=section,
                    table=SECTIONS[section].short,
                    label=label,
                    **where,
                )
            )
        for code, sheets, agree in read.twice:
            findings.append(
                finding(
                    "file.table_twice_same" if agree else "file.table_twice",
                    unit=unit,
                    file=read.file,
                    section=code,
                    sheet=sheets[0] if agree else " ".join(sheets),
                    table=SECTIONS[code].short,
                    sheets="、".join(_sheet_name(s, read.hidden_sheets) for s in sheets),
                    used=sheets[0],
                )
            )
        placed_twice = {a[0] for a in read.ambiguous}
        for code in SECTIONS:
            if read.sections and code not in read.sections and code not in placed_twice:
                if code == "s6":
                    findings.append(
                        finding("s6.unreported", unit=unit, file=read.file, section=code)
                    )
                    continue
                findings.append(
                    finding(
                        "file.table_missing",
                        unit=unit,
                        file=read.file,
                        section=code,
                        table=_table_name(code),
                    )
                )
    table = cells if cells is not None else cells_arrow(reads)
    return cell_table(table, file_unit), returns, findings_table(findings)


_SINGLE_OTHER_LABELS = frozenset(r.label for r in SECTIONS["s3"].rows if "（六）其他处理" in r.path)


def _layout_findings(read: ReturnRead, unit: str) -> list[dict]:
    """The findings of how a return's tables were placed: labels read as similar, tables or
    labels placed two ways alike, fee figures read from a sentence."""
    out = []
    for sheet, cell, written, taken, score in read.similar:
        out.append(
            finding(
                "label.similar",
                unit=unit,
                file=read.file,
                sheet=sheet,
                cell=cell,
                text=written,
                expected=taken,
                score=f"{score:g}",
            )
        )
    for section, sheet, what, first, second in read.ambiguous:
        out.append(
            finding(
                "label.ambiguous",
                unit=unit,
                file=read.file,
                sheet=sheet,
                section=section,
                table=SECTIONS[section].short,
                label=what,
                first=first,
                second=second,
            )
        )
    if read.fee_sentence:
        sheet, cell, text, notices, amount, collected = read.fee_sentence
        out.append(
            finding(
                "s6.sentence",
                unit=unit,
                file=read.file,
                sheet=sheet,
                cell=cell,
                section="s6",
                text=text,
                notices=notices,
                notice_amount=amount,
                collected=collected,
            )
        )
    return out


def register(returns: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The register of returns: each unit of the roll as received, missing, duplicate … with its
    files, then every file that matches no unit."""
    rows = []
    by_code: dict[str, list[dict]] = defaultdict(list)
    for rec in returns[["unit_code", "status", "file"]].to_dict("records"):
        if rec["unit_code"]:
            by_code[rec["unit_code"]].append(rec)
    for unit in units.itertuples():
        mine = by_code.get(unit.code)
        if mine is None:
            rows.append((unit.code, unit.name, unit.kind, MISSING, "", ""))
            continue
        statuses = [r["status"] for r in mine]
        status = next(
            (s for s in (RECEIVED, DUPLICATE) if s in statuses),
            statuses[0],
        )
        others = sorted({s for s in statuses if s != status})
        rows.append(
            (
                unit.code,
                unit.name,
                unit.kind,
                status,
                "、".join(r["file"] for r in mine),
                " ".join(others),
            )
        )
    stray = returns[returns["unit_code"] == ""]
    for rec in stray.itertuples():
        rows.append(("", rec.unit, "", rec.status, rec.file, ""))
    return pd.DataFrame(rows, columns=REGISTER_COLUMNS)


_SITE_FIELDS = {"sheet": 0, "cell": 2, "section": 3, "row": 4, "col": 5, "matched": 7}
_READING_FIELDS = ("raw_type", "text", "read_as", "value", "problem")


def cells_arrow(reads: list[ReturnRead]) -> pa.Table:
    """The cells of some reads as one Arrow table (column `file`, then a column per cell field).

    NOTE: built from numbers, not from a tuple per cell: the returns of one layout share their
    sites (one plan), and most readings are shared too (`read_cell` keeps one per value), so
    every text column is dictionary-encoded from the few distinct sites and readings. Quick to
    build, small to send between processes, and decoded only where it is turned into a frame."""
    starts: dict[int, int] = {}  # a plan's sites (by identity) → where they start in `sites`
    sites: list[tuple] = []
    site_index: list[np.ndarray] = []
    files: list[str] = []
    counts: list[int] = []
    readings: list[Reading] = []
    for read in reads:
        if not read.readings:
            continue
        start = starts.get(id(read.sites))
        if start is None:
            start = starts[id(read.sites)] = len(sites)
            sites.extend(read.sites)
        site_index.append(np.arange(start, start + len(read.readings)))
        files.append(read.file)
        counts.append(len(read.readings))
        readings.extend(read.readings)
    # NOTE: the readings are alive in `reads`, so their identities are distinct while we look
    ids = np.fromiter(map(id, readings), dtype=np.uint64, count=len(readings))
    _, first, which = np.unique(ids, return_index=True, return_inverse=True)
    distinct = [readings[i] for i in first]
    at_site = np.concatenate(site_index) if site_index else np.empty(0, dtype=np.int64)
    arrays = {"file": _encoded(files, np.repeat(np.arange(len(files)), counts))}
    for name, k in _SITE_FIELDS.items():
        arrays[name] = _encoded([site[k] for site in sites], at_site)
    for name in _READING_FIELDS:
        values = [getattr(r, name) for r in distinct]
        arrays[name] = (
            pa.array(values, pa.int64()).take(which) if name == "value" else _encoded(values, which)
        )
    return pa.table({name: arrays[name] for name in ["file", *CELL_FIELDS, *PROVENANCE_COLUMNS]})


def _encoded(values: list[str], index: np.ndarray) -> pa.DictionaryArray:
    """`values[index]` as a dictionary array (each distinct text stored once)."""
    codes = pa.array(values, pa.string()).dictionary_encode()
    return pa.DictionaryArray.from_arrays(codes.indices.take(index), codes.dictionary)


def cell_table(cells: pa.Table, file_unit: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """One row per cell read, with its unit, file, sheet and address."""
    cells = cells.unify_dictionaries().combine_chunks()
    files = cells.column("file").chunk(0) if cells.num_rows else None
    if files is None:
        units = codes = pa.array([], pa.string())
    else:
        known = [file_unit[f] for f in files.dictionary.to_pylist()]
        units = pa.array([u for u, _ in known], type=pa.string()).take(files.indices)
        codes = pa.array([c for _, c in known], type=pa.string()).take(files.indices)
    table = (
        cells.add_column(0, "unit_code", codes)
        .add_column(0, "unit", units)
        .select([*CELL_COLUMNS, *PROVENANCE_COLUMNS])
    )
    # NOTE: decoded a column a thread: Arrow lets go of the GIL, so both cores work at it
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        columns = list(pool.map(_decoded, table.columns))
    text = pd.StringDtype("pyarrow", na_value=float("nan"))
    mapper = {pa.string(): text, pa.int64(): pd.Int64Dtype()}.get
    return pa.table(columns, names=table.column_names).to_pandas(types_mapper=mapper)


def _decoded(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column


def _sheet_name(sheet: str, hidden: frozenset[str]) -> str:
    return f"“{sheet}”（隐藏）" if sheet in hidden else f"“{sheet}”"


def _table_name(code: str) -> str:
    s = SECTIONS[code]
    return f"{s.short}（{s.title}）" if s.short != s.title else s.title


def _stem(file: str) -> str:
    return file.rsplit("/", 1)[-1].rsplit(".", 1)[0]


_CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def _year(text: str) -> int | None:
    """The year a cell or title names: `2023`, `2023年`, `古县2023年…报告` (not digits of a name)."""
    t = norm(text).translate(_CHINESE_DIGITS)
    found = _YEAR.findall(t.split("年")[0] if "年" in t else t) or _YEAR.findall(t)
    return int(found[-1]) if found else None
