"""Reading published annual reports (PDF, Word/WPS, web pages, text) cell by cell, offline.

The interface:
- `read_report(path) -> PublishedReport`: one report read (never raises for a bad file);
- `ingested_cells(report)`: its cells as the project's long cell table (IngestedCells);
- `similar_findings(this, last)` / `part_similarities(this, last)`: 内容雷同 between two years;
- `finding(rule, **fields)`: a finding of the catalog with a document's places (`where`, `issuer`, `year`);
- `pipeline.audit.run.run_audit(paths, out)`: the whole audit (`xxgk audit`: reading, the rules,
  the years compared, the outputs written), imported from its module.

The documents themselves are read by `pipeline.files` (one module per format); the rules are in
`pipeline.problems.audit` and `pipeline.problems.narrative`.
"""

from pipeline.audit.narrative import part_similarities, similar_findings, similarity
from pipeline.audit.read import CELL_COLUMNS, PublishedReport, ingested_cells, read_report
from pipeline.files.document import finding

__all__ = [
    "CELL_COLUMNS",
    "PublishedReport",
    "finding",
    "ingested_cells",
    "part_similarities",
    "read_report",
    "similar_findings",
    "similarity",
]
