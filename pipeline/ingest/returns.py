"""One return read: the format's tables out of a workbook's sheets, wherever they stand, each cell with its place and its reading (`ReturnRead`), and what the return says of itself."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.ingest.plan import _Plan, _plan, _single_other
from pipeline.ingest.sheet import SheetIndex
from pipeline.ingest.values import (
    Evaluator,
    Formula,
    Hidden,
    Marked,
    Node,
    Reading,
    derived_reading,
    marked_reading,
    parsed_formula,
    read_cell,
    stored_reading,
)
from pipeline.memo import Memo
from pipeline.render.workbook import COVER_UNIT, COVER_VERSION, COVER_YEAR


@dataclass
class ReturnRead:
    """What one file gave: its cells (with provenance but no unit yet), what it says of itself."""

    file: str
    # where each cell read stands (the layout plan's cells, shared by every read of one layout:
    # (sheet, (r, c), address, section, row, col, scale)), and how it read, in the same order
    sites: tuple[tuple, ...] = ()
    # what identifies the layout the sites come from: returns of one layout share their sites
    layout: tuple = ()
    readings: list[Reading] = field(default_factory=list)
    written_unit: str = ""
    # the text the return's year is read from (its cover's year field, a title, its file name),
    # the year it states and where it stands (`return_year`); "" and None when none states one
    written_year: str = ""
    year: int | None = None
    year_from: str = ""
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
    # (first, continuation) of the tables of a Word document read as one (a page break split it)
    joined: tuple[tuple[str, str], ...] = ()
    misnamed: str = ""  # the kind its bytes are (`files.kinds`) when its name says another

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
    memo: Memo | None = None,
) -> ReturnRead:
    """Read the format's tables out of one workbook's sheets, wherever they stand (what the
    layout decides remembered in `memo`, the run's).

    `hidden` gives what the values of the sheets do not tell (asked once): formulas (worked out
    as the application shows them), error values, formatting that changes what is seen, what
    cells read as empty hold. `notes` are the rules of the notes the
    file calls for; `hidden_sheets` the sheets its reader does not see (a table there is used
    only when no visible sheet holds it, or when every copy agrees).
    """
    memo = memo if memo is not None else Memo()
    indexes = {name: SheetIndex(rows, memo) for name, rows in sheets.items()}
    plan = _plan(indexes, hidden_sheets, memo)
    unit, cover_year, version = cover(indexes)
    written, year, year_from = return_year(cover_year, plan.titles, file)
    read = ReturnRead(
        file,
        written_unit=unit,
        written_year=written,
        year=year,
        year_from=year_from,
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
    found = hidden() if hidden is not None else None
    specials: dict[str, _SheetCells] = {}
    readings = read.readings
    seen = memo.table("readings")  # NOTE: most cells hold a value read before: looked up here
    for sheet, r, c, scale in plan.spots:
        rows = sheets[sheet]
        raw = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
        if found is not None:
            where = specials.get(sheet)
            if where is None:
                where = specials[sheet] = _SheetCells(found, sheet, rows, memo)
            special = where.cells.get((r, c)) if where.cells else None
            if special is not None:
                readings.append(where.reading(special, raw, scale))
                continue
            if raw == "" or raw is None:
                readings.append(_empty_reading(where.held.get((r, c)), raw, scale))
                continue
        key = (raw.__class__, raw, scale)  # NOTE: by type too: 1 == 1.0 == True
        reading = seen.get(key)
        if reading is None:
            reading = read_cell(raw, scale)
            memo.put("readings", key, reading)
        readings.append(reading)
    readings.extend(plan.fixed)
    read.sites, read.layout = plan.cells, plan.layout
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
    # NOTE: which copies are kept depends on the values, so it is part of the layout's key
    read.layout = (*read.layout, tuple(keep))
    read.sites = tuple(s for s, k in zip(read.sites, keep, strict=True) if k)
    read.readings = [r for r, k in zip(read.readings, keep, strict=True) if k]


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


class _SheetCells:
    """One sheet's cells not to be read at face value (`Hidden.special`), what its cells read as
    empty hold, and the evaluator of its formulas (made when first needed)."""

    def __init__(self, found: Hidden, sheet: str, rows: list[list[object]], memo: Memo) -> None:
        self.cells = found.special(sheet)
        self.held = found.held.get(sheet, {})
        self.recalculated = found.recalculated
        self.rows = rows
        self.memo = memo
        self._evaluator: Evaluator | None = None

    @property
    def evaluator(self) -> Evaluator:
        if self._evaluator is None:
            memo = self.memo
            # NOTE: a formula sees another formula's figure and an error value as such; every
            # other cell (rich text included) as its value
            refs = {
                rc: v
                for rc, v in self.cells.items()
                if isinstance(v, Formula) or (isinstance(v, Reading) and v.raw_type == "error")
            }

            parsed = memo.table("formulas")

            def parse(text: str) -> Node | None:
                if text in parsed:
                    return parsed[text]
                node = parsed_formula(text)
                memo.put("formulas", text, node)
                return node

            self._evaluator = Evaluator(self.rows, refs, parse)
        return self._evaluator

    def reading(self, special: object, raw: object, scale: int) -> Reading:
        """How a cell not to be read at face value reads: its Reading, a formula as the
        application shows it, formatted text as seen."""
        if isinstance(special, Reading):
            return special
        if isinstance(special, Marked):
            return marked_reading(special, raw, scale)
        assert isinstance(special, Formula)
        if not special.stored:
            return derived_reading(special, self.evaluator, scale)
        reading = stored_reading(special, raw, self.evaluator, scale, self.recalculated)
        if reading is not None:
            return reading
        key = (raw.__class__, raw, scale)
        found = self.memo.table("readings").get(key)
        if found is None:
            found = read_cell(raw, scale)
            self.memo.put("readings", key, found)
        return found


def _empty_reading(held: str | None, raw: object, scale: int) -> Reading:
    """A cell that reads empty: a blank, unless the file shows it holds something the reader
    could not read (never a blank then, never 0)."""
    if held is not None and held.strip():
        why = f"内联文字单元格，存有“{held.strip()}”，但其写法本程序无法按表格软件显示的样子读取"
        return Reading(held, "text", "unreadable", None, why)
    return read_cell(raw, scale)


def return_year(cover_year: str, titles: tuple[str, ...], file: str) -> tuple[str, int | None, str]:
    """The year a return states, from the first place that states one: its cover's year field,
    a title, its file name; as (the text it is read from, the year, the place: `cover`, `title`
    or `name`), or ("", None, "") when none does."""
    stem = file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    candidates = [(cover_year, True, "cover"), *((t, False, "title") for t in titles)]
    for text, alone, where in [*candidates, (stem, True, "name")]:
        year = stated_year(text, alone=alone) if text else None
        if year is not None:
            return (file.rsplit("/", 1)[-1] if where == "name" else text), year, where
    return "", None, ""


_CN_DIGIT = "〇零一二三四五六七八九"
_CHINESE_DIGITS = str.maketrans(_CN_DIGIT, "00123456789")
_DIGITS = rf"(?:19|20)\d\d|[〇零一二][{_CN_DIGIT}]{{3}}"
_NOT_AFTER = rf"(?<![\d{_CN_DIGIT}])"
# a year as a report states it, `2023年`, `2023年度`; not a date (`2024年1月`, `2024年一月`)
_STATED = re.compile(rf"{_NOT_AFTER}({_DIGITS})年(?![\d{_CN_DIGIT}十]{{1,3}}月)")
# a year standing alone (a year field, a file name): not part of a longer number, a date
# (`2024-01-15`, `15.1.2024`, `2024年1月`) or a version (`v2021`, `xxgk-2021.1`)
_ALONE = re.compile(
    rf"(?<![\dA-Za-z{_CN_DIGIT}])(?<!\d[-./_])({_DIGITS})"
    rf"(?![\d{_CN_DIGIT}]|[-./_]\d|年[\d{_CN_DIGIT}十]{{1,3}}月)"
)


def stated_year(text: str, *, alone: bool = False) -> int | None:
    """The year `text` states as a report's year: `2023年`, `2023年度`, `二〇二三年`; with `alone`
    (a year field, a file name) also a year standing by itself, `2023`. Never a date, a version
    string or the digits of a longer number; None when it states none, or several."""
    t = unicodedata.normalize("NFKC", "".join(text.split()))
    found = set(_STATED.findall(t)) or (set(_ALONE.findall(t)) if alone else set())
    years = {int(y.translate(_CHINESE_DIGITS)) for y in found}
    # NOTE: a text that states two years (`2022年至2023年`) does not say which is the report's
    return years.pop() if len(years) == 1 else None
