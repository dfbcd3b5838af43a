"""Auditing published annual reports: the rule catalog run on each report read
(`pipeline.ingest.published`), consecutive years of one issuer compared (carry-over, documents in
force, swings, 内容雷同), documents of one issuer and year compared, the outputs written.

The interface:
- `pipeline.audit.run.run_audit(paths, out)`: the whole audit (`xxgk audit`), imported from its
  module;
- `similar_findings(this, last)` / `part_similarities(this, last)`: 内容雷同 between two years.

A new check of a report is added in `pipeline/audit/run.py` (`audited`), beside the rule
catalog's (`pipeline/problems/audit.py`).
"""

from pipeline.audit.similar import part_similarities, similar_findings, similarity

__all__ = ["part_similarities", "similar_findings", "similarity"]
