"""The three statutory tables as the report prints them: rows of printed cells with their merges, a rectangle of text, Markdown, and the tidy cells."""

from __future__ import annotations

import pandas as pd

from pipeline.format2021 import SECTIONS, grid, number_text
from pipeline.render.environment import Values


# -- tables -----------------------------------------------------------------------------------
def table_rows(section: str, values: Values) -> list[list[dict]]:
    """The table as rows of printed cells (text, kind, rowspan, colspan), merges as the format has them."""
    g = grid(section)
    return [
        [
            {
                "text": cell_text(cell, section, values),
                "kind": cell.kind,
                "rowspan": cell.rowspan,
                "colspan": cell.colspan,
            }
            for cell in row
        ]
        for row in g.rows()
    ]


def cell_text(cell, section: str, values: Values) -> str:
    """What a grid cell prints: its label, or its value as the report writes numbers."""
    if cell.kind != "value":
        return cell.text
    return number_text(values.get((section, cell.row, cell.col), 0), section, cell.col)


def layout_table(section: str, values: Values) -> pd.DataFrame:
    """The table in the report's layout as a rectangle of text (a merged cell's text at its top left)."""
    g = grid(section)
    rect = [[""] * g.n_cols for _ in range(g.n_rows)]
    for cell in g.cells:
        rect[cell.r][cell.c] = cell_text(cell, section, values)
    return pd.DataFrame(rect)


def tidy_cells(county: pd.DataFrame) -> pd.DataFrame:
    """The county table, one row per cell: section, row, col, value."""
    return county[["section", "row", "col", "value"]]


def table_markdown(section: str, values: Values) -> str:
    """The table as Markdown: pipe tables with the header path in each column's name."""
    sec = SECTIONS[section]
    if section == "s2":
        return "\n\n".join(
            _s2_block_markdown(heading, rows, values) for heading, rows in _blocks(sec)
        )
    shared = _shared_prefix([c.labels for c in sec.cols])
    heads = ["·".join(c.labels[shared:]) for c in sec.cols]
    lines = []
    if sec.label_cols:
        heads = ["项目", *heads]
    lines.append(_pipe(heads))
    lines.append(_pipe(["---"] * len(heads)))
    previous: tuple[str, ...] = ()
    for row in sec.rows:
        cells = [
            number_text(values.get((section, row.code, c.code), 0), section, c.code)
            for c in sec.cols
        ]
        if sec.label_cols:
            labels = row.labels
            keep = next(
                (i for i, (a, b) in enumerate(zip(labels, previous, strict=False)) if a != b),
                min(len(labels), len(previous)),
            )
            cells = [" ".join(labels[keep:]), *cells]
            previous = labels
        lines.append(_pipe(cells))
    note = f"{sec.corner}\n\n" if section == "s3" else ""
    return note + "\n".join(lines)


def _s2_block_markdown(heading: str, rows, values: Values) -> str:
    sec = SECTIONS["s2"]
    cols = sec.cols_of(rows[0])
    lines = [
        f"**{heading}**",
        "",
        _pipe([sec.corner, *(c.label for c in cols)]),
        _pipe(["---"] * (len(cols) + 1)),
    ]
    for row in rows:
        lines.append(
            _pipe(
                [
                    row.label,
                    *(
                        number_text(values.get(("s2", row.code, c.code), 0), "s2", c.code)
                        for c in cols
                    ),
                ]
            )
        )
    return "\n".join(lines)


def _blocks(sec):
    blocks: dict[str, list] = {}
    for row in sec.rows:
        blocks.setdefault(row.block, []).append(row)
    return list(blocks.items())


def _shared_prefix(paths: list[tuple[str, ...]]) -> int:
    n = 0
    while all(len(p) > n + 1 for p in paths) and len({p[n] for p in paths}) == 1:
        n += 1
    return n


def _pipe(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"
