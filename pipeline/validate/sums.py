"""The sum rules of tables 三 and 四 and the part 六 fee figures: each broken one a finding stating its figures, placed where localisation says the error is."""

from __future__ import annotations

import pandas as pd

from pipeline.format2021 import S3, S4, S4_GROUPS, number_text, whole_text
from pipeline.problems import finding
from pipeline.validate.localise import Hint, equations, localised
from pipeline.validate.provenance import Provenance
from schemas import rules, sums
from schemas.sums import Sum, label, sums_of


def rule_findings(tables: rules.WideTables, where: Provenance) -> list[dict]:
    """Findings of the sum rules of tables 三 and 四 (`schemas.sums`) and of the part 六 fee
    figures, each placed where localisation says the error is, with its suggestion."""
    out: list[dict] = []
    failing: list[tuple[Sum, pd.Series]] = []
    for section, along in dict.fromkeys((s.section, s.along) for s in sums.SUMS):
        frame = tables.wide(section, along)
        by_check = {s.check: s for s in sums_of(section, along)}
        for check, index in rules.failures(rules.sum_schema(section, along), frame).items():
            failing.extend((by_check[check], frame.loc[i]) for i in index)
    hints = _hints({rec["file"] for _, rec in failing}, tables, where)
    for rule, rec in failing:
        key = rule.key or rec[rule.along]
        record = _described(rule, rec, where)
        hint = hints.get((rec["file"], rule.rule, key))
        record["suggestion"] = hint.text if hint else ""
        record.update(_placed(rec["file"], rule.rule, key, hint, where))
        out.append(record)
    s6 = tables.wide("s6", "row")
    for check, index in rules.failures(rules.S6_FEES, s6).items():
        out.extend(_fees(s6.loc[i], check.split(":")[1], where) for i in index)
    return out


def _hints(
    files: set[str], tables: rules.WideTables, where: Provenance
) -> dict[tuple[str, str, str], Hint]:
    """What localisation says of the returns with broken sums, by (file, rule, key)."""
    out = {}
    by_row, s4 = tables.wide("s3", "row"), tables.wide("s4", "row")
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
            "expected": "" if hint.value is None else whole_text(hint.value),
        }
    equation = next(e for e in equations() if (e.rule, e.key) == (rule, key))
    section = equation.total[0]
    if equation.total[0] == "s4":
        # NOTE: a group of 表四 is named by its total's column (its row is the table's one row),
        # so that the finding says which group: `localise.equation_of` finds it again
        row, col = equation.total[1], equation.total[2]
    elif rule == "s3.row_total":
        row, col = key, ""
    else:
        row, col = "", key
    sheet, cells = where.span(file, [c for c, _ in equation.terms])
    return {
        "sheet": sheet,
        "cell": cells,
        "section": section,
        "row": row,
        "col": col,
        "text": "",
        "value": "",
        "expected": "",
    }


# -- describing a broken sum --------------------------------------------------------------------
def _described(rule: Sum, rec: pd.Series, where: Provenance) -> dict:
    """The finding of a broken sum in one record, stating its figures: each side's terms and
    sums, the difference, and every code's value by name (the catalog's template picks)."""
    record = rec[rule.along]
    left = sum(rec[c] for c in rule.left)
    right = sum(rec[c] for c in rule.right)
    terms = "+".join(
        f"{label(rule.section, rule.along, c)}（{whole_text(rec[c])}）" for c in rule.right
    )
    named = (
        "·".join(S4_GROUPS[rule.key])
        if rule.key
        else label(rule.section, "col" if rule.along == "row" else "row", record)
    )
    figures = {code: whole_text(rec[code]) for code in (*rule.left, *rule.right)}
    figures |= {
        "label": named,
        "group": named,
        "terms": terms,
        "sum": whole_text(right),
        "total": whole_text(left),
        "left": whole_text(left),
        "right": whole_text(right),
        "diff": whole_text(abs(left - right)),
    }
    return finding(rule.rule, **where.of(rec["file"], *rule.cell(record, rule.total)), **figures)


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
