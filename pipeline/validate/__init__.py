"""Validate: the long cell table → findings, one per problem, each naming its rule and its cell."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipeline.problems import findings_table
from pipeline.validate.cells import cross_table_findings, plainly_county_level, value_findings
from pipeline.validate.provenance import Provenance
from pipeline.validate.sums import rule_findings
from pipeline.validate.years import LastYear, year_findings
from schemas import rules
from schemas.tables import IngestedCells


def validated_findings(
    cells: pd.DataFrame,
    *,
    strict: bool = False,
    last: LastYear | None = None,
    tables: rules.WideTables | None = None,
    kinds: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Every problem in every return: unreadable and blank values, broken rules, and, with last
    year's cells at hand, the rules across years (`tables`: the cells already laid out; `kinds`:
    the roster's kind of each unit, which tells a body's level better than its name)."""
    IngestedCells.validate(cells, lazy=True)
    tables = tables if tables is not None else rules.WideTables(cells)
    where = Provenance(tables)
    kind = kinds or {}
    records = [
        *value_findings(cells, strict),
        *rule_findings(tables, where),
        *cross_table_findings(tables, where, lambda u: plainly_county_level(u, kind.get(u, ""))),
        *year_findings(cells, where, last),
    ]
    return findings_table(records)


def consolidated_findings(
    cells: pd.DataFrame, last: LastYear | None = None, comparable: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The rules checked again on the consolidated (全县) table, shaped like one return's cells;
    with last year's at hand, `comparable` (this year's sum over the same units) is set beside it."""
    tables = rules.WideTables(cells)
    where = Provenance(tables)
    # NOTE: the county's own table: a county is at county level
    records = [*rule_findings(tables, where), *cross_table_findings(tables, where, lambda _: True)]
    if last is not None and last.cells is not None:
        now = cells if comparable is None else comparable
        records += year_findings(now, Provenance(rules.WideTables(now)), last)
    return findings_table(records)


def has_errors(findings: pd.DataFrame) -> bool:
    return bool((findings["severity"] == "error").any()) if len(findings) else False


__all__ = ["LastYear", "consolidated_findings", "has_errors", "validated_findings"]
