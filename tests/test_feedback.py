"""What the office sends back and reads: feedback workbooks, the issues page, the draft mark."""

import hashlib

from openpyxl import load_workbook
from typer.testing import CliRunner

from pipeline import store
from pipeline.cli import app
from pipeline.problems import FINDING_COLUMNS
from pipeline.render.feedback import SUGGESTED_FILL
from pipeline.render.workbook import sheet_name, template_cell
from pipeline.run import run_ingest, run_validate
from tests.helpers import command_line, raw_year, with_totals

UNIT = "古县司法局"
BROKEN = with_totals({("s3", "new", "natural"): 1, ("s3", "granted", "natural"): 1}) | {
    ("s3", "granted", "natural"): 4
}


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_feedback_workbook_marks_and_comments_each_problem_cell(tmp_path):
    paths = raw_year(tmp_path, {UNIT: BROKEN, "古县水利局": with_totals({})})
    source = paths.returns_dir / f"{UNIT}.xlsx"
    before = digest(source)
    run_ingest(paths)
    run_validate(paths)
    assert digest(source) == before, "raw/ is never written"
    files = sorted(p.name for p in paths.feedback.iterdir())
    assert files == [f"{UNIT}_问题反馈.xlsx"], "only units with problems get one"
    wb = load_workbook(paths.feedback / files[0])
    assert wb.sheetnames[0] == "校验问题"
    listed = [row[4] for row in wb["校验问题"].iter_rows(min_row=2, values_only=True)]
    assert len(listed) == 2 and all(text.startswith("【错误】表三") for text in listed)
    # NOTE: the one cell that explains both broken sums is marked as the one to check, once;
    # each total it breaks carries its own message
    cell = wb[sheet_name("s3")][template_cell("s3", "granted", "natural")]
    assert cell.fill.fgColor.rgb.endswith(SUGGESTED_FILL)
    assert cell.comment.text.count("很可能有误：改为1") == 1
    for key in (("s3", "granted", "total"), ("s3", "outcome_total", "natural")):
        total = wb[sheet_name("s3")][template_cell(*key)]
        assert total.comment.text.startswith("【错误】表三") and total.fill.fgColor.rgb.endswith(
            "FFC7CE"
        )


def test_a_return_resaved_by_another_program_survives_the_round_trip(tmp_path):
    paths = raw_year(tmp_path, {UNIT: BROKEN})
    source = paths.returns_dir / f"{UNIT}.xlsx"
    wb = load_workbook(source)  # NOTE: stands in for Excel or WPS saving the file again
    wb.save(source)
    run_ingest(paths)
    run_validate(paths)
    marked = load_workbook(paths.feedback / f"{UNIT}_问题反馈.xlsx")
    assert marked[sheet_name("s3")][template_cell("s3", "granted", "natural")].value == 4
    assert marked[sheet_name("s3")][template_cell("s3", "granted", "natural")].comment is not None
    assert marked[sheet_name("s3")][
        template_cell("s3", "granted", "total")
    ].comment.text.startswith("【错误】表三“（一）予以公开”行")


def test_the_issues_page_lists_counts_the_register_and_problems_by_unit(tmp_path):
    paths = raw_year(
        tmp_path,
        {UNIT: BROKEN, "古县水利局": with_totals({})},
        units=[UNIT, "古县水利局", "古县审计局"],
    )
    run_ingest(paths)
    run_validate(paths)
    page = paths.issues_html.read_text("utf-8")
    assert '错误<span class="error" id="count-error">3</span>个' in page
    assert "<td>表三行合计</td><td><code>s3.row_total</code></td>" in page
    assert "古县审计局" in page.split('<section id="missing"')[1].split("</section>")[0]
    # every problem names its rule in Chinese beside the id, and its cells with their sheet
    assert '<td class="rule">表三行合计 <code>s3.row_total</code></td>' in page
    s3 = sheet_name("s3")
    assert f"{s3}!{template_cell('s3', 'granted', 'natural')}" in page
    # a note on the run as a whole stands under a heading that says so, not under a file's
    whole = page.index("整体情况（不针对某一个单位）（")
    assert page.index("没有可用的2022年度数据", whole) < page.index("<h2", whole + 1)
    assert "未识别的文件" not in page
    assert "很可能有误：改为1" in page
    issues = store.read_csv(paths.issues_csv)
    assert issues[FINDING_COLUMNS].equals(store.read_csv(paths.validated_findings))
    assert (issues["review"] == "").all(), "no decisions recorded: every finding is open"


def test_draft_renders_with_the_mark_and_still_exits_1(tmp_path):
    paths = raw_year(tmp_path, {UNIT: BROKEN})
    args = command_line(paths, "report")
    blocked = CliRunner().invoke(app, args)
    assert blocked.exit_code == 1 and not paths.report_html.exists()
    draft = CliRunner().invoke(app, [*args, "--draft"])
    assert draft.exit_code == 1
    assert "报告为草稿" in draft.stderr
    html = paths.report_html.read_text("utf-8")
    assert (
        html.count("草稿（数据未通过校验）") == 2
    )  # the banner and the watermark, on every printed page
    assert paths.report_md.read_text("utf-8").startswith("> **草稿（数据未通过校验）**")
    from docx import Document

    header = Document(paths.report_docx).sections[0].header
    assert header.paragraphs[0].text == "草稿（数据未通过校验）", "the header stands on every page"


def test_a_clean_run_leaves_no_stale_draft(tmp_path):
    paths = raw_year(tmp_path, {UNIT: with_totals({})})
    args = command_line(paths, "report")
    assert CliRunner().invoke(app, args).exit_code == 0
    assert "草稿" not in paths.report_html.read_text("utf-8")


def test_two_problem_files_of_one_unit_get_two_feedback_workbooks(tmp_path):
    paths = raw_year(tmp_path, {UNIT: BROKEN})
    from pipeline.render.workbook import write_return

    write_return(paths.returns_dir / f"{UNIT}（修改）.xlsx", UNIT, 2023, BROKEN, formulas=False)
    run_ingest(paths)
    run_validate(paths)
    assert {p.name for p in paths.feedback.iterdir()} == {
        f"{UNIT}_问题反馈.xlsx",
        f"{UNIT}_{UNIT}（修改）_问题反馈.xlsx",
    }


def test_blanks_read_as_0_are_listed_in_the_feedback_as_the_guide_promises(tmp_path):
    blank = with_totals({})
    del blank["s3", "new", "commercial"]
    paths = raw_year(tmp_path, {UNIT: blank})
    run_ingest(paths)
    run_validate(paths)
    wb = load_workbook(paths.feedback / f"{UNIT}_问题反馈.xlsx")
    listed = list(wb["校验问题"].iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[4][:4]) for row in listed] == [("提示", "【提示】")]
    assert "已按0计算" in listed[0][4] and template_cell("s3", "new", "commercial") in listed[0][4]


def test_a_feedback_workbook_prints_on_a4_with_rows_as_tall_as_their_text(tmp_path):
    from pipeline.render.sheets import text_lines

    paths = raw_year(tmp_path, {UNIT: BROKEN})
    run_ingest(paths)
    run_validate(paths)
    wb = load_workbook(paths.feedback / f"{UNIT}_问题反馈.xlsx")
    ws = wb["校验问题"]
    assert ws.page_setup.paperSize in (9, "9") and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1"
    for row in ws.iter_rows(min_row=2):
        lines = text_lines(row[4].value, ws.column_dimensions["E"].width, 11)
        assert (ws.row_dimensions[row[0].row].height or 15) >= lines * 11 * 1.3
        # a problem of a range names the sheet and the range, not nothing
        assert row[2].value == sheet_name("s3") and row[3].value
    for sheet in wb.worksheets:
        assert sheet.page_setup.paperSize in (9, "9"), sheet.title


def test_many_feedback_workbooks_written_in_workers_are_the_ones_one_process_writes(
    tmp_path, monkeypatch
):
    from pipeline.run import feedback_files

    units = [f"古县第{i}局" for i in range(4)]
    paths = raw_year(tmp_path, dict.fromkeys(units, BROKEN))
    run_ingest(paths)
    run_validate(paths)
    alone = {p.name: digest(p) for p in paths.feedback.iterdir()}
    assert sorted(alone) == sorted(f"{u}_问题反馈.xlsx" for u in units)
    monkeypatch.setattr(feedback_files, "PARALLEL_FROM", 2)
    store.remove([paths.feedback])
    run_validate(paths)
    assert {p.name: digest(p) for p in paths.feedback.iterdir()} == alone
    # NOTE: and behind a report run's back, joined before the command returns
    assert CliRunner().invoke(app, command_line(paths, "report")).exit_code == 1
    assert {p.name: digest(p) for p in paths.feedback.iterdir()} == alone
