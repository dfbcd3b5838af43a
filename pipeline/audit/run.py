"""The audit of published reports as one library function, `run_audit(paths, out)`: every report
in the paths read cell by cell, checked by the catalog's rules, compared with the same issuer's
report of the year before, and written to its own folder (`output/audit/`).

What it writes (UTF-8 with BOM, through `pipeline.store`):
- `cells.csv`: one row per cell read (`CELLS_COLUMNS`), with where it stands and how it was read;
- `issues.csv` (`ISSUES_COLUMNS`) and `issues.html`: the findings, each with its file and where;
- `reports.csv` (`REPORTS_COLUMNS`): one row per file, with what was read and the standing of
  the sum rules. The rules used to split figures that ran together are listed apart
  (`sums_split`, `split_rules`): they are never counted as held.

The folder is written whole or not at all: into a staging folder beside it, then swapped in. Only
a folder the audit made itself (marked `.xxgk-audit`) is ever replaced, and the folder may never be
an input, inside one, or hold one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.audit.checks import in_force_every_split, single_row_findings
from pipeline.audit.collect import audit_files, audit_listing
from pipeline.audit.compare import checked, compared_reports, years_before
from pipeline.audit.folder import check_apart, check_out, write_outputs
from pipeline.audit.outputs import (
    CELLS_COLUMNS,
    ISSUES_COLUMNS,
    READ,
    REPORTS_COLUMNS,
    audit_page,
    cells_table,
    findings_table,
    summary_table,
)
from pipeline.ingest.published.parallel import read_all
from pipeline.ingest.published.read import PublishedReport
from pipeline.ingest.register import skipped_note
from pipeline.inputs import CannotStart
from pipeline.paths import AuditPaths
from pipeline.problems import ERROR, INFO, READING, REPORT, WARNING


@dataclass(frozen=True)
class AuditResult:
    """What one audit read and found, and where it wrote it."""

    out: Path
    reports: tuple[PublishedReport, ...]  # every file read, in path order (named as in `file`)
    cells: pd.DataFrame  # cells.csv
    findings: pd.DataFrame  # issues.csv
    summary: pd.DataFrame  # reports.csv
    # files, reports (files with a table), cells (read), compared (with the year before); the
    # reports' own findings by severity (error, warning), the warnings of what could not be read
    # (reading), and the notes of either kind (info)
    counts: dict[str, int]
    written: tuple[Path, ...]

    @property
    def blocked(self) -> bool:
        """Whether some report has an error of its own (exit 1)."""
        return self.counts["error"] > 0


def run_audit(
    paths: list[Path], out: Path, *, progress: Callable[[int], None] | None = None
) -> AuditResult:
    """Read, check and compare every published report in `paths`; write the outputs to `out`."""
    paths = [Path(p) for p in paths]
    out = Path(out)
    if not paths:
        raise CannotStart("没有给出要审核的文件或文件夹")
    check_apart(paths, out)
    check_out(out)
    files, skipped = audit_listing(paths)
    if not files:
        shown = "、".join(str(p) for p in paths)
        raise CannotStart(f"{shown} 中没有可审核的文件")
    return audited(read_all(files, progress), out, skipped)


def audited(reports: list[PublishedReport], out: Path, skipped: Sequence[str] = ()) -> AuditResult:
    """The reports already read, checked, compared across years and written to `out`
    (`skipped`: the files not read as junk, listed in one note)."""
    per_report: dict[str, list[dict[str, object]]] = {r.file: [] for r in reports}
    chosen = compared_reports(reports, per_report)
    for r in reports:
        per_report[r.file] += [{**f} for f in r.findings]
    compared, similarities = years_before(reports, chosen, per_report)
    found = checked([r for r in reports if r.tables_found], compared)
    for r in reports:
        per_report[r.file] += found.get(r.file, [])
        per_report[r.file] += single_row_findings(r)
        per_report[r.file] += in_force_every_split(r, compared.get(r.file))
    findings = findings_table(reports, per_report)
    if skipped:
        note = {c: "" for c in ISSUES_COLUMNS} | skipped_note(skipped)
        findings = pd.concat([findings, pd.DataFrame([note])[ISSUES_COLUMNS]], ignore_index=True)
    cells = cells_table(reports)
    summary = summary_table(reports, findings, compared, similarities)
    counts = {
        "files": len(reports),
        "reports": sum(1 for r in reports if r.tables_found),
        "cells": int(cells["read_as"].isin(READ).sum()),
        "compared": len(compared),
        **finding_counts(findings),
    }
    html = audit_page(reports, findings, summary, counts)
    written = write_outputs(AuditPaths(out), cells, findings, summary, html)
    return AuditResult(out, tuple(reports), cells, findings, summary, counts, written)


def finding_counts(findings: pd.DataFrame) -> dict[str, int]:
    """The reports' own errors and warnings (`about` = report), the warnings of what could not be
    read (`reading`), and the notes (`info`) of either kind."""
    severity, about = findings["severity"], findings["about"]
    return {
        ERROR: int(((severity == ERROR) & (about == REPORT)).sum()),
        WARNING: int(((severity == WARNING) & (about == REPORT)).sum()),
        READING: int(((severity != INFO) & (about == READING)).sum()),
        INFO: int((severity == INFO).sum()),
    }


__all__ = [
    "CELLS_COLUMNS",
    "ISSUES_COLUMNS",
    "REPORTS_COLUMNS",
    "AuditResult",
    "audit_files",
    "audited",
    "finding_counts",
    "run_audit",
]
