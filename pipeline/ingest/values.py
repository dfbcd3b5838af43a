"""Reading one cell: what was written, and the number it stands for under the documented policy.

Policy (docs/values.md):
- a number, or text that is a number (full-width digits, `1,234`, surrounding spaces), is read as
  that number; the raw type is recorded (`number` or `text`);
- an empty cell and the "nothing" marks `/ ／ — – - 无` … are read as 0 and marked `blank` or
  `nil`, so the validator can count them and, under `--strict`, reject them;
- anything else (`两件`, `减少8`, a date, TRUE) is an error at its cell, never a silent 0;
- a count must be a whole number ≥ 0; an amount ≥ 0 with no more decimals than its cell keeps
  (6 for 万元, i.e. to the 分; 2 for 元).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

NIL_MARKS = frozenset({"/", "／", "—", "——", "–", "-", "－", "−", "无", "空"})
# NOTE: the only characters a number may be written with besides ASCII: full-width digits, point
# and comma (what a Chinese input method types). NFKC is not used: it would also turn ¹, ②, ⑴
# and other digits into ASCII ones, so `148¹` would read as 1481.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
# a whole number, with its thousands in groups of three (`1,234`, `12,345,678`) or none, then
# an optional fraction
_WELL_FORMED = re.compile(r"(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)(?:\.\d+)?")
_MINUS = ("-", "－", "−", "–", "—")
_DIGITS_AROUND_SPACE = re.compile(r"\d[\s\u3000]+\d")
_CHINESE_NUMERALS = frozenset("〇零一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟")
_LIBREOFFICE_ERROR = re.compile(r"Err:\d{3}")
# Excel's error values, as they show when typed or pasted as text
ERROR_VALUES = frozenset(
    {
        "#N/A",
        "#DIV/0!",
        "#REF!",
        "#VALUE!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)


# How a cell can be read, and the finding each way makes at its cell (None: no finding of its
# own; blanks are summed up per return as `value.missing`). A reading whose value is None is
# never summed.
READ_AS: dict[str, str | None] = {
    "number": None,  # a number as written
    "blank": None,  # nothing written: 0
    "nil": None,  # `/`, `—`, `无` …: 0
    "derived": None,  # a formula with no stored result, worked out from its parts
    "error": "value.type",  # not a number as written
    "revision": "value.revision",  # a Word revision not yet accepted or rejected
    "unreadable": "value.unreadable",  # an image, an object, a text box … where a figure belongs
    "hidden": "value.hidden",  # text formatted to be unseen (its colour that of the cell's fill)
    "recalculated": "value.recalculated",  # a formula's stored result that is not its figure
    "stale": "value.stale",  # a stored result the application recalculates, not checked here
    "field": "value.field",  # a Word field whose shown result is not what its formula gives
    "unstated": "value.unstated",  # a fee figure the sentence stating the others does not state
}


@dataclass(frozen=True, slots=True)
class Reading:
    """One cell as read: the text as written, its raw type, how it was read, and the value."""

    text: str
    raw_type: str  # number | text | empty | bool | date | formula | error
    read_as: str  # one of READ_AS
    value: int | None  # the number as an integer of 10**-scale; None when unreadable
    problem: str = ""  # why it could not be read (Chinese), empty when it could


def cell_text(raw: object) -> str:
    """The text of a cell as its writer saw it (numbers without a trailing `.0`)."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        # NOTE: a number computed in the sheet (=元/10000, =0.1+0.2) carries binary noise in its
        # last digits; what Excel shows (15 significant digits) is what the department meant
        return str(int(raw)) if raw.is_integer() else f"{raw:.15g}"
    return str(raw)


def read_cell(raw: object, scale: int = 0) -> Reading:
    """Read one raw cell value (as a spreadsheet library returns it) for a cell keeping `scale` decimals."""
    return _read(raw, scale)


def _read(raw: object, scale: int) -> Reading:
    text = cell_text(raw)
    if isinstance(raw, bool):
        return Reading(text, "bool", "error", None, "是逻辑值，不是数字")
    if isinstance(raw, (datetime, date, time, timedelta)):
        return Reading(text, "date", "error", None, "是日期或时间，不是数字")
    if isinstance(raw, (int, float)):
        if raw != raw or raw in (float("inf"), float("-inf")):
            return Reading(text, "number", "error", None, "不是有限的数值")
        return _checked(Decimal(text), text, "number", scale)
    stripped = text.strip()
    if not stripped:
        return Reading(text, "empty" if not text else "text", "blank", 0)
    if (
        stripped in NIL_MARKS
        or unicodedata.normalize("NFKC", stripped).replace(" ", "") in NIL_MARKS
    ):
        return Reading(text, "text", "nil", 0)
    written = stripped[1:].strip() if stripped.startswith("'") else stripped
    normal = written.translate(_FULL_WIDTH)
    if _WELL_FORMED.fullmatch(normal):
        if "." in normal and scale == 0:
            return Reading(text, "text", "error", None, "应为整数（计数不写小数点）")
        return _checked(Decimal(normal.replace(",", "")), text, "text", scale)
    return Reading(text, "text", "error", None, _not_a_number(normal))


def _not_a_number(normal: str) -> str:
    """Why a text is not a number as a return must write one (what a clerk can act on)."""
    if normal.upper() in ERROR_VALUES or _LIBREOFFICE_ERROR.fullmatch(normal):
        return f"是错误值“{normal}”，不是数字"
    if normal.startswith(_MINUS) and _WELL_FORMED.fullmatch(normal[1:].strip()):
        return "是负数"
    odd = [
        ch for ch in normal if ch.isdigit() and not ch.isascii() or unicodedata.category(ch) == "No"
    ]
    if odd:
        return f"含有上标、带圈等特殊数字字符（“{''.join(dict.fromkeys(odd))}”），请只用阿拉伯数字填写一个数"
    if _DIGITS_AROUND_SPACE.search(normal):
        return "数字中间有空格，无法确定是一个数还是几个数，请只填写一个数"
    digits = any(ch.isdigit() for ch in normal)
    if not digits and _CHINESE_NUMERALS.intersection(normal):
        return "是汉字数字，请填写阿拉伯数字"
    if digits and all(ch.isdigit() or ch in ".," for ch in normal):
        return "千分位分隔符或小数点的写法不对，请只填写一个数"
    if digits:
        return "除数字外还有其他文字（如单位、说明），请只填写一个数字，说明写在报告文字中"
    return "不是数字"


def error_value(code: str) -> Reading:
    """A cell the file marks as holding an error value (`#N/A`, `#DIV/0!`, LibreOffice's
    `Err:502` …): never blank, never 0."""
    return Reading(code, "error", "error", None, f"公式结果为错误值 {code}")


# the largest value a cell may hold, as stored (counts; 万元 × 10⁶; 元 × 10²): far past any real
# figure, and a hundred thousand returns' sum of such values still fits a 64-bit integer
MAX_STORED = 10**13


def _checked(number: Decimal, text: str, raw_type: str, scale: int) -> Reading:
    if number < 0:
        return Reading(text, raw_type, "error", None, "是负数")
    scaled = number.scaleb(scale)
    if scaled != scaled.to_integral_value():
        problem = "应为整数" if scale == 0 else f"小数位数超过{scale}位"
        return Reading(text, raw_type, "error", None, problem)
    if scaled > MAX_STORED:
        limit = Decimal(MAX_STORED).scaleb(-scale).normalize()
        return Reading(text, raw_type, "error", None, f"数值过大（超过{limit:,f}）")
    return Reading(text, raw_type, "number", int(scaled))


@dataclass(frozen=True)
class Hidden:
    """What a spreadsheet library shows as an empty cell but is not, per sheet and 0-based
    (row, column): formulas saved without their result, and error values (`#N/A` …)."""

    formulas: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    errors: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)


# -- formulas saved without their result ------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Formula:
    """A cell holding a formula whose result was never stored (e.g. a file saved by openpyxl)."""

    text: str  # the formula as written, without the leading `=`


_REF = r"\$?([A-Z]{1,3})\$?(\d+)"
_TERM = re.compile(rf"{_REF}(?::{_REF})?")
_SUM = re.compile(r"SUM\(([^()]*)\)")


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def formula_cells(text: str) -> tuple[tuple[int, int], ...] | None:
    """The cells (0-based row, column) a formula adds up, or None unless it is a plain sum.

    A plain sum is `SUM(...)` of cells and ranges, `A1+B1+…`, or terms of both joined by `+`,
    all on the formula's own sheet.
    """
    expr = text.lstrip("=").replace(" ", "").upper()
    terms: list[str] = []
    for term in expr.split("+"):
        inner = _SUM.fullmatch(term)
        terms.extend(inner.group(1).split(",") if inner else [term])
    cells: list[tuple[int, int]] = []
    for term in terms:
        m = _TERM.fullmatch(term)
        if m is None:
            return None
        c1, r1 = _column_index(m.group(1)), int(m.group(2)) - 1
        if m.group(3) is None:
            cells.append((r1, c1))
            continue
        c2, r2 = _column_index(m.group(3)), int(m.group(4)) - 1
        cells.extend(
            (r, c)
            for r in range(min(r1, r2), max(r1, r2) + 1)
            for c in range(min(c1, c2), max(c1, c2) + 1)
        )
    return tuple(cells)


def derived_reading(
    formula: Formula, raw_at: Callable[[int, int], object], scale: int, depth: int = 0
) -> Reading:
    """A formula without a stored result, derived from the cells it adds up (`raw_at(r, c)`
    gives a cell's raw value); never read as 0 or blank."""
    text = f"={formula.text}"
    parts = formula_cells(formula.text)
    if parts is None or depth > 8:
        return Reading(text, "formula", "error", None, "是没有保存计算结果的公式，且无法推算")
    total = 0
    for r, c in parts:
        raw = raw_at(r, c)
        part = (
            derived_reading(raw, raw_at, scale, depth + 1)
            if isinstance(raw, Formula)
            else read_cell(raw, scale)
        )
        if part.value is None:
            return Reading(
                text, "formula", "error", None, "是没有保存计算结果的公式，其引用的单元格无法读取"
            )
        total += part.value
    return Reading(text, "formula", "derived", total)
