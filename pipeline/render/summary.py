"""The analysts' workbook `summary.xlsx`: the county tables as the report lays them out, every
unit's every cell, the findings and the roll call of units.

Written with XlsxWriter into memory (the edge, `io.write_bytes`, puts it on disk). Text is always
written as text: a unit name or a cell's text beginning with `=`, `+`, `-` or `@` never becomes a
formula (formula injection), and carries Excel's quote prefix so that editing it keeps it text.
"""

from __future__ import annotations

import io as _io
from datetime import datetime

import pandas as pd
import xlsxwriter

from pipeline.format2021 import SECTIONS, TABLES, grid, to_decimal
from pipeline.render.environment import Values

FORMULA_STARTS = ("=", "+", "-", "@")
NUMBER_FORMATS = {0: "0", 2: "0.00", 6: "0.0000"}  # by a column's scale: counts, 元, 万元
TOP = 2  # a table sheet's grid starts on its third row, below the title

FINDING_LABELS = {
    "severity": "严重程度",
    "rule": "规则",
    "unit": "单位",
    "file": "文件",
    "sheet": "工作表",
    "cell": "单元格",
    "section": "表",
    "row": "行",
    "col": "列",
    "text": "原样填写",
    "value": "读作",
    "expected": "应为",
    "message": "说明",
    "suggestion": "建议",
}
RETURN_LABELS = {
    "file": "文件",
    "unit": "单位",
    "unit_code": "单位代码",
    "status": "状态",
    "written_unit": "填写的单位",
    "written_year": "填写的年度",
    "version": "模板版本",
    "sheets": "工作表数",
    "sections": "读到的表",
    "cells": "单元格数",
    "bytes": "文件字节数",
    "sha256": "文件SHA-256校验值",
}
UNIT_COLUMNS = {"unit_code": "单位代码", "unit": "单位", "file": "文件"}


def summary_xlsx(
    title: str,
    year: int,
    county: Values,
    unit_cells: pd.DataFrame,
    findings: pd.DataFrame,
    returns: pd.DataFrame,
) -> bytes:
    """The workbook's bytes: one sheet per table (county totals), 各单位, 问题清单, 报表登记."""
    buffer = _io.BytesIO()
    wb = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            # NOTE: never guess: text stays text (no formulas, links or numbers made of it)
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    wb.set_properties({"title": title, "created": datetime(year + 1, 1, 1)})
    fmt = _formats(wb)
    for section in TABLES:
        _table_sheet(wb, fmt, section.code, county, f"{title}·{section.short}（全县）")
    _units_sheet(wb, fmt, unit_cells)
    _records_sheet(wb, fmt, "问题清单", findings, FINDING_LABELS)
    _records_sheet(wb, fmt, "报表登记", returns, RETURN_LABELS)
    wb.close()
    return buffer.getvalue()


def _formats(wb) -> dict:
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
    boxed = {**base, "border": 1, "text_wrap": True}
    fmt = {
        "title": wb.add_format({**base, "bold": True, "font_size": 14}),
        "header": wb.add_format({**boxed, "bold": True, "align": "center", "bg_color": "#EEEEEE"}),
        "heading": wb.add_format({**boxed, "bold": True, "align": "center"}),
        "label": wb.add_format({**boxed, "align": "left"}),
        "code": wb.add_format({**base, "font_color": "#666666", "font_name": "Consolas"}),
        "text": wb.add_format(base),
        "text_quoted": wb.add_format({**base, "quote_prefix": True}),
    }
    for scale, number in NUMBER_FORMATS.items():
        fmt[f"value{scale}"] = wb.add_format({**boxed, "align": "center", "num_format": number})
        fmt[f"number{scale}"] = wb.add_format({**base, "num_format": number})
    return fmt


def _text(ws, fmt: dict, r: int, c: int, value: object, style: str = "text") -> None:
    """Write `value` as text, whatever it looks like (nothing at all for an empty value: a
    province's sheets hold a hundred thousand cells, and each costs its write)."""
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    if not text and style == "text":
        return
    if style == "text" and text.startswith(FORMULA_STARTS):
        style = "text_quoted"
    ws.write_string(r, c, text, fmt[style])


def _number(section: str, col: str, stored: int) -> float | int:
    """A stored integer as the number Excel should hold (whole counts stay ints)."""
    scale = SECTIONS[section].col(col).scale
    return int(stored) if scale == 0 else float(to_decimal(stored, section, col))


def _table_sheet(wb, fmt: dict, section: str, values: Values, title: str) -> None:
    sec = SECTIONS[section]
    g = grid(section)
    ws = wb.add_worksheet(f"{sec.short} {sec.title}"[:31])
    _text(ws, fmt, 0, 0, title, "title")
    for cell in g.cells:
        r, c = TOP + cell.r, cell.c
        last_r, last_c = r + cell.rowspan - 1, c + cell.colspan - 1
        if cell.kind == "value":
            scale = sec.col(cell.col).scale
            number = _number(section, cell.col, values.get((section, cell.row, cell.col), 0))
            style = fmt[f"value{scale}"]
            if (last_r, last_c) != (r, c):
                ws.merge_range(r, c, last_r, last_c, None, style)
            ws.write_number(r, c, number, style)
        else:
            style = fmt[cell.kind if cell.kind in ("heading", "label") else "header"]
            if (last_r, last_c) != (r, c):
                ws.merge_range(r, c, last_r, last_c, None, style)
            ws.write_string(r, c, cell.text, style)
    label_width = {"s2": 22, "s3": 14, "s4": 10}[section]
    ws.set_column(0, max(sec.label_cols, 1) - 1, label_width)
    if section == "s3":
        ws.set_column(2, 2, 40)
    ws.set_column(max(sec.label_cols, 1), g.n_cols - 1, 10)
    ws.freeze_panes(TOP + g.header_rows, sec.label_cols)


UNITS_SHEET_MAX = (
    1000  # units: past this the sheet would take minutes to write and open; CSV serves
)


def _units_sheet(wb, fmt: dict, unit_cells: pd.DataFrame) -> None:
    """A row per unit, a column per cell: the codes on the first header row, the labels below."""
    ws = wb.add_worksheet("各单位")
    units = unit_cells["unit"].nunique()
    if units > UNITS_SHEET_MAX:
        note = (
            f"共{units}个单位，超过{UNITS_SHEET_MAX}个，逐单位数据不放入本工作簿，"
            "请使用 02_validated/unit_s2.csv、unit_s3.csv、unit_s4.csv、unit_s6.csv。"
        )
        ws.write_string(0, 0, note, fmt["text"])
        return
    cells = [(code, r, c) for code, s in SECTIONS.items() for r, c in s.cells]
    keys = list(UNIT_COLUMNS)
    for j, key in enumerate(keys):
        _text(ws, fmt, 0, j, key, "code")
        ws.write_string(1, j, UNIT_COLUMNS[key], fmt["header"])
    for j, (code, row, col) in enumerate(cells, start=len(keys)):
        _text(ws, fmt, 0, j, f"{code}.{row.code}.{col.code}", "code")
        label = "·".join(x for x in (SECTIONS[code].short, row.label, col.label) if x)
        ws.write_string(1, j, label, fmt["header"])
    wide = unit_cells.pivot_table(
        index=keys, columns=["section", "row", "col"], values="value", aggfunc="first"
    )
    # NOTE: laid out once in the sheet's column order; a lookup per cell cost 20 s per 2,000 units
    order = pd.MultiIndex.from_tuples([(code, r.code, c.code) for code, r, c in cells])
    stored = wide.reindex(columns=order).to_numpy(dtype="float64", na_value=float("nan"))
    for i, (key, values) in enumerate(zip(wide.index, stored, strict=True), start=2):
        for j, part in enumerate(key):
            _text(ws, fmt, i, j, part)
        for j, ((code, _row, col), value) in enumerate(
            zip(cells, values, strict=True), start=len(keys)
        ):
            if value == value:  # not NaN
                ws.write_number(
                    i, j, _number(code, col.code, int(value)), fmt[f"number{col.scale}"]
                )
    ws.set_row(1, 90)
    ws.set_column(0, 0, 11)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 2, 30)
    ws.set_column(len(keys), len(keys) + len(cells) - 1, 12)
    ws.freeze_panes(2, 2)
    ws.autofilter(1, 0, 1 + len(wide), len(keys) + len(cells) - 1)


def _records_sheet(wb, fmt: dict, name: str, table: pd.DataFrame, labels: dict) -> None:
    """A table as it is, every value as text, with codes and Chinese headers."""
    ws = wb.add_worksheet(name)
    columns = list(table.columns)
    for j, column in enumerate(columns):
        _text(ws, fmt, 0, j, column, "code")
        ws.write_string(1, j, labels.get(column, column), fmt["header"])
        width = 60 if column == "message" else 30 if column in ("file", "suggestion") else 12
        ws.set_column(j, j, width)
    for i, record in enumerate(table.itertuples(index=False), start=2):
        for j, value in enumerate(record):
            _text(ws, fmt, i, j, value)
    ws.freeze_panes(2, 0)
    ws.autofilter(1, 0, 1 + len(table), max(len(columns) - 1, 0))
