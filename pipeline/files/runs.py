"""A stretch of a cell's text with the formatting that changes how a person reads it (raised,
lowered, struck through, unseen), as the readers of Excel, .ods, .xls and Word give it, and how
it is written out: as it looks, never run together into another number (`148` and a raised `1`
is `148¹`, not 1481)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of a cell's text, with the formatting that changes how a person reads it."""

    text: str
    position: str = ""  # "super" | "sub" | "" (on the line)
    strike: bool = False  # struck through
    unseen: bool = False  # in the colour of the cell's fill


_SUPERSCRIPT = str.maketrans("0123456789+-=() ", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ ")
_SUBSCRIPT = str.maketrans("0123456789+-=() ", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ ")
STROKE = "\u0336"  # COMBINING LONG STROKE OVERLAY: drawn through the character before it


def shown_text(run: Run) -> str:
    """A run written as it looks: superscript and subscript digits as their Unicode forms
    (`148¹`, `H₂O`; other characters as `^(…)` and `_(…)`), struck characters with a stroke
    through each (`1̶4̶8̶`)."""
    text = run.text
    if run.position:
        table, mark = (_SUPERSCRIPT, "^") if run.position == "super" else (_SUBSCRIPT, "_")
        moved = text.translate(table)
        text = (
            moved
            if all(ch != moved[i] or ch == " " for i, ch in enumerate(text))
            else (f"{mark}({text})")
        )
    if run.strike:
        text = "".join(ch + STROKE if not ch.isspace() else ch for ch in text)
    return text
