"""The 2021 national format (国办公开办函〔2021〕30号): the one place that spells its codes and labels.

Everything else (the return workbook, ingestion, the rules, aggregation, rendering) reads the
sections, rows, columns and table layouts from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache


@dataclass(frozen=True)
class Col:
    """One column of a table: its code, its printed label, and the header labels above it."""

    code: str
    label: str
    path: tuple[str, ...] = ()  # header labels above the leaf, outermost first
    scale: int = 0  # decimals kept exactly: 0 for counts, 6 for 万元 (to the 分), 2 for 元
    unit: str = "件"

    @property
    def labels(self) -> tuple[str, ...]:
        return (*self.path, self.label)


@dataclass(frozen=True)
class Row:
    """One data row of a table: its code, its printed label and the group labels left of it."""

    code: str
    label: str
    path: tuple[str, ...] = ()
    cols: tuple[str, ...] = ()  # the columns this row fills; empty means all of the section's
    block: str = ""  # table 二 only: the article heading of the row's block

    @property
    def labels(self) -> tuple[str, ...]:
        return (*self.path, self.label)


@dataclass(frozen=True)
class Section:
    """One statutory table (or the part 六 fee figures)."""

    code: str
    part: str
    title: str
    short: str  # how messages name the table, e.g. 表三
    rows: tuple[Row, ...]
    cols: tuple[Col, ...]
    label_cols: int = 1  # columns of row labels left of the values
    corner: str = ""  # text of the top-left header cell
    note: str = ""

    def row(self, code: str) -> Row:
        return next(r for r in self.rows if r.code == code)

    def col(self, code: str) -> Col:
        return next(c for c in self.cols if c.code == code)

    def cols_of(self, row: Row) -> tuple[Col, ...]:
        return tuple(self.col(c) for c in row.cols) if row.cols else self.cols

    @property
    def cells(self) -> tuple[tuple[Row, Col], ...]:
        return tuple((r, c) for r in self.rows for c in self.cols_of(r))


# ---------------------------------------------------------------------------------------------
# 表二 主动公开政府信息情况
_ART_1, _ART_5, _ART_6, _ART_8 = (
    "第二十条第（一）项",
    "第二十条第（五）项",
    "第二十条第（六）项",
    "第二十条第（八）项",
)
S2 = Section(
    code="s2",
    part="二",
    title="主动公开政府信息情况",
    short="表二",
    corner="信息内容",
    cols=(
        Col("issued", "本年制发件数"),
        Col("repealed", "本年废止件数"),
        Col("in_force", "现行有效件数"),
        Col("decisions", "本年处理决定数量"),
        Col("amount", "本年收费金额（单位：万元）", scale=6, unit="万元"),
    ),
    rows=(
        Row("rules", "规章", cols=("issued", "repealed", "in_force"), block=_ART_1),
        Row("normative", "行政规范性文件", cols=("issued", "repealed", "in_force"), block=_ART_1),
        Row("licensing", "行政许可", cols=("decisions",), block=_ART_5),
        Row("penalty", "行政处罚", cols=("decisions",), block=_ART_6),
        Row("coercion", "行政强制", cols=("decisions",), block=_ART_6),
        Row("fees", "行政事业性收费", cols=("amount",), block=_ART_8),
    ),
)

# ---------------------------------------------------------------------------------------------
# 表三 收到和处理政府信息公开申请情况
_APPLICANTS = "申请人情况"
_LEGAL_PERSONS = "法人或其他组织"
_RESULTS = "三、本年度办理结果"
_DENIED, _UNABLE, _REFUSED, _OTHER = (
    "（三）不予公开",
    "（四）无法提供",
    "（五）不予处理",
    "（六）其他处理",
)
S3 = Section(
    code="s3",
    part="三",
    title="收到和处理政府信息公开申请情况",
    short="表三",
    label_cols=3,
    corner="（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    cols=(
        Col("natural", "自然人", (_APPLICANTS,)),
        Col("commercial", "商业企业", (_APPLICANTS, _LEGAL_PERSONS)),
        Col("research", "科研机构", (_APPLICANTS, _LEGAL_PERSONS)),
        Col("nonprofit", "社会公益组织", (_APPLICANTS, _LEGAL_PERSONS)),
        Col("legal", "法律服务机构", (_APPLICANTS, _LEGAL_PERSONS)),
        Col("other", "其他", (_APPLICANTS, _LEGAL_PERSONS)),
        Col("total", "总计", (_APPLICANTS,)),
    ),
    rows=(
        Row("new", "一、本年新收政府信息公开申请数量"),
        Row("carried_in", "二、上年结转政府信息公开申请数量"),
        Row("granted", "（一）予以公开", (_RESULTS,)),
        Row("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", (_RESULTS,)),
        Row("denied_secret", "1.属于国家秘密", (_RESULTS, _DENIED)),
        Row("denied_law", "2.其他法律行政法规禁止公开", (_RESULTS, _DENIED)),
        Row("denied_safety", "3.危及“三安全一稳定”", (_RESULTS, _DENIED)),
        Row("denied_third_party", "4.保护第三方合法权益", (_RESULTS, _DENIED)),
        Row("denied_internal", "5.属于三类内部事务信息", (_RESULTS, _DENIED)),
        Row("denied_process", "6.属于四类过程性信息", (_RESULTS, _DENIED)),
        Row("denied_enforcement", "7.属于行政执法案卷", (_RESULTS, _DENIED)),
        Row("denied_query", "8.属于行政查询事项", (_RESULTS, _DENIED)),
        Row("unable_not_held", "1.本机关不掌握相关政府信息", (_RESULTS, _UNABLE)),
        Row("unable_needs_making", "2.没有现成信息需要另行制作", (_RESULTS, _UNABLE)),
        Row("unable_unclear", "3.补正后申请内容仍不明确", (_RESULTS, _UNABLE)),
        Row("refused_petition", "1.信访举报投诉类申请", (_RESULTS, _REFUSED)),
        Row("refused_repeat", "2.重复申请", (_RESULTS, _REFUSED)),
        Row("refused_publication", "3.要求提供公开出版物", (_RESULTS, _REFUSED)),
        Row("refused_massive", "4.无正当理由大量反复申请", (_RESULTS, _REFUSED)),
        Row("refused_confirm", "5.要求行政机关确认或重新出具已获取信息", (_RESULTS, _REFUSED)),
        Row(
            "other_no_correction",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            (_RESULTS, _OTHER),
        ),
        Row(
            "other_no_fee",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            (_RESULTS, _OTHER),
        ),
        Row("other_other", "3.其他", (_RESULTS, _OTHER)),
        Row("outcome_total", "（七）总计", (_RESULTS,)),
        Row("carried_out", "四、结转下年度继续办理"),
    ),
)
S3_PARTS = ("natural", "commercial", "research", "nonprofit", "legal", "other")
S3_OUTCOMES = tuple(r.code for r in S3.rows[2:-2])  # granted … other_other, the 21 outcome rows

# A quirk met in returns and published reports alike: （六）其他处理 printed as ONE row, without its
# three sub-rows. It is a 2021 table missing three rows (never the 2019 format); where a reader
# keeps that row, it is the group's total under the code OTHER_TOTAL, which no return's cell has.
OTHER_GROUP = _OTHER
OTHER_ROWS = tuple(r.code for r in S3.rows if _OTHER in r.path)
OTHER_TOTAL = "other_total"

# ---------------------------------------------------------------------------------------------
# 表四 政府信息公开行政复议、行政诉讼情况
_REVIEW, _SUIT = "行政复议", "行政诉讼"
S4_GROUPS = {
    "review": (_REVIEW,),
    "direct": (_SUIT, "未经复议直接起诉"),
    "after": (_SUIT, "复议后起诉"),
}
S4_RESULTS = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}
S4 = Section(
    code="s4",
    part="四",
    title="政府信息公开行政复议、行政诉讼情况",
    short="表四",
    label_cols=0,
    cols=tuple(
        Col(f"{group}_{result}", label, path)
        for group, path in S4_GROUPS.items()
        for result, label in S4_RESULTS.items()
    ),
    rows=(Row("cases", ""),),
)

# ---------------------------------------------------------------------------------------------
# 第六部分 信息处理费（国办函〔2020〕109号）
S6 = Section(
    code="s6",
    part="六",
    title="政府信息公开信息处理费",
    short="信息处理费",
    corner="项目",
    cols=(
        Col("notices", "发出收费通知的件数"),
        Col("notice_amount", "收费通知的总金额（元）", scale=2, unit="元"),
        Col("collected", "实际收取的总金额（元）", scale=2, unit="元"),
    ),
    rows=(Row("fees", "信息处理费"),),
)

SECTIONS: dict[str, Section] = {s.code: s for s in (S2, S3, S4, S6)}
PRINTED_SECTIONS = (S2, S3, S4)  # the three statutory tables printed in the report
AMOUNT_COLS = frozenset(
    c.code for s in SECTIONS.values() for c in s.cols if c.scale
)  # money columns

IN_FORCE_FROM = (
    2021  # the first year whose reports are in this format (2019 and 2020: the 2019 one)
)

# The 2019 trial format (reports for 2019–2020, some later ones by mistake): labels that occur
# in it and not in the 2021 format. A return or report showing them is never misread as a 2021
# one; `pipeline.ingest.vocabulary.old_format_labels` finds them (for both readers).
OLD_FORMAT_LABELS = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "其他对外管理服务事项",
    "上一年项目数量",
    "本年增/减",
    "第二十条第（九）项",
    "政府集中采购",
)

PARTS = {
    "一": "总体情况",
    "二": "主动公开政府信息情况",
    "三": "收到和处理政府信息公开申请情况",
    "四": "政府信息公开行政复议、行政诉讼情况",
    "五": "存在的主要问题及改进情况",
    "六": "其他需要报告的事项",
}


@cache
def scale(section: str, col: str) -> int:
    """Decimals a cell keeps exactly (its value is stored as an integer of 10**-scale)."""
    return SECTIONS[section].col(col).scale


def whole_text(x: float) -> str:
    """A figure held as a float in a wide frame, printed as the whole number it is."""
    return str(int(x)) if float(x).is_integer() else str(x)


def to_decimal(value: int, section: str, col: str) -> Decimal:
    """The stored integer of a cell as the exact number it stands for."""
    return Decimal(int(value)).scaleb(-scale(section, col))


def number_text(value: int, section: str, col: str) -> str:
    """A cell's value as printed: no exponent, no trailing zeros."""
    d = to_decimal(value, section, col)
    return f"{d.normalize():f}" if d else "0"


@dataclass(frozen=True)
class PrintedCell:
    """One printed cell of a table layout, at grid position (r, c), spanning rowspan × colspan."""

    r: int
    c: int
    text: str = ""
    kind: str = "header"  # heading | header | label | value
    rowspan: int = 1
    colspan: int = 1
    row: str = ""  # row code of a value cell
    col: str = ""  # column code of a value cell


@dataclass(frozen=True)
class PrintedTable:
    """A table laid out as the format prints it."""

    section: Section
    cells: tuple[PrintedCell, ...]
    header_rows: int
    n_rows: int
    n_cols: int
    values: dict[tuple[str, str], PrintedCell] = field(default_factory=dict)

    def rows(self) -> list[list[PrintedCell]]:
        """The cells that start in each grid row, left to right (as HTML lays them out)."""
        out: list[list[PrintedCell]] = [[] for _ in range(self.n_rows)]
        for cell in sorted(self.cells, key=lambda x: (x.r, x.c)):
            out[cell.r].append(cell)
        return out


def _spans(paths: list[tuple[str, ...]], depth: int) -> list[tuple[int, int, int, int, str]]:
    """Nested header spans: (level, start, length, levels_down, text) for label paths in order.

    A label shared by consecutive paths at the same level becomes one span across them; a leaf
    reaches down through the levels its path lacks.
    """
    spans = []
    for level in range(depth):
        i = 0
        while i < len(paths):
            path = paths[i]
            if level >= len(path):
                i += 1
                continue
            j = i + 1
            if level < len(path) - 1:
                while (
                    j < len(paths)
                    and paths[j][: level + 1] == path[: level + 1]
                    and len(paths[j]) > level + 1
                ):
                    j += 1
                spans.append((level, i, j - i, 1, path[level]))
            else:
                spans.append((level, i, 1, depth - level, path[level]))
            i = j
    return spans


@cache
def printed(code: str) -> PrintedTable:
    """The printed layout of table `code`, headers and labels merged as the format prints them."""
    section = SECTIONS[code]
    if code == "s2":
        return _grid_s2(section)
    cols = section.cols
    depth = max(len(c.labels) for c in cols)
    cells: list[PrintedCell] = []
    lc = section.label_cols
    if lc:
        cells.append(PrintedCell(0, 0, section.corner, "header", rowspan=depth, colspan=lc))
    for level, start, length, down, text in _spans([c.labels for c in cols], depth):
        cells.append(PrintedCell(level, lc + start, text, "header", rowspan=down, colspan=length))
    for level, start, length, across, text in _spans([r.labels for r in section.rows], lc):
        if text:
            cells.append(
                PrintedCell(depth + start, level, text, "label", rowspan=length, colspan=across)
            )
    values = {}
    for i, row in enumerate(section.rows):
        for j, col in enumerate(cols):
            cell = PrintedCell(depth + i, lc + j, kind="value", row=row.code, col=col.code)
            values[row.code, col.code] = cell
            cells.append(cell)
    return PrintedTable(
        section, tuple(cells), depth, depth + len(section.rows), lc + len(cols), values
    )


def printed_part(code: str, start: int, stop: int) -> PrintedTable:
    """The layout of table `code` with its header and only its data rows `start` … `stop - 1`:
    one part of a table split on purpose (表三 and 表三（续）), each part with the whole header
    and the group labels of its own rows (a label spanning the cut is printed on both sides)."""
    g = printed(code)
    top = g.header_rows
    first_row, end_row = top + start, top + stop
    cells: list[PrintedCell] = []
    values = {}
    for cell in g.cells:
        if cell.r < top:
            cells.append(cell)
            continue
        first, last = max(cell.r, first_row), min(cell.r + cell.rowspan, end_row)
        if first >= last:
            continue
        part = replace(cell, r=first - first_row + top, rowspan=last - first)
        cells.append(part)
        if cell.kind == "value":
            values[cell.row, cell.col] = part
    return PrintedTable(g.section, tuple(cells), top, top + stop - start, g.n_cols, values)


def group_starts(code: str) -> tuple[int, ...]:
    """The data rows of table `code` where a table may be split without cutting a group of rows
    in two: each row whose label path differs from the row above it below the outermost level
    (for 表三: 二、, （一）, （二）, （三）, （四）, （五）, （六）, （七）, 四、)."""
    rows = SECTIONS[code].rows
    return tuple(
        i
        for i in range(1, len(rows))
        if rows[i].labels[:2] != rows[i - 1].labels[:2] or len(rows[i].labels) < 2
    )


def _grid_s2(section: Section) -> PrintedTable:
    """Table 二: four blocks, each an article heading, a header row and its rows."""
    width = 4
    cells: list[PrintedCell] = []
    values = {}
    r = 0
    blocks: dict[str, list[Row]] = {}
    for row in section.rows:
        blocks.setdefault(row.block, []).append(row)
    for heading, rows in blocks.items():
        cells.append(PrintedCell(r, 0, heading, "heading", colspan=width))
        cols = section.cols_of(rows[0])
        span = (width - 1) // len(cols)
        cells.append(PrintedCell(r + 1, 0, section.corner, "header"))
        for j, col in enumerate(cols):
            cells.append(PrintedCell(r + 1, 1 + j * span, col.label, "header", colspan=span))
        r += 2
        for row in rows:
            cells.append(PrintedCell(r, 0, row.label, "label"))
            for j, col in enumerate(cols):
                cell = PrintedCell(
                    r, 1 + j * span, kind="value", colspan=span, row=row.code, col=col.code
                )
                values[row.code, col.code] = cell
                cells.append(cell)
            r += 1
    return PrintedTable(section, tuple(cells), 0, r, width, values)
