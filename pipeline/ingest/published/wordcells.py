"""What a published Word report's cells and paragraphs hold beyond their text: revisions not yet
accepted (read accepted, as Word's "No Markup" view shows them, and warned), objects where a
figure belongs (left unread: a limit of our reading, never a blank)."""

from __future__ import annotations

import re

from pipeline.files.document import Cell, Document, finding
from pipeline.format2021 import SECTIONS, scale
from pipeline.ingest.published.cells import CellRecord
from pipeline.ingest.published.layout import OTHER_TOTAL, cell_label
from pipeline.ingest.values import read_cell

_FIGURES = re.compile(r"\d+(?:[.,，]\d+)*")


def word_cells(
    doc: Document, cells: list[CellRecord]
) -> tuple[list[CellRecord], list[dict[str, object]]]:
    """The cells of a report, those of Word cells holding an object left unread, and the
    findings of revisions and objects in its cells and paragraphs."""
    marks = {
        cell.where: cell
        for grid in doc.grids
        for row in grid.rows
        for cell in row
        if cell.shown is not None
    }
    found: list[dict[str, object]] = []
    out: list[CellRecord] = []
    for rec in cells:
        cell = marks.get(rec["where"])
        if cell is None or rec["section"] not in SECTIONS:
            out.append(rec)
            continue
        place = {
            "section": rec["section"],
            "row": rec["row"],
            "col": rec["col"],
            "where": rec["where"],
            "table": SECTIONS[rec["section"]].short,
            "label": cell_label(rec["section"], rec["row"], rec["col"]),
        }
        unseen = _unseen(cell)
        if unseen:
            found.append(finding("audit.cell_object", **place, text=cell.text, reason=unseen))
            out.append({**rec, "value": None, "read_as": "unread", "problem": "audit.cell_object"})
            continue
        before = cell.shown.before if cell.shown else None
        if before is not None:
            digits = scale(rec["section"], rec["col"]) if rec["row"] != OTHER_TOTAL else 0
            if read_cell(before, digits).value != read_cell(cell.text, digits).value:
                reason = f"修订前为“{before.strip()}”，修订后为“{cell.text.strip()}”"
                found.append(finding("audit.revision", **place, text=cell.text, reason=reason))
        out.append(rec)
    for line in doc.lines:
        shown = line.shown
        if shown is None or shown.before is None:
            continue
        if _FIGURES.findall(shown.before) != _FIGURES.findall(line.text):
            reason = f"修订前为“{shown.before.strip()}”，修订后为“{line.text.strip()}”"
            found.append(
                finding("audit.revision_text", where=line.where.lstrip("l"), reason=reason)
            )
    return out, found


def _unseen(cell: Cell) -> str:
    """What stands in a cell that is no text and hides its figure ("" when nothing does)."""
    shown = cell.shown
    if shown is None:
        return ""
    if shown.objects:
        return "、".join(dict.fromkeys(shown.objects))
    nested = [t for t in shown.nested if t.strip()]
    if len(nested) > 1:
        return f"嵌套的表格（内容为“{'”“'.join(t.strip() for t in nested)}”）"
    return ""
