"""The report as a Word document (.docx) in the look of a government document (党政机关公文格式).

Built with python-docx from the same `Report` as the HTML and Markdown, the tables laid out by
`format2021.printed()`. The document uses named paragraph styles (报告标题, 部分标题, 正文, 表格文字)
so that the office can restyle it in Word or WPS without touching code.
"""

from __future__ import annotations

import io as _io
from datetime import datetime
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from pipeline.format2021 import PARTS, PRINTED_SECTIONS, printed
from pipeline.render.ooxml import stable_package
from pipeline.render.report import Report, report_context
from pipeline.render.word_tables import (
    HEADING_PT,
    Flow,
    element,
    part_height_pt,
    table_height_pt,
    table_parts,
    table_xml,
    text_lines_of,
)

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.styles.style import CharacterStyle
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

# (font asked for, the font Word/WPS substitutes where it is missing: both ship with Windows)
TITLE_FONT = ("方正小标宋简体", "宋体")  # 小标宋 for the title
BODY_FONT = ("仿宋_GB2312", "仿宋")  # 仿宋 for the text
HEADING_FONT = ("黑体", "黑体")  # 黑体 for the part headings (一级标题)
LATIN_FONT = "Times New Roman"

TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
FOOTER_SIZE = Pt(14)  # 四号
TITLE_SPACE_AFTER = Pt(28)  # one line of the text between the title and the first paragraph
LINE = Pt(28)  # 固定值 28 磅: 22 lines of 28 characters on A4

# the A4 page of GB/T 9704: 37 mm top, 35 mm bottom, 28 mm left, 26 mm right → 156 mm of text
PAGE = {"width": Mm(210), "height": Mm(297), "top": Mm(37), "bottom": Mm(35)}
LEFT, RIGHT = Mm(28), Mm(26)
STYLE_TITLE, STYLE_HEADING, STYLE_BODY, STYLE_TABLE = "报告标题", "部分标题", "正文", "表格文字"


def report_docx(report: Report) -> bytes:
    """The report as the bytes of a .docx file."""
    doc = Document()
    _page(doc)
    _styles(doc)
    _font_fallbacks(doc)
    _footer_page_number(doc)
    context = report_context(report)
    if context["draft"]:
        _draft_header(doc, context["draft"])
    flow = Flow()  # NOTE: where the content falls on the pages, to decide where a table is split
    if report.subtitle:
        _add(doc, report.subtitle, STYLE_TITLE, flow)
    title = _add(doc, report.title, STYLE_TITLE, flow)
    title.paragraph_format.space_after = TITLE_SPACE_AFTER  # 标题与正文之间空一行
    flow.text(0, LINE.pt, TITLE_SPACE_AFTER.pt, kind="space")
    if report.partial:
        _add(doc, report.partial, STYLE_BODY, flow)
    _paragraphs(doc, context["narrative"]["preamble"], flow)
    _add(doc, f"一、{PARTS['一']}", STYLE_HEADING, flow)
    _paragraphs(doc, context["narrative"]["part1"], flow)
    for section in PRINTED_SECTIONS:
        _add(doc, f"{section.part}、{PARTS[section.part]}", STYLE_HEADING)
        _table(doc, section.code, report, flow)
    _add(doc, f"五、{PARTS['五']}", STYLE_HEADING, flow)
    _paragraphs(doc, context["narrative"]["part5"], flow)
    _add(doc, f"六、{PARTS['六']}", STYLE_HEADING, flow)
    _paragraphs(doc, context["narrative"]["part6"], flow)
    _paragraphs(doc, list(report.notes), flow)
    props = doc.core_properties
    props.title = f"{report.subtitle}{report.title}"
    props.author = report.subtitle or report.title
    props.language = "zh-CN"
    props.last_modified_by = "xxgk"
    props.revision = 1
    buffer = _io.BytesIO()
    doc.save(buffer)
    # NOTE: fixed dates and zip times keep the file byte-identical when written again
    return stable_package(buffer.getvalue(), datetime(report.year + 1, 1, 1))


def _paragraphs(doc: DocxDocument, paragraphs: list[str], flow: Flow | None = None) -> None:
    for text in paragraphs:
        _add(doc, text, STYLE_BODY, flow)


# how each paragraph style sets its lines: (size, exact line height, first-line indent in
# characters, space before), for the estimate of where the content falls on the pages
LINES = {
    STYLE_TITLE: (TITLE_SIZE.pt, 36.0, 0, 0.0),
    STYLE_BODY: (BODY_SIZE.pt, LINE.pt, 2, 0.0),
    STYLE_HEADING: (BODY_SIZE.pt, LINE.pt, 2, 6.0),
}


def _add(doc: DocxDocument, text: str, style: str, flow: Flow | None = None) -> Paragraph:
    """A paragraph of `text` in `style`, added at the end of the document (and to `flow`)."""
    # NOTE: python-docx's `style=` looks the default style up among all latent styles (≈ 3 ms)
    paragraph = doc.add_paragraph(text)
    paragraph._p.get_or_add_pPr().style = doc.styles[style].style_id
    if flow is not None and style in LINES:
        size, line, indent, before = LINES[style]
        flow.text(text_lines_of(text, size, indent), line, before)
    return paragraph


# -- page, styles, fonts ----------------------------------------------------------------------
def _page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin, section.bottom_margin = PAGE["top"], PAGE["bottom"]
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.footer_distance = Mm(20)


def _fonts(rpr_owner: CharacterStyle | Run, fonts: tuple[str, str], size: Pt) -> None:
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


def _styles(doc: DocxDocument) -> None:
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


def _font_fallbacks(doc: DocxDocument) -> None:
    """Name, in the font table, the font Word and WPS should use where the asked-for one is missing.

    `w:altName` is the OOXML way to say 方正小标宋简体 → 宋体 and 仿宋_GB2312 → 仿宋; a font that
    is present is used as named.
    """
    fonts_part = next(
        p for p in doc.part.package.iter_parts() if p.partname.endswith("/fontTable.xml")
    )
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


def _footer_page_number(doc: DocxDocument) -> None:
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


def _draft_header(doc: DocxDocument, mark: str) -> None:
    """The draft mark in the header, so it stands on every page."""
    p = doc.sections[0].header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(mark)
    _fonts(run, ("黑体", "黑体"), Pt(16))
    run.bold = True
    run.font.color.rgb = RGBColor(0xCC, 0x00, 0x00)


def _table(doc: DocxDocument, section: str, report: Report, flow: Flow) -> None:
    """Table `section` under its part heading, as printed: whole, or split on purpose into
    parts that each fit a page, each part after the first headed by its caption (表三（续）) on a
    new page. A page that would hold one table alone, this one moving whole to the next page,
    is filled with as many of this table's groups as fit."""
    whole = HEADING_PT + table_height_pt(section, report.values)
    room = None
    if flow.one_table_alone and whole > flow.room:
        # NOTE: no line to spare: the page holds tables alone, and a table's estimate is an upper
        # bound (exact line heights, labels wrapped at their narrowest; LibreOffice prints 表三
        # some 10 % shorter), so what the estimate fits, the page holds
        room = flow.room - HEADING_PT
    parts = table_parts(section, report.values, first_room=room)
    short = printed(section).section.short
    for i, part in enumerate(parts):
        if i:
            caption = _add(doc, f"{short}（续）", STYLE_TABLE)
            p_pr = caption._p.get_or_add_pPr()
            p_pr.append(element("w:keepNext"))
            p_pr.append(element("w:pageBreakBefore"))
        table_xml(doc, section, part, report.values, STYLE_TABLE)
        flow.block(
            HEADING_PT + part_height_pt(section, part, report.values), "table", new_page=i > 0
        )
    _add(doc, "", STYLE_TABLE)  # a line between a table and the next heading
    flow.text(1, AFTER_TABLE_PT, kind="space")


AFTER_TABLE_PT = 14.0  # the empty line after a table
