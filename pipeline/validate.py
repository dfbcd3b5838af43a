"""Validate: the long cell table → findings, one per problem, each naming its rule and its cell."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.format2021 import S2, S3, S3_PARTS, S4, S4_GROUPS, SECTIONS, number_text, whole_text
from pipeline.ingest import cell_address
from pipeline.localise import Hint, equations, localised
from pipeline.problems import finding, findings_table
from pipeline.values import formula_cells
from schemas import rules
from schemas.tables import IngestedCells

MAX_LISTED = 12  # cells listed by name in one summary message


@dataclass(frozen=True)
class LastYear:
    """Last year's cells, or why there are none (then the year rules are not run)."""

    year: int
    cells: pd.DataFrame | None
    where: str  # where they came from, or where they were looked for
    unusable: tuple[str, ...] = ()  # what of last year could not be used, and why


class Provenance:
    """Where each value came from: unit, sheet, cell and text, looked up one return at a time."""

    def __init__(self, tables: rules.Tables):
        # NOTE: only returns with findings are looked up, so clean data costs nothing here
        self.tables = tables
        self._returns: dict[str, pd.DataFrame] = {}

    def _of_file(self, file: str) -> pd.DataFrame:
        if file not in self._returns:
            part = self.tables.cells.iloc[self.tables.positions(file)]
            self._returns[file] = part.set_index(["section", "row", "col"])
        return self._returns[file]

    def of(self, file: str, section: str, row: str, col: str) -> dict:
        part = self._of_file(file)
        key = (section, row, col)
        rec = part.loc[key] if key in part.index else {}
        return {
            "unit": part["unit"].iloc[0] if len(part) else "",
            "file": file,
            "sheet": rec.get("sheet", ""),
            "cell": rec.get("cell", ""),
            "section": section,
            "row": row,
            "col": col,
            "text": rec.get("text", ""),
        }

    def addresses(self, file: str) -> dict[tuple[str, str, str], str]:
        """Every cell address of one return, by (section, row, col)."""
        part = self._of_file(file)
        return dict(zip(part.index, part["cell"], strict=True))

    def value(self, file: str, section: str, row: str, col: str) -> int | None:
        """The stored value of one cell of a return (None when unread)."""
        part = self._of_file(file)
        key = (section, row, col)
        value = part.loc[key, "value"] if key in part.index else None
        return None if value is None or pd.isna(value) else int(value)

    def derived(self, file: str) -> dict[tuple[str, str, str], tuple[tuple[str, str, str], ...]]:
        """The cells of a return worked out from a formula saved without its result, each with
        the cells of the tables its formula adds up (on its own sheet)."""
        part = self._of_file(file)
        made = part[part["read_as"] == "derived"]
        if made.empty:
            return {}
        at = {
            (s, c): key for key, s, c in zip(part.index, part["sheet"], part["cell"], strict=True)
        }
        out = {}
        for key, sheet, text in zip(made.index, made["sheet"], made["text"], strict=True):
            refs = formula_cells(str(text).lstrip("=")) or ()
            parts = (at.get((sheet, cell_address(r, c))) for r, c in refs)
            out[key] = tuple(p for p in parts if p is not None)
        return out

    def span(self, file: str, cells: list[tuple[str, str, str]]) -> tuple[str, str]:
        """The sheet and the range (`D6:D30`) a return's cells stand in."""
        part = self._of_file(file)
        known = [part.loc[c] for c in cells if c in part.index and part.loc[c, "cell"]]
        if not known:
            return "", ""  # NOTE: the county's consolidated cells stand on no sheet
        sheet = known[0]["sheet"]
        mine = [k["cell"] for k in known if k["sheet"] == sheet]
        if not all(_A1.fullmatch(cell) for cell in mine):
            return sheet, "、".join(dict.fromkeys(mine))  # NOTE: places in a document, not a grid
        places = [_position(cell) for cell in mine]
        top, left = min(r for r, _ in places), min(c for _, c in places)
        bottom, right = max(r for r, _ in places), max(c for _, c in places)
        first, last = cell_address(top, left), cell_address(bottom, right)
        return sheet, first if first == last else f"{first}:{last}"


def validated_findings(
    cells: pd.DataFrame,
    *,
    strict: bool = False,
    last: LastYear | None = None,
    tables: rules.Tables | None = None,
) -> pd.DataFrame:
    """Every problem in every return: unreadable and blank values, broken rules, and, with last
    year's cells at hand, the rules across years (`tables`: the cells already laid out)."""
    IngestedCells.validate(cells, lazy=True)
    tables = tables if tables is not None else rules.Tables(cells)
    where = Provenance(tables)
    records = [
        *value_findings(cells, strict),
        *rule_findings(tables, where),
        *cross_table_findings(tables, where),
        *year_findings(cells, where, last),
    ]
    return findings_table(records)


def consolidated_findings(
    cells: pd.DataFrame, last: LastYear | None = None, comparable: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The rules checked again on the consolidated (全县) table, shaped like one return's cells;
    with last year's at hand, `comparable` (this year's sum over the same units) is set beside it."""
    tables = rules.Tables(cells)
    where = Provenance(tables)
    records = [*rule_findings(tables, where), *cross_table_findings(tables, where)]
    if last is not None and last.cells is not None:
        now = cells if comparable is None else comparable
        records += year_findings(now, Provenance(rules.Tables(now)), last)
    return findings_table(records)


def value_findings(cells: pd.DataFrame, strict: bool) -> list[dict]:
    """Unreadable values (`value.type`, at their cells); blanks and `/ — 无`, as one note per
    return by default or an error per cell under --strict; and a return left entirely blank."""
    failed = rules.failures(rules.CELLS, cells)
    out = [
        finding("value.type", **_locator(rec), **_cell_names(rec), reason=rec.problem)
        for rec in cells.loc[failed.get("value.type", [])].itertuples()
    ]
    blank = cells.loc[failed.get("value.missing", [])]
    per_file = blank["file"].value_counts()
    sizes = cells["file"].value_counts()
    for file in sorted(per_file.index[per_file.to_numpy() == sizes[per_file.index].to_numpy()]):
        unit = blank.loc[blank["file"] == file, "unit"].iloc[0]
        out.append(finding("value.all_blank", unit=unit, file=file, count=int(per_file[file])))
    if strict:
        return out + [
            finding("value.blank", **_locator(rec), **_cell_names(rec))
            for rec in blank.itertuples()
        ]
    for (unit, file), group in blank.groupby(["unit", "file"], sort=True):
        listed = "、".join(group["cell"].head(MAX_LISTED))
        more = f"等（共{len(group)}个）" if len(group) > MAX_LISTED else ""
        sheets = " ".join(group["sheet"].unique())
        out.append(
            finding(
                "value.missing",
                unit=unit,
                file=file,
                sheet=sheets,
                count=len(group),
                cells=listed + more,
            )
        )
    return out


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


def cross_table_findings(tables: rules.Tables, where: Provenance) -> list[dict]:
    """Warnings that look across a return's tables: 规章 at county level, cases without requests,
    unpaid fees without a fee notice."""
    out = []
    s2 = tables.wide("s2", "row")
    for i in rules.failures(rules.S2_BY_ROW, s2).get("s2.rules_level", []):
        rec = s2.loc[i]
        for col in ("issued", "repealed", "in_force"):
            if rec[col] > 0:
                out.append(
                    finding(
                        "s2.rules_level",
                        **where.of(rec["file"], "s2", "rules", col),
                        table=S2.short,
                        what=S2.col(col).label,
                        value=whole_text(rec[col]),
                        expected=0,
                    )
                )
    per_return = rules.per_return(tables)
    for check, index in rules.failures(rules.PER_RETURN, per_return).items():
        for i in index:
            rec = per_return.loc[i]
            if check == "s4.without_requests":
                cases = sum(np.nan_to_num(rec[f"{g}_total"]) for g in S4_GROUPS)
                out.append(
                    finding(
                        check,
                        **where.of(rec["file"], "s4", "cases", "review_total"),
                        cases=whole_text(cases),
                        value=whole_text(cases),
                    )
                )
            else:
                out.append(
                    finding(
                        check,
                        **where.of(rec["file"], "s3", "other_no_fee", "total"),
                        count=whole_text(rec["other_no_fee"]),
                        value=whole_text(rec["other_no_fee"]),
                    )
                )
    return out


def year_findings(cells: pd.DataFrame, where: Provenance, last: LastYear | None) -> list[dict]:
    """The rules across years, or one note that they could not be run."""
    if last is None:
        return []
    out = []
    if last.unusable:
        out.append(
            finding("year.source_unusable", last_year=last.year, problems="；".join(last.unusable))
        )
    if last.cells is None:
        return [*out, finding("year.unchecked", last_year=last.year, where=last.where)]
    carry = rules.carry_over_frame(cells, last.cells)
    for i in rules.failures(rules.CARRY_OVER, carry).get("year.carry_over", []):
        rec = carry.loc[i]
        out.append(
            finding(
                "year.carry_over",
                **where.of(rec["file"], "s3", "carried_in", rec["col"]),
                label=S3.col(rec["col"]).label,
                value=whole_text(rec["value"]),
                expected=whole_text(rec["last"]),
                diff=whole_text(abs(rec["value"] - rec["last"])),
                last_year=last.year,
            )
        )
    in_force = rules.in_force_frame(where.tables, last.cells)
    for i in rules.failures(rules.IN_FORCE, in_force).get("year.in_force", []):
        rec = in_force.loc[i]
        expected = rec["last"] + rec["issued"] - rec["repealed"]
        out.append(
            finding(
                "year.in_force",
                **where.of(rec["file"], "s2", rec["row"], "in_force"),
                label=S2.row(rec["row"]).label,
                value=whole_text(rec["value"]),
                last=whole_text(rec["last"]),
                issued=whole_text(rec["issued"]),
                repealed=whole_text(rec["repealed"]),
                expected=whole_text(expected),
                diff=whole_text(abs(rec["value"] - expected)),
            )
        )
    swing = rules.swing_frame(cells, last.cells)
    for i in rules.failures(rules.SWING, swing).get("year.swing", []):
        rec = swing.loc[i]
        section, col = rec["section"], rec["col"]
        out.append(
            finding(
                "year.swing",
                **where.of(rec["file"], section, rec["row"], col),
                table=SECTIONS[section].short,
                label=_cell_label(section, rec["row"], col),
                value=number_text(int(rec["value"]), section, col),
                last=number_text(int(rec["last"]), section, col),
            )
        )
    return out


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


def _locator(rec) -> dict:
    return {
        k: getattr(rec, k)
        for k in ("unit", "file", "sheet", "cell", "section", "row", "col", "text")
    }


def _cell_names(rec) -> dict:
    return {
        "table": SECTIONS[rec.section].short,
        "label": _cell_label(rec.section, rec.row, rec.col),
    }


def _cell_label(section: str, row: str, col: str) -> str:
    sec = SECTIONS[section]
    r = sec.row(row).label
    c = sec.col(col).label
    return f"{r}·{c}" if r else c


_A1 = re.compile(r"[A-Z]{1,3}[1-9]\d*")


def _position(address: str) -> tuple[int, int]:
    """A cell address (`D12`) as 0-based (row, column)."""
    letters = address.rstrip("0123456789")
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(address[len(letters) :]) - 1, col - 1


def has_errors(findings: pd.DataFrame) -> bool:
    return bool((findings["severity"] == "error").any()) if len(findings) else False
