"""The one definition of the format: codes, labels and layouts."""

import pytest

from pipeline.format2021 import PRINTED_SECTIONS, S3, S3_OUTCOMES, SECTIONS, number_text, printed


def test_table_three_has_the_25_rows_and_7_columns_of_the_format():
    assert len(S3.rows) == 25
    assert [c.code for c in S3.cols] == [
        "natural",
        "commercial",
        "research",
        "nonprofit",
        "legal",
        "other",
        "total",
    ]
    assert (
        S3_OUTCOMES[0] == "granted" and S3_OUTCOMES[-1] == "other_other" and len(S3_OUTCOMES) == 21
    )


def test_labels_are_printed_as_the_format_prints_them():
    assert S3.row("denied_safety").label == "3.危及“三安全一稳定”"
    assert S3.row("partial").label == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert SECTIONS["s2"].col("amount").label == "本年收费金额（单位：万元）"
    assert S3.corner == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@pytest.mark.parametrize("code", list(SECTIONS))
def test_layout_covers_its_rectangle_exactly_once(code):
    g = printed(code)
    covered = {}
    for cell in g.cells:
        for r in range(cell.r, cell.r + cell.rowspan):
            for c in range(cell.c, cell.c + cell.colspan):
                assert (r, c) not in covered, f"{code}: ({r},{c}) covered twice"
                covered[r, c] = cell
    assert set(covered) == {(r, c) for r in range(g.n_rows) for c in range(g.n_cols)}
    assert {(c.row, c.col) for c in g.cells if c.kind == "value"} == {
        (r.code, c.code) for r, c in g.section.cells
    }


def test_table_three_merges_the_group_labels_as_the_format_does():
    g = printed("s3")
    spans = {cell.text: (cell.rowspan, cell.colspan) for cell in g.cells if cell.kind != "value"}
    assert spans["三、本年度办理结果"] == (22, 1)
    assert spans["（三）不予公开"] == (8, 1)
    assert spans["（一）予以公开"] == (1, 2)
    assert spans["一、本年新收政府信息公开申请数量"] == (1, 3)
    assert spans["申请人情况"] == (1, 7)
    assert spans["法人或其他组织"] == (1, 5)
    assert spans["自然人"] == (2, 1)


def test_table_four_header_has_three_levels():
    g = printed("s4")
    spans = [(c.r, c.c, c.rowspan, c.colspan, c.text) for c in g.cells if c.kind == "header"]
    assert (0, 0, 1, 5, "行政复议") in spans
    assert (0, 5, 1, 10, "行政诉讼") in spans
    assert (1, 5, 1, 5, "未经复议直接起诉") in spans
    assert (1, 10, 1, 5, "复议后起诉") in spans
    assert (1, 0, 2, 1, "结果维持") in spans
    assert sum(1 for s in spans if s[4] == "总计") == 3


def test_the_three_printed_tables_are_parts_two_to_four():
    assert [t.part for t in PRINTED_SECTIONS] == ["二", "三", "四"]


@pytest.mark.parametrize(
    ("value", "col", "text"),
    [
        (0, "amount", "0"),
        (123400, "amount", "0.1234"),
        (10_000_000, "amount", "10"),
        (1, "amount", "0.000001"),
        (12, "issued", "12"),
    ],
)
def test_numbers_print_exactly_without_exponent(value, col, text):
    assert number_text(value, "s2", col) == text
