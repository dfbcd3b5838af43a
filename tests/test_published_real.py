"""Real published reports read figure by figure, as a person reads them off the page.

The expected figures were read off the documents themselves (the PDF's pages rendered, the text
files by eye; the digits that ran together split by hand with the tables' sums), not from the
reader's output. Each value is written where it stands in the table, in the format's column order.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.format2021 import S3, SECTIONS
from pipeline.ingest.published import read_report
from pipeline.problems import as_published

REAL = Path(__file__).parent / "fixtures" / "real"
SEED = Path(__file__).parent / "fixtures" / "seed_gu_2023.txt"
Z7 = [0] * 7
UNREAD7 = [None] * 7


def table(report, section: str) -> dict[str, list]:
    """The values of one table by row code, in the format's column order (None: unread)."""
    cells = report.cells[report.cells["section"] == section]
    sec = SECTIONS[section]
    out = {}
    for row in [*(r.code for r in sec.rows), "other_total"]:
        part = cells[cells["row"] == row].set_index("col")["value"]
        if len(part):
            cols = (
                [c.code for c in sec.cols_of(sec.row(row))]
                if row != "other_total"
                else [c.code for c in S3.cols]
            )
            out[row] = [None if part.isna()[c] else int(part[c]) for c in cols]
    return out


def rules_of(report, severity: str | None = None) -> list[tuple[str, str, str]]:
    """The findings as (rule, section, row), in order; optionally of one severity."""
    return [
        (f["rule"], f["section"], f["row"])
        for f in report.findings
        if severity is None or f["severity"] == severity
    ]


def s3_rows(**given: list) -> dict[str, list]:
    """表三: every row 0 except those given."""
    return {r.code: given.get(r.code, Z7) for r in S3.rows}


@pytest.fixture(scope="module")
def hongze():
    return read_report(REAL / "洪泽区2023.pdf")


def test_hongze_pdf_figures(hongze):
    assert (hongze.issuer, hongze.year, hongze.format) == ("洪泽区人民政府", 2023, "pdf")
    # page 2-3, 表二
    assert table(hongze, "s2") == {
        "rules": [0, 0, 0],
        "normative": [0, 5, 5],
        "licensing": [550],
        "penalty": [4119],
        "coercion": [195],
        "fees": [7730_280000],  # 7730.28 万元
    }
    # page 3-4, 表三: （六）其他处理 printed as one row (its three sub-rows unknown)
    expected = s3_rows(
        new=[21, 0, 0, 0, 0, 0, 21],
        partial=[4, 0, 0, 0, 0, 0, 4],
        denied_secret=[1, 0, 0, 0, 0, 0, 1],
        denied_process=[1, 0, 0, 0, 0, 0, 1],
        denied_enforcement=[1, 0, 0, 0, 0, 0, 1],
        unable_not_held=[10, 0, 0, 0, 0, 0, 10],
        unable_needs_making=[3, 0, 0, 0, 0, 0, 3],
        refused_petition=[1, 0, 0, 0, 0, 0, 1],
        outcome_total=[21, 0, 0, 0, 0, 0, 21],
        other_no_correction=UNREAD7,
        other_no_fee=UNREAD7,
        other_other=UNREAD7,
    )
    expected["other_total"] = Z7
    assert table(hongze, "s3") == expected
    # page 4, 表四 as published: 行政复议 维持 10, 纠正 1, 总计 0; 复议后起诉 维持 5, 总计 0
    assert table(hongze, "s4") == {"cases": [10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0]}
    # page 5: 全年收取政府信息公开信息处理费 0 元
    assert table(hongze, "s6") == {"fees": [0, 0, 0]}


def test_hongze_pdf_places_and_flaws(hongze):
    cells = hongze.cells.set_index(["section", "row", "col"])
    assert cells.loc[("s3", "new", "natural"), "where"].startswith("p3:")
    # the table goes on over the page break
    assert cells.loc[("s3", "unable_unclear", "total"), "where"].startswith("p4:")
    assert cells.loc[("s4", "cases", "review_upheld"), "where"].startswith("p4:")
    assert set(hongze.cells["read_as"]) == {"written", "unread", "stated_none"}
    assert rules_of(hongze) == [("audit.other_single_row", "s3", "other_total")]
    # the text's 受理 21 件 matches 新收 (and 新收 + 上年结转, which is the same here)
    assert [(f["what"], f["value"], f["matched"]) for f in hongze.figures] == [
        ("received", 21, "新收、新收+上年结转")
    ]
    assert list(hongze.parts) == list("一二三四五六")


@pytest.fixture(scope="module")
def pingtan():
    return {y: read_report(REAL / f"平潭综合实验区{y}.txt") for y in (2021, 2023)}


def test_pingtan_2021_split_by_the_sums(pingtan):
    r = pingtan[2021]
    assert (r.issuer, r.year) == ("平潭综合实验区", 2021)
    assert table(r, "s2") == {
        "rules": [0, 0, 0],  # `000`
        "normative": [None, None, None],  # `693665`: ten splits, 表二 has no sum to choose
        "licensing": [2293],
        "penalty": [1282],
        "coercion": [42],
        "fees": [24252_311082],  # 24252.311082 万元
    }
    assert table(r, "s3") == s3_rows(
        new=[64, 0, 0, 2, 0, 4, 70],  # `640020470`
        granted=[27, 0, 0, 2, 0, 1, 30],
        partial=[5, 0, 0, 0, 0, 0, 5],  # `500000 5`: the space is noise
        denied_internal=[1, 0, 0, 0, 0, 0, 1],
        denied_enforcement=[6, 0, 0, 0, 0, 0, 6],
        denied_query=[1, 0, 0, 0, 0, 0, 1],
        unable_not_held=[22, 0, 0, 0, 0, 3, 25],  # `2200003252.没有…`: the 2 is the label's
        other_other=[1, 0, 0, 0, 0, 0, 1],
        outcome_total=[63, 0, 0, 2, 0, 4, 69],
        carried_out=[1, 0, 0, 0, 0, 0, 1],
    )
    # `10203120001200000`: 行政复议 1 0 2 0 3, 直接起诉 12 0 0 0 12, 复议后起诉 0s
    assert table(r, "s4") == {"cases": [1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0]}
    assert table(r, "s6") == {"fees": [0, 0, 0]}  # 无收取信息处理费情况
    ambiguous = [f for f in r.findings if f["rule"] == "audit.split_ambiguous"]
    assert [(f["section"], f["row"]) for f in ambiguous] == [("s2", "normative")]
    assert "有10种拆分" in ambiguous[0]["message"] and "693665" in ambiguous[0]["message"]
    assert set(r.cells.loc[r.cells["section"] == "s3", "read_as"]) == {"split"}
    # the rules used to split are recorded: not evidence that the table satisfies them
    assert ("s3.balance", "natural") in r.split_rules
    assert ("s4.group_total", "direct") in r.split_rules
    assert [(f["what"], f["value"], bool(f["matched"])) for f in r.figures] == [
        ("received", 70, True),
        ("closed", 69, True),
        ("carried_out", 1, True),
    ]
    # NOTE: the ambiguous `693665` is a limit of our reading, never a flaw of the report
    assert [(f["rule"], f["about"], f["severity"]) for f in ambiguous] == [
        ("audit.split_ambiguous", "reading", "warning")
    ]
    assert "请人工核对" in as_published(ambiguous[0])["message"]  # as the audit states it
    assert not [f for f in r.findings if f["severity"] != "info" and f["about"] == "report"]


def test_pingtan_2023(pingtan):
    r = pingtan[2023]
    assert table(r, "s2") == {
        "rules": [0, 0, 0],
        "normative": [None, None, None],  # `77132470`: 21 splits
        "licensing": [2629],
        "penalty": [1330],
        "coercion": [54],
        "fees": [5949_088667],  # 5949.088667 万元
    }
    assert table(r, "s3") == s3_rows(
        new=[80, 1, 0, 0, 0, 0, 81],
        granted=[22, 0, 0, 0, 0, 0, 22],
        partial=[19, 1, 0, 0, 0, 0, 20],
        denied_third_party=[1, 0, 0, 0, 0, 0, 1],
        denied_process=[1, 0, 0, 0, 0, 0, 1],
        denied_enforcement=[1, 0, 0, 0, 0, 0, 1],
        denied_query=[2, 0, 0, 0, 0, 0, 2],
        unable_not_held=[31, 0, 0, 0, 0, 0, 31],
        refused_repeat=[1, 0, 0, 0, 0, 0, 1],
        other_no_correction=[1, 0, 0, 0, 0, 0, 1],
        other_other=[1, 0, 0, 0, 0, 0, 1],
        outcome_total=[80, 1, 0, 0, 0, 0, 81],
    )
    assert table(r, "s4") == {"cases": [1, 1, 0, 0, 2, 4, 0, 0, 1, 5, 1, 0, 1, 0, 2]}
    assert [f["row"] for f in r.findings if f["rule"] == "audit.split_ambiguous"] == ["normative"]
    # 行政复议案件2件、行政诉讼案件7件 (5 direct + 2 after review)
    assert {f["what"]: f["value"] for f in r.figures if f["matched"]} == {
        "received": 81,
        "closed": 81,
        "review": 2,
        "suit": 7,
    }


def test_pingtan_similarity_across_years(pingtan):
    from pipeline.audit.similar import part_similarities, similar_findings

    ratios = part_similarities(pingtan[2023], pingtan[2021])
    assert set(ratios) == {"一", "五", "六"} and all(v < 0.8 for v in ratios.values())
    assert similar_findings(pingtan[2023], pingtan[2021]) == []
    same = similar_findings(pingtan[2023], pingtan[2023])
    assert [(f["rule"], f["row"], f["value"]) for f in same] == [
        ("narrative.similar", "part一", "1.00"),
        ("narrative.similar", "part五", "1.00"),
    ]


def test_shanghai_markdown():
    r = read_report(REAL / "上海市人民政府办公厅2025.md")
    assert (r.issuer, r.year) == ("上海市人民政府办公厅", 2025)
    # 表二 第二十条第（一）项: each row shows two figures for three columns (one cell lost in
    # extraction), and the two cells with notes stand apart from any row: none is placed
    assert table(r, "s2") == {
        "rules": [None, None, None],
        "normative": [None, None, None],
        "licensing": [0],
        "penalty": [0],
        "coercion": [0],
        "fees": [0],
    }
    assert table(r, "s3") == s3_rows(
        new=[1259, 36, 0, 0, 0, 0, 1295],
        carried_in=[170, 15, 0, 0, 4, 0, 189],
        granted=[201, 5, 0, 0, 0, 0, 206],
        partial=[2, 0, 0, 0, 0, 0, 2],  # its label on the lines above the figures
        denied_secret=[4, 0, 0, 0, 0, 0, 4],
        denied_safety=[1, 0, 0, 0, 0, 0, 1],
        denied_internal=[8, 0, 0, 0, 1, 0, 9],
        denied_process=[1, 0, 0, 0, 0, 0, 1],
        denied_query=[5, 0, 0, 0, 0, 0, 5],
        unable_not_held=[484, 28, 0, 0, 1, 0, 513],
        unable_needs_making=[47, 1, 0, 0, 0, 0, 48],
        unable_unclear=[3, 0, 0, 0, 0, 0, 3],
        refused_petition=[61, 1, 0, 0, 0, 0, 62],
        refused_repeat=[16, 0, 0, 0, 0, 0, 16],
        refused_publication=[1, 0, 0, 0, 0, 0, 1],
        refused_massive=[1, 0, 0, 0, 0, 0, 1],
        refused_confirm=Z7,  # label lines 142-143, figures line 154
        other_no_correction=[40, 1, 0, 0, 2, 0, 43],  # label torn over lines 144, 145, 156
        other_no_fee=Z7,  # label torn over the page footer — 5 —
        other_other=[264, 12, 0, 0, 0, 0, 276],
        outcome_total=[1139, 48, 0, 0, 4, 0, 1191],
        carried_out=[290, 3, 0, 0, 0, 0, 293],
    )
    assert table(r, "s4") == {"cases": [40, 0, 10, 5, 55, 2, 0, 4, 6, 12, 6, 0, 9, 7, 22]}
    assert table(r, "s6") == {"fees": [0, 0, 0]}  # 本机关未收取信息公开处理费
    cells = r.cells.set_index(["section", "row", "col"])
    assert cells.loc[("s3", "new", "natural"), "where"] == "l115:c2"
    assert rules_of(r) == [
        ("audit.row_short", "s2", "rules"),
        ("audit.row_short", "s2", "normative"),
        ("audit.row_unplaced", "s2", ""),
        ("narrative.missing_part", "narrative", "part五"),  # the heading 五、… is missing
    ]
    unplaced = next(f for f in r.findings if f["rule"] == "audit.row_unplaced")
    assert "22（其中修订 16 件）" in unplaced["message"]  # the note as written
    assert unplaced["where"] == "l79"
    assert {f["what"]: (f["value"], f["matched"]) for f in r.figures} == {
        "received": (1295, "新收"),  # 受理 1295 = 新收, not 新收 + 上年结转 (1484)
        "closed": (1191, "（七）总计"),
        "carried_in": (189, "上年结转"),
    }


def test_wps_template_has_empty_tables():
    r = read_report(REAL / "年报模板_WPS.docx")
    assert r.format == "docx" and r.tables_found == ("s2", "s3", "s4")
    tables = r.cells[r.cells["section"] != "s6"]
    assert len(tables) == sum(len(SECTIONS[s].cells) for s in ("s2", "s3", "s4"))
    assert set(tables["read_as"]) == {"blank"} and set(tables["value"]) == {0}
    assert list(r.parts) == list("一二三四五六")
    assert rules_of(r, "error") == []
    assert rules_of(r, "warning") == [
        ("audit.issuer_unknown", "", ""),
        ("audit.year_unknown", "", ""),
        # 六's placeholder `收取信息处理费情况在此处报告` speaks of the fees, states none
        ("audit.fees_unread", "s6", "fees"),
    ]
    assert {f["about"] for f in r.findings} == {"reading"}
    where = r.cells.set_index(["section", "row", "col"])["where"]
    assert where[("s3", "new", "natural")] == "t2:r4:c4"
    assert where[("s4", "cases", "after_total")] == "t3:r4:c15"


def test_wps_workbook_is_no_report():
    r = read_report(REAL / "WPS保存的工作簿示例.xlsx")
    assert r.format == "xlsx" and r.cells.empty
    assert rules_of(r) == [("audit.no_tables", "", "")]


def test_seed_report_one_cell_per_line():
    r = read_report(SEED)
    assert (r.issuer, r.year) == ("古县人民政府办公室", 2023)
    s2 = table(r, "s2")
    assert s2["rules"] == [0, 0, 0]
    assert s2["normative"] == [None, None, None]  # `0` and `13`: one of three cells missing
    assert table(r, "s3") == s3_rows(
        new=[1, 0, 0, 0, 0, 0, 1],
        granted=[1, 0, 0, 0, 0, 0, 1],
        outcome_total=[1, 0, 0, 0, 0, 0, 1],
    )
    assert table(r, "s4") == {"cases": [0] * 15}
    assert rules_of(r, "error") == []
    assert rules_of(r, "warning") == [("audit.row_short", "s2", "normative")]
