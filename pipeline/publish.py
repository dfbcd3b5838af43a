"""Running unattended: one run per output folder at a time, and outputs that appear whole or not at all.

- `year_lock`: an exclusive lock beside the output folder (`output/.2023.lock`). A second run waits
  briefly, then gives up with `Busy`. The kernel releases the lock when a run dies, so a lock file
  left by a killed run is recognised (it is not held) and taken over.
- `staged`: the run writes into a fresh folder beside the target (`output/.2023.staging-<pid>/`)
  and the finished folder replaces the previous one by renames; a killed run leaves the previous
  outputs as they were, and the next run clears its leftovers.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from pipeline.paths import Paths


class Busy(Exception):
    """Another run holds the output folder; the message says which, in Chinese."""


@dataclass(frozen=True)
class Lock:
    """A held lock, and whether it took over one left by a run that died."""

    path: Path
    stale: dict | None  # what the dead run had written in the lock file


@contextmanager
def year_lock(paths: Paths, wait: float = 5.0) -> Iterator[Lock]:
    """Hold the lock of `paths`' output folder for the duration of a run."""
    path = paths.lock
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(path)
                    who = (
                        f"（进程 {holder.get('pid', '?')}，{holder.get('host', '?')}，开始于 {holder.get('started', '?')}）"
                        if holder
                        else ""
                    )
                    raise Busy(f"另一个任务正在处理 {paths.out}{who}，请稍后再试。") from None
                time.sleep(0.1)
        stale = _holder(path)
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(_me(), ensure_ascii=False).encode())
        os.fsync(fd)
        try:
            yield Lock(path, stale or None)
        finally:
            # NOTE: emptied, never removed: a run waiting on this file must lock the same file
            # as the next one, or two runs could each think they hold the folder
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # NOTE: closing releases the flock


def _me() -> dict:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now().isoformat(timespec="seconds"),
    }


def _holder(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text) if text.strip() else {}
    except (OSError, ValueError):
        return {}


KEPT = (
    "logs",
    "templates",
)  # what a run never makes again but must not lose: earlier logs, templates


@contextmanager
def staged(paths: Paths, keep: tuple[str, ...] | None = KEPT) -> Iterator[Paths]:
    """Paths whose outputs go to a fresh staging folder, swapped into place when the block ends
    normally; on an exception the staging folder is removed and the previous outputs stay.
    `keep` names what of the previous outputs the run carries over when it did not make it
    anew (None: everything, for a run that makes only part of the outputs)."""
    recover(paths)
    staging = paths.out_root / f".{paths.year}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        yield replace(paths, staging=staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap(paths, staging, keep)


def swap(paths: Paths, staging: Path, keep: tuple[str, ...] | None = KEPT) -> None:
    """Put the finished staging folder in place of the output folder, carrying over what `keep`
    names (and every earlier log)."""
    target = paths.out_root / str(paths.year)
    old = paths.out_root / f".{paths.year}.old-{os.getpid()}"
    if target.is_dir():
        for entry in target.iterdir():
            if keep is not None and entry.name not in keep:
                continue
            _carry(entry, staging / entry.name)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _carry(source: Path, target: Path) -> None:
    """Copy what the run did not make itself; within folders, its own files win."""
    if source.is_dir():
        target.mkdir(exist_ok=True)
        for entry in source.iterdir():
            _carry(entry, target / entry.name)
    elif not target.exists():
        shutil.copy2(source, target)


def recover(paths: Paths) -> None:
    """Undo what a run killed mid-swap or mid-run left: restore the previous outputs if only the
    set-aside copy exists, and remove leftover staging and set-aside folders."""
    target = paths.out_root / str(paths.year)
    if not paths.out_root.is_dir():
        return
    olds = sorted(paths.out_root.glob(f".{paths.year}.old-*"))
    if olds and not target.exists():
        olds.pop().rename(target)
    for leftover in [*olds, *paths.out_root.glob(f".{paths.year}.staging-*")]:
        shutil.rmtree(leftover, ignore_errors=True)
