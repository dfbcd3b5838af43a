"""A document's flow (text lines and grid rows) as atoms, headings split out, notes attached."""

from __future__ import annotations

from dataclasses import replace

from pipeline.files.document import Document, Grid, Line
from pipeline.ingest.published import numbers
from pipeline.ingest.published.layout import HEADINGS
from pipeline.ingest.published.numbers import Atom


def atoms(doc: Document) -> list[Atom]:
    """The document's flow as atoms, headings marked (kind `heading`, text the section code)."""
    out: list[Atom] = []
    for block in doc.flow:
        if isinstance(block, Line):
            # NOTE: an empty line ends a row; a line of only a tab is a cell of text copied from
            # a web table whose content wrapped to the next line (`\t` then `0`)
            if not block.text.strip("\r\n"):
                out.append(Atom("break", "", block.where))
            elif not block.text.strip():
                continue
            elif not numbers.is_footer(block.text):
                _append(out, numbers.text_atoms(block.text, block.where, block.where))
        else:
            out.extend(grid_atoms(block))
    return out


def grid_atoms(grid: Grid) -> list[Atom]:
    """A grid's atoms, row by row, each row ended by a break; a merged cell read where it starts."""
    out: list[Atom] = []
    for r, row in enumerate(grid.rows):
        seen: set[tuple[int, int]] = set()
        cells = []
        for cell in row:
            if cell.origin in seen or cell.origin[0] < 0 or cell.origin[0] != r:
                continue  # NOTE: a merged cell is read once, where it starts
            seen.add(cell.origin)
            cells.append(numbers.cell_atoms(cell.text, cell.where, f"{grid.where}:r{r + 1}"))
        last_text = max(
            (i for i, a in enumerate(cells) if any(x.kind == "text" for x in a)), default=-1
        )
        row_atoms: list[Atom] = []
        for i, cell_atoms in enumerate(cells):
            blank = len(cell_atoms) == 1 and cell_atoms[0].tokens == ("",)
            if blank and i < last_text:
                continue  # an empty label cell, not a blank figure
            row_atoms.extend(cell_atoms)
        _append(out, row_atoms)
        out.append(Atom("break", "", f"{grid.where}:r{r + 1}"))
    return out


def _append(out: list[Atom], new: list[Atom]) -> None:
    """Append atoms, splitting headings out of text and attaching wrapped notes to figures."""
    for atom in new:
        if atom.kind != "text":
            out.append(atom)
            continue
        note = numbers.note_only(atom.text, atom.written[0] if atom.written else "")
        if note and out and out[-1].kind == "run" and not out[-1].note:
            prev = out[-1]
            out[-1] = replace(prev, note=note)
            continue
        out.extend(_headings_split(atom))


def _headings_split(atom: Atom) -> list[Atom]:
    """A text atom with each part heading in it made an atom of its own (kind `heading`)."""
    text = atom.text
    hits = sorted(
        (m.start(), m.end(), code) for code, rx in HEADINGS.items() for m in rx.finditer(text)
    )
    if not hits:
        return [atom]
    out, pos = [], 0
    for start, end, code in hits:
        if start < pos:
            continue
        if start > pos:
            out.append(Atom("text", text[pos:start], atom.where, line=atom.line))
        out.append(Atom("heading", code, atom.where, line=atom.line))
        pos = end
    if pos < len(text):
        out.append(Atom("text", text[pos:], atom.where, line=atom.line))
    return out
