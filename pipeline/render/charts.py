"""The analysts' charts page `charts.html`: per-unit bars of applications received and of outcomes
by kind, and the county's change from last year where last year's data is at hand, over the units
present in both years.

The bars are HTML drawn here, in one self-contained page (no script, no web font, nothing
fetched): unit names and figures are text at the page's own size, so they read as well on a
phone as on a desktop; an SVG of fixed proportions shrank them to 4 px at 390 px.
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


@dataclass(frozen=True)
class YearOnYear:
    """The county's figures this year and last over the same units, those present in both
    years (like for like), and how many units those are of how many."""

    this: Values
    last: Values
    units: int  # the units present in both years
    roster: int  # the units of this year's roster
    received: int  # the units whose returns count this year
    last_units: int  # the units with last year's data

    def statement(self, year: int) -> str:
        """What the comparison covers, as every page that shows it says it."""
        return (
            f"{self.roster}个单位中有{self.units}个两年都有数据，与上年比较只计这{self.units}个单位"
            f"（本年收到{self.received}个单位的报表，{year - 1}年有{self.last_units}个单位的数据）。"
        )


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


def bars_html(rows: list[tuple[str, int]], title: str, colour: str = "#1f5fa8") -> Markup:
    """Horizontal bars, one per (label, value), largest first, the value printed at the bar's end."""
    rows = sorted(rows, key=lambda r: (-r[1], r[0]))
    top = max([v for _, v in rows] + [1])
    items = []
    for label, value in rows:
        bar = (
            f'<span class="bar" style="width:{100 * value / top:.1f}%;background:{colour}"'
            f' data-unit="{escape(label)}" data-value="{value}"></span>'
        )
        items.append(_item(label, bar, value))
    return _chart(title, items)


def stacked_html(figures: pd.DataFrame, title: str) -> Markup:
    """One stacked bar per unit with any outcome: the outcomes by kind, the total at the end."""
    kinds = list(OUTCOME_KINDS)
    shown = figures[figures[kinds].sum(axis=1) > 0]
    shown = shown.assign(_total=shown[kinds].sum(axis=1)).sort_values(
        ["_total"], ascending=False, kind="stable"
    )
    top = max([int(shown["_total"].max()) if len(shown) else 0, 1])
    items = []
    for unit, rec in shown.iterrows():
        segments = []
        for kind, colour in zip(kinds, COLOURS, strict=True):
            value = int(rec[kind])
            if not value:
                continue
            segments.append(
                f'<span class="segment" style="width:{100 * value / top:.1f}%;background:{colour}"'
                f' data-unit="{escape(str(unit))}" data-kind="{escape(kind)}" data-value="{value}"'
                f' title="{escape(str(unit))} {escape(kind)}：{value}件"></span>'
            )
        items.append(_item(str(unit), "".join(segments), int(rec["_total"])))
    return _chart(title, items)


def _item(label: str, bars: str, value: int) -> str:
    return (
        f'<li><span class="name">{escape(label)}</span>'
        f'<span class="track">{bars}<span class="value">{value}</span></span></li>'
    )


def _chart(title: str, items: list[str]) -> Markup:
    return Markup(f'<ol class="bars" aria-label="{escape(title)}">{"".join(items)}</ol>')


def legend() -> list[dict]:
    return [{"kind": k, "colour": c} for k, c in zip(OUTCOME_KINDS, COLOURS, strict=True)]


def charts_html(
    title: str,
    year: int,
    cells: pd.DataFrame,
    this: Values,
    compared: YearOnYear | None,
    last_source: str,
    partial: str = "",
) -> str:
    """The charts page. `compared` is the county this year and last over the units present in
    both, or None (the page then says there is no last year to compare with); `partial` says
    which units this year's totals leave out, when some are."""
    figures = unit_figures(cells)
    new_label = label_of("s3", "new", "total")
    context = {
        "title": title,
        "year": year,
        "units": len(figures),
        "new_label": new_label,
        "applications": bars_html(
            [(str(u), int(v)) for u, v in figures["new"].items()], f"各单位{new_label}"
        ),
        "outcomes": stacked_html(figures, "各单位办理结果（按类别）"),
        "legend": legend(),
        "changes": county_changes(compared.this, compared.last) if compared else None,
        "compared": compared.statement(year) if compared else "",
        "partial": partial,
        "last_year": year - 1,
        "last_source": last_source,
        "new_total": this.get(("s3", "new", "total"), 0),
    }
    return page("charts.html.j2", **context)
