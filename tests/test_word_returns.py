"""Word returns: the blank Word template of the format (saved by WPS, tests/fixtures/real/), filled
at test time as a department fills it, read like an Excel return and summed with them."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from pipeline import store
from pipeline.cli import app
from pipeline.render.workbook import sheet_name, template_cell, write_return
from tests.helpers import command_line, raw_year, with_totals
from tests.strategies import consistent_return
from tests.wordreturns import PLACES, TEMPLATE, stored, word_return

runner = CliRunner()


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(first=consistent_return(), second=consistent_return(), seed=st.integers(0, 10**6))
def test_word_returns_are_summed_with_excel_ones_cell_for_cell(
    tmp_path_factory, first, second, seed
):
    tmp = tmp_path_factory.mktemp("word")
    rng = random.Random(seed)
    excel = with_totals({("s3", "new", "natural"): 2, ("s3", "granted", "natural"): 2})
    paths = raw_year(tmp, {"古县水利局": excel}, units=["古县水利局", "古县公安局", "古县司法局"])
    word_return(paths.returns_dir / "古县公安局年报.docx", "古县公安局", 2023, first, rng)
    word_return(paths.returns_dir / "报送材料.docx", "古县司法局", 2023, second, rng)
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 0, result.stdout + result.stderr
    cells = store.read_cells(paths.ingested_cells)
    for unit, truth in (("古县公安局", first), ("古县司法局", second)):
        mine = cells[cells["unit"] == unit].set_index(["section", "row", "col"])["value"]
        expected = {k: stored(k, v) for k, v in truth.items()}
        got = {k: int(v) for k, v in mine.items()}
        assert got == expected, unit
    county = store.read_cells(paths.county_cells).set_index(["section", "row", "col"])["value"]
    for key in PLACES:
        total = stored(key, first[key]) + stored(key, second[key]) + stored(key, excel[key])
        assert int(county[key]) == total, key


def test_a_broken_sum_in_a_word_return_is_found_at_its_table_row_and_column(tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    values = with_totals({("s3", "new", "natural"): 5, ("s3", "granted", "natural"): 5})
    values[("s3", "granted", "natural")] = 4  # the clerk typed 4 where 5 belongs
    paths = raw_year(tmp_path, {}, units=["古县公安局"])
    word_return(paths.returns_dir / "古县公安局.docx", "古县公安局", 2023, values, random.Random(1))
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 1
    found = store.read_csv(paths.issues_csv)
    broken = found[found["rule"].isin(["s3.row_total", "s3.outcome_total"])]
    assert set(broken["sheet"]) == {"表格2"}
    assert set(broken["cell"]) == {"第6行第4列"}, "予以公开·自然人 is the 6th row, 4th column"
    assert all(
        "（表格2!第6行第4列）" in s or "第6行第4列很可能有误：改为5" in s
        for s in broken["suggestion"]
    )
    feedback = load_workbook(paths.feedback / "古县公安局_问题反馈.xlsx")
    assert feedback.sheetnames[0] == "校验问题"
    marked = feedback[sheet_name("s3")][template_cell("s3", "granted", "natural")]
    assert marked.value == "4", "the copy holds what the department wrote"
    assert "很可能有误：改为5" in marked.comment.text
    rows = list(feedback["校验问题"].iter_rows(min_row=2, values_only=True))
    errors = [row for row in rows if "错误" in str(row[1])]
    assert len(errors) == 2 and all("表三" in str(row[4]) for row in errors), rows
    assert not list(scratch.iterdir()), "the Excel copy of the Word return is removed once marked"


def test_a_word_return_without_part_six_figures_is_a_warning_and_the_unit_named_by_file(tmp_path):
    paths = raw_year(tmp_path, {}, units=["古县公安局"])
    document = docx.Document(TEMPLATE)
    for t, r, c in PLACES.values():
        document.tables[t].rows[r].cells[c].text = "0"
    document.save(paths.returns_dir / "古县公安局.docx")
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 0, result.stderr
    found = store.read_csv(paths.issues_csv)
    unreported = found[found["rule"] == "s6.unreported"]
    assert list(zip(unreported["severity"], unreported["unit"], strict=True)) == [
        ("warning", "古县公安局")
    ]


def test_an_old_word_file_without_libreoffice_is_a_finding_not_a_crash(tmp_path, monkeypatch):
    import olefile  # noqa: F401 - the check reads OLE2 files

    from pipeline.files import convert

    monkeypatch.setattr(convert, "soffice", lambda: None)
    paths = raw_year(tmp_path, {"古县水利局": with_totals({})}, units=["古县水利局", "古县公安局"])
    source = Path(__file__).parent / "fixtures"
    doc = next(source.rglob("*.doc"), None)
    target = paths.returns_dir / "古县公安局.doc"
    if doc is not None:
        shutil.copy(doc, target)
    else:
        # NOTE: an OLE2 container holding a WordDocument stream, as Word 97-2003 writes it
        target.write_bytes(_ole2_with_word_document())
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 1
    found = store.read_csv(paths.issues_csv)
    mine = found[found["file"] == "returns/古县公安局.doc"]
    assert mine["rule"].tolist() == ["file.unreadable"]
    assert "LibreOffice" in mine["message"].iloc[0]


def _ole2_with_word_document() -> bytes:
    """The smallest OLE2 compound file with a `WordDocument` stream (built by hand: 512-byte
    sectors, one FAT sector, one directory sector, the stream in a mini stream-free sector)."""
    import struct

    sector = 512
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HH", header, 0x18, 0x3E, 3)  # minor, major version
    struct.pack_into("<H", header, 0x1C, 0xFFFE)  # little-endian
    struct.pack_into("<HH", header, 0x1E, 9, 6)  # sector shift 512, mini sector shift 64
    struct.pack_into("<I", header, 0x2C, 1)  # FAT sectors
    struct.pack_into("<I", header, 0x30, 1)  # first directory sector
    struct.pack_into("<I", header, 0x38, 4096)  # mini stream cutoff
    struct.pack_into("<I", header, 0x3C, 0xFFFFFFFE)  # no mini FAT
    struct.pack_into("<I", header, 0x44, 0xFFFFFFFE)  # no DIFAT sectors
    struct.pack_into("<I", header, 0x4C, 0)  # FAT in sector 0
    for i in range(1, 109):
        struct.pack_into("<I", header, 0x4C + 4 * i, 0xFFFFFFFF)
    fat = bytearray(b"\xff" * sector)
    struct.pack_into("<III", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFE)  # FAT, dir, stream
    directory = bytearray(sector)

    def entry(i, name, kind, start, size, child=0xFFFFFFFF):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        base = i * 128
        directory[base : base + len(raw)] = raw
        struct.pack_into("<H", directory, base + 0x40, len(raw))
        directory[base + 0x42] = kind
        directory[base + 0x43] = 1  # black
        struct.pack_into("<III", directory, base + 0x44, 0xFFFFFFFF, 0xFFFFFFFF, child)
        struct.pack_into("<I", directory, base + 0x74, start)
        struct.pack_into("<I", directory, base + 0x78, size)

    entry(0, "Root Entry", 5, 0xFFFFFFFE, 0, child=1)
    entry(1, "WordDocument", 2, 2, sector)
    for i in (2, 3):
        struct.pack_into("<III", directory, i * 128 + 0x44, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    return bytes(header + fat + directory + bytearray(sector))


def test_a_word_return_is_told_by_its_bytes_whatever_its_name(tmp_path):
    paths = raw_year(tmp_path, {}, units=["古县公安局"])
    values = with_totals({})
    word_return(paths.returns_dir / "古县公安局.xlsx", "古县公安局", 2023, values, random.Random(2))
    result = runner.invoke(app, command_line(paths, "report"))
    assert result.exit_code == 0, result.stderr
    files = store.read_csv(paths.ingested_returns)
    assert files["status"].tolist() == ["received"]


def test_an_excel_return_beside_is_untouched_by_the_word_reader(tmp_path):
    path = tmp_path / "x.xlsx"
    write_return(path, "古县公安局", 2023, with_totals({}))
    from pipeline.ingest.document import is_document

    assert not is_document(path.read_bytes())
    assert is_document(TEMPLATE.read_bytes())
