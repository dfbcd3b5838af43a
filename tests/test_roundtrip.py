"""A return made from the template and filled and saved by another program reads back exactly.

LibreOffice (headless) stands for the spreadsheet programs departments use: it opens a filled
template, recalculates it and saves it as .xlsx and as .ods. In CI (CI=true) a missing
LibreOffice fails the test (.ci/debian-packages.txt installs it); elsewhere it is skipped.
"""

import os
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest

from pipeline import files
from pipeline.files import xlsx
from pipeline.ingest.returns import return_read
from pipeline.render.workbook import (
    formula_totals,
    sheet_name,
    template_cell,
    write_return,
    write_template,
)
from scripts.messy import figures, stored


def soffice() -> str:
    """The LibreOffice program, or skip (fail in CI) when it is not installed."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    reason = (
        "LibreOffice 未安装（Debian 软件包 libreoffice-calc-nogui，见 .ci/debian-packages.txt）"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def filled_template(path, values) -> None:
    """The template filled in as a person would: the parts typed in, the totals left to formulas."""
    write_template(path, "古县司法局", 2023)
    wb = openpyxl.load_workbook(path)
    totals = formula_totals()
    for (section, row, col), value in values.items():
        if (section, row, col) in totals:
            continue
        number = Decimal(value)
        typed = int(number) if number == number.to_integral_value() else float(number)
        wb[sheet_name(section)][template_cell(section, row, col)] = typed
    wb.save(path)


def readings(path) -> dict:
    book = files.read_workbook(path)
    read = return_read(path.name, book.sheets, book.hidden)
    assert read.written_unit == "古县司法局" and read.written_year == "2023"
    return {(s, r, c): (read_as, value) for _, _, s, r, c, _, _, read_as, value, _ in read.cells}


@pytest.mark.parametrize("target", ["xlsx", "ods"])
def test_a_template_filled_and_saved_by_libreoffice_reads_back_exactly(tmp_path, target):
    program = soffice()
    values = figures(2023)
    filled = tmp_path / "古县司法局.xlsx"
    filled_template(filled, values)
    out = tmp_path / "saved"
    subprocess.run(
        [
            program,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(filled),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    saved = out / f"古县司法局.{target}"
    assert readings(saved) == {k: ("number", stored(k, v)) for k, v in values.items()}
    if target == "xlsx":
        assert xlsx.uncached_formulas(saved) == {}  # LibreOffice stored every total's result


def test_a_template_resaved_by_openpyxl_reads_back_with_its_totals_derived(tmp_path):
    values = figures(7)
    path = tmp_path / "古县司法局.xlsx"
    write_return(path, "古县司法局", 2023, values)
    wb = openpyxl.load_workbook(path)
    wb.save(path)  # NOTE: openpyxl keeps the formulas and drops their stored results
    totals = formula_totals()
    assert readings(path) == {
        k: ("derived" if k in totals else "number", stored(k, v)) for k, v in values.items()
    }
