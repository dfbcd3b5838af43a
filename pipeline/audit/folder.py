"""The audit's output folder: kept apart from the inputs, and written whole under a lock."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from pipeline import store
from pipeline.inputs import CannotStart
from pipeline.locks import exclusive
from pipeline.paths import AUDIT_MARK, AuditPaths

LOCK_WAIT = 5.0  # seconds another audit writing the same folder is waited for


def check_apart(paths: Sequence[Path], out: Path) -> None:
    """Refuse an output folder that is an input, lies inside one, or holds one: replacing it
    could delete a report, and the next audit would read its own outputs as reports."""
    # NOTE: os.path.realpath, not Path.resolve, which raises on a link loop given as input
    target = Path(os.path.realpath(out))
    for given in paths:
        source = Path(os.path.realpath(given))
        if source == target or source in target.parents or target in source.parents:
            raise CannotStart(
                f"输出文件夹 {out} 与要审核的 {given} 重叠（相同、在其中或包含它），"
                "为免改动或删除要审核的报告，未运行；请把 --out 设为要审核的文件和文件夹之外的文件夹"
            )


def check_out(out: Path) -> None:
    """Refuse an output folder that exists but was not made by an audit (or is a file)."""
    if out.exists() and not out.is_dir():
        raise CannotStart(f"输出位置 {out} 是一个文件，不是文件夹；请换一个 --out")
    if out.is_dir() and not (out / AUDIT_MARK).is_file() and any(out.iterdir()):
        raise CannotStart(
            f"{out} 已存在，但不是 xxgk audit 生成的文件夹（没有 {AUDIT_MARK} 标记），"
            "为免改动其中的文件，未运行；请换一个 --out，或先移走它"
        )


def write_outputs(
    where: AuditPaths,
    cells: pd.DataFrame,
    findings: pd.DataFrame,
    summary: pd.DataFrame,
    html: str,
) -> tuple[Path, ...]:
    """Write the four outputs into a staging folder beside `where.out`, then swap it in."""
    with _locked(where):
        _recover(where)
        staging = where.staging(os.getpid())
        if staging.exists():
            shutil.rmtree(staging)
        try:
            staged = AuditPaths(staging)
            store.write_text("xxgk audit\n", staged.mark)
            store.write_csv(cells, staged.cells)
            store.write_csv(findings, staged.issues_csv)
            store.write_text(html, staged.issues_html)
            store.write_csv(summary, staged.reports)
            _swap(where, staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return (where.cells, where.issues_csv, where.issues_html, where.reports)


def _swap(where: AuditPaths, staging: Path) -> None:
    """Put the finished staging folder in place of the output folder."""
    check_out(where.out)  # NOTE: again, just before: the folder may have appeared meanwhile
    old = where.set_aside(os.getpid())
    if where.out.exists():
        where.out.rename(old)
    staging.rename(where.out)
    if old.exists():
        shutil.rmtree(old)


def _recover(where: AuditPaths) -> None:
    """Undo what an audit killed mid-swap left: the previous outputs put back if only their
    set-aside copy is left; leftover staging and set-aside folders (marked) removed."""
    leftovers = [p for p in where.leftovers() if (p / AUDIT_MARK).is_file()]
    olds = [p for p in leftovers if ".old-" in p.name]
    if olds and not where.out.exists():
        olds[-1].rename(where.out)
        leftovers.remove(olds[-1])
    for p in leftovers:
        shutil.rmtree(p, ignore_errors=True)


@contextmanager
def _locked(where: AuditPaths) -> Iterator[None]:
    """Hold the output folder's lock while writing it: one audit at a time per folder."""
    with exclusive(
        where.lock, LOCK_WAIT, lambda: CannotStart(f"另一个审核正在写入 {where.out}，请稍后再试。")
    ):
        yield
