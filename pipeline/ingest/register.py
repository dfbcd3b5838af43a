"""The returns put in order: each file's unit (its 填报单位, title or file name against the roster), its status (received, duplicate, other year …), the findings of reading, and the roll call of units."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import pandas as pd
import pyarrow as pa

from pipeline.files.a1 import by_sheet
from pipeline.files.kinds import KIND_NAMES, named
from pipeline.format2021 import OTHER_GROUP, OTHER_ROWS, SECTIONS
from pipeline.ingest.cells import cell_table, cells_arrow
from pipeline.ingest.returns import ReturnRead
from pipeline.ingest.status import (
    DUPLICATE,
    MISSING,
    NO_TABLES,
    OLD_FORMAT,
    OTHER_YEAR,
    RECEIVED,
    STATUS_LABELS,
    UNKNOWN,
    UNREADABLE,
)
from pipeline.ingest.vocabulary import norm
from pipeline.inputs import unit_names
from pipeline.problems import finding, findings_table

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


REGISTER_COLUMNS = ["unit_code", "unit", "kind", "status", "status_text", "files", "detail"]


class UnitIndex:
    """The reporting units, looked up by name or alias as written in a return or a file name."""

    def __init__(self, units: pd.DataFrame):
        self.units = units
        self.names: dict[str, str] = {}  # normalised name or alias -> unit code
        for unit in units.itertuples():
            for name in unit_names(unit._asdict()):
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
    reads: list[ReturnRead],
    units: pd.DataFrame,
    year: int,
    cells: pa.Table | None = None,
    skipped: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The long cell table, the list of files received and the findings, from every file's read
    (`cells`: the reads' cells already as a table, when they were read elsewhere; `skipped`: the
    names of the files not read, as junk, listed in one note)."""
    index = UnitIndex(units)
    records, findings, by_unit = [], [], defaultdict(list)
    if skipped:
        findings.append(skipped_note(skipped))
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
        if read.misnamed:
            findings.append(
                finding(
                    "file.misnamed",
                    unit=record["unit"],
                    file=read.file,
                    named=named(read.file),
                    kind=KIND_NAMES[read.misnamed],
                )
            )
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
        if read.year is not None and read.year != year:
            record["status"] = OTHER_YEAR
            findings.append(
                finding(
                    "register.year",
                    file=read.file,
                    unit=record["unit"],
                    where=_YEAR_WHERE[read.year_from],
                    text=read.written_year,
                    stated=read.year,
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
                    cells=by_sheet(*zip(*read.derived, strict=True)),
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
    file_unit = {str(r["file"]): (str(r["unit"]), str(r["unit_code"])) for r in records}
    for read in reads:
        unit = file_unit[read.file][0]
        findings.extend(_layout_findings(read, unit))
        for section, label in read.missing:
            where = {}
            if read.single_other and section == "s3" and label in _SINGLE_OTHER_LABELS:
                # NOTE: the group's figures are kept in the finding: the county needs its rows
                sheet, at, written = read.single_other
                where = {"sheet": sheet, "cell": at, "text": f"{OTHER_GROUP}：{written}"}
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


def skipped_note(names: Sequence[str]) -> dict:
    """The one note listing the files skipped as junk (at most `LISTED` by name)."""
    shown = "、".join(f"“{n}”" for n in names[:LISTED])
    more = f"等（共{len(names)}个）" if len(names) > LISTED else ""
    return finding("file.skipped", count=len(names), files=shown + more)


LISTED = 20  # files named in the note of skipped files; the rest are counted


# where a return's year was read from (`ReturnRead.year_from`), as the finding names it
_YEAR_WHERE = {"cover": "封面的报告年度", "title": "的标题", "name": "的文件名"}


_SINGLE_OTHER_LABELS = frozenset(SECTIONS["s3"].row(code).label for code in OTHER_ROWS)


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
    for first, continuation in read.joined:
        out.append(
            finding(
                "file.table_joined",
                unit=unit,
                file=read.file,
                sheet=first,
                sheets=f"“{first}”和“{continuation}”",
            )
        )
    if read.fee_sentence:
        sheet, cell, text, notices, amount, collected = read.fee_sentence
        unread = "未写明（未读取）"
        out.append(
            finding(
                "s6.sentence",
                unit=unit,
                file=read.file,
                sheet=sheet,
                cell=cell,
                section="s6",
                text=text,
                notices=f"{notices}件" if notices else unread,
                notice_amount=f"{amount}元" if amount else unread,
                collected=f"{collected}元" if collected else unread,
            )
        )
    return out


def register(returns: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The roll call (报送登记): each unit of the roster as received, missing, duplicate … with its
    files, then every file that matches no unit."""
    rows = []
    by_code: dict[str, list[dict]] = defaultdict(list)
    for rec in returns[["unit_code", "status", "file"]].to_dict("records"):
        if rec["unit_code"]:
            by_code[rec["unit_code"]].append(rec)
    for unit in units.itertuples():
        mine = by_code.get(unit.code)
        if mine is None:
            rows.append((unit.code, unit.name, unit.kind, MISSING, STATUS_LABELS[MISSING], "", ""))
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
                STATUS_LABELS.get(status, status),
                "、".join(r["file"] for r in mine),
                " ".join(others),
            )
        )
    stray = returns[returns["unit_code"] == ""]
    for rec in stray.itertuples():
        rows.append(
            ("", rec.unit, "", rec.status, STATUS_LABELS.get(rec.status, rec.status), rec.file, "")
        )
    return pd.DataFrame(rows, columns=REGISTER_COLUMNS)


def _sheet_name(sheet: str, hidden: frozenset[str]) -> str:
    return f"“{sheet}”（隐藏）" if sheet in hidden else f"“{sheet}”"


def _table_name(code: str) -> str:
    s = SECTIONS[code]
    return f"{s.short}（{s.title}）" if s.short != s.title else s.title


def _stem(file: str) -> str:
    return file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
