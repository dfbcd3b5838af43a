"""The project's own return workbook: what a department fills in, laid out as the format prints it.

Written with XlsxWriter, which (unlike openpyxl) stores a formula's result beside the formula,
as Excel and WPS do when they save; readers that see only stored results (python-calamine,
openpyxl `data_only`) then read the totals too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from pipeline.format2021 import (
    S2,
    S3,
    S6,
    SECTIONS,
    printed,
)
from pipeline.render.sheets import fitted_heights, print_setup
from schemas.sums import formula_totals
from schemas.sums import guide_lines as sum_guide_lines

TEMPLATE_VERSION = "xxgk-2021.1"
COVER_SHEET = "封面"
GUIDE_SHEET = "填报说明"
COVER_UNIT, COVER_YEAR, COVER_VERSION = "填报单位", "报告年度", "模板版本"
GRID_TOP = 2  # the table starts on the third row of its sheet, below its title
# NOTE: the template asks for what a department can know: 万元 to the 元 (4 decimals), 元 to the 分;
# the reader keeps more (values.py) so that a return typed elsewhere is never rounded.
TEMPLATE_DECIMALS = {"万元": 4, "元": 2}

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

CellKey = tuple[str, str, str]  # (section, row, col)
Formats = dict[str, "Format"]


def sheet_name(section: str) -> str:
    """The sheet that holds `section` in the project's return workbook."""
    s = SECTIONS[section]
    return f"{s.part}、{s.title}"


def template_cell(section: str, row: str, col: str) -> str:
    """Where a cell sits on its sheet in the project's return workbook, e.g. `D6`."""
    g = printed(section).values[row, col]
    return xl_rowcol_to_cell(GRID_TOP + g.r, g.c)


@dataclass(frozen=True)
class LastYearFigures:
    """What a unit's template carries from its return of last year: its 结转下年度 (prefilled as
    this year's 上年结转, still editable) and its 现行有效件数 (stated in the 填报说明); a figure
    that could not be read is absent, never a 0."""

    year: int
    carried: dict[str, int] = field(default_factory=dict)  # 表三 column → 结转下年度
    in_force: dict[str, int] = field(default_factory=dict)  # 表二 row → 现行有效件数

    def values(self) -> dict[CellKey, object]:
        """The cells of this year's return prefilled from last year's: 上年结转 by column."""
        return {("s3", "carried_in", col): n for col, n in self.carried.items()}


def write_return(
    target: str | Path | BinaryIO,
    unit: str,
    year: int,
    values: Mapping[CellKey, object],
    *,
    formulas: bool = True,
    last: LastYearFigures | None = None,
) -> None:
    """Write one unit's return workbook holding `values` (numbers or text, as a person typed them).

    With `formulas`, the totals are formulas over their parts with the sum of the parts stored
    as their result, as Excel leaves them; otherwise every cell holds what `values` says. With
    `last`, the 填报说明 states what was carried from last year's return.
    """
    # NOTE: text stays text: a unit named "=…" must not become a formula (formula injection)
    wb = xlsxwriter.Workbook(
        target, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    # NOTE: a fixed creation date keeps the file byte-identical when written again
    wb.set_properties(
        {
            "title": f"{unit}{year}年政府信息公开工作年度报告数据",
            "created": datetime(year + 1, 1, 1),
        }
    )
    fmt = _formats(wb)
    _write_cover(wb.add_worksheet(COVER_SHEET), unit, year, fmt)
    totals = formula_totals() if formulas else {}
    for code in SECTIONS:
        _write_section(wb.add_worksheet(sheet_name(code)), code, values, totals, fmt)
    _write_guide(wb.add_worksheet(GUIDE_SHEET), fmt, guide_lines(last))
    wb.close()


def write_template(
    target: str | Path | BinaryIO, unit: str, year: int, last: LastYearFigures | None = None
) -> None:
    """Write a return for `unit` (or, with `unit` empty, a generic one) ready to send out: blank,
    but for its 上年结转 prefilled from `last` (its return of last year), stated in the 填报说明."""
    write_return(target, unit, year, last.values() if last else {}, formulas=True, last=last)


def _write_cover(ws: Worksheet, unit: str, year: int, fmt: Formats) -> None:
    """The cover: the unit and the year written in and locked (a generic copy leaves the unit open)."""
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 40)
    ws.merge_range(0, 0, 0, 1, f"{year}年政府信息公开工作年度报告数据", fmt["title"])
    fields = ((COVER_UNIT, unit), (COVER_YEAR, year), (COVER_VERSION, TEMPLATE_VERSION))
    for i, (label, value) in enumerate(fields, start=2):
        ws.write(i, 0, label, fmt["header"])
        if label == COVER_UNIT and not unit:
            ws.write_blank(i, 1, None, fmt["open"])
            ws.data_validation(i, 1, i, 1, _UNIT_PROMPT)
        else:
            ws.write(i, 1, value, fmt["label"])
    print_setup(ws, one_page=True)
    ws.protect("", {"format_columns": True, "format_rows": True})


def guide_lines(last: LastYearFigures | None = None) -> list[str]:
    """The instructions sheet: how to fill the return and the consistency rules, from the format;
    with `last`, what the template carries from the unit's return of last year."""
    sum_lines = sum_guide_lines()
    amount = S2.col("amount")
    notices, noticed, collected = (c.label for c in S6.cols)
    counts = "、".join(s.short for s in SECTIONS.values())
    return [
        f"{GUIDE_SHEET}（模板版本 {TEMPLATE_VERSION}，按《中华人民共和国政府信息公开工作年度报告格式》填写）",
        "一、怎样填写",
        f"1.{COVER_UNIT}和{COVER_YEAR}已写在“{COVER_SHEET}”工作表上，请勿改动；不要增删、移动或改名工作表和行列。",
        "2.只在白色单元格中填写；灰色单元格是公式自动计算的合计，不必填写。",
        f"3.{counts}中的件数填写0或正整数，没有的填0；留空（或填“/”“无”）的单元格按0计算，"
        "并在反馈中列出，请逐一核对（汇总时采用严格检查的，留空作为错误退回）。",
        f"4.“{amount.label}”填写不小于0的数，最多{TEMPLATE_DECIMALS[amount.unit]}位小数（1元＝0.0001万元）；"
        f"信息处理费的金额以元为单位，最多{TEMPLATE_DECIMALS['元']}位小数。",
        "二、表内数据应当符合的关系（不符合的报表将被退回）",
        *(f"{i}.{line}" for i, line in enumerate(sum_lines, start=1)),
        f"{len(sum_lines) + 1}.{S6.short}：“{collected}”大于0时，“{notices}”至少为1；“{noticed}”不小于“{collected}”。",
        *(_last_year_lines(last) if last else []),
    ]


def _last_year_lines(last: LastYearFigures) -> list[str]:
    """The 填报说明's part on last year: the 上年结转 prefilled, the 现行有效件数 to carry on."""
    carried_in, carried_out = S3.row("carried_in").label, S3.row("carried_out").label
    in_force, issued, repealed = (S2.col(c).label for c in ("in_force", "issued", "repealed"))
    parts = [c for c in S3.cols if c.code != "total"]
    read = [c for c in parts if c.code in last.carried]
    said = "、".join(f"{c.label}{last.carried[c.code]}件" for c in read if last.carried[c.code])
    carried = said or ("各列均为0" if read else "")
    unread = [c.label for c in parts if c.code not in last.carried]
    if unread:
        carried += f"{'；' if carried else ''}{'、'.join(unread)}未能读取，请自行填写"
    forces = []
    for code in ("rules", "normative"):
        n = last.in_force.get(code)
        forces.append(f"{S2.row(code).label}{'未能读取' if n is None else f'{n}件'}")
    return [
        f"三、上年数据（取自本单位{last.year}年度的报表）",
        f"1.{S3.short}“{carried_in}”已按本单位{last.year}年度报表的“{carried_out}”预先填好"
        f"（{carried}），仍可修改；与实际不符时请改正，并在报送时说明原因。",
        f"2.本单位{last.year}年度{S2.short}的“{in_force}”：{'，'.join(forces)}。本年的“{in_force}”"
        f"应等于上年的“{in_force}”＋“{issued}”－“{repealed}”，汇总时将核对。",
    ]


# NOTE: the 填报说明 column fits A4 portrait unscaled even where a column-width unit is 7 pt
# (LibreOffice without Calibri measures units in DejaVu Sans, a third wider than Excel's):
# LibreOffice wraps a cell's text before scaling the page to fit and can then run past its edge
GUIDE_WIDTH = 70


def _write_guide(ws: Worksheet, fmt: Formats, lines: list[str]) -> None:
    ws.set_column(0, 0, GUIDE_WIDTH)
    for i, line in enumerate(lines):
        style = (
            fmt["title_left"]
            if i == 0
            else (fmt["guide_head"] if "、" in line[:2] else fmt["guide"])
        )
        ws.write_string(i, 0, line, style)
    heights = fitted_heights([(i, 0, line) for i, line in enumerate(lines)], {0: GUIDE_WIDTH}, 11)
    heights[0] = fitted_heights([(0, 0, lines[0])], {0: GUIDE_WIDTH}, 14)[0]
    for r, height in heights.items():
        ws.set_row(r, height)
    print_setup(ws, one_page=True)
    ws.protect("", {"format_columns": True, "format_rows": True})


def _write_section(
    ws: Worksheet,
    code: str,
    values: Mapping[CellKey, object],
    totals: Mapping[CellKey, tuple[CellKey, ...]],
    fmt: Formats,
) -> None:
    g = printed(code)
    section = g.section
    ws.merge_range(0, 0, 0, g.n_cols - 1, sheet_name(code), fmt["title"])
    ws.set_row(0, 28)
    widths = section_widths(code)
    for c, width in widths.items():
        ws.set_column(c, c, width)
    inputs: list[InputCell] = []  # each cell people fill
    for cell in g.cells:
        r, c = GRID_TOP + cell.r, cell.c
        if cell.kind != "value":
            style = fmt["heading" if cell.kind == "heading" else cell.kind]
            if cell.rowspan > 1 or cell.colspan > 1:
                ws.merge_range(r, c, r + cell.rowspan - 1, c + cell.colspan - 1, cell.text, style)
            else:
                ws.write_string(r, c, cell.text, style)
            continue
        key = (code, cell.row, cell.col)
        scale = section.col(cell.col).scale
        style = fmt["total" if key in totals else ("money" if scale else "count")]
        if cell.colspan > 1:
            ws.merge_range(r, c, r, c + cell.colspan - 1, "", style)
        if key in totals:
            parts = totals[key]
            refs = ",".join(_address(p) for p in parts)
            result = sum((_number(values.get(p)) for p in parts), Decimal(0))
            ws.write_formula(r, c, f"=SUM({refs})", style, _plain(result))
        else:
            _write_value(ws, r, c, values.get(key), style)
            inputs.append((r, c, section.col(cell.col).unit, scale))
    # NOTE: one rule per run of neighbouring input cells, not one per cell: a return made from the
    # template is read hundreds of times a second, and every rule is XML the reader must parse
    for (r, first, unit, scale), last in _runs(inputs):
        ws.data_validation(r, first, r, last, _validation(unit, scale, r, first))
    texts = [(GRID_TOP + c.r, c.c, c.text) for c in g.cells if c.kind != "value"]
    spans = {(GRID_TOP + c.r, c.c): (c.rowspan, c.colspan) for c in g.cells}
    for r, height in fitted_heights(texts, widths, FONT_SIZE, spans).items():
        ws.set_row(r, height)
    header = (0, GRID_TOP + g.header_rows - 1) if g.header_rows else None
    # NOTE: one page each: a merged label (（三）不予公开) printed across a page break shows its
    # text on one page only, so 表三 is scaled to fit rather than continued
    print_setup(ws, landscape=code == "s4", repeat=header, one_page=True)
    ws.protect("", {"format_columns": True, "format_rows": True})


FONT_SIZE = 10  # of the tables' cells


def section_widths(code: str) -> dict[int, float]:
    """The width of each column of a section's sheet in the return workbook."""
    g = printed(code)
    labels = {"s2": [26], "s3": [10, 13, 26], "s4": [], "s6": [16]}[code]
    figure = {"s3": 7, "s4": 9}.get(code, 11)
    return {c: labels[c] if c < len(labels) else figure for c in range(g.n_cols)}


InputCell = tuple[int, int, str, int]  # (r, c, unit, scale)


def _runs(cells: list[InputCell]) -> list[tuple[InputCell, int]]:
    """Input cells grouped into runs along a row with the same kind of value: (first cell, last column)."""
    runs: list[tuple[InputCell, int]] = []
    for r, c, unit, scale in sorted(cells):
        if (
            runs
            and runs[-1][0][0] == r
            and runs[-1][1] == c - 1
            and runs[-1][0][2:] == (unit, scale)
        ):
            runs[-1] = (runs[-1][0], c)
        else:
            runs.append(((r, c, unit, scale), c))
    return runs


def _address(key: CellKey) -> str:
    return template_cell(*key)


def _write_value(ws: Worksheet, r: int, c: int, value: object, style: Format) -> None:
    if value is None or value == "":
        ws.write_blank(r, c, None, style)
    elif isinstance(value, str):
        ws.write_string(r, c, value, style)
    else:
        ws.write_number(r, c, _plain(Decimal(str(value))), style)


def _number(value: object) -> Decimal:
    """What a formula over a part sees: numbers count, text and blanks are 0 (as in Excel's SUM)."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return Decimal(str(value))
    return Decimal(0)


def _plain(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


_UNIT_PROMPT = {
    "validate": "length",
    "criteria": ">",
    "value": 1,
    "input_title": "填写说明",
    "input_message": "请填写本单位全称，与单位名册一致。",
    "error_title": "单位名称无效",
    "error_message": "请填写本单位全称。",
}


def _validation(unit: str, scale: int, r: int, c: int) -> dict:
    if scale == 0:
        return {
            "validate": "integer",
            "criteria": ">=",
            "value": 0,
            "input_title": "填写说明",
            "input_message": "请填写0或正整数；没有则填0。",
            "error_title": "数值无效",
            "error_message": "此处只能填写0或正整数。",
        }
    decimals = TEMPLATE_DECIMALS[unit]
    at = xl_rowcol_to_cell(r, c)
    return {
        "validate": "custom",
        "value": f"=AND(ISNUMBER({at}),{at}>=0,ROUND({at},{decimals})={at})",
        "input_title": "填写说明",
        "input_message": f"请填写金额（单位：{unit}，不小于0，最多{decimals}位小数）；没有则填0。",
        "error_title": "金额无效",
        "error_message": f"此处只能填写不小于0、最多{decimals}位小数的金额（单位：{unit}）。",
    }


def _formats(wb: xlsxwriter.Workbook) -> Formats:
    base = {
        "border": 1,
        "valign": "vcenter",
        "font_name": "宋体",
        "font_size": 10,
        "text_wrap": True,
    }
    return {
        "title": wb.add_format(
            {
                "bold": True,
                "font_size": 14,
                "font_name": "宋体",
                "align": "center",
                "valign": "vcenter",
            }
        ),
        "heading": wb.add_format({**base, "bold": True, "align": "center", "bg_color": "#EDEDED"}),
        "header": wb.add_format({**base, "bold": True, "align": "center"}),
        "label": wb.add_format({**base, "align": "left"}),
        "count": wb.add_format({**base, "align": "center", "num_format": "0", "locked": False}),
        "money": wb.add_format(
            {**base, "align": "center", "num_format": "0.0000##", "locked": False}
        ),
        "open": wb.add_format({**base, "align": "left", "locked": False}),
        "guide": wb.add_format(
            {"font_name": "宋体", "font_size": 11, "text_wrap": True, "valign": "top"}
        ),
        "guide_head": wb.add_format(
            {"font_name": "宋体", "font_size": 11, "bold": True, "text_wrap": True}
        ),
        "title_left": wb.add_format(
            {"bold": True, "font_size": 14, "font_name": "宋体", "text_wrap": True}
        ),
        "total": wb.add_format(
            {**base, "align": "center", "num_format": "0", "bg_color": "#F2F2F2"}
        ),
    }
