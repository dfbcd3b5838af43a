"""The stages, each its product written: ingest, validate, aggregate, render the county report;
and each run on its own, reading the product of the stage before from its files."""

from __future__ import annotations

import contextlib
import ctypes
import gc
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa

from pipeline import render as rnd
from pipeline import store
from pipeline.format2021 import PRINTED_SECTIONS
from pipeline.ingest.register import MISSING, RECEIVED
from pipeline.inputs import CannotStart, read_config, read_reviewed, read_template
from pipeline.memo import Memo
from pipeline.paths import Paths
from pipeline.problems import finding, findings_table, severity_counts
from pipeline.render import charts, summary, word
from pipeline.render.supplied import supplied_figures
from pipeline.review import reviewed, still_open, tally
from pipeline.run.checks import _needs, check_inputs
from pipeline.run.feedback_files import WriteAll, write_feedback
from pipeline.run.previous_year import read_last_year
from pipeline.run.products import (
    NO_COUNTY,
    Aggregated,
    Ingested,
    Validated,
    aggregated,
    blocking,
    like_for_like,
    read_aggregated,
    read_ingested,
    read_validated,
    refusal,
    validated,
    write_aggregated,
    write_ingested,
    write_validated,
)
from pipeline.run.products import Write as WriteCells
from pipeline.run.reading import Progress, read_year
from pipeline.validate import LastYear, has_errors
from pipeline.validate.narrative import narrative_findings


@dataclass
class StageResult:
    """What a stage did: counts to report, files written, and whether errors block what follows."""

    stage: str
    counts: dict[str, int] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    blocked: bool = False
    message: str = ""
    seconds: float = 0.0
    findings: pd.DataFrame | None = None  # what the stage found, for the issues list
    tally: dict[str, int] = field(default_factory=dict)  # the issues list it wrote, counted


# NOTE: Arrow's own allocator keeps what a stage freed for itself; the C library's gives it back
# (with malloc_trim), so a run over a province holds one stage's tables at a time, not all of them
pa.set_memory_pool(pa.system_memory_pool())


def release_memory() -> None:
    """Hand what the last stage freed back to the system before the next one starts."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


# -- ingest -------------------------------------------------------------------------------------
def ingest_stage(
    paths: Paths, ingested: Ingested, write_cells: WriteCells = store.write_cells
) -> StageResult:
    """Write what ingest made of the year's returns."""
    written = write_ingested(paths, ingested, write_cells)
    files = ingested.files
    counts = {
        "files": len(files),
        "received": int((files["status"] == RECEIVED).sum()),
        "units": len(ingested.units),
        "cells": len(ingested.cells),
    }
    return StageResult("ingest", counts, written)


def run_ingest(paths: Paths, progress: Progress | None = None) -> StageResult:
    """Read every file in raw/<year>/returns/ and write the long cell table, the list of files
    received, the roll call of units and the findings of reading them."""
    ingested = read_year(paths, Memo(), progress)
    store.remove(paths.products_after("ingest"))
    return ingest_stage(paths, ingested)


# -- validate ---------------------------------------------------------------------------------
def validate_stage(
    paths: Paths, ingested: Ingested, found: Validated, write: WriteAll | None = None
) -> StageResult:
    """Write the findings of validation, each return's tables and, for each return with
    problems still open (none the office has checked: reviewed.csv), a feedback workbook (by
    `write`: default, here and now)."""
    written = write_validated(paths, found)
    when = document_time(paths.year)
    sent = still_open(found.findings, read_reviewed(paths.reviewed, ingested.units))
    written += write_feedback(paths, sent, ingested.files, ingested.cells, when, write)
    counts = severity_counts(found.findings)
    return StageResult("validate", counts, written, blocked=found.blocked, findings=found.findings)


def run_validate(paths: Paths, *, strict: bool = False) -> StageResult:
    """Check every return ingest read against the rules and write what was found."""
    _needs(paths.ingested_cells, paths.ingested_findings, paths.ingested_returns, paths.register)
    ingested = read_ingested(paths, check_inputs(paths))
    found = validated(ingested, read_last_year(paths), strict=strict)
    store.remove(paths.products_after("validate"))
    result = validate_stage(paths, ingested, found)
    issues = write_issues(paths, [found.findings], ingested)
    result.written += issues.written
    result.tally = issues.tally
    return result


@dataclass(frozen=True)
class Issues:
    """The issues list as written: its files, and its findings counted (`review.tally`) as the
    console, the page, the CSV and the manifest all state them."""

    written: list[Path]
    tally: dict[str, int]


def write_issues(paths: Paths, parts: list[pd.DataFrame], ingested: Ingested) -> Issues:
    """The issues list (issues.csv, issues.html): every finding of the run so far, the returns'
    with the county's and the narratives' (`parts`), with the office's decisions applied
    (raw/<year>/reviewed.csv)."""
    every = findings_table([r for part in parts for r in part.to_dict("records")])
    listed = reviewed(every, read_reviewed(paths.reviewed, ingested.units))
    counted = tally(listed)
    page = rnd.issues_html(paths.year, listed, ingested.roll, counted)
    written = [store.write_csv(listed, paths.issues_csv), store.write_text(page, paths.issues_html)]
    return Issues(written, counted)


def findings_so_far(paths: Paths) -> list[pd.DataFrame]:
    """The findings the stages have written: the returns', the county's, the narratives'."""
    parts = [store.read_csv(paths.validated_findings)]
    for later in (paths.county_findings, paths.narrative_findings, paths.units_narrative_findings):
        if later.exists():
            parts.append(store.read_csv(later))
    return parts


def document_time(year: int) -> datetime:
    """The date written into generated Office files: fixed per year, so reruns give the same bytes."""
    return datetime(year + 1, 1, 1)


# -- aggregate --------------------------------------------------------------------------------
def aggregate_stage(paths: Paths, made: Aggregated, *, draft: bool = False) -> StageResult:
    """Write the county table and its findings, or say why there is none."""
    if made.county is None:
        return StageResult("aggregate", blocked=True, message=made.message)
    counts = {"units": made.units, **severity_counts(made.findings)}
    written = write_aggregated(paths, made)
    return StageResult("aggregate", counts, written, blocked=not made.checked and not draft)


def run_aggregate(paths: Paths, *, draft: bool = False, allow_missing: bool = False) -> StageResult:
    """Sum the received returns into the county table and check it again; refuse while errors
    stand, unless a draft is asked for (with `allow_missing`, a unit that sent nothing does not
    block: the report names it)."""
    _needs(paths.validated_findings, paths.ingested_cells, paths.ingested_returns)
    found = read_validated(paths)
    store.remove(paths.products_after("aggregate"))
    made = refusal(found, draft=draft, allow_missing=allow_missing) or aggregated(
        read_ingested(paths, check_inputs(paths)),
        found,
        read_last_year(paths),
        draft=draft,
        allow_missing=allow_missing,
    )
    return aggregate_stage(paths, made, draft=draft)


# -- render the county report -----------------------------------------------------------------
def render_stage(
    paths: Paths,
    ingested: Ingested,
    found: Validated,
    made: Aggregated,
    last: LastYear,
    *,
    draft: bool = False,
    allow_missing: bool = False,
) -> StageResult:
    """Write the county report and its tables from the county table; with errors, only as a
    draft marked 草稿（数据未通过校验） when one is asked for (with `allow_missing`, the units that
    sent nothing are named in the report's notes)."""
    if made.county is None:
        return StageResult("render", blocked=True, message=NO_COUNTY)
    unchecked = not made.checked or has_errors(blocking(found.findings, allow_missing))
    if unchecked and not draft:
        return StageResult("render", blocked=True, message="全县汇总数据未通过校验，未生成报告。")
    county = made.county
    config = read_config(paths.config)
    name = config.get("county", "全县")
    values = rnd.values_of(county)
    notes = []
    if paths.narrative.exists():
        source, file = read_template(paths.narrative), paths.relative(paths.narrative)
    else:
        source, file = rnd.default_narrative("全县"), DEFAULT_COUNTY_NARRATIVE
        notes.append(finding("narrative.default", unit="全县", file=file, template=paths.narrative))
    if not paths.config.exists():
        notes.append(finding("config.default", unit="全县", config=paths.config))
    supplied = supplied_figures(paths.supplied, paths.year)
    if supplied.undated:
        notes.append(undated(paths, paths.supplied, "全县", "全县报告"))
    context = rnd.narrative_context(
        paths.year,
        "全县",
        values,
        unit=name,
        county=name,
        units=int(county["units"].max()),
        **supplied.figures,
    )
    unstated = int(county["units"].max()) - int(
        county.loc[county["section"] == "s6", "units"].max()
    )
    if unstated:
        # NOTE: a unit that stated no fee figures is not counted in them, and the county says so
        context["fee_statement"] += f"另有{unstated}个单位未填报信息处理费情况，未计入上述数字。"
    try:
        blocks = rnd.narrative_blocks(source, context)
    except rnd.NarrativeError as exc:
        raise CannotStart(f"报告文字模板 {paths.narrative} {exc}，无法生成全县报告") from None
    checked = narrative_findings(blocks, paths.year, report="全县报告", unit="全县", file=file)
    checked = findings_table([*notes, *checked.to_dict("records")])
    written = [store.write_csv(checked, paths.narrative_findings)]
    counts = severity_counts(checked)
    if has_errors(checked):
        shown = paths.shown(paths.issues_html)
        message = f"报告文字有{counts['error']}个错误，未生成报告；明细见 {shown}。"
        return StageResult("render", counts, written, True, message, findings=checked)
    cells = ingested.received
    roster = int((ingested.roll["unit_code"] != "").sum())
    partial = rnd.partial_note(int(cells["unit"].nunique()), roster, paths.year)
    report = rnd.Report(
        title=f"{name}{paths.year}年政府信息公开工作年度报告",
        subtitle="",
        # NOTE: a county's report is its government's (古县人民政府); without a county, no one's
        issuer=f"{name}人民政府" if config.get("county") else "",
        year=paths.year,
        subject="全县",
        values=values,
        narrative=rnd.with_fee_statement(blocks, context["fee_statement"]),
        draft=unchecked,
        notes=_missing_notes(ingested.roll, paths.year) if allow_missing else (),
        partial=partial,
    )
    written.append(store.write_cells(rnd.tidy_cells(county), paths.tidy_cells))
    for section in PRINTED_SECTIONS:
        layout = rnd.layout_table(section.code, values)
        written.append(store.write_grid(layout, paths.section_table(section.code)))
    written.append(store.write_text(rnd.report_html(report), paths.report_html))
    written.append(store.write_text(rnd.report_md(report), paths.report_md))
    written.append(store.write_bytes(word.report_docx(report), paths.report_docx))
    compared = year_on_year(cells, last, roster)
    workbook = summary.summary_xlsx(
        report.title,
        paths.year,
        report.values,
        cells,
        found.findings,
        ingested.files,
        compared=compared,
        partial=partial,
    )
    written.append(store.write_bytes(workbook, paths.summary_xlsx))
    page = charts.charts_html(
        report.title, paths.year, cells, report.values, compared, last.where, partial
    )
    written.append(store.write_text(page, paths.charts_html))
    counts = {"reports": 1, "draft": int(unchecked), **counts}
    return StageResult("render", counts, written, findings=checked)


def run_render(paths: Paths, *, draft: bool = False, allow_missing: bool = False) -> StageResult:
    """Write the county report from the products of the stages before."""
    made = read_aggregated(paths)
    if made.county is None:
        return StageResult("render", blocked=True, message=NO_COUNTY)
    _needs(paths.validated_findings, paths.ingested_cells, paths.ingested_returns)
    ingested = read_ingested(paths, check_inputs(paths))
    found = read_validated(paths)
    store.remove(paths.products_after("render"))
    last = read_last_year(paths)
    result = render_stage(
        paths, ingested, found, made, last, draft=draft, allow_missing=allow_missing
    )
    # NOTE: validate, run alone, knew nothing of --allow-missing: the issues list counts as this run
    parts = [blocking(part, allow_missing) for part in findings_so_far(paths)]
    issues = write_issues(paths, parts, ingested)
    result.written += issues.written
    result.tally = issues.tally
    return result


def undated(paths: Paths, path: Path, unit: str, report: str) -> dict:
    """The warning that a supplied-figures file used for `report` does not name its year."""
    return finding(
        "narrative.supplied_undated",
        unit=unit,
        file=paths.relative(path),
        report=report,
        year=paths.year,
    )


def _missing_notes(roll: pd.DataFrame, year: int) -> tuple[str, ...]:
    missing = roll.loc[roll["status"] == MISSING, "unit"].tolist()
    return (rnd.missing_note(missing, year),) if missing else ()


def year_on_year(cells: pd.DataFrame, last: LastYear, roster: int) -> charts.YearOnYear | None:
    """The county this year and last over the units present in both years (`cells`: this year's
    received returns'; `roster`: the units of this year's roster), or None without last year."""
    same = like_for_like(cells, last)
    if same is None:
        return None
    return charts.YearOnYear(
        rnd.values_of(same.this),
        rnd.values_of(same.last),
        len(same.units),
        roster,
        same.received,
        same.last_units,
    )


DEFAULT_COUNTY_NARRATIVE = "pipeline/templates/county_narrative.md.j2（内置默认文字）"
