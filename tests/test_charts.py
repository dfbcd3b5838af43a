"""The charts page: self-contained, per-unit bars that match the returns, readable on a phone, and
last year's change where last year's data is at hand (or a plain statement that it is not)."""

import html as _html
import json
import re
import shutil

from typer.testing import CliRunner

from pipeline import store
from pipeline.cli import app
from tests.helpers import chromium, command_line, raw_year, with_totals

runner = CliRunner()


def bars(html: str, cls: str) -> list[tuple[str, str, int]]:
    """(unit, kind, value) of each bar or segment drawn."""
    found = re.findall(
        rf'<span class="{cls}"[^>]*?data-unit="([^"]*)"(?: data-kind="([^"]*)")? data-value="(\d+)"',
        html,
    )
    return [(u, k, int(v)) for u, k, v in found]


def test_the_page_is_self_contained(sample_year):
    html = sample_year.charts_html.read_text("utf-8")
    for fetch in ("src=", "href=", "<script", "<link", "url(", "@import"):
        assert fetch not in html, fetch
    assert html.count('<ol class="bars"') == 2


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


# Lays the charts out in a frame `WIDTH` px wide and reports the size of the unit names there.
PROBE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="page" style="border:0;width:WIDTHpx;height:900px" srcdoc="SRCDOC"></iframe>
<script>
document.getElementById("page").addEventListener("load", function () {
  const win = this.contentWindow, doc = this.contentDocument;
  const names = Array.from(doc.querySelectorAll(".bars .name"));
  const out = {pageWidth: doc.documentElement.scrollWidth, names: names.length,
               smallest: Math.min.apply(null, names.map(function (n) {
                 return parseFloat(win.getComputedStyle(n).fontSize); })),
               clipped: names.filter(function (n) { return n.scrollWidth > n.clientWidth + 1; }).length,
               outside: names.filter(function (n) { return n.getBoundingClientRect().right > WIDTH; }).length};
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script></body></html>"""


def test_on_a_phone_the_unit_names_read_at_the_pages_own_size(sample_year, tmp_path):
    srcdoc = _html.escape(sample_year.charts_html.read_text("utf-8"), quote=True)
    probe = tmp_path / "probe.html"
    probe.write_text(PROBE.replace("WIDTH", "390").replace("SRCDOC", srcdoc), encoding="utf-8")
    dom = chromium(tmp_path, "--window-size=1400,1000", "--dump-dom", probe.as_uri())
    seen = json.loads(_html.unescape(re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S).group(1)))
    assert seen["pageWidth"] <= 390, "the page scrolls sideways"
    assert seen["names"] > 35  # every unit in the first chart, those with outcomes in the second
    assert seen["smallest"] >= 13, "unit names are text at the page's size, not a shrunken drawing"
    assert seen["clipped"] == 0 and seen["outside"] == 0
