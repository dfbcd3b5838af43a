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
    explain: str = ""  # what the rule checks, for docs/rules.md


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        # the files and the register of returns
        Rule(
            "file.unreadable",
            ERROR,
            "文件无法打开",
            "无法打开文件“{file}”：{reason}。",
            "文件损坏、加密、为空或不是电子表格；其余文件照常处理。",
        ),
        Rule(
            "file.encrypted",
            ERROR,
            "文件设有打开密码",
            "文件“{file}”设有打开密码，无法读取；请去掉打开密码（另存为不加密的文件）后重新报送。",
            "从文件本身判断：加密的 Office 文件（OLE2 容器中的 EncryptionInfo/EncryptedPackage）、"
            "含 FILEPASS 记录的 .xls、部件加密的 .ods。不尝试任何密码。",
        ),
        Rule(
            "file.zip_bomb",
            ERROR,
            "异常压缩的文件（疑似压缩炸弹）",
            "文件“{file}”{reason}，疑似“压缩炸弹”，未读取。",
            "读取前先查压缩包目录：某个部件或全部部件声明的解压后大小、压缩比超过上限，或解压时超出声明的大小（目录不实），"
            "文件不交给任何读取程序，以免耗尽内存；上限见 pipeline/io.py 的 Limits。",
        ),
        Rule(
            "file.too_large",
            ERROR,
            "文件超出读取上限",
            "文件“{file}”{reason}，未读取。正常的年报文件约30–60KB，有5–6个工作表，每表几十行；请只报送年报数据。",
            "文件大小、部件数、工作表数、一个工作表的行数或单元格范围（如一个远处的单元格把整张表撑到上百万格）超过上限，"
            "读取前即拒绝，以免耗尽内存或长时间无响应；上限见 pipeline/io.py 的 Limits。",
        ),
        Rule(
            "file.long_text",
            ERROR,
            "文本过长",
            "文件“{file}”{reason}，未读取。",
            "单元格或共享字符串中的一段文本超过256KB（Excel一个单元格最多32767个字符），读取前即拒绝。",
        ),
        Rule(
            "file.changed",
            ERROR,
            "文件在读取时被改动",
            "文件“{file}”{reason}，未采用；请在文件保存完毕、不再改动后重新运行。",
            "读取前后文件的大小或修改时间不同，或文件在读取时被删除、移走：不采用可能混杂新旧内容的数据。",
        ),
        Rule(
            "file.macros",
            INFO,
            "含宏",
            "{unit}报送的文件“{file}”含有宏（VBA代码）；宏没有运行，数据照常读取。",
            "报表含宏（.xlsm 的 vbaProject.bin、.xls 的宏、.ods 的 Basic）时提示；宏从不运行，数据照常读取。",
        ),
        Rule(
            "file.external_links",
            INFO,
            "含外部链接",
            "{unit}报送的文件“{file}”含有指向其他工作簿的外部链接；链接没有打开或更新，按文件中保存的数值读取。",
            "报表含外部链接（引用其他工作簿）时提示；链接从不打开或更新，按文件中保存的数值读取。",
        ),
        Rule(
            "file.no_tables",
            ERROR,
            "文件中没有年报表格",
            "文件“{file}”中找不到年报表格（表二、表三、表四），未能读取。",
            "文件能打开，但任何工作表中都找不到表二、表三、表四的行列标签。",
        ),
        Rule(
            "file.old_format",
            ERROR,
            "旧格式报表",
            "文件“{file}”是2019年试行格式的报表（含“{labels}”），未读取；请按2021年格式（国办公开办函〔2021〕30号）重新填报。",
            "报表含2019年试行格式特有的标签（如“本年新制作数量”“第二十条第（九）项”），按该理由退回，不误读。",
        ),
        Rule(
            "file.formula_derived",
            INFO,
            "公式未保存结果",
            "{unit}报送的文件“{file}”中有{count}个公式没有保存计算结果（文件可能由其他软件另存），已按公式引用的单元格求和得出：{cells}。",
            "公式没有保存计算结果（文件被不计算公式的软件另存过）时，按公式引用的单元格求和并记录。",
        ),
        Rule(
            "file.table_missing",
            ERROR,
            "缺少表格",
            "{unit}报送的文件“{file}”中找不到{table}。",
            "报表中缺少某一整张表。",
        ),
        Rule(
            "file.table_twice",
            ERROR,
            "同一张表出现在多个工作表",
            "{unit}报送的文件“{file}”中，{table}出现在多个工作表（{sheets}），数字不一致，未采用其中任何一份；请删去多余或过时的工作表后重新报送。",
            "同一张表在两个以上工作表（包括隐藏的工作表）中都能找到且数字不同：不自行选用任何一份，该表按缺失处理。",
        ),
        Rule(
            "file.table_twice_same",
            INFO,
            "同一张表出现在多个工作表（数字一致）",
            "{unit}报送的文件“{file}”中，{table}出现在多个工作表（{sheets}），数字一致，采用工作表“{used}”。",
            "同一张表在两个以上工作表中都能找到且数字完全相同：采用其中一份（可见的工作表优先），并提示。",
        ),
        Rule(
            "file.cell_missing",
            ERROR,
            "缺少行或列",
            "{unit}报送的文件“{file}”中，{table}找不到“{label}”。",
            "找到了表格，但缺少某一行或某一列的标签。",
        ),
        Rule(
            "register.unknown_unit",
            ERROR,
            "无法确定填报单位",
            "无法确定文件“{file}”属于哪个单位{detail}，请在填报单位栏填写单位全称。",
            "填报单位栏、标题和文件名都无法对应到名册中唯一的单位。",
        ),
        Rule(
            "register.missing",
            ERROR,
            "未报送",
            "{unit}未报送{year}年度年报数据。",
            "名册中的单位没有报送报表（使用 --allow-missing 时不阻止报告，在附注中列出）。",
        ),
        Rule(
            "register.duplicate",
            ERROR,
            "重复报送",
            "{unit}报送了多份{year}年度年报数据：{files}，未采用其中任何一份，请确认后只保留一份。",
            "一个单位有多份报表；不自动选用任何一份。",
        ),
        Rule(
            "register.year",
            ERROR,
            "年度不符",
            "文件“{file}”填写的年度为“{written}”，不是本次汇总的{year}年度。",
            "报表填写的年度与本次汇总的年度不同。",
        ),
        # the values
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
        # the narrative of the report being rendered (pipeline/narrative_checks.py)
        Rule(
            "narrative.placeholder",
            ERROR,
            "报告文字有未替换的占位文字",
            "{report}{part}有未替换的占位文字“{text}”：“{excerpt}”。请写成实际内容；数字一律用数据占位符（如 s3.new.total）从数据中取。",
            "报告文字中残留“XX”“××”“待补充”“TODO”等占位文字。",
        ),
        Rule(
            "narrative.empty_part",
            ERROR,
            "报告部分没有内容",
            "{report}{part}没有内容，请在报告文字模板的 {block} 块中填写。",
            "第五、第六部分等必须有内容的部分为空。",
        ),
        Rule(
            "narrative.year",
            WARNING,
            "报告文字中有往年的年份",
            "{report}{part}出现“{text}”，在本该写本年度（{year}年）的地方：“{excerpt}”。请核实是否照抄了往年的文字；年度请用 year 占位符。",
            "报告文字中出现本年度之前的年份，且不是与往年比较（较、比、同比）、法规的修订年份（2019年修订）、完整日期或文号："
            "很可能照抄了往年的文字。之后的年份（下一步的计划）不提示。只是提示，不阻止报告。",
        ),
        Rule(
            "narrative.template",
            ERROR,
            "报告文字模板有误",
            "{unit}的报告文字模板 {file} {reason}，未生成本机关报告。",
            "单位本机关报告的文字模板在生成时出错（如占位符写错、{{ 1/0 }}、数字与文字相加），该单位不生成报告，其他单位照常。"
            "全县报告的模板出错时无法生成全县报告，以退出码2说明模板和行号。",
        ),
        Rule(
            "narrative.default",
            INFO,
            "使用内置的报告文字",
            "没有找到报告文字模板 {template}，{unit}报告的第一、五、六部分使用了内置的默认文字，请核对后再发布。",
            "全县报告没有 narrative.md.j2（或单位没有自己的 narratives/<单位>.md.j2）时，说明使用了内置的默认文字。",
        ),
        Rule(
            "narrative.default_units",
            INFO,
            "单位报告使用内置的报告文字",
            "{units}没有自己的报告文字（{folder}/<单位>.md.j2），本机关报告的第一、五、六部分使用了内置的默认文字，请核对后再发布。",
            "生成单位本机关报告时，列出没有自己的报告文字、使用了内置默认文字的单位（一条提示）。",
        ),
        Rule(
            "config.default",
            INFO,
            "没有本年度设置",
            '没有找到 {config}，报告标题使用“全县”；可在其中写 county = "古县" 设定县名。',
            "没有 config.toml 时，说明报告标题使用了默认的“全县”。",
        ),
        # the consistency rules of the format
        Rule(
            "s3.row_total",
            ERROR,
            "表三行合计",
            "表三“{label}”行：{terms}={sum}，不等于总计（{total}），相差{diff}。",
            "表三每一行：总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他。",
        ),
        Rule(
            "s3.outcome_total",
            ERROR,
            "表三办理结果合计",
            "表三“{label}”列：（一）至（六）各项之和为{sum}，不等于（七）总计（{total}），相差{diff}。",
            "表三每一列：（七）总计 = （一）予以公开 至 （六）3.其他 共21行之和。",
        ),
        Rule(
            "s3.balance",
            ERROR,
            "表三勾稽关系",
            "表三“{label}”列：一（{new}）+二（{carried_in}）={left}，不等于（七）总计（{outcome_total}）+四（{carried_out}）={right}，相差{diff}。",
            "表三每一列：一、本年新收 + 二、上年结转 = （七）总计 + 四、结转下年度继续办理。",
        ),
        Rule(
            "s4.group_total",
            ERROR,
            "表四合计",
            "表四“{group}”：{terms}={sum}，不等于总计（{total}），相差{diff}。",
            "表四每一组（行政复议、未经复议直接起诉、复议后起诉）：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结。",
        ),
        Rule(
            "s6.fees",
            ERROR,
            "信息处理费",
            "信息处理费：{reason}。",
            "实际收取金额大于0时，发出收费通知的件数至少为1；收费通知的总金额不小于实际收取的总金额。",
        ),
        Rule(
            "s2.rules_level",
            WARNING,
            "县级不制定规章",
            "{table}“规章”填报了{what}（{value}件）。县级机关和乡镇无权制定规章，请确认是否误填（应为0）。",
            "县直部门和乡镇不制定规章：表二“规章”各栏应为0。",
        ),
        Rule(
            "s4.without_requests",
            WARNING,
            "有复议诉讼但无申请",
            "表四填报了{cases}件行政复议、行政诉讼，但表三本年新收和上年结转的申请均为0，请核实。",
            "表四有行政复议或行政诉讼，而表三本年新收与上年结转申请都为0。",
        ),
        Rule(
            "s3.fee_rows",
            WARNING,
            "逾期未缴费但未发收费通知",
            "表三“（六）2.申请人逾期未按收费通知要求缴纳费用”为{count}件，但信息处理费部分发出收费通知0件，请核实。",
            "表三因逾期未缴费不再处理的申请大于0，而本年未发出收费通知。",
        ),
        # across years
        Rule(
            "year.carry_over",
            ERROR,
            "上下年结转不一致",
            "表三“{label}”列：本年“二、上年结转”为{value}，而{last_year}年报表“四、结转下年度继续办理”为{expected}，相差{diff}。",
            "本年表三“二、上年结转”逐列等于上年表三“四、结转下年度继续办理”（有上年数据时检查）。",
        ),
        Rule(
            "year.in_force",
            WARNING,
            "现行有效件数与上年不衔接",
            "表二“{label}”现行有效{value}件，而上年现行有效{last}件+本年制发{issued}件−本年废止{repealed}件={expected}件，相差{diff}件，请核实。",
            "本年现行有效件数 ≈ 上年现行有效 + 本年制发 − 本年废止（相差超过1件且超过10%时提示）。",
        ),
        Rule(
            "year.swing",
            WARNING,
            "与上年相比变化过大",
            "{table}“{label}”本年为{value}，上年为{last}，变化超过3倍，请核实。",
            "同一单元格与上年相比变化超过3倍，且绝对变化超过10（金额为10万元或1000元），用于发现错位、多写或少写一位等。",
        ),
        Rule(
            "year.source_unusable",
            WARNING,
            "上一年度数据有部分无法使用",
            "{last_year}年度的数据有部分无法使用：{problems}。跨年度检查只用能读取的部分。",
            "上一年度的处理结果损坏、上一年度的名册或报表无法读取时提示一次，说明哪些数据没有用上、为什么；"
            "不阻止本年度的报告。",
        ),
        Rule(
            "year.unchecked",
            INFO,
            "未做跨年度检查",
            "没有可用的{last_year}年度数据（{where}），未检查上下年结转、现行有效件数衔接和大幅变化。",
            "找不到或无法使用上一年度数据时，说明跨年度规则未检查，以及查找过哪些来源。",
        ),
    )
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
        "每条问题记录都注明规则、严重程度、单位、文件、工作表、单元格和中文说明。",
        "“错误”阻止生成全县报告（可用 `--draft` 生成草稿）；“警告”和“提示”只报告，不阻止。",
        "",
        "Generated from the catalog in `pipeline/problems.py`; do not edit by hand.",
        "",
        "| 规则 rule | 严重程度 | 名称 | 检查什么 | 说明模板 |",
        "|---|---|---|---|---|",
    ]
    for rule in RULES.values():
        cells = [
            f"`{rule.id}`",
            SEVERITY_LABELS[rule.severity],
            rule.title,
            rule.explain,
            rule.template,
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", "## 定位建议 / Suggestions", "", "| 类型 | 模板 |", "|---|---|"]
    lines += [f"| `{kind}` | {text} |" for kind, text in SUGGESTIONS.items()]
    return "\n".join(lines) + "\n"


def suggestion(kind: str, /, **fields: object) -> str:
    """A suggestion of where an error probably is, rendered from its template (nothing is changed)."""
    return "【建议】" + SUGGESTIONS[kind].format(**{k: _text(v) for k, v in fields.items()})


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
