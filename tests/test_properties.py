"""Invariants, with hypothesis: what the workbook writes is read back unchanged, consistent returns
raise no error, their sum is consistent too, and a broken cell is reported in its row or column."""

import tempfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from pipeline import files
from pipeline.aggregate import as_unit_cells, county_cells
from pipeline.format2021 import S3, S4, scale
from pipeline.ingest.cells import CELL_COLUMNS
from pipeline.ingest.returns import return_read
from pipeline.render.workbook import formula_totals, template_cell, write_return
from pipeline.validate import consolidated_findings, validated_findings
from tests.strategies import consistent_return


def stored(value: object, section: str, col: str) -> int:
    return int(Decimal(str(value)).scaleb(scale(section, col)))


def cells_frame(returns: list[dict]) -> pd.DataFrame:
    """An ingested cell table for these returns, as if each came from its own file."""
    rows = [
        (
            f"单位{i}",
            f"U{i}",
            f"r{i}.xlsx",
            "表",
            template_cell(s, r, c),
            s,
            r,
            c,
            "number",
            str(v),
            "number",
            stored(v, s, c),
            "",
        )
        for i, values in enumerate(returns)
        for (s, r, c), v in values.items()
    ]
    table = pd.DataFrame(rows, columns=CELL_COLUMNS)
    return table.assign(value=pd.array(table["value"], dtype="Int64"))


def errors(findings: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    e = findings[findings["severity"] == "error"]
    return list(zip(e["rule"], e["section"], e["row"], e["col"], strict=True))


@given(values=consistent_return(), formulas=st.booleans())
def test_what_the_workbook_writes_is_read_back_unchanged(values, formulas):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.xlsx"
        write_return(path, "古县司法局", 2023, values, formulas=formulas)
        read = return_read("r.xlsx", files.read_sheets(path))
    got = {(s, r, c): (read_as, value) for _, _, s, r, c, _, _, read_as, value, _ in read.cells}
    assert got == {(s, r, c): ("number", stored(v, s, c)) for (s, r, c), v in values.items()}


@given(returns=st.lists(consistent_return(), min_size=1, max_size=6))
def test_consistent_returns_and_their_sum_pass_every_rule(returns):
    cells = cells_frame(returns)
    assert errors(validated_findings(cells)) == []
    county = county_cells(cells)
    assert errors(consolidated_findings(as_unit_cells(county))) == []
    sums = county.set_index(["section", "row", "col"])["value"]
    for key in returns[0]:
        assert sums[key] == sum(stored(r[key], key[0], key[2]) for r in returns)


TABLE_CELLS = [("s3", r.code, c.code) for r, c in S3.cells] + [
    ("s4", r.code, c.code) for r, c in S4.cells
]


@given(values=consistent_return(), key=st.sampled_from(TABLE_CELLS), delta=st.integers(1, 9))
def test_a_broken_cell_is_reported_in_its_own_row_or_column(values, key, delta):
    broken = values | {key: values[key] + delta}
    findings = validated_findings(cells_frame([broken]))
    found = errors(findings)
    assert found, f"changing {key} by {delta} went unnoticed"
    section, row, col = key
    at = template_cell(*key)
    for _rule, s, r, c, cell in found_at(findings):
        assert s == section
        if ":" in cell:  # NOTE: a finding on the rule (several cells explain it) spans the cell
            assert _within(at, cell), (key, found)
        elif section == "s3":
            assert r == row or c == col, (key, found)
        else:
            group = col.split("_")[0]
            assert c.startswith(group), (key, found)
    if (
        section == "s3"
    ):  # every s3 cell is in two equations: the changed cell is named, with its value
        named = f"【建议】{template_cell(*key)}很可能有误：改为{values[key]}可同时满足"
        suggested = findings.loc[findings["severity"] == "error", "suggestion"]
        assert all(text.startswith(named) for text in suggested), (key, suggested.tolist())


def found_at(findings):
    errors = findings[findings["severity"] == "error"]
    return list(errors[["rule", "section", "row", "col", "cell"]].itertuples(index=False))


def _within(address: str, span: str) -> bool:
    """Whether a cell address lies in a range such as `F6:J6`."""
    from pipeline.files.a1 import position

    (r, c), ((r1, c1), (r2, c2)) = position(address), map(position, span.split(":"))
    return r1 <= r <= r2 and c1 <= c <= c2


def test_every_formula_total_is_a_cell_of_the_format():
    assert all(key in TABLE_CELLS for key in formula_totals())
