"""Exports' records and stamps, without a server: what is kept, what is hashed, what is refused."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from graph_lineage.access_log import EXPORT, AccessRecord, Export, ExportStamp, chain_hash
from graph_lineage.access_log.record import EXPORT_FIELDS
from graph_lineage.auth import Caller, Role
from graph_lineage.errors import InvalidQuery

AT = datetime(2027, 1, 10, 12, 30, 1, 250_000, tzinfo=UTC)
CALLER = Caller("ana", frozenset({Role.AUDITOR, Role.VIEWER}), "jwt")


def _export(**changes: object) -> Export:
    values: dict[str, object] = {
        "format": "csv",
        "view": "impact",
        "filters": {"uid": "feature:ctr@v2", "segment": "", "user": "u_42", "tags": ["a", 1]},
        "as_of": datetime(2026, 12, 1, 9, 0),
        "rows": 1200,
        "bytes": 5432,
    }
    values.update(changes)
    return Export(**values)  # type: ignore[arg-type]


def _sealed(export: Export) -> AccessRecord:
    return replace(export.record(CALLER, "recordExport", at=AT), seq=7, previous_hash="0" * 64)


def test_an_export_record_keeps_and_hashes_every_export_field() -> None:
    record = _sealed(_export())
    base = chain_hash("0" * 64, record)

    assert (record.operation_type, record.operation_name) == (EXPORT, "recordExport")
    assert (record.subject, record.roles, record.auth_method) == (
        "ana",
        ("auditor", "viewer"),
        "jwt",
    )
    assert set(EXPORT_FIELDS) <= set(record.content())
    assert record.content()["export_as_of"] == "2026-12-01T09:00:00.000000+00:00"  # naive: UTC
    for change in (
        {"export_format": "json"},
        {"export_view": "lineage"},
        {"export_filters": "{}"},
        {"export_as_of": datetime(2026, 12, 1, 9, 0, 1, tzinfo=UTC)},
        {"export_rows": 1201},
        {"export_bytes": 5433},
    ):
        assert chain_hash("0" * 64, replace(record, **change)) != base, change  # type: ignore[arg-type]
    elsewhere = replace(
        record, export_as_of=datetime(2026, 12, 1, 11, tzinfo=timezone(timedelta(hours=2)))
    )
    assert chain_hash("0" * 64, elsewhere) == base
    assert AccessRecord.from_properties(record.properties()) == record


def test_a_person_named_in_the_filters_is_kept_as_a_hash() -> None:
    export = _export(filters={"user": "u_42", "userPseudonym": "u_7", "segment": "new"})

    kept = json.loads(_sealed(export).export_filters or "")

    assert kept == {
        "user": "sha256:" + hashlib.sha256(b'"u_42"').hexdigest(),
        "userPseudonym": "sha256:" + hashlib.sha256(b'"u_7"').hexdigest(),
        "segment": "new",
    }
    assert "u_42" not in json.dumps(_sealed(export).as_json())
    assert export.filters["user"] == "u_42"  # the file's stamp shows what the view showed


def test_the_stamp_says_who_when_which_filters_as_of_and_which_record() -> None:
    stamp = ExportStamp(_export(), _sealed(_export()))

    assert stamp.lines() == [
        "graph-lineage impact export (CSV)",
        "Exported by ana (auditor, viewer) at 2027-01-10T12:30:01Z",
        'Filters: tags=["a",1]; uid=feature:ctr@v2; user=u_42',
        "Data as of: 2026-12-01T09:00:00Z",
        "Rows: 1,200",
        "Access log record: 7",
    ]
    bare = ExportStamp(_export(filters={}, as_of=None, rows=None), _sealed(_export()))
    assert bare.lines()[2:] == [
        "Filters: none",
        "Data as of: 2027-01-10T12:30:01Z (the export)",
        "Access log record: 7",
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format": "docx"}, "format 'docx' is not one of csv, json, png, svg, pdf, html"),
        ({"view": " "}, "view must name the view exported from"),
        ({"view": "v" * 101}, "1 to 100 printable characters"),
        ({"view": "line\tage"}, "printable characters"),
        ({"filters": ["uid"]}, "filters must be a JSON object"),
        ({"filters": {"": 1}}, "a filter's name must be 1 to 100 characters"),
        ({"filters": {"window": {"from": 1}}}, "filter 'window' must be a string"),
        ({"filters": {"window": [[1]]}}, "filter 'window' must be a string"),
        ({"filters": {"ratio": float("nan")}}, "a finite number"),
        ({"filters": {"q": "x" * 4_000}}, "the filters are over 4000 characters as JSON"),
        ({"rows": -1}, "rows must be between 0 and 2147483647, not -1"),
        ({"bytes": 2**31}, "bytes must be between 0 and 2147483647"),
    ],
)
def test_an_export_that_cannot_be_recorded_as_given_is_refused(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidQuery, match=message.replace("(", r"\(").replace("[", r"\[")):
        _export(**changes)


def test_a_view_is_named_without_surrounding_space() -> None:
    assert _export(view="  trace ").view == "trace"
