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
import unicodedata
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.audit.cells import CellRecord
from pipeline.audit.layout import HEADINGS, ORDER
from pipeline.files.document import Document, Line, finding
from pipeline.format2021 import PARTS, S6
from pipeline.ingest.fees import FEE_COLS, as_read, fee_statement
from pipeline.validate.localise import Cell

if TYPE_CHECKING:
    from pipeline.audit.read import PublishedReport

NUMERALS = dict(zip(ORDER, "一二三四五六", strict=True))
NARRATIVE_PARTS = ("一", "五", "六")  # the parts written as text (二 to 四 are tables)
SIMILAR = 0.8  # narrative.similar: a part more alike than this to last year's is a warning
# NOTE: a part shorter than this (masked) is not judged: part 六's one sentence "本机关未收取信息
# 处理费" is rightly the same every year
SIMILAR_MIN_CHARS = 50
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
_N = r"(\d+)\s*件"
_GAP = r"[^。；;，,\d]{0,6}?"
FIGURE_PATTERNS = (
    ("received", re.compile(r"(收到|受理|接收)[^。；;，,\d]{0,30}?申请" + _GAP + _N)),
    ("received", re.compile(r"(收到|受理|接收)\s*(\d+)\s*件[^。；;，,\d]{0,12}?申请")),
    ("new", re.compile(r"(新收)[^。；;，,\d]{0,20}?申请" + _GAP + _N)),
    ("closed", re.compile(r"(办结)[^。；;，,\d]{0,14}?" + _N)),
    ("carried_out", re.compile(r"()" + _N + r"\s*结转下一?年度?")),
    ("carried_out", re.compile(r"(结转下一?年度?)[^。；;，,\d]{0,10}?" + _N)),
    ("carried_in", re.compile(r"(上年(?:度)?结转)" + _GAP + _N)),
    ("review", re.compile(r"(行政复议)(?:案件)?" + _GAP + _N)),
    ("suit", re.compile(r"(行政诉讼)(?:案件)?" + _GAP + _N)),
)
WHAT = {
    "received": "收到（受理）的申请",
    "new": "本年新收申请",
    "closed": "办结的申请",
    "carried_out": "结转下年度的申请",
    "carried_in": "上年结转的申请",
    "review": "行政复议",
    "suit": "行政诉讼",
}


def _table(values: Mapping[Cell, int], section: str, row: str, col: str) -> int | None:
    """A figure of the tables, None when unread."""
    return values.get((section, row, col))


def figures(
    doc: Document, found: dict[str, Part], values: Mapping[Cell, int]
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The figures the text gives (each with what it was compared with and which reading of the
    tables matched), and a finding for each that matches none."""
    part = found.get("一")
    joined, starts = _joined(doc.lines)
    text, base = (part.text, part.start) if part else (joined, 0)
    new = _table(values, "s3", "new", "total")
    carried_in = _table(values, "s3", "carried_in", "total")
    readings = {
        "received": [
            ("新收", new),
            ("新收+上年结转", None if new is None or carried_in is None else new + carried_in),
        ],
        "new": [("新收", new)],
        "closed": [("（七）总计", _table(values, "s3", "outcome_total", "total"))],
        "carried_out": [("结转下年度", _table(values, "s3", "carried_out", "total"))],
        "carried_in": [("上年结转", carried_in)],
        "review": [("行政复议总计", _table(values, "s4", "cases", "review_total"))],
        "suit": [("行政诉讼总计", _sum(values, "direct_total", "after_total"))],
    }
    out, problems, seen = [], [], set()
    for what, rx in FIGURE_PATTERNS:
        for m in rx.finditer(text):
            if m.start() in seen:
                continue
            seen.add(m.start())
            value = int(m.groups()[-1])  # NOTE: each pattern's figure is its last group
            where = _where(doc.lines, starts, base + m.start())
            options = readings[what]
            matched = [name for name, v in options if v is not None and v == value]
            known = [(name, v) for name, v in options if v is not None]
            record = {
                "what": what,
                "text": m.group(0),
                "value": value,
                "where": where,
                "matched": "、".join(matched),
                "compared": "、".join(f"{n}={v}" for n, v in known),
            }
            out.append(record)
            if known and not matched:
                problems.append(
                    finding(
                        "narrative.figure_mismatch",
                        file=doc.file,
                        section="narrative",
                        row=what,
                        where=where,
                        text=m.group(0),
                        what=WHAT[what],
                        value=value,
                        # NOTE: 新收 and 新收 + 上年结转 are one figure when nothing was carried in
                        expected="或".join(dict.fromkeys(str(v) for _, v in known)),
                    )
                )
    return out, problems


def _sum(values: Mapping[Cell, int], *cols: str) -> int | None:
    """The sum of 表四's figures `cols`, None when one is unread."""
    parts = [values.get(("s4", "cases", c)) for c in cols]
    known = [p for p in parts if p is not None]
    return sum(known) if len(known) == len(parts) else None


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


# -- 内容雷同 ------------------------------------------------------------------------------------
_FIGURE = re.compile(r"\d+(?:\.\d+)?|[〇零一二三四五六七八九]{4}(?=年)")


def masked(text: str) -> str:
    """A part's text with figures and years masked and spacing and punctuation removed."""
    t = unicodedata.normalize("NFKC", text)
    t = _FIGURE.sub("#", t)
    return re.sub(r"[\s\W_]+", "", t)


def similarity(a: str, b: str) -> float:
    """Jaccard's index of the character 3-grams of two masked texts (0 when either is empty)."""
    ga, gb = _grams(masked(a)), _grams(masked(b))
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / len(ga | gb)


def _grams(t: str) -> set[str]:
    """The character 3-grams of a text."""
    return {t[i : i + 3] for i in range(len(t) - 2)}


def similar_findings(
    this: PublishedReport, last: PublishedReport, threshold: float = SIMILAR
) -> list[dict[str, object]]:
    """For two reports of one issuer (`this` and the year before, `last`), a
    warning for each narrative part more alike than `threshold`; every ratio is in `ratios`."""
    out = []
    for numeral in NARRATIVE_PARTS:
        a, b = this.parts.get(numeral), last.parts.get(numeral)
        if (
            a is None
            or b is None
            or min(len(masked(a.text)), len(masked(b.text))) < SIMILAR_MIN_CHARS
        ):
            continue
        ratio = similarity(a.text, b.text)
        if ratio > threshold:
            out.append(
                finding(
                    "narrative.similar",
                    file=this.file,
                    unit=this.issuer,
                    issuer=this.issuer,
                    year=this.year,
                    last_year=last.year,
                    part=numeral,
                    section="narrative",
                    row=f"part{numeral}",
                    where=a.where,
                    ratio=f"{ratio:.2f}",
                    value=f"{ratio:.2f}",
                    threshold=threshold,
                )
            )
    return out


def part_similarities(this: PublishedReport, last: PublishedReport) -> dict[str, float]:
    """The similarity of each narrative part found in both reports, by numeral."""
    return {
        n: round(similarity(this.parts[n].text, last.parts[n].text), 4)
        for n in NARRATIVE_PARTS
        if n in this.parts and n in last.parts
    }
