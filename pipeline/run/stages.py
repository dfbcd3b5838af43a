"""Running the stages: read each stage's inputs through the path registry, call the pure stage functions, write the products."""

from __future__ import annotations

import contextlib
import ctypes
import gc
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa

from pipeline import aggregate as agg
from pipeline import render as rnd
from pipeline import store
from pipeline.format2021 import TABLES
from pipeline.ingest.register import MISSING, RECEIVED, register
from pipeline.inputs import CannotStart, read_config, read_template
from pipeline.paths import Paths
from pipeline.problems import finding, findings_table, severity_counts
from pipeline.render import charts, feedback, summary, word
from pipeline.run.checks import _needs, check_inputs
from pipeline.run.previous_year import last_year
from pipeline.run.reading import Progress, read_year
from pipeline.validate import consolidated_findings, has_errors, validated_findings
from pipeline.validate.narrative import narrative_findings
from pipeline.validate.strict import strict_findings
from pipeline.validate.years import LastYear
from schemas.rules import Tables


@dataclass
class StageResult:
    """What a stage did: counts to report, files written, and whether errors block what follows."""

    stage: str
    counts: dict[str, int] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    blocked: bool = False
    message: str = ""
    seconds: float = 0.0


# NOTE: Arrow's own allocator keeps what a stage freed for itself; the C library's gives it back
# (with malloc_trim), so a run over a province holds one stage's tables at a time, not all of them
pa.set_memory_pool(pa.system_memory_pool())


def release_memory() -> None:
    """Hand what the last stage freed back to the system before the next one starts."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def run_ingest(
    paths: Paths, progress: Progress | None = None, *, behind: bool = False
) -> StageResult:
    """Read every file in raw/<year>/returns/ into the long cell table and the register of returns
    (`behind`: the cell table is written while the run goes on; see `store.write_cells`)."""
    cells, returns, findings, units = read_year(paths, progress)
    store.remove(paths.products_after("ingest"))
    written = [
        store.write_cells(cells, paths.ingested_cells, behind=behind),
        store.write_csv(returns, paths.ingested_returns),
        store.write_csv(findings, paths.ingested_findings),
        store.write_csv(register(returns, units), paths.register),
    ]
    received = int((returns["status"] == RECEIVED).sum())
    return StageResult(
        "ingest",
        {"files": len(returns), "received": received, "units": len(units), "cells": len(cells)},
        written,
    )


def run_template(paths: Paths) -> StageResult:
    """Write a return workbook for every unit of units.csv, and a blank generic copy."""
    units = check_inputs(paths)
    written = [
        store.write_template(paths.template(name), name, paths.year) for name in units["name"]
    ]
    written.append(store.write_template(paths.template(""), "", paths.year))
    return StageResult("template", {"units": len(units)}, written)


def run_validate(paths: Paths, *, strict: bool = False) -> StageResult:
    """Check every return against the rules; write the findings, the issues page, each return's
    tables and, for each unit with problems, a feedback workbook."""
    _needs(paths.ingested_cells, paths.ingested_findings, paths.ingested_returns, paths.register)
    cells = store.read_cells(paths.ingested_cells)
    previous = last_year(paths)
    tables = Tables(cells)
    found = validated_findings(cells, strict=strict, last=previous, tables=tables)
    read = store.read_csv(paths.ingested_findings).to_dict("records")
    findings = findings_table(
        [*(strict_findings(read) if strict else read), *found.to_dict("records")]
    )
    store.remove(paths.products_after("validate"))
    written = [
        store.write_csv(findings, paths.validated_findings),
        store.write_csv(findings, paths.issues_csv),
    ]
    for section in ("s2", "s3", "s4", "s6"):
        table = agg.unit_table(cells, section, tables)
        written.append(store.write_csv(table, paths.unit_tables(section)))
    returns = store.read_csv(paths.ingested_returns)
    written += write_issues(paths, findings)
    written += write_feedback(paths, findings, returns)
    return StageResult("validate", severity_counts(findings), written, blocked=has_errors(findings))


def write_issues(paths: Paths, findings: pd.DataFrame | None = None) -> list[Path]:
    """The issues list (issues.csv, issues.html): every finding of the run so far, the returns'
    (`findings`, else as validation wrote them) with the county's and the narratives'."""
    parts = [findings if findings is not None else store.read_csv(paths.validated_findings)]
    for later in (paths.county_findings, paths.narrative_findings, paths.units_narrative_findings):
        if later.exists():
            parts.append(store.read_csv(later))
    every = findings_table([r for part in parts for r in part.to_dict("records")])
    page = rnd.issues_html(paths.year, every, store.read_csv(paths.register))
    return [store.write_csv(every, paths.issues_csv), store.write_text(page, paths.issues_html)]


def write_feedback(paths: Paths, findings, returns) -> list[Path]:
    """A copy of each return with problems, its problem cells marked and commented, to send back."""
    written = []
    for file, marks in feedback.marks_by_file(findings).items():
        unit = returns.loc[returns["file"] == file, "unit"]
        name = unit.iloc[0] if len(unit) and unit.iloc[0] else Path(file).stem
        source = paths.raw / file
        target = paths.feedback_file(name, source.suffix)
        if target in written:  # NOTE: a unit's second problem file must not overwrite its first
            target = paths.feedback_file(f"{name}_{Path(file).stem}", source.suffix)
        written.append(feedback.write_feedback(source, target, marks, document_time(paths.year)))
    return written


def document_time(year: int) -> datetime:
    """The date written into generated Office files: fixed per year, so reruns give the same bytes."""
    return datetime(year + 1, 1, 1)


def blocking(findings, allow_missing: bool):
    """The findings that stand in the way of the county report (a unit that sent nothing does
    not, with `allow_missing`: the report names it instead)."""
    return findings[findings["rule"] != "register.missing"] if allow_missing else findings


def run_aggregate(paths: Paths, *, draft: bool = False, allow_missing: bool = False) -> StageResult:
    """Sum the received returns into the county table and check it again; refuse while errors
    stand, unless a draft is asked for (with `allow_missing`, a unit that sent nothing does not
    block: the report names it)."""
    _needs(paths.validated_findings, paths.ingested_cells, paths.ingested_returns)
    findings = blocking(store.read_csv(paths.validated_findings), allow_missing)
    store.remove(paths.products_after("aggregate"))
    if has_errors(findings) and not draft:
        n = severity_counts(findings)["error"]
        return StageResult(
            "aggregate", blocked=True, message=f"校验发现{n}个错误，未汇总全县数据。未生成报告"
        )
    cells = agg.received_cells(
        store.read_cells(paths.ingested_cells), store.read_csv(paths.ingested_returns)
    )
    county = agg.county_cells(cells)
    previous = last_year(paths)
    if previous.cells is not None:
        # NOTE: the county's years are compared over the units that reported in both: a unit
        # that is new, or did not report, would otherwise break the carry-over of the whole county
        common = agg.common_units(cells, previous.cells)
        now = agg.as_unit_cells(agg.county_cells(agg.of_units(cells, common)))
        before = agg.as_unit_cells(agg.county_cells(agg.of_units(previous.cells, common)))
        previous = LastYear(previous.year, before, previous.where)
    else:
        now = None
    county_findings = consolidated_findings(agg.as_unit_cells(county), previous, now)
    written = [
        store.write_cells(county, paths.county_cells),
        store.write_csv(county_findings, paths.county_findings),
    ]
    counts = {"units": int(cells["unit"].nunique()), **severity_counts(county_findings)}
    return StageResult(
        "aggregate", counts, written, blocked=has_errors(county_findings) and not draft
    )


def run_render(paths: Paths, *, draft: bool = False, allow_missing: bool = False) -> StageResult:
    """Write the county report and its tables from the aggregated cells; with errors, only as a
    draft marked 草稿（数据未通过校验） when one is asked for (with `allow_missing`, the units that
    sent nothing are named in the report's notes)."""
    if not paths.county_cells.exists():
        return StageResult(
            "render",
            blocked=True,
            message="没有全县汇总数据（汇总未完成或被错误阻止），未生成报告。",
        )
    unchecked = has_errors(store.read_csv(paths.county_findings)) or has_errors(
        blocking(store.read_csv(paths.validated_findings), allow_missing)
    )
    if unchecked and not draft:
        return StageResult("render", blocked=True, message="全县汇总数据未通过校验，未生成报告。")
    _needs(paths.ingested_cells, paths.ingested_returns)
    county = store.read_cells(paths.county_cells)
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
    context = rnd.narrative_context(
        paths.year, "全县", values, unit=name, county=name, units=int(county["units"].max())
    )
    try:
        blocks = rnd.narrative_blocks(source, context)
    except rnd.NarrativeError as exc:
        raise CannotStart(f"报告文字模板 {paths.narrative} {exc}，无法生成全县报告") from None
    store.remove(paths.products_after("render"))
    checked = narrative_findings(blocks, paths.year, report="全县报告", unit="全县", file=file)
    checked = findings_table([*notes, *checked.to_dict("records")])
    findings_file = store.write_csv(checked, paths.narrative_findings)
    written = [findings_file, *write_issues(paths)]
    counts = severity_counts(checked)
    if has_errors(checked):
        return StageResult(
            "render",
            counts,
            written,
            blocked=True,
            message=f"报告文字有{counts['error']}个错误，未生成报告；明细见 {paths.shown(paths.issues_html)}。",
        )
    report = rnd.Report(
        title=f"{name}{paths.year}年政府信息公开工作年度报告",
        subtitle="",
        year=paths.year,
        subject="全县",
        values=values,
        narrative=rnd.with_fee_statement(blocks, context["fee_statement"]),
        draft=unchecked,
        notes=_missing_notes(paths) if allow_missing else (),
    )
    written.append(store.write_cells(rnd.tidy_cells(county), paths.tidy_cells))
    for section in TABLES:
        written.append(
            store.write_grid(
                rnd.layout_table(section.code, values), paths.section_table(section.code)
            )
        )
    written.append(store.write_text(rnd.report_html(report), paths.report_html))
    written.append(store.write_text(rnd.report_md(report), paths.report_md))
    written.append(store.write_bytes(word.report_docx(report), paths.report_docx))
    returns = store.read_csv(paths.ingested_returns)
    cells = agg.received_cells(store.read_cells(paths.ingested_cells), returns)
    written.append(store.write_bytes(_summary(paths, report, cells, returns), paths.summary_xlsx))
    written.append(store.write_text(_charts(paths, report, cells), paths.charts_html))
    return StageResult("render", {"reports": 1, "draft": int(unchecked), **counts}, written)


def _missing_notes(paths: Paths) -> tuple[str, ...]:
    register = store.read_csv(paths.register)
    missing = register.loc[register["status"] == MISSING, "unit"].tolist()
    return (rnd.missing_note(missing, paths.year),) if missing else ()


def _charts(paths: Paths, report: rnd.Report, cells) -> str:
    """The analysts' charts page of the county report `report` (`cells`: the received returns')."""
    previous = last_year(paths)
    if previous.cells is None:
        last, source = None, previous.where
    else:
        last, source = rnd.values_of(agg.county_cells(previous.cells)), previous.where
    return charts.charts_html(report.title, paths.year, cells, report.values, last, source)


def _summary(paths: Paths, report: rnd.Report, cells, returns) -> bytes:
    """The analysts' workbook of the county report `report`."""
    return summary.summary_xlsx(
        report.title,
        paths.year,
        report.values,
        cells,
        store.read_csv(paths.validated_findings),
        returns,
    )


DEFAULT_COUNTY_NARRATIVE = "pipeline/templates/county_narrative.md.j2（内置默认文字）"
