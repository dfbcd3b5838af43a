"""Feedback: the findings of each return as marks on its cells, to send back to the department."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pipeline.files.limits import _snapshot
from pipeline.files.workbook import checked_workbook
from pipeline.problems import SEVERITY_LABELS
from pipeline.render.ooxml import stable_package
from pipeline.render.sheets import fit_rows, print_setup_openpyxl
from pipeline.store import write_bytes

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

_ADDRESS = re.compile(r"^[A-Z]{1,3}[0-9]+$")


@dataclass(frozen=True)
class Mark:
    """One problem to show in a returned workbook: where, how bad, and what to say."""

    sheet: str
    cell: str  # the one cell to mark; empty for a problem of a range or the whole return
    severity: str
    text: str
    cells: str = ""  # where the problem lies as the finding names it (a cell or a range)


# notes sent back all the same: the template promises that blanks read as 0 are listed
SENT_BACK_NOTES = ("value.missing",)


def marks_by_file(findings: pd.DataFrame) -> dict[str, list[Mark]]:
    """The marks for each return file that has errors, warnings or blanks read as 0 (other notes
    alone send nothing back)."""
    out: dict[str, list[Mark]] = {}
    sent = findings["severity"].isin(["error", "warning"]) | findings["rule"].isin(SENT_BACK_NOTES)
    serious = findings[sent & (findings["file"] != "")]
    for file, group in serious.groupby("file", sort=True):
        out[file] = [
            Mark(
                sheet=f.sheet,
                cell=f.cell if _ADDRESS.match(f.cell) else "",
                severity=f.severity,
                text=f"【{SEVERITY_LABELS[f.severity]}】{f.message}"
                + (f"\n{f.suggestion}" if f.suggestion else ""),
                cells=f.cell,
            )
            for f in group.itertuples()
        ]
    return out


FEEDBACK_SHEET = "校验问题"


_FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
FEEDBACK_WIDTHS = (6, 10, 30, 10, 80)


def write_feedback(source: Path, target: Path, marks: list, when: datetime) -> Path:
    """A copy of the return at `source` with each mark's cell filled and commented, plus a sheet
    listing every problem; the file in raw/ is only read. A return openpyxl cannot open for
    writing (.xls, .ods) gets a new workbook holding the list alone."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    try:
        # NOTE: checked first, as for reading: openpyxl would inflate a zip bomb in memory
        data = _snapshot(source)
        checked_workbook(data)
        # NOTE: rich text kept as runs: flattened, 148 with a superscript 1 would come back as 1481
        wb = load_workbook(BytesIO(data), keep_vba=source.suffix.lower() == ".xlsm", rich_text=True)
    except Exception:  # NOTE: not an OOXML workbook openpyxl can edit; the list is still sent back
        wb = Workbook()
        wb.active.title = "说明"
        wb.active["A1"] = (
            f"原文件“{source.name}”的格式无法直接标注，问题清单见“{FEEDBACK_SHEET}”工作表。"
        )
    by_cell: dict[tuple[str, str], list] = {}
    for mark in marks:
        if mark.cell and mark.sheet in wb.sheetnames:
            by_cell.setdefault((mark.sheet, mark.cell), []).append(mark)
    for (sheet, address), cell_marks in by_cell.items():
        cell = _writable(wb[sheet], address)
        severities = {m.severity for m in cell_marks}
        worst = next(s for s in ("error", "warning", "info") if s in severities)
        cell.fill = PatternFill("solid", fgColor=_FILLS[worst])
        comment = Comment("\n\n".join(m.text for m in cell_marks), "xxgk")
        comment.width, comment.height = 320, 160
        cell.comment = comment
    if FEEDBACK_SHEET in wb.sheetnames:
        del wb[FEEDBACK_SHEET]
    ws = wb.create_sheet(FEEDBACK_SHEET, 0)
    ws.append(["序号", "严重程度", "工作表", "单元格", "问题与建议"])
    for i, mark in enumerate(marks, start=1):
        where = mark.cells or mark.cell
        ws.append([i, SEVERITY_LABELS[mark.severity], mark.sheet, where, mark.text])
    for col, width in zip("ABCDE", FEEDBACK_WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=cell.column in (3, 5), vertical="top")
        for cell in row[2:]:
            cell.data_type = "s"  # NOTE: openpyxl takes text starting with "=" for a formula
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for sheet in wb.worksheets:
        fit_rows(sheet)
        if sheet is not ws:
            print_setup_openpyxl(sheet)
    print_setup_openpyxl(ws, landscape=True, repeat="1:1")
    wb.active = 0
    buffer = BytesIO()
    wb.save(buffer)
    return write_bytes(stable_package(buffer.getvalue(), when), target)


def _writable(ws: Worksheet, address: str) -> Cell:
    """The cell at `address`, or the top-left cell of the merged range covering it."""
    for merged in ws.merged_cells.ranges:
        if address in merged:
            return ws.cell(merged.min_row, merged.min_col)
    return ws[address]
