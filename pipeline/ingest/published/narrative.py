"""The report's text: its six parts, the figures it restates, part 六's fee sentence, and how
much of it repeats the previous year's (内容雷同).

Parts are found by their headings (一、总体情况 … 六、其他需要报告的事项), in order. The figures
the text gives for 新收/受理/收到, 办结, 结转, 行政复议 and 行政诉讼 are compared with the tables:
受理/收到 means 新收 in some reports and 新收 + 上年结转 in others, so either is accepted and the
comparison says which matched. Similarity of a part to last year's: both texts with every figure
and year masked, as sets of character 3-grams, compared by Jaccard's index |A∩B| / |A∪B|.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.files.document import Document, Line, finding
from pipeline.format2021 import PARTS, S6
from pipeline.ingest.fees import FEE_COLS, as_read, fee_statement
from pipeline.ingest.published.cells import CellRecord
from pipeline.ingest.published.layout import HEADINGS, ORDER
from pipeline.validate.localise import Cell

NUMERALS = dict(zip(ORDER, "一二三四五六", strict=True))
NARRATIVE_PARTS = ("一", "五", "六")  # the parts written as text (二 to 四 are tables)
FEE_TEXT_SHOWN = 120  # characters of part 六 a message quotes


@dataclass(frozen=True)
class Part:
    """One of the six parts: its numeral, its text and where its heading stands."""

    numeral: str
    text: str
    where: str
    start: int = 0  # where the text starts in the document's joined text


def _joined(lines: tuple[Line, ...]) -> tuple[str, list[int]]:
    """The lines' text as the fee grammar reads it (NFKC, a superscript, circled or
    struck-through digit a mark, never a digit: `as_read`), joined, and where each line starts
    in it."""
    texts = [as_read(line.text) for line in lines]
    starts, pos = [], 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + 1
    return "\n".join(texts), starts


def _where(lines: tuple[Line, ...], starts: list[int], offset: int) -> str:
    """Where the character at `offset` of the joined text stands (its line, and its character in
    a long line)."""
    if not lines:
        return ""
    i = max(0, bisect_right(starts, offset) - 1)
    where = lines[i].where
    if len(lines[i].text) > 120:
        where += f":ch{offset - starts[i] + 1}"
    return where


def parts(doc: Document) -> dict[str, Part]:
    """The parts found, by numeral (一 … 六), each with the text under its heading."""
    text, starts = _joined(doc.lines)
    found: list[tuple[int, int, str]] = []
    after = 0
    for code in ORDER:
        m = HEADINGS[code].search(text, after)
        if m:
            found.append((m.start(), m.end(), code))
            after = m.end()
    out = {}
    for i, (start, end, code) in enumerate(found):
        stop = found[i + 1][0] if i + 1 < len(found) else len(text)
        body = text[end:stop]
        # NOTE: `start` is where the stripped text begins in the joined text, so a figure found
        # in the part is placed at its own line (not counted from the document's first line)
        lead = len(body) - len(body.lstrip())
        out[NUMERALS[code]] = Part(
            NUMERALS[code], body.strip(), _where(doc.lines, starts, start), end + lead
        )
    return out


def part_findings(doc: Document, found: dict[str, Part]) -> list[dict[str, object]]:
    """A finding for each part whose heading is missing, or whose text is empty."""
    out = []
    for numeral, title in PARTS.items():
        part = found.get(numeral)
        if part is None:
            out.append(
                finding(
                    "narrative.missing_part",
                    file=doc.file,
                    part=numeral,
                    title=title,
                    detail="",
                    section="narrative",
                    row=f"part{numeral}",
                )
            )
        elif numeral in NARRATIVE_PARTS and not re.sub(r"\W", "", part.text):
            out.append(
                finding(
                    "narrative.missing_part",
                    file=doc.file,
                    part=numeral,
                    title=title,
                    detail="（标题下没有内容）",
                    where=part.where,
                    section="narrative",
                    row=f"part{numeral}",
                )
            )
    return out


# -- figures the text restates ------------------------------------------------------------------
@dataclass(frozen=True)
class Sentence:
    """One pattern of the closed table of sentences that restate a figure of the tables: what it
    states, and the readings of the tables it is compared with, each a name and the cells summed
    (受理 is 新收 in some reports and 新收 + 上年结转 in others)."""

    what: str
    pattern: re.Pattern[str]
    readings: tuple[tuple[str, tuple[Cell, ...]], ...]

    @property
    def cell(self) -> Cell | None:
        """The one cell the sentence names, when it names one (only such a sentence is evidence
        for reading a cell that the tables alone leave open)."""
        if len(self.readings) == 1 and len(self.readings[0][1]) == 1:
            return self.readings[0][1][0]
        return None


_N = r"(\d+)\s*件"
_GAP = r"[^。；;，,\d]{0,6}?"
_NEW = ("s3", "new", "total")
_CARRIED_IN = ("s3", "carried_in", "total")
_NORMATIVE = r"(?:行政)?规范性文件"
# NOTE: the one table of sentences: docs/published.md lists it. Each figure is the pattern's last
# group; a sentence is met once (the first pattern matching where it starts).
SENTENCES = (
    Sentence(
        "received",
        re.compile(r"(收到|受理|接收)[^。；;，,\d]{0,30}?申请" + _GAP + _N),
        (("新收", (_NEW,)), ("新收+上年结转", (_NEW, _CARRIED_IN))),
    ),
    Sentence(
        "received",
        re.compile(r"(收到|受理|接收)\s*(\d+)\s*件[^。；;，,\d]{0,12}?申请"),
        (("新收", (_NEW,)), ("新收+上年结转", (_NEW, _CARRIED_IN))),
    ),
    Sentence(
        "new",
        re.compile(r"(新收)[^。；;，,\d]{0,20}?申请" + _GAP + _N),
        (("新收", (_NEW,)),),
    ),
    Sentence(
        "closed",
        re.compile(r"(办结)[^。；;，,\d]{0,14}?" + _N),
        (("（七）总计", (("s3", "outcome_total", "total"),)),),
    ),
    Sentence(
        "carried_out",
        re.compile(r"()" + _N + r"\s*结转下一?年度?"),
        (("结转下年度", (("s3", "carried_out", "total"),)),),
    ),
    Sentence(
        "carried_out",
        re.compile(r"(结转下一?年度?)[^。；;，,\d]{0,10}?" + _N),
        (("结转下年度", (("s3", "carried_out", "total"),)),),
    ),
    Sentence(
        "carried_in",
        re.compile(r"(上年(?:度)?结转)" + _GAP + _N),
        (("上年结转", (_CARRIED_IN,)),),
    ),
    Sentence(
        "review",
        re.compile(r"(行政复议)(?:案件)?" + _GAP + _N),
        (("行政复议总计", (("s4", "cases", "review_total"),)),),
    ),
    Sentence(
        "suit",
        re.compile(r"(行政诉讼)(?:案件)?" + _GAP + _N),
        (("行政诉讼总计", (("s4", "cases", "direct_total"), ("s4", "cases", "after_total"))),),
    ),
    Sentence(
        "normative_in_force",
        re.compile(r"(现行有效)[^。；;，,\d]{0,6}?" + _NORMATIVE + r"\s*(?:共|为)?\s*" + _N),
        (("现行有效件数", (("s2", "normative", "in_force"),)),),
    ),
    Sentence(
        "normative_issued",
        re.compile(
            r"(本年度?|全年|年内)[^。；;，,\d]{0,10}?制发[^。；;，,\d]{0,4}?"
            + _NORMATIVE
            + r"\s*(?:共|为)?\s*"
            + _N
        ),
        (("本年制发件数", (("s2", "normative", "issued"),)),),
    ),
)
WHAT = {
    "received": "收到（受理）的申请",
    "new": "本年新收申请",
    "closed": "办结的申请",
    "carried_out": "结转下年度的申请",
    "carried_in": "上年结转的申请",
    "review": "行政复议",
    "suit": "行政诉讼",
    "normative_in_force": "现行有效的行政规范性文件",
    "normative_issued": "本年制发的行政规范性文件",
}


@dataclass(frozen=True)
class Statement:
    """A sentence of the report's text restating a figure: its pattern, the words, the figure
    and where it stands."""

    sentence: Sentence
    text: str
    value: int
    where: str


def statements(doc: Document, found: dict[str, Part]) -> list[Statement]:
    """The figures the text restates (part 一's; the whole text's when part 一 is not found), each
    by the first sentence pattern that matches where it starts."""
    part = found.get("一")
    joined, starts = _joined(doc.lines)
    text, base = (part.text, part.start) if part else (joined, 0)
    out: list[Statement] = []
    seen: set[int] = set()
    for sentence in SENTENCES:
        for m in sentence.pattern.finditer(text):
            if m.start() in seen:
                continue
            seen.add(m.start())
            where = _where(doc.lines, starts, base + m.start())
            # NOTE: each pattern's figure is its last group
            out.append(Statement(sentence, m.group(0), int(m.groups()[-1]), where))
    return out


@dataclass(frozen=True)
class Candidates:
    """The figures an unread cell may hold (the splits of its digits, or the placements of rows
    whose label was lost), and the words that say where they come from."""

    values: tuple[int, ...]
    source: str  # e.g. `“77132470”拆分后的`


@dataclass(frozen=True)
class TextChoice:
    """Which of several readings the report's own text agrees with: the one (its index), or
    None; and the statements it agrees with (its evidence)."""

    chosen: int | None
    evidence: tuple[Statement, ...] = ()


def chosen_by_text(options: Sequence[Mapping[Cell, int]], said: Sequence[Statement]) -> TextChoice:
    """The one reading among `options` (each the figures it gives its cells) that the sentences
    naming one of their cells agree with; a sentence no option agrees with is left out (a
    warning about the report, `figures`), and a reading without a figure for a sentence's cell
    neither agrees nor disagrees with it."""
    usable = [
        (cell, s)
        for s in said
        if (cell := s.sentence.cell) is not None and any(o.get(cell) == s.value for o in options)
    ]
    if not usable:
        return TextChoice(None)
    fits = []
    for i, option in enumerate(options):
        agree = tuple(s for cell, s in usable if option.get(cell) == s.value)
        clash = any(option.get(cell) not in (None, s.value) for cell, s in usable)
        if agree and not clash:
            fits.append((i, agree))
    if len(fits) == 1:
        return TextChoice(*fits[0])
    return TextChoice(None)


def figures(
    doc: Document,
    said: Sequence[Statement],
    values: Mapping[Cell, int],
    candidates: Mapping[Cell, Candidates] | None = None,
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The figures the text gives (each with what it was compared with and which reading of the
    tables matched), and a warning for each that matches no reading of the tables: against a
    figure read, or against every figure an unread cell may hold (`candidates`)."""
    candidates = candidates or {}
    out, problems = [], []
    for st in said:
        known = []
        for name, cells in st.sentence.readings:
            parts = [values.get(c) for c in cells]
            if all(p is not None for p in parts):
                known.append((name, sum(p for p in parts if p is not None)))
        matched = [name for name, v in known if v == st.value]
        record = {
            "what": st.sentence.what,
            "text": st.text,
            "value": st.value,
            "where": st.where,
            "matched": "、".join(matched),
            "compared": "、".join(f"{n}={v}" for n, v in known),
        }
        out.append(record)
        # NOTE: 新收 and 新收 + 上年结转 are one figure when nothing was carried in
        expected = "或".join(dict.fromkeys(str(v) for _, v in known)) if known else ""
        cell = st.sentence.cell
        if not known and cell is not None and cell in candidates:
            options = candidates[cell]
            record["compared"] = "可能为" + "、".join(map(str, options.values))
            if st.value not in options.values:
                shown = sorted(options.values)
                listed = "、".join(map(str, shown[:-1])) + ("或" if len(shown) > 1 else "")
                expected = f"{options.source}{listed}{shown[-1]}"
        elif not known or matched:
            continue
        if expected:
            problems.append(
                finding(
                    "narrative.figure_mismatch",
                    file=doc.file,
                    section="narrative",
                    row=st.sentence.what,
                    where=st.where,
                    text=st.text,
                    what=WHAT[st.sentence.what],
                    value=st.value,
                    expected=expected,
                )
            )
    return out, problems


# -- part 六: the information-processing fees ---------------------------------------------------
def fees(doc: Document, found: dict[str, Part]) -> tuple[list[CellRecord], list[dict[str, object]]]:
    """Part 六's fee figures as s6 cells, read by the one fee grammar (`pipeline.ingest.fees`):
    each figure stated `written` where it stands, all three `stated_none` for a text saying none
    was collected, the others unread; a finding for what is unread, or for a part 六 that says
    nothing of the fees."""
    part = found.get("六")
    if part is None:
        # NOTE: narrative.missing_part says the heading is missing; nothing is said of the fees
        return [
            _fee_cell(c, None, "", "", "unread", "narrative.missing_part") for c in FEE_COLS
        ], []
    starts = _joined(doc.lines)[1]

    def at(offset: int) -> str:
        return _where(doc.lines, starts, part.start + offset)

    stated = fee_statement(part.text)
    if stated is None:
        cells = [
            _fee_cell(c, None, "", part.where, "unread", "audit.fees_unstated") for c in FEE_COLS
        ]
        return cells, [
            finding(
                "audit.fees_unstated", file=doc.file, section="s6", row="fees", where=part.where
            )
        ]
    cells = []
    for col in FEE_COLS:
        figure = stated.figures.get(col)
        if figure is None:
            cells.append(_fee_cell(col, None, "", part.where, "unread", "audit.fees_unread"))
            continue
        value = int(figure.value.scaleb(S6.col(col).scale))
        how = "stated_none" if stated.none else "written"
        cells.append(_fee_cell(col, value, figure.text, at(figure.start), how))
    if not stated.unread:
        return cells, []
    first = min((f.start for f in stated.figures.values()), default=0)
    shown = part.text if len(part.text) <= FEE_TEXT_SHOWN else part.text[:FEE_TEXT_SHOWN] + "…"
    return cells, [
        finding(
            "audit.fees_unread",
            file=doc.file,
            section="s6",
            row="fees",
            col=" ".join(stated.unread),
            where=at(first) if stated.figures else part.where,
            text=shown,
            reason="；".join(
                "".join(f"“{S6.col(c).label}”" for c in cols) + why
                for why, cols in _by_reason(stated.unread).items()
            ),
        )
    ]


def _by_reason(unread: dict[str, str]) -> dict[str, list[str]]:
    """The unread fee columns grouped by why they are unread."""
    out: dict[str, list[str]] = {}
    for col, why in unread.items():
        out.setdefault(why, []).append(col)
    return out


def _fee_cell(
    col: str, value: int | None, text: str, where: str, read_as: str, problem: str = ""
) -> CellRecord:
    """The record of one of part 六's fee cells."""
    return {
        "section": "s6",
        "row": "fees",
        "col": col,
        "value": value,
        "text": text,
        "where": where,
        "read_as": read_as,
        "problem": problem,
    }
