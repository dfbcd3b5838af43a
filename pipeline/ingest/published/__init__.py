"""Reading published annual reports (PDF, Word/WPS, web pages, text, workbooks) cell by cell,
offline: the text-flow and grid front ends of the one reader of the format's tables.

The interface:
- `read_report(path) -> PublishedReport`: one report read (never raises for a bad file);
- `ingested_cells(report)`: its cells as the project's long cell table (IngestedCells);
- `finding(rule, **fields)`: a finding of the catalog with a document's places (`where`,
  `issuer`, `year`).

The documents themselves are read by `pipeline.files` (one module per format); the labels by
`pipeline.ingest.vocabulary`, part 六 by `pipeline.ingest.fees`, as for returns. What the audit
does with what was read (the rules, the years compared, 内容雷同, the outputs) is
`pipeline.audit`.
"""

from pipeline.files.document import finding
from pipeline.ingest.published.read import (
    CELL_COLUMNS,
    PublishedReport,
    ingested_cells,
    read_report,
)

__all__ = ["CELL_COLUMNS", "PublishedReport", "finding", "ingested_cells", "read_report"]
