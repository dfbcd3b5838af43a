"""The command line's help, in Chinese, wrapped by display width so nothing is cut at 80 columns.

NOTE: typer's rich help lays options out in a table whose help column, at 80 columns, is a
couple of dozen cells wide; rich breaks lines only at spaces, so a Chinese sentence (no spaces)
ended in "…" and lost its middle. Its headings (Usage, Options) and "Show this message and exit."
are English, and on/off flags showed `<bool>`. This formatter counts a CJK character as two
columns, breaks between characters (never before closing punctuation, never inside a Latin
word), shows flags as flags and names types in Chinese.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from typer import _click as click
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

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


def command_help(command: click.Command, ctx: click.Context) -> str:
    """A command's help: usage, what it does (with its example), its options."""
    width = columns()
    pieces = command.collect_usage_pieces(ctx)
    usage = f"用法：{ctx.command_path} {' '.join(pieces)}".replace("[OPTIONS]", "[选项]")
    usage = re.sub(r"\{(\w+)\}\.\.\.", r"\1 ...", usage)
    lines = [*wrapped(usage, width), ""]
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
    lines = [*wrapped(f"用法：{ctx.command_path} 命令 [选项]", width), ""]
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
    """The typer group of the program, whose help is `group_help`."""

    def format_help(self, ctx: click.Context, formatter: Any) -> None:
        formatter.write(group_help(self, ctx))
