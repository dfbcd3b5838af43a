"""The report as a Word document (.docx) in the look of a government document (党政机关公文格式).

Built with python-docx from the same `Report` as the HTML and Markdown, the tables laid out by
`format2021.printed()`. The document uses named paragraph styles (报告标题, 部分标题, 正文, 表格文字)
so that the office can restyle it in Word or WPS without touching code.
"""

from __future__ import annotations

import io as _io
import re
from datetime import datetime
from itertools import combinations, pairwise
from math import ceil

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from pipeline.format2021 import (
    PARTS,
    PRINTED_SECTIONS,
    PrintedCell,
    PrintedTable,
    group_starts,
    printed,
    printed_part,
)
from pipeline.render.ooxml import stable_package
from pipeline.render.report import Report, report_context
from pipeline.render.tables import printed_text

# (font asked for, the font Word/WPS substitutes where it is missing: both ship with Windows)
TITLE_FONT = ("方正小标宋简体", "宋体")  # 小标宋 for the title
BODY_FONT = ("仿宋_GB2312", "仿宋")  # 仿宋 for the text
HEADING_FONT = ("黑体", "黑体")  # 黑体 for the part headings (一级标题)
LATIN_FONT = "Times New Roman"

TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
FOOTER_SIZE = Pt(14)  # 四号
TABLE_SIZE = {"s2": Pt(12), "s3": Pt(10.5), "s4": Pt(10.5)}  # 小四; 五号 where the table is wide
# NOTE: exact line heights (固定值), in the tables too: a row is then as tall whatever font the
# machine substitutes (Noto's natural line is 1.44 em, 仿宋's about 1.2), so where a table ends
# is the same in Word, WPS and LibreOffice, and `table_parts` can tell whether it fits a page
TABLE_LINE = {"s2": Pt(17), "s3": Pt(14), "s4": Pt(14)}
TITLE_SPACE_AFTER = Pt(28)  # one line of the text between the title and the first paragraph
LINE = Pt(28)  # 固定值 28 磅: 22 lines of 28 characters on A4

# the A4 page of GB/T 9704: 37 mm top, 35 mm bottom, 28 mm left, 26 mm right → 156 mm of text
PAGE = {"width": Mm(210), "height": Mm(297), "top": Mm(37), "bottom": Mm(35)}
LEFT, RIGHT = Mm(28), Mm(26)
TEXT_WIDTH_MM = 156
PT_PER_MM = 72 / 25.4
BODY_HEIGHT_PT = (297 - 37 - 35) * PT_PER_MM  # the height of the text on a page
HEADING_PT = 28 + 6 + 2  # a part heading (or a 续 caption) above a table, with its space before
CELL_MARGIN_MM = 0.8  # left and right inside each table cell
ROW_EXTRA_PT = 1.0  # a row's borders
# the fixed columns of each table, left first: 表三's outer label five characters wide (三、本年度
# / 办理结果), its group labels four (（三） / 不予公开), 自然人 three; its other figures share the
# rest, two characters each (商业 / 企业, four digits)
COLUMN_WIDTHS_MM = {"s2": (52,), "s3": (21, 17.5, 49.6, 12.7), "s4": ()}
NO_LINE_START = frozenset("，。、；：？！）》」』”’")
GROUP_NUMBER = re.compile(r"^（[一二三四五六七八九十]+）")

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
    if report.subtitle:
        _add(doc, report.subtitle, STYLE_TITLE)
    title = _add(doc, report.title, STYLE_TITLE)
    title.paragraph_format.space_after = TITLE_SPACE_AFTER  # 标题与正文之间空一行
    _paragraphs(doc, context["narrative"]["preamble"])
    _add(doc, f"一、{PARTS['一']}", STYLE_HEADING)
    _paragraphs(doc, context["narrative"]["part1"])
    for section in PRINTED_SECTIONS:
        _add(doc, f"{section.part}、{PARTS[section.part]}", STYLE_HEADING)
        _table(doc, section.code, report)
    _add(doc, f"五、{PARTS['五']}", STYLE_HEADING)
    _paragraphs(doc, context["narrative"]["part5"])
    _add(doc, f"六、{PARTS['六']}", STYLE_HEADING)
    _paragraphs(doc, context["narrative"]["part6"])
    _paragraphs(doc, list(report.notes))
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


def _paragraphs(doc, paragraphs: list[str]) -> None:
    for text in paragraphs:
        _add(doc, text, STYLE_BODY)


def _add(doc, text: str, style: str):
    """A paragraph of `text` in `style`, added at the end of the document."""
    # NOTE: python-docx's `style=` looks the default style up among all latent styles (≈ 3 ms)
    paragraph = doc.add_paragraph(text)
    paragraph._p.get_or_add_pPr().style = doc.styles[style].style_id
    return paragraph


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


def _draft_header(doc, mark: str) -> None:
    """The draft mark in the header, so it stands on every page."""
    p = doc.sections[0].header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(mark)
    _fonts(run, ("黑体", "黑体"), Pt(16))
    run.bold = True
    run.font.color.rgb = RGBColor(0xCC, 0x00, 0x00)


# -- tables -----------------------------------------------------------------------------------
def column_widths_mm(section: str) -> list[float]:
    """The widths of a table's grid columns: its label and figure columns as set, any others
    sharing what is left of the page."""
    g = printed(section)
    fixed = COLUMN_WIDTHS_MM[section]
    rest = (TEXT_WIDTH_MM - sum(fixed)) / (g.n_cols - len(fixed)) if g.n_cols > len(fixed) else 0
    return [*fixed, *[rest] * (g.n_cols - len(fixed))]


def table_parts(section: str, values=None) -> list[PrintedTable]:
    """The table as printed: whole when it fits on a page under its heading, else split on purpose
    at group boundaries into parts (表三, 表三（续）) that each fit a page, with as few parts as
    can be and their heights as even as can be."""
    g = printed(section)
    values = values or {}
    starts = group_starts(section) if g.header_rows else ()
    heights = [row_height_pt(section, r, values) for r in range(g.n_rows)]
    header = sum(heights[: g.header_rows])
    rows = heights[g.header_rows :]
    room = BODY_HEIGHT_PT - HEADING_PT  # under its part heading, or under the 续 caption
    if header + sum(rows) <= room or not starts:
        return [g]
    cuts = [0, *starts, len(rows)]

    def height(a: int, b: int) -> float:
        return header + sum(rows[cuts[a] : cuts[b]])

    # NOTE: fewest parts first, then the most even: a part that ends half way down a page
    # leaves its continuation to start the next page on its own (page break before 表三（续）)
    best: tuple | None = None
    for n in range(2, len(cuts)):
        for chosen in combinations(range(1, len(cuts) - 1), n - 1):
            bounds = (0, *chosen, len(cuts) - 1)
            tallest = max(height(a, b) for a, b in pairwise(bounds))
            if tallest <= room and (best is None or tallest < best[0]):
                best = (tallest, bounds)
        if best:
            break
    bounds = best[1] if best else (0, len(cuts) - 1)
    return [printed_part(section, cuts[a], cuts[b]) for a, b in pairwise(bounds)]


def table_height_pt(section: str, values=None) -> float:
    """How tall the whole table prints, in points, at its size (the estimate `table_parts` uses)."""
    return sum(row_height_pt(section, r, values or {}) for r in range(printed(section).n_rows))


def row_height_pt(section: str, r: int, values) -> float:
    """How tall grid row `r` of a table prints: the most lines a cell of it needs at its column
    width (a merged cell's lines shared over the rows it spans), at the table's fixed line height."""
    g = printed(section)
    widths = column_widths_mm(section)
    size, line = TABLE_SIZE[section].pt, TABLE_LINE[section].pt
    need = 1.0
    for cell in g.cells:
        if not cell.r <= r < cell.r + cell.rowspan:
            continue
        width = (sum(widths[cell.c : cell.c + cell.colspan]) - 2 * CELL_MARGIN_MM) * PT_PER_MM
        lines = sum(
            text_lines(piece, width, size)
            for piece in cell_lines(cell, printed_text(cell, section, values))
        )
        need = max(need, lines / cell.rowspan)
    return ceil(need) * line + ROW_EXTRA_PT


def text_lines(text: str, width_pt: float, size_pt: float) -> int:
    """How many lines `text` takes in a column `width_pt` wide, set at `size_pt`: full-width
    characters one em, others (digits, Latin) two thirds of one, a line never starting with
    closing punctuation (it takes the character before it along)."""
    lines, used = 1, 0.0
    previous = 0.0
    for char in text:
        advance = size_pt * (1.0 if ord(char) > 0x2000 else 0.67)
        if used + advance > width_pt + 0.01 and used:
            lines += 1
            carried = previous if char in NO_LINE_START else 0.0
            used = carried
        used += advance
        previous = advance
    return lines


def cell_lines(cell: PrintedCell, text: str) -> list[str]:
    """The lines a table cell is written in: a group label of 表三 breaks after its number
    (（三） / 不予公开) rather than anywhere the column happens to end."""
    if cell.kind == "label" and cell.colspan == 1 and cell.c == 1:
        found = GROUP_NUMBER.match(text)
        if found and found.end() < len(text):
            return [text[: found.end()], text[found.end() :]]
    return [text]


def _table(doc, section: str, report: Report) -> None:
    """Table `section` as printed: whole, or split on purpose into parts that each fit a page,
    each part after the first headed by its caption (表三（续）) on a new page."""
    parts = table_parts(section, report.values)
    short = printed(section).section.short
    for i, part in enumerate(parts):
        if i:
            caption = _add(doc, f"{short}（续）", STYLE_TABLE)
            p_pr = caption._p.get_or_add_pPr()
            p_pr.append(_el("w:keepNext"))
            p_pr.append(_el("w:pageBreakBefore"))
        _table_xml(doc, section, part, report.values)
    _add(doc, "", STYLE_TABLE)  # a line between a table and the next heading


def _table_xml(doc, section: str, g: PrintedTable, values) -> None:
    """One table written as WordprocessingML from its grid: `gridSpan` across, `vMerge` down.

    Every row is kept with the next (`keepNext` on its paragraphs) and cannot split
    (`cantSplit`): Word, WPS and LibreOffice then move the table whole to the next page rather
    than leave a heading or a group label behind. The line height is exact, so the table is as
    tall with 仿宋 in WPS as with Noto in LibreOffice.

    NOTE: built as XML rather than through python-docx's `merge()`, which walks the whole table
    for every merge (a third of a second per report).
    """
    widths = [_twips(w) for w in column_widths_mm(section)]
    style_id = doc.styles[STYLE_TABLE].style_id
    size = str(int(TABLE_SIZE[section].pt * 2))  # half-points
    line = str(int(TABLE_LINE[section].pt * 20))  # twips
    margin = str(_twips(CELL_MARGIN_MM))
    cover = {}
    for cell in g.cells:
        for r in range(cell.r, cell.r + cell.rowspan):
            for c in range(cell.c, cell.c + cell.colspan):
                cover[r, c] = cell
    tbl = _el("w:tbl")
    pr = _el("w:tblPr", tbl)
    _el("w:tblStyle", pr, val=doc.styles["Table Grid"].style_id)
    _el("w:tblW", pr, w=str(sum(widths)), type="dxa")
    _el("w:jc", pr, val="center")
    _el("w:tblLayout", pr, type="fixed")
    margins = _el("w:tblCellMar", pr)
    for side in ("left", "right"):
        _el(f"w:{side}", margins, w=margin, type="dxa")
    _el("w:tblLook", pr, val="04A0", firstRow="1", firstColumn="1", noVBand="1")
    cols = _el("w:tblGrid", tbl)
    for width in widths:
        _el("w:gridCol", cols, w=str(width))
    for r in range(g.n_rows):
        tr = _el("w:tr", tbl)
        tr_pr = _el("w:trPr", tr)
        _el("w:cantSplit", tr_pr)
        if r < g.header_rows:
            _el("w:tblHeader", tr_pr)  # repeated at the top of each page
        c = 0
        while c < g.n_cols:
            cell = cover[r, c]
            tc = _el("w:tc", tr)
            tc_pr = _el("w:tcPr", tc)
            _el("w:tcW", tc_pr, w=str(sum(widths[c : c + cell.colspan])), type="dxa")
            if cell.colspan > 1:
                _el("w:gridSpan", tc_pr, val=str(cell.colspan))
            if cell.rowspan > 1:
                _el("w:vMerge", tc_pr, **({"val": "restart"} if cell.r == r else {}))
            _el("w:vAlign", tc_pr, val="center")
            p = _el("w:p", tc)
            p_pr = _el("w:pPr", p)
            _el("w:pStyle", p_pr, val=style_id)
            if r < g.n_rows - 1:
                _el("w:keepNext", p_pr)  # NOTE: the last row lets the table end the page
            _el("w:spacing", p_pr, line=line, lineRule="exact")
            if cell.kind == "label":
                _el("w:jc", p_pr, val="left")
            if cell.r == r:
                run = _el("w:r", p)
                r_pr = _el("w:rPr", run)
                if cell.kind == "heading":
                    _el("w:b", r_pr)
                _el("w:sz", r_pr, val=size)
                _el("w:szCs", r_pr, val=size)
                for i, piece in enumerate(cell_lines(cell, printed_text(cell, section, values))):
                    if i:
                        _el("w:br", run)
                    _el("w:t", run).text = piece
            c += cell.colspan
    doc.element.body.sectPr.addprevious(tbl)


def _el(tag: str, parent=None, **attrs: str):
    """A WordprocessingML element `tag` with w: attributes, appended to `parent` if given."""
    el = OxmlElement(tag) if parent is None else etree.SubElement(parent, qn(tag))
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


def _twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)
