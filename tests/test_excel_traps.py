"""The traps of real Excel and OpenDocument returns (issue 19): rich text, text in the colour of its
fill, stored formula results the application recalculates, inline strings, date-typed and unknown
cells. Each return is written from the template at test time and its XML edited as another program
would have saved it; what the user sees is asserted: the exit code, the finding at its cell, the
county figure, raw/ untouched, no traceback."""

from __future__ import annotations

import hashlib
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline import store
from pipeline.cli import app
from pipeline.files import workbook_of
from pipeline.ingest.values import Evaluator, Formula, marked_reading, parsed_formula
from pipeline.paths import Paths
from pipeline.render.workbook import sheet_name, template_cell
from pipeline.validate.provenance import Provenance
from schemas import rules
from tests.helpers import command_line, raw_year, with_totals
from tests.hostile import entries, write_zip

runner = CliRunner()
UNIT, OTHER = "古县司法局", "古县水利局"
LICENSING = ("s2", "licensing", "decisions")  # 行政许可
CELL = template_cell(*LICENSING)
SHEET = sheet_name("s2")
MARK = 987654  # the figure whose cell each case rewrites
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SUP = '<rPr><vertAlign val="superscript"/></rPr>'
SUB = '<rPr><vertAlign val="subscript"/></rPr>'
STRIKE = "<rPr><strike/></rPr>"
WHITE = '<rPr><color rgb="FFFFFFFF"/></rPr>'
RED = '<rPr><color rgb="FFFF0000"/><sz val="11"/></rPr>'


# -- a year whose return is edited as another program saved it --------------------------------------
def year(tmp: Path, other: int = 4) -> Paths:
    """Two returns of the template (totals as formulas with their results, in a workbook Excel
    recalculates on open): UNIT's 行政许可 holds MARK (its cell to be rewritten), OTHER's `other`."""
    return raw_year(
        tmp,
        {UNIT: with_totals({LICENSING: MARK}), OTHER: with_totals({LICENSING: other})},
        formulas=True,
    )


def return_file(paths: Paths) -> Path:
    return paths.returns_dir / f"{UNIT}.xlsx"


def rewrite(paths: Paths, cell: str, *, strings: list[str] = (), styles=None, book=None) -> None:
    """Put `cell` (the XML of one `<c>`, `{r}` for its address, `{n}` for the index of the first
    of `strings` appended to the shared strings) where MARK stands in UNIT's return; `styles` and
    `book` rewrite styles.xml and workbook.xml."""
    path = return_file(paths)
    parts = entries(path.read_bytes())
    sst = parts["xl/sharedStrings.xml"]
    first = sst.count(b"<si>")
    if strings:
        parts["xl/sharedStrings.xml"] = sst.replace(
            b"</sst>", "".join(strings).encode() + b"</sst>"
        )
    xf = 0
    if styles:
        parts["xl/styles.xml"], xf = styles(parts["xl/styles.xml"])
    placed = cell.format(r=CELL, n=first, s=xf).encode()
    pattern = re.compile(rf'<c r="{CELL}"[^>]*><v>{MARK}</v></c>'.encode())
    member = next(
        m for m, xml in parts.items() if m.startswith("xl/worksheets/") and pattern.search(xml)
    )
    parts[member] = pattern.sub(lambda _: placed, parts[member], count=1)
    if book:
        parts["xl/workbook.xml"] = book(parts["xl/workbook.xml"])
    write_zip(path, parts)


def with_font(colour: str, fill: str = ""):
    """The rewrite of styles.xml adding a cell format with a font of `colour` (an XML
    `<color …/>`, `<strike/>` …) over `fill` (a solid fill's rgb; none when empty), giving the
    new styles and the format's index."""

    def styles(xml: bytes) -> tuple[bytes, int]:
        text = xml.decode()
        font_id = int(re.search(r'<fonts count="(\d+)"', text).group(1))
        fill_id = int(re.search(r'<fills count="(\d+)"', text).group(1)) if fill else 0
        xf = int(re.search(r'<cellXfs count="(\d+)"', text).group(1))
        text = text.replace(
            "</fonts>", f'<font><sz val="10"/>{colour}<name val="宋体"/></font></fonts>'
        ).replace(f'<fonts count="{font_id}"', f'<fonts count="{font_id + 1}"')
        if fill:
            solid = f'<fill><patternFill patternType="solid"><fgColor rgb="{fill}"/></patternFill></fill>'
            text = text.replace("</fills>", f"{solid}</fills>").replace(
                f'<fills count="{fill_id}"', f'<fills count="{fill_id + 1}"'
            )
        text = text.replace(
            "</cellXfs>",
            f'<xf numFmtId="0" fontId="{font_id}" fillId="{fill_id}" borderId="0" xfId="0"/></cellXfs>',
        ).replace(f'<cellXfs count="{xf}"', f'<cellXfs count="{xf + 1}"')
        return text.encode(), xf

    return styles


def rich(*runs: tuple[str, str]) -> str:
    """A shared string of runs, each (its properties' XML, its text)."""
    return (
        "<si>"
        + "".join(f'<r>{props}<t xml:space="preserve">{text}</t></r>' for props, text in runs)
        + "</si>"
    )


def run(paths: Paths):
    """`xxgk report` on `paths`: raw/ left as it was, no traceback on the screen."""
    before = _digests(paths.raw_root)
    result = runner.invoke(app, command_line(paths, "report"))
    assert _digests(paths.raw_root) == before, "raw/ must never be written"
    assert "Traceback" not in result.output + (result.stderr or "")
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def _digests(raw: Path) -> dict[str, str]:
    return {
        p.relative_to(raw).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(raw.rglob("*"))
        if p.is_file()
    }


def findings_at_the_cell(paths: Paths) -> list[tuple[str, str, str, str, str]]:
    """(unit, sheet, cell, rule, severity) of every finding at UNIT's 行政许可 cell, with messages."""
    found = store.read_csv(paths.issues_csv)
    mine = found[(found["unit"] == UNIT) & (found["cell"] == CELL)]
    return [(r.unit, r.sheet, r.cell, r.rule, r.severity) for r in mine.itertuples()]


def message_at_the_cell(paths: Paths, rule: str) -> str:
    found = store.read_csv(paths.issues_csv)
    mine = found[(found["unit"] == UNIT) & (found["cell"] == CELL) & (found["rule"] == rule)]
    assert len(mine) == 1, found[["rule", "cell", "message"]].to_string()
    return str(mine["message"].iloc[0])


def county_licensing(paths: Paths) -> int:
    county = store.read_cells(paths.county_cells).set_index(["section", "row", "col"])["value"]
    return int(county[LICENSING])


def read_value(paths: Paths) -> tuple[str, int | None, str]:
    """How UNIT's 行政许可 cell was read: (read_as, value, text)."""
    cells = store.read_cells(paths.ingested_cells)
    mine = cells[(cells["unit"] == UNIT) & (cells["cell"] == CELL) & (cells["sheet"] == SHEET)]
    assert len(mine) == 1
    rec = mine.iloc[0]
    value = None if pd.isna(rec["value"]) else int(rec["value"])
    return rec["read_as"], value, rec["text"]


def errors_block(paths: Paths, result) -> None:
    """The run stops at the data's errors: exit 1, no county figure published."""
    assert result.exit_code == 1, result.output
    assert not paths.county_cells.exists()


# -- rich text ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("runs", "shown", "what"),
    [
        (((" ", "148"), (SUP, "1")), "148¹", "上标"),  # the issue's 148¹ (read as 1481 before)
        ((("", "148"), (SUB, "2")), "148₂", "下标"),
        (((STRIKE, "148"), ("", "152")), "1̶4̶8̶152", "删除线"),
        ((("", "14"), (SUP, "8a")), "14^(8a)", "上标"),
    ],
)
def test_a_raised_lowered_or_struck_run_is_an_error_at_its_cell_stating_what_is_seen(
    tmp_path, runs, shown, what
):
    paths = year(tmp_path)
    rewrite(
        paths,
        '<c r="{r}" s="5" t="s"><v>{n}</v></c>',
        strings=[rich(*((p if p.strip() else "", t) for p, t in runs))],
    )
    result = run(paths)
    errors_block(paths, result)
    assert findings_at_the_cell(paths) == [(UNIT, SHEET, CELL, "value.type", "error")]
    message = message_at_the_cell(paths, "value.type")
    assert f"（{SHEET}!{CELL}）填写“{shown}”，含有{what}的文字" in message
    assert read_value(paths) == ("error", None, shown)


def test_the_feedback_copy_shows_the_superscript_as_the_unit_wrote_it_not_1481(tmp_path):
    from openpyxl import load_workbook

    paths = year(tmp_path)
    rewrite(paths, '<c r="{r}" s="5" t="s"><v>{n}</v></c>', strings=[rich(("", "148"), (SUP, "1"))])
    errors_block(paths, run(paths))
    copy = load_workbook(paths.feedback / f"{UNIT}_问题反馈.xlsx", rich_text=True)
    cell = copy[SHEET][CELL]
    assert [str(part) for part in cell.value] == ["148", "1"]
    assert cell.value[1].font.vertAlign == "superscript"
    assert "148¹" in cell.comment.text


def test_a_run_in_the_colour_of_the_cell_is_hidden_text_never_read(tmp_path):
    paths = year(tmp_path)
    rewrite(
        paths, '<c r="{r}" s="5" t="s"><v>{n}</v></c>', strings=[rich(("", "1"), (WHITE, "48"))]
    )
    result = run(paths)
    errors_block(paths, result)
    assert findings_at_the_cell(paths) == [(UNIT, SHEET, CELL, "value.hidden", "error")]
    message = message_at_the_cell(paths, "value.hidden")
    assert (
        "存有“148”，其中“48”的字体颜色与单元格底色相同；打开文件的人看不到这些文字，这个数不采用"
        in message
    )


def test_runs_in_other_colours_and_fonts_read_as_the_number_they_show(tmp_path):
    paths = year(tmp_path)
    rewrite(
        paths,
        '<c r="{r}" s="5" t="s"><v>{n}</v></c>',
        strings=[rich((RED, "14"), ("<rPr><b/></rPr>", "8"))],
    )
    result = run(paths)
    assert result.exit_code == 0, result.output
    assert findings_at_the_cell(paths) == []
    assert read_value(paths) == ("number", 148, "148")
    assert county_licensing(paths) == 152


@pytest.mark.parametrize(
    ("colour", "fill", "hidden"),
    [
        ('<color rgb="FFFFFFFF"/>', "", True),  # white on the white sheet
        ('<color theme="0"/>', "", True),  # the theme's first colour (lt1) is white
        ('<color indexed="9"/>', "", True),  # the legacy palette's white
        ('<color rgb="FFFFFF00"/>', "FFFFFF00", True),  # yellow on yellow
        ('<color rgb="FFFFFFFF"/>', "FF000000", False),  # white on black: seen
        ('<color rgb="FFFF0000"/>', "", False),  # red: seen
    ],
)
def test_a_number_in_the_colour_of_its_fill_is_hidden_other_colours_read(
    tmp_path, colour, fill, hidden
):
    paths = year(tmp_path)
    rewrite(paths, '<c r="{r}" s="{s}"><v>148</v></c>', styles=with_font(colour, fill))
    result = run(paths)
    if hidden:
        errors_block(paths, result)
        assert findings_at_the_cell(paths) == [(UNIT, SHEET, CELL, "value.hidden", "error")]
        assert "存有“148”的字体颜色与单元格底色相同" in message_at_the_cell(paths, "value.hidden")
    else:
        assert result.exit_code == 0, result.output
        assert county_licensing(paths) == 152


def test_a_formula_without_its_result_in_the_colour_of_its_fill_is_hidden_never_blank(tmp_path):
    paths = year(tmp_path)
    white = with_font('<color rgb="FFFFFFFF"/>')
    rewrite(paths, '<c r="{r}" s="{s}"><f>300+56</f></c>', styles=white)
    errors_block(paths, run(paths))
    assert findings_at_the_cell(paths) == [(UNIT, SHEET, CELL, "value.hidden", "error")]
    assert "存有“=300+56”的字体颜色与单元格底色相同" in message_at_the_cell(paths, "value.hidden")


def test_a_number_struck_through_by_its_format_is_not_a_figure(tmp_path):
    paths = year(tmp_path)
    rewrite(
        paths,
        '<c r="{r}" s="{s}"><v>148</v></c>',
        styles=with_font('<strike/><color rgb="FF000000"/>'),
    )
    errors_block(paths, run(paths))
    assert findings_at_the_cell(paths) == [(UNIT, SHEET, CELL, "value.type", "error")]
    assert "填写“1̶4̶8̶”，含有删除线的文字" in message_at_the_cell(paths, "value.type")


# -- stored formula results ---------------------------------------------------------------------
def NOT_RECALCULATED(xml: bytes) -> bytes:  # noqa: N802
    """workbook.xml as Excel 365 saves a workbook it calculated itself."""
    return re.sub(rb"<calcPr[^>]*/>", b'<calcPr calcId="191029"/>', xml)


def test_a_stale_result_excel_recalculates_on_open_is_read_as_recalculated_with_a_warning(
    tmp_path,
):
    # the issue's case: =300+56 stored as 365 in a workbook asking to be recalculated on open
    paths = year(tmp_path)
    rewrite(paths, '<c r="{r}" s="5"><f>300+56</f><v>365</v></c>')
    result = run(paths)
    assert result.exit_code == 0, result.output
    assert findings_at_the_cell(paths) == [(UNIT, SHEET, CELL, "value.recalculated", "warning")]
    assert message_at_the_cell(paths, "value.recalculated").endswith(
        f"（{SHEET}!{CELL}）的公式“=300+56”保存的结果为365，Excel、WPS 打开时重新计算为356，已按356读取。"
    )
    assert read_value(paths) == ("recalculated", 356, "=300+56")
    assert county_licensing(paths) == 360


def test_a_stored_result_excel_does_not_recalculate_is_read_with_both_figures_stated(tmp_path):
    paths = year(tmp_path)
    rewrite(paths, '<c r="{r}" s="5"><f>300+56</f><v>365</v></c>', book=NOT_RECALCULATED)
    result = run(paths)
    assert result.exit_code == 0, result.output
    assert findings_at_the_cell(paths) == [(UNIT, SHEET, CELL, "value.stale", "warning")]
    message = message_at_the_cell(paths, "value.stale")
    assert "保存的结果为365，按公式计算应为356；工作簿打开时不重新计算" in message
    assert county_licensing(paths) == 369


def test_a_stale_result_in_a_sheet_written_with_namespace_prefixes_is_found_too(tmp_path):
    # NOTE: some writers (the Open XML SDK among them) write `<x:c>`, `<x:f>`; calamine reads them
    paths = year(tmp_path)
    rewrite(paths, '<c r="{r}" s="5"><f>300+56</f><v>365</v></c>')
    path = return_file(paths)
    parts = entries(path.read_bytes())
    for member in [m for m in parts if m.startswith("xl/worksheets/")]:
        xml = re.sub(rb"<(/?)(?![?!])(\w)", rb"<\1x:\2", parts[member])
        parts[member] = xml.replace(b"<x:worksheet xmlns=", b"<x:worksheet xmlns:x=")
    write_zip(path, parts)
    result = run(paths)
    assert result.exit_code == 0, result.output
    assert findings_at_the_cell(paths) == [(UNIT, SHEET, CELL, "value.recalculated", "warning")]
    assert county_licensing(paths) == 360


def test_a_formula_that_cannot_be_worked_out_keeps_its_stored_result_with_a_warning(tmp_path):
    paths = year(tmp_path)
    rewrite(paths, '<c r="{r}" s="5"><f>IF(1,356,0)</f><v>356</v></c>')
    result = run(paths)
    assert result.exit_code == 0, result.output
    assert findings_at_the_cell(paths) == [(UNIT, SHEET, CELL, "value.stale", "warning")]
    assert "本程序无法推算" in message_at_the_cell(paths, "value.stale")
    assert county_licensing(paths) == 360


@pytest.mark.parametrize("book", [None, NOT_RECALCULATED])
def test_a_stored_result_that_agrees_with_its_formula_says_nothing(tmp_path, book):
    paths = year(tmp_path)
    rewrite(paths, '<c r="{r}" s="5"><f>SUM(300,50)+(10-4)</f><v>356</v></c>', book=book)
    result = run(paths)
    assert result.exit_code == 0, result.output
    assert findings_at_the_cell(paths) == []
    assert county_licensing(paths) == 360


def test_the_templates_own_totals_are_checked_and_say_nothing(tmp_path):
    paths = year(tmp_path)
    result = run(paths)
    assert result.exit_code == 0, result.output
    found = store.read_csv(paths.issues_csv)
    assert not found["rule"].isin(["value.recalculated", "value.stale"]).any()


def test_a_template_total_stored_stale_is_read_as_excel_recalculates_it(tmp_path):
    values = with_totals({("s3", "new", "natural"): 3, ("s3", "granted", "natural"): 3})
    paths = raw_year(tmp_path, {UNIT: values}, formulas=True)
    path = paths.returns_dir / f"{UNIT}.xlsx"
    parts = entries(path.read_bytes())
    total = template_cell("s3", "new", "total")
    member = next(m for m, x in parts.items() if f'<c r="{total}"'.encode() in x and b"<f>" in x)
    parts[member] = re.sub(
        rf'(<c r="{total}"[^>]*><f>[^<]*</f><v>)3(</v>)'.encode(), rb"\g<1>30\g<2>", parts[member]
    )
    write_zip(path, parts)
    result = run(paths)
    assert result.exit_code == 0, result.output
    found = store.read_csv(paths.issues_csv)
    mine = found[found["rule"] == "value.recalculated"]
    assert mine["cell"].tolist() == [total]
    assert "保存的结果为30，Excel、WPS 打开时重新计算为3，已按3读取" in mine["message"].iloc[0]
    county = store.read_cells(paths.county_cells).set_index(["section", "row", "col"])["value"]
    assert county["s3", "new", "total"] == 3
    # NOTE: a recalculated total follows its parts: where an error is, it is never the one named
    where = Provenance(rules.WideTables(store.read_cells(paths.ingested_cells)))
    parts = where.derived(f"returns/{UNIT}.xlsx")[("s3", "new", "total")]
    assert ("s3", "new", "natural") in parts and ("s3", "new", "total") not in parts


def test_a_stale_result_of_a_shared_formula_is_read_as_excel_recalculates_it(tmp_path):
    # NOTE: Excel writes a formula filled down as one shared formula: the first cell holds its
    # text, the others only its index
    values = with_totals({("s3", "carried_in", "natural"): 2, ("s3", "granted", "natural"): 2})
    paths = raw_year(tmp_path, {UNIT: values}, formulas=True)
    path = paths.returns_dir / f"{UNIT}.xlsx"
    parts = entries(path.read_bytes())
    first, second = (template_cell("s3", row, "total") for row in ("new", "carried_in"))
    member = next(m for m, x in parts.items() if f'<c r="{first}"'.encode() in x and b"<f>" in x)
    xml = re.sub(
        rf'(<c r="{first}"[^>]*>)<f>([^<]*)</f>'.encode(),
        rf'\1<f t="shared" ref="{first}:{second}" si="0">\2</f>'.encode(),
        parts[member],
    )
    parts[member] = re.sub(
        rf'(<c r="{second}"[^>]*>)<f>[^<]*</f><v>2</v>'.encode(),
        rb'\1<f t="shared" si="0"/><v>20</v>',
        xml,
    )
    write_zip(path, parts)
    result = run(paths)
    assert result.exit_code == 0, result.output
    found = store.read_csv(paths.issues_csv)
    said = found[found["rule"] == "value.recalculated"]
    assert said["cell"].tolist() == [second]
    assert (
        "的公式“=SUM(D7,E7,F7,G7,H7,I7)”保存的结果为20，Excel、WPS 打开时重新计算为2"
        in (said["message"].iloc[0])
    )


def test_a_total_over_a_number_typed_as_text_is_read_as_excel_shows_it_saying_why(tmp_path):
    # as a clerk's Excel saves it: 3 pasted as text into 新收申请·自然人, the total beside it
    # computed without it (Excel's SUM passes over text)
    values = with_totals({("s3", "new", "natural"): 3, ("s3", "granted", "natural"): 3})
    paths = raw_year(tmp_path, {UNIT: values}, formulas=True)
    path = paths.returns_dir / f"{UNIT}.xlsx"
    parts = entries(path.read_bytes())
    part, total = template_cell("s3", "new", "natural"), template_cell("s3", "new", "total")
    member = next(m for m, x in parts.items() if f'<c r="{total}"'.encode() in x and b"<f>" in x)
    xml = re.sub(
        rf'<c r="{part}"([^>]*)><v>3</v></c>'.encode(),
        rf'<c r="{part}"\1 t="inlineStr"><is><t>3</t></is></c>'.encode(),
        parts[member],
    )
    parts[member] = re.sub(
        rf'(<c r="{total}"[^>]*><f>[^<]*</f><v>)3(</v>)'.encode(), rb"\g<1>0\g<2>", xml
    )
    parts["xl/workbook.xml"] = NOT_RECALCULATED(parts["xl/workbook.xml"])
    write_zip(path, parts)
    result = run(paths)
    assert result.exit_code == 1  # the total as shown (0) is not the sum of its parts (3)
    found = store.read_csv(paths.issues_csv)
    said = found[found["rule"] == "value.text_in_sum"]
    assert said["cell"].tolist() == [total] and said["severity"].tolist() == ["warning"]
    assert (
        f"不计入以文字形式填写的数（{part}“3”），Excel、WPS 显示为0，已按0读取"
        in said["message"].iloc[0]
    )
    assert "s3.row_total" in set(found["rule"])


# -- cells of other types -----------------------------------------------------------------------
def test_an_inline_string_is_read_as_the_sheet_shows_it(tmp_path):
    paths = year(tmp_path)
    rewrite(paths, '<c r="{r}" s="5" t="inlineStr"><is><t>148</t></is></c>')
    result = run(paths)
    assert result.exit_code == 0, result.output
    assert read_value(paths) == ("number", 148, "148")
    assert county_licensing(paths) == 152


def test_an_inline_rich_string_with_a_superscript_is_an_error_never_another_number(tmp_path):
    paths = year(tmp_path)
    rewrite(
        paths,
        '<c r="{r}" s="5" t="inlineStr"><is><r><t>148</t></r><r>' + SUP + "<t>1</t></r></is></c>",
    )
    errors_block(paths, run(paths))
    assert findings_at_the_cell(paths) == [(UNIT, SHEET, CELL, "value.type", "error")]
    assert "填写“148¹”" in message_at_the_cell(paths, "value.type")


def test_an_inline_string_cell_the_reader_sees_as_empty_is_unreadable_never_blank(tmp_path):
    paths = year(tmp_path)
    rewrite(paths, '<c r="{r}" s="5" t="inlineStr"><v>148</v></c>')
    errors_block(paths, run(paths))
    assert findings_at_the_cell(paths) == [(UNIT, SHEET, CELL, "value.unreadable", "error")]
    assert "存有“148”" in message_at_the_cell(paths, "value.unreadable")


@pytest.mark.parametrize("stored", ["2023-05-01T00:00:00", "148"])
def test_a_date_typed_cell_is_an_error_never_a_number(tmp_path, stored):
    paths = year(tmp_path)
    rewrite(paths, '<c r="{r}" s="5" t="d"><v>' + stored + "</v></c>")
    errors_block(paths, run(paths))
    assert findings_at_the_cell(paths) == [(UNIT, SHEET, CELL, "value.type", "error")]
    assert "是日期或时间，不是数字" in message_at_the_cell(paths, "value.type")


def test_a_cell_of_an_unknown_type_names_its_sheet_and_cell_and_the_rest_is_read(tmp_path):
    paths = year(tmp_path)
    rewrite(paths, '<c r="{r}" s="5" t="x"><v>148</v></c>')
    result = run(paths)
    assert result.exit_code == 1
    found = store.read_csv(paths.issues_csv)
    mine = found[found["rule"] == "file.unreadable"]
    assert mine["unit"].tolist() == [UNIT]
    assert f"工作表“{SHEET}”的单元格{CELL}的类型为“x”" in mine["message"].iloc[0]
    cells = store.read_cells(paths.ingested_cells)
    assert set(cells["unit"]) == {OTHER}


# -- OpenDocument ---------------------------------------------------------------------------------
def ods_return(paths: Paths, styles: str, paragraph: str) -> None:
    """UNIT's return as an .ods whose 行政许可 cell holds `paragraph` (the inside of its
    `<text:p>`) as a string, with `styles` among its automatic styles."""
    from scripts.messy import Style, book, write_ods

    path = return_file(paths)
    path.unlink()
    target = path.with_suffix(".ods")
    values = with_totals({LICENSING: MARK})
    write_ods(target, book(UNIT, 2023, values, Style()))
    with zipfile.ZipFile(target) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    content = parts["content.xml"].decode()
    content = (
        content.replace(
            f'office:value-type="float" office:value="{MARK}"><text:p>{MARK}</text:p>',
            f'office:value-type="string"><text:p>{paragraph}</text:p>',
        )
        .replace(
            "<office:body>",
            f"<office:automatic-styles>{styles}</office:automatic-styles><office:body>",
        )
        .replace(
            "<office:document-content ",
            '<office:document-content xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
            'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" ',
        )
    )
    parts["content.xml"] = content.encode()
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), parts.pop("mimetype"))
        for name, data in parts.items():
            zf.writestr(name, data, zipfile.ZIP_DEFLATED)


def ods_finding(paths: Paths) -> tuple[str, str]:
    """The one error of UNIT's .ods return: its rule and message."""
    found = store.read_csv(paths.issues_csv)
    mine = found[(found["unit"] == UNIT) & (found["severity"] == "error")]
    assert len(mine) == 1, mine[["rule", "message"]].to_string()
    return mine["rule"].iloc[0], str(mine["message"].iloc[0])


TEXT_STYLE = (
    '<style:style style:name="T1" style:family="text"><style:text-properties {}/></style:style>'
)


@pytest.mark.parametrize(
    ("props", "rule", "said"),
    [
        ('style:text-position="super 58%"', "value.type", "填写“148¹”，含有上标的文字"),
        ('style:text-position="-33% 58%"', "value.type", "填写“148₁”，含有下标的文字"),
        ('style:text-line-through-style="solid"', "value.type", "填写“1481̶”，含有删除线的文字"),
        ('fo:color="#ffffff"', "value.hidden", "存有“1481”，其中“1”的字体颜色与单元格底色相同"),
    ],
)
def test_an_ods_span_raised_lowered_struck_or_unseen_is_never_read_as_another_number(
    tmp_path, props, rule, said
):
    paths = year(tmp_path)
    ods_return(paths, TEXT_STYLE.format(props), '148<text:span text:style-name="T1">1</text:span>')
    errors_block(paths, run(paths))
    found_rule, message = ods_finding(paths)
    assert found_rule == rule
    assert said in message


def test_an_ods_span_in_another_colour_reads_as_the_number_it_shows(tmp_path):
    paths = year(tmp_path)
    ods_return(
        paths,
        TEXT_STYLE.format('fo:color="#ff0000"'),
        '14<text:span text:style-name="T1">8</text:span>',
    )
    result = run(paths)
    assert result.exit_code == 0, result.output
    assert county_licensing(paths) == 152


# -- .xls (BIFF8) ---------------------------------------------------------------------------------
def xls_return(paths: Paths, segments: tuple) -> tuple[str, str]:
    """UNIT's return as an .xls (as xlwt, like old Excel and WPS, writes it) whose 行政许可 cell
    holds the rich text `segments`, after a sheet of two thousand notes (so that the shared
    strings run over several records); the sheet and cell it stands in."""
    import xlwt

    from scripts.messy import Style, book

    return_file(paths).unlink()
    sheets = book(UNIT, 2023, with_totals({LICENSING: MARK}), Style())
    wb = xlwt.Workbook(encoding="utf-8")
    notes = wb.add_sheet("附注")
    for i in range(2000):
        notes.write(i, 0, f"第{i}条附注说明文字")
    where = ("", "")
    for sheet in sheets:
        ws = wb.add_sheet(sheet.name)
        merged = {(m[0], m[1]): m for m in sheet.merges}
        for (r, c), value in sheet.cells.items():
            if value == MARK:
                ws.write_rich_text(r, c, segments)
                where = (sheet.name, xlwt.Utils.rowcol_to_cell(r, c))
            elif (r, c) in merged:
                r1, c1, r2, c2 = merged[r, c]
                ws.write_merge(r1, r2, c1, c2, "" if value is None else value)
            elif value is not None:
                ws.write(r, c, value)
    wb.save(str(return_file(paths).with_suffix(".xls")))
    return where


def _font(**given):
    import xlwt

    font = xlwt.Font()
    for name, value in given.items():
        setattr(font, name, value)
    return font


@pytest.mark.parametrize(
    ("font", "rule", "said"),
    [
        ({"escapement": 1}, "value.type", "填写“148¹”，含有上标的文字"),
        ({"escapement": 2}, "value.type", "填写“148₁”，含有下标的文字"),
        ({"struck_out": True}, "value.type", "填写“1481̶”，含有删除线的文字"),
        ({"colour_index": 1}, "value.hidden", "存有“1481”，其中“1”的字体颜色与单元格底色相同"),
    ],
)
def test_an_xls_rich_string_is_read_as_shown_never_as_its_runs_joined(tmp_path, font, rule, said):
    paths = year(tmp_path)
    sheet, cell = xls_return(paths, ("148", ("1", _font(**font))))
    errors_block(paths, run(paths))
    found = store.read_csv(paths.issues_csv)
    mine = found[(found["unit"] == UNIT) & (found["severity"] == "error")]
    assert [(r.sheet, r.cell, r.rule) for r in mine.itertuples()] == [(sheet, cell, rule)]
    assert said in mine["message"].iloc[0]


def test_an_xls_rich_string_in_another_colour_reads_as_the_number_it_shows(tmp_path):
    paths = year(tmp_path)
    xls_return(paths, ("14", ("8", _font(colour_index=2, bold=True))))
    result = run(paths)
    assert result.exit_code == 0, result.output
    assert county_licensing(paths) == 152


# -- properties -----------------------------------------------------------------------------------
_RUN_PROPS = {"": "", "super": SUP, "sub": SUB, "strike": STRIKE}


def _one_cell_workbook(si: str) -> bytes:
    """An .xlsx of one sheet whose A1 holds the shared string `si`, written part by part."""
    import io

    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="1" uniqueCount="1">{si}</sst>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buffer.getvalue()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text("0123456789 ", min_size=1, max_size=4), st.sampled_from(list(_RUN_PROPS))
        ),
        min_size=1,
        max_size=5,
    )
)
def test_runs_with_or_without_raised_lowered_or_struck_text_give_the_number_or_an_error(runs):
    # property (b) of issue 19: never another number
    si = (
        "<si>"
        + "".join(
            f'<r>{_RUN_PROPS[kind]}<t xml:space="preserve">{text}</t></r>' for text, kind in runs
        )
        + "</si>"
    )
    book = workbook_of(_one_cell_workbook(si))
    raw = book.sheets["S"][0][0]
    special = book.hidden().special("S").get((0, 0))
    reading = marked_reading(special, raw, 0) if special is not None else None
    if reading is None:
        from pipeline.ingest.values import read_cell

        reading = read_cell(raw, 0)
    written = "".join(text for text, _ in runs)
    marked = any(kind and text.strip() for text, kind in runs)
    if marked:
        assert (reading.read_as, reading.value) == ("error", None)
    elif re.fullmatch(r"\s*\d+\s*", written):
        assert (reading.read_as, reading.value) == ("number", int(written))
    else:
        assert reading.value in (None, 0)  # spaces inside, or nothing: never another number
        assert reading.read_as in ("error", "blank")


@settings(max_examples=200, deadline=None)
@given(
    cells=st.lists(st.integers(0, 10**6), min_size=3, max_size=3),
    terms=st.lists(
        st.tuples(
            st.sampled_from("+-"),
            st.sampled_from(["A1", "B1", "C1", "7", "SUM(A1:C1)", "(A1-B1)", "SUM(A1,2,B1+C1)"]),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_the_evaluator_gives_what_the_formula_computes(cells, terms):
    text = "".join(f"{sign}{term}" for sign, term in terms).lstrip("+")
    names = {"A1": cells[0], "B1": cells[1], "C1": cells[2]}
    # NOTE: the formula is of our own making: Python computes it as the oracle
    expected = eval(
        re.sub(
            r"SUM\(([^()]*)\)",
            lambda m: "(" + m.group(1).replace(":", "+B1+").replace(",", "+") + ")",
            text,
        ),
        {},
        names,
    )
    got = Evaluator([[float(v) for v in cells]]).figure(Formula(text))
    assert parsed_formula(text) is not None
    assert Decimal(got) == expected


def test_sum_passes_over_text_but_arithmetic_on_text_cannot_be_worked_out():
    rows = [[1.0, "12", None, True]]
    assert Evaluator(rows).figure(Formula("SUM(A1:D1)")) == 1
    assert Evaluator(rows).figure(Formula("A1+C1")) == 1
    assert Evaluator(rows).figure(Formula("A1+B1")) == "引用的单元格是文字，不是数值"
    assert Evaluator(rows).figure(Formula("Sheet2!A1+1")) == "不是本程序能推算的公式"


def test_formulas_that_refer_to_each_other_in_a_ring_cannot_be_worked_out_and_end_quickly():
    # NOTE: ten formulas each adding up all ten: met again while being worked out, a cycle
    ring = ",".join(f"A{i}" for i in range(1, 11))
    rows = [[Formula(f"SUM({ring})+{i}")] for i in range(10)]
    sheet = Evaluator(rows, {(i, 0): rows[i][0] for i in range(10)})
    assert sheet.figure(rows[0][0]) == "公式层层引用过深或循环引用"
