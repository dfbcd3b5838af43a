"""Reading every file of an audit: in this process, or on every core when there are many."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from pipeline.ingest.published.read import PublishedReport, read_report

PARALLEL_FROM = 8  # files: below this, starting worker processes costs more than it saves
MAX_WORKERS = 8


def read_all(
    files: list[tuple[Path, str]], progress: Callable[[int], None] | None = None
) -> list[PublishedReport]:
    """Every file read (each under the name the outputs give it), in order; on every core when
    there are many (a PDF takes about half a second)."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if len(files) < PARALLEL_FROM or workers < 2:
        reports = []
        for item in files:
            reports.append(_read_one(item))
            if progress is not None:
                progress(1)
        return reports
    reports = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # NOTE: one file a task: PDFs take a hundred times as long as text, so larger shares
        # would leave a core idle at the end; what comes back (a report's cells and text) is small
        for report in pool.map(_read_one, files):
            reports.append(report)
            if progress is not None:
                progress(1)
    return reports


def _read_one(item: tuple[Path, str]) -> PublishedReport:
    """One file read, under the name the outputs give it (a worker process's task)."""
    path, name = item
    return _named(read_report(path), name)


def _named(report: PublishedReport, name: str) -> PublishedReport:
    """The report under the name the outputs give its file (its path inside the folder given)."""
    if name == report.file:
        return report
    findings = [{**f, "file": name} for f in report.findings]
    return replace(report, file=name, cells=report.cells.assign(file=name), findings=findings)
