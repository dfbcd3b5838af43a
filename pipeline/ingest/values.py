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

import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from pipeline.files.runs import Run, shown_text

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
    "text_in_sum": "value.text_in_sum",  # a formula's figure that leaves out numbers typed as text
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


# -- what a library's value of a cell does not tell ----------------------------------------------
@dataclass(frozen=True, slots=True)
class Marked:
    """A cell whose formatting changes what a person sees of its value: its text in runs (rich
    text), or the whole value struck through, in the colour of its fill, or hidden by its
    number format."""

    runs: tuple[Run, ...] = ()  # rich text; empty: the cell's value is one run
    strike: bool = False  # the whole value struck through
    unseen: bool = False  # the whole value in the colour of the fill
    format: str = ""  # a number format that shows nothing of the value (`;;;`)


@dataclass(frozen=True)
class Hidden:
    """What a spreadsheet library's value of a cell does not tell, per sheet and 0-based
    (row, column): formulas (saved without their result, or with one the application may
    recalculate), error values (`#N/A` …, read as empty), cells whose formatting changes what a
    person sees (rich text, strike, text in the fill's colour), cells of a type read otherwise
    than shown (`t="d"`), and what cells read as empty hold."""

    formulas: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    errors: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    stored: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)  # with a result
    marked: dict[str, dict[tuple[int, int], Marked]] = field(default_factory=dict)
    dates: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)  # `t="d"`, as stored
    held: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)  # read as empty
    recalculated: bool = False  # whether the application recalculates the formulas on open

    def special(self, sheet: str) -> dict[tuple[int, int], object]:
        """The cells of one sheet not to be read at face value: each a Formula, a Marked, or the
        Reading it must give."""
        out: dict[tuple[int, int], object] = {}
        for rc, text in self.stored.get(sheet, {}).items():
            out[rc] = Formula(text, stored=True)
        for rc, text in self.formulas.get(sheet, {}).items():
            out[rc] = Formula(text)
        for rc, mark in self.marked.get(sheet, {}).items():
            formula = out.get(rc)
            if isinstance(formula, Formula) and not formula.stored and not mark.runs:
                # NOTE: a formula with no stored result shows nothing to read: the formula
                # itself is what is formatted unseen or struck through
                run = Run(f"={formula.text}", strike=mark.strike, unseen=mark.unseen)
                mark = Marked((run,), format=mark.format)
            out[rc] = mark
        for rc, text in self.dates.get(sheet, {}).items():
            out[rc] = Reading(text, "date", "error", None, "是日期或时间，不是数字")
        for rc, code in self.errors.get(sheet, {}).items():
            out[rc] = error_value(code)
        return out


def marked_reading(marked: Marked, raw: object, scale: int) -> Reading:
    """How a cell whose formatting changes what is seen reads: text in the colour of its fill,
    or a number format showing nothing, is hidden (`value.hidden`); a run (or the whole value)
    raised, lowered or struck through makes it not a plain number (`value.type`, stating what is
    seen, `148¹`); otherwise it reads as its value."""
    raw_type = "number" if isinstance(raw, (int, float)) and not isinstance(raw, bool) else "text"
    runs = marked.runs or (Run(cell_text(raw), strike=marked.strike, unseen=marked.unseen),)
    written = "".join(r.text for r in runs)
    if not written.strip():
        return read_cell(raw, scale)
    if marked.format:
        why = f"存有“{written}”，单元格的数字格式“{marked.format}”使它不显示"
        return Reading(written, raw_type, "hidden", None, why)
    unseen = "".join(r.text for r in runs if r.unseen)
    if unseen.strip():
        part = "" if unseen == written else f"，其中“{unseen.strip()}”"
        why = f"存有“{written}”{part}的字体颜色与单元格底色相同"
        return Reading(written, raw_type, "hidden", None, why)
    odd = [r for r in runs if (r.position or r.strike) and r.text.strip()]
    if not odd:
        return read_cell(raw, scale)
    kinds = [
        name
        for name, present in (
            ("上标", any(r.position == "super" for r in odd)),
            ("下标", any(r.position == "sub" for r in odd)),
            ("删除线", any(r.strike for r in odd)),
        )
        if present
    ]
    seen = "".join(shown_text(r) for r in runs)
    marks = "”“".join(dict.fromkeys(shown_text(r).strip() for r in odd))
    why = (
        f"含有{'、'.join(kinds)}的文字（“{marks}”），不是单纯的一个数；"
        "请只用阿拉伯数字填写一个数，注释写在报告文字中"
    )
    return Reading(seen, raw_type, "error", None, why)


# -- formulas ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Formula:
    """A cell holding a formula: its text (without the leading `=`), and whether the file stored
    its result (which the sheet's grid then holds)."""

    text: str
    stored: bool = False


# NOTE: the formulas the evaluator knows, as Excel and WPS compute them: numbers, cells of the
# formula's own sheet, `+` and `-` (also unary), parentheses, and SUM of cells, ranges,
# numbers and such expressions. Anything else (another sheet, a name, another function, `*`,
# text) cannot be evaluated, and says so.
_FORMULA_TOKEN = re.compile(
    r"\s*(?:(?P<sum>SUM\s*\()"
    r"|(?P<ref>\$?([A-Z]{1,3})\$?([1-9]\d{0,6})(?::\$?([A-Z]{1,3})\$?([1-9]\d{0,6}))?)"
    r"(?![A-Z0-9_.(!:$])"
    r"|(?P<num>(?:\d+\.?\d*|\.\d+)(?:E[+-]?\d+)?)(?![A-Z0-9_.(!:$])"
    r"|(?P<op>[-+(),]))"
)

Node = tuple  # ("n", Decimal) | ("r", r, c) | ("g", r1, c1, r2, c2) | ("s", args) | ("-", node)
# | ("+", ((sign, node), …)) | ("S", ((r, c), …)): SUM of single cells


def parsed_formula(text: str) -> Node | None:
    """A formula's expression (`SUM(D6:I6)`, `=300+56`, `A1-(B1+2)`), or None when it is not
    one the evaluator knows."""
    expr = text.lstrip("=").upper()
    tokens: list[tuple[str, object]] = []
    at = 0
    while at < len(expr):
        m = _FORMULA_TOKEN.match(expr, at)
        if m is None or m.end() == at:
            if expr[at:].strip():
                return None
            break
        at = m.end()
        if m.group("sum"):
            tokens.append(("sum", None))
        elif m.group("ref"):
            c1, r1 = _column_index(m.group(3)), int(m.group(4)) - 1
            if m.group(5) is None:
                tokens.append(("ref", ("r", r1, c1)))
            else:
                c2, r2 = _column_index(m.group(5)), int(m.group(6)) - 1
                box = (min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))
                tokens.append(("ref", ("g", *box)))
        elif m.group("num"):
            tokens.append(("num", ("n", Decimal(m.group("num")))))
        else:
            tokens.append((m.group("op"), None))
    parser = _Parser(tokens)
    try:
        node = parser.expression()
    except ValueError:
        return None
    return node if parser.at == len(tokens) else None


class _Parser:
    """Recursive descent over a formula's tokens; raises ValueError where the grammar ends."""

    def __init__(self, tokens: list[tuple[str, object]]) -> None:
        self.tokens = tokens
        self.at = 0

    def _peek(self) -> str:
        return self.tokens[self.at][0] if self.at < len(self.tokens) else ""

    def _take(self) -> tuple[str, object]:
        if self.at >= len(self.tokens):
            raise ValueError("end")
        self.at += 1
        return self.tokens[self.at - 1]

    def expression(self) -> Node:
        terms = [(1, self._unary())]
        while self._peek() in ("+", "-"):
            sign = 1 if self._take()[0] == "+" else -1
            terms.append((sign, self._unary()))
        return terms[0][1] if len(terms) == 1 else ("+", tuple(terms))

    def _unary(self) -> Node:
        if self._peek() in ("+", "-"):
            minus = self._take()[0] == "-"
            node = self._unary()
            return ("-", node) if minus else node
        return self._primary()

    def _primary(self) -> Node:
        kind, value = self._take()
        if kind == "num":
            return value  # type: ignore[return-value]
        if kind == "ref":
            if value[0] == "g":  # type: ignore[index]
                raise ValueError("a range outside SUM")
            return value  # type: ignore[return-value]
        if kind == "(":
            node = self.expression()
            if self._take()[0] != ")":
                raise ValueError("unclosed")
            return node
        if kind == "sum":
            args = [self._argument()]
            while self._peek() == ",":
                self._take()
                args.append(self._argument())
            if self._take()[0] != ")":
                raise ValueError("unclosed SUM")
            if all(a[0] == "r" for a in args):
                return ("S", tuple((a[1], a[2]) for a in args))  # NOTE: the template's totals
            return ("s", tuple(args))
        raise ValueError(kind)

    def _argument(self) -> Node:
        kind, value = self.tokens[self.at] if self.at < len(self.tokens) else ("", None)
        after = self.tokens[self.at + 1][0] if self.at + 1 < len(self.tokens) else ""
        if kind == "ref" and after in (",", ")"):
            self.at += 1
            return value  # type: ignore[return-value]  # NOTE: a cell or range SUM looks into
        return ("e", self.expression())  # NOTE: an expression SUM adds as it is


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def formula_cells(text: str) -> tuple[tuple[int, int], ...] | None:
    """The cells (0-based row, column) a formula adds up, or None unless it is a plain sum:
    `SUM(...)` of cells and ranges, `A1+B1+…`, or terms of both joined by `+`, all on the
    formula's own sheet."""
    node = parsed_formula(text)
    if node is None:
        return None
    cells: list[tuple[int, int]] = []
    return tuple(cells) if _added_cells(node, cells) else None


def _added_cells(node: Node, cells: list[tuple[int, int]]) -> bool:
    kind = node[0]
    if kind == "r":
        cells.append((node[1], node[2]))
        return True
    if kind == "g":
        _, r1, c1, r2, c2 = node
        cells.extend((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
        return True
    if kind == "S":
        cells.extend(node[1])
        return True
    if kind == "s":
        return all(_added_cells(a, cells) for a in node[1])
    if kind == "e":
        return _added_cells(node[1], cells)
    if kind == "+":
        return all(sign == 1 and _added_cells(n, cells) for sign, n in node[1])
    return False


Parse = Callable[[str], Node | None]
Figure = int | Decimal  # NOTE: whole numbers as int (most figures): adding them is cheap
_MAX_DEPTH = 8  # formulas over formulas: deeper is taken for a cycle
_MAX_CELLS = 100_000  # cells a sheet's formulas may look at in all (not whole columns)
_EXACT = 2**53  # a float's whole numbers are exact below this


class _Unknown(Exception):
    """A formula the evaluator cannot work out, and why (Chinese)."""


class Evaluator:
    """The formulas of one sheet worked out as Excel and WPS show them when they compute them
    (blanks count 0; SUM passes over text and logical values in the cells it looks at), each
    formula once. `rows` is the sheet's grid of raw values; `refs` gives the cells not to be
    taken at their raw value: a Formula, or an error value's Reading."""

    def __init__(
        self,
        rows: list[list[object]],
        refs: Mapping[tuple[int, int], object] | None = None,
        parse: Parse = parsed_formula,
    ) -> None:
        self.rows = rows
        self.refs = refs or {}
        self.parse = parse
        # NOTE: by text: a formula's references are positions on its own sheet, so one text
        # gives one figure on that sheet
        self.known: dict[str, Figure | str] = {}
        # the cells of text reading as a number (not 0) each formula's SUM passed over
        self.passed: dict[str, tuple[tuple[int, int], ...]] = {}
        self._passing: list[tuple[int, int]] = []
        self._open: set[str] = set()  # the formulas being worked out: met again, a cycle
        self.looked = 0

    def at(self, r: int, c: int) -> object:
        """What a formula sees in a cell."""
        other = self.refs.get((r, c))
        if other is not None:
            return other
        rows = self.rows
        if r < len(rows):
            row = rows[r]
            if c < len(row):
                return row[c]
        return None

    def figure(self, formula: Formula, depth: int = 0) -> Figure | str:
        """A formula's figure, or why it cannot be worked out (Chinese)."""
        known = self.known.get(formula.text)
        if known is not None:
            return known
        node = self.parse(formula.text)
        if node is None:
            value: Figure | str = "不是本程序能推算的公式"
        elif depth > _MAX_DEPTH or formula.text in self._open:
            return "公式层层引用过深或循环引用"
        else:
            outer, self._passing = self._passing, []
            self._open.add(formula.text)
            try:
                value = self._value(node, depth)
            except _Unknown as why:
                value = str(why)
            finally:
                self._open.discard(formula.text)
            if self._passing and not isinstance(value, str):
                self.passed[formula.text] = tuple(dict.fromkeys(self._passing))
            self._passing = outer
        self.known[formula.text] = value
        return value

    def _value(self, node: Node, depth: int) -> Figure:
        kind = node[0]
        if kind == "S":
            return self._cells_sum(node[1], depth)
        if kind == "s":
            return self._sum(node[1], depth)
        if kind == "n":
            return node[1]
        if kind == "r":
            return self._operand(self.at(node[1], node[2]), depth)
        if kind == "-":
            return -self._value(node[1], depth)
        if kind == "+":
            total: Figure = 0
            for sign, part in node[1]:
                v = self._value(part, depth)
                total = total + v if sign == 1 else total - v
            return total
        return self._value(node[1], depth)  # "e": an expression SUM adds as it is

    def _cells_sum(self, cells: tuple[tuple[int, int], ...], depth: int) -> Figure:
        """SUM of single cells: at once when they all hold whole numbers (the template's
        totals), else cell by cell."""
        rows = self.rows
        if self.refs.keys().isdisjoint(cells):
            try:
                values = [rows[r][c] for r, c in cells]
            except IndexError:
                values = []
            if (
                values and set(map(type, values)) == {float} and all(map(float.is_integer, values))  # type: ignore[arg-type]
            ):
                total = math.fsum(values)  # type: ignore[arg-type]
                if -_EXACT < total < _EXACT:
                    return int(total)
        return self._sum(tuple(("r", r, c) for r, c in cells), depth)

    def _sum(self, args: tuple[Node, ...], depth: int) -> Figure:
        total: Figure = 0
        for arg in args:
            kind = arg[0]
            if kind == "r":
                total += self._summed(arg[1], arg[2], depth)
            elif kind == "g":
                _, r1, c1, r2, c2 = arg
                self.looked += (r2 - r1 + 1) * (c2 - c1 + 1)
                if self.looked > _MAX_CELLS:
                    raise _Unknown("公式引用的单元格过多")
                for r in range(r1, r2 + 1):
                    for c in range(c1, c2 + 1):
                        total += self._summed(r, c, depth)
            else:
                total += self._value(arg, depth)
        return total

    def _nested(self, raw: Formula, depth: int) -> Figure:
        value = self.figure(raw, depth + 1)
        if isinstance(value, str):
            nested = value.startswith("引用的公式") or value.startswith("公式层层")
            raise _Unknown(value if nested else f"引用的公式无法推算（{value}）")
        return value

    def _operand(self, raw: object, depth: int) -> Figure:
        """A cell's figure where a formula computes with it (`A1+B1`): a blank is 0, text is
        not a number."""
        number = _number(raw)
        if number is not None:
            return number
        if raw is None or raw == "":
            return 0
        if isinstance(raw, Formula):
            return self._nested(raw, depth)
        raise _Unknown(_why_not(raw))

    def _summed(self, r: int, c: int, depth: int) -> Figure:
        """A cell's figure where SUM looks into it: blanks, text and logical values add nothing
        (text that reads as a number is noted in `passed`)."""
        raw = self.at(r, c)
        number = _number(raw)
        if number is not None:
            return number
        if isinstance(raw, Formula):
            return self._nested(raw, depth)
        if isinstance(raw, str):
            if raw.strip() and read_cell(raw).value:
                self._passing.append((r, c))
            return 0
        if raw is None or isinstance(raw, bool):
            return 0
        raise _Unknown(_why_not(raw))


def evaluated(
    formula: Formula,
    rows: list[list[object]],
    refs: Mapping[tuple[int, int], object] | None = None,
) -> Figure | str:
    """A formula's figure as Excel and WPS show it when they compute it, or why it cannot be
    worked out (Chinese)."""
    return Evaluator(rows, refs).figure(formula)


def _number(raw: object) -> Figure | None:
    """A numeric cell's figure as Excel shows it (15 significant digits), None for any other."""
    if raw.__class__ is float:
        if raw.is_integer() and -_EXACT < raw < _EXACT:
            return int(raw)
        if raw != raw or raw in (float("inf"), float("-inf")):
            return None
        return Decimal(f"{raw:.15g}")
    if raw.__class__ is int:
        return raw
    return None


def _why_not(raw: object) -> str:
    if isinstance(raw, Reading):
        return f"引用的单元格是错误值 {raw.text}"
    if isinstance(raw, (datetime, date, time, timedelta)):
        return "引用的单元格是日期或时间"
    if isinstance(raw, float):
        return "引用的单元格不是有限的数值"
    return "引用的单元格是文字，不是数值"


def _shown(value: Figure) -> Decimal:
    """A computed figure as Excel shows it: 15 significant digits."""
    if isinstance(value, int) or (value == value.to_integral_value() and abs(value) < 10**15):
        return Decimal(value)
    return Decimal(f"{float(value):.15g}")


def _figure_text(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"


def derived_reading(formula: Formula, sheet: Evaluator, scale: int) -> Reading:
    """A formula saved without its result, worked out as Excel and WPS show it (`sheet`: the
    evaluator of its sheet); never read as 0 or blank."""
    text = f"={formula.text}"
    value = sheet.figure(formula)
    if isinstance(value, str):
        return Reading(
            text, "formula", "error", None, f"是没有保存计算结果的公式，且无法推算（{value}）"
        )
    shown = _shown(value)
    reading = _checked(shown, text, "formula", scale)
    if reading.value is None:
        why = f"是没有保存计算结果的公式，推算结果为{_figure_text(shown)}，{reading.problem}"
        return Reading(text, "formula", "error", None, why)
    passed = sheet.passed.get(formula.text)
    if passed:
        return _text_in_sum(text, sheet, passed, shown, reading.value)
    return Reading(text, "formula", "derived", reading.value)


def _passed_over(sheet: Evaluator, cells: tuple[tuple[int, int], ...]) -> str:
    """The text cells a SUM passed over, named with what they hold: `D6“12”、E6“5”`."""
    from pipeline.files.a1 import a1  # NOTE: here, as pipeline.files imports this module

    named = [f"{a1(r, c)}“{cell_text(sheet.at(r, c)).strip()}”" for r, c in cells[:6]]
    return "、".join(named) + (f"等{len(cells)}个格" if len(cells) > 6 else "")


def _text_in_sum(
    text: str, sheet: Evaluator, passed: tuple[tuple[int, int], ...], shown: Decimal, value: int
) -> Reading:
    why = (
        f"的公式“{text}”不计入以文字形式填写的数（{_passed_over(sheet, passed)}），Excel、WPS 显示为"
        f"{_figure_text(shown)}，已按{_figure_text(shown)}读取；请把这些格改为数值后重新报送"
    )
    return Reading(text, "formula", "text_in_sum", value, why)


def stored_reading(
    formula: Formula, stored: object, sheet: Evaluator, scale: int, recalculated: bool
) -> Reading | None:
    """A formula with a stored result, read as the application shows it to the person who
    opens the file, or None when that is its stored result as it is (no finding).

    Where the workbook is recalculated on open: a figure worked out that differs from the stored
    result is the one read (`recalculated`, both figures stated); a formula that cannot be worked
    out is read at its stored result, which may be stale (`stale`). Where it is not, the stored
    result is what is shown: when the formula gives another figure, it is read with `stale`
    stating both."""
    value = sheet.figure(formula)
    if not isinstance(value, str) and formula.text not in sheet.passed and _number(stored) == value:
        return None  # NOTE: the common case (every total of the template), decided at once
    text = f"={formula.text}"
    kept = f"“{stored}”" if isinstance(stored, str) else cell_text(stored)
    if isinstance(value, str):
        if not recalculated:
            return None
        why = (
            f"的公式“{text}”本程序无法推算（{value}），而工作簿打开时会重新计算：已按保存的结果{kept}读取，"
            "打开时显示的数可能不同"
        )
        return _stale(stored, scale, why)
    passed = sheet.passed.get(formula.text)
    number = _number(stored)
    shown = _shown(value)
    if number is not None and _shown(number) == shown:
        if not passed:
            return None
        reading = _checked(shown, text, "formula", scale)
        if reading.value is None:
            return None  # NOTE: read as stored, where the same problem is said
        return _text_in_sum(text, sheet, passed, shown, reading.value)
    figure = _figure_text(shown)
    if not recalculated:
        why = (
            f"的公式“{text}”保存的结果为{kept}，按公式计算应为{figure}；工作簿打开时不重新计算，"
            f"显示的是保存的结果，已按{kept}读取，请重新计算后保存"
        )
        return _stale(stored, scale, why)
    reading = _checked(shown, text, "formula", scale)
    if reading.value is None:
        why = f"公式打开时重新计算为{figure}（保存的结果为{kept}），{reading.problem}"
        return Reading(text, "formula", "error", None, why)
    why = f"的公式“{text}”保存的结果为{kept}，Excel、WPS 打开时重新计算为{figure}，已按{figure}读取"
    if passed:
        why += f"（公式不计入以文字形式填写的数：{_passed_over(sheet, passed)}）"
    return Reading(text, "formula", "recalculated", reading.value, why)


def _stale(stored: object, scale: int, why: str) -> Reading:
    """The stored result of a formula, read as written, with why it may not be what is shown."""
    reading = read_cell(stored, scale)
    if reading.value is None or reading.read_as not in ("number", "blank", "nil"):
        return reading
    return Reading(reading.text, reading.raw_type, "stale", reading.value, why)
