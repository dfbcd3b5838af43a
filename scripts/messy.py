"""A corpus of messy returns, as departments really send them, each with the cells it must yield.

`corpus(folder, year)` writes every variant into `folder` and returns, per file, what reading
it must give: the unit, and either the reading of every cell (section, row, col) → (read_as,
value) or the rule of the finding the file must raise. Nothing here is committed as a
spreadsheet: the tests generate the corpus into a temporary folder.

Writers: XlsxWriter (.xlsx/.xlsm; formulas with their stored result, as Excel saves them),
openpyxl (.xlsx; formulas with no stored result, as many programs save them), xlwt (.xls, the
BIFF8 files of old Excel and WPS; values only, since xlwt stores no formula result), and a small
hand-written OpenDocument writer (.ods; LibreOffice's own format).
"""

from __future__ import annotations

import io as _io
import random
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from pipeline.format2021 import S3, S3_OUTCOMES, S3_PARTS, S4_GROUPS, SECTIONS, _spans, printed
from pipeline.ingest.values import read_cell
from pipeline.render.workbook import CellKey, formula_totals, write_return

Expected = dict[CellKey, tuple[str, int]]  # (section, row, col) -> (read_as, stored value)


# -- the figures ------------------------------------------------------------------------------
def figures(seed: int) -> dict[CellKey, int | Decimal]:
    """A consistent return with non-zero figures everywhere a rule can see them."""
    rng = random.Random(seed)
    v: dict[CellKey, int | Decimal] = {
        (code, r.code, c.code): 0 for code, s in SECTIONS.items() for r, c in s.cells
    }
    v |= {
        ("s2", "normative", "issued"): rng.randint(1, 5),
        ("s2", "normative", "repealed"): rng.randint(0, 2),
        ("s2", "normative", "in_force"): rng.randint(10, 30),
        ("s2", "licensing", "decisions"): rng.randint(1000, 3000),  # shows a separator as text
        ("s2", "penalty", "decisions"): rng.randint(0, 40),
        ("s2", "coercion", "decisions"): rng.randint(0, 3),
        ("s2", "fees", "amount"): Decimal(rng.randint(1, 999999)).scaleb(-4),
        ("s6", "fees", "notices"): 1,
        ("s6", "fees", "notice_amount"): Decimal("150.5"),
        ("s6", "fees", "collected"): Decimal("150.5"),
    }
    for col in S3_PARTS:
        for row in ("new", "carried_in", "granted", "partial", "denied_process", "unable_unclear"):
            v["s3", row, col] = rng.randint(0, 12)
        received = v["s3", "new", col] + v["s3", "carried_in", col]
        handled = sum(v["s3", r, col] for r in ("granted", "partial", "denied_process"))
        v["s3", "unable_unclear", col] = 0
        v["s3", "granted", col] += max(0, received - handled - 1)
        handled = sum(v["s3", r, col] for r in S3_OUTCOMES)
        v["s3", "new", col] += max(0, handled - received)
        v["s3", "carried_out", col] = v["s3", "new", col] + v["s3", "carried_in", col] - handled
    for group in S4_GROUPS:
        for result in ("upheld", "corrected", "other", "pending"):
            v["s4", "cases", f"{group}_{result}"] = rng.randint(0, 3)
    for total, parts in [*formula_totals().items()] * 2:
        v[total] = sum(v[p] for p in parts)
    return v


def stored(key: CellKey, value: int | Decimal) -> int:
    section, _, col = key
    return int(Decimal(value).scaleb(SECTIONS[section].col(col).scale))


# -- a workbook as cells ----------------------------------------------------------------------
@dataclass(frozen=True)
class Sum:
    """A formula adding up cells of its sheet; `result` is what Excel would store."""

    refs: tuple[str, ...]
    result: int | float


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    places: dict[CellKey, tuple[int, int]] = field(default_factory=dict)  # where each value went


def _as_is(text: str) -> str:
    return text


@dataclass
class Style:
    """How one messy return writes its tables."""

    one_sheet: bool = False  # every table on one sheet (else one sheet each)
    s4_first: bool = False  # 表四 above 表三 (on one sheet)
    top: int = 0  # blank rows before the first table
    left: int = 0  # blank columns before the tables
    labels: str = "format"  # 表三's row labels: format (merged) | alone | spread | joined
    shuffle: bool = False  # 表三's rows and columns in another order
    merge: bool = True  # headers merged as printed (else written once, the rest blank)
    notes: bool = False  # a title, notes under the tables and a 备注 column
    label_text: Callable[[str], str] = _as_is
    value_text: Callable[[CellKey, object], object] | None = None
    formulas: bool = False  # the totals as SUM formulas
    unit_cell: bool = True  # a 填报单位 cell (else the unit only in the title)


def book(unit: str, year: int, values: dict, style: Style) -> list[Sheet]:
    """The sheets of one messy return, and where each value went."""
    sheets: list[Sheet] = []
    sheet = Sheet("Sheet1")
    r = style.top
    if style.notes or not style.unit_cell:
        sheet.cells[r, style.left] = f"{unit}{year}年政府信息公开工作年度报告"
        r += 2
    if style.unit_cell:
        sheet.cells[r, style.left] = "填报单位："
        sheet.cells[r, style.left + 1] = unit
        sheet.cells[r + 1, style.left] = "报告年度："
        sheet.cells[r + 1, style.left + 1] = f"{year}年"
        r += 3
    order = ["s2", "s4", "s3", "s6"] if style.s4_first else ["s2", "s3", "s4", "s6"]
    for i, code in enumerate(order):
        if not style.one_sheet and i:
            sheets.append(sheet)
            sheet, r = Sheet(f"Sheet{i + 1}"), style.top
        sheet.cells[r, style.left] = f"{SECTIONS[code].part}、{SECTIONS[code].title}"
        r += 1
        if style.notes and code == "s3":
            sheet.cells[r, style.left] = S3.corner
            r += 1
        r = _table(sheet, code, values, style, r, style.left) + 1
        if style.notes:
            sheet.cells[r, style.left] = "注：本表数据截至12月31日。"
            r += 2
    sheets.append(sheet)
    return sheets


def _table(sheet: Sheet, code: str, values: dict, style: Style, top: int, left: int) -> int:
    """Write one table at (top, left); the row below it."""
    if code == "s3":
        return _s3(sheet, values, style, top, left)
    g = printed(code)
    for cell in g.cells:
        r, c = top + cell.r, left + cell.c
        if cell.kind == "value":
            sheet.cells[r, c] = _value(code, cell.row, cell.col, values, style, sheet, r, c)
            continue
        _label(sheet, r, c, cell.rowspan, cell.colspan, style.label_text(cell.text), style)
    if style.notes:
        sheet.cells[top, left + g.n_cols + 1] = "备注"
        sheet.cells[top + 1, left + g.n_cols + 1] = "无"
    return top + g.n_rows


def _s3(sheet: Sheet, values: dict, style: Style, top: int, left: int) -> int:
    cols = list(S3.cols)
    rows = list(S3.rows)
    if style.shuffle:
        cols = [cols[-1], *reversed(cols[1:-1]), cols[0]]  # 总计 first, the five reversed
        rows = rows[::-1]
    lc = {"format": 3, "alone": 1, "spread": 3, "joined": 1}[style.labels]
    depth = 3
    _label(sheet, top, left, depth, lc, style.label_text(S3.corner), style)
    for level, start, length, down, text in _spans([c.labels for c in cols], depth):
        c = left + lc + start
        _label(sheet, top + level, c, down, length, style.label_text(text), style)
    body = top + depth
    if style.labels == "format":
        for level, start, length, across, text in _spans([r.labels for r in rows], lc):
            _label(sheet, body + start, left + level, length, across, style.label_text(text), style)
    for i, row in enumerate(rows):
        r = body + i
        if style.labels == "alone":
            sheet.cells[r, left] = style.label_text(row.label)
        elif style.labels == "joined":
            sheet.cells[r, left] = style.label_text("".join(row.labels))
        elif style.labels == "spread":
            labels = [""] * (3 - len(row.labels)) + list(row.labels)
            for j, text in enumerate(labels):
                sheet.cells[r, left + j] = style.label_text(text) if text else None
        for j, col in enumerate(cols):
            c = left + lc + j
            sheet.cells[r, c] = _value("s3", row.code, col.code, values, style, sheet, r, c)
    if style.notes:
        sheet.cells[top, left + lc + len(cols)] = "备注"
    return body + len(rows)


def _label(sheet: Sheet, r: int, c: int, down: int, across: int, text: str, style: Style):
    sheet.cells[r, c] = text
    if (down > 1 or across > 1) and style.merge:
        sheet.merges.append((r, c, r + down - 1, c + across - 1))


def _value(code, row, col, values, style, sheet, r, c) -> object:
    key = (code, row, col)
    sheet.places[key] = (r, c)
    value = values[key]
    if style.value_text is not None:
        value = style.value_text(key, value)
    return value


def with_formulas(sheets: list[Sheet], values: dict) -> None:
    """Turn the totals into SUM formulas over their parts, where the parts sit on the same sheet."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    for sheet in sheets:
        places = sheet.places
        for total, parts in formula_totals().items():
            if total in places and all(p in places for p in parts):
                refs = tuple(xl_rowcol_to_cell(*places[p]) for p in parts)
                sheet.cells[places[total]] = Sum(refs, int(values[total]))


# -- writers ----------------------------------------------------------------------------------
def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def write_xlsxwriter(path: Path, sheets: list[Sheet], vba: bool = False) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    if vba:
        # NOTE: a stand-in macro project: the reader must never run (or need) it
        wb.add_vba_project(_io.BytesIO(b"\xd0\xcf\x11\xe0macro"), is_stream=True)
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        merged = {(m[0], m[1]): m for m in sheet.merges}
        for (r, c), value in sheet.cells.items():
            if (r, c) in merged:
                r1, c1, r2, c2 = merged[r, c]
                ws.merge_range(r1, c1, r2, c2, None)
            if isinstance(value, Sum):
                ws.write_formula(r, c, f"=SUM({','.join(value.refs)})", None, value.result)
            elif value is None or value == "":
                continue
            elif isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write_number(r, c, _plain(value))
    wb.close()


def write_openpyxl(path: Path, sheets: list[Sheet]) -> None:
    """As openpyxl (and some other programs) save: formulas without their stored result."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for (r, c), value in sheet.cells.items():
            if isinstance(value, Sum):
                value = f"=SUM({','.join(value.refs)})"
            elif isinstance(value, Decimal):
                value = _plain(value)
            if value is not None:
                ws.cell(r + 1, c + 1, value)
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
    wb.save(path)


def write_xls(path: Path, sheets: list[Sheet]) -> None:
    """.xls (BIFF8), as old Excel and WPS save it; totals as values (xlwt stores no result)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    for sheet in sheets:
        ws = wb.add_sheet(sheet.name)
        merged = {(m[0], m[1]): m for m in sheet.merges}
        for (r, c), value in sheet.cells.items():
            if isinstance(value, Sum):
                value = value.result
            value = _plain(value)
            if (r, c) in merged:
                r1, c1, r2, c2 = merged[r, c]
                ws.write_merge(r1, r2, c1, c2, "" if value is None else value)
            elif value is not None:
                ws.write(r, c, value)
    wb.save(str(path))


def write_ods(path: Path, sheets: list[Sheet]) -> None:
    """.ods, LibreOffice's own format: a zip of content.xml (merges as spanned cells)."""
    tables = []
    for sheet in sheets:
        spans = {(m[0], m[1]): m for m in sheet.merges}
        covered = {
            (r, c)
            for r1, c1, r2, c2 in sheet.merges
            for r in range(r1, r2 + 1)
            for c in range(c1, c2 + 1)
            if (r, c) != (r1, c1)
        }
        n_rows = max(r for r, _ in sheet.cells) + 1
        n_cols = max(c for _, c in sheet.cells) + 1
        rows = []
        for r in range(n_rows):
            cells = []
            for c in range(n_cols):
                if (r, c) in covered:
                    cells.append("<table:covered-table-cell/>")
                    continue
                attrs = ""
                if (r, c) in spans:
                    r1, c1, r2, c2 = spans[r, c]
                    attrs = (
                        f' table:number-rows-spanned="{r2 - r1 + 1}"'
                        f' table:number-columns-spanned="{c2 - c1 + 1}"'
                    )
                value = sheet.cells.get((r, c))
                if isinstance(value, Sum):
                    value = value.result
                if value is None or value == "":
                    cells.append(f"<table:table-cell{attrs}/>")
                elif isinstance(value, str):
                    cells.append(
                        f'<table:table-cell{attrs} office:value-type="string">'
                        f"<text:p>{escape(value)}</text:p></table:table-cell>"
                    )
                else:
                    cells.append(
                        f'<table:table-cell{attrs} office:value-type="float" office:value="{value}">'
                        f"<text:p>{value}</text:p></table:table-cell>"
                    )
            rows.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        tables.append(
            f'<table:table table:name="{escape(sheet.name)}">{"".join(rows)}</table:table>'
        )
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)


# -- the variants -----------------------------------------------------------------------------
def messy_label(text: str) -> str:
    """A label as retyped: half-width brackets, `1、`, a line break, stray spaces, 其它."""
    t = text.replace("（", "(").replace("）", ")").replace("其他组织", "其它组织")
    if t.startswith("(二)部分公开"):
        t = "(二)部分公开"
    if len(t) > 1 and t[0].isdigit() and t[1] == ".":
        t = f"{t[0]}、{t[2:]}"
    if len(t) > 6:
        t = f"{t[:4]}\n{t[4:]}"
    return f" {t} " if len(t) % 3 == 0 else t


def _pick(key: CellKey, n: int) -> int:
    """A stable choice per cell (str hashes change from run to run)."""
    return zlib.crc32("|".join(key).encode()) % n


def text_values(key: CellKey, value: object) -> object:
    """Values as retyped: numbers as text, full width, separators, spaces, and 0 as `/ — 无` or blank."""
    n = Decimal(value)
    if n == 0:
        return ["/", "—", "无", None, "", "０"][_pick(key, 6)]
    text = f"{n.normalize():f}" if n != n.to_integral_value() else f"{int(n):,}"
    kind = _pick(key, 3)
    if kind == 0:
        return text.translate(str.maketrans("0123456789.,", "０１２３４５６７８９．，"))
    if kind == 1:
        return f" {text} "
    return text


def expected_reading(values: dict, style: Style, derived: bool) -> Expected:
    """What each cell must read as, under the documented policy."""
    out: Expected = {}
    totals = formula_totals()

    def shown(key: CellKey) -> Decimal:
        # NOTE: what Excel shows for a total written as a SUM formula: numbers add up, text
        # (`"12"`, `/`) and blanks add nothing
        if key in totals:
            return sum((shown(p) for p in totals[key]), Decimal(0))
        written = style.value_text(key, values[key]) if style.value_text else values[key]
        plain = isinstance(written, (int, float, Decimal)) and not isinstance(written, bool)
        return Decimal(str(written)) if plain else Decimal(0)

    def typed_as_text(part: CellKey) -> bool:
        written = style.value_text(part, values[part]) if style.value_text else values[part]
        return isinstance(written, str) and read_cell(written).value not in (None, 0)

    for key, value in values.items():
        if style.formulas and derived and key in totals:
            # NOTE: a SUM passing over numbers typed as text says so at its cell
            text = any(p not in totals and typed_as_text(p) for p in totals[key])
            out[key] = ("text_in_sum" if text else "derived", stored(key, shown(key)))
            continue
        written = style.value_text(key, value) if style.value_text else value
        if written is None or written == "":
            out[key] = ("blank", 0)
        elif written in ("/", "—", "无"):
            out[key] = ("nil", 0)
        else:
            out[key] = ("number", stored(key, value))
    return out


@dataclass
class Case:
    """One file of the corpus and what reading it must give."""

    file: str
    unit: str
    cells: Expected | None = None  # None: the file must raise `rule` instead
    rule: str = ""


def corpus(folder: Path, year: int, units: list[str]) -> list[Case]:
    """Write every variant into `folder` (one unit each, from `units`); what each must yield."""
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []
    names = iter(units)

    def add(variant: str, style: Style, writer: str, suffix: str = ".xlsx", file_unit: bool = True):
        unit = next(names)
        values = figures(len(cases))
        sheets = book(unit, year, values, style)
        if style.formulas:
            with_formulas(sheets, values)
        stem = f"{unit}{year}年{variant}" if file_unit else f"年报数据_{variant}"
        path = folder / f"{stem}{suffix}"
        {
            "xlsxwriter": write_xlsxwriter,
            "openpyxl": write_openpyxl,
            "xls": write_xls,
            "ods": write_ods,
            "xlsm": lambda p, s: write_xlsxwriter(p, s, vba=True),
        }[writer](path, sheets)
        derived = writer == "openpyxl"
        cases.append(Case(path.name, unit, expected_reading(values, style, derived)))

    # the project's own template, as written and as re-saved by another program
    unit = next(names)
    values = figures(100)
    own = folder / f"{unit}{year}年政务公开年报.xlsx"
    write_return(own, unit, year, values)
    cases.append(Case(own.name, unit, expected_reading(values, Style(), False)))
    unit = next(names)
    values = figures(101)
    resaved = folder / f"{unit}{year}年政务公开年报（另存）.xlsx"
    write_return(resaved, unit, year, values)
    _resave_with_openpyxl(resaved)
    cases.append(
        Case(resaved.name, unit, expected_reading(values, Style(formulas=True), derived=True))
    )
    # each variant alone
    add("四表同页", Style(one_sheet=True), "xlsxwriter")
    add("表四在表三上方", Style(one_sheet=True, s4_first=True), "xlsxwriter")
    add("位置偏移", Style(top=4, left=2, notes=True), "xlsxwriter")
    add("行列顺序", Style(shuffle=True, labels="alone"), "xlsxwriter")
    add("标签分列", Style(labels="spread"), "xlsxwriter")
    add("标签合一", Style(labels="joined"), "xlsxwriter")
    add("标签单列", Style(labels="alone"), "xlsxwriter")
    add("未合并表头", Style(merge=False), "xlsxwriter")
    add("标签不规范", Style(label_text=messy_label), "xlsxwriter")
    add("文本数值", Style(value_text=text_values), "xlsxwriter")
    add("公式已计算", Style(formulas=True), "xlsxwriter")
    add("公式未计算", Style(formulas=True), "openpyxl")
    add("只有标题", Style(unit_cell=False, notes=True), "xlsxwriter", file_unit=False)
    add("旧版Excel", Style(labels="spread"), "xls", ".xls")
    add("WPS另存", Style(), "xls", ".xls")
    add("开放文档", Style(), "ods", ".ods")
    add("含宏", Style(), "xlsm", ".xlsm")
    # several at once
    add(
        "综合一",
        Style(
            one_sheet=True,
            top=3,
            left=1,
            notes=True,
            shuffle=True,
            labels="alone",
            label_text=messy_label,
            value_text=text_values,
            formulas=True,
        ),
        "openpyxl",
    )
    add(
        "综合二",
        Style(one_sheet=True, s4_first=True, labels="joined", merge=False, value_text=text_values),
        "xls",
        ".xls",
    )
    add(
        "综合三",
        Style(top=2, left=3, labels="spread", label_text=messy_label, notes=True, unit_cell=False),
        "ods",
        ".ods",
        file_unit=False,
    )
    # files that cannot be read, and why
    for variant, rule, content in _unreadable(folder, year, names):
        cases.append(Case(variant, content, None, rule))
    return cases


def _resave_with_openpyxl(path: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb.save(path)


def _unreadable(folder: Path, year: int, names) -> list[tuple[str, str, str]]:
    """Files that must each raise their finding: (file name, rule, unit told from its name)."""
    out = []
    unit = next(names)
    good = _io.BytesIO()
    write_return(good, unit, year, figures(7))
    data = good.getvalue()
    path = folder / f"{unit}{year}年（损坏）.xlsx"
    path.write_bytes(data[: len(data) // 2])
    out.append((path.name, "file.unreadable", unit))
    unit = next(names)
    path = folder / f"{unit}{year}年（加密）.xlsx"
    _encrypted(data, path)
    out.append((path.name, "file.encrypted", unit))
    unit = next(names)
    path = folder / f"{unit}{year}年（空文件）.xlsx"
    path.write_bytes(b"")
    out.append((path.name, "file.unreadable", unit))
    unit = next(names)
    path = folder / f"{unit}{year}年说明.docx"
    path.write_bytes(b"PK\x03\x04 this is a Word document, not a spreadsheet")
    out.append((path.name, "file.unreadable", unit))
    unit = next(names)
    path = folder / f"{unit}{year}年（2019格式）.xlsx"
    _old_format(path, unit, year)
    out.append((path.name, "file.old_format", unit))
    return out


def _encrypted(data: bytes, path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    with path.open("wb") as out:
        OOXMLFile(_io.BytesIO(data)).encrypt("123456", out)


def _old_format(path: Path, unit: str, year: int) -> None:
    """A return in the 2019 trial format: its table 二 and its single-row （六）其他处理."""
    sheet = Sheet("Sheet1")
    rows = [
        [f"{unit}{year}年政府信息公开工作年度报告"],
        ["第二十条第（一）项"],
        ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
        ["规章", 0, 0, 0],
        ["规范性文件", 1, 1, 12],
        ["第二十条第（九）项"],
        ["信息内容", "采购项目数量", "采购总金额"],
        ["政府集中采购", 3, 12.5],
        ["（六）其他处理", 0],
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.cells[r, c] = value
    write_xlsxwriter(path, [sheet])
