"""The sum rules of tables 三 and 四 and the part 六 fee figures: each broken one a finding stating its figures, placed where localisation says the error is."""

from __future__ import annotations

import pandas as pd

from pipeline.format2021 import S3, S3_PARTS, S4, S4_GROUPS, number_text, whole_text
from pipeline.problems import finding
from pipeline.validate.localise import Hint, equations, localised
from pipeline.validate.provenance import Provenance
from schemas import rules


def rule_findings(tables: rules.Tables, where: Provenance) -> list[dict]:
    """Findings of the sum rules of tables 三 and 四 and of the part 六 fee figures, each with a
    suggestion of where the error probably is when one cell explains it."""
    out: list[dict] = []
    by_row = tables.wide("s3", "row")
    by_col = tables.wide("s3", "col")
    s4 = tables.wide("s4", "row")
    failed_s3_cols = rules.failures(rules.S3_BY_COL, by_col)
    failed_s4 = rules.failures(rules.S4_CASES, s4)
    failing = [
        *(
            ("s3.row_total", by_row.loc[i])
            for i in rules.failures(rules.S3_BY_ROW, by_row).get("s3.row_total", [])
        ),
        *(("s3.outcome_total", by_col.loc[i]) for i in failed_s3_cols.get("s3.outcome_total", [])),
        *(("s3.balance", by_col.loc[i]) for i in failed_s3_cols.get("s3.balance", [])),
        *((check, s4.loc[i]) for check, index in failed_s4.items() for i in index),
    ]
    hints = _hints({rec["file"] for _, rec in failing}, by_row, s4, where)
    for check, rec in failing:
        rule, _, group = check.partition(":")
        key = group or (rec["row"] if rule == "s3.row_total" else rec["col"])
        record = _DESCRIBE[rule](rec, where, group) if group else _DESCRIBE[rule](rec, where)
        hint = hints.get((rec["file"], rule, key))
        record["suggestion"] = hint.text if hint else ""
        record.update(_placed(rec["file"], rule, key, hint, where))
        out.append(record)
    s6 = tables.wide("s6", "row")
    for check, index in rules.failures(rules.S6_FEES, s6).items():
        out.extend(_fees(s6.loc[i], check.split(":")[1], where) for i in index)
    return out


def _hints(
    files: set[str], by_row: pd.DataFrame, s4: pd.DataFrame, where: Provenance
) -> dict[tuple[str, str, str], Hint]:
    """What localisation says of the returns with broken sums, by (file, rule, key)."""
    out = {}
    for file in sorted(files):
        values: dict[tuple[str, str, str], float] = {}
        for rec in by_row[by_row["file"] == file].to_dict("records"):
            values.update({("s3", rec["row"], c.code): rec[c.code] for c in S3.cols})
        for rec in s4[s4["file"] == file].to_dict("records"):
            values.update({("s4", "cases", c.code): rec[c.code] for c in S4.cols})
        found = localised(values, where.addresses(file), where.derived(file))
        for (rule, key), hint in found.items():
            out[file, rule, key] = hint
    return out


def _placed(file: str, rule: str, key: str, hint: Hint | None, where: Provenance) -> dict:
    """Where a broken sum's finding stands: at the one cell that explains it, with the value it
    should hold; else on the rule itself (its row, column or group, as a range), blaming no
    single cell."""
    if hint is not None and hint.cell is not None:
        placed = where.of(file, *hint.cell)
        section, row, col = hint.cell
        value = where.value(file, *hint.cell)
        return {
            **placed,
            "value": "" if value is None else number_text(value, section, col),
            "expected": whole_text(hint.value),
        }
    equation = next(e for e in equations() if (e.rule, e.key) == (rule, key))
    section = equation.total[0]
    along = {"s3.row_total": ("row", key), "s4.group_total": ("row", "cases")}.get(
        rule, ("col", key)
    )
    sheet, cells = where.span(file, [c for c, _ in equation.terms])
    return {
        "sheet": sheet,
        "cell": cells,
        "section": section,
        "row": along[1] if along[0] == "row" else "",
        "col": along[1] if along[0] == "col" else "",
        "text": "",
        "value": "",
        "expected": "",
    }


# -- describing a broken sum --------------------------------------------------------------------
def _sum_fields(total: float, summed: float) -> dict:
    """The figures every broken sum states: the parts' sum, the stated total, the difference."""
    return {
        "sum": whole_text(summed),
        "total": whole_text(total),
        "diff": whole_text(abs(total - summed)),
        "value": whole_text(total),
        "expected": whole_text(summed),
    }


def _row_total(rec: pd.Series, where: Provenance) -> dict:
    file, row = rec["file"], rec["row"]
    parts = [rec[c] for c in S3_PARTS]
    terms = "+".join(
        f"{S3.col(c).label}（{whole_text(v)}）" for c, v in zip(S3_PARTS, parts, strict=True)
    )
    total, summed = rec["total"], sum(parts)
    return finding(
        "s3.row_total",
        **where.of(file, "s3", row, "total"),
        label=S3.row(row).label,
        terms=terms,
        **_sum_fields(total, summed),
    )


def _outcome_total(rec: pd.Series, where: Provenance) -> dict:
    file, col = rec["file"], rec["col"]
    parts = rec[list(rules.S3_OUTCOMES)].sum()
    total = rec["outcome_total"]
    return finding(
        "s3.outcome_total",
        **where.of(file, "s3", "outcome_total", col),
        label=S3.col(col).label,
        **_sum_fields(total, parts),
    )


def _balance(rec: pd.Series, where: Provenance) -> dict:
    file, col = rec["file"], rec["col"]
    v = {k: rec[k] for k in ("new", "carried_in", "outcome_total", "carried_out")}
    left, right = v["new"] + v["carried_in"], v["outcome_total"] + v["carried_out"]
    return finding(
        "s3.balance",
        **where.of(file, "s3", "carried_out", col),
        label=S3.col(col).label,
        left=whole_text(left),
        right=whole_text(right),
        diff=whole_text(abs(left - right)),
        value=whole_text(v["carried_out"]),
        expected=whole_text(left - v["outcome_total"]),
        **{k: whole_text(x) for k, x in v.items()},
    )


def _group_total(rec: pd.Series, where: Provenance, group: str) -> dict:
    codes = [f"{group}_{r}" for r in rules.PARTS_OF_RESULT]
    parts = [rec[c] for c in codes]
    terms = "+".join(
        f"{S4.col(c).label}（{whole_text(v)}）" for c, v in zip(codes, parts, strict=True)
    )
    total = rec[f"{group}_total"]
    return finding(
        "s4.group_total",
        **where.of(rec["file"], "s4", "cases", f"{group}_total"),
        group="·".join(S4_GROUPS[group]),
        terms=terms,
        **_sum_fields(total, sum(parts)),
    )


_DESCRIBE = {
    "s3.row_total": _row_total,
    "s3.outcome_total": _outcome_total,
    "s3.balance": _balance,
    "s4.group_total": _group_total,
}


def _fees(rec: pd.Series, which: str, where: Provenance) -> dict:
    collected = number_text(int(rec["collected"]), "s6", "collected")
    if which == "notice":
        reason = f"实际收取{collected}元，但发出收费通知的件数为{whole_text(rec['notices'])}"
    else:
        noticed = number_text(int(rec["notice_amount"]), "s6", "notice_amount")
        reason = f"实际收取的总金额（{collected}元）大于收费通知的总金额（{noticed}元）"
    return finding(
        "s6.fees",
        **where.of(rec["file"], "s6", "fees", "collected"),
        reason=reason,
        value=collected,
    )
