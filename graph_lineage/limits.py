"""Bounds on free text that users may need to raise, given to validation as context.

A model field annotated ``Annotated[str, bounded_text("max_free_text", 10_000)]`` is
checked against ``context["max_free_text"]`` when the validation call gives one (the
setting of that name), else against the default, which the JSON Schema shows.

>>> from pydantic import TypeAdapter
>>> from typing import Annotated
>>> note = TypeAdapter(Annotated[str, bounded_text("max_free_text", 3)])
>>> note.validate_python("abcd", context={"max_free_text": 5})
'abcd'
"""

from __future__ import annotations

from pydantic import AfterValidator, ValidationInfo


def bounded_text(setting: str, default: int) -> AfterValidator:
    """A validator that refuses strings longer than the setting ``setting`` allows."""

    def check(value: str, info: ValidationInfo) -> str:
        limit = (info.context or {}).get(setting, default)
        if len(value) > limit:
            raise ValueError(f"at most {limit} characters (the setting {setting})")
        return value

    return AfterValidator(check)
