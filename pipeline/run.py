"""Running the stages: read each stage's inputs through the path registry, call the pure stage
functions, write the products. The CLI calls these and prints what they return."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa

from pipeline import aggregate as agg
from pipeline import charts, feedback, io, summary, word
from pipeline import render as rnd
from pipeline.format2021 import TABLES
from pipeline.ingest import (
    MISSING,
    RECEIVED,
    ReturnRead,
    cells_arrow,
    ingested,
    register,
    return_read,
)
from pipeline.layout_rules import strict_findings
from pipeline.narrative_checks import narrative_findings
from pipeline.paths import Paths
from pipeline.problems import findings_table, severity_counts
from pipeline.validate import LastYear, consolidated_findings, has_errors, validated_findings
from schemas.rules import Tables

Progress = Callable[[int], None]  # called with the number of files just read


class CannotStart(Exception):
    """The run cannot start (no such year folder, no register of units…); the message is Chinese."""


@dataclass
class StageResult:
    """What a stage did: counts to report, files written, and whether errors block what follows."""

    stage: str
    counts: dict[str, int] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    blocked: bool = False
    message: str = ""
    seconds: float = 0.0


def check_inputs(paths: Paths) -> None:
    """Refuse to start when the year's folder or its register of units is missing."""
    if not paths.raw.is_dir():
        raise CannotStart(f"找不到年度文件夹：{paths.raw}（请检查 --raw 和 --year）")
    if not paths.units.is_file():
        raise CannotStart(f"找不到单位名册：{paths.units}（应有 code,name,kind,aliases 四列）")


# NOTE: Arrow's own allocator keeps what a stage freed for itself; the C library's gives it back
# (with malloc_trim), so a run over a province holds one stage's tables at a time, not all of them
pa.set_memory_pool(pa.system_memory_pool())


def release_memory() -> None:
    """Hand what the last stage freed back to the system before the next one starts."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


PARALLEL_FROM = 200  # files: below this, starting worker processes costs more than it saves
BATCHES_PER_WORKER = (
    20  # small enough to balance the load at the end and show progress; large enough to pay
)


def read_year(paths: Paths, progress: Progress | None = None):
    """Every file in raw/<year>/returns/ read: the cells, the register of returns, the findings.

    Many files are read on every core: each worker reads a batch of files and sends back their
    reads together (one message per batch, not per file)."""
    check_inputs(paths)
    units = io.read_units(paths.units)
    files = paths.return_files()
    names = [paths.relative(p) for p in files]
    workers = min(os.cpu_count() or 1, 8)
    if len(files) < PARALLEL_FROM or workers < 2:
        reads = []
        for path, name in zip(files, names, strict=True):
            reads.append(read_return(path, name))
            if progress:
                progress(1)
    else:
        size = max(1, len(files) // (workers * BATCHES_PER_WORKER))
        batches = [(files[i : i + size], names[i : i + size]) for i in range(0, len(files), size)]
        reads, tables = [], []
        # NOTE: workers are forked: no thread may be writing meanwhile (last year's returns are
        # read while this year's cell table may still be being written)
        io.wait_written()
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for batch, table in pool.map(read_batch, batches):
                reads.extend(batch)
                tables.append(table)
                if progress:
                    progress(len(batch))
        return (*ingested(reads, units, paths.year, pa.concat_tables(tables)), units)
    return (*ingested(reads, units, paths.year), units)


def read_return(path: Path, name: str) -> ReturnRead:
    """What one file of returns/ gave, or why it could not be read (never raises for a bad file)."""
    try:
        book = io.read_workbook(path)
    except io.UnreadableFile as exc:
        return ReturnRead(name, error=str(exc), error_rule=exc.rule)
    read = return_read(name, book.sheets, book.formulas, book.notes)
    read.size, read.sha256 = book.size, book.sha256
    return read


def read_batch(batch: tuple[list[Path], list[str]]) -> tuple[list[ReturnRead], pa.Table]:
    """A worker's share: several files read in one go, their cells sent back as one table."""
    reads = [read_return(path, name) for path, name in zip(*batch, strict=True)]
    table = cells_arrow(reads)
    for read in reads:
        # NOTE: they travel in the table; sending them twice would cost as much
        read.sites, read.readings = (), []
    return reads, table


def run_ingest(
    paths: Paths, progress: Progress | None = None, *, behind: bool = False
) -> StageResult:
    """Read every file in raw/<year>/returns/ into the long cell table and the register of returns
    (`behind`: the cell table is written while the run goes on; see `io.write_cells`)."""
    cells, returns, findings, units = read_year(paths, progress)
    io.remove(paths.products_after("ingest"))
    written = [
        io.write_cells(cells, paths.ingested_cells, behind=behind),
        io.write_csv(returns, paths.ingested_returns),
        io.write_csv(findings, paths.ingested_findings),
        io.write_csv(register(returns, units), paths.register),
    ]
    received = int((returns["status"] == RECEIVED).sum())
    return StageResult(
        "ingest",
        {"files": len(returns), "received": received, "units": len(units), "cells": len(cells)},
        written,
    )


_last_years: dict[tuple, LastYear] = {}


def last_year(paths: Paths) -> LastYear:
    """Last year's received cells: from last year's run if there was one, else read from its returns.

    NOTE: validate, aggregate and render each need it; it is read once per state of last year's
    files (their names, sizes and times), so a run reads a province's last year once, not thrice.
    """
    prev = paths.previous()
    if prev.ingested_cells.exists() and prev.ingested_returns.exists():
        sources = [prev.ingested_cells, prev.ingested_returns]
    elif prev.units.is_file():
        sources = [prev.units, *prev.return_files()]
    else:
        sources = []
    key = (
        prev.raw,
        prev.out,
        tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in sources),
    )
    if key not in _last_years:
        _last_years.clear()
        _last_years[key] = _read_last_year(prev)
    return _last_years[key]


def _read_last_year(prev: Paths) -> LastYear:
    if prev.ingested_cells.exists() and prev.ingested_returns.exists():
        cells = agg.received_cells(
            io.read_cells(prev.ingested_cells), io.read_csv(prev.ingested_returns)
        )
        return LastYear(prev.year, cells, f"上一年度的处理结果 {prev.ingested}")
    if prev.units.is_file():
        cells, returns, _, _ = read_year(prev)
        return LastYear(prev.year, agg.received_cells(cells, returns), f"{prev.raw} 中的报表")
    return LastYear(
        prev.year, None, f"既没有{prev.year}年度的报表文件夹，也没有{prev.year}年度的运行结果"
    )


def run_template(paths: Paths) -> StageResult:
    """Write a return workbook for every unit of units.csv, and a blank generic copy."""
    check_inputs(paths)
    units = io.read_units(paths.units)
    written = [io.write_template(paths.template(name), name, paths.year) for name in units["name"]]
    written.append(io.write_template(paths.template(""), "", paths.year))
    return StageResult("template", {"units": len(units)}, written)


def run_validate(paths: Paths, *, strict: bool = False) -> StageResult:
    """Check every return against the rules; write the findings, the issues page, each return's
    tables and, for each unit with problems, a feedback workbook."""
    cells = io.read_cells(paths.ingested_cells)
    previous = last_year(paths)
    tables = Tables(cells)
    found = validated_findings(cells, strict=strict, last=previous, tables=tables)
    read = io.read_csv(paths.ingested_findings).to_dict("records")
    findings = findings_table(
        [*(strict_findings(read) if strict else read), *found.to_dict("records")]
    )
    io.remove(paths.products_after("validate"))
    written = [
        io.write_csv(findings, paths.validated_findings),
        io.write_csv(findings, paths.issues_csv),
    ]
    for section in ("s2", "s3", "s4", "s6"):
        table = agg.unit_table(cells, section, tables)
        written.append(io.write_csv(table, paths.unit_tables(section)))
    returns = io.read_csv(paths.ingested_returns)
    page = rnd.issues_html(paths.year, findings, io.read_csv(paths.register))
    written.append(io.write_text(page, paths.issues_html))
    written += write_feedback(paths, findings, returns)
    return StageResult("validate", severity_counts(findings), written, blocked=has_errors(findings))


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
        written.append(io.write_feedback(source, target, marks, document_time(paths.year)))
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
    findings = blocking(io.read_csv(paths.validated_findings), allow_missing)
    io.remove(paths.products_after("aggregate"))
    if has_errors(findings) and not draft:
        n = severity_counts(findings)["error"]
        return StageResult(
            "aggregate", blocked=True, message=f"校验发现{n}个错误，未汇总全县数据。未生成报告"
        )
    cells = agg.received_cells(
        io.read_cells(paths.ingested_cells), io.read_csv(paths.ingested_returns)
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
        io.write_cells(county, paths.county_cells),
        io.write_csv(county_findings, paths.county_findings),
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
    unchecked = has_errors(io.read_csv(paths.county_findings)) or has_errors(
        blocking(io.read_csv(paths.validated_findings), allow_missing)
    )
    if unchecked and not draft:
        return StageResult("render", blocked=True, message="全县汇总数据未通过校验，未生成报告。")
    county = io.read_cells(paths.county_cells)
    config = io.read_config(paths.config)
    name = config.get("county", "全县")
    values = rnd.values_of(county)
    if paths.narrative.exists():
        source, file = io.read_text(paths.narrative), paths.relative(paths.narrative)
    else:
        source, file = rnd.default_narrative("全县"), DEFAULT_COUNTY_NARRATIVE
    context = rnd.narrative_context(
        paths.year, "全县", values, unit=name, county=name, units=int(county["units"].max())
    )
    blocks = rnd.narrative_blocks(source, context)
    io.remove(paths.products_after("render"))
    checked = narrative_findings(blocks, paths.year, report="全县报告", unit="全县", file=file)
    findings_file = io.write_csv(checked, paths.narrative_findings)
    if has_errors(checked):
        return StageResult(
            "render",
            blocked=True,
            message=f"报告文字有{len(checked)}个错误，未生成报告；明细见 {findings_file}。",
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
    written = [findings_file, io.write_cells(rnd.tidy_cells(county), paths.tidy_cells)]
    for section in TABLES:
        written.append(
            io.write_grid(rnd.layout_table(section.code, values), paths.section_table(section.code))
        )
    written.append(io.write_text(rnd.report_html(report), paths.report_html))
    written.append(io.write_text(rnd.report_md(report), paths.report_md))
    written.append(io.write_bytes(word.report_docx(report), paths.report_docx))
    returns = io.read_csv(paths.ingested_returns)
    cells = agg.received_cells(io.read_cells(paths.ingested_cells), returns)
    written.append(io.write_bytes(_summary(paths, report, cells, returns), paths.summary_xlsx))
    written.append(io.write_text(_charts(paths, report, cells), paths.charts_html))
    return StageResult("render", {"reports": 1, "draft": int(unchecked)}, written)


def _missing_notes(paths: Paths) -> tuple[str, ...]:
    register = io.read_csv(paths.register)
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
        io.read_csv(paths.validated_findings),
        returns,
    )


def run_render_unit(paths: Paths, unit: str) -> StageResult:
    """Write one body's own (本机关) report from its return, if the return has no errors."""
    inputs = _unit_inputs(paths)
    if unit not in inputs.received:
        known = sorted(inputs.received)
        hint = (
            ""
            if unit in set(inputs.returns["unit"])
            else f"（已收到报表的单位：{'、'.join(known[:8])}等）"
        )
        raise CannotStart(f"没有“{unit}”可用的报表{hint}")
    outcome = unit_report(paths, inputs, unit)
    return StageResult(
        "render",
        {"reports": int(not outcome.blocked)},
        list(outcome.written),
        blocked=outcome.blocked,
        message=outcome.message,
    )


def run_render_all_units(paths: Paths) -> StageResult:
    """Write every received unit's own report; a unit whose return or narrative has errors gets none."""
    inputs = _unit_inputs(paths)
    io.remove([paths.units_dir])
    outcomes = []
    for unit in _register_order(inputs):
        try:
            outcomes.append(unit_report(paths, inputs, unit))
        except rnd.NarrativeError as exc:
            message = f"{unit}的报告文字模板有误（{exc}），未生成本机关报告。"
            outcomes.append(UnitOutcome(unit, "narrative_template", 1, message))
    written = [p for o in outcomes for p in o.written]
    written.append(io.write_csv(unit_reports_table(outcomes), paths.unit_reports))
    blocked = [o for o in outcomes if o.blocked]
    return StageResult(
        "render",
        {"reports": len(outcomes) - len(blocked), "blocked": len(blocked)},
        written,
        blocked=bool(blocked),
        message="".join(o.message for o in blocked),
    )


@dataclass(frozen=True)
class UnitInputs:
    """What unit reports are made from: the ingested cells, the register and the findings."""

    cells: pd.DataFrame
    returns: pd.DataFrame
    findings: pd.DataFrame
    units: pd.DataFrame | None
    received: dict[str, list[str]]  # unit -> its received return file(s)


def _unit_inputs(paths: Paths) -> UnitInputs:
    returns = io.read_csv(paths.ingested_returns)
    received = returns[returns["status"] == RECEIVED]
    return UnitInputs(
        cells=io.read_cells(paths.ingested_cells),
        returns=returns,
        findings=io.read_csv(paths.validated_findings),
        units=io.read_units(paths.units) if paths.units.exists() else None,
        received=received.groupby("unit")["file"].apply(list).to_dict(),
    )


@dataclass(frozen=True)
class UnitOutcome:
    """What became of one unit's report: written, or why not."""

    unit: str
    status: str  # written | return_errors | narrative_errors | narrative_template
    errors: int = 0
    message: str = ""
    written: tuple[Path, ...] = ()

    @property
    def blocked(self) -> bool:
        return self.status != "written"


UNIT_STATUS = {
    "written": "已生成",
    "return_errors": "未生成：报表有错误",
    "narrative_errors": "未生成：报告文字有错误",
    "narrative_template": "未生成：报告文字模板有误",
}


def unit_reports_table(outcomes: list[UnitOutcome]) -> pd.DataFrame:
    """The register of unit reports: each unit, whether its report was written, and why not."""
    return pd.DataFrame(
        [
            {
                "unit": o.unit,
                "status": o.status,
                "状态": UNIT_STATUS[o.status],
                "errors": o.errors,
                "message": o.message,
            }
            for o in outcomes
        ],
        columns=["unit", "status", "状态", "errors", "message"],
    )


def unit_report(paths: Paths, inputs: UnitInputs, unit: str) -> UnitOutcome:
    """Write `unit`'s own report (HTML, Markdown, Word) unless its return or narrative has errors."""
    io.remove([paths.unit_dir(unit)])
    findings = inputs.findings
    concerning = (findings["unit"] == unit) & (findings["severity"] == "error")
    mine = inputs.received.get(unit)
    if mine:
        # NOTE: a stray file of the unit's (last year's, say) does not hold back the report of
        # the return that was received; problems of the unit as a whole (no file) still do
        concerning &= findings["file"].isin(mine) | (findings["file"] == "")
    errors = findings[concerning]
    if len(errors):
        message = f"{unit}的报表有{len(errors)}个错误，未生成本机关报告。"
        return UnitOutcome(unit, "return_errors", len(errors), message)
    unit_cells = inputs.cells[inputs.cells["file"].isin(inputs.received[unit])]
    values = rnd.values_of(unit_cells)
    config = io.read_config(paths.config)
    context = rnd.narrative_context(
        paths.year,
        "本机关",
        values,
        unit=unit,
        county=config.get("county", ""),
        kind=_kind_of(inputs.units, unit),
    )
    own = paths.unit_narrative(unit)
    if own.exists():
        source, file = io.read_text(own), paths.relative(own)
    else:
        source, file = rnd.default_narrative(), DEFAULT_UNIT_NARRATIVE
    blocks = rnd.narrative_blocks(source, context)
    checked = narrative_findings(
        blocks, paths.year, report=f"{unit}本机关报告", unit=unit, file=file
    )
    if has_errors(checked):
        path = io.write_csv(checked, paths.unit_narrative_findings(unit))
        message = f"{unit}的报告文字有{len(checked)}个错误（见 {path}），未生成本机关报告。"
        return UnitOutcome(unit, "narrative_errors", len(checked), message, (path,))
    report = rnd.Report(
        title=f"{paths.year}年政府信息公开工作年度报告",
        subtitle=unit,
        year=paths.year,
        subject="本机关",
        values=values,
        narrative=rnd.with_fee_statement(blocks, context["fee_statement"]),
    )
    written = (
        io.write_text(rnd.report_html(report), paths.unit_report_html(unit)),
        io.write_text(rnd.report_md(report), paths.unit_report_md(unit)),
        io.write_bytes(word.report_docx(report), paths.unit_report_docx(unit)),
    )
    return UnitOutcome(unit, "written", written=written)


DEFAULT_UNIT_NARRATIVE = "pipeline/templates/unit_narrative.md.j2（内置默认文字）"
DEFAULT_COUNTY_NARRATIVE = "pipeline/templates/county_narrative.md.j2（内置默认文字）"


def _register_order(inputs: UnitInputs) -> list[str]:
    """The received units in the order of units.csv (any other after them, by name)."""
    listed = [] if inputs.units is None else list(inputs.units["name"])
    known = [u for u in listed if u in inputs.received]
    return known + sorted(set(inputs.received) - set(known))


def _kind_of(units, unit: str) -> str:
    if units is None:
        return ""
    kinds = units.loc[units["name"] == unit, "kind"]
    return str(kinds.iloc[0]) if len(kinds) else ""
