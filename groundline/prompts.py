"""Render the prompt files in prompts/ (Jinja2, strict: a missing variable is an error)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import jinja2


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(files("prompts"))),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def available() -> list[str]:
    """Names of every prompt file."""
    return sorted(name.removesuffix(".j2") for name in _environment().list_templates(["j2"]))


def render(name: str, **variables: Any) -> str:
    """Render prompts/<name>.j2 with these variables."""
    return _environment().get_template(f"{name}.j2").render(**variables).strip()
