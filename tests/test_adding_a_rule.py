"""docs/adding-a-rule.md is true: its example, added as it says, is checked, placed and
explained like every sum rule of the format."""

import re
from pathlib import Path

from pipeline import problems
from pipeline.validate import validated_findings
from pipeline.validate.localise import equations
from schemas import sums
from tests.helpers import ROOT, with_totals
from tests.test_properties import cells_frame

DOC = ROOT / "docs" / "adding-a-rule.md"


def example() -> dict:
    """The names the doc's example block defines."""
    block = re.search(r"```python\n(.*?)```", DOC.read_text("utf-8"), re.S).group(1)
    names: dict = {}
    exec(block, names)  # noqa: S102 - the project's own documentation
    return names


def test_the_documented_rule_is_checked_placed_and_explained(monkeypatch):
    names = example()
    rule, row = names["RULE"], names["CATALOG_ROW"]
    monkeypatch.setattr(sums, "SUMS", (*sums.SUMS, rule))
    monkeypatch.setitem(problems.RULES, row.id, row)
    equations.cache_clear()
    try:
        values = with_totals({("s3", "new", "natural"): 5, ("s3", "granted", "natural"): 5})
        broken = values | {("s3", "carried_in", "natural"): 1, ("s3", "carried_in", "total"): 1}
        findings = validated_findings(cells_frame([broken]))
        mine = findings[findings["rule"] == "s3.balance_results"]
        # NOTE: 上年结转 changed in 自然人 and in 总计: the rule breaks in both columns
        assert sorted(mine["col"]) == ["natural", "total"], mine[["col", "message"]]
        assert "表三“自然人”列：一（5）+二（1）=6，不等于各项办理结果与四之和5，相差1。" in set(
            mine["message"]
        )
        assert all(mine["suggestion"]), "localisation sees the new equations"
        assert (
            "表三每一列：“一、本年新收政府信息公开申请数量”＋“二、上年结转政府信息公开申请数量”＝"
            in "".join(sums.guide_lines())
        )
    finally:
        equations.cache_clear()


def test_the_doc_names_the_places_the_code_base_keeps_them():
    text = DOC.read_text("utf-8")
    assert "schemas/sums.py" in text and "pipeline/problems/tables.py" in text
    assert Path(ROOT / "schemas" / "sums.py").is_file()
    assert Path(ROOT / "pipeline" / "problems" / "tables.py").is_file()
