"""What a rule of the catalog is: its stable id, its severity, what it is about, its Chinese title
and message template, and what it checks; and the columns every finding has."""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_LABELS = {ERROR: "错误", WARNING: "警告", INFO: "提示"}

# What a finding is about: the document itself (its figures, its parts, its years, its text, its
# file as sent) or what xxgk could not read or place in it (a limit of our reading, never a claim
# against the body that wrote the document)
REPORT, READING = "report", "reading"
ABOUT_LABELS = {REPORT: "报告本身", READING: "未能读取"}

FINDING_COLUMNS = [
    "severity",
    "rule",
    "about",
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
    """A kind of problem: stable id, severity, what it checks and is about, the message template."""

    id: str
    severity: str
    title: str
    template: str
    explain: str = ""  # what the rule checks, for docs/rules.md
    about: str = field(kw_only=True)  # REPORT or READING
