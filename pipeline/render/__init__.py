"""Render: the county's cell values → the report (HTML, Markdown, Word), its tables, the analysts' workbook and charts, the issues page and the feedback workbooks; and the return workbook sent to the units."""

from pipeline.render.environment import Values, page
from pipeline.render.issues import STATUS_LABELS, issues_html
from pipeline.render.narrative import (
    DEFAULT_NARRATIVES,
    NARRATIVE_PARTS,
    Amount,
    NarrativeError,
    default_narrative,
    fee_statement,
    figures,
    missing_note,
    narrative,
    narrative_blocks,
    narrative_context,
    parsed_narrative,
    partial_note,
    with_fee_statement,
)
from pipeline.render.report import (
    DRAFT_MARK,
    Report,
    report_context,
    report_html,
    report_md,
    values_of,
)
from pipeline.render.supplied import SUPPLIED_FIGURES, supplied_figures
from pipeline.render.tables import (
    layout_table,
    printed_text,
    table_html,
    table_markdown,
    table_rows,
    tidy_cells,
)

__all__ = [
    "Amount",
    "DEFAULT_NARRATIVES",
    "DRAFT_MARK",
    "NARRATIVE_PARTS",
    "NarrativeError",
    "Report",
    "STATUS_LABELS",
    "SUPPLIED_FIGURES",
    "Values",
    "printed_text",
    "default_narrative",
    "fee_statement",
    "figures",
    "issues_html",
    "layout_table",
    "missing_note",
    "partial_note",
    "narrative",
    "narrative_blocks",
    "narrative_context",
    "page",
    "parsed_narrative",
    "report_context",
    "report_html",
    "report_md",
    "supplied_figures",
    "table_html",
    "table_markdown",
    "table_rows",
    "tidy_cells",
    "values_of",
    "with_fee_statement",
]
