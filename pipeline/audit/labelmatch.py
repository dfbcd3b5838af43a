"""Which row of a table a label names: the one small function table recognition asks.

NOTE: kept apart so that the project's shared label matcher can replace it. It compares the text
written before a row's figures with the format's row labels after normalising both (NFKC, no
spaces or quotes, `1、` → `1.`, `其它` → `其他`, the aliases of `pipeline.labels`): the label the
text ends with wins (group labels and stray header text may stand before it); failing that, a
close match of the text's end (difflib ratio ≥ 0.8, same numbering: a misspelling such as
`2.其他法律行政止公开`); failing that, a fragment of a label split across lines or pages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache

from pipeline.ingest.vocabulary import ALIASES

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」")
_NUMBERING = re.compile(r"(\d)[、,，.．](?=\D)")
_LEADING_NUMBER = re.compile(r"^(\d)\.")
FUZZY = 0.8  # least difflib ratio for a misspelt label
FRAGMENT = 4  # least characters of a label fragment


def squeezed(text: str) -> str:
    """Text reduced to what identifies a label (see the module's note)."""
    t = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    t = _SPACE.sub("", t)
    t = _NUMBERING.sub(r"\1.", t)
    return t.replace("其它", "其他").replace("帐", "账")


@dataclass(frozen=True)
class LabelMatch:
    """The rows a label may name and how sure that is: exact, fuzzy or fragment."""

    keys: tuple[str, ...]
    how: str
    score: float = 1.0


@cache
def _variants(labels: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """(squeezed label, key) for each label and each alias naming it, longest first."""
    out = {squeezed(label): key for key, label in labels}
    aliases = {squeezed(a): squeezed(b) for a, b in ALIASES.items()}
    for alias, target in aliases.items():
        for label, key in list(out.items()):
            if label == target and alias not in out:
                out[alias] = key
    return tuple(sorted(out.items(), key=lambda kv: len(kv[0]), reverse=True))


def match_label(text: str, last: str, labels: tuple[tuple[str, str], ...]) -> LabelMatch | None:
    """The rows (`labels`: (key, label) pairs) that `text`, written before a row's figures, names;
    `last` is the last fragment of it (a line or cell), looked at for fragments of a label."""
    t = squeezed(text)
    if not t:
        return None
    variants = _variants(labels)
    for label, key in variants:
        if t.endswith(label):
            return LabelMatch((key,), "exact")
    best: tuple[float, str] | None = None
    for label, key in variants:
        numbered = _LEADING_NUMBER.match(label)
        for size in range(max(2, len(label) - 4), len(label) + 3):
            tail = t[-size:]
            if numbered and not tail.startswith(numbered.group(0)):
                continue
            matcher = SequenceMatcher(None, label, tail, autojunk=False)
            if matcher.real_quick_ratio() < FUZZY or matcher.quick_ratio() < FUZZY:
                continue
            ratio = matcher.ratio()
            if ratio >= FUZZY and (best is None or ratio > best[0]):
                best = (ratio, key)
    if best is not None:
        return LabelMatch((best[1],), "fuzzy", round(best[0], 3))
    piece = squeezed(last)
    if len(piece) >= FRAGMENT:
        keys = tuple(dict.fromkeys(key for label, key in variants if piece in label))
        if keys:
            return LabelMatch(keys, "fragment", 0.5)
    return None
