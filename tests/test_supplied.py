"""Figures the office supplies for the text (raw/<year>/narratives/<unit>.toml): read and checked,
every fault a Chinese message naming the file and the line, and the sample unit's narrative
carrying every figure of its published original when they are passed to it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline import render as rnd
from pipeline.inputs import CannotStart, read_template
from pipeline.render.supplied import SUPPLIED_FIGURES, Supplied, supplied_figures
from tests.helpers import FIXTURES, SAMPLE_RAW

SEED_UNIT = "古县人民政府办公室"
NARRATIVES = SAMPLE_RAW / "2023" / "narratives"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "publication.md"


def test_the_sample_unit_supplies_the_four_figures_of_its_published_report():
    assert supplied_figures(NARRATIVES / f"{SEED_UNIT}.toml", 2023) == Supplied(
        {
            "documents_published": 84,
            "items_released": 1053,
            "interpretations": 33,
            "new_media_accounts": 3,
        }
    )


def test_without_a_file_there_are_no_supplied_figures(tmp_path):
    assert supplied_figures(tmp_path / "甲局.toml", 2023) == Supplied({})


def seed_narrative(**supplied) -> dict[str, str]:
    """The sample unit's narrative rendered with its return's figures and `supplied`."""
    source = read_template(NARRATIVES / f"{SEED_UNIT}.md.j2")
    values = {("s2", "normative", "in_force"): 13, ("s3", "new", "total"): 1}
    context = rnd.narrative_context(
        2023, "本机关", values, unit=SEED_UNIT, county="古县", kind="部门", **supplied
    )
    return rnd.narrative(source, context)


def test_with_its_figures_the_sample_narrative_says_what_the_published_report_says():
    seed = (FIXTURES / "seed_gu_2023.txt").read_text("utf-8")
    part1 = seed_narrative(**supplied_figures(NARRATIVES / f"{SEED_UNIT}.toml", 2023).figures)[
        "part1"
    ]
    for sentence in (
        "全年通过县政府门户网站主动公开县政府、县政府办公室制发的各类文件84件，"
        "发布与群众生产生活密切相关的各类信息1053条。",
        "目前全县共有3个政务新媒体，均运行良好。",
        "全年多样化解读县政府、县政府办公室制发的政策性文件33件。",
    ):
        assert sentence in seed, "the sentence is the original's"
        assert sentence in part1


def test_until_the_figures_are_passed_the_sample_narrative_words_them_without_numbers():
    part1 = seed_narrative()["part1"]
    assert "84件" not in part1 and "1053条" not in part1 and "33件" not in part1
    assert "全县政务新媒体均运行良好。" in part1


def test_a_supplied_figure_the_narrative_uses_but_nobody_supplied_says_where_to_write_it():
    source = (
        "{% block preamble %}前言{% endblock %}"
        "{% block part1 %}发布信息{{ items_released }}条{% endblock %}"
    )
    with pytest.raises(rnd.NarrativeError) as raised:
        rnd.narrative_blocks(source, rnd.narrative_context(2023, "本机关", {}))
    assert "items_released（发布的政府信息条数）没有数字" in str(raised.value)
    assert "narratives/<单位>.toml" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "documents = 84\n",
            "第1行：不认识的名称“documents”。是不是 documents_published？可用的名称：",
        ),
        (
            "# 说明\ndocuments_published = 84.5\n",
            "第2行：documents_published（主动公开的文件数）应为不带引号的整数，如 documents_published = 84，现为 84.5",
        ),
        (
            'items_released = "1053"\n',
            "第1行：items_released（发布的政府信息条数）应为不带引号的整数，如 items_released = 84，现为 “1053”",
        ),
        ("interpretations = true\n", "应为不带引号的整数，如 interpretations = 84，现为 True"),
        (
            "new_media_accounts = -3\n",
            "第1行：new_media_accounts（政务新媒体个数）不能小于0，现为 -3",
        ),
        ("documents_published = 84\ndocuments_published = 85\n", "有语法错误：第2行第"),
        ("documents_published 84\n", "有语法错误：第1行第"),
        ("[figures]\ndocuments_published = 84\n", "第1行：不认识的名称“figures”"),
    ],
)
def test_a_faulty_file_stops_the_run_naming_the_file_and_the_line(tmp_path, text, message):
    path = tmp_path / "甲局.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CannotStart) as raised:
        supplied_figures(path, 2023)
    assert str(raised.value).startswith(f"数字文件 {path} ")
    assert message in str(raised.value)


def test_a_file_saved_in_gbk_is_refused_with_the_way_out(tmp_path):
    path = tmp_path / "甲局.toml"
    path.write_bytes("# 主动公开文件\ndocuments_published = 84\n".encode("gb18030"))
    with pytest.raises(
        CannotStart, match="不是 UTF-8 编码（TOML 文件必须是 UTF-8），请另存为 UTF-8"
    ):
        supplied_figures(path, 2023)


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "甲局.toml"
    path.write_bytes("\ufeffdocuments_published = 84\n".encode())
    assert supplied_figures(path, 2023) == Supplied({"documents_published": 84}, undated=True)


def test_no_supplied_name_hides_a_figure_of_the_tables_or_the_context():
    context = rnd.narrative_context(2023, "本机关", {}, unit="甲局", county="古县", kind="部门")
    assert not set(SUPPLIED_FIGURES) & set(context)
    for name in SUPPLIED_FIGURES:
        assert re.fullmatch(r"[a-z_]+", name), name


def test_the_schema_is_documented_whole():
    docs = DOCS.read_text("utf-8")
    for figure in SUPPLIED_FIGURES.values():
        assert f"| `{figure.name}` | {figure.meaning} | {figure.unit} |" in docs, figure.name
