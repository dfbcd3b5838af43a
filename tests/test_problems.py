"""The rule catalog documents itself and every finding is rendered from it."""

from pathlib import Path

import pytest

from pipeline.problems import FINDING_COLUMNS, RULES, SUGGESTIONS, finding, rules_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_docs_rules_md_is_generated_from_the_catalog():
    assert DOCS.read_text(encoding="utf-8") == rules_markdown(), (
        "run `make docs` after changing the catalog"
    )


def test_every_rule_of_the_format_is_in_the_catalog():
    format_rules = {
        "value.type",
        "value.missing",
        "s3.row_total",
        "s3.outcome_total",
        "s3.balance",
        "s4.group_total",
        "year.carry_over",
        "year.in_force",
        "s2.rules_level",
        "s4.without_requests",
        "s6.fees",
        "s3.fee_rows",
        "year.swing",
    }
    assert format_rules <= set(RULES)


@pytest.mark.parametrize("rule", list(RULES))
def test_every_rule_has_a_chinese_title_and_template(rule):
    spec = RULES[rule]
    assert spec.severity in ("error", "warning", "info")
    assert spec.title and spec.template.endswith("。")


def test_a_finding_has_the_fixed_columns_and_a_rendered_message():
    f = finding("register.missing", unit="古县审计局", year=2023)
    assert list(f) == FINDING_COLUMNS
    assert (f["rule"], f["severity"], f["message"]) == (
        "register.missing",
        "error",
        "古县审计局未报送2023年度年报数据。",
    )


def test_suggestion_kinds_are_documented():
    text = rules_markdown()
    assert all(f"`{kind}`" in text for kind in SUGGESTIONS)
