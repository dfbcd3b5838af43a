"""The consistency rules of the format as pandera checks over all returns at once.

The long cell table is laid out once per table into a wide frame holding every return (a record
per file and row, or per file and column); each rule is a pandera check named by its rule id
that returns, per record, whether the rule holds. A record with an unreadable cell is not judged
here: that cell is already a `value.type` finding.
"""

from __future__ import annotations

from collections import defaultdict
from functools import partial

import numpy as np
import pandas as pd
import pandera.pandas as pa

from pipeline.format2021 import S4_GROUPS, S4_RESULTS, SECTIONS
from pipeline.ingest.values import READ_AS
from schemas.sums import Sum, sums_of

PARTS_OF_RESULT = [r for r in S4_RESULTS if r != "total"]
SWING_FACTOR = 3  # year.swing: a cell that moved by more than this factor…
SWING_MIN = {0: 10, 6: 10 * 10**6, 2: 1000 * 10**2}  # …and by more than this much (by scale)
IN_FORCE_SLACK = (1, 0.10)  # year.in_force: tolerated difference, absolute and relative


class WideTables:
    """Every return's tables laid out as wide frames: one record per (file, row) or (file, column),
    a column per other code.

    Values are floats (exact for whole numbers below 2**53), NaN where a cell is missing or could
    not be read. The files are numbered once for all tables. NOTE: the frames keep a plain
    RangeIndex with the keys as columns: pandera reports failing index labels as text, so a
    MultiIndex would come back as the string "('f', 'new')".
    """

    def __init__(self, cells: pd.DataFrame):
        self.cells = cells
        self.file_index, self.files = pd.factorize(cells["file"], sort=True)
        # NOTE: every key column is numbered once; subsetting the long table per table would copy
        # its text columns again and again
        self.section = _numbered(cells["section"], list(SECTIONS))
        self.row = _numbered(cells["row"], _ALL_ROWS)
        self.col = _numbered(cells["col"], _ALL_COLS)
        self.values = cells["value"].to_numpy(dtype="float64", na_value=np.nan)
        self._frames: dict[tuple[str, str], pd.DataFrame] = {}
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def wide(self, section: str, along: str) -> pd.DataFrame:
        key = (section, along)
        if key not in self._frames:
            self._frames[key] = self._wide(section, along)
        return self._frames[key]

    def array(self, section: str) -> tuple[np.ndarray, np.ndarray]:
        """Table `section` of every file as one array (file × row × column, in the format's
        order; NaN where a cell is missing or unreadable), and which files hold any of its cells."""
        if section not in self._arrays:
            sec = SECTIONS[section]
            rows, cols = [r.code for r in sec.rows], [c.code for c in sec.cols]
            mask = self.section == list(SECTIONS).index(section)
            ri = _position(rows, _ALL_ROWS)[self.row[mask]]
            ci = _position(cols, _ALL_COLS)[self.col[mask]]
            known = (ri >= 0) & (ci >= 0)
            grid = np.full((len(self.files), len(rows), len(cols)), np.nan)
            grid[self.file_index[mask][known], ri[known], ci[known]] = self.values[mask][known]
            present = np.zeros(len(self.files), dtype=bool)
            present[self.file_index[mask]] = True
            self._arrays[section] = grid, present
        return self._arrays[section]

    def units(self) -> np.ndarray:
        """The unit of each file (in the order of `files`)."""
        _, first = np.unique(self.file_index, return_index=True)
        return self.cells["unit"].iloc[first].to_numpy(dtype=object)

    def _wide(self, section: str, along: str) -> pd.DataFrame:
        sec = SECTIONS[section]
        rows, cols = [r.code for r in sec.rows], [c.code for c in sec.cols]
        grid = self.array(section)[0]
        if along == "col":
            grid, rows, cols = grid.transpose(0, 2, 1), cols, rows
        frame = pd.DataFrame(grid.reshape(-1, len(cols)), columns=cols)
        frame.insert(0, along, np.tile(rows, len(self.files)))
        frame.insert(0, "file", np.repeat(np.asarray(self.files, dtype=object), len(rows)))
        return frame

    def positions(self, file: str) -> np.ndarray:
        """The row positions in the long table of one file's cells."""
        if not hasattr(self, "_order"):
            self._order = np.argsort(self.file_index, kind="stable")
            self._starts = np.searchsorted(
                self.file_index[self._order], np.arange(len(self.files) + 1)
            )
        i = self.files.get_loc(file)
        return self._order[self._starts[i] : self._starts[i + 1]]


_ALL_ROWS = sorted({r.code for s in SECTIONS.values() for r in s.rows})
_ALL_COLS = sorted({c.code for s in SECTIONS.values() for c in s.cols})


def _numbered(column: pd.Series, known: list[str]) -> np.ndarray:
    """Each value's position in `known` (-1 if unknown), from one pass over the column."""
    codes, uniques = pd.factorize(column)
    lookup = np.array(
        [known.index(u) if u in known else -1 for u in uniques] + [-1], dtype=np.int64
    )
    return lookup[codes]  # NOTE: factorize marks a missing value -1, which picks the trailing -1


def _position(subset: list[str], known: list[str]) -> np.ndarray:
    """For each code of `known`, its position in `subset` (-1 if absent); index -1 maps to -1."""
    return np.array([subset.index(k) if k in subset else -1 for k in known] + [-1], dtype=np.int64)


def per_return(tables: WideTables) -> pd.DataFrame:
    """The few figures that rules across tables need, a record per file."""
    s3 = tables.wide("s3", "row")
    totals = s3.pivot(index="file", columns="row", values="total")
    wanted = ["new", "carried_in", "other_no_fee"]
    out = totals.reindex(columns=wanted)  # NOTE: stays a frame with these columns when empty
    s4 = tables.wide("s4", "row").set_index("file")
    out = out.join(s4[[f"{g}_total" for g in S4_GROUPS]], how="outer")
    s6 = tables.wide("s6", "row").set_index("file")
    return out.join(s6[["notices"]], how="outer").reset_index(names="file")


def _holds(left: pd.Series, right: pd.Series) -> pd.Series:
    """Where left equals right; unknown (a cell that could not be read) counts as holding."""
    return (left == right) | left.isna() | right.isna()


def sum_holds(rule: Sum, df: pd.DataFrame) -> pd.Series:
    """Where `rule` holds in each record of `df` (records it does not cover hold)."""
    left = df[list(rule.left)].sum(axis=1, skipna=False)
    right = df[list(rule.right)].sum(axis=1, skipna=False)
    return _holds(left, right) | ~df[rule.along].isin(rule.records)


def sum_schema(section: str, along: str) -> pa.DataFrameSchema:
    """The pandera checks of the sum rules of `section` laid out along `along` (one per rule,
    named by its check name), made from their statement in `schemas.sums`."""
    return pa.DataFrameSchema(
        checks=[
            pa.Check(partial(sum_holds, rule), name=rule.check) for rule in sums_of(section, along)
        ]
    )


def fees_notice_holds(df: pd.DataFrame) -> pd.Series:
    """Money collected needs at least one fee notice."""
    return ~((df["collected"] > 0) & (df["notices"] < 1))


def fees_amount_holds(df: pd.DataFrame) -> pd.Series:
    """No more can be collected than the notices asked for."""
    return ~(df["collected"] > df["notice_amount"])


def no_rules_made(df: pd.DataFrame) -> pd.Series:
    """County-level bodies and townships make no 规章: the `rules` row is all 0."""
    made = df[["issued", "repealed", "in_force"]].fillna(0).gt(0).any(axis=1)
    return ~(made & (df["row"] == "rules"))


def cases_have_requests(df: pd.DataFrame) -> pd.Series:
    cases = df[[f"{g}_total" for g in S4_GROUPS]].fillna(0).sum(axis=1)
    requests = df["new"].fillna(0) + df["carried_in"].fillna(0)
    return ~((cases > 0) & (requests == 0) & df["new"].notna())


def unpaid_fees_had_notices(df: pd.DataFrame) -> pd.Series:
    return ~((df["other_no_fee"] > 0) & (df["notices"] == 0))


def carried_over(df: pd.DataFrame) -> pd.Series:
    """This year's 上年结转 equals last year's 结转下年度, column by column."""
    return _holds(df["value"], df["last"])


def in_force_follows(df: pd.DataFrame) -> pd.Series:
    """This year's documents in force ≈ last year's + issued − repealed."""
    expected = df["last"] + df["issued"] - df["repealed"]
    slack = np.maximum(IN_FORCE_SLACK[0], IN_FORCE_SLACK[1] * expected.abs())
    return ((df["value"] - expected).abs() <= slack) | expected.isna() | df["value"].isna()


def steady(df: pd.DataFrame) -> pd.Series:
    """No cell moved by more than ×3 and by more than a small amount since last year."""
    high = np.maximum(df["value"], df["last"])
    low = np.minimum(df["value"], df["last"])
    moved = (high > SWING_FACTOR * low) & ((high - low) > df["min_change"])
    return ~moved.fillna(False).astype(bool)


def _read_as_not(way: str) -> pa.Check:
    """The check that no cell was read `way`, named after the finding that way makes."""
    return pa.Check(lambda s: s != way, name=READ_AS[way])


CELLS = pa.DataFrameSchema(
    # NOTE: custom checks, since pandera reports a built-in one (Check.ne) by its own name
    {
        "read_as": pa.Column(
            str,
            [
                *(_read_as_not(way) for way, rule in READ_AS.items() if rule),
                pa.Check(lambda s: ~s.isin(["blank", "nil"]), name="value.missing"),
            ],
        )
    },
)
S2_BY_ROW = pa.DataFrameSchema(checks=[pa.Check(no_rules_made, name="s2.rules_level")])
S3_BY_ROW = sum_schema("s3", "row")
S3_BY_COL = sum_schema("s3", "col")
S4_CASES = sum_schema("s4", "row")
S6_FEES = pa.DataFrameSchema(
    checks=[
        pa.Check(fees_notice_holds, name="s6.fees:notice"),
        pa.Check(fees_amount_holds, name="s6.fees:amount"),
    ]
)
PER_RETURN = pa.DataFrameSchema(
    checks=[
        pa.Check(cases_have_requests, name="s4.without_requests"),
        pa.Check(unpaid_fees_had_notices, name="s3.fee_rows"),
    ]
)
CARRY_OVER = pa.DataFrameSchema(checks=[pa.Check(carried_over, name="year.carry_over")])
IN_FORCE = pa.DataFrameSchema(checks=[pa.Check(in_force_follows, name="year.in_force")])
SWING = pa.DataFrameSchema(checks=[pa.Check(steady, name="year.swing")])


def failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> dict[str, list[int]]:
    """The index labels (integers) of the records that fail each check of `schema`, by check name."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        out: dict[str, list[int]] = defaultdict(list)
        for check, index in cases[["check", "index"]].drop_duplicates().itertuples(index=False):
            out[str(check)].append(int(index))
        return dict(out)
    return {}


# -- across years ------------------------------------------------------------------------------
def year_pairs(cells: pd.DataFrame, last: pd.DataFrame) -> pd.DataFrame:
    """Each cell beside the same unit's cell last year (units matched by code, else by name)."""
    key = ["who", "section", "row", "col"]
    this = cells.assign(who=unit_across_years(cells))[[*key, "file", "value"]]
    before = last.assign(who=unit_across_years(last))[[*key, "value"]].rename(
        columns={"value": "last"}
    )
    pairs = this.merge(before.drop_duplicates(key), on=key, how="inner")
    return pairs.assign(
        value=pairs["value"].astype("float64"),
        last=pairs["last"].astype("float64"),
    ).reset_index(drop=True)


def unit_across_years(cells: pd.DataFrame) -> pd.Series:
    """Who each cell belongs to across years: its unit's code, else its name (last year's cells
    are put under this year's units first: `pipeline.run.previous_year.UnitsAcrossYears`)."""
    return cells["unit_code"].where(cells["unit_code"] != "", cells["unit"])


def carry_over_frame(cells: pd.DataFrame, last: pd.DataFrame) -> pd.DataFrame:
    """This year's 上年结转 beside last year's 结转下年度, a record per unit and column."""
    this = cells[(cells["section"] == "s3") & (cells["row"] == "carried_in")]
    before = last[(last["section"] == "s3") & (last["row"] == "carried_out")].assign(
        row="carried_in"
    )
    return year_pairs(this, before)


def in_force_frame(tables: WideTables, last: pd.DataFrame) -> pd.DataFrame:
    """This year's documents in force beside last year's, with this year's issued and repealed."""
    cells = tables.cells
    s2 = tables.wide("s2", "row")
    s2 = s2[s2["row"].isin(["rules", "normative"])]
    pairs = year_pairs(
        cells[(cells["section"] == "s2") & (cells["col"] == "in_force")],
        last[(last["section"] == "s2") & (last["col"] == "in_force")],
    )
    return pairs.merge(s2[["file", "row", "issued", "repealed"]], on=["file", "row"], how="left")


def swing_frame(cells: pd.DataFrame, last: pd.DataFrame) -> pd.DataFrame:
    """Every cell beside last year's, with the least change worth a warning."""
    pairs = year_pairs(cells, last)
    least = {c.code: SWING_MIN[c.scale] for s in SECTIONS.values() for c in s.cols}
    return pairs.assign(min_change=pairs["col"].map(least).astype("float64"))
