"""The rules of reading layouts (issue 12), to be merged into the catalog of pipeline/problems.py.

Until then they are registered into `problems.RULES` when the package is imported
(pipeline/__init__.py), so findings, the findings schema and docs/rules.md know them.
"""

from __future__ import annotations

from pipeline import problems
from pipeline.problems import ERROR, INFO, WARNING, Rule

RULES = (
    Rule(
        "label.similar",
        WARNING,
        "标签与格式相近",
        "{unit}报送的文件“{file}”中，{sheet}!{cell}写的是“{text}”，与格式中的“{expected}”相近（相似度{score}），"
        "已按“{expected}”读取；请核实，并改为格式中的标签。",
        "行或列的标签与格式中的标签不完全相同，但与其中一个相近（相似度不低于80，且比第二相近的高出10以上），"
        "按相近的标签读取并提示；使用 --strict 时为错误。阈值见 docs/layouts.md。",
    ),
    Rule(
        "label.ambiguous",
        ERROR,
        "表格或标签位置不唯一",
        "{unit}报送的文件“{file}”中，{table}的“{label}”有两处同样可能：{first}和{second}，未读取；"
        "请删去多余的一处，或改正标签。",
        "一张表（或一个标签）在工作表中有两处位置得分相同，不任选其一，按错误报告，两处都列出。",
    ),
    Rule(
        "s6.unreported",
        WARNING,
        "未填报信息处理费情况",
        "{unit}报送的文件“{file}”未填报信息处理费情况（发出收费通知件数、收费通知总金额、实际收取金额）。"
        "全县汇总只计已填报的单位并注明未填报的单位数；本单位的年度报告须写明这三项后才能生成。",
        "报表中既没有信息处理费表格，也没有“本机关××年度未收取政府信息公开信息处理费”或"
        "“发出收费通知N件，金额M元，实际收取K元”这样的文字；使用 --strict 时为错误。",
    ),
    Rule(
        "s6.sentence",
        INFO,
        "信息处理费按文字读取",
        "{unit}报送的文件“{file}”中，信息处理费按{sheet}!{cell}的文字读取：发出收费通知{notices}件，"
        "收费通知总金额{notice_amount}元，实际收取{collected}元。",
        "报表以文字（而非表格）写明信息处理费时，按文字读出三项数字并记录出处；只认格式的两种写法，其余不猜。",
    ),
)

# NOTE: warnings that --strict makes errors (as value.missing becomes value.blank)
STRICT_ERRORS = frozenset({"label.similar", "s6.unreported"})


def strict_findings(records: list[dict]) -> list[dict]:
    """The findings as --strict has them: the rules of STRICT_ERRORS raised to errors."""
    return [{**r, "severity": ERROR} if r.get("rule") in STRICT_ERRORS else r for r in records]


# TODO merge: into the catalog of pipeline/problems.py, then drop this registration
problems.RULES.update({r.id: r for r in RULES})
