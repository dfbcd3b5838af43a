"""The rules across years: this year's cells beside last year's (carry-over, documents in force, large swings), or why they could not be run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from pipeline.format2021 import S2, S3, SECTIONS, number_text, whole_text
from pipeline.problems import finding
from pipeline.validate.cells import _cell_label
from pipeline.validate.provenance import Provenance
from schemas import rules


@dataclass(frozen=True)
class LastYear:
    """Last year's cells, or why there are none (then the year rules are not run)."""

    year: int
    cells: pd.DataFrame | None
    where: str  # where they came from, or where they were looked for
    unusable: tuple[str, ...] = ()  # what of last year could not be used, and why
    sources: dict[str, str] = field(default_factory=dict)  # unit → where its cells came from
    # this year's units that last year had another name: `古县乡村振兴局（2022年为古县扶贫开发办公室）`
    renamed: tuple[str, ...] = ()
    notes: tuple[dict, ...] = ()  # findings about last year's documents (e.g. two that disagree)

    def present(self, units: Iterable[str]) -> list[str]:
        """Those of this year's `units` that have last year's cells: the units `sources` says
        last year's cells were put under, the one answer every comparison across years uses."""
        known: set[str] = set(self.sources)
        if not known and self.cells is not None:
            # NOTE: last year's cells made elsewhere (a test, the audit) carry their units alone
            known = set(self.cells["unit"])
        return [u for u in units if u in known]


def year_findings(cells: pd.DataFrame, where: Provenance, last: LastYear | None) -> list[dict]:
    """The rules across years, or one note that they could not be run."""
    if last is None:
        return []
    out = [dict(f) for f in last.notes]
    if last.unusable:
        out.append(
            finding("year.source_unusable", last_year=last.year, problems="；".join(last.unusable))
        )
    if last.cells is None:
        return [*out, finding("year.unchecked", last_year=last.year, where=last.where)]
    if last.sources:
        out.append(_sources(cells, last, last.cells))
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


def _sources(cells: pd.DataFrame, last: LastYear, last_cells: pd.DataFrame) -> dict:
    """year.sources: where last year's cells came from, which units were found under another
    name, and which have none; a unit has last year's cells exactly when the rules across years
    find them (the same key, `rules.unit_across_years`)."""
    before = set(rules.unit_across_years(last_cells))
    units = cells.assign(who=rules.unit_across_years(cells)).drop_duplicates("who")
    missing = sorted(set(units.loc[~units["who"].isin(before), "unit"]) - {""})
    without = (
        f"；{len(missing)}个单位没有{last.year}年度的数据，未做跨年度检查："
        + "、".join(missing[:10])
        + ("等" if len(missing) > 10 else "")
        if missing
        else ""
    )
    renamed = (
        f"；{len(last.renamed)}个单位上年名称不同，按代码或名册的名称、别名对应："
        + "、".join(last.renamed[:10])
        + ("等" if len(last.renamed) > 10 else "")
        if last.renamed
        else ""
    )
    return finding(
        "year.sources", last_year=last.year, where=last.where, renamed=renamed, without=without
    )
