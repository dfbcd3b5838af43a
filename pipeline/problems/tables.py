"""The consistency rules of the format's tables (表二, 表三, 表四, part 六's fees) and across years."""

from __future__ import annotations

from pipeline.problems.rule import ERROR, INFO, READING, REPORT, WARNING, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        "s3.row_total",
        ERROR,
        "表三行合计",
        "表三“{label}”行：{terms}={sum}，不等于总计（{total}），相差{diff}。",
        "表三每一行：总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他。",
        about=REPORT,
    ),
    Rule(
        "s3.outcome_total",
        ERROR,
        "表三办理结果合计",
        "表三“{label}”列：（一）至（六）各项之和为{sum}，不等于（七）总计（{total}），相差{diff}。",
        "表三每一列：（七）总计 = （一）予以公开 至 （六）3.其他 共21行之和。",
        about=REPORT,
    ),
    Rule(
        "s3.balance",
        ERROR,
        "表三勾稽关系",
        "表三“{label}”列：一（{new}）+二（{carried_in}）={left}，不等于（七）总计（{outcome_total}）+四（{carried_out}）={right}，相差{diff}。",
        "表三每一列：一、本年新收 + 二、上年结转 = （七）总计 + 四、结转下年度继续办理。",
        about=REPORT,
    ),
    Rule(
        "s4.group_total",
        ERROR,
        "表四合计",
        "表四“{group}”：{terms}={sum}，不等于总计（{total}），相差{diff}。",
        "表四每一组（行政复议、未经复议直接起诉、复议后起诉）：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结。",
        about=REPORT,
    ),
    Rule(
        "s6.fees",
        ERROR,
        "信息处理费",
        "信息处理费：{reason}。",
        "实际收取金额大于0时，发出收费通知的件数至少为1；收费通知的总金额不小于实际收取的总金额。",
        about=REPORT,
    ),
    Rule(
        "s2.rules_level",
        WARNING,
        "县级不制定规章",
        "{table}“规章”填报了{what}（{value}件）。县级机关和乡镇无权制定规章，请确认是否误填（应为0）。",
        "县级及以下机关（县、市辖区及其部门，乡、镇、街道）不制定规章：表二“规章”各栏应为0。报表按名册的 kind"
        "（县政府、部门、乡镇）判断，已发布的报告按发布机关的名称判断；只写“市”的（可能是设区的市，可以制定规章，"
        "如淮安市人民政府）名称看不出级别，不提示。",
        about=REPORT,
    ),
    Rule(
        "s4.without_requests",
        WARNING,
        "有复议诉讼但无申请",
        "表四填报了{cases}件行政复议、行政诉讼，但表三本年新收和上年结转的申请均为0，请核实。",
        "表四有行政复议或行政诉讼，而表三本年新收与上年结转申请都为0。",
        about=REPORT,
    ),
    Rule(
        "s3.fee_rows",
        WARNING,
        "逾期未缴费但未发收费通知",
        "表三“（六）2.申请人逾期未按收费通知要求缴纳费用”为{count}件，但信息处理费部分发出收费通知0件，请核实。",
        "表三因逾期未缴费不再处理的申请大于0，而本年未发出收费通知。",
        about=REPORT,
    ),
    Rule(
        "year.carry_over",
        ERROR,
        "上下年结转不一致",
        "表三“{label}”列：本年“二、上年结转”为{value}，而{last_year}年报表“四、结转下年度继续办理”为{expected}，相差{diff}。",
        "本年表三“二、上年结转”逐列等于上年表三“四、结转下年度继续办理”（有上年数据时检查）。",
        about=REPORT,
    ),
    Rule(
        "year.in_force",
        WARNING,
        "现行有效件数与上年不衔接",
        "表二“{label}”现行有效{value}件，而上年现行有效{last}件+本年制发{issued}件−本年废止{repealed}件={expected}件，相差{diff}件，请核实。",
        "本年现行有效件数 ≈ 上年现行有效 + 本年制发 − 本年废止（相差超过1件且超过10%时提示）。",
        about=REPORT,
    ),
    Rule(
        "year.swing",
        WARNING,
        "与上年相比变化过大",
        "{table}“{label}”本年为{value}，上年为{last}，变化超过3倍，请核实。",
        "同一单元格与上年相比变化超过3倍，且绝对变化超过10（金额为10万元或1000元），用于发现错位、多写或少写一位等。",
        about=REPORT,
    ),
    Rule(
        "year.source_unusable",
        WARNING,
        "上一年度数据有部分无法使用",
        "{last_year}年度的数据有部分无法使用：{problems}。跨年度检查只用能读取的部分。",
        "上一年度的处理结果损坏、上一年度的名册或报表无法读取时提示一次，说明哪些数据没有用上、为什么；"
        "不阻止本年度的报告。",
        about=READING,
    ),
    Rule(
        "year.sources",
        INFO,
        "跨年度检查所用的上年数据",
        "跨年度检查所用的{last_year}年度数据：{where}{renamed}{without}。",
        "有上年数据时，说明每个单位的上年数据来自哪里（上一年度的处理结果、上一年度的报表或上一年度已发布的报告，"
        "依次取第一个有的），哪些单位上年名称不同，以及哪些单位没有上年数据。上一年度的单位先按代码、"
        "再按两年名册的名称和别名对应到本年的单位；跨年度检查和本说明用的是同一个对应。",
        about=READING,
    ),
    Rule(
        "year.published_same",
        INFO,
        "上一年度的几份已发布报告数字一致",
        "{unit}的{last_year}年度已发布报告“{report}”和“{other}”两份都读到的{compared}个单元格数字全部相同"
        "（另有{single}个单元格只有一份读到，未比较）；跨年度检查使用“{other}”。",
        "上一年度已发布的报告（raw/<上一年度>/published/）中同一单位有不止一份时，逐格比较两份都读到的单元格；"
        "全部相同时使用读到单元格最多的一份（一样多时取路径排在最前的一份）。",
        about=REPORT,
    ),
    Rule(
        "year.published_differ",
        WARNING,
        "上一年度的两份已发布报告数字不一致",
        "{unit}的{last_year}年度已发布报告“{report}”和“{other}”两份都读到的{compared}个单元格中有{count}个数字不同"
        "（另有{single}个单元格只有一份读到，未比较）："
        "{cells}。无法判断哪一份正确，两份都不用于跨年度检查，{unit}未做跨年度检查；请在已发布报告的文件夹中只保留正确的一份。",
        "上一年度同一单位的已发布报告有两份且数字不一致时，列出每个不同的单元格、两份的数字和所在位置，两份都不使用"
        "（只有一份读到的单元格不算不同）。不阻止本年度的报告。",
        about=REPORT,
    ),
    Rule(
        "year.unchecked",
        INFO,
        "未做跨年度检查",
        "没有可用的{last_year}年度数据（{where}），未检查上下年结转、现行有效件数衔接和大幅变化。",
        "找不到或无法使用上一年度数据时，说明跨年度规则未检查，以及查找过哪些来源。",
        about=READING,
    ),
    # NOTE: report: no fee table and no sentence speaking of the fees at all (a sentence that does,
    # read in part, leaves its other figures unread: value.unstated)
    Rule(
        "s6.unreported",
        WARNING,
        "未填报信息处理费情况",
        "{unit}报送的文件“{file}”未填报信息处理费情况（发出收费通知件数、收费通知总金额、实际收取金额）。"
        "全县汇总只计已填报的单位并注明未填报的单位数；本单位的年度报告须写明这三项后才能生成。",
        "报表中既没有信息处理费表格，也没有写明信息处理费的文字（如“本机关××年度未收取政府信息公开信息处理费”"
        "“发出收费通知N件，金额M元，实际收取K元”“全年收取信息处理费K元”）；使用 --strict 时为错误。",
        about=REPORT,
    ),
    Rule(
        "s6.sentence",
        INFO,
        "信息处理费按文字读取",
        "{unit}报送的文件“{file}”中，信息处理费按{sheet}!{cell}的文字读取：发出收费通知{notices}，"
        "收费通知总金额{notice_amount}，实际收取{collected}。",
        "报表以文字（而非表格）写明信息处理费时，按文字读出写明的数字并记录出处（写法见 pipeline/ingest/fees.py，"
        "与审核已发布报告的第六部分是同一套写法）；没有写明的一项记为未读取（value.unstated），不按0计，不猜。",
        about=READING,
    ),
)
