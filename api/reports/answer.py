"""A GraphQL answer read for printing: each value as text, a denied field as "not visible".

A field the policy denied answers null with a ``FORBIDDEN_FIELD`` error naming its path;
printed, it reads "not visible to your role", as the explorer shows it, never as if it
were empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

NOT_VISIBLE = "not visible to your role"
NONE = "-"

Path = tuple[str | int, ...]
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")  # how a DateTime answers


@dataclass(frozen=True)
class Answer:
    """One object of the answer at ``path``, with every denied path of the answer."""

    value: dict[str, Any]
    path: Path
    denied: frozenset[Path]

    def denies(self, name: str) -> bool:
        return (*self.path, name) in self.denied

    def text(self, name: str) -> str:
        """The field ``name`` as text."""
        if self.denies(name):
            return NOT_VISIBLE
        return as_text(self.value.get(name))

    def child(self, name: str) -> Answer | None:
        """The object in field ``name``; None when null (or denied: see :meth:`denies`)."""
        found = self.value.get(name)
        return Answer(found, (*self.path, name), self.denied) if isinstance(found, dict) else None

    def items(self, name: str) -> list[Answer]:
        """The objects of the list in field ``name``."""
        found = self.value.get(name) or []
        path = (*self.path, name)
        return [Answer(item, (*path, n), self.denied) for n, item in enumerate(found)]

    def strings(self, name: str) -> list[str]:
        """The list in field ``name``, item by item as text; one "not visible" if denied."""
        if self.denies(name):
            return [NOT_VISIBLE]
        return [as_text(item) for item in self.value.get(name) or []]

    def row(self, names: Iterable[str]) -> list[str]:
        return [self.text(name) for name in names]


def as_text(value: Any) -> str:
    """A GraphQL value as a person reads it: lists joined, numbers short, times in UTC to the
    second, null as a dash."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(as_text(item) for item in value) or NONE
    if isinstance(value, dict):
        return "; ".join(f"{key}={as_text(item)}" for key, item in value.items()) or NONE
    if isinstance(value, str) and _MOMENT.match(value):
        return moment_text(value)
    return str(value)


def moment_text(value: str) -> str:
    """An ISO 8601 time as ``2026-10-01 02:05:11 UTC`` (to the second, in UTC)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
