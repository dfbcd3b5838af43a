"""`xxgk audit`: published reports read, checked and compared across years, through the command
line (exit codes, the four outputs and their columns) and the library function `run_audit`."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline import store
from pipeline.audit.run import (
    CELLS_COLUMNS,
    ISSUES_COLUMNS,
    REPORTS_COLUMNS,
    audit_files,
    run_audit,
)
from pipeline.cli import app
from pipeline.ingest.published import read_report
from scripts.published_texts import PART_一, report_text, s3_values

runner = CliRunner()
REAL = Path(__file__).parent / "fixtures" / "real"
REAL_FILES = sorted(p for p in REAL.iterdir() if p.name != "README.md")


# -- reports written at test time --------------------------------------------------------------
def write_report(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def audit_cli(*args: str | Path):
    return runner.invoke(app, ["audit", *(str(a) for a in args)])


def rows_of(path: Path) -> list[dict]:
    return store.read_csv(path).to_dict("records")


def columns_of(path: Path) -> list[str]:
    return list(store.read_csv(path).columns)


def issues(out: Path) -> list[tuple[str, str, str]]:
    """issues.csv as (file, rule, where)."""
    return [(r["file"], r["rule"], r["where"]) for r in rows_of(out / "issues.csv")]


# -- the real reports --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_audit(tmp_path_factory):
    """The CLI on a folder holding copies of the real files: its result and its output folder."""
    base = tmp_path_factory.mktemp("real_audit")
    folder = base / "年报"
    folder.mkdir()
    for p in REAL_FILES:
        shutil.copy2(p, folder / p.name)
    out = base / "out"
    return audit_cli(folder, "--out", out), out


def test_real_folder_outputs(real_audit):
    result, out = real_audit
    assert result.exit_code == 1, result.output
    assert (
        result.stdout
        == "审核：6个文件，其中5份读到年报表格，共读取986个单元格；0份与同一机关上一年度的报告作了比较。\n"
        "报告中的问题：错误3个、警告2个；未能读取：9处，请人工核对\n"
        f"另有提示12个；明细见 {out / 'issues.html'}，"
        f"逐格数据见 {out / 'cells.csv'}，各份报告见 {out / 'reports.csv'}\n"
    )
    # NOTE: the three errors are the reports' own: 洪泽区's two 表四 sums, the template left blank
    assert result.stderr == f"xxgk：已发布的报告本身有3个错误，请查看 {out / 'issues.html'}。\n"
    assert sorted(p.name for p in out.iterdir()) == [
        ".xxgk-audit",
        "cells.csv",
        "issues.csv",
        "issues.html",
        "reports.csv",
    ]
    for name in ("cells.csv", "issues.csv", "reports.csv"):
        assert (out / name).read_bytes().startswith(codecs.BOM_UTF8)
    assert columns_of(out / "cells.csv") == CELLS_COLUMNS
    assert columns_of(out / "issues.csv") == ISSUES_COLUMNS
    assert columns_of(out / "reports.csv") == REPORTS_COLUMNS
    assert set(CELLS_COLUMNS) >= {
        "file", "issuer", "year", "section", "row", "col", "value", "text", "where", "read_as",
    }  # fmt: skip


def test_real_files_in_reports_csv(real_audit):
    _, out = real_audit
    got = [
        (r["file"], r["issuer"], r["year"], r["format"], r["tables"], r["errors"], r["warnings"], r["reading"], r["infos"])
        for r in rows_of(out / "reports.csv")
    ]  # fmt: skip
    assert got == [
        ("WPS保存的工作簿示例.xlsx", "WPS保存的工作簿示例", "", "xlsx", "", "0", "0", "1", "0"),
        ("上海市人民政府办公厅2025.md", "上海市人民政府办公厅", "2025", "text", "表二 表三 表四", "0", "1", "3", "1"),
        ("平潭综合实验区2021.txt", "平潭综合实验区", "2021", "text", "表二 表三 表四", "0", "0", "1", "4"),
        ("平潭综合实验区2023.txt", "平潭综合实验区", "2023", "text", "表二 表三 表四", "0", "1", "1", "4"),
        ("年报模板_WPS.docx", "", "", "docx", "表二 表三 表四", "1", "0", "3", "1"),
        ("洪泽区2023.pdf", "洪泽区人民政府", "2023", "pdf", "表二 表三 表四", "2", "0", "0", "2"),
    ]  # fmt: skip
    by_file = {r["file"]: r for r in rows_of(out / "reports.csv")}
    # 平潭's 表三 and 表四 ran together and were split by the sums: no sum rule counts as held
    pingtan = by_file["平潭综合实验区2021.txt"]
    assert (pingtan["sums_held"], pingtan["sums_split"], pingtan["cells_split"]) == (
        "0",
        "42",
        "193",
    )
    assert "s3.balance:natural" in pingtan["split_rules"].split()
    # 洪泽区: （六） as one row, 表三 checked with its total; 表四's two groups broken
    hongze = by_file["洪泽区2023.pdf"]
    assert (hongze["sums_held"], hongze["sums_broken"], hongze["sums_unknown"]) == ("38", "2", "0")
    assert hongze["other_single_row"] == "是" and hongze["split_rules"] == ""
    # 2021 and 2023 are not consecutive years: neither is compared
    assert (
        pingtan["compared_with"] == "" and by_file["平潭综合实验区2023.txt"]["compared_with"] == ""
    )


def test_hongze_table_4_flaw_is_reported_at_its_page_and_line(real_audit):
    _, out = real_audit
    broken = [r for r in rows_of(out / "issues.csv") if r["rule"] == "s4.group_total"]
    assert [(r["file"], r["severity"], r["where"], r["value"], r["expected"]) for r in broken] == [
        ("洪泽区2023.pdf", "error", "p4:l22", "0", "11"),
        ("洪泽区2023.pdf", "error", "p4:l22", "", ""),
    ]
    assert "不等于总计（0），相差11" in broken[0]["message"]
    assert broken[0]["suggestion"].startswith("【建议】p4:l22")
    # the published 0 stays 0
    cells = {(r["file"], r["section"], r["row"], r["col"]): r for r in rows_of(out / "cells.csv")}
    total = cells["洪泽区2023.pdf", "s4", "cases", "review_total"]
    assert (total["value"], total["where"], total["read_as"]) == ("0", "p4:l22", "written")
    assert cells["洪泽区2023.pdf", "s2", "fees", "amount"]["value"] == "7730.28"
    assert cells["平潭综合实验区2021.txt", "s3", "new", "natural"]["read_as"] == "split"
    page = (out / "issues.html").read_text(encoding="utf-8")
    assert "洪泽区2023.pdf" in page and "p4:l22" in page and "表四“行政复议”" in page


def test_real_issues(real_audit):
    _, out = real_audit
    got = [(f, rule) for f, rule, _ in issues(out)]
    # NOTE: each report's own errors and warnings first, then what could not be read, then notes
    assert got == [
        ("WPS保存的工作簿示例.xlsx", "audit.no_tables"),
        ("上海市人民政府办公厅2025.md", "narrative.missing_part"),
        ("上海市人民政府办公厅2025.md", "audit.row_short"),
        ("上海市人民政府办公厅2025.md", "audit.row_short"),
        ("上海市人民政府办公厅2025.md", "audit.row_unplaced"),
        ("上海市人民政府办公厅2025.md", "audit.no_last_year"),
        ("平潭综合实验区2021.txt", "audit.split_ambiguous"),
        *[("平潭综合实验区2021.txt", "audit.split_used_rules")] * 3,
        ("平潭综合实验区2021.txt", "audit.no_last_year"),
        # 现行有效行政规范性文件393件: no split of 表二's `77132470` gives 393 (the report's
        # own warning comes before what could not be read)
        ("平潭综合实验区2023.txt", "narrative.figure_mismatch"),
        ("平潭综合实验区2023.txt", "audit.split_ambiguous"),
        *[("平潭综合实验区2023.txt", "audit.split_used_rules")] * 3,
        ("平潭综合实验区2023.txt", "audit.no_last_year"),
        ("年报模板_WPS.docx", "value.all_blank"),
        ("年报模板_WPS.docx", "audit.issuer_unknown"),
        ("年报模板_WPS.docx", "audit.year_unknown"),
        # its part 六 (`收取信息处理费情况在此处报告`) speaks of the fees but states none
        ("年报模板_WPS.docx", "audit.fees_unread"),
        ("年报模板_WPS.docx", "value.missing"),
        ("洪泽区2023.pdf", "s4.group_total"),
        ("洪泽区2023.pdf", "s4.group_total"),
        ("洪泽区2023.pdf", "audit.other_single_row"),
        ("洪泽区2023.pdf", "audit.no_last_year"),
    ]


# -- several years of one body -----------------------------------------------------------------
def two_years(folder: Path, *, carried_in_2023: int = 3) -> None:
    """Two reports of one body: 2022 carries 2 requests over; 2023 says it carried in
    `carried_in_2023`; part 一 and 五 copied from one year to the next (figures aside)."""
    write_report(
        folder, "某某县财政局2022年报.txt", report_text("某某县财政局", 2022, s3_values(5, 0, 3))
    )
    write_report(
        folder,
        "某某县财政局2023年报.txt",
        report_text("某某县财政局", 2023, s3_values(4, carried_in_2023, 6)),
    )


def test_two_years_carry_over_and_copied_text(tmp_path):
    two_years(tmp_path / "in")
    out = tmp_path / "out"
    result = audit_cli(tmp_path / "in", "--out", out)
    assert result.exit_code == 1, result.output
    found = [
        (r["file"], r["severity"], r["rule"], r["where"], r["col"], r["value"], r["expected"])
        for r in rows_of(out / "issues.csv")
    ]
    # 2023's 上年结转 (line 23 of its text) against 2022's 结转下年度; parts 一 and 五 copied
    # (their headings on lines 3 and 52)
    assert found == [
        ("某某县财政局2022年报.txt", "info", "audit.no_last_year", "", "", "", ""),
        ("某某县财政局2023年报.txt", "error", "year.carry_over", "l23", "natural", "3", "2"),
        ("某某县财政局2023年报.txt", "error", "year.carry_over", "l23", "total", "3", "2"),
        ("某某县财政局2023年报.txt", "warning", "narrative.similar", "l3", "", "1.00", ""),
        ("某某县财政局2023年报.txt", "warning", "narrative.similar", "l52", "", "1.00", ""),
    ]  # fmt: skip
    messages = [r["message"] for r in rows_of(out / "issues.csv")]
    assert messages[0] == (
        "本次审核的文件中没有某某县财政局2021年度的报告，2022年度报告未做跨年度检查"
        "（上下年结转、现行有效件数衔接、大幅变化）和内容雷同比较。"
    )
    assert "本年“二、上年结转”为3，而2022年报表“四、结转下年度继续办理”为2，相差1" in messages[1]
    assert "第一部分与2022年报告的相似度为1.00" in messages[3]
    reports = {r["file"]: r for r in rows_of(out / "reports.csv")}
    assert reports["某某县财政局2023年报.txt"]["compared_with"] == "某某县财政局2022年报.txt"
    # part 六's one sentence is too short to judge: it is rightly the same every year
    assert reports["某某县财政局2023年报.txt"]["similarity"] == "一:1.00 五:1.00"
    assert reports["某某县财政局2022年报.txt"]["compared_with"] == ""


def test_documents_in_force_and_swings_across_years(tmp_path):
    """year.in_force and year.swing run between consecutive years of one issuer."""
    folder = tmp_path / "in"
    before = s3_values(5, 0, 3) | {
        ("s2", "normative", "issued"): 2,
        ("s2", "normative", "in_force"): 10,
        ("s2", "licensing", "decisions"): 5,
    }
    after = s3_values(4, 2, 6) | {
        ("s2", "normative", "issued"): 1,
        ("s2", "normative", "in_force"): 30,  # 10 + 1 − 0 = 11 expected
        ("s2", "licensing", "decisions"): 100,
    }
    write_report(folder, "某某县财政局2022年报.txt", report_text("某某县财政局", 2022, before))
    write_report(folder, "某某县财政局2023年报.txt", report_text("某某县财政局", 2023, after))
    result = run_audit([folder], tmp_path / "out")
    found = [
        (r["file"], r["rule"], r["row"], r["col"], r["where"])
        for r in result.findings.to_dict("records")
        if r["rule"].startswith("year.")
    ]
    assert found == [
        ("某某县财政局2023年报.txt", "year.in_force", "normative", "in_force", "l9"),
        ("某某县财政局2023年报.txt", "year.swing", "licensing", "decisions", "l12"),
    ]  # 10 → 30 documents in force is ×3, not more: no swing
    assert result.counts["compared"] == 1 and not result.blocked


def test_format_variants_are_read(tmp_path):
    """Tables titled 一、二、三 (numbering shifted), `规范性文件` for 行政规范性文件, `1、` for `1.`."""
    values = s3_values(5, 0, 3) | {("s2", "normative", "in_force"): 7}
    text = report_text("某某县财政局", 2022, values)
    for old, new in (
        ("二、主动公开政府信息情况", "一、主动公开政府信息情况"),
        ("三、收到和处理政府信息公开申请情况", "二、收到和处理政府信息公开申请情况"),
        ("四、政府信息公开行政复议", "三、政府信息公开行政复议"),
        ("行政规范性文件", "规范性文件"),
        *((f"{n}.", f"{n}、") for n in range(1, 9)),
    ):
        text = text.replace(old, new)
    path = write_report(tmp_path, "某某县财政局2022年报.txt", text)
    report = read_report(path)
    assert report.tables_found == ("s2", "s3", "s4") and report.findings == []
    cells = report.cells.set_index(["section", "row", "col"])["value"]
    assert cells[("s2", "normative", "in_force")] == 7
    assert cells[("s3", "denied_law", "total")] == 0 and cells[("s3", "new", "total")] == 5
    assert not cells.isna().any()


def test_years_that_join_have_no_error(tmp_path):
    two_years(tmp_path / "in", carried_in_2023=2)
    result = audit_cli(tmp_path / "in", "--out", tmp_path / "out")
    rules = [r["rule"] for r in rows_of(tmp_path / "out" / "issues.csv")]
    assert "year.carry_over" not in rules and result.exit_code == 0, result.output


def test_a_report_of_unknown_year_is_not_compared(tmp_path):
    folder = tmp_path / "in"
    write_report(
        folder, "某某县财政局2022年报.txt", report_text("某某县财政局", 2022, s3_values(5, 0, 3))
    )
    text = report_text("某某县财政局", 2023, s3_values(4, 3, 6)).replace("2023年政府", "年度政府")
    write_report(folder, "财政局年报.txt", text.replace("2023", ""))
    result = run_audit([folder], tmp_path / "out")
    rules = [(r["file"], r["rule"]) for r in result.findings.to_dict("records")]
    assert ("财政局年报.txt", "audit.year_unknown") in rules
    assert not [r for r in rules if r[1].startswith("year.") or r[1] == "narrative.similar"]
    assert [r for r in rules if r[1] == "audit.no_last_year"] == [
        ("某某县财政局2022年报.txt", "audit.no_last_year")
    ]


def test_the_same_report_twice(tmp_path):
    folder = tmp_path / "in"
    text = report_text("某某县财政局", 2022, s3_values(5, 0, 3))
    write_report(folder / "a", "某某县财政局2022年报.txt", text)
    write_report(folder / "b", "某某县财政局2022年报.txt", text)
    result = run_audit([folder], tmp_path / "out")
    assert list(result.summary["file"]) == [
        "a/某某县财政局2022年报.txt",
        "b/某某县财政局2022年报.txt",
    ]
    dup = result.findings[result.findings["rule"] == "audit.same_report"]
    assert list(dup["file"]) == ["b/某某县财政局2022年报.txt"]
    assert list(dup["message"]) == [
        "文件“b/某某县财政局2022年报.txt”和“a/某某县财政局2022年报.txt”都是某某县财政局2022年度的报告，"
        "两份都读到的203个单元格数字全部相同（另有0个单元格只有一份读到，未比较）；"
        "跨年度比较使用“a/某某县财政局2022年报.txt”。"
    ]


# -- format variants ---------------------------------------------------------------------------
def test_one_row_other_is_checked_on_what_is_known(tmp_path):
    """（六）其他处理 as one row: （七）总计 is checked with the group's total for its three
    sub-rows, and a note in that row's cell is read as the number with the note kept."""
    values = s3_values(5, 0, 3)
    path = write_report(
        tmp_path / "in",
        "某某县财政局2022年报.txt",
        report_text(
            "某某县财政局", 2022, values, one_row_other="1（含逾期不补正）  0  0  0  0  0  1"
        ),
    )
    report = read_report(path)
    assert report.other_single_row
    result = run_audit([tmp_path / "in"], tmp_path / "out")
    found = [
        (r["rule"], r["row"], r["col"], r["value"], r["expected"])
        for r in result.findings.to_dict("records")
    ]
    # 予以公开 3 + （六） 1 = 4 against （七）总计 3, in the two columns that have requests
    assert [f for f in found if f[0].startswith("s3.")] == [
        ("s3.outcome_total", "outcome_total", "natural", "3", "4"),
        ("s3.outcome_total", "outcome_total", "total", "3", "4"),
    ]  # fmt: skip
    assert ("audit.note_in_cell", "other_total", "natural", "1", "") in found
    cells = result.cells.set_index(["section", "row", "col"])
    assert cells.loc[("s3", "other_total", "natural"), "text"] == "1（含逾期不补正）"
    assert cells.loc[("s3", "other_total", "natural"), "label"] == "（六）其他处理·自然人"
    assert result.summary["sums_broken"].tolist() == [2]


def test_figures_of_a_line_of_text_are_kept_as_written(tmp_path):
    """Full-width digits and thousands separators in a line of text: read as the number, the
    text kept as printed."""
    values = {("s2", "normative", "in_force"): 12, ("s2", "penalty", "decisions"): 3985758}
    texts = {("s2", "normative", "in_force"): "１２", ("s2", "penalty", "decisions"): "3,985,758"}
    path = write_report(
        tmp_path, "某某县财政局2022年报.txt", report_text("某某县财政局", 2022, values, texts=texts)
    )
    cells = read_report(path).cells.set_index(["section", "row", "col"])
    assert cells.loc[("s2", "normative", "in_force"), ["value", "text"]].tolist() == [12, "１２"]
    assert cells.loc[("s2", "penalty", "decisions"), ["value", "text"]].tolist() == [
        3985758,
        "3,985,758",
    ]


def test_text_figures_stand_at_their_own_line():
    """A figure the text restates, and part 六's fee sentence, are placed at their line (上海
    2025: 受理 … 1295 件 on line 38, 未收取信息公开处理费 on line 215 under the heading on 214)."""
    report = read_report(REAL / "上海市人民政府办公厅2025.md")
    assert [(f["what"], f["where"]) for f in report.figures] == [
        ("received", "l38"),
        ("closed", "l38"),
        ("carried_in", "l39"),
    ]
    assert set(report.cells.loc[report.cells["section"] == "s6", "where"]) == {"l215"}
    hongze = read_report(REAL / "洪泽区2023.pdf")
    assert hongze.figures[0]["where"] == "p1:l20"
    assert set(hongze.cells.loc[hongze.cells["section"] == "s6", "where"]) == {"p5:l5"}


def test_a_failure_inside_the_reader_is_the_files_finding(tmp_path, monkeypatch):
    from pipeline.ingest.published import read as read_module

    def broken(*args):
        raise KeyError("x")

    monkeypatch.setattr(read_module, "read_tables", broken)
    report = read_report(REAL / "上海市人民政府办公厅2025.md")
    assert [f["rule"] for f in report.findings] == ["file.unreadable"]
    assert "识别表格时出现内部错误（KeyError）" in report.findings[0]["message"]


# -- the files ---------------------------------------------------------------------------------
def test_junk_is_skipped_and_an_unknown_type_is_a_finding(tmp_path):
    folder = tmp_path / "in"
    write_report(
        folder, "某某县财政局2022年报.txt", report_text("某某县财政局", 2022, s3_values(5, 0, 3))
    )
    (folder / "~$某某县财政局2022年报.docx").write_bytes(b"owner file")
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("[core]")
    (folder / "照片.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert [name for _, name in audit_files([folder])] == ["某某县财政局2022年报.txt", "照片.png"]
    result = audit_cli(folder, "--out", tmp_path / "out")
    assert result.exit_code == 0  # NOTE: a file xxgk does not read is no error of a report
    assert issues(tmp_path / "out") == [
        ("某某县财政局2022年报.txt", "audit.no_last_year", ""),
        ("照片.png", "audit.unsupported", ""),
        ("", "file.skipped", ""),
    ]
    skipped = store.read_csv(tmp_path / "out" / "issues.csv").iloc[-1]["message"]
    assert skipped == (
        "已跳过3个软件留下的临时文件、锁定文件或隐藏文件，未读取："
        "“.DS_Store”、“.git”、“~$某某县财政局2022年报.docx”。"
    )


def test_progress_and_the_result(tmp_path):
    folder = tmp_path / "in"
    two_years(folder, carried_in_2023=2)
    ticks: list[int] = []
    result = run_audit(
        [folder / "某某县财政局2023年报.txt", folder], tmp_path / "out", progress=ticks.append
    )
    assert ticks == [1, 1]  # the file given twice (itself and in its folder) is read once
    assert result.counts == {
        "files": 2, "reports": 2, "cells": 406, "compared": 1, "error": 0, "warning": 2, "reading": 0,
        "info": 1,
    }  # fmt: skip
    assert not result.blocked
    assert result.written == tuple(
        tmp_path / "out" / n for n in ("cells.csv", "issues.csv", "issues.html", "reports.csv")
    )
    assert [r.file for r in result.reports] == [
        "某某县财政局2023年报.txt",
        "某某县财政局2022年报.txt",
    ]


def test_every_kind_of_document_in_one_audit(tmp_path):
    """A web page in GBK, a Word file, a text, a scanned PDF and a report in the 2019 trial
    format: each read figure for figure, or a finding for what cannot be read."""
    from PIL import Image

    from tests.test_published_formats import html_page, plain_text, word_file

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "财政局.htm").write_bytes(html_page().encode("gbk"))
    word_file(folder / "财政局.docx")
    (folder / "财政局.txt").write_text(plain_text(), encoding="utf-8")
    Image.new("RGB", (200, 280), "white").save(folder / "扫描件2023.pdf")
    old = report_text("某某县水利局", 2020, {}).replace("本年制发件数", "本年新制作数量")
    (folder / "水利局2020.txt").write_text(old, encoding="utf-8")
    result = run_audit([folder], tmp_path / "out")
    summary = result.summary.set_index("file")
    assert summary.loc[["财政局.docx", "财政局.htm", "财政局.txt"], "format"].tolist() == [
        "docx",
        "html",
        "text",
    ]
    assert set(summary.loc[["财政局.docx", "财政局.htm", "财政局.txt"], "cells_read"]) == {203}
    assert summary.loc["水利局2020.txt", "old_format"] == "本年新制作数量"
    assert summary.loc["水利局2020.txt", "tables"] == ""
    by_file = result.findings.groupby("file")["rule"].apply(list).to_dict()
    assert by_file["扫描件2023.pdf"] == ["audit.scanned"]
    # NOTE: the format in force for a 2020 report: recognised, not read, no flaw
    assert by_file["水利局2020.txt"] == ["audit.old_format"]
    # one report in three formats: the same issuer and year, read alike
    assert by_file["财政局.docx"] == ["audit.note_in_cell", "audit.no_last_year", "value.missing"]
    for other in ("财政局.htm", "财政局.txt"):
        assert by_file[other] == [
            "audit.note_in_cell",
            "audit.same_report",  # its 203 figures those of the Word file
            "audit.no_last_year",
            "value.missing",  # 行政许可 printed `/`: read as 0 under the project's policy
        ]
    values = result.cells.pivot_table(
        index=["section", "row", "col"], columns="file", values="value", aggfunc="first"
    )
    assert (values.nunique(axis=1) == 1).all()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_old_word_and_wps_files_are_converted(tmp_path):
    """.doc and .wps are converted by LibreOffice (headless) and read as Word files."""
    import subprocess

    from tests.test_published_formats import assert_read_back, word_file

    word_file(tmp_path / "某某县财政局2023年报.docx")
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "doc:MS Word 97",
            "--outdir",
            str(tmp_path / "in"),
            str(tmp_path / "某某县财政局2023年报.docx"),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    doc = tmp_path / "in" / "某某县财政局2023年报.doc"
    shutil.copy2(doc, tmp_path / "in" / "某某县财政局2023年报（WPS）.wps")
    result = run_audit([tmp_path / "in"], tmp_path / "out")
    for report in result.reports:
        assert_read_back(report)
    assert list(result.summary["format"]) == ["docx", "docx"]


def test_the_text_against_the_tables(tmp_path):
    """Part 一's figures against 表三, part 六's fee sentence read and checked (s6.fees)."""
    values = s3_values(5, 0, 3)
    parts = {
        "一": PART_一.format(new=6, closed=3),
        "六": "本机关共发出收费通知1件，收费金额100元，实际收取150元。",
    }
    write_report(
        tmp_path / "in",
        "某某县财政局2022年报.txt",
        report_text("某某县财政局", 2022, values, parts=parts),
    )
    result = run_audit([tmp_path / "in"], tmp_path / "out")
    found = {r["rule"]: r for r in result.findings.to_dict("records")}
    assert found["s6.fees"]["severity"] == "error"
    assert found["s6.fees"]["message"] == (
        "信息处理费：实际收取的总金额（150元）大于收费通知的总金额（100元）。"
    )
    assert found["s6.fees"]["where"] == "l55"  # the fee sentence, under part 六's heading
    mismatch = found["narrative.figure_mismatch"]
    assert (mismatch["severity"], mismatch["where"]) == ("warning", "l4")
    assert mismatch["message"] == (
        "正文（l4）写“收到政府信息公开申请6件”，即收到（受理）的申请6件，而表格为5件。"
    )
    fees = result.cells[result.cells["section"] == "s6"]
    assert fees[["col", "value", "read_as"]].values.tolist() == [
        ["notices", "1", "written"],
        ["notice_amount", "100", "written"],
        ["collected", "150", "written"],
    ]


def test_a_file_name_that_is_not_utf8(tmp_path):
    """A name in GBK bytes (a zip made on Chinese Windows) is shown as read in GB18030."""
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.path.join(os.fsencode(folder), "某某县财政局2022年报.txt".encode("gbk"))
    with open(raw, "wb") as f:
        f.write(report_text("某某县财政局", 2022, s3_values(5, 0, 3)).encode("utf-8"))
    with open(os.path.join(os.fsencode(folder), "照片.png".encode("gbk")), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
    result = audit_cli(folder, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert issues(tmp_path / "out") == [
        ("某某县财政局2022年报.txt", "audit.no_last_year", ""),
        ("照片.png", "audit.unsupported", ""),
    ]
    message = rows_of(tmp_path / "out" / "issues.csv")[1]["message"]
    assert message.startswith("文件“照片.png”的类型（.png）")


def test_many_files_are_read_on_every_core_alike(tmp_path, monkeypatch):
    """Read in worker processes (as many files are), the audit finds exactly the same."""
    from pipeline.ingest.published import parallel as parallel_module

    two_years(tmp_path / "in")
    shutil.copy2(REAL / "洪泽区2023.pdf", tmp_path / "in")
    alone = run_audit([tmp_path / "in"], tmp_path / "out1")
    monkeypatch.setattr(parallel_module, "PARALLEL_FROM", 2)
    monkeypatch.setattr(parallel_module.os, "cpu_count", lambda: 2)
    ticks: list[int] = []
    together = run_audit([tmp_path / "in"], tmp_path / "out2", progress=ticks.append)
    assert ticks == [1, 1, 1]
    assert together.findings.equals(alone.findings) and together.cells.equals(alone.cells)
    assert together.summary.equals(alone.summary)


# -- where it writes ---------------------------------------------------------------------------
def test_out_inside_an_input_is_refused(tmp_path):
    folder = tmp_path / "in"
    write_report(
        folder, "某某县财政局2022年报.txt", report_text("某某县财政局", 2022, s3_values(5, 0, 3))
    )
    before = sorted(p.name for p in folder.rglob("*"))
    for out in (folder / "audit", folder):
        result = audit_cli(folder, "--out", out)
        assert result.exit_code == 2
        assert result.stderr == (
            f"xxgk：输出文件夹 {out} 与要审核的 {folder} 重叠（相同、在其中或包含它），"
            "为免改动或删除要审核的报告，未运行；请把 --out 设为要审核的文件和文件夹之外的文件夹\n"
        )
    # an input inside the output folder: replacing the folder would delete it
    result = audit_cli(folder / "某某县财政局2022年报.txt", "--out", tmp_path)
    assert result.exit_code == 2
    assert sorted(p.name for p in folder.rglob("*")) == before


def test_only_a_folder_made_by_the_audit_is_replaced(tmp_path):
    folder = tmp_path / "in"
    write_report(
        folder, "某某县财政局2022年报.txt", report_text("某某县财政局", 2022, s3_values(5, 0, 3))
    )
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "笔记.txt").write_text("keep me", encoding="utf-8")
    result = audit_cli(folder, "--out", mine)
    assert result.exit_code == 2
    assert result.stderr == (
        f"xxgk：{mine} 已存在，但不是 xxgk audit 生成的文件夹（没有 .xxgk-audit 标记），"
        "为免改动其中的文件，未运行；请换一个 --out，或先移走它\n"
    )
    assert [p.name for p in mine.iterdir()] == ["笔记.txt"]
    out = tmp_path / "out"
    assert audit_cli(folder, "--out", out, "--quiet").exit_code == 0
    (out / "stale.csv").write_text("from before", encoding="utf-8")
    result = audit_cli(folder, "--out", out, "--quiet")
    assert result.exit_code == 0 and result.stdout == ""
    assert not (out / "stale.csv").exists() and (out / "cells.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "in", "mine", "out"]


def test_leftovers_of_a_killed_audit_are_cleared(tmp_path):
    """A staging copy left by a killed audit (marked) is removed; a folder of the same pattern
    that the audit did not make is left alone."""
    write_report(tmp_path / "in", "某某县财政局2022年报.txt", report_text("某某县财政局", 2022, {}))
    ours = tmp_path / ".out.staging-1"
    ours.mkdir()
    (ours / ".xxgk-audit").write_text("xxgk audit\n", encoding="utf-8")
    theirs = tmp_path / ".out.old-2"
    theirs.mkdir()
    (theirs / "笔记.txt").write_text("keep me", encoding="utf-8")
    run_audit([tmp_path / "in"], tmp_path / "out")
    assert not ours.exists() and (theirs / "笔记.txt").exists()
    assert (tmp_path / "out" / "cells.csv").exists()


def test_nothing_to_audit_cannot_start(tmp_path):
    (tmp_path / "empty").mkdir()
    result = audit_cli(tmp_path / "empty", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr == f"xxgk：{tmp_path / 'empty'} 中没有可审核的文件\n"
    result = audit_cli(tmp_path / "nowhere", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr == f"xxgk：找不到 {tmp_path / 'nowhere'}（请检查要审核的文件或文件夹）\n"
    assert not (tmp_path / "out").exists()


def test_a_folder_another_audit_is_writing_is_waited_for_then_refused(tmp_path, monkeypatch):
    from pipeline.audit import folder as folder_module
    from pipeline.locks import exclusive
    from pipeline.paths import AuditPaths

    two_years(tmp_path / "in")
    out = tmp_path / "out"
    monkeypatch.setattr(folder_module, "LOCK_WAIT", 0.2)
    with exclusive(AuditPaths(out).lock, 0, RuntimeError):  # another audit, writing
        result = audit_cli(tmp_path / "in", "--out", out)
    assert result.exit_code == 2
    assert result.stderr == f"xxgk：另一个审核正在写入 {out}，请稍后再试。\n"
    assert not out.exists()
    assert audit_cli(tmp_path / "in", "--out", out).exit_code == 1, "the carry-over found"
    assert (out / "cells.csv").exists(), "written once the other audit is done"


def test_an_internal_failure_is_exit_3(tmp_path, monkeypatch):
    from pipeline.audit import compare as compare_module

    write_report(
        tmp_path / "in",
        "某某县财政局2022年报.txt",
        report_text("某某县财政局", 2022, s3_values(5, 0, 3)),
    )

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(compare_module, "validated_findings", broken)
    result = audit_cli(tmp_path / "in", "--out", tmp_path / "out")
    assert result.exit_code == 3
    assert result.stderr.startswith("xxgk：内部错误（RuntimeError: boom）")
    assert not (tmp_path / "out").exists()


def test_the_readme_example(tmp_path, monkeypatch):
    """The README's example, run as it is written (default --out, from the folder it names)."""
    folder = tmp_path / "下载的年报"
    folder.mkdir()
    for name in ("洪泽区2023.pdf", "平潭综合实验区2021.txt", "平潭综合实验区2023.txt"):
        shutil.copy2(REAL / name, folder / name)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["audit", "下载的年报/"])
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    shown = readme.split("    $ xxgk audit 下载的年报/\n", 1)[1].split("\n\n", 1)[0]
    assert result.exit_code == 1
    assert result.stdout + result.stderr == "\n".join(line[4:] for line in shown.split("\n")) + "\n"
    row = next(r for r in rows_of(Path("output/audit/issues.csv")) if r["rule"] == "s4.group_total")
    assert (
        f",{row['where']},…,{row['value']},{row['expected']},{row['message']},{row['suggestion']}"
        in readme
    )
