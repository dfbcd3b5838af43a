"""The rules of reading a published report: a scanned PDF, a file that cannot be converted, a body or year not named, rows that cannot be placed, digits run together that cannot be split one way.

NOTE: what xxgk could not read or place in a published report (`about` = READING) is never an error:
a report is cited only for what it says itself. The audit states every reading finding as a
warning asking for a check by hand (`pipeline.problems.as_published`), including the rules of
files it shares with the returns (`file.unreadable` …), which stay errors in `xxgk report`.
Where a rule of the returns means a flaw of the return but only a limit of our reading in a
published report (a table or row not found, no tables, the 2019 format), the audit has its own."""

from __future__ import annotations

from pipeline.problems.rule import ERROR, INFO, READING, REPORT, WARNING, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        "audit.scanned",
        WARNING,
        "扫描件，没有文字层",
        "文件“{file}”是扫描件，没有文字层（{pages}页均无可读取的文字），未读取；请取得带文字的PDF、网页或Word版本。",
        "PDF 的各页都没有文字层（只有图像）：不做文字识别，不猜测任何数字。",
        about=READING,
    ),
    Rule(
        "audit.unsupported",
        WARNING,
        "不支持的文件类型",
        "文件“{file}”的类型（{suffix}）不是可读取的年报格式（.pdf .docx .doc .wps .html .htm .txt .md .xlsx），未读取。",
        "只读取 PDF、Word/WPS、网页、文本和 Excel 文件。",
        about=READING,
    ),
    Rule(
        "audit.no_converter",
        WARNING,
        "无法转换旧版 Word/WPS 文件",
        "文件“{file}”是{kind}文件，需要用 LibreOffice 转换后读取，但本机没有安装 LibreOffice（soffice），未读取。",
        ".doc/.wps 文件先用 LibreOffice（无界面）转换为 .docx 再读取；没有 LibreOffice 时报告此项。",
        about=READING,
    ),
    Rule(
        "audit.conversion_failed",
        WARNING,
        "文件转换失败",
        "文件“{file}”用 LibreOffice 转换失败（{reason}），未读取。",
        "LibreOffice 未能在时限内把 .doc/.wps 文件转换为 .docx。",
        about=READING,
    ),
    Rule(
        "audit.issuer_unknown",
        WARNING,
        "无法确定发布机关",
        "无法从文件“{file}”的标题或文件名确定发布机关。",
        "发布机关取自报告标题（如“洪泽区人民政府2023年政府信息公开工作年度报告”），其次取自文件名。",
        about=READING,
    ),
    Rule(
        "audit.year_unknown",
        WARNING,
        "无法确定年度",
        "无法从文件“{file}”的标题或文件名确定报告年度。",
        "年度取自报告标题中的“XXXX年”，其次取自文件名。",
        about=READING,
    ),
    Rule(
        "audit.no_tables",
        WARNING,
        "文件中没有找到年报表格",
        "文件“{file}”中找不到年报表格（表二、表三、表四），未能读取。",
        "文件能打开，但找不到表二、表三、表四的行列标签（可能不是年报，也可能是文字提取丢失了表格）。"
        "与报表的 file.no_tables 不同，审核中这只是读取的局限。",
        about=READING,
    ),
    Rule(
        "audit.table_missing",
        WARNING,
        "没有找到表格",
        "文件“{file}”中找不到{table}，其各格未读取。",
        "找到了其他表格，但找不到这一张：可能是文字提取丢失了它，不能据此说报告缺表（报表的 file.table_missing 是报表本身的问题）。",
        about=READING,
    ),
    Rule(
        "audit.row_missing",
        WARNING,
        "没有找到行",
        "文件“{file}”中，{table}找不到“{label}”，该行各格未读取。",
        "找到了表格，但找不到某一行：可能是文字提取丢失了它，也可能标签写法无法识别；没有报告缺行的确证，"
        "只记为未读取（报表的 file.cell_missing 是报表本身的问题）。",
        about=READING,
    ),
    Rule(
        "audit.old_format",
        INFO,
        "2019年格式的报告（当年适用），未逐格读取",
        "文件“{file}”采用2019年格式（含“{labels}”；报告年度：{year}），该格式适用于2019、2020年度的报告；"
        "本程序只逐格读取2021年格式的表格，未读取其中的数字，请人工核对。",
        "2019、2020年度的报告适用2019年格式（国办公开办函〔2019〕60号），认出后不读取、不检查，只作说明，不是报告的问题；"
        "年度无法确定时同样处理。",
        about=READING,
    ),
    Rule(
        "audit.format_outdated",
        WARNING,
        "报告仍采用2019年格式",
        "文件“{file}”是{year}年度的报告，却采用2019年格式（含“{labels}”），而{year}年度应采用2021年格式"
        "（国办公开办函〔2021〕30号）；未读取其中的数字。",
        "2021年度起的报告应采用2021年格式；含2019年格式特有标签的报告不读取数字，提示发布机关。",
        about=REPORT,
    ),
    Rule(
        "audit.row_short",
        WARNING,
        "一行的数字少于栏数",
        "{table}“{label}”（{where}）应有{expected}个数，只读到{count}个（{texts}），无法确定各数所在的栏，本行未读取。",
        "一行读到的数字少于该行的栏数（缺格或提取时丢失）：不猜测各数属于哪一栏，整行记为未读取。",
        about=READING,
    ),
    Rule(
        "audit.row_long",
        WARNING,
        "一行的数字多于栏数",
        "{table}“{label}”（{where}）应有{expected}个数，却读到{count}个（{texts}），本行未读取。",
        "一行读到的数字多于该行的栏数：不猜测哪些数属于本行，整行记为未读取。",
        about=READING,
    ),
    Rule(
        "audit.row_unplaced",
        WARNING,
        "一行数字无法对应到表格的行",
        "{table}中有一行数字（{where}：{texts}）没有唯一的行标签，也无法唯一确定是哪一行，未读取。",
        "一行数字只在恰好一个行标签认领它时放到该行（同一行或紧挨在前、前面没有别的完整行标签）；标签缺失、残缺或"
        "与数字错位时，只有残留的标签片段、排除法、表格的合计或正文的说法只允许一种对应时才放置，不按先后顺序猜；"
        "否则不读取。表头下的栏次编号（1 2 3 …）不是数据行。",
        about=READING,
    ),
    # NOTE: reading: text extracted from a page is not a cell typed by its writer
    Rule(
        "audit.value_unreadable",
        WARNING,
        "数字无法读取",
        "{table}“{label}”（{where}）写作“{text}”，{reason}，未读取。",
        "单元格的内容不是数字、空白或“/”“—”“无”：在所在位置报告，绝不当作0。",
        about=READING,
    ),
    Rule(
        "audit.split_ambiguous",
        WARNING,
        "连在一起的数字有多种拆分",
        "{table}“{label}”（{where}）的数字连在一起（“{digits}”），有{count}种拆分都满足表格的全部勾稽关系：{options}；不选择其中任何一种，本行未读取。",
        "网页文本丢失了单元格边界时，按表格的合计与勾稽关系拆分数字；满足全部规则的拆分不止一种时，列出各种拆分，不作选择。",
        about=READING,
    ),
    # NOTE: reading: the row stays unread; a sum that fails for every candidate is said of the
    # report by the sum's own rule
    Rule(
        "audit.cannot_split",
        WARNING,
        "连在一起的数字无法拆分",
        "{table}“{label}”（{where}）的数字连在一起（“{digits}”），{reason}，本行未读取。",
        "数字的位数与本行的栏数不相容，或本行的合计不能排除任何一种拆分而各列的规则又无从判断：保留原样数字，不强行拆分。",
        about=READING,
    ),
    Rule(
        "audit.split_capped",
        WARNING,
        "连在一起的数字过长，未拆分",
        "{table}“{label}”（{where}）的数字连在一起（“{digits}”），可能的拆分超过{limit}种，超出检索上限，本行未读取。",
        "拆分的检索有上限（见 pipeline/ingest/published/split.py 的 Limits），超出时报告，不给出部分结果。",
        about=READING,
    ),
    Rule(
        "audit.split_used_rules",
        INFO,
        "数字按勾稽关系拆分",
        "{table}有{count}个单元格的数字在原文中连在一起，已按{rules}拆分（{where}）；这些规则用于拆分，不能作为表格符合规则的证据。",
        "按规则拆分出的单元格记为 read_as=split；拆分所用的规则不计为“已通过”。",
        about=READING,
    ),
    # NOTE: report: the figure is read; the note is the document's own departure from the format
    Rule(
        "audit.split_breaks_sums",
        ERROR,
        "连在一起的数字任何拆分都不满足合计",
        "{table}“{label}”（{where}）的数字连在一起（“{digits}”），任何一种拆分都不满足{rules}：已发布的表格本身不一致，本行未读取。",
        "每一种拆分都违反同一条合计或勾稽关系时，无论原来的格线在哪里，已发布的表格都不一致：这是报告本身的问题，"
        "本行仍记为未读取。",
        about=REPORT,
    ),
    Rule(
        "audit.in_force_every_split",
        WARNING,
        "连在一起的数字任何拆分都与上年现行有效件数不衔接",
        "表二“{label}”（{where}）的数字连在一起（“{digits}”），无法唯一拆分，本行未读取；但上年现行有效{last}件，"
        "任何一种拆分（{options}）的现行有效件数都不等于上年现行有效+本年制发−本年废止，请核实。",
        "表二一行的数字连在一起、有多种拆分而未读取时，仍逐一检查每种拆分是否满足“本年现行有效 ≈ 上年现行有效 + 本年制发 − "
        "本年废止”（与 year.in_force 相同的容差）：每种拆分都不满足时，无论哪种是原样，报告都与上年不衔接。",
        about=REPORT,
    ),
    Rule(
        "audit.placed_by_sums",
        INFO,
        "找不到行标签的数字按合计对应到行",
        "{table}有{count}行数字找不到唯一的行标签（{wheres}），按{rules}只有一种对应方式，已分别读作{rows}；"
        "这些规则用于确定各数所在的行，不能作为表格符合规则的证据。",
        "行标签缺失或错位的几行数字，只有当表格的合计与勾稽关系只允许一种对应时才放置（read_as=placed_by_sums）；"
        "所用的规则不计为“已通过”。",
        about=READING,
    ),
    Rule(
        "audit.read_by_text",
        INFO,
        "按正文的说法读取",
        "{table}“{label}”（{where}）的数字{why}，表格的规则允许{count}种读法；正文（{evidence}）写“{sentences}”，"
        "只有一种读法与之相符，已按此读取。",
        "连在一起的数字有多种拆分、或找不到行标签的数字有多种对应时，若正文中点明该格数字的句子（见 docs/published.md 的句式表）"
        "只与其中一种相符，按此读取（read_as=split_by_text 或 placed_by_text，evidence 为该句所在位置）。",
        about=READING,
    ),
    Rule(
        "audit.note_in_cell",
        WARNING,
        "单元格中有附注",
        "{table}“{label}”（{where}）写作“{text}”，按{value}读取，附注“{note}”原样保留。",
        "单元格内在数字后加了说明（如“22（其中修订16件）”）：读取数字，保留原文，并提示。",
        about=REPORT,
    ),
    Rule(
        "audit.revision",
        WARNING,
        "报告中有未处理的修订",
        "{table}“{label}”（{where}）有未接受也未拒绝的修订：{reason}；按接受修订后的“{text}”读取。",
        "发布的 Word 报告仍带有修订标记（插入、删除或移动），其中的数字因此有两种读法：按接受修订后"
        "（Word 的“无标记”视图）读取，并提示发布机关接受或拒绝修订后重新发布。",
        about=REPORT,
    ),
    Rule(
        "audit.revision_text",
        WARNING,
        "报告文字中有未处理的修订",
        "报告第{where}段有未接受也未拒绝的修订，其中的数字不同：{reason}；按接受修订后的文字读取。",
        "发布的 Word 报告的正文带有修订标记，修订前后的数字不同：按接受修订后的文字读取，并提示。",
        about=REPORT,
    ),
    Rule(
        "audit.cell_object",
        WARNING,
        "单元格中是图片等对象，未读取",
        "{table}“{label}”（{where}）中是{reason}，本程序读不出其中的数字，未读取；这是本程序读取能力的限制，"
        "不是报告的错误，请人工核对该格。",
        "表格中应为数字的单元格里是图片、嵌入对象、公式编辑器对象、文本框或不止一个数的嵌套表格：记为未读取，"
        "涉及它的合计关系无法检查，不当作空白或0。",
        about=READING,
    ),
    Rule(
        "audit.other_single_row",
        INFO,
        "（六）其他处理只有一行",
        "表三“（六）其他处理”（{where}）只印了一行，没有分列1.至3.三个小项：按“（六）其他处理”的小计读取（{values}），三个小项记为未知，规则只用已知的数检查。",
        "2021年格式的（六）其他处理有三个小项；报告只印一行时，作为该组的小计读取（行代码 other_total），三个小项不读取。",
        about=REPORT,
    ),
    Rule(
        "audit.same_report",
        INFO,
        "同一机关同一年度的几份报告数字一致",
        "文件“{file}”和“{other}”都是{issuer}{year}年度的报告，两份都读到的{compared}个单元格数字全部相同"
        "（另有{single}个单元格只有一份读到，未比较）；跨年度比较使用“{other}”。",
        "同一发布机关同一年度的报告不止一份（如同一报告的网页版和Word版）时，逐格比较两份都读到的单元格；"
        "全部相同时各自照常检查，与相邻年度比较时使用读到单元格最多的一份（一样多时取路径排在最前的一份）。",
        about=REPORT,
    ),
    Rule(
        "audit.reports_differ",
        ERROR,
        "同一机关同一年度的两份报告数字不一致",
        "文件“{file}”和“{other}”都是{issuer}{year}年度的报告，两份都读到的{compared}个单元格中有{count}个数字不同"
        "（另有{single}个单元格只有一份读到，未比较）："
        "{cells}。无法判断哪一份正确，{issuer}{year}年度的报告都不用于跨年度比较"
        "（上下年结转、现行有效件数衔接、大幅变化、内容雷同）；请删去不正确的一份后再审核。",
        "同一发布机关同一年度的报告不止一份时，逐格比较两份都读到的单元格（只有一份读到的单元格不算不同：那是读取的局限，"
        "不是报告的问题）；有数字不同时，列出每个不同的单元格、两份的数字和所在位置，两份都不用于跨年度比较。",
        about=REPORT,
    ),
    Rule(
        "audit.last_year_differs",
        INFO,
        "上一年度的报告数字不一致，未比较",
        "{issuer}{last_year}年度的报告有两份数字不一致（见该年度报告的“同一机关同一年度的两份报告数字不一致”），"
        "{year}年度报告未做跨年度检查（上下年结转、现行有效件数衔接、大幅变化）和内容雷同比较。",
        "上一年度同一发布机关的报告互相矛盾时，不选择其中任何一份作为上年数据。",
        about=REPORT,
    ),
    Rule(
        "audit.no_last_year",
        INFO,
        "没有上一年度的报告可比较",
        "本次审核的文件中没有{issuer}{last_year}年度的报告，{year}年度报告未做跨年度检查（上下年结转、现行有效件数衔接、大幅变化）和内容雷同比较。",
        "同一发布机关相邻两年的报告都在审核的文件中时，才检查上下年衔接和内容雷同；每个机关最早的一年（或前一年缺失的年度）说明没有可比较的报告。"
        "发布机关或年度无法确定的报告不做跨年度比较。",
        about=READING,
    ),
    Rule(
        "audit.fees_unstated",
        ERROR,
        "未说明信息处理费",
        "文件“{file}”的第六部分没有说明信息处理费的收取情况（发出收费通知件数、金额、实际收取金额），信息处理费未读取。",
        "第六部分应说明按国办函〔2020〕109号收取信息处理费的情况，未收取的也应写明。只在找到了第六部分、"
        "而其中没有任何关于收费的文字（“处理费”“收费”“收取”都没有出现）时提出；写到了收费而读不出的数字见 "
        "audit.fees_unread，找不到第六部分的见 narrative.missing_part。",
        about=REPORT,
    ),
    Rule(
        "audit.fees_unread",
        WARNING,
        "信息处理费有未能读取的数字",
        "文件“{file}”第六部分（{where}）写到了信息处理费（“{text}”），但{reason}，未读取（不按0计）。",
        "第六部分的收费文字按与报表相同的写法读取（pipeline/ingest/fees.py，见 docs/published.md）：写明的数字照常读取，"
        "没有写明的（如只写“全年收取信息处理费3940元”时的收费通知件数和金额）、同一项写了不同的数的、写法无法识别的，"
        "记为未读取，不按0计，也不由其他几项推算。",
        about=READING,
    ),
)
