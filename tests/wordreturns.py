"""Word returns for the tests: the format's blank Word template (saved by WPS, tests/fixtures/real/)
filled at test time as a department fills it, and the constructs of Word's XML a figure can
stand in (revisions, content controls, fields, objects, nested tables …), built on a cell."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import docx
from docx.table import _Cell
from lxml import etree

from pipeline.format2021 import S3, S4, SECTIONS, number_text
from tests.helpers import FIXTURES

TEMPLATE = FIXTURES / "real" / "年报模板_WPS.docx"

# where each figure goes in the WPS template, read off its tables by eye (table, row, column)
S2_PLACES = {
    ("rules", "issued"): (0, 2, 1),
    ("rules", "repealed"): (0, 2, 2),
    ("rules", "in_force"): (0, 2, 3),
    ("normative", "issued"): (0, 3, 1),
    ("normative", "repealed"): (0, 3, 2),
    ("normative", "in_force"): (0, 3, 3),
    ("licensing", "decisions"): (0, 6, 1),
    ("penalty", "decisions"): (0, 9, 1),
    ("coercion", "decisions"): (0, 10, 1),
    ("fees", "amount"): (0, 13, 1),
}
PLACES = {("s2", row, col): at for (row, col), at in S2_PLACES.items()}
PLACES |= {
    ("s3", r.code, c.code): (1, 3 + i, 3 + j)
    for i, r in enumerate(S3.rows)
    for j, c in enumerate(S3.cols)
}
PLACES |= {("s4", "cases", c.code): (2, 3, j) for j, c in enumerate(S4.cols)}
TITLE, PART_SIX = 1, 31  # the paragraphs of the title and of part 六's text


def written(key, value, style: str) -> str:
    """A figure as a clerk types it: plain, left blank when 0, `/` when 0, full width."""
    text = number_text(int(Decimal(value).scaleb(SECTIONS[key[0]].col(key[2]).scale)), *key[::2])
    if value == 0 and style == "blank":
        return ""
    if value == 0 and style == "slash":
        return "/"
    if style == "wide":
        return text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    return text


def stored(key, value) -> int:
    """A figure as the cell table stores it (an integer of 10**-scale)."""
    return int(Decimal(value).scaleb(SECTIONS[key[0]].col(key[2]).scale))


def fee_sentence(values: dict, year: int) -> str:
    """Part 六's sentence stating the fee figures of `values` in the format's words."""
    notices = values.get(("s6", "fees", "notices"), 0)
    if notices:
        amount = values[("s6", "fees", "notice_amount")]
        collected = values[("s6", "fees", "collected")]
        return (
            f"本机关{year}年度发出收费通知{notices}件，收费金额{amount}元，实际收取{collected}元。"
        )
    return f"本机关{year}年度未收取政府信息公开信息处理费。"


def filled(
    unit: str, year: int, values: dict, rng: random.Random, styles: tuple[str, ...] = ()
) -> docx.document.Document:
    """The WPS template filled with `values`, its title naming the unit and year, part 六 stating
    the fees in the format's sentence."""
    document = docx.Document(TEMPLATE)
    tables = document.tables
    for key, (t, r, c) in PLACES.items():
        style = rng.choice(styles or ("plain", "plain", "blank", "slash", "wide"))
        tables[t].rows[r].cells[c].text = written(key, values.get(key, 0), style)
    document.paragraphs[TITLE].text = f"{unit}{year}年政府信息公开工作年度报告"
    document.paragraphs[PART_SIX].text = fee_sentence(values, year)
    return document


def word_return(path: Path, unit: str, year: int, values: dict, rng: random.Random) -> None:
    """A filled template saved at `path`."""
    filled(unit, year, values, rng).save(path)


def cell_at(document: docx.document.Document, key) -> _Cell:
    """The template's cell where the figure of `key` goes."""
    t, r, c = PLACES[key]
    return document.tables[t].rows[r].cells[c]


# -- the constructs of Word's XML -----------------------------------------------------------------
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = {
    "w": W_NS,
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
_DECLARED = " ".join(f'xmlns:{k}="{v}"' for k, v in NAMESPACES.items())
AUTHOR = 'w:id="{id}" w:author="科员" w:date="2024-01-05T09:00:00Z"'


def xml(fragment: str) -> etree._Element:
    """An element from a fragment of WordprocessingML (prefixes w, mc, wp, a, pic, wps, v, o, m)."""
    return etree.fromstring(f"<w:root {_DECLARED}>{fragment}</w:root>")[0]


def run(text: str, props: str = "") -> str:
    """A run of text, with run properties (`<w:vanish/>` …) when given."""
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'


def set_runs(cell: _Cell, fragment: str) -> None:
    """Make the cell one paragraph holding `fragment` (inline content)."""
    tc = cell._tc
    for p in tc.findall(f"{{{W_NS}}}p")[1:]:
        tc.remove(p)
    p = tc.find(f"{{{W_NS}}}p")
    ppr = p.find(f"{{{W_NS}}}pPr")
    for child in list(p):
        if child is not ppr:
            p.remove(child)
    for child in xml(f"<w:p>{fragment}</w:p>"):
        p.append(child)


_ids = iter(range(100, 10**9))


def _id() -> int:
    return next(_ids)


# constructs that leave what Word shows (with revisions accepted) the figure itself
def split_runs(text: str) -> str:
    cut = len(text) // 2
    return run(text[:cut]) + '<w:proofErr w:type="spellStart"/>' + run(text[cut:])


def inline_control(text: str) -> str:
    return f'<w:sdt><w:sdtPr><w:id w:val="{_id()}"/></w:sdtPr><w:sdtContent>{run(text)}</w:sdtContent></w:sdt>'


def hyperlink(text: str) -> str:
    return f'<w:hyperlink w:anchor="a{_id()}" w:history="1">{run(text)}</w:hyperlink>'


def smart_tag(text: str) -> str:
    return f'<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="number">{run(text)}</w:smartTag>'


def custom_xml(text: str) -> str:
    return f'<w:customXml w:element="figure">{run(text)}</w:customXml>'


def simple_field(text: str) -> str:
    return f'<w:fldSimple w:instr=" = {text or 0} ">{run(text)}</w:fldSimple>'


def complex_field(text: str) -> str:
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> = {text or 0} \\# "0" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{run(text)}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def bookmarked(text: str) -> str:
    n = _id()
    return (
        f'<w:bookmarkStart w:id="{n}" w:name="b{n}"/>{run(text)}<w:bookmarkEnd w:id="{n}"/>'
        f'<w:commentRangeStart w:id="{n}"/><w:commentRangeEnd w:id="{n}"/>'
    )


def deleted_space(text: str) -> str:
    """A revision that changes no figure: a space typed after the figure, then deleted."""
    return (
        run(text)
        + f'<w:del {AUTHOR.format(id=_id())}><w:r><w:delText xml:space="preserve"> </w:delText></w:r></w:del>'
    )


def nested_one(text: str) -> str:
    """Marker: the cell holds a one-cell table holding the figure (built by `apply`)."""
    return text


INLINE_SHOWN: dict[str, Callable[[str], str]] = {
    "plain": run,
    "split_runs": split_runs,
    "inline_control": inline_control,
    "hyperlink": hyperlink,
    "smart_tag": smart_tag,
    "custom_xml": custom_xml,
    "simple_field": simple_field,
    "complex_field": complex_field,
    "bookmarked": bookmarked,
    "deleted_space": deleted_space,
}
# constructs around the cell's paragraph, its cell, or its content
BLOCK_SHOWN = ("block_control", "cell_control", "nested_one")


def revised(old: str, new: str) -> str:
    """`old` deleted and `new` inserted with track changes on, neither accepted."""
    return (
        f"<w:del {AUTHOR.format(id=_id())}><w:r><w:delText>{old}</w:delText></w:r></w:del>"
        f"<w:ins {AUTHOR.format(id=_id())}>{run(new)}</w:ins>"
    )


def moved(old: str, new: str) -> str:
    """`old` moved away and `new` moved in, with track changes on."""
    return (
        f"<w:moveFrom {AUTHOR.format(id=_id())}><w:r><w:delText>{old}</w:delText></w:r></w:moveFrom>"
        f"<w:moveTo {AUTHOR.format(id=_id())}>{run(new)}</w:moveTo>"
    )


def image() -> str:
    return (
        "<w:r><w:drawing><wp:inline><wp:extent cx='914400' cy='228600'/><wp:docPr id='"
        f"{_id()}' name='图片'/><a:graphic><a:graphicData uri='http://schemas.openxmlformats.org/drawingml/2006/picture'>"
        "<pic:pic><pic:nvPicPr><pic:cNvPr id='0' name='356.png'/><pic:cNvPicPr/></pic:nvPicPr>"
        "<pic:blipFill><a:blip r:embed='rIdMissing'/></pic:blipFill><pic:spPr/></pic:pic>"
        "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )


def text_box(text: str) -> str:
    """A text box holding `text`, written twice as Word writes it (DrawingML and a VML fallback)."""
    content = f"<w:txbxContent><w:p>{run(text)}</w:p></w:txbxContent>"
    return (
        "<w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:drawing><wp:anchor>"
        f"<wp:docPr id='{_id()}' name='文本框'/><a:graphic><a:graphicData "
        "uri='http://schemas.microsoft.com/office/word/2010/wordprocessingShape'><wps:wsp>"
        f"<wps:txbx>{content}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor>"
        "</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>"
        f"{content}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )


def embedded_object() -> str:
    return (
        "<w:r><w:object><v:shape id='o1'/><o:OLEObject Type='Embed' ProgID='Excel.Sheet.12' "
        "ShapeID='o1' r:id='rIdMissing'/></w:object></w:r>"
    )


def equation(text: str) -> str:
    return f"<m:oMath><m:r><m:t>{text}</m:t></m:r></m:oMath>"


def apply_block(cell: _Cell, how: str, text: str) -> None:
    """Put `text` in the cell inside a construct around its paragraph, the cell, or in a one-cell
    table nested in it."""
    set_runs(cell, run(text))
    tc = cell._tc
    p = tc.find(f"{{{W_NS}}}p")
    if how == "block_control":
        sdt = xml(f'<w:sdt><w:sdtPr><w:id w:val="{_id()}"/></w:sdtPr><w:sdtContent/></w:sdt>')
        p.addprevious(sdt)
        sdt[1].append(p)
    elif how == "cell_control":
        sdt = xml(f'<w:sdt><w:sdtPr><w:id w:val="{_id()}"/></w:sdtPr><w:sdtContent/></w:sdt>')
        tc.addprevious(sdt)
        sdt[1].append(tc)
    elif how == "nested_one":
        nested_table(cell, [text])
    else:
        raise ValueError(how)


def nested_table(cell: _Cell, texts: list[str]) -> None:
    """Replace the cell's content with a table nested in it, one row of `texts`, then the empty
    paragraph Word requires after a table in a cell."""
    tc = cell._tc
    for p in tc.findall(f"{{{W_NS}}}p"):
        tc.remove(p)
    cells = "".join(f"<w:tc><w:p>{run(t)}</w:p></w:tc>" for t in texts)
    grid = "".join("<w:gridCol w:w='400'/>" for _ in texts)
    tc.append(xml(f"<w:tbl><w:tblGrid>{grid}</w:tblGrid><w:tr>{cells}</w:tr></w:tbl>"))
    tc.append(xml("<w:p/>"))


def row_control(cell: _Cell) -> None:
    """Wrap the cell's whole row in a row-level content control."""
    tr = cell._tc.getparent()
    while etree.QName(tr).localname != "tr":
        tr = tr.getparent()
    sdt = xml(f'<w:sdt><w:sdtPr><w:id w:val="{_id()}"/></w:sdtPr><w:sdtContent/></w:sdt>')
    tr.addprevious(sdt)
    sdt[1].append(tr)


def table_control(document: docx.document.Document, index: int) -> None:
    """Wrap a whole table of the body in a block-level content control."""
    tbl = document.tables[index]._tbl
    sdt = xml(f'<w:sdt><w:sdtPr><w:id w:val="{_id()}"/></w:sdtPr><w:sdtContent/></w:sdt>')
    tbl.addprevious(sdt)
    sdt[1].append(tbl)


def deep_copy(element: etree._Element) -> etree._Element:
    return copy.deepcopy(element)
