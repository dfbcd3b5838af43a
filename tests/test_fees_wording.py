"""Part 六's fee sentence in real wording, read by the one fee grammar (`pipeline.ingest.fees`)
wherever it stands: a Word return's part 六, a published report as a Word file, a web page, a
text and a PDF. Each figure is read where it stands, or left unread; never a fabricated 0."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline import store
from pipeline.cli import app
from pipeline.ingest.fees import FEE_COLS, fee_statement
from pipeline.ingest.published import read_report
from pipeline.ingest.register import ingested
from pipeline.run import read_return
from tests import test_published_formats as published
from tests.helpers import chromium, command_line, raw_year, with_totals
from tests.wordreturns import PART_SIX, filled

D = Decimal
NONE = (D(0), D(0), D(0))
# the wording met in real reports and returns, and what it states: (notices, 元 noticed, 元
# collected), None where it does not say; `none`: it says no fee was collected at all
WORDING = [
    ("本机关2023年度未收取政府信息公开信息处理费。", NONE, True),
    ("本机关2023年度发出收费通知3件，收费金额1200元，实际收取1000元。", (D(3), D(1200), D(1000)), False),
    ("2023年度，县发展和改革局政府信息公开未发生收费情况。", NONE, True),
    ("2024 年，市科委未发生政府信息公开收费事项。", NONE, True),
    ("全年收取政府信息公开信息处理费 3940 元。", (None, None, D(3940)), False),
    ("收取信息处理费共计380元，其中民政局1件，收取380元。", (None, None, D(380)), False),
    ("本年度未发生收费。", NONE, True),
    ("本机关本年度未收取信息处理费。", NONE, True),
    ("本机关没有收取信息处理费。", NONE, True),
    ("2023年，本机关无收费。", NONE, True),
    ("全年收取信息处理费0元。", NONE, True),
    ("2021年，无收取信息处理费情况。", NONE, True),
    ("2025 年度本机关未收取信息公开处理费。", NONE, True),
    ("本年度发出收费通知书3份，金额1,200元，实际收取1,000.05元。", (D(3), D(1200), D("1000.05")), False),
    ("发出收费通知２件，金额１，２００元，实际收取０元。", (D(2), None, D(0)), False),
    ("发出收费通知1件，金额1000¹元，实际收取5元。", (D(1), None, D(5)), False),
    ("本机关未收取信息处理费，发出收费通知3件。", (D(3), None, D(0)), False),
]  # fmt: skip
IDS = [f"w{i:02d}" for i in range(len(WORDING))]
PDF_WORDING = {0, 1, 2, 3, 4, 5}  # printed by a browser: a few seconds each
SAMPLE_SIX = published.PART_TEXT["六"]
UNITS = pd.DataFrame({"code": ["A"], "name": ["古县公安局"], "kind": ["部门"], "aliases": [""]})


def stated_values(values: tuple) -> dict[str, int | None]:
    """The three figures as the cell tables store them (元 × 100), None where unread."""
    return {
        col: None if v is None else int(v.scaleb(0 if col == "notices" else 2))
        for col, v in zip(FEE_COLS, values, strict=True)
    }


def published_fees(report) -> dict[str, tuple[int | None, str]]:
    """A published report's part 六 cells: value and how it was read, by column."""
    cells = report.cells[report.cells["section"] == "s6"].set_index("col")
    return {
        c: (None if pd.isna(cells.loc[c, "value"]) else int(cells.loc[c, "value"]),
            cells.loc[c, "read_as"])
        for c in FEE_COLS
    }  # fmt: skip


def expected_published(values: tuple, none: bool) -> dict[str, tuple[int | None, str]]:
    how = "stated_none" if none else "written"
    return {c: (v, how if v is not None else "unread") for c, v in stated_values(values).items()}


def return_fees(tmp: Path, sentence: str) -> tuple[dict[str, tuple[int | None, str]], list[str]]:
    """A Word return (the format's template, filled) whose part 六 says `sentence`: its fee
    cells as read (value, read_as) and the rules of the findings of reading it."""
    document = filled("古县公安局", 2023, {}, random.Random(1))
    document.paragraphs[PART_SIX].text = sentence
    path = tmp / "古县公安局.docx"
    document.save(path)
    cells, _, found = ingested([read_return(path, path.name)], UNITS, 2023)
    fees = cells[cells["section"] == "s6"].set_index("col")
    got = {
        c: (None if pd.isna(fees.loc[c, "value"]) else int(fees.loc[c, "value"]),
            fees.loc[c, "read_as"])
        for c in FEE_COLS
    }  # fmt: skip
    return got, found["rule"].tolist()


@pytest.mark.parametrize(("sentence", "values", "none"), WORDING, ids=IDS)
def test_the_grammar_reads_each_figure_where_it_stands(sentence, values, none):
    stated = fee_statement(sentence)
    assert stated is not None and stated.values == values and stated.none == none
    for figure in stated.figures.values():
        assert sentence[figure.start : figure.end] == figure.text
        if figure.value:  # a figure other than 0 is its digits as written, with its unit
            assert figure.text[-1] in "件份元" and any(ch.isdigit() for ch in figure.text)
    assert set(stated.unread) == {c for c, v in zip(FEE_COLS, values, strict=True) if v is None}


@pytest.mark.parametrize(("sentence", "values", "none"), WORDING, ids=IDS)
def test_every_place_a_sentence_is_read_gives_the_same_answer(
    tmp_path, monkeypatch, sentence, values, none
):
    # a Word return: stated figures read (`number`), the others unread (`unstated`)
    got, rules = return_fees(tmp_path, sentence)
    assert got == {
        c: (v, "number" if v is not None else "unstated") for c, v in stated_values(values).items()
    }
    assert "s6.sentence" in rules and "s6.unreported" not in rules
    # a published report: as a web page, a text, a Word file (and, for some, a PDF)
    want = expected_published(values, none)
    page = tmp_path / "某某县财政局2023.htm"
    html = published.html_page().replace("charset=gb2312", "charset=utf-8")
    page.write_bytes(html.replace(SAMPLE_SIX, sentence).encode("utf-8"))
    text = tmp_path / "某某县财政局2023.txt"
    text.write_text(published.plain_text().replace(SAMPLE_SIX, sentence), encoding="utf-8")
    monkeypatch.setitem(published.PART_TEXT, "六", sentence)
    word = tmp_path / "某某县财政局2023.docx"
    published.word_file(word)
    documents = [page, text, word]
    if WORDING.index((sentence, values, none)) in PDF_WORDING:
        pdf = tmp_path / "某某县财政局2023.pdf"
        chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
        documents.append(pdf)
    for path in documents:
        report = read_report(path)
        assert report.tables_found == ("s2", "s3", "s4"), path.name
        assert published_fees(report) == want, path.name
        rules = [f["rule"] for f in report.findings]
        assert "audit.fees_unstated" not in rules, path.name
        assert ("audit.fees_unread" in rules) == (None in values), path.name


def test_a_figure_read_stands_at_its_own_line(tmp_path):
    """In a text whose part 六 spans lines, each figure is placed at the line it stands on."""
    sentence = "本机关2023年度发出收费通知3件，\n收费金额1200元，\n实际收取1000元。"
    path = tmp_path / "某某县财政局2023.txt"
    path.write_text(published.plain_text().replace(SAMPLE_SIX, sentence), encoding="utf-8")
    report = read_report(path)
    cells = report.cells[report.cells["section"] == "s6"].set_index("col")
    lines = path.read_text(encoding="utf-8").splitlines()
    for col, words in (("notices", "收费通知3件"), ("notice_amount", "收费金额1200元")):
        at = int(cells.loc[col, "where"].lstrip("l"))
        assert words in lines[at - 1] and cells.loc[col, "text"] == words
    assert cells.loc["collected", "text"] == "实际收取1000元"


def test_a_partial_sentence_in_a_return_blocks_at_its_cell_and_is_never_0(tmp_path):
    """`全年收取…3940元` in a Word return: 3940 read; the notices and their amount are unread
    (`value.unstated`, a reading finding that blocks as any unread cell does); raw/ untouched."""
    paths = raw_year(tmp_path, {}, units=["古县公安局"])
    values = with_totals({("s3", "new", "natural"): 1, ("s3", "granted", "natural"): 1})
    document = filled("古县公安局", 2023, values, random.Random(2), styles=("plain",))
    document.paragraphs[PART_SIX].text = "2023年，全年收取政府信息公开信息处理费 3940 元。"
    document.save(paths.returns_dir / "古县公安局.docx")
    before = {p: p.read_bytes() for p in paths.raw.rglob("*") if p.is_file()}
    result = CliRunner().invoke(app, command_line(paths, "report"))
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    found = store.read_csv(paths.issues_csv)
    unstated = found[found["rule"] == "value.unstated"]
    assert unstated[["severity", "about", "col"]].values.tolist() == [
        ["error", "reading", "notices"],
        ["error", "reading", "notice_amount"],
    ]
    assert set(zip(unstated["sheet"], unstated["cell"], strict=True)) == {("正文", "第10行第1列")}
    assert unstated["message"].iloc[0] == (
        "古县公安局报送的文件“returns/古县公安局.docx”中，正文!第10行第1列的信息处理费文字"
        "“2023年，全年收取政府信息公开信息处理费 3940 元。”对“信息处理费·发出收费通知的件数”没有写明，"
        "这一项未读取（不按0计）；请写明发出收费通知的件数、收费通知的总金额和实际收取的总金额。"
    )
    cells = store.read_cells(paths.ingested_cells)
    fees = cells[cells["section"] == "s6"].set_index("col")
    assert fees.loc["collected", "value"] == 394000
    assert pd.isna(fees.loc["notices", "value"]) and pd.isna(fees.loc["notice_amount", "value"])
    assert {p: p.read_bytes() for p in paths.raw.rglob("*") if p.is_file()} == before


# -- the property: read exactly or left unread -------------------------------------------------
NOTICES = (
    "发出收费通知{}件",
    "发出收费通知书{}份",
    "共发出政府信息公开信息处理费收费通知{}件",
    "收费通知书{}份",
)
AMOUNTS = ("收费金额{}元", "收费通知总金额为{}元", "金额{}元")
COLLECTED = (
    "实际收取{}元",
    "实际收取信息处理费{}元",
    "收取信息处理费共计{}元",
    "全年收取政府信息公开信息处理费 {} 元",
)
MARKS = ("¹", "②", "\u0336")  # a superscript, a circled digit, a strike through the last digit


def written_yuan(cents: int, commas: bool) -> str:
    whole, part = divmod(cents, 100)
    text = f"{whole:,}" if commas else str(whole)
    return text + (f".{part:02d}".rstrip("0") if part else "")


@st.composite
def statements(draw):
    """A sentence stating some of the three figures in varied words, with what it states
    (None for a figure it does not state or whose digits carry a mark)."""
    truth: dict[str, Decimal | None] = dict.fromkeys(FEE_COLS)
    clauses = []
    if draw(st.booleans()):
        n = draw(st.integers(0, 500))
        clauses.append(("notices", draw(st.sampled_from(NOTICES)), str(n), D(n)))
    for col, forms in (("notice_amount", AMOUNTS), ("collected", COLLECTED)):
        if draw(st.booleans()):
            cents = draw(st.integers(0, 10**8))
            clauses.append(
                (
                    col,
                    draw(st.sampled_from(forms)),
                    written_yuan(cents, draw(st.booleans())),
                    D(cents).scaleb(-2),
                )
            )
    parts = []
    for col, form, digits, value in clauses:
        mark = draw(st.sampled_from(("", "", *MARKS)))
        if mark == "\u0336":
            digits += mark
        elif mark:
            digits = digits + mark if draw(st.booleans()) else mark + digits
        parts.append(form.format(digits))
        truth[col] = None if mark else value
    lead = draw(st.sampled_from(("", "本机关2023年度", "2024 年，", "本年度共收到申请17件，")))
    tail = draw(st.sampled_from(("", "其中民政局1件，收取380元", "请申请人于15日内缴纳")))
    sep = draw(st.sampled_from(("，", "；", "，\n")))
    text = lead + sep.join(parts) + ("，" + tail if tail else "") + "。"
    return text, truth, [c for c, *_ in clauses]


@settings(max_examples=400, deadline=None)
@given(statements())
def test_a_sentences_figures_are_read_exactly_or_left_unread(case):
    text, truth, stated_cols = case
    stated = fee_statement(text)
    if stated is None:  # NOTE: `金额0元` alone does not speak of fees: nothing is read
        assert not any(w in text for w in ("费", "收取"))
        return
    read = dict(zip(FEE_COLS, stated.values, strict=True))
    zero_alone = stated_cols == ["collected"] and truth["collected"] == 0
    for col in FEE_COLS:
        if read[col] is None:
            continue
        if stated.none:  # only for nothing collected and nothing else said: the format's none
            assert zero_alone and read[col] == 0, text
            continue
        assert col in stated_cols, (text, col)  # never a figure the text does not state
        assert read[col] == truth[col], (text, col)  # never another number
        figure = stated.figures[col]
        assert text[figure.start : figure.end] == figure.text


def test_the_real_reports_fee_sentences():
    """The fees of the real reports (tests/fixtures/real): 上海 and 平潭 say none in words, 洪泽区
    collected 0 元; each read where it stands."""
    real = Path(__file__).parent / "fixtures" / "real"
    want = {
        "上海市人民政府办公厅2025.md": ("未收取信息公开处理费", "l215"),
        "平潭综合实验区2021.txt": ("无收取信息处理费", "l10:ch3337"),
        "平潭综合实验区2023.txt": ("无收取信息处理费", "l10:ch3097"),
        "洪泽区2023.pdf": ("收取政府信息公开信息处理费 0 元", "p5:l5"),
    }
    for name, (text, where) in want.items():
        report = read_report(real / name)
        fees = report.cells[report.cells["section"] == "s6"]
        assert fees["value"].tolist() == [0, 0, 0], name
        assert set(fees["read_as"]) == {"stated_none"}, name
        assert set(fees["text"]) == {text} and set(fees["where"]) == {where}, name
