"""A published report as read from its file, before any table is recognised.

Every reader (one module per format) turns a file into a `Document`: its text lines, its table
grids, and, in reading order, the `flow` of both that table recognition walks. Each piece of text
carries `where` it stands: `p3:l12` (page 3, line 12) for PDF, `l45` for text, `t2:r5:c3` (table 2,
row 5, column 3) for Word, HTML and workbooks, `l115:c3` for a cell of a Markdown table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.files.wordxml import Shown
from pipeline.problems import finding as project_finding


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text and where it stands."""

    text: str
    where: str
    page: int = 0  # PDF page, 1-based; 0 for other formats
    shown: Shown | None = None  # a Word paragraph's revisions, objects, hidden text, fields


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a table grid: its text and where it stands. A merged cell's text stands in every
    grid position it spans, each giving the position where the merged cell starts (`origin`)."""

    text: str
    where: str
    origin: tuple[int, int] = (0, 0)
    shown: Shown | None = (
        None  # a Word cell's revisions, objects, hidden text, fields, nested table
    )


@dataclass(frozen=True, slots=True)
class Grid:
    """A table as rows of cells (Word, HTML, workbooks, ruled PDF tables, Markdown tables)."""

    where: str
    rows: tuple[tuple[Cell, ...], ...]
    page: int = 0

    def texts(self) -> list[list[str]]:
        """The cells' texts, row by row."""
        return [[c.text for c in row] for row in self.rows]


Block = Line | Grid


@dataclass(frozen=True)
class Document:
    """One published report as read: its file, format, title candidates, text lines, grids, the
    flow of lines and grids in reading order, and the findings of reading it."""

    file: str
    format: str  # pdf | docx | html | text | xlsx
    titles: tuple[str, ...] = ()
    lines: tuple[Line, ...] = ()
    grids: tuple[Grid, ...] = ()
    flow: tuple[Block, ...] = ()
    findings: tuple[dict, ...] = ()
    meta: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The document's whole text, line by line."""
        return "\n".join(line.text for line in self.lines)


def failed(file: str, fmt: str, *findings: dict) -> Document:
    """A document that could not be read, with the findings saying why."""
    return Document(file=file, format=fmt, findings=tuple(findings))


def finding(rule: str, /, **fields: object) -> dict[str, object]:
    """One finding of `rule`, its message rendered, with the locator fields of a document
    (`where`, `issuer`, `year`) kept beside the catalog's columns."""
    record = project_finding(rule, **fields)
    for extra in ("where", "issuer", "year"):
        record[extra] = _text(fields.get(extra, record.get(extra, "")))
    return record


def _text(value: object) -> str:
    return "" if value is None else str(value)
