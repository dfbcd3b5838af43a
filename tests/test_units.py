"""Every body's own report: `--all-units` writes one per clean return, each with its own narrative
or the default one, and says which units got none and why."""

from docx import Document
from typer.testing import CliRunner

from pipeline import inputs, store
from pipeline.cli import app
from tests.helpers import command_line, html_values, raw_year, with_totals

runner = CliRunner()
SEED_UNIT = "古县人民政府办公室"


def test_every_unit_of_the_sample_year_gets_its_report_in_three_formats(sample_year):
    paths = sample_year
    index = store.read_csv(paths.unit_reports)
    units = inputs.read_units(paths.units)
    assert list(index["unit"]) == list(units["name"])  # in the register's order
    assert set(index["status"]) == {"written"}
    for unit in index["unit"]:
        for path in (
            paths.unit_report_html(unit),
            paths.unit_report_md(unit),
            paths.unit_report_docx(unit),
        ):
            assert path.is_file(), path


def test_the_seed_unit_speaks_with_its_own_narrative_and_figures_from_its_return(sample_year):
    paths = sample_year
    md = paths.unit_report_md(SEED_UNIT).read_text("utf-8")
    assert md.startswith(f"# {SEED_UNIT} 2023年政府信息公开工作年度报告")
    assert "全年共受理信息公开申请1件，上年结转0件，办结1件，均在法定期限内答复" in md
    assert "年末现行有效的行政规范性文件13件" in md
    # figures no table holds come from the unit's figures file, as its published original has them
    for figure in ("文件84件", "信息1053条", "政策性文件33件", "共有3个政务新媒体"):
        assert figure in md, figure
    doc = Document(str(paths.unit_report_docx(SEED_UNIT)))
    assert [p.text for p in doc.paragraphs[:2]] == [SEED_UNIT, "2023年政府信息公开工作年度报告"]


def test_a_unit_without_a_narrative_gets_the_default_one(sample_year):
    md = sample_year.unit_report_md("古县水利局").read_text("utf-8")
    assert "本机关政府信息公开工作仍存在公开内容不够全面" in md
    assert "本机关2023年度" in md


def test_a_unit_report_shows_its_own_figures_not_the_county_total(sample_year):
    paths = sample_year
    unit = "古县公安局"
    cells = store.read_cells(paths.ingested_cells)
    mine = cells[(cells["unit"] == unit) & (cells["section"] == "s2")]
    penalty = int(mine.loc[mine["row"] == "penalty", "value"].iloc[0])
    shown = html_values(paths.unit_report_html(unit).read_text("utf-8"))[0]
    assert shown[7] == str(penalty)  # table 二: 规章 3, 规范性文件 3, 行政许可 1, then 行政处罚
    county = store.read_cells(paths.county_cells).set_index(["section", "row", "col"])["value"]
    assert county["s2", "penalty", "decisions"] > penalty


def _year_with(tmp_path, narratives: dict[str, str] | None = None):
    bad = with_totals({("s3", "new", "natural"): 1, ("s3", "granted", "natural"): 1}) | {
        ("s3", "new", "total"): 2
    }
    paths = raw_year(
        tmp_path,
        {"古县司法局": bad, "古县水利局": with_totals({}), "古县林业局": with_totals({})},
    )
    for unit, text in (narratives or {}).items():
        target = paths.unit_narrative(unit)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    args = command_line(paths)
    return paths, args


def test_a_unit_whose_return_has_errors_gets_no_report_and_the_run_says_which(tmp_path):
    paths, args = _year_with(tmp_path)
    result = runner.invoke(app, ["report", "--all-units", *args])
    assert result.exit_code == 1
    said = result.stderr.splitlines()
    assert said[0] == "xxgk：1个单位未生成本机关报告：古县司法局的报表有2个错误，未生成本机关报告。"
    assert said[1].startswith("xxgk：校验发现2个错误，未汇总全县数据。"), (
        "and the county report is blocked"
    )
    assert "本机关报告：2个单位的报告" in result.stdout
    assert not paths.unit_dir("古县司法局").exists()
    assert paths.unit_report_docx("古县水利局").is_file()
    index = store.read_csv(paths.unit_reports).set_index("unit")
    assert index.loc["古县司法局", "status"] == "return_errors"
    assert index.loc["古县司法局", "errors"] == "2"


NARRATIVE = """{% block preamble %}{{ unit }}编制了{{ year }}年度报告。{% endblock %}
{% block part1 %}全年新收申请{{ s3.new.total }}件，主动公开文件XX件。{% endblock %}
{% block part5 %}{{ part5 }}{% endblock %}
{% block part6 %}{{ fee_statement }}{% endblock %}"""


def test_a_unit_narrative_with_a_leftover_placeholder_blocks_that_report_only(tmp_path):
    text = NARRATIVE.replace("{{ part5 }}", "2022年存在的问题……")
    paths, args = _year_with(tmp_path, {"古县林业局": text})
    result = runner.invoke(app, ["report", "--all-units", *args])
    assert result.exit_code == 1
    assert "古县林业局的报告文字有1个错误" in result.stderr
    assert not paths.unit_report_html("古县林业局").exists()
    findings = store.read_csv(paths.unit_narrative_findings("古县林业局"))
    assert [(f.rule, f.severity, f.row, f.text) for f in findings.itertuples()] == [
        ("narrative.placeholder", "error", "part1", "XX"),
        ("narrative.year", "warning", "part5", "2022年"),
    ]
    assert set(findings["file"]) == {"narratives/古县林业局.md.j2"}
    assert paths.unit_report_html("古县水利局").exists()


def test_a_unit_narrative_is_used_for_that_unit(tmp_path):
    text = NARRATIVE.replace("主动公开文件XX件", "主动公开各类文件").replace(
        "{{ part5 }}", "问题。"
    )
    paths, args = _year_with(tmp_path, {"古县林业局": text})
    assert runner.invoke(app, ["report", "--unit", "古县林业局", *args]).exit_code == 0
    md = paths.unit_report_md("古县林业局").read_text("utf-8")
    assert "古县林业局编制了2023年度报告。" in md and "全年新收申请0件，主动公开各类文件。" in md


def test_a_county_narrative_copied_from_last_year_is_a_warning_in_the_issues_list(tmp_path):
    paths = raw_year(tmp_path, {"古县水利局": with_totals({})})
    text = NARRATIVE.replace("XX件", "各类文件").replace("{{ part5 }}", "2022年，全县……")
    paths.narrative.write_text(text, encoding="utf-8")
    args = command_line(paths)
    result = runner.invoke(app, ["report", *args])
    assert result.exit_code == 0, result.stderr
    assert "问题：错误0个，警告1个，提示2个" in result.stdout
    assert paths.report_html.exists() and paths.report_docx.exists()
    findings = store.read_csv(paths.narrative_findings)
    assert [(f.rule, f.severity, f.file) for f in findings.itertuples()] == [
        ("narrative.year", "warning", "narrative.md.j2"),
        ("config.default", "info", ""),  # the sample year has no config.toml
    ]
    issues = store.read_csv(paths.issues_csv)
    assert "narrative.year" in set(issues["rule"])
    assert "narrative.year" in paths.issues_html.read_text("utf-8")
    assert "staging" not in result.stdout + result.stderr


def test_a_stray_file_of_another_year_does_not_hold_back_the_units_report(tmp_path):
    from pipeline.render.workbook import write_return

    paths = raw_year(tmp_path, {"古县水利局": with_totals({})})
    write_return(paths.returns_dir / "古县水利局2022.xlsx", "古县水利局", 2022, with_totals({}))
    result = runner.invoke(
        app,
        command_line(paths, "report", "--unit", "古县水利局"),
    )
    assert result.exit_code == 0, result.stderr
    assert paths.unit_report_html("古县水利局").exists()
    assert "register.year" in set(store.read_csv(paths.issues_csv)["rule"]), (
        "the stray file is still reported"
    )


def test_a_return_without_fee_figures_is_summed_but_gets_no_report_of_its_own(tmp_path):
    from openpyxl import load_workbook

    from pipeline.render.workbook import sheet_name

    paths = raw_year(
        tmp_path,
        {"古县水利局": with_totals({("s6", "fees", "notices"): 1}), "古县林业局": with_totals({})},
    )
    source = paths.returns_dir / "古县林业局.xlsx"
    wb = load_workbook(source)
    del wb[sheet_name("s6")]
    wb.save(source)
    result = runner.invoke(app, [*command_line(paths, "report"), "--all-units"])
    assert result.exit_code == 1, result.stderr
    assert "古县林业局的报表未填报信息处理费情况" in result.stderr
    assert paths.report_html.exists(), "the county report sums the units that stated them"
    md = paths.report_md.read_text("utf-8")
    assert "另有1个单位未填报信息处理费情况，未计入上述数字。" in md
    index = store.read_csv(paths.unit_reports).set_index("unit")
    assert index.loc["古县林业局", "status"] == "fees_unstated"
    assert index.loc["古县水利局", "status"] == "written"
