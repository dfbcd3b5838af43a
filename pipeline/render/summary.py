"""The analysts' workbook `summary.xlsx`: the county tables as the report lays them out, every
unit's every cell, the findings and the roll call of units, with Chinese headers and values
(the codes behind them in the sheet 字段说明), row heights that fit their wrapped text and A4
print setup.

Written with XlsxWriter into memory (the edge, `io.write_bytes`, puts it on disk). Text is always
written as text: a unit name or a cell's text beginning with `=`, `+`, `-` or `@` never becomes a
formula (formula injection), and carries Excel's quote prefix so that editing it keeps it text.
Figures are numbers, never text that looks like one.
"""

from __future__ import annotations

import io as _io
import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd
import xlsxwriter

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

from pipeline.format2021 import PRINTED_SECTIONS, SECTIONS, Col, Row, printed, to_decimal
from pipeline.problems import RULES, SEVERITY_LABELS
from pipeline.render.charts import YearOnYear, county_changes
from pipeline.render.environment import Values
from pipeline.render.issues import STATUS_LABELS
from pipeline.render.sheets import (
    DEFAULT_ROW_PT,
    column_points,
    fitted_heights,
    print_setup,
    printable,
    row_height,
    text_lines,
)

Field = tuple[str, str, int, str]  # (code, Chinese header, width, how a value is shown)
Formats = dict[str, "Format"]
FORMULA_STARTS = ("=", "+", "-", "@")
NUMBER_FORMATS = {0: "0", 2: "0.00", 6: "0.0000"}  # by a column's scale: counts, 元, 万元
TOP = 2  # a table sheet's grid starts on its third row, below the title
FONT_SIZE = 10
FIELDS_SHEET = "字段说明"

# each sheet of records: its columns as (code, Chinese header, width, how a value is shown)
# NOTE: the findings' columns add up to what prints one A4 page wide at 80 % or more (8 pt)
FINDING_FIELDS = (
    ("severity", "严重程度", 6, "severity"),
    ("title", "规则", 10, "text"),
    ("rule", "规则编号", 10, "text"),
    ("unit", "单位", 10, "text"),
    ("file", "文件", 10, "text"),
    ("sheet", "工作表", 9, "text"),
    ("cell", "单元格", 7, "text"),
    ("section", "表", 5, "section"),
    ("row", "行", 10, "row"),
    ("col", "列", 6, "col"),
    ("text", "原样填写", 6, "text"),
    ("value", "读作", 6, "number"),
    ("expected", "应为", 6, "number"),
    ("message", "说明", 32, "text"),
    ("suggestion", "建议", 20, "text"),
)
RETURN_FIELDS = (
    ("file", "文件", 36, "text"),
    ("unit", "单位", 22, "text"),
    ("unit_code", "单位代码", 12, "text"),
    ("status", "状态", 12, "status"),
    ("written_unit", "填写的单位", 22, "text"),
    ("written_year", "填写的年度", 10, "text"),
    ("version", "模板版本", 12, "text"),
    ("sheets", "工作表数", 9, "number"),
    ("sections", "读到的表", 24, "sections"),
    ("cells", "单元格数", 9, "number"),
    ("bytes", "文件字节数", 11, "number"),
    ("sha256", "文件SHA-256校验值", 36, "text"),
)
UNIT_FIELDS = (
    ("unit_code", "单位代码", 12, "text"),
    ("unit", "单位", 24, "text"),
    ("file", "文件", 30, "text"),
)
# kept for callers that named the columns of the records sheets by code
FINDING_LABELS = {code: label for code, label, _, _ in FINDING_FIELDS}
RETURN_LABELS = {code: label for code, label, _, _ in RETURN_FIELDS}
UNIT_COLUMNS = {code: label for code, label, _, _ in UNIT_FIELDS}
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def summary_xlsx(
    title: str,
    year: int,
    county: Values,
    unit_cells: pd.DataFrame,
    findings: pd.DataFrame,
    returns: pd.DataFrame,
    *,
    compared: YearOnYear | None = None,
    partial: str = "",
) -> bytes:
    """The workbook's bytes: one sheet per table (county totals, labelled `partial` when they
    leave units out), 与上年比较 (with last year's data: over the units present in both years),
    各单位, 问题清单, 报表登记, 字段说明."""
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
    for section in PRINTED_SECTIONS:
        _table_sheet(wb, fmt, section.code, county, f"{title}·{section.short}（全县）", partial)
    if compared is not None:
        _compared_sheet(wb, fmt, compared, year, partial)
    _units_sheet(wb, fmt, unit_cells)
    _records_sheet(wb, fmt, "问题清单", findings, FINDING_FIELDS)
    _records_sheet(wb, fmt, "报表登记", returns, RETURN_FIELDS)
    _fields_sheet(wb, fmt)
    wb.close()
    return buffer.getvalue()


def _formats(wb: xlsxwriter.Workbook) -> Formats:
    base = {"font_name": "宋体", "font_size": FONT_SIZE, "valign": "vcenter"}
    boxed = {**base, "border": 1, "text_wrap": True}
    fmt = {
        "title": wb.add_format({**base, "bold": True, "font_size": 14}),
        "header": wb.add_format({**boxed, "bold": True, "align": "center", "bg_color": "#EEEEEE"}),
        "heading": wb.add_format({**boxed, "bold": True, "align": "center"}),
        "label": wb.add_format({**boxed, "align": "left"}),
        "figure": wb.add_format({**boxed, "align": "right"}),
        "code": wb.add_format({**base, "font_color": "#666666", "font_name": "Consolas"}),
        "text": wb.add_format({**base, "text_wrap": True, "valign": "top"}),
        "text_quoted": wb.add_format(
            {**base, "text_wrap": True, "valign": "top", "quote_prefix": True}
        ),
        "number": wb.add_format({**base, "valign": "top"}),
        "section_head": wb.add_format({**base, "bold": True, "font_size": 11}),
        "partial": wb.add_format({**base, "bold": True, "font_color": "#9C5700"}),
    }
    for scale, number in NUMBER_FORMATS.items():
        fmt[f"value{scale}"] = wb.add_format({**boxed, "align": "center", "num_format": number})
        fmt[f"number{scale}"] = wb.add_format({**base, "num_format": number})
    return fmt


def _text(ws: Worksheet, fmt: Formats, r: int, c: int, value: object, style: str = "text") -> None:
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


# the widths of a table sheet's columns, left first (the rest as the last one)
TABLE_WIDTHS = {"s2": (22, 14, 14, 14), "s3": (9, 12, 26, 7), "s4": (9,)}


def _widths(section: str) -> dict[int, float]:
    """The width of each grid column of a table sheet."""
    fixed = TABLE_WIDTHS[section]
    return {c: fixed[min(c, len(fixed) - 1)] for c in range(printed(section).n_cols)}


def _table_sheet(
    wb: xlsxwriter.Workbook, fmt: Formats, section: str, values: Values, title: str, partial: str
) -> None:
    sec = SECTIONS[section]
    g = printed(section)
    ws = wb.add_worksheet(f"{sec.short} {sec.title}"[:31])
    _text(ws, fmt, 0, 0, title, "title")
    _text(ws, fmt, 1, 0, partial, "partial")
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
    widths = _widths(section)
    for c, width in widths.items():
        ws.set_column(c, c, width)
    texts = [(TOP + c.r, c.c, c.text) for c in g.cells if c.kind != "value"]
    spans = {(TOP + c.r, c.c): (c.rowspan, c.colspan) for c in g.cells}
    for r, height in fitted_heights(texts, widths, FONT_SIZE, spans).items():
        ws.set_row(r, height)
    ws.set_row(0, row_height(1, 14))
    ws.freeze_panes(TOP + g.header_rows, sec.label_cols)
    header = (TOP, TOP + g.header_rows - 1) if g.header_rows else None
    # NOTE: one page each: a merged label printed across a page break shows on one page only
    print_setup(ws, landscape=section == "s4", repeat=header, one_page=True)


COMPARED_SHEET = "与上年比较"
COMPARED_WIDTHS = (44, 12, 12, 16)


def _compared_sheet(
    wb: xlsxwriter.Workbook, fmt: Formats, compared: YearOnYear, year: int, partial: str
) -> None:
    """The county's main figures this year and last, over the units present in both years
    (the same comparison as the charts page)."""
    ws = wb.add_worksheet(COMPARED_SHEET)
    _text(ws, fmt, 0, 0, f"全县主要数据与上年比较（{year - 1}年→{year}年）", "title")
    _text(ws, fmt, 1, 0, compared.statement(year), "partial")
    _text(ws, fmt, 2, 0, partial, "partial")
    top = 4
    for c, label in enumerate(("项目", f"{year - 1}年", f"{year}年", "增减")):
        ws.write_string(top, c, label, fmt["header"])
    for r, change in enumerate(county_changes(compared.this, compared.last), start=top + 1):
        ws.write_string(r, 0, change.label, fmt["label"])
        for c, text in enumerate((change.last, change.this, change.change), start=1):
            # NOTE: as the charts page prints them (amounts to their decimals, the share beside)
            ws.write_string(r, c, text, fmt["figure"])
    for c, width in enumerate(COMPARED_WIDTHS):
        ws.set_column(c, c, width)
    ws.set_row(0, row_height(1, 14))
    print_setup(ws, landscape=False, repeat=(top, top))


UNITS_SHEET_MAX = (
    1000  # units: past this the sheet would take minutes to write and open; CSV serves
)


def cell_codes() -> list[tuple[str, Row, Col]]:
    """Every cell of the return, in the order of the 各单位 sheet's columns: (section, row, col)."""
    return [(code, r, c) for code, s in SECTIONS.items() for r, c in s.cells]


def cell_label(code: str, row: Row, col: Col) -> str:
    """How the 各单位 sheet heads a cell's column: 表三·一、本年新收政府信息公开申请数量·自然人."""
    return "·".join(x for x in (SECTIONS[code].short, row.label, col.label) if x)


def _units_sheet(wb: xlsxwriter.Workbook, fmt: Formats, unit_cells: pd.DataFrame) -> None:
    """A row per unit, a column per cell, headed by the cell's table, row and column."""
    ws = wb.add_worksheet("各单位")
    units = unit_cells["unit"].nunique()
    if units > UNITS_SHEET_MAX:
        note = (
            f"共{units}个单位，超过{UNITS_SHEET_MAX}个，逐单位数据不放入本工作簿，"
            "请使用 02_validated/unit_s2.csv、unit_s3.csv、unit_s4.csv、unit_s6.csv。"
        )
        ws.write_string(0, 0, note, fmt["text"])
        return
    cells = cell_codes()
    keys = [code for code, _, _, _ in UNIT_FIELDS]
    widths: dict[int, float] = {j: width for j, (_, _, width, _) in enumerate(UNIT_FIELDS)}
    for j, (_, label, _, _) in enumerate(UNIT_FIELDS):
        ws.write_string(0, j, label, fmt["header"])
    for j, (code, row, col) in enumerate(cells, start=len(keys)):
        ws.write_string(0, j, cell_label(code, row, col), fmt["header"])
        widths[j] = FIGURE_WIDTH
    wide = unit_cells.pivot_table(
        index=keys, columns=["section", "row", "col"], values="value", aggfunc="first"
    )
    # NOTE: laid out once in the sheet's column order; a lookup per cell cost 20 s per 2,000 units
    order = pd.MultiIndex.from_tuples([(code, r.code, c.code) for code, r, c in cells])
    stored = wide.reindex(columns=order).to_numpy(dtype="float64", na_value=float("nan"))
    for i, (key, values) in enumerate(zip(wide.index, stored, strict=True), start=1):
        for j, part in enumerate(key):
            _text(ws, fmt, i, j, part)
        for j, ((code, _row, col), value) in enumerate(
            zip(cells, values, strict=True), start=len(keys)
        ):
            if value == value:  # not NaN
                ws.write_number(
                    i, j, _number(code, col.code, int(value)), fmt[f"number{col.scale}"]
                )
    headers = [(0, j, cell_label(*c)) for j, c in enumerate(cells, start=len(keys))]
    header = fitted_heights(headers, widths, FONT_SIZE)[0]
    ws.set_row(0, header)
    for j, width in widths.items():
        ws.set_column(j, j, width)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, len(wide), len(keys) + len(cells) - 1)
    # NOTE: two hundred columns cannot print one page wide and stay legible: pages across,
    # each with the header row and the unit's code and name, each holding whole rows of the
    # tables (a row of 表三 is never split across pages), as many units a page as the scale lets
    scale = units_print_scale(header, len(wide), [widths[j] for j in range(len(widths))])
    print_setup(ws, landscape=True, repeat=(0, 0), repeat_cols=(0, 1), fit_width=False)
    ws.set_print_scale(scale)
    ws.set_v_pagebreaks(units_page_breaks([widths[j] for j in range(len(widths))], scale))


FIGURE_WIDTH = 10  # a figure column of the 各单位 sheet
MIN_SCALE = 70  # per cent: below this a printed figure is smaller than 7 pt
PAGE_FIGURES = 14  # figure columns a printed page of the 各单位 sheet holds: two rows of 表三


def units_print_scale(header: float, units: int, widths: list[float]) -> int:
    """The print scale (per cent) of the 各单位 sheet: two rows of 表三 a page across, and its
    header and every unit on one page's height, when that takes no less than MIN_SCALE (else
    MIN_SCALE: the units then run on)."""
    width, height = printable(landscape=True)
    needed = header + units * DEFAULT_ROW_PT
    across = sum(column_points(w) for w in widths[:2]) + PAGE_FIGURES * column_points(FIGURE_WIDTH)
    return max(MIN_SCALE, min(100, int(100 * height / needed), int(100 * width / across)))


def block_of(section: str, row: Row, col: Col) -> tuple[str, str]:
    """The columns of the 各单位 sheet printed together: a row of 表二 or 表三, a group of 表四,
    the fee figures."""
    if section == "s4":
        return section, col.code.split("_", 1)[0]
    return section, row.code if section in ("s2", "s3") else ""


def units_page_breaks(widths: list[float], scale: int) -> list[int]:
    """The columns before which a new page of the 各单位 sheet begins: each page as many whole
    blocks (`block_of`) as fit beside the repeated columns at `scale`."""
    room = printable(landscape=True)[0] * 100 / scale
    keys = len(UNIT_FIELDS)
    repeated = sum(column_points(w) for w in widths[:2])
    used = sum(column_points(w) for w in widths[:keys])  # NOTE: the first page holds all keys
    breaks: list[int] = []
    blocks: dict[tuple[str, str], list[int]] = {}
    for j, (code, row, col) in enumerate(cell_codes(), start=keys):
        blocks.setdefault(block_of(code, row, col), []).append(j)
    for columns in blocks.values():
        wide = sum(column_points(widths[j]) for j in columns)
        if used + wide > room and used > repeated:
            breaks.append(columns[0])
            used = repeated
        used += wide
    return breaks


def _shown(kind: str, value: object, record: dict) -> str | int | float:
    """What a records sheet shows of a stored value: Chinese for a code, a number for a figure."""
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    if kind == "severity":
        return SEVERITY_LABELS.get(text, text)
    if kind == "status":
        return STATUS_LABELS.get(text, text)
    if kind == "section":
        return SECTIONS[text].short if text in SECTIONS else text
    if kind in ("row", "col") and record.get("section") in SECTIONS and text:
        sec = SECTIONS[record["section"]]
        names = (
            {r.code: r.label for r in sec.rows}
            if kind == "row"
            else {c.code: c.label for c in sec.cols}
        )
        return names.get(text, text)
    if kind == "sections":
        return "、".join(SECTIONS[c].short if c in SECTIONS else c for c in text.split())
    if kind == "number" and _NUMBER.match(text):
        return int(text) if "." not in text else float(text)
    return text


def _records_sheet(
    wb: xlsxwriter.Workbook,
    fmt: Formats,
    name: str,
    table: pd.DataFrame,
    fields: tuple[Field, ...],
) -> None:
    """A table of records with Chinese headers and values, figures as numbers."""
    ws = wb.add_worksheet(name)
    for j, (_, label, width, _) in enumerate(fields):
        ws.write_string(0, j, label, fmt["header"])
        ws.set_column(j, j, width)
    records = table.to_dict("records")
    heights: dict[int, float] = {}
    for i, record in enumerate(records, start=1):
        record = {
            **record,
            "title": RULES[record["rule"]].title if record.get("rule") in RULES else "",
        }
        lines = 1
        for j, (code, _, width, kind) in enumerate(fields):
            value = _shown(kind, record.get(code, ""), record)
            if isinstance(value, (int, float)):
                ws.write_number(i, j, value, fmt["number"])
            else:
                _text(ws, fmt, i, j, value)
                lines = max(lines, text_lines(value, width, FONT_SIZE))
        if lines > 1:
            heights[i] = row_height(lines, FONT_SIZE)
    for i, height in heights.items():
        ws.set_row(i, height)
    # NOTE: a header wider than its column wraps (严重程度 in 6 units), and its row grows to fit
    ws.set_row(
        0, row_height(max(text_lines(label, w, FONT_SIZE) for _, label, w, _ in fields), FONT_SIZE)
    )
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(records), max(len(fields) - 1, 0))
    print_setup(ws, landscape=True, repeat=(0, 0))


def _fields_sheet(wb: xlsxwriter.Workbook, fmt: Formats) -> None:
    """What the workbook's headers and values stand for: the field codes of every records sheet,
    the codes behind the Chinese values, and the code of every cell of the return."""
    ws = wb.add_worksheet(FIELDS_SHEET)
    ws.write_string(
        0, 0, "字段说明：本工作簿的中文表头和取值与程序、CSV 文件所用代码的对应", fmt["title"]
    )
    fields = [
        (sheet, label, "" if code == "title" else code, "规则的中文名称" if code == "title" else "")
        for sheet, table in (
            ("各单位", UNIT_FIELDS),
            ("问题清单", FINDING_FIELDS),
            ("报表登记", RETURN_FIELDS),
        )
        for code, label, _, _ in table
    ]
    values = [("严重程度", code, label) for code, label in SEVERITY_LABELS.items()]
    values += [("状态", code, label) for code, label in STATUS_LABELS.items()]
    values += [("表", code, s.short) for code, s in SECTIONS.items()]
    cells = [
        (f"{code}.{row.code}.{col.code}", SECTIONS[code].short, row.label, col.label)
        for code, row, col in cell_codes()
    ]
    r = 2
    r = _block(
        ws,
        fmt,
        r,
        "一、各工作表的列与字段代码（CSV 文件中的列名）",
        ("工作表", "列", "字段代码", "说明"),
        fields,
    )
    r = _block(ws, fmt, r, "二、取值与代码", ("字段", "代码", "显示为"), values)
    _block(
        ws,
        fmt,
        r,
        "三、报表各单元格的代码（“各单位”工作表的各列；02_validated/unit_*.csv）",
        ("代码", "表", "行", "列"),
        cells,
    )
    for c, width in FIELDS_WIDTHS.items():
        ws.set_column(c, c, width)
    print_setup(ws)


FIELDS_WIDTHS = {0: 30, 1: 14, 2: 46, 3: 20}  # a cell's code on one line


def _block(
    ws: Worksheet,
    fmt: Formats,
    r: int,
    heading: str,
    header: tuple[str, ...],
    rows: Sequence[tuple[str, ...]],
) -> int:
    """A titled block of rows written from row `r`; the row after it and a blank one."""
    ws.write_string(r, 0, heading, fmt["section_head"])
    r += 1
    for c, label in enumerate(header):
        if label:
            ws.write_string(r, c, label, fmt["header"])
    r += 1
    for row in rows:
        lines = 1
        for c, value in enumerate(row):
            _text(ws, fmt, r, c, value)
            lines = max(lines, text_lines(str(value), FIELDS_WIDTHS[c], FONT_SIZE))
        if lines > 1:
            ws.set_row(r, row_height(lines, FONT_SIZE))
        r += 1
    return r + 1
