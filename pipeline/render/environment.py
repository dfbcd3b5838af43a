"""The jinja2 environments: the package's page templates (HTML autoescaped) and the authors' narratives (plain text); undefined placeholders are an error in both."""

from __future__ import annotations

from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)

Values = dict[tuple[str, str, str], int]  # (section, row, col) -> stored integer


TEMPLATES = PackageLoader("pipeline", "templates")
_env = Environment(
    loader=TEMPLATES,
    autoescape=select_autoescape(["html.j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


# NOTE: a narrative is plain text that every format escapes for itself (the page once, the
# Markdown and Word not at all); jinja2's `select_autoescape` escapes templates made from a string
# by default, which escaped a placeholder twice in the page (`'` printed as `&#39;`) and once in Word.
_narrative_env = Environment(
    loader=TEMPLATES,
    autoescape=False,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def page(template: str, **context: object) -> str:
    """A page rendered from one of the package's templates (HTML autoescaped)."""
    return _env.get_template(template).render(**context)
