"""The consistency rules of the format as pandera checks over all returns at once.

The long cell table is pivoted once per table into a wide frame holding every return (index
`file` plus the row or column code); each rule is a pandera check named by its rule id that
returns, per record, whether the rule holds. A record with an unreadable cell is not judged here:
that cell is already a `value.type` finding.
"""

from __future__ import annotations

from collections import defaultdict
from functools import partial

import pandas as pd
import pandera.pandas as pa

from pipeline.format2021 import S3, S3_OUTCOMES, S3_PARTS, S4, S4_GROUPS, S4_RESULTS, S6

PARTS_OF_RESULT = [r for r in S4_RESULTS if r != "total"]


def wide(cells: pd.DataFrame, section: str, along: str) -> pd.DataFrame:
    """One table of every return as a frame: a record per (file, `along` code), a column per other code.

    NOTE: kept on a plain RangeIndex: pandera reports failing index labels as text, so a
    MultiIndex would come back as the string "('f', 'new')"; an integer label comes back intact.
    """
    other = "col" if along == "row" else "row"
    sec = {"s3": S3, "s4": S4, "s6": S6}[section]
    codes = [c.code for c in sec.cols] if other == "col" else [r.code for r in sec.rows]
    part = cells.loc[cells["section"] == section, ["file", along, other, "value"]]
    frame = part.pivot(index=["file", along], columns=other, values="value")
    return frame.reindex(columns=codes).astype("Int64").reset_index()


def _holds(left: pd.Series, right: pd.Series) -> pd.Series:
    """Where left equals right; unknown (a cell that could not be read) counts as holding."""
    return (left == right).fillna(True).astype(bool)


def row_total_holds(df: pd.DataFrame) -> pd.Series:
    return _holds(df["total"], df[list(S3_PARTS)].sum(axis=1, skipna=False))


def outcome_total_holds(df: pd.DataFrame) -> pd.Series:
    return _holds(df["outcome_total"], df[list(S3_OUTCOMES)].sum(axis=1, skipna=False))


def balance_holds(df: pd.DataFrame) -> pd.Series:
    return _holds(df["new"] + df["carried_in"], df["outcome_total"] + df["carried_out"])


def group_total_holds(group: str, df: pd.DataFrame) -> pd.Series:
    parts = [f"{group}_{r}" for r in PARTS_OF_RESULT]
    return _holds(df[f"{group}_total"], df[parts].sum(axis=1, skipna=False))


def fees_notice_holds(df: pd.DataFrame) -> pd.Series:
    """Money collected needs at least one fee notice."""
    return ~((df["collected"] > 0) & (df["notices"] < 1)).fillna(False).astype(bool)


def fees_amount_holds(df: pd.DataFrame) -> pd.Series:
    """No more can be collected than the notices asked for."""
    return ~(df["collected"] > df["notice_amount"]).fillna(False).astype(bool)


CELLS = pa.DataFrameSchema(
    # NOTE: a custom check, since pandera reports a built-in one (Check.ne) by its own name
    {"read_as": pa.Column(str, pa.Check(lambda s: s != "error", name="value.type"))},
)
S3_BY_ROW = pa.DataFrameSchema(checks=[pa.Check(row_total_holds, name="s3.row_total")])
S3_BY_COL = pa.DataFrameSchema(
    checks=[
        pa.Check(outcome_total_holds, name="s3.outcome_total"),
        pa.Check(balance_holds, name="s3.balance"),
    ]
)
S4_CASES = pa.DataFrameSchema(
    checks=[pa.Check(partial(group_total_holds, g), name=f"s4.group_total:{g}") for g in S4_GROUPS]
)
S6_FEES = pa.DataFrameSchema(
    checks=[
        pa.Check(fees_notice_holds, name="s6.fees:notice"),
        pa.Check(fees_amount_holds, name="s6.fees:amount"),
    ]
)


def failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> dict[str, list[int]]:
    """The index labels (integers) of the records that fail each check of `schema`, by check name."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        out: dict[str, list] = defaultdict(list)
        for check, index in cases[["check", "index"]].drop_duplicates().itertuples(index=False):
            out[str(check)].append(int(index))
        return dict(out)
    return {}
