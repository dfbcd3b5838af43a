"""The office's decisions on findings (raw/<year>/reviewed.csv): what each status does, and the
findings of a run with the decisions applied.

A status is data: its name as the office writes it and the severities of the findings it closes.
The county run knows one, 已核实 (a warning or note checked and found right); the supervising
office's audit will add its own to `STATUSES` with the same file format.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pandas as pd

from pipeline.problems import (
    ERROR,
    FINDING_COLUMNS,
    INFO,
    RULES,
    WARNING,
    finding,
    findings_table,
    severity_counts,
)

REVIEW_COLUMNS = ["review", "review_note"]  # added to the issues list: the status, its reason
ISSUE_COLUMNS = [*FINDING_COLUMNS, *REVIEW_COLUMNS]
COUNTY = "全县"  # a decision without a unit code names the county's (or the run's) findings


@dataclass(frozen=True)
class Status:
    """A status a decision may give a finding: its name in reviewed.csv and the severities of
    the findings it closes (a closed finding is listed apart, not counted among open ones)."""

    name: str
    closes: frozenset[str]


STATUSES: dict[str, Status] = {s.name: s for s in (Status("已核实", frozenset({WARNING, INFO})),)}


def place_text(section: str, row: str, col: str) -> str:
    """A decision's cell as the messages name it: `表三·（一）予以公开·自然人`, or 整份报表."""
    from pipeline.format2021 import SECTIONS

    if section not in SECTIONS:
        return "整份报表"
    sec = SECTIONS[section]
    parts = [sec.short]
    if row:
        parts.append(sec.row(row).label or row)
    if col:
        parts.append(sec.col(col).label or col)
    return "·".join(parts)


def reviewed(findings: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """The findings with the decisions applied (the issues list's columns): a warning or note a
    decision closes carries its status and reason; a decision on an error changes nothing and is
    listed as a note (`review.on_error`); one whose finding did not fire, or whose value
    changed, is listed as stale (`review.stale`)."""
    table, notes = _applied(findings, decisions)
    return findings_table([*table.to_dict("records"), *notes], ISSUE_COLUMNS) if notes else table


def still_open(findings: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """The findings no decision closes (what is still sent back to the departments)."""
    if decisions.empty:
        return findings
    table, _ = _applied(findings, decisions)
    return findings[(table["review"] == "").to_numpy()]


def _applied(findings: pd.DataFrame, decisions: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """The findings with the issues list's columns, the decisions' statuses set on the ones they
    close, in the same order; and the notes the decisions make."""
    table = findings.reindex(columns=ISSUE_COLUMNS, fill_value="").astype(str)
    notes: list[dict] = []
    if decisions.empty:
        return table, notes
    for d in decisions.itertuples(index=False):
        names = ("", COUNTY) if not d.unit else (d.unit,)
        same = (
            table["unit"].isin(names)
            & (table["rule"] == d.rule)
            & (table["section"] == d.section)
            & (table["row"] == d.row)
            & (table["col"] == d.col)
        )
        fields = {
            "line": d.line,
            "unit": d.unit or COUNTY,
            "title": RULES[d.rule].title,
            "place": place_text(d.section, d.row, d.col),
            "status": d.status,
            "section": d.section,
            "row": d.row,
            "col": d.col,
        }
        if not same.any():
            notes.append(finding("review.stale", **fields, why="本次没有这一问题"))
            continue
        read = table.loc[same, "value"]
        if d.value and not read.map(lambda v, want=d.value: _same_value(v, want)).all():
            now = "、".join(dict.fromkeys(v or "空白" for v in read))
            why = f"该格本次读作“{now}”，核实时为“{d.value}”"
            notes.append(finding("review.stale", **fields, why=why))
            continue
        status = STATUSES[d.status]
        closed = same & table["severity"].isin(status.closes)
        if (same & (table["severity"] == ERROR)).any():
            notes.append(finding("review.on_error", **fields))
        table.loc[closed, "review"] = status.name
        table.loc[closed, "review_note"] = (
            f"说明：{d.reason}；核实人：{d.reviewer}；日期：{d.date}（reviewed.csv 第{d.line}行）"
        )
    return table, notes


def _same_value(read: str, recorded: str) -> bool:
    """Whether a finding's value as read is the value a decision recorded (as numbers when both
    are numbers: `12` and `12.0` are the same)."""
    try:
        return Decimal(read.replace(",", "")) == Decimal(recorded.replace(",", ""))
    except (InvalidOperation, ValueError):
        return read.strip() == recorded.strip()


def is_open(table: pd.DataFrame) -> pd.Series:
    """Which findings of an issues list are open (no decision closed them)."""
    if "review" not in table:
        return pd.Series(True, index=table.index)
    return table["review"] == ""


def tally(issues: pd.DataFrame) -> dict[str, int]:
    """The issues list counted as the console, issues.html, issues.csv and manifest.json all
    state it: open errors, warnings and notes; the findings a decision closed (`reviewed`); and
    the units that sent nothing (`missing`, counted among the errors or, with --allow-missing,
    the warnings)."""
    opened = is_open(issues)
    return {
        **severity_counts(issues[opened]),
        "reviewed": int((~opened).sum()),
        "missing": int((issues["rule"] == "register.missing").sum()) if len(issues) else 0,
    }
