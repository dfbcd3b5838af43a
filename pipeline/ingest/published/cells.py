"""A placed row's figures as cell records: read as written, queued to be split, or a finding."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from pipeline.files.document import finding
from pipeline.format2021 import SECTIONS, number_text, scale
from pipeline.ingest.published import split
from pipeline.ingest.published.layout import OTHER_TOTAL, cell_label, row_label
from pipeline.ingest.published.rows import Segment
from pipeline.ingest.values import read_cell
from pipeline.validate.localise import Cell


class CellRecord(TypedDict):
    """One cell as read: its place, its value as stored (None when unread), text, where and how."""

    section: str
    row: str
    col: str
    value: int | None
    text: str
    where: str
    read_as: str  # see READ_AS
    problem: str  # the rule that left it unread, or ""
    evidence: NotRequired[str]  # where the sentence of the text stands that decided it


# read_as of a cell whose figure is known: as printed; split by the sums; blank or `/` read as 0
# (docs/values.md); part 六 saying no fee was collected; placed at its row by the sums (its
# label lost); split or placed by a sentence of the report's text (`evidence` says where)
READ_AS = (
    "written",
    "split",
    "blank",
    "nil",
    "stated_none",
    "placed_by_sums",
    "split_by_text",
    "placed_by_text",
)


Figure = tuple[str, str, str, str]  # a figure of a row: token, text as written, where, note


def figures_of(seg: Segment, k: int) -> tuple[list[Figure], bool]:
    """A row's figures for `k` cells, and whether they are digits of one run in one line that
    ran together (to be split by the sums): blanks at a grid row's ends dropped when there are
    more cells than the row has."""
    runs_ = list(seg.runs)
    whole_cells = all(a.cell and len(a.tokens) == 1 for a in runs_)
    if whole_cells:
        # NOTE: blanks at either end of a row (an empty label cell, a trailing empty cell of an
        # extracted table) are not figures when there are more cells than the row has
        while len(runs_) > k and runs_[-1].tokens == ("",):
            runs_.pop()
        while len(runs_) > k and runs_[0].tokens == ("",):
            runs_.pop(0)
        written = [(a.tokens[0], a.text, a.where, a.note) for a in runs_]
    else:
        # NOTE: each token beside its text as written (full-width digits, separators); a run's
        # note belongs to its last token only
        written = [
            (
                t,
                a.written[i] if len(a.written) == len(a.tokens) else t,
                a.where,
                a.note if i == len(a.tokens) - 1 else "",
            )
            for a in runs_
            for i, t in enumerate(a.tokens)
        ]
    digits = "".join(t for t, *_ in written)
    # NOTE: only digits of one run in one line ran together; separate lines or cells are
    # separate figures (`0` and `13` on two lines are never split into 0 1 3)
    glued = (
        len(written) != k
        and not whole_cells
        and len(runs_) == 1
        and digits.isdigit()
        and len(digits) >= k
    )
    return written, glued


def fits(seg: Segment, k: int) -> bool:
    """Whether a run of figures can be a row of `k` cells: as many figures, or digits to split."""
    written, glued = figures_of(seg, k)
    return len(written) == k or glued


def read_row(
    code: str,
    row: str,
    cols: tuple[str, ...],
    seg: Segment,
    cells: dict[Cell, CellRecord],
    runs: list[split.Run],
    findings: list[dict[str, object]],
    placed_as: str = "",
) -> None:
    """One row's figures: as written when there are as many as its cells, else a run to split;
    `placed_as` is the `read_as` of figures placed at the row by the sums or the text."""
    section = SECTIONS[code]
    k = len(cols)
    written, glued = figures_of(seg, k)
    if len(written) == k:
        for col, (token, text, where, note) in zip(cols, written, strict=True):
            rec = _written(code, row, col, token, text, where, note, findings)
            if placed_as and rec["value"] is not None:
                rec = {**rec, "read_as": placed_as}
            cells[code, row, col] = rec
        return
    tokens = [t for t, *_ in written]
    digits = "".join(tokens)
    if glued:
        key = f"{code}:{row}"
        runs.append(split.Run(key, tuple((code, row, c) for c in cols), digits))
        for col in cols:
            cells[code, row, col] = record(
                code, row, col, None, " ".join(tokens), seg.where, "unread", "audit.cannot_split"
            )
        return
    rule = "audit.row_short" if len(written) < k else "audit.row_long"
    findings.append(
        finding(
            rule,
            section=code,
            row=row,
            where=seg.where,
            table=section.short,
            label=row_label(code, row),
            expected=k,
            count=len(written),
            texts="、".join(t or "空白" for _, t, *_ in written),
            text=" ".join(t for _, t, *_ in written),
        )
    )
    for col in cols:
        cells[code, row, col] = record(code, row, col, None, "", seg.where, "unread", rule)


def record(
    code: str,
    row: str,
    col: str,
    value: int | None,
    text: str,
    where: str,
    read_as: str,
    problem: str = "",
) -> CellRecord:
    """The record of one cell of table `code`."""
    return {
        "section": code,
        "row": row,
        "col": col,
        "value": value,
        "text": text,
        "where": where,
        "read_as": read_as,
        "problem": problem,
    }


def _written(
    code: str,
    row: str,
    col: str,
    token: str,
    text: str,
    where: str,
    note: str,
    findings: list[dict[str, object]],
) -> CellRecord:
    """A figure as written, read under the project's policy for a cell (docs/values.md)."""
    reading = read_cell(token, scale(code, col) if row != OTHER_TOTAL else 0)
    if reading.value is None:
        findings.append(
            finding(
                "audit.value_unreadable",
                section=code,
                row=row,
                col=col,
                where=where,
                table=SECTIONS[code].short,
                label=cell_label(code, row, col),
                text=text,
                reason=reading.problem,
            )
        )
        return record(code, row, col, None, text, where, "unread", "audit.value_unreadable")
    # NOTE: kept as written: a grid cell's whole text (its note in it), a token of a line of
    # text with the note written after it
    shown = text.strip() or token
    if note and note not in shown:
        shown += note
    if note:
        findings.append(
            finding(
                "audit.note_in_cell",
                section=code,
                row=row,
                col=col,
                where=where,
                table=SECTIONS[code].short,
                label=cell_label(code, row, col),
                text=shown,
                value=number_text(reading.value, code, col),
                note=note,
            )
        )
    read_as = {"number": "written", "blank": "blank", "nil": "nil"}[reading.read_as]
    return record(code, row, col, reading.value, shown, where, read_as)
