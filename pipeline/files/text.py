"""Text files (.txt, .md): text copied from a web page or extracted from a PDF.

Each line is a `Line` (`where` = `l<n>`, 1-based). Markdown table lines (`| a | b |`) are read as
grids, one per run of table lines (separator lines `|---|` skipped), each cell at `l<n>:c<k>`.
An HTML `<table>` block (Markdown allows them, and our own report.md writes its merged headers
that way) is read as the web-page reader reads it, each cell at `l<n>:r<row>:c<col>` from the
line `n` where the block starts; its rows stand in the lines in place of the markup.
A crawler's metadata header (`标题: …`) gives a title candidate.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
from charset_normalizer import from_bytes
from lxml import etree

from pipeline.files.document import Block, Cell, Document, Grid, Line
from pipeline.files.htmltable import table_grid

_TABLE_LINE = re.compile(r"^\s*\|.*\|\s*$")
_SEPARATOR = re.compile(r"^\s*\|(\s*:?-{2,}:?\s*\|)+\s*$")
_HTML_TABLE_OPENS = re.compile(r"^\s*<table\b", re.IGNORECASE)
_HTML_TABLE_CLOSES = re.compile(r"</table\s*>", re.IGNORECASE)
_HEADER_TITLE = re.compile(r"^\s*(?:标题|title)\s*[:：]\s*(.+?)\s*$", re.IGNORECASE)
_CJK_ENCODINGS = ("gb18030", "big5")


def decoded(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """The text of `data` and the encoding it was read in: the declared one if it decodes, UTF-8
    (with or without BOM), else what charset-normalizer finds, else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    for encoding in (declared, "utf-8"):
        if not encoding:
            continue
        try:
            # NOTE: GB2312 pages routinely hold GBK characters; GB18030 decodes both
            codec = "gb18030" if encoding.lower() in ("gb2312", "gbk", "x-gbk") else encoding
            return data.decode(codec), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_16", "cp1252"]).best()
    if best is not None and best.encoding:
        return str(best), best.encoding
    return data.decode("gb18030", errors="replace"), "gb18030"


def read_text(path: Path, data: bytes) -> Document:
    """A .txt or .md report: its lines, its Markdown tables as grids, in reading order."""
    text, encoding = decoded(data)
    return document_of_text(path.name, text, meta={"encoding": encoding})


def document_of_text(file: str, text: str, meta: dict | None = None) -> Document:
    """A document from plain text (lines and Markdown tables)."""
    lines: list[Line] = []
    flow: list[Block] = []
    grids: list[Grid] = []
    table: list[tuple[Cell, ...]] = []
    titles: list[str] = []

    def close() -> None:
        if table:
            grid = Grid(f"t{len(grids) + 1}", tuple(table))
            grids.append(grid)
            flow.append(grid)
            table.clear()

    texts = text.splitlines()
    n = 0
    while n < len(texts):
        raw = texts[n]
        n += 1
        if _HTML_TABLE_OPENS.match(raw):
            close()
            n = _html_tables(texts, n, grids, flow, lines)
            continue
        line = Line(raw.rstrip("\r\n"), f"l{n}")
        lines.append(line)
        head = _HEADER_TITLE.match(raw)
        if head and n <= 10:
            titles.append(head.group(1))
        if _TABLE_LINE.match(raw):
            if _SEPARATOR.match(raw):
                continue
            parts = raw.strip().strip("|").split("|")
            r = len(table)
            table.append(
                tuple(
                    Cell(p.strip(), f"l{n}:c{k}", (r, k - 1)) for k, p in enumerate(parts, start=1)
                )
            )
            continue
        close()
        flow.append(line)
    close()
    titles.extend(_leading_title(lines))
    return Document(
        file=file,
        format="text",
        titles=tuple(titles),
        lines=tuple(lines),
        grids=tuple(grids),
        flow=tuple(flow),
        meta=meta or {},
    )


def _html_tables(
    texts: list[str], start: int, grids: list[Grid], flow: list[Block], lines: list[Line]
) -> int:
    """The `<table>` block opening at line `start` (1-based) read into `grids`, `flow` and
    `lines`; the number of the block's last line. A block never closed runs to the end."""
    end = next(
        (i for i in range(start - 1, len(texts)) if _HTML_TABLE_CLOSES.search(texts[i])), None
    )
    last = len(texts) if end is None else end + 1
    block = "\n".join(texts[start - 1 : last])
    try:
        root = lxml.html.fragment_fromstring(block, create_parent="div")
    except (etree.ParserError, ValueError):
        root = None
    tables = [
        t
        for t in ([] if root is None else root.iter("table"))
        if not t.xpath(".//table") and t.xpath(".//td|.//th")
    ]
    if not tables:  # no cell in it: its lines are text
        for k in range(start, last + 1):
            line = Line(texts[k - 1], f"l{k}")
            lines.append(line)
            flow.append(line)
        return last
    for i, table in enumerate(tables):
        at = f"l{start}:" if len(tables) == 1 else f"l{start}:t{i + 1}:"
        grid = table_grid(table, f"t{len(grids) + 1}", at)
        grids.append(grid)
        flow.append(grid)
        for row in grid.rows:
            shown = list(dict.fromkeys(c.text for c in row if c.text))
            lines.append(Line(" ".join(shown), row[0].where if row else grid.where))
    return last


_REPORT_TITLE = re.compile(r"(政府信息公开|政务公开).{0,12}年度?报告|年度报告")
# a Markdown heading's marks (`# 标题`, `## 标题 ##`): never part of the title
_HEADING_MARKS = re.compile(r"^#{1,6}\s*|\s+#+$")


def _leading_title(lines: list[Line], first: int = 12) -> list[str]:
    """Title candidates near the top: the first line ending a report title, alone and joined
    with the one or two lines above it (a title wraps), shortest first."""
    return leading_titles([ln.text for ln in lines[: first * 3]], first)


def leading_titles(texts: list[str], first: int = 12) -> list[str]:
    """Title candidates among the first non-blank `texts` (see `_leading_title`), each without
    Markdown heading marks."""
    texts = [t for t in (_HEADING_MARKS.sub("", t.strip()) for t in texts) if t][:first]
    for j, text in enumerate(texts):
        if _REPORT_TITLE.search(text) and len(text) <= 60 and "。" not in text:
            return ["".join(texts[i : j + 1]) for i in range(j, max(-1, j - 3), -1)]
    return []
