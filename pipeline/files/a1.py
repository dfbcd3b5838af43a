"""A spreadsheet cell's name in A1 notation (`D12`), its 0-based (row, column), and cells named
with their sheets."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

A1 = re.compile(r"([A-Z]{1,3})([1-9]\d*)")


@cache
def a1(r: int, c: int) -> str:
    """A 0-based (row, column) as the spreadsheet names it: (11, 3) → D12."""
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{r + 1}"


def position(address: str) -> tuple[int, int]:
    """A cell's A1 name as a 0-based (row, column): D12 → (11, 3)."""
    m = A1.fullmatch(address)
    if m is None:
        raise ValueError(f"not a cell address: {address!r}")
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def by_sheet(sheets: Iterable[str], cells: Iterable[str]) -> str:
    """Cells named with their sheet, once per sheet: `表三!D6、D7；表四!A6`."""
    grouped: dict[str, list[str]] = {}
    for sheet, cell in zip(sheets, cells, strict=True):
        grouped.setdefault(sheet, []).append(cell)
    return "；".join(f"{sheet}!{'、'.join(names)}" for sheet, names in grouped.items())
