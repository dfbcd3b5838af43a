"""Every messy return of the corpus (scripts/messy.py) reads back exactly, or gives its finding."""

import pandas as pd
import pytest

from pipeline import inputs, store
from pipeline.ingest.register import RECEIVED
from pipeline.paths import Paths
from pipeline.run import run_ingest
from scripts.messy import corpus
from tests.helpers import SAMPLE_RAW

UNITS = inputs.read_units(SAMPLE_RAW / "2023" / "units.csv")


@pytest.fixture(scope="module")
def ingested_corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("messy")
    raw = root / "raw" / "2023"
    cases = corpus(raw / "returns", 2023, list(UNITS["name"]))
    store.write_csv(UNITS, raw / "units.csv")
    paths = Paths(root / "raw", root / "output", 2023)
    run_ingest(paths)
    return cases, paths


def _case_ids():
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        return [c.file for c in corpus(Path(tmp), 2023, list(UNITS["name"]))]


CASES = _case_ids()


@pytest.mark.parametrize("file", CASES)
def test_every_variant_reads_back_exactly_or_gives_its_finding(ingested_corpus, file):
    cases, paths = ingested_corpus
    case = next(c for c in cases if c.file == file)
    name = f"returns/{file}"
    returns = store.read_csv(paths.ingested_returns).set_index("file")
    findings = store.read_csv(paths.ingested_findings)
    mine = findings[findings["file"] == name]
    assert returns.loc[name, "unit"] == case.unit
    if case.cells is None:
        assert mine["rule"].tolist() == [case.rule], mine["message"].tolist()
        assert file in mine["message"].iloc[0]
        return
    assert returns.loc[name, "status"] == RECEIVED, mine["message"].tolist()
    cells = store.read_cells(paths.ingested_cells)
    got = {
        (r.section, r.row, r.col): (r.read_as, int(r.value))
        for r in cells[cells["file"] == name].itertuples()
    }
    assert got == case.cells
    errors = mine[mine["severity"] == "error"]
    assert errors.empty, errors["message"].tolist()


def test_cells_derived_from_formulas_are_noted_once_per_file(ingested_corpus):
    cases, paths = ingested_corpus
    findings = store.read_csv(paths.ingested_findings)
    derived = findings[findings["rule"] == "file.formula_derived"]
    expected = {
        f"returns/{c.file}"
        for c in cases
        if c.cells and any(read_as == "derived" for read_as, _ in c.cells.values())
    }
    assert set(derived["file"]) == expected and len(derived) == len(expected)
    assert all(f.severity == "info" for f in derived.itertuples())


def test_the_register_lists_each_unit_with_its_files(ingested_corpus):
    cases, paths = ingested_corpus
    register = store.read_csv(paths.register).set_index("unit")
    for case in cases:
        row = register.loc[case.unit]
        assert case.file in row["files"]
        want = (
            RECEIVED
            if case.cells
            else ("old_format" if case.rule == "file.old_format" else "unreadable")
        )
        assert row["status"] == want, (case.file, row.to_dict())
    sent = {c.unit for c in cases}
    missing = register[register["status"] == "missing"]
    assert set(missing.index) == set(UNITS["name"]) - sent
    assert (missing["files"] == "").all()


def test_the_corpus_covers_every_format():
    suffixes = pd.Series([f.rsplit(".", 1)[-1] for f in CASES]).value_counts()
    assert {"xlsx", "xlsm", "xls", "ods", "docx"} <= set(suffixes.index)
