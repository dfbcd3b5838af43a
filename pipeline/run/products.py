"""What the stages hand on, as values: each stage's product, made from the one before (in
memory, in one run) or read back from its files (a stage run on its own), and written out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from pipeline import aggregate as agg
from pipeline import store
from pipeline.ingest.register import RECEIVED, register
from pipeline.paths import Paths
from pipeline.problems import ERROR, WARNING, findings_table
from pipeline.validate import LastYear, consolidated_findings, has_errors, validated_findings
from pipeline.validate.strict import strict_findings
from schemas.rules import WideTables

Write = Callable[[pd.DataFrame, Path], Path]  # how a cell table is written (now, or behind)


@dataclass(frozen=True)
class Ingested:
    """What ingest made of a year's returns."""

    cells: pd.DataFrame  # every cell read (01_ingested/cells.csv)
    files: pd.DataFrame  # each file received: its unit, year, status (01_ingested/returns.csv)
    findings: pd.DataFrame  # the findings of reading them (01_ingested/findings.csv)
    units: pd.DataFrame  # the roster (raw/<year>/units.csv)

    @cached_property
    def received(self) -> pd.DataFrame:
        """The cells that count: one received return per unit."""
        return agg.received_cells(self.cells, self.files)

    @cached_property
    def roll(self) -> pd.DataFrame:
        """The roll call: each unit of the roster as received, missing, duplicate … (register.csv)."""
        return register(self.files, self.units)


def write_ingested(
    paths: Paths, ingested: Ingested, write_cells: Write = store.write_cells
) -> list[Path]:
    """Write what ingest made (`write_cells` may write the large cell table in the background)."""
    return [
        write_cells(ingested.cells, paths.ingested_cells),
        store.write_csv(ingested.files, paths.ingested_returns),
        store.write_csv(ingested.findings, paths.ingested_findings),
        store.write_csv(ingested.roll, paths.register),
    ]


def read_ingested(paths: Paths, units: pd.DataFrame) -> Ingested:
    """What ingest wrote, read back (for a stage run on its own)."""
    return Ingested(
        store.read_cells(paths.ingested_cells),
        store.read_csv(paths.ingested_returns),
        store.read_csv(paths.ingested_findings),
        units,
    )


@dataclass(frozen=True)
class Validated:
    """What validation found: every finding of the returns (ingest's and the rules'), and each
    return's tables laid out by file and row."""

    findings: pd.DataFrame
    unit_tables: dict[str, pd.DataFrame]

    @property
    def blocked(self) -> bool:
        return has_errors(self.findings)


UNIT_TABLES = ("s2", "s3", "s4", "s6")


def validated(
    ingested: Ingested, last: LastYear, *, strict: bool = False, allow_missing: bool = False
) -> Validated:
    """Every return checked against the rules (and against last year's, when at hand); with
    `allow_missing`, a unit that sent nothing is a warning."""
    tables = WideTables(ingested.cells)
    kinds = dict(zip(ingested.units["name"], ingested.units["kind"], strict=True))
    found = validated_findings(ingested.cells, strict=strict, last=last, tables=tables, kinds=kinds)
    read = ingested.findings.to_dict("records")
    read = strict_findings(read) if strict else read
    findings = findings_table(
        [*(missing_allowed(read) if allow_missing else read), *found.to_dict("records")]
    )
    laid_out = {s: agg.unit_table(ingested.cells, s, tables) for s in UNIT_TABLES}
    return Validated(findings, laid_out)


def write_validated(paths: Paths, validated: Validated) -> list[Path]:
    """Write the findings of validation and each return's tables."""
    written = [store.write_csv(validated.findings, paths.validated_findings)]
    for section, table in validated.unit_tables.items():
        written.append(store.write_csv(table, paths.unit_tables(section)))
    return written


def read_validated(paths: Paths) -> Validated:
    """The findings validation wrote, read back (each return's tables are not needed later)."""
    return Validated(store.read_csv(paths.validated_findings), {})


@dataclass(frozen=True)
class Aggregated:
    """The county's table (the cell-by-cell sum over the received returns) and its findings, or
    why it was not made."""

    county: pd.DataFrame | None
    findings: pd.DataFrame
    units: int = 0
    message: str = ""  # why no county table was made

    @property
    def checked(self) -> bool:
        """Whether the county table passed its rules."""
        return self.county is not None and not has_errors(self.findings)


MISSING_RULE = "register.missing"


def missing_allowed(records: list[dict]) -> list[dict]:
    """The findings as `--allow-missing` has them: a unit that sent nothing is a warning (the
    report names it in its notes and leaves it out of the county's figures), not an error."""
    return [{**r, "severity": WARNING} if r.get("rule") == MISSING_RULE else r for r in records]


def blocking(findings: pd.DataFrame, allow_missing: bool) -> pd.DataFrame:
    """The findings as they stand in the way of the county report (a unit that sent nothing
    does not, with `allow_missing`: the report names it instead)."""
    if not allow_missing or not (findings["rule"] == MISSING_RULE).any():
        return findings
    return findings.assign(
        severity=findings["severity"].mask(findings["rule"] == MISSING_RULE, WARNING)
    )


def aggregated(
    ingested: Ingested,
    validated: Validated,
    last: LastYear,
    *,
    draft: bool = False,
    allow_missing: bool = False,
) -> Aggregated:
    """The county table, checked again (across years over the units that reported in both);
    none while the returns' errors stand, unless a draft is asked for."""
    refused = refusal(validated, draft=draft, allow_missing=allow_missing)
    if refused is not None:
        return refused
    cells = ingested.received
    county = agg.county_cells(cells)
    previous, now = last, None
    compared = like_for_like(cells, last)
    if compared is not None:
        # NOTE: the county's years are compared over the units that reported in both: a unit
        # that is new, or did not report, would otherwise break the carry-over of the whole county
        now = agg.as_unit_cells(compared.this)
        previous = LastYear(last.year, agg.as_unit_cells(compared.last), last.where)
    found = consolidated_findings(agg.as_unit_cells(county), previous, now)
    return Aggregated(county, found, int(cells["unit"].nunique()))


@dataclass(frozen=True)
class LikeForLike:
    """The county's table this year and last over the same units: those present in both."""

    this: pd.DataFrame  # county cells (`agg.county_cells`) over `units`, this year
    last: pd.DataFrame  # the same, last year
    units: tuple[str, ...]  # the units present in both years (this year's names)
    received: int  # the units whose returns count this year
    last_units: int  # the units with last year's cells


def like_for_like(cells: pd.DataFrame, last: LastYear) -> LikeForLike | None:
    """This year's received `cells` and last year's summed over the units present in both years
    (`LastYear.present`), or None without last year's cells."""
    if last.cells is None:
        return None
    received = list(dict.fromkeys(cells["unit"]))
    both = last.present(received)
    kept = set(both)
    return LikeForLike(
        agg.county_cells(cells[cells["unit"].isin(kept)]),
        agg.county_cells(last.cells[last.cells["unit"].isin(kept)]),
        tuple(both),
        len(received),
        len(last.sources) if last.sources else int(last.cells["unit"].nunique()),
    )


def refusal(validated: Validated, *, draft: bool, allow_missing: bool) -> Aggregated | None:
    """No county table while the returns' errors stand (unless a draft is asked for): why."""
    findings = blocking(validated.findings, allow_missing)
    if draft or not has_errors(findings):
        return None
    errors = findings.loc[findings["severity"] == ERROR, "rule"]
    n, missing = len(errors), int((errors == MISSING_RULE).sum())
    if missing == n:
        # NOTE: only units that sent nothing stand in the way: say how to go on without them
        message = (
            f"{n}个单位未报送，未汇总全县数据，未生成报告。如只汇总已收到的报表，"
            "请加 --allow-missing（未报送的单位在报告附注中列出）"
        )
    elif missing:
        message = f"校验发现{n}个错误（其中{missing}个是单位未报送），未汇总全县数据。未生成报告"
    else:
        message = f"校验发现{n}个错误，未汇总全县数据。未生成报告"
    return Aggregated(None, findings_table([]), message=message)


NO_COUNTY = "没有全县汇总数据（汇总未完成或被错误阻止），未生成报告。"


def write_aggregated(paths: Paths, aggregated: Aggregated) -> list[Path]:
    """Write the county table and its findings (nothing when none was made)."""
    if aggregated.county is None:
        return []
    return [
        store.write_cells(aggregated.county, paths.county_cells),
        store.write_csv(aggregated.findings, paths.county_findings),
    ]


def read_aggregated(paths: Paths) -> Aggregated:
    """The county table aggregation wrote, read back; none when it made none."""
    if not paths.county_cells.exists():
        return Aggregated(None, findings_table([]), message="没有全县汇总数据")
    county = store.read_cells(paths.county_cells)
    return Aggregated(county, store.read_csv(paths.county_findings), int(county["units"].max()))


def received_units(files: pd.DataFrame) -> dict[str, list[str]]:
    """Each unit with its received return file(s)."""
    received = files[files["status"] == RECEIVED]
    return received.groupby("unit")["file"].apply(list).to_dict()
