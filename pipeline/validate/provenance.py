"""Where each value of a return came from (unit, sheet, cell, text), looked up one return at a time, only for returns with findings."""

from __future__ import annotations

import pandas as pd

from pipeline.files.a1 import A1, a1, position
from pipeline.ingest.values import formula_cells
from schemas import rules


class Provenance:
    """Where each value came from: unit, sheet, cell and text, looked up one return at a time."""

    def __init__(self, tables: rules.WideTables):
        # NOTE: only returns with findings are looked up, so clean data costs nothing here
        self.tables = tables
        self._returns: dict[str, pd.DataFrame] = {}

    def _of_file(self, file: str) -> pd.DataFrame:
        if file not in self._returns:
            part = self.tables.cells.iloc[self.tables.positions(file)]
            self._returns[file] = part.set_index(["section", "row", "col"])
        return self._returns[file]

    def of(self, file: str, section: str, row: str, col: str) -> dict:
        part = self._of_file(file)
        key = (section, row, col)
        rec = part.loc[key] if key in part.index else {}
        return {
            "unit": part["unit"].iloc[0] if len(part) else "",
            "file": file,
            "sheet": rec.get("sheet", ""),
            "cell": rec.get("cell", ""),
            "section": section,
            "row": row,
            "col": col,
            "text": rec.get("text", ""),
        }

    def addresses(self, file: str) -> dict[tuple[str, str, str], str]:
        """Every cell address of one return, by (section, row, col)."""
        part = self._of_file(file)
        return dict(zip(part.index, part["cell"], strict=True))

    def value(self, file: str, section: str, row: str, col: str) -> int | None:
        """The stored value of one cell of a return (None when unread)."""
        part = self._of_file(file)
        key = (section, row, col)
        value = part.loc[key, "value"] if key in part.index else None
        return None if value is None or pd.isna(value) else int(value)

    def derived(self, file: str) -> dict[tuple[str, str, str], tuple[tuple[str, str, str], ...]]:
        """The cells of a return whose figure was worked out from their formula (saved without
        its result, or recalculated on open), each with the cells of the tables its formula adds
        up (on its own sheet): they follow their parts, and are never blamed themselves."""
        part = self._of_file(file)
        made = part[part["read_as"].isin(["derived", "recalculated", "text_in_sum"])]
        if made.empty:
            return {}
        at = {
            (s, c): key for key, s, c in zip(part.index, part["sheet"], part["cell"], strict=True)
        }
        out = {}
        for key, sheet, text in zip(made.index, made["sheet"], made["text"], strict=True):
            refs = formula_cells(str(text).lstrip("=")) or ()
            parts = (at.get((sheet, a1(r, c))) for r, c in refs)
            out[key] = tuple(p for p in parts if p is not None)
        return out

    def span(self, file: str, cells: list[tuple[str, str, str]]) -> tuple[str, str]:
        """The sheet and the range (`D6:D30`) a return's cells stand in."""
        part = self._of_file(file)
        known = [part.loc[c] for c in cells if c in part.index and part.loc[c, "cell"]]
        if not known:
            return "", ""  # NOTE: the county's consolidated cells stand on no sheet
        sheet = known[0]["sheet"]
        mine = [k["cell"] for k in known if k["sheet"] == sheet]
        if not all(A1.fullmatch(cell) for cell in mine):
            return sheet, "、".join(dict.fromkeys(mine))  # NOTE: places in a document, not a grid
        places = [position(cell) for cell in mine]
        top, left = min(r for r, _ in places), min(c for _, c in places)
        bottom, right = max(r for r, _ in places), max(c for _, c in places)
        first, last = a1(top, left), a1(bottom, right)
        return sheet, first if first == last else f"{first}:{last}"
