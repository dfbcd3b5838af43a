"""The edges: CSV that round-trips exactly and never carries a live formula."""

import csv
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from pipeline import files, store
from pipeline.files import xls
from tests.helpers import command_line

texts = st.text(alphabet=st.sampled_from(list("=+-@'\t 0123456789.,\"古县a\n")), max_size=8)


@given(st.lists(texts, min_size=1, max_size=8))
def test_any_text_round_trips_and_no_field_is_a_live_formula(values):
    with tempfile.TemporaryDirectory() as tmp:
        path = store.write_csv(pd.DataFrame({"unit": values}), Path(tmp) / "t.csv")
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), "the BOM Excel and WPS need for Chinese"
        with path.open(encoding="utf-8-sig", newline="") as f:
            written = [row[0] for row in csv.reader(f)][1:]
        assert store.read_csv(path)["unit"].tolist() == values
    for field in written:
        number = field.lstrip("-").replace(".", "", 1).isdigit()
        assert not field.startswith(("=", "+", "@", "\t", "\r")) and (
            not field.startswith("-") or number
        ), field


def test_a_formula_like_unit_name_is_written_behind_a_quote(tmp_path):
    path = store.write_csv(
        pd.DataFrame({"unit": ['=HYPERLINK("x")', "-3", "古县司法局"]}), tmp_path / "u.csv"
    )
    assert path.read_text("utf-8-sig").splitlines()[1:] == [
        '"\'=HYPERLINK(""x"")"',
        '"-3"',
        '"古县司法局"',
    ]


def test_cell_tables_are_read_back_from_the_parquet_copy_unless_the_csv_is_newer(
    tmp_path, monkeypatch
):
    import os

    from pipeline.run import run_ingest
    from tests.helpers import raw_year, with_totals

    paths = raw_year(tmp_path, {"古县司法局": with_totals({("s2", "fees", "amount"): "12.3456"})})
    run_ingest(paths)
    from_parquet = store.read_cells(paths.ingested_cells)
    calls = []
    monkeypatch.setattr(
        store,
        "read_csv",
        lambda p: (
            calls.append(p)
            or pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        ),
    )
    store.read_cells(paths.ingested_cells)
    assert calls == [], "the Parquet copy is read"
    later = paths.ingested_cells.stat().st_mtime_ns + 10**9
    os.utime(paths.ingested_cells, ns=(later, later))
    monkeypatch.undo()
    from_csv = store.read_cells(paths.ingested_cells)
    assert from_csv.equals(from_parquet)
    assert (
        from_csv.set_index(["section", "row", "col"]).loc[("s2", "fees", "amount"), "value"]
        == 12345600
    )


def test_a_stage_run_on_its_own_reads_the_files_and_an_edited_file_is_read_again(tmp_path):
    from pipeline.run import run_ingest
    from tests.helpers import raw_year, with_totals

    paths = raw_year(tmp_path, {"古县司法局": with_totals({("s3", "new", "natural"): 7})})
    run_ingest(paths)
    first = store.read_cells(paths.ingested_cells)
    csv_text = paths.ingested_cells.read_text("utf-8-sig")
    edited = csv_text.replace('"古县司法局"', '"古县司法局（改）"')
    paths.ingested_cells.write_text(edited, "utf-8-sig")
    again = store.read_cells(paths.ingested_cells)
    assert set(first["unit"]) == {"古县司法局"}
    assert set(again["unit"]) == {"古县司法局（改）"}, "an edited file is read again"


def test_a_report_hands_each_stage_its_input_as_a_value_never_reading_it_back(
    tmp_path, monkeypatch
):
    from typer.testing import CliRunner

    from pipeline.cli import app
    from tests.helpers import raw_year, with_totals

    paths = raw_year(tmp_path, {"古县水利局": with_totals({("s2", "licensing", "decisions"): 3})})

    def no_reading(path):
        raise AssertionError(f"a stage read back {path}")

    monkeypatch.setattr(store, "read_cells", no_reading)
    result = CliRunner().invoke(app, [*command_line(paths, "report"), "--quiet"])
    assert result.exit_code == 0, result.output
    monkeypatch.undo()
    cells = store.read_cells(paths.ingested_cells).set_index(["section", "row", "col"])
    assert cells.loc[("s2", "licensing", "decisions"), "value"] == 3


def test_a_cell_table_written_behind_is_complete_once_joined_and_errors_surface(tmp_path):
    import pytest

    from pipeline.memo import Memo
    from pipeline.run import Writer, read_year
    from tests.helpers import raw_year, with_totals

    paths = raw_year(tmp_path, {"古县司法局": with_totals({("s3", "new", "natural"): 7})})
    cells = read_year(paths, Memo()).cells
    writer = Writer()
    assert writer.cells(cells, paths.ingested_cells) == paths.ingested_cells
    writer.join()
    assert store.read_cells(paths.ingested_cells).equals(cells), "the files hold the whole table"
    blocked = tmp_path / "a_file"
    blocked.write_text("x")
    writer = Writer()
    writer.cells(cells, blocked / "cells.csv")
    with pytest.raises(OSError):
        writer.join()


def test_a_slow_background_write_is_whole_before_the_run_is_published(tmp_path, monkeypatch):
    import threading

    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.run import report
    from tests.helpers import raw_year, with_totals

    paths = raw_year(tmp_path, {"古县水利局": with_totals({("s2", "licensing", "decisions"): 3})})
    write = store.write_cells
    rest = threading.Event()

    def slow(cells, path):
        if threading.current_thread() is not threading.main_thread():
            rest.wait(timeout=2)  # a disk so slow that the run is done before the table is
        return write(cells, path)

    monkeypatch.setattr(report.store, "write_cells", slow)
    result = CliRunner().invoke(app, [*command_line(paths, "report"), "--quiet"])
    assert result.exit_code == 0, result.output
    cells = store.read_cells(paths.ingested_cells).set_index(["section", "row", "col"])
    assert cells.loc[("s2", "licensing", "decisions"), "value"] == 3


def test_an_xls_with_a_filepass_record_has_an_opening_password():
    import struct

    def record(kind, body=b""):
        return struct.pack("<HH", kind, len(body)) + body

    bof = record(0x0809, b"\x00\x06\x05\x00" + b"\x00" * 12)
    plain = bof + record(0x0042, b"\xe4\x04") + record(0x000A)
    locked = bof + record(0x002F, b"\x01\x00" + b"\x00" * 52) + record(0x000A)
    assert not xls.biff_has_password(plain)
    assert xls.biff_has_password(locked)


def test_an_ods_with_encrypted_parts_has_an_opening_password():
    import zipfile
    from io import BytesIO

    def ods(manifest: str) -> bytes:
        buffer = BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            zf.writestr("META-INF/manifest.xml", manifest)
            zf.writestr("content.xml", "<x/>")
        return buffer.getvalue()

    entry = '<manifest:file-entry manifest:full-path="content.xml">{}</manifest:file-entry>'
    assert not files.encrypted(ods(entry.format("")))
    assert files.encrypted(ods(entry.format('<manifest:encryption-data manifest:checksum="x"/>')))
