"""Reading one cell under the documented policy."""

from datetime import datetime

import pytest

from pipeline.values import read_cell


@pytest.mark.parametrize(
    ("raw", "raw_type", "read_as", "value"),
    [
        (12.0, "number", "number", 12),
        (12, "number", "number", 12),
        ("12", "text", "number", 12),
        (" 12 ", "text", "number", 12),
        ("１２", "text", "number", 12),
        ("1,234", "text", "number", 1234),
        ("1，234", "text", "number", 1234),
        ("", "empty", "blank", 0),
        (None, "empty", "blank", 0),
        ("  ", "text", "blank", 0),
        ("/", "text", "nil", 0),
        ("／", "text", "nil", 0),
        ("—", "text", "nil", 0),
        ("-", "text", "nil", 0),
        ("无", "text", "nil", 0),
    ],
)
def test_counts_are_read_by_the_policy(raw, raw_type, read_as, value):
    r = read_cell(raw)
    assert (r.raw_type, r.read_as, r.value) == (raw_type, read_as, value)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("两件", "不是数字"),
        ("减少8", "不是数字"),
        (-1.0, "是负数"),
        ("-3", "是负数"),
        (2.5, "应为整数"),
        (True, "是逻辑值，不是数字"),
        (datetime(2023, 1, 1), "是日期或时间，不是数字"),
        (1e300, "数值过大（超过10,000,000,000,000）"),
        ("110101199001011234", "数值过大（超过10,000,000,000,000）"),  # an ID number pasted in
    ],
)
def test_unreadable_counts_are_errors_never_zero(raw, problem):
    r = read_cell(raw)
    assert (r.read_as, r.value, r.problem) == ("error", None, problem)


def test_text_is_kept_as_written():
    assert read_cell("１２").text == "１２"
    assert read_cell(12.0).text == "12"


@pytest.mark.parametrize(
    ("raw", "value"),
    [(0.1234, 123400), ("12.3456", 12345600), (0.0001, 100), (1e-06, 1), (456.5437, 456543700)],
)
def test_amounts_in_wanyuan_are_exact_to_the_fen(raw, value):
    assert read_cell(raw, scale=6).value == value


def test_an_amount_finer_than_a_fen_is_an_error_not_rounded():
    r = read_cell(0.0000001, scale=6)
    assert (r.read_as, r.problem) == ("error", "小数位数超过6位")


@pytest.mark.parametrize(("raw", "value"), [(0.1 + 0.2, 300000), (1999.21 / 10000, 199921)])
def test_an_amount_computed_by_a_formula_is_read_as_excel_shows_it(raw, value):
    r = read_cell(raw, scale=6)
    assert (r.read_as, r.value) == ("number", value)
