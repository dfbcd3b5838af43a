"""Hostile files (tests/hostile.py) each give a finding naming the file, and the run goes on: the
good returns beside them are received, and nothing is written outside output/."""

import os
import zipfile

import pytest

from pipeline import files, inputs, store
from pipeline.files import limits
from pipeline.ingest.register import RECEIVED
from pipeline.paths import MAX_NAME_BYTES, Paths, safe_name
from pipeline.run import run_ingest, run_template, run_validate
from tests.helpers import SAMPLE_RAW, raw_year, with_totals
from tests.hostile import corpus, good_return

UNITS = inputs.read_units(SAMPLE_RAW / "2023" / "units.csv")
HOSTILE_RULES = {
    "file.zip_bomb",
    "file.too_large",
    "file.long_text",
    "file.changed",
    "file.macros",
    "file.external_links",
}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    raw = root / "raw" / "2023"
    cases = corpus(raw / "returns", 2023, list(UNITS["name"]))
    store.write_csv(UNITS, raw / "units.csv")
    paths = Paths(root / "raw", root / "output", 2023)
    before = _tree(root / "raw")
    run_ingest(paths)
    run_validate(paths)
    return cases, paths, before


def _tree(folder):
    return {p: p.stat().st_size for p in folder.rglob("*")}


def test_each_hostile_file_gives_its_finding(hostile_run):
    cases, paths, _ = hostile_run
    findings = store.read_csv(paths.ingested_findings)
    got = {(f.rule, f.file) for f in findings.itertuples() if f.rule in HOSTILE_RULES}
    assert got == {(c.rule, f"returns/{c.file}") for c in cases if c.rule}
    for case in (c for c in cases if c.rule):
        message = findings.loc[findings["file"] == f"returns/{case.file}", "message"].iloc[0]
        assert case.file in message


def test_the_good_files_beside_them_are_received(hostile_run):
    cases, paths, _ = hostile_run
    returns = store.read_csv(paths.ingested_returns).set_index("file")
    for case in cases:
        row = returns.loc[f"returns/{case.file}"]
        assert row["unit"] == case.unit
        assert (row["status"] == RECEIVED) == case.received, (case.file, row["status"])
    findings = store.read_csv(paths.ingested_findings)
    good = {f"returns/{c.file}" for c in cases if c.received}
    errors = findings[findings["file"].isin(good) & (findings["severity"] == "error")]
    assert errors.empty, errors["message"].tolist()


def test_macros_and_links_are_notes_not_errors(hostile_run):
    _, paths, _ = hostile_run
    findings = store.read_csv(paths.ingested_findings)
    notes = findings[findings["rule"].isin(["file.macros", "file.external_links"])]
    assert len(notes) == 2 and set(notes["severity"]) == {"info"}


def test_nothing_is_written_outside_output_and_raw_is_untouched(hostile_run):
    _, paths, before = hostile_run
    root = paths.raw_root.parent
    written = [p for p in root.rglob("*") if p.is_file() and paths.raw_root not in p.parents]
    assert written and all(paths.out_root in p.parents for p in written)
    assert _tree(paths.raw_root) == before
    # NOTE: the hostile files with errors got a feedback workbook: the list alone, never opened
    assert len(list(paths.feedback.iterdir())) >= 7


def test_a_file_changed_while_read_is_a_finding(tmp_path, monkeypatch):
    paths = raw_year(tmp_path, {"古县财政局": with_totals({}), "古县民政局": with_totals({})})
    changing = paths.returns_dir / "古县财政局.xlsx"
    real = limits._contents

    def contents(path, *rest):
        data = real(path, *rest)
        if path == changing:
            with path.open("ab") as f:
                f.write(b"\0")  # NOTE: someone saves the file again while it is being read
        return data

    monkeypatch.setattr(limits, "_contents", contents)
    run_ingest(paths)
    findings = store.read_csv(paths.ingested_findings)
    assert [(f.rule, f.file) for f in findings.itertuples() if f.severity == "error"] == [
        ("file.changed", "returns/古县财政局.xlsx")
    ]
    returns = store.read_csv(paths.ingested_returns).set_index("file")
    assert returns.loc["returns/古县民政局.xlsx", "status"] == RECEIVED


def test_a_file_that_vanished_before_it_was_read_is_a_finding(tmp_path, monkeypatch):
    paths = raw_year(tmp_path, {"古县财政局": with_totals({})})
    listed = [*paths.return_files(), paths.returns_dir / "古县民政局.xlsx"]
    monkeypatch.setattr(Paths, "return_files", lambda self: listed)
    run_ingest(paths)
    findings = store.read_csv(paths.ingested_findings)
    assert ("file.changed", "returns/古县民政局.xlsx") in {
        (f.rule, f.file) for f in findings.itertuples()
    }


@pytest.mark.parametrize(
    "unit",
    ["../../etc/passwd", "..", ".", "", "a/b\\c", "=1+1", "\x00\n\u202e局", "局" * 300, "\udcff局"],
)
def test_feedback_and_unit_folders_stay_inside_their_folders(tmp_path, unit):
    paths = Paths(tmp_path / "raw", tmp_path / "output", 2023)
    for target, folder in [
        (paths.feedback_file(unit, ".xlsx"), paths.feedback),
        (paths.unit_dir(unit), paths.units_dir),
        (paths.template(unit), paths.templates),
    ]:
        assert target.parent == folder and target.name not in ("", ".", "..")
        assert len(target.name.encode("utf-8")) <= 255
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"")  # NOTE: a name the file system takes
    assert len(safe_name(unit).encode("utf-8")) <= MAX_NAME_BYTES
    assert safe_name("局" * 300) != safe_name("局" * 299 + "处")


def test_text_beginning_with_formula_characters_stays_text_in_feedback(tmp_path):
    unit = "=1+1局"
    values = with_totals({("s2", "penalty", "decisions"): '=HYPERLINK("http://x","点我")'})
    paths = raw_year(tmp_path, {unit: values})
    run_ingest(paths)
    run_validate(paths)
    (feedback,) = paths.feedback.iterdir()
    with zipfile.ZipFile(feedback) as zf:
        sheets = [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in s or b"<f " in s for s in sheets)
    from openpyxl import load_workbook

    wb = load_workbook(feedback)
    texts = [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(c.value.startswith("=HYPERLINK") for c in texts)
    assert {c.data_type for c in texts} == {"s"}


def test_a_unit_named_like_a_formula_gets_a_template_without_formulas_on_its_cover(tmp_path):
    paths = raw_year(tmp_path, {}, units=["=1+1局", "@SUM(A1)局"])
    run_template(paths)
    for unit in ("=1+1局", "@SUM(A1)局"):
        with zipfile.ZipFile(paths.template(unit)) as zf:
            cover = zf.read("xl/worksheets/sheet1.xml")
        assert b"<f>" not in cover
        sheets = files.read_sheets(paths.template(unit))
        assert any(unit in row for rows in sheets.values() for row in rows)


def test_a_file_name_that_is_not_utf8_is_shown_as_gb18030(tmp_path):
    paths = Paths(tmp_path / "raw", tmp_path / "output", 2023)
    gbk = paths.returns_dir / os.fsdecode("古县财政局.xlsx".encode("gbk"))
    assert paths.relative(gbk) == "returns/古县财政局.xlsx"
    garbled = paths.returns_dir / os.fsdecode(b"\xff\xfe.xlsx")
    assert paths.relative(garbled) == "returns/\ufffd\ufffd.xlsx"


def test_the_checks_pass_a_real_return_and_read_it_from_one_snapshot(tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(good_return("古县财政局", 2023))
    book = files.read_workbook(path)
    assert book.notes == () and len(book.sheets) == 6
    path.write_bytes(b"")  # NOTE: what was read stays what was checked
    assert book.formulas() == {}


@pytest.mark.parametrize(
    "cells",
    [
        "<x:c><v>1</v></x:c>" * 3000,  # cells with a namespace prefix, and no place of their own
        '<c t="n"><v r="A1">1</v></c>' * 3000,  # a place written on what is not a cell
    ],
    ids=["prefixed", "r_elsewhere"],
)
def test_cells_without_a_place_of_their_own_still_count_towards_the_limit(cells):
    import re

    source = zipfile.ZipFile(_bytes_io(good_return("甲", 2023)))
    sheet = next(n for n in source.namelist() if n.startswith("xl/worksheets/sheet"))
    xml = source.read(sheet).decode()
    rows = f'<row r="1">{cells}</row><row r="300"><c r="A300"><v>2</v></c></row>'
    xml = re.sub(r"<sheetData>.*</sheetData>", f"<sheetData>{rows}</sheetData>", xml, flags=re.S)
    xml = xml.replace("<worksheet ", f'<worksheet xmlns:x="{_MAIN_NS}" ', 1)
    out = _bytes_io()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in source.namelist():
            z.writestr(name, xml if name == sheet else source.read(name))
    with pytest.raises(files.UnreadableFile) as caught:
        files.checked_workbook(out.getvalue())
    assert caught.value.rule == "file.too_large"


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _bytes_io(data: bytes = b""):
    from io import BytesIO

    return BytesIO(data)
