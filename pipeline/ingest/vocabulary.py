"""The format's vocabulary of labels, the one label matcher of both readers: a cell's text read as the labels it is made of (`segments`), each matched exact, as a known variant, or as similar (rapidfuzz, bounded by the format's own labels); `norm` and `keys` for lookups; the rows a flow of text names (`row_at_end`, `rows_in`, `fragment_rows`: published reports); the 2019 format's tell-tales."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process

from pipeline.format2021 import (
    OLD_FORMAT_LABELS,
    OTHER_GROUP,
    OTHER_TOTAL,
    S4_GROUPS,
    S4_RESULTS,
    SECTIONS,
)

Rows = list[list[object]]


_SPACE = re.compile(r"\s+")


_QUOTES = str.maketrans("", "", "“”\"'‘’「」")


# NOTE: `1、` for `1.` wherever it stands (a published report's text runs a group label and its
# rows together: `（三）不予公开1、属于国家秘密`); a digit after the mark is a figure's, not numbering
_NUMBERING = re.compile(r"(\d)[、,，．](?=[^\d])")


# NOTE: misspellings and variants met in real returns, as normalised text → the format's label
# (normalised). The one place to add a peer's new way of writing a label; a label not listed
# here may still be read as similar (`SIMILAR_SCORE`), with a finding.
_MISSPELT = {"其它": "其他", "帐": "账"}


_ALIASES_AS_WRITTEN = {
    "（二）部分公开": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "（二）部分公开（区分处理的,只计这一情形,不计其他情形）": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "本年收费金额（万元）": "本年收费金额（单位：万元）",
    "本年收费金额": "本年收费金额（单位：万元）",
    "收费金额（万元）": "本年收费金额（单位：万元）",
    "本年新收政府信息公开申请数量": "一、本年新收政府信息公开申请数量",
    "上年结转政府信息公开申请数量": "二、上年结转政府信息公开申请数量",
    "结转下年度继续办理": "四、结转下年度继续办理",
    "（七）合计": "（七）总计",
    "1.信访、举报、投诉类申请": "1.信访举报投诉类申请",
    "4.无正当理由大量、反复申请": "4.无正当理由大量反复申请",
    "5.要求行政机关确认或者重新出具已获取信息": "5.要求行政机关确认或重新出具已获取信息",
    "3.危及三个安全一个稳定": "3.危及“三安全一稳定”",
    "规范性文件": "行政规范性文件",
    "行政事业收费": "行政事业性收费",
    "合计": "总计",
}


# NOTE: a label counts as similar to one of the format's (after its numbering is set aside) only
# when rapidfuzz's ratio to it is at least SIMILAR_SCORE and at least SIMILAR_LEAD ahead of the
# next label of the format. The closest two different labels of the format come to each other is
# 78.6 (上年结转… / 本年新收…政府信息公开申请数量), so 80 never takes one label for another, and
# the issue's own misspelling 其他法律行政止公开 (85.7) is read. A lead of 10 refuses a text
# halfway between two labels. Labels shorter than SIMILAR_MIN_LEN are never guessed at: one
# wrong character in 规章 or 结果维持 is a different word.
SIMILAR_SCORE = 80.0


SIMILAR_LEAD = 10.0


SIMILAR_MIN_LEN = 5


MAX_LABEL = 80  # longer text is a sentence, not a label


EXACT, VARIANT, SIMILAR = "exact", "variant", "similar"


POSITION = "position"  # a row without a label (表四's figures), or a group told by its order


_RANK = {EXACT: 0, VARIANT: 1, POSITION: 1, SIMILAR: 2}


def _typo(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).translate(_QUOTES))


def _normal(text: str) -> str:
    t = _NUMBERING.sub(r"\1.", _typo(text))
    for wrong, right in _MISSPELT.items():
        t = t.replace(wrong, right)
    return t


ALIASES = {_normal(k): _normal(v) for k, v in _ALIASES_AS_WRITTEN.items()}


@cache
def norm(text: str) -> str:
    """A label reduced to what identifies it: no spaces or line breaks, half-width, `1、` → `1.`,
    known misspellings and variants mapped to the format's label."""
    t = _normal(text)
    return ALIASES.get(t, t)


# the numbering a label may be written with or without: （一） 一、 1. 1） 表1 第三部分
_LEADING_NUMBER = re.compile(
    r"^(?:\([一二三四五六七八九十\d]+\)|[一二三四五六七八九十]+[、.]|\d+[.)、]"
    r"|表[一二三四五六七八九十\d]+[、.:]?|第[一二三四五六七八九十]+部分[、.:]?|[①-⑳])"
)


def _bare(text: str) -> str:
    return _LEADING_NUMBER.sub("", text, count=1)


# -- the format's vocabulary ------------------------------------------------------------------
@dataclass(frozen=True)
class Meaning:
    """What a label stands for in the format: a row, a column, a group of either, a title."""

    section: str
    kind: str  # row | rowgroup | col | colgroup | group | suit | result | title
    code: str  # row or column code, group key, or the normalised group label
    label: str  # the format's label as printed


class Segment(NamedTuple):
    """One label found in a cell's text, how it was matched, and what was written."""

    meanings: tuple[Meaning, ...]
    how: str  # exact | variant | similar
    written: str
    score: float = 100.0
    # meanings read only by setting the label's numbering aside (`总计` for （七）总计): variants
    loose: tuple[Meaning, ...] = ()
    sections: frozenset[str] = frozenset()  # the sections of its meanings


def _segment(
    meanings: tuple[Meaning, ...],
    how: str,
    written: str,
    score: float = 100.0,
    loose: tuple = (),
) -> Segment:
    return Segment(meanings, how, written, score, loose, frozenset(m.section for m in meanings))


_PREFIX_KINDS = frozenset({"rowgroup", "colgroup", "group", "suit"})


@cache
def _vocabulary() -> tuple[dict, dict, frozenset, dict]:
    """The format's labels: by normalised form, by bare form, the forms printed, group prefixes."""
    meanings: list[tuple[str, Meaning]] = []
    for code, s in SECTIONS.items():
        meanings.append((f"{s.part}、{s.title}", Meaning(code, "title", code, s.title)))
        if code == "s4":
            continue
        for r in s.rows:
            if r.label:
                meanings.append((r.label, Meaning(code, "row", r.code, r.label)))
            for p in r.path:
                meanings.append((p, Meaning(code, "rowgroup", norm(p), p)))
        for c in s.cols:
            meanings.append((c.label, Meaning(code, "col", c.code, c.label)))
            for p in c.path:
                meanings.append((p, Meaning(code, "colgroup", norm(p), p)))
    for key, path in S4_GROUPS.items():
        meanings.append((path[-1], Meaning("s4", "group", key, path[-1])))
    meanings.append(("行政诉讼", Meaning("s4", "suit", "suit", "行政诉讼")))
    for key, label in S4_RESULTS.items():
        meanings.append((label, Meaning("s4", "result", key, label)))
    by_form: dict[str, list[Meaning]] = defaultdict(list)
    by_bare: dict[str, list[Meaning]] = defaultdict(list)
    printed = set()
    prefixes: dict[str, list[Meaning]] = defaultdict(list)
    for label, m in meanings:
        form = norm(label)
        printed.add(_typo(label))
        if m not in by_form[form]:
            by_form[form].append(m)
        if m not in by_bare[_bare(form)]:
            by_bare[_bare(form)].append(m)
        if m.kind in _PREFIX_KINDS:
            prefixes[form].append(m)
    return (
        {k: tuple(v) for k, v in by_form.items()},
        {k: tuple(v) for k, v in by_bare.items()},
        frozenset(printed),
        {k: tuple(v) for k, v in prefixes.items()},
    )


@cache
def _prefix_lengths() -> tuple[int, ...]:
    return tuple(sorted({len(k) for k in _vocabulary()[3]}, reverse=True))


@cache
def _choices() -> tuple[str, ...]:
    return tuple(k for k in _vocabulary()[1] if k)


_CJK = re.compile(r"[\u4e00-\u9fff]")


_SEPARATORS = "-—–·/:：_|、,，.．;；"


def _trimmed(rest: str) -> str:
    rest = rest.lstrip(_SEPARATORS)
    if rest.startswith("(") and rest.endswith(")") and "(" not in rest[1:-1]:
        inner = rest[1:-1]
        if inner and not re.fullmatch(r"[一二三四五六七八九十\d]+", inner):
            return inner
    return rest


def _whole(rest: str, changed: bool) -> Segment | None:
    by_form, by_bare, printed, _ = _vocabulary()
    key = ALIASES.get(rest, rest)
    if key in by_form:
        exact = not changed and key == rest and rest in printed
        # NOTE: only a label written without numbering can stand for a numbered one
        bare = by_bare.get(key, ()) if _bare(key) == key else ()
        loose = tuple(m for m in bare if m not in by_form[key])
        return _segment(by_form[key] + loose, EXACT if exact else VARIANT, rest, 100.0, loose)
    bare = _bare(key)
    if bare in by_bare:
        return _segment(by_bare[bare], VARIANT, rest)
    return None


def _similar(rest: str) -> Segment | None:
    bare = _bare(rest)
    if not SIMILAR_MIN_LEN <= len(bare) <= MAX_LABEL:
        return None
    found = process.extract(bare, _choices(), scorer=fuzz.ratio, limit=2)
    if not found or found[0][1] < SIMILAR_SCORE:
        return None
    if len(found) > 1 and found[0][1] - found[1][1] < SIMILAR_LEAD:
        return None
    return _segment(_vocabulary()[1][found[0][0]], SIMILAR, rest, round(found[0][1], 1))


@lru_cache(maxsize=200_000)
def segments(text: str) -> tuple[Segment, ...]:
    """The format's labels a cell's text is made of, outermost first (empty: it is no label)."""
    t0 = _typo(text)
    if not t0 or len(t0) > MAX_LABEL or not _CJK.search(t0):
        return ()
    rest = _normal(text)
    changed = rest != t0
    prefixes = _vocabulary()[3]
    out: list[Segment] = []
    while rest:
        whole = _whole(rest, changed)
        if whole is not None:
            out.append(whole)
            return tuple(out)
        for n in _prefix_lengths():
            if len(rest) > n and rest[:n] in prefixes:
                out.append(_segment(prefixes[rest[:n]], VARIANT if changed else EXACT, rest[:n]))
                rest = _trimmed(rest[n:])
                break
        else:
            similar = _similar(rest)
            return (*out, similar) if similar is not None else ()
    return tuple(out)


@cache
def keys(text: str) -> tuple[str, ...]:
    """The labels a cell's text stands for: itself, and the format's labels it was read as."""
    key = norm(text)
    found = [key]
    for seg in segments(text):
        for m in seg.meanings:
            label = norm(m.label)
            if label not in found:
                found.append(label)
    return tuple(found)


def flat(text: str) -> str:
    """Text as labels are compared (no spaces or line breaks, half-width, `1、` → `1.`, known
    misspellings mapped), the aliases not applied: for a flow of text, not one cell."""
    return _normal(text)


# -- the 2019 format --------------------------------------------------------------------------
_OLD_TELLS = tuple(_normal(label) for label in OLD_FORMAT_LABELS)


def old_format_labels(flat_text: str) -> tuple[str, ...]:
    """The 2019 trial format's tell-tale labels (`format2021.OLD_FORMAT_LABELS`) in a text made
    `flat` (or cell texts made `norm` and joined): the one test of both readers."""
    return tuple(
        label
        for label, tell in zip(OLD_FORMAT_LABELS, _OLD_TELLS, strict=True)
        if tell in flat_text
    )


# -- rows named in a flow of text (published reports) -----------------------------------------
FRAGMENT = 4  # least characters of a piece of a label (a label torn across lines or pages)
_LABEL_START = re.compile(r"\d\.(?=\D)|\([一二三四五六七八九十]\)|[一二三四五六七八九十]、")


@dataclass(frozen=True)
class RowClaim:
    """The rows of a table a text names, and how: exact, variant, similar, or fragment (a piece
    of a label, which may name several rows)."""

    rows: tuple[str, ...]
    how: str
    score: float = 100.0


FRAGMENT_HOW = "fragment"


@cache
def _row_forms(code: str) -> tuple[tuple[str, str, str], ...]:
    """(form, row code, how) for each way a row label of table `code` is written in a flow of
    text, longest first: as printed (exact), through an alias, or its bare form when at least
    `SIMILAR_MIN_LEN` long (variants); 表三 has （六）其他处理 printed as one row (`OTHER_TOTAL`)."""
    section = SECTIONS[code]
    labels = [(r.code, r.label) for r in section.rows if r.label]
    if code == "s3":
        labels.append((OTHER_TOTAL, OTHER_GROUP))
    forms: dict[str, tuple[str, str]] = {}
    for row, label in labels:
        form = _normal(label)
        forms.setdefault(form, (row, EXACT))
        bare = _bare(form)
        if bare != form and len(bare) >= SIMILAR_MIN_LEN:
            forms.setdefault(bare, (row, VARIANT))
    printed = dict(forms)
    for alias, target in ALIASES.items():
        if target in printed:
            forms.setdefault(alias, (printed[target][0], VARIANT))
    return tuple(
        (form, row, how)
        for form, (row, how) in sorted(forms.items(), key=lambda kv: len(kv[0]), reverse=True)
    )


def _rows_meant(meanings: tuple[Meaning, ...], code: str) -> tuple[str, ...]:
    """The rows of table `code` among a label's meanings (（六）其他处理 as its one-row total)."""
    other = _normal(OTHER_GROUP)
    out = []
    for m in meanings:
        if m.section != code:
            continue
        if m.kind == "row":
            out.append(m.code)
        elif m.kind == "rowgroup" and m.code == other:
            out.append(OTHER_TOTAL)
    return tuple(dict.fromkeys(out))


@cache
def _numbering_of(code: str) -> dict[str, str]:
    """Each row's leading numbering as its form gives it (`2.`, `(七)`, `一、`; empty if none)."""
    out = {}
    for form, row, how in _row_forms(code):
        if how == EXACT:
            m = _LEADING_NUMBER.match(form)
            out[row] = m.group(0) if m else ""
    return out


def row_at_end(text: str, code: str) -> RowClaim | None:
    """The row of table `code` whose label `text` ends with (the text written before a row's
    figures; group labels and header text may stand before the label): as printed, a variant,
    or similar (rapidfuzz, `SIMILAR_SCORE` and `SIMILAR_LEAD` over the whole vocabulary, the
    same numbering); None when no label ends it."""
    t = _normal(text)
    if not t:
        return None
    for form, row, how in _row_forms(code):
        if t.endswith(form):
            return RowClaim((row,), how)
    starts = [m.start() for m in _LABEL_START.finditer(t)]
    for start in reversed(starts):
        tail = t[start:]
        if len(tail) > MAX_LABEL:
            break
        found = _similar(tail)
        if found is None:
            continue
        rows = _rows_meant(found.meanings, code)
        lead = _LEADING_NUMBER.match(tail)
        if len(rows) == 1 and _numbering_of(code).get(rows[0]) == (lead.group(0) if lead else ""):
            return RowClaim(rows, SIMILAR, found.score)
    return None


def rows_in(text: str, code: str) -> tuple[str, ...]:
    """The rows of table `code` whose whole label (as printed or a variant) `text` holds, in
    the order they stand (a label counted once where forms of it overlap)."""
    t = _normal(text)
    taken: list[tuple[int, int, str]] = []
    for form, row, _how in _row_forms(code):
        start = t.find(form)
        while start >= 0:
            end = start + len(form)
            if not any(a < end and start < b for a, b, _ in taken):
                taken.append((start, end, row))
            start = t.find(form, start + 1)
    return tuple(row for _, _, row in sorted(taken))


def fragment_rows(piece: str, code: str) -> tuple[str, ...]:
    """The rows of table `code` whose label holds `piece` (at least `FRAGMENT` characters): a
    label torn across lines, cells or pages; empty when none does."""
    p = _normal(piece)
    if len(p) < FRAGMENT:
        return ()
    return tuple(dict.fromkeys(row for form, row, _how in _row_forms(code) if p in form))


@cache
def _column_forms(code: str) -> tuple[str, ...]:
    """The column and header labels of table `code` as compared (表四: its groups and results)."""
    section = SECTIONS[code]
    labels = {c.label for c in section.cols} | {p for c in section.cols for p in c.path}
    if code == "s4":
        labels |= set(S4_RESULTS.values()) | {p for path in S4_GROUPS.values() for p in path}
    return tuple(sorted({_normal(label) for label in labels if len(_normal(label)) >= 2}))


def names_column(text: str, code: str) -> bool:
    """Whether `text` holds a column or header label of table `code` (a header's text)."""
    t = _normal(text)
    return any(form in t for form in _column_forms(code))
