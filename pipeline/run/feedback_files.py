"""The feedback workbooks of a run: for each return with problems, a copy with its problem cells
marked (a Word return's is an Excel copy of its tables), written on every core when there are
many."""

from __future__ import annotations

import logging
import multiprocessing
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from pipeline.paths import Paths
from pipeline.render import feedback

log = logging.getLogger("xxgk")

PARALLEL_FROM = 32  # workbooks: below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class Job:
    """One feedback workbook to write: the return's copy at `target`, marked."""

    source: Path
    target: Path
    marks: list[feedback.Mark]
    when: datetime  # the document time written into the file
    temporary: bool = False  # `source` is a copy made for this job, removed once written


WriteAll = Callable[[list[Job]], list[Path]]  # writes the jobs, or has them written; the targets


def write_feedback(
    paths: Paths,
    findings: pd.DataFrame,
    files: pd.DataFrame,
    cells: pd.DataFrame | None,
    when: datetime,
    write: WriteAll | None = None,
) -> list[Path]:
    """A copy of each return with problems, its problem cells marked and commented, to send back
    (for a Word return, its tables as the project's Excel return, to fill in next time). They
    are written by `write` (default: here and now, see `write_all`)."""
    jobs: list[Job] = []
    documents = _documents(paths, set(feedback.sent_back(findings)["file"]))
    placed = _on_the_template(findings, documents) if documents else findings
    sent = feedback.marks_by_file(placed, _places(placed, cells, documents))
    targets: set[Path] = set()
    for file, marks in sent.items():
        unit = files.loc[files["file"] == file, "unit"]
        name = unit.iloc[0] if len(unit) and unit.iloc[0] else Path(file).stem
        source = paths.raw / file
        suffix = ".xlsx" if file in documents else source.suffix
        target = paths.feedback_file(name, suffix)
        if target in targets:  # NOTE: a unit's second problem file must not overwrite its first
            target = paths.feedback_file(f"{name}_{Path(file).stem}", suffix)
        targets.add(target)
        if file in documents:
            jobs.append(Job(_excel_copy(paths, file, name, cells), target, marks, when, True))
        else:
            jobs.append(Job(source, target, marks, when))
    return (write or write_all)(jobs)


def write_all(jobs: list[Job]) -> list[Path]:
    """Each job's workbook written, in order; in worker processes when there are many (openpyxl
    takes some 25 ms to load and save a return, and a year can send back hundreds). The jobs'
    temporary sources are removed once all are written, or not."""
    try:
        return _written(jobs)
    finally:
        for job in jobs:
            if job.temporary:
                job.source.unlink(missing_ok=True)


def _written(jobs: list[Job]) -> list[Path]:
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        return [write_one(job) for job in jobs]
    # NOTE: started afresh, never forked: the run's background writer may be writing a cell table
    # at this moment, and a child forked beside a busy thread can inherit the locks it holds
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["pipeline.render.feedback"])
    size = max(1, len(jobs) // (workers * 4))
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return list(pool.map(write_one, jobs, chunksize=size))
    except BrokenProcessPool:
        # NOTE: a worker that could not start (a script that runs its work on import, without
        # `if __name__ == "__main__"`) costs time, not the feedback: each file is written whole
        log.warning("反馈文件的工作进程意外退出，改为逐个写出", exc_info=True)
        return [write_one(job) for job in jobs]


def write_one(job: Job) -> Path:
    """One job's workbook written."""
    return feedback.write_feedback(job.source, job.target, job.marks, job.when)


def _documents(paths: Paths, sent: set[str]) -> set[str]:
    """The returns sent back that are Word documents (their feedback is an Excel copy)."""
    from pipeline.ingest.document import is_document

    out = set()
    for file in sent:
        source = paths.raw / file
        if source.suffix.lower() in (".docx", ".doc", ".wps") or (
            source.is_file() and is_document(source.read_bytes())
        ):
            out.add(file)
    return out


def _on_the_template(findings: pd.DataFrame, documents: set[str]) -> pd.DataFrame:
    """The findings of Word returns placed on the cells of the project's Excel return (their
    messages keep the place in the document)."""
    from pipeline.render.workbook import sheet_name, template_cell

    moved = findings.copy()
    for i, f in moved[moved["file"].isin(documents)].iterrows():
        if f["section"] in ("s2", "s3", "s4", "s6") and f["row"] and f["col"]:
            moved.loc[i, "sheet"] = sheet_name(f["section"])
            moved.loc[i, "cell"] = template_cell(f["section"], f["row"], f["col"])
        else:
            moved.loc[i, ["sheet", "cell"]] = ""
    return moved


def _places(
    findings: pd.DataFrame, cells: pd.DataFrame | None, documents: set[str]
) -> dict[str, feedback.Places]:
    """Where each cell of a return with a broken sum stands, by file: on its sheet as read, or,
    for a Word return, on the project's Excel return its feedback is written in."""
    from pipeline.format2021 import SECTIONS
    from pipeline.render.workbook import sheet_name, template_cell

    sent = feedback.sent_back(findings)
    files = set(sent.loc[sent["rule"].isin(feedback.SUM_RULES), "file"])
    out: dict[str, feedback.Places] = {}
    if files & documents:
        template = {
            (code, r.code, c.code): (sheet_name(code), template_cell(code, r.code, c.code))
            for code in ("s3", "s4")
            for r, c in SECTIONS[code].cells
        }
        out |= {file: template for file in files & documents}
    if cells is not None and files - documents:
        mine = cells[cells["file"].isin(files - documents) & (cells["cell"] != "")]
        for file, group in mine.groupby("file"):
            keys = zip(group["section"], group["row"], group["col"], strict=True)
            out[str(file)] = dict(
                zip(keys, zip(group["sheet"], group["cell"], strict=True), strict=True)
            )
    return out


def _excel_copy(paths: Paths, file: str, unit: str, cells: pd.DataFrame | None) -> Path:
    """The tables a Word return gave, as the project's Excel return (what was written, cell by
    cell), in a temporary file."""
    from pipeline.render.workbook import write_return

    values: dict[tuple[str, str, str], object] = {}
    if cells is not None:
        mine = cells[cells["file"] == file]
        values = {(r.section, r.row, r.col): r.text for r in mine.itertuples(index=False)}
    handle, name = tempfile.mkstemp(suffix=".xlsx", prefix="xxgk-copy-")
    os.close(handle)
    write_return(name, unit, paths.year, values, formulas=False)
    return Path(name)
