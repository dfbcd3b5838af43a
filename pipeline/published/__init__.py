"""Reading published annual reports (PDF, Word/WPS, web pages, text) cell by cell, offline.

The interface:
- `read_report(path) -> PublishedReport`: one report read (never raises for a bad file);
- `ingested_cells(report)`: its cells as the project's long cell table (IngestedCells);
- `similar_findings(this, last)` / `part_similarities(this, last)`: 内容雷同 between two years;
- `RULES`: the rules this package adds to the catalog; `finding(rule, **fields)`.
"""

from pipeline.published.catalog import RULES, finding
from pipeline.published.narrative import part_similarities, similar_findings, similarity
from pipeline.published.read import CELL_COLUMNS, PublishedReport, ingested_cells, read_report

__all__ = [
    "CELL_COLUMNS",
    "RULES",
    "PublishedReport",
    "finding",
    "ingested_cells",
    "part_similarities",
    "read_report",
    "similar_findings",
    "similarity",
]
