"""Feedback: the findings of each return as marks on its cells, to send back to the department."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from pipeline.problems import SEVERITY_LABELS

_ADDRESS = re.compile(r"^[A-Z]{1,3}[0-9]+$")


@dataclass(frozen=True)
class Mark:
    """One problem to show in a returned workbook: where, how bad, and what to say."""

    sheet: str
    cell: str  # empty for a problem of the whole return
    severity: str
    text: str


def marks_by_file(findings: pd.DataFrame) -> dict[str, list[Mark]]:
    """The marks for each return file that has errors or warnings (notes alone send nothing back)."""
    out: dict[str, list[Mark]] = {}
    serious = findings[findings["severity"].isin(["error", "warning"]) & (findings["file"] != "")]
    for file, group in serious.groupby("file", sort=True):
        out[file] = [
            Mark(
                sheet=f.sheet if _ADDRESS.match(f.cell) else "",
                cell=f.cell if _ADDRESS.match(f.cell) else "",
                severity=f.severity,
                text=f"【{SEVERITY_LABELS[f.severity]}】{f.message}"
                + (f"\n{f.suggestion}" if f.suggestion else ""),
            )
            for f in group.itertuples()
        ]
    return out
