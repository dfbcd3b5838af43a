"""Issue 19, item 11: two documents of one issuer and year are compared cell by cell where both
were read, and when they disagree neither is used across years. Every input is made here:
published reports by xxgk's own renderer (web page and Word) and as text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline import store
from pipeline.audit.layout import cell_label
from pipeline.cli import app
from pipeline.format2021 import SECTIONS
from scripts.published_texts import report_text, s3_values
from tests.helpers import command_line, raw_year, with_totals

runner = CliRunner()
POLICE, WATER = "古县公安局", "古县水利局"
STEADY = with_totals({("s2", "licensing", "decisions"): 40})


# -- item 11: two documents of one issuer and year ---------------------------------------------
# 古县公安局's 2022 report: 行政许可 356, 1 request carried over; a revised Word file says 360
V356 = with_totals(
    {
        ("s2", "licensing", "decisions"): 356,
        ("s3", "new", "natural"): 3,
        ("s3", "granted", "natural"): 2,
        ("s3", "carried_out", "natural"): 1,
    }
)
V360 = V356 | {("s2", "licensing", "decisions"): 360}


@pytest.fixture(scope="module")
def reports_2022(tmp_path_factory) -> dict[str, Path]:
    """古县公安局's 2022 report as xxgk publishes it, a web page and a Word file (行政许可 356),
    the Word file of the revised version (360), and 古县水利局's web page."""
    base = tmp_path_factory.mktemp("published")
    out = {}
    for name, values, units in (("356", V356, {WATER: STEADY}), ("360", V360, {})):
        made = raw_year(base / name, {POLICE: values, **units}, year=2022)
        result = runner.invoke(app, [*command_line(made, "report"), "--all-units"])
        assert result.exit_code == 0, result.stderr
        out[f"{name}.html"] = made.unit_report_html(POLICE)
        out[f"{name}.docx"] = made.unit_report_docx(POLICE)
        if units:
            out["water.html"] = made.unit_report_html(WATER)
    return out


def audit_folder(folder: Path, reports: dict[str, Path], texts: dict[str, str]) -> Path:
    """A folder of published reports: copies of `reports` and `texts` written, by name."""
    folder.mkdir(parents=True)
    for name, path in reports.items():
        shutil.copy(path, folder / name)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def by_file(out: Path) -> dict[str, list[str]]:
    """issues.csv: the rules of each file's findings."""
    found = store.read_csv(out / "issues.csv")
    return found.groupby("file")["rule"].apply(list).to_dict()


def read_in_both(cells: pd.DataFrame, one: str, two: str) -> int:
    """How many cells cells.csv shows read (a figure) in both files."""
    known = cells[cells["read_as"].isin(["written", "split", "blank", "nil", "stated_none"])]
    keys = [
        set(map(tuple, known[known["file"] == f][["section", "row", "col"]].values))
        for f in (one, two)
    ]
    return len(keys[0] & keys[1])


# 2023 says 2 requests were carried in, 2022 says 1 was carried over: year.carry_over when compared
TEXT_2023 = report_text(POLICE, 2023, s3_values(1, 2, 3))
# 2021 says 5 were carried over, 2022 says none was carried in: year.carry_over when compared
TEXT_2021 = report_text(POLICE, 2021, s3_values(5, 0, 0))


def test_audit_two_documents_that_agree_make_one_note_and_one_is_compared(tmp_path, reports_2022):
    folder = audit_folder(
        tmp_path / "in",
        {
            "公安局2022年报.html": reports_2022["356.html"],
            "公安局2022年报.docx": reports_2022["356.docx"],
        },
        {"公安局2023年报.txt": TEXT_2023},
    )
    result = runner.invoke(app, ["audit", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output  # the carry-over of 2023 does not join 2022's
    assert "Traceback" not in result.output
    rules = by_file(tmp_path / "out")
    assert "audit.reports_differ" not in sum(rules.values(), [])
    assert [f for f in sum(rules.values(), []) if f == "audit.same_report"] == ["audit.same_report"]
    found = store.read_csv(tmp_path / "out" / "issues.csv")
    cells = store.read_csv(tmp_path / "out" / "cells.csv")
    compared = read_in_both(cells, "公安局2022年报.docx", "公安局2022年报.html")
    assert compared > 200
    [note] = found.loc[found["rule"] == "audit.same_report", "message"]
    assert note == (
        f"文件“公安局2022年报.html”和“公安局2022年报.docx”都是{POLICE}2022年度的报告，"
        f"两份都读到的{compared}个单元格数字全部相同（另有0个单元格只有一份读到，未比较）；"
        "跨年度比较使用“公安局2022年报.docx”。"
    )
    assert rules["公安局2023年报.txt"].count("year.carry_over") == 2
    summary = store.read_csv(tmp_path / "out" / "reports.csv").set_index("file")
    assert summary.loc["公安局2023年报.txt", "compared_with"] == "公安局2022年报.docx"


def test_audit_two_documents_that_disagree_are_an_error_and_neither_is_compared(
    tmp_path, reports_2022
):
    folder = audit_folder(
        tmp_path / "in",
        {
            "公安局2022年报.html": reports_2022["356.html"],
            "公安局2022年报（修订）.docx": reports_2022["360.docx"],
        },
        {"公安局2021年报.txt": TEXT_2021, "公安局2023年报.txt": TEXT_2023},
    )
    result = runner.invoke(app, ["audit", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    found = store.read_csv(tmp_path / "out" / "issues.csv")
    cells = store.read_csv(tmp_path / "out" / "cells.csv")
    html, docx = "公安局2022年报.html", "公安局2022年报（修订）.docx"
    where = {
        f: cells.loc[
            (cells["file"] == f)
            & (cells["section"] == "s2")
            & (cells["row"] == "licensing")
            & (cells["col"] == "decisions"),
            "where",
        ].item()
        for f in (html, docx)
    }
    differ = found[found["rule"] == "audit.reports_differ"]
    assert list(differ["severity"]) == ["error"]  # one finding, on one of the two
    [file] = differ["file"]
    other = html if file == docx else docx
    figure = {html: 356, docx: 360}
    label = cell_label("s2", "licensing", "decisions")
    assert differ["message"].item() == (
        f"文件“{file}”和“{other}”都是{POLICE}2022年度的报告，"
        f"两份都读到的{read_in_both(cells, html, docx)}个单元格中有1个数字不同"
        "（另有0个单元格只有一份读到，未比较）："
        f"{SECTIONS['s2'].short}“{label}”：“{other}”（{where[other]}）为{figure[other]}，"
        f"“{file}”（{where[file]}）为{figure[file]}。"
        f"无法判断哪一份正确，{POLICE}2022年度的报告都不用于跨年度比较"
        "（上下年结转、现行有效件数衔接、大幅变化、内容雷同）；请删去不正确的一份后再审核。"
    )
    rules = by_file(tmp_path / "out")
    # neither is compared: with 2021 (its 结转 does not join) nor with 2023 (nor does that one)
    assert not [r for rs in rules.values() for r in rs if r.startswith("year.")]
    assert "audit.no_last_year" not in rules.get(html, []) + rules.get(docx, [])
    assert rules["公安局2023年报.txt"].count("audit.last_year_differs") == 1
    [said] = found.loc[found["rule"] == "audit.last_year_differs", "message"]
    assert said.startswith(f"{POLICE}2022年度的报告有两份数字不一致")
    summary = store.read_csv(tmp_path / "out" / "reports.csv").set_index("file")
    assert set(summary["compared_with"]) == {""}


def test_audit_a_cell_read_in_one_document_only_is_no_difference(tmp_path, reports_2022):
    """The text copy prints 行政许可 in words: unread there (its own finding), read in the Word
    file: not a difference, the two agree on every other cell and the Word file is compared."""
    text = report_text(POLICE, 2022, V360, texts={("s2", "licensing", "decisions"): "三百六十"})
    folder = audit_folder(
        tmp_path / "in",
        {"公安局2022年报.docx": reports_2022["360.docx"]},
        {"公安局2022年报.txt": text},
    )
    result = run_audit_cli(folder, tmp_path / "out")
    found = store.read_csv(tmp_path / "out" / "issues.csv")
    assert "audit.reports_differ" not in set(found["rule"])
    [note] = found.loc[found["rule"] == "audit.same_report", "message"]
    assert "（另有1个单元格只有一份读到，未比较）；跨年度比较使用“公安局2022年报.docx”。" in note
    assert result.exit_code == 1  # the unread figure is an error of its own
    assert "file.cell_missing" in by_file(tmp_path / "out")["公安局2022年报.txt"]


def run_audit_cli(folder: Path, out: Path):
    result = runner.invoke(app, ["audit", str(folder), "--out", str(out)])
    assert "Traceback" not in result.output
    return result
