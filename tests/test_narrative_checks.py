"""The narrative stays honest: placeholders, empty parts and other years are findings."""

import pytest

from pipeline import render as rnd
from pipeline.validate.narrative import narrative_findings

CLEAN = {
    "preamble": "根据《条例》（国办公开办函〔2021〕30号）编制了2023年度报告。",
    "part1": "2023年，本机关新收申请3件。网址 http://www.gx.gov.cn/xxgk/。",
    "part5": "存在的问题……",
    "part6": "本机关2023年度未收取政府信息公开信息处理费。",
}


def found(blocks: dict, year: int = 2023) -> list[tuple[str, str, str]]:
    table = narrative_findings(blocks, year, report="本机关报告", unit="甲局", file="n.md.j2")
    return [(f.rule, f.row, f.text) for f in table.itertuples()]


def test_a_clean_narrative_has_no_findings():
    assert found(CLEAN) == []


@pytest.mark.parametrize(
    ("part1", "expected"),
    [
        ("全年公开文件XX件。", ("narrative.placeholder", "part1", "XX")),
        ("全年公开文件××件。", ("narrative.placeholder", "part1", "××")),
        ("全年公开文件ＸＸＸ件。", ("narrative.placeholder", "part1", "ＸＸＸ")),
        ("平台建设情况待补充。", ("narrative.placeholder", "part1", "待补充")),
        ("TODO: 写平台建设", ("narrative.placeholder", "part1", "TODO")),
        ("2022年，本机关新收申请3件。", ("narrative.year", "part1", "2022年")),
        ("二〇二二年度工作", ("narrative.year", "part1", "二〇二二年")),
    ],
)
def test_leftovers_and_other_years_are_errors_at_their_part(part1, expected):
    assert found(CLEAN | {"part1": part1}) == [expected]


@pytest.mark.parametrize("part", ["part5", "part6"])
def test_an_empty_part_five_or_six_is_an_error(part):
    assert found(CLEAN | {part: "  "}) == [("narrative.empty_part", part, "")]


def test_the_message_quotes_the_text_around_the_leftover():
    table = narrative_findings(
        CLEAN | {"part1": "全年主动公开文件XX件，发布信息1053条。"},
        2023,
        report="甲局本机关报告",
        unit="甲局",
        file="narratives/甲局.md.j2",
    )
    (message,) = table["message"]
    assert message.startswith(
        "甲局本机关报告第一部分（总体情况）有未替换的占位文字“XX”：“全年主动公开文件XX件，发布信息1053条。”。"
    )
    assert table.loc[0, "severity"] == "error" and table.loc[0, "file"] == "narratives/甲局.md.j2"


def test_the_default_unit_narrative_is_clean_for_any_year():
    for year in (2021, 2023, 2030):
        blocks = rnd.narrative_blocks(
            rnd.default_narrative(),
            rnd.narrative_context(year, "本机关", {}, unit="甲局", full_name="古县甲局"),
        )
        assert found(blocks, year) == []
