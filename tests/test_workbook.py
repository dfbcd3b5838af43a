"""The return template: one per unit plus a generic copy, locked where it should be, with
Chinese validation, formula totals, the 填报说明 sheet and the version mark; it reads back."""

import openpyxl
from typer.testing import CliRunner

from pipeline import files, store
from pipeline.cli import app
from pipeline.format2021 import S3, S3_PARTS, SECTIONS
from pipeline.ingest.returns import return_read
from pipeline.render.workbook import (
    COVER_SHEET,
    GUIDE_SHEET,
    TEMPLATE_VERSION,
    formula_totals,
    guide_lines,
    sheet_name,
    template_cell,
)
from tests.helpers import command_line, raw_year


def test_template_writes_one_workbook_per_unit_and_a_blank_copy(tmp_path):
    paths = raw_year(tmp_path, {}, units=["古县司法局", "岳阳镇"])
    result = CliRunner().invoke(
        app,
        command_line(paths, "template"),
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("模板：已为2个单位生成报表模板，另有空白模板1份")
    written = sorted(p.name for p in paths.templates.iterdir())
    assert written == sorted([paths.template(u).name for u in ("古县司法局", "岳阳镇", "")]), (
        written
    )
    read = return_read("t.xlsx", files.read_sheets(paths.template("岳阳镇")))
    assert (read.written_unit, read.written_year, read.version) == (
        "岳阳镇",
        "2023",
        TEMPLATE_VERSION,
    )
    assert read.sections == tuple(SECTIONS)
    # an untouched template reads as blanks (and zero totals), never as errors
    assert {c[7] for c in read.cells} == {"blank", "number"}
    blank = return_read("b.xlsx", files.read_sheets(paths.template("")))
    assert blank.written_unit == "" and blank.written_year == "2023"


def test_cover_is_locked_inputs_open_with_chinese_validation(tmp_path):
    paths = raw_year(tmp_path, {}, units=["古县司法局"])
    store.write_template(paths.template("古县司法局"), "古县司法局", 2023)
    store.write_template(paths.template(""), "", 2023)
    wb = openpyxl.load_workbook(paths.template("古县司法局"))
    cover = wb[COVER_SHEET]
    assert cover.protection.sheet and cover["B3"].value == "古县司法局"
    assert cover["B3"].protection.locked and cover["B4"].protection.locked
    s3 = wb[sheet_name("s3")]
    assert s3.protection.sheet
    part = s3[template_cell("s3", "new", "natural")]
    total = s3[template_cell("s3", "new", "total")]
    assert not part.protection.locked and total.protection.locked
    parts = ",".join(template_cell("s3", "new", c) for c in S3_PARTS)
    assert total.value == f"=SUM({parts})"

    def rule_at(ws, address):
        """The validation rule covering `address` (one rule covers a run of input cells)."""
        return next(v for v in ws.data_validations.dataValidation if address in v.sqref)

    count = rule_at(s3, template_cell("s3", "new", "natural"))
    assert (
        str(count.sqref)
        == f"{template_cell('s3', 'new', 'natural')}:{template_cell('s3', 'new', 'other')}"
    )
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert count.prompt == "请填写0或正整数；没有则填0。"
    assert count.error == "此处只能填写0或正整数。"
    s2 = wb[sheet_name("s2")]
    at = template_cell("s2", "fees", "amount")
    amount = rule_at(s2, at)
    assert amount.type == "custom"
    assert amount.formula1 == f"AND(ISNUMBER({at}),{at}>=0,ROUND({at},4)={at})"
    assert "最多4位小数" in amount.prompt and "万元" in amount.error
    generic = openpyxl.load_workbook(paths.template(""))[COVER_SHEET]
    assert generic["B3"].value is None and not generic["B3"].protection.locked


def test_the_guide_states_the_rules_in_the_format_labels(tmp_path):
    lines = guide_lines()
    row_rule = next(line for line in lines if line.startswith("1.表三每一行"))
    for code in (*S3_PARTS, "total"):
        assert f"“{S3.col(code).label}”" in row_rule
    assert any(S3.row("carried_out").label in line for line in lines)
    store.write_template(tmp_path / "t.xlsx", "古县司法局", 2023)
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")[GUIDE_SHEET]
    assert [ws.cell(i + 1, 1).value for i in range(len(lines))] == lines


def test_every_total_of_the_template_is_a_formula(tmp_path):
    store.write_template(tmp_path / "t.xlsx", "古县司法局", 2023)
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    for section, row, col in formula_totals():
        value = wb[sheet_name(section)][template_cell(section, row, col)].value
        assert str(value).startswith("=SUM("), (section, row, col, value)


def test_the_guide_says_what_xxgk_does_with_blanks_instead_of_forbidding_them():
    lines = guide_lines()
    counts = next(line for line in lines if line.startswith("3."))
    assert "没有的填0；留空（或填“/”“无”）的单元格按0计算，并在反馈中列出" in counts
    assert not any("不要填" in line and "留空" in line for line in lines)


def test_every_sheet_of_the_template_prints_on_one_a4_page(tmp_path):
    store.write_template(tmp_path / "t.xlsx", "古县司法局", 2023)
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert setup.paperSize in (9, "9"), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        # NOTE: 1 is the default and left out of the file: one page wide and one page tall
        assert setup.fitToWidth in (None, 1) and setup.fitToHeight in (None, 1), ws.title
    assert wb[sheet_name("s4")].page_setup.orientation == "landscape"
    assert wb[sheet_name("s3")].page_setup.orientation == "portrait"
    assert wb[sheet_name("s3")].print_title_rows == "$1:$5"  # the title and the three header rows
    # the 填报说明 column fits A4 portrait unscaled even at 7 pt a width unit (LibreOffice here)
    assert wb[GUIDE_SHEET].column_dimensions["A"].width * 7 <= 595 - 2 * 36


def test_the_rows_of_the_template_are_as_tall_as_their_wrapped_labels(tmp_path):
    from pipeline.format2021 import printed
    from pipeline.render.sheets import text_lines
    from pipeline.render.workbook import GRID_TOP

    store.write_template(tmp_path / "t.xlsx", "古县司法局", 2023)
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    for code in ("s2", "s3", "s4", "s6"):
        ws = wb[sheet_name(code)]

        def width(c, ws=ws):
            dim = next(
                d for d in ws.column_dimensions.values() if d.min <= c + 1 <= (d.max or d.min)
            )
            return dim.width

        for cell in printed(code).cells:
            if cell.kind == "value" or cell.rowspan > 1:
                continue
            room = sum(width(c) for c in range(cell.c, cell.c + cell.colspan))
            lines = text_lines(cell.text, room, 10)
            height = ws.row_dimensions[GRID_TOP + cell.r + 1].height or 15
            assert height >= lines * 10 * 1.3, (code, cell.text, lines, height)
    guide = wb[GUIDE_SHEET]
    for i, line in enumerate(guide_lines(), start=1):
        lines = text_lines(line, guide.column_dimensions["A"].width, 11)
        assert (guide.row_dimensions[i].height or 15) >= lines * 11 * 1.3, line
