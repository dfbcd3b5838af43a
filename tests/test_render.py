"""Render: the reports show every figure, laid out as the format prints it."""

import re

import pytest

from pipeline import render as rnd
from pipeline.format2021 import PARTS
from pipeline.paths import Paths
from pipeline.run import run_ingest, run_render_unit, run_validate
from tests.helpers import FIXTURES, SAMPLE_RAW, command_line, html_values

SEED_UNIT = "古县人民政府办公室"


def seed_figures() -> dict[str, list[str]]:
    """The numbers of tables 二, 三 and 四 of the published seed report, in reading order."""
    text = (FIXTURES / "seed_gu_2023.txt").read_text(encoding="utf-8")
    parts = re.split(r"\n(?=[二三四五]、)", text)
    tables = {p[0]: p for p in parts if p[0] in "二三四"}
    return {k: re.findall(r"^\s*(\d+)\s*$", v, flags=re.M) for k, v in tables.items()}


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory) -> tuple[str, str]:
    out = tmp_path_factory.mktemp("out")
    paths = Paths(SAMPLE_RAW, out, 2023)
    run_ingest(paths)
    run_validate(paths)
    result = run_render_unit(paths, SEED_UNIT)
    assert not result.blocked
    return paths.unit_report_html(SEED_UNIT).read_text("utf-8"), paths.unit_report_md(
        SEED_UNIT
    ).read_text("utf-8")


def test_the_seed_has_the_figures_we_expect_to_find():
    figures = seed_figures()
    # the seed leaves 行政规范性文件·本年制发件数 blank: 9 numbers in table 二, not 10
    assert [len(figures[k]) for k in "二三四"] == [9, 175, 15]


def test_the_seed_unit_report_shows_every_figure_of_the_seed_tables(seed_report):
    html, _ = seed_report
    ours = dict(zip("二三四", html_values(html), strict=True))
    seed = seed_figures()
    # our table 二 reads the blank 本年制发件数 (4th value) as 0, as raw/2023/README.md says
    assert ours["二"][3] == "0"
    assert ours["二"][:3] + ours["二"][4:] == seed["二"]
    assert ours["三"] == seed["三"]
    assert ours["四"] == seed["四"]


def test_the_seed_unit_report_states_that_no_processing_fee_was_collected(seed_report):
    html, md = seed_report
    assert "本机关2023年度未收取政府信息公开信息处理费。" in html
    assert "本机关2023年度未收取政府信息公开信息处理费。" in md
    assert "六、其他需要报告的事项" in md


def test_the_html_report_merges_headers_as_the_format_does(seed_report):
    html, _ = seed_report
    assert (
        '<th class="header c0" rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</th>'
        in html
    )
    # a short label breaks only between its words (三、 | 本年度 | 办理结果, 商业 | 企业)
    assert (
        '<td class="label c0" rowspan="22"><span class="kw">三、<wbr>本年度<wbr>办理结果</span></td>'
        in html
    )
    assert '<th class="header"><span class="kw">商业<wbr>企业</span></th>' in html
    assert '<th class="header" colspan="10"><span class="kw slide">行政诉讼</span></th>' in html
    for part, title in PARTS.items():
        assert f"{part}、{title}" in html


@pytest.mark.parametrize(
    ("values", "sentence"),
    [
        ({}, "本机关2023年度未收取政府信息公开信息处理费。"),
        (
            {
                ("s6", "fees", "notices"): 2,
                ("s6", "fees", "notice_amount"): 30050,
                ("s6", "fees", "collected"): 15000,
            },
            "本机关2023年度共发出政府信息公开信息处理费收费通知2件，收费通知总金额300.5元，实际收取150元。",
        ),
        (
            {("s6", "fees", "notices"): 1, ("s6", "fees", "notice_amount"): 10000},
            "本机关2023年度共发出政府信息公开信息处理费收费通知1件，收费通知总金额100元，未实际收取信息处理费。",
        ),
    ],
)
def test_the_fee_sentence_comes_from_the_fee_figures(values, sentence):
    assert rnd.fee_statement("本机关", 2023, values) == sentence


def test_a_narrative_placeholder_typo_is_an_error_not_a_blank():
    source = "{% block preamble %}x{% endblock %}{% block part1 %}{{ s3.new.totl }}{% endblock %}{% block part5 %}x{% endblock %}{% block part6 %}x{% endblock %}"
    with pytest.raises(rnd.NarrativeError):
        rnd.narrative(source, rnd.narrative_context(2023, "全县", {}))


def test_narrative_figures_come_from_the_data():
    source = "{% block preamble %}p{% endblock %}{% block part1 %}新收{{ s3.new.total }}件，收费{{ s2.fees.amount }}万元{% endblock %}{% block part5 %}x{% endblock %}{% block part6 %}{{ fee_statement }}{% endblock %}"
    parts = rnd.narrative(
        source,
        rnd.narrative_context(
            2023, "全县", {("s3", "new", "total"): 43, ("s2", "fees", "amount"): 456543700}
        ),
    )
    assert parts["part1"] == "新收43件，收费456.5437万元"


def test_a_unit_with_errors_gets_no_report(tmp_path):
    from tests.helpers import raw_year, with_totals

    bad = with_totals({("s3", "new", "natural"): 1}) | {("s3", "new", "total"): 5}
    paths = raw_year(tmp_path, {"甲局": bad})
    run_ingest(paths)
    run_validate(paths)
    result = run_render_unit(paths, "甲局")
    assert result.blocked and "甲局的报表有" in result.message
    assert not paths.unit_report_html("甲局").exists()


def test_without_its_own_text_the_county_report_speaks_of_the_county_not_of_one_body(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app
    from tests.helpers import raw_year, with_totals

    paths = raw_year(
        tmp_path,
        {"古县水利局": with_totals({("s3", "new", "natural"): 2, ("s3", "granted", "natural"): 2})},
    )
    args = command_line(paths, "report")
    assert CliRunner().invoke(app, args).exit_code == 0
    md = paths.report_md.read_text("utf-8")
    assert "全县本年新收政府信息公开申请2件" in md
    assert "本机关制发" not in md and "本机关政府信息公开工作" not in md


def test_a_text_placeholder_is_escaped_exactly_once_in_every_format():
    import html as _html
    import io

    from docx import Document

    from pipeline.render import word

    source = (
        "{% block preamble %}{{ unit }}{% endblock %}{% block part1 %}一{% endblock %}"
        "{% block part5 %}五{% endblock %}{% block part6 %}六{% endblock %}"
    )
    name = "O'Brien & <Co> “局”"
    parts = rnd.narrative(source, rnd.narrative_context(2023, "本机关", {}, unit=name))
    assert parts["preamble"] == name
    report = rnd.Report("题", "", 2023, "本机关", {}, parts)
    page = rnd.report_html(report)
    # once: the page shows the name as written (jinja2 writes ' as &#39;)
    assert "<p>O&#39;Brien &amp; &lt;Co&gt; “局”</p>" in page
    assert f"<p>{name}</p>" in _html.unescape(page)
    assert f"\n{name}\n" in rnd.report_md(report)
    doc = Document(io.BytesIO(word.report_docx(report)))
    assert name in [p.text for p in doc.paragraphs]


def test_the_markdown_report_holds_the_three_tables_as_html_with_their_merges(seed_report):
    from markdown_it import MarkdownIt

    from pipeline.format2021 import PRINTED_SECTIONS, printed
    from tests.helpers import TableCells

    _, md = seed_report
    assert "·" not in md, "no flattened header paths such as 法人或其他组织·商业企业"
    assert '<th colspan="5">法人或其他组织</th>' in md
    assert '<td rowspan="22">三、本年度办理结果</td>' in md
    # a Markdown renderer passes the tables through whole, and the text around them as Markdown
    page = MarkdownIt("commonmark").render(md)
    assert "<h2>三、收到和处理政府信息公开申请情况</h2>" in page
    parser = TableCells()
    parser.feed(page)
    assert len(parser.tables) == 3
    for section, cells in zip(PRINTED_SECTIONS, parser.tables, strict=True):
        assert len(cells) == len(printed(section.code).cells), section.code
    html, _ = seed_report
    shown = html_values(html)
    for section, cells, values in zip(PRINTED_SECTIONS, parser.tables, shown, strict=True):
        g = printed(section.code)
        kinds = [c.kind for row in g.rows() for c in row]
        got = [text for (text, _), kind in zip(cells, kinds, strict=True) if kind == "value"]
        assert got == values, section.code
