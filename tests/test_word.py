"""The Word report: A4, the fonts of a government document, page numbers, and tables 二, 三 and 四
with every cell and every merge of the format (read back with python-docx, and, where LibreOffice
is installed, converted to PDF and read as text)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from pipeline import render as rnd
from pipeline import store
from pipeline.format2021 import PARTS, PRINTED_SECTIONS, printed
from pipeline.render import word
from tests.helpers import libreoffice_writer, numbers_in, require_tool


@pytest.fixture(scope="module")
def county(sample_year):
    """The county report of the sample year: its .docx and the values it shows."""
    paths = sample_year
    values = rnd.values_of(store.read_cells(paths.county_cells))
    return paths.report_docx, values


def layout_of(table) -> set[tuple[int, int, int, int, str]]:
    """A Word table's cells as (row, col, rowspan, colspan, text), spans read from the XML itself."""
    starts: dict[tuple[int, int], list] = {}
    for r, tr in enumerate(table._tbl.tr_lst):
        c = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            v_merge = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
            continues = v_merge is not None and v_merge.get(qn("w:val"), "continue") == "continue"
            if continues:
                above = next(
                    cell for (rr, cc), cell in starts.items() if cc == c and rr + cell[2] == r
                )
                above[2] += 1
            else:
                text = "".join(t.text for t in tc.iter(qn("w:t")))
                starts[r, c] = [r, c, 1, span, text]
            c += span
    return {tuple(cell) for cell in starts.values()}


def expected_layout(section: str, values) -> set[tuple[int, int, int, int, str]]:
    return {
        (cell.r, cell.c, cell.rowspan, cell.colspan, rnd.printed_text(cell, section, values))
        for cell in printed(section).cells
    }


def test_every_cell_and_merge_of_the_three_tables_reads_back(county):
    docx, values = county
    tables = Document(str(docx)).tables
    assert len(tables) == 3
    for table, section in zip(tables, PRINTED_SECTIONS, strict=True):
        assert layout_of(table) == expected_layout(section.code, values), section.code


def test_table_three_merges_its_labels_as_the_format_prints_them(county):
    docx, _ = county
    cells = layout_of(Document(str(docx)).tables[1])
    assert (5, 0, 22, 1, "三、本年度办理结果") in cells
    assert (0, 0, 3, 3, printed("s3").section.corner) in cells
    assert (7, 1, 8, 1, "（三）不予公开") in cells
    assert (0, 3, 1, 7, "申请人情况") in cells


def test_the_page_is_a4_with_the_margins_of_a_government_document(county):
    docx, _ = county
    section = Document(str(docx)).sections[0]
    # NOTE: Word stores twips, so millimetres come back to within a twentieth of a point
    near = [(section.page_width, Mm(210)), (section.page_height, Mm(297))]
    near += [(section.left_margin, Mm(28)), (section.right_margin, Mm(26))]
    for got, want in near:
        assert abs(got - want) < Mm(0.05)


def test_title_and_body_fonts_are_xiaobiaosong_erhao_and_fangsong_sanhao(county):
    docx, _ = county
    doc = Document(str(docx))
    title, body = doc.paragraphs[0], doc.paragraphs[1]
    assert title.text == "古县2023年政府信息公开工作年度报告"
    for paragraph, font, size in ((title, "方正小标宋简体", Pt(22)), (body, "仿宋_GB2312", Pt(16))):
        style = paragraph.style
        assert style.font.size == size
        assert style.element.rPr.rFonts.get(qn("w:eastAsia")) == font


def test_the_font_table_names_fallbacks_that_ship_with_windows(county):
    docx, _ = county
    with zipfile.ZipFile(docx) as z:
        fonts = z.read("word/fontTable.xml").decode("utf-8")
    assert re.search(r'w:name="方正小标宋简体"><w:altName w:val="宋体"/>', fonts)
    assert re.search(r'w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>', fonts)


def test_the_footer_numbers_the_pages(county):
    docx, _ = county
    footer = Document(str(docx)).sections[0].footer._element
    instr = "".join(t.text for t in footer.iter(qn("w:instrText")))
    assert instr.strip() == "PAGE"


def test_the_same_report_gives_the_same_bytes(county):
    _, values = county
    report = rnd.Report("题", "", 2023, "全县", values, {k: "x" for k in rnd.NARRATIVE_PARTS})
    assert word.report_docx(report) == word.report_docx(report)


def test_libreoffice_prints_every_figure_of_the_three_tables(county, tmp_path):
    soffice = libreoffice_writer()
    require_tool("LibreOffice Writer", soffice is not None, "无法把 Word 报告转换为 PDF 检查")
    require_tool("pdftotext", shutil.which("pdftotext") is not None, "无法读取 PDF 中的文字")
    docx, values = county
    profile = tmp_path / "profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "report.pdf"
    subprocess.run(["pdftotext", "-layout", str(pdf), str(tmp_path / "report.txt")], check=True)
    text = (tmp_path / "report.txt").read_text("utf-8")
    text = re.sub(r"^\s*—\s*\d+\s*—\s*$", "", text, flags=re.M)  # the page numbers
    heads = [f"{p}、{PARTS[p]}" for p in "二三四五"]
    for section, start, end in zip(PRINTED_SECTIONS, heads, heads[1:], strict=False):
        found = numbers_in(text[text.index(start) : text.index(end)])
        g = printed(section.code)
        shown = [
            rnd.printed_text(c, section.code, values)
            for c in sorted(g.values.values(), key=lambda c: (c.r, c.c))
        ]
        assert found == shown, section.code


def test_a_missing_tool_fails_in_ci_and_is_skipped_with_a_reason_elsewhere(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI 中不应缺少：LibreOffice Writer 不可用"):
        require_tool("LibreOffice Writer", False, "无法检查")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="make system-deps"):
        require_tool("LibreOffice Writer", False, "无法检查")
    require_tool("LibreOffice Writer", True, "无法检查")  # present: nothing happens
