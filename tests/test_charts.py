"""The charts page: self-contained, per-unit bars that match the returns, and last year's change
where last year's data is at hand (or a plain statement that it is not)."""

import re
import shutil

from typer.testing import CliRunner

from pipeline import store
from pipeline.cli import app
from tests.helpers import command_line, raw_year, with_totals

runner = CliRunner()


def bars(html: str, cls: str) -> list[tuple[str, str, int]]:
    """(unit, kind, value) of each bar or segment drawn."""
    found = re.findall(
        rf'<rect class="{cls}"[^>]*?data-unit="([^"]*)"(?: data-kind="([^"]*)")? data-value="(\d+)"',
        html,
    )
    return [(u, k, int(v)) for u, k, v in found]


def test_the_page_is_self_contained(sample_year):
    html = sample_year.charts_html.read_text("utf-8")
    for fetch in ("src=", "href=", "<script", "<link", "url(", "@import"):
        assert fetch not in html, fetch
    assert html.count("<svg") == 2


def test_each_unit_has_a_bar_of_its_applications_and_its_outcomes_by_kind(sample_year):
    paths = sample_year
    html = paths.charts_html.read_text("utf-8")
    cells = store.read_cells(paths.ingested_cells)
    totals = cells[(cells["section"] == "s3") & (cells["col"] == "total")]
    new = totals[totals["row"] == "new"].set_index("unit")["value"].astype(int).to_dict()
    drawn = {u: v for u, _, v in bars(html, "bar")}
    assert drawn == new and len(drawn) == 35
    done = totals[totals["row"] == "outcome_total"].set_index("unit")["value"].astype(int)
    segments: dict[str, int] = {}
    for unit, kind, value in bars(html, "segment"):
        assert kind.startswith("（")
        segments[unit] = segments.get(unit, 0) + value
    assert segments == {u: v for u, v in done.items() if v}


def test_without_last_years_data_the_page_says_so(sample_year):
    html = sample_year.charts_html.read_text("utf-8")
    assert (
        "没有上一年度（2022年）的数据" in html
        and "既没有2022年度的报表文件夹，也没有2022年度的运行结果，无法与上年比较" in html
    )
    assert 'id="year-on-year"' not in html


def _two_years(tmp_path):
    last = raw_year(
        tmp_path,
        {"古县水利局": with_totals({("s3", "new", "natural"): 3, ("s3", "granted", "natural"): 3})},
        2022,
    )
    this = raw_year(
        tmp_path,
        {"古县水利局": with_totals({("s3", "new", "natural"): 5, ("s3", "granted", "natural"): 5})},
        2023,
    )
    return last, this


def test_with_last_years_returns_the_page_shows_the_change(tmp_path):
    _, this = _two_years(tmp_path)
    assert runner.invoke(app, command_line(this, "report")).exit_code == 0
    html = this.charts_html.read_text("utf-8")
    row = re.search(r"<tr><td>表三·一、本年新收政府信息公开申请数量（总计）</td>(.*?)</tr>", html)
    assert row, "no row for applications received"
    assert re.findall(r'<td class="n[^"]*">([^<]*)</td>', row.group(1)) == ["3", "5", "+2（+67%）"]
    assert f"{this.previous().raw} 中的报表" in html


def test_last_years_outputs_serve_when_its_returns_are_gone(tmp_path):
    last, this = _two_years(tmp_path)
    assert runner.invoke(app, command_line(last, "report")).exit_code == 0
    shutil.rmtree(last.raw)
    assert runner.invoke(app, command_line(this, "report")).exit_code == 0
    html = this.charts_html.read_text("utf-8")
    assert "上一年度的处理结果" in html and 'id="year-on-year"' in html
