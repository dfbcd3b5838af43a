"""The report as a Word document (.docx) in the look of a government document (党政机关公文格式).

Built with python-docx from the same `Report` as the HTML and Markdown, the tables laid out by
`format2021.grid()`. The document uses named paragraph styles (报告标题, 部分标题, 正文, 表格文字)
so that the office can restyle it in Word or WPS without touching code.
"""

from __future__ import annotations

import io as _io
import zipfile
from datetime import datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from pipeline.format2021 import PARTS, TABLES, grid
from pipeline.render import Report, cell_text, report_context

# (font asked for, the font Word/WPS substitutes where it is missing: both ship with Windows)
TITLE_FONT = ("方正小标宋简体", "宋体")  # 小标宋 for the title
BODY_FONT = ("仿宋_GB2312", "仿宋")  # 仿宋 for the text
HEADING_FONT = ("黑体", "黑体")  # 黑体 for the part headings (一级标题)
LATIN_FONT = "Times New Roman"

TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
FOOTER_SIZE = Pt(14)  # 四号
TABLE_SIZE = {"s2": Pt(12), "s3": Pt(9), "s4": Pt(9)}  # 小四; 小五 where the table is wide
LINE = Pt(28)  # 固定值 28 磅: 22 lines of 28 characters on A4

# the A4 page of GB/T 9704: 37 mm top, 35 mm bottom, 28 mm left, 26 mm right → 156 mm of text
PAGE = {"width": Mm(210), "height": Mm(297), "top": Mm(37), "bottom": Mm(35)}
LEFT, RIGHT = Mm(28), Mm(26)
TEXT_WIDTH_MM = 156
LABEL_WIDTHS_MM = {"s2": (52,), "s3": (12, 22, 50), "s4": ()}  # the label columns of each table

STYLE_TITLE, STYLE_HEADING, STYLE_BODY, STYLE_TABLE = "报告标题", "部分标题", "正文", "表格文字"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip entry times, so the same report gives the same bytes


def report_docx(report: Report) -> bytes:
    """The report as the bytes of a .docx file."""
    doc = Document()
    _page(doc)
    _styles(doc)
    _font_fallbacks(doc)
    _footer_page_number(doc)
    context = report_context(report)
    if report.subtitle:
        doc.add_paragraph(report.subtitle, style=STYLE_TITLE)
    doc.add_paragraph(report.title, style=STYLE_TITLE)
    _paragraphs(doc, context["narrative"]["preamble"])
    doc.add_paragraph(f"一、{PARTS['一']}", style=STYLE_HEADING)
    _paragraphs(doc, context["narrative"]["part1"])
    for section in TABLES:
        doc.add_paragraph(f"{section.part}、{PARTS[section.part]}", style=STYLE_HEADING)
        _table(doc, section.code, report)
    doc.add_paragraph(f"五、{PARTS['五']}", style=STYLE_HEADING)
    _paragraphs(doc, context["narrative"]["part5"])
    doc.add_paragraph(f"六、{PARTS['六']}", style=STYLE_HEADING)
    _paragraphs(doc, context["narrative"]["part6"])
    _paragraphs(doc, list(report.notes))
    props = doc.core_properties
    props.title = f"{report.subtitle}{report.title}"
    props.author = report.subtitle or report.title
    props.language = "zh-CN"
    # NOTE: fixed dates and zip times keep the file byte-identical when written again
    props.created = props.modified = datetime(report.year + 1, 1, 1)
    props.last_modified_by = "xxgk"
    props.revision = 1
    buffer = _io.BytesIO()
    doc.save(buffer)
    return _fixed_zip_times(buffer.getvalue())


def _paragraphs(doc, paragraphs: list[str]) -> None:
    for text in paragraphs:
        doc.add_paragraph(text, style=STYLE_BODY)


# -- page, styles, fonts ----------------------------------------------------------------------
def _page(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin, section.bottom_margin = PAGE["top"], PAGE["bottom"]
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.footer_distance = Mm(20)


def _fonts(rpr_owner, fonts: tuple[str, str], size: Pt) -> None:
    """Set a style's or run's fonts: East-Asian text in `fonts[0]`, digits and Latin in Times."""
    font = rpr_owner.font
    font.name = LATIN_FONT
    font.size = size
    rpr = rpr_owner.element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    # NOTE: python-docx's font.name sets only w:ascii/w:hAnsi; Chinese text takes w:eastAsia
    rfonts.set(qn("w:eastAsia"), fonts[0])
    rfonts.set(qn("w:cs"), LATIN_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _styles(doc) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _fonts(normal, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)

    body = styles.add_style(STYLE_BODY, WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = normal
    _fonts(body, BODY_FONT, BODY_SIZE)
    pf = body.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.first_line_indent = BODY_SIZE * 2  # 首行缩进两字
    pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, LINE

    title = styles.add_style(STYLE_TITLE, WD_STYLE_TYPE.PARAGRAPH)
    title.base_style = normal
    _fonts(title, TITLE_FONT, TITLE_SIZE)
    pf = title.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(36)
    pf.keep_with_next = True

    heading = styles.add_style(STYLE_HEADING, WD_STYLE_TYPE.PARAGRAPH)
    heading.base_style = normal
    _fonts(heading, HEADING_FONT, BODY_SIZE)
    pf = heading.paragraph_format
    pf.first_line_indent = BODY_SIZE * 2
    pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    pf.keep_with_next = True
    pf.space_before = Pt(6)

    cell = styles.add_style(STYLE_TABLE, WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = normal
    _fonts(cell, BODY_FONT, Pt(10.5))
    pf = cell.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pf.line_spacing = 1.0


def _font_fallbacks(doc) -> None:
    """Name, in the font table, the font Word and WPS should use where the asked-for one is missing.

    `w:altName` is the OOXML way to say 方正小标宋简体 → 宋体 and 仿宋_GB2312 → 仿宋; a font that
    is present is used as named.
    """
    fonts_part = next(
        p for p in doc.part.package.iter_parts() if p.partname.endswith("/fontTable.xml")
    )
    from lxml import etree

    root = etree.fromstring(fonts_part.blob)
    known = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, alt in (TITLE_FONT, BODY_FONT, HEADING_FONT):
        for font_name, alt_name in ((name, alt), (alt, "")):
            if font_name in known:
                continue
            known.add(font_name)
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), font_name)
            if alt_name and alt_name != font_name:
                etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt_name)
            etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
            etree.SubElement(font, qn("w:family")).set(qn("w:val"), "modern")
            etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "fixed")
    fonts_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _footer_page_number(doc) -> None:
    """The page number centred in the footer, as `— 1 —` (a PAGE field)."""
    footer = doc.sections[0].footer
    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    parts = [("text", "— "), ("begin", ""), ("instr", " PAGE "), ("separate", ""), ("text", "1")]
    parts += [("end", ""), ("text", " —")]
    for kind, text in parts:
        run = p.add_run()
        _fonts(run, ("宋体", "宋体"), FOOTER_SIZE)
        if kind == "text":
            run.text = text
        elif kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


# -- tables -----------------------------------------------------------------------------------
def column_widths_mm(section: str) -> list[float]:
    """The widths of a table's grid columns: its label columns as set, the rest sharing the page."""
    g = grid(section)
    labels = LABEL_WIDTHS_MM[section]
    rest = (TEXT_WIDTH_MM - sum(labels)) / (g.n_cols - len(labels))
    return [*labels, *[rest] * (g.n_cols - len(labels))]


def _table(doc, section: str, report: Report) -> None:
    g = grid(section)
    table = doc.add_table(rows=g.n_rows, cols=g.n_cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Mm(w) for w in column_widths_mm(section)]
    for col, width in zip(table.columns, widths, strict=True):
        col.width = width  # the w:gridCol LibreOffice lays out by
    rows = table.rows
    for i, row in enumerate(rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if i < g.header_rows:
            tr_pr.append(OxmlElement("w:tblHeader"))  # repeated at the top of each page
    size = TABLE_SIZE[section]
    # NOTE: python-docx looks a style up among all latent styles on every `paragraph.style =`
    style_id = doc.styles[STYLE_TABLE].style_id
    widths_mm = column_widths_mm(section)
    # NOTE: cells are fetched once from the row objects; table.cell() walks the grid each time
    cells = [list(row.cells) for row in rows]
    for cell in g.cells:
        target = cells[cell.r][cell.c]
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(cells[cell.r + cell.rowspan - 1][cell.c + cell.colspan - 1])
        target.width = Mm(sum(widths_mm[cell.c : cell.c + cell.colspan]))
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = target.paragraphs[0]
        paragraph._p.get_or_add_pPr().style = style_id
        if cell.kind == "label":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        run = paragraph.add_run(cell_text(cell, section, report.values))
        run.font.size = size
        if cell.kind == "heading":
            run.bold = True
    doc.add_paragraph(style=STYLE_TABLE)  # a line between a table and the next heading


def _fixed_zip_times(data: bytes) -> bytes:
    """The same zip with every entry dated FIXED_TIME."""
    out = _io.BytesIO()
    with (
        zipfile.ZipFile(_io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
