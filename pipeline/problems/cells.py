"""The rules of single cells and labels: a value that cannot be read, a blank, a label read as similar or placed two ways."""

from __future__ import annotations

from pipeline.problems.rule import ERROR, INFO, READING, REPORT, WARNING, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        "value.type",
        ERROR,
        "数值无法读取",
        "{table}“{label}”（{sheet}!{cell}）填写“{text}”，{reason}。",
        "计数应为不小于0的整数，金额应为不小于0的数（精确到分）；无法读取的内容在所在单元格报错，绝不当作0。",
        about=REPORT,
    ),
    Rule(
        "value.revision",
        ERROR,
        "数字有未处理的修订",
        "{table}“{label}”（{sheet}!{cell}）有未接受也未拒绝的修订：{reason}。修订处理前这个数不采用；"
        "请在 Word 中接受或拒绝修订（审阅→接受/拒绝）后重新报送。",
        "Word 报表中，一个数字带有修订标记（插入、删除或移动，尚未接受或拒绝）：单位还没有决定用哪个数，"
        "不猜测，按错误退回。读取已发布的报告时按接受修订后的文字读取并提示。",
        about=REPORT,
    ),
    # NOTE: reading: something is seen in the cell that xxgk cannot read as a figure (an object)
    Rule(
        "value.unreadable",
        ERROR,
        "单元格中的内容无法读成数字",
        "{table}“{label}”（{sheet}!{cell}）中是{reason}，无法读出数字；请在单元格中直接键入数字后重新报送。",
        "应填数字的单元格中是图片、嵌入对象、公式编辑器对象、文本框或不止一个数的嵌套表格等：看得见的内容"
        "读不出来，既不是空白也不按0计算。",
        about=READING,
    ),
    Rule(
        "value.hidden",
        ERROR,
        "单元格中有看不见的文字",
        "{table}“{label}”（{sheet}!{cell}）{reason}；打开文件的人看不到这些文字，这个数不采用。"
        "请删去隐藏的文字或改为看得见的格式后重新报送。",
        "文字设为隐藏，或字体颜色与单元格底色相同：看到的和文件中存的不是同一个数，不猜测。",
        about=REPORT,
    ),
    Rule(
        "value.recalculated",
        WARNING,
        "公式保存的结果不是打开时显示的数",
        "{table}“{label}”（{sheet}!{cell}）{reason}。",
        "Excel 或 WPS 打开文件时会重新计算公式（工作簿要求打开时重算，如 XlsxWriter、openpyxl 写的文件；或文件"
        "最后不是由 Excel 2019/365 计算的，如 LibreOffice 或较早的 Excel 保存的文件）：公式能推算（加减、括号、"
        "本表单元格和区域的 SUM）而结果与文件中保存的不同时，按推算结果读取，两个数都写明。",
        about=REPORT,
    ),
    # NOTE: reading: the stored result may be right; xxgk only cannot work the formula out
    Rule(
        "value.stale",
        WARNING,
        "公式保存的结果可能已过时",
        "{table}“{label}”（{sheet}!{cell}）{reason}。",
        "工作簿打开时会重新计算，而这个公式本程序无法推算：按文件中保存的结果读取，并提示它可能不是打开时显示的数；"
        "或者工作簿打开时不重新计算，而按公式推算的结果与保存的结果不同：按保存的结果（打开时显示的数）读取，两个数都写明。",
        about=READING,
    ),
    Rule(
        "value.text_in_sum",
        WARNING,
        "公式不计入以文字形式填写的数",
        "{table}“{label}”（{sheet}!{cell}）{reason}。",
        "单元格为文本格式时键入或粘贴的数字是文字；Excel、WPS 的 SUM 不计入所引用区域中的文字，合计因此比各项之和小。"
        "按打开文件时显示的数读取，并指出这些格（合计与各项之和不符的错误由求和规则报告）。",
        about=REPORT,
    ),
    Rule(
        "value.field",
        WARNING,
        "Word 域显示的结果与域公式不符",
        "{table}“{label}”（{sheet}!{cell}）{reason}。",
        "Word 打开文件时不更新域：按显示的结果读取；域是可以推算的公式（如 =SUM(LEFT)）而结果不同时两个数都写明。",
        about=REPORT,
    ),
    Rule(
        "value.unstated",
        ERROR,
        "信息处理费的文字没有写明这一项",
        "{unit}报送的文件“{file}”中，{sheet}!{cell}的信息处理费文字“{text}”对“{label}”{reason}，"
        "这一项未读取（不按0计）；请写明发出收费通知的件数、收费通知的总金额和实际收取的总金额。",
        "报表以文字写明信息处理费，但只写了其中几项（如只写“全年收取信息处理费3940元”），或同一项写了不同的数："
        "写明的照常读取，其余记为未读取，不按0计，也不由其他几项推算。",
        about=READING,
    ),
    Rule(
        "value.missing",
        INFO,
        "空白按0计",
        "{unit}有{count}个单元格为空或填写“/”“—”“无”等，已按0计算：{cells}。",
        "默认规则：空白及“/”“—”“无”等按0读取，原样记录，每份报表汇总提示一次；"
        "使用 --strict 时，每个空白单元格都是一个错误（规则 value.blank）。",
        about=REPORT,
    ),
    Rule(
        "value.blank",
        ERROR,
        "必填项为空（严格模式）",
        "{table}“{label}”（{sheet}!{cell}）未填写数字（填写“{text}”）。严格模式下空白不按0计算，请填写0或实际数字。",
        "仅在 --strict 时检查：必填单元格为空或填写“/”“—”“无”等。",
        about=REPORT,
    ),
    Rule(
        "value.all_blank",
        ERROR,
        "报表未填写",
        "{unit}报送的文件“{file}”中，表二、表三、表四和信息处理费的{count}个单元格全部为空，报表可能未填写。",
        "一份报表的全部单元格都为空或“/”“—”“无”。",
        about=REPORT,
    ),
    # NOTE: report: the label differs from the format's whatever reads it
    Rule(
        "label.similar",
        WARNING,
        "标签与格式相近",
        "{unit}报送的文件“{file}”中，{sheet}!{cell}写的是“{text}”，与格式中的“{expected}”相近（相似度{score}），"
        "已按“{expected}”读取；请核实，并改为格式中的标签。",
        "行或列的标签与格式中的标签不完全相同，但与其中一个相近（相似度不低于80，且比第二相近的高出10以上），"
        "按相近的标签读取并提示；使用 --strict 时为错误。阈值见 docs/layouts.md。",
        about=REPORT,
    ),
    Rule(
        "label.ambiguous",
        ERROR,
        "表格或标签位置不唯一",
        "{unit}报送的文件“{file}”中，{table}的“{label}”有两处同样可能：{first}和{second}，未读取；"
        "请删去多余的一处，或改正标签。",
        "一张表（或一个标签）在工作表中有两处位置得分相同，不任选其一，按错误报告，两处都列出。",
        about=READING,
    ),
)
