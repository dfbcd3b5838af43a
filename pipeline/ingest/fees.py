"""The part 六 fee figures (信息处理费, 国办函〔2020〕109号) read from a sentence of a return.

The national format states them in a sentence, not a table. Exactly two shapes are read:

- none collected: `本机关2023年度未收取政府信息公开信息处理费` → 0 notices, 0 元, 0 元;
- `发出收费通知N件，(收费)金额M元，实际收取K元` → N, M, K exactly (元, up to 2 decimals).

Anything else (万元, figures in words, a figure missing or given twice) is None: never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import NamedTuple

from pipeline.files.runs import STROKE

_SPACE = re.compile(r"\s+")
_YEAR = re.compile(r"\d{4}年度?")
_NONE = re.compile(r"未收取(?:政府信息公开)?(?:信息处理费|政府信息公开信息处理费)")
_YUAN = r"(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)元"
_NOTICES = re.compile(r"发出(?:政府信息公开)?(?:信息处理费)?收费通知(?:书|单)?(?:共|合计)?(\d+)件")
_AMOUNT = re.compile(r"(?<!收取)(?<!实际)(?:收费)?(?:通知)?(?:总)?金额(?:为|共|合计)?" + _YUAN)
_COLLECTED = re.compile(r"实际收取(?:信息处理费|费用)?(?:金额)?(?:为|共|合计)?" + _YUAN)
_TELL = re.compile(r"信息处理费|收费通知")


class Fees(NamedTuple):
    """The three part 六 figures: notices sent, their amount and the amount collected (元)."""

    notices: int
    notice_amount: Decimal
    collected: Decimal


# NOTE: NFKC would turn a superscript ¹ or a circled ① into a digit (`1000¹元` into 10001元);
# such a character, or one struck through, is no digit of a figure: it stands as a mark that
# ends any number it touches
_NOT_DIGIT = "\ue000"
_STRUCK = re.compile(f"[^{STROKE}]{STROKE}")
_TOUCHING = re.compile(f"\\d{_NOT_DIGIT}|{_NOT_DIGIT}\\d")


def _shown_digits(text: str) -> str:
    """A sentence with every character that shows a digit other than as one (superscript,
    circled, struck through) replaced by a mark."""
    text = _STRUCK.sub(_NOT_DIGIT, text)
    return "".join(_NOT_DIGIT if unicodedata.category(ch) == "No" else ch for ch in text)


def fee_figures(text: str) -> Fees | None:
    """The fee figures a sentence states in one of the format's two shapes, else None (also
    when a figure is written with superscript, circled or struck-through digits)."""
    t = _SPACE.sub("", unicodedata.normalize("NFKC", _shown_digits(text)))
    if _TOUCHING.search(t):
        return None
    if not _TELL.search(t):
        return None
    notices, amounts, collected = (p.findall(t) for p in (_NOTICES, _AMOUNT, _COLLECTED))
    if notices or amounts or collected:
        if not (len(notices) == len(amounts) == len(collected) == 1):
            return None
        return Fees(int(notices[0]), _yuan(amounts[0]), _yuan(collected[0]))
    if _NONE.search(t) and not re.search(r"\d", _YEAR.sub("", t)):
        return Fees(0, Decimal(0), Decimal(0))
    return None


def _yuan(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


class FeeSentence(NamedTuple):
    """A cell stating the fee figures: where it is, what it says, and the figures."""

    at: tuple[int, int]
    text: str
    fees: Fees


def fee_sentence(texts: list[tuple[int, int, str]]) -> FeeSentence | None:
    """The one cell of a sheet's text cells (r, c, text) stating the fee figures; None when none
    does, or when cells state different figures (never a pick)."""
    found = []
    for r, c, text in texts:
        if "费" not in text:
            continue
        fees = fee_figures(text)
        if fees is not None:
            found.append(FeeSentence((r, c), text, fees))
    if not found or len({f.fees for f in found}) > 1:
        return None
    return found[0]
