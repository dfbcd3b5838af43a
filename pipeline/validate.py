"""Validate: the long cell table → findings, one per problem, each naming its rule and its cell."""

from __future__ import annotations

import pandas as pd

from pipeline.format2021 import S3, S3_PARTS, S4, S4_GROUPS, SECTIONS, number_text
from pipeline.problems import finding, findings_table
from schemas import rules
from schemas.tables import IngestedCells

MAX_LISTED = 12  # cells listed by name in one summary message


class Provenance:
    """Where each (file, section, row, col) value came from: unit, sheet, cell, text, value."""

    def __init__(self, cells: pd.DataFrame):
        # NOTE: looked up only for the few records that break a rule, never turned into dicts whole
        self.keyed = cells.set_index(["file", "section", "row", "col"])[
            ["unit", "sheet", "cell", "text"]
        ].sort_index()
        self.unit_of = cells.drop_duplicates("file").set_index("file")["unit"]

    def of(self, file: str, section: str, row: str, col: str) -> dict:
        key = (file, section, row, col)
        rec = self.keyed.loc[key] if key in self.keyed.index else {}
        return {
            "unit": self.unit_of.get(file, ""),
            "file": file,
            "sheet": rec.get("sheet", ""),
            "cell": rec.get("cell", ""),
            "section": section,
            "row": row,
            "col": col,
            "text": rec.get("text", ""),
        }


def validated_findings(cells: pd.DataFrame) -> pd.DataFrame:
    """Every problem in every return: unreadable values, blanks read as 0, and broken rules."""
    IngestedCells.validate(cells, lazy=True)
    where = Provenance(cells)
    records = value_findings(cells) + blank_findings(cells) + rule_findings(cells, where)
    return findings_table(records)


def consolidated_findings(cells: pd.DataFrame) -> pd.DataFrame:
    """The rules checked again on the consolidated (全县) table, shaped like one return's cells."""
    return findings_table(rule_findings(cells, Provenance(cells)))


def value_findings(cells: pd.DataFrame) -> list[dict]:
    """A `value.type` finding at each cell that could not be read as a number."""
    failed = rules.failures(rules.CELLS, cells).get("value.type", [])
    out = []
    for rec in cells.loc[failed].itertuples():
        section = SECTIONS[rec.section]
        out.append(
            finding(
                "value.type",
                **_locator(rec),
                table=section.short,
                label=_cell_label(rec.section, rec.row, rec.col),
                reason=rec.problem,
                value="",
            )
        )
    return out


def blank_findings(cells: pd.DataFrame) -> list[dict]:
    """One `value.missing` note per return that left cells blank or wrote `/`, `—`, `无`."""
    blank = cells[cells["read_as"].isin(["blank", "nil"])]
    out = []
    for (unit, file), group in blank.groupby(["unit", "file"], sort=True):
        listed = "、".join(group["cell"].head(MAX_LISTED))
        more = f"等（共{len(group)}个）" if len(group) > MAX_LISTED else ""
        out.append(
            finding(
                "value.missing",
                unit=unit,
                file=file,
                sheet=" ".join(group["sheet"].unique()),
                count=len(group),
                cells=listed + more,
            )
        )
    return out


def rule_findings(cells: pd.DataFrame, where: Provenance) -> list[dict]:
    """Findings of the sum rules of tables 三 and 四 and of the part 六 fee figures."""
    out: list[dict] = []
    by_row = rules.wide(cells, "s3", "row")
    for i in rules.failures(rules.S3_BY_ROW, by_row).get("s3.row_total", []):
        out.append(_row_total(by_row.loc[i], where))
    by_col = rules.wide(cells, "s3", "col")
    failed = rules.failures(rules.S3_BY_COL, by_col)
    out.extend(_outcome_total(by_col.loc[i], where) for i in failed.get("s3.outcome_total", []))
    out.extend(_balance(by_col.loc[i], where) for i in failed.get("s3.balance", []))
    s4 = rules.wide(cells, "s4", "row")
    for check, index in rules.failures(rules.S4_CASES, s4).items():
        out.extend(_group_total(s4.loc[i], check.split(":")[1], where) for i in index)
    s6 = rules.wide(cells, "s6", "row")
    for check, index in rules.failures(rules.S6_FEES, s6).items():
        out.extend(_fees(s6.loc[i], check.split(":")[1], where) for i in index)
    return out


def _row_total(rec: pd.Series, where: Provenance) -> dict:
    file, row = rec["file"], rec["row"]
    parts = [int(rec[c]) for c in S3_PARTS]
    terms = "+".join(f"{S3.col(c).label}（{v}）" for c, v in zip(S3_PARTS, parts, strict=True))
    total = int(rec["total"])
    return finding(
        "s3.row_total",
        **where.of(file, "s3", row, "total"),
        label=S3.row(row).label,
        terms=terms,
        sum=sum(parts),
        total=total,
        diff=abs(total - sum(parts)),
        value=total,
        expected=sum(parts),
    )


def _outcome_total(rec: pd.Series, where: Provenance) -> dict:
    file, col = rec["file"], rec["col"]
    parts = int(rec[list(rules.S3_OUTCOMES)].sum())
    total = int(rec["outcome_total"])
    return finding(
        "s3.outcome_total",
        **where.of(file, "s3", "outcome_total", col),
        label=S3.col(col).label,
        sum=parts,
        total=total,
        diff=abs(total - parts),
        value=total,
        expected=parts,
    )


def _balance(rec: pd.Series, where: Provenance) -> dict:
    file, col = rec["file"], rec["col"]
    v = {k: int(rec[k]) for k in ("new", "carried_in", "outcome_total", "carried_out")}
    left, right = v["new"] + v["carried_in"], v["outcome_total"] + v["carried_out"]
    return finding(
        "s3.balance",
        **where.of(file, "s3", "carried_out", col),
        label=S3.col(col).label,
        left=left,
        right=right,
        diff=abs(left - right),
        value=v["carried_out"],
        expected=left - v["outcome_total"],
        **v,
    )


def _group_total(rec: pd.Series, group: str, where: Provenance) -> dict:
    file = rec["file"]
    codes = [f"{group}_{r}" for r in rules.PARTS_OF_RESULT]
    parts = [int(rec[c]) for c in codes]
    terms = "+".join(f"{S4.col(c).label}（{v}）" for c, v in zip(codes, parts, strict=True))
    total = int(rec[f"{group}_total"])
    return finding(
        "s4.group_total",
        **where.of(file, "s4", "cases", f"{group}_total"),
        group="·".join(S4_GROUPS[group]),
        terms=terms,
        sum=sum(parts),
        total=total,
        diff=abs(total - sum(parts)),
        value=total,
        expected=sum(parts),
    )


def _fees(rec: pd.Series, which: str, where: Provenance) -> dict:
    file = rec["file"]
    collected = number_text(int(rec["collected"]), "s6", "collected")
    if which == "notice":
        reason = f"实际收取{collected}元，但发出收费通知的件数为{int(rec['notices'])}"
    else:
        noticed = number_text(int(rec["notice_amount"]), "s6", "notice_amount")
        reason = f"实际收取的总金额（{collected}元）大于收费通知的总金额（{noticed}元）"
    return finding(
        "s6.fees", **where.of(file, "s6", "fees", "collected"), reason=reason, value=collected
    )


def _locator(rec) -> dict:
    return {
        k: getattr(rec, k)
        for k in ("unit", "file", "sheet", "cell", "section", "row", "col", "text")
    }


def _cell_label(section: str, row: str, col: str) -> str:
    sec = SECTIONS[section]
    r = sec.row(row).label
    c = sec.col(col).label
    return f"{r}·{c}" if r else c


def has_errors(findings: pd.DataFrame) -> bool:
    return bool((findings["severity"] == "error").any()) if len(findings) else False
