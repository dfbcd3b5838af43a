"""Issue 22: findings in the order of what to do, counts that agree everywhere, comparisons across
years like for like, decisions the office recorded, feedback that shows where to look, and pages
as an office prints them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from decimal import Decimal
from html import unescape
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline import store
from pipeline.cli import app
from pipeline.format2021 import S3_PARTS, to_decimal
from pipeline.inputs import REVIEWED_HEADERS
from pipeline.paths import Paths
from pipeline.problems import findings_table
from pipeline.render.feedback import (
    _FILLS,
    FEEDBACK_SHEET,
    SUGGESTED_FILL,
    SUGGESTED_MARK,
    SUM_TINT,
)
from pipeline.render.summary import cell_codes
from pipeline.render.workbook import sheet_name, template_cell, write_return
from pipeline.review import reviewed, still_open, tally
from tests.helpers import (
    SAMPLE_RAW,
    command_line,
    libreoffice_writer,
    raw_year,
    require_tool,
    with_totals,
)

runner = CliRunner()

BROKEN = with_totals({("s3", "new", "natural"): 1, ("s3", "granted", "natural"): 1}) | {
    ("s3", "granted", "natural"): 4
}


# -- counts that agree ----------------------------------------------------------------------------
def said(stdout: str) -> dict[str, int]:
    """The counts of the console's one line about findings."""
    line = re.search(r"问题：错误(\d+)个，警告(\d+)个，提示(\d+)个(?:；另有已核实(\d+)个)?", stdout)
    assert line, stdout
    return {
        "error": int(line[1]),
        "warning": int(line[2]),
        "info": int(line[3]),
        "reviewed": int(line[4] or 0),
    }


def paged(paths: Paths) -> dict[str, int]:
    """The counts at the top of issues.html."""
    html = paths.issues_html.read_text("utf-8")
    found = {k: re.search(rf'id="count-{k}">(\d+)<', html) for k in ("error", "warning", "info")}
    reviewed = re.search(r'id="count-reviewed">(\d+)<', html)
    return {k: int(m[1]) for k, m in found.items() if m} | {
        "reviewed": int(reviewed[1]) if reviewed else 0
    }


def listed(paths: Paths) -> dict[str, int]:
    """The rows of issues.csv counted: the open ones by severity, and the closed ones."""
    issues = store.read_csv(paths.issues_csv)
    open_ = issues[issues["review"] == ""]
    counted = Counter(open_["severity"])
    return {s: counted[s] for s in ("error", "warning", "info")} | {
        "reviewed": int((issues["review"] != "").sum())
    }


def recorded(paths: Paths) -> dict[str, int]:
    """The counts manifest.json records."""
    found = json.loads(paths.manifest.read_text("utf-8"))["findings"]
    return {k: found[k] for k in ("error", "warning", "info", "reviewed")}


def a_year_with_a_mistake_and_missing_units(tmp_path, *, mistake: bool = True) -> Paths:
    returns = {"古县司法局": BROKEN if mistake else with_totals({}), "古县水利局": with_totals({})}
    return raw_year(tmp_path, returns, units=["古县司法局", "古县水利局", "古县审计局", "岳阳镇"])


# two sum errors in 古县司法局's return (when planted); two units of four sent nothing: errors,
# or warnings with --allow-missing
@pytest.mark.parametrize(
    ("mistake", "options", "exit_code", "errors", "warnings"),
    [
        (True, [], 1, 4, 0),
        (False, [], 1, 2, 0),
        (True, ["--allow-missing"], 1, 2, 2),
        (False, ["--allow-missing"], 0, 0, 2),
        (False, ["--allow-missing", "--all-units"], 0, 0, 2),
        (True, ["--all-units"], 1, 4, 0),
    ],
)
def test_the_console_the_page_the_csv_and_the_manifest_count_alike(
    tmp_path, mistake, options, exit_code, errors, warnings
):
    paths = a_year_with_a_mistake_and_missing_units(tmp_path, mistake=mistake)
    result = runner.invoke(app, command_line(paths, "report", *options))
    assert result.exit_code == exit_code, result.stderr
    counted = said(result.stdout)
    assert counted == paged(paths) == listed(paths) == recorded(paths)
    assert (counted["error"], counted["warning"], counted["reviewed"]) == (errors, warnings, 0)
    assert counted["info"] >= 1  # at least year.unchecked: no 2022 here
    assert result.stdout.count("问题：") == 1, "the findings are counted once, at the end"
    missing_line = "2个单位未报送，未计入汇总。"
    assert (missing_line in result.stdout) == ("--allow-missing" in options)
    assert "Traceback" not in result.stdout + result.stderr


def test_stages_run_one_by_one_count_as_the_report_does(tmp_path):
    paths = a_year_with_a_mistake_and_missing_units(tmp_path, mistake=False)
    common = command_line(paths)
    assert runner.invoke(app, ["ingest", *common]).exit_code == 0
    validated = runner.invoke(app, ["validate", *common])
    assert validated.exit_code == 1 and said(validated.stdout)["error"] == 2
    assert validated.stderr.strip().startswith("xxgk：校验发现2个错误")
    assert runner.invoke(app, ["aggregate", *common, "--allow-missing"]).exit_code == 0
    rendered = runner.invoke(app, ["render", *common, "--allow-missing"])
    assert rendered.exit_code == 0, rendered.stderr
    counted = said(rendered.stdout)
    assert counted == paged(paths) == listed(paths)
    assert (counted["error"], counted["warning"]) == (0, 2)
    assert "2个单位未报送，未计入汇总。" in rendered.stdout


def test_when_only_missing_units_block_the_message_names_allow_missing(tmp_path):
    paths = a_year_with_a_mistake_and_missing_units(tmp_path, mistake=False)
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "xxgk：2个单位未报送，未汇总全县数据，未生成报告。如只汇总已收到的报表，"
        "请加 --allow-missing（未报送的单位在报告附注中列出）；"
        f"请查看 {paths.issues_html}。"
    )
    mixed = a_year_with_a_mistake_and_missing_units(tmp_path / "mixed")
    result = runner.invoke(app, command_line(mixed, "report"))
    assert result.stderr.startswith(
        "xxgk：校验发现4个错误（其中2个是单位未报送），未汇总全县数据。"
    )


# -- the issues page in the order of what to do -------------------------------------------------------
def test_the_issues_page_puts_the_summary_first_then_contents_then_errors_by_unit(tmp_path):
    units = ["古县审计局", "古县水利局", "岳阳镇", "古县司法局", "古县林业局"]
    blank = with_totals({})
    del blank["s2", "licensing", "decisions"]  # a blank read as 0: a note
    paths = raw_year(
        tmp_path,
        {"古县水利局": blank, "古县司法局": BROKEN, "古县审计局": with_totals({})},
        units=units,
    )
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 1
    html = paths.issues_html.read_text("utf-8")
    order = [html.index(mark) for mark in ('id="summary"', 'id="missing"', 'id="contents"')]
    assert order == sorted(order), "the summary, then the missing units, then the contents"
    # the units that sent nothing are named once, in one block, in the roster's order
    block = re.search(r'<section id="missing".*?</section>', html, re.S)[0]
    assert "2个单位未报送" in block and "岳阳镇、古县林业局" in block and "--allow-missing" in block
    headings = re.findall(r'<h2 id="(unit-\d+)">(.*?)（错误(\d+)个，', html)
    assert [name for _, name, _ in headings][:2] == ["古县司法局", "古县水利局"]
    assert "岳阳镇" not in [name for _, name, _ in headings]
    errors = [int(n) for _, _, n in headings]
    assert errors == sorted(errors, reverse=True) and errors[0] > 0, "errors first"
    # every link of the contents leads to a heading of the page
    links = re.findall(r'<a href="#([^"]+)">', html)
    ids = set(re.findall(r'id="([^"]+)"', html))
    assert links and set(links) <= ids
    assert [a for a in links if a.startswith("unit-")] == [a for a, _, _ in headings]
    rank = {"error": 0, "warning": 1, "info": 2}
    sections = re.split(r'<h2 id="unit-\d+">', html.split('id="by-rule"')[0])[1:]
    for section in sections:
        severities = re.findall(r'<td class="severity (\w+)">', section)
        assert severities == sorted(severities, key=rank.get), "within a unit, errors first"
    assert re.findall(r'<td class="severity (\w+)">', sections[0])[0] == "error"


# -- like for like ----------------------------------------------------------------------------------
COMEBACK = ["古县人民政府办公室", "古县公安局", "北平镇", "古县教育局"]  # back in 2024
NEW_UNIT = "古县数据局"  # in the 2024 roster only


def next_year(last: dict[tuple[str, str, str], Decimal]) -> dict[tuple[str, str, str], object]:
    """A unit's 2024 return made from its 2023 cells: the same figures, carried over right
    (上年结转 = last year's 结转下年度, 现行有效 = last year's + 制发 − 废止)."""
    values: dict[tuple[str, str, str], object] = {k: v for k, v in last.items() if k[0] != "s6"}
    for col in S3_PARTS:
        carried = last["s3", "carried_out", col]
        new, done = last["s3", "new", col], last["s3", "outcome_total", col]
        values["s3", "carried_in", col] = carried
        values["s3", "new", col] = max(new, done - carried)
        values["s3", "carried_out", col] = values["s3", "new", col] + carried - done
    for key in [k for k in values if k[0] == "s2" and k[2] == "in_force"]:
        section, row, _ = key
        issued, repealed = (
            last.get((section, row, "issued"), 0),
            last.get((section, row, "repealed"), 0),
        )
        values[key] = last[key] + issued - repealed
    for key in [k for k in values if k[0] == "s3" and (k[2] == "total" or k[1] == "outcome_total")]:
        del values[key]
    return with_totals(values)


@pytest.fixture(scope="module")
def partial_year(tmp_path_factory, sample_year):
    """The sample year as 2023 and a 2024 of four of its units and one new unit, reported
    with --allow-missing: the Paths of 2024 and the 2023 cells."""
    tmp = tmp_path_factory.mktemp("partial")
    shutil.copytree(SAMPLE_RAW / "2023", tmp / "raw" / "2023")
    cells = store.read_cells(sample_year.ingested_cells)
    roster = store.read_csv(SAMPLE_RAW / "2023" / "units.csv")
    raw = tmp / "raw" / "2024"
    (raw / "returns").mkdir(parents=True)
    new = {"code": "141025-99", "name": NEW_UNIT, "kind": "部门"}
    roster.loc[len(roster)] = [new.get(c, "") for c in roster.columns]
    roster.to_csv(raw / "units.csv", index=False, encoding="utf-8-sig")
    for unit in COMEBACK:
        mine = cells[cells["unit"] == unit]
        last = {
            (r.section, r.row, r.col): to_decimal(int(r.value), r.section, r.col)
            for r in mine.itertuples()
        }
        write_return(raw / "returns" / f"{unit}.xlsx", unit, 2024, next_year(last))
    write_return(
        raw / "returns" / f"{NEW_UNIT}.xlsx",
        NEW_UNIT,
        2024,
        with_totals({("s3", "new", "natural"): 50, ("s3", "granted", "natural"): 50}),
    )
    paths = Paths(tmp / "raw", tmp / "output", 2024)
    result = runner.invoke(app, command_line(paths, "report", "--allow-missing"))
    assert result.exit_code == 0, result.stderr
    assert "31个单位未报送，未计入汇总。" in result.stdout
    return paths, cells


def like_for_like(cells, units, section, row, col):
    mine = cells[
        cells["unit"].isin(units)
        & (cells["section"] == section)
        & (cells["row"] == row)
        & (cells["col"] == col)
    ]
    return int(mine["value"].sum())


def test_a_partial_years_charts_compare_only_the_units_present_in_both_years(partial_year):
    paths, last_cells = partial_year
    html = unescape(paths.charts_html.read_text("utf-8"))
    assert "36个单位中有4个两年都有数据，与上年比较只计这4个单位" in html
    assert "本年收到5个单位的报表，2023年有35个单位的数据" in html
    this_cells = store.read_cells(paths.ingested_cells)
    row = re.search(r"<tr><td>表三·一、本年新收政府信息公开申请数量（总计）</td>(.*?)</tr>", html)
    shown = re.findall(r'<td class="n[^"]*">([^<]*)</td>', row[1])
    last = like_for_like(last_cells, COMEBACK, "s3", "new", "total")
    this = like_for_like(this_cells, COMEBACK, "s3", "new", "total")
    assert shown[:2] == [str(last), str(this)]
    everyone = like_for_like(last_cells, set(last_cells["unit"]), "s3", "new", "total")
    assert everyone != last, "the whole of 2023 is not what 2024's four units are compared with"
    assert "部分数据：2024年度名册共36个单位，只有5个单位的报表计入合计，31个单位未计入。" in html


def test_a_partial_years_summary_compares_like_for_like_and_says_it_is_partial(partial_year):
    paths, last_cells = partial_year
    wb = openpyxl.load_workbook(paths.summary_xlsx)
    ws = wb["与上年比较"]
    assert "36个单位中有4个两年都有数据" in ws["A2"].value
    rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=6, values_only=True)}
    this_cells = store.read_cells(paths.ingested_cells)
    licensing = rows["表二·行政许可·本年处理决定数量"]
    assert licensing[:2] == (
        str(like_for_like(last_cells, COMEBACK, "s2", "licensing", "decisions")),
        str(like_for_like(this_cells, COMEBACK, "s2", "licensing", "decisions")),
    )
    partial = "部分数据：2024年度名册共36个单位，只有5个单位的报表计入合计，31个单位未计入。"
    for name in wb.sheetnames[:3]:
        assert wb[name]["A2"].value == partial, name
    assert ws["A3"].value == partial
    for page in (paths.report_html, paths.report_md):
        assert partial in page.read_text("utf-8")


# -- decisions remembered -----------------------------------------------------------------------------
CHINESE_HEADER = "单位代码,规则,表,行,列,读作,状态,说明,核实人,日期"
ENGLISH_HEADER = "code,rule,section,row,col,value,status,reason,reviewer,date"


def two_years(tmp_path) -> Paths:
    """2022 and 2023 of two units: 古县审批局's licensing swings from 100 to 1000 (a warning),
    古县司法局's 2023 return breaks two sums (errors)."""
    licensing = ("s2", "licensing", "decisions")
    raw_year(
        tmp_path, {"古县审批局": with_totals({licensing: 100}), "古县司法局": with_totals({})}, 2022
    )
    return raw_year(
        tmp_path, {"古县审批局": with_totals({licensing: 1000}), "古县司法局": BROKEN}, 2023
    )


def test_a_checked_warning_is_listed_apart_an_error_stays_and_a_stale_decision_is_said(tmp_path):
    paths = two_years(tmp_path)
    paths.reviewed.write_text(
        "\n".join(
            [
                CHINESE_HEADER,
                "U00,year.swing,表二,行政许可,本年处理决定数量,1000,已核实,新设行政审批局承接全县许可,张三,2024-03-01",
                "U01,s3.row_total,s3,granted,natural,4,已核实,已电话核实,李四,2024/3/2",
                "U00,year.in_force,s2,normative,in_force,,已核实,去年核实过,张三,2024年3月3日",
            ]
        )
        + "\n",
        encoding="utf-8-sig",
    )
    before = paths.reviewed.read_bytes()
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 1, "a decision never unblocks an error"
    counted = said(result.stdout)
    assert counted == paged(paths) == listed(paths) == recorded(paths)
    assert counted["error"] == 2 and counted["warning"] == 0 and counted["reviewed"] == 1
    assert "另有已核实1个，不计入" in result.stdout
    issues = store.read_csv(paths.issues_csv)
    swing = issues[issues["rule"] == "year.swing"].iloc[0]
    assert (swing["unit"], swing["severity"], swing["review"]) == (
        "古县审批局",
        "warning",
        "已核实",
    )
    assert "新设行政审批局承接全县许可" in swing["review_note"] and "张三" in swing["review_note"]
    notes = issues[issues["rule"].str.startswith("review.")]
    assert sorted(zip(notes["rule"], notes["unit"], notes["severity"], strict=True)) == [
        ("review.on_error", "古县司法局", "info"),
        ("review.stale", "古县审批局", "info"),
    ]
    stale = notes[notes["rule"] == "review.stale"].iloc[0]["message"]
    assert "第4行" in stale and "本次没有这一问题" in stale
    assert "第3行" in notes[notes["rule"] == "review.on_error"].iloc[0]["message"]
    errors = issues[(issues["severity"] == "error") & (issues["review"] == "")]
    assert set(errors["unit"]) == {"古县司法局"}
    html = paths.issues_html.read_text("utf-8")
    section = html.split('id="reviewed"')[1].split('id="by-rule"')[0]
    assert "已核实：表二“行政许可·本年处理决定数量”本年为1000" in section
    assert "新设行政审批局承接全县许可" in section
    # the department is not asked again about what the office has checked
    assert not paths.feedback_file("古县审批局", ".xlsx").exists()
    assert paths.feedback_file("古县司法局", ".xlsx").exists()
    assert paths.reviewed.read_bytes() == before, "raw/ is never written"


def test_a_decision_whose_value_changed_is_stale_and_the_warning_stays_open(tmp_path):
    paths = two_years(tmp_path)
    paths.reviewed.write_text(
        ENGLISH_HEADER
        + "\nU00,year.swing,s2,licensing,decisions,900,已核实,核实过,张三,2024-03-01\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, command_line(paths, "report"))
    counted = said(result.stdout)
    assert counted == paged(paths) == listed(paths) == recorded(paths)
    assert counted["warning"] == 1 and counted["reviewed"] == 0
    issues = store.read_csv(paths.issues_csv)
    stale = issues[issues["rule"] == "review.stale"]["message"].tolist()
    assert len(stale) == 1 and "该格本次读作“1000”，核实时为“900”" in stale[0]


@pytest.mark.parametrize(
    ("lines", "named"),
    [
        (
            ["U00,year.swing,s2,licensing,decisions,1000,已确认,x,张三,2024-03-01"],
            "第2行的状态“已确认”无法识别（可用：已核实）",
        ),
        (
            [
                "U00,year.swing,s2,licensing,decisions,1000,已核实,x,张三,2024-03-01",
                "U99,year.swing,,,,,已核实,x,张三,2024-03-01",
            ],
            "第3行的单位代码“U99”不在单位名册中",
        ),
        (
            ["U00,year.swnig,s2,licensing,decisions,1000,已核实,x,张三,2024-03-01"],
            "第2行的规则“year.swnig”不是本程序的规则编号",
        ),
        (
            ["U00,year.swing,s2,licensing,decisions,1000,已核实,x,张三,上周"],
            "第2行的日期“上周”无法识别",
        ),
        (
            ["U00,year.swing,s2,licensing,decisions,1000,已核实,,张三,2024-03-01"],
            "第2行没有填写说明（reason）",
        ),
        (
            ["U00,year.swing,,licensing,,1000,已核实,x,张三,2024-03-01"],
            "第2行填写了行或列，但没有填写表（section）",
        ),
        (["U00,year.swing,表九,,,,已核实,x,张三,2024-03-01"], "第2行的表“表九”无法识别"),
        (
            [
                "U00,year.swing,s2,licensing,decisions,1000,已核实,x,张三,2024-03-01",
                "",
                "U01,year.swing,,,,,已核实,x,张三,2024-03-01",
            ],
            "第3行是空行",
        ),
        (
            [
                "U00,year.swing,s2,licensing,decisions,1000,已核实,x,张三,2024-03-01",
                "U00,year.swing,表二,行政许可,本年处理决定数量,1000,已核实,y,李四,2024-03-02",
            ],
            "第2行和第3行记的是同一个问题",
        ),
    ],
)
def test_a_malformed_decisions_file_stops_the_run_before_any_work_naming_the_line(
    tmp_path, lines, named
):
    paths = two_years(tmp_path)
    paths.reviewed.write_text("\n".join([CHINESE_HEADER, *lines]) + "\n", encoding="utf-8")
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"xxgk：核实记录 {paths.reviewed} "), result.stderr
    assert named in result.stderr
    assert not (paths.out_root / "2023").exists(), "checked before any work"
    assert "Traceback" not in result.stdout + result.stderr


def test_a_decisions_file_without_a_column_names_the_header(tmp_path):
    paths = two_years(tmp_path)
    paths.reviewed.write_text("单位代码,规则,表,行,列,状态,说明,核实人,日期\n", encoding="utf-8")
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 2
    assert f"核实记录 {paths.reviewed} 第1行缺少列：读作（value）" in result.stderr


# -- the feedback shows where to look -----------------------------------------------------------------
def marked_cells(ws) -> dict[str, tuple[str, str]]:
    """Each filled cell of a sheet: its fill colour and its comment's text."""
    out = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.fill.fill_type == "solid":
                text = cell.comment.text if cell.comment else ""
                out[cell.coordinate] = (cell.fill.fgColor.rgb[-6:], text)
    return out


def sum_cells(rule: str, total: tuple[str, str, str]) -> set[tuple[str, str, str]]:
    """The cells of the sum `rule` whose stated total is `total`."""
    from pipeline.validate.localise import equations

    return next(set(e.cells) for e in equations() if e.rule == rule and e.total == total)


def check_the_marks(wb, broken: dict, suggested: tuple[str, str, str] | None) -> None:
    """The marks of broken sums (`broken`: rule → its total) on the project's return: each total
    commented with its message, the other cells of its sum tinted, the suggested cell (if any)
    marked as such; the 校验问题 sheet linking each problem to its cell."""
    ws = wb[sheet_name("s3") if all(t[0] == "s3" for t in broken.values()) else sheet_name("s4")]
    marks = marked_cells(ws)
    totals = {template_cell(*t) for t in broken.values()}
    at = template_cell(*suggested) if suggested else ""
    for rule, total in broken.items():
        fill, text = marks[template_cell(*total)]
        assert fill == _FILLS["error"] and text.startswith("【错误】"), (rule, text)
        for cell in sum_cells(rule, total) - {total, suggested}:
            address = template_cell(*cell)
            if address not in totals:
                assert marks[address] == (SUM_TINT, ""), (rule, address)
    if suggested:
        fill, text = marks[at]
        assert fill == SUGGESTED_FILL and text.startswith(SUGGESTED_MARK) and "很可能有误" in text
        assert ws[at].border.left.style == "medium"
    else:
        assert SUGGESTED_FILL not in {fill for fill, _ in marks.values()}
    rows = [r for r in wb[FEEDBACK_SHEET].iter_rows(min_row=2) if r[0].value]
    errors = [r for r in rows if r[1].value == "错误"]
    assert len(errors) == len(broken) and all(r[3].hyperlink is not None for r in errors)
    for row in rows:
        if row[3].hyperlink is None:
            continue
        sheet, address = row[3].hyperlink.location.rsplit("!", 1)
        assert sheet.strip("'") in wb.sheetnames and row[3].value == address
        assert wb[sheet.strip("'")][address].comment is not None, address
    assert {r[3].hyperlink.location.rsplit("!", 1)[1] for r in errors} == totals


PLANTED = {
    "s3.row_total": ("s3", "granted", "total"),
    "s3.outcome_total": ("s3", "outcome_total", "natural"),
}


def test_the_feedback_of_a_broken_sum_tints_its_cells_comments_its_total_and_marks_the_suggestion(
    tmp_path,
):
    paths = raw_year(tmp_path, {"古县司法局": BROKEN, "古县水利局": with_totals({})})
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 1
    wb = openpyxl.load_workbook(paths.feedback_file("古县司法局", ".xlsx"))
    check_the_marks(wb, PLANTED, ("s3", "granted", "natural"))


def test_a_sum_no_one_cell_explains_is_marked_on_its_cells_with_no_suggestion(tmp_path):
    values = with_totals({("s4", "cases", "direct_upheld"): 2}) | {
        ("s4", "cases", "direct_total"): 1
    }
    paths = raw_year(tmp_path, {"古县司法局": values})
    assert runner.invoke(app, command_line(paths, "report")).exit_code == 1
    issues = store.read_csv(paths.issues_csv)
    group = issues[issues["rule"] == "s4.group_total"].iloc[0]
    assert (group["row"], group["col"], group["expected"]) == ("cases", "direct_total", "")
    wb = openpyxl.load_workbook(paths.feedback_file("古县司法局", ".xlsx"))
    check_the_marks(wb, {"s4.group_total": ("s4", "cases", "direct_total")}, None)


def test_the_feedback_of_a_word_return_marks_the_sum_on_its_excel_copy(tmp_path):
    import random

    from tests.wordreturns import word_return

    paths = raw_year(tmp_path, {}, units=["古县公安局"])
    word_return(paths.returns_dir / "古县公安局.docx", "古县公安局", 2023, BROKEN, random.Random(1))
    assert runner.invoke(app, command_line(paths, "report")).exit_code == 1
    wb = openpyxl.load_workbook(paths.feedback_file("古县公安局", ".xlsx"))
    check_the_marks(wb, PLANTED, ("s3", "granted", "natural"))


# -- pages as an office prints them -------------------------------------------------------------------
def printed_pdf(document: Path, tmp: Path, soffice: str | None) -> Path:
    """`document` printed to PDF by LibreOffice (Calc for a workbook, Writer for a report)."""
    require_tool("LibreOffice", soffice is not None, "无法检查打印出的页面")
    subprocess.run(
        [
            str(soffice),
            f"-env:UserInstallation=file://{tmp / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp),
            str(document),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return tmp / f"{document.stem}.pdf"


def calibri_metrics() -> bool:
    """Whether LibreOffice measures Calibri's columns as an office's Excel does (Carlito)."""
    found = subprocess.run(["fc-match", "Calibri"], capture_output=True, text=True)
    return found.returncode == 0 and "Carlito" in found.stdout


FIGURE_LABEL = re.compile(r"(表[二三四]|信息处理费)·")


def printed_summary(workbook: Path, tmp: Path) -> list[tuple[str, list, float]]:
    """The summary workbook printed by LibreOffice: each page's text, characters and width;
    the pages of the 各单位 sheet checked (three figure columns or more on every one, every
    cell's column printed), and the 问题清单 printed at 8 pt or more."""
    import pdfplumber

    require_tool("Carlito 字体", calibri_metrics(), "LibreOffice 按其他字体计算列宽，页数不可比")
    pdf = printed_pdf(workbook, tmp, shutil.which("soffice"))
    with pdfplumber.open(pdf) as printed:
        pages = [(page.extract_text() or "", page.chars, page.width) for page in printed.pages]
    assert all(width > 800 or width < 600 for _, _, width in pages)  # A4, either way up
    per_unit = [
        text
        for text, _, _ in pages
        if re.search(r"141025-\d\d", text) and "SHA-256" not in text and "字段代码" not in text
    ]
    columns = [len(FIGURE_LABEL.findall(text)) for text in per_unit]
    assert per_unit and min(columns) >= 3, columns
    assert sum(columns) >= len(cell_codes()), "every cell's column printed"
    findings = [chars for text, chars, _ in pages if "规则编号" in text and "严重程度" in text]
    assert findings and min(c["size"] for chars in findings for c in chars) >= 7.95
    return pages


def test_the_summary_of_the_sample_year_prints_on_30_a4_pages_at_most(sample_year, tmp_path):
    pages = printed_summary(sample_year.summary_xlsx, tmp_path)
    assert len(pages) <= 30, f"{len(pages)} pages"


def test_the_summary_of_a_year_of_few_units_prints_no_page_of_a_column_or_two(
    partial_year, tmp_path
):
    paths, _ = partial_year
    pages = printed_summary(paths.summary_xlsx, tmp_path)
    compared = [text for text, _, _ in pages if "全县主要数据与上年比较" in text]
    assert len(compared) == 1 and "36个单位中有4个两年都有数据" in compared[0]


TABLE_HEADINGS = (
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "表三（续）",
)
FOOTER_PT = 99  # the bottom margin (35 mm) holds only the page number
BODY_TOP_PT, BODY_PT = 105, 638  # the text starts 37 mm down; 225 mm of it


def what_pages_hold(pdf: Path) -> list[dict]:
    """Each printed page of a report: its part headings (and 续 captions), whether it holds body
    text (the 16 pt lines that are no heading), and how much of the page's height it fills."""
    import pdfplumber

    out = []
    with pdfplumber.open(pdf) as printed:
        for page in printed.pages:
            body = [c for c in page.chars if c["top"] < page.height - FOOTER_PT]
            lines: dict[int, list] = {}
            for c in body:
                lines.setdefault(round(c["top"]), []).append(c)
            headings, text = [], False
            for chars in lines.values():
                line = "".join(c["text"] for c in sorted(chars, key=lambda c: c["x0"])).strip()
                large = max(c["size"] for c in chars) > 15
                if line in TABLE_HEADINGS or (large and re.match(r"^[一二三四五六]、", line)):
                    headings.append(line)
                elif large:
                    text = True
            bottom = max((c["bottom"] for c in body), default=BODY_TOP_PT)
            out.append(
                {"headings": headings, "text": text, "full": (bottom - BODY_TOP_PT) / BODY_PT}
            )
    return out


@pytest.mark.parametrize("unit", ["北平镇", "古县人民政府办公室", "古县公安局"])
def test_no_page_of_a_units_word_report_holds_a_heading_or_one_small_table_alone(
    sample_year, tmp_path, unit
):
    from pipeline import render as rnd
    from tests.test_pagination import page_problems, page_texts

    pdf = printed_pdf(sample_year.unit_report_docx(unit), tmp_path, libreoffice_writer())
    cells = store.read_cells(sample_year.ingested_cells)
    # NOTE: a table split to fill a page still keeps each row with its labels and headings
    assert page_problems(page_texts(pdf), rnd.values_of(cells[cells["unit"] == unit])) == []
    pages = what_pages_hold(pdf)
    for n, page in enumerate(pages[:-1], start=1):
        tables = [h for h in page["headings"] if h in TABLE_HEADINGS]
        alone = len(page["headings"]) == len(tables) == 1 and not page["text"]
        # NOTE: a table alone on a page fills most of it, or what follows would have joined it
        assert not alone or page["full"] > 0.6, (unit, n, page)
        assert page["text"] or tables or not page["headings"], (unit, n, "a heading alone")


# -- invariants ------------------------------------------------------------------------------------------
UNITS = ("古县审批局", "古县司法局", "")
RULES_SEEN = ("year.swing", "s3.row_total", "value.missing", "year.sources")


@st.composite
def findings_and_decisions(draw):
    """A findings table (each finding's rule, unit, cell, value, severity) and decisions on some
    of them and on findings that did not fire, with values as read or changed."""
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(RULES_SEEN),
                st.sampled_from(UNITS),
                st.sampled_from(["granted", "new", ""]),
                st.sampled_from(["natural", "total", ""]),
                st.integers(0, 9),
                st.sampled_from(["error", "warning", "info"]),
            ),
            max_size=12,
            unique_by=lambda r: r[:4],
        )
    )
    findings = findings_table(
        [
            {
                "rule": rule,
                "unit": unit,
                "section": "s3",
                "row": row,
                "col": col,
                "value": str(value),
                "severity": severity,
                "message": f"{rule}：{unit}{row}{col}",
            }
            for rule, unit, row, col, value, severity in rows
        ]
    )
    chosen = draw(st.lists(st.sampled_from(rows), unique_by=lambda r: r[:4])) if rows else []
    decisions = [
        {
            "code": "",
            "unit": unit,
            "rule": rule,
            "section": "s3",
            "row": row,
            "col": col,
            "value": str(value + draw(st.sampled_from([0, 0, 1]))),
            "status": "已核实",
            "reason": "核实无误",
            "reviewer": "张三",
            "date": "2025-03-18",
            "line": i + 2,
        }
        for i, (rule, unit, row, col, value, _) in enumerate(chosen)
    ]
    return findings, pd.DataFrame(decisions, columns=[*REVIEWED_HEADERS, "unit", "line"])


@given(findings_and_decisions())
def test_decisions_close_only_warnings_and_notes_and_the_counts_cover_every_row(case):
    findings, decisions = case
    listed = reviewed(findings, decisions)
    counted = tally(listed)
    assert sum(counted[k] for k in ("error", "warning", "info", "reviewed")) == len(listed)
    closed = listed[listed["review"] != ""]
    assert not (closed["severity"] == "error").any(), "only the data fixes an error"
    assert set(closed["rule"]) <= set(decisions["rule"])
    notes = listed["rule"].str.startswith("review.")
    assert len(listed) - notes.sum() == len(findings), "no finding lost, none made up"
    opened = still_open(findings, decisions)
    assert len(opened) == len(findings) - len(closed)


@given(st.floats(0, 640))
def test_a_table_split_to_fill_a_page_keeps_every_row_once_in_order(room):
    from pipeline.format2021 import S3
    from pipeline.render import word_tables

    parts = word_tables.table_parts("s3", {}, first_room=room)
    rows = [
        c.row
        for part in parts
        for c in sorted(part.cells, key=lambda c: (c.r, c.c))
        if c.kind == "value" and c.col == "total"
    ]
    assert rows == [r.code for r in S3.rows]
    # NOTE: 表三 fits a page whole: only the room left on a page splits it, its first part there
    assert len(parts) == 1 or word_tables.part_height_pt("s3", parts[0]) <= room


@given(st.integers(70, 100))
def test_each_printed_page_of_the_units_sheet_holds_whole_blocks_of_three_columns_or_more(scale):
    from pipeline.render.summary import FIGURE_WIDTH, UNIT_FIELDS, block_of, units_page_breaks

    widths = [w for _, _, w, _ in UNIT_FIELDS] + [FIGURE_WIDTH] * len(cell_codes())
    breaks = units_page_breaks(widths, scale)
    keys = len(UNIT_FIELDS)
    blocks = [block_of(*c) for c in cell_codes()]
    starts = {keys + i for i in range(len(blocks)) if i == 0 or blocks[i] != blocks[i - 1]}
    assert set(breaks) <= starts, "a page never cuts a row of 表三"
    edges = [keys, *breaks, keys + len(blocks)]
    assert min(b - a for a, b in zip(edges, edges[1:], strict=False)) >= 3


def test_a_decision_without_a_unit_code_closes_a_warning_of_the_countys_table(tmp_path):
    licensing = ("s2", "licensing", "decisions")
    raw_year(tmp_path, {"古县审批局": with_totals({licensing: 100})}, 2022)
    paths = raw_year(tmp_path, {"古县审批局": with_totals({licensing: 1000})}, 2023)
    paths.reviewed.write_text(
        CHINESE_HEADER
        + "\n,year.swing,表二,行政许可,本年处理决定数量,1000,已核实,全县同上,张三,2024-03-01\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 0, result.stderr
    issues = store.read_csv(paths.issues_csv)
    swings = issues[issues["rule"] == "year.swing"].set_index("unit")["review"].to_dict()
    assert swings == {"全县": "已核实", "古县审批局": ""}, "the unit's own warning stays open"
    counted = said(result.stdout)
    assert counted == paged(paths) == listed(paths) == recorded(paths)
    assert (counted["warning"], counted["reviewed"]) == (1, 1)
