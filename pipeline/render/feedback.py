"""Feedback: the findings of each return as marks on its cells, to send back to the department."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline.files.limits import _snapshot
from pipeline.files.workbook import checked_workbook
from pipeline.problems import SEVERITY_LABELS, SUGGESTION_PREFIX
from pipeline.render.ooxml import stable_package
from pipeline.render.sheets import fit_rows, print_setup_openpyxl
from pipeline.store import write_bytes
from schemas.sums import SUMS

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

_ADDRESS = re.compile(r"^[A-Z]{1,3}[0-9]+$")


@dataclass(frozen=True)
class Mark:
    """One problem to show in a returned workbook: where, how bad, and what to say; for a broken
    sum, the cells it adds up and the cell localisation suggests changing."""

    sheet: str
    cell: str  # the one cell to comment (a broken sum's total); empty for a range or the return
    severity: str
    text: str
    cells: str = ""  # where the problem lies as the finding names it (a cell or a range)
    terms: tuple[str, ...] = ()  # a broken sum: the other cells it adds up (tinted)
    suggested: str = ""  # the cell localisation suggests changing (marked as such)
    hint: str = ""  # what localisation suggests


# notes sent back all the same: the template promises that blanks read as 0 are listed
SENT_BACK_NOTES = ("value.missing",)
SUM_RULES = frozenset(s.rule for s in SUMS)

Places = dict[tuple[str, str, str], tuple[str, str]]  # a return's cells → (sheet, address)


def marks_by_file(
    findings: pd.DataFrame, places: dict[str, Places] | None = None
) -> dict[str, list[Mark]]:
    """The marks for each return file that has errors, warnings or blanks read as 0 (other notes
    alone send nothing back); a broken sum is marked on its cells where `places` (by file) says
    where they are."""
    out: dict[str, list[Mark]] = {}
    places = places or {}
    for file, group in sent_back(findings).groupby("file", sort=True):
        mine = places.get(str(file), {})
        out[str(file)] = [_mark(f, mine) for f in group.itertuples()]
    return out


def sent_back(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings sent back to the departments: errors, warnings and blanks read as 0, of a
    return file."""
    sent = findings["severity"].isin(["error", "warning"]) | findings["rule"].isin(SENT_BACK_NOTES)
    return findings[sent & (findings["file"] != "")]


def _mark(f: Any, places: Places) -> Mark:
    """The mark of one finding (a record of the findings table)."""
    mark = Mark(
        sheet=f.sheet,
        cell=f.cell if _ADDRESS.match(f.cell) else "",
        severity=f.severity,
        text=f"【{SEVERITY_LABELS[f.severity]}】{f.message}"
        + (f"\n{f.suggestion}" if f.suggestion else ""),
        cells=f.cell,
    )
    if f.rule not in SUM_RULES or not places:
        return mark
    # NOTE: imported here: the workers that write the workbooks need none of validate (pandera)
    from pipeline.validate.localise import equation_of

    equation = equation_of(f.rule, f.section, f.row, f.col)
    if equation is None or equation.total not in places:
        return mark
    sheet, total = places[equation.total]
    terms = tuple(
        places[c][1]
        for c in sorted(equation.cells)
        if c != equation.total and c in places and places[c][0] == sheet
    )
    # NOTE: a finding placed at one cell (with the value it should hold) names the suggested cell
    at = (f.section, f.row, f.col)
    suggested = places[at][1] if f.expected and at in places and places[at][0] == sheet else ""
    return replace(
        mark, sheet=sheet, cell=total, terms=terms, suggested=suggested, hint=f.suggestion
    )


FEEDBACK_SHEET = "校验问题"


_FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
SUM_TINT = "FCE4D6"  # the cells a broken sum adds up
SUGGESTED_FILL = "FFD966"  # the cell localisation suggests changing
SUGGESTED_MARK = "【建议核对此格】"
FEEDBACK_WIDTHS = (6, 10, 30, 10, 80)
LEGEND = (
    "颜色说明：红色（警告为黄色）是有问题的单元格，合计不符时是该合计，批注中有说明；"
    "浅橙色是不符的合计所加的各格；橙黄色加粗框是建议核对、很可能需要修改的单元格。"
    "点击“单元格”列可跳到该格。"
)


def write_feedback(source: Path, target: Path, marks: list, when: datetime) -> Path:
    """A copy of the return at `source` with each mark's cell filled and commented (a broken
    sum: its total commented, the cells it adds up tinted, a suggested cell marked as such),
    plus a sheet listing every problem, each linked to its cell; the file in raw/ is only read.
    A return openpyxl cannot open for writing (.xls, .ods) gets a new workbook holding the list
    alone."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.hyperlink import Hyperlink

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
    said: dict[tuple[str, str], list[tuple[str, str]]] = {}  # cell → (severity, text)
    suggested: dict[tuple[str, str], list[str]] = {}
    tinted: set[tuple[str, str]] = set()
    for mark in marks:
        if mark.sheet not in wb.sheetnames:
            continue
        tinted.update((mark.sheet, t) for t in mark.terms)
        if mark.cell:
            said.setdefault((mark.sheet, mark.cell), []).append((mark.severity, mark.text))
        if mark.suggested:
            suggested.setdefault((mark.sheet, mark.suggested), []).append(
                f"{SUGGESTED_MARK}{mark.hint.removeprefix(SUGGESTION_PREFIX)}"
            )
    for sheet, address in sorted(tinted - said.keys() - suggested.keys()):
        _writable(wb[sheet], address).fill = PatternFill("solid", fgColor=SUM_TINT)
    strong = Side(style="medium", color="C00000")
    for key in sorted(said.keys() | suggested.keys()):
        cell = _writable(wb[key[0]], key[1])
        texts = [text for _, text in said.get(key, [])] + suggested.get(key, [])
        if key in suggested:
            cell.fill = PatternFill("solid", fgColor=SUGGESTED_FILL)
            cell.border = Border(left=strong, right=strong, top=strong, bottom=strong)
        else:
            severities = {s for s, _ in said[key]}
            worst = next(s for s in ("error", "warning", "info") if s in severities)
            cell.fill = PatternFill("solid", fgColor=_FILLS[worst])
        comment = Comment("\n\n".join(dict.fromkeys(texts)), "xxgk")
        comment.width, comment.height = 320, 160
        cell.comment = comment
    if FEEDBACK_SHEET in wb.sheetnames:
        del wb[FEEDBACK_SHEET]
    ws = wb.create_sheet(FEEDBACK_SHEET, 0)
    ws.append(["序号", "严重程度", "工作表", "单元格", "问题与建议"])
    for i, mark in enumerate(marks, start=1):
        where = mark.cell or mark.cells
        ws.append([i, SEVERITY_LABELS[mark.severity], mark.sheet, where, mark.text])
        if mark.cell and mark.sheet in wb.sheetnames:
            # NOTE: an internal link: a click takes the department to the cell and its comment
            link = ws.cell(i + 1, 4)
            link.hyperlink = Hyperlink(
                ref=link.coordinate, location=f"{_quoted(mark.sheet)}!{mark.cell}"
            )
            link.font = Font(color="0563C1", underline="single")
    for col, width in zip("ABCDE", FEEDBACK_WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=cell.column in (3, 5), vertical="top")
        for cell in row[2:]:
            cell.data_type = "s"  # NOTE: openpyxl takes text starting with "=" for a formula
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.cell(1, 7, LEGEND).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["G"].width = 48
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


def _quoted(sheet: str) -> str:
    """A sheet's name as a formula or a link names it: quoted, its quotes doubled."""
    return "'" + sheet.replace("'", "''") + "'"


def _writable(ws: Worksheet, address: str) -> Cell:
    """The cell at `address`, or the top-left cell of the merged range covering it."""
    for merged in ws.merged_cells.ranges:
        if address in merged:
            return ws.cell(merged.min_row, merged.min_col)
    return ws[address]
