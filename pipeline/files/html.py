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

from pipeline.files.document import Document, Grid, Line, failed, finding
from pipeline.files.htmltable import SKIP, table_grid
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
        if tag in SKIP or not tag:
            if el.tail:
                self.buffer.append(el.tail)
            return
        if tag == "table" and not el.xpath(".//table"):
            self.flush()
            index = len(self.grids) + 1
            grid = table_grid(el, f"t{index}", f"t{index}:")
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
