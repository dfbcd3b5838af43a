"""What a failure means for the user: its exit code (2 could not start or could not write, 3
an internal failure) and the Chinese message that names the file, the path or the log."""

from __future__ import annotations

import os
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

from pipeline import run, unattended
from pipeline.oserrors import os_reason
from pipeline.paths import Paths
from pipeline.render.narrative import NarrativeError


def exit_code(exc: BaseException) -> int:
    """The exit code a failure means: 2 could not start or could not write, 3 internal."""
    if isinstance(exc, (run.CannotStart, NarrativeError, OSError, unattended.Busy)):
        return 2
    return 3


def message(exc: BaseException, paths: Paths | None, logged: Path | None) -> str:
    """What the user is told of a failure, in Chinese."""
    if isinstance(exc, (run.CannotStart, unattended.Busy)):
        return str(exc)
    if isinstance(exc, NarrativeError):
        return f"报告文字模板有误：{exc}"
    if isinstance(exc, OSError):
        return file_trouble(exc, paths)
    where = logged or _crash_log(exc, paths)
    told = f"详细信息已写入日志 {where}" if where else "未能写出日志"
    return (
        f"内部错误（{type(exc).__name__}: {' '.join(str(exc).split())[:120]}），运行未完成，原有输出未改动；"
        f"{told}，请把它发给维护人员。"
    )


def file_trouble(exc: OSError, paths: Paths | None = None) -> str:
    """A file that could not be read or written, in words: which one and why."""
    reason = os_reason(exc)
    where: object = exc.filename or (paths.shown(paths.out) if paths else "输出文件夹")
    if paths is not None and exc.filename:
        where = paths.shown(Path(exc.filename))
    return f"无法读写 {where}：{reason}（错误代码 {exc.errno}）。请检查该位置后重新运行。"


def _crash_log(exc: BaseException, paths: Paths | None) -> Path | None:
    """A log file holding the traceback of a failure outside a `report` run."""
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}"
    folders = [paths.out_root / str(paths.year) / "logs"] if paths else []
    for folder in [*folders, Path(tempfile.gettempdir())]:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"xxgk-{stamp}.log"
            trace = "".join(traceback.format_exception(exc))
            path.write_text(f"{datetime.now().isoformat()} 内部错误\n{trace}", encoding="utf-8")
            return path
        except OSError:
            continue
    return None
