"""Running the stages: each stage's inputs read through the path registry, the pure stage
functions called, the products written; the CLI calls these and prints what they return."""

from pipeline.inputs import CannotStart
from pipeline.run.checks import check_inputs, check_narratives, check_outputs, unit_named
from pipeline.run.feedback_files import write_feedback
from pipeline.run.previous_year import read_last_year
from pipeline.run.products import Aggregated, Ingested, Validated, blocking
from pipeline.run.reading import read_batch, read_return, read_year
from pipeline.run.report import Options, Outcome, Writer, run_report
from pipeline.run.stages import (
    StageResult,
    document_time,
    release_memory,
    run_aggregate,
    run_ingest,
    run_render,
    run_validate,
    write_issues,
)
from pipeline.run.units import (
    DEFAULT_UNIT_NARRATIVE,
    UnitOutcome,
    run_render_all_units,
    run_render_unit,
    unit_report,
    unit_reports_table,
)
from pipeline.run.year import (
    check_new_year,
    latest_earlier,
    run_new_year,
    run_template,
    template_figures,
)

__all__ = [
    "DEFAULT_UNIT_NARRATIVE",
    "CannotStart",
    "Aggregated",
    "Ingested",
    "StageResult",
    "Validated",
    "UnitOutcome",
    "blocking",
    "check_inputs",
    "check_narratives",
    "check_outputs",
    "document_time",
    "read_last_year",
    "Options",
    "Outcome",
    "Writer",
    "run_report",
    "read_batch",
    "read_return",
    "read_year",
    "release_memory",
    "run_aggregate",
    "run_ingest",
    "run_render",
    "run_render_all_units",
    "run_render_unit",
    "run_new_year",
    "check_new_year",
    "run_template",
    "template_figures",
    "latest_earlier",
    "run_validate",
    "unit_named",
    "unit_report",
    "unit_reports_table",
    "write_feedback",
    "write_issues",
]
