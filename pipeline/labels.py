"""Finding the format's tables in a sheet by their labels, however a department laid them out.

A sheet is a grid of raw cell values (row 0 is the sheet's row 1). Every text cell is read as a
sequence of the format's own labels (`segments`): `三、本年度办理结果（三）不予公开1.属于国家秘密`
is two row groups and a row, `行政诉讼（复议后起诉）` two column groups, `属于国家秘密` the row
`denied_secret` written without its number, `其他法律行政止公开` a misspelling similar to
`2.其他法律行政法规禁止公开`. Each table is then recognised as a whole:

- 表二, 表三 and the fee table: the rows whose labels are unambiguous form a band (one cluster of
  sheet rows, their labels in a few columns on the left); the other rows (`其他`, `总计`, which
  are column headers too) are taken only inside that band and its label columns; every row's
  columns are the nearest header labels above it, right of the labels and below the previous
  table. Group labels above, left of or in a cell are checked when present, never required.
- 表四: its fifteen cells are a group (行政复议 / 未经复议直接起诉 / 复议后起诉) crossed with a
  result (结果维持 … 总计). Both orientations of the sheet are tried: results in a header row
  with their group in the same cell, above, to the left or told by their order (15 in a row),
  their figures in the first filled row below; or results heading a grid whose rows are the
  groups. The placement that places most cells wins; two different placements placing as many
  are an ambiguity, never a pick.

What only the sheet's text decides is worked out once per layout (`SheetIndex.fingerprint`);
表四's unlabelled figure row depends on values and is placed per sheet (`Located.variant`).
Thresholds and reasons: docs/layouts.md.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process

from pipeline.format2021 import (
    OLD_FORMAT_LABELS,
    OLD_FORMAT_SINGLE_ROW,
    S3,
    S4_GROUPS,
    S4_RESULTS,
    SECTIONS,
    Section,
)
from pipeline.values import cell_text

Grid = list[list[object]]

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」")
_NUMBERING = re.compile(r"^(\d+)[、,，.．]")
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
HEADER_SLACK = 3  # rows a table's header may stand above its first row beyond its own depth
BAND_GAP = 6  # a larger gap between two rows of labelled rows starts another placement
BAND_SLACK = 3  # rows past the unambiguous rows where the ambiguous ones (其他, 总计) may stand

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


def _segment(meanings, how, written, score=100.0, loose=()) -> Segment:
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


# -- what locating gives ----------------------------------------------------------------------
class Similar(NamedTuple):
    """A label read as the format's label it is similar to."""

    at: tuple[int, int]  # (r, c) of the cell, 0-based
    written: str  # the cell's text as written
    taken: str  # the format's label it was taken for
    score: float


@dataclass(frozen=True)
class Located:
    """Where a section's cells are on one sheet, how their labels were matched, and what could
    not be found or placed."""

    cells: dict[tuple[str, str], tuple[int, int]]  # (row, col) code -> (r, c), 0-based
    missing: tuple[str, ...]  # labels not found
    score: float  # share of the section's cells found
    # the rows taken for a table's unlabelled row (表四's figures), which depend on the sheet's
    # values, not only its text: layouts are told apart by them as well; -1 when there is none
    variant: object = -1
    # (row, col) code -> how its row and its column were matched (exact | variant | similar,
    # `position` for a row without a label)
    matched: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    similar: tuple[Similar, ...] = ()  # labels taken for the format's label they resemble
    # two placements that place the table (or one label) equally well: (what, first, second),
    # places in A1 notation; the table (or label) is then not read, never picked
    ambiguous: tuple[tuple[str, str, str], ...] = ()
    # 表三's （六）其他处理 given as one row without its three sub-rows: col code -> (r, c)
    single_other: dict[str, tuple[int, int]] = field(default_factory=dict)


class SheetIndex:
    """The text cells of one sheet, indexed by normalised label.

    NOTE: most sheets read are laid out like one seen before (every return made from one
    template), so only what identifies the layout is worked out per sheet: its fingerprint, the
    hash of its text cells as written. The index by label is built when first asked for."""

    def __init__(self, rows: Grid):
        self.rows = rows
        texts = [
            (r, c, value)
            for r, row in enumerate(rows)
            for c, value in enumerate(row)
            if value.__class__ is str and value
        ]
        self.fingerprint = hash(tuple(texts))
        self._texts = texts
        self._where: dict[str, list[tuple[int, int]]] | None = None
        self._text_at: dict[tuple[int, int], str] = {}
        self._segs: dict[tuple[int, int], tuple[Segment, ...]] | None = None

    def _index(self) -> None:
        self._where = defaultdict(list)
        for r, c, value in self._texts:
            if not value.isspace():
                found = keys(value)
                for key in found:
                    self._where[key].append((r, c))
                self._text_at[r, c] = found[0]

    @property
    def where(self) -> dict[str, list[tuple[int, int]]]:
        if self._where is None:
            self._index()
        return self._where

    @property
    def text_at(self) -> dict[tuple[int, int], str]:
        if self._where is None:
            self._index()
        return self._text_at

    @property
    def texts(self) -> list[tuple[int, int, str]]:
        """The sheet's text cells, (r, c, text as written)."""
        return self._texts

    @property
    def segs(self) -> dict[tuple[int, int], tuple[Segment, ...]]:
        """The cells holding labels of the format, with the labels read in each."""
        if self._segs is None:
            self._segs = {}
            for r, c, value in self._texts:
                found = segments(value)
                if found:
                    self._segs[r, c] = found
        return self._segs

    def written(self, r: int, c: int) -> str:
        value = self.value(r, c)
        return value if isinstance(value, str) else ""

    def value(self, r: int, c: int) -> object:
        row = self.rows[r] if r < len(self.rows) else ()
        return row[c] if c < len(row) else None

    def field(self, label: str) -> str | None:
        """The text written after a form label such as `填报单位：`, in its cell or the next one right."""
        # NOTE: where the label stands is remembered per layout; what follows it never is (a year
        # written as a number is not part of the fingerprint)
        key = (self.fingerprint, label)
        if key not in _fields:
            _fields[key] = self._field_at(norm(label))
            if len(_fields) > 10_000:
                del _fields[next(iter(_fields))]
        at = _fields[key]
        if at is None:
            return None
        r, c, rest = at
        if rest:
            return rest
        for value in self.rows[r][c + 1 :]:
            if value not in (None, ""):
                return cell_text(value).strip()
        return ""

    def _field_at(self, key: str) -> tuple[int, int, str] | None:
        for (r, c), text in self.text_at.items():
            if text.startswith(key):
                return r, c, text[len(key) :].lstrip(":")
        return None

    def titles(self, first_rows: int = 4) -> list[str]:
        """Text cells near the top that read like a report's title (they may name the unit)."""
        return [
            text
            for (r, _c), text in sorted(self.text_at.items())
            if r < first_rows and len(text) >= 8 and _TITLE.search(text)
        ]


_fields: dict[tuple[int, str], tuple[int, int, str] | None] = {}
_TITLE = re.compile(r"(\d{4}年|年度|年报|报告|政府信息公开|政务公开)")
_OLD_TELLS = tuple(norm(label) for label in OLD_FORMAT_LABELS)


def old_format_labels(index: SheetIndex) -> list[str]:
    """The tell-tale labels of the 2019 trial format found on a sheet.

    NOTE: only labels of the 2019 format's own: （六）其他处理 as one row is a 2021 return missing
    three rows (`Located.single_other`), not an old one."""
    texts = "\n".join(index.where)
    return [label for label, key in zip(OLD_FORMAT_LABELS, _OLD_TELLS, strict=True) if key in texts]


def single_other_row(located: Located) -> bool:
    """Whether 表三 gave （六）其他处理 as one row without its three sub-rows."""
    return bool(located.single_other)


SINGLE_OTHER_ROWS = tuple(r for r in S3.rows if OLD_FORMAT_SINGLE_ROW in r.path)


def address(r: int, c: int) -> str:
    """A 0-based (row, column) in A1 notation."""
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{r + 1}"


# -- locating ---------------------------------------------------------------------------------
_layouts: dict[tuple[str, int], _Layout] = {}
_resolved: dict[tuple[str, int, object], Located] = {}


def locate(index: SheetIndex, section: Section) -> Located:
    """Find the cells of `section` on the sheet indexed by `index` (remembered per layout).

    NOTE: a layout is known by its text, but the row of 表四's figures (it has no label) is the
    first filled one below its header: that is decided per sheet from its values, every time."""
    key = (section.code, index.fingerprint)
    layout = _layouts.get(key)
    if layout is None:
        layout = _layout(index, section)
        if len(_layouts) < 10_000:
            _layouts[key] = layout
    below = tuple(_first_filled(index, run) for run in layout.runs) if layout.runs else -1
    found = _resolved.get((*key, below))
    if found is None:
        found = layout.found(section, below)
        if len(_resolved) < 10_000:
            _resolved[(*key, below)] = found
    return found


class _Run(NamedTuple):
    """A header line over an unlabelled line of figures (表四 in the format's shape)."""

    transposed: bool
    line: int  # the header's row (its column, transposed)
    across: tuple[int, ...]  # the columns (rows, transposed) of its labels


def _first_filled(index: SheetIndex, run: _Run) -> int:
    """The first line below the header holding anything in its columns (else the next)."""
    start = run.line + 1
    for line in range(start, start + HEADER_SLACK):
        values = [
            index.value(x, line) if run.transposed else index.value(line, x) for x in run.across
        ]
        # NOTE: a line of text (a title, another table's labels) ends the table: figures below
        # it are another table's, and an empty 表四 must not read them
        if any(isinstance(v, str) and len(_CJK.findall(v)) > 1 for v in values):
            return start
        if any(v not in (None, "") for v in values):
            return line
    return start


@dataclass(frozen=True)
class _Cell:
    at: tuple[int, int]
    how: tuple[str, str]


@dataclass(frozen=True)
class _Layout:
    """Where a section's cells are on a sheet as far as its text alone decides."""

    cells: dict[tuple[str, str], _Cell]
    missing: tuple[str, ...] = ()
    similar: tuple[Similar, ...] = ()
    ambiguous: tuple[tuple[str, str, str], ...] = ()
    single_other: dict[str, tuple[int, int]] = field(default_factory=dict)
    runs: tuple[_Run, ...] = ()  # header lines whose figures are the first filled line below
    # per run, the cells it places: col code -> (run index, the label's column)
    pending: dict[tuple[str, str], tuple[int, int, tuple[str, str]]] = field(default_factory=dict)

    def found(self, section: Section, below: object) -> Located:
        """The section's cells, its unlabelled rows (if any) taken at the lines `below`."""
        cells = {k: v.at for k, v in self.cells.items()}
        matched = {k: v.how for k, v in self.cells.items()}
        for key, (run, x, how) in self.pending.items():
            line = below[run]  # type: ignore[index]
            cells[key] = (x, line) if self.runs[run].transposed else (line, x)
            matched[key] = how
        return Located(
            cells,
            self.missing,
            len(cells) / len(section.cells),
            below,
            matched,
            self.similar,
            self.ambiguous,
            self.single_other,
        )


def _layout(index: SheetIndex, section: Section) -> _Layout:
    if section.code == "s4":
        return _s4_layout(index)
    return _rows_layout(index, section)


def _worst(*hows: str) -> str:
    return max(hows, key=_RANK.__getitem__)


def _how(segs: tuple[Segment, ...], meaning: Meaning | None = None) -> str:
    """How a cell's labels were matched (for `meaning`, read in its last label)."""
    how = segs[0].how if len(segs) == 1 else _worst(*(s.how for s in segs))
    if how == EXACT and segs[-1].loose and meaning in segs[-1].loose:
        return VARIANT
    return how


def _similar_of(index: SheetIndex, at: tuple[int, int], meaning: Meaning) -> list[Similar]:
    segs = index.segs[at]
    if all(s.how != SIMILAR for s in segs):
        return []
    return [
        Similar(at, index.written(*at), meaning.label, s.score) for s in segs if s.how == SIMILAR
    ]


@cache
def _paths(section: Section) -> tuple[dict[str, frozenset], dict[str, frozenset]]:
    """Per row and column code, the normalised group labels above it in the format."""
    rows = {r.code: frozenset(norm(p) for p in r.path) for r in section.rows}
    cols = {c.code: frozenset(norm(p) for p in c.path) for c in section.cols}
    return rows, cols


def _groups_fit(prefix: tuple[Segment, ...], section: str, kind: str, allowed: frozenset) -> bool:
    """Whether the group labels written before a label in its cell are groups it belongs to."""
    for seg in prefix:
        codes = {m.code for m in seg.meanings if m.section == section and m.kind == kind}
        if not codes & allowed:
            return False
    return True


class _Hit(NamedTuple):
    r: int
    c: int
    how: str
    only: bool  # the cell means this and nothing else of the section (an anchor)


def _rows_layout(index: SheetIndex, section: Section) -> _Layout:
    code = section.code
    row_paths, col_paths = _paths(section)
    rows: dict[str, list[_Hit]] = defaultdict(list)
    cols: dict[str, list[_Hit]] = defaultdict(list)
    groups: list[tuple[int, int, str]] = []
    others: list[int] = []  # rows holding labels of another table only
    for (r, c), segs in index.segs.items():
        last, prefix = segs[-1], segs[:-1]
        if code not in last.sections:
            others.append(r)
            continue
        mine = [m for m in last.meanings if m.section == code]
        kinds = {m.kind for m in mine}
        only = len(mine) == 1
        for m in mine:
            how = _how(segs, m)
            if m.kind == "row" and _groups_fit(prefix, code, "rowgroup", row_paths[m.code]):
                rows[m.code].append(_Hit(r, c, how, only))
            elif m.kind == "col" and _groups_fit(prefix, code, "colgroup", col_paths[m.code]):
                cols[m.code].append(_Hit(r, c, how, only and kinds == {"col"}))
            elif m.kind == "rowgroup":
                groups.append((r, c, m.code))
            elif m.kind == "title":
                others.append(r)  # NOTE: its own title starts it: nothing above is its header
    anchors = sorted((h.r, h.c, k) for k, hits in rows.items() for h in hits if h.only)
    if not anchors:
        return _Layout({}, tuple(r.label for r in section.rows if r.label))
    # NOTE: a header row of the table's own between its rows starts another copy of the table;
    # 表二's blocks each have their header, so there it does not
    heads = (
        []
        if any(r.block for r in section.rows)
        else [h.r for hits in cols.values() for h in hits if h.only]
    )
    others.sort()
    bands = _bands(anchors, sorted(others + heads))
    scored = sorted(bands, key=lambda b: -len({k for _, _, k in b}))
    best = scored[0]
    top_score = len({k for _, _, k in best})
    if len(scored) > 1 and top_score >= 2 and len({k for _, _, k in scored[1]}) == top_score:
        return _Layout(
            {},
            (),
            ambiguous=((section.short, _extent(scored[0]), _extent(scored[1])),),
        )
    top, bottom = min(a[0] for a in best), max(a[0] for a in best)
    lo, hi = min(a[1] for a in best), max(a[1] for a in best)
    above = [o for o in others if o < top]
    below = [o for o in others if o > bottom]
    first = max(top - BAND_SLACK, above[-1] + 1 if above else 0)
    last = min(bottom + BAND_SLACK, below[0] - 1 if below else bottom + BAND_SLACK)
    row_at: dict[str, _Hit] = {}
    ambiguous: list[tuple[str, str, str]] = []
    missing: list[str] = []
    taken: set[int] = set()
    for row in section.rows:
        hits = [h for h in rows.get(row.code, ()) if first <= h.r <= last and lo <= h.c <= hi]
        places = sorted({h.r for h in hits} - taken)
        if len(places) > 1:
            sure = sorted({h.r for h in hits if h.only} - taken)
            places = sure if len(sure) == 1 else places
        if len(places) == 1:
            hit = min((h for h in hits if h.r == places[0]), key=lambda h: _RANK[h.how])
            row_at[row.code] = hit
            taken.add(hit.r)
        elif places:
            a, b = (min(h for h in hits if h.r == p) for p in places[:2])
            ambiguous.append((row.label, address(a.r, a.c), address(b.r, b.c)))
        else:
            missing.append(row.label)
    header_top = max(
        above[-1] + 1 if above else 0,
        top - max(len(c.labels) for c in section.cols) - HEADER_SLACK - 2,
    )
    cells: dict[tuple[str, str], _Cell] = {}
    similar: list[Similar] = []
    missing_cols: set[str] = set()
    header_of: dict[str, tuple[int, int]] = {}
    # NOTE: per column, its header labels in the header window, right of the row labels, by
    # row: each row's header is then the nearest above it (a bisection, not a scan)
    heads_of = {
        k: sorted((h.r, h.c, h.how) for h in hits if h.r >= header_top and h.c > hi)
        for k, hits in cols.items()
    }
    for row in section.rows:
        hit = row_at.get(row.code)
        if hit is None:
            continue
        if hit.how == SIMILAR:
            similar.extend(_similar_of(index, (hit.r, hit.c), _meaning(section, row.code, "row")))
        for col in section.cols_of(row):
            heads = heads_of.get(col.code, ())
            k = bisect_right(heads, (hit.r, -1, "")) - 1
            if k < 0:
                missing_cols.add(col.label)
                continue
            nearest, c, how = heads[k]
            if k > 0 and heads[k - 1][0] == nearest:
                label = f"{row.label}·{col.label}" if section.code == "s2" else col.label
                at = address(nearest, heads[k - 1][1])
                ambiguous.append((label, at, address(nearest, c)))
                continue
            cells[row.code, col.code] = _Cell((hit.r, c), (hit.how, how))
            header_of[col.code] = (nearest, c)
    for col_code, at in header_of.items():
        similar.extend(_similar_of(index, at, _meaning(section, col_code, "col")))
    single: dict[str, tuple[int, int]] = {}
    if code == "s3" and all(r.code not in row_at for r in SINGLE_OTHER_ROWS):
        group = norm(OLD_FORMAT_SINGLE_ROW)
        at = [(r, c) for r, c, g in groups if g == group and first <= r <= last and lo <= c <= hi]
        if len(at) == 1:
            r6 = at[0][0]
            for col in section.cols:
                heads = [h for h in cols.get(col.code, ()) if header_top <= h.r < r6 and h.c > hi]
                if heads:
                    nearest = max(h.r for h in heads)
                    single[col.code] = (r6, min(h.c for h in heads if h.r == nearest))
    return _Layout(
        cells,
        tuple(missing) + tuple(sorted(missing_cols)),
        tuple(dict.fromkeys(similar)),
        tuple(dict.fromkeys(ambiguous)),
        single,
    )


def _meaning(section: Section, code: str, kind: str) -> Meaning:
    label = section.row(code).label if kind == "row" else section.col(code).label
    return Meaning(section.code, kind, code, label)


def _bands(anchors: list[tuple[int, int, str]], others: list[int]) -> list[list]:
    """The anchors cut into bands: a gap of more than BAND_GAP rows, or a row holding another
    table's labels, starts a new one."""
    bands: list[list] = [[anchors[0]]]
    for a in anchors[1:]:
        prev = bands[-1][-1][0]
        cut = bisect_right(others, prev) < len(others) and others[bisect_right(others, prev)] < a[0]
        if a[0] - prev > BAND_GAP or cut:
            bands.append([a])
        else:
            bands[-1].append(a)
    return bands


def _extent(band: list[tuple[int, int, str]]) -> str:
    top, bottom = min(a[0] for a in band), max(a[0] for a in band)
    lo, hi = min(a[1] for a in band), max(a[1] for a in band)
    return f"{address(top, lo)}:{address(bottom, hi)}"


# -- 表四 -------------------------------------------------------------------------------------
_S4_GROUP_ORDER = tuple(S4_GROUPS)  # review, direct, after: the format's order
_S4_RESULT_COUNT = len(S4_RESULTS)


class _Label(NamedTuple):
    i: int  # line (a sheet row, or a column when transposed)
    j: int  # place along the line
    code: str  # result or group key
    group: str  # a group written in the same cell, else ""
    how: str


class _View:
    """A sheet's label cells seen row by row, or (transposed) column by column."""

    def __init__(self, index: SheetIndex, transposed: bool):
        self.index = index
        self.transposed = transposed
        self.segs = {(c, r): s for (r, c), s in index.segs.items()} if transposed else index.segs
        self.lines: dict[int, list[int]] = defaultdict(list)
        for i, j in sorted(self.segs):
            self.lines[i].append(j)

    def sheet(self, i: int, j: int) -> tuple[int, int]:
        return (j, i) if self.transposed else (i, j)

    def covering(
        self, i: int, j: int, lo: int
    ) -> tuple[tuple[int, int], tuple[Segment, ...]] | None:
        """The label cell at or left of (i, j), not left of `lo` (a merged header's text sits at
        its left)."""
        places = self.lines.get(i)
        if not places:
            return None
        k = bisect_right(places, j) - 1
        if k < 0 or places[k] < lo:
            return None
        return (i, places[k]), self.segs[i, places[k]]


def _group_in(segs: tuple[Segment, ...]) -> tuple[str, str] | None:
    """The 表四 group (review, direct, after) a cell names, and how it was matched."""
    for seg in reversed(segs):
        for m in seg.meanings:
            if m.section == "s4" and m.kind == "group":
                return m.code, seg.how
    return None


class _Placement(NamedTuple):
    cells: dict[tuple[str, str], _Cell]
    pending: dict[tuple[str, str], tuple[int, int, tuple[str, str]]]
    runs: tuple[_Run, ...]
    labels: tuple[tuple[int, int], ...]  # sheet cells of the labels used
    duplicates: tuple[tuple[str, str, str], ...]

    @property
    def size(self) -> int:
        return len(self.cells) + len(self.pending)

    def places(self) -> frozenset:
        return frozenset(self.cells) | frozenset(self.pending)


def _s4_layout(index: SheetIndex) -> _Layout:
    placements: list[_Placement] = []
    # NOTE: an orientation is looked at only when one of its lines (or two adjacent ones, as the
    # format's header has them) holds four results or more
    by_row: dict[int, set[str]] = defaultdict(set)
    by_col: dict[int, set[str]] = defaultdict(set)
    for (r, c), segs in index.segs.items():
        if "s4" in segs[-1].sections:
            for m in segs[-1].meanings:
                if m.kind == "result":
                    by_row[r].add(m.code)
                    by_col[c].add(m.code)
    for transposed, lines in ((False, by_row), (True, by_col)):
        if any(len(v | lines.get(i + 1, set())) >= _S4_RESULT_COUNT - 1 for i, v in lines.items()):
            placements.extend(_s4_placements(_View(index, transposed)))
    placements = [p for p in placements if p.size]
    section = SECTIONS["s4"]
    if not placements:
        return _Layout({}, tuple(S4_RESULTS.values()))
    placements.sort(key=lambda p: -p.size)
    best = placements[0]
    rival = next(
        (p for p in placements[1:] if p.size == best.size and p.labels != best.labels), None
    )
    if rival is not None and best.size / len(section.cells) >= 0.5:
        return _Layout(
            {},
            (),
            ambiguous=((section.short, _spot(best.labels), _spot(rival.labels)),),
        )
    missing = tuple(
        c.label if not c.path else f"{c.path[-1]}·{c.label}"
        for c in section.cols
        if ("cases", c.code) not in best.places()
    )
    similar = [
        Similar(at, index.written(*at), _s4_label(seg), seg.score)
        for at in best.labels
        for seg in index.segs[at]
        if seg.how == SIMILAR
    ]
    return _Layout(
        best.cells,
        missing,
        tuple(dict.fromkeys(similar)),
        best.duplicates,
        {},
        best.runs,
        best.pending,
    )


def _s4_label(seg: Segment) -> str:
    return next(m.label for m in seg.meanings if m.section == "s4")


def _spot(labels: tuple[tuple[int, int], ...]) -> str:
    rows = [r for r, _ in labels]
    cols = [c for _, c in labels]
    return f"{address(min(rows), min(cols))}:{address(max(rows), max(cols))}"


def _s4_placements(view: _View) -> list[_Placement]:
    """表四 placed in one orientation: from each header line (or band of adjacent header lines,
    a merged result label reaching down) holding four results or more."""
    results: dict[int, list[_Label]] = defaultdict(list)
    groups: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    boundary: dict[int, list[int]] = defaultdict(list)  # another table's labels, by line
    for (i, j), segs in view.segs.items():
        last = segs[-1]
        result = next((m for m in last.meanings if m.section == "s4" and m.kind == "result"), None)
        if result is not None:
            inside = _group_in(segs[:-1])
            how = _how(segs, result)
            results[i].append(_Label(i, j, result.code, inside[0] if inside else "", how))
            continue
        group = _group_in(segs)
        if group is not None:
            groups[i].append((j, *group))
        elif all(m.section != "s4" for m in last.meanings):
            boundary[i].append(j)
    out = []
    headers = []
    for band in _header_bands(results):
        if len({x.code for x in band}) < _S4_RESULT_COUNT - 1:
            continue
        header = _s4_header(view, band, groups)
        if header is not None:
            headers.append(header)
    out.extend(_merged(headers))
    for i, labels in results.items():
        labels = sorted(labels, key=lambda x: x.j)
        if len({x.code for x in labels}) < _S4_RESULT_COUNT - 1:
            continue
        grid = _s4_grid(view, i, labels, groups, boundary, results)
        if grid is not None:
            out.append(grid)
    return out


def _header_bands(results: dict[int, list[_Label]]) -> list[list[_Label]]:
    """Result labels of adjacent lines whose places do not overlap, as one header each."""
    bands: list[list[_Label]] = []
    last = None
    for i in sorted(results):
        line = results[i]
        places = {x.j for x in line}
        if last is not None and i == last + 1 and not places & {x.j for x in bands[-1]}:
            bands[-1].extend(line)
        else:
            bands.append(list(line))
        last = i
    return [sorted(b, key=lambda x: x.j) for b in bands]


def _merged(headers: list[_Placement]) -> list[_Placement]:
    """Header placements placing different cells (表四 as three small tables, one per group)
    joined into one; a header placing cells already placed starts another placement."""
    out: list[_Placement] = []
    for h in headers:
        target = next((p for p in out if not p.places() & h.places()), None)
        if target is None:
            out.append(h)
            continue
        shift = len(target.runs)
        pending = dict(target.pending)
        pending.update({k: (run + shift, x, how) for k, (run, x, how) in h.pending.items()})
        out[out.index(target)] = _Placement(
            {},
            pending,
            target.runs + h.runs,
            tuple(sorted(set(target.labels) | set(h.labels))),
            target.duplicates + h.duplicates,
        )
    return out


def _s4_header(view: _View, labels: list[_Label], groups) -> _Placement | None:
    """Results in one header (a line, or adjacent lines), each told its group (in its cell,
    above it, left of it or by its order); the figures in the first filled line below."""
    lo = labels[0].j
    bottom = max(x.i for x in labels)
    told: list[tuple[_Label, str, str, tuple[int, int] | None]] = []
    for x in labels:
        if x.group:
            told.append((x, x.group, x.how, None))
            continue
        found = None
        for ii in range(x.i - 1, max(x.i - 1 - HEADER_SLACK, -1), -1):
            cover = view.covering(ii, x.j, lo - 1)
            if cover is not None:
                g = _group_in(cover[1])
                if g is not None:
                    found = (g[0], g[1], cover[0])
                    break
        if found is None:
            left = [(j, g, how) for j, g, how in groups.get(x.i, ()) if lo - 1 <= j < x.j]
            if left:
                j, g, how = max(left)
                found = (g, how, (x.i, j))
        if found is not None:
            told.append((x, found[0], found[1], found[2]))
    if not told and len(labels) == len(S4_GROUPS) * _S4_RESULT_COUNT:
        blocks = [labels[k : k + _S4_RESULT_COUNT] for k in range(0, len(labels), _S4_RESULT_COUNT)]
        if all(len({x.code for x in b}) == _S4_RESULT_COUNT for b in blocks):
            told = [
                (x, group, POSITION, None)
                for group, block in zip(_S4_GROUP_ORDER, blocks, strict=True)
                for x in block
            ]
    if not told:
        return None
    run = _Run(view.transposed, bottom, tuple(x.j for x, *_ in told))
    pending: dict[tuple[str, str], tuple[int, int, tuple[str, str]]] = {}
    where: dict[tuple[str, str], _Label] = {}
    duplicates = []
    used: list[tuple[int, int]] = []
    for x, group, how, group_at in told:
        key = ("cases", f"{group}_{x.code}")
        if key in where:
            duplicates.append(
                (
                    _s4_name(group, x.code),
                    address(*view.sheet(where[key].i, where[key].j)),
                    address(*view.sheet(x.i, x.j)),
                )
            )
            continue
        where[key] = x
        pending[key] = (0, x.j, (POSITION, _worst(x.how, how)))
        used.append(view.sheet(x.i, x.j))
        if group_at is not None:
            used.append(view.sheet(*group_at))
    for name, *_ in duplicates:
        pending.pop(_S4_KEYS[name], None)
    return _Placement({}, pending, (run,), tuple(sorted(set(used))), tuple(duplicates))


_S4_KEYS = {
    f"{path[-1]}·{S4_RESULTS[result]}": ("cases", f"{group}_{result}")
    for group, path in S4_GROUPS.items()
    for result in S4_RESULTS
}


def _s4_name(group: str, result: str) -> str:
    return f"{S4_GROUPS[group][-1]}·{S4_RESULTS[result]}"


def _s4_grid(
    view: _View, i: int, labels: list[_Label], groups, boundary, results
) -> _Placement | None:
    """Results heading a grid: one line per group below, its label left of the results."""
    if any(x.group for x in labels) or len(labels) != len({x.code for x in labels}):
        return None
    lo = labels[0].j
    cells: dict[tuple[str, str], _Cell] = {}
    used = [view.sheet(i, x.j) for x in labels]
    duplicates = []
    seen: dict[str, int] = {}
    # NOTE: another table's labels across the grid's extent end it (not those beside it)
    reach = range(lo - HEADER_SLACK - 2, labels[-1].j + 1)
    # NOTE: so does the next line of results: another grid's header
    stop = min(
        [
            *(b for b, js in boundary.items() if b > i and any(j in reach for j in js)),
            *(b for b in results if b > i),
        ],
        default=None,
    )
    for ii in range(i + 1, i + 1 + 4 * (len(S4_GROUPS) + HEADER_SLACK)):
        if stop is not None and ii >= stop:
            break
        found = [(j, g, how) for j, g, how in groups.get(ii, ()) if j < lo]
        if not found:
            continue
        codes = {g for _, g, _ in found}
        if len(codes) != 1:
            continue
        j, group, how = max(found)
        if group in seen:
            duplicates.append(
                (
                    S4_GROUPS[group][-1],
                    address(*view.sheet(seen[group], j)),
                    address(*view.sheet(ii, j)),
                )
            )
            continue
        seen[group] = ii
        used.append(view.sheet(ii, j))
        for x in labels:
            cells["cases", f"{group}_{x.code}"] = _Cell(view.sheet(ii, x.j), (how, x.how))
    if not cells:
        return None
    for name, *_ in duplicates:
        group = next(g for g, path in S4_GROUPS.items() if path[-1] == name)
        for key in [k for k in cells if k[1].startswith(f"{group}_")]:
            del cells[key]
    return _Placement(cells, {}, (), tuple(sorted(set(used))), tuple(duplicates))
