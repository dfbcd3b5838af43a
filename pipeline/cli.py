"""The command line `xxgk`: parse, call the stages, print. Exit codes: 0 written (warnings
allowed), 1 blocked by error findings (findings still written), 2 could not start or could not
write (a Chinese message naming the path), 3 an internal failure (the traceback in the log)."""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import sys
import tempfile
import time
import traceback
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from pipeline import manifest, run, store
from pipeline import unattended as publish
from pipeline.paths import Paths
from pipeline.render.narrative import NarrativeError

EXIT_OK, EXIT_BLOCKED, EXIT_CANNOT_START, EXIT_INTERNAL = 0, 1, 2, 3

app = typer.Typer(
    help="政府信息公开工作年度报告：读取各单位报表、校验、汇总并生成全县报告。\n\n示例：xxgk report --year 2023",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

Year = Annotated[int, typer.Option("--year", "-y", help="报告年度，例如 2023", min=2000, max=2100)]
Raw = Annotated[Path, typer.Option("--raw", help="存放各年度报表的文件夹（其中有 <year>/）")]
Out = Annotated[Path, typer.Option("--out", help="输出文件夹（其中写 <year>/）")]
Unit = Annotated[
    str | None, typer.Option("--unit", help="只生成该单位的本机关报告，例如 古县人民政府办公室")
]
Strict = Annotated[
    bool,
    typer.Option(
        "--strict", help="严格模式：必填单元格为空或填“/”“—”“无”时报错（默认按0计并提示）"
    ),
]
Draft = Annotated[
    bool, typer.Option("--draft", help="即使有错误也生成报告，每页标注“草稿（数据未通过校验）”")
]
AllUnits = Annotated[
    bool,
    typer.Option(
        "--all-units",
        help="生成每个单位的本机关报告（HTML、Markdown、Word），报表有错误的单位不生成",
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度和摘要（适合定时任务）")]
AllowMissing = Annotated[
    bool,
    typer.Option(
        "--allow-missing", help="有单位未报送时仍生成全县报告，并在报告附注中列出未报送的单位"
    ),
]


log = logging.getLogger("xxgk")
log.addHandler(logging.NullHandler())
log.setLevel(logging.INFO)
log.propagate = (
    False  # NOTE: the run's log file gets a handler during `report`; nothing else prints
)


def _say(message: str, quiet: bool = False) -> None:
    log.info(message)
    if not quiet:
        typer.echo(message)


def _warn(message: str) -> None:
    log.warning(message)
    typer.echo(f"xxgk：{message}", err=True)


def _fail(message: str, code: int) -> typer.Exit:
    log.error(message)
    typer.echo(f"xxgk：{message}", err=True)
    return typer.Exit(code)


def _ingest(paths: Paths, quiet: bool, behind: bool = False) -> run.StageResult:
    files = paths.return_files()
    if quiet or not sys.stderr.isatty():
        result = run.run_ingest(paths, behind=behind)
    else:
        with typer.progressbar(length=len(files), label="读取报表", file=sys.stderr) as bar:
            result = run.run_ingest(paths, progress=bar.update, behind=behind)
    c = result.counts
    _say(
        f"读取：{c['files']}个文件，收到{c['received']}个单位的报表（名册共{c['units']}个单位），{c['cells']}个单元格。",
        quiet,
    )
    return result


def _validated(result: run.StageResult, paths: Paths, quiet: bool) -> None:
    c = result.counts
    _say(
        f"校验：错误{c['error']}个，警告{c['warning']}个，提示{c['info']}个；明细见 {paths.issues_html}",
        quiet,
    )


def _guard(fn, paths: Paths | None = None):
    """Run a command body: a refusal to start, or a file that cannot be read or written, is
    exit 2 with a Chinese message naming it; anything else is an internal failure (exit 3),
    its traceback written to a log file, never to the screen."""
    try:
        return fn()
    except (typer.Exit, typer.Abort):
        raise
    except run.CannotStart as exc:
        raise _fail(str(exc), EXIT_CANNOT_START) from None
    except NarrativeError as exc:
        raise _fail(f"报告文字模板有误：{exc}", EXIT_CANNOT_START) from None
    except OSError as exc:
        raise _fail(file_trouble(exc, paths), EXIT_CANNOT_START) from None
    except Exception as exc:
        raise _fail(_internal(exc, paths), EXIT_INTERNAL) from None


_REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "所在的文件系统是只读的",
    errno.ENOTDIR: "路径中的某一级是文件，不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.EEXIST: "已经存在",
    errno.ENOENT: "不存在",
    errno.EIO: "读写设备出错",
}


def file_trouble(exc: OSError, paths: Paths | None = None) -> str:
    """A file that could not be read or written, in words: which one and why."""
    reason = _REASONS.get(exc.errno or 0) or (exc.strerror or type(exc).__name__)
    where = exc.filename or (paths.shown(paths.out) if paths else "输出文件夹")
    if paths is not None and exc.filename:
        where = paths.shown(Path(exc.filename))
    return f"无法读写 {where}：{reason}（错误代码 {exc.errno}）。请检查该位置后重新运行。"


_log_at: list[Path] = []  # NOTE: where the running `report` keeps its log for the user


def _internal(exc: BaseException, paths: Paths | None) -> str:
    """Log an unexpected failure with its traceback; the short Chinese message for the screen."""
    log.error("内部错误", exc_info=exc)
    where = _log_at[-1] if _log_at else _crash_log(exc, paths)
    told = f"详细信息已写入日志 {where}" if where else "未能写出日志"
    return (
        f"内部错误（{type(exc).__name__}: {' '.join(str(exc).split())[:120]}），运行未完成，原有输出未改动；"
        f"{told}，请把它发给维护人员。"
    )


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


def _exclusive(unit: str | None, all_units: bool) -> None:
    if unit and all_units:
        raise _fail("--unit 与 --all-units 只能选一个", EXIT_CANNOT_START)


def _blocked(result: run.StageResult) -> typer.Exit:
    return _fail(result.message or "存在错误，未继续。", EXIT_BLOCKED)


def _standalone(paths: Paths, *, inputs: bool = True) -> None:
    """Before a command that writes into the year's output folder directly: its inputs read and
    checked, its outputs apart from them, the folder made by xxgk (or made now)."""
    if inputs:
        run.check_inputs(paths)
    run.check_outputs(paths)
    publish.claim(paths)


@app.command()
def ingest(
    year: Year, raw: Raw = Path("raw"), out: Out = Path("output"), quiet: Quiet = False
) -> None:
    """读取 raw/<year>/returns/ 中的全部报表，写出 01_ingested/。示例：xxgk ingest --year 2023"""
    paths = Paths(raw, out, year)
    _guard(lambda: (_standalone(paths), _ingest(paths, quiet)), paths)


@app.command()
def template(
    year: Year, raw: Raw = Path("raw"), out: Out = Path("output"), quiet: Quiet = False
) -> None:
    """为名册中的每个单位生成报表模板（另加一份空白模板），写到 <out>/<year>/templates/。示例：xxgk template --year 2024"""
    paths = Paths(raw, out, year)
    result = _guard(lambda: (_standalone(paths), run.run_template(paths))[1], paths)
    _say(
        f"模板：已为{result.counts['units']}个单位生成报表模板，另有空白模板1份；写出到 {paths.templates}",
        quiet,
    )


@app.command()
def validate(
    year: Year,
    raw: Raw = Path("raw"),
    out: Out = Path("output"),
    strict: Strict = False,
    quiet: Quiet = False,
) -> None:
    """按 2021 年格式的全部规则校验已读取的报表，写出问题清单 issues.html、issues.csv 和退回各单位的标注文件 feedback/。示例：xxgk validate --year 2023 --strict"""
    paths = Paths(raw, out, year)
    result = _guard(
        lambda: (_standalone(paths, inputs=False), run.run_validate(paths, strict=strict))[1],
        paths,
    )
    _validated(result, paths, quiet)
    if result.blocked:
        raise _fail(f"校验发现错误，请根据 {paths.issues_html} 退回修改。", EXIT_BLOCKED)


@app.command()
def aggregate(
    year: Year,
    raw: Raw = Path("raw"),
    out: Out = Path("output"),
    draft: Draft = False,
    allow_missing: AllowMissing = False,
    quiet: Quiet = False,
) -> None:
    """把各单位报表逐格相加为全县数据，写出 03_aggregated/。示例：xxgk aggregate --year 2023"""
    paths = Paths(raw, out, year)
    result = _guard(
        lambda: (
            _standalone(paths, inputs=False),
            run.run_aggregate(paths, draft=draft, allow_missing=allow_missing),
        )[1],
        paths,
    )
    if result.blocked:
        raise _blocked(result)
    _say(f"汇总：{result.counts['units']}个单位；写出 {paths.county_cells}", quiet)


@app.command()
def render(
    year: Year,
    raw: Raw = Path("raw"),
    out: Out = Path("output"),
    unit: Unit = None,
    draft: Draft = False,
    all_units: AllUnits = False,
    allow_missing: AllowMissing = False,
    quiet: Quiet = False,
) -> None:
    """生成全县报告（或 --unit 指定单位、--all-units 每个单位的本机关报告）。示例：xxgk render --year 2023"""
    paths = Paths(raw, out, year)
    _exclusive(unit, all_units)
    _guard(
        lambda: (_standalone(paths, inputs=False), _check_narratives(paths, unit, all_units)), paths
    )
    if all_units:
        failed = _all_unit_reports(paths, paths, quiet)
        if failed:
            raise _fail(failed, EXIT_BLOCKED)
        return
    result = _guard(
        lambda: (
            run.run_render_unit(paths, unit)
            if unit
            else run.run_render(paths, draft=draft, allow_missing=allow_missing)
        ),
        paths,
    )
    _narrated(result, paths, quiet)
    if result.blocked:
        raise _blocked(result)
    shown = paths.unit_report_html(unit) if unit else paths.report_html
    _say(f"报告：已写出 {shown} 等{len(result.written)}个文件", quiet)


def _check_narratives(paths: Paths, unit: str | None, all_units: bool) -> None:
    """The narrative templates this run will use, read before any work."""
    units = list(run.check_inputs(paths)["name"]) if all_units else [unit] if unit else []
    run.check_narratives(paths, units, county=not unit)


def _narrated(result: run.StageResult, shown: Paths, quiet: bool) -> None:
    """Say what the narrative checks found, counted like every other finding."""
    c = result.counts
    if c.get("error") or c.get("warning") or c.get("info"):
        _say(
            f"报告文字：错误{c.get('error', 0)}个，警告{c.get('warning', 0)}个，"
            f"提示{c.get('info', 0)}个；明细见 {shown.issues_html}",
            quiet,
        )


@app.command()
def report(
    year: Year,
    raw: Raw = Path("raw"),
    out: Out = Path("output"),
    unit: Unit = None,
    strict: Strict = False,
    draft: Draft = False,
    all_units: AllUnits = False,
    quiet: Quiet = False,
    allow_missing: AllowMissing = False,
) -> None:
    """依次读取、校验、汇总并生成报告。示例：xxgk report --year 2023；xxgk report --year 2023 --unit 古县人民政府办公室；xxgk report --year 2023 --all-units"""
    final = Paths(raw, out, year)
    _exclusive(unit, all_units)
    _guard(
        lambda: (
            run.check_inputs(final),
            run.check_outputs(final),
            _check_narratives(final, unit, all_units),
        ),
        final,
    )
    options = {
        "year": year,
        "raw": str(raw),
        "out": str(out),
        "unit": unit,
        "strict": strict,
        "draft": draft,
        "all_units": all_units,
        "allow_missing": allow_missing,
    }

    def body(stage: Paths, done: list[run.StageResult]) -> None:
        step = partial(_step, done, stage)
        # NOTE: the cell table is written while validation goes on; waited for before publishing
        step(lambda: _ingest(stage, quiet, behind=True))
        validated = step(lambda: run.run_validate(stage, strict=strict))
        _validated(validated, final, quiet)
        if unit:
            result = step(lambda: run.run_render_unit(stage, unit))
            _narrated(result, final, quiet)
            if result.blocked:
                raise _blocked(result)
            _say(f"报告：{unit}的本机关报告已写出到 {final.unit_dir(unit)}", quiet)
            return
        # NOTE: the units' own reports need only their own clean returns, so they go first: a
        # department's error that blocks the county report does not hold back the others'
        units_failed = _all_unit_reports(stage, final, quiet, step) if all_units else ""
        if units_failed:
            _warn(units_failed)
        aggregated = step(
            lambda: run.run_aggregate(stage, draft=draft, allow_missing=allow_missing)
        )
        if aggregated.blocked and aggregated.message:
            raise _fail(f"{aggregated.message}；请查看 {final.issues_html}。", EXIT_BLOCKED)
        if aggregated.blocked:
            raise _fail(
                f"全县汇总数据未通过校验，未生成报告；请查看 {final.county_findings}。",
                EXIT_BLOCKED,
            )
        rendered = step(lambda: run.run_render(stage, draft=draft, allow_missing=allow_missing))
        _narrated(rendered, final, quiet)
        if rendered.blocked:
            raise _blocked(rendered)
        _say(
            f"报告：已写出 {final.report_html}、{final.report_md} 和 {final.report_docx}；"
            f"分析用：{final.summary_xlsx}、{final.charts_html}；各步骤产物在 {final.out}/",
            quiet,
        )
        if rendered.counts.get("draft"):
            raise _fail(f"报告为草稿：数据有错误，请查看 {final.issues_html}。", EXIT_BLOCKED)
        if units_failed:
            raise typer.Exit(EXIT_BLOCKED)

    # NOTE: a run for one unit makes only that unit's report: the rest of the outputs stay
    code = _unattended(final, options, body, keep=None if unit else publish.KEPT)
    if code:
        raise typer.Exit(code)


def _step(done: list[run.StageResult], stage: Paths, fn):
    """Run one stage (refusals to start become exit 2), timing it for the manifest."""
    start = time.perf_counter()
    result = _guard(fn, stage)
    result.seconds = time.perf_counter() - start
    done.append(result)
    run.release_memory()
    return result


def _unattended(final: Paths, options: dict, body, keep: tuple[str, ...] | None) -> int:
    """Run `body` holding the output folder's lock, writing into a staging folder that replaces
    the previous outputs only when the run ends with exit 0 or 1, with a log and a manifest.

    Exit 2 or 3 keeps the previous outputs as they were; the run's log is kept beside them."""
    started = datetime.now()
    done: list[run.StageResult] = []
    name = f"{started:%Y%m%d-%H%M%S}-{os.getpid()}.log"
    try:
        with publish.year_lock(final) as lock, publish.staged(final, keep) as stage:
            handler = _log_file(stage.logs / name)
            _log_at.append(final.logs / name)
            try:
                if lock.stale:
                    log.warning(
                        f"已接管上次未正常结束的运行（进程 {lock.stale.get('pid', '?')}）留下的锁"
                    )
                log.info(f"开始：xxgk report {json.dumps(options, ensure_ascii=False)}")
                try:
                    _guard(lambda: body(stage, done), stage)
                    code = EXIT_OK
                except typer.Exit as exc:
                    code = exc.exit_code
                if code not in (EXIT_CANNOT_START, EXIT_INTERNAL):
                    # NOTE: nothing is published or listed before it is written
                    code = _exit_of(lambda: _guard(store.wait_written, stage), code)
                if code not in (EXIT_CANNOT_START, EXIT_INTERNAL):
                    log.info(f"结束：退出码 {code}")
                    write = lambda: _write_manifest(stage, options, done, code, started)  # noqa: E731
                    code = _exit_of(lambda: _guard(write, stage), code)
                if code in (EXIT_CANNOT_START, EXIT_INTERNAL):
                    log.info(f"结束：退出码 {code}，保留原有输出")
            finally:
                log.removeHandler(handler)
                handler.close()
                _log_at.clear()
                store.forget_kept()
            if code in (EXIT_CANNOT_START, EXIT_INTERNAL):
                _keep_log(stage.logs / name, final)
                raise _Discard(code)
    except _Discard as discard:
        return discard.code
    except typer.Exit as exc:  # NOTE: the manifest or the swap could not be written
        return exc.exit_code
    except publish.Busy as exc:
        raise _fail(str(exc), EXIT_CANNOT_START) from None
    except run.CannotStart as exc:
        raise _fail(str(exc), EXIT_CANNOT_START) from None
    except OSError as exc:
        raise _fail(file_trouble(exc, final), EXIT_CANNOT_START) from None
    return code


def _exit_of(fn, code: int) -> int:
    """`code`, unless `fn` ends the run with another exit code."""
    try:
        fn()
    except typer.Exit as exc:
        return exc.exit_code
    return code


class _Discard(Exception):
    """The run could not go on: keep the previous outputs instead of publishing this run's."""

    def __init__(self, code: int):
        self.code = code


def _write_manifest(stage: Paths, options: dict, done: list, code: int, started) -> None:
    stages = [
        {"stage": r.stage, "seconds": round(r.seconds, 3), "counts": r.counts, "blocked": r.blocked}
        for r in done
    ]
    record = manifest.manifest(
        stage,
        options,
        stages,
        code,
        EXIT_STATUS[code],
        started.isoformat(timespec="seconds"),
        datetime.now().isoformat(timespec="seconds"),
    )
    store.write_json(record, stage.manifest)


def _keep_log(log_file: Path, final: Paths) -> None:
    """A failed run's log, kept beside the previous outputs (its staging folder is removed)."""
    try:
        publish.claim(final)
        final.logs.mkdir(parents=True, exist_ok=True)
        shutil.copy2(log_file, final.logs / log_file.name)
    except (OSError, run.CannotStart):
        pass  # NOTE: the disk may be full; the message on the screen still says what happened


EXIT_STATUS = {
    EXIT_OK: "报告已生成",
    EXIT_BLOCKED: "存在错误：报告未生成或为草稿，问题清单已写出",
    EXIT_CANNOT_START: "无法开始或无法写入",
    EXIT_INTERNAL: "内部错误",
}


def _log_file(path: Path) -> logging.Handler:
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    return handler


def _all_unit_reports(paths: Paths, shown: Paths, quiet: bool, step=None) -> str:
    """Render every unit's own report; say which units got none and why (empty when none).
    `shown` names the places the user will find (the run may write into a staging folder)."""
    work = lambda: run.run_render_all_units(paths)  # noqa: E731
    result = step(work) if step else _guard(work, paths)
    c = result.counts
    _say(
        f"本机关报告：{c['reports']}个单位的报告（HTML、Markdown、Word）已写出到 {shown.units_dir}/；"
        f"清单见 {shown.unit_reports}",
        quiet,
    )
    _narrated(result, shown, quiet)
    return f"{c['blocked']}个单位未生成本机关报告：{result.message}" if result.blocked else ""


def main() -> None:
    """The `xxgk` entry point: usage errors get a Chinese line on stderr and exit 2."""
    try:
        code = app(prog_name="xxgk", standalone_mode=False)
    except typer.Abort:
        typer.echo("xxgk：已中断", err=True)
        code = EXIT_CANNOT_START
    except Exception as exc:
        # NOTE: typer vendors click privately; its usage errors are known by `format_message`
        if hasattr(exc, "format_message"):
            typer.echo(
                f"xxgk：参数有误：{exc.format_message()}（运行 xxgk --help 查看用法）", err=True
            )
            code = EXIT_CANNOT_START
        else:  # NOTE: every command guards its body; this is the last resort
            typer.echo(f"xxgk：{_internal(exc, None)}", err=True)
            code = EXIT_INTERNAL
    sys.exit(code or 0)


@app.command()
def audit(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="要审核的年报文件或文件夹（可多个；文件夹含其子文件夹）",
            show_default=False,
            metavar="PATH",
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="输出文件夹（只替换 xxgk audit 生成的文件夹）")
    ] = Path("output/audit"),
    quiet: Quiet = False,
) -> None:
    """审核已发布的年度报告（PDF、Word/WPS、网页、文本）：逐格读取表二、表三、表四并按全部规则检查，同一机关相邻年度互相比较，写出 cells.csv、issues.csv、issues.html、reports.csv。示例：xxgk audit 下载的年报/ --out output/audit"""
    # NOTE: imported here: the document readers (pdfplumber, python-docx, lxml) would slow the
    # start of every other command
    from pipeline.audit.run import audit_files, run_audit
    from pipeline.paths import AuditPaths

    where = AuditPaths(out)

    def body():
        if quiet or not sys.stderr.isatty():
            return run_audit(paths, out)
        count = len(audit_files(paths))
        with typer.progressbar(length=count, label="读取年报", file=sys.stderr) as bar:
            return run_audit(paths, out, progress=bar.update)

    result = _guard(body)
    c = result.counts
    _say(
        f"审核：{c['files']}个文件，其中{c['reports']}份读到年报表格，共读取{c['cells']}个单元格；"
        f"{c['compared']}份与同一机关上一年度的报告作了比较。",
        quiet,
    )
    _say(
        f"问题：错误{c['error']}个，警告{c['warning']}个，提示{c['info']}个；明细见 {where.issues_html}，"
        f"逐格数据见 {where.cells}，各份报告见 {where.reports}",
        quiet,
    )
    if result.blocked:
        raise _fail(
            f"已发布的报告中有{c['error']}个错误，请查看 {where.issues_html}。", EXIT_BLOCKED
        )
