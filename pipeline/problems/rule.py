"""What a rule of the catalog is: its stable id, its severity, its Chinese title and message
template, and what it checks; and the columns every finding has."""

from __future__ import annotations

from dataclasses import dataclass

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
