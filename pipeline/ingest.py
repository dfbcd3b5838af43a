"""Ingest: returns (as grids of raw cells) → one long table of cells with provenance, the register
of returns, and the findings of reading them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

import pandas as pd
from xlsxwriter.utility import xl_rowcol_to_cell as _address

from pipeline.format2021 import SECTIONS, Section
from pipeline.labels import SheetIndex, locate, norm
from pipeline.problems import finding, findings_table
from pipeline.values import read_cell
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
]
MIN_SCORE = 0.5  # share of a table's cells that must be found for the table to count as present

# the status of a file in the register of returns
RECEIVED, UNREADABLE, NO_TABLES, UNKNOWN, DUPLICATE, OTHER_YEAR = (
    "received",
    "unreadable",
    "no_tables",
    "unknown_unit",
    "duplicate",
    "other_year",
)


@dataclass
class ReturnRead:
    """What one file gave: its cells (with provenance but no unit yet), what it says of itself."""

    file: str
    cells: list[tuple] = field(
        default_factory=list
    )  # (sheet, cell, section, row, col, raw_type, text, read_as, value, problem)
    written_unit: str = ""
    written_year: str = ""
    version: str = ""
    sheets: int = 0
    sections: tuple[str, ...] = ()
    missing: list[tuple[str, str]] = field(default_factory=list)  # (section, label) not found
    error: str = ""  # why the file could not be read at all


def return_read(file: str, sheets: dict[str, list[list[object]]]) -> ReturnRead:
    """Read the format's tables out of one workbook's sheets, wherever they stand."""
    read = ReturnRead(file, sheets=len(sheets))
    indexes = {name: SheetIndex(rows) for name, rows in sheets.items()}
    for index in indexes.values():
        read.written_unit = read.written_unit or (index.field(COVER_UNIT) or "")
        read.written_year = read.written_year or (index.field(COVER_YEAR) or "")
        read.version = read.version or (index.field(COVER_VERSION) or "")
    found = []
    for code, section in SECTIONS.items():
        best_sheet = _likeliest_sheet(indexes, section)
        best = locate(indexes[best_sheet], section) if best_sheet else None
        if best is None or best.score < MIN_SCORE:
            continue
        found.append(code)
        read.missing.extend((code, label) for label in best.missing)
        index = indexes[best_sheet]
        for row, col in section.cells:
            rc = best.cells.get((row.code, col.code))
            if rc is None:
                continue
            reading = read_cell(index.value(*rc), col.scale)
            read.cells.append(
                (
                    best_sheet,
                    cell_address(*rc),
                    code,
                    row.code,
                    col.code,
                    reading.raw_type,
                    reading.text,
                    reading.read_as,
                    reading.value,
                    reading.problem,
                )
            )
    read.sections = tuple(found)
    return read


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


def _likeliest_sheet(indexes: dict[str, SheetIndex], section: Section) -> str | None:
    """The sheet holding the most of the section's labels (locating is tried there only)."""
    signature = _signature(section)
    hits = {name: len(signature.intersection(index.where)) for name, index in indexes.items()}
    best = max(hits, key=hits.get, default=None)
    return best if best is not None and hits[best] else None


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

    def match(self, text: str) -> list[str]:
        """Codes of the units `text` names: an exact name, else the longest name it contains."""
        key = norm(text)
        if not key:
            return []
        if key in self.names:
            return [self.names[key]]
        inside = [(len(n), code) for n, code in self.names.items() if n in key]
        if not inside:
            return []
        longest = max(n for n, _ in inside)
        return sorted({code for n, code in inside if n == longest})


def ingested(
    reads: list[ReturnRead], units: pd.DataFrame, year: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The long cell table, the register of returns and the findings, from every file's read."""
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
            "cells": len(read.cells),
        }
        records.append(record)
        if read.error:
            record["status"] = UNREADABLE
            findings.append(finding("file.unreadable", file=read.file, reason=read.error))
            continue
        if not read.sections:
            record["status"] = NO_TABLES
            findings.append(finding("file.no_tables", file=read.file))
            continue
        candidates = index.match(read.written_unit) or index.match(_stem(read.file))
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
        record.update(unit=index.name_of[code], unit_code=code, status=RECEIVED)
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
    for unit in units.itertuples():
        if unit.code not in by_unit:
            findings.append(finding("register.missing", unit=unit.name, year=year))
    returns = pd.DataFrame(records, columns=RETURN_COLUMNS)
    file_unit = {r["file"]: (r["unit"], r["unit_code"]) for r in records}
    for read in reads:
        unit = file_unit[read.file][0]
        for section, label in read.missing:
            findings.append(
                finding(
                    "file.cell_missing",
                    unit=unit,
                    file=read.file,
                    section=section,
                    table=SECTIONS[section].short,
                    label=label,
                )
            )
        for code in SECTIONS:
            if read.sections and code not in read.sections:
                findings.append(
                    finding(
                        "file.table_missing",
                        unit=unit,
                        file=read.file,
                        section=code,
                        table=_table_name(code),
                    )
                )
    return cell_table(reads, file_unit), returns, findings_table(findings)


def cell_table(reads: list[ReturnRead], file_unit: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """One row per cell read, with its unit, file, sheet and address."""
    rows = [(*file_unit[read.file], read.file, *cell) for read in reads for cell in read.cells]
    table = pd.DataFrame(rows, columns=CELL_COLUMNS)
    return table.astype({c: str for c in CELL_COLUMNS if c != "value"}).assign(
        value=pd.array(table["value"], dtype="Int64")
    )


def _table_name(code: str) -> str:
    s = SECTIONS[code]
    return f"{s.short}（{s.title}）" if s.short != s.title else s.title


def _stem(file: str) -> str:
    return file.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def _year(text: str) -> int | None:
    digits = "".join(ch for ch in norm(text) if ch.isdigit())
    return int(digits[:4]) if len(digits) >= 4 else None
