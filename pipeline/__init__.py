"""xxgk: the government information disclosure annual report pipeline (ingest → validate → aggregate → render)."""
