"""Decoding request bodies and event files: one JSON array, one JSON object or NDJSON.

Used by ``POST /v1/events``, ``POST /api/v1/lineage`` and ``graph-lineage ingest``, so all
three refuse the same things the same way:

- nesting deeper than :data:`MAX_DEPTH` (a ``[[[[...`` body would otherwise blow the
  interpreter's recursion limit);
- ``NaN``, ``Infinity`` and ``-Infinity``, and numbers too large for a float (``1e999``):
  a lineage store keeps finite numbers only.

A problem with one NDJSON line is reported for that line (:class:`Undecodable`); a problem
with a whole array body raises :class:`InvalidBody`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from graph_lineage.errors import InvalidBody

MAX_DEPTH = 32


class Undecodable:
    """One NDJSON line that is not acceptable JSON, with the reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a finite number: send finite numbers only")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} does not fit a finite float")
    return value


def _depth_of(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def loads(text: str | bytes) -> Any:
    """Decode JSON strictly; raises InvalidBody (too deep, non-finite, or not JSON)."""
    try:
        decoded = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError as error:
        raise InvalidBody("too_deep", f"JSON nested deeper than {MAX_DEPTH} levels") from error
    except json.JSONDecodeError as error:
        raise InvalidBody("invalid_json", f"body is not JSON: {error}") from error
    except ValueError as error:
        raise InvalidBody("non_finite_number", str(error)) from error
    if _depth_of(decoded) > MAX_DEPTH:
        raise InvalidBody("too_deep", f"JSON nested deeper than {MAX_DEPTH} levels")
    return decoded


def _starts_with_bracket(text: str) -> bool:
    return text.lstrip().startswith("[")


def split_items(text: str, as_json: bool = False) -> list[tuple[int, Any]]:
    """(line number or array position, decoded item) of a JSON array, object or NDJSON.

    A JSON array (or any body when ``as_json``) is decoded whole; a single object is one
    item. Otherwise each non-blank line is one item, and a bad line becomes
    :class:`Undecodable` so the caller can report it with the others.
    """
    if as_json or _starts_with_bracket(text):
        decoded = loads(text)
        items = decoded if isinstance(decoded, list) else [decoded]
        return list(enumerate(items, start=1))
    return list(_lines(enumerate(text.splitlines(), start=1)))


def _lines(numbered: Iterable[tuple[int, str]]) -> Iterator[tuple[int, Any]]:
    for number, line in numbered:
        if line.strip():
            try:
                yield number, loads(line)
            except InvalidBody as error:
                yield number, Undecodable(error.detail)


def read_file_items(path: Path) -> Iterator[tuple[int, Any]]:
    """Like :func:`split_items` for a file, streaming NDJSON line by line."""
    with path.open(encoding="utf-8") as handle:
        head = handle.read(4096)
        handle.seek(0)
        if _starts_with_bracket(head):
            yield from split_items(handle.read(), as_json=True)
            return
        yield from _lines(enumerate(handle, start=1))
