"""The sum rules of the format, stated once, as data.

Each rule says that in one table, within every row (or every column) it holds in, the cells of
its left side add up to the cells of its right side. Everything else is made from these
statements: the pandera checks (`schemas.rules`), the figures their messages state
(`validate.sums`), the equations that say where an error probably is (`validate.localise`), the
totals the return template computes by formula and the lines of its 填报说明
(`render.workbook`). Adding a sum rule is one entry here and its row in the catalog
(`pipeline/problems/tables.py`); docs/adding-a-rule.md shows one, and a test runs it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.format2021 import S3, S3_OUTCOMES, S3_PARTS, S4_GROUPS, S4_RESULTS, SECTIONS

Cell = tuple[str, str, str]  # (section, row, col)


@dataclass(frozen=True)
class Sum:
    """One sum rule: in table `section`, within each of `records` (its rows when `along` is
    "row", its columns when "col"), Σ `left` = Σ `right` over the codes of the other axis.
    `total` is the code on either side holding the stated figure (where the rule's finding
    stands when nothing better is known); `key` names a rule stated once per group (表四)."""

    rule: str
    section: str
    along: str  # "row" | "col"
    left: tuple[str, ...]
    right: tuple[str, ...]
    records: tuple[str, ...]
    total: str
    key: str = ""

    @property
    def check(self) -> str:
        """The name of its pandera check: the rule id, and its group when it has one."""
        return f"{self.rule}:{self.key}" if self.key else self.rule

    def cell(self, record: str, code: str) -> Cell:
        """The cell of `code` (a code of the other axis) in `record`."""
        return (self.section, record, code) if self.along == "row" else (self.section, code, record)

    def terms(self, record: str) -> tuple[tuple[Cell, int], ...]:
        """The rule in `record` as Σ coefficient × cell = 0 (left +1, right −1)."""
        return (
            *((self.cell(record, c), 1) for c in self.left),
            *((self.cell(record, c), -1) for c in self.right),
        )

    @property
    def formula(self) -> bool:
        """Whether its left side is one total the template can compute from the right side."""
        return self.left == (self.total,)


_S4_PARTS = tuple(r for r in S4_RESULTS if r != "total")

SUMS: tuple[Sum, ...] = (
    Sum(
        "s3.row_total",
        "s3",
        "row",
        left=("total",),
        right=S3_PARTS,
        records=tuple(r.code for r in S3.rows),
        total="total",
    ),
    Sum(
        "s3.outcome_total",
        "s3",
        "col",
        left=("outcome_total",),
        right=S3_OUTCOMES,
        records=tuple(c.code for c in S3.cols),
        total="outcome_total",
    ),
    Sum(
        "s3.balance",
        "s3",
        "col",
        left=("new", "carried_in"),
        right=("outcome_total", "carried_out"),
        records=tuple(c.code for c in S3.cols),
        total="carried_out",
    ),
    *(
        Sum(
            "s4.group_total",
            "s4",
            "row",
            left=(f"{group}_total",),
            right=tuple(f"{group}_{r}" for r in _S4_PARTS),
            records=("cases",),
            total=f"{group}_total",
            key=group,
        )
        for group in S4_GROUPS
    ),
)


def sums_of(section: str, along: str) -> tuple[Sum, ...]:
    """The sum rules checked on the frame of `section` laid out along `along`."""
    return tuple(s for s in SUMS if (s.section, s.along) == (section, along))


def label(section: str, along: str, code: str) -> str:
    """How the format prints a code of the other axis of a rule laid out along `along`."""
    sec = SECTIONS[section]
    return sec.col(code).label if along == "row" else sec.row(code).label


def formula_totals() -> dict[Cell, tuple[Cell, ...]]:
    """The totals the template computes by formula, each with the cells it adds up."""
    totals: dict[Cell, tuple[Cell, ...]] = {}
    for rule in SUMS:
        if rule.formula:
            for record in rule.records:
                parts = tuple(rule.cell(record, c) for c in rule.right)
                totals[rule.cell(record, rule.total)] = parts
    return totals


def guide_lines() -> list[str]:
    """The lines of the template's 填报说明 that state the sum rules, one per rule (a rule
    stated per group once, naming its groups)."""
    lines: list[str] = []
    seen: set[str] = set()
    for rule in SUMS:
        if rule.rule in seen:
            continue
        seen.add(rule.rule)
        table = SECTIONS[rule.section].short
        left = _side(rule, rule.left)
        right = _side(rule, rule.right)
        if rule.key:
            groups = "、".join(
                f"“{'·'.join(S4_GROUPS[s.key])}”" for s in SUMS if s.rule == rule.rule
            )
            lines.append(f"{table}{groups}每组：{left}＝{right}。")
        else:
            axis = "行" if rule.along == "row" else "列"
            lines.append(f"{table}每一{axis}：{left}＝{right}。")
    return lines


_LISTED = 6  # more terms than this are named by the first and the last


def _side(rule: Sum, codes: tuple[str, ...]) -> str:
    labels = [_label_of(rule, c) for c in codes]
    if len(labels) > _LISTED:
        return f"“{labels[0]}”至“{labels[-1]}”共{len(labels)}项之和"
    return "＋".join(f"“{text}”" for text in labels)


def _label_of(rule: Sum, code: str) -> str:
    if rule.section == "s4":
        return S4_RESULTS[code.split("_", 1)[1]]
    return label(rule.section, rule.along, code)
