"""Opaque page cursors for keyset pagination: the sort key of the last item, as URL-safe text.

A cursor is the parts of a sort key joined by ``|`` and base64url-encoded; decoding checks
each part with a parser of its own, so a cursor that is not one of this list's is refused
with :class:`InvalidQuery`. Lists ordered by a time, then a uid, use :func:`time_cursor`
and :func:`decode_time_cursor`; another ordering gives its own parts and parsers.

>>> decode_cursor(encode_cursor("2026-10-01T00:00:00Z", "rec:req-1"), iso_time, str)
('2026-10-01T00:00:00Z', 'rec:req-1')
>>> decode_cursor(encode_cursor(42), int)
(42,)
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from neo4j.time import DateTime as Neo4jDateTime

from graph_lineage.errors import InvalidQuery
from graph_lineage.lineage.model import Node

SEPARATOR = "|"


def encode_cursor(*key: object) -> str:
    """A cursor after the item whose sort key is ``key``; only its last part may hold ``|``."""
    text = SEPARATOR.join(str(part) for part in key)
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_cursor(cursor: str, *parsers: Callable[[str], Any]) -> tuple[Any, ...]:
    """The sort key of ``cursor``, one part per parser; a parser raises ValueError to refuse."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        parts = text.split(SEPARATOR, len(parsers) - 1)
        if len(parts) != len(parsers):
            raise ValueError(f"{len(parts)} parts, not {len(parsers)}")
        return tuple(parse(part) for parse, part in zip(parsers, parts, strict=True))
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidQuery(f"{cursor!r} is not a cursor from this API") from error


def iso_time(text: str) -> str:
    """An ISO time, kept as text: Cypher parses it so that it compares exactly."""
    Neo4jDateTime.from_iso_format(text)  # refuse what is not a time
    return text


def time_cursor(node: Node, time_property: str) -> str:
    """The cursor after ``node`` in a list ordered by ``time_property``, then by uid."""
    return encode_cursor(node.properties[time_property].isoformat(), node.uid)


def decode_time_cursor(cursor: str | None) -> tuple[str | None, str | None]:
    """(ISO time, uid) of a :func:`time_cursor`; (None, None) for the first page."""
    if cursor is None:
        return None, None
    moment, uid = decode_cursor(cursor, iso_time, str)
    return moment, uid
