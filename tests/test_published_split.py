"""The digit splitter: consistent tables glued and split back; inconsistent ones never forced."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from pipeline.format2021 import S3, S3_OUTCOMES, S3_PARTS, S4, S4_GROUPS
from pipeline.ingest.published.split import Limits, Run, splits
from pipeline.validate.localise import equations

S3_ROWS = [r.code for r in S3.rows]
S3_COLS = [c.code for c in S3.cols]


@st.composite
def consistent_s3(draw) -> dict[tuple[str, str, str], int]:
    """A random 表三 satisfying every sum rule (small counts, many zeros, as real ones)."""
    count = st.one_of(st.just(0), st.just(0), st.integers(1, 9), st.integers(10, 120))
    v: dict[tuple[str, str, str], int] = {}
    for row in [*S3_OUTCOMES, "carried_out", "carried_in"]:
        for col in S3_PARTS:
            v["s3", row, col] = draw(count)
    for col in S3_PARTS:
        outcome = sum(v["s3", r, col] for r in S3_OUTCOMES)
        v["s3", "outcome_total", col] = outcome
        # new = outcome + carried_out − carried_in, kept ≥ 0 by lowering carried_in
        carried_in = min(v["s3", "carried_in", col], outcome + v["s3", "carried_out", col])
        v["s3", "carried_in", col] = carried_in
        v["s3", "new", col] = outcome + v["s3", "carried_out", col] - carried_in
    for row in S3_ROWS:
        v["s3", row, "total"] = sum(v["s3", row, c] for c in S3_PARTS)
    return v


def glued(values: dict, rows: list[str]) -> list[Run]:
    return [
        Run(
            row,
            tuple(("s3", row, c) for c in S3_COLS),
            "".join(str(values["s3", row, c]) for c in S3_COLS),
        )
        for row in rows
    ]


def holds(values: dict) -> bool:
    return all(e.residual(values) == 0 for e in equations() if e.cells <= values.keys())


@given(consistent_s3(), st.sets(st.sampled_from(S3_ROWS), min_size=1))
def test_glued_rows_split_back(values, rows):
    known = {k: v for k, v in values.items() if k[1] not in rows}
    result = splits(glued(values, sorted(rows)), known, equations())
    for row in rows:
        outcome = result.outcomes[row]
        truth = tuple(values["s3", row, c] for c in S3_COLS)
        assert outcome.status in ("split", "ambiguous"), outcome
        options = [outcome.values] if outcome.status == "split" else list(outcome.options)
        assert truth in options  # the true split is among those returned
        for option in options:  # every split returned satisfies the row's 总计
            assert option[-1] == sum(option[:-1])
    # taking every row's split where it is unique, the rules hold wherever they can be judged
    decided = dict(known)
    for row in rows:
        if result.outcomes[row].status == "split":
            decided.update(
                zip(glued(values, [row])[0].cells, result.outcomes[row].values, strict=True)
            )
    assert holds(decided)


@given(consistent_s3(), st.sampled_from(S3_ROWS), st.integers(1, 5))
def test_inconsistent_row_is_never_forced(values, row, bump):
    broken = dict(values)
    broken["s3", row, "total"] += bump  # the published 总计 no longer adds up
    run = glued(broken, [row])
    known = {k: v for k, v in broken.items() if k[1] != row}
    outcome = splits(run, known, equations()).outcomes[row]
    if outcome.status in ("split", "ambiguous"):
        # a split the rules admit exists (digits can hide a different table); it is never the
        # published, inconsistent one
        options = [outcome.values] if outcome.status == "split" else list(outcome.options)
        truth = tuple(broken["s3", row, c] for c in S3_COLS)
        assert truth not in options
        assert all(o[-1] == sum(o[:-1]) for o in options)
    else:
        assert outcome.status in ("impossible", "capped")


def test_cannot_split_keeps_the_digits():
    # 表四 行政复议 1 2 0 0 | 4: 1+2 ≠ 4 however the digits fall
    cells = tuple(("s4", "cases", c.code) for c in S4.cols[:5])
    outcome = splits([Run("r", cells, "12004")], {}, equations()).outcomes["r"]
    assert outcome.status == "impossible" and outcome.run.digits == "12004"


def test_two_ways_is_ambiguous():
    # 表四 行政复议 `1100011`: 11 0 0 0 11 and 1 10 0 0 11 both add up
    groups = ("upheld", "corrected", "other", "pending", "total")
    cells = tuple(("s4", "cases", f"review_{r}") for r in groups)
    outcome = splits([Run("r", cells, "1100011")], {}, equations()).outcomes["r"]
    assert outcome.status == "ambiguous"
    assert set(outcome.options) == {(11, 0, 0, 0, 11), (1, 10, 0, 0, 11)}


def test_search_is_capped():
    cells = tuple(("s4", "cases", c.code) for c in S4.cols)
    digits = "9" * 60
    outcome = splits([Run("r", cells, digits)], {}, equations(), Limits(nodes=1000)).outcomes["r"]
    assert outcome.status == "capped"


def test_split_is_fast():
    values = {("s3", r, c): 0 for r in S3_ROWS for c in S3_COLS}
    values["s3", "new", "natural"] = values["s3", "new", "total"] = 64
    values["s3", "granted", "natural"] = values["s3", "granted", "total"] = 64
    values["s3", "outcome_total", "natural"] = values["s3", "outcome_total", "total"] = 64
    runs = glued(values, S3_ROWS)
    start = time.perf_counter()
    result = splits(runs, {}, equations())
    assert time.perf_counter() - start < 1.0
    assert all(o.status == "split" for o in result.outcomes.values())
    assert S4_GROUPS  # 表四's groups are part of the same equations
