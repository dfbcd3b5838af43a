"""Write the generated documentation: docs/rules.md from the rule catalog.

python scripts/make_docs.py
"""

from pathlib import Path

from pipeline.problems import rules_markdown

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    target = ROOT / "docs" / "rules.md"
    target.write_text(rules_markdown(), encoding="utf-8")
    print(f"已写出 {target}")
