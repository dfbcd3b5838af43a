"""The jinja2 environment of the package's templates (pages autoescaped, undefined placeholders an error)."""

from __future__ import annotations

from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)

Values = dict[tuple[str, str, str], int]  # (section, row, col) -> stored integer


_env = Environment(
    loader=PackageLoader("pipeline", "templates"),
    autoescape=select_autoescape(["html.j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def page(template: str, **context: object) -> str:
    """A page rendered from one of the package's templates (HTML autoescaped)."""
    return _env.get_template(template).render(**context)
