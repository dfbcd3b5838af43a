"""Figures in published text: what in a piece of text is a figure, a note or a label.

Published text is not a return: cells run together, numbering sticks to the figures before it
(`00000002.其他法律…`), spaces fall inside runs of digits, notes follow figures
(`22（其中修订 16 件）`). A piece of text (one cell or one line) becomes a sequence of `Atom`s:
text, or a run of figures as written (its tokens, split at whitespace). Whether a run is one
figure per token or digits to be split by the format's sums is decided later, per table row.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipeline.ingest.values import NIL_MARKS

# NOTE: a parenthesis right after a figure that says more than a numeral (（其中修订 16 件）) is
# that figure's note; （一）…（七） are the numbering of the next label
_NOTE = r"[(（](?![一二三四五六七八九十][)）])[^()（）]{2,60}[)）]"
_PAREN = re.compile(r"[(（][^()（）]{0,80}[)）]")
_NIL = "|".join(
    re.escape(m) for m in sorted(NIL_MARKS, key=len, reverse=True) if m not in ("无", "空")
)
# a token: digits (with a decimal part) or a nil mark standing apart
_TOKEN = rf"(?:\d+(?:\.\d+)?|(?:{_NIL})(?=\s|$))"
_RUN = re.compile(rf"{_TOKEN}(?:[ \t\u3000\xa0]+{_TOKEN})*")
_NUMBERING = re.compile(r"\d[.、,，](?=[^\d\s.,，、])")  # `2.其他…`: the numbering of a label
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
FOOTER = re.compile(
    r"^[\s\-—–－_·]*[-—–－]\s*\d{1,3}\s*[-—–－][\s\-—–－_·]*$|^\s*第\s*\d{1,3}\s*页(\s*共\s*\d+\s*页)?\s*$"
)
_CELL_NUMBER = re.compile(rf"^\s*(?P<num>\d[\d,，]*(?:\.\d+)?)\s*(?P<note>{_NOTE})?\s*$")
_WORDS_NIL = frozenset({"无", "空"})


@dataclass(frozen=True, slots=True)
class Atom:
    """A text fragment, or a run of figures as written (tokens split at whitespace)."""

    kind: str  # text | run | break
    text: str
    where: str
    tokens: tuple[str, ...] = ()
    cell: bool = False  # the run is a whole cell of a grid (never glued to another cell)
    note: str = ""  # a note written after the figure, e.g. （其中修订16件）


def normal(text: str) -> str:
    """Text as compared: NFKC (full-width → half-width), thousands separators removed."""
    return _THOUSANDS.sub("", unicodedata.normalize("NFKC", text))


def is_footer(text: str) -> bool:
    """A page footer such as `— 5 —`, `- 3 -`, `第 2 页`."""
    return bool(FOOTER.match(normal(text)))


def cell_atoms(text: str, where: str) -> list[Atom]:
    """The atoms of one grid cell: a figure (with its note), a blank or nil mark, or text."""
    t = normal(text)
    stripped = t.strip().replace("\u3000", "")
    if not stripped:
        return [Atom("run", text, where, ("",), cell=True)]
    if stripped in NIL_MARKS or stripped in _WORDS_NIL:
        return [Atom("run", text, where, (stripped,), cell=True)]
    m = _CELL_NUMBER.match(t)
    if m:
        num = m.group("num").replace(",", "").replace("，", "")
        return [Atom("run", text, where, (num,), cell=True, note=m.group("note") or "")]
    squeezed = re.sub(r"\s+", "", t)
    if re.fullmatch(r"\d+", squeezed):  # `1 0 3` in one cell: digits spaced by extraction
        return [Atom("run", text, where, tuple(t.split()), cell=True)]
    return text_atoms(text, where)


LONG_LINE = 120  # characters past which an atom's place says its character too


def text_atoms(text: str, where: str) -> list[Atom]:
    """The atoms of a line of text: text fragments and runs of figures, in order (in a long line,
    such as a whole web page saved as one line, each atom's `where` gives its character: l10:ch35)."""
    t = normal(text)
    if len(t) > LONG_LINE:
        return [
            Atom(a.kind, a.text, f"{where}:ch{start + 1}", a.tokens, a.cell, a.note)
            for a, start in _atoms_at(t, where)
        ]
    return [a for a, _ in _atoms_at(t, where)]


def _atoms_at(t: str, where: str) -> list[tuple[Atom, int]]:
    out: list[tuple[Atom, int]] = []
    protected = _protected(t)
    pos = 0
    for m in _RUN.finditer(t):
        start, end = m.span()
        if any(a <= start < b for a, b in protected):
            continue
        run = m.group(0)
        # NOTE: the last digit before `.`/`、` + a character is the numbering of the next label
        tail = _NUMBERING.match(t, end - 1) if end < len(t) else None
        if tail and run[-1].isdigit():
            run, end = run[:-1].rstrip(), end - 1
            if not run:
                continue
        if t[pos:start].strip():
            out.append((Atom("text", t[pos:start], where), pos))
        note = ""
        after = re.match(rf"\s*({_NOTE})", t[end:])
        if after:
            note = after.group(1)
            end += after.end()
        out.append((Atom("run", run, where, tuple(run.split()), note=note), start))
        pos = end
    if t[pos:].strip():
        out.append((Atom("text", t[pos:], where), pos))
    return out


def _protected(t: str) -> list[tuple[int, int]]:
    """Spans of parentheses and of `第二十条`-like references: digits there are never figures."""
    return [m.span() for m in _PAREN.finditer(t)]


def note_only(text: str) -> str:
    """The text if it is only a note in parentheses (a cell's note wrapped to the next line)."""
    t = normal(text).strip()
    return t if re.fullmatch(_NOTE, t) else ""
