"""What `--strict` changes: the warnings it makes errors (as a blank becomes `value.blank`)."""

from __future__ import annotations

from pipeline.problems import ERROR

# NOTE: a label read as similar and fee figures not stated block only under --strict
STRICT_ERRORS = frozenset({"label.similar", "s6.unreported"})


def strict_findings(records: list[dict]) -> list[dict]:
    """The findings as --strict has them: the rules of STRICT_ERRORS raised to errors."""
    return [{**r, "severity": ERROR} if r.get("rule") in STRICT_ERRORS else r for r in records]
