"""Render: a table of cell values → the report (HTML, Markdown) and the tables in the report's layout."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    select_autoescape,
)

from pipeline.format2021 import PARTS, SECTIONS, TABLES, grid, number_text, to_decimal
from pipeline.problems import ERROR, INFO, RULES, SEVERITY_LABELS, WARNING, severity_counts

Values = dict[tuple[str, str, str], int]  # (section, row, col) -> stored integer

NARRATIVE_PARTS = ("preamble", "part1", "part5", "part6")
DRAFT_MARK = "草稿（数据未通过校验）"

_env = Environment(
    loader=PackageLoader("pipeline", "templates"),
    autoescape=select_autoescape(["html.j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


class NarrativeError(Exception):
    """A narrative template that cannot be rendered (a syntax error, a typo in a placeholder, a
    placeholder that fails: `{{ 1/0 }}`, a number plus text); the message names the line."""

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(f"第{line}行有误：{reason}" if line else f"有误：{reason}")
        self.reason, self.line = reason, line


def parsed_narrative(source: str):
    """The compiled jinja2 template of a narrative, or NarrativeError naming the line."""
    try:
        return _env.from_string(source)
    except TemplateSyntaxError as exc:
        raise NarrativeError(f"语法错误（{exc.message}）", exc.lineno) from exc
    except TemplateError as exc:
        raise NarrativeError(f"{type(exc).__name__}: {exc}") from exc


def _template_line(template, exc: BaseException) -> int | None:
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


def values_of(cells: pd.DataFrame) -> Values:
    """The values of a cell table, by (section, row, col)."""
    return {
        (s, r, c): int(v)
        for s, r, c, v in cells[["section", "row", "col", "value"]].itertuples(index=False)
        if not pd.isna(v)
    }


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


@dataclass(frozen=True)
class Report:
    """Everything a report shows: its title, its narrative parts and its cell values."""

    title: str
    subtitle: str
    year: int
    subject: str  # 本机关 or 全县
    values: Values
    narrative: dict[str, str]
    notes: tuple[str, ...] = ()
    draft: bool = False  # rendered from data that did not pass validation


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
        reason = f"占位符无法计算（{type(exc).__name__}: {exc}）"
        raise NarrativeError(reason, _template_line(template, exc)) from exc
    missing = [name for name in NARRATIVE_PARTS[:2] if not parts[name]]
    if missing:
        raise NarrativeError(f"缺少内容块：{'、'.join(missing)}（应有 {{% block part1 %}} 等）")
    return parts


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
    return _env.loader.get_source(_env, DEFAULT_NARRATIVES[subject])[0]


# -- tables -----------------------------------------------------------------------------------
def table_rows(section: str, values: Values) -> list[list[dict]]:
    """The table as rows of printed cells (text, kind, rowspan, colspan), merges as the format has them."""
    g = grid(section)
    return [
        [
            {
                "text": cell_text(cell, section, values),
                "kind": cell.kind,
                "rowspan": cell.rowspan,
                "colspan": cell.colspan,
            }
            for cell in row
        ]
        for row in g.rows()
    ]


def cell_text(cell, section: str, values: Values) -> str:
    """What a grid cell prints: its label, or its value as the report writes numbers."""
    if cell.kind != "value":
        return cell.text
    return number_text(values.get((section, cell.row, cell.col), 0), section, cell.col)


def layout_table(section: str, values: Values) -> pd.DataFrame:
    """The table in the report's layout as a rectangle of text (a merged cell's text at its top left)."""
    g = grid(section)
    rect = [[""] * g.n_cols for _ in range(g.n_rows)]
    for cell in g.cells:
        rect[cell.r][cell.c] = cell_text(cell, section, values)
    return pd.DataFrame(rect)


def tidy_cells(county: pd.DataFrame) -> pd.DataFrame:
    """The county table, one row per cell: section, row, col, value."""
    return county[["section", "row", "col", "value"]]


def table_markdown(section: str, values: Values) -> str:
    """The table as Markdown: pipe tables with the header path in each column's name."""
    sec = SECTIONS[section]
    if section == "s2":
        return "\n\n".join(
            _s2_block_markdown(heading, rows, values) for heading, rows in _blocks(sec)
        )
    shared = _shared_prefix([c.labels for c in sec.cols])
    heads = ["·".join(c.labels[shared:]) for c in sec.cols]
    lines = []
    if sec.label_cols:
        heads = ["项目", *heads]
    lines.append(_pipe(heads))
    lines.append(_pipe(["---"] * len(heads)))
    previous: tuple[str, ...] = ()
    for row in sec.rows:
        cells = [
            number_text(values.get((section, row.code, c.code), 0), section, c.code)
            for c in sec.cols
        ]
        if sec.label_cols:
            labels = row.labels
            keep = next(
                (i for i, (a, b) in enumerate(zip(labels, previous, strict=False)) if a != b),
                min(len(labels), len(previous)),
            )
            cells = [" ".join(labels[keep:]), *cells]
            previous = labels
        lines.append(_pipe(cells))
    note = f"{sec.corner}\n\n" if section == "s3" else ""
    return note + "\n".join(lines)


def _s2_block_markdown(heading: str, rows, values: Values) -> str:
    sec = SECTIONS["s2"]
    cols = sec.cols_of(rows[0])
    lines = [
        f"**{heading}**",
        "",
        _pipe([sec.corner, *(c.label for c in cols)]),
        _pipe(["---"] * (len(cols) + 1)),
    ]
    for row in rows:
        lines.append(
            _pipe(
                [
                    row.label,
                    *(
                        number_text(values.get(("s2", row.code, c.code), 0), "s2", c.code)
                        for c in cols
                    ),
                ]
            )
        )
    return "\n".join(lines)


def _blocks(sec):
    blocks: dict[str, list] = {}
    for row in sec.rows:
        blocks.setdefault(row.block, []).append(row)
    return list(blocks.items())


def _shared_prefix(paths: list[tuple[str, ...]]) -> int:
    n = 0
    while all(len(p) > n + 1 for p in paths) and len({p[n] for p in paths}) == 1:
        n += 1
    return n


def _pipe(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


# -- the report -------------------------------------------------------------------------------
def _paragraphs(text: str) -> list[str]:
    return [re.sub(r"\s*\n\s*", "", p).strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def report_context(report: Report) -> dict:
    return {
        "title": report.title,
        "subtitle": report.subtitle,
        "year": report.year,
        "parts": PARTS,
        "narrative": {k: _paragraphs(v) for k, v in report.narrative.items()},
        "tables": {
            s.part: {
                "code": s.code,
                "rows": table_rows(s.code, report.values),
                "header_rows": grid(s.code).header_rows,
                "markdown": table_markdown(s.code, report.values),
            }
            for s in TABLES
        },
        "notes": report.notes,
        "draft": DRAFT_MARK if report.draft else "",
    }


def page(template: str, **context: object) -> str:
    """A page rendered from one of the package's templates (HTML autoescaped)."""
    return _env.get_template(template).render(**context)


def report_html(report: Report) -> str:
    """The report as one self-contained HTML page."""
    return _env.get_template("report.html.j2").render(**report_context(report))


STATUS_LABELS = {
    "received": "已收到",
    "unreadable": "无法打开",
    "no_tables": "没有年报表格",
    "unknown_unit": "单位无法识别",
    "duplicate": "重复报送",
    "other_year": "年度不符",
    "old_format": "旧格式（2019年试行格式）",
    "missing": "未报送",
}


def issues_html(year: int, findings: pd.DataFrame, register: pd.DataFrame) -> str:
    """The findings as a page for office staff: counts per rule, the register, problems by unit."""
    rows = findings.to_dict("records")
    for f in rows:
        f["severity_label"] = SEVERITY_LABELS.get(f["severity"], f["severity"])
        f["where"] = " ".join(
            x for x in (f["file"], f"{f['sheet']}!{f['cell']}" if f["cell"] else "") if x
        )
    by_rule = (
        findings.groupby(["rule", "severity"], sort=False).size().reset_index(name="count")
        if len(findings)
        else pd.DataFrame(columns=["rule", "severity", "count"])
    )
    units: dict[str, list[dict]] = {}
    for f in rows:
        units.setdefault(f["unit"] or "（未识别的文件）", []).append(f)
    return _env.get_template("issues.html.j2").render(
        year=year,
        received=int((register["status"] == "received").sum()),
        roll=int((register["unit_code"] != "").sum()),
        counts=severity_counts(findings),
        by_rule=[
            {**r, "title": RULES[r["rule"]].title, "severity_label": SEVERITY_LABELS[r["severity"]]}
            for r in by_rule.to_dict("records")
        ],
        register=[
            {**r, "status_label": STATUS_LABELS.get(r["status"], r["status"])}
            for r in register.to_dict("records")
        ],
        units=[
            {
                "name": name,
                "findings": fs,
                "counts": _counted(fs),
            }
            for name, fs in units.items()
        ],
    )


def _counted(findings: list[dict]) -> dict[str, int]:
    """How many of these findings are of each severity, as `severity_counts` gives them."""
    counts = Counter(f["severity"] for f in findings)
    return {s: counts[s] for s in (ERROR, WARNING, INFO)}


def report_md(report: Report) -> str:
    """The report as Markdown."""
    return _env.get_template("report.md.j2").render(**report_context(report))
