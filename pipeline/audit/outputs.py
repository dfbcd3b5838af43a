"""The audit's outputs as tables and a page: cells.csv, issues.csv, reports.csv, issues.html."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from pipeline.audit.checks import (
    BROKEN,
    HELD,
    SPLIT,
    UNKNOWN,
    standing_counts,
    sum_standings,
)
from pipeline.format2021 import AMOUNT_COLS, SECTIONS, number_text
from pipeline.ingest.published.cells import READ_AS
from pipeline.ingest.published.layout import OTHER_TOTAL, S3_KEYS, cell_label
from pipeline.ingest.published.read import CELL_COLUMNS, PublishedReport
from pipeline.problems import (
    ABOUT_LABELS,
    ERROR,
    INFO,
    READING,
    REPORT,
    RULES,
    SEVERITY_LABELS,
    WARNING,
    as_published,
)
from pipeline.problems.rule import FINDING_COLUMNS
from pipeline.render.environment import page

CELLS_COLUMNS = [*CELL_COLUMNS[:6], "label", *CELL_COLUMNS[6:]]
# NOTE: a finding's columns, its place named by the document (issuer, year, where) instead of
# the return's unit, sheet and cell
ISSUES_COLUMNS = [
    *FINDING_COLUMNS[: FINDING_COLUMNS.index("about") + 1],
    "file",
    "issuer",
    "year",
    "where",
    *FINDING_COLUMNS[FINDING_COLUMNS.index("section") :],
]
REPORTS_COLUMNS = [
    "file",
    "issuer",
    "year",
    "format",
    "tables",
    "cells_read",
    "cells_split",
    "cells_unread",
    "errors",
    "warnings",
    "reading",
    "infos",
    "sums_held",
    "sums_broken",
    "sums_unknown",
    "sums_split",
    "split_rules",
    "compared_with",
    "similarity",
    "old_format",
    "other_single_row",
]
READ = READ_AS  # read_as of a cell whose value is known
TABLE_NAMES = {"s2": "表二", "s3": "表三", "s4": "表四"}
FORMAT_ORDER = tuple(
    (code, row, col.code)
    for code in ("s2", "s3", "s4", "s6")
    for row in (S3_KEYS if code == "s3" else [r.code for r in SECTIONS[code].rows])
    for col in (
        SECTIONS[code].cols
        if row == OTHER_TOTAL
        else SECTIONS[code].cols_of(SECTIONS[code].row(row))
    )
)  # every cell a report may have, in the format's order (（六）'s one-row total in its place)


def findings_table(
    reports: list[PublishedReport], per_report: dict[str, list[dict[str, object]]]
) -> pd.DataFrame:
    """Every finding, as the audit states it (`as_published`), by report in path order: within
    each its errors, its warnings, what could not be read, then the notes."""
    rows = []
    for order, r in enumerate(reports):
        for f in map(as_published, per_report[r.file]):
            rows.append(
                {
                    **{c: "" for c in ISSUES_COLUMNS},
                    **{c: _text(f.get(c, "")) for c in ISSUES_COLUMNS},
                    "file": r.file,
                    "issuer": r.issuer,
                    "year": "" if r.year is None else str(r.year),
                    "_order": order,
                }
            )
    if not rows:
        return pd.DataFrame(columns=ISSUES_COLUMNS)
    table = pd.DataFrame(rows)
    # NOTE: within a report, its own errors and warnings first, then what could not be read
    rank = table["severity"].map({ERROR: 0, WARNING: 1, INFO: 3}).fillna(4)
    rank = rank.where((table["about"] != READING) | (table["severity"] != WARNING), 2)
    table = table.assign(_rank=rank).sort_values(["_order", "_rank"], kind="stable")
    return table[ISSUES_COLUMNS].reset_index(drop=True)


def _text(value: object) -> str:
    """A finding's field as a CSV cell: empty for None and NaN."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def cells_table(reports: list[PublishedReport]) -> pd.DataFrame:
    """cells.csv: every report's cells, the value printed as the number it stands for."""
    frames = [r.cells for r in reports if len(r.cells)]
    if not frames:
        return pd.DataFrame(columns=CELLS_COLUMNS)
    cells = pd.concat(frames, ignore_index=True)
    # NOTE: in the format's order within each file (reading order puts 表二's blocks as printed)
    order = {(s, r, c): i for i, (s, r, c) in enumerate(FORMAT_ORDER)}
    position = [
        order.get(k, len(order))
        for k in zip(cells["section"], cells["row"], cells["col"], strict=True)
    ]
    files = {f: i for i, f in enumerate(dict.fromkeys(cells["file"]))}
    cells = (
        cells.assign(_file=cells["file"].map(files), _at=position)
        .sort_values(["_file", "_at"], kind="stable")
        .drop(columns=["_file", "_at"])
        .reset_index(drop=True)
    )
    # NOTE: counts print as they are stored; only amounts (万元, 元) need their decimals
    shown = cells["value"].astype("string").fillna("")
    money = cells["col"].isin(AMOUNT_COLS) & cells["value"].notna()
    shown[money] = [
        number_text(int(v), s, c)
        for v, s, c in cells.loc[money, ["value", "section", "col"]].itertuples(index=False)
    ]
    keys = list(zip(cells["section"], cells["row"], cells["col"], strict=True))
    labels = {k: cell_label(*k) for k in dict.fromkeys(keys)}
    cells = cells.assign(
        value=shown,
        label=[labels[k] for k in keys],
        year=cells["year"].astype("string").fillna(""),
    )
    return cells[CELLS_COLUMNS]


def summary_table(
    reports: list[PublishedReport],
    findings: pd.DataFrame,
    compared: dict[str, PublishedReport],
    similarities: dict[str, dict[str, float]],
) -> pd.DataFrame:
    """reports.csv: one row per file read; its errors and warnings are the report's own, its
    `reading` the warnings of what could not be read (`about` = reading)."""
    by_file = (
        findings.groupby(["file", "about", "severity"]).size().to_dict() if len(findings) else {}
    )
    infos = findings[findings["severity"] == INFO]["file"].value_counts().to_dict()
    rows = []
    for r in reports:
        standings = sum_standings(r)
        n = standing_counts(standings)
        read_as = r.cells["read_as"]
        rows.append(
            {
                "file": r.file,
                "issuer": r.issuer,
                "year": "" if r.year is None else str(r.year),
                "format": r.format,
                "tables": " ".join(TABLE_NAMES[t] for t in r.tables_found),
                "cells_read": int(read_as.isin(READ).sum()),
                "cells_split": int((read_as == "split").sum()),
                "cells_unread": int((~read_as.isin(READ)).sum()),
                "errors": by_file.get((r.file, REPORT, ERROR), 0),
                "warnings": by_file.get((r.file, REPORT, WARNING), 0),
                "reading": by_file.get((r.file, READING, WARNING), 0),
                "infos": infos.get(r.file, 0),
                "sums_held": n[HELD],
                "sums_broken": n[BROKEN],
                "sums_unknown": n[UNKNOWN],
                "sums_split": n[SPLIT],
                "split_rules": " ".join(f"{rule}:{key}" for rule, key in sorted(r.split_rules)),
                "compared_with": compared[r.file].file if r.file in compared else "",
                "similarity": " ".join(
                    f"{n}:{v:.2f}" for n, v in similarities.get(r.file, {}).items()
                ),
                "old_format": "、".join(r.old_format),
                "other_single_row": "是" if r.other_single_row else "",
            }
        )
    return pd.DataFrame(rows, columns=REPORTS_COLUMNS)


# -- the page ----------------------------------------------------------------------------------
def audit_page(
    reports: list[PublishedReport],
    findings: pd.DataFrame,
    summary: pd.DataFrame,
    counts: dict[str, int],
) -> str:
    """issues.html: the counts, the reports read, then the findings by report."""
    rows = findings.to_dict("records")
    for f in rows:
        f["severity_label"] = SEVERITY_LABELS.get(f["severity"], f["severity"])
        f["about_label"] = ABOUT_LABELS.get(f["about"], f["about"])
        f["title"] = RULES[f["rule"]].title if f["rule"] in RULES else ""
    by_rule = Counter((f["rule"], f["about"], f["severity"]) for f in rows)
    listed = summary.to_dict("records")
    by_file: dict[str, list[dict[str, object]]] = {}
    for f in rows:
        by_file.setdefault(f["file"], []).append(f)
    return page(
        "audit.html.j2",
        counts=counts,
        by_rule=[
            {
                "rule": rule,
                "title": RULES[rule].title if rule in RULES else "",
                "about": about,
                "about_label": ABOUT_LABELS.get(about, about),
                "severity": severity,
                "severity_label": SEVERITY_LABELS.get(severity, severity),
                "count": count,
            }
            for (rule, about, severity), count in sorted(
                by_rule.items(),
                key=lambda kv: (
                    kv[0][1] == READING,
                    {ERROR: 0, WARNING: 1}.get(kv[0][2], 2),
                    kv[0][0],
                ),
            )
        ],
        reports=[
            {
                **s,
                "findings": by_file.get(s["file"], []),
                "similarity_shown": _similarity_shown(s["similarity"]),
            }
            for s in listed
        ],
    )


def _similarity_shown(text: str) -> str:
    """reports.csv's `similarity` as the page shows it (`第一部分 0.35，第五部分 0.42`)."""
    return (
        "，".join(f"第{p.split(':')[0]}部分 {p.split(':')[1]}" for p in text.split())
        if text
        else ""
    )
