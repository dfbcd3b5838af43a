"""The rules of a report's text: placeholders left in, empty or missing parts, years copied from last year, figures that disagree with the tables, text copied from last year; and the defaults used."""

from __future__ import annotations

from pipeline.problems.rule import ERROR, INFO, REPORT, WARNING, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        "narrative.placeholder",
        ERROR,
        "报告文字有未替换的占位文字",
        "{report}{part}有未替换的占位文字“{text}”：“{excerpt}”。请写成实际内容；数字一律用数据占位符（如 s3.new.total）从数据中取。",
        "报告文字中残留“XX”“××”“待补充”“TODO”等占位文字。",
        about=REPORT,
    ),
    Rule(
        "narrative.empty_part",
        ERROR,
        "报告部分没有内容",
        "{report}{part}没有内容，请在报告文字模板的 {block} 块中填写。",
        "第五、第六部分等必须有内容的部分为空。",
        about=REPORT,
    ),
    Rule(
        "narrative.year",
        WARNING,
        "报告文字中有往年的年份",
        "{report}{part}出现“{text}”，在本该写本年度（{year}年）的地方：“{excerpt}”。请核实是否照抄了往年的文字；年度请用 year 占位符。",
        "报告文字中出现本年度之前的年份，且不是与往年比较（较、比、同比）、法规的修订年份（2019年修订）、完整日期或文号："
        "很可能照抄了往年的文字。之后的年份（下一步的计划）不提示。只是提示，不阻止报告。",
        about=REPORT,
    ),
    Rule(
        "narrative.template",
        ERROR,
        "报告文字模板有误",
        "{unit}的报告文字模板 {file} {reason}，未生成本机关报告。",
        "单位本机关报告的文字模板在生成时出错（如占位符写错、{{ 1/0 }}、数字与文字相加），该单位不生成报告，其他单位照常。"
        "全县报告的模板出错时无法生成全县报告，以退出码2说明模板和行号。",
        about=REPORT,
    ),
    Rule(
        "narrative.default",
        INFO,
        "使用内置的报告文字",
        "没有找到报告文字模板 {template}，{unit}报告的第一、五、六部分使用了内置的默认文字，请核对后再发布。",
        "全县报告没有 narrative.md.j2（或单位没有自己的 narratives/<单位>.md.j2）时，说明使用了内置的默认文字。",
        about=REPORT,
    ),
    Rule(
        "narrative.default_units",
        INFO,
        "单位报告使用内置的报告文字",
        "{units}没有自己的报告文字（{folder}/<单位>.md.j2），本机关报告的第一、五、六部分使用了内置的默认文字，请核对后再发布。",
        "生成单位本机关报告时，列出没有自己的报告文字、使用了内置默认文字的单位（一条提示）。",
        about=REPORT,
    ),
    Rule(
        "narrative.supplied_undated",
        WARNING,
        "数字文件没有写明年度",
        "数字文件 {file} 没有写明年度，其中的数字已用于{report}；请核实它们是{year}年度的数字，并在文件开头加一行 year = {year}。",
        "报告文字用到的数字文件（narrative.toml、narratives/<单位>.toml）应写明年度（year = 2023）：写的是其他年度时拒绝运行（退出码2），"
        "以免照搬上一年度的文件夹时把上年的数字发布出去；没有写时照常使用，并提示加上。",
        about=REPORT,
    ),
    Rule(
        "config.default",
        INFO,
        "没有本年度设置",
        '没有找到 {config}，报告标题使用“全县”；可在其中写 county = "古县" 设定县名。',
        "没有 config.toml 时，说明报告标题使用了默认的“全县”。",
        about=REPORT,
    ),
    Rule(
        "narrative.missing_part",
        WARNING,
        "报告缺少部分",
        "文件“{file}”找不到第{part}部分（{title}）的标题{detail}。",
        "年度报告应有六个部分，各以“一、总体情况”……“六、其他需要报告的事项”为标题；缺少标题或标题下没有内容时提示。",
        about=REPORT,
    ),
    Rule(
        "narrative.figure_mismatch",
        WARNING,
        "正文数字与表格不符",
        "正文（{where}）写“{text}”，即{what}{value}件，而表格为{expected}件。",
        "正文中的新收、受理、办结、结转、行政复议、行政诉讼件数与表三、表四比较；“受理/收到”可指新收，也可指新收加上年结转，二者之一相符即可。",
        about=REPORT,
    ),
    Rule(
        "narrative.similar",
        WARNING,
        "内容雷同",
        "{issuer}{year}年报告第{part}部分与{last_year}年报告的相似度为{ratio}（去除数字和年份后按字符三元组计算），超过{threshold}，可能照抄往年。",
        "同一机关相邻两年的报告逐部分比较：去除数字和年份后，取字符三元组集合的 Jaccard 相似度，超过0.8时提示。",
        about=REPORT,
    ),
)
