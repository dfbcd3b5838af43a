"""The issues page for office staff: counts per rule, the roll call, the problems by unit."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from pipeline.ingest.status import STATUS_LABELS
from pipeline.problems import ERROR, INFO, RULES, SEVERITY_LABELS, WARNING, severity_counts
from pipeline.render.environment import _env

# the headings of the findings that belong to no unit
NO_UNIT_FILE = "未能确定单位的文件"
NO_UNIT = "整体情况（不针对某一个单位）"


def issues_html(year: int, findings: pd.DataFrame, register: pd.DataFrame) -> str:
    """The findings as a page for office staff: counts per rule, the register, problems by unit."""
    rows = findings.to_dict("records")
    for f in rows:
        f["severity_label"] = SEVERITY_LABELS.get(f["severity"], f["severity"])
        f["title"] = RULES[f["rule"]].title if f["rule"] in RULES else ""
        f["place"] = place(f["sheet"], f["cell"])
    by_rule = (
        findings.groupby(["rule", "severity"], sort=False).size().reset_index(name="count")
        if len(findings)
        else pd.DataFrame(columns=["rule", "severity", "count"])
    )
    units: dict[str, list[dict]] = {}
    for f in rows:
        units.setdefault(f["unit"] or (NO_UNIT_FILE if f["file"] else NO_UNIT), []).append(f)
    return _env.get_template("issues.html.j2").render(
        year=year,
        received=int((register["status"] == "received").sum()),
        roll=int((register["unit_code"] != "").sum()),
        counts=severity_counts(findings),
        by_rule=[
            {**r, "title": RULES[r["rule"]].title, "severity_label": SEVERITY_LABELS[r["severity"]]}
            for r in by_rule.to_dict("records")
        ],
        register=[
            {**r, "status_label": STATUS_LABELS.get(r["status"], r["status"])}
            for r in register.to_dict("records")
        ],
        units=[
            {
                "name": name,
                "findings": fs,
                "counts": _counted(fs),
            }
            for name, fs in units.items()
        ],
    )


def place(sheet: str, cell: str) -> str:
    """Where in a return a finding points: the cell with its sheet (`三、…情况!D6`), or the
    sheet(s) alone for a finding of a whole sheet."""
    if sheet and cell:
        return f"{sheet}!{cell}"
    if sheet:
        return f"工作表：{sheet}"
    return cell


def _counted(findings: list[dict]) -> dict[str, int]:
    """How many of these findings are of each severity, as `severity_counts` gives them."""
    counts = Counter(f["severity"] for f in findings)
    return {s: counts[s] for s in (ERROR, WARNING, INFO)}
