"""Aggregate: the county table is the exact cell-by-cell sum of the received returns."""

from decimal import Decimal

import pandas as pd

from pipeline import store
from pipeline.aggregate import county_cells, unit_table
from pipeline.format2021 import SECTIONS
from pipeline.run import run_aggregate, run_ingest, run_validate
from tests.helpers import raw_year, with_totals


def cells_of(units: dict[str, dict[tuple[str, str], int]]) -> pd.DataFrame:
    rows = [
        {"unit": u, "file": f"{u}.xlsx", "section": s, "row": r, "col": c, "value": v}
        for u, vals in units.items()
        for (s, r, c), v in vals.items()
    ]
    return pd.DataFrame(rows).astype({"value": "Int64"})


def test_every_cell_of_the_format_is_in_the_county_table_once():
    county = county_cells(cells_of({"甲": {("s3", "new", "natural"): 2}}))
    assert len(county) == sum(len(s.cells) for s in SECTIONS.values())
    assert not county.duplicated(["section", "row", "col"]).any()
    assert county.set_index(["section", "row", "col"]).loc[("s2", "rules", "issued"), "value"] == 0


def test_amounts_sum_exactly_without_floating_point_drift(tmp_path):
    # 0.1 + 0.2 is 0.30000000000000004 in floating point; ten units of 0.0001 万元 (1 元) each
    amounts = {"甲局": "0.1", "乙局": "0.2", **{f"单位{i}": "0.0001" for i in range(10)}}
    paths = raw_year(
        tmp_path,
        {u: with_totals({("s2", "fees", "amount"): Decimal(a)}) for u, a in amounts.items()},
    )
    run_ingest(paths)
    run_validate(paths)
    assert not run_aggregate(paths).blocked
    county = store.read_csv(paths.county_cells).set_index(["section", "row", "col"])
    assert county.loc[("s2", "fees", "amount"), "value"] == "0.301"


def test_the_county_table_is_the_sum_of_the_unit_tables(tmp_path):
    a = with_totals(
        {
            ("s3", "new", "natural"): 3,
            ("s3", "granted", "natural"): 3,
            ("s2", "licensing", "decisions"): 120,
        }
    )
    b = with_totals(
        {
            ("s3", "new", "legal"): 1,
            ("s3", "carried_out", "legal"): 1,
            ("s2", "licensing", "decisions"): 7,
        }
    )
    paths = raw_year(tmp_path, {"甲局": a, "乙局": b})
    run_ingest(paths)
    run_validate(paths)
    run_aggregate(paths)
    county = store.read_cells(paths.county_cells).set_index(["section", "row", "col"])["value"]
    assert county["s3", "new", "total"] == 4
    assert county["s2", "licensing", "decisions"] == 127
    assert county["s3", "carried_out", "legal"] == 1
    assert store.read_csv(paths.county_findings).empty


def test_aggregate_refuses_while_errors_stand(tmp_path):
    bad = with_totals({("s3", "new", "natural"): 1}) | {("s3", "new", "total"): 5}
    paths = raw_year(tmp_path, {"甲局": bad})
    run_ingest(paths)
    run_validate(paths)
    result = run_aggregate(paths)
    assert result.blocked and not paths.county_cells.exists()


def test_unit_tables_have_a_row_per_unit_and_row_code():
    table = unit_table(cells_of({"甲": {("s6", "fees", "notice_amount"): 15050}, "乙": {}}), "s6")
    assert table.columns.tolist() == [
        "unit",
        "file",
        "row",
        "notices",
        "notice_amount",
        "collected",
    ]
    assert table.iloc[0]["notice_amount"] == "150.5"
