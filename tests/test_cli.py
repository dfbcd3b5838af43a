"""The command line, through typer's CliRunner: exit codes and messages."""

from typer.testing import CliRunner

from pipeline import store
from pipeline.cli import app
from tests.helpers import command_line, raw_year, with_totals

runner = CliRunner()


def test_a_missing_year_folder_cannot_start(tmp_path):
    result = runner.invoke(
        app,
        [
            "report",
            "--year",
            "2031",
            "--raw",
            str(tmp_path / "raw"),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"xxgk：找不到年度文件夹：{tmp_path / 'raw' / '2031'}（请检查 --raw 和 --year）"
    )
    assert not (tmp_path / "out").exists()


def test_a_bad_argument_is_exit_2(tmp_path):
    result = runner.invoke(app, ["report", "--year", "二〇二三"])
    assert result.exit_code == 2


def test_a_return_with_an_error_blocks_the_report(tmp_path):
    bad = with_totals({("s3", "new", "natural"): 1, ("s3", "granted", "natural"): 1}) | {
        ("s3", "new", "total"): 2
    }
    paths = raw_year(tmp_path, {"古县司法局": bad, "古县水利局": with_totals({})})
    result = runner.invoke(
        app,
        command_line(paths, "report"),
    )
    assert result.exit_code == 1
    assert "问题：错误2个，警告0个，提示1个" in result.stdout
    assert (
        result.stderr.strip()
        == f"xxgk：校验发现2个错误，未汇总全县数据。未生成报告；请查看 {paths.issues_html}。"
    )
    assert paths.validated_findings.exists() and not paths.report_html.exists()


def test_a_clean_unit_gets_its_own_report_while_another_blocks_the_county(tmp_path):
    bad = with_totals({("s3", "new", "natural"): 1, ("s3", "granted", "natural"): 1}) | {
        ("s3", "new", "total"): 2
    }
    paths = raw_year(tmp_path, {"古县司法局": bad, "古县水利局": with_totals({})})
    args = command_line(paths, "report")
    assert runner.invoke(app, [*args, "--unit", "古县水利局"]).exit_code == 0
    assert paths.unit_report_html("古县水利局").exists()
    blocked = runner.invoke(app, [*args, "--unit", "古县司法局"])
    assert blocked.exit_code == 1
    assert blocked.stderr.strip() == "xxgk：古县司法局的报表有2个错误，未生成本机关报告。"


def test_stages_run_one_by_one_from_the_previous_stage_files(tmp_path):
    paths = raw_year(tmp_path, {"古县水利局": with_totals({("s2", "licensing", "decisions"): 3})})
    common = command_line(paths)
    for stage in ("ingest", "validate", "aggregate", "render"):
        result = runner.invoke(app, [stage, *common])
        assert result.exit_code == 0, (stage, result.stdout, result.stderr)
    assert paths.report_html.exists() and paths.section_table("s3").exists()


def test_a_stage_without_its_inputs_says_which_file_is_missing(tmp_path):
    paths = raw_year(tmp_path, {"古县水利局": with_totals({})})
    result = runner.invoke(
        app,
        command_line(paths, "validate"),
    )
    assert result.exit_code == 2
    assert "找不到上一步的输出" in result.stderr


def test_help_lists_every_command_with_an_example():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("ingest", "validate", "aggregate", "render", "report"):
        assert command in result.stdout
    assert "xxgk report --year 2023" in result.stdout


def test_the_entry_point_explains_a_usage_error_in_chinese(monkeypatch, capsys):
    import pytest

    from pipeline.cli import main

    monkeypatch.setattr("sys.argv", ["xxgk", "report", "--year", "abc"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2
    assert capsys.readouterr().err.startswith(
        "xxgk：参数有误：选项 --year（-y）的值“abc”无效，应为2000–2100之间的整数\n用法：xxgk report [选项]"
    )


def test_allow_missing_renders_with_the_missing_units_named(tmp_path):
    paths = raw_year(
        tmp_path,
        {"古县水利局": with_totals({("s2", "licensing", "decisions"): 3})},
        units=["古县水利局", "古县审计局", "岳阳镇"],
    )
    args = command_line(paths, "report")
    blocked = runner.invoke(app, args)
    assert blocked.exit_code == 1 and not paths.report_md.exists()
    result = runner.invoke(app, [*args, "--allow-missing"])
    assert result.exit_code == 0, result.stderr
    note = "以下2个单位未报送2023年度年报数据，未计入本报告的汇总数据：古县审计局、岳阳镇。"
    assert f"> {note}" in paths.report_md.read_text("utf-8")
    assert note in paths.report_html.read_text("utf-8")
    register = store.read_csv(paths.register)
    assert register[["unit", "status", "files"]].values.tolist() == [
        ["古县水利局", "received", "returns/古县水利局.xlsx"],
        ["古县审计局", "missing", ""],
        ["岳阳镇", "missing", ""],
    ]


def test_a_year_with_no_readable_return_still_writes_its_findings(tmp_path):
    paths = raw_year(tmp_path, {}, units=["古县水利局", "古县林业局"])
    (paths.returns_dir / "x.xlsx").write_bytes(b"junk")
    result = runner.invoke(
        app,
        command_line(paths, "report"),
    )
    assert result.exit_code == 1, result.stderr

    rules = sorted(store.read_csv(paths.issues_csv)["rule"])
    assert rules == ["file.unreadable", "register.missing", "register.missing", "year.unchecked"]


def test_the_county_is_compared_with_last_year_over_the_units_of_both_years(tmp_path):
    carried = {
        ("s3", "new", "natural"): 2,
        ("s3", "granted", "natural"): 1,
        ("s3", "carried_out", "natural"): 1,
    }
    last = {"古县水利局": with_totals(carried), "古县林业局": with_totals(carried)}
    raw_year(tmp_path, last, year=2022)
    this = {
        "古县水利局": with_totals(
            {("s3", "carried_in", "natural"): 1, ("s3", "granted", "natural"): 1}
        ),
        "古县审计局": with_totals({}),  # new this year; 古县林业局 did not report (allowed below)
    }
    paths = raw_year(tmp_path, this, year=2023, units=["古县水利局", "古县林业局", "古县审计局"])
    args = command_line(paths, "report", "--allow-missing")
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr

    assert store.read_csv(paths.county_findings).empty


def test_last_years_returns_are_read_once_per_run(tmp_path, monkeypatch):
    from pipeline.run import previous_year as run

    raw_year(tmp_path, {"古县水利局": with_totals({})}, year=2022)
    paths = raw_year(tmp_path, {"古县水利局": with_totals({})}, year=2023)
    calls = []
    real = run._read_last_year
    monkeypatch.setattr(
        run,
        "_read_last_year",
        lambda prev, memo, units: calls.append(prev.year) or real(prev, memo, units),
    )
    result = runner.invoke(
        app,
        command_line(paths, "report"),
    )
    assert result.exit_code == 0, result.stderr
    assert calls == [2022], "validate, aggregate and the charts share one reading"


def test_unit_and_all_units_are_one_or_the_other(tmp_path):
    paths = raw_year(tmp_path, {"古县水利局": with_totals({})})
    args = command_line(paths)
    for command in ("report", "render"):
        result = runner.invoke(app, [command, *args, "--unit", "古县水利局", "--all-units"])
        assert result.exit_code == 2
        assert result.stderr.strip() == "xxgk：--unit 与 --all-units 只能选一个"
