"""The bad inputs a county office really meets, each built at test time from the sample year, and
what the user sees: the exit code, the finding and its cell, `raw/` byte-identical afterwards,
and no traceback on the screen.

Most cases run in-process through the CLI runner on a small year (three of the sample's
returns); a few run as real processes. Failures of the machine (no permission, a full disk, a
bug) cannot be provoked as root, so they are injected."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from pipeline import store
from pipeline.cli import app
from pipeline.paths import Paths
from pipeline.render.feedback import SUGGESTED_FILL
from pipeline.render.workbook import sheet_name, template_cell
from tests.helpers import ROOT, SAMPLE_RAW, command_line

runner = CliRunner()
UNITS = ["古县人民政府办公室", "古县公安局", "北平镇"]
POLICE = "古县公安局"
S2 = sheet_name("s2")
S3 = sheet_name("s3")


# -- the small year and what to look at -------------------------------------------------------
def small_year(tmp: Path, year: int = 2023) -> Paths:
    """raw/<year>/ under `tmp` with three of the sample's returns, its roster lines, its settings
    and narratives; outputs go to tmp/output."""
    source = SAMPLE_RAW / "2023"
    raw = tmp / "raw" / str(year)
    (raw / "returns").mkdir(parents=True)
    lines = (source / "units.csv").read_text("utf-8-sig").splitlines()
    kept = [lines[0], *(line for line in lines[1:] if line.split(",")[1] in UNITS)]
    (raw / "units.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    for unit in UNITS:
        shutil.copy(source / "returns" / f"{unit}2023年政务公开年报.xlsx", raw / "returns")
    shutil.copy(source / "config.toml", raw)
    shutil.copy(source / "narrative.md.j2", raw)
    shutil.copytree(source / "narratives", raw / "narratives")
    return Paths(tmp / "raw", tmp / "output", year)


def return_of(paths: Paths, unit: str = POLICE) -> Path:
    return paths.returns_dir / f"{unit}2023年政务公开年报.xlsx"


def edit(paths: Paths, changes: dict[tuple[str, str], object], unit: str = POLICE) -> None:
    """Type `changes` ((sheet, address) → value) into a unit's return, as a clerk would."""
    path = return_of(paths, unit)
    wb = load_workbook(path)
    for (sheet, address), value in changes.items():
        wb[sheet][address] = value
    wb.save(path)


def digests(raw: Path) -> dict[str, str]:
    return {
        p.relative_to(raw).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(raw.rglob("*"))
        if p.is_file()
    }


def report(paths: Paths, *options: str, command: str = "report"):
    """Run `xxgk report` (or `command`) on `paths`, checking that raw/ is left as it was and that
    no traceback reaches the screen."""
    before = digests(paths.raw_root)
    result = runner.invoke(app, command_line(paths, command, *options))
    assert digests(paths.raw_root) == before, "raw/ must never be written"
    screen = result.stdout + result.stderr
    assert "Traceback" not in screen, screen
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def issues(paths: Paths) -> list[tuple[str, str, str, str]]:
    """The issues list as (severity, rule, unit, cell)."""
    table = store.read_csv(paths.issues_csv)
    return [(f.severity, f.rule, f.unit, f.cell) for f in table.itertuples()]


def rules_of(paths: Paths, severity: str = "error") -> set[str]:
    return {rule for sev, rule, _, _ in issues(paths) if sev == severity}


# -- 1. inputs are never touched -----------------------------------------------------------------
def test_out_equal_to_raw_is_refused_and_deletes_nothing(tmp_path):
    paths = small_year(tmp_path)
    same = Paths(paths.raw_root, paths.raw_root, 2023)
    result = report(same)
    assert result.exit_code == 2
    assert "与输入文件夹" in result.stderr and "重叠" in result.stderr
    assert len(list(paths.returns_dir.iterdir())) == 3


def test_out_inside_the_returns_folder_is_refused(tmp_path):
    paths = small_year(tmp_path)
    inside = Paths(paths.raw_root, paths.returns_dir, 2023)
    result = report(inside)
    assert result.exit_code == 2 and "重叠" in result.stderr
    assert not (paths.returns_dir / "2023").exists()


def test_out_inside_another_years_inputs_is_refused(tmp_path):
    paths = small_year(tmp_path)
    (paths.raw_root / "2022").mkdir()
    result = report(Paths(paths.raw_root, paths.raw_root / "2022", 2023))
    assert result.exit_code == 2 and "重叠" in result.stderr


def test_raw_dot_out_dot_is_refused_as_a_real_process(tmp_path):
    paths = small_year(tmp_path)
    year_folder = paths.raw
    before = digests(year_folder)
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "report", "--year", "2023", "--raw", ".", "--out", "."],
        cwd=paths.raw_root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "重叠" in done.stderr and "Traceback" not in done.stderr + done.stdout
    assert digests(year_folder) == before


def test_ordinary_raw_and_out_side_by_side_run(tmp_path):
    paths = small_year(tmp_path)
    beside = Paths(paths.raw_root, tmp_path, 2023)  # --raw /srv/x/raw --out /srv/x
    assert report(beside).exit_code == 0
    assert (tmp_path / "2023" / "report.html").is_file()


def test_a_folder_that_merely_has_the_name_is_never_replaced(tmp_path):
    paths = small_year(tmp_path)
    foreign = paths.out_root / "2023"
    foreign.mkdir(parents=True)
    (foreign / "我的文件.docx").write_text("not xxgk's")
    result = report(paths)
    assert result.exit_code == 2 and "不是 xxgk 生成的" in result.stderr
    assert (foreign / "我的文件.docx").read_text() == "not xxgk's"


def test_outputs_of_an_earlier_run_are_replaced(tmp_path):
    paths = small_year(tmp_path)
    assert report(paths).exit_code == 0
    assert report(paths).exit_code == 0
    assert (paths.out / ".xxgk-output").is_file()


# -- 2. error values are errors ------------------------------------------------------------------
def test_an_excel_error_value_is_an_error_at_its_cell_never_zero(tmp_path):
    paths = small_year(tmp_path)
    edit(paths, {(S2, template_cell("s2", "licensing", "decisions")): "#N/A"})
    result = report(paths)
    assert result.exit_code == 1
    found = store.read_csv(paths.issues_csv)
    mine = found[(found["rule"] == "value.type") & (found["unit"] == POLICE)]
    assert mine["cell"].tolist() == [template_cell("s2", "licensing", "decisions")]
    assert "公式结果为错误值 #N/A" in mine["message"].iloc[0]
    assert not paths.report_html.exists()


def _xls_return(path: Path, unit: str, error_at: tuple[str, str, str]) -> None:
    """A return saved as .xls (BIFF8) with an error record at one cell."""
    import xlwt
    from xlwt import Cell

    from scripts.messy import Style, book, figures

    sheets = book(unit, 2023, figures(3), Style())
    wb = xlwt.Workbook()
    for sheet in sheets:
        ws = wb.add_sheet(sheet.name)
        target = sheet.places.get(error_at)
        for (r, c), value in sheet.cells.items():
            if (r, c) == target:
                ws.row(r).insert_cell(c, Cell.ErrorCell(r, c, 0, "#DIV/0!"))
            elif value is not None and not hasattr(value, "refs"):
                ws.write(r, c, float(value) if hasattr(value, "as_tuple") else value)
            elif value is not None:
                ws.write(r, c, value.result)
    wb.save(str(path))


def test_an_error_record_in_an_xls_return_is_an_error(tmp_path):
    paths = small_year(tmp_path)
    return_of(paths).unlink()
    _xls_return(paths.returns_dir / f"{POLICE}.xls", POLICE, ("s2", "penalty", "decisions"))
    result = report(paths)
    assert result.exit_code == 1
    found = store.read_csv(paths.issues_csv)
    mine = found[(found["rule"] == "value.type") & (found["unit"] == POLICE)]
    assert len(mine) == 1 and "公式结果为错误值 #DIV/0!" in mine["message"].iloc[0]


def test_a_libreoffice_error_in_an_ods_return_is_an_error(tmp_path):
    from scripts.messy import Style, book, figures, write_ods

    paths = small_year(tmp_path)
    return_of(paths).unlink()
    values = figures(4) | {("s2", "coercion", "decisions"): 987654}
    path = paths.returns_dir / f"{POLICE}.ods"
    write_ods(path, book(POLICE, 2023, values, Style()))
    import zipfile

    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    cell = b'office:value-type="float" office:value="987654"><text:p>987654</text:p>'
    error = b'table:formula="of:=1/0" office:value-type="string" office:string-value="" calcext:value-type="error"><text:p>Err:502</text:p>'
    parts["content.xml"] = (
        parts["content.xml"]
        .replace(cell, error)
        .replace(
            b"<office:document-content ",
            b'<office:document-content xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" ',
        )
    )
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    result = report(paths)
    assert result.exit_code == 1
    found = store.read_csv(paths.issues_csv)
    mine = found[(found["rule"] == "value.type") & (found["unit"] == POLICE)]
    assert len(mine) == 1 and "公式结果为错误值 Err:502" in mine["message"].iloc[0]


# -- 3. a number in a return is written as a number -------------------------------------------
@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("1 48", "数字中间有空格"),
        ("148¹", "上标"),
        ("②①", "带圈"),
        ("22（其中修订16件）", "除数字外还有其他文字"),
        ("一百二十", "汉字数字"),
        ("1,23", "千分位分隔符"),
    ],
)
def test_digits_glued_or_decorated_are_an_error_at_their_cell(tmp_path, typed, why):
    paths = small_year(tmp_path)
    at = template_cell("s2", "licensing", "decisions")
    edit(paths, {(S2, at): typed})
    result = report(paths)
    assert result.exit_code == 1
    found = store.read_csv(paths.issues_csv)
    mine = found[(found["rule"] == "value.type") & (found["unit"] == POLICE)]
    assert mine["cell"].tolist() == [at]
    assert f"填写“{typed}”" in mine["message"].iloc[0] and why in mine["message"].iloc[0]


# -- 4. one table, one source -------------------------------------------------------------------
def _second_copy(paths: Paths, *, hidden: bool, change: int) -> str:
    """A copy of the police's 表三 on another sheet (placed before the real one), its 新收·自然人
    changed by `change`; the copy's sheet name."""
    path = return_of(paths)
    wb = load_workbook(path)
    copy = wb.copy_worksheet(wb[S3])
    copy.title = "表三（上次报送）"
    at = template_cell("s3", "new", "natural")
    copy[at] = (copy[at].value or 0) + change
    if hidden:
        copy.sheet_state = "hidden"
    wb.move_sheet(copy, offset=-(len(wb.sheetnames) - 1 - wb.sheetnames.index(S3)) - 1)
    wb.save(path)
    return copy.title


def test_an_older_table_on_a_hidden_sheet_is_an_error_naming_both(tmp_path):
    paths = small_year(tmp_path)
    name = _second_copy(paths, hidden=True, change=2)
    result = report(paths)
    assert result.exit_code == 1
    found = store.read_csv(paths.issues_csv)
    twice = found[found["rule"] == "file.table_twice"]
    assert twice["unit"].tolist() == [POLICE]
    assert f"“{name}”（隐藏）" in twice["message"].iloc[0] and f"“{S3}”" in twice["message"].iloc[0]
    cells = store.read_cells(paths.ingested_cells)
    assert cells[(cells["unit"] == POLICE) & (cells["section"] == "s3")].empty, "neither is used"
    assert not paths.report_html.exists()


def test_two_visible_copies_that_differ_are_an_error(tmp_path):
    paths = small_year(tmp_path)
    _second_copy(paths, hidden=False, change=1)
    assert report(paths).exit_code == 1
    assert "file.table_twice" in rules_of(paths)


def test_two_copies_that_agree_are_a_note_and_the_visible_one_is_used(tmp_path):
    paths = small_year(tmp_path)
    _second_copy(paths, hidden=True, change=0)
    assert report(paths).exit_code == 0
    assert "file.table_twice_same" in rules_of(paths, "info")
    cells = store.read_cells(paths.ingested_cells)
    police = cells[(cells["unit"] == POLICE) & (cells["section"] == "s3")]
    assert set(police["sheet"]) == {S3}


def test_a_draft_shows_a_table_found_twice_as_missing_for_that_unit(tmp_path):
    paths = small_year(tmp_path)
    _second_copy(paths, hidden=True, change=2)
    assert report(paths, "--draft").exit_code == 1
    assert paths.report_html.exists() and "草稿" in paths.report_html.read_text("utf-8")


# -- 5. a crash is not a data error -------------------------------------------------------------
def _fails_with(monkeypatch, error: OSError) -> None:
    def write_text(text, path):
        raise error

    monkeypatch.setattr(store, "write_text", write_text)


def test_no_permission_to_write_is_exit_2_naming_the_path(tmp_path, monkeypatch):
    paths = small_year(tmp_path)
    _fails_with(monkeypatch, PermissionError(errno.EACCES, "Permission denied", "/srv/out/x"))
    result = report(paths)
    assert result.exit_code == 2
    assert "无法读写 /srv/out/x：没有权限" in result.stderr


def test_a_full_disk_is_exit_2_and_keeps_the_previous_outputs(tmp_path, monkeypatch):
    paths = small_year(tmp_path)
    assert report(paths).exit_code == 0
    before = paths.report_html.read_bytes()
    _fails_with(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    result = report(paths)
    assert result.exit_code == 2 and "磁盘空间不足" in result.stderr
    assert paths.report_html.read_bytes() == before
    assert not list(paths.out_root.glob(".2023.staging-*"))


def test_a_feedback_workbook_written_behind_the_run_that_fails_is_exit_2(tmp_path, monkeypatch):
    from pipeline.render import feedback

    paths = small_year(tmp_path)
    assert report(paths).exit_code == 0
    before = paths.report_html.read_bytes()
    edit(paths, {(S3, template_cell("s3", "new", "commercial")): None})  # sent back: a blank

    def write_bytes(data, path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(feedback, "write_bytes", write_bytes)
    result = report(paths)
    assert result.exit_code == 2 and "磁盘空间不足" in result.stderr
    assert paths.report_html.read_bytes() == before, "the last whole outputs are kept"
    assert not list(paths.out_root.glob(".2023.staging-*"))


def test_an_output_folder_that_is_a_file_is_exit_2(tmp_path):
    paths = small_year(tmp_path)
    paths.out_root.mkdir()
    (paths.out_root / "2023").write_text("a file where a folder should be")
    result = report(paths)
    assert result.exit_code == 2 and "2023" in result.stderr


def test_an_output_root_that_is_a_file_is_exit_2(tmp_path):
    paths = small_year(tmp_path)
    paths.out_root.write_text("a file")
    result = report(paths)
    assert result.exit_code == 2 and "无法读写" in result.stderr


def test_an_internal_failure_is_exit_3_with_the_traceback_in_the_log(tmp_path, monkeypatch):
    from pipeline import aggregate

    paths = small_year(tmp_path)
    assert report(paths).exit_code == 0
    before = paths.report_html.read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(aggregate, "county_cells", broken)
    result = report(paths)
    assert result.exit_code == 3
    assert "内部错误（RuntimeError: a bug）" in result.stderr and "日志" in result.stderr
    logged = max(paths.logs.glob("*.log"), key=lambda p: p.stat().st_mtime)
    assert str(logged) in result.stderr
    assert "Traceback" in logged.read_text("utf-8") and "a bug" in logged.read_text("utf-8")
    assert paths.report_html.read_bytes() == before


def test_an_internal_failure_as_a_real_process(tmp_path):
    paths = small_year(tmp_path)
    script = (
        "import sys; from pipeline import aggregate as a\n"
        "a.county_cells = lambda *x: 1/0\n"
        "from pipeline.cli import main\n"
        f"sys.argv = ['xxgk', 'report', '--year', '2023', '--raw', {str(paths.raw_root)!r},"
        f" '--out', {str(paths.out_root)!r}]\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "ZeroDivisionError" in done.stderr and "日志" in done.stderr


# -- 6. the run's own inputs are checked before any work ---------------------------------------
def test_a_roster_in_gbk_is_read(tmp_path):
    paths = small_year(tmp_path)
    text = paths.units.read_text("utf-8")
    paths.units.write_bytes(text.encode("gbk"))
    assert report(paths).exit_code == 0
    assert store.read_csv(paths.register)["status"].tolist() == ["received"] * 3


@pytest.mark.parametrize(
    ("roster", "says"),
    [
        ("", "是空的"),
        ("code,name,kind,aliases\n", "只有表头，没有任何单位"),
        ("code,name,aliases\n1,古县公安局,\n", "第1行缺少列：kind"),
        ("name,kind\n古县公安局,部门\n", "第1行缺少列：code"),
        ("code,name,kind\n1,古县公安局,部门\n1,北平镇,乡镇\n", "第2行和第3行的代码都是“1”"),
        ("code,name,kind\n1,古县公安局,部门\n2,古县公安局,部门\n", "第2行和第3行都用了名称或别名"),
        ("code,name,kind\n1,古县公安局,部门\n\n2,北平镇,乡镇\n", "第3行是空行"),
        ("code,name,kind\n1,,部门\n", "第2行没有填写名称"),
    ],
)
def test_a_faulty_roster_stops_the_run_naming_units_csv_and_the_line(tmp_path, roster, says):
    paths = small_year(tmp_path)
    paths.units.write_text(roster, encoding="utf-8")
    result = report(paths)
    assert result.exit_code == 2
    assert str(paths.units) in result.stderr and says in result.stderr
    assert not paths.out_root.exists() or not (paths.out_root / "2023").exists()


@pytest.mark.parametrize(
    ("config", "says"),
    [
        (b'county = "\xe5\x8f\xa4\xe5\x8e\xbf\n', "第1行"),
        ('county = "古县"'.encode("gbk"), "不是 UTF-8 编码"),
        (b"county = 3\n", "county 应为带引号的县名"),
    ],
)
def test_a_faulty_config_stops_the_run_before_any_work(tmp_path, config, says):
    paths = small_year(tmp_path)
    paths.config.write_bytes(config)
    result = report(paths)
    assert result.exit_code == 2 and str(paths.config) in result.stderr and says in result.stderr
    assert not (paths.out_root / "2023").exists(), "nothing was read or written"


def test_a_narrative_in_gbk_is_read(tmp_path):
    paths = small_year(tmp_path)
    paths.narrative.write_bytes(paths.narrative.read_text("utf-8").encode("gb18030"))
    assert report(paths).exit_code == 0
    assert "汇总全县" in paths.report_md.read_text("utf-8")


def test_a_narrative_syntax_error_stops_the_run_before_any_work(tmp_path):
    paths = small_year(tmp_path)
    paths.narrative.write_text(
        "{% block preamble %}\n开头{{ year }\n{% endblock %}", encoding="utf-8"
    )
    result = report(paths)
    assert result.exit_code == 2
    assert str(paths.narrative) in result.stderr and "第2行" in result.stderr
    assert not (paths.out_root / "2023").exists()


@pytest.mark.parametrize("placeholder", ["{{ 1/0 }}", "{{ s3.new.total + '件' }}"])
def test_a_county_narrative_that_fails_when_rendered_is_exit_2_naming_the_line(
    tmp_path, placeholder
):
    paths = small_year(tmp_path)
    text = paths.narrative.read_text("utf-8").replace(
        "{% block part5 %}\n", "{% block part5 %}\n" + placeholder + "\n", 1
    )
    paths.narrative.write_text(text, encoding="utf-8")
    line = text.splitlines().index(placeholder) + 1
    result = report(paths)
    assert result.exit_code == 2
    assert f"{paths.narrative} 第{line}行有误" in result.stderr
    assert not paths.report_html.exists()


def test_a_unit_narrative_that_fails_is_a_finding_for_that_unit_only(tmp_path):
    paths = small_year(tmp_path)
    own = paths.unit_narrative("古县人民政府办公室")
    text = own.read_text("utf-8").replace("{% block part5 %}", "{% block part5 %}{{ 1/0 }}", 1)
    own.write_text(text, encoding="utf-8")
    result = report(paths, "--all-units")
    assert result.exit_code == 1
    assert ("error", "narrative.template", "古县人民政府办公室", "") in issues(paths)
    assert paths.unit_report_html(POLICE).exists() and paths.report_html.exists()
    assert not paths.unit_report_html("古县人民政府办公室").exists()


def test_missing_narrative_and_config_are_notes(tmp_path):
    paths = small_year(tmp_path)
    paths.narrative.unlink()
    paths.config.unlink()
    assert report(paths).exit_code == 0
    assert {"narrative.default", "config.default"} <= rules_of(paths, "info")


# -- 7. last year never blocks this year ----------------------------------------------------------
def _last_year(tmp_path: Path) -> Paths:
    """This year and last year (the same returns, relabelled 2022) as raw folders."""
    this = small_year(tmp_path)
    last = small_year(tmp_path / "prev", 2022)
    shutil.move(str(last.raw), str(this.raw_root / "2022"))
    for path in (this.raw_root / "2022" / "returns").iterdir():
        wb = load_workbook(path)
        cover = wb["封面"]
        for row in cover.iter_rows():
            for cell in row:
                if cell.value == "2023年" or cell.value == 2023:
                    cell.value = "2022年"
        wb.save(path)
    return this


def test_last_years_roster_in_gbk_is_read_and_the_years_are_compared(tmp_path):
    paths = _last_year(tmp_path)
    last = paths.previous()
    last.units.write_bytes(last.units.read_text("utf-8").encode("gbk"))
    assert report(paths).exit_code in (0, 1)
    assert "year.unchecked" not in rules_of(paths, "info")
    assert "year.source_unusable" not in rules_of(paths, "warning")


def test_a_corrupt_parquet_of_last_year_is_a_warning_and_its_returns_are_used(tmp_path):
    paths = _last_year(tmp_path)
    last = paths.previous()
    assert report(last).exit_code in (0, 1)
    last.ingested_cells.with_suffix(".parquet").write_bytes(b"PAR1 broken")
    os.utime(last.ingested_cells, (1, 1))  # NOTE: the broken copy is newer than its CSV
    result = report(paths)
    assert result.exit_code in (0, 1)
    found = store.read_csv(paths.issues_csv)
    warning = found[found["rule"] == "year.source_unusable"]
    assert len(warning) == 1 and "无法读取" in warning["message"].iloc[0]
    assert "year.unchecked" not in set(found["rule"]), "last year's returns were used instead"


def test_last_years_returns_all_corrupt_says_so(tmp_path):
    paths = _last_year(tmp_path)
    for path in paths.previous().return_files():
        path.write_bytes(b"not a workbook")
    assert report(paths).exit_code == 0
    found = store.read_csv(paths.issues_csv)
    unchecked = found[found["rule"] == "year.unchecked"]["message"].iloc[0]
    assert "3个无法使用" in unchecked
    assert "year.source_unusable" in set(found["rule"])


def test_last_years_faulty_roster_is_a_warning_not_a_stop(tmp_path):
    paths = _last_year(tmp_path)
    paths.previous().units.write_text("name\n古县公安局\n", encoding="utf-8")
    assert report(paths).exit_code == 0
    found = store.read_csv(paths.issues_csv)
    assert "缺少列" in found[found["rule"] == "year.unchecked"]["message"].iloc[0]


# -- 8. encrypted workbooks -------------------------------------------------------------------
def test_an_encrypted_return_is_said_to_have_an_opening_password(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    paths = small_year(tmp_path)
    path = return_of(paths)
    data = path.read_bytes()
    with path.open("wb") as out:
        OOXMLFile(__import__("io").BytesIO(data)).encrypt("123456", out)
    assert report(paths).exit_code == 1
    found = store.read_csv(paths.issues_csv)
    encrypted = found[found["rule"] == "file.encrypted"]
    assert encrypted["unit"].tolist() == [POLICE]
    assert "设有打开密码" in encrypted["message"].iloc[0]


# -- 9. suggestions that do not mislead -----------------------------------------------------------
def test_a_changed_part_under_formulas_without_results_is_not_blamed_on_the_carry_over(tmp_path):
    paths = small_year(tmp_path)
    at = template_cell("s3", "granted", "natural")
    wb = load_workbook(return_of(paths))  # NOTE: openpyxl keeps formulas, drops their results
    wb[S3][at] = (wb[S3][at].value or 0) + 1
    wb.save(return_of(paths))
    assert report(paths).exit_code == 1
    found = store.read_csv(paths.issues_csv)
    balance = found[(found["rule"] == "s3.balance") & (found["col"] == "natural")].iloc[0]
    assert balance["cell"] == (
        f"{template_cell('s3', 'new', 'natural')}:{template_cell('s3', 'carried_out', 'natural')}"
    )
    assert balance["expected"] == "", "no single cell gets 应为"
    assert at in balance["suggestion"] or "D6:D8" in balance["suggestion"]
    marked = load_workbook(paths.feedback / f"{POLICE}_问题反馈.xlsx")
    # NOTE: the balance's own cell says the balance is broken; it is not the one to change
    carried = marked[S3][template_cell("s3", "carried_out", "natural")]
    assert "很可能有误" not in (carried.comment.text if carried.comment else "")
    assert not carried.fill.fgColor.rgb.endswith(SUGGESTED_FILL)


# -- 10. narrative checks without false alarms ------------------------------------------------
def test_plans_laws_and_comparisons_are_not_taken_for_copied_years(tmp_path):
    paths = small_year(tmp_path)
    text = paths.narrative.read_text("utf-8").replace(
        "下一步，将加强业务培训",
        "较2022年，申请有所增加。依据《条例》（2019年修订）和国办函〔2020〕109号，"
        "下一步，{{ year + 1 }}年将加强业务培训",
    )
    paths.narrative.write_text(text, encoding="utf-8")
    assert report(paths).exit_code == 0
    assert "narrative.year" not in {rule for _, rule, _, _ in issues(paths)}


def test_a_year_copied_from_last_years_text_is_a_warning_counted_on_the_console(tmp_path):
    paths = small_year(tmp_path)
    text = paths.narrative.read_text("utf-8").replace(
        "{{ year }}年，全县政务公开", "2022年，全县政务公开"
    )
    paths.narrative.write_text(text, encoding="utf-8")
    result = report(paths)
    assert result.exit_code == 0, "a heuristic does not block publication"
    assert ("warning", "narrative.year", "全县", "") in issues(paths)
    assert "问题：错误0个，警告1个" in result.stdout
    assert "narrative.year" in paths.issues_html.read_text("utf-8")
    assert ".staging-" not in result.stdout + result.stderr


def test_a_leftover_placeholder_blocks_with_a_message_naming_final_paths(tmp_path):
    paths = small_year(tmp_path)
    text = paths.narrative.read_text("utf-8").replace("一是部分单位", "一是XX个单位")
    paths.narrative.write_text(text, encoding="utf-8")
    result = report(paths)
    assert result.exit_code == 1
    assert f"明细见 {paths.issues_html}" in result.stderr
    assert ".staging-" not in result.stdout + result.stderr
    assert ("error", "narrative.placeholder", "全县", "") in issues(paths)


# -- what was already handled well, kept so ---------------------------------------------------
def test_blanks_slashes_and_full_width_digits_are_read(tmp_path):
    paths = small_year(tmp_path)
    edit(
        paths,
        {
            (S2, template_cell("s2", "rules", "issued")): None,
            (S2, template_cell("s2", "rules", "repealed")): "/",
            (S2, template_cell("s2", "licensing", "decisions")): "３５６",
        },
    )
    assert report(paths).exit_code == 0
    assert "value.missing" in rules_of(paths, "info")
    cells = store.read_cells(paths.ingested_cells)
    licensing = cells[
        (cells["unit"] == POLICE) & (cells["row"] == "licensing") & (cells["col"] == "decisions")
    ]
    assert licensing["value"].tolist() == [356]


def test_a_return_of_another_year_and_a_duplicate(tmp_path):
    paths = small_year(tmp_path)
    shutil.copy(return_of(paths), paths.returns_dir / "古县公安局（修改）.xlsx")
    edit(paths, {("封面", "B4"): "2022年"}, unit="北平镇")
    assert report(paths).exit_code == 1
    assert {"register.duplicate"} <= rules_of(paths)


def test_a_killed_run_leaves_no_half_outputs(tmp_path):
    paths = small_year(tmp_path)
    staging = paths.out_root / ".2023.staging-999999"
    from pipeline.unattended import mark

    mark(staging)
    (staging / "report.html").write_text("half")
    assert report(paths).exit_code == 0
    assert not staging.exists()


def test_templates_for_a_new_year_take_the_latest_roster_and_write_nothing_under_raw(tmp_path):
    paths = small_year(tmp_path)
    before = digests(paths.raw_root)
    result = runner.invoke(
        app, command_line(Paths(paths.raw_root, paths.out_root, 2024), "template")
    )
    assert result.exit_code == 0, result.stderr
    assert f"使用的单位名册：{paths.units}" in result.stdout
    assert not (paths.raw_root / "2024").exists(), "nothing is created under raw/"
    assert digests(paths.raw_root) == before
    made = sorted(p.name for p in (paths.out_root / "2024" / "templates").iterdir())
    assert len(made) == 4 and any(name.startswith("空白模板") for name in made)


def test_templates_without_any_roster_say_what_to_do(tmp_path):
    result = runner.invoke(
        app,
        [
            "template",
            "--year",
            "2024",
            "--raw",
            str(tmp_path / "raw"),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 2
    assert "请用 --units 指定名册文件" in result.stderr


def test_a_faulty_figures_file_beside_a_narrative_stops_the_run_before_any_work(tmp_path):
    paths = small_year(tmp_path)
    figures = paths.unit_supplied("古县人民政府办公室")
    figures.write_text("documents_published = 八十四\n", encoding="utf-8")
    result = report(paths, "--all-units")
    assert result.exit_code == 2 and str(figures) in result.stderr
    assert not (paths.out_root / "2023").exists()
