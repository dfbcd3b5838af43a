"""The shipped sample year, end to end, against the golden files in tests/golden/2023/.

After a deliberate change of output, regenerate them with `make golden` and review the diff.
"""

import os
import shutil
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden" / "2023"
PRODUCTS = [
    "report.md",
    "report.html",
    "tables/section2.csv",
    "tables/section3.csv",
    "tables/section4.csv",
    "tables/cells.csv",
    "01_ingested/returns.csv",
    "02_validated/findings.csv",
    "02_validated/unit_s3.csv",
    "03_aggregated/county_cells.csv",
    "narrative_findings.csv",
    "units/index.csv",
    "units/古县人民政府办公室/report.md",
    "units/古县人民政府办公室/report.html",
]


def test_the_sample_year_runs_clean(sample_run):
    result, paths = sample_run
    assert result.exit_code == 0, result.stderr
    assert "读取：35个文件，收到35个单位的报表（名册共35个单位），7105个单元格。" in result.stdout
    assert "问题：错误0个，警告0个，提示1个" in result.stdout
    for stage in ("01_ingested", "02_validated", "03_aggregated"):
        assert (paths.out / stage).is_dir()


@pytest.mark.parametrize("product", PRODUCTS)
def test_products_match_the_golden_files(sample_run, product):
    _, paths = sample_run
    produced = paths.out / product
    golden = GOLDEN / product
    if os.environ.get("XXGK_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(produced, golden)
    assert produced.read_bytes() == golden.read_bytes(), f"{product} differs from {golden}"


def test_csv_is_utf8_with_bom_for_excel(sample_run):
    _, paths = sample_run
    for csv in paths.out.rglob("*.csv"):
        assert csv.read_bytes().startswith(b"\xef\xbb\xbf"), csv


def test_the_county_report_names_the_county_and_states_the_fees(sample_run):
    _, paths = sample_run
    md = paths.report_md.read_text("utf-8")
    assert md.startswith("# 古县2023年政府信息公开工作年度报告")
    assert (
        "全县2023年度共发出政府信息公开信息处理费收费通知1件，收费通知总金额150元，实际收取150元。"
        in md
    )
