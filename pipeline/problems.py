"""The catalog of problems: each finding names a rule from here, and its message is rendered from
the rule's template, never written where the problem is found."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_LABELS = {ERROR: "错误", WARNING: "警告", INFO: "提示"}

FINDING_COLUMNS = [
    "severity",
    "rule",
    "unit",
    "file",
    "sheet",
    "cell",
    "section",
    "row",
    "col",
    "text",
    "value",
    "expected",
    "message",
    "suggestion",
]


@dataclass(frozen=True)
class Rule:
    """A kind of problem: stable id, severity, what it checks, and the message template."""

    id: str
    severity: str
    title: str
    template: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        # the files and the register of returns
        Rule("file.unreadable", ERROR, "文件无法打开", "无法打开文件“{file}”：{reason}。"),
        Rule(
            "file.no_tables",
            ERROR,
            "文件中没有年报表格",
            "文件“{file}”中找不到年报表格（表二、表三、表四），未能读取。",
        ),
        Rule("file.table_missing", ERROR, "缺少表格", "{unit}报送的文件“{file}”中找不到{table}。"),
        Rule(
            "file.cell_missing",
            ERROR,
            "缺少行或列",
            "{unit}报送的文件“{file}”中，{table}找不到“{label}”。",
        ),
        Rule(
            "register.unknown_unit",
            ERROR,
            "无法确定填报单位",
            "无法确定文件“{file}”属于哪个单位{detail}，请在填报单位栏填写单位全称。",
        ),
        Rule("register.missing", ERROR, "未报送", "{unit}未报送{year}年度年报数据。"),
        Rule(
            "register.duplicate",
            ERROR,
            "重复报送",
            "{unit}报送了多份{year}年度年报数据：{files}，未采用其中任何一份，请确认后只保留一份。",
        ),
        Rule(
            "register.year",
            ERROR,
            "年度不符",
            "文件“{file}”填写的年度为“{written}”，不是本次汇总的{year}年度。",
        ),
        # the values
        Rule(
            "value.type",
            ERROR,
            "数值无法读取",
            "{table}“{label}”（{sheet}!{cell}）填写“{text}”，{reason}。",
        ),
        Rule(
            "value.missing",
            INFO,
            "空白按0计",
            "{unit}有{count}个单元格为空或填写“/”“—”“无”等，已按0计算：{cells}。",
        ),
        # the narrative of the report being rendered (pipeline/narrative_checks.py)
        Rule(
            "narrative.placeholder",
            ERROR,
            "报告文字有未替换的占位文字",
            "{report}{part}有未替换的占位文字“{text}”：“{excerpt}”。请写成实际内容；数字一律用数据占位符（如 s3.new.total）从数据中取。",
        ),
        Rule(
            "narrative.empty_part",
            ERROR,
            "报告部分没有内容",
            "{report}{part}没有内容，请在报告文字模板的 {block} 块中填写。",
        ),
        Rule(
            "narrative.year",
            ERROR,
            "报告文字的年度不符",
            "{report}{part}出现“{text}”，不是本报告的{year}年度：“{excerpt}”。年度请用 year 占位符，不要照抄往年的文字。",
        ),
        # the consistency rules of the format
        Rule(
            "s3.row_total",
            ERROR,
            "表三行合计",
            "表三“{label}”行：{terms}={sum}，不等于总计（{total}），相差{diff}。",
        ),
        Rule(
            "s3.outcome_total",
            ERROR,
            "表三办理结果合计",
            "表三“{label}”列：（一）至（六）各项之和为{sum}，不等于（七）总计（{total}），相差{diff}。",
        ),
        Rule(
            "s3.balance",
            ERROR,
            "表三勾稽关系",
            "表三“{label}”列：一（{new}）+二（{carried_in}）={left}，不等于（七）总计（{outcome_total}）+四（{carried_out}）={right}，相差{diff}。",
        ),
        Rule(
            "s4.group_total",
            ERROR,
            "表四合计",
            "表四“{group}”：{terms}={sum}，不等于总计（{total}），相差{diff}。",
        ),
        Rule("s6.fees", ERROR, "信息处理费", "信息处理费：{reason}。"),
    )
}


def finding(rule: str, /, **fields: object) -> dict[str, object]:
    """One finding of `rule`: its locator fields plus the message rendered from the template."""
    spec = RULES[rule]
    record: dict[str, object] = {c: "" for c in FINDING_COLUMNS}
    record.update({k: v for k, v in fields.items() if k in record})
    record["severity"] = fields.get("severity", spec.severity)
    record["rule"] = rule
    record["message"] = spec.template.format(**{k: _text(v) for k, v in fields.items()})
    return record


def _text(value: object) -> str:
    return "" if value is None else str(value)


def findings_table(records: list[dict[str, object]]) -> pd.DataFrame:
    """Findings as a table with the fixed columns, errors first, in a stable order."""
    table = pd.DataFrame(records, columns=FINDING_COLUMNS).astype(str)
    if table.empty:
        return table
    order = table["severity"].map({ERROR: 0, WARNING: 1, INFO: 2}).fillna(3)
    return (
        table.assign(_order=order)
        .sort_values(["_order", "unit", "file", "rule", "section", "sheet", "cell"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def severity_counts(findings: pd.DataFrame) -> dict[str, int]:
    """How many findings of each severity (errors, warnings, infos)."""
    counts = findings["severity"].value_counts() if len(findings) else {}
    return {s: int(counts.get(s, 0)) for s in (ERROR, WARNING, INFO)}
