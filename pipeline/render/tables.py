"""The three statutory tables as the report prints them: rows of printed cells with their merges, a rectangle of text, HTML for Markdown, Markdown pipe tables, and the tidy cells."""

from __future__ import annotations

import re
from html import escape

import pandas as pd

from pipeline.format2021 import SECTIONS, PrintedCell, Row, Section, number_text, printed
from pipeline.render.environment import Values


# -- tables -----------------------------------------------------------------------------------
def table_rows(section: str, values: Values) -> list[list[dict]]:
    """The table as rows of printed cells (text, kind, rowspan, colspan), merges as the format has them."""
    g = printed(section)
    return [
        [
            {
                "text": printed_text(cell, section, values),
                "kind": cell.kind,
                "rowspan": cell.rowspan,
                "colspan": cell.colspan,
                "column": cell.c,
                "words": word_pieces(cell.text) if cell.kind != "value" else None,
            }
            for cell in row
        ]
        for row in g.rows()
    ]


_NUMBERING = re.compile(r"^(?:（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、)")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
# the words of the short labels of odd length (the even ones are words of two: 商业|企业)
_WORDS = {
    "本年度办理结果": ("本年度", "办理结果"),
    "复议后起诉": ("复议后", "起诉"),
    "申请人情况": ("申请人", "情况"),
    "法人或其他组织": ("法人或", "其他组织"),
}


def word_pieces(label: str) -> tuple[str, ...] | None:
    """Where a short header or label may break: after its number and between its words (商业 |
    企业, （三） | 不予公开); None for a long or punctuated one, which may break anywhere."""
    number = _NUMBERING.match(label)
    head = (number.group(),) if number else ()
    rest = label[number.end() :] if number else label
    if rest in _WORDS:
        return (*head, *_WORDS[rest])
    if not _CJK.match(rest) or len(rest) > 8:
        return None
    if len(rest) % 2 or len(rest) <= (4 if head else 3):
        return (*head, rest)
    return (*head, *(rest[i : i + 2] for i in range(0, len(rest), 2)))


def printed_text(cell: PrintedCell, section: str, values: Values) -> str:
    """What a grid cell prints: its label, or its value as the report writes numbers."""
    if cell.kind != "value":
        return cell.text
    return number_text(values.get((section, cell.row, cell.col), 0), section, cell.col)


def layout_table(section: str, values: Values) -> pd.DataFrame:
    """The table in the report's layout as a rectangle of text (a merged cell's text at its top left)."""
    g = printed(section)
    rect = [[""] * g.n_cols for _ in range(g.n_rows)]
    for cell in g.cells:
        rect[cell.r][cell.c] = printed_text(cell, section, values)
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


def table_html(section: str, values: Values) -> str:
    """The table as plain HTML with the format's merged headers and labels, for a Markdown page.

    No blank line inside (CommonMark ends an HTML block at one), no classes or styles: Markdown
    renderers and web site editors take it as it is.
    """
    g = printed(section)
    lines = ["<table>"]
    for r, row in enumerate(table_rows(section, values)):
        if r == 0 and g.header_rows:
            lines.append("<thead>")
        elif r == g.header_rows:
            lines.append("<tbody>")
        cells = []
        for cell in row:
            tag = "td" if cell["kind"] in ("value", "label") else "th"
            span = "".join(
                f' {name}="{cell[name]}"' for name in ("rowspan", "colspan") if cell[name] > 1
            )
            cells.append(f"<{tag}{span}>{escape(cell['text'])}</{tag}>")
        lines.append(f"<tr>{''.join(cells)}</tr>")
        if r + 1 == g.header_rows:
            lines.append("</thead>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def _s2_block_markdown(heading: str, rows: list[Row], values: Values) -> str:
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


def _blocks(sec: Section) -> list[tuple[str, list[Row]]]:
    blocks: dict[str, list[Row]] = {}
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
