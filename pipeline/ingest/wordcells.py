"""What a Word return's cell holds beyond its text makes of its reading (docs/values.md).

The text of a cell is read as Word shows it with its revisions accepted (`files/wordxml.py`);
then:
- an image, an embedded object, an equation, a chart or a text box where a figure belongs, or a
  nested table that is not one figure, is `unreadable`: the county needs the number typed;
- a revision not yet accepted or rejected that changes the figure is `revision`: the unit has
  not decided which figure it sends (one that changes nothing is read);
- text a person cannot see (hidden, or coloured like its background) is `hidden`;
- a formula field is read by the result it shows, as Word shows it (Word does not update fields
  on open); when its formula (`=SUM(LEFT)` …) can be worked out from the table and gives another
  figure, the reading is `field`, which warns with both;
- a formula field that shows no result is `unreadable`.
Part 六's fee sentence with a revision that changes its figures makes its three cells `revision`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from pipeline.files.document import Cell, Line
from pipeline.files.wordxml import Field
from pipeline.ingest.fees import fee_statement
from pipeline.ingest.values import Reading, read_cell

SHOWN = 24  # characters of a cell's text quoted in a message

_DIRECTIONS = {"LEFT": (0, -1), "RIGHT": (0, 1), "ABOVE": (-1, 0), "BELOW": (1, 0)}
_DIRECTION_NAMES = {"LEFT": "左侧", "RIGHT": "右侧", "ABOVE": "上方", "BELOW": "下方"}
_SUM = re.compile(r"=\s*SUM\s*\(\s*(LEFT|RIGHT|ABOVE|BELOW)\s*\)\s*(?:\\#.*)?", re.IGNORECASE)


def cell_reading(
    cell: Cell,
    plain: Reading,
    scale: int,
    rows: Sequence[Sequence[object]],
    at: tuple[int, int],
) -> Reading:
    """The reading of a Word cell holding more than text (`cell.shown`), given its `plain`
    reading of the text shown, on a sheet of `rows` where it stands `at` (r, c)."""
    shown = cell.shown
    if shown is None:
        return plain
    text = cell.text
    if shown.objects:
        what = "、".join(dict.fromkeys(shown.objects))
        seen = f"（其中的文字为“{_quoted(text)}”）" if text.strip() else ""
        return Reading(text, "text", "unreadable", None, f"{what}{seen}")
    nested = [t for t in shown.nested if t.strip()]
    own = text.strip() and text.strip() not in (n.strip() for n in nested)
    if nested and (own or len(nested) > 1):
        return Reading(
            text,
            "text",
            "unreadable",
            None,
            f"嵌套的表格（内容为“{'”“'.join(_quoted(t) for t in nested)}”）",
        )
    if shown.before is not None:
        before = read_cell(shown.before, scale)
        if before.value != plain.value:  # NOTE: `/` for a blank, or one error for another
            return Reading(
                text,
                "text",
                "revision",
                None,
                f"修订前为“{_quoted(shown.before)}”，修订后为“{_quoted(text)}”",
            )
    if shown.hidden.strip():
        seen = f"看得见的是“{_quoted(text)}”" if text.strip() else "看得见的部分是空白"
        return Reading(
            text,
            "text",
            "hidden",
            None,
            f"中有设为隐藏或与底色同色的文字“{_quoted(shown.hidden)}”，{seen}",
        )
    for field in shown.fields:
        if not field.instruction.startswith("="):
            continue
        if field.shown is None:
            return Reading(
                text, "text", "unreadable", None, f"Word 域“{{{field.instruction}}}”，没有显示结果"
            )
        reading = _field_reading(field, plain, scale, rows, at)
        if reading is not None:
            return reading
    return plain


def _field_reading(
    field: Field,
    plain: Reading,
    scale: int,
    rows: Sequence[Sequence[object]],
    at: tuple[int, int],
) -> Reading | None:
    """A `field` reading when the formula's own figure differs from the result shown, else None."""
    worked = field_figure(field.instruction, rows, at)
    if worked is None or plain.value is None:
        return None
    figure, used = worked
    if figure.scaleb(scale) == plain.value:
        return None
    direction = _DIRECTION_NAMES[_SUM.fullmatch(field.instruction.strip()).group(1).upper()]  # type: ignore[union-attr]
    return Reading(
        plain.text,
        plain.raw_type,
        "field",
        plain.value,
        f"是 Word 域“{{{field.instruction}}}”，显示的结果为{plain.text.strip()}，"
        f"按{direction}的{used}个格计算为{figure.normalize():f}；Word 打开文件时不更新域，"
        f"已按显示的{plain.text.strip()}读取，请选中该格按 F9 更新域后核实",
    )


def field_figure(
    instruction: str, rows: Sequence[Sequence[object]], at: tuple[int, int]
) -> tuple[Decimal, int] | None:
    """What a `=SUM(LEFT|RIGHT|ABOVE|BELOW)` field adds up to in its table, and how many cells
    it adds; None for any other formula, or when Word's versions would not agree.

    Word adds the cells holding a number next to the field's cell in that direction, passing
    blank cells before the first number and stopping at the first cell that is not a number;
    versions differ in what they do after a gap (blanks between numbers) and with cells of
    text and numbers mixed, so a number beyond the first run makes the figure unknown."""
    m = _SUM.fullmatch(instruction.strip())
    if m is None:
        return None
    dr, dc = _DIRECTIONS[m.group(1).upper()]
    figures: list[int | None] = []  # each cell's figure (10**-6), None when it is no number
    r, c = at[0] + dr, at[1] + dc
    while 0 <= r < len(rows) and 0 <= c < len(rows[r]):
        reading = read_cell(rows[r][c], 6)
        figures.append(reading.value if reading.read_as == "number" else None)
        r, c = r + dr, c + dc
    start = next((i for i, f in enumerate(figures) if f is not None), None)
    if start is None:
        return None
    end = next((i for i in range(start, len(figures)) if figures[i] is None), len(figures))
    if any(f is not None for f in figures[end:]):
        return None  # NOTE: past a gap Word's versions disagree: the figure is not known
    run = [f for f in figures[start:end] if f is not None]
    return Decimal(sum(run)).scaleb(-6), len(run)


def sentence_readings(line: Line, readings: list[Reading]) -> list[Reading]:
    """The readings of part 六's three figures taken from a sentence (`line`): each a `revision`
    when the sentence has a revision that changes its figures."""
    shown = line.shown
    if shown is None or shown.before is None:
        return readings
    if _fee_values(shown.before) == _fee_values(line.text):
        return readings
    problem = (
        f"第六部分的句子修订前为“{_quoted(shown.before, 80)}”，修订后为“{_quoted(line.text, 80)}”"
    )
    return [Reading(r.text, r.raw_type, "revision", None, problem) for r in readings]


def _fee_values(text: str) -> tuple | None:
    """The fee figures a sentence states (None where unread), None when it states none."""
    stated = fee_statement(text)
    return stated.values if stated is not None and stated.read else None


def _quoted(text: str, limit: int = SHOWN) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"
