"""PDF reports with a text layer (pdfplumber: characters with their positions).

Lines are the characters grouped by their vertical position (pdfplumber's text lines), numbered
per page (`p3:l12`). A table drawn with ruling lines is read as a grid of its cells (pdfplumber's
table finder works from the lines and the characters' positions), so a vertical label printed one
character per line, a wrapped row whose figures stand level with the middle of its label, and a
label wrapped inside its cell all stay in their cell; a cell's place is the page and line where its
text starts. Lines outside any grid stay lines, in the order of their position on the page, so a
table drawn without ruling lines is read from its lines. Page footers (`— 5 —`, `-3-`) are left
out of the flow. A PDF with no text layer at all is a finding (扫描件), never a guess; one that
asks for an opening password is `file.encrypted` (an owner password alone, which restricts
printing or copying, does not stop it being read).
"""

from __future__ import annotations

from bisect import bisect_left
from io import BytesIO
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.table import Table as TableFinder

from pipeline.files.document import Cell, Document, Grid, Line, failed, finding
from pipeline.files.text import leading_titles

MAX_PAGES = 200  # a report has 5–20 pages; past this a file is not read
_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def read_pdf(path: Path, data: bytes) -> Document:
    """A PDF report: its lines, its ruled tables as grids, both in reading order."""
    try:
        pdf = pdfplumber.open(BytesIO(data))
    except Exception as exc:  # pdfminer raises many types for broken or encrypted files
        if _password(exc):
            return failed(path.name, "pdf", finding("file.encrypted", file=path.name))
        return failed(
            path.name, "pdf", finding("file.unreadable", file=path.name, reason=_reason(exc))
        )
    with pdf:
        try:
            return _read(path.name, pdf)
        except Exception as exc:  # a broken page's content stream
            return failed(
                path.name, "pdf", finding("file.unreadable", file=path.name, reason=_reason(exc))
            )


def _password(exc: BaseException) -> bool:
    """Whether opening failed for want of the PDF's opening (user) password: pdfminer tried the
    empty one, as a reader does, and it was not it."""
    # NOTE: pdfplumber wraps pdfminer's error in its own PdfminerException
    causes = [exc, *exc.args, exc.__cause__, exc.__context__]
    return any(isinstance(c, PDFPasswordIncorrect) for c in causes)


def _reason(exc: Exception) -> str:
    causes = [exc, *exc.args, exc.__cause__, exc.__context__]
    if any(isinstance(c, PDFEncryptionError) for c in causes):
        return f"使用了无法解读的加密方式（{_cause_name(causes)}）"
    return f"不是可读取的PDF（{_cause_name(causes)}）"


def _cause_name(causes: list[object]) -> str:
    """The name of the error behind pdfplumber's wrapper, when there is one."""
    inner = next((c for c in causes[1:] if isinstance(c, BaseException)), causes[0])
    return type(inner).__name__


def _read(file: str, pdf: pdfplumber.PDF) -> Document:
    pages = pdf.pages
    if len(pages) > MAX_PAGES:
        return failed(
            file, "pdf", finding("file.unreadable", file=file, reason=f"页数过多（{len(pages)}页）")
        )
    lines: list[Line] = []
    grids: list[Grid] = []
    flow: list[Line | Grid] = []
    chars = 0
    for number, page in enumerate(pages, start=1):
        page = page.dedupe_chars()
        chars += len(page.chars)
        if not page.chars:
            continue
        text_lines = page.extract_text_lines(strip=True, return_chars=False)
        tops = [ln["top"] for ln in text_lines]
        page_lines = [
            Line(ln["text"], f"p{number}:l{i}", number) for i, ln in enumerate(text_lines, 1)
        ]
        lines.extend(page_lines)
        tables = [t for t in page.find_tables(_TABLE_SETTINGS) if len(t.rows) >= 2]
        placed: list[tuple[float, Line | Grid]] = []
        boxes = []
        for t in tables:
            grid = _grid(t, number, len(grids) + 1, tops)
            grids.append(grid)
            boxes.append(t.bbox)
            placed.append((t.bbox[1], grid))
        for ln, line in zip(text_lines, page_lines, strict=True):
            middle = (ln["top"] + ln["bottom"]) / 2
            centre = (ln["x0"] + ln["x1"]) / 2
            inside = any(
                x0 <= centre <= x1 and top <= middle <= bottom for x0, top, x1, bottom in boxes
            )
            if not inside:
                placed.append((ln["top"], line))
        flow.extend(block for _, block in sorted(placed, key=lambda p: p[0]))
    if chars == 0:
        return failed(file, "pdf", finding("audit.scanned", file=file, pages=len(pages)))
    title = _metadata_text((pdf.metadata or {}).get("Title"))
    titles = ([title.strip()] if isinstance(title, str) and title.strip() else []) + leading_titles(
        [ln.text for ln in lines[:30]]
    )
    return Document(
        file=file,
        format="pdf",
        titles=tuple(titles),
        lines=tuple(lines),
        grids=tuple(grids),
        flow=tuple(flow),
        meta={"pages": len(pages)},
    )


def _metadata_text(value: object) -> str:
    """A metadata string as written: UTF-16 with a byte-order mark comes back from pdfminer as
    Latin-1 characters (`ÿþ*mýl…`) when the PDF tool left out the string's text encoding."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return ""
    if value[:2] in ("ÿþ", "þÿ"):
        try:
            return value.encode("latin-1").decode("utf-16").strip("\x00 ")
        except (UnicodeDecodeError, UnicodeEncodeError):
            return ""
    return value


def _grid(table: TableFinder, page: int, index: int, tops: list[float]) -> Grid:
    """A ruled table's cells; a position a merged cell covers has origin (-1, -1)."""
    texts = table.extract()
    rows = []
    for r, (row, cells) in enumerate(zip(table.rows, texts, strict=True)):
        out = []
        for c, (box, text) in enumerate(zip(row.cells, cells, strict=True)):
            if box is None or text is None:
                out.append(Cell("", f"p{page}:t{index}:r{r + 1}:c{c + 1}", (-1, -1)))
                continue
            line = bisect_left(tops, box[1] - 1) + 1  # the first text line inside the cell
            out.append(Cell(text, f"p{page}:l{line}", (r, c)))
        rows.append(tuple(out))
    return Grid(f"p{page}:t{index}", tuple(rows), page)
