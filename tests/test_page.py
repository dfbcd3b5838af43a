"""The web page in headless Chromium: readable at phone width with every table reachable, the
tables whole on a desktop screen, and a clean A4 print with every figure on the page."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pytest

from pipeline import render as rnd
from pipeline import store
from pipeline.format2021 import PARTS, PRINTED_SECTIONS, printed
from tests.helpers import chromium, numbers_in, require_tool

# Lays the page out in a frame `width` px wide, measures it there and writes the result into the
# outer page, for --dump-dom to print. NOTE: headless Chromium keeps its window at least 500 px
# wide whatever --window-size says, so the phone's width is given to a frame instead.
PROBE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="page" style="border:0;width:WIDTHpx;height:900px" srcdoc="SRCDOC"></iframe>
<script>
document.getElementById("page").addEventListener("load", function () {
  const win = this.contentWindow, doc = this.contentDocument;
  const out = {viewport: win.innerWidth, pageWidth: doc.documentElement.scrollWidth,
               fontSize: parseFloat(win.getComputedStyle(doc.querySelector("p")).fontSize),
               tables: []};
  doc.querySelectorAll("table").forEach(function (table) {
    const wrap = table.parentElement;
    const box = wrap.getBoundingClientRect();
    const clipped = Array.from(table.querySelectorAll("td, th")).filter(
      function (c) { return c.scrollWidth > c.clientWidth + 1; }).map(function (c) { return c.textContent; });
    out.tables.push({code: table.className, overflowX: win.getComputedStyle(wrap).overflowX,
                     wrapLeft: box.left, wrapRight: box.right,
                     wrapWidth: wrap.clientWidth, scrollWidth: wrap.scrollWidth,
                     tableWidth: table.getBoundingClientRect().width, clipped: clipped});
  });
  const pre = document.createElement("pre");
  pre.id = "layout-probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script></body></html>"""


@pytest.fixture(scope="module")
def page(sample_year, tmp_path_factory):
    """The county report.html, the values it shows, and a folder for Chromium's files."""
    tmp = tmp_path_factory.mktemp("page")
    values = rnd.values_of(store.read_cells(sample_year.county_cells))
    return sample_year.report_html, values, tmp


def layout(report, tmp, width: int) -> dict:
    """What the probe measured of `report` laid out `width` px wide."""
    probe = tmp / f"probe-{width}.html"
    srcdoc = html.escape(report.read_text("utf-8"), quote=True)
    probe.write_text(PROBE.replace("WIDTH", str(width)).replace("SRCDOC", srcdoc), encoding="utf-8")
    dom = chromium(tmp, "--window-size=1400,1000", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="layout-probe">(.*?)</pre>', dom, flags=re.S)
    assert found, "the probe did not run"
    return json.loads(html.unescape(found.group(1)))


def test_at_phone_width_the_page_fits_and_every_table_scrolls_whole(page):
    report, _, tmp = page
    seen = layout(report, tmp, 375)
    assert seen["viewport"] == 375
    assert seen["pageWidth"] <= 375, "the page itself scrolls sideways"
    assert seen["fontSize"] >= 14
    assert [t["code"] for t in seen["tables"]] == [s.code for s in PRINTED_SECTIONS]
    for table in seen["tables"]:
        assert table["overflowX"] in ("auto", "scroll"), table["code"]
        assert table["wrapLeft"] >= 0 and table["wrapRight"] <= 375, table["code"]
        # the whole table can be scrolled into view: nothing beyond the wrapper's scroll range
        assert table["scrollWidth"] >= table["tableWidth"] - 1, table["code"]
        assert table["clipped"] == [], table["code"]
    widths = {t["code"]: t for t in seen["tables"]}
    assert widths["s3"]["scrollWidth"] > widths["s3"]["wrapWidth"]  # 表三 scrolls at 375 px


def test_on_a_desktop_screen_every_table_shows_whole_without_scrolling(page):
    report, _, tmp = page
    seen = layout(report, tmp, 1280)
    for table in seen["tables"]:
        assert table["scrollWidth"] <= table["wrapWidth"] + 1, table["code"]
        assert table["clipped"] == [], table["code"]


def test_the_page_prints_on_a4_with_every_figure_inside_the_margins(page):
    report, values, tmp = page
    require_tool("pdftotext", shutil.which("pdftotext") is not None, "无法读取打印出的 PDF")
    pdf = tmp / "printed.pdf"
    chromium(tmp, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", report.as_uri())
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info.stdout).groups())
    assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1  # A4 in points
    bbox = tmp / "printed.html"
    subprocess.run(["pdftotext", "-bbox", str(pdf), str(bbox)], check=True)
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">', bbox.read_text()
    )
    margin = 1.8 / 2.54 * 72  # @page margin, left and right
    assert words
    for x_min, x_max in words:
        assert margin - 2 <= float(x_min) and float(x_max) <= width - margin + 2
    text_file = tmp / "printed.txt"
    subprocess.run(["pdftotext", "-layout", str(pdf), str(text_file)], check=True)
    text = text_file.read_text("utf-8")
    heads = [f"{p}、{PARTS[p]}" for p in "二三四五"]
    for section, start, end in zip(PRINTED_SECTIONS, heads, heads[1:], strict=False):
        g = printed(section.code)
        shown = [
            rnd.printed_text(c, section.code, values)
            for c in sorted(g.values.values(), key=lambda c: (c.r, c.c))
        ]
        assert numbers_in(text[text.index(start) : text.index(end)]) == shown, section.code


# Scrolls each table to its far right and reports, at the frame's width, where the row labels of
# 表三 and the group names of 表四 then stand, and how every header's characters fall into lines.
SCROLLED = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="page" style="border:0;width:WIDTHpx;height:8000px" srcdoc="SRCDOC"></iframe>
<script>
document.getElementById("page").addEventListener("load", function () {
  const win = this.contentWindow, doc = this.contentDocument;
  const out = {headers: [], labels: [], groups: []};
  function lines(el) {
    const text = el.textContent, tops = [];
    const walker = doc.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let node, seen = {};
    while ((node = walker.nextNode())) {
      for (let i = 0; i < node.length; i++) {
        const range = doc.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
        const box = range.getBoundingClientRect();
        const key = Math.round(box.top / 4);
        seen[key] = (seen[key] || "") + node.data[i];
      }
    }
    return Object.keys(seen).sort(function (a, b) { return a - b; }).map(function (k) { return seen[k]; });
  }
  doc.querySelectorAll("th").forEach(function (th) {
    out.headers.push({text: th.textContent, lines: lines(th)});
  });
  doc.querySelectorAll("table").forEach(function (table) {
    const wrap = table.parentElement;
    wrap.scrollLeft = wrap.scrollWidth;
    const box = wrap.getBoundingClientRect();
    table.querySelectorAll("td.label").forEach(function (td) {
      const r = td.getBoundingClientRect();
      const top = doc.elementFromPoint(Math.min(r.left + 5, box.right - 1), r.top + r.height / 2);
      out.labels.push({table: table.className, text: td.textContent, left: r.left, right: r.right,
                       wrapLeft: box.left, wrapRight: box.right,
                       onTop: top !== null && (top === td || td.contains(top))});
    });
    table.querySelectorAll("th .slide").forEach(function (span) {
      const r = span.getBoundingClientRect();
      out.groups.push({text: span.textContent, left: r.left, right: r.right,
                       wrapLeft: box.left, wrapRight: box.right});
    });
    out[table.className] = {scrolled: wrap.scrollLeft};
  });
  const pre = document.createElement("pre");
  pre.id = "layout-probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script></body></html>"""


def scrolled(report, tmp, width: int) -> dict:
    """What SCROLLED measured of `report` laid out `width` px wide, each table scrolled right."""
    probe = tmp / f"scrolled-{width}.html"
    srcdoc = html.escape(report.read_text("utf-8"), quote=True)
    probe.write_text(
        SCROLLED.replace("WIDTH", str(width)).replace("SRCDOC", srcdoc), encoding="utf-8"
    )
    dom = chromium(tmp, "--window-size=1400,1000", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="layout-probe">(.*?)</pre>', dom, flags=re.S)
    assert found, "the probe did not run"
    return json.loads(html.unescape(found.group(1)))


def test_on_a_phone_the_row_labels_of_table_three_stay_in_view_while_its_figures_scroll(page):
    report, _, tmp = page
    seen = scrolled(report, tmp, 390)
    assert seen["s3"]["scrolled"] > 50, "表三 scrolls at 390 px"
    labels = [x for x in seen["labels"] if x["table"] == "s3"]
    assert len(labels) == len([c for c in printed("s3").cells if c.kind == "label"])
    for label in labels:
        assert label["left"] >= label["wrapLeft"] - 1, label["text"]
        assert label["right"] <= label["wrapRight"] + 1, label["text"]
        assert label["onTop"], f"{label['text']} is covered by the figures scrolled under it"
    # 表四 has no row labels: the names of its groups slide along with their columns
    assert {g["text"] for g in seen["groups"]} >= {"行政诉讼", "复议后起诉"}
    for group in seen["groups"]:
        if group["text"] in ("行政诉讼", "复议后起诉"):
            assert group["left"] >= group["wrapLeft"] - 1, group["text"]


@pytest.mark.parametrize("width", [390, 1280])
def test_no_header_stacks_one_character_a_line(page, width):
    report, _, tmp = page
    seen = scrolled(report, tmp, width)
    assert seen["headers"]
    for header in seen["headers"]:
        if len(header["text"].strip()) < 2:
            continue
        single = [
            line
            for line in header["lines"]
            if len(line.strip()) == 1 and line.strip() not in "）”，"
        ]
        assert not single, (width, header["text"], header["lines"])
