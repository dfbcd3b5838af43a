"""Word's XML as a person reads it with every revision accepted ("No Markup"): the one reader of
the text of a paragraph or a table cell of a Word or WPS document.

Text is what Word shows: runs inside insertions and moves-to, inside content controls at every
level (inline, block, row, cell), hyperlinks, smart tags and custom XML; the shown result of
simple and complex fields (between `separate` and `end`), never their instruction. Not text:
deletions and moves-from (kept apart as the text before the revisions), hidden runs (`w:vanish`,
or coloured like their background), a content control still showing its placeholder, the
`mc:Fallback` copy of a text box (the `mc:Choice` is read, once).

What is not text but stands where text could (an image, an embedded object, an equation, a chart,
a text box) is named in `Shown.objects`, so a reader of figures can say what it found instead
of reading a blank. Superscript and subscript digits are written as the Unicode characters a
person sees (`148¹`), struck-through text with a combining stroke (`1̶2̶`): never run together
into another number.

The functions work on lxml elements of `word/document.xml` (python-docx's parts), by tag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from pipeline.files.runs import Run, shown_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"

_POSITIONS = {"superscript": "super", "subscript": "sub"}


def as_shown(text: str, script: str = "", struck: bool = False) -> str:
    """A Word run's text as a person sees it (`shown_text`), `script` its `w:vertAlign`."""
    if not script and not struck:
        return text
    return shown_text(Run(text, _POSITIONS.get(script, ""), struck))


@dataclass(frozen=True, slots=True)
class Field:
    """A Word field: its instruction (`=SUM(LEFT)`, `PAGE` …) and the result it shows."""

    instruction: str
    shown: str | None  # None when the field holds no result (never updated)


@dataclass(frozen=True, slots=True)
class Shown:
    """A paragraph or a cell as a person reads it, and what it holds that is not plain text."""

    text: str  # with every revision accepted
    before: str | None = None  # with every revision rejected; None when there is no revision
    objects: tuple[str, ...] = ()  # what stands there that is not text: 图片, 文本框 …
    hidden: str = ""  # text a person cannot see (hidden, or coloured like its background)
    fields: tuple[Field, ...] = ()
    nested: tuple[str, ...] = ()  # the texts of the cells of tables nested in a cell


# -- reading runs -------------------------------------------------------------------------------
@dataclass
class _Walk:
    """What a walk through some inline content has gathered so far."""

    background: str  # the fill behind the text (hex RRGGBB, upper case), "FFFFFF" by default
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    revised: bool = False
    objects: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    # open complex fields, outermost first: [instruction parts, shown parts or None before `separate`]
    open: list[tuple[list[str], list[str] | None]] = field(default_factory=list)

    def text(self, accepted: str, rejected: str | None = None) -> None:
        """Text met in the walk (the rejected view differs inside a revision)."""
        rejected = accepted if rejected is None else rejected
        if self.open:
            instruction, shown = self.open[-1]
            if shown is None:  # NOTE: between `begin` and `separate`: the field's code
                instruction.append(accepted)
                return
            shown.append(accepted)
            if any(s is None for _, s in self.open[:-1]):
                return  # NOTE: a field inside another field's code shows nothing of its own
        self.accepted.append(accepted)
        self.rejected.append(rejected)


def _walk_inline(el: etree._Element, walk: _Walk, view: str = "both") -> None:
    """Walk the inline content of a paragraph (or of a container inside it). `view` says which
    text the content belongs to: both, only the accepted one (an insertion) or only the rejected
    one (a deletion)."""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):
            continue  # a comment or processing instruction
        if tag == f"{W}r":
            _walk_run(child, walk, view)
        elif tag in (f"{W}ins", f"{W}moveTo"):
            walk.revised = True
            _walk_inline(child, walk, "accepted" if view == "both" else view)
        elif tag in (f"{W}del", f"{W}moveFrom"):
            walk.revised = True
            if view != "accepted":
                _walk_inline(child, walk, "rejected")
        elif tag == f"{W}sdt":
            _walk_sdt(child, walk, lambda content: _walk_inline(content, walk, view))
        elif tag == f"{W}fldSimple":
            instruction = child.get(f"{W}instr", "").strip()
            inner = _Walk(walk.background)
            _walk_inline(child, inner, view)
            shown = "".join(inner.accepted)
            walk.fields.append(Field(instruction, shown))
            walk.fields.extend(inner.fields)
            _merge(walk, inner)
        elif tag in (
            f"{W}hyperlink",
            f"{W}smartTag",
            f"{W}customXml",
            f"{W}dir",
            f"{W}bdo",
        ):
            _walk_inline(child, walk, view)
        elif tag in (f"{_M}oMath", f"{_M}oMathPara"):
            walk.objects.append("公式")
        elif tag == f"{_MC}AlternateContent":
            chosen = _alternate(child)
            if chosen is not None:
                _walk_inline(chosen, walk, view)


def _merge(walk: _Walk, inner: _Walk) -> None:
    """Add what an inner walk gathered (its fields already taken) to `walk`."""
    walk.revised = walk.revised or inner.revised
    walk.objects.extend(inner.objects)
    walk.hidden.extend(inner.hidden)
    for a, r in zip(inner.accepted, inner.rejected, strict=True):
        walk.text(a, r)


def _walk_sdt(
    sdt: etree._Element, walk: _Walk, content_walker: Callable[[etree._Element], None]
) -> None:
    """A content control: its content, unless it still shows its placeholder (nothing entered)."""
    props = sdt.find(f"{W}sdtPr")
    if props is not None and props.find(f"{W}showingPlcHdr") is not None:
        return
    content = sdt.find(f"{W}sdtContent")
    if content is not None:
        content_walker(content)


def _alternate(el: etree._Element) -> etree._Element | None:
    """The one branch of an `mc:AlternateContent` a reader takes: its first choice, else the
    fallback (a text box is written twice, as DrawingML and as VML: read once)."""
    choice = el.find(f"{_MC}Choice")
    return choice if choice is not None else el.find(f"{_MC}Fallback")


def _walk_run(run: etree._Element, walk: _Walk, view: str) -> None:
    props = run.find(f"{W}rPr")
    script = colour = ""
    unseen = struck = False
    background = walk.background
    if props is not None:
        for prop in props:
            name = prop.tag
            if name in (f"{W}vanish", f"{W}specVanish"):
                unseen = unseen or _on(prop)
            elif name == f"{W}vertAlign":
                script = prop.get(f"{W}val", "")
            elif name in (f"{W}strike", f"{W}dstrike"):
                struck = struck or _on(prop)
            elif name == f"{W}color":
                colour = (prop.get(f"{W}val") or "").upper()
            elif name == f"{W}shd":
                background = _fill(prop, background)
            elif name == f"{W}highlight":
                background = _HIGHLIGHTS.get(prop.get(f"{W}val", ""), background)
    unseen = unseen or (colour not in ("", "AUTO") and colour == background)
    for child in run:
        tag = child.tag
        if not isinstance(tag, str) or tag == f"{W}rPr":
            continue
        if view == "rejected":
            # NOTE: a deletion: only its text counts (for the text before the revisions); its
            # fields, objects and boxes are gone once the revision is accepted
            if tag in (f"{W}delText", f"{W}t"):
                walk.text("", as_shown(child.text or "", script, struck))
            continue
        if tag in (f"{W}instrText", f"{W}delInstrText"):
            if tag == f"{W}instrText" and walk.open and walk.open[-1][1] is None:
                walk.open[-1][0].append(child.text or "")
            continue
        text = _run_text(child, walk)
        if text is None or tag == f"{W}delText":
            continue
        if unseen:
            if text.strip():
                walk.hidden.append(text)
            continue
        text = as_shown(text, script, struck)
        if view == "both":
            walk.text(text)
        else:
            walk.text(text, "")


# the colours of Word's highlighter (`w:highlight`), as RRGGBB
_HIGHLIGHTS = {
    "black": "000000",
    "blue": "0000FF",
    "cyan": "00FFFF",
    "green": "00FF00",
    "magenta": "FF00FF",
    "red": "FF0000",
    "yellow": "FFFF00",
    "white": "FFFFFF",
    "darkBlue": "000080",
    "darkCyan": "008080",
    "darkGreen": "008000",
    "darkMagenta": "800080",
    "darkRed": "800000",
    "darkYellow": "808000",
    "darkGray": "808080",
    "lightGray": "C0C0C0",
}


def _run_text(child: etree._Element, walk: _Walk) -> str | None:
    """The text one child of a run adds (None: no text; fields, objects and text boxes are
    recorded in `walk` on the way)."""
    tag = child.tag
    if tag in (f"{W}t", f"{W}delText"):
        return child.text or ""
    if tag in (f"{W}tab", f"{W}ptab"):
        return "\t"
    if tag in (f"{W}br", f"{W}cr"):
        return "\n"
    if tag == f"{W}noBreakHyphen":
        return "-"
    if tag == f"{W}sym":
        code = child.get(f"{W}char", "")
        try:
            return chr(int(code, 16))
        except ValueError:
            return None
    if tag == f"{W}fldChar":
        kind = child.get(f"{W}fldCharType")
        if kind == "begin":
            walk.open.append(([], None))
        elif kind == "separate" and walk.open:
            instruction, _ = walk.open[-1]
            walk.open[-1] = (instruction, [])
        elif kind == "end" and walk.open:
            instruction, shown = walk.open.pop()
            walk.fields.append(
                Field("".join(instruction).strip(), None if shown is None else "".join(shown))
            )
        return None
    if tag in (f"{W}footnoteReference", f"{W}endnoteReference"):
        return "（注）"
    if tag in (f"{W}drawing", f"{W}pict", f"{W}object"):
        _graphic(child, walk)
        return None
    if tag == f"{_MC}AlternateContent":
        chosen = _alternate(child)
        if chosen is not None:
            for inner in chosen:
                if isinstance(inner.tag, str):
                    _graphic(inner, walk)
        return None
    return None


def _graphic(el: etree._Element, walk: _Walk) -> None:
    """An image, a shape, an embedded object or a text box inside a run: named as an object;
    a text box's text is read too (a person sees it)."""
    boxes = list(el.iter(f"{W}txbxContent"))
    if boxes:
        walk.objects.append("文本框")
        for box in boxes:
            for shown in (block_shown(b, walk.background) for b in _blocks(box)):
                if shown.text.strip():
                    walk.text(f"\n{shown.text}\n")
        return
    names = {etree.QName(e).localname for e in el.iter() if isinstance(e.tag, str)}
    if el.tag == f"{W}object" or "OLEObject" in names:
        walk.objects.append("嵌入对象")
    elif "chart" in names:
        walk.objects.append("图表")
    elif "pic" in names or "imagedata" in names:
        walk.objects.append("图片")
    else:
        walk.objects.append("图形")


def _on(prop: etree._Element) -> bool:
    """Whether a toggle property (`<w:vanish/>`, `<w:strike w:val="0"/>`) is on."""
    return prop.get(f"{W}val", "true").lower() not in ("0", "false", "off")


# -- paragraphs, cells and blocks -----------------------------------------------------------------
def paragraph_shown(p: etree._Element, background: str = "FFFFFF") -> Shown:
    """A paragraph (`w:p`) as a person reads it."""
    shading = p.find(f"{W}pPr/{W}shd")
    walk = _Walk(_fill(shading, background))
    _walk_inline(p, walk)
    return _shown(walk)


def _shown(walk: _Walk) -> Shown:
    text = "".join(walk.accepted)
    before = "".join(walk.rejected) if walk.revised else None
    return Shown(
        text,
        before,
        tuple(walk.objects),
        "".join(walk.hidden),
        tuple(walk.fields),
    )


def _fill(shading: etree._Element | None, default: str) -> str:
    if shading is None:
        return default
    fill = (shading.get(f"{W}fill") or "").upper()
    return fill if len(fill) == 6 and fill != "AUTO" else default


def block_shown(block: etree._Element, background: str = "FFFFFF") -> Shown:
    """A paragraph, or a table nested where a paragraph could be, as a person reads it (a
    table's cells one to a line)."""
    if block.tag == f"{W}p":
        return paragraph_shown(block, background)
    texts = [
        cell_shown(tc).text
        for row in table_rows(block)
        for tc in dict.fromkeys(row)
        if tc is not None
    ]
    return Shown("\n".join(t for t in texts if t.strip()))


def cell_shown(tc: etree._Element) -> Shown:
    """A table cell (`w:tc`) as a person reads it: its paragraphs one to a line, then the cells
    of a table nested in it (also kept apart in `Shown.nested`), one to a line."""
    background = _fill(tc.find(f"{W}tcPr/{W}shd"), "FFFFFF")
    texts: list[str] = []
    befores: list[str] = []
    nested: list[str] = []
    nested_befores: list[str] = []
    revised = False
    objects: list[str] = []
    hidden: list[str] = []
    fields: list[Field] = []
    for block in _blocks(tc):
        if block.tag == f"{W}tbl":
            for row in table_rows(block):
                for inner in dict.fromkeys(row):
                    if inner is None:
                        continue
                    shown = cell_shown(inner)
                    if shown.text.strip() or (shown.before or "").strip():
                        nested.append(shown.text)
                        nested_befores.append(shown.text if shown.before is None else shown.before)
                    revised = revised or shown.before is not None
                    objects.extend(shown.objects)
                    hidden.append(shown.hidden)
                    fields.extend(shown.fields)
            continue
        shown = paragraph_shown(block, background)
        texts.append(shown.text)
        befores.append(shown.text if shown.before is None else shown.before)
        revised = revised or shown.before is not None
        objects.extend(shown.objects)
        hidden.append(shown.hidden)
        fields.extend(shown.fields)
    return Shown(
        _with_nested(texts, nested),
        _with_nested(befores, nested_befores) if revised else None,
        tuple(objects),
        "".join(hidden),
        tuple(fields),
        tuple(nested),
    )


def _with_nested(texts: list[str], nested: list[str]) -> str:
    """A cell's text: its paragraphs, then a nested table's cells, one to a line."""
    own = "\n".join(texts)
    if not nested:
        return own
    return "\n".join([own, *nested] if own.strip() else nested)


def _blocks(container: etree._Element) -> Iterator[etree._Element]:
    """The paragraphs and tables of a body, a cell or a text box, in order, wherever content
    controls, custom XML or alternate content wrap them."""
    for child in container:
        tag = child.tag
        if tag in (f"{W}p", f"{W}tbl"):
            yield child
        elif tag == f"{W}sdt":
            props = child.find(f"{W}sdtPr")
            if props is not None and props.find(f"{W}showingPlcHdr") is not None:
                continue
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _blocks(content)
        elif tag == f"{W}customXml":
            yield from _blocks(child)
        elif tag == f"{_MC}AlternateContent":
            chosen = _alternate(child)
            if chosen is not None:
                yield from _blocks(chosen)


def body_blocks(body: etree._Element) -> Iterator[etree._Element]:
    """The paragraphs and tables of a document's body (`w:body`), in order."""
    return _blocks(body)


def _rows(tbl: etree._Element) -> Iterator[etree._Element]:
    return _children(tbl, f"{W}tr")


def _cells(tr: etree._Element) -> Iterator[etree._Element]:
    return _children(tr, f"{W}tc")


def _children(parent: etree._Element, tag: str) -> Iterator[etree._Element]:
    """The `tag` children of a table or row, those inside content controls or custom XML too."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag in (f"{W}sdt", f"{W}customXml"):
            content = child.find(f"{W}sdtContent") if child.tag == f"{W}sdt" else child
            if content is not None:
                yield from _children(content, tag)


def _int(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(int(el.get(f"{W}val", default)), 0)
    except ValueError:
        return default


def table_rows(tbl: etree._Element) -> list[list[etree._Element | None]]:
    """A table (`w:tbl`) as rows of its layout grid: at each position the `w:tc` that fills it
    (a cell spanning columns stands in each; a vertically merged cell is the one where the merge
    starts), None where a row starts late (`w:gridBefore`). Rows and cells inside content
    controls or custom XML are rows and cells like any other."""
    out: list[list[etree._Element | None]] = []
    for tr in _rows(tbl):
        row: list[etree._Element | None] = [None] * _int(tr.find(f"{W}trPr/{W}gridBefore"), 0)
        for tc in _cells(tr):
            props = tc.find(f"{W}tcPr")
            span = _int(props.find(f"{W}gridSpan") if props is not None else None, 1) or 1
            merge = props.find(f"{W}vMerge") if props is not None else None
            origin: etree._Element | None = tc
            if merge is not None and merge.get(f"{W}val", "continue") == "continue" and out:
                above = out[-1]
                col = len(row)
                if col < len(above) and above[col] is not None:
                    origin = above[col]
            row.extend([origin] * span)
        out.append(row)
    return out
