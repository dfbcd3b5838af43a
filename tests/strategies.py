"""Hypothesis strategies: returns that hold every rule of the format."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from pipeline.format2021 import S2, S3_OUTCOMES, S3_PARTS, S4_GROUPS
from pipeline.render.workbook import CellKey

RESULTS = ("upheld", "corrected", "other", "pending")
counts = st.integers(min_value=0, max_value=60)


def money(decimals: int, top: int) -> st.SearchStrategy[Decimal]:
    """An amount with at most `decimals` decimals, below `top`."""
    return st.integers(min_value=0, max_value=top * 10**decimals).map(
        lambda n: Decimal(n).scaleb(-decimals)
    )


@st.composite
def consistent_return(draw) -> dict[CellKey, object]:
    """One unit's cells, drawn so that every rule of the format holds."""
    v: dict[CellKey, object] = {}
    for row, col in S2.cells:
        v["s2", row.code, col.code] = draw(money(6, 10**7)) if col.scale else draw(counts)
    for col in S3_PARTS:
        new, carried_in = draw(st.integers(0, 15)), draw(st.integers(0, 4))
        carried_out = draw(st.integers(0, new + carried_in))
        v["s3", "new", col], v["s3", "carried_in", col], v["s3", "carried_out", col] = (
            new,
            carried_in,
            carried_out,
        )
        for outcome in S3_OUTCOMES:
            v["s3", outcome, col] = 0
        done = new + carried_in - carried_out
        for i in draw(st.lists(st.integers(0, len(S3_OUTCOMES) - 1), min_size=done, max_size=done)):
            v["s3", S3_OUTCOMES[i], col] += 1
        v["s3", "outcome_total", col] = done
    for row in ("new", "carried_in", "carried_out", "outcome_total", *S3_OUTCOMES):
        v["s3", row, "total"] = sum(v["s3", row, c] for c in S3_PARTS)
    for group in S4_GROUPS:
        parts = [draw(st.integers(0, 3)) for _ in RESULTS]
        for result, n in zip(RESULTS, parts, strict=True):
            v["s4", "cases", f"{group}_{result}"] = n
        v["s4", "cases", f"{group}_total"] = sum(parts)
    notices = draw(st.integers(0, 3))
    noticed = draw(money(2, 10**5)) if notices else Decimal(0)
    v["s6", "fees", "notices"] = notices
    v["s6", "fees", "notice_amount"] = noticed
    v["s6", "fees", "collected"] = (
        draw(st.sampled_from([Decimal(0), noticed])) if notices else Decimal(0)
    )
    return v
