"""The reports across years: each issuer's year before, 内容雷同, and the catalog's rules by year."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from pipeline.audit.narrative import (
    SIMILAR_MIN_CHARS,
    masked,
    part_similarities,
    similar_findings,
)
from pipeline.audit.read import PublishedReport, as_ingested
from pipeline.files.document import finding
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


def first_of_each(
    reports: list[PublishedReport], per_report: dict[str, list[dict[str, object]]]
) -> dict[tuple[str, int], PublishedReport]:
    """The report of each issuer and year that is compared across years (the first by path); a
    warning on each other report of the same issuer and year."""
    first: dict[tuple[str, int], PublishedReport] = {}
    for r in reports:
        year = compared_year(r)
        if year is None:
            continue
        key = (issuer_key(r), year)
        if key not in first:
            first[key] = r
            continue
        per_report[r.file].append(
            finding(
                "audit.duplicate_report",
                file=r.file,
                other=first[key].file,
                issuer=r.issuer,
                year=r.year,
                unit=r.issuer,
            )
        )
    return first


def years_before(
    reports: list[PublishedReport],
    first: dict[tuple[str, int], PublishedReport],
    per_report: dict[str, list[dict[str, object]]],
) -> tuple[dict[str, PublishedReport], dict[str, dict[str, float]]]:
    """Each compared report's report of the year before and its parts' similarity to it (both by
    file); a finding on each report that has none, and 内容雷同's findings on those that do."""
    compared: dict[str, PublishedReport] = {}
    similarities: dict[str, dict[str, float]] = {}
    for r in reports:
        year = compared_year(r)
        if year is None:
            continue
        records = per_report[r.file]
        before = first.get((issuer_key(r), year - 1))
        if before is None:
            records.append(
                finding(
                    "audit.no_last_year",
                    file=r.file,
                    issuer=r.issuer,
                    year=year,
                    last_year=year - 1,
                    unit=r.issuer,
                )
            )
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
