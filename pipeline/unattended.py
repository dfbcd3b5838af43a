"""Running unattended: one run per output folder at a time, and outputs that appear whole or not at all.

- `year_lock`: an exclusive lock beside the output folder (`output/.2023.lock`). A second run waits
  briefly, then gives up with `Busy`. The kernel releases the lock when a run dies, so a lock file
  left by a killed run is recognised (it is not held) and taken over.
- `staged`: the run writes into a fresh folder beside the target (`output/.2023.staging-<pid>/`)
  and the finished folder replaces the previous one by renames; a killed run leaves the previous
  outputs as they were, and the next run clears its leftovers.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from pipeline.inputs import CannotStart
from pipeline.locks import exclusive
from pipeline.paths import Paths
from pipeline.run.report import Outcome
from pipeline.store import write_json


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

    def busy() -> Busy:
        holder = _holder(path)
        who = (
            f"（进程 {holder.get('pid', '?')}，{holder.get('host', '?')}，开始于 {holder.get('started', '?')}）"
            if holder
            else ""
        )
        return Busy(f"另一个任务正在处理 {paths.out}{who}，请稍后再试。")

    with exclusive(path, wait, busy) as fd:
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


MARK = ".xxgk-output"  # in every year folder of outputs xxgk made: only those are ever moved or removed


def mark(folder: Path) -> None:
    """Mark `folder` as made by xxgk (so a later run may replace it)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARK).write_text("xxgk\n", encoding="utf-8")


def made_by_xxgk(folder: Path) -> bool:
    """Whether `folder` holds outputs xxgk made: its mark, or (made before marks) a manifest of
    an xxgk run or the list of files its first stage received."""
    if (folder / MARK).is_file():
        return True
    manifest = folder / "manifest.json"
    try:
        if manifest.is_file() and '"xxgk"' in manifest.read_text(
            encoding="utf-8", errors="replace"
        ):
            return True
    except OSError:
        return False
    return (folder / "01_ingested" / "returns.csv").is_file()


def claim(paths: Paths) -> None:
    """Make sure the year's output folder may be written: absent (then made and marked) or made
    by xxgk; a folder that merely has the name is never written into, moved or removed."""
    target = paths.out_root / str(paths.year)
    if target.exists() and not (target.is_dir() and made_by_xxgk(target)):
        what = "文件夹" if target.is_dir() else "文件"
        raise CannotStart(
            f"{target} 已存在，但不是 xxgk 生成的输出{what}（没有 {MARK} 标记），"
            "为免改动其中的文件，未运行；请换一个 --out，或先移走它"
        )
    if not target.exists():
        mark(target)
    elif not (target / MARK).exists():
        mark(target)  # NOTE: outputs of a run made before marks existed


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
    target = paths.out_root / str(paths.year)
    if target.exists() and not (target.is_dir() and made_by_xxgk(target)):
        claim(paths)  # NOTE: raises, naming the folder
    recover(paths)
    staging = paths.out_root / f".{paths.year}.staging-{os.getpid()}"
    _remove_ours(staging)
    mark(staging)
    try:
        yield replace(paths, staging=staging)
    except BaseException:
        _remove_ours(staging)
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
    _remove_ours(old)


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
    olds = sorted(p for p in paths.out_root.glob(f".{paths.year}.old-*") if made_by_xxgk(p))
    if olds and not target.exists():
        olds.pop().rename(target)
    for leftover in [*olds, *paths.out_root.glob(f".{paths.year}.staging-*")]:
        _remove_ours(leftover)


def _remove_ours(folder: Path) -> None:
    """Remove a folder of outputs, only if xxgk made it (a staging or set-aside copy)."""
    if folder.is_dir() and made_by_xxgk(folder):
        shutil.rmtree(folder, ignore_errors=True)


# -- a whole run, unattended ------------------------------------------------------------------
log = logging.getLogger("xxgk")

EXIT_STATUS = {
    0: "报告已生成",
    1: "存在错误：报告未生成或为草稿，问题清单已写出",
    2: "无法开始或无法写入",
    3: "内部错误",
}


class Failed(Exception):
    """A run that could not finish: what went wrong (`cause`), and the log that tells more, kept
    beside the previous outputs (which are left as they were)."""

    def __init__(self, cause: BaseException, log: Path | None) -> None:
        super().__init__(str(cause))
        self.cause, self.log = cause, log


def run(
    final: Paths,
    options: dict,
    work: Callable[[Paths], Outcome],
    keep: tuple[str, ...] | None = KEPT,
) -> Outcome:
    """Run `work` (the stages, writing into the paths it is given) holding the output folder's
    lock, in a staging folder that replaces the previous outputs only when `work` returns, with a
    log and a manifest; when it raises, `Failed` (the previous outputs stay, the log is kept)."""
    started = datetime.now()
    name = f"{started:%Y%m%d-%H%M%S}-{os.getpid()}.log"
    with year_lock(final) as lock, staged(final, keep) as stage:
        handler = _log_file(stage.logs / name)
        try:
            if lock.stale:
                log.warning(
                    f"已接管上次未正常结束的运行（进程 {lock.stale.get('pid', '?')}）留下的锁"
                )
            log.info(f"开始：xxgk report {json.dumps(options, ensure_ascii=False)}")
            try:
                outcome = work(stage)
                log.info(f"结束：退出码 {outcome.code}")
                record = manifest(stage, options, outcome, started)
                write_json(record, stage.manifest)
            except BaseException as exc:
                if isinstance(exc, Exception):
                    log.error("运行未完成，保留原有输出", exc_info=exc)
                raise
        except BaseException as exc:
            log.removeHandler(handler)
            handler.close()
            kept = _keep_log(stage.logs / name, final)
            if isinstance(exc, Exception):
                raise Failed(exc, kept) from exc
            raise
        log.removeHandler(handler)
        handler.close()
    return outcome


def manifest(stage: Paths, options: dict, outcome: Outcome, started: datetime) -> dict:
    """The manifest of a finished run (see `pipeline.manifest`)."""
    from pipeline.manifest import manifest as record

    stages = [
        {"stage": r.stage, "seconds": round(r.seconds, 3), "counts": r.counts, "blocked": r.blocked}
        for r in outcome.stages
    ]
    written = record(
        stage,
        options,
        stages,
        outcome.code,
        EXIT_STATUS[outcome.code],
        started.isoformat(timespec="seconds"),
        datetime.now().isoformat(timespec="seconds"),
    )
    return {**written, "findings": outcome.tally, "last_year": outcome.last_year}


def _log_file(path: Path) -> logging.Handler:
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    return handler


def _keep_log(log_file: Path, final: Paths) -> Path | None:
    """A failed run's log, kept beside the previous outputs (its staging folder is removed)."""
    try:
        claim(final)
        final.logs.mkdir(parents=True, exist_ok=True)
        target = final.logs / log_file.name
        shutil.copy2(log_file, target)
        return target
    except (OSError, CannotStart):
        return (
            None  # NOTE: the disk may be full; the message on the screen still says what happened
        )
