"""Reading files: a file's bytes, checked against the limits that stop a hostile file, turned
into sheets (workbooks: one module per format) or into a document (Word, web pages, PDF, text)."""

from pipeline.files.limits import LIMITS, Limits, UnreadableFile
from pipeline.files.limits import _snapshot as snapshot
from pipeline.files.workbook import (
    Sheets,
    WorkbookRead,
    checked_workbook,
    encrypted,
    hidden_cells,
    read_sheets,
    read_workbook,
    workbook_of,
)

__all__ = [
    "LIMITS",
    "Limits",
    "Sheets",
    "UnreadableFile",
    "WorkbookRead",
    "checked_workbook",
    "encrypted",
    "hidden_cells",
    "read_sheets",
    "read_workbook",
    "snapshot",
    "workbook_of",
]
