"""The report's own text as evidence (issue 20): a closed table of sentences, each naming one cell
(docs/published.md). When exactly one of the readings the tables leave open (splits of digits
that ran together, placements of rows whose label was lost) agrees with such a sentence, it is
read (`split_by_text`, `placed_by_text`, `evidence` where the sentence stands); a sentence that
no reading agrees with, or that disagrees with a cell read plainly, is a warning about the report;
a rule every split of a row breaks is a finding about the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.audit.run import CELLS_COLUMNS, run_audit
from pipeline.format2021 import S3
from pipeline.ingest.published import read_report
from scripts.published_texts import PART_一, report_text, s3_values

REAL = Path(__file__).parent / "fixtures" / "real"
ISSUER = "某某县财政局"
# NOTE: 平潭's web page of another year (not among the real files here), as the issue quotes it
SENTENCE = "集中公开现行有效行政规范性文件698件，动态更新本年度制发的规范性文件88件。"


def cells_of(report, section: str, row: str) -> list[tuple[object, str, str]]:
    """A row's cells as (value, read_as, evidence), in the format's column order."""
    cells = report.cells[(report.cells["section"] == section) & (report.cells["row"] == row)]
    return [
        (None if str(v) == "<NA>" else int(v), how, ev)
        for v, how, ev in zip(cells["value"], cells["read_as"], cells["evidence"], strict=True)
    ]


def found(report, rule: str) -> list[dict]:
    return [f for f in report.findings if f["rule"] == rule]


def pingtan_2021(tmp_path: Path, digits: str, sentence: str = "") -> Path:
    """平潭's 2021 web page with 表二's 行政规范性文件 run together as `digits`, and `sentence`
    added to part 一 (the real file otherwise as it is)."""
    text = (REAL / "平潭综合实验区2021.txt").read_text(encoding="utf-8")
    assert "行政规范性文件693665" in text
    text = text.replace("行政规范性文件693665", f"行政规范性文件{digits}")
    text = text.replace("（一）主动公开方面。", f"（一）主动公开方面。{sentence}", 1)
    path = tmp_path / "平潭综合实验区2021.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_only_the_split_the_text_agrees_with_is_read(tmp_path):
    """`8855698` splits fifteen ways (表二 has no sums); the narrative says 698 in force and 88
    issued: only 88 55 698 agrees, read `split_by_text` with the sentences' place."""
    report = read_report(pingtan_2021(tmp_path, "8855698", SENTENCE))
    at = {f["what"]: f["where"] for f in report.figures}
    where = f"{at['normative_in_force']}、{at['normative_issued']}"  # both sentences agree
    assert where.startswith("l10:ch")
    assert cells_of(report, "s2", "normative") == [
        (88, "split_by_text", where),
        (55, "split_by_text", where),
        (698, "split_by_text", where),
    ]
    (note,) = found(report, "audit.read_by_text")
    assert (
        note["severity"] == "info"
        and note["where"]
        == report.cells.set_index(["section", "row", "col"]).loc[
            ("s2", "normative", "issued"), "where"
        ]
    )
    assert "“8855698”" in note["message"] and "15种" in note["message"]
    assert "现行有效行政规范性文件698件" in note["message"]
    assert not found(report, "audit.split_ambiguous")
    assert not found(report, "narrative.figure_mismatch")
    # the text's figures now match the cells read
    assert {
        f["what"]: f["matched"] for f in report.figures if f["what"].startswith("normative")
    } == {
        "normative_in_force": "现行有效件数",
        "normative_issued": "本年制发件数",
    }


def test_without_the_sentence_the_fifteen_splits_stay_unread(tmp_path):
    report = read_report(pingtan_2021(tmp_path, "8855698"))
    assert cells_of(report, "s2", "normative") == [(None, "unread", "")] * 3
    (ambiguous,) = found(report, "audit.split_ambiguous")
    assert "有15种拆分" in ambiguous["message"]
    assert not found(report, "audit.read_by_text")


def test_pingtan_2021_ambiguous_row_stays_unread():
    """The real 2021 page: `693665` (ten splits) and no sentence about 规范性文件: unread."""
    report = read_report(REAL / "平潭综合实验区2021.txt")
    assert cells_of(report, "s2", "normative") == [(None, "unread", "")] * 3
    assert [f["row"] for f in found(report, "audit.split_ambiguous")] == ["normative"]
    assert not found(report, "narrative.figure_mismatch")


def test_pingtan_2023_says_a_figure_no_split_of_its_table_gives():
    """The real 2023 page: `现行有效行政规范性文件393件`, while no split of `77132470` gives 393:
    a warning about the report at the sentence; the row stays unread (77 issued fits five)."""
    report = read_report(REAL / "平潭综合实验区2023.txt")
    (mismatch,) = found(report, "narrative.figure_mismatch")
    assert mismatch["severity"] == "warning" and mismatch["where"] == "l10:ch602"
    assert mismatch["message"] == (
        "正文（l10:ch602）写“现行有效行政规范性文件393件”，即现行有效的行政规范性文件393件，"
        "而表格为“77132470”拆分后的0、70、470、2470、32470或132470件。"
    )
    assert cells_of(report, "s2", "normative") == [(None, "unread", "")] * 3
    assert not found(report, "audit.read_by_text")


def test_a_sentence_against_a_figure_read_as_printed_is_a_warning(tmp_path):
    values = s3_values(5, 0, 3) | {("s2", "normative", "in_force"): 12}
    part = PART_一.format(new=5, closed=3) + "全县现行有效行政规范性文件15件。"
    path = tmp_path / f"{ISSUER}2023年报.txt"
    path.write_text(report_text(ISSUER, 2023, values, parts={"一": part}), encoding="utf-8")
    report = read_report(path)
    (mismatch,) = found(report, "narrative.figure_mismatch")
    assert mismatch["message"].endswith("即现行有效的行政规范性文件15件，而表格为12件。")
    assert cells_of(report, "s2", "normative")[2] == (12, "written", "")


def test_rows_whose_labels_were_lost_are_placed_by_the_text(tmp_path):
    """新收 5 and 上年结转 3 without labels: the sums cannot tell them apart (both add to the
    same side of each column's balance); the text says 新收…5件 and 上年结转3件."""
    values = s3_values(5, 3, 6)
    text = report_text(
        ISSUER,
        2023,
        values,
        parts={"一": "本年新收政府信息公开申请5件，上年结转3件，办结6件，2件结转下年度继续办理。"},
    )
    for row in ("new", "carried_in"):
        label = S3.row(row).label
        assert f"{label}  " in text
        text = text.replace(f"{label}  ", "")
    path = tmp_path / f"{ISSUER}2023年报.txt"
    path.write_text(text, encoding="utf-8")
    report = read_report(path)
    assert cells_of(report, "s3", "new")[0] == (5, "placed_by_text", "l4")
    assert cells_of(report, "s3", "carried_in")[6] == (3, "placed_by_text", "l4")
    assert [f["row"] for f in found(report, "audit.read_by_text")] == ["new", "carried_in"]
    assert not found(report, "audit.row_unplaced")
    assert ("s3.balance", "natural") in report.split_rules  # the sums narrowed it: no evidence


@pytest.mark.parametrize("digits", ["270020131", "270020230"])
def test_a_row_every_split_of_which_breaks_its_total_is_a_flaw_of_the_report(tmp_path, digits):
    """平潭 2021's （一）予以公开 `270020130` (27 0 0 2 0 1 30) with a digit changed: however the
    digits fall, the row's 总计 is not the sum of its parts. An error about the report; the row
    stays unread."""
    text = (REAL / "平潭综合实验区2021.txt").read_text(encoding="utf-8")
    assert "（一）予以公开270020130" in text
    path = tmp_path / "平潭综合实验区2021.txt"
    path.write_text(text.replace("（一）予以公开270020130", f"（一）予以公开{digits}"), "utf-8")
    report = read_report(path)
    (broken,) = found(report, "audit.split_breaks_sums")
    assert broken["severity"] == "error" and broken["row"] == "granted"
    assert f"（“{digits}”），任何一种拆分都不满足本行总计" in broken["message"]
    assert {v for v, _how, _ev in cells_of(report, "s3", "granted")} == {None}
    assert not found(report, "audit.cannot_split")


def test_cells_csv_says_where_the_evidence_stands(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    pingtan_2021(folder, "8855698", SENTENCE)
    result = run_audit([folder], tmp_path / "out")
    assert CELLS_COLUMNS[-1] == "evidence"
    cells = result.cells.set_index(["section", "row", "col"])
    assert cells.loc[("s2", "normative", "in_force"), "read_as"] == "split_by_text"
    assert cells.loc[("s2", "normative", "in_force"), "evidence"].startswith("l10:ch")
    assert cells.loc[("s3", "new", "natural"), "evidence"] == ""


@pytest.mark.parametrize(("digits", "warned"), [("5100", True), ("5195", False)])
def test_a_row_every_split_of_which_breaks_the_in_force_identity_is_a_warning(
    tmp_path, digits, warned
):
    """2022 has 100 行政规范性文件 in force; 2023's row runs together as `digits`. `5100` splits as
    5 10 0 or 51 0 0: 0 in force either way, never ≈ 100 + issued − repealed: a warning about the
    report though the row stays unread. `5195` may be 5 1 95 (≈ 104): no warning."""
    folder = tmp_path / "in"
    folder.mkdir()
    before = s3_values(5, 0, 3) | {("s2", "normative", "in_force"): 100}
    (folder / f"{ISSUER}2022年报.txt").write_text(
        report_text(ISSUER, 2022, before), encoding="utf-8"
    )
    glued = {
        ("s2", "normative", "issued"): digits,
        ("s2", "normative", "repealed"): "",
        ("s2", "normative", "in_force"): "",
    }
    (folder / f"{ISSUER}2023年报.txt").write_text(
        report_text(ISSUER, 2023, s3_values(4, 2, 6), texts=glued), encoding="utf-8"
    )
    result = run_audit([folder], tmp_path / "out")
    rows = result.findings[result.findings["rule"] == "audit.in_force_every_split"]
    assert len(rows) == (1 if warned else 0)
    if warned:
        (row,) = rows.to_dict("records")
        assert (row["file"], row["severity"], row["where"]) == (
            f"{ISSUER}2023年报.txt",
            "warning",
            "l9",
        )
        assert "上年现行有效100件" in row["message"] and "现行有效0" in row["message"]
    cells = result.cells.set_index(["file", "section", "row", "col"])
    assert (
        cells.loc[(f"{ISSUER}2023年报.txt", "s2", "normative", "in_force"), "read_as"] == "unread"
    )
