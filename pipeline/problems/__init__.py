"""The catalog of problems: each finding names a rule from here, and its message is rendered from
the rule's template, never written where the problem is found.

The rules are declared beside what they are about (`files`, `cells`, `tables`, `narrative`,
`review`, `audit`); `RULES` holds them all, in that order, and docs/rules.md is generated from it.
"""

from __future__ import annotations

import pandas as pd

from pipeline.problems import audit, cells, files, narrative, review, tables
from pipeline.problems.rule import (
    ABOUT_LABELS,
    ERROR,
    FINDING_COLUMNS,
    INFO,
    READING,
    REPORT,
    SEVERITY_LABELS,
    WARNING,
    Rule,
)

RULES: dict[str, Rule] = {
    r.id: r for part in (files, cells, narrative, tables, review, audit) for r in part.RULES
}

SUGGESTIONS = {
    "single_cell": "{cell}很可能有误：改为{value}可同时满足{rules}。",
    "unfilled_total": "{cell}很可能漏填：各项之和为{value}，改为{value}可满足{rules}。",
    "several_cells": "{cells}（共{count}个单元格）中任何一个单独改动都能满足{rules}，无法确定是哪一个，请逐一核对。",
    "split_number": "{a}的“{x}”和{b}的“{y}”可能是同一个数“{joined}”被分到了两格，合为一格后合计相符。",
    "misfiled": "“{more}”列与“{less}”列的差额大小相等、方向相反（{diff}件），而各行合计相符：可能有申请计入了错误的申请人类型。",
}


def rules_markdown() -> str:
    """docs/rules.md: every rule of the catalog, generated from it (a test keeps the two equal)."""
    lines = [
        "# 校验规则 / Rule catalog",
        "",
        "本页由 `pipeline/problems.py` 中的规则目录生成（`make docs`），请勿手工编辑；测试会检查二者一致。",
        "每条问题记录都注明规则、严重程度、所指（about）、单位、文件、工作表、单元格和中文说明。",
        "“错误”阻止生成全县报告（可用 `--draft` 生成草稿）；“警告”和“提示”只报告，不阻止。",
        "",
        "“所指”（issues.csv 的 `about` 列）说明问题是关于什么的：`report`（报告本身：文件、数字、合计、年度、"
        "缺少的部分、内容雷同、正文与表格不符、未处理的修订、两份报告不一致）或 `reading`（未能读取：本程序"
        "未能读取或定位某处，如行的数字不全、找不到行、拆分不唯一、没有表格、扫描件、不支持的格式、单元格中的"
        "对象、打不开的文件；这是本程序读取能力的限制，不是对发布机关的指摘）。",
        f"审核已发布的报告（`xxgk audit`）时，`reading` 的问题从不是错误：本表中为“错误”或“警告”的，审核中"
        f"都是“警告”，说明之后加上“{READING_CHECK}”（说明中已请人工核对的除外），并与报告本身的问题分开计数；"
        "退出码1只表示某份报告本身有错误。",
        "`xxgk report` 的退出规则不变：报表中未能读取的单元格仍然阻止生成全县报告。",
        "",
        "Generated from the catalog in `pipeline/problems.py`; do not edit by hand.",
        "",
        "| 规则 rule | 严重程度 | 所指 about | 名称 | 检查什么 | 说明模板 |",
        "|---|---|---|---|---|---|",
    ]
    for rule in RULES.values():
        cells = [
            f"`{rule.id}`",
            SEVERITY_LABELS[rule.severity],
            f"`{rule.about}` {ABOUT_LABELS[rule.about]}",
            rule.title,
            rule.explain,
            rule.template,
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", "## 定位建议 / Suggestions", "", "| 类型 | 模板 |", "|---|---|"]
    lines += [f"| `{kind}` | {text} |" for kind, text in SUGGESTIONS.items()]
    return "\n".join(lines) + "\n"


SUGGESTION_PREFIX = "【建议】"  # how every suggestion begins


def suggestion(kind: str, /, **fields: object) -> str:
    """A suggestion of where an error probably is, rendered from its template (nothing is changed)."""
    return SUGGESTION_PREFIX + SUGGESTIONS[kind].format(**{k: _text(v) for k, v in fields.items()})


def finding(rule: str, /, **fields: object) -> dict[str, object]:
    """One finding of `rule`: its locator fields plus the message rendered from the template."""
    spec = RULES[rule]
    record: dict[str, object] = {c: "" for c in FINDING_COLUMNS}
    record.update({k: v for k, v in fields.items() if k in record})
    record["severity"] = fields.get("severity", spec.severity)
    record["rule"] = rule
    record["about"] = spec.about
    record["message"] = spec.template.format(**{k: _text(v) for k, v in fields.items()})
    return record


def _text(value: object) -> str:
    return "" if value is None else str(value)


def findings_table(
    records: list[dict[str, object]], columns: list[str] = FINDING_COLUMNS
) -> pd.DataFrame:
    """Findings as a table with the fixed columns (`columns`: those and more, a field absent
    from a record blank), errors first, in a stable order."""
    table = pd.DataFrame(records, columns=columns).astype(object).fillna("").astype(str)
    if table.empty:
        return table
    # NOTE: what a finding is about is its rule's, whatever the record says (a table written
    # before the column existed is read back without it)
    table["about"] = about_of(table["rule"])
    order = table["severity"].map({ERROR: 0, WARNING: 1, INFO: 2}).fillna(3)
    return (
        table.assign(_order=order)
        .sort_values(["_order", "unit", "file", "rule", "section", "sheet", "cell"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def about_of(rules: pd.Series) -> pd.Series:
    """What the findings of `rules` are about (`report` or `reading`), by their rule."""
    return rules.map({r.id: r.about for r in RULES.values()}).fillna(REPORT).astype(str)


# NOTE: what a reading finding asks of the person reading the audit; a template that says it
# already is not told twice
READING_CHECK = "这是本程序读取能力的限制，不是报告的问题，请人工核对。"


def as_published(record: dict[str, object]) -> dict[str, object]:
    """A finding as the audit of a published report states it: one about our reading is never an
    error but a warning, its message ending with `READING_CHECK` (a new record; a note stays a
    note)."""
    rule = RULES.get(str(record.get("rule", "")))
    if rule is None or rule.about != READING or record.get("severity") not in (ERROR, WARNING):
        return {**record, "about": rule.about if rule else REPORT}
    message = str(record.get("message", ""))
    if "请人工核对" not in message:
        message += READING_CHECK
    return {**record, "about": READING, "severity": WARNING, "message": message}


def severity_counts(findings: pd.DataFrame) -> dict[str, int]:
    """How many findings of each severity (errors, warnings, infos)."""
    counts = findings["severity"].value_counts() if len(findings) else {}
    return {s: int(counts.get(s, 0)) for s in (ERROR, WARNING, INFO)}


__all__ = [
    "ABOUT_LABELS",
    "ERROR",
    "FINDING_COLUMNS",
    "INFO",
    "READING",
    "READING_CHECK",
    "REPORT",
    "RULES",
    "SEVERITY_LABELS",
    "SUGGESTIONS",
    "SUGGESTION_PREFIX",
    "WARNING",
    "Rule",
    "about_of",
    "as_published",
    "finding",
    "findings_table",
    "rules_markdown",
    "severity_counts",
    "suggestion",
]
