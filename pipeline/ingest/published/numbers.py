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
    note: str = ""  # a note written after the figure, as written, e.g. （其中修订16件）
    # the tokens of a run, or the text of a text atom, as written (before NFKC): `text` and
    # `tokens` are what is compared, these what is kept for the record
    written: tuple[str, ...] = ()
    line: str = ""  # the line or grid row it stands in (`l12`, `t2:r5`): what one row holds


def _mapped(text: str) -> tuple[str, list[int] | None]:
    """The text as compared (`normal`) and, for each of its characters and one past its end,
    where it stands in `text` (None when NFKC joins characters, so that no map is exact)."""
    pieces = [unicodedata.normalize("NFKC", ch) for ch in text]
    joined = "".join(pieces)
    if joined != unicodedata.normalize("NFKC", text):
        return normal(text), None
    index = [i for i, piece in enumerate(pieces) for _ in piece]
    dropped = {m.start() for m in _THOUSANDS.finditer(joined)}
    if dropped:
        joined = "".join(ch for i, ch in enumerate(joined) if i not in dropped)
        index = [x for i, x in enumerate(index) if i not in dropped]
    return joined, [*index, len(text)]


def _as_written(text: str, index: list[int] | None, start: int, end: int, compared: str) -> str:
    """The part of `text` that reads `compared` (its span start:end in the compared text)."""
    if index is None:
        return compared
    return text[index[start] : index[end]]


def normal(text: str) -> str:
    """Text as compared: NFKC (full-width → half-width), thousands separators removed."""
    return _THOUSANDS.sub("", unicodedata.normalize("NFKC", text))


def is_footer(text: str) -> bool:
    """A page footer such as `— 5 —`, `- 3 -`, `第 2 页`."""
    return bool(FOOTER.match(normal(text)))


def cell_atoms(text: str, where: str, line: str = "") -> list[Atom]:
    """The atoms of one grid cell (in grid row `line`): a figure (with its note), a blank or nil
    mark, or text."""
    t = normal(text)
    stripped = t.strip().replace("\u3000", "")
    if not stripped:
        return [Atom("run", text, where, ("",), cell=True, line=line)]
    if stripped in NIL_MARKS or stripped in _WORDS_NIL:
        return [Atom("run", text, where, (stripped,), cell=True, line=line)]
    m = _CELL_NUMBER.match(t)
    if m:
        num = m.group("num").replace(",", "").replace("，", "")
        note = m.group("note") or ""
        if note:
            # NOTE: the note as written; the cell's NFKC text holds as many characters as the
            # cell unless thousands separators or joined characters changed it
            mapped, index = _mapped(text)
            start, end = m.span("note")
            note = _as_written(text, index, start, end, note) if mapped == t else note
        return [Atom("run", text, where, (num,), cell=True, note=note, line=line)]
    squeezed = re.sub(r"\s+", "", t)
    if re.fullmatch(r"\d+", squeezed):  # `1 0 3` in one cell: digits spaced by extraction
        return [Atom("run", text, where, tuple(t.split()), cell=True, line=line)]
    return text_atoms(text, where, line)


LONG_LINE = 120  # characters past which an atom's place says its character too


def text_atoms(text: str, where: str, line: str = "") -> list[Atom]:
    """The atoms of a line of text: text fragments and runs of figures, in order (in a long line,
    such as a whole web page saved as one line, each atom's `where` gives its character: l10:ch35)."""
    t, index = _mapped(text)
    if len(t) > LONG_LINE:
        return [
            Atom(
                a.kind, a.text, f"{where}:ch{start + 1}", a.tokens, a.cell, a.note, a.written, line
            )
            for a, start in _atoms_at(t, where, text, index, line)
        ]
    return [a for a, _ in _atoms_at(t, where, text, index, line)]


def _atoms_at(
    t: str, where: str, text: str = "", index: list[int] | None = None, line: str = ""
) -> list[tuple[Atom, int]]:
    """The atoms of the compared text `t` with where each starts in it; what they keep as
    written is taken from `text` through `index` (see `_mapped`)."""
    out: list[tuple[Atom, int]] = []

    def written(start: int, end: int) -> str:
        return _as_written(text, index, start, end, t[start:end])

    def text_atom(start: int, end: int) -> tuple[Atom, int]:
        return Atom("text", t[start:end], where, written=(written(start, end),), line=line), start

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
            out.append(text_atom(pos, start))
        tokens = [
            (m.group(0), start + m.start(), start + m.end()) for m in re.finditer(r"\S+", run)
        ]
        note = ""
        after = re.match(rf"\s*({_NOTE})", t[end:])
        if after:
            note = written(end + after.start(1), end + after.end(1))
            end += after.end()
        out.append(
            (
                Atom(
                    "run",
                    run,
                    where,
                    tuple(tok for tok, _, _ in tokens),
                    note=note,
                    written=tuple(written(a, b) for _, a, b in tokens),
                    line=line,
                ),
                start,
            )
        )
        pos = end
    if t[pos:].strip():
        out.append(text_atom(pos, len(t)))
    return out


def _protected(t: str) -> list[tuple[int, int]]:
    """Spans of parentheses and of `第二十条`-like references: digits there are never figures."""
    return [m.span() for m in _PAREN.finditer(t)]


def note_only(text: str, written: str = "") -> str:
    """The text if it is only a note in parentheses (a cell's note wrapped to the next line), as
    written (`written`, else as compared)."""
    t = normal(text).strip()
    return (written.strip() or t) if re.fullmatch(_NOTE, t) else ""
