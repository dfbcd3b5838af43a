"""Returns laid out the way county departments make their own collection sheets (issue 12), each
with what reading it must give.

A `Layout` says how each table is written: 表三's column headers and row labels, 表四's shape,
表二's header, where the fee figures are, how the tables are titled, in which order they come,
on one sheet or several, with blank rows, notes and units in between. `book(layout, values)`
lays the return out as sheets (scripts/messy.py's `Sheet`, written by its writers), and
`expected(layout, values)` says what reading must give: every cell's stored value, and the
rules of the findings the return must raise (a similar label, an ambiguity, a missing row).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from pipeline.format2021 import S2, S3, S4_GROUPS, S4_RESULTS, S6, SECTIONS, printed
from pipeline.render.workbook import CellKey
from scripts.messy import Sheet, stored

ONE_ROW_OTHER = "（六）其他处理"
OTHER_ROWS = tuple(r.code for r in S3.rows if ONE_ROW_OTHER in r.path)
MISSPELT = {"2.其他法律行政法规禁止公开": "2.其他法律行政止公开"}  # read as similar, with a finding


def _as_is(text: str) -> str:
    return text


def variant_label(text: str) -> str:
    """Labels as departments retype them: 规范性文件, `1、`, 其它, wrapped lines."""
    t = {"行政规范性文件": "规范性文件"}.get(text, text)
    if len(t) > 2 and t[0].isdigit() and t[1] == ".":
        t = f"{t[0]}、{t[2:]}"
    t = t.replace("其他", "其它")
    if len(t) > 9:
        t = f"{t[:5]}\n{t[5:]}"
    return t


def misspelt_label(text: str) -> str:
    """The issue's misspelling of 2.其他法律行政法规禁止公开, the rest as the format prints them."""
    return MISSPELT.get(text, text)


@dataclass(frozen=True)
class Layout:
    """How one return lays out its tables."""

    s3_cols: str = "format"  # format | leaf | repeated | in_cell | left
    s3_rows: str = "format"  # format | leaf | bare | joined | spread | headings | one_row_other
    s4: str = "format"  # format | leaf | repeated | in_cell | left | stacked | grid | grid_spread | transposed
    s2: str = "format"  # format | flat (one header row over every row)
    s6: str = "table"  # table | sentence | none | absent
    order: tuple[str, ...] = ("s2", "s3", "s4", "s6")
    one_sheet: bool = True
    titles: str = "format"  # format | shifted (一、二、三) | numbered (表1 …)
    gap: int = 1  # blank rows between the tables
    notes: bool = False  # a report title, units and notes between the tables
    shuffle: bool = False  # 表三's rows and columns in another order (leaf-only styles)
    label: Callable[[str], str] = _as_is
    twice: str = ""  # a section written twice on its sheet, with other figures (ambiguous)
    left: int = 0  # blank columns left of the tables

    @property
    def name(self) -> str:
        parts = [
            f"{k}={v}"
            for k, v in self.__dict__.items()
            if v != getattr(Layout(), k) and k != "label"
        ]
        if self.label is not _as_is:
            parts.append(f"label={self.label.__name__}")
        return ",".join(parts) or "format"


# the classes of the issue, each alone
CLASSES: dict[str, Layout] = {
    "表三列只有末级标签": Layout(s3_cols="leaf"),
    "表三列组标签逐列重复": Layout(s3_cols="repeated"),
    "表三列组标签在同一格": Layout(s3_cols="in_cell"),
    "表三列组标签在表头左侧": Layout(s3_cols="left"),
    "表三行只有末级标签": Layout(s3_rows="leaf"),
    "表三行无编号": Layout(s3_rows="bare"),
    "表三行各级标签合一格": Layout(s3_rows="joined"),
    "表三行各级标签分列": Layout(s3_rows="spread"),
    "表三行组标签单独成行": Layout(s3_rows="headings"),
    "表三行列顺序不同": Layout(s3_rows="bare", s3_cols="leaf", shuffle=True),
    "表四格式原样": Layout(s4="format"),
    "表四只有结果标签": Layout(s4="leaf"),
    "表四组标签逐列重复": Layout(s4="repeated"),
    "表四组标签在同一格": Layout(s4="in_cell"),
    "表四组标签在表头左侧": Layout(s4="left"),
    "表四分三段": Layout(s4="stacked"),
    "表四网格": Layout(s4="grid"),
    "表四网格诉讼分列": Layout(s4="grid_spread"),
    "表四网格转置": Layout(s4="transposed"),
    "表二单一表头": Layout(s2="flat"),
    "表号为一二三": Layout(titles="shifted"),
    "表号为表1至表3": Layout(titles="numbered"),
    "标签变体": Layout(label=variant_label),
    "标签错字": Layout(label=misspelt_label),
    "信息处理费为文字": Layout(s6="sentence"),
    "未收取信息处理费": Layout(s6="none"),
    "未填报信息处理费": Layout(s6="absent"),
    "表格分页": Layout(one_sheet=False),
    "顺序打乱": Layout(order=("s4", "s6", "s3", "s2")),
    "间隔与附注": Layout(gap=3, notes=True, left=2),
    "其他处理只有一行": Layout(s3_rows="one_row_other"),
}
# several at once
COMBINED: dict[str, Layout] = {
    "综合一": Layout(
        s3_cols="leaf", s3_rows="bare", s4="grid", titles="shifted", notes=True, gap=2
    ),
    "综合二": Layout(
        s3_cols="repeated",
        s3_rows="joined",
        s4="leaf",
        s6="sentence",
        order=("s3", "s4", "s2"),
        label=variant_label,
    ),
    "综合三": Layout(
        s3_cols="in_cell",
        s3_rows="spread",
        s4="transposed",
        one_sheet=False,
        titles="numbered",
        order=("s6", "s4", "s3", "s2"),
    ),
    "综合四": Layout(
        s3_cols="left",
        s3_rows="leaf",
        s4="stacked",
        s2="flat",
        s6="none",
        shuffle=True,
        notes=True,
        left=1,
    ),
    "综合五": Layout(s3_rows="headings", s4="in_cell", label=misspelt_label, gap=0),
    "综合六": Layout(s3_cols="leaf", s3_rows="leaf", s4="grid_spread", s6="absent", gap=4),
}
AMBIGUOUS: dict[str, Layout] = {
    "表三重复两份": Layout(twice="s3"),
    "表四重复两份": Layout(twice="s4", s4="grid"),
}


@dataclass
class Expected:
    """What reading a return must give."""

    cells: dict[CellKey, int] = field(default_factory=dict)  # stored values
    rules: set[str] = field(default_factory=set)  # rules of findings it must raise
    missing: set[str] = field(default_factory=set)  # labels named by file.cell_missing


def expected(layout: Layout, values: dict[CellKey, object]) -> Expected:
    """What reading a return of `layout` holding `values` must give."""
    out = Expected()
    sections = set(layout.order)
    for key, value in values.items():
        section, row, _ = key
        if section not in sections or section == layout.twice:
            continue
        if section == "s6" and layout.s6 == "absent":
            continue
        if section == "s6" and layout.s6 == "none":
            out.cells[key] = 0
            continue
        if layout.s3_rows == "one_row_other" and section == "s3" and row in OTHER_ROWS:
            continue
        out.cells[key] = stored(key, value)
    if layout.s6 == "absent" or "s6" not in sections:
        out.rules.add("s6.unreported")
    if layout.s6 in ("sentence", "none") and "s6" in sections:
        out.rules.add("s6.sentence")
    if layout.label is misspelt_label:
        out.rules.add("label.similar")
    if layout.twice:
        out.rules.add("label.ambiguous")
    if layout.s3_rows == "one_row_other":
        out.rules.add("file.cell_missing")
        out.missing = {S3.row(r).label for r in OTHER_ROWS}
    return out


# -- laying a return out ----------------------------------------------------------------------
_SHIFTED = {"s2": "一", "s3": "二", "s4": "三", "s6": "四"}


def _title(layout: Layout, code: str, n: int) -> str:
    s = SECTIONS[code]
    if layout.titles == "shifted":
        return f"{_SHIFTED[code]}、{s.title}"
    if layout.titles == "numbered":
        return f"表{n} {s.title}"
    return f"{s.part}、{s.title}"


def book(layout: Layout, values: dict[CellKey, object], unit: str = "古县司法局") -> list[Sheet]:
    """The sheets of one return of `layout` holding `values`."""
    sheets = [Sheet("Sheet1")]
    sheet = sheets[0]
    left = layout.left
    r = 0
    if layout.notes:
        sheet.cells[r, left] = f"{unit}2023年政府信息公开工作年度报告数据"
        r += 2
    sheet.cells[r, left] = "填报单位："
    sheet.cells[r, left + 1] = unit
    r += 2
    for n, code in enumerate(layout.order, start=1):
        if code == "s6" and layout.s6 == "absent":
            continue
        if n > 1 and not layout.one_sheet:
            sheet = Sheet(f"Sheet{n}")
            sheets.append(sheet)
            r = 0
        sheet.cells[r, left] = _title(layout, code, n)
        r += 1
        if layout.notes:
            sheet.cells[r, left + 3] = "单位：件"
            r += 1
        copies = 2 if layout.twice == code else 1
        for copy in range(copies):
            figures = values if copy == 0 else _other_figures(values, code)
            r = _WRITERS[code](sheet, layout, figures, r, left, record=copy == 0)
            if copy + 1 < copies:
                r += 2
        if layout.notes:
            sheet.cells[r, left] = "注：数据截至当年12月31日。"
            r += 1
        r += layout.gap
    return sheets


def _other_figures(values: dict[CellKey, object], code: str) -> dict[CellKey, object]:
    return {k: (v + 1 if k[0] == code else v) for k, v in values.items()}


def _put(sheet: Sheet, r: int, c: int, text: str, down: int = 1, across: int = 1) -> None:
    sheet.cells[r, c] = text
    if down > 1 or across > 1:
        sheet.merges.append((r, c, r + down - 1, c + across - 1))


def _value(sheet: Sheet, key: CellKey, values, r: int, c: int, record: bool) -> None:
    sheet.cells[r, c] = values[key]
    if record:
        sheet.places[key] = (r, c)


def _s2(sheet: Sheet, layout: Layout, values, top: int, left: int, record: bool) -> int:
    label = layout.label
    if layout.s2 == "flat":
        _put(sheet, top, left, "信息内容")
        for j, col in enumerate(S2.cols):
            _put(sheet, top, left + 1 + j, label(col.label))
        for i, row in enumerate(S2.rows, start=1):
            _put(sheet, top + i, left, label(row.label))
            for col in S2.cols_of(row):
                j = S2.cols.index(col)
                _value(sheet, ("s2", row.code, col.code), values, top + i, left + 1 + j, record)
        return top + 1 + len(S2.rows)
    g = printed("s2")
    for cell in g.cells:
        r, c = top + cell.r, left + cell.c
        if cell.kind == "value":
            _value(sheet, ("s2", cell.row, cell.col), values, r, c, record)
        else:
            _put(sheet, r, c, label(cell.text), cell.rowspan, cell.colspan)
    return top + g.n_rows


def _s3(sheet: Sheet, layout: Layout, values, top: int, left: int, record: bool) -> int:
    label = layout.label
    cols = list(S3.cols)
    rows = [r for r in S3.rows]
    if layout.shuffle:
        cols = [cols[-1], *reversed(cols[1:-1]), cols[0]]
        rows = rows[::-1]
    lc = 3 if layout.s3_rows in ("format", "spread", "one_row_other") else 1
    style = layout.s3_cols
    depth = {"format": 3, "repeated": 3, "leaf": 1, "in_cell": 1, "left": 1}[style]
    vc = left + lc  # first value column
    corner = "申请人情况" if style == "left" else S3.corner
    _put(sheet, top, left, label(corner), depth, lc)
    if style == "format":
        _put(sheet, top, vc, label("申请人情况"), 1, len(cols))
        for j, col in enumerate(cols):
            if col.code in ("natural", "total"):
                _put(sheet, top + 1, vc + j, label(col.label), 2, 1)
            else:
                _put(sheet, top + 2, vc + j, label(col.label))
        parts = [j for j, col in enumerate(cols) if col.code not in ("natural", "total")]
        _put(sheet, top + 1, vc + parts[0], label("法人或其他组织"), 1, len(parts))
    elif style == "repeated":
        for j, col in enumerate(cols):
            _put(sheet, top, vc + j, label("申请人情况"))
            if col.code in ("natural", "total"):
                _put(sheet, top + 1, vc + j, label(col.label))
            else:
                _put(sheet, top + 1, vc + j, label("法人或其他组织"))
                _put(sheet, top + 2, vc + j, label(col.label))
    else:
        for j, col in enumerate(cols):
            text = col.label
            if style == "in_cell" and col.path[-1] == "法人或其他组织":
                text = f"法人或其他组织（{col.label}）"
            _put(sheet, top, vc + j, label(text))
    r = top + depth
    body = _s3_rows(rows, layout)
    for i, (texts, row) in enumerate(body):
        for k, (text, down, across) in enumerate(texts):
            if text:
                _put(sheet, r + i, left + k, label(text), down, across)
        if row is None:
            continue
        for j, col in enumerate(cols):
            if row == "one_row_other":
                sheet.cells[r + i, vc + j] = sum(values["s3", o, col.code] for o in OTHER_ROWS)
            else:
                _value(sheet, ("s3", row, col.code), values, r + i, vc + j, record)
    return r + len(body)


def _s3_rows(rows, layout: Layout) -> list[tuple[list[tuple[str, int, int]], str | None]]:
    """Per sheet row: its label cells (text, rows down, columns across) and the row code it
    holds figures for (None for a heading row)."""
    style = layout.s3_rows
    out: list[tuple[list[tuple[str, int, int]], str | None]] = []
    if style in ("format", "one_row_other"):
        kept = [r for r in rows if not (style == "one_row_other" and r.code in OTHER_ROWS)]
        if style == "one_row_other":
            at = next(i for i, r in enumerate(kept) if r.code == "outcome_total")
            kept.insert(at, None)
        for i, row in enumerate(kept):
            if row is None:
                out.append(([("", 1, 1), (ONE_ROW_OTHER, 1, 2)], "one_row_other"))
                continue
            cells: list[tuple[str, int, int]] = []
            path = row.path
            prev = kept[i - 1] if i else None
            prev_path = prev.path if prev is not None else ()
            for level, group in enumerate(path):
                if prev_path[: level + 1] == path[: level + 1]:
                    cells.append(("", 1, 1))
                    continue
                down = 1
                for nxt in kept[i + 1 :]:
                    if nxt is not None and nxt.path[: level + 1] == path[: level + 1]:
                        down += 1
                    else:
                        break
                cells.append((group, down, 1))
            cells.append((row.label, 1, 3 - len(path)))
            out.append((cells, row.code))
        return out
    seen: set[str] = set()
    for row in rows:
        if style == "leaf":
            out.append(([(row.label, 1, 1)], row.code))
        elif style == "bare":
            out.append(([(_unnumbered(row.label), 1, 1)], row.code))
        elif style == "joined":
            out.append(([("".join(row.labels), 1, 1)], row.code))
        elif style == "spread":
            cells = [(p, 1, 1) for p in row.path]
            cells.append((row.label, 1, 3 - len(row.path)))
            out.append((cells, row.code))
        elif style == "headings":
            for group in row.path:
                if group not in seen:
                    seen.add(group)
                    out.append(([(group, 1, 1)], None))
            out.append(([(row.label, 1, 1)], row.code))
    return out


def _unnumbered(text: str) -> str:
    import re

    return re.sub(r"^(（[一二三四五六七]）|[一二三四]、|\d\.)", "", text)


_GROUP_LABELS = {group: path[-1] for group, path in S4_GROUPS.items()}
_SUIT_LABELS = {
    "review": "行政复议",
    "direct": "行政诉讼（未经复议直接起诉）",
    "after": "行政诉讼（复议后起诉）",
}


def _s4(sheet: Sheet, layout: Layout, values, top: int, left: int, record: bool) -> int:
    label = layout.label
    style = layout.s4
    groups, results = list(S4_GROUPS), list(S4_RESULTS)

    def key(group: str, result: str) -> CellKey:
        return ("s4", "cases", f"{group}_{result}")

    if style == "format":
        g = printed("s4")
        for cell in g.cells:
            r, c = top + cell.r, left + cell.c
            if cell.kind == "value":
                _value(sheet, ("s4", cell.row, cell.col), values, r, c, record)
            else:
                _put(sheet, r, c, label(cell.text), cell.rowspan, cell.colspan)
        return top + g.n_rows
    if style in ("leaf", "repeated", "in_cell"):
        header = top + (2 if style == "repeated" else 0) + (1 if style == "in_cell" else 0)
        for a, group in enumerate(groups):
            if style == "in_cell":
                _put(sheet, top, left + 5 * a, label(_SUIT_LABELS[group]), 1, 5)
            for b, result in enumerate(results):
                c = left + 5 * a + b
                if style == "repeated":
                    path = S4_GROUPS[group]
                    _put(sheet, top, c, label(path[0]))
                    if len(path) > 1:
                        _put(sheet, top + 1, c, label(path[1]))
                _put(sheet, header, c, label(S4_RESULTS[result]))
                _value(sheet, key(group, result), values, header + 1, c, record)
        return header + 2
    if style == "left":
        c = left
        for group in groups:
            _put(sheet, top, c, label(_SUIT_LABELS[group]))
            c += 1
            for result in results:
                _put(sheet, top, c, label(S4_RESULTS[result]))
                _value(sheet, key(group, result), values, top + 1, c, record)
                c += 1
        return top + 2
    if style == "stacked":
        r = top
        for group in groups:
            _put(sheet, r, left, label(_SUIT_LABELS[group]))
            for b, result in enumerate(results):
                _put(sheet, r, left + 1 + b, label(S4_RESULTS[result]))
                _value(sheet, key(group, result), values, r + 1, left + 1 + b, record)
            r += 3
        return r
    if style in ("grid", "grid_spread"):
        lc = 2 if style == "grid_spread" else 1
        _put(sheet, top, left, "类别", 1, lc)
        for b, result in enumerate(results):
            _put(sheet, top, left + lc + b, label(S4_RESULTS[result]))
        for a, group in enumerate(groups):
            r = top + 1 + a
            if style == "grid":
                _put(sheet, r, left, label(_SUIT_LABELS[group]))
            elif group == "review":
                _put(sheet, r, left, label("行政复议"), 1, 2)
            else:
                if group == "direct":
                    _put(sheet, r, left, label("行政诉讼"), 2, 1)
                _put(sheet, r, left + 1, label(_GROUP_LABELS[group]))
            for b, result in enumerate(results):
                _value(sheet, key(group, result), values, r, left + lc + b, record)
        return top + 1 + len(groups)
    if style == "transposed":
        _put(sheet, top, left, "结果", 2, 1)
        _put(sheet, top, left + 1, label("行政复议"), 2, 1)
        _put(sheet, top, left + 2, label("行政诉讼"), 1, 2)
        _put(sheet, top + 1, left + 2, label("未经复议直接起诉"))
        _put(sheet, top + 1, left + 3, label("复议后起诉"))
        for b, result in enumerate(results):
            r = top + 2 + b
            _put(sheet, r, left, label(S4_RESULTS[result]))
            for a, group in enumerate(groups):
                _value(sheet, key(group, result), values, r, left + 1 + a, record)
        return top + 2 + len(results)
    raise ValueError(style)


def _s6(sheet: Sheet, layout: Layout, values, top: int, left: int, record: bool) -> int:
    label = layout.label
    if layout.s6 == "table":
        _put(sheet, top, left, "项目")
        for j, col in enumerate(S6.cols):
            _put(sheet, top, left + 1 + j, label(col.label))
        _put(sheet, top + 1, left, label(S6.rows[0].label))
        for j, col in enumerate(S6.cols):
            _value(sheet, ("s6", "fees", col.code), values, top + 1, left + 1 + j, record)
        return top + 2
    if layout.s6 == "none":
        sheet.cells[top, left] = "本机关2023年度未收取政府信息公开信息处理费。"
        return top + 1
    n, m, k = (values["s6", "fees", c.code] for c in S6.cols)
    sheet.cells[top, left] = (
        f"本机关2023年度发出收费通知{n}件，金额{_yuan(m)}元，实际收取{_yuan(k)}元。"
    )
    return top + 1


def _yuan(value: object) -> str:
    d = Decimal(str(value))
    return f"{d.normalize():f}" if d else "0"


_WRITERS = {"s2": _s2, "s3": _s3, "s4": _s4, "s6": _s6}


def grids(sheets: list[Sheet]) -> dict[str, list[list[object]]]:
    """The sheets as python-calamine returns them: dense grids, "" where empty, numbers as
    floats, a merged range's text in its first cell only."""
    out = {}
    for sheet in sheets:
        if not sheet.cells:
            out[sheet.name] = []
            continue
        n_rows = max(r for r, _ in sheet.cells) + 1
        n_cols = max(c for _, c in sheet.cells) + 1
        rows: list[list[object]] = [[""] * n_cols for _ in range(n_rows)]
        for (r, c), value in sheet.cells.items():
            if value is None:
                continue
            rows[r][c] = value if isinstance(value, str) else float(value)
        out[sheet.name] = rows
    return out


def with_values(layout: Layout, **changes) -> Layout:
    return replace(layout, **changes)
