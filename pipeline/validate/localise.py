"""Say where an error probably is (error localisation in the manner of Fellegi–Holt).

The sum rules of tables 三 and 四 are linear equations over a return's cells. When some fail,
the smallest change that satisfies them all is often a single cell: one that every failing
equation contains, no holding equation contains, and that one amount fixes in all of them.
Three common slips are recognised too: a total left at 0, a number split across two cells,
and an application counted under the wrong applicant type. Nothing is changed; the findings
carry the suggestion.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from pipeline.format2021 import S3, S3_PARTS, whole_text
from pipeline.problems import suggestion
from schemas import sums

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
    """Every sum rule of tables 三 and 四 (`schemas.sums`), as equations over a return's cells:
    one per rule and row (or column, or group) it holds in."""
    return tuple(
        Equation(rule.rule, rule.key or record, rule.terms(record), rule.cell(record, rule.total))
        for rule in sums.SUMS
        for record in rule.records
    )


def equation_of(rule: str, section: str, row: str, col: str) -> Equation | None:
    """The equation a sum rule's finding stands on: the one of `rule` holding the finding's
    cell (a cell the error is placed at, or the total of a group of 表四), else the one whose
    row or column is the finding's (a finding about a whole row or column); None when `rule`
    is no sum rule."""
    for e in equations():
        if e.rule != rule:
            continue
        if row and col and (section, row, col) in e.cells:
            return e
        if not (row and col) and e.key == (row or col) and e.total[0] == section:
            return e
    return None


@dataclass(frozen=True)
class Hint:
    """What localisation says of one failing sum: the suggestion, and the one cell to blame
    with the value it should hold when a single cell explains it (else None: the finding
    stands on the rule)."""

    text: str
    cell: Cell | None = None
    value: float | None = None
    candidates: tuple[Cell, ...] = ()  # the cells that explain it equally, when several do


Derived = Mapping[Cell, tuple[Cell, ...]]  # a cell worked out from a formula → the cells it adds


def suggestions(
    values: Values, address: Mapping[Cell, str], derived: Derived | None = None
) -> dict[tuple[str, str], str]:
    """For one return, a suggestion for each failing equation it explains, by (rule, key)."""
    return {key: hint.text for key, hint in localised(values, address, derived).items()}


def localised(
    values: Values, address: Mapping[Cell, str], derived: Derived | None = None
) -> dict[tuple[str, str], Hint]:
    """For one return, what can be said of each failing equation, by (rule, key).

    `derived` names the cells whose value was worked out from a formula saved without its
    result, with the cells it adds up: such a cell is never blamed, and a change to a cell it
    adds up moves it too. A cell is a candidate when one whole change, leaving it ≥ 0, fixes
    every failing equation it touches and breaks none that holds; it is blamed (with the value
    it should hold) only when no other cell explains the same."""
    derived = derived or {}
    judged = [e for e in equations() if e.residual(values) == e.residual(values)]  # not NaN
    failing = [e for e in judged if e.residual(values) != 0]
    if not failing:
        return {}
    found = _candidates(values, judged, failing, derived)
    every = [(cell, new) for cell, new, fixed in found if len(fixed) == len(failing)]
    if len(every) == 1:
        cell, new = every[0]
        kind = (
            "unfilled_total"
            if values[cell] == 0 and any(cell == e.total for e in failing)
            else "single_cell"
        )
        text = suggestion(
            kind, cell=address.get(cell, "?"), value=whole_text(new), rules=_rules_text(failing)
        )
        return {(e.rule, e.key): Hint(text, cell, new) for e in failing}
    out: dict[tuple[str, str], Hint] = {}
    misfiled = _misfiled(values, failing)
    for e in failing:
        mine = [(cell, new) for cell, new, fixed in found if e in fixed]
        if len(mine) == 1 and not every:
            cell, new = mine[0]
            text = suggestion(
                "single_cell",
                cell=address.get(cell, "?"),
                value=whole_text(new),
                rules=_rules_text([e]),
            )
            out[e.rule, e.key] = Hint(text, cell, new)
            continue
        said = (
            _split_number(e, values, address, derived)
            or _unfilled(e, values, address, derived)
            or misfiled.get((e.rule, e.key))
            or (_several(mine, address, e) if mine else None)
        )
        if said:
            out[e.rule, e.key] = Hint(said, candidates=tuple(cell for cell, _ in mine))
    return out


def _candidates(
    values: Values, judged: list[Equation], failing: list[Equation], derived: Derived
) -> list[tuple[Cell, float, frozenset[Equation]]]:
    """Each cell one change of which explains some failing equations: the cell, its value
    after the change, and the failing equations it fixes (every one it touches)."""
    touched = frozenset().union(*(e.cells for e in failing))
    cells = {c for c in touched if c not in derived}
    for d in touched & derived.keys():
        cells |= {p for p in _sources(d, derived) if p not in derived}
    feeds = _feeding(derived)
    out = []
    for cell in sorted(cells):
        value = values.get(cell, float("nan"))
        if value != value:
            continue
        moved = _moved(cell, feeds)
        effect = {e: sum(k * moved.get(c, 0) for c, k in e.terms) for e in judged}
        if any(effect[e] for e in judged if e not in failing):
            continue  # NOTE: it would break a sum that holds
        fixing = [e for e in failing if effect[e]]
        if not fixing:
            continue
        deltas = {-e.residual(values) / effect[e] for e in fixing}
        if len(deltas) != 1:
            continue
        new = value + deltas.pop()
        if new < 0 or not float(new).is_integer():
            continue  # NOTE: a count is a whole number ≥ 0
        out.append((cell, new, frozenset(fixing)))
    return out


def _feeding(derived: Derived) -> dict[Cell, list[Cell]]:
    """For each cell, the derived cells whose formula adds it up."""
    feeds: dict[Cell, list[Cell]] = {}
    for d, parts in derived.items():
        for p in parts:
            feeds.setdefault(p, []).append(d)
    return feeds


def _moved(cell: Cell, feeds: dict[Cell, list[Cell]]) -> dict[Cell, int]:
    """How much each cell moves when `cell` moves by 1 (derived cells follow their parts)."""
    moved: dict[Cell, int] = {cell: 1}
    frontier = {cell: 1}
    for _ in range(16):  # NOTE: formulas nest a few levels; a cycle must not loop forever
        step: dict[Cell, int] = {}
        for c, amount in frontier.items():
            for d in feeds.get(c, ()):
                step[d] = step.get(d, 0) + amount
        if not step:
            break
        for d, amount in step.items():
            moved[d] = moved.get(d, 0) + amount
        frontier = step
    return moved


def _sources(cell: Cell, derived: Derived, depth: int = 0) -> set[Cell]:
    """The cells a derived cell is worked out from, through nested formulas."""
    out: set[Cell] = set()
    for p in derived.get(cell, ()):
        out |= _sources(p, derived, depth + 1) if p in derived and depth < 8 else {p}
    return out


def _several(mine: list[tuple[Cell, float]], address: Mapping[Cell, str], e: Equation) -> str:
    """Several cells explain a broken sum equally: name them all (runs of a column as ranges),
    blame none."""
    named = "、".join(_ranges([address.get(cell, "?") for cell, _ in mine]))
    return suggestion("several_cells", cells=named, count=len(mine), rules=_rules_text([e]))


_ADDRESS = re.compile(r"([A-Z]{1,3})(\d+)")


def _ranges(addresses: list[str]) -> list[str]:
    """Cell addresses with consecutive rows of one column joined: D6、D7、D8、D30 → D6:D8、D30."""
    parsed = sorted(
        (m.group(1), int(m.group(2))) for a in addresses if (m := _ADDRESS.fullmatch(a))
    )
    out: list[str] = []
    i = 0
    while i < len(parsed):
        col, first = parsed[i]
        last = first
        while i + 1 < len(parsed) and parsed[i + 1] == (col, last + 1):
            i += 1
            last += 1
        out.append(f"{col}{first}" if first == last else f"{col}{first}:{col}{last}")
        i += 1
    return out + [a for a in addresses if not _ADDRESS.fullmatch(a)]


def _split_number(
    e: Equation, values: Values, address: Mapping[Cell, str], derived: Derived
) -> str | None:
    """Two adjacent single digits that, read as one number, make the sum right."""
    parts = e.parts
    if e.rule == "s3.balance" or e.total in derived or any(p in derived for p in parts):
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


def _unfilled(
    e: Equation, values: Values, address: Mapping[Cell, str], derived: Derived
) -> str | None:
    """A total of 0 beside parts that are not."""
    if e.rule == "s3.balance" or values[e.total] != 0 or e.total in derived:
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
    by_col: dict[str, dict[str, float]] = {}
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
