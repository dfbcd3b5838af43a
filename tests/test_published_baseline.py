"""The first year with xxgk: last year is given only as its published reports (raw/<year-1>/
published/), rendered here by xxgk itself for 2022, and they feed the rules across years."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from pipeline import store
from pipeline.cli import app
from tests.helpers import command_line, raw_year, with_totals

runner = CliRunner()
POLICE, WATER = "古县公安局", "古县水利局"
LAST = {
    POLICE: with_totals({("s3", "new", "natural"): 3, ("s3", "granted", "natural"): 2})
    | {("s3", "carried_out", "natural"): 1, ("s3", "carried_out", "total"): 1},
    WATER: with_totals({("s2", "licensing", "decisions"): 40}),
}


def published_last_year(tmp_path):
    """raw/2022/published/ holding each unit's own 2022 report as xxgk publishes it (a web page),
    and no other trace of 2022; raw/2023/ with this year's returns."""
    made = raw_year(tmp_path / "made", LAST, year=2022)
    assert runner.invoke(app, [*command_line(made, "report"), "--all-units"]).exit_code == 0
    this_year = {
        POLICE: with_totals({("s3", "new", "natural"): 2, ("s3", "granted", "natural"): 3})
        | {("s3", "carried_in", "natural"): 1, ("s3", "carried_in", "total"): 1},
        WATER: with_totals({("s2", "licensing", "decisions"): 41}),
    }
    paths = raw_year(tmp_path, this_year)
    published = paths.previous().published
    published.mkdir(parents=True)
    for unit in LAST:
        shutil.copy(made.unit_report_html(unit), published / f"{unit}2022年年报.html")
    return paths


def test_last_years_published_reports_feed_the_carry_over(tmp_path):
    paths = published_last_year(tmp_path)
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 0, result.stderr
    found = store.read_csv(paths.issues_csv)
    assert "year.unchecked" not in set(found["rule"])
    assert "year.carry_over" not in set(found["rule"]), "both units' 结转 join"
    note = found[found["rule"] == "year.sources"]["message"].iloc[0]
    assert f"{paths.previous().published} 中的已发布报告" in note
    record = json.loads(paths.manifest.read_text("utf-8"))
    assert record["last_year"]["units"] == {
        POLICE: f"{paths.previous().published} 中的已发布报告",
        WATER: f"{paths.previous().published} 中的已发布报告",
    }


def test_a_carry_over_that_does_not_join_last_years_published_report_is_an_error(tmp_path):
    paths = published_last_year(tmp_path)
    source = paths.returns_dir / f"{POLICE}.xlsx"
    from openpyxl import load_workbook

    from pipeline.render.workbook import sheet_name, template_cell

    wb = load_workbook(source)
    wb[sheet_name("s3")][template_cell("s3", "carried_in", "natural")] = 0
    wb[sheet_name("s3")][template_cell("s3", "carried_in", "total")] = 0
    wb[sheet_name("s3")][template_cell("s3", "new", "natural")] = 3
    wb[sheet_name("s3")][template_cell("s3", "new", "total")] = 3
    wb.save(source)
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 1
    found = store.read_csv(paths.issues_csv)
    carry = found[found["rule"] == "year.carry_over"]
    assert set(carry["unit"]) == {POLICE}
    assert "2022年报表“四、结转下年度继续办理”为1" in carry["message"].iloc[0]


def test_a_published_report_of_another_year_or_of_no_unit_is_never_used(tmp_path):
    paths = published_last_year(tmp_path)
    published = paths.previous().published
    water = published / f"{WATER}2022年年报.html"
    (published / "某某局年报.html").write_text(
        water.read_text("utf-8").replace(WATER, "古县档案局"), "utf-8"
    )
    water.unlink()
    police = published / f"{POLICE}2022年年报.html"
    police.write_text(police.read_text("utf-8").replace("2022", "2021"), "utf-8")
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 0, result.stderr
    found = store.read_csv(paths.issues_csv)
    unusable = found[found["rule"] == "year.source_unusable"]["message"].iloc[0]
    assert f"“published/{POLICE}2022年年报.html”是2021年的报告，不是2022年度的，未使用" in unusable
    assert "“published/某某局年报.html”的发布机关“古县档案局”对应不到名册中唯一的单位" in unusable
    assert "year.unchecked" in set(found["rule"]), "neither report was used"
