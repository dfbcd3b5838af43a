"""The reports across years: each issuer's year before, 内容雷同, and the catalog's rules by year."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.audit.outputs import READ
from pipeline.audit.similar import (
    SIMILAR_MIN_CHARS,
    masked,
    part_similarities,
    similar_findings,
)
from pipeline.files.document import finding
from pipeline.format2021 import SECTIONS, number_text
from pipeline.ingest.published.layout import cell_label
from pipeline.ingest.published.read import PublishedReport, as_ingested
from pipeline.validate import LastYear, validated_findings


def issuer_key(report: PublishedReport) -> str:
    """The issuer as matched across years: NFKC, without spaces."""
    return "".join(unicodedata.normalize("NFKC", report.issuer).split())


def compared_year(report: PublishedReport) -> int | None:
    """The year a report is compared across years in: its issuer and year known, a table read;
    None when it is not compared."""
    if issuer_key(report) and report.tables_found:
        return report.year
    return None


@dataclass(frozen=True)
class Comparison:
    """Two reports of one issuer and year compared cell by cell, only where both were read."""

    first: PublishedReport
    second: PublishedReport
    compared: int  # cells read in both
    single: int  # cells read in one of them only: not compared
    # the cells read in both with different figures: (section, row, col) → each report's cell
    # (value, read_as, text, where)
    differing: dict[tuple[str, str, str], tuple[tuple[object, ...], tuple[object, ...]]]


@dataclass(frozen=True)
class Agreement:
    """Several reports of one issuer and year, every two compared; the one the rules across
    years use: the one with the most cells read (the first by path among equals), or none when
    two of them give different figures for a cell both read."""

    reports: tuple[PublishedReport, ...]
    pairs: tuple[Comparison, ...]
    used: PublishedReport | None

    def told(self) -> list[tuple[bool, PublishedReport, PublishedReport, Comparison]]:
        """What is said of them, as (differ, the report it is said on, the other, the two
        compared): each two that differ, on the later; else each report beside the one used."""
        if self.used is None:
            return [(True, p.second, p.first, p) for p in self.pairs if p.differing]
        return [
            (False, p.second if p.first is self.used else p.first, self.used, p)
            for p in self.pairs
            if self.used in (p.first, p.second)
        ]


def agreement(reports: list[PublishedReport]) -> Agreement:
    """`reports` (one issuer and year, in path order) compared two by two."""
    read = {r.file: _read_cells(r) for r in reports}
    pairs = tuple(
        _compared(a, b, read[a.file], read[b.file])
        for i, a in enumerate(reports)
        for b in reports[i + 1 :]
    )
    used = None
    if not any(p.differing for p in pairs):
        used = max(reports, key=lambda r: len(read[r.file]))  # NOTE: max keeps the first of equals
    return Agreement(tuple(reports), pairs, used)


def _read_cells(report: PublishedReport) -> dict[tuple[str, str, str], tuple[object, ...]]:
    """A report's cells whose figure is known, by cell: (value, read_as, text, where)."""
    cells = report.cells
    known = cells[cells["read_as"].isin(READ) & cells["value"].notna()]
    out: dict[tuple[str, str, str], tuple[object, ...]] = {}
    for s, r, c, value, read_as, text, where in known[
        ["section", "row", "col", "value", "read_as", "text", "where"]
    ].itertuples(index=False):
        out.setdefault((s, r, c), (int(value), read_as, text, where))
    return out


def _compared(
    a: PublishedReport,
    b: PublishedReport,
    cells_a: dict[tuple[str, str, str], tuple[object, ...]],
    cells_b: dict[tuple[str, str, str], tuple[object, ...]],
) -> Comparison:
    """Two reports compared where both were read: a cell one of them could not read is no
    difference (that is a limit of our reading, not of what was published)."""
    both = [k for k in cells_a if k in cells_b]
    differing = {k: (cells_a[k], cells_b[k]) for k in both if cells_a[k][0] != cells_b[k][0]}
    single = len(cells_a) + len(cells_b) - 2 * len(both)
    return Comparison(a, b, len(both), single, differing)


MAX_LISTED = 20  # differing cells named in one message; the count says how many there are


def differences_text(pair: Comparison) -> str:
    """The cells two reports give different figures for, each with both figures and where each
    stands (`表二“行政许可·本年处理决定数量”：“a.html”（t2:r5:c3）为356，“b.docx”（l23）为360`)."""
    listed = []
    for (section, row, col), (one, two) in list(pair.differing.items())[:MAX_LISTED]:
        shown = [
            f"“{report.file}”{f'（{cell[3]}）' if cell[3] else ''}为{_figure(cell, section, col)}"
            for report, cell in ((pair.first, one), (pair.second, two))
        ]
        listed.append(
            f"{SECTIONS[section].short}“{cell_label(section, row, col)}”：{'，'.join(shown)}"
        )
    more = len(pair.differing) - len(listed)
    return "；".join(listed) + (f"；另有{more}个单元格不同" if more > 0 else "")


def _figure(cell: tuple[object, ...], section: str, col: str) -> str:
    """A cell's figure as a message states it (a blank or `/` read as 0 says so)."""
    value, read_as, text, _ = cell
    figure = number_text(int(str(value)), section, col)
    if read_as == "blank":
        return f"空白（按{figure}计）"
    if read_as == "nil":
        return f"“{text}”（按{figure}计）"
    return figure


def compared_reports(
    reports: list[PublishedReport], per_report: dict[str, list[dict[str, object]]]
) -> dict[tuple[str, int], PublishedReport | None]:
    """The report of each issuer and year that the rules across years use, or None when that
    issuer's reports of the year disagree; a note on each other report of an issuer and year
    that agrees, an error on each two that do not (listing the cells, both figures and files)."""
    groups: dict[tuple[str, int], list[PublishedReport]] = {}
    for r in reports:
        year = compared_year(r)
        if year is not None:
            groups.setdefault((issuer_key(r), year), []).append(r)
    chosen: dict[tuple[str, int], PublishedReport | None] = {}
    for key, group in groups.items():
        found = agreement(group) if len(group) > 1 else Agreement((group[0],), (), group[0])
        chosen[key] = found.used
        for differ, report, other, pair in found.told():
            if differ:
                cells = differences_text(pair)
                said = _about(
                    "audit.reports_differ",
                    report,
                    other,
                    pair,
                    count=len(pair.differing),
                    cells=cells,
                )
            else:
                said = _about("audit.same_report", report, other, pair)
            per_report[report.file].append(said)
    return chosen


def _about(
    rule: str, report: PublishedReport, other: PublishedReport, pair: Comparison, **fields: object
) -> dict[str, object]:
    """A finding on `report` about it and `other`, of one issuer and year, compared (`pair`)."""
    return finding(
        rule,
        file=report.file,
        other=other.file,
        issuer=report.issuer,
        year=report.year,
        unit=report.issuer,
        compared=pair.compared,
        single=pair.single,
        **fields,
    )


def years_before(
    reports: list[PublishedReport],
    chosen: dict[tuple[str, int], PublishedReport | None],
    per_report: dict[str, list[dict[str, object]]],
) -> tuple[dict[str, PublishedReport], dict[str, dict[str, float]]]:
    """Each compared report's report of the year before and its parts' similarity to it (both by
    file); a finding on each report that has none, and 内容雷同's findings on those that do. The
    reports of an issuer and year that disagree (`chosen` None) are compared with no year."""
    compared: dict[str, PublishedReport] = {}
    similarities: dict[str, dict[str, float]] = {}
    for r in reports:
        year = compared_year(r)
        if year is None or chosen.get((issuer_key(r), year)) is None:
            continue  # NOTE: its year's reports disagree: audit.reports_differ says so
        records = per_report[r.file]
        last = (issuer_key(r), year - 1)
        fields = {"file": r.file, "issuer": r.issuer, "year": year, "last_year": year - 1}
        if last in chosen and chosen[last] is None:
            records.append(finding("audit.last_year_differs", **fields, unit=r.issuer))
            continue
        before = chosen.get(last)
        if before is None:
            records.append(finding("audit.no_last_year", **fields, unit=r.issuer))
            continue
        compared[r.file] = before
        records += similar_findings(r, before)
        similarities[r.file] = _judged_similarities(r, before)
    return compared, similarities


def _judged_similarities(this: PublishedReport, last: PublishedReport) -> dict[str, float]:
    """The similarity to last year's of each narrative part long enough to be judged (part 六's
    one fee sentence is rightly the same every year: `narrative.SIMILAR_MIN_CHARS`)."""
    return {
        n: ratio
        for n, ratio in part_similarities(this, last).items()
        if min(len(masked(this.parts[n].text)), len(masked(last.parts[n].text)))
        >= SIMILAR_MIN_CHARS
    }


def checked(
    reports: list[PublishedReport], befores: dict[str, PublishedReport]
) -> dict[str, list[dict[str, object]]]:
    """The findings of the catalog's rules on each report (by file), with the rules across years
    against the report of the year before (`befores`, by file) where there is one.

    NOTE: the validator is called once per year for all that year's reports (its fixed cost,
    ≈ 0.1 s a call, would otherwise be most of an audit of text reports), with the year before's
    reports as one LastYear: cells are matched by unit, i.e. by issuer."""
    groups: dict[int | None, list[PublishedReport]] = {}
    for r in reports:
        groups.setdefault(compared_year(r), []).append(r)
    out: dict[str, list[dict[str, object]]] = {r.file: [] for r in reports}
    for year, group in groups.items():
        cells = _unit_cells(group)
        earlier = list({id(b): b for r in group if (b := befores.get(r.file))}.values())
        last = None
        if year is not None and earlier:
            last_cells = _unit_cells(earlier)
            last = LastYear(year - 1, last_cells, "、".join(b.file for b in earlier))
        by_unit = {issuer_key(r) or r.file: r.file for r in group}
        for f in validated_findings(cells, last=last).to_dict("records"):
            # NOTE: every finding of the validator names its file; one that did not would be
            # put with its unit's report, never dropped
            file = f["file"] if f["file"] in out else by_unit.get(f["unit"], group[0].file)
            out[file].append(_placed(f))
    return out


def _unit_cells(reports: list[PublishedReport]) -> pd.DataFrame:
    """Reports' cells as the validator takes them (`ingested_cells`, all at once), each unit named
    as matched across years."""
    cells = pd.concat([r.cells for r in reports], ignore_index=True)
    sizes = [len(r.cells) for r in reports]
    unit = pd.Series(np.repeat([issuer_key(r) or r.file for r in reports], sizes), dtype=object)
    sheet = pd.Series(np.repeat([r.format for r in reports], sizes), dtype=object)
    return as_ingested(cells, unit, sheet)


def _placed(record: dict[str, object]) -> dict[str, object]:
    """A finding of the validator, its place (`cell`: where the figure stands) as `where`."""
    return {**record, "where": record.get("cell", "")}
