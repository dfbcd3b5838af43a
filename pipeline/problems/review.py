"""The rules of the office's own decisions (raw/<year>/reviewed.csv): a decision that cannot
close the finding it names, and one that no longer names a finding of this run."""

from __future__ import annotations

from pipeline.problems.rule import INFO, REPORT, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        "review.on_error",
        INFO,
        "核实记录不改变错误",
        "reviewed.csv 第{line}行把{unit}的“{title}”（{place}）记为“{status}”，但这是错误："
        "核实记录不改变结果，只有改正报表数据才能消除错误。",
        "核实记录只能关闭警告和提示；记在错误上的核实记录照列，错误仍然阻止报告。",
        # NOTE: about the office's decision on a finding of the return, never our reading
        about=REPORT,
    ),
    Rule(
        "review.stale",
        INFO,
        "核实记录已过时",
        "reviewed.csv 第{line}行的核实记录（{unit}，“{title}”，{place}）已过时：{why}。"
        "请核对后更新或删除该行。",
        "核实记录所说的问题本次没有出现，或该格本次读到的数值与核实时不同：记录不再适用，"
        "问题（如果还在）照常列出。",
        # NOTE: about the office's decision on a finding of the return, never our reading
        about=REPORT,
    ),
)
