"""Render: a table of cell values → the report (HTML, Markdown), its parts and tables."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from pipeline.format2021 import PARTS, PRINTED_SECTIONS, printed
from pipeline.render.environment import Values, _env
from pipeline.render.tables import table_html, table_markdown, table_rows

DRAFT_MARK = "草稿（数据未通过校验）"


def values_of(cells: pd.DataFrame) -> Values:
    """The values of a cell table, by (section, row, col)."""
    return {
        (s, r, c): int(v)
        for s, r, c, v in cells[["section", "row", "col", "value"]].itertuples(index=False)
        if not pd.isna(v)
    }


@dataclass(frozen=True)
class Report:
    """Everything a report shows: its title, its narrative parts and its cell values."""

    title: str
    subtitle: str
    year: int
    subject: str  # 本机关 or 全县
    values: Values
    narrative: dict[str, str]
    notes: tuple[str, ...] = ()
    draft: bool = False  # rendered from data that did not pass validation
    issuer: str = ""  # the body that issues it (its full name), its document's author
    partial: str = ""  # which units the totals leave out (`partial_note`), under the title


# -- the report -------------------------------------------------------------------------------
def _paragraphs(text: str) -> list[str]:
    return [re.sub(r"\s*\n\s*", "", p).strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def report_context(report: Report) -> dict:
    """What the report templates show: titles, the narrative's paragraphs, the tables, notes."""
    return {
        "title": report.title,
        "subtitle": report.subtitle,
        "year": report.year,
        "parts": PARTS,
        "narrative": {k: _paragraphs(v) for k, v in report.narrative.items()},
        "tables": {s.part: _table_context(s.code, report.values) for s in PRINTED_SECTIONS},
        "notes": report.notes,
        "partial": report.partial,
        "draft": DRAFT_MARK if report.draft else "",
    }


def _table_context(section: str, values: Values) -> dict:
    """What the page and Markdown templates show of one table."""
    g = printed(section)
    rows = table_rows(section, values)
    return {
        "code": section,
        "rows": rows,
        "header_rows": g.header_rows,
        "label_cols": g.section.label_cols,
        "n_cols": g.n_cols,
        # the class of each grid column: its label column (c0, c1 …) or `v` and the column's code
        "columns": [f"c{i}" for i in range(g.section.label_cols)]
        + [f"v {c.code}" for c in g.section.cols],
        "head": rows[: g.header_rows],
        "bodies": _bodies(rows[g.header_rows :]),
        "markdown": table_markdown(section, values),
        "html": table_html(section, values),
    }


def _bodies(rows: list[list[dict]]) -> list[list[list[dict]]]:
    """The body rows of a table in the groups printed together: each block of 表二 from its
    article heading on (第二十条第（一）项 …), all the rows of any other table."""
    bodies: list[list[list[dict]]] = []
    for row in rows:
        if not bodies or row[0]["kind"] == "heading":
            bodies.append([])
        bodies[-1].append(row)
    return bodies


def report_html(report: Report) -> str:
    """The report as one self-contained HTML page."""
    return _env.get_template("report.html.j2").render(**report_context(report))


def report_md(report: Report) -> str:
    """The report as Markdown."""
    return _env.get_template("report.md.j2").render(**report_context(report))
