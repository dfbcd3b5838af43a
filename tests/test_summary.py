"""The analysts' workbook: county tables laid out and merged as in the report, every unit's cells
under Chinese labels, the findings and the register in Chinese with their figures as numbers, the
codes in 字段说明; headers frozen, filters on, numbers formatted, rows as tall as their wrapped
text, A4 print setup; text that looks like a formula stays text."""

import re
import zipfile

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from pipeline import render as rnd
from pipeline import store
from pipeline.format2021 import PRINTED_SECTIONS, SECTIONS, printed
from pipeline.render.sheets import text_lines
from pipeline.render.summary import FINDING_FIELDS, RETURN_FIELDS, TOP, cell_codes, summary_xlsx


@pytest.fixture(scope="module")
def workbook(sample_year):
    return openpyxl.load_workbook(sample_year.summary_xlsx), sample_year


def test_the_sheets_are_the_three_tables_the_units_the_findings_and_the_register(workbook):
    wb, _ = workbook
    assert wb.sheetnames == [
        "表二 主动公开政府信息情况",
        "表三 收到和处理政府信息公开申请情况",
        "表四 政府信息公开行政复议、行政诉讼情况",
        "各单位",
        "问题清单",
        "报表登记",
        "字段说明",
    ]


@pytest.mark.parametrize("section", [s.code for s in PRINTED_SECTIONS])
def test_each_table_sheet_holds_the_county_totals_merged_as_the_report(workbook, section):
    wb, paths = workbook
    ws = wb.worksheets[[s.code for s in PRINTED_SECTIONS].index(section)]
    values = rnd.values_of(store.read_cells(paths.county_cells))
    merged = {str(r) for r in ws.merged_cells.ranges}
    expected_merges = set()
    for cell in printed(section).cells:
        got = ws.cell(TOP + cell.r + 1, cell.c + 1)
        if cell.kind == "value":
            col = SECTIONS[section].col(cell.col)
            want = rnd.figures(values)[section][cell.row][cell.col]
            assert got.value == (float(want) if col.scale else int(want))
            assert got.number_format == ("0.0000" if col.unit == "万元" else "0")
        else:
            assert got.value == cell.text
        if cell.rowspan > 1 or cell.colspan > 1:
            first = got.coordinate
            last = ws.cell(TOP + cell.r + cell.rowspan, cell.c + cell.colspan).coordinate
            expected_merges.add(f"{first}:{last}")
    assert merged == expected_merges
    assert (
        ws.freeze_panes
        == ws.cell(
            TOP + printed(section).header_rows + 1, 1 + SECTIONS[section].label_cols
        ).coordinate
    )


def test_the_fee_amount_keeps_its_decimals(workbook):
    wb, paths = workbook
    ws = wb.worksheets[0]
    cell = printed("s2").values["fees", "amount"]
    got = ws.cell(TOP + cell.r + 1, cell.c + 1)
    county = store.read_cells(paths.county_cells).set_index(["section", "row", "col"])["value"]
    assert got.value == int(county["s2", "fees", "amount"]) / 10**6 and got.value % 1


def test_the_units_sheet_has_a_row_per_unit_and_a_column_per_cell(workbook):
    wb, paths = workbook
    ws = wb["各单位"]
    n_cells = sum(len(s.cells) for s in SECTIONS.values())
    labels = [c.value for c in ws[1]]
    assert labels[:3] == ["单位代码", "单位", "文件"] and len(labels) == 3 + n_cells
    assert not any(re.match(r"^s\d\.", str(x)) for x in labels), "no row of codes"
    i = labels.index("表三·一、本年新收政府信息公开申请数量·自然人")
    assert i == 3 + cell_codes().index(next(c for c in cell_codes() if c[0] == "s3"))
    returns = store.read_csv(paths.ingested_returns)
    assert ws.max_row == 1 + int((returns["status"] == "received").sum())
    cells = store.read_cells(paths.ingested_cells)
    row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "古县公安局")
    want = cells[
        (cells["unit"] == "古县公安局") & (cells["section"] == "s3") & (cells["row"] == "new")
    ].set_index("col")["value"]
    assert row[i].value == int(want["natural"]) and row[i].number_format == "0"
    assert row[i].data_type == "n"
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref.startswith("A1:")
    assert ws.row_dimensions[1].height >= 4 * 10  # the longest labels wrap onto four lines


def test_findings_and_register_are_there_whole_in_chinese(workbook):
    wb, paths = workbook
    for name, path, fields in (
        ("问题清单", paths.validated_findings, FINDING_FIELDS),
        ("报表登记", paths.ingested_returns, RETURN_FIELDS),
    ):
        table = store.read_csv(path)
        ws = wb[name]
        assert [c.value for c in ws[1]] == [label for _, label, _, _ in fields]
        assert ws.max_row == 1 + len(table)
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    findings = wb["问题清单"]
    assert [c.value for c in findings[2]][:3] == ["提示", "未做跨年度检查", "year.unchecked"]
    register = wb["报表登记"]
    first = store.read_csv(paths.ingested_returns).iloc[0]
    row = {label: c for (_, label, _, _), c in zip(RETURN_FIELDS, register[2], strict=True)}
    assert row["文件"].value == first["file"] and row["状态"].value == "已收到"
    assert row["读到的表"].value == "表二、表三、表四、信息处理费"
    for figure in ("工作表数", "单元格数", "文件字节数"):
        assert row[figure].data_type == "n" and row[figure].value == int(
            first[{"工作表数": "sheets", "单元格数": "cells", "文件字节数": "bytes"}[figure]]
        ), figure


def test_the_codes_behind_the_chinese_are_in_the_fields_sheet(workbook):
    wb, _ = workbook
    rows = [tuple(c.value for c in r[:4]) for r in wb["字段说明"].iter_rows()]
    assert ("问题清单", "严重程度", "severity", None) in rows
    assert ("报表登记", "状态", "status", None) in rows
    assert ("严重程度", "info", "提示", None) in rows
    assert ("状态", "received", "已收到", None) in rows
    assert ("s3.new.natural", "表三", "一、本年新收政府信息公开申请数量", "自然人") in rows


def test_every_sheet_prints_on_a4_one_page_wide_with_its_headers_repeated(workbook):
    wb, _ = workbook
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert setup.paperSize in ("9", 9), ws.title
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页", ws.title
        if ws.title == "各单位":
            # two hundred columns: pages across, each with the header row and the unit
            assert setup.orientation == "landscape"
            assert ws.print_title_rows == "$1:$1" and ws.print_title_cols == "$A:$B"
            continue
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert setup.fitToWidth in (1, None), ws.title  # None: openpyxl's default, 1
    assert wb["表四 政府信息公开行政复议、行政诉讼情况"].page_setup.orientation == "landscape"
    assert wb["表三 收到和处理政府信息公开申请情况"].print_title_rows == f"${TOP + 1}:${TOP + 3}"
    assert wb["问题清单"].page_setup.orientation == "landscape"
    assert wb["问题清单"].page_setup.fitToHeight in (0, "0")  # as many pages tall as it needs
    assert wb["问题清单"].print_title_rows == "$1:$1"


def test_rows_are_as_tall_as_their_wrapped_labels(workbook):
    wb, _ = workbook
    ws = wb["表三 收到和处理政府信息公开申请情况"]
    widths = {i: ws.column_dimensions[get_column_letter(i + 1)].width for i in range(10)}
    for cell in printed("s3").cells:
        if cell.kind != "label" or cell.rowspan > 1:
            continue
        width = sum(widths[c] for c in range(cell.c, cell.c + cell.colspan))
        lines = text_lines(cell.text, width, 10)
        height = ws.row_dimensions[TOP + cell.r + 1].height or 15
        assert height >= lines * 10 * 1.3, (cell.text, lines, height)


DANGEROUS = ['=HYPERLINK("http://example.invalid","点我")', "+1+2", "-3+4", "@SUM(A1)", "=1+1"]


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    cells = pd.DataFrame(
        {
            "unit_code": ["=1+1"],
            "unit": [DANGEROUS[0]],
            "file": ["@evil.xlsx"],
            "section": ["s3"],
            "row": ["new"],
            "col": ["natural"],
            "value": pd.array([1], dtype="Int64"),
        }
    )
    findings = pd.DataFrame({"unit": DANGEROUS, "text": DANGEROUS, "message": DANGEROUS})
    returns = pd.DataFrame({"file": DANGEROUS, "unit": DANGEROUS})
    data = summary_xlsx("题", 2023, {}, cells, findings, returns)
    path = tmp_path / "s.xlsx"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        for name in sheets:
            assert not re.search(rb"<f[ >]", z.read(name)), name
    wb = openpyxl.load_workbook(path)
    for name, column in (("问题清单", 4), ("报表登记", 1)):  # 单位; 文件
        ws = wb[name]
        got = [ws.cell(r, column).value for r in range(2, 2 + len(DANGEROUS))]
        assert got == DANGEROUS
        for r in range(2, 2 + len(DANGEROUS)):
            cell = ws.cell(r, column)
            assert cell.data_type == "s" and cell.quotePrefix
    units = wb["各单位"]
    assert [units.cell(2, c).value for c in (1, 2, 3)] == ["=1+1", DANGEROUS[0], "@evil.xlsx"]


def test_the_same_inputs_give_the_same_bytes(sample_year):
    paths = sample_year
    again = paths.summary_xlsx.read_bytes()
    returns = store.read_csv(paths.ingested_returns)
    from pipeline.aggregate import received_cells

    cells = received_cells(store.read_cells(paths.ingested_cells), returns)
    data = summary_xlsx(
        "古县2023年政府信息公开工作年度报告",
        2023,
        rnd.values_of(store.read_cells(paths.county_cells)),
        cells,
        store.read_csv(paths.validated_findings),
        returns,
    )
    assert data == again


_TEXT = st.text(alphabet=st.sampled_from("总计自然人12345（）abc. 、"), max_size=40)


@given(a=_TEXT, b=_TEXT, width=st.floats(2, 60), size=st.sampled_from([9, 10, 11, 12]))
def test_a_text_wraps_to_one_line_exactly_when_it_fits_and_each_line_break_adds_its_own(
    a, b, width, size
):
    from pipeline.render.sheets import CELL_PADDING, CJK_PER_PT, text_width

    room = max(width - CELL_PADDING, size * CJK_PER_PT)
    assert (text_lines(a, width, size) == 1) == (text_width(a, size) <= room or len(a) <= 1)
    assert text_lines(a + b, width, size) >= text_lines(a, width, size)
    assert text_lines(f"{a}\n{b}", width, size) == (
        text_lines(a, width, size) + text_lines(b, width, size)
    )
