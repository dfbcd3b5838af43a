"""The command line's help, in Chinese, wrapped by display width so nothing is cut at 80 columns.

NOTE: typer's rich help lays options out in a table whose help column, at 80 columns, is a
couple of dozen cells wide; rich breaks lines only at spaces, so a Chinese sentence (no spaces)
ended in "…" and lost its middle. Its headings (Usage, Options) and "Show this message and exit."
are English, and on/off flags showed `<bool>`. This formatter counts a CJK character as two
columns, breaks between characters (never before closing punctuation, never inside a Latin
word), shows flags as flags and names types in Chinese.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from typer import _click as click
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.exceptions import Abort

WIDTH = (40, 100)  # the narrowest and widest help laid out, in columns
_NO_LINE_START = frozenset("，。、；：？！）》」』”’】〕,.;:?!)]%")
_LATIN = re.compile(r"[A-Za-z0-9_\-./<>@=$'\"*]+")
_TYPES = {int: "整数", Path: "路径", str: "文字", float: "数"}


def columns() -> int:
    """How wide the help is laid out: the terminal's width (COLUMNS), within WIDTH."""
    try:
        width = int(os.environ.get("COLUMNS", "80"))
    except ValueError:
        width = 80
    return max(WIDTH[0], min(WIDTH[1], width))


def width_of(text: str) -> int:
    """The columns a text takes on a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrapped(text: str, width: int) -> list[str]:
    """`text` broken into lines of at most `width` columns, between characters of Chinese text
    and at spaces of Latin text, never a closing mark at a line's start."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line: list[str] = []
        for piece in _pieces(paragraph):
            if line and width_of("".join(line) + piece) > width:
                carried = []
                if piece[0] in _NO_LINE_START and len(line) > 1:
                    carried = [line.pop()]  # NOTE: a closing mark never starts a line
                lines.append("".join(line).rstrip())
                line = [*carried, piece.lstrip()] if carried else [piece.lstrip()]
            else:
                line.append(piece)
        lines.append("".join(line).rstrip())
    return lines


def _pieces(text: str) -> list[str]:
    """The unbreakable pieces of a text: a Latin word (with the space before it), or one CJK
    character."""
    out: list[str] = []
    i = 0
    while i < len(text):
        m = _LATIN.match(text, i)
        if m:
            out.append(m.group(0))
            i = m.end()
        else:
            out.append(text[i])
            i += 1
    return out


def _metavar(param: TyperOption) -> str:
    if param.is_flag:
        return ""
    annotation = getattr(param.type_descriptor, "annotation", None)
    return _TYPES.get(annotation, "值") if isinstance(annotation, type) else "值"


def _option_help(param: TyperOption) -> str:
    text = param.help or ""
    if param.name == "help":
        text = "显示本帮助并退出"
    notes = []
    if param.required:
        notes.append("必填")
    default = param.default
    if not param.is_flag and default not in (None, "", ()) and param.show_default is not False:
        notes.append(f"默认：{default}")
    if param.min is not None and param.max is not None:
        notes.append(f"{param.min}–{param.max}")
    return text + (f"（{'；'.join(notes)}）" if notes else "")


def _options(params: Sequence[click.Parameter]) -> list[tuple[str, str]]:
    rows = []
    for param in params:
        if isinstance(param, TyperArgument):
            name = (param.metavar or param.name or "").upper()
            rows.append((f"{name} ..." if param.nargs == -1 else name, param.help or ""))
            continue
        if not isinstance(param, TyperOption) or param.hidden:
            continue
        names = sorted(param.opts + param.secondary_opts, key=len)
        left = ", ".join(names)
        kind = _metavar(param)
        rows.append((f"{left} {kind}".strip(), _option_help(param)))
    return rows


def _table(rows: list[tuple[str, str]], width: int) -> list[str]:
    """Two columns (name, help); a name too wide puts its help on the next lines."""
    gap = min(max((width_of(left) for left, _ in rows), default=0), 26) + 4
    out = []
    for left, right in rows:
        body = wrapped(right, width - gap) if right else [""]
        if width_of(left) + 4 > gap:
            out.append(f"  {left}")
            out.extend(" " * gap + line for line in body)
            continue
        out.append(f"  {left}" + " " * (gap - 2 - width_of(left)) + body[0])
        out.extend(" " * gap + line for line in body[1:])
    return out


def usage(command: click.Command, ctx: click.Context) -> str:
    """A command's usage line, in Chinese: `用法：xxgk report [选项]`."""
    if isinstance(command, TyperGroup):
        return f"用法：{ctx.command_path} 命令 [选项]"
    pieces = command.collect_usage_pieces(ctx)
    line = f"用法：{ctx.command_path} {' '.join(pieces)}".replace("[OPTIONS]", "[选项]")
    line = re.sub(r"\{(\w+)\}\.\.\.", r"\1 ...", line)
    return re.sub(r"\{(\w+)\}", r"\1", line)


def command_help(command: click.Command, ctx: click.Context) -> str:
    """A command's help: usage, what it does (with its example), its options."""
    width = columns()
    lines = [*wrapped(usage(command, ctx), width), ""]
    doc = (command.help or "").strip()
    for paragraph in doc.split("\n\n"):
        text = " ".join(part.strip() for part in paragraph.splitlines())
        lines.extend(wrapped(text.replace("。示例：", "。\n示例："), width))
        lines.append("")
    params = command.get_params(ctx)
    arguments = [p for p in params if isinstance(p, TyperArgument)]
    if arguments:
        lines.append("参数：")
        lines.extend(_table(_options(arguments), width))
        lines.append("")
    lines.append("选项：")
    lines.extend(_table(_options([p for p in params if p not in arguments]), width))
    return "\n".join(lines).rstrip() + "\n"


def group_help(group: TyperGroup, ctx: click.Context) -> str:
    """The program's help: usage, what it does, each command with what it does."""
    width = columns()
    lines = [*wrapped(usage(group, ctx), width), ""]
    for paragraph in (group.help or "").strip().split("\n\n"):
        lines.extend(wrapped(" ".join(p.strip() for p in paragraph.splitlines()), width))
        lines.append("")
    rows = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        summary = (command.help or "").strip().split("。")[0] + "。"
        rows.append((name, summary))
    lines.append("命令：")
    lines.extend(_table(rows, width))
    lines.append("")
    lines.extend(wrapped(f"每个命令的选项和示例：{ctx.command_path} 命令 --help", width))
    return "\n".join(lines).rstrip() + "\n"


class Command(TyperCommand):
    """A typer command whose help is `command_help`."""

    def format_help(self, ctx: click.Context, formatter: Any) -> None:
        formatter.write(command_help(self, ctx))


class Group(TyperGroup):
    """The typer group of the program, whose help is `group_help` and whose usage errors (the
    command-line library's own, English) are told in Chinese, on stderr, with exit code 2."""

    def format_help(self, ctx: click.Context, formatter: Any) -> None:
        formatter.write(group_help(self, ctx))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            known = [c for c in self.list_commands(ctx) if not self.get_command(ctx, c).hidden]  # type: ignore[union-attr]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"是不是 {close[0]}？" if close else ""
            raise click.exceptions.UsageError(
                f"没有命令“{name}”。{hint}可用的命令：{'、'.join(known)}", ctx
            )
        return super().resolve_command(ctx, args)

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        given = list(sys.argv[1:] if args is None else args)
        try:
            code = super().main(given, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.format_message(), err=True)
            code = exc.exit_code
        except click.exceptions.UsageError as exc:
            where = exc.ctx or self._context(given, prog_name or "xxgk")
            click.echo(usage_error(exc, where, given), err=True)
            code = exc.exit_code
        except click.exceptions.ClickException as exc:
            click.echo(f"xxgk：参数有误：{exc.format_message()}", err=True)
            code = exc.exit_code
        except Abort:
            click.echo("xxgk：已中断", err=True)
            code = 2
        if standalone_mode:
            sys.exit(code if isinstance(code, int) else 0)
        return code

    def _context(self, args: Sequence[str], prog_name: str) -> click.Context:
        """The context of the command `args` name (for its usage line when the parser's error
        came without one), else the program's."""
        top = click.Context(self, info_name=prog_name)
        command = self.get_command(top, args[0]) if args else None
        return click.Context(command, info_name=args[0], parent=top) if command else top


def usage_error(
    exc: click.exceptions.UsageError, ctx: click.Context | None, args: Sequence[str] = ()
) -> str:
    """What a usage error of the command line means, in Chinese: the fault (naming the option
    and the value given, from `args`), the command's usage line (`ctx`), and where its help is."""
    lines = [f"xxgk：参数有误：{_fault(exc, ctx, args)}"]
    if ctx is not None:
        lines.append(usage(ctx.command, ctx))
        lines.append(f"运行 {ctx.command_path} --help 查看全部选项和示例。")
    return "\n".join(lines)


def _fault(exc: click.exceptions.UsageError, ctx: click.Context | None, args: Sequence[str]) -> str:
    """The fault of a usage error in Chinese (the library's English message, when none of the
    known kinds: a new version's new message is shown rather than lost)."""
    errors = click.exceptions
    param = getattr(exc, "param", None)
    if isinstance(exc, errors.MissingParameter):
        if isinstance(param, TyperArgument):
            named = (param.metavar or param.name or "").upper()
            return f"缺少参数 {named}" + (f"：{param.help}" if param.help else "")
        return f"缺少必填的选项 {_names(param)}" if param is not None else "缺少必填的选项"
    if isinstance(exc, errors.NoSuchOption):
        close = sorted(exc.possibilities or ())
        hint = f"；是不是 {'、'.join(close)}？" if close else ""
        return f"没有选项 {exc.option_name}{hint}"
    if isinstance(exc, errors.BadOptionUsage):
        name = exc.option_name
        if "does not take a value" in exc.message:
            return f"选项 {name} 是开关，后面不带值（只写 {name}）"
        if "requires" in exc.message:
            return f"选项 {name} 后面缺少值"
        return f"选项 {name} 用法有误"
    if isinstance(exc, errors.BadParameter) and isinstance(param, TyperArgument):
        given = _positional(ctx, args)
        value = f"“{given}”" if given is not None else ""
        named = (param.metavar or param.name or "").upper()
        return f"参数 {named}的值{value}无效，应为{_wanted(param)}"
    if isinstance(exc, errors.BadParameter) and param is not None:
        given = _given(param, args)
        value = f"“{given}”" if given is not None else ""
        return f"选项 {_names(param)}的值{value}无效，应为{_wanted(param)}"
    extra = re.fullmatch(r"Got unexpected extra argument(?:\(s\)|s)? \((.*)\)", exc.message)
    if extra:
        return f"多余的参数：{extra.group(1)}（含空格的值请加引号）"
    if exc.message == "Missing command.":
        return "缺少命令"
    return exc.message


def _names(param: Any) -> str:
    """An option's names as the user may write them: `--year（-y）`."""
    names = sorted(getattr(param, "opts", []), key=len, reverse=True)
    return names[0] + (f"（{'、'.join(names[1:])}）" if len(names) > 1 else "") if names else ""


def _given(param: Any, args: Sequence[str]) -> str | None:
    """The value given to option `param` in `args` (the last one, as the parser takes it)."""
    found = None
    opts = getattr(param, "opts", [])
    for i, arg in enumerate(args):
        if arg in opts and i + 1 < len(args):
            found = args[i + 1]
        elif "=" in arg and arg.split("=", 1)[0] in opts:
            found = arg.split("=", 1)[1]
    return found


def _positional(ctx: click.Context | None, args: Sequence[str]) -> str | None:
    """The first value in `args` given to no option of the command of `ctx` (its argument's)."""
    if ctx is None:
        return None
    takes = {
        name
        for p in ctx.command.params
        if isinstance(p, TyperOption) and not p.is_flag
        for name in p.opts
    }
    words = list(args)
    if words and words[0] == ctx.info_name:
        words = words[1:]
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = word in takes
        else:
            return word
    return None


def _wanted(param: Any) -> str:
    """What an option's or argument's value must be, in words: `2000–2100之间的整数`."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    kind = _TYPES.get(annotation, "值") if isinstance(annotation, type) else "值"
    kind = {"值": "有效的值", "文字": "文字", "路径": "文件或文件夹的路径"}.get(kind, kind)
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    return f"{low}–{high}之间的{kind}" if low is not None and high is not None else kind
