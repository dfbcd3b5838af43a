"""Never a misplaced figure (issue 20): a row of figures of a published report is placed at a
label only when exactly one label claims it, or when the rows left admit exactly one placement
(the pieces of labels they carry, elimination, the format's sums); header numbering is no row;
what cannot be placed stays unread. And one return gives the same cells through both readers:
the returns' (a workbook, a Word table) and the published reports' (a Word file, a text)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline import store
from pipeline.cli import app
from pipeline.format2021 import S2, S3, S4, SECTIONS
from pipeline.ingest.published import read_report
from scripts.published_texts import report_text, s3_values
from tests.helpers import command_line, raw_year, with_totals
from tests.strategies import consistent_return
from tests.wordreturns import stored, word_return

runner = CliRunner()

ISSUER = "某某县财政局"
S3_HEADING = "三、收到和处理政府信息公开申请情况"
S4_HEADING = "四、政府信息公开行政复议、行政诉讼情况"


def s3_of(report) -> dict[tuple[str, str, str], int | None]:
    """表三's cells as read (None: unread)."""
    cells = report.cells[report.cells["section"] == "s3"]
    return {
        ("s3", r, c): None if v is None or str(v) == "<NA>" else int(v)
        for r, c, v in zip(cells["row"], cells["col"], cells["value"], strict=True)
        if r != "other_total"
    }


def rules_at(report, rule: str) -> list[str]:
    """Where each finding of `rule` stands."""
    return [str(f["where"]) for f in report.findings if f["rule"] == rule]


def with_s3(text: str, lines: list[str]) -> str:
    """A report's text with the lines of 表三 (under its header line) replaced by `lines`."""
    before, rest = text.split(S3_HEADING + "\n", 1)
    table, after = rest.split(S4_HEADING + "\n", 1)
    header = table.split("\n", 1)[0]
    return "\n".join([before + S3_HEADING, header, *lines, S4_HEADING, after])


def row_line(values: dict, row) -> str:
    """One row of 表三 as `report_text` prints it: its label, then its figures."""
    return "  ".join(str(values.get(("s3", row.code, c.code), 0)) for c in S3.cols)


# -- rows shuffled, labels dropped: read exactly or left unread --------------------------------
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    values=consistent_return(),
    order=st.permutations(range(len(S3.rows))),
    dropped=st.sets(st.integers(0, len(S3.rows) - 1), max_size=5),
    apart=st.booleans(),
)
def test_shuffled_rows_with_labels_dropped_are_read_exactly_or_left_unread(
    tmp_path_factory, values, order, dropped, apart
):
    """Rows of 表三 printed in any order, some without their label, the labels on the row's line
    or on the line above: every figure read is the one printed at that row."""
    lines = []
    for i in order:
        row = S3.rows[i]
        figures = row_line(values, row)
        label = "".join(row.labels)
        if i in dropped:
            lines.append(figures)
        elif apart:
            lines += [label, figures]
        else:
            lines.append(f"{label}  {figures}")
    text = with_s3(report_text(ISSUER, 2023, values), lines)
    path = tmp_path_factory.mktemp("shuffled") / f"{ISSUER}2023年报.txt"
    path.write_text(text, encoding="utf-8")
    report = read_report(path)
    truth = {k: stored(k, v) for k, v in values.items() if k[0] == "s3"}
    got = s3_of(report)
    assert set(got) == set(truth)
    misplaced = {k: (v, truth[k]) for k, v in got.items() if v is not None and v != truth[k]}
    assert not misplaced
    if not apart:
        # a row with its label on its own line is always read; one row without: by elimination
        for i, row in enumerate(S3.rows):
            if i not in dropped or len(dropped) == 1:
                assert [got["s3", row.code, c.code] for c in S3.cols] == [
                    truth["s3", row.code, c.code] for c in S3.cols
                ], row.code


def test_two_rows_without_labels_are_placed_by_the_sums_when_only_one_way_adds_up(tmp_path):
    """新收 and 结转下年度 lost their labels: only one way makes each column balance (their
    figures differ), so both are read, `placed_by_sums`, and a note says the rules used."""
    values = s3_values(5, 0, 3)  # 新收 5, 予以公开 3, （七）总计 3, 结转下年度 2
    lines = []
    for row in S3.rows:
        figures = row_line(values, row)
        lines.append(figures if row.code in ("new", "carried_out") else f"{row.label}  {figures}")
    path = tmp_path / f"{ISSUER}2023年报.txt"
    path.write_text(with_s3(report_text(ISSUER, 2023, values), lines), encoding="utf-8")
    report = read_report(path)
    cells = report.cells.set_index(["section", "row", "col"])
    assert cells.loc[("s3", "new", "total"), "value"] == 5
    assert cells.loc[("s3", "carried_out", "total"), "value"] == 2
    assert cells.loc[("s3", "new", "natural"), "read_as"] == "placed_by_sums"
    note = next(f for f in report.findings if f["rule"] == "audit.placed_by_sums")
    assert note["severity"] == "info" and "各列勾稽关系" in note["message"]
    assert ("s3.balance", "natural") in report.split_rules  # used to place: not evidence
    assert not rules_at(report, "audit.row_unplaced")


def test_rows_the_sums_cannot_tell_apart_stay_unread(tmp_path):
    """予以公开 and 部分公开 without labels: both are outcomes, any placement adds up."""
    values = s3_values(5, 0, 3) | {("s3", "partial", "natural"): 0}
    values |= {("s3", "new", "natural"): 6, ("s3", "new", "total"): 6}
    values |= {("s3", "partial", "natural"): 1, ("s3", "partial", "total"): 1}
    values |= {("s3", "outcome_total", "natural"): 4, ("s3", "outcome_total", "total"): 4}
    lines = []
    for row in S3.rows:
        figures = row_line(values, row)
        lines.append(figures if row.code in ("granted", "partial") else f"{row.label}  {figures}")
    path = tmp_path / f"{ISSUER}2023年报.txt"
    path.write_text(with_s3(report_text(ISSUER, 2023, values), lines), encoding="utf-8")
    report = read_report(path)
    got = s3_of(report)
    assert {got["s3", r, c.code] for r in ("granted", "partial") for c in S3.cols} == {None}
    assert len(rules_at(report, "audit.row_unplaced")) == 2
    assert got["s3", "new", "total"] == 6  # the rows with labels are read


# -- the issue's extract: labels and figure rows out of step -------------------------------------
SCRAMBLED = """某某区人民政府2023年政府信息公开工作年度报告
一、总体情况
本年度共收到政府信息公开申请15件。
二、主动公开政府信息情况
| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
|---|---|---|---|
| 规章 | 0 | 0 | 0 |
| 行政规范性文件 | 1 | 0 | 9 |
| 信息内容 | 本年处理决定数量 |
|---|---|
| 行政许可 | 12 |
| 行政处罚 | 30 |
| 行政强制 | 0 |
| 信息内容 | 本年收费金额（单位：万元） |
|---|---|
| 行政事业性收费 | 0 |
三、收到和处理政府信息公开申请情况
| 申请人情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |
|---|---|---|---|---|---|---|---|
| 一、本年新收政府信息公开申请数量 | 13 | 2 | 0 | 0 | 0 | 0 | 15 |
| 二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| （一）予以公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| （二）部分公开（区分处理的，只计这一情形，不计其他情形） | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 2.其他法律行政法规禁止公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 3.危及“三安全一稳定” | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 4.保护第三方合法权益 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 5.属于三类内部事务信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 6.属于四类过程性信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 7.属于行政执法案卷 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 8.属于行政查询事项 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
（四）无法提供
1.本机关不掌握相关政府信息
2.没有现成信息需要另行制作
3.补正后申请内容仍不明确
| 1 | 0 | 0 | 0 | 0 | 0 | 1 |
|---|---|---|---|---|---|---|
| 4 | 0 | 0 | 0 | 0 | 0 | 4 |
| 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 1.信访举报投诉类申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 2.重复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 3.要求提供公开出版物 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 4.无正当理由大量反复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| 5.要求行政机关确认或重新出具已获取信息 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
（六）其他处理
1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请
| 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|---|---|---|---|---|---|---|
| 8 | 2 | 0 | 0 | 0 | 0 | 10 |
2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请
| 3.其他 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|---|---|---|---|---|---|---|---|
| （七）总计 | 13 | 2 | 0 | 0 | 0 | 0 | 15 |
| 四、结转下年度继续办理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
四、政府信息公开行政复议、行政诉讼情况
| 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
五、存在的主要问题及改进情况
无。
六、其他需要报告的事项
本机关未收取信息处理费。
"""


def test_labels_out_of_step_with_their_figures_are_never_read_at_the_nearest_label(tmp_path):
    """The issue's PDF-to-Markdown extract: (四)'s three labels stand above their three rows of
    figures, and 逾期不补正's label above a row of 0s followed by its own 8 2 10, 逾期未缴费's
    label after both. Nearest-label reading gave 不掌握 1 (is 4), 补正后仍不明确 0 from another
    row, 逾期不补正 0 0 0 (is 8 2 10): none of these rows is placed now."""
    path = tmp_path / "某某区人民政府2023年报.md"
    path.write_text(SCRAMBLED, encoding="utf-8")
    report = read_report(path)
    got = s3_of(report)
    for row in (
        "unable_not_held",
        "unable_needs_making",
        "unable_unclear",
        "other_no_correction",
        "other_no_fee",
    ):
        assert {got["s3", row, c.code] for c in S3.cols} == {None}, row
    assert got["s3", "refused_confirm", "total"] == 0 and got["s3", "outcome_total", "total"] == 15
    unplaced = rules_at(report, "audit.row_unplaced")
    assert unplaced == ["l36:c1", "l38:c1", "l39:c1", "l47:c1", "l49:c1"]


# -- header numbering ------------------------------------------------------------------------
def numbered(text: str) -> str:
    """A report's text with the columns numbered under each table's header (1 2 3 …)."""
    out = []
    for line in text.split("\n"):
        out.append(line)
        if line.startswith(S3.corner):
            out.append("  ".join(str(n) for n in range(1, len(S3.cols) + 1)))
        elif line.startswith("信息内容"):
            count = len(line.split("  ")) - 1
            out.append("  ".join(str(n) for n in range(1, count + 1)))
        elif line == "  ".join(c.label for c in S4.cols):
            out.append("  ".join(str(n) for n in range(1, len(S4.cols) + 1)))
    return "\n".join(out)


@pytest.mark.parametrize("grid", [False, True], ids=["text", "markdown"])
def test_header_numbering_is_never_a_row(tmp_path, grid):
    """A clean report numbering its columns under each header (`1 2 3 4 5 6 7`, and `1` under a
    one-column block of 表二): no figure unplaced, every cell read as printed."""
    values = with_totals(
        {("s3", "new", "natural"): 3, ("s3", "granted", "natural"): 2}
        | {("s3", "carried_out", "natural"): 1, ("s2", "licensing", "decisions"): 5}
        | {("s4", "cases", "review_upheld"): 1}
    )
    text = numbered(report_text(ISSUER, 2023, values))
    if grid:  # the tables' lines as Markdown table rows
        text = "\n".join(
            "| " + " | ".join(line.split("  ")) + " |" if "  " in line else line
            for line in text.split("\n")
        )
    path = tmp_path / f"{ISSUER}2023年报.{'md' if grid else 'txt'}"
    path.write_text(text, encoding="utf-8")
    report = read_report(path)
    assert not rules_at(report, "audit.row_unplaced")
    cells = report.cells.set_index(["section", "row", "col"])["value"]
    for code in ("s2", "s3", "s4"):
        for row, col in SECTIONS[code].cells:
            key = (code, row.code, col.code)
            assert cells[key] == stored(key, values.get(key, 0)), key


# -- one return, both readers ----------------------------------------------------------------
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(values=consistent_return(), seed=st.integers(0, 10**6))
def test_one_return_gives_the_same_cells_through_both_readers(tmp_path_factory, values, seed):
    """The same figures as a workbook and a Word table read as returns (`xxgk ingest`), and as a
    Word file and a text read as published reports: the same value in every cell."""
    tmp = tmp_path_factory.mktemp("both")
    paths = raw_year(tmp, {"古县水利局": values}, units=["古县水利局", "古县公安局"])
    word = paths.returns_dir / "古县公安局年报.docx"
    word_return(word, "古县公安局", 2023, values, random.Random(seed))
    result = runner.invoke(app, command_line(paths, "ingest"))
    assert result.exit_code == 0, result.output
    ingested = store.read_cells(paths.ingested_cells)
    truth = {k: stored(k, v) for k, v in values.items()}
    for unit in ("古县水利局", "古县公安局"):
        mine = ingested[ingested["unit"] == unit].set_index(["section", "row", "col"])["value"]
        assert {k: int(v) for k, v in mine.items()} == truth, unit
    text = tmp / "古县公安局2023年报.txt"
    text.write_text(report_text("古县公安局", 2023, values), encoding="utf-8")
    for published in (read_report(word), read_report(text)):
        cells = published.cells[published.cells["section"] != "s6"].set_index(
            ["section", "row", "col"]
        )["value"]
        assert {k: int(v) for k, v in cells.items()} == {
            k: v for k, v in truth.items() if k[0] != "s6"
        }, published.file


def test_the_one_label_matcher_reads_the_formats_variants_in_a_flow_of_text():
    """`规范性文件`, `1、`, spaced and wrapped labels and a misspelling, as the returns' reader
    reads them (the vocabulary of ingest)."""
    from pipeline.ingest.vocabulary import row_at_end

    assert row_at_end("第二十条第（一）项 信息内容 规范性文件", "s2").rows == ("normative",)
    assert row_at_end("（三）不予公开1、属于国家秘密", "s3").rows == ("denied_secret",)
    assert row_at_end("三、本年度办理结果\n（七）总 计", "s3").rows == ("outcome_total",)
    found = row_at_end("（三）不予公开1.属于国家秘密2.其他法律行政止公开", "s3")
    assert found is not None and (found.rows, found.how) == (("denied_law",), "similar")
    assert row_at_end("（六）其他处理", "s3").rows == ("other_total",)
    assert row_at_end("本年制发件数", "s2") is None
    assert S2.row("normative").label == "行政规范性文件"
