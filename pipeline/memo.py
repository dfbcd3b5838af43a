"""The memo of one run: what is worked out once per layout of sheet (where a table stands, what a
sheet's text says) or once per distinct value (how a cell reads), kept for the run and dropped
with it.

NOTE: a province's returns are made from a handful of templates, so most of what reading works
out is the same from one return to the next. One object holds every such table, with one policy:
each table keeps at most `limit` entries and lets go of its oldest when full. Hits and misses are
counted per table, so a test can see a layout's work done once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

V = TypeVar("V")

LIMIT = 10_000  # entries per table: far more layouts than a province sends, a few MB at most

# the tables of a run, by what they hold
TABLE_NAMES = (
    "facts",  # ingest.plan: what a sheet's text says (titles, old-format tells, label counts)
    "sections",  # ingest.plan: where a table's cells are on a sheet, as a plan lists them
    "joins",  # ingest.plan: the cells of a layout's tables, joined once
    "sentences",  # ingest.plan: the part 六 fee figures stated in a sheet's sentence
    "layouts",  # ingest.locate: where a table's rows and headers are on a sheet
    "resolved",  # ingest.locate: a table placed at its figure row
    "fields",  # ingest.sheet: where a cover field (填报单位：…) stands
    "readings",  # ingest.values: how a raw value reads, per type, value and scale
    "sheet_lists",  # files.xlsx: the sheets a workbook lists, per workbook.xml
    "styles",  # files.xlsx: what each cell format does to a cell's text, per styles part and theme
    "formulas",  # ingest.values: a formula's expression, per formula text
)


class Memo:
    """The caches of one run, by table name (see TABLE_NAMES), each bounded, with hit counts."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self.tables: dict[str, dict[Hashable, Any]] = {name: {} for name in TABLE_NAMES}
        self.hits: Counter[str] = Counter()
        self.misses: Counter[str] = Counter()

    def get(self, table: str, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept for `key` in `table`, made (and kept) when there is none."""
        kept = self.tables[table]
        try:
            value: V = kept[key]
        except KeyError:
            self.misses[table] += 1
            value = make()
            self.put(table, key, value)
            return value
        self.hits[table] += 1
        return value

    def put(self, table: str, key: Hashable, value: Any) -> None:
        """Keep `value` for `key`, letting go of the table's oldest entry when it is full."""
        kept = self.tables[table]
        if len(kept) >= self.limit and key not in kept:
            del kept[next(iter(kept))]
        kept[key] = value

    def table(self, name: str) -> dict[Hashable, Any]:
        """One table itself, for a loop that looks up every cell (its hits are not counted)."""
        return self.tables[name]
