"""Running the stages: read each stage's inputs through the path registry, call the pure stage
functions, write the products. The CLI calls these and prints what they return."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
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
from pipeline.inputs import CannotStart, check_apart, read_config, read_template, read_units
from pipeline.layout_rules import strict_findings
from pipeline.narrative_checks import narrative_findings
from pipeline.paths import Paths
from pipeline.problems import finding, findings_table, severity_counts
from pipeline.validate import LastYear, consolidated_findings, has_errors, validated_findings
from schemas.rules import Tables

log = logging.getLogger("xxgk")
Progress = Callable[[int], None]  # called with the number of files just read


@dataclass
class StageResult:
    """What a stage did: counts to report, files written, and whether errors block what follows."""

    stage: str
    counts: dict[str, int] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)
    blocked: bool = False
    message: str = ""
    seconds: float = 0.0


def check_inputs(paths: Paths) -> pd.DataFrame:
    """The year's roster, after checking the run's own inputs (the year folder, units.csv,
    config.toml); CannotStart names what is wrong, before any work."""
    if not paths.raw.is_dir():
        raise CannotStart(f"找不到年度文件夹：{paths.raw}（请检查 --raw 和 --year）")
    if not paths.units.is_file():
        raise CannotStart(f"找不到单位名册：{paths.units}（应有 code,name,kind,aliases 四列）")
    units = read_units(paths.units)
    read_config(paths.config)
    return units


def check_outputs(paths: Paths) -> None:
    """Refuse to write the year's outputs over, into or around its inputs, or into a folder of
    that name that xxgk did not make."""
    check_apart(paths.raw, paths.out_root / str(paths.year))


def check_narratives(paths: Paths, units: list[str], *, county: bool = True) -> None:
    """Read the narrative templates a run will use (the county's, with `county`, and the
    `units`' own), so an encoding or syntax error stops it before any work."""
    own = [paths.narrative] if county else []
    for path in [*own, *(paths.unit_narrative(u) for u in units)]:
        if path.is_file():
            read_template(path)


def _needs(*products: Path) -> None:
    """Refuse to run a stage whose inputs (an earlier stage's products) are not there."""
    for product in products:
        if not io.available(product):
            raise CannotStart(
                f"找不到上一步的输出：{product}（请先运行前面的步骤，或运行 xxgk report）"
            )


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
    units = check_inputs(paths)
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
    read = return_read(name, book.sheets, book.hidden, book.notes, book.hidden_sheets)
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
    """Last year's cells from the first source that can be used (last year's run, else its
    returns); what could not be used, and why, is said, never a reason to stop this year."""
    unusable: list[str] = []
    if prev.ingested_cells.exists() and prev.ingested_returns.exists():
        where = f"上一年度的处理结果 {prev.ingested}"
        try:
            cells = agg.received_cells(
                io.read_cells(prev.ingested_cells), io.read_csv(prev.ingested_returns)
            )
            return LastYear(prev.year, cells, where)
        except Exception as exc:  # NOTE: a corrupt Parquet or CSV fails in many ways
            log.warning("上一年度的处理结果无法读取", exc_info=True)
            unusable.append(f"{where}无法读取（{_why(exc)}）")
    if prev.units.is_file():
        where = f"{prev.raw} 中的报表"
        try:
            cells, returns, _, _ = read_year(prev)
        except Exception as exc:  # NOTE: a faulty roster of last year, or any unreadable input
            log.warning("上一年度的报表无法读取", exc_info=True)
            unusable.append(f"{where}无法使用（{_why(exc)}）")
        else:
            received = agg.received_cells(cells, returns)
            bad = returns[returns["status"] != RECEIVED]
            if len(bad):
                listed = "、".join(bad["file"].head(5)) + ("等" if len(bad) > 5 else "")
                unusable.append(f"{where}中有{len(bad)}个无法使用（{listed}）")
            if len(received):
                return LastYear(prev.year, received, where, tuple(unusable))
            if not len(bad):
                unusable.append(f"{where}中没有报表")
    elif prev.raw.is_dir():
        unusable.append(f"{prev.raw} 中没有单位名册 units.csv")
    if not unusable:
        return LastYear(
            prev.year, None, f"既没有{prev.year}年度的报表文件夹，也没有{prev.year}年度的运行结果"
        )
    return LastYear(prev.year, None, "；".join(unusable), tuple(unusable))


def _why(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text[:160]}" if not isinstance(exc, CannotStart) else text


def run_template(paths: Paths) -> StageResult:
    """Write a return workbook for every unit of units.csv, and a blank generic copy."""
    units = check_inputs(paths)
    written = [io.write_template(paths.template(name), name, paths.year) for name in units["name"]]
    written.append(io.write_template(paths.template(""), "", paths.year))
    return StageResult("template", {"units": len(units)}, written)


def run_validate(paths: Paths, *, strict: bool = False) -> StageResult:
    """Check every return against the rules; write the findings, the issues page, each return's
    tables and, for each unit with problems, a feedback workbook."""
    _needs(paths.ingested_cells, paths.ingested_findings, paths.ingested_returns, paths.register)
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
    written += write_issues(paths, findings)
    written += write_feedback(paths, findings, returns)
    return StageResult("validate", severity_counts(findings), written, blocked=has_errors(findings))


def write_issues(paths: Paths, findings: pd.DataFrame | None = None) -> list[Path]:
    """The issues list (issues.csv, issues.html): every finding of the run so far, the returns'
    (`findings`, else as validation wrote them) with the county's and the narratives'."""
    parts = [findings if findings is not None else io.read_csv(paths.validated_findings)]
    for later in (paths.county_findings, paths.narrative_findings, paths.units_narrative_findings):
        if later.exists():
            parts.append(io.read_csv(later))
    every = findings_table([r for part in parts for r in part.to_dict("records")])
    page = rnd.issues_html(paths.year, every, io.read_csv(paths.register))
    return [io.write_csv(every, paths.issues_csv), io.write_text(page, paths.issues_html)]


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
    _needs(paths.validated_findings, paths.ingested_cells, paths.ingested_returns)
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
    _needs(paths.ingested_cells, paths.ingested_returns)
    county = io.read_cells(paths.county_cells)
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
    io.remove(paths.products_after("render"))
    checked = narrative_findings(blocks, paths.year, report="全县报告", unit="全县", file=file)
    checked = findings_table([*notes, *checked.to_dict("records")])
    findings_file = io.write_csv(checked, paths.narrative_findings)
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
    written.append(io.write_cells(rnd.tidy_cells(county), paths.tidy_cells))
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
    return StageResult("render", {"reports": 1, "draft": int(unchecked), **counts}, written)


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
    written = [*outcome.written, *_unit_narrative_findings(paths, [outcome])]
    return StageResult(
        "render",
        {"reports": int(not outcome.blocked), **severity_counts(findings_table(outcome.findings))},
        written,
        blocked=outcome.blocked,
        message=outcome.message,
    )


def run_render_all_units(paths: Paths) -> StageResult:
    """Write every received unit's own report; a unit whose return or narrative has errors gets none."""
    inputs = _unit_inputs(paths)
    io.remove([paths.units_dir])
    outcomes = [unit_report(paths, inputs, unit) for unit in _register_order(inputs)]
    written = [p for o in outcomes for p in o.written]
    written.append(io.write_csv(unit_reports_table(outcomes), paths.unit_reports))
    written += _unit_narrative_findings(paths, outcomes)
    blocked = [o for o in outcomes if o.blocked]
    counts = severity_counts(findings_table([f for o in outcomes for f in o.findings]))
    return StageResult(
        "render",
        {"reports": len(outcomes) - len(blocked), "blocked": len(blocked), **counts},
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
    _needs(paths.ingested_returns, paths.ingested_cells, paths.validated_findings)
    returns = io.read_csv(paths.ingested_returns)
    received = returns[returns["status"] == RECEIVED]
    return UnitInputs(
        cells=io.read_cells(paths.ingested_cells),
        returns=returns,
        findings=io.read_csv(paths.validated_findings),
        units=read_units(paths.units) if paths.units.exists() else None,
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
    findings: tuple[dict, ...] = ()  # of its narrative (warnings and notes too)
    default_narrative: bool = False  # the built-in narrative was used

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


def _unit_narrative_findings(paths: Paths, outcomes: list[UnitOutcome]) -> list[Path]:
    """The units' narrative findings, with one note naming the units whose report used the
    built-in narrative, written beside the unit reports and into the issues list."""
    records = [f for o in outcomes for f in o.findings]
    defaults = [o.unit for o in outcomes if o.default_narrative]
    if defaults:
        names = "、".join(defaults[:10]) + (
            f"等{len(defaults)}个单位" if len(defaults) > 10 else ""
        )
        folder = paths.raw / "narratives"
        records.append(finding("narrative.default_units", units=names, folder=folder))
    if not records:
        return []
    return [
        io.write_csv(findings_table(records), paths.units_narrative_findings),
        *write_issues(paths),
    ]


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
    config = read_config(paths.config)
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
        source, file = read_template(own), paths.relative(own)
    else:
        source, file = rnd.default_narrative(), DEFAULT_UNIT_NARRATIVE
    try:
        blocks = rnd.narrative_blocks(source, context)
    except rnd.NarrativeError as exc:
        failed = finding("narrative.template", unit=unit, file=file, reason=str(exc))
        return UnitOutcome(
            unit, "narrative_template", 1, str(failed["message"]), findings=(failed,)
        )
    checked = narrative_findings(
        blocks, paths.year, report=f"{unit}本机关报告", unit=unit, file=file
    )
    found = tuple(checked.to_dict("records"))
    if has_errors(checked):
        errors = int((checked["severity"] == "error").sum())
        path = io.write_csv(checked, paths.unit_narrative_findings(unit))
        message = f"{unit}的报告文字有{errors}个错误（见 {paths.shown(path)}），未生成本机关报告。"
        return UnitOutcome(unit, "narrative_errors", errors, message, (path,), found)
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
    return UnitOutcome(
        unit, "written", written=written, findings=found, default_narrative=not own.exists()
    )


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
