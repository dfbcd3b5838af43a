"""The command line's help, read at 80 columns as a user reads it: in Chinese, nothing cut,
flags shown as flags, an example in every command's help."""

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.help import width_of

runner = CliRunner()
COMMANDS = ["ingest", "template", "new-year", "validate", "aggregate", "render", "report", "audit"]


def help_of(*args: str) -> str:
    result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "80"}, prog_name="xxgk")
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_s_help_fits_80_columns_whole_in_chinese_with_an_example(command):
    import typer

    text = help_of(command)
    assert all(width_of(line) <= 80 for line in text.splitlines()), text
    assert text.startswith(f"用法：xxgk {command}") and "选项：" in text and "示例：" in text
    for english in ("Usage", "Options", "Show this message", "<bool>", "…"):
        assert english not in text, english
    joined = "".join(line.strip() for line in text.splitlines())
    cmd = typer.main.get_command(app).get_command(None, command)
    for param in cmd.params:
        assert (param.help or "").replace(" ", "") in joined.replace(" ", ""), param.name
        if isinstance(param, typer.core.TyperOption):
            for name in param.opts:
                assert name in text, name


def test_flags_show_as_flags_and_values_by_their_kind():
    text = help_of("report")
    assert "  --draft  " in text or "\n  --draft " in text
    assert "--year 整数" in text and "--raw 路径" in text and "--unit 文字" in text
    assert "（必填；2000–2100）" in text and "（默认：raw）" in text


def test_the_program_s_help_lists_every_command():
    text = help_of()
    assert text.startswith("用法：xxgk 命令 [选项]")
    for command in COMMANDS:
        assert f"  {command} " in text
    assert all(width_of(line) <= 80 for line in text.splitlines())
