"""The one page-cursor codec: sort keys in and out, anything else refused as InvalidQuery."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from graph_lineage.errors import InvalidQuery
from graph_lineage.lineage.cursors import (
    decode_cursor,
    decode_time_cursor,
    encode_cursor,
    iso_time,
    time_cursor,
)
from graph_lineage.lineage.model import Node


def test_a_time_cursor_gives_back_its_time_and_uid() -> None:
    served = datetime(2026, 10, 1, 12, 30, tzinfo=UTC)
    node = Node(
        id="1", labels=("Recommendation",), properties={"uid": "rec:a|b", "served_at": served}
    )
    cursor = time_cursor(node, "served_at")
    assert decode_time_cursor(cursor) == (served.isoformat(), "rec:a|b")  # a uid may hold "|"
    # the wire format lists have always answered: base64url of "<time>|<uid>"
    assert base64.urlsafe_b64decode(cursor).decode() == f"{served.isoformat()}|rec:a|b"
    assert decode_time_cursor(None) == (None, None)


def test_any_sort_key_round_trips_through_its_parsers() -> None:
    assert decode_cursor(encode_cursor("access", 42), str, int) == ("access", 42)
    assert decode_cursor(encode_cursor(7), int) == (7,)


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 !",
        base64.urlsafe_b64encode(b"no-separator").decode(),
        base64.urlsafe_b64encode(b"yesterday|rec:1").decode(),  # not a time
        base64.urlsafe_b64encode(b"\xff\xfe|x").decode(),  # not UTF-8
    ],
)
def test_a_cursor_not_from_this_api_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidQuery, match="is not a cursor from this API"):
        decode_cursor(cursor, iso_time, str)


def test_a_part_its_parser_refuses_is_refused() -> None:
    with pytest.raises(InvalidQuery):
        decode_cursor(encode_cursor("access", "x"), str, int)
