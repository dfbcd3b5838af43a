"""Say where an error probably is (error localisation in the manner of Fellegi–Holt).

The sum rules of tables 三 and 四 are linear equations over a return's cells. When some fail,
the smallest change that satisfies them all is often a single cell: one that every failing
equation contains, no holding equation contains, and that one amount fixes in all of them.
Three common slips are recognised too: a total left at 0, a number split across two cells,
and an application counted under the wrong applicant type. Nothing is changed; the findings
carry the suggestion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from pipeline.format2021 import S3, S3_OUTCOMES, S3_PARTS, S4_GROUPS, S4_RESULTS, whole_text
from pipeline.problems import suggestion

Cell = tuple[str, str, str]  # (section, row, col)
Values = Mapping[Cell, float]  # NaN where unreadable


@dataclass(frozen=True)
class Equation:
    """One sum rule on one return: Σ coefficient × cell = 0. `key` is its row, column or group."""

    rule: str
    key: str
    terms: tuple[tuple[Cell, int], ...]
    total: Cell  # the cell holding the stated total

    @property
    def cells(self) -> frozenset[Cell]:
        return frozenset(c for c, _ in self.terms)

    def residual(self, values: Values) -> float:
        return sum(k * values.get(c, float("nan")) for c, k in self.terms)

    @property
    def parts(self) -> list[Cell]:
        return [c for c, k in self.terms if k < 0 and c != self.total]


@cache
def equations() -> tuple[Equation, ...]:
    """Every sum rule of tables 三 and 四, as equations over a return's cells."""
    out = []
    for row in S3.rows:
        total = ("s3", row.code, "total")
        terms = ((total, 1), *((("s3", row.code, p), -1) for p in S3_PARTS))
        out.append(Equation("s3.row_total", row.code, terms, total))
    for col in S3.cols:
        total = ("s3", "outcome_total", col.code)
        terms = ((total, 1), *((("s3", o, col.code), -1) for o in S3_OUTCOMES))
        out.append(Equation("s3.outcome_total", col.code, terms, total))
        side = (("new", 1), ("carried_in", 1), ("outcome_total", -1), ("carried_out", -1))
        terms = tuple((("s3", r, col.code), k) for r, k in side)
        out.append(Equation("s3.balance", col.code, terms, ("s3", "carried_out", col.code)))
    for group in S4_GROUPS:
        total = ("s4", "cases", f"{group}_total")
        parts = [r for r in S4_RESULTS if r != "total"]
        terms = ((total, 1), *((("s4", "cases", f"{group}_{r}"), -1) for r in parts))
        out.append(Equation("s4.group_total", group, terms, total))
    return tuple(out)


def suggestions(values: Values, address: Mapping[Cell, str]) -> dict[tuple[str, str], str]:
    """For one return, a suggestion for each failing equation it explains, by (rule, key)."""
    judged = [e for e in equations() if e.residual(values) == e.residual(values)]  # not NaN
    failing = [e for e in judged if e.residual(values) != 0]
    if not failing:
        return {}
    out: dict[tuple[str, str], str] = {}
    single = _single_cell(values, judged, failing)
    if single is not None:
        cell, new = single
        kind = (
            "unfilled_total"
            if values[cell] == 0 and any(cell == e.total for e in failing)
            else "single_cell"
        )
        text = suggestion(
            kind, cell=address.get(cell, "?"), value=whole_text(new), rules=_rules_text(failing)
        )
        return {(e.rule, e.key): text for e in failing}
    for e in failing:
        text = _split_number(e, values, address) or _unfilled(e, values, address)
        if text:
            out[e.rule, e.key] = text
    out.update(_misfiled(values, failing))
    return out


def _single_cell(
    values: Values, judged: list[Equation], failing: list[Equation]
) -> tuple[Cell, float] | None:
    """The one cell whose change alone satisfies every failing equation and breaks no other."""
    shared = frozenset.intersection(*(e.cells for e in failing))
    found = []
    for cell in shared:
        deltas = {-e.residual(values) / dict(e.terms)[cell] for e in failing}
        if len(deltas) != 1:
            continue
        delta = deltas.pop()
        new = values[cell] + delta
        holding = [e for e in judged if e not in failing and cell in e.cells]
        if new >= 0 and not holding:
            found.append((cell, new))
    return found[0] if len(found) == 1 else None


def _split_number(e: Equation, values: Values, address: Mapping[Cell, str]) -> str | None:
    """Two adjacent single digits that, read as one number, make the sum right."""
    parts = e.parts
    if e.rule == "s3.balance":
        return None
    stated = values[e.total]
    total = sum(values[p] for p in parts)
    for a, b in zip(parts, parts[1:], strict=False):
        x, y = values[a], values[b]
        if 1 <= x <= 9 and 0 <= y <= 9 and total - x - y + (10 * x + y) == stated:
            joined = int(10 * x + y)
            return suggestion(
                "split_number",
                a=address.get(a, "?"),
                b=address.get(b, "?"),
                x=whole_text(x),
                y=whole_text(y),
                joined=joined,
            )
    return None


def _unfilled(e: Equation, values: Values, address: Mapping[Cell, str]) -> str | None:
    """A total of 0 beside parts that are not."""
    if e.rule == "s3.balance" or values[e.total] != 0:
        return None
    parts = sum(values[p] for p in e.parts)
    if parts > 0:
        return suggestion(
            "unfilled_total",
            cell=address.get(e.total, "?"),
            value=whole_text(parts),
            rules="本项合计",
        )
    return None


def _misfiled(values: Values, failing: list[Equation]) -> dict[tuple[str, str], str]:
    """Equal and opposite differences in two applicant columns: a request under the wrong type."""
    by_col = {}
    for e in failing:
        if e.rule in ("s3.balance", "s3.outcome_total") and e.key in S3_PARTS:
            by_col.setdefault(e.rule, {})[e.key] = e.residual(values)
    if any(e.rule == "s3.row_total" for e in failing):
        return {}
    out = {}
    for rule, residuals in by_col.items():
        cols = list(residuals)
        for i, a in enumerate(cols):
            for b in cols[i + 1 :]:
                if residuals[a] == -residuals[b] != 0:
                    more, less = (a, b) if residuals[a] > 0 else (b, a)
                    text = suggestion(
                        "misfiled",
                        more=S3.col(more).label,
                        less=S3.col(less).label,
                        diff=whole_text(abs(residuals[a])),
                    )
                    out[rule, a] = out[rule, b] = text
    return out


def _rules_text(failing: list[Equation]) -> str:
    names = {
        "s3.row_total": "本行合计",
        "s3.outcome_total": "本列（七）总计",
        "s3.balance": "本列勾稽关系",
        "s4.group_total": "表四合计",
    }
    return "、".join(dict.fromkeys(names[e.rule] for e in failing))
