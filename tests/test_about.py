"""Every rule says what it is about: the document itself (`report`) or what xxgk could not read or
place (`reading`). `issues.csv` of both commands carries it; in `xxgk audit` a reading finding is
never an error, the two are counted apart, and exit 1 means a report has an error of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from typer.testing import CliRunner

from pipeline import store
from pipeline.audit.run import ISSUES_COLUMNS, run_audit
from pipeline.cli import app
from pipeline.problems import FINDING_COLUMNS, READING, REPORT, RULES, rules_markdown
from pipeline.review import REVIEW_COLUMNS
from scripts.published_texts import report_text, s3_values
from tests.helpers import command_line, raw_year, with_totals

runner = CliRunner()
REAL = Path(__file__).parent / "fixtures" / "real"
ABOUT = {REPORT, READING}


# -- the catalog -------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", list(RULES))
def test_every_rule_says_what_it_is_about(rule):
    assert RULES[rule].about in ABOUT


def test_what_the_issue_names_is_about_what_it_says():
    about = {r: RULES[r].about for r in RULES}
    reading = [
        "audit.row_short", "audit.row_long", "audit.row_unplaced", "audit.split_ambiguous",
        "audit.row_missing", "audit.table_missing", "audit.no_tables", "audit.scanned",
        "audit.unsupported", "audit.cell_object", "audit.old_format", "audit.fees_unread",
        "file.unreadable", "file.no_tables", "value.unreadable", "value.unstated",
    ]  # fmt: skip
    report = [
        "s3.row_total", "s3.balance", "s4.group_total", "year.carry_over", "year.in_force",
        "narrative.missing_part", "narrative.similar", "narrative.figure_mismatch",
        "audit.revision", "audit.reports_differ", "audit.fees_unstated", "audit.format_outdated",
        "file.cell_missing", "file.table_missing", "file.old_format", "value.type",
    ]  # fmt: skip
    assert {r: about[r] for r in reading} == dict.fromkeys(reading, READING)
    assert {r: about[r] for r in report} == dict.fromkeys(report, REPORT)


def test_no_rule_of_the_audit_alone_is_an_error_about_our_reading():
    shared = {"file.unreadable", "file.encrypted", "file.too_large", "file.zip_bomb"}
    for rule in RULES.values():
        if rule.id.startswith("audit.") and rule.about == READING:
            assert rule.severity != "error", rule.id
    assert {RULES[r].severity for r in shared} == {"error"}  # in `xxgk report` they block


def test_the_rules_page_shows_what_each_rule_is_about():
    page = rules_markdown()
    assert "| 规则 rule | 严重程度 | 所指 about | 名称 | 检查什么 | 说明模板 |" in page
    assert "| `audit.row_short` | 警告 | `reading` 未能读取 |" in page
    assert "| `s4.group_total` | 错误 | `report` 报告本身 |" in page


# -- xxgk report -------------------------------------------------------------------------------
def test_issues_csv_of_report_says_what_each_finding_is_about(tmp_path):
    """A return with a broken row total (about the return) beside a file that cannot be opened
    (about our reading): both in issues.csv with `about`; the unreadable file still blocks."""
    broken = with_totals({("s3", "new", "natural"): 5})
    broken[("s3", "new", "total")] = 4
    paths = raw_year(tmp_path, {"古县公安局": broken}, units=["古县公安局", "古县司法局"])
    (paths.returns_dir / "古县司法局.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 1, result.stdout + result.stderr
    found = store.read_csv(paths.issues_csv)
    # NOTE: the issues list adds the office's decisions (review, review_note) after the catalog's
    assert list(found.columns) == [*FINDING_COLUMNS, *REVIEW_COLUMNS]
    assert FINDING_COLUMNS[2] == "about"
    assert set(found["about"]) == ABOUT
    by_rule = dict(
        zip(found["rule"], zip(found["severity"], found["about"], strict=True), strict=False)
    )
    assert by_rule["s3.row_total"] == ("error", "report")
    assert by_rule["file.unreadable"] == ("error", "reading")
    for path in (paths.validated_findings, paths.ingested_findings):
        written = store.read_csv(path)
        assert set(written["about"]) <= ABOUT
        assert (written["about"] == [RULES[r].about for r in written["rule"]]).all()


def test_an_unreadable_return_alone_still_blocks_the_county_report(tmp_path):
    paths = raw_year(tmp_path, {}, units=["古县司法局"])
    (paths.returns_dir / "古县司法局.xlsx").write_bytes(b"")
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 1
    found = store.read_csv(paths.issues_csv)
    assert found.loc[found["rule"] == "file.unreadable", ["severity", "about"]].values.tolist() == [
        ["error", "reading"]
    ]


# -- xxgk audit --------------------------------------------------------------------------------
def mixed_folder(folder: Path, *, with_flaw: bool) -> None:
    """Reports of three bodies: one whose 表三 row does not add up (when `with_flaw`), one with a
    row short of figures, a scanned PDF and a picture."""
    folder.mkdir(parents=True)
    values = s3_values(5, 0, 5)
    if with_flaw:
        values[("s3", "new", "total")] = 4  # 自然人 5, 总计 4
    (folder / "某某县财政局2023年报.txt").write_text(
        report_text("某某县财政局", 2023, values), encoding="utf-8"
    )
    short = report_text(
        "某某县水利局", 2023, s3_values(2, 0, 2), texts={("s2", "rules", "issued"): ""}
    )
    (folder / "某某县水利局2023年报.txt").write_text(short, encoding="utf-8")
    Image.new("RGB", (200, 280), "white").save(folder / "扫描件2023.pdf")
    (folder / "照片.png").write_bytes(b"\x89PNG\r\n\x1a\n")


def test_audit_counts_the_reports_own_problems_apart_from_what_it_could_not_read(tmp_path):
    mixed_folder(tmp_path / "in", with_flaw=True)
    out = tmp_path / "out"
    result = runner.invoke(app, ["audit", str(tmp_path / "in"), "--out", str(out)])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == "报告中的问题：错误2个、警告0个；未能读取：3处，请人工核对"
    assert result.stderr == f"xxgk：已发布的报告本身有2个错误，请查看 {out / 'issues.html'}。\n"
    issues = store.read_csv(out / "issues.csv")
    assert list(issues.columns) == ISSUES_COLUMNS and "about" in ISSUES_COLUMNS
    assert set(issues["about"]) == ABOUT
    reading = issues[issues["about"] == READING]
    assert "error" not in set(reading["severity"])
    warned = reading[reading["severity"] == "warning"]
    assert sorted(warned["rule"]) == ["audit.row_short", "audit.scanned", "audit.unsupported"]
    assert all("请人工核对" in m for m in warned["message"])
    errors = issues[issues["severity"] == "error"]
    assert errors[["file", "rule", "about"]].values.tolist() == [
        ["某某县财政局2023年报.txt", "s3.balance", "report"],
        ["某某县财政局2023年报.txt", "s3.row_total", "report"],
    ]
    summary = store.read_csv(out / "reports.csv").set_index("file")
    assert summary.loc["某某县财政局2023年报.txt", ["errors", "warnings", "reading"]].tolist() == [
        "2", "0", "0",
    ]  # fmt: skip
    assert summary.loc["某某县水利局2023年报.txt", ["errors", "reading"]].tolist() == ["0", "1"]
    assert summary.loc["照片.png", ["errors", "reading"]].tolist() == ["0", "1"]
    page = (out / "issues.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", page)
    assert "报告中的问题：错误2个、警告0个；未能读取：3处，请人工核对" in text
    assert (
        "某某县水利局2023年报.txt：某某县水利局2023年度（报告中的问题：错误0个、警告0个；未能读取：1处"
        in text
    )


def test_what_could_not_be_read_alone_is_no_error_of_a_report(tmp_path):
    mixed_folder(tmp_path / "in", with_flaw=False)
    result = runner.invoke(app, ["audit", str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.splitlines()[1] == "报告中的问题：错误0个、警告0个；未能读取：3处，请人工核对"
    )
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("year", "rule", "about", "severity"),
    [
        (2020, "audit.old_format", READING, "info"),  # the format in force for 2020
        (2019, "audit.old_format", READING, "info"),
        (2023, "audit.format_outdated", REPORT, "warning"),  # 2021 format in force
    ],
)
def test_a_report_in_the_2019_format_is_recognised_not_read(tmp_path, year, rule, about, severity):
    text = report_text("某某县水利局", year, {}).replace("本年制发件数", "本年新制作数量")
    path = tmp_path / f"水利局{year}.txt"
    path.write_text(text, encoding="utf-8")
    result = run_audit([path], tmp_path / "out")
    found = result.findings
    assert found[["rule", "about", "severity"]].values.tolist() == [[rule, about, severity]]
    assert "本年新制作数量" in found["message"].iloc[0] and str(year) in found["message"].iloc[0]
    assert result.cells.empty and not result.blocked


# -- the real reports ----------------------------------------------------------------------------
def test_shanghai_2025_has_no_error_of_its_own(tmp_path):
    """Its three rows the text extraction broke are reading warnings, never errors; what is said
    of the report itself is one warning (the heading 五、… is missing)."""
    result = run_audit([REAL / "上海市人民政府办公厅2025.md"], tmp_path / "out")
    found = result.findings
    assert found[["rule", "about", "severity", "where"]].values.tolist() == [
        ["narrative.missing_part", "report", "warning", ""],
        ["audit.row_short", "reading", "warning", "l97:c2"],
        ["audit.row_short", "reading", "warning", "l100:c2"],
        ["audit.row_unplaced", "reading", "warning", "l79"],
        ["audit.no_last_year", "reading", "info", ""],
    ]
    assert result.counts == {
        "files": 1, "reports": 1, "cells": 197, "compared": 0,
        "error": 0, "warning": 1, "reading": 3, "info": 1,
    }  # fmt: skip
    assert not result.blocked


def test_hongze_2023_has_exactly_its_two_table_4_errors(tmp_path):
    result = run_audit([REAL / "洪泽区2023.pdf"], tmp_path / "out")
    errors = result.findings[result.findings["severity"] == "error"]
    assert errors[["rule", "about", "where"]].values.tolist() == [
        ["s4.group_total", "report", "p4:l22"],
        ["s4.group_total", "report", "p4:l22"],
    ]
    assert result.counts["error"] == 2 and result.blocked


# -- s2.rules_level: only where the issuer is plainly at county level or below --------------------
RULES_MADE = {("s2", "rules", "issued"): 2, ("s2", "rules", "in_force"): 2}


@pytest.mark.parametrize(
    ("issuer", "warned"),
    [
        ("淮安市人民政府", False),  # a 设区的市 makes 规章; the name cannot tell
        ("上海市人民政府办公厅", False),
        ("古县公安局", True),
        ("古城镇人民政府", True),
        ("淮安市洪泽区人民政府", True),
        ("某某街道办事处", True),
    ],
)
def test_rules_level_in_a_published_report(tmp_path, issuer, warned):
    path = tmp_path / f"{issuer}2023年报.txt"
    path.write_text(report_text(issuer, 2023, RULES_MADE), encoding="utf-8")
    result = run_audit([path], tmp_path / "out")
    level = result.findings[result.findings["rule"] == "s2.rules_level"]
    assert (len(level) > 0) == warned
    if warned:
        assert set(level["about"]) == {REPORT} and set(level["severity"]) == {"warning"}


def test_rules_level_in_returns_by_the_rosters_kind(tmp_path):
    """The roster's kind tells: a 部门 and a 乡镇 are warned; a unit of another kind is judged by
    its name, and 淮安市人民政府 is not."""
    values = with_totals(RULES_MADE)
    names = ["古县公安局", "古城镇", "淮安市人民政府"]
    paths = raw_year(tmp_path, dict.fromkeys(names, values))
    units = pd.read_csv(paths.units, dtype=str, keep_default_na=False)
    units["kind"] = ["部门", "乡镇", "设区的市"]
    units.to_csv(paths.units, index=False, encoding="utf-8-sig")
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 0, result.stdout + result.stderr
    found = store.read_csv(paths.validated_findings)
    level = found[found["rule"] == "s2.rules_level"]
    assert set(level["unit"]) == {"古城镇", "古县公安局"}
    assert set(level["about"]) == {REPORT}
