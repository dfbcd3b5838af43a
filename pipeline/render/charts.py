"""The analysts' charts page `charts.html`: per-unit bars of applications received and of outcomes
by kind, and the county's change from last year where last year's data is at hand.

Inline SVG drawn here, in one self-contained page: no script, no web font, nothing fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import pandas as pd
from markupsafe import Markup

from pipeline.format2021 import S3, S3_OUTCOMES, SECTIONS, number_text
from pipeline.render.environment import Values, page

# kinds of outcome: the groups of table 三's result rows, (一) … (六), in the format's order
OUTCOME_KIND = {
    r: (S3.row(r).path[1] if len(S3.row(r).path) > 1 else S3.row(r).label) for r in S3_OUTCOMES
}
OUTCOME_KINDS = tuple(dict.fromkeys(OUTCOME_KIND.values()))
COLOURS = ("#2e7d32", "#81c784", "#c62828", "#f9a825", "#6d4c41", "#78909c")  # one per kind

# the county figures compared with last year: (section, row, col)
COMPARED = (
    ("s3", "new", "total"),
    ("s3", "carried_in", "total"),
    ("s3", "outcome_total", "total"),
    ("s3", "carried_out", "total"),
    ("s2", "normative", "issued"),
    ("s2", "normative", "in_force"),
    ("s2", "licensing", "decisions"),
    ("s2", "penalty", "decisions"),
    ("s2", "coercion", "decisions"),
    ("s2", "fees", "amount"),
    ("s4", "cases", "review_total"),
    ("s4", "cases", "direct_total"),
    ("s4", "cases", "after_total"),
)

WIDTH, LABEL_W, ROW_H, VALUE_W = 760, 210, 22, 60


@dataclass(frozen=True)
class Change:
    """One county figure this year and last, as printed."""

    label: str
    last: str
    this: str
    change: str  # +3 / -2 / 0, with the share where last year's figure was not 0
    direction: str  # up | down | same


def unit_figures(cells: pd.DataFrame) -> pd.DataFrame:
    """Per unit: applications received this year (`new`) and the outcomes by kind, in file order."""
    s3 = cells[(cells["section"] == "s3") & (cells["col"] == "total")]
    wide = s3.pivot_table(index="unit", columns="row", values="value", aggfunc="sum", sort=False)
    wide = wide.reindex(columns=[r.code for r in S3.rows]).fillna(0).astype(int)
    out = pd.DataFrame({"new": wide["new"]}, index=wide.index)
    for kind in OUTCOME_KINDS:
        rows = [r for r, k in OUTCOME_KIND.items() if k == kind]
        out[kind] = wide[rows].sum(axis=1)
    return out


def label_of(section: str, row: str, col: str) -> str:
    """How the page names a cell: the table, the row and (for a shared row) the column."""
    sec = SECTIONS[section]
    r, c = sec.row(row), sec.col(col)
    if section == "s4":
        return f"{sec.short}·{'·'.join(c.labels)}"
    if section == "s3":
        return f"{sec.short}·{r.label}（{c.label}）"
    return f"{sec.short}·{r.label}·{c.label}"


def county_changes(this: Values, last: Values) -> list[Change]:
    """The compared county figures this year against last."""
    out = []
    for section, row, col in COMPARED:
        a, b = last.get((section, row, col), 0), this.get((section, row, col), 0)
        diff = b - a
        sign = "+" if diff > 0 else "-" if diff < 0 else ""
        change = f"{sign}{number_text(abs(diff), section, col)}"
        if a and diff:
            change += f"（{diff / a:+.0%}）"
        direction = "up" if diff > 0 else "down" if diff < 0 else "same"
        out.append(
            Change(
                label_of(section, row, col),
                number_text(a, section, col),
                number_text(b, section, col),
                change,
                direction,
            )
        )
    return out


def bars_svg(rows: list[tuple[str, int]], title: str, colour: str = "#1f5fa8") -> Markup:
    """Horizontal bars, one per (label, value), largest first, the value printed at the bar's end."""
    rows = sorted(rows, key=lambda r: (-r[1], r[0]))
    top = max([v for _, v in rows] + [1])
    plot = WIDTH - LABEL_W - VALUE_W
    height = ROW_H * len(rows) + 10
    parts = [_svg_open(height, title)]
    for i, (label, value) in enumerate(rows):
        y = 5 + i * ROW_H
        w = plot * value / top
        parts.append(_label(label, y))
        parts.append(
            f'<rect class="bar" x="{LABEL_W}" y="{y + 3}" width="{w:.1f}" height="{ROW_H - 6}"'
            f' fill="{colour}" data-unit="{escape(label)}" data-value="{value}"/>'
        )
        parts.append(
            f'<text x="{LABEL_W + w + 4:.1f}" y="{y + ROW_H / 2}" dominant-baseline="middle">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_svg(figures: pd.DataFrame, title: str) -> Markup:
    """One stacked bar per unit with any outcome: the outcomes by kind, the total at the end."""
    kinds = list(OUTCOME_KINDS)
    shown = figures[figures[kinds].sum(axis=1) > 0]
    shown = shown.assign(_total=shown[kinds].sum(axis=1)).sort_values(
        ["_total"], ascending=False, kind="stable"
    )
    top = max([int(shown["_total"].max()) if len(shown) else 0, 1])
    plot = WIDTH - LABEL_W - VALUE_W
    height = ROW_H * len(shown) + 10
    parts = [_svg_open(height, title)]
    for i, (unit, rec) in enumerate(shown.iterrows()):
        y = 5 + i * ROW_H
        x = float(LABEL_W)
        parts.append(_label(str(unit), y))
        for kind, colour in zip(kinds, COLOURS, strict=True):
            value = int(rec[kind])
            if not value:
                continue
            w = plot * value / top
            parts.append(
                f'<rect class="segment" x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{ROW_H - 6}"'
                f' fill="{colour}" data-unit="{escape(str(unit))}" data-kind="{escape(kind)}"'
                f' data-value="{value}"><title>{escape(str(unit))} {escape(kind)}：{value}件</title></rect>'
            )
            x += w
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + ROW_H / 2}" dominant-baseline="middle">{int(rec["_total"])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def legend() -> list[dict]:
    return [{"kind": k, "colour": c} for k, c in zip(OUTCOME_KINDS, COLOURS, strict=True)]


def _svg_open(height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%"'
        f' role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )


def _label(text: str, y: float) -> str:
    return (
        f'<text x="{LABEL_W - 6}" y="{y + ROW_H / 2}" text-anchor="end" dominant-baseline="middle">'
        f"{escape(text)}</text>"
    )


def charts_html(
    title: str,
    year: int,
    cells: pd.DataFrame,
    this: Values,
    last: Values | None,
    last_source: str,
) -> str:
    """The charts page. `last` is last year's county figures, or None (the page then says so)."""
    figures = unit_figures(cells)
    new_label = label_of("s3", "new", "total")
    context = {
        "title": title,
        "year": year,
        "units": len(figures),
        "new_label": new_label,
        "applications": bars_svg(
            [(str(u), int(v)) for u, v in figures["new"].items()], f"各单位{new_label}"
        ),
        "outcomes": stacked_svg(figures, "各单位办理结果（按类别）"),
        "legend": legend(),
        "changes": county_changes(this, last) if last is not None else None,
        "last_year": year - 1,
        "last_source": last_source,
        "new_total": this.get(("s3", "new", "total"), 0),
    }
    return page("charts.html.j2", **context)
