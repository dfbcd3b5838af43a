"""Saved web pages (.html, .htm), in UTF-8 or GB2312/GBK/GB18030, read with lxml.

The charset is the one the page declares (`<meta charset>` or `http-equiv` Content-Type) when
the bytes decode in it, else what charset-normalizer finds. Block elements become lines
(`l<n>`); each table without a table inside it becomes a grid, `rowspan`/`colspan` expanded so
that a merged cell's text stands in every position it spans (`t2:r5:c3`); a layout table holding
other tables is read through, not as a grid.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
from lxml import etree

from pipeline.files.document import Cell, Document, Grid, Line, failed, finding
from pipeline.files.text import decoded, leading_titles

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "br",
        "tr",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "caption",
        "dt",
        "dd",
        "title",
    ]
)
_SKIP = frozenset({"script", "style", "noscript", "template", "head"})
MAX_SPAN = 50  # a rowspan/colspan past this is taken as 1 (a broken page)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KB, if any."""
    m = _META.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else None


def read_html(path: Path, data: bytes) -> Document:
    """A saved web page: its block text as lines and its tables as grids, in document order."""
    text, encoding = decoded(data, declared_charset(data))
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        return failed(
            path.name,
            "html",
            finding("file.unreadable", file=path.name, reason=f"不是可读取的网页（{exc}）"),
        )
    reader = _Reader()
    title = root.findtext(".//title") or ""
    body = root.find("body")
    reader.walk(body if body is not None else root)
    reader.flush()
    titles = ([title.strip()] if title.strip() else []) + leading_titles(
        [ln.text for ln in reader.lines[:30]]
    )
    return Document(
        file=path.name,
        format="html",
        titles=tuple(titles),
        lines=tuple(reader.lines),
        grids=tuple(reader.grids),
        flow=tuple(reader.flow),
        meta={"encoding": encoding},
    )


class _Reader:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.grids: list[Grid] = []
        self.flow: list[Line | Grid] = []
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = re.sub(r"[ \t\r\n\xa0]+", " ", "".join(self.buffer)).strip()
        self.buffer.clear()
        if text:
            line = Line(text, f"l{len(self.lines) + 1}")
            self.lines.append(line)
            self.flow.append(line)

    def walk(self, el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP or not tag:
            if el.tail:
                self.buffer.append(el.tail)
            return
        if tag == "table" and not el.xpath(".//table"):
            self.flush()
            grid = _grid(el, len(self.grids) + 1)
            self.grids.append(grid)
            self.flow.append(grid)
            for row in grid.rows:
                texts = list(dict.fromkeys(c.text for c in row if c.text))
                self.lines.append(Line(" ".join(texts), row[0].where if row else grid.where))
        else:
            block = tag in _BLOCKS
            if block:
                self.flush()
            if el.text:
                self.buffer.append(el.text)
            for child in el:
                self.walk(child)
            if block:
                self.flush()
        if el.tail:
            self.buffer.append(el.tail)


def _cell_text(el: etree._Element) -> str:
    """A cell's text, a line break where the page breaks it (`<br>`, `<p>`)."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _SKIP:
            return
        if tag in ("br", "p", "div") and parts:
            parts.append("\n")
        if node.text and tag:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return re.sub(r"[ \t\xa0]+", " ", "".join(parts)).strip()


def _span(el: etree._Element, name: str) -> int:
    try:
        value = int(el.get(name, "1"))
    except ValueError:
        return 1
    return value if 1 <= value <= MAX_SPAN else 1


def _grid(table: etree._Element, index: int) -> Grid:
    """A table's rows, rowspan/colspan expanded (a merged cell's text in each position)."""
    rows = [tr for tr in table.iter("tr") if tr.getparent() is not None]
    taken: dict[tuple[int, int], Cell] = {}
    out: list[tuple[Cell, ...]] = []
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            while (r, c) in taken:
                c += 1
            text = _cell_text(td)
            rs, cs = _span(td, "rowspan"), _span(td, "colspan")
            for dr in range(rs):
                for dc in range(cs):
                    taken[r + dr, c + dc] = Cell(
                        text, f"t{index}:r{r + dr + 1}:c{c + dc + 1}", (r, c)
                    )
            c += cs
    height = max((r for r, _ in taken), default=-1) + 1
    for r in range(height):
        width = max((c for rr, c in taken if rr == r), default=-1) + 1
        out.append(
            tuple(
                taken.get((r, c), Cell("", f"t{index}:r{r + 1}:c{c + 1}", (r, c)))
                for c in range(width)
            )
        )
    return Grid(f"t{index}", tuple(out))
