"""Reading one published report: the one entry point, `read_report(path)`.

It never raises for a bad file: a file that cannot be read, or read in part, comes back with the
findings saying why. What it returns (`PublishedReport`) holds the issuer and year, the format,
every cell of tables 二, 三, 四 and the part 六 fee figures (`cells`, one row per cell, the value
as the project stores it: counts as integers, 万元 × 10⁶, 元 × 10²; None when unread), the
findings of reading, the six parts of the text and the figures the text restates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.audit import narrative
from pipeline.audit.cells import CellRecord
from pipeline.audit.layout import OTHER_TOTAL
from pipeline.audit.tables import TableReading, read_tables
from pipeline.audit.wordcells import word_cells
from pipeline.audit.workbook import read_xlsx
from pipeline.files.convert import read_converted
from pipeline.files.document import Document, failed, finding
from pipeline.files.docx import read_docx
from pipeline.files.html import read_html
from pipeline.files.pdf import read_pdf
from pipeline.files.text import read_text
from pipeline.oserrors import os_reason
from pipeline.paths import readable_name

MAX_BYTES = 50 * 2**20  # a published report is well under 10 MB
CELL_COLUMNS = [
    "file",
    "issuer",
    "year",
    "section",
    "row",
    "col",
    "value",
    "text",
    "where",
    "read_as",
    "problem",
]
READERS = {
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".doc": read_converted,
    ".wps": read_converted,
    ".html": read_html,
    ".htm": read_html,
    ".shtml": read_html,
    ".txt": read_text,
    ".md": read_text,
    ".xlsx": read_xlsx,
    ".xls": read_xlsx,
    ".ods": read_xlsx,
}


@dataclass(frozen=True)
class PublishedReport:
    """One published report as read (see the module's docstring)."""

    file: str
    path: str
    issuer: str
    year: int | None
    format: str
    cells: pd.DataFrame
    findings: list[dict[str, object]]
    parts: dict[str, narrative.Part] = field(default_factory=dict)
    figures: list[dict[str, object]] = field(default_factory=list)
    tables_found: tuple[str, ...] = ()
    other_single_row: bool = False
    old_format: tuple[str, ...] = ()
    # (rule id, key) of the sum rules used to split figures that ran together: not evidence
    # that the table satisfies them
    split_rules: frozenset[tuple[str, str]] = frozenset()
    titles: tuple[str, ...] = ()


def read_report(path: Path) -> PublishedReport:
    """The published report at `path`, read cell by cell (never raises for a bad file)."""
    path = Path(path)
    doc = read_document(path)
    # NOTE: a name that is not UTF-8 (GBK bytes from a zip made on Chinese Windows) is shown as
    # read in GB18030: the readers name the file by its bytes, and no output could hold them
    name = readable_name(path.name)
    issuer, year, who = identity(doc, path.with_name(name))
    cells: list[CellRecord] = []
    found_parts: dict[str, narrative.Part] = {}
    figures: list[dict[str, object]] = []
    tables: TableReading | None = None
    found: list[dict[str, object]] = []
    if doc.lines or doc.grids:
        try:
            tables, cells, found_parts, figures, found = _contents(doc)
        except Exception as exc:  # NOTE: never raises: an unforeseen failure is this file's finding
            tables, cells, found_parts, figures = None, [], {}, []
            found = [
                finding(
                    "file.unreadable",
                    file=name,
                    reason=f"识别表格时出现内部错误（{type(exc).__name__}），请把文件发给维护人员",
                )
            ]
    # NOTE: a file that is no report (no text at all, or none of the tables) has its own
    # finding; that its body and year are unknown too adds nothing (they are still kept, from
    # the title or the file name, when they are known)
    named = who if tables is not None and tables.found else []
    records = [*doc.findings, *named, *found]
    for rec in records:
        if name != path.name:
            rec.update(
                {k: v.replace(path.name, name) for k, v in rec.items() if isinstance(v, str)}
            )
        rec.update(file=name, issuer=issuer, year="" if year is None else str(year))
        rec["unit"] = rec.get("unit") or issuer
    frame = cell_frame(cells, name, issuer, year)
    return PublishedReport(
        file=name,
        path=str(path),
        issuer=issuer,
        year=year,
        format=doc.format,
        cells=frame,
        findings=records,
        parts=found_parts,
        figures=figures,
        tables_found=tables.found if tables else (),
        other_single_row=bool(tables and tables.other_single_row),
        old_format=tables.old_format if tables else (),
        split_rules=tables.split_rules if tables else frozenset(),
        titles=doc.titles,
    )


def _contents(
    doc: Document,
) -> tuple[
    TableReading,
    list[CellRecord],
    dict[str, narrative.Part],
    list[dict[str, object]],
    list[dict[str, object]],
]:
    """The tables read, their cells with part 六's, the parts, the figures the text restates,
    and the findings of reading them."""
    tables = read_tables(doc)
    cells, records = word_cells(doc, tables.cells)
    records = [*tables.findings, *records]
    found_parts: dict[str, narrative.Part] = {}
    figures: list[dict[str, object]] = []
    # NOTE: a file with none of the tables is not a report: its narrative is not judged
    if tables.found:
        found_parts = narrative.parts(doc)
        records += narrative.part_findings(doc, found_parts)
        fee_cells, fee_findings = narrative.fees(doc, found_parts)
        cells = cells + fee_cells
        records += fee_findings
        values = {
            (c["section"], c["row"], c["col"]): c["value"] for c in cells if c["value"] is not None
        }
        figures, mismatches = narrative.figures(doc, found_parts, values)
        records += mismatches
    return tables, cells, found_parts, figures, records


def read_document(path: Path) -> Document:
    """The file read by the reader of its format (known by its first bytes, else its suffix)."""
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return failed(
                name,
                "",
                finding("file.too_large", file=name, reason=f"大小为{size // 2**20}MB，超过50MB"),
            )
        data = path.read_bytes()
    except OSError as exc:
        return failed(
            name,
            "",
            finding(
                "file.unreadable",
                file=name,
                reason=f"读取失败（{os_reason(exc)}，错误代码 {exc.errno}）",
            ),
        )
    if not data:
        return failed(name, "", finding("file.unreadable", file=name, reason="文件为空（0字节）"))
    reader = READERS.get(_sniffed(data, path.suffix.lower()))
    if reader is None:
        return failed(
            name, "", finding("audit.unsupported", file=name, suffix=path.suffix or "无扩展名")
        )
    try:
        return reader(path, data)
    except Exception as exc:  # NOTE: a reader's unforeseen failure is this file's finding
        return failed(
            name,
            "",
            finding("file.unreadable", file=name, reason=f"读取时出错（{type(exc).__name__}）"),
        )


def _sniffed(data: bytes, suffix: str) -> str:
    """The suffix whose reader fits the bytes: web sites serve HTML or .docx under `.doc`."""
    head = data[:1024].lstrip().lower()
    if data.startswith(b"%PDF"):
        return ".pdf"
    if data.startswith(b"PK\x03\x04"):
        return suffix if suffix in (".xlsx", ".ods") else ".docx"
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head:
        return ".html" if suffix not in (".md", ".txt") else suffix
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE file: .doc, .wps or .xls
        return suffix if suffix in (".xls", ".doc", ".wps") else ".doc"
    return suffix


# -- issuer and year ---------------------------------------------------------------------------
_TITLE = re.compile(
    r"^(?P<before>.*?)(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?P<after>.*?)\s*"
    r"(?:政府信息公开|政务公开|信息公开)\s*(?:工作)?\s*(?:年度)?\s*(?:报告|年报)"
)
_JUNK = re.compile(r"^(?:正文|标题|关于|[:：\s])+|[:：\s_\-—]+$")
_FILE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def identity(doc: Document, path: Path) -> tuple[str, int | None, list[dict[str, object]]]:
    """The issuer and year: from the title, else from the file name, else a finding for each."""
    issuer, year = "", None
    for title in doc.titles:
        m = _TITLE.search(re.sub(r"\s+", "", title))
        if not m:
            continue
        year = year or int(m.group("year"))
        name = _JUNK.sub("", m.group("before") or m.group("after"))
        if name and not issuer:
            issuer = name
        if issuer and year:
            break
    stem = path.stem
    if year is None:
        m = _FILE_YEAR.search(stem)
        year = int(m.group(1)) if m else None
    if not issuer:
        name = _JUNK.sub(
            "",
            _FILE_YEAR.sub(
                "",
                re.sub(
                    r"(政府信息公开|政务公开|信息公开)?(工作)?(年度)?(报告|年报)|年度|年", "", stem
                ),
            ),
        )
        issuer = name if re.search(r"[\u4e00-\u9fff]{2,}", name) and "模板" not in name else ""
    out = []
    if not issuer:
        out.append(finding("audit.issuer_unknown", file=path.name))
    if year is None:
        out.append(finding("audit.year_unknown", file=path.name))
    return issuer, year, out


# -- the cells ---------------------------------------------------------------------------------
def cell_frame(cells: list[CellRecord], file: str, issuer: str, year: int | None) -> pd.DataFrame:
    """The cells as a table with the columns `CELL_COLUMNS`, the value a nullable integer."""
    frame = pd.DataFrame(
        cells, columns=[c for c in CELL_COLUMNS if c not in ("file", "issuer", "year")]
    )
    frame.insert(0, "year", pd.array([year] * len(frame), dtype="Int64"))
    frame.insert(0, "issuer", issuer)
    frame.insert(0, "file", file)
    frame["value"] = pd.array(
        [None if pd.isna(v) else int(v) for v in frame["value"]], dtype="Int64"
    )
    for col in ("text", "where", "read_as", "problem"):
        frame[col] = frame[col].fillna("").astype(str)
    return frame


_AS_INGESTED = {
    "written": "number",
    "split": "number",
    "blank": "blank",
    "nil": "nil",
    "stated_none": "number",
}


def ingested_cells(report: PublishedReport) -> pd.DataFrame:
    """The cells read, as the project's long cell table (`schemas.tables.IngestedCells`), so that
    `pipeline.validate.validated_findings` can check them: unit = issuer, cell = where; cells left
    unread are left out (the rules treat them as unknown; the reading findings name them), and so
    is （六）其他处理's one-row total, which has no code in the format."""
    return as_ingested(report.cells, report.issuer or report.file, report.format)


def as_ingested(cells: pd.DataFrame, unit: str | pd.Series, sheet: str | pd.Series) -> pd.DataFrame:
    """Cells of one or several reports (`cells` columns, as `PublishedReport.cells`) as the long
    cell table, as `ingested_cells` makes it; `unit` and `sheet`: one for all, or one per cell."""
    keep = cells["read_as"].isin(list(_AS_INGESTED)) & (cells["row"] != OTHER_TOTAL)
    kept = cells[keep]

    def each(value: str | pd.Series) -> str | np.ndarray:
        """One value for all the cells kept, or each kept cell's own."""
        return value[keep].to_numpy() if isinstance(value, pd.Series) else value

    return pd.DataFrame(
        {
            "unit": each(unit),
            "unit_code": "",
            "file": kept["file"].astype(str),
            "sheet": each(sheet),
            "cell": kept["where"].astype(str),
            "section": kept["section"].astype(str),
            "row": kept["row"].astype(str),
            "col": kept["col"].astype(str),
            "raw_type": "text",
            "text": kept["text"].astype(str),
            "read_as": kept["read_as"].map(_AS_INGESTED).astype(str),
            "value": kept["value"].astype("Int64"),
            "problem": "",
        }
    ).reset_index(drop=True)
