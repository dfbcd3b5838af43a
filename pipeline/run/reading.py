"""Reading a year's returns: every file of raw/<year>/returns/, on every core when there are many (each worker reads a batch and sends back one Arrow table)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa

from pipeline import files
from pipeline.files import kinds
from pipeline.ingest import document
from pipeline.ingest.cells import cells_arrow
from pipeline.ingest.register import ingested
from pipeline.ingest.returns import ReturnRead, return_read
from pipeline.memo import Memo
from pipeline.paths import Paths
from pipeline.run.checks import check_inputs
from pipeline.run.products import Ingested

Progress = Callable[[int], None]  # called with the number of files just read


PARALLEL_FROM = 200  # files: below this, starting worker processes costs more than it saves


# small enough to balance the load at the end and show progress; large enough that a batch
# pays for its message back
BATCHES_PER_WORKER = 20


def read_year(
    paths: Paths,
    memo: Memo,
    progress: Progress | None = None,
    units: pd.DataFrame | None = None,
) -> Ingested:
    """Every file in raw/<year>/returns/ read: the cells, the files received, the findings.

    Many files are read on every core: each worker reads a batch of files and sends back their
    reads together (one message per batch, not per file), with a memo of its own."""
    units = check_inputs(paths) if units is None else units
    files = paths.return_files()
    names = [paths.relative(p) for p in files]
    skipped = tuple(paths.relative(p) for p in paths.skipped_returns())
    workers = min(os.cpu_count() or 1, 8)
    if len(files) < PARALLEL_FROM or workers < 2:
        reads = []
        for path, name in zip(files, names, strict=True):
            reads.append(read_return(path, name, memo))
            if progress:
                progress(1)
    else:
        size = max(1, len(files) // (workers * BATCHES_PER_WORKER))
        batches = [(files[i : i + size], names[i : i + size]) for i in range(0, len(files), size)]
        reads, tables = [], []
        # NOTE: workers are forked: a run reads every year's returns before it writes anything
        # in the background (run.report), so no thread is writing while they start
        with ProcessPoolExecutor(max_workers=workers, initializer=_worker_memo) as pool:
            for batch, table in pool.map(read_batch, batches):
                reads.extend(batch)
                tables.append(table)
                if progress:
                    progress(len(batch))
        return Ingested(
            *ingested(reads, units, paths.year, pa.concat_tables(tables), skipped), units
        )
    return Ingested(*ingested(reads, units, paths.year, skipped=skipped), units)


def read_return(path: Path, name: str, memo: Memo | None = None) -> ReturnRead:
    """What one file of returns/ gave, or why it could not be read (never raises for a bad file)."""
    memo = memo if memo is not None else Memo()
    try:
        data = files.snapshot(path)
        word = document.is_document(data)
        misnamed = kinds.misnamed(name, data, word) or ""
        if word:
            return _document_return(path, name, data, memo, misnamed)
        book = files.workbook_of(data, memo)
    except files.UnreadableFile as exc:
        return ReturnRead(name, error=str(exc), error_rule=exc.rule)
    read = return_read(name, book.sheets, book.hidden, book.notes, book.hidden_sheets, memo)
    read.size, read.sha256, read.misnamed = book.size, book.sha256, misnamed
    return read


def _document_return(
    path: Path, name: str, data: bytes, memo: Memo, misnamed: str = ""
) -> ReturnRead:
    """A Word report sent as a return: its tables read like a workbook's, each cell named by its
    table, row and column (`表格2!第5行第3列`); `misnamed`: the kind its bytes are when its name
    says another."""
    doc = document.read_document(path, data)
    why = document.failure(doc)
    if why is not None:
        if misnamed:
            # NOTE: said first: a person who opens it by its name cannot see why it fails; the
            # finding of a missing converter already says it is an old Word file
            old = any(f.get("rule") == "audit.no_converter" for f in doc.findings)
            actual = "" if old else f"文件实际是{kinds.KIND_NAMES[misnamed]}；"
            why = f"{kinds.named(name)}，但{actual}{why}"
        return ReturnRead(name, error=why)
    read = document.document_return(name, doc, memo)
    read.size, read.sha256 = len(data), hashlib.sha256(data).hexdigest()
    read.misnamed = misnamed
    return read


_memo: list[Memo] = []  # NOTE: a worker process's own memo, made when the pool starts it


def _worker_memo() -> None:
    _memo[:] = [Memo()]


def read_batch(batch: tuple[list[Path], list[str]]) -> tuple[list[ReturnRead], pa.Table]:
    """A worker's share: several files read in one go, their cells sent back as one table."""
    memo = _memo[0] if _memo else Memo()
    reads = [read_return(path, name, memo) for path, name in zip(*batch, strict=True)]
    table = cells_arrow(reads)
    for read in reads:
        # NOTE: they travel in the table; sending them twice would cost as much
        read.sites, read.readings = (), []
    return reads, table
