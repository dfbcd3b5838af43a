"""The project's own return workbook: what a department fills in, laid out as the format prints it.

Written with XlsxWriter, which (unlike openpyxl) stores a formula's result beside the formula,
as Excel and WPS do when they save; readers that see only stored results (python-calamine,
openpyxl `data_only`) then read the totals too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from pipeline.format2021 import S3, S3_OUTCOMES, S3_PARTS, S4_GROUPS, S4_RESULTS, SECTIONS, grid

TEMPLATE_VERSION = "xxgk-2021.1"
COVER_SHEET = "封面"
COVER_UNIT, COVER_YEAR, COVER_VERSION = "填报单位", "报告年度", "模板版本"
GRID_TOP = 2  # the table starts on the third row of its sheet, below its title

CellKey = tuple[str, str, str]  # (section, row, col)


def sheet_name(section: str) -> str:
    """The sheet that holds `section` in the project's return workbook."""
    s = SECTIONS[section]
    return f"{s.part}、{s.title}"


def cell_address(section: str, row: str, col: str) -> str:
    """Where a cell sits on its sheet in the project's return workbook, e.g. `D6`."""
    g = grid(section).values[row, col]
    return xl_rowcol_to_cell(GRID_TOP + g.r, g.c)


def formula_totals() -> dict[CellKey, tuple[CellKey, ...]]:
    """The totals the template computes by formula, each with the cells it adds up."""
    totals: dict[CellKey, tuple[CellKey, ...]] = {}
    for row in S3.rows:
        totals["s3", row.code, "total"] = tuple(("s3", row.code, c) for c in S3_PARTS)
    for col in S3.cols:
        totals["s3", "outcome_total", col.code] = tuple(("s3", r, col.code) for r in S3_OUTCOMES)
    for group in S4_GROUPS:
        parts = [r for r in S4_RESULTS if r != "total"]
        totals["s4", "cases", f"{group}_total"] = tuple(
            ("s4", "cases", f"{group}_{r}") for r in parts
        )
    return totals


def write_return(
    target: str | Path | BinaryIO,
    unit: str,
    year: int,
    values: Mapping[CellKey, object],
    *,
    formulas: bool = True,
) -> None:
    """Write one unit's return workbook holding `values` (numbers or text, as a person typed them).

    With `formulas`, the totals are formulas over their parts with the sum of the parts stored
    as their result, as Excel leaves them; otherwise every cell holds what `values` says.
    """
    wb = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_numbers": False})
    # NOTE: a fixed creation date keeps the file byte-identical when written again
    wb.set_properties(
        {
            "title": f"{unit}{year}年政府信息公开工作年度报告数据",
            "created": datetime(year + 1, 1, 1),
        }
    )
    fmt = _formats(wb)
    cover = wb.add_worksheet(COVER_SHEET)
    cover.set_column(0, 0, 14)
    cover.set_column(1, 1, 40)
    cover.merge_range(0, 0, 0, 1, f"{year}年政府信息公开工作年度报告数据", fmt["title"])
    for i, (label, value) in enumerate(
        ((COVER_UNIT, unit), (COVER_YEAR, year), (COVER_VERSION, TEMPLATE_VERSION)), start=2
    ):
        cover.write(i, 0, label, fmt["header"])
        cover.write(i, 1, value, fmt["label"])
    totals = formula_totals() if formulas else {}
    for code in SECTIONS:
        _write_section(wb.add_worksheet(sheet_name(code)), code, values, totals, fmt)
    wb.close()


def _write_section(ws, code: str, values, totals, fmt) -> None:
    g = grid(code)
    section = g.section
    ws.merge_range(0, 0, 0, g.n_cols - 1, sheet_name(code), fmt["title"])
    ws.set_row(0, 28)
    if section.label_cols:
        widths = {"s2": [26], "s3": [12, 16, 44], "s6": [16]}[code]
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        ws.set_column(section.label_cols, g.n_cols - 1, 11)
    else:
        ws.set_column(0, g.n_cols - 1, 9)
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
            ws.data_validation(r, c, r, c, _validation(scale))
    ws.protect("", {"format_columns": True, "format_rows": True})


def _address(key: CellKey) -> str:
    return cell_address(*key)


def _write_value(ws, r: int, c: int, value: object, style) -> None:
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


def _validation(scale: int) -> dict:
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
    return {
        "validate": "decimal",
        "criteria": ">=",
        "value": 0,
        "input_title": "填写说明",
        "input_message": "请填写金额（不小于0）；没有则填0。",
        "error_title": "金额无效",
        "error_message": "此处只能填写不小于0的金额。",
    }


def _formats(wb) -> dict:
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
        "total": wb.add_format(
            {**base, "align": "center", "num_format": "0", "bg_color": "#F2F2F2"}
        ),
    }
