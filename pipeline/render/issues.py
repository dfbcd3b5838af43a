"""The issues page for office staff, in the order of what to do: a summary (open errors,
warnings and notes, the findings the office has checked, the units that sent nothing in one
block), a table of contents, then the findings by unit, the units with errors first; the
decisions the office recorded; counts per rule; the roll call."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from pipeline.ingest.status import STATUS_LABELS
from pipeline.problems import ERROR, INFO, RULES, SEVERITY_LABELS, WARNING
from pipeline.render.environment import _env
from pipeline.review import is_open, tally

# the headings of the findings that belong to no unit
NO_UNIT_FILE = "未能确定单位的文件"
NO_UNIT = "整体情况（不针对某一个单位）"
MISSING_RULE = "register.missing"
_RANK = {ERROR: 0, WARNING: 1, INFO: 2}


def issues_html(
    year: int,
    findings: pd.DataFrame,
    register: pd.DataFrame,
    counted: dict[str, int] | None = None,
) -> str:
    """The findings (an issues list, perhaps with the office's decisions applied) as a page
    for office staff; `counted`: the list counted (`review.tally`), made here when not given."""
    counted = counted if counted is not None else tally(findings)
    rows = findings.to_dict("records")
    opened = is_open(findings).tolist()
    for f in rows:
        f["severity_label"] = SEVERITY_LABELS.get(f["severity"], f["severity"])
        f["title"] = RULES[f["rule"]].title if f["rule"] in RULES else ""
        f["place"] = place(f["sheet"], f["cell"])
    missing = [f for f in rows if f["rule"] == MISSING_RULE]
    # NOTE: in the roster's order, as the office keeps its list of units
    order = {u: i for i, u in enumerate(register["unit"])}
    missing.sort(key=lambda f: order.get(f["unit"], len(order)))
    listed = [f for f, o in zip(rows, opened, strict=True) if o and f["rule"] != MISSING_RULE]
    closed = [f for f, o in zip(rows, opened, strict=True) if not o]
    counted_open = findings[is_open(findings)]
    by_rule = (
        counted_open.groupby(["rule", "severity"], sort=False).size().reset_index(name="count")
        if len(counted_open)
        else pd.DataFrame(columns=["rule", "severity", "count"])
    )
    return _env.get_template("issues.html.j2").render(
        year=year,
        received=int((register["status"] == "received").sum()),
        roll=int((register["unit_code"] != "").sum()),
        counts=counted,
        missing={
            "units": [f["unit"] for f in missing],
            "blocking": any(f["severity"] == ERROR for f in missing),
        },
        by_rule=[
            {**r, "title": RULES[r["rule"]].title, "severity_label": SEVERITY_LABELS[r["severity"]]}
            for r in by_rule.to_dict("records")
        ],
        register=[
            {**r, "status_label": STATUS_LABELS.get(r["status"], r["status"])}
            for r in register.to_dict("records")
        ],
        units=units_in_order(listed),
        reviewed=closed,
    )


def units_in_order(findings: list[dict]) -> list[dict]:
    """The findings grouped by unit, in the order of what to do: the units with errors first
    (most errors first), then those with warnings, then those with notes only, the findings
    that belong to no unit last; within a unit, errors first (as the issues list has them)."""
    units: dict[str, list[dict]] = {}
    for f in findings:
        units.setdefault(f["unit"] or (NO_UNIT_FILE if f["file"] else NO_UNIT), []).append(f)

    def rank(item: tuple[str, list[dict]]) -> tuple[bool, int, int, int]:
        name, fs = item
        counts = _counted(fs)
        worst = min(_RANK.get(f["severity"], 3) for f in fs)
        return (name in (NO_UNIT, NO_UNIT_FILE), worst, -counts[ERROR], -counts[WARNING])

    # NOTE: a stable sort: within one rank the units keep the issues list's order
    ordered = sorted(units.items(), key=rank)
    return [
        {"name": name, "findings": fs, "counts": _counted(fs), "anchor": f"unit-{i}"}
        for i, (name, fs) in enumerate(ordered, start=1)
    ]


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
