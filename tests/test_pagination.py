"""The printed pages, page by page: the Word report through LibreOffice and the web page through
headless Chromium, for the county report, the sample unit's report and reports whose tables land
elsewhere on the page. No row of 表三 stands on a page without the table's header and its group
labels; no block heading of 表二 (第二十条第（八）项) without its rows, nor a row without its
heading; no part heading at the foot of a page with its table on the next; table text ≥ 10.5 pt."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from pipeline import render as rnd
from pipeline import store
from pipeline.format2021 import PARTS, S2, S3, SECTIONS, number_text
from pipeline.render import word, word_tables
from tests.helpers import chromium, libreoffice_writer, require_tool

SEED_UNIT = "古县人民政府办公室"
S3_HEADER = "申请人情况"


def page_texts(pdf: Path) -> list[str]:
    """The text of each page of `pdf` in the order it was drawn, all white space removed (a
    label wrapped inside its cell reads whole again)."""
    require_tool("pdftotext", shutil.which("pdftotext") is not None, "无法读取打印出的 PDF")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    out = []
    for n in range(1, pages + 1):
        done = subprocess.run(
            ["pdftotext", "-raw", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        )
        out.append(re.sub(r"\s+", "", done.stdout))
    return out


def row_text(section: str, row, values) -> str:
    """A table row as it reads on the page: its label, then its figures."""
    cols = SECTIONS[section].cols_of(row)
    figures = "".join(
        number_text(values.get((section, row.code, c.code), 0), section, c.code) for c in cols
    )
    return f"{row.label}{figures}"


def shows_row(page: str, section: str, row, values) -> bool:
    """Whether the page shows the table row (not a sentence of the text quoting its figure:
    行政事业性收费456.5437万元)."""
    return re.search(re.escape(row_text(section, row, values)) + r"(?![万元件])", page) is not None


def page_problems(pages: list[str], values) -> list[str]:
    """What the pages get wrong, one line each (empty when every page holds up)."""
    problems = []
    located = {}
    for n, page in enumerate(pages, start=1):
        for row in S3.rows:
            if not shows_row(page, "s3", row, values):
                continue
            located.setdefault(("s3", row.code), n)
            for label in (S3_HEADER, *row.path):
                if label not in page:
                    problems.append(f"第{n}页：表三“{row.label}”一行没有“{label}”")
        blocks: dict[str, list] = {}
        for row in S2.rows:
            blocks.setdefault(row.block, []).append(row)
        for heading, rows in blocks.items():
            shown = [shows_row(page, "s2", r, values) for r in rows]
            if any(shown) and heading not in page:
                problems.append(f"第{n}页：表二的行没有标题“{heading}”")
            if heading in page:
                located.setdefault(("s2", heading), n)
                if not all(shown):
                    problems.append(f"第{n}页：表二“{heading}”与它的行不在同一页")
        if "行政复议" in page and "结果维持" in page:
            located.setdefault(("s4", ""), n)
    firsts = {"二": ("s2", S2.rows[0].block), "三": ("s3", S3.rows[0].code), "四": ("s4", "")}
    for part, key in firsts.items():
        heading = f"{part}、{PARTS[part]}"
        on = [n for n, page in enumerate(pages, start=1) if heading in page]
        if key not in located:
            problems.append(f"找不到{heading}的表格")
        elif on != [located[key]]:
            problems.append(f"“{heading}”在第{on}页，它的表格从第{located[key]}页开始")
    return problems


def docx_pdfs(docx: list[Path], tmp: Path) -> list[Path]:
    """The .docx files printed to PDF by LibreOffice Writer (one call for them all)."""
    soffice = libreoffice_writer()
    require_tool("LibreOffice Writer", soffice is not None, "无法把 Word 报告转换为 PDF 检查")
    out = tmp / "pdf"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, docx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return [out / f"{p.stem}.pdf" for p in docx]


def html_pdf(page: Path, tmp: Path) -> Path:
    """The web page printed to PDF by headless Chromium, as a browser prints it on A4."""
    pdf = tmp / f"{page.stem}.pdf"
    chromium(tmp, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    return pdf


def padded(report: rnd.Report, lines: int) -> rnd.Report:
    """The report with `lines` more paragraphs in part 一, so that its tables land lower on the page."""
    filler = "持续规范政府信息公开工作，" * 6
    part1 = report.narrative["part1"] + "".join(f"\n\n（补）{filler}" for _ in range(lines))
    return rnd.Report(
        report.title,
        report.subtitle,
        report.year,
        report.subject,
        report.values,
        {**report.narrative, "part1": part1},
    )


@pytest.fixture(scope="module")
def reports(sample_year, tmp_path_factory) -> dict[str, tuple[rnd.Report, Path, Path]]:
    """Reports to print, by name: (the report, its .docx, its .html); the county's and the sample
    unit's as the run wrote them, and the county's with its tables moved down the page."""
    paths = sample_year
    county = rnd.values_of(store.read_cells(paths.county_cells))
    narrative = {k: "正文。" for k in rnd.NARRATIVE_PARTS}
    base = rnd.Report(paths.report_docx.stem, "", 2023, "全县", county, narrative)
    out = {
        "county": (base, paths.report_docx, paths.report_html),
        "unit": (None, paths.unit_report_docx(SEED_UNIT), paths.unit_report_html(SEED_UNIT)),
    }
    folder = tmp_path_factory.mktemp("pagination")
    for lines in (3, 9, 14):
        report = padded(base, lines)
        docx, html = folder / f"padded{lines}.docx", folder / f"padded{lines}.html"
        docx.write_bytes(word.report_docx(report))
        html.write_text(rnd.report_html(report), encoding="utf-8")
        out[f"padded{lines}"] = (report, docx, html)
    return out


@pytest.fixture(scope="module")
def printed_word(reports, tmp_path_factory) -> dict[str, list[str]]:
    """Each report's Word file printed by LibreOffice, as the text of its pages."""
    tmp = tmp_path_factory.mktemp("word-pages")
    names = list(reports)
    copies = []
    for name in names:
        copy = tmp / f"{name}.docx"
        shutil.copyfile(reports[name][1], copy)
        copies.append(copy)
    return {name: page_texts(pdf) for name, pdf in zip(names, docx_pdfs(copies, tmp), strict=True)}


def values_of_unit(sample_year) -> dict:
    cells = store.read_cells(sample_year.ingested_cells)
    return rnd.values_of(cells[cells["unit"] == SEED_UNIT])


@pytest.mark.parametrize("name", ["county", "unit", "padded3", "padded9", "padded14"])
def test_word_pages_keep_each_row_with_its_labels_and_each_heading_with_its_table(
    reports, printed_word, sample_year, name
):
    report = reports[name][0]
    values = report.values if report else values_of_unit(sample_year)
    pages = printed_word[name]
    assert page_problems(pages, values) == [], name


@pytest.mark.parametrize("name", ["county", "unit", "padded3", "padded9", "padded14"])
def test_printed_web_pages_keep_each_row_with_its_labels_and_each_heading_with_its_table(
    reports, sample_year, tmp_path, name
):
    report, _, html = reports[name]
    values = report.values if report else values_of_unit(sample_year)
    pages = page_texts(html_pdf(html, tmp_path))
    assert page_problems(pages, values) == [], name


def test_the_checks_find_a_row_left_without_its_group_labels():
    values = {}
    printed = ["".join(c["text"] for c in row) for row in rnd.table_rows("s3", values)]
    at = 3 + [r.code for r in S3.rows].index("denied_internal")  # below the three header rows
    heading = f"三、{PARTS['三']}"
    pages = [heading + "".join(printed[:at]), "".join(printed[at:])]
    problems = page_problems(pages, values)
    assert "第2页：表三“5.属于三类内部事务信息”一行没有“（三）不予公开”" in problems
    assert "第2页：表三“5.属于三类内部事务信息”一行没有“申请人情况”" in problems
    assert not any(p.startswith("第1页") for p in problems)


def test_a_table_too_tall_for_a_page_is_split_at_a_group_into_table_and_continuation(
    reports, monkeypatch, tmp_path
):
    base = reports["county"][0]
    # NOTE: 表三 at a line height that cannot fit one page stands for a larger type or a longer label
    monkeypatch.setitem(word_tables.TABLE_LINE, "s3", Pt(21))
    parts = word_tables.table_parts("s3", base.values)
    assert len(parts) == 2
    assert (
        word_tables.table_height_pt("s3", base.values)
        > word_tables.BODY_HEIGHT_PT - word_tables.HEADING_PT
    )
    for part in parts:
        texts = {c.text for c in part.cells}
        assert {S3_HEADER, "三、本年度办理结果"} <= texts
        rows = [c.row for c in part.cells if c.kind == "value" and c.col == "total"]
        for code in rows:
            assert set(S3.row(code).path) <= texts, code
    docx = tmp_path / "split.docx"
    docx.write_bytes(word.report_docx(base))
    doc = Document(str(docx))
    assert len(doc.tables) == 4
    caption = next(p for p in doc.paragraphs if p.text == "表三（续）")
    assert caption._p.pPr.find(qn("w:pageBreakBefore")) is not None
    pages = page_texts(docx_pdfs([docx], tmp_path)[0])
    assert page_problems(pages, base.values) == []
    continued = next(p for p in pages if "表三（续）" in p)
    assert S3_HEADER in continued and "三、本年度办理结果" in continued


def test_word_table_text_is_at_least_wuhao(reports):
    for name, (_, docx, _) in reports.items():
        sizes = {
            int(sz.get(qn("w:val")))
            for table in Document(str(docx)).tables
            for sz in table._tbl.iter(qn("w:sz"))
        }
        assert sizes and min(sizes) >= 21, name  # half-points: 10.5 pt is 五号


def test_printed_web_tables_are_at_least_wuhao(reports, tmp_path):
    """Table words stand as tall as 10.5/12 of the body's (the page prints its text at 12 pt)."""
    pdf = html_pdf(reports["county"][2], tmp_path)
    bbox = tmp_path / "bbox.html"
    subprocess.run(["pdftotext", "-bbox", str(pdf), str(bbox)], check=True)
    words = re.findall(
        r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)</word>', bbox.read_text("utf-8")
    )
    heights = {text: float(b) - float(a) for a, b, text in words}
    body = next(h for t, h in heights.items() if t.startswith("根据"))
    for label in ("行政事业性收费", "1.属于国家秘密", "行政复议"):
        assert heights[label] >= body * 10.5 / 12 - 0.2, label
