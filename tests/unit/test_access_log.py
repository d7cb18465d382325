"""The access log's records and chain, without a server."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from graph_lineage.access_log import (
    MAX_LISTED,
    AccessLogFilter,
    AccessRecord,
    chain_hash,
    decode_cursor,
    encode_cursor,
)
from graph_lineage.errors import InvalidQuery

AT = datetime(2027, 1, 10, 12, 30, 1, 250_000, tzinfo=UTC)


def _record(**changes: object) -> AccessRecord:
    record = AccessRecord.build(
        at=AT, subject="ana", roles=["viewer", "auditor"], document="{ about { service } }"
    )
    return replace(record, **{"seq": 1, **changes})  # type: ignore[arg-type]


def test_a_record_keeps_hashes_of_the_document_and_variables_never_their_text() -> None:
    record = AccessRecord.build(
        subject="ana",
        roles=["viewer"],
        document='{ node(uid: "u_1") { uid } }',
        variables={"b": 2, "a": "u_secret"},
    )

    assert record.document_sha256 == hashlib.sha256(b'{ node(uid: "u_1") { uid } }').hexdigest()
    assert record.variables_sha256 == hashlib.sha256(b'{"a":"u_secret","b":2}').hexdigest()
    assert "u_secret" not in repr(record.as_json()) and "u_1" not in repr(record.as_json())


def test_long_lists_are_capped_and_counted_and_uids_listed_once() -> None:
    uids = [f"feature:f{n}" for n in range(MAX_LISTED + 500)]

    record = AccessRecord.build(
        subject="ana",
        roles=[],
        document="{ x }",
        returned_uids=uids + uids[:10],
        denied_fields=[f"a.{n}.b" for n in range(MAX_LISTED + 1)],
    )

    assert record.returned_uids == tuple(uids[:MAX_LISTED])
    assert record.returned_uid_count == MAX_LISTED + 500
    assert (len(record.denied_fields), record.denied_field_count) == (MAX_LISTED, MAX_LISTED + 1)


def test_the_hash_covers_every_field_and_the_previous_hash() -> None:
    base = chain_hash("0" * 64, _record())

    assert base == chain_hash("0" * 64, _record())
    assert chain_hash("1" * 64, _record()) != base
    for change in (
        {"subject": "bob"},
        {"seq": 2},
        {"roles": ("admin",)},
        {"returned_uids": ("x:y",)},
        {"denied_fields": ("node.salt",)},
        {"outcome": "refused"},
        {"at": AT + timedelta(microseconds=1)},
    ):
        assert chain_hash("0" * 64, _record(**change)) != base, change


def test_times_hash_alike_whatever_zone_they_come_back_in() -> None:
    elsewhere = AT.astimezone(timezone(timedelta(hours=2)))

    assert chain_hash("0" * 64, _record(at=elsewhere)) == chain_hash("0" * 64, _record())


def test_records_survive_the_trip_through_node_properties() -> None:
    record = replace(_record(), previous_hash="0" * 64, hash="ab" * 32)

    assert AccessRecord.from_properties(record.properties()) == record


def test_cursors_round_trip_and_foreign_ones_are_refused() -> None:
    assert decode_cursor(encode_cursor(42)) == 42
    for cursor in ("nope", encode_cursor(1).replace("YWNj", "eHh4"), "YWNjZXNzOng="):
        with pytest.raises(InvalidQuery, match="not a cursor of the access log"):
            decode_cursor(cursor)


def test_a_filter_names_known_roles_only_and_reads_naive_times_as_utc() -> None:
    with pytest.raises(InvalidQuery, match="unknown role 'wizard'"):
        AccessLogFilter(role="wizard").parameters()

    parameters = AccessLogFilter(from_time=datetime(2027, 1, 1), role="auditor").parameters()

    assert parameters["from"] == datetime(2027, 1, 1, tzinfo=UTC)
    assert parameters["role"] == "auditor" and parameters["to"] is None
