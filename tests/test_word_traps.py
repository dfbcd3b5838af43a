"""What a reader of a Word return cannot see is never a 0 (issue 19): figures in revisions,
content controls, fields, nested tables, objects and hidden text, and a table split in two by a
page break, built at test time on the format's WPS template."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline import store
from pipeline.cli import app
from pipeline.files.docx import read_docx
from pipeline.run.reading import read_return
from tests.helpers import command_line, raw_year, with_totals
from tests.strategies import consistent_return
from tests.wordreturns import (
    BLOCK_SHOWN,
    INLINE_SHOWN,
    PLACES,
    apply_block,
    cell_at,
    complex_field,
    embedded_object,
    equation,
    filled,
    image,
    inline_control,
    moved,
    nested_table,
    revised,
    row_control,
    run,
    set_runs,
    stored,
    table_control,
    text_box,
    written,
    xml,
)

runner = CliRunner()
UNIT = "古县公安局"
LICENSING = ("s2", "licensing", "decisions")


def _reading(path: Path) -> dict[tuple[str, str, str], tuple]:
    """(section, row, col) → (sheet, cell, read_as, value, problem) of a Word return read."""
    read = return_of(path)
    assert not read.error, read.error
    return {(c[2], c[3], c[4]): (c[0], c[1], c[7], c[8], c[9]) for c in read.cells}


def return_of(path: Path):
    return read_return(path, f"returns/{path.name}")


# -- (a) figures in Word's constructs: read as Word shows them, or the finding they call for --------
UNSEEN = ("image", "image_beside", "text_box", "object", "equation", "nested_two")
REVISED = ("revised", "moved", "inserted")
HIDDEN = ("vanish", "white")
KINDS = sorted([*INLINE_SHOWN, *BLOCK_SHOWN, *UNSEEN, *REVISED, *HIDDEN])


def _put(cell, kind: str, text: str) -> str:
    """Put `text` in `cell` inside the construct `kind`; what its reading is expected to be:
    number (the figure itself), revision, unreadable or hidden."""
    if kind in INLINE_SHOWN:
        set_runs(cell, INLINE_SHOWN[kind](text))
        return "number"
    if kind in BLOCK_SHOWN:
        apply_block(cell, kind, text)
        return "number"
    if kind == "revised":
        set_runs(cell, revised(f"1{text}", text))
        return "revision"
    if kind == "moved":
        set_runs(cell, moved(f"1{text}", text))
        return "revision"
    if kind == "inserted":
        set_runs(cell, f'<w:ins w:id="7" w:author="科员">{run(text)}</w:ins>')
        return "revision"
    if kind == "image":
        set_runs(cell, image())
    elif kind == "image_beside":
        set_runs(cell, run(text) + image())
    elif kind == "text_box":
        set_runs(cell, text_box(text))
    elif kind == "object":
        set_runs(cell, embedded_object())
    elif kind == "equation":
        set_runs(cell, equation(text))
    elif kind == "nested_two":
        nested_table(cell, [text, "1"])
    elif kind == "vanish":
        set_runs(cell, run(text) + run("8", "<w:vanish/>"))
        return "hidden"
    elif kind == "white":
        set_runs(cell, run(text, '<w:color w:val="FFFFFF"/>'))
        return "hidden"
    return "unreadable"


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(values=consistent_return(), seed=st.integers(0, 10**6), data=st.data())
def test_figures_in_words_constructs_are_read_as_word_shows_them_or_found(
    tmp_path_factory, values, seed, data
):
    rng = random.Random(seed)
    document = filled(UNIT, 2023, values, rng, styles=("plain",))
    keys = rng.sample(sorted(PLACES), 15)
    cells = {key: cell_at(document, key) for key in keys}  # NOTE: before any row is wrapped
    expected = {}
    for key in keys:
        kind = data.draw(st.sampled_from(KINDS), label=f"{key}")
        want = _put(cells[key], kind, written(key, values[key], "plain"))
        if kind == "inserted" and stored(key, values[key]) == 0:
            want = "number"  # NOTE: a 0 inserted where the cell was blank changes no figure
        expected[key] = want
    if data.draw(st.booleans(), label="row wrapped in a control"):
        row_control(cells[keys[0]])
    if data.draw(st.booleans(), label="表三 wrapped in a control"):
        table_control(document, 1)
    path = tmp_path_factory.mktemp("word") / "古县公安局.docx"
    document.save(path)
    got = _reading(path)
    for key in PLACES:
        sheet, cell, read_as, value, problem = got[key]
        want = expected.get(key, "number")
        if want == "number":
            assert (read_as, value) == ("number", stored(key, values[key])), (key, problem)
        else:
            assert (read_as, value) == (want, None), (key, read_as, value, problem)
            assert problem, "a finding says what was found"


# -- the cases of the issue, as a user meets them ----------------------------------------------------
def test_a_figure_typed_with_track_changes_on_is_sent_back_not_counted(tmp_path):
    values = with_totals({LICENSING: 356})
    paths = raw_year(
        tmp_path, {"古县水利局": with_totals({LICENSING: 26})}, units=["古县水利局", UNIT]
    )
    document = filled(UNIT, 2023, values, random.Random(1))
    set_runs(cell_at(document, LICENSING), revised("350", "356"))
    document.save(paths.returns_dir / f"{UNIT}.docx")
    before = {p: p.read_bytes() for p in paths.raw.rglob("*") if p.is_file()}
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 1, result.stdout
    found = store.read_csv(paths.issues_csv)
    mine = found[found["rule"] == "value.revision"]
    assert list(zip(mine["unit"], mine["sheet"], mine["cell"], mine["severity"], strict=True)) == [
        (UNIT, "表格1", "第7行第2列", "error")
    ]
    message = mine["message"].iloc[0]
    assert "修订前为“350”，修订后为“356”" in message and "接受或拒绝修订" in message
    assert "Traceback" not in result.stdout + result.stderr
    assert {p: p.read_bytes() for p in paths.raw.rglob("*") if p.is_file()} == before


def test_figures_in_content_controls_and_a_nested_table_reach_the_county(tmp_path):
    excel = with_totals({LICENSING: 26})
    paths = raw_year(tmp_path, {"古县水利局": excel}, units=["古县水利局", UNIT, "古县司法局"])
    first = filled(UNIT, 2023, with_totals({LICENSING: 356}), random.Random(1))
    set_runs(cell_at(first, LICENSING), inline_control("356"))
    first.save(paths.returns_dir / f"{UNIT}.docx")
    second = filled("古县司法局", 2023, with_totals({LICENSING: 7}), random.Random(2))
    apply_block(cell_at(second, LICENSING), "nested_one", "7")
    table_control(second, 0)
    second.save(paths.returns_dir / "古县司法局.docx")
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 0, result.stdout + result.stderr
    county = store.read_cells(paths.county_cells).set_index(["section", "row", "col"])["value"]
    assert int(county[LICENSING]) == 26 + 356 + 7


def test_an_image_where_a_figure_belongs_is_an_error_naming_what_was_found(tmp_path):
    paths = raw_year(tmp_path, {}, units=[UNIT])
    document = filled(UNIT, 2023, with_totals({LICENSING: 356}), random.Random(1))
    set_runs(cell_at(document, LICENSING), image())
    document.save(paths.returns_dir / f"{UNIT}.docx")
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 1
    found = store.read_csv(paths.issues_csv)
    mine = found[found["rule"] == "value.unreadable"]
    assert mine["cell"].tolist() == ["第7行第2列"]
    assert "中是图片，无法读出数字；请在单元格中直接键入数字" in mine["message"].iloc[0]
    blanks = found[found["rule"] == "value.missing"]
    assert not blanks["message"].str.contains("第7行第2列").any(), "never a blank counted as 0"


def _field(shown: str, instruction: str = "=SUM(LEFT)") -> str:
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{run(shown)}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def test_a_word_field_total_is_read_by_the_result_it_shows(tmp_path):
    values = with_totals(
        {
            ("s3", "new", "natural"): 1,
            ("s3", "new", "commercial"): 2,
            ("s3", "granted", "natural"): 1,
            ("s3", "granted", "commercial"): 2,
        }
    )
    paths = raw_year(tmp_path, {}, units=[UNIT])
    document = filled(UNIT, 2023, values, random.Random(1), styles=("plain",))
    set_runs(cell_at(document, ("s3", "new", "total")), _field("3"))
    document.save(paths.returns_dir / f"{UNIT}.docx")
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 0, result.stdout + result.stderr
    cells = store.read_cells(paths.ingested_cells).set_index(["section", "row", "col"])
    assert int(cells.loc[("s3", "new", "total"), "value"]) == 3
    found = store.read_csv(paths.issues_csv)
    assert "value.field" not in set(found["rule"]), "the field's result is its formula's"


def test_a_field_not_updated_is_read_as_shown_and_warned_with_both_figures(tmp_path):
    values = with_totals(
        {
            ("s3", "new", "natural"): 1,
            ("s3", "new", "commercial"): 3,
            ("s3", "granted", "natural"): 1,
            ("s3", "granted", "commercial"): 3,
        }
    )
    paths = raw_year(tmp_path, {}, units=[UNIT])
    document = filled(UNIT, 2023, values, random.Random(1), styles=("plain",))
    # the clerk changed 商业企业 from 2 to 3 after the total was calculated, and did not update it
    set_runs(cell_at(document, ("s3", "new", "total")), _field("3"))
    document.save(paths.returns_dir / f"{UNIT}.docx")
    result = runner.invoke(app, command_line(paths, "report"))
    found = store.read_csv(paths.issues_csv)
    field = found[found["rule"] == "value.field"]
    assert list(zip(field["severity"], field["cell"], strict=True)) == [("warning", "第4行第10列")]
    assert "显示的结果为3，按左侧的6个格计算为4" in field["message"].iloc[0]
    cells = store.read_cells(paths.ingested_cells).set_index(["section", "row", "col"])
    assert int(cells.loc[("s3", "new", "total"), "value"]) == 3, "Word shows 3: 3 is read"
    assert result.exit_code == 1, "and the broken row sum is the unit's to correct"
    assert "s3.row_total" in set(found["rule"]) or "s3.col_total" in set(found["rule"])


def _split_after(document, table: int, row: int, header: int) -> None:
    """Split a table of the document in two after `row` (0-based) by a page break, the second
    repeating the first `header` rows, as a clerk does by hand."""
    import copy

    tbl = document.tables[table]._tbl
    rows = tbl.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tr")
    second = copy.deepcopy(tbl)
    for tr in second.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tr"):
        second.remove(tr)
    for tr in rows[:header]:
        second.append(copy.deepcopy(tr))
    for tr in rows[row + 1 :]:
        second.append(tr)
    brk = xml('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
    tbl.addnext(brk)
    brk.addnext(second)


def test_table_three_split_by_a_page_break_is_read_as_one_table(tmp_path):
    values = with_totals({("s3", "new", "natural"): 5, ("s3", "unable_not_held", "natural"): 5})
    paths = raw_year(tmp_path, {}, units=[UNIT])
    document = filled(UNIT, 2023, values, random.Random(1), styles=("plain",))
    _split_after(document, 1, 14, header=3)
    document.save(paths.returns_dir / f"{UNIT}.docx")
    doc = read_docx(
        paths.returns_dir / f"{UNIT}.docx", (paths.returns_dir / f"{UNIT}.docx").read_bytes()
    )
    assert len(doc.grids) == 4, "the split really is two Word tables"
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 0, result.stdout + result.stderr
    found = store.read_csv(paths.issues_csv)
    joined = found[found["rule"] == "file.table_joined"]
    assert len(joined) == 1 and "“表格2”和“表格3”" in joined["message"].iloc[0]
    cells = store.read_cells(paths.ingested_cells).set_index(["section", "row", "col"])
    assert int(cells.loc[("s3", "unable_not_held", "natural"), "value"]) == 5
    below = cells.loc[("s3", "unable_not_held", "natural")]
    assert below["sheet"] == "表格3", "a cell is named in the table a person finds it in"


def test_a_split_table_with_a_sentence_between_is_not_joined(tmp_path):
    values = with_totals({("s3", "new", "natural"): 5, ("s3", "unable_not_held", "natural"): 5})
    document = filled(UNIT, 2023, values, random.Random(1), styles=("plain",))
    _split_after(document, 1, 14, header=0)
    document.tables[2]._tbl.addprevious(xml("<w:p><w:r><w:t>（续表）附注</w:t></w:r></w:p>"))
    path = tmp_path / f"{UNIT}.docx"
    document.save(path)
    read = return_of(path)
    assert read.joined == ()


def test_a_fee_sentence_with_an_unaccepted_revision_is_not_read(tmp_path):
    values = with_totals(
        {("s6", "fees", "notices"): 2, ("s6", "fees", "notice_amount"): Decimal(100)}
    )
    values[("s6", "fees", "collected")] = Decimal(100)
    document = filled(UNIT, 2023, values, random.Random(1))
    paragraph = document.paragraphs[31]._p
    for child in list(paragraph):
        if not child.tag.endswith("pPr"):
            paragraph.remove(child)
    for child in xml(
        "<w:p>"
        + run("本机关2023年度发出收费通知2件，收费金额")
        + revised("100", "120")
        + run("元，实际收取100元。")
        + "</w:p>"
    ):
        paragraph.append(child)
    path = tmp_path / f"{UNIT}.docx"
    document.save(path)
    got = _reading(path)
    fees = [got["s6", "fees", col] for col in ("notices", "notice_amount", "collected")]
    assert [f[2] for f in fees] == ["revision"] * 3
    assert "修订前为“本机关2023年度发出收费通知2件，收费金额100元" in fees[0][4]


def test_a_content_control_still_showing_its_placeholder_is_blank(tmp_path):
    document = filled(UNIT, 2023, with_totals({}), random.Random(1), styles=("plain",))
    set_runs(
        cell_at(document, LICENSING),
        "<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>"
        + run("单击或点击此处输入文字。")
        + "</w:sdtContent></w:sdt>",
    )
    path = tmp_path / f"{UNIT}.docx"
    document.save(path)
    assert _reading(path)[LICENSING][2:4] == ("blank", 0)


def test_a_complex_field_shows_its_result_never_its_code(tmp_path):
    document = filled(UNIT, 2023, with_totals({LICENSING: 12}), random.Random(1))
    set_runs(cell_at(document, LICENSING), complex_field("12"))
    path = tmp_path / f"{UNIT}.docx"
    document.save(path)
    assert _reading(path)[LICENSING][2:4] == ("number", 12)
    doc = read_docx(path, path.read_bytes())
    shown = [c for g in doc.grids for row in g.rows for c in row if c.text == "12"]
    assert shown and all("=" not in c.text for c in shown)


# -- published Word reports (xxgk audit): read as shown, revisions warned ---------------------------
def test_a_published_word_report_with_a_revision_is_read_accepted_and_warned(tmp_path):
    values = with_totals({LICENSING: 356, ("s2", "penalty", "decisions"): 12})
    document = filled("古县公安局", 2023, values, random.Random(1), styles=("plain",))
    set_runs(cell_at(document, LICENSING), revised("350", "356"))
    set_runs(cell_at(document, ("s2", "penalty", "decisions")), image())
    folder = tmp_path / "年报"
    folder.mkdir()
    document.save(folder / "古县公安局2023年报.docx")
    out = tmp_path / "审核"
    result = runner.invoke(app, ["audit", str(folder), "--out", str(out)])
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    cells = store.read_csv(out / "cells.csv")
    by_cell = cells.set_index(["section", "row", "col"])
    assert by_cell.loc[LICENSING, "value"] == "356", "read with the revision accepted"
    penalty = by_cell.loc[("s2", "penalty", "decisions")]
    assert (penalty["value"], penalty["read_as"]) == ("", "unread"), "never a blank read as 0"
    found = store.read_csv(out / "issues.csv")
    revision = found[found["rule"] == "audit.revision"]
    assert list(zip(revision["severity"], revision["where"], strict=True)) == [
        ("warning", "t1:r7:c2")
    ]
    assert "修订前为“350”，修订后为“356”；按接受修订后的“356”读取" in revision["message"].iloc[0]
    unread = found[found["rule"] == "audit.cell_object"]
    assert unread["where"].tolist() == ["t1:r10:c2"]
    assert "不是报告的错误" in unread["message"].iloc[0]
