"""A report's text: the narrative parts (preamble, 一, 五, 六) rendered from the author's jinja2 template with the figures, and part 六's fee sentence."""

from __future__ import annotations

import re
from decimal import Decimal

from jinja2 import (
    Template,
    TemplateError,
    TemplateSyntaxError,
    UndefinedError,
)

from pipeline.format2021 import SECTIONS, number_text, to_decimal
from pipeline.render.environment import TEMPLATES, Values, _narrative_env
from pipeline.render.supplied import SUPPLIED_FIGURES

NARRATIVE_PARTS = ("preamble", "part1", "part5", "part6")


class NarrativeError(Exception):
    """A narrative template that cannot be rendered (a syntax error, a typo in a placeholder, a
    placeholder that fails: `{{ 1/0 }}`, a number plus text); the message names the line."""

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(f"第{line}行有误：{reason}" if line else f"有误：{reason}")
        self.reason, self.line = reason, line


def parsed_narrative(source: str) -> Template:
    """The compiled jinja2 template of a narrative, or NarrativeError naming the line."""
    try:
        return _narrative_env.from_string(source)
    except TemplateSyntaxError as exc:
        raise NarrativeError(f"语法错误（{exc.message}）", exc.lineno) from exc
    except TemplateError as exc:
        raise NarrativeError(f"{type(exc).__name__}: {exc}") from exc


def _template_line(template: Template, exc: BaseException) -> int | None:
    """The line of the narrative template where rendering failed (from the traceback)."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = template.get_corresponding_lineno(tb.tb_lineno)
        tb = tb.tb_next
    return line


class Amount(Decimal):
    """A figure printed plainly: no exponent, no trailing zeros."""

    def __str__(self) -> str:
        return f"{self.normalize():f}" if self else "0"


def figures(values: Values) -> dict:
    """The values as nested dicts for templates: `s3.new.total`, `s2.fees.amount` (exact numbers)."""
    out: dict = {}
    for code, section in SECTIONS.items():
        out[code] = {
            row.code: {
                col.code: Amount(
                    to_decimal(values.get((code, row.code, col.code), 0), code, col.code)
                )
                for col in section.cols_of(row)
            }
            for row in section.rows
        }
    return out


def fee_statement(subject: str, year: int, values: Values) -> str:
    """Part 六's sentence on the 信息处理费 (国办函〔2020〕109号), from the fee figures."""
    notices = values.get(("s6", "fees", "notices"), 0)
    noticed = values.get(("s6", "fees", "notice_amount"), 0)
    collected = values.get(("s6", "fees", "collected"), 0)
    if not (notices or noticed or collected):
        return f"{subject}{year}年度未收取政府信息公开信息处理费。"
    amount = number_text(noticed, "s6", "notice_amount")
    got = number_text(collected, "s6", "collected")
    tail = f"实际收取{got}元" if collected else "未实际收取信息处理费"
    return f"{subject}{year}年度共发出政府信息公开信息处理费收费通知{notices}件，收费通知总金额{amount}元，{tail}。"


def partial_note(received: int, roster: int, year: int) -> str:
    """The label of a year whose totals leave out units of the roster (with --allow-missing or
    --draft), on every page that shows those totals; empty for a whole year."""
    if received >= roster:
        return ""
    return (
        f"部分数据：{year}年度名册共{roster}个单位，只有{received}个单位的报表计入合计，"
        f"{roster - received}个单位未计入。"
    )


def missing_note(units: list[str], year: int) -> str:
    """The report's note naming the units whose return is missing (rendered with --allow-missing)."""
    return f"以下{len(units)}个单位未报送{year}年度年报数据，未计入本报告的汇总数据：{'、'.join(units)}。"


def narrative_blocks(source: str, context: dict) -> dict[str, str]:
    """The narrative parts (preamble, 一, 五, 六) as the author's jinja2 text renders them.

    A template error, or a missing preamble or part 一, is a NarrativeError; an empty part 五 or 六
    is left for `narrative_checks` to report as a finding.
    """
    template = parsed_narrative(source)
    try:
        ctx = template.new_context(context)
        parts = {
            name: "".join(template.blocks[name](ctx)).strip() if name in template.blocks else ""
            for name in NARRATIVE_PARTS
        }
    except Exception as exc:  # NOTE: a placeholder may fail in any way: 1/0, a number plus text…
        raise NarrativeError(_failed_placeholder(exc), _template_line(template, exc)) from exc
    missing = [name for name in NARRATIVE_PARTS[:2] if not parts[name]]
    if missing:
        raise NarrativeError(f"缺少内容块：{'、'.join(missing)}（应有 {{% block part1 %}} 等）")
    return parts


def _failed_placeholder(exc: Exception) -> str:
    """Why a placeholder could not be rendered; a figure the office supplies, when it was not
    supplied, says where it should be written."""
    name = (
        re.match(r"^'(\w+)' is undefined$", str(exc)) if isinstance(exc, UndefinedError) else None
    )
    if name and name.group(1) in SUPPLIED_FIGURES:
        figure = SUPPLIED_FIGURES[name.group(1)]
        return (
            f"占位符 {figure.name}（{figure.meaning}）没有数字：请写在报告文字旁的数字文件"
            f"（narratives/<单位>.toml）中，如 {figure.name} = 12"
        )
    return f"占位符无法计算（{type(exc).__name__}: {exc}）"


def with_fee_statement(parts: dict[str, str], statement: str) -> dict[str, str]:
    """The parts with part 六 opening on the fee sentence, unless the author wrote it in already."""
    if statement in parts["part6"]:
        return parts
    return {**parts, "part6": f"{statement}\n\n{parts['part6']}".strip()}


def narrative(source: str, context: dict) -> dict[str, str]:
    """The narrative parts (preamble, 一, 五, 六) rendered from a jinja2 text with blocks of those names."""
    return with_fee_statement(narrative_blocks(source, context), context["fee_statement"])


def narrative_context(year: int, subject: str, values: Values, **extra: object) -> dict:
    """What a narrative template may use: the year, the figures, the fee sentence, and `extra`."""
    return {
        "year": year,
        "subject": subject,
        **figures(values),
        "fee_statement": fee_statement(subject, year, values),
        **extra,
    }


DEFAULT_NARRATIVES = {"本机关": "unit_narrative.md.j2", "全县": "county_narrative.md.j2"}


def default_narrative(subject: str = "本机关") -> str:
    """The built-in narrative for a report (本机关 or 全县) whose author wrote none of its own."""
    return TEMPLATES.get_source(_narrative_env, DEFAULT_NARRATIVES[subject])[0]
