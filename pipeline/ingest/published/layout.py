"""The 2021 format as reports print it: part headings, rows in order, cell labels, sum rules."""

from __future__ import annotations

import re

from pipeline.format2021 import OTHER_GROUP, OTHER_ROWS, OTHER_TOTAL, S3, SECTIONS
from pipeline.validate.localise import Equation, equations

OTHER_LABEL = OTHER_GROUP  # （六）其他处理 printed as one row: the format's quirk, format2021
S3_KEYS = (
    *(r.code for r in S3.rows[:20]),
    OTHER_TOTAL,
    *(r.code for r in S3.rows[20:]),
)

# -- headings ----------------------------------------------------------------------------------
_NUMERAL = r"(?:表\s*)?[一二三四五六七]\s*[、.．]\s*"


def _spaced(text: str) -> str:
    """A pattern matching `text` with any spacing between its characters."""
    return r"\s*".join(re.escape(ch) for ch in text)


HEADINGS = {
    "p1": re.compile(_NUMERAL + _spaced("总体情况")),
    "s2": re.compile(_NUMERAL + _spaced("主动公开政府信息情况")),
    "s3": re.compile(_NUMERAL + _spaced("收到和处理政府信息公开申请情况")),
    "s4": re.compile(
        _NUMERAL
        + r"[^。，；\n]{0,14}?"
        + _spaced("行政复议")
        + r"[^。；\n]{0,14}?"
        + _spaced("行政诉讼")
        + r"[^。，；\n]{0,6}?"
        + _spaced("情况")
    ),
    "p5": re.compile(
        _NUMERAL
        + r"[^。，；\n]{0,14}?"
        + _spaced("存在的主要问题")
        + r"(?:\s*及\s*改\s*进\s*情\s*况)?"
    ),
    "p6": re.compile(_NUMERAL + _spaced("其他需要报告的事项")),
}
ORDER = ("p1", "s2", "s3", "s4", "p5", "p6")
# where a table starts when its heading is missing: its own first header text
ANCHORS = {
    "s2": re.compile(_spaced("第二十条第")),
    "s3": re.compile(_spaced("勾稽关系") + "|" + _spaced("本年新收政府信息公开申请数量")),
    "s4": re.compile(_spaced("复议后起诉") + "|" + _spaced("未经复议直接起诉")),
}


# -- rows and labels ---------------------------------------------------------------------------
def row_keys(code: str) -> tuple[str, ...]:
    """The row codes of table `code` in the format's order (表三's with （六）'s one-row total)."""
    return S3_KEYS if code == "s3" else tuple(r.code for r in SECTIONS[code].rows)


def row_label(code: str, row: str) -> str:
    """A row's label as messages name it (the table's short name for a row without one)."""
    if row == OTHER_TOTAL:
        return OTHER_LABEL
    label = SECTIONS[code].row(row).label
    return label or SECTIONS[code].short


def cell_label(code: str, row: str, col: str) -> str:
    """A cell's row and column labels as messages name them (`（二）部分公开…·自然人`)."""
    section = SECTIONS[code]
    c = section.col(col)
    r = row_label(code, row) if row == OTHER_TOTAL or section.row(row).label else ""
    head = "·".join(c.labels) if code == "s4" else c.label
    return f"{r}·{head}" if r else head


# -- sums --------------------------------------------------------------------------------------
def published_equations(other_single_row: bool) -> tuple[Equation, ...]:
    """The format's sum rules as they apply to the table found: with （六）其他处理 printed as one
    row, its total stands for its three sub-rows in the （七）总计 rule and has a 总计 of its own."""
    eqs = equations()
    if not other_single_row:
        return eqs
    out = []
    for e in eqs:
        if e.rule == "s3.row_total" and e.key in OTHER_ROWS:
            continue
        if e.rule == "s3.outcome_total":
            col = e.key
            terms = tuple(t for t in e.terms if t[0][1] not in OTHER_ROWS)
            terms += ((("s3", OTHER_TOTAL, col), -1),)
            e = Equation(e.rule, e.key, terms, e.total)
        out.append(e)
    total = ("s3", OTHER_TOTAL, "total")
    parts = tuple((("s3", OTHER_TOTAL, p.code), -1) for p in S3.cols if p.code != "total")
    out.append(Equation("s3.row_total", OTHER_TOTAL, ((total, 1), *parts), total))
    return tuple(out)
