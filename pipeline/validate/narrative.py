"""The narrative stays honest: leftover placeholders and empty parts are errors, a year copied
from last year's text is a warning.

Checked on the text as rendered for the report at hand (so a `{{ year }}` prints the report's year
and passes), before part 六's fee sentence is added (so an empty part 六 is seen as empty).
"""

from __future__ import annotations

import re

import pandas as pd

from pipeline.format2021 import PARTS
from pipeline.problems import finding, findings_table

PART_NAMES = {
    "preamble": "开头",
    "part1": f"第一部分（{PARTS['一']}）",
    "part5": f"第五部分（{PARTS['五']}）",
    "part6": f"第六部分（{PARTS['六']}）",
}
MUST_HAVE_TEXT = ("part5", "part6")

# NOTE: a run of X or × stands for a figure not filled in; Latin letters around it (`xxgk` in a
# website address) mean it is a word, not a placeholder
PLACEHOLDER = re.compile(
    r"(?<![A-Za-z])(?:[XxＸｘ]{2,}|[×＊*]{2,}|[□○]{2,})(?![A-Za-z])"
    r"|待补充|待填写|(?<![A-Za-z])(?:TODO|TBD|FIXME)(?![A-Za-z])"
)
_CN_DIGITS = dict(zip("〇零一二三四五六七八九", "0012345678" + "9", strict=True))
YEAR = re.compile(
    r"(?<![\d〇零一二三四五六七八九])((?:19|20)\d{2}|[〇零一二][〇零一二三四五六七八九]{3})\s*年"
)
EXCERPT = 16  # characters shown either side of a finding


def narrative_findings(
    blocks: dict[str, str], year: int, *, report: str, unit: str, file: str
) -> pd.DataFrame:
    """Every leftover placeholder, empty part and year other than `year` in the narrative `blocks`."""
    records = []
    where = {"report": report, "unit": unit, "file": file, "section": "narrative"}
    for block, text in blocks.items():
        part = {**where, "row": block, "part": PART_NAMES.get(block, block), "block": block}
        if block in MUST_HAVE_TEXT and not text.strip():
            records.append(finding("narrative.empty_part", **part))
        for match in PLACEHOLDER.finditer(text):
            records.append(
                finding(
                    "narrative.placeholder",
                    **part,
                    text=match.group(0),
                    excerpt=_excerpt(text, match),
                )
            )
        for match in YEAR.finditer(text):
            written = _year(match.group(1))
            if written < year and not _elsewhere(text, match):
                records.append(
                    finding(
                        "narrative.year",
                        **part,
                        text=match.group(0),
                        value=written,
                        expected=year,
                        year=year,
                        excerpt=_excerpt(text, match),
                    )
                )
    return findings_table(records)


# NOTE: an earlier year is fine where it is compared with (较2022年, 与2022年相比, 2022年同期),
# where a law's revision or a document's date names it (2019年修订, 2008年5月1日起施行), and a
# later year is a plan (下一步，2024年将…); it is suspect where this year's should stand
_COMPARED = re.compile(r"(较|比|与|同比|相比|对比|上年|去年|自|从|截至|截止)\s*$")
_DATED = re.compile(
    r"^(度)?\s*(同期|以来|\d{1,2}\s*月\s*\d{1,2}\s*日|[^，。；\n]{0,3}(修订|修正|颁布|印发|发布|公布|施行|实施|出台|制定|通过))"
)


def _elsewhere(text: str, match: re.Match) -> bool:
    """Whether an earlier year stands where an earlier year belongs (not copied text)."""
    before = text[max(0, match.start() - 4) : match.start()]
    return bool(_COMPARED.search(before) or _DATED.match(text[match.end() : match.end() + 16]))


def _year(text: str) -> int:
    return int("".join(_CN_DIGITS.get(ch, ch) for ch in text))


def _excerpt(text: str, match: re.Match) -> str:
    start, end = max(0, match.start() - EXCERPT), min(len(text), match.end() + EXCERPT)
    return re.sub(r"\s+", "", text[start:end])
