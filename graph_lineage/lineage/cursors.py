"""Opaque page cursors for lists ordered by a time, then a uid (keyset pagination).

>>> decode_cursor(encode_cursor("2026-10-01T00:00:00Z", "rec:req-1"))
('2026-10-01T00:00:00Z', 'rec:req-1')
"""

from __future__ import annotations

import base64
import binascii

from neo4j.time import DateTime as Neo4jDateTime

from graph_lineage.errors import InvalidQuery


def encode_cursor(moment: str, uid: str) -> str:
    """A cursor after the item at ISO time ``moment`` with ``uid``."""
    return base64.urlsafe_b64encode(f"{moment}|{uid}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[str, str]:
    """(ISO time, uid) of a cursor; Cypher parses the time so it compares exactly."""
    try:
        moment, uid = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        Neo4jDateTime.from_iso_format(moment)  # refuse what is not a time
        return moment, uid
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidQuery(f"{cursor!r} is not a cursor from this API") from error
