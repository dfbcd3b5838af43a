"""Every layout departments really send (issue 12) is read exactly, or the return gets a finding
naming what could not be placed; ambiguous placements are reported, never picked; similar
labels are read and reported."""

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.ingest.fees import fee_sentence
from pipeline.ingest.locate import locate
from pipeline.ingest.register import ingested
from pipeline.ingest.returns import return_read
from pipeline.ingest.sheet import SheetIndex
from pipeline.ingest.vocabulary import segments
from pipeline.run import read_return
from pipeline.validate.strict import strict_findings
from scripts.messy import figures, write_xls, write_xlsxwriter
from tests.layouts import (
    AMBIGUOUS,
    CLASSES,
    COMBINED,
    Layout,
    book,
    expected,
    grids,
    misspelt_label,
    variant_label,
)
from tests.strategies import consistent_return

UNITS = pd.DataFrame({"code": ["A"], "name": ["古县司法局"], "kind": ["部门"], "aliases": [""]})
ALL = {**CLASSES, **COMBINED}


def read_of(layout: Layout, values, tmp: Path | None = None, name: str = "r"):
    """One return of `layout` read back: from an .xlsx file when `tmp` is given, else from the
    grids calamine would give."""
    sheets = book(layout, values)
    if tmp is None:
        return return_read(f"{name}.xlsx", grids(sheets))
    path = tmp / f"{name}.xlsx"
    write_xlsxwriter(path, sheets)
    return read_return(path, path.name)


def cells_of(read) -> dict:
    return {(s, r, c): value for _, _, s, r, c, _, _, _, value, _ in read.cells}


def findings_of(read) -> pd.DataFrame:
    return ingested([read], UNITS, 2023)[2]


@pytest.mark.parametrize("name", list(ALL))
def test_every_class_of_layout_is_read_exactly(tmp_path, name):
    layout = ALL[name]
    values = figures(7)
    want = expected(layout, values)
    read = read_of(layout, values, tmp_path, name)
    assert cells_of(read) == want.cells
    found = findings_of(read)
    assert want.rules <= set(found["rule"]), found["message"].tolist()
    errors = found[found["severity"] == "error"]
    assert set(errors["rule"]) <= want.rules, errors["message"].tolist()
    if want.missing:
        named = found.loc[found["rule"] == "file.cell_missing", "message"]
        assert all(any(label in m for m in named) for label in want.missing)


@pytest.mark.parametrize("name", list(AMBIGUOUS))
def test_a_table_placed_two_ways_alike_is_an_error_naming_both_never_a_pick(tmp_path, name):
    layout = AMBIGUOUS[name]
    read = read_of(layout, figures(3), tmp_path, name)
    assert not [c for c in read.cells if c[2] == layout.twice]
    found = findings_of(read)
    ambiguous = found[found["rule"] == "label.ambiguous"]
    assert len(ambiguous) == 1 and ambiguous["severity"].iloc[0] == "error"
    message = ambiguous["message"].iloc[0]
    assert message.count(":") == 2, message  # two placements, each a range A1:B2
    assert "file.table_missing" not in set(found["rule"])


def test_a_misspelt_label_is_read_as_the_one_it_resembles_and_reported(tmp_path):
    read = read_of(CLASSES["标签错字"], figures(5), tmp_path)
    found = findings_of(read)
    similar = found[found["rule"] == "label.similar"]
    assert similar[["text", "expected", "severity"]].values.tolist() == [
        ["2.其他法律行政止公开", "2.其他法律行政法规禁止公开", "warning"]
    ]
    assert similar["cell"].iloc[0] and "相似度85.7" in similar["message"].iloc[0]
    assert [f["severity"] for f in strict_findings(similar.to_dict("records"))] == ["error"]


def test_how_each_cell_was_matched_is_in_the_cell_table(tmp_path):
    reads = [
        read_of(CLASSES["标签错字"], figures(1), tmp_path, "a"),
        read_of(CLASSES["表四只有结果标签"], figures(2), tmp_path, "b"),
        read_of(CLASSES["信息处理费为文字"], figures(3), tmp_path, "c"),
    ]
    cells = ingested(reads, UNITS, 2023)[0].set_index(["file", "section", "row", "col"])
    matched = cells["matched"]
    assert matched["a.xlsx", "s3", "denied_law", "natural"] == "similar/exact"
    assert matched["a.xlsx", "s3", "new", "natural"] == "exact/exact"
    assert matched["b.xlsx", "s4", "cases", "after_total"] == "position/position"
    assert matched["c.xlsx", "s6", "fees", "collected"] == "sentence/sentence"
    assert cells.loc[("c.xlsx", "s6", "fees", "notice_amount"), "value"] == 15050


def test_one_row_other_is_three_missing_rows_with_its_figure_kept_not_an_old_format(tmp_path):
    values = figures(4) | {
        ("s3", "other_no_correction", "natural"): 2,
        ("s3", "other_other", "natural"): 1,
        ("s3", "other_other", "total"): 1,
    }
    read = read_of(CLASSES["其他处理只有一行"], values, tmp_path)
    assert read.old_format == ()
    found = findings_of(read)
    missing = found[found["rule"] == "file.cell_missing"]
    assert sorted(missing["message"]) == sorted(
        f"古县司法局报送的文件“r.xlsx”中，表三找不到“{label}”。"
        for label in (
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "3.其他",
        )
    )
    assert set(missing["text"]) == {
        "（六）其他处理：自然人3，商业企业0，科研机构0，社会公益组织0，法律服务机构0，其他0，总计1"
    }
    assert set(missing["sheet"]) == {"Sheet1"} and set(missing["cell"]) == {"D43:J43"}


def test_a_return_without_fee_figures_is_a_warning_not_a_missing_table(tmp_path):
    read = read_of(CLASSES["未填报信息处理费"], figures(6), tmp_path)
    found = findings_of(read)
    assert "file.table_missing" not in set(found["rule"])
    unreported = found[found["rule"] == "s6.unreported"]
    assert unreported["severity"].tolist() == ["warning"]
    assert [f["severity"] for f in strict_findings(unreported.to_dict("records"))] == ["error"]


def test_two_sentences_stating_different_fees_give_none():
    texts = [
        (1, 0, "发出收费通知1件，金额5元，实际收取5元"),
        (3, 0, "发出收费通知2件，金额5元，实际收取5元"),
    ]
    assert fee_sentence(texts) is None
    assert fee_sentence(texts[:1]).at == (1, 0)


@pytest.mark.parametrize("suffix, writer", [(".et", write_xlsxwriter), (".ett", write_xls)])
def test_wps_files_are_read_by_what_they_contain(tmp_path, suffix, writer):
    values = figures(8)
    layout = Layout()
    path = tmp_path / f"古县司法局{suffix}"
    writer(path, book(layout, values))
    read = read_return(path, path.name)
    assert not read.error and cells_of(read) == expected(layout, values).cells


WPS_SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "real" / "WPS保存的工作簿示例.xlsx"


@pytest.mark.skipif(not WPS_SAMPLE.exists(), reason="shared/real 不在本仓库旁")
def test_a_workbook_saved_by_wps_opens_like_any_other():
    read = read_return(WPS_SAMPLE, WPS_SAMPLE.name)
    assert not read.error and read.sheets >= 1


def test_labels_are_read_whatever_their_numbering_grouping_and_typing():
    def codes(text):
        return [sorted({m.code for m in s.meanings}) for s in segments(text)]

    assert codes("三、本年度办理结果（三）不予公开1.属于国家秘密")[-1] == ["denied_secret"]
    assert codes("属于国家秘密") == [["denied_secret"]]
    assert codes("行政诉讼（复议后起诉）") == [["suit"], ["after"]]
    assert codes("（四）无\n法提供") == [[segments("（四）无法提供")[0].meanings[0].code]]
    assert segments("其他法律行政止公开")[0].how == "similar"
    assert segments("本年结转政府信息公开申请数量") == ()  # halfway between two labels: no guess
    assert segments("规章") and segments("规则") == ()
    assert segments("12") == segments("注：本表数据截至12月31日。") == ()


def test_a_layout_is_remembered_but_tables_without_row_labels_follow_the_values():
    layout = Layout(s4="leaf")
    a, b = figures(1), figures(2)
    first = read_of(layout, a)
    second = read_of(layout, b)
    assert cells_of(first) == expected(layout, a).cells
    assert cells_of(second) == expected(layout, b).cells
    sheets = grids(book(layout, a))
    index = SheetIndex(sheets["Sheet1"])
    assert locate(index, __import__("pipeline.format2021").format2021.S4).score == 1


FAMILIES = [*ALL.values(), *AMBIGUOUS.values()]


@given(
    layout=st.sampled_from(FAMILIES),
    values=consistent_return(),
    gap=st.integers(0, 3),
    left=st.integers(0, 2),
    label=st.sampled_from([None, variant_label, misspelt_label]),
    one_sheet=st.booleans(),
)
def test_every_cell_comes_back_exactly_or_a_finding_names_it(
    layout, values, gap, left, label, one_sheet
):
    changes = {"gap": gap, "left": left, "one_sheet": one_sheet or bool(layout.twice)}
    layout = Layout(**{**layout.__dict__, **changes, "label": label or layout.label})
    want = expected(layout, values)
    read = read_of(layout, values)
    got = cells_of(read)
    wrong = {k: (v, want.cells.get(k)) for k, v in got.items() if want.cells.get(k) != v}
    assert not wrong, wrong  # NOTE: never a wrong figure
    lost = set(want.cells) - set(got)
    if lost:
        found = findings_of(read)
        named = found[
            found["rule"].isin(["file.cell_missing", "file.table_missing", "label.ambiguous"])
        ]
        assert not named.empty, (layout.name, sorted(lost)[:5])


def test_a_return_kept_twice_on_two_sheets_is_read_from_neither(tmp_path):
    """Last year's sheet kept beside this year's: either would be a pick, so both are named;
    a table whose two copies agree (the fee figures here) is read once, with a note."""
    this, last = book(Layout(), figures(1)), book(Layout(), figures(2))
    this[0].name, last[0].name = "2023年", "2022年"
    path = tmp_path / "r.xlsx"
    write_xlsxwriter(path, [*this, *last])
    read = read_return(path, path.name)
    assert {(c[0], c[2]) for c in read.cells} == {("2023年", "s6")}
    found = findings_of(read)
    twice = found[found["rule"] == "file.table_twice"]
    assert set(twice["section"]) == {"s2", "s3", "s4"}
    assert all("“2023年”、“2022年”" in m for m in twice["message"])
    same = found[found["rule"] == "file.table_twice_same"]
    assert same["section"].tolist() == ["s6"]


def test_the_kind_of_a_workbook_is_told_by_its_bytes(tmp_path):
    from pipeline.files.kinds import workbook_kind
    from scripts.messy import write_ods

    sheets = book(Layout(), figures(1))
    for suffix, writer, kind in [
        (".et", write_xlsxwriter, "xlsx"),
        (".ett", write_xls, "xls"),
        (".et", write_ods, "ods"),
    ]:
        path = tmp_path / f"r{kind}{suffix}"
        writer(path, sheets)
        assert workbook_kind(path.read_bytes()) == kind
    assert workbook_kind(b"PK\x03\x04 a Word document") is None
    assert workbook_kind(b"") is None
    if WPS_SAMPLE.exists():
        assert workbook_kind(WPS_SAMPLE.read_bytes()) == "xlsx"


def test_an_empty_table_four_never_reads_the_figures_of_the_table_below():
    layout = Layout(s4="leaf", order=("s2", "s3", "s4", "s6"), gap=1)
    values = figures(9) | {k: "" for k in figures(9) if k[0] == "s4"}
    read = read_of(layout, values)
    s4 = [c for c in read.cells if c[2] == "s4"]
    assert {c[7] for c in s4} == {"blank"}
