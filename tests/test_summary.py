"""The analysts' workbook: county tables laid out and merged as in the report, every unit's cells
with codes and labels, the findings and the register; headers frozen, filters on, numbers
formatted; text that looks like a formula stays text."""

import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from pipeline import render as rnd
from pipeline import store
from pipeline.format2021 import SECTIONS, TABLES, grid
from pipeline.render.summary import TOP, summary_xlsx


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
    ]


@pytest.mark.parametrize("section", [s.code for s in TABLES])
def test_each_table_sheet_holds_the_county_totals_merged_as_the_report(workbook, section):
    wb, paths = workbook
    ws = wb.worksheets[[s.code for s in TABLES].index(section)]
    values = rnd.values_of(store.read_cells(paths.county_cells))
    merged = {str(r) for r in ws.merged_cells.ranges}
    expected_merges = set()
    for cell in grid(section).cells:
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
        == ws.cell(TOP + grid(section).header_rows + 1, 1 + SECTIONS[section].label_cols).coordinate
    )


def test_the_fee_amount_keeps_its_decimals(workbook):
    wb, paths = workbook
    ws = wb.worksheets[0]
    cell = grid("s2").values["fees", "amount"]
    got = ws.cell(TOP + cell.r + 1, cell.c + 1)
    county = store.read_cells(paths.county_cells).set_index(["section", "row", "col"])["value"]
    assert got.value == int(county["s2", "fees", "amount"]) / 10**6 and got.value % 1


def test_the_units_sheet_has_a_row_per_unit_and_a_column_per_cell(workbook):
    wb, paths = workbook
    ws = wb["各单位"]
    n_cells = sum(len(s.cells) for s in SECTIONS.values())
    codes = [c.value for c in ws[1]]
    labels = [c.value for c in ws[2]]
    assert codes[:3] == ["unit_code", "unit", "file"] and len(codes) == 3 + n_cells
    i = codes.index("s3.new.natural")
    assert labels[i] == "表三·一、本年新收政府信息公开申请数量·自然人"
    returns = store.read_csv(paths.ingested_returns)
    assert ws.max_row == 2 + int((returns["status"] == "received").sum())
    cells = store.read_cells(paths.ingested_cells)
    row = next(r for r in ws.iter_rows(min_row=3) if r[1].value == "古县公安局")
    want = cells[
        (cells["unit"] == "古县公安局") & (cells["section"] == "s3") & (cells["row"] == "new")
    ].set_index("col")["value"]
    assert row[i].value == int(want["natural"]) and row[i].number_format == "0"
    assert ws.freeze_panes == "C3" and ws.auto_filter.ref.startswith("A2:")


def test_findings_and_register_are_there_whole(workbook):
    wb, paths = workbook
    for name, path in (
        ("问题清单", paths.validated_findings),
        ("报表登记", paths.ingested_returns),
    ):
        table = store.read_csv(path)
        ws = wb[name]
        assert [c.value for c in ws[1]] == list(table.columns)
        assert ws.max_row == 2 + len(table)
        assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")
    register = wb["报表登记"]
    assert [c.value for c in register[3]][:2] == list(
        store.read_csv(paths.ingested_returns).iloc[0]
    )[:2]


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
    for name, column in (("问题清单", 1), ("报表登记", 1)):
        ws = wb[name]
        got = [
            ws.cell(r, column + (name == "报表登记")).value for r in range(3, 3 + len(DANGEROUS))
        ]
        assert got == DANGEROUS
        for r in range(3, 3 + len(DANGEROUS)):
            cell = ws.cell(r, 1)
            assert cell.data_type == "s" and cell.quotePrefix
    units = wb["各单位"]
    assert [units.cell(3, c).value for c in (1, 2, 3)] == ["=1+1", DANGEROUS[0], "@evil.xlsx"]


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
