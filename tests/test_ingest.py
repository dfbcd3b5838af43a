"""Ingest: return workbooks → the long cell table, the register of returns, and reading findings."""

import pandas as pd

from pipeline import files, store
from pipeline.ingest.register import UnitIndex, ingested
from pipeline.ingest.returns import return_read
from pipeline.render.workbook import sheet_name, template_cell, write_return
from pipeline.run import run_ingest
from tests.helpers import raw_year, zeros


def findings_of(paths):
    return [
        (f["rule"], f["unit"], f["file"])
        for f in store.read_csv(paths.ingested_findings).to_dict("records")
    ]


def test_a_return_reads_back_cell_for_cell_with_provenance(tmp_path):
    values = zeros() | {
        ("s3", "new", "natural"): 7,
        ("s2", "fees", "amount"): "12.3456",
        ("s4", "cases", "after_pending"): "１",
    }
    write_return(tmp_path / "r.xlsx", "古县司法局", 2023, values, formulas=False)
    read = return_read("r.xlsx", files.read_sheets(tmp_path / "r.xlsx"))
    assert (read.written_unit, read.written_year, read.sections) == (
        "古县司法局",
        "2023",
        ("s2", "s3", "s4", "s6"),
    )
    cells = {(c[2], c[3], c[4]): c for c in read.cells}
    assert len(cells) == 203
    sheet, cell, *_rest, text, read_as, value, problem = cells["s3", "new", "natural"]
    assert (sheet, cell, text, value) == (
        sheet_name("s3"),
        template_cell("s3", "new", "natural"),
        "7",
        7,
    )
    assert cells["s2", "fees", "amount"][-4:] == ("12.3456", "number", 12345600, "")
    assert cells["s4", "cases", "after_pending"][-4:] == ("１", "number", 1, "")


def test_formula_totals_are_read_from_their_stored_results(tmp_path):
    values = zeros() | {("s3", "new", "natural"): 2, ("s3", "new", "legal"): 3}
    write_return(tmp_path / "r.xlsx", "古县司法局", 2023, values, formulas=True)
    read = return_read("r.xlsx", files.read_sheets(tmp_path / "r.xlsx"))
    total = next(c for c in read.cells if c[2:5] == ("s3", "new", "total"))
    assert total[-2] == 5


def test_units_are_matched_by_name_alias_or_file_name():
    import pandas as pd

    units = pd.DataFrame(
        {
            "code": ["A", "B"],
            "name": ["古县司法局", "岳阳镇"],
            "kind": ["部门", "乡镇"],
            "aliases": ["县司法局", "古县岳阳镇人民政府"],
        }
    )
    index = UnitIndex(units)
    assert index.match("古县司法局") == ["A"]
    assert index.match("县 司法局") == ["A"]
    assert index.match("古县岳阳镇人民政府") == ["B"]
    assert index.match("岳阳镇2023年政务公开年报") == ["B"]
    assert index.match("古县水利局") == []


def test_register_names_missing_duplicate_unknown_unreadable_and_other_year(tmp_path):
    paths = raw_year(
        tmp_path,
        {"古县司法局": zeros(), "古县水利局": zeros()},
        units=["古县司法局", "古县水利局", "古县审计局"],
    )
    returns = paths.returns_dir
    write_return(returns / "司法局第二份.xlsx", "古县司法局", 2023, zeros())
    write_return(returns / "不知道.xlsx", "某某单位", 2023, zeros())
    write_return(returns / "古县水利局2022.xlsx", "古县水利局", 2022, zeros())
    (returns / "坏文件.xlsx").write_bytes(b"not a workbook")
    (returns / "空文件.xlsx").write_bytes(b"")
    run_ingest(paths)
    found = sorted(findings_of(paths))
    assert found == sorted(
        [
            ("file.unreadable", "", "returns/坏文件.xlsx"),
            ("file.unreadable", "", "returns/空文件.xlsx"),
            ("register.duplicate", "古县司法局", "returns/古县司法局.xlsx"),
            ("register.missing", "古县审计局", ""),
            ("register.unknown_unit", "某某单位", "returns/不知道.xlsx"),
            ("register.year", "古县水利局", "returns/古县水利局2022.xlsx"),
        ]
    )
    register = store.read_csv(paths.ingested_returns).set_index("file")["status"].to_dict()
    assert (
        register["returns/司法局第二份.xlsx"] == register["returns/古县司法局.xlsx"] == "duplicate"
    )
    assert register["returns/古县水利局.xlsx"] == "received"
    messages = store.read_csv(paths.ingested_findings)["message"].tolist()
    assert "古县审计局未报送2023年度年报数据。" in messages
    assert any("文件为空" in m for m in messages)


def test_a_workbook_without_the_tables_is_a_finding(tmp_path):
    import xlsxwriter

    paths = raw_year(tmp_path, {}, units=["古县司法局"])
    wb = xlsxwriter.Workbook(paths.returns_dir / "古县司法局.xlsx")
    wb.add_worksheet("Sheet1").write("A1", "随便写的内容")
    wb.close()
    run_ingest(paths)
    # NOTE: the unit is told from the file name, so the register shows it as sent but unusable
    assert findings_of(paths) == [("file.no_tables", "古县司法局", "returns/古县司法局.xlsx")]


def test_ingested_keeps_cells_of_unknown_units_out_of_any_unit():
    read = return_read("x.xlsx", {"Sheet1": [["无关内容"]]})
    import pandas as pd

    cells, returns, findings = ingested(
        [read], pd.DataFrame(columns=["code", "name", "kind", "aliases"]), 2023
    )
    assert cells.empty and returns["status"].tolist() == ["no_tables"]


def test_a_file_naming_several_units_is_an_error_naming_the_candidates(tmp_path):
    paths = raw_year(tmp_path, {}, units=["古县司法局", "古县水利局", "古县审计局"])
    write_return(paths.returns_dir / "古县司法局古县水利局合报.xlsx", "", 2023, zeros())
    run_ingest(paths)
    findings = store.read_csv(paths.ingested_findings)
    unknown = findings[findings["rule"] == "register.unknown_unit"]
    assert unknown["message"].tolist() == [
        "无法确定文件“returns/古县司法局古县水利局合报.xlsx”属于哪个单位（可能是：古县司法局、古县水利局），请在填报单位栏填写单位全称。"
    ]
    register = store.read_csv(paths.register)
    stray = register[register["unit_code"] == ""]
    assert stray[["status", "files"]].values.tolist() == [
        ["unknown_unit", "returns/古县司法局古县水利局合报.xlsx"]
    ]


def test_the_unit_is_told_from_the_title_cell(tmp_path):
    read = return_read(
        "年报.xlsx", {"Sheet1": [["古县司法局2023年政府信息公开工作年度报告"], ["其他内容"]]}
    )
    index = UnitIndex(
        pd.DataFrame({"code": ["A"], "name": ["古县司法局"], "kind": ["部门"], "aliases": [""]})
    )
    from pipeline.ingest.register import _identified

    assert read.written_year == "古县司法局2023年政府信息公开工作年度报告"
    assert _identified(read, index) == ["A"]


def test_a_2019_trial_format_return_is_rejected_with_that_reason(tmp_path):
    paths = raw_year(tmp_path, {}, units=["古县司法局"])
    rows = [
        ["古县司法局2020年政府信息公开工作年度报告"],
        ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
        ["规章", 0, 0, 0],
    ]
    import xlsxwriter

    wb = xlsxwriter.Workbook(paths.returns_dir / "司法局年报.xlsx")
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    wb.close()
    run_ingest(paths)
    findings = store.read_csv(paths.ingested_findings)
    assert findings[["rule", "unit"]].values.tolist() == [["file.old_format", "古县司法局"]]
    assert findings["message"].iloc[0] == (
        "文件“returns/司法局年报.xlsx”是2019年试行格式的报表（含“本年新制作数量”“本年新公开数量”“对外公开总数量”），"
        "未读取；请按2021年格式（国办公开办函〔2021〕30号）重新填报。"
    )
    register = store.read_csv(paths.register)
    assert register[["unit", "status"]].values.tolist() == [["古县司法局", "old_format"]]


def test_the_year_is_read_from_a_cell_or_a_title_not_from_digits_in_a_name():
    from pipeline.ingest.returns import stated_year

    assert (
        stated_year("2023", alone=True)
        == stated_year("2023年")
        == stated_year("二〇二三年")
        == 2023
    )
    assert stated_year("样本县第00014局2023年政府信息公开工作年度报告") == 2023
    assert stated_year("第12局") is None


def test_reading_on_every_core_gives_what_reading_in_one_process_gives(tmp_path, monkeypatch):
    from pipeline import run
    from tests.helpers import with_totals

    values = {
        f"单位{i}": with_totals({("s3", "new", "natural"): i, ("s3", "granted", "natural"): i})
        for i in range(6)
    }
    paths = raw_year(tmp_path, values)
    (paths.returns_dir / "坏文件.xlsx").write_bytes(b"not a workbook")
    from pipeline.memo import Memo
    from pipeline.run import reading

    serial = run.read_year(paths, Memo())
    monkeypatch.setattr(reading, "PARALLEL_FROM", 2)
    monkeypatch.setattr(reading, "BATCHES_PER_WORKER", 2)
    parallel = run.read_year(paths, Memo())
    for one, other in zip(
        (serial.cells, serial.files, serial.findings),
        (parallel.cells, parallel.files, parallel.findings),
        strict=True,
    ):
        assert one.equals(other)


def test_two_returns_of_one_layout_keep_their_own_years(tmp_path):
    from tests.helpers import zeros

    write_return(tmp_path / "a.xlsx", "古县司法局", 2023, zeros())
    write_return(tmp_path / "b.xlsx", "古县司法局", 2022, zeros())
    a = return_read("a.xlsx", files.read_sheets(tmp_path / "a.xlsx"))
    b = return_read("b.xlsx", files.read_sheets(tmp_path / "b.xlsx"))
    assert (a.written_year, b.written_year) == ("2023", "2022")


def test_a_layout_met_before_never_decides_where_another_returns_figures_are(tmp_path):
    """表四's figures have no row label: their row is the first filled one below the header, which
    depends on the return's values, so a layout remembered from one return must not place them
    for the next (a return with an empty 表四, read first, once made the next one read as 0)."""
    import copy

    values = zeros() | {key: 5 for key in zeros() if key[0] == "s4"}
    write_return(tmp_path / "r.xlsx", "古县司法局", 2023, values, formulas=False)
    sheets = files.read_sheets(tmp_path / "r.xlsx")
    name = sheet_name("s4")
    at = next(i for i, row in enumerate(sheets[name]) if row.count(5) >= 5)

    def spaced(filled: bool):
        copied = copy.deepcopy(sheets)
        rows = copied[name]
        rows.insert(at, [""] * len(rows[at]))  # a blank row between the header and the figures
        if not filled:
            rows[at + 1] = ["" if isinstance(v, float) else v for v in rows[at + 1]]
        return copied

    empty = return_read("empty.xlsx", spaced(False))
    filled = return_read("filled.xlsx", spaced(True))
    s4 = {c[2:5]: c for c in filled.cells if c[2] == "s4"}
    assert s4["s4", "cases", "after_pending"][-2:] == (5, "")
    assert {c[7] for c in empty.cells if c[2] == "s4"} == {"blank"}


def test_the_runs_memo_works_a_layout_out_once_and_counts_its_hits(tmp_path):
    from pipeline.memo import Memo
    from pipeline.run import read_return
    from tests.helpers import zeros

    write_return(tmp_path / "a.xlsx", "古县司法局", 2023, zeros())
    write_return(tmp_path / "b.xlsx", "古县水利局", 2023, zeros())
    memo = Memo()
    first = read_return(tmp_path / "a.xlsx", "a.xlsx", memo)
    misses = dict(memo.misses)
    second = read_return(tmp_path / "b.xlsx", "b.xlsx", memo)
    assert first.layout == second.layout, "one layout: the same sites"
    # NOTE: the cover names another unit: that sheet alone is new
    assert memo.misses["facts"] == misses["facts"] + 1
    for table in ("sections", "layouts", "joins"):
        assert memo.misses[table] == misses[table], f"{table} worked out again"
        assert memo.hits[table] > 0, table


def test_the_memo_keeps_at_most_its_limit_and_lets_go_of_the_oldest():
    from pipeline.memo import Memo

    memo = Memo(limit=2)
    for key in "abc":
        memo.get("facts", key, lambda k=key: k.upper())
    assert list(memo.table("facts")) == ["b", "c"]
    assert memo.get("facts", "c", lambda: "?") == "C"
    assert (memo.hits["facts"], memo.misses["facts"]) == (1, 3)
