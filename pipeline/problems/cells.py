"""The rules of single cells and labels: a value that cannot be read, a blank, a label read as similar or placed two ways."""

from __future__ import annotations

from pipeline.problems.rule import ERROR, INFO, WARNING, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        "value.type",
        ERROR,
        "数值无法读取",
        "{table}“{label}”（{sheet}!{cell}）填写“{text}”，{reason}。",
        "计数应为不小于0的整数，金额应为不小于0的数（精确到分）；无法读取的内容在所在单元格报错，绝不当作0。",
    ),
    Rule(
        "value.missing",
        INFO,
        "空白按0计",
        "{unit}有{count}个单元格为空或填写“/”“—”“无”等，已按0计算：{cells}。",
        "默认规则：空白及“/”“—”“无”等按0读取，原样记录，每份报表汇总提示一次；"
        "使用 --strict 时，每个空白单元格都是一个错误（规则 value.blank）。",
    ),
    Rule(
        "value.blank",
        ERROR,
        "必填项为空（严格模式）",
        "{table}“{label}”（{sheet}!{cell}）未填写数字（填写“{text}”）。严格模式下空白不按0计算，请填写0或实际数字。",
        "仅在 --strict 时检查：必填单元格为空或填写“/”“—”“无”等。",
    ),
    Rule(
        "value.all_blank",
        ERROR,
        "报表未填写",
        "{unit}报送的文件“{file}”中，表二、表三、表四和信息处理费的{count}个单元格全部为空，报表可能未填写。",
        "一份报表的全部单元格都为空或“/”“—”“无”。",
    ),
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
)
