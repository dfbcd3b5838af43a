"""Saying where an error probably is: one cell, an unfilled total, a split number, a misfiled type."""

from hypothesis import given
from hypothesis import strategies as st

from pipeline.format2021 import S3, S4
from pipeline.render.workbook import template_cell
from pipeline.validate.localise import equations, localised, suggestions
from tests.helpers import with_totals
from tests.strategies import consistent_return

S3_CELLS = [("s3", r.code, c.code) for r, c in S3.cells]
ADDRESS = {key: template_cell(*key) for key in S3_CELLS}
ADDRESS.update(
    {("s4", "cases", c): template_cell("s4", "cases", c) for c in ("review_total", "review_upheld")}
)


def floats(values):
    return {k: float(v) for k, v in values.items() if k[0] in ("s3", "s4")}


def test_a_consistent_return_needs_no_suggestion():
    assert (
        suggestions(
            floats(with_totals({("s3", "new", "natural"): 3, ("s3", "granted", "natural"): 3})),
            ADDRESS,
        )
        == {}
    )


def test_one_wrong_part_is_named_with_the_value_that_satisfies_row_and_column():
    values = floats(with_totals({("s3", "new", "natural"): 5, ("s3", "granted", "natural"): 5}))
    values["s3", "granted", "natural"] = 4
    found = suggestions(values, ADDRESS)
    text = f"【建议】{ADDRESS['s3', 'granted', 'natural']}很可能有误：改为5可同时满足本行合计、本列（七）总计。"
    assert found == {("s3.row_total", "granted"): text, ("s3.outcome_total", "natural"): text}


def test_a_total_left_at_zero_is_called_unfilled():
    values = floats(with_totals({("s4", "cases", "review_upheld"): 2}))
    values["s4", "cases", "review_total"] = 0
    found = suggestions(values, ADDRESS)
    assert found == {
        (
            "s4.group_total",
            "review",
        ): f"【建议】{ADDRESS['s4', 'cases', 'review_total']}很可能漏填：各项之和为2，改为2可满足本项合计。"
    }


def test_a_number_split_across_two_cells():
    values = floats(with_totals({("s3", "new", "natural"): 12, ("s3", "granted", "natural"): 12}))
    values["s3", "new", "natural"] = 1
    values["s3", "new", "commercial"] = 2
    found = suggestions(values, ADDRESS)
    a, b = ADDRESS["s3", "new", "natural"], ADDRESS["s3", "new", "commercial"]
    assert (
        found["s3.row_total", "new"]
        == f"【建议】{a}的“1”和{b}的“2”可能是同一个数“12”被分到了两格，合为一格后合计相符。"
    )


def test_a_request_counted_under_the_wrong_applicant_type():
    values = floats(
        with_totals(
            {
                ("s3", "new", "natural"): 3,
                ("s3", "new", "legal"): 1,
                ("s3", "granted", "natural"): 2,
                ("s3", "granted", "legal"): 2,
            }
        )
    )
    found = suggestions(values, ADDRESS)
    text = "【建议】“自然人”列与“法律服务机构”列的差额大小相等、方向相反（1件），而各行合计相符：可能有申请计入了错误的申请人类型。"
    assert found == {("s3.balance", "natural"): text, ("s3.balance", "legal"): text}


def test_every_cell_of_table_three_is_in_at_least_two_equations():
    for key in S3_CELLS:
        assert sum(key in e.cells for e in equations()) >= 2, key


@given(
    values=consistent_return(), key=st.sampled_from(S3_CELLS), delta=st.integers(-9, 9).filter(bool)
)
def test_any_one_changed_cell_of_table_three_is_found_with_its_true_value(values, key, delta):
    original = values[key]
    broken = floats(values) | {key: float(original + delta)}
    if broken[key] < 0:
        broken[key] = float(original + abs(delta))
    found = suggestions(broken, ADDRESS)
    assert found, "a changed cell must break a rule"
    expected = f"【建议】{ADDRESS[key]}很可能有误：改为{original}可同时满足"
    unfilled = f"【建议】{ADDRESS[key]}很可能漏填：各项之和为{original}"
    assert all(t.startswith((expected, unfilled)) for t in found.values()), (key, found)


def _recomputed(values, totals):
    """`values` with every total worked out from its parts, as a formula would."""
    out = dict(values)
    for total, parts in [*totals.items()] * 2:
        out[total] = sum(out[p] for p in parts)
    return out


def _named(text: str) -> set[str]:
    """The cell addresses a suggestion names, ranges of a column expanded."""
    import re

    out = set()
    for _first, col, top, last in re.findall(r"(([A-Z]+)(\d+))(?::[A-Z]+(\d+))?", text):
        for row in range(int(top), int(last or top) + 1):
            out.add(f"{col}{row}")
    return out


ALL_CELLS = S3_CELLS + [("s4", "cases", c.code) for c in S4.cols]
ALL_ADDRESS = {key: template_cell(*key) for key in ALL_CELLS}


@given(
    values=consistent_return(),
    key=st.sampled_from(ALL_CELLS),
    delta=st.integers(-9, 9).filter(bool),
    formulas=st.booleans(),
)
def test_one_changed_cell_is_blamed_alone_or_named_among_the_candidates(
    values, key, delta, formulas
):
    from pipeline.render.workbook import formula_totals

    totals = formula_totals() if formulas else {}
    if key in totals:
        key = totals[key][0]  # NOTE: a formula's cell is not typed in; one of its parts is
    original = values[key]
    changed = dict(values) | {
        key: original + delta if original + delta >= 0 else original + abs(delta)
    }
    broken = floats(_recomputed(changed, totals) if formulas else changed)
    found = localised(broken, ALL_ADDRESS, totals)
    if not formulas:
        assert found, "a changed cell must break a rule when the totals are typed in"
    for hint in found.values():
        if hint.cell is not None:
            assert hint.cell not in totals, "a formula's cell is never blamed"
            assert hint.value >= 0 and float(hint.value).is_integer()
    blamed = {hint.cell for hint in found.values() if hint.cell is not None}
    if blamed:
        assert blamed == {key}, (key, found)
        assert all(h.value == original for h in found.values() if h.cell == key)
        return
    for hint in found.values():
        if hint.candidates:
            assert key in hint.candidates, (key, hint)
            assert ALL_ADDRESS[key] in _named(hint.text), (key, hint.text)
            assert all(c not in totals for c in hint.candidates)


def test_a_part_changed_under_formula_totals_names_the_column_not_the_carry_over():
    from pipeline.render.workbook import formula_totals

    totals = formula_totals()
    values = with_totals({("s3", "new", "natural"): 5, ("s3", "granted", "natural"): 5})
    values["s3", "granted", "natural"] = 6
    found = localised(floats(_recomputed(values, totals)), ALL_ADDRESS, totals)
    hint = found["s3.balance", "natural"]
    assert hint.cell is None and hint.value is None, "no single cell gets 应为"
    # NOTE: the other outcomes and 结转 are 0 and would have to become -1: not candidates
    assert set(hint.candidates) == {
        ("s3", "new", "natural"),
        ("s3", "carried_in", "natural"),
        ("s3", "granted", "natural"),
    }
    assert hint.text.startswith(
        "【建议】D6:D8（共3个单元格）中任何一个单独改动都能满足本列勾稽关系"
    )
