"""HTML tables read as grids: by the web-page reader, and for the `<table>` blocks a Markdown file
carries (our own report.md among them)."""

from __future__ import annotations

import re

from lxml import etree

from pipeline.files.document import Cell, Grid

SKIP = frozenset({"script", "style", "noscript", "template", "head"})
MAX_SPAN = 50  # a rowspan/colspan past this is taken as 1 (a broken page)


def cell_text(el: etree._Element) -> str:
    """A cell's text, a line break where the page breaks it (`<br>`, `<p>`)."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in SKIP:
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


def table_grid(table: etree._Element, name: str, at: str) -> Grid:
    """A table's rows, rowspan/colspan expanded (a merged cell's text in each position), the grid
    named `name` and each cell `{at}r<row>:c<col>`."""
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
            text = cell_text(td)
            rs, cs = _span(td, "rowspan"), _span(td, "colspan")
            for dr in range(rs):
                for dc in range(cs):
                    taken[r + dr, c + dc] = Cell(text, f"{at}r{r + dr + 1}:c{c + dc + 1}", (r, c))
            c += cs
    height = max((r for r, _ in taken), default=-1) + 1
    for r in range(height):
        width = max((c for rr, c in taken if rr == r), default=-1) + 1
        out.append(
            tuple(
                taken.get((r, c), Cell("", f"{at}r{r + 1}:c{c + 1}", (r, c))) for c in range(width)
            )
        )
    return Grid(name, tuple(out))
