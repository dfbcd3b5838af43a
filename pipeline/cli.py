"""The command line `xxgk`: parse, call the stages, print. Exit codes: 0 written (warnings
allowed), 1 blocked by error findings (findings still written), 2 could not start or could not
write (a Chinese message naming the path), 3 an internal failure (the traceback in the log)."""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from pipeline import failures, run, unattended
from pipeline.help import Command, Group
from pipeline.paths import Paths
from pipeline.run.reading import Progress

T = TypeVar("T")

EXIT_OK, EXIT_BLOCKED, EXIT_CANNOT_START, EXIT_INTERNAL = 0, 1, 2, 3

app = typer.Typer(
    cls=Group,
    help="政府信息公开工作年度报告：读取各单位报表、校验、汇总并生成全县报告。\n\n示例：xxgk report --year 2023",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

Year = Annotated[int, typer.Option("--year", "-y", help="报告年度，例如 2023", min=2000, max=2100)]
Raw = Annotated[Path, typer.Option("--raw", help="存放各年度报表的文件夹（其中有 <year>/）")]
Out = Annotated[Path, typer.Option("--out", help="输出文件夹（其中写 <year>/）")]
Unit = Annotated[
    str | None,
    typer.Option(
        "--unit",
        help="只生成该单位的本机关报告：单位名称、别名或代码，例如 古县人民政府办公室、县公安局",
    ),
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
        _show(message)


def _warn(message: str) -> None:
    log.warning(message)
    _show(f"xxgk：{message}", err=True)


def _fail(message: str, code: int) -> typer.Exit:
    log.error(message)
    _show(f"xxgk：{message}", err=True)
    return typer.Exit(code)


# -- the screen: never an output ----------------------------------------------------------------
# NOTE: what is shown is also in the run's log; a screen that is gone (a closed stream, a pipe
# whose reader has left as `| head` does, a terminal closed) never stops a run or changes its
# exit code


def _show(message: str, err: bool = False) -> None:
    """Print a line on stdout (stderr when `err`), unless that screen is gone."""
    try:
        typer.echo(message, err=err)
    except OSError:
        _gone(sys.stderr if err else sys.stdout)


def _gone(stream: object) -> None:
    """Send what is still written to a screen that is gone to /dev/null, so that later lines,
    and the flush at exit, find somewhere to go."""
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return  # NOTE: not a file (a test's stream), or already closed
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


def _on_terminal() -> bool:
    """Whether stderr is a terminal (progress bars are drawn there only)."""
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (OSError, ValueError):
        return False


@contextmanager
def _bar(length: int, label: str) -> Iterator[Progress]:
    """A progress bar on the terminal, drawn until the terminal is gone."""
    bar = typer.progressbar(length=length, label=label, file=sys.stderr)
    shown = True

    def drawn(step: Callable[[], object]) -> None:
        nonlocal shown
        if shown:
            try:
                step()
            except OSError:
                shown = False
                _gone(sys.stderr)

    drawn(bar.__enter__)
    try:
        yield lambda n: drawn(lambda: bar.update(n))
    finally:
        drawn(lambda: bar.__exit__(None, None, None))


@contextmanager
def _progress(paths: Paths, quiet: bool) -> Iterator[Progress | None]:
    """A progress bar over the year's files on a terminal (none when quiet or not a terminal)."""
    if quiet or not _on_terminal():
        yield None
        return
    with _bar(len(paths.return_files()), "读取报表") as update:
        yield update


def _streams_open() -> None:
    """Standard input, output and error open, on /dev/null when the caller closed them: a file
    the run opens would otherwise take their number, and what a library writes to the screen
    would go into that file."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)


def _told(shown: Paths, quiet: bool) -> Callable[[run.StageResult], None]:
    """What to say of each stage of a run as soon as it is done (naming the final places)."""

    def told(result: run.StageResult) -> None:
        c = result.counts
        if result.stage == "ingest":
            _say(
                f"读取：{c['files']}个文件，收到{c['received']}个单位的报表（名册共{c['units']}个单位），{c['cells']}个单元格。",
                quiet,
            )
        elif result.stage == "render" and "blocked" in c:
            _say(
                f"本机关报告：{c['reports']}个单位的报告（HTML、Markdown、Word）已写出到 {shown.units_dir}/；"
                f"清单见 {shown.unit_reports}",
                quiet,
            )
            if result.blocked:
                _warn(f"{c['blocked']}个单位未生成本机关报告：{result.message}")

    # NOTE: no stage says how many findings it made: the run's issues list is counted once, at
    # the end (`_tallied`), as the page, the CSV and the manifest count it
    return told


def _tallied(tally: dict[str, int], shown: Paths, quiet: bool, allow_missing: bool) -> None:
    """Say how many findings the issues list holds, counted as the page, the CSV and the
    manifest count them (`review.tally`)."""
    if not tally:
        return
    reviewed = f"；另有已核实{tally['reviewed']}个，不计入" if tally.get("reviewed") else ""
    _say(
        f"问题：错误{tally['error']}个，警告{tally['warning']}个，提示{tally['info']}个{reviewed}；"
        f"明细见 {shown.issues_html}",
        quiet,
    )
    if allow_missing and tally.get("missing"):
        _say(f"{tally['missing']}个单位未报送，未计入汇总。", quiet)


def _guard(fn: Callable[[], T], paths: Paths | None = None) -> T:
    """Run a command body: a refusal to start, or a file that cannot be read or written, is
    exit 2 with a Chinese message naming it; anything else is an internal failure (exit 3),
    its traceback written to a log file, never to the screen."""
    try:
        return fn()
    except (typer.Exit, typer.Abort):
        raise
    except unattended.Failed as failed:
        raise _fail(
            failures.message(failed.cause, paths, failed.log), failures.exit_code(failed.cause)
        ) from None
    except Exception as exc:
        raise _fail(failures.message(exc, paths, None), failures.exit_code(exc)) from None


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
    unattended.claim(paths)


def _check_narratives(paths: Paths, unit: str | None, all_units: bool) -> str | None:
    """The roster's name of the unit `--unit` names (by name, alias or code), after reading the
    narrative templates this run will use, before any work."""
    named = run.unit_named(paths, unit) if unit else None
    units = list(run.check_inputs(paths)["name"]) if all_units else [named] if named else []
    run.check_narratives(paths, units, county=not unit)
    return named


@app.command(cls=Command)
def ingest(
    year: Year, raw: Raw = Path("raw"), out: Out = Path("output"), quiet: Quiet = False
) -> None:
    """读取 raw/<year>/returns/ 中的全部报表，写出 01_ingested/。示例：xxgk ingest --year 2023"""
    paths = Paths(raw, out, year)

    def body() -> run.StageResult:
        _standalone(paths)
        with _progress(paths, quiet) as progress:
            return run.run_ingest(paths, progress)

    _told(paths, quiet)(_guard(body, paths))


@app.command(cls=Command)
def template(
    year: Year,
    raw: Raw = Path("raw"),
    out: Out = Path("output"),
    units: Annotated[
        Path | None,
        typer.Option(
            "--units", help="单位名册文件（默认 raw/<year>/units.csv，没有时用最近一个更早年度的）"
        ),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """为名册中的每个单位生成报表模板（另加一份空白模板），写到 <out>/<year>/templates/，不写 raw/；上年结转按上年的结转下年度预填，填报说明写明上年现行有效件数。示例：xxgk template --year 2024"""
    paths = Paths(raw, out, year)

    def body() -> run.StageResult:
        _standalone(paths, inputs=False)
        return run.run_template(paths, units)

    _templates_told(_guard(body, paths), paths, quiet)


def _templates_told(result: run.StageResult, paths: Paths, quiet: bool) -> None:
    """Say what templates were written, then which roster and which of last year's data."""
    _say(
        f"模板：已为{result.counts['units']}个单位生成报表模板，另有空白模板1份；写出到 {paths.templates}",
        quiet,
    )
    if result.message:
        _say(result.message, quiet)


@app.command("new-year", cls=Command)
def new_year(
    year: Annotated[
        int,
        typer.Argument(help="要建立的年度，例如 2024", min=2000, max=2100, metavar="年度"),
    ],
    raw: Raw = Path("raw"),
    out: Out = Path("output"),
    quiet: Quiet = False,
) -> None:
    """建立新年度：从最近一个更早年度复制单位名册、config.toml 和报告文字模板到 raw/<year>/（不复制数字文件，已有的文件夹不动），再生成该年度的报表模板，上年结转按上年的结转下年度预填。示例：xxgk new-year 2024"""
    paths = Paths(raw, out, year)

    def body() -> tuple[run.StageResult, run.StageResult]:
        run.check_new_year(paths)  # NOTE: an existing folder is refused before anything is made
        _standalone(paths, inputs=False)
        return run.run_new_year(paths), run.run_template(paths)

    made, templates = _guard(body, paths)
    _say(made.message, quiet)
    _templates_told(templates, paths, quiet)


@app.command(cls=Command)
def validate(
    year: Year,
    raw: Raw = Path("raw"),
    out: Out = Path("output"),
    strict: Strict = False,
    quiet: Quiet = False,
) -> None:
    """按 2021 年格式的全部规则校验已读取的报表，写出问题清单 issues.html、issues.csv 和退回各单位的标注文件 feedback/。示例：xxgk validate --year 2023 --strict"""
    paths = Paths(raw, out, year)

    def body() -> run.StageResult:
        _standalone(paths, inputs=False)
        return run.run_validate(paths, strict=strict)

    result = _guard(body, paths)
    _tallied(result.tally, paths, quiet, False)
    if result.blocked:
        raise _fail(
            f"校验发现{result.tally['error']}个错误，请根据 {paths.issues_html} 退回修改。",
            EXIT_BLOCKED,
        )


@app.command(cls=Command)
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

    def body() -> run.StageResult:
        _standalone(paths, inputs=False)
        return run.run_aggregate(paths, draft=draft, allow_missing=allow_missing)

    result = _guard(body, paths)
    if result.blocked:
        raise _blocked(result)
    _say(f"汇总：{result.counts['units']}个单位；写出 {paths.county_cells}", quiet)


@app.command(cls=Command)
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

    def check() -> str | None:
        _standalone(paths, inputs=False)
        return _check_narratives(paths, unit, all_units)

    unit = _guard(check, paths)
    if all_units:
        units = _guard(lambda: run.run_render_all_units(paths), paths)
        _told(paths, True)(units)  # NOTE: the warning only; the summary line follows
        _tallied(units.tally, paths, quiet, False)
        _say(
            f"本机关报告：{units.counts['reports']}个单位的报告（HTML、Markdown、Word）已写出到 {paths.units_dir}/；"
            f"清单见 {paths.unit_reports}",
            quiet,
        )
        if units.blocked:
            raise _fail(
                f"{units.counts['blocked']}个单位未生成本机关报告：{units.message}", EXIT_BLOCKED
            )
        return
    result = _guard(
        lambda: (
            run.run_render_unit(paths, unit)
            if unit
            else run.run_render(paths, draft=draft, allow_missing=allow_missing)
        ),
        paths,
    )
    _tallied(result.tally, paths, quiet, allow_missing and not unit)
    if result.blocked:
        raise _blocked(result)
    shown = paths.unit_report_html(unit) if unit else paths.report_html
    _say(f"报告：已写出 {shown} 等{len(result.written)}个文件", quiet)


@app.command(cls=Command)
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

    def check() -> str | None:
        run.check_inputs(final)
        run.check_outputs(final)
        return _check_narratives(final, unit, all_units)

    unit = _guard(check, final)
    options = run.Options(
        strict=strict, draft=draft, allow_missing=allow_missing, unit=unit, all_units=all_units
    )
    recorded = {"year": year, "raw": str(raw), "out": str(out), **asdict(options)}

    def work(stage: Paths) -> run.Outcome:
        with _progress(stage, quiet) as progress:
            return run.run_report(stage, options, progress=progress, told=_told(final, quiet))

    # NOTE: a run for one unit makes only that unit's report: the rest of the outputs stay
    keep = None if unit else unattended.KEPT
    outcome = _guard(lambda: unattended.run(final, recorded, work, keep), final)
    _tallied(outcome.tally, final, quiet, allow_missing and not unit)
    if outcome.code:
        raise _fail(outcome.message, outcome.code) if outcome.message else typer.Exit(outcome.code)
    if unit:
        _say(f"报告：{unit}的本机关报告已写出到 {final.unit_dir(unit)}", quiet)
        return
    _say(
        f"报告：已写出 {final.report_html}、{final.report_md} 和 {final.report_docx}；"
        f"分析用：{final.summary_xlsx}、{final.charts_html}；各步骤产物在 {final.out}/",
        quiet,
    )


@app.command(cls=Command)
def audit(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="要审核的年报文件或文件夹（可多个；文件夹含其子文件夹）",
            show_default=False,
            metavar="路径",
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
    from pipeline.audit.run import AuditResult, audit_files, run_audit
    from pipeline.paths import AuditPaths

    where = AuditPaths(out)

    def body() -> AuditResult:
        if quiet or not _on_terminal():
            return run_audit(paths, out)
        with _bar(len(audit_files(paths)), "读取年报") as update:
            return run_audit(paths, out, progress=update)

    result = _guard(body)
    c = result.counts
    _say(
        f"审核：{c['files']}个文件，其中{c['reports']}份读到年报表格，共读取{c['cells']}个单元格；"
        f"{c['compared']}份与同一机关上一年度的报告作了比较。",
        quiet,
    )
    unread = f"未能读取：{c['reading']}处，请人工核对" if c["reading"] else "未能读取：0处"
    _say(f"报告中的问题：错误{c['error']}个、警告{c['warning']}个；{unread}", quiet)
    _say(
        f"另有提示{c['info']}个；明细见 {where.issues_html}，逐格数据见 {where.cells}，"
        f"各份报告见 {where.reports}",
        quiet,
    )
    if result.blocked:
        raise _fail(
            f"已发布的报告本身有{c['error']}个错误，请查看 {where.issues_html}。", EXIT_BLOCKED
        )


def main() -> None:
    """The `xxgk` entry point: usage errors get a Chinese line on stderr and exit 2 (`help.Group`)."""
    _streams_open()
    # NOTE: a terminal closed under a run hangs it up; the run goes on and writes its outputs
    # (Ctrl-C still stops it)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        code = app(prog_name="xxgk", standalone_mode=False)
    except typer.Abort:
        _show("xxgk：已中断", err=True)
        code = EXIT_CANNOT_START
    except Exception as exc:  # NOTE: every command guards its body; this is the last resort
        _show(f"xxgk：{failures.message(exc, None, None)}", err=True)
        code = EXIT_INTERNAL
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except OSError:
            _gone(stream)  # NOTE: else Python's own flush at exit fails and exits with 120
    sys.exit(code or 0)
