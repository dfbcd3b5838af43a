"""内容雷同: a narrative part of a report compared with the same part of last year's report of
the same issuer (character 3-grams of the texts with figures and years masked, Jaccard's index)."""

from __future__ import annotations

import re
import unicodedata

from pipeline.files.document import finding
from pipeline.ingest.published.narrative import NARRATIVE_PARTS
from pipeline.ingest.published.read import PublishedReport

SIMILAR = 0.8  # narrative.similar: a part more alike than this to last year's is a warning
# NOTE: a part shorter than this (masked) is not judged: part 六's one sentence "本机关未收取信息
# 处理费" is rightly the same every year
SIMILAR_MIN_CHARS = 50

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
