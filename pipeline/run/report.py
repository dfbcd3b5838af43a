"""The whole report as one library call: every stage in order, each handing its product to the
next as a value, the products written as they are made (the large cell table by one background
writer the run owns and joins before it returns), and what stops the run decided here."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import store
from pipeline.memo import Memo
from pipeline.paths import Paths
from pipeline.run.feedback_files import Job, write_all
from pipeline.run.previous_year import read_last_year
from pipeline.run.products import Ingested, aggregated, validated
from pipeline.run.reading import Progress, read_year
from pipeline.run.stages import (
    StageResult,
    aggregate_stage,
    ingest_stage,
    release_memory,
    render_stage,
    validate_stage,
    write_issues,
)
from pipeline.run.units import unit_stage, units_stage


@dataclass(frozen=True)
class Options:
    """What a report run is asked to do."""

    strict: bool = False  # a blank is an error, as are a similar label and unstated fees
    draft: bool = False  # render even with errors, marked 草稿（数据未通过校验）
    allow_missing: bool = False  # units that sent nothing do not block the county report
    unit: str | None = None  # only this unit's own report
    all_units: bool = False  # every unit's own report too


@dataclass
class Outcome:
    """How a report run ended: its stages, exit 0 (written) or 1 (blocked by errors in the data
    or only a draft), and what to tell the user."""

    stages: list[StageResult] = field(default_factory=list)
    code: int = 0
    message: str = ""  # why it was blocked (names the final places of the outputs)
    last_year: dict = field(default_factory=dict)  # last year's data: where each unit's came from
    tally: dict[str, int] = field(default_factory=dict)  # the issues list, counted (review.tally)


class Writer:
    """The run's one background writer: cell tables and feedback workbooks are written while the
    run goes on (pyarrow lets go of the GIL, and the workbooks are written by worker processes,
    so the second core does it), and every write is joined in one place."""

    def __init__(self) -> None:
        # NOTE: two threads, so that the feedback workbooks do not wait behind a cell table
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="xxgk-write")
        self._jobs: list[Future[object]] = []

    def cells(self, table: pd.DataFrame, path: Path) -> Path:
        """Write a cell table behind the run's back; the path it will be at."""
        self._jobs.append(self._pool.submit(store.write_cells, table, path))
        return path

    def feedback(self, jobs: list[Job]) -> list[Path]:
        """Write feedback workbooks behind the run's back; the paths they will be at."""
        self._jobs.append(self._pool.submit(write_all, jobs))
        return [job.target for job in jobs]

    def join(self) -> None:
        """Wait for every write, raising the first error met."""
        try:
            for job in self._jobs:
                job.result()
        finally:
            self._pool.shutdown(wait=True)
            self._jobs.clear()


Told = Callable[[StageResult], None]  # called with each stage's result as soon as it is known


def run_report(
    paths: Paths,
    options: Options = Options(),
    *,
    progress: Progress | None = None,
    told: Told | None = None,
) -> Outcome:
    """Read, validate, aggregate and render the year of `paths`: the county report (and the
    units' own reports, with `options.all_units`), or one unit's report (`options.unit`)."""
    outcome = Outcome()
    writer = Writer()
    try:
        findings, ingested = _stages(paths, options, outcome, writer, progress, told)
        # NOTE: every finding of the run in one list, whatever stage it stopped at, counted once
        outcome.tally = write_issues(paths, findings, ingested).tally
    finally:
        writer.join()
    return outcome


def _stages(
    paths: Paths,
    options: Options,
    outcome: Outcome,
    writer: Writer,
    progress: Progress | None,
    told: Told | None,
) -> tuple[list[pd.DataFrame], Ingested]:
    """Run the stages into `outcome`; every finding they made, and what ingest read."""
    memo = Memo()

    def done(result: StageResult, started: float) -> StageResult:
        result.seconds = time.perf_counter() - started
        outcome.stages.append(result)
        if told:
            told(result)
        release_memory()
        return result

    def found_by(result: StageResult) -> list[pd.DataFrame]:
        return [] if result.findings is None else [result.findings]

    started = time.perf_counter()
    ingested = read_year(paths, memo, progress)
    # NOTE: last year is read (perhaps on worker processes) before anything is written in the
    # background: no process is forked while a thread writes
    last = read_last_year(paths, memo, ingested.units)
    outcome.last_year = {"year": last.year, "where": last.where, "units": dict(last.sources)}
    done(ingest_stage(paths, ingested, writer.cells), started)
    started = time.perf_counter()
    found = validated(ingested, last, strict=options.strict, allow_missing=options.allow_missing)
    done(validate_stage(paths, ingested, found, writer.feedback), started)
    findings = [found.findings]
    if options.unit:
        started = time.perf_counter()
        result = done(unit_stage(paths, ingested, found, options.unit), started)
        findings += found_by(result)
        if result.blocked:
            outcome.code, outcome.message = 1, result.message
        return findings, ingested
    if options.all_units:
        # NOTE: the units' own reports need only their own clean returns, so they go first: a
        # department's error that blocks the county report does not hold back the others'
        started = time.perf_counter()
        units = done(units_stage(paths, ingested, found), started)
        findings += found_by(units)
        outcome.code = int(units.blocked)
    started = time.perf_counter()
    made = aggregated(
        ingested, found, last, draft=options.draft, allow_missing=options.allow_missing
    )
    summed = done(aggregate_stage(paths, made, draft=options.draft), started)
    findings.append(made.findings)
    if summed.blocked:
        outcome.code = 1
        if made.message:
            outcome.message = f"{made.message}；请查看 {paths.shown(paths.issues_html)}。"
        else:
            shown = paths.shown(paths.county_findings)
            outcome.message = f"全县汇总数据未通过校验，未生成报告；请查看 {shown}。"
        return findings, ingested
    started = time.perf_counter()
    rendered = done(
        render_stage(
            paths,
            ingested,
            found,
            made,
            last,
            draft=options.draft,
            allow_missing=options.allow_missing,
        ),
        started,
    )
    findings += found_by(rendered)
    if rendered.blocked:
        outcome.code, outcome.message = 1, rendered.message
    elif rendered.counts.get("draft"):
        shown = paths.shown(paths.issues_html)
        outcome.code, outcome.message = 1, f"报告为草稿：数据有错误，请查看 {shown}。"
    return findings, ingested
