"""Reports built at test time in each format (web page in GBK, Word, text), read back exactly;
files that are not reports, or cannot be read, are findings."""

from __future__ import annotations

import docx
import pytest
from PIL import Image
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.files import convert as convert_module
from pipeline.format2021 import PARTS, S3, S4, SECTIONS
from pipeline.ingest.published import ingested_cells, read_report
from pipeline.validate import validated_findings
from tests.helpers import command_line, raw_year, with_totals

# what the report prints, by cell; every other cell is 0
WRITTEN = {
    ("s2", "normative", "issued"): "1（其中修订1件）",
    ("s2", "normative", "in_force"): "12",
    ("s2", "licensing", "decisions"): "/",
    ("s2", "penalty", "decisions"): "3985758",
    ("s2", "fees", "amount"): "123.456789",
    ("s3", "new", "natural"): "7",
    ("s3", "new", "commercial"): "3",
    ("s3", "new", "total"): "10",
    ("s3", "granted", "natural"): "5",
    ("s3", "granted", "total"): "5",
    ("s3", "partial", "commercial"): "3",
    ("s3", "partial", "total"): "3",
    ("s3", "outcome_total", "natural"): "5",
    ("s3", "outcome_total", "commercial"): "3",
    ("s3", "outcome_total", "total"): "8",
    ("s3", "carried_out", "natural"): "2",
    ("s3", "carried_out", "total"): "2",
    ("s4", "cases", "review_upheld"): "2",
    ("s4", "cases", "review_total"): "2",
}
EXPECTED = {
    ("s2", "normative", "issued"): 1,
    ("s2", "normative", "in_force"): 12,
    ("s2", "penalty", "decisions"): 3985758,
    ("s2", "fees", "amount"): 123_456789,
    **{k: int(v) for k, v in WRITTEN.items() if k[0] != "s2"},
    ("s6", "fees", "notices"): 2,
    ("s6", "fees", "notice_amount"): 300_00,
    ("s6", "fees", "collected"): 150_50,
}
TITLE = "某某县财政局2023年政府信息公开工作年度报告"
PART_TEXT = {
    "一": "2023年，本局严格落实条例要求。全年共收到政府信息公开申请10件，办结8件，2件结转下年度继续办理。",
    "五": "存在的问题是公开质量有待提高，下一步将加强培训，完善制度，提升公开实效，确保各项工作落实到位。",
    "六": "本机关共发出收费通知2件，收费金额300元，实际收取150.5元。",
}
HEADINGS = {n: f"{n}、{t}" for n, t in PARTS.items()}


def text_of(cell) -> str:
    return WRITTEN.get(cell, "0")


def table_rows(code: str) -> list[list[str]]:
    """A table's rows as printed: header rows, then label cells and figures."""
    section = SECTIONS[code]
    if code == "s4":
        return [
            ["行政复议"] * 5 + ["行政诉讼"] * 10,
            ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
            + ["未经复议直接起诉"] * 5
            + ["复议后起诉"] * 5,
            [c.label for c in S4.cols],
            [text_of(("s4", "cases", c.code)) for c in S4.cols],
        ]
    rows = []
    if code == "s3":
        rows.append([S3.corner, *[c.label for c in S3.cols]])
    block = None
    for row in section.rows:
        cols = section.cols_of(row)
        if code == "s2" and row.block != block:
            block = row.block
            rows.append([block])
            rows.append(["信息内容", *[c.label for c in cols]])
        label = "".join(row.labels)
        rows.append([label, *[text_of((code, row.code, c.code)) for c in cols]])
    return rows


def html_page() -> str:
    out = [
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        f"<title>{TITLE}</title></head><body><h1>{TITLE}</h1>"
    ]
    for numeral, heading in HEADINGS.items():
        out.append(f"<p>{heading}</p>")
        code = {"二": "s2", "三": "s3", "四": "s4"}.get(numeral)
        if code:
            out.append("<table>")
            for row in table_rows(code):
                tds = "".join(f"<td>{t}</td>" for t in row)
                if len(row) == 1:  # an article heading across the table
                    tds = f'<td colspan="4">{row[0]}</td>'
                out.append(f"<tr>{tds}</tr>")
            out.append("</table>")
        else:
            out.append(f"<p>{PART_TEXT[numeral]}</p>")
    return "".join(out) + "</body></html>"


def plain_text() -> str:
    lines = [TITLE, ""]
    for numeral, heading in HEADINGS.items():
        lines.append(heading)
        code = {"二": "s2", "三": "s3", "四": "s4"}.get(numeral)
        if code:
            lines += ["  ".join(row) for row in table_rows(code)]
        else:
            lines.append(PART_TEXT[numeral])
    return "\n".join(lines)


def word_file(path) -> None:
    document = docx.Document()
    document.add_paragraph(TITLE)
    for numeral, heading in HEADINGS.items():
        document.add_paragraph(heading)
        code = {"二": "s2", "三": "s3", "四": "s4"}.get(numeral)
        if not code:
            document.add_paragraph(PART_TEXT[numeral])
            continue
        rows = table_rows(code)
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for r, row in enumerate(rows):
            if len(row) < width:  # merged across, as the template merges them
                merged = table.cell(r, len(row) - 1).merge(table.cell(r, width - 1))
                for c, text in enumerate(row[:-1]):
                    table.cell(r, c).text = text
                merged.text = row[-1]
            else:
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
    document.save(path)


def assert_read_back(report) -> None:
    assert (report.issuer, report.year) == ("某某县财政局", 2023)
    assert report.tables_found == ("s2", "s3", "s4")
    values = {(r.section, r.row, r.col): r.value for r in report.cells.itertuples()}
    assert len(values) == sum(len(s.cells) for s in SECTIONS.values())
    for cell, value in values.items():
        assert value == EXPECTED.get(cell, 0), cell
    read_as = report.cells.set_index(["section", "row", "col"])["read_as"]
    assert read_as[("s2", "licensing", "decisions")] == "nil"  # `/`
    rules = [f["rule"] for f in report.findings]
    assert rules == ["audit.note_in_cell"], report.findings
    note = report.findings[0]
    # the note kept as written (text lines are compared after NFKC, but keep what they say)
    assert (note["row"], note["col"]) == ("normative", "issued")
    assert note["text"] == "1（其中修订1件）"
    text = report.cells.set_index(["section", "row", "col"])["text"]
    assert text[("s2", "normative", "issued")] == "1（其中修订1件）"
    assert {f["what"]: f["matched"] for f in report.figures} == {
        "received": "新收、新收+上年结转",
        "closed": "（七）总计",
        "carried_out": "结转下年度",
    }


def test_html_in_gbk(tmp_path):
    path = tmp_path / "report.htm"
    path.write_bytes(html_page().encode("gbk"))
    report = read_report(path)
    assert report.format == "html"
    assert_read_back(report)


def test_word(tmp_path):
    path = tmp_path / "report.docx"
    word_file(path)
    assert_read_back(read_report(path))


def test_text(tmp_path):
    path = tmp_path / "某某县财政局2023年年报.txt"
    path.write_text(plain_text(), encoding="utf-8")
    assert_read_back(read_report(path))


def test_our_own_markdown_report_is_read_without_the_heading_mark(tmp_path):
    """xxgk's own report.md, its title a Markdown heading (`# 古县公安局 2022年…`): the issuer
    and the titles are read without the `#`."""
    unit = "古县公安局"
    values = with_totals({("s3", "new", "natural"): 3, ("s3", "granted", "natural"): 2}) | {
        ("s3", "carried_out", "natural"): 1,
        ("s3", "carried_out", "total"): 1,
    }
    paths = raw_year(tmp_path, {unit: values}, year=2022)
    made = CliRunner().invoke(app, [*command_line(paths, "report"), "--all-units"])
    assert made.exit_code == 0, made.stderr
    md = paths.unit_report_md(unit)
    assert md.read_text("utf-8").splitlines()[0] == f"# {unit} 2022年政府信息公开工作年度报告"
    report = read_report(md)
    assert (report.issuer, report.year) == (unit, 2022)
    assert report.titles and not [t for t in report.titles if "#" in t]
    assert report.tables_found == ("s2", "s3", "s4")
    assert {f["issuer"] for f in report.findings} <= {unit}
    assert not [f for f in report.findings if f["rule"] == "audit.issuer_unknown"]
    cells = report.cells.set_index(["section", "row", "col"])["value"]
    assert cells[("s3", "new", "natural")] == 3 and cells[("s3", "carried_out", "total")] == 1


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        (
            "# 古县公安局 2022年政府信息公开工作年度报告",
            "古县公安局 2022年政府信息公开工作年度报告",
        ),
        ("## 古县公安局2022年政府信息公开工作年度报告", "古县公安局2022年政府信息公开工作年度报告"),
        (
            "#古县公安局 2022年政府信息公开工作年度报告 #",
            "古县公安局 2022年政府信息公开工作年度报告",
        ),
    ],
    ids=["h1", "h2", "closed"],
)
def test_a_markdown_heading_mark_is_not_part_of_the_issuer(tmp_path, heading, title):
    body = plain_text().split("\n", 1)[1]  # without its own title
    path = tmp_path / "report.md"
    path.write_text(f"{heading}\n{body}", encoding="utf-8")
    report = read_report(path)
    assert (report.issuer, report.year) == ("古县公安局", 2022)
    assert report.titles[0] == title


def test_cells_check_as_the_project_long_table(tmp_path):
    """The reader's cells become the long cell table the validator checks: 洪泽区's 表四 as
    published (总计 0 beside 维持 10 + 纠正 1) is an s4.group_total error, its 0 kept."""
    from pathlib import Path

    report = read_report(Path(__file__).parent / "fixtures" / "real" / "洪泽区2023.pdf")
    cells = ingested_cells(report)
    assert cells.loc[cells["col"] == "review_total", "value"].tolist() == [0]
    findings = validated_findings(cells)
    broken = findings[findings["rule"] == "s4.group_total"]
    assert sorted(m.split("”")[0] for m in broken["message"]) == [
        "表四“行政复议",
        "表四“行政诉讼·复议后起诉",
    ]
    assert all("不等于总计（0）" in m for m in broken["message"])
    assert set(broken["cell"]) == {"p4:l22"}
    assert not (findings["rule"].isin(["s3.row_total", "s3.outcome_total", "s3.balance"])).any()


def test_scanned_pdf_is_a_finding(tmp_path):
    path = tmp_path / "scan.pdf"
    Image.new("RGB", (200, 280), "white").save(path)
    report = read_report(path)
    assert [f["rule"] for f in report.findings][:1] == ["audit.scanned"]
    assert report.cells.empty


@pytest.mark.parametrize(
    ("name", "data", "rule"),
    [
        ("a.pdf", b"%PDF-1.7 broken", "file.unreadable"),
        ("a.docx", b"PK\x03\x04 broken", "file.unreadable"),
        ("a.txt", b"", "file.unreadable"),
        ("a.png", b"\x89PNG\r\n", "audit.unsupported"),
        ("a.txt", "本年新制作数量 第二十条第（九）项".encode(), "audit.old_format"),
    ],
)
def test_bad_files_are_findings(tmp_path, name, data, rule):
    path = tmp_path / name
    path.write_bytes(data)
    report = read_report(path)
    assert rule in [f["rule"] for f in report.findings]


def test_doc_without_libreoffice(tmp_path, monkeypatch):
    monkeypatch.setattr(convert_module, "soffice", lambda: None)
    path = tmp_path / "报告.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    report = read_report(path)
    assert [f["rule"] for f in report.findings][0] == "audit.no_converter"


def test_an_html_table_in_markdown_is_a_grid_with_its_merges_and_its_lines():
    """Markdown allows raw `<table>` blocks: read as the web-page reader reads them, each cell at
    the block's first line, and a block that is not a table stays text."""
    from pipeline.files.text import document_of_text

    text = "\n".join(
        [
            "# 报告",
            "<table>",
            '<tr><th rowspan="2">项目</th><th colspan="2">本年</th></tr>',
            "<tr><th>新收</th><th>办结</th></tr>",
            "<tr><td>申请</td><td>1,234</td><td>5</td></tr>",
            "</table>",
            "正文一行",
            "<table class=x 未闭合",
        ]
    )
    doc = document_of_text("r.md", text)
    (grid,) = doc.grids
    assert [[c.text for c in row] for row in grid.rows] == [
        ["项目", "本年", "本年"],
        ["项目", "新收", "办结"],
        ["申请", "1,234", "5"],
    ]
    assert grid.rows[2][1].where == "l2:r3:c2" and grid.rows[1][0].origin == (0, 0)
    assert [ln.where for ln in doc.lines][-2:] == ["l7", "l8"]
    assert "正文一行" in [ln.text for ln in doc.lines]
    assert not [ln for ln in doc.lines if "<tr>" in ln.text]
