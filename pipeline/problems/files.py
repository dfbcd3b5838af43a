"""The rules of files and of the roll call: a file that cannot be read, is not a return of this year, or holds a table twice; a unit that sent nothing or twice."""

from __future__ import annotations

from pipeline.problems.rule import ERROR, INFO, READING, REPORT, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        "file.unreadable",
        ERROR,
        "文件无法打开",
        "无法打开文件“{file}”：{reason}。",
        "文件损坏、为空或不是电子表格，链接（快捷方式）指向的文件不存在或循环指向自身，"
        "不是普通文件（如命名管道）；其余文件照常处理。",
        about=READING,
    ),
    Rule(
        "file.encrypted",
        ERROR,
        "文件设有打开密码",
        "文件“{file}”设有打开密码，无法读取；请去掉打开密码（另存为不加密的文件）后重新提供。",
        "从文件本身判断：加密的 Office 文件（OLE2 容器中的 EncryptionInfo/EncryptedPackage）、"
        "含 FILEPASS 记录的 .xls、部件加密的 .ods、要求输入打开密码（用户密码）的 PDF。"
        "不尝试任何密码；只设了权限密码（不限制打开）的 PDF 照常读取。",
        about=READING,
    ),
    Rule(
        "file.zip_bomb",
        ERROR,
        "异常压缩的文件（疑似压缩炸弹）",
        "文件“{file}”{reason}，疑似“压缩炸弹”，未读取。",
        "读取前先查压缩包目录：某个部件或全部部件声明的解压后大小、压缩比超过上限，或解压时超出声明的大小（目录不实），"
        "文件不交给任何读取程序，以免耗尽内存；上限见 pipeline/io.py 的 Limits。",
        about=READING,
    ),
    Rule(
        "file.too_large",
        ERROR,
        "文件超出读取上限",
        "文件“{file}”{reason}，未读取。正常的年报文件约30–60KB，有5–6个工作表，每表几十行；请只报送年报数据。",
        "文件大小、部件数、工作表数、一个工作表的行数或单元格范围（如一个远处的单元格把整张表撑到上百万格）超过上限，"
        "读取前即拒绝，以免耗尽内存或长时间无响应；上限见 pipeline/io.py 的 Limits。",
        about=READING,
    ),
    Rule(
        "file.long_text",
        ERROR,
        "文本过长",
        "文件“{file}”{reason}，未读取。",
        "单元格或共享字符串中的一段文本超过256KB（Excel一个单元格最多32767个字符），读取前即拒绝。",
        about=READING,
    ),
    Rule(
        "file.changed",
        ERROR,
        "文件在读取时被改动",
        "文件“{file}”{reason}，未采用；请在文件保存完毕、不再改动后重新运行。",
        "读取前后文件的大小或修改时间不同，或文件在读取时被删除、移走：不采用可能混杂新旧内容的数据。",
        about=READING,
    ),
    Rule(
        "file.macros",
        INFO,
        "含宏",
        "{unit}报送的文件“{file}”含有宏（VBA代码）；宏没有运行，数据照常读取。",
        "报表含宏（.xlsm 的 vbaProject.bin、.xls 的宏、.ods 的 Basic）时提示；宏从不运行，数据照常读取。",
        about=REPORT,
    ),
    Rule(
        "file.external_links",
        INFO,
        "含外部链接",
        "{unit}报送的文件“{file}”含有指向其他工作簿的外部链接；链接没有打开或更新，按文件中保存的数值读取。",
        "报表含外部链接（引用其他工作簿）时提示；链接从不打开或更新，按文件中保存的数值读取。",
        about=REPORT,
    ),
    Rule(
        "file.misnamed",
        INFO,
        "扩展名与文件内容不符",
        "{unit}报送的文件“{file}”{named}，但文件实际是{kind}，已按实际格式读取；"
        "用 Excel、Word 或 WPS 打开时可能报错，请改用与内容相符的扩展名。",
        "文件格式按文件内容判断，不按扩展名：扩展名为 .xlsx 的 .xls 文件、扩展名为 .docx 的旧版 Word 文件（.doc）"
        "等照常读取（旧版 Word 文件用 LibreOffice 转换），并提示实际的格式。",
        about=REPORT,
    ),
    Rule(
        "file.skipped",
        INFO,
        "已跳过临时文件和隐藏文件",
        "已跳过{count}个软件留下的临时文件、锁定文件或隐藏文件，未读取：{files}。",
        "Office/WPS 打开文件时留下的“~$”开头的文件和 Word 的临时文件（如 ~WRL0001.tmp）、"
        "LibreOffice 的锁定文件（.~lock.）、系统文件（.DS_Store、macOS 的 ._ 文件、Thumbs.db、desktop.ini）、"
        "隐藏的文件夹（以“.”开头，如 .git）不是报表，不读取，在这一条提示中一并列出；其他文件（包括以“.”开头的）照常读取或报告。",
        about=READING,
    ),
    # NOTE: reading: a file with none of the tables may be no return, or one whose labels we do
    # not know; either way it blocks the county report, as an unread return does
    Rule(
        "file.no_tables",
        ERROR,
        "文件中没有年报表格",
        "文件“{file}”中找不到年报表格（表二、表三、表四），未能读取。",
        "文件能打开，但任何工作表中都找不到表二、表三、表四的行列标签。",
        about=READING,
    ),
    # NOTE: report: a return of a year of the 2021 format sent in the 2019 format is a flaw of the
    # return; a published report of 2019 or 2020 in it is not (audit.old_format)
    Rule(
        "file.old_format",
        ERROR,
        "旧格式报表",
        "文件“{file}”是2019年试行格式的报表（含“{labels}”），未读取；请按2021年格式（国办公开办函〔2021〕30号）重新填报。",
        "报表含2019年试行格式特有的标签（如“本年新制作数量”“第二十条第（九）项”），按该理由退回，不误读。",
        about=REPORT,
    ),
    Rule(
        "file.formula_derived",
        INFO,
        "公式未保存结果",
        "{unit}报送的文件“{file}”中有{count}个公式没有保存计算结果（文件可能由其他软件另存），已按公式引用的单元格求和得出：{cells}。",
        "公式没有保存计算结果（文件被不计算公式的软件另存过）时，按公式引用的单元格求和并记录。",
        about=READING,
    ),
    # NOTE: report: a return is the format's template filled in, so a table missing from it is a flaw
    # of the return; in a published report it may be the extraction's loss (audit.table_missing)
    Rule(
        "file.table_missing",
        ERROR,
        "缺少表格",
        "{unit}报送的文件“{file}”中找不到{table}。",
        "报表中缺少某一整张表。",
        about=REPORT,
    ),
    Rule(
        "file.table_twice",
        ERROR,
        "同一张表出现在多个工作表",
        "{unit}报送的文件“{file}”中，{table}出现在多个工作表（{sheets}），数字不一致，未采用其中任何一份；请删去多余或过时的工作表后重新报送。",
        "同一张表在两个以上工作表（包括隐藏的工作表）中都能找到且数字不同：不自行选用任何一份，该表按缺失处理。",
        about=REPORT,
    ),
    Rule(
        "file.table_twice_same",
        INFO,
        "同一张表出现在多个工作表（数字一致）",
        "{unit}报送的文件“{file}”中，{table}出现在多个工作表（{sheets}），数字一致，采用工作表“{used}”。",
        "同一张表在两个以上工作表中都能找到且数字完全相同：采用其中一份（可见的工作表优先），并提示。",
        about=REPORT,
    ),
    # NOTE: reading: it says how the two Word tables were read, not that the return is wrong
    Rule(
        "file.table_joined",
        INFO,
        "一张表分在两个 Word 表格中",
        "{unit}报送的文件“{file}”中，{sheets}之间只有分页符或空行，后一个接着前一个的行，已作为一张表读取。",
        "Word 报表中一张表被分页符或分节符分成两个表格（中间只有空段落，第二个表格的行接着第一个的行，"
        "表头重复与否均可）：作为一张表读取，单元格仍按各自的表格、行、列标明。",
        about=READING,
    ),
    # NOTE: report, as file.table_missing; a row not found in a published report is
    # audit.row_missing (reading)
    Rule(
        "file.cell_missing",
        ERROR,
        "缺少行或列",
        "{unit}报送的文件“{file}”中，{table}找不到“{label}”。",
        "找到了表格，但缺少某一行或某一列的标签。",
        about=REPORT,
    ),
    Rule(
        "register.unknown_unit",
        ERROR,
        "无法确定填报单位",
        "无法确定文件“{file}”属于哪个单位{detail}，请在填报单位栏填写单位全称。",
        "填报单位栏、标题和文件名都无法对应到名册中唯一的单位。",
        about=READING,
    ),
    Rule(
        "register.missing",
        ERROR,
        "未报送",
        "{unit}未报送{year}年度年报数据。",
        "名册中的单位没有报送报表（使用 --allow-missing 时不阻止报告，在附注中列出）。",
        about=REPORT,
    ),
    Rule(
        "register.duplicate",
        ERROR,
        "重复报送",
        "{unit}报送了多份{year}年度年报数据：{files}，未采用其中任何一份，请确认后只保留一份。",
        "一个单位有多份报表；不自动选用任何一份。",
        about=REPORT,
    ),
    Rule(
        "register.year",
        ERROR,
        "年度不符",
        "文件“{file}”{where}“{text}”写明的年度是{stated}年，不是本次汇总的{year}年度。",
        "报表写明的年度与本次汇总的年度不同。年度只从写明年度的地方读取，依次为：封面的“报告年度”、"
        "标题（如“2023年政府信息公开工作年度报告”“2023年度”）、文件名；不从模板版本号、日期等其他数字推断。",
        about=REPORT,
    ),
)
