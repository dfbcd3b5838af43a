"""The part 六 fee figures (信息处理费, 国办函〔2020〕109号): the one grammar of the sentences that
state them, read alike in a return (a cell's or a paragraph's text) and in a published report
(part 六's text).

A text states the fees

- as none at all: `未收取…信息处理费`, `没有收取…`, `无收取信息处理费情况`, `未发生…收费情况/事项`,
  `无收费`, `信息处理费0元`, or a collected amount of 0 alone: 0 notices, 0 元, 0 元 (the format's
  own way of saying none: `本机关2023年度未收取政府信息公开信息处理费`);
- or by its figures, each read where it stands: `发出收费通知N件` / `收费通知书N份` (notices),
  `收费金额M元` / `收费通知总金额M元` / `金额M元` right after the notices (their amount),
  `实际收取K元` / `收取…信息处理费（共计）K元` / `实际未收取` (collected).

A figure the text does not state is unread, never 0; one stated twice with two values is unread;
a breakdown (`其中民政局1件，收取380元`) is part of a figure, never the figure. 万元, figures in
words and a superscript, circled or struck-through digit are never read as a figure.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from pipeline.files.runs import STROKE

FEE_COLS = ("notices", "notice_amount", "collected")  # part 六's three figures, as S6's columns

# NOTE: NFKC would turn a superscript ¹ or a circled ① into a digit (`1000¹元` into 10001元);
# such a character, or one struck through, is no digit of a figure: it stands as a mark that
# ends any number it touches (and no figure is read beside it)
_NOT_DIGIT = "\ue000"
_STRIKE = STROKE
# NOTE: a figure's digits start here: never inside a number, beside a mark, or after `1，`
# (full-width digits typed with a full-width comma: `１，２００元` is not 200)
_NUM = rf"(?<!\d，)(?<![\d.,{_NOT_DIGIT}])"
_YUAN = _NUM + r"(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)元"
_SAID = r"(?:为|是|共|计|共计|合计|总计|达)?"
_FEE = r"(?:政府信息公开)?(?:信息(?:公开)?处理费|处理费)"
_NOTICES = re.compile(
    r"收费通知(?:书|单)?(?!要求)[^。；;，,、\d收]{0,6}?" + _NUM + r"(\d+)(?:件|份|次|个)"
)
_AMOUNT = re.compile(
    r"(?<!实际)(?<!收取)(?:收费通知(?:书|单)?的?|通知(?:书|单)?的?|收费)(?:总)?金额" + _SAID + _YUAN
)
_BARE_AMOUNT = re.compile(r"(?<!收取)(?<!实际)(?:总)?金额" + _SAID + _YUAN)
_COLLECTED = (
    re.compile(
        r"实际(?:共|共计|合计)?收取(?:了)?(?:" + _FEE + r"|费用)?(?:金额|费用)?" + _SAID + _YUAN
    ),
    re.compile(r"(?<!实际)收取(?:了)?" + _FEE + r"(?:金额|费用)?" + _SAID + _YUAN),
)
_COLLECTED_NONE = re.compile(r"实际(?:未|没有)收取")
_NONE = (
    re.compile(
        r"(?:均未|并未|从未|未|没有|无)[^。；;，,\d]{0,10}?收取[^。；;，,\d]{0,14}?(?:处理费|费用)"
    ),
    re.compile(r"(?:未|没有|无)(?:发生|产生)[^。；;，,\d]{0,12}?收费"),
    re.compile(r"(?:未|没有|无)收费"),
    re.compile(r"处理费[^。；;，,\d]{0,8}?(?:均未|并未|从未|未|没有|无)(?:收取|收费)"),
    re.compile(
        rf"(?:处理费|收费)[^。；;，,\d{_NOT_DIGIT}]{{0,8}}?" + _SAID + _NUM + r"(?:0|零)(?:\.0+)?元"
    ),
)
_BREAKDOWN = re.compile(r"其中[^。；;]*")
_STRAY_AMOUNT = re.compile(rf"[\d{_NOT_DIGIT}](?:万)?元")
_NOTICE_WORDS = re.compile(rf"(?:收费通知|金额)[^。；;]{{0,12}}?[\d{_NOT_DIGIT}]")
_NOTICES_BEFORE = re.compile(r"收费通知(?:书|单)?[^。；;\d]{0,8}?\d+(?:件|份|次|个)[,，、]?$")
_TELL = re.compile(r"处理费|收费|收取")


class Figure(NamedTuple):
    """One fee figure as stated: its value (件, or 元 exactly), the words stating it, and where
    they stand in the text (character offsets, end excluded)."""

    value: Decimal
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class FeeStatement:
    """What a text states of the fees: each figure read (by column of S6) with its place, why
    each other one is unread, and whether it says that no fee was collected at all."""

    figures: dict[str, Figure] = field(default_factory=dict)
    unread: dict[str, str] = field(default_factory=dict)  # column → why (Chinese)
    none: bool = False  # the three figures are 0 because the text says none was collected

    @property
    def values(self) -> tuple[Decimal | None, ...]:
        """The three figures in S6's order, None where unread."""
        return tuple(f.value if (f := self.figures.get(c)) else None for c in FEE_COLS)

    @property
    def read(self) -> bool:
        """Whether the text states any figure (or none at all)."""
        return bool(self.figures)


def fee_statement(text: str) -> FeeStatement | None:
    """What `text` states of the fees; None when it does not speak of them at all."""
    t, origin = _normalised(text)
    if not _TELL.search(t):
        return None
    outside = _outside_breakdowns(t)
    taken: list[tuple[int, int]] = []
    found: dict[str, list[Figure]] = {c: [] for c in FEE_COLS}

    def keep(col: str, m: re.Match[str], value: Decimal) -> None:
        taken.append(m.span())
        found[col].append(_figure(text, origin, m, value))

    for rx in _COLLECTED:
        for m in rx.finditer(t):
            if outside(m.start()) and not _overlaps(m.span(), taken):
                keep("collected", m, _yuan(m.group(1)))
    for m in _NOTICES.finditer(t):
        if outside(m.start()) and not _overlaps(m.span(), taken):
            keep("notices", m, Decimal(m.group(1)))
    for m in _AMOUNT.finditer(t):
        if outside(m.start()) and not _overlaps(m.span(), taken):
            keep("notice_amount", m, _yuan(m.group(1)))
    # NOTE: a bare 金额 is the notices' amount only right after the notices (the format's
    # `发出收费通知N件，金额M元`): after anything else it may be what was collected
    for m in _BARE_AMOUNT.finditer(t):
        if (
            outside(m.start())
            and not _overlaps(m.span(), taken)
            and _NOTICES_BEFORE.search(t[: m.start()])
        ):
            keep("notice_amount", m, _yuan(m.group(1)))
    nones = [m for rx in _NONE for m in rx.finditer(t) if outside(m.start())]
    if not found["collected"]:
        for m in _COLLECTED_NONE.finditer(t):
            if outside(m.start()):
                keep("collected", m, Decimal(0))
    return _statement(text, t, origin, found, nones, taken)


def _statement(
    text: str,
    t: str,
    origin: list[int],
    found: dict[str, list[Figure]],
    nones: list[re.Match[str]],
    taken: list[tuple[int, int]],
) -> FeeStatement:
    """The statement made of the figures found and the words saying none."""
    figures: dict[str, Figure] = {}
    unread: dict[str, str] = {}
    for col in FEE_COLS:
        values = list(dict.fromkeys(f.value for f in found[col]))
        if len(values) == 1:
            figures[col] = found[col][0]
        elif values:
            unread[col] = "写了不同的数（" + "、".join(_plain(v) for v in values) + "）"
    # NOTE: nothing collected and nothing else stated is the format's none, in figures
    zero_alone = set(figures) == {"collected"} and figures["collected"].value == 0 and not unread
    if (nones and not figures and not unread) or zero_alone:
        # NOTE: an amount the grammar does not know beside the words saying none (`2024年收取5元`)
        # leaves it unsaid: the text says more than none
        # NOTE: nor is a sentence that gives the notices or an amount in figures not read
        said_spans = taken + [m.span() for m in nones]
        stray = [m for m in _STRAY_AMOUNT.finditer(t) if not _overlaps(m.span(), said_spans)]
        notices = [m for m in _NOTICE_WORDS.finditer(t) if not _overlaps(m.span(), taken)]
        if not stray and not notices:
            said = (
                figures["collected"] if zero_alone else _figure(text, origin, nones[0], Decimal(0))
            )
            return FeeStatement(dict.fromkeys(FEE_COLS, said), {}, none=True)
    if not figures and not unread:
        return FeeStatement({}, dict.fromkeys(FEE_COLS, "的写法无法识别"))
    # NOTE: `未收取信息处理费` beside other figures says what was collected, and only that
    if "collected" not in figures and "collected" not in unread:
        said_none = [m for m in nones[:1] if "收取" in m.group(0)]
        if said_none:
            figures["collected"] = _figure(text, origin, said_none[0], Decimal(0))
    for col in FEE_COLS:
        if col not in figures and col not in unread:
            unread[col] = "没有写明"
    return FeeStatement(figures, unread)


def _marked(text: str) -> Iterator[tuple[str, int]]:
    """Each character of `text` as it shows a figure, with where it stands: a superscript,
    circled or struck-through digit as a mark."""
    i = 0
    while i < len(text):
        if i + 1 < len(text) and text[i + 1] == _STRIKE:
            yield _NOT_DIGIT, i
            i += 2
            continue
        ch = text[i]
        if ch != _STRIKE:
            yield (_NOT_DIGIT if unicodedata.category(ch) == "No" else ch), i
        i += 1


def _read_chars(text: str) -> Iterator[tuple[str, int]]:
    """Each character of `text` as the grammar reads it (`as_read`), with where it stands."""
    for ch, at in _marked(text):
        # NOTE: a full-width comma is a pause in Chinese, never a thousands separator (NFKC
        # would make it one)
        for c in ch if ch == "，" else unicodedata.normalize("NFKC", ch):
            yield c, at


def as_read(text: str) -> str:
    """`text` as the grammar reads it: a superscript, circled or struck-through digit as a mark
    that never joins a figure, then NFKC character by character, a full-width comma kept; the
    same text read again is unchanged (a report's lines are read so before part 六 is cut)."""
    return "".join(c for c, _ in _read_chars(text))


def _normalised(text: str) -> tuple[str, list[int]]:
    """The text as matched (`as_read`, without spaces) and, for each of its characters, where
    it stands in `text`."""
    kept = [(c, at) for c, at in _read_chars(text) if not c.isspace()]
    return "".join(c for c, _ in kept), [at for _, at in kept]


def _figure(text: str, origin: list[int], m: re.Match[str], value: Decimal) -> Figure:
    """A figure matched in the normalised text, placed back in `text`."""
    start, end = origin[m.start()], origin[m.end() - 1] + 1
    return Figure(value, text[start:end], start, end)


def _outside_breakdowns(t: str) -> Callable[[int], bool]:
    """Whether a position of `t` stands outside every breakdown (`其中…` to the sentence's end)."""
    spans = [m.span() for m in _BREAKDOWN.finditer(t)]
    return lambda at: not any(a <= at < b for a, b in spans)


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in taken)


def _yuan(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


class FeeSentence(NamedTuple):
    """A cell stating the fee figures: where it is, what it says, and what it states."""

    at: tuple[int, int]
    text: str
    stated: FeeStatement


def fee_sentence(texts: list[tuple[int, int, str]]) -> FeeSentence | None:
    """The one cell of a sheet's text cells (r, c, text) stating the fees (some figure, or none
    at all); None when none does, or when cells state different figures (never a pick)."""
    found = []
    for r, c, text in texts:
        if "费" not in text:
            continue
        stated = fee_statement(text)
        if stated is not None and stated.read:
            found.append(FeeSentence((r, c), text, stated))
    if not found or len({f.stated.values for f in found}) > 1:
        return None
    return found[0]
