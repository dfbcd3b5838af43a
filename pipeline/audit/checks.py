"""What the sum rules say of one published report: each rule's standing (held, broken, unknown,
or not evidence because its figures were split by the sums), and the rules that the project's
validator cannot judge on a report whose （六）其他处理 is printed as one row.

The validator (`pipeline.validate.validated_findings`) checks the format's rules on the long cell
table, where an unread cell counts as holding. With （六） printed as one row its three sub-rows
are unknown, so every column's （七）总计 would go unchecked; here the rule is applied to what is
known, the group's total standing for its three sub-rows, and the group's own 总计 is checked.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import pandas as pd

from pipeline.files.document import finding
from pipeline.format2021 import S2, S3, S3_PARTS, whole_text
from pipeline.ingest.published.cells import READ_AS
from pipeline.ingest.published.layout import OTHER_LABEL, OTHER_TOTAL, published_equations
from pipeline.validate.localise import Cell, Equation
from schemas import rules

if TYPE_CHECKING:
    from pipeline.ingest.published.read import PublishedReport

HELD, BROKEN, UNKNOWN, SPLIT = "held", "broken", "unknown", "split"
KNOWN = frozenset(READ_AS)  # read_as with a value
# read_as of a figure the sums (or the text, among what the sums allow) decided: no evidence
DECIDED = frozenset({"split", "placed_by_sums", "split_by_text", "placed_by_text"})
STANDINGS = (HELD, BROKEN, UNKNOWN, SPLIT)
SHOWN_SPLITS = 6  # splits listed in a message


def _values(report: PublishedReport) -> tuple[dict[Cell, int], set[Cell]]:
    """The figures read (by cell) and the cells whose figure was split by the sums."""
    c = report.cells
    keys = list(zip(c["section"].tolist(), c["row"].tolist(), c["col"].tolist(), strict=True))
    read_as = c["read_as"].tolist()
    known = c["value"].notna().tolist()
    figures = c["value"].tolist()
    values = {
        k: int(v)
        for k, v, ok, how in zip(keys, figures, known, read_as, strict=True)
        if ok and how in KNOWN
    }
    split = {k for k, how in zip(keys, read_as, strict=True) if how in DECIDED}
    return values, split


def _tables_of(report: PublishedReport) -> tuple[Equation, ...]:
    """The sum rules of the tables found in the report."""
    return tuple(
        e for e in published_equations(report.other_single_row) if e.total[0] in report.tables_found
    )


def sum_standings(report: PublishedReport) -> dict[tuple[str, str], str]:
    """Each sum rule of the tables found, by (rule id, key): `held` or `broken` on figures as
    written; `unknown` when a figure is unread; `split` when it was used to split figures that
    ran together or to place rows, or a figure it adds up was split or placed by the sums or the
    text: holding then is no evidence (a broken one is still `broken`)."""
    values, split = _values(report)
    out = {}
    for e in _tables_of(report):
        key = (e.rule, e.key)
        if any(c not in values for c in e.cells):
            out[key] = UNKNOWN
            continue
        holds = e.residual(values) == 0
        if not holds:
            out[key] = BROKEN
        elif key in report.split_rules or e.cells & split:
            out[key] = SPLIT
        else:
            out[key] = HELD
    return out


def standing_counts(standings: dict[tuple[str, str], str]) -> dict[str, int]:
    """How many sum rules are of each standing."""
    counted = Counter(standings.values())
    return {s: counted.get(s, 0) for s in STANDINGS}


def single_row_findings(report: PublishedReport) -> list[dict[str, object]]:
    """With （六）其他处理 printed as one row: each column's （七）总计 checked against the other
    groups and （六）'s total, and （六）'s 总计 against its parts (both left unchecked by the
    validator, which does not know the one-row total)."""
    if not report.other_single_row or "s3" not in report.tables_found:
        return []
    values, _ = _values(report)
    where = {
        (s, r, c): w
        for s, r, c, w in report.cells[["section", "row", "col", "where"]].itertuples(index=False)
    }
    out = []
    for e in _tables_of(report):
        if not any(c[1] == OTHER_TOTAL for c in e.cells):
            continue
        if any(c not in values for c in e.cells):
            continue
        total = values[e.total]
        summed = sum(values[c] for c in e.parts)
        if total == summed:
            continue
        fields = {
            "file": report.file,
            "unit": report.issuer,
            "issuer": report.issuer,
            "year": report.year,
            "section": "s3",
            "where": where.get(e.total, ""),
            "text": str(total),
            "sum": whole_text(summed),
            "total": whole_text(total),
            "diff": whole_text(abs(total - summed)),
            "value": whole_text(total),
            "expected": whole_text(summed),
        }
        if e.rule == "s3.row_total":
            terms = "+".join(
                f"{S3.col(c).label}（{values['s3', OTHER_TOTAL, c]}）" for c in S3_PARTS
            )
            out.append(
                finding(
                    "s3.row_total",
                    **fields,
                    row=OTHER_TOTAL,
                    col="total",
                    label=OTHER_LABEL,
                    terms=terms,
                )
            )
        else:
            out.append(
                finding(
                    "s3.outcome_total",
                    **fields,
                    row="outcome_total",
                    col=e.key,
                    label=S3.col(e.key).label,
                )
            )
    return out


def in_force_every_split(
    report: PublishedReport, last: PublishedReport | None
) -> list[dict[str, object]]:
    """For each 表二 row left unread because its digits split several ways, a warning when every
    split breaks the in-force identity with the year before's report (`year.in_force`'s rule and
    slack, `schemas.rules.in_force_follows`): a flaw of the report, although the row stays
    unread."""
    if last is None or not report.open_splits:
        return []
    before, _ = _values(last)
    out = []
    for cells, options, digits, where in report.open_splits:
        code, row = cells[0][0], cells[0][1]
        last_in_force = before.get(("s2", row, "in_force"))
        if code != "s2" or last_in_force is None:
            continue
        at = {c[2]: j for j, c in enumerate(cells)}
        frame = pd.DataFrame(
            {
                "value": [o[at["in_force"]] for o in options],
                "issued": [o[at["issued"]] for o in options],
                "repealed": [o[at["repealed"]] for o in options],
            },
            dtype="float64",
        ).assign(last=float(last_in_force))
        if rules.in_force_follows(frame).any():
            continue
        shown = "；".join(
            f"制发{o[at['issued']]}、废止{o[at['repealed']]}、现行有效{o[at['in_force']]}"
            for o in options[:SHOWN_SPLITS]
        )
        if len(options) > SHOWN_SPLITS:
            shown += f"等（共{len(options)}种）"
        out.append(
            finding(
                "audit.in_force_every_split",
                file=report.file,
                unit=report.issuer,
                issuer=report.issuer,
                year=report.year,
                last_year=last.year,
                section="s2",
                row=row,
                col="in_force",
                where=where,
                text=digits,
                label=S2.row(row).label,
                digits=digits,
                last=last_in_force,
                options=shown,
            )
        )
    return out
