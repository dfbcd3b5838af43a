"""Reading one cell under the documented policy."""

from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.ingest.values import read_cell


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
        ("两件", "是汉字数字，请填写阿拉伯数字"),
        ("减少8", "除数字外还有其他文字（如单位、说明），请只填写一个数字，说明写在报告文字中"),
        ("未统计", "不是数字"),
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


# -- a number in a return is written as a number (issue: digits glued together) ----------------
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1 48", "数字中间有空格，无法确定是一个数还是几个数，请只填写一个数"),
        ("3　56", "数字中间有空格，无法确定是一个数还是几个数，请只填写一个数"),
        ("148¹", "含有上标、带圈等特殊数字字符（“¹”），请只用阿拉伯数字填写一个数"),
        ("②①", "含有上标、带圈等特殊数字字符（“②①”），请只用阿拉伯数字填写一个数"),
        ("⑴", "含有上标、带圈等特殊数字字符（“⑴”），请只用阿拉伯数字填写一个数"),
        ("一百二十", "是汉字数字，请填写阿拉伯数字"),
        (
            "22（其中修订16件）",
            "除数字外还有其他文字（如单位、说明），请只填写一个数字，说明写在报告文字中",
        ),
        ("12件", "除数字外还有其他文字（如单位、说明），请只填写一个数字，说明写在报告文字中"),
        ("1,23", "千分位分隔符或小数点的写法不对，请只填写一个数"),
        ("1234,567", "千分位分隔符或小数点的写法不对，请只填写一个数"),
        ("1.2.3", "千分位分隔符或小数点的写法不对，请只填写一个数"),
        ("12.0", "应为整数（计数不写小数点）"),
        ("#N/A", "是错误值“#N/A”，不是数字"),
        ("Err:502", "是错误值“Err:502”，不是数字"),
    ],
)
def test_a_count_written_otherwise_than_as_one_number_is_an_error_saying_why(text, problem):
    r = read_cell(text)
    assert (r.read_as, r.value, r.problem, r.text) == ("error", None, problem, text)


@pytest.mark.parametrize(
    ("text", "scale", "value"),
    [
        ("12,345,678", 0, 12345678),
        ("１，２３４", 0, 1234),
        ("'56", 0, 56),
        ("\u300012\u3000", 0, 12),
        ("007", 0, 7),
        ("1,234.5", 2, 123450),
        ("0．5", 6, 500000),
    ],
)
def test_the_documented_forms_of_a_number_are_read_exactly(text, scale, value):
    r = read_cell(text, scale)
    assert (r.read_as, r.value) == ("number", value)


def test_an_error_value_a_file_marks_is_an_error_never_blank():
    from pipeline.ingest.values import error_value

    r = error_value("#DIV/0!")
    assert (r.raw_type, r.read_as, r.value, r.problem) == (
        "error",
        "error",
        None,
        "公式结果为错误值 #DIV/0!",
    )


_FULL = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


@st.composite
def written_numbers(draw):
    """A count or amount and a text a clerk may write for it: well-formed (the documented forms)
    or malformed (spaces inside, superscripts, circled digits, a note, wrong grouping)."""
    scale = draw(st.sampled_from([0, 2, 6]))
    whole = draw(st.integers(0, 10**7))
    fraction = draw(st.integers(0, 10**scale - 1)) if scale else 0
    digits = str(whole)
    if draw(st.booleans()):
        digits = f"{whole:,}"
    text = digits + (f".{fraction:0{scale}d}".rstrip("0").rstrip(".") if fraction else "")
    if draw(st.booleans()):
        text = text.translate(_FULL)
    intended = Decimal(whole) + (Decimal(fraction).scaleb(-scale) if scale else 0)
    damage = draw(st.sampled_from(["none", "space", "superscript", "circled", "note", "group"]))
    if damage == "space" and len(text) > 1:
        i = draw(st.integers(1, len(text) - 1))
        text = text[:i] + draw(st.sampled_from([" ", "\u3000", "  "])) + text[i:]
    elif damage == "superscript":
        text += draw(st.sampled_from("¹²³⁴"))
    elif damage == "circled":
        text = draw(st.sampled_from("①②③⑩⑴")) + text
    elif damage == "note":
        text += draw(st.sampled_from(["件", "（其中修订16件）", "(含2件)", "万元"]))
    elif damage == "group" and "," not in text and len(text) >= 4:
        text = text[:-2] + "," + text[-2:]
    else:
        damage = "none"
    pad = draw(st.sampled_from(["", " ", "\u3000", "'"]))
    return (
        (pad if pad != "'" else "'") + text + (pad if pad != "'" else ""),
        scale,
        intended,
        damage,
    )


@given(written_numbers())
def test_reading_gives_the_intended_number_or_an_error_never_another_number(case):
    text, scale, intended, damage = case
    r = read_cell(text, scale)
    if r.read_as == "number":
        assert Decimal(r.value).scaleb(-scale) == intended, (text, r)
    else:
        assert r.read_as == "error" and r.value is None, (text, r)
    if damage != "none" and any(ch.isdigit() for ch in text):
        assert r.read_as == "error", (text, r)
    if damage == "none" and intended.scaleb(scale) <= 10**13:
        assert r.read_as == "number", (text, r)
