"""A county office's year, as a new user runs it: a new year made from the last one, its templates
prefilled from last year and filled by the units, a clean run; figures of another year refused;
units named as the office names them; every message in Chinese; the README's commands run."""

from __future__ import annotations

import hashlib
import re
import shlex
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline import store
from pipeline.cli import app
from pipeline.format2021 import S3
from pipeline.paths import Paths
from pipeline.render.workbook import (
    GUIDE_SHEET,
    LastYearFigures,
    formula_totals,
    guide_lines,
    sheet_name,
    template_cell,
    write_template,
)
from pipeline.run import template_figures
from pipeline.validate import LastYear
from tests.helpers import ROOT, SAMPLE_RAW, command_line, raw_year, with_totals

runner = CliRunner()


def xxgk(*args: str):
    """`xxgk` run with `args`, named as the user calls it."""
    return runner.invoke(app, list(args), prog_name="xxgk")


UNITS = pd.read_csv(SAMPLE_RAW / "2023" / "units.csv", dtype=str).fillna("")
S3_PARTS = [c.code for c in S3.cols if c.code != "total"]


def sample_copy(tmp: Path) -> Paths:
    """The shipped sample year copied under `tmp/raw/2023` (outputs to tmp/output)."""
    shutil.copytree(SAMPLE_RAW / "2023", tmp / "raw" / "2023")
    return Paths(tmp / "raw", tmp / "output", 2023)


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under `folder` by its path, with the sha256 of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def returned(paths: Paths, unit: str):
    """The sample's 2023 return of `unit`, opened with its stored results (read apart from xxgk)."""
    return openpyxl.load_workbook(
        paths.returns_dir / f"{unit}{paths.year}年政务公开年报.xlsx", data_only=True
    )


def cell(book, section: str, row: str, col: str):
    return book[sheet_name(section)][template_cell(section, row, col)].value


# -- the year as a test ------------------------------------------------------------------------
def test_a_new_year_starts_from_the_last_one_and_runs_clean_from_its_templates(tmp_path):
    last = sample_copy(tmp_path)
    before = fingerprint(last.raw)
    this = Paths(last.raw_root, last.out_root, 2024)

    made = runner.invoke(
        app, ["new-year", "2024", "--raw", str(this.raw_root), "--out", str(this.out_root)]
    )

    assert made.exit_code == 0, made.stderr
    copied = {"units.csv", "config.toml", "narrative.md.j2", "narratives/古县人民政府办公室.md.j2"}
    assert set(fingerprint(this.raw)) == copied
    for name in copied:
        assert (this.raw / name).read_bytes() == (last.raw / name).read_bytes()
    assert this.returns_dir.is_dir() and not any(this.returns_dir.iterdir())
    assert "未复制2023年度的数字文件（narratives/古县人民政府办公室.toml）" in made.stdout
    assert "35个单位中35个的“上年结转”已按2023年度的“结转下年度继续办理”预填" in made.stdout
    assert "模板：已为35个单位生成报表模板，另有空白模板1份" in made.stdout

    for unit in UNITS["name"]:
        template = openpyxl.load_workbook(this.template(unit))
        source = returned(last, unit)
        for col in S3_PARTS:
            assert cell(template, "s3", "carried_in", col) == cell(
                source, "s3", "carried_out", col
            ), (unit, col)
        rules, normative = (cell(source, "s2", row, "in_force") for row in ("rules", "normative"))
        guide = [c.value for c in template[GUIDE_SHEET]["A"]]
        assert (
            f"本单位2023年度表二的“现行有效件数”：规章{rules}件，行政规范性文件{normative}件。"
            in "".join(guide)
        ), unit
        # the unit fills it in: this year's outcomes balance last year's carried cases
        s3 = template[sheet_name("s3")]
        for col in S3_PARTS:
            carried = s3[template_cell("s3", "carried_in", col)].value
            s3[template_cell("s3", "new", col)] = 2
            s3[template_cell("s3", "granted", col)] = carried + 2
            s3[template_cell("s3", "carried_out", col)] = 0
        s2 = template[sheet_name("s2")]
        for row in ("rules", "normative"):
            s2[template_cell("s2", row, "issued")] = 1
            s2[template_cell("s2", row, "in_force")] = cell(source, "s2", row, "in_force") + 1
        template.save(this.returns_dir / f"{unit}.xlsx")
    generic = openpyxl.load_workbook(this.template(""))
    assert [c.value for c in generic[GUIDE_SHEET]["A"]] == guide_lines()

    report = runner.invoke(app, command_line(this, "report"))

    assert report.exit_code == 0, report.stderr
    assert "收到35个单位的报表（名册共35个单位）" in report.stdout
    assert "问题：错误0个" in report.stdout
    findings = store.read_csv(this.validated_findings)
    assert not (findings["rule"].isin(["year.carry_over", "year.in_force"])).any()
    county = store.read_csv(this.tidy_cells)
    new = county[
        (county["section"] == "s3") & (county["row"] == "new") & (county["col"] == "total")
    ]
    assert new["value"].astype(int).tolist() == [35 * 2 * len(S3_PARTS)]
    assert fingerprint(last.raw) == before


def test_new_year_refuses_a_folder_that_exists_and_leaves_it_as_it_is(tmp_path):
    last = sample_copy(tmp_path)
    this = Paths(last.raw_root, last.out_root, 2024)
    this.raw.mkdir()
    (this.raw / "units.csv").write_text("code,name,kind\nA,甲局,部门\n", encoding="utf-8")
    before, then = fingerprint(last.raw), fingerprint(this.raw)

    result = runner.invoke(
        app, ["new-year", "2024", "--raw", str(this.raw_root), "--out", str(this.out_root)]
    )

    assert result.exit_code == 2
    assert result.stderr.startswith(f"xxgk：{this.raw} 已经存在，未做任何改动")
    assert fingerprint(this.raw) == then and fingerprint(last.raw) == before
    assert not this.out_root.exists()


def test_new_year_without_an_earlier_year_says_so_and_makes_nothing(tmp_path):
    last = sample_copy(tmp_path)
    result = runner.invoke(
        app, ["new-year", "2022", "--raw", str(last.raw_root), "--out", str(last.out_root)]
    )
    assert result.exit_code == 2
    assert "中没有2022年以前、有单位名册 units.csv 的年度文件夹" in result.stderr
    assert sorted(p.name for p in last.raw_root.iterdir()) == ["2023"]


def test_the_template_command_prefills_like_new_year_from_last_year_s_run(tmp_path):
    last = raw_year(
        tmp_path,
        {
            "甲局": with_totals({("s3", "new", "natural"): 3, ("s3", "carried_out", "natural"): 3})
            | {("s2", "normative", "in_force"): 7}
        },
        units=["甲局", "乙局"],
    )
    assert runner.invoke(app, command_line(last, "report", "--allow-missing")).exit_code == 0
    this = Paths(last.raw_root, last.out_root, 2024)

    result = runner.invoke(app, command_line(this, "template"))

    assert result.exit_code == 0, result.stderr
    assert f"使用的单位名册：{last.units}" in result.stdout
    assert "2个单位中1个的“上年结转”已按2023年度的“结转下年度继续办理”预填" in result.stdout
    assert f"数据来自：上一年度的处理结果 {last.ingested}" in result.stdout
    first = openpyxl.load_workbook(this.template("甲局"))
    assert cell(first, "s3", "carried_in", "natural") == 3
    assert "规章0件，行政规范性文件7件" in "".join(c.value for c in first[GUIDE_SHEET]["A"])
    second = openpyxl.load_workbook(this.template("乙局"))
    assert cell(second, "s3", "carried_in", "natural") is None
    assert [c.value for c in second[GUIDE_SHEET]["A"]] == guide_lines()


carried_values = st.dictionaries(st.sampled_from(S3_PARTS), st.integers(0, 10**6))


@given(
    carried=carried_values,
    in_force=st.dictionaries(st.sampled_from(["rules", "normative"]), st.integers(0, 999)),
)
def test_a_template_prefills_exactly_what_last_year_read_and_names_what_it_did_not(
    tmp_path_factory, carried, in_force
):
    # last year's cells as read: a column absent was read as no number (left blank, never 0)
    rows = [("s3", "carried_out", col, n) for col, n in carried.items()]
    rows += [("s3", "carried_out", col, None) for col in S3_PARTS if col not in carried]
    rows += [("s2", row, "in_force", n) for row, n in in_force.items()]
    cells = pd.DataFrame(
        [("甲局", "A", "甲局.xlsx", *r) for r in rows],
        columns=["unit", "unit_code", "file", "section", "row", "col", "value"],
    ).astype({"value": "Int64"})
    figures = template_figures(LastYear(2023, cells, "上一年度"))["甲局"]
    assert figures == LastYearFigures(2023, carried, in_force)

    path = tmp_path_factory.mktemp("template") / "甲局.xlsx"
    write_template(path, "甲局", 2024, figures)
    book = openpyxl.load_workbook(path)
    for col in S3_PARTS:
        assert cell(book, "s3", "carried_in", col) == carried.get(col), col
    guide = "".join(c.value for c in book[GUIDE_SHEET]["A"])
    unread = [S3.col(c).label for c in S3_PARTS if c not in carried]
    assert (
        ("、".join(unread) + "未能读取") in guide if unread else "未能读取，请自行填写" not in guide
    )
    for row, label in (("rules", "规章"), ("normative", "行政规范性文件")):
        said = f"{label}{in_force[row]}件" if row in in_force else f"{label}未能读取"
        assert said in guide
    assert ("s3", "carried_in", "total") in formula_totals()


# -- figures of another year -------------------------------------------------------------------
def unit_with_figures(tmp: Path, figures: str, year: int = 2024) -> Paths:
    """A year of one clean unit, 甲局, whose narrative uses a supplied figure from `figures`."""
    paths = raw_year(tmp, {"甲局": with_totals({})}, year=year)
    paths.narratives.mkdir()
    (paths.narratives / "甲局.toml").write_text(figures, encoding="utf-8")
    (paths.narratives / "甲局.md.j2").write_text(
        "{% block preamble %}本报告由甲局编制。{% endblock %}"
        "{% block part1 %}全年主动公开文件{{ documents_published }}件。{% endblock %}"
        "{% block part5 %}无。{% endblock %}{% block part6 %}无。{% endblock %}",
        encoding="utf-8",
    )
    return paths


def test_a_supplied_figure_file_of_another_year_stops_the_run_naming_it(tmp_path):
    paths = unit_with_figures(tmp_path, "# 甲局\nyear = 2023\ndocuments_published = 84\n")

    result = runner.invoke(app, command_line(paths, "report", "--unit", "甲局"))

    assert result.exit_code == 2
    shown = paths.narratives / "甲局.toml"
    assert result.stderr.startswith(
        f"xxgk：数字文件 {shown} 第2行写明是2023年度的数字（year = 2023），不能用于2024年度的报告"
    )
    assert not paths.out.exists()


def test_a_supplied_figure_file_without_its_year_is_used_with_a_warning_asking_for_it(tmp_path):
    paths = unit_with_figures(tmp_path, "documents_published = 84\n")

    result = runner.invoke(app, command_line(paths, "report", "--unit", "甲局"))

    assert result.exit_code == 0, result.stderr
    assert "全年主动公开文件84件。" in paths.unit_report_md("甲局").read_text("utf-8")
    issues = store.read_csv(paths.issues_csv)
    undated = issues[issues["rule"] == "narrative.supplied_undated"]
    assert undated[["severity", "unit", "file"]].values.tolist() == [
        ["warning", "甲局", "narratives/甲局.toml"]
    ]
    assert (
        "请核实它们是2024年度的数字，并在文件开头加一行 year = 2024" in undated["message"].iloc[0]
    )


# -- names the office uses ---------------------------------------------------------------------
def roster_year(tmp: Path) -> Paths:
    """A year of two units with aliases, codes, one full name, and a county."""
    paths = raw_year(tmp, {"古县公安局": with_totals({}), "北平镇": with_totals({})})
    (paths.units).write_text(
        "code,name,kind,aliases,full_name\n"
        "141025-04,古县公安局,部门,县公安局,\n"
        "141025-32,北平镇,乡镇,北平镇人民政府,古县北平镇人民政府\n",
        encoding="utf-8",
    )
    paths.config.write_text('county = "古县"\n', encoding="utf-8")
    return paths


@pytest.mark.parametrize("named", ["县公安局", "141025-04", "古县公安局"])
def test_unit_takes_a_name_an_alias_or_a_code(tmp_path, named):
    paths = roster_year(tmp_path)
    result = runner.invoke(app, command_line(paths, "report", "--unit", named))
    assert result.exit_code == 0, result.stderr
    assert f"报告：古县公安局的本机关报告已写出到 {paths.unit_dir('古县公安局')}" in result.stdout
    assert paths.unit_report_docx("古县公安局").is_file()


def test_a_unit_named_by_nobody_stops_before_any_work_naming_the_close_ones(tmp_path):
    paths = roster_year(tmp_path)
    result = runner.invoke(app, command_line(paths, "report", "--unit", "公安"))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"xxgk：单位名册 {paths.units} 中没有“公安”（按名称、别名和代码查找）。是不是：古县公安局？"
    )
    assert not paths.out.exists()


def test_a_unit_report_is_titled_and_signed_with_the_full_name(tmp_path):
    paths = roster_year(tmp_path)
    assert runner.invoke(app, command_line(paths, "report", "--all-units")).exit_code == 0
    for unit, full in (("北平镇", "古县北平镇人民政府"), ("古县公安局", "古县公安局")):
        md = paths.unit_report_md(unit).read_text("utf-8")
        assert md.startswith(f"# {full} 2023年政府信息公开工作年度报告")
        assert f"要求，{full}编制了2023年政府信息公开工作年度报告。" in md
        with zipfile.ZipFile(paths.unit_report_docx(unit)) as docx:
            core = docx.read("docProps/core.xml").decode("utf-8")
            app_xml = docx.read("docProps/app.xml").decode("utf-8")
        assert f"<dc:creator>{full}</dc:creator>" in core
        assert f"<dc:title>{full}2023年政府信息公开工作年度报告</dc:title>" in core
        assert f"<Company>{full}</Company>" in app_xml
        assert "python-docx" not in core + app_xml
    with zipfile.ZipFile(paths.report_docx) as docx:
        assert "<dc:creator>古县人民政府</dc:creator>" in docx.read("docProps/core.xml").decode()


def test_the_register_says_each_status_in_chinese_beside_its_code(tmp_path):
    paths = raw_year(tmp_path, {"甲局": with_totals({})}, units=["甲局", "乙局"])
    assert runner.invoke(app, command_line(paths, "ingest")).exit_code == 0
    register = store.read_csv(paths.register)
    assert register[["unit", "status", "status_text"]].values.tolist() == [
        ["甲局", "received", "已收到"],
        ["乙局", "missing", "未报送"],
    ]


# -- every message in Chinese ------------------------------------------------------------------
COMMANDS = ["ingest", "template", "validate", "aggregate", "render", "report", "audit", "new-year"]
WITH_YEAR = ["ingest", "template", "validate", "aggregate", "render", "report"]
BAD = [
    *([command] for command in COMMANDS),  # a required option or argument missing
    *([command, "--bogus"] for command in COMMANDS),
    *([command, "--year", "二〇二四"] for command in WITH_YEAR),
    *([command, "--year", "3000"] for command in WITH_YEAR),
    *([command, "--year"] for command in WITH_YEAR),
    *([command, "--year", "2024", "--quiet=yes"] for command in WITH_YEAR),
    *([command, "--year", "2024", "多余"] for command in WITH_YEAR),
    ["new-year", "abc"],
    ["new-year", "1999"],
    ["reprot", "--year", "2023"],
    ["--yaer"],
    ["report", "--yaer", "2023"],
]


def english_words(text: str, given: list[str]) -> list[str]:
    """The Latin words of `text` other than option names, paths, file names, commands and what the
    user typed: what would be an English sentence on the screen."""
    allowed = {"xxgk", *COMMANDS, *given}
    text = re.sub(r"(?<![\w-])--?[a-z][a-z-]*", " ", text)  # option names
    text = re.sub(r"\S*[/\\]\S*|\S+\.(?:csv|html|xlsx|docx|md|toml|j2)\b", " ", text)  # paths
    return [w for w in re.findall(r"[A-Za-z][A-Za-z-]*[A-Za-z]", text) if w not in allowed]


@pytest.mark.parametrize("args", BAD, ids=" ".join)
def test_a_usage_error_is_told_in_chinese_with_exit_2(args):
    result = xxgk(*args)
    assert result.exit_code == 2, result.output
    said = result.stdout + result.stderr
    assert english_words(said, args) == [], said
    assert result.stderr.startswith("xxgk：参数有误：") or args == [], said
    assert "Traceback" not in said


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["report"], "xxgk：参数有误：缺少必填的选项 --year（-y）\n用法：xxgk report [选项]\n"),
        (["reprot", "--year", "2023"], "xxgk：参数有误：没有命令“reprot”。是不是 report？"),
        (["report", "--yaer", "2023"], "xxgk：参数有误：没有选项 --yaer；是不是 --year？"),
        (
            ["report", "--year", "二〇二四"],
            "选项 --year（-y）的值“二〇二四”无效，应为2000–2100之间的整数",
        ),
        (["audit"], "xxgk：参数有误：缺少参数 路径：要审核的年报文件或文件夹"),
        (
            ["report", "--year", "2023", "--quiet=yes"],
            "选项 --quiet 是开关，后面不带值（只写 --quiet）",
        ),
    ],
)
def test_a_usage_error_says_what_is_wrong_and_how_to_write_it(args, says):
    result = xxgk(*args)
    assert says in result.stderr
    assert result.stderr.rstrip().endswith("查看全部选项和示例。")


def test_a_name_too_long_for_the_system_is_said_in_chinese_naming_the_path(tmp_path):
    long = tmp_path / ("甲" * 100)
    result = runner.invoke(
        app, ["report", "--year", "2023", "--raw", str(long), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"xxgk：无法读写 {long / '2023'}：文件名或路径太长（一级名称最多255字节，约85个汉字）"
        "（错误代码 36）。请检查该位置后重新运行。"
    )


# -- the README's commands, as a new user runs them --------------------------------------------
README = ROOT / "README.md"
MARK = "<!-- 可运行示例 -->"


def readme_commands() -> list[list[str]]:
    """The commands of the README's marked blocks, one a line, comments dropped."""
    text = README.read_text("utf-8")
    blocks = re.findall(re.escape(MARK) + r"\s*```sh\n(.*?)```", text, flags=re.S)
    return [
        shlex.split(line, comments=True)
        for block in blocks
        for line in block.splitlines()
        if line.strip()
    ]


def as_xxgk(command: list[str]) -> list[str]:
    """The xxgk arguments a README line runs: as written, or what its make target runs."""
    if command[0] == "xxgk":
        return command[1:]
    assert command[0] == "make", command
    dry = subprocess.run(["make", "-n", *command[1:]], cwd=ROOT, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    lines = [line for line in dry.stdout.splitlines() if "bin/xxgk " in line]
    assert len(lines) == 1, dry.stdout
    return shlex.split(lines[0].split("bin/xxgk ", 1)[1])


def test_the_readme_marks_its_runnable_commands():
    commands = readme_commands()
    assert [c[:2] for c in commands if c[0] == "make"] == [
        ["make", "report"],
        ["make", "units"],
        ["make", "audit"],
        ["make", "new-year"],
        ["make", "template"],
    ]


def test_the_readme_s_commands_run_in_order_on_the_sample(tmp_path, monkeypatch):
    sample_copy(tmp_path)
    monkeypatch.chdir(tmp_path)
    for command in readme_commands():
        result = runner.invoke(app, as_xxgk(command))
        said = result.stdout + result.stderr
        assert result.exit_code == 0, (command, said)
        assert "Traceback" not in said and "内部错误" not in said
    assert (tmp_path / "output" / "2023" / "units" / "古县公安局" / "report.docx").is_file()
    assert (tmp_path / "raw" / "2024" / "units.csv").is_file()
    assert (tmp_path / "output" / "2024" / "templates").is_dir()


def test_every_make_target_the_readme_names_exists():
    text = README.read_text("utf-8")
    targets = set(re.findall(r"\bmake ([a-z-]+)", text))
    wrappers = {"report", "units", "template", "new-year", "audit"}
    assert wrappers | {"install", "test"} <= targets
    for target in targets:
        dry = subprocess.run(
            ["make", "-n", target, "YEAR=2024"], cwd=ROOT, capture_output=True, text=True
        )
        assert dry.returncode == 0, (target, dry.stderr)
        assert ("bin/xxgk " in dry.stdout) == (target in wrappers), target
