"""xxgk: the government information disclosure annual report pipeline (ingest → validate → aggregate → render)."""

from pipeline import layout_rules  # noqa: F401  # TODO merge: registers the layout rules
