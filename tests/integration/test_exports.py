"""Exports through ``recordExport``: recorded in the access log before any file is made.

Every reader records their own export and reads its stamp (every cell of the policy);
the record carries the export's fields, keeps a person's pseudonym only as a hash, and
chains like any other; auditors list exports alone; bad input is a clear error and
writes no export.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.access_log import AccessLogFilter, AccessRecord, query, verify
from graph_lineage.auth import Role
from graph_lineage.auth.policy import AccessPolicy
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate

from ..conftest import bearer
from .policy_walk import Cells, Schema, check

READERS = [role for role in Role if role is not Role.PRODUCER]
STAMP = "exportedBy roles at format view filters asOf rows bytes accessLogSeq text"
RECORD = f"""mutation RecordExport($export: ExportInput!) {{
  recordExport(export: $export) {{ {STAMP} }} }}"""
IMPACT_CSV = {
    "format": "CSV",
    "view": "impact",
    "filters": {"uid": "feature:user_ctr_7d@v2", "segment": "new", "userPseudonym": "u_9f2c"},
    "asOf": "2026-10-20T12:00:00Z",
    "rows": 12,
    "bytes": 845,
}
EXPORT_FIELDS = """seq subject roles operationName operationType returnedUids exportFormat
  exportView exportFilters exportAsOf exportRows exportBytes"""


@pytest.fixture
def client(store: Store, settings: Settings) -> Iterator[TestClient]:
    migrate(store, settings.migrations_dir)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _record(client: TestClient, settings: Settings, role: str, export: dict[str, Any]) -> Any:
    body = {"query": RECORD, "variables": {"export": export}}
    response = client.post("/graphql", json=body, headers=bearer(settings, role))
    assert response.status_code == 200, response.text
    return response.json()


def _exports(store: Store) -> list[AccessRecord]:
    return query(store, AccessLogFilter(exports_only=True), first=500).records


def test_an_export_is_recorded_with_its_fields_and_its_stamp_names_the_record(
    client: TestClient, store: Store, settings: Settings
) -> None:
    answer = _record(client, settings, "viewer", IMPACT_CSV)

    assert "errors" not in answer, answer
    stamp = answer["data"]["recordExport"]
    (record,) = _exports(store)
    assert stamp["accessLogSeq"] == record.seq
    assert (stamp["exportedBy"], stamp["roles"], stamp["format"]) == (
        "test-viewer",
        ["viewer"],
        "CSV",
    )
    assert (stamp["view"], stamp["filters"], stamp["rows"], stamp["bytes"]) == (
        "impact",
        IMPACT_CSV["filters"],
        12,
        845,
    )
    assert stamp["text"] == [
        "graph-lineage impact export (CSV)",
        f"Exported by test-viewer (viewer) at {stamp['at'][:19]}Z",
        "Filters: segment=new; uid=feature:user_ctr_7d@v2; userPseudonym=u_9f2c",
        "Data as of: 2026-10-20T12:00:00Z",
        "Rows: 12",
        f"Access log record: {record.seq}",
    ]
    assert (record.subject, record.roles, record.auth_method) == ("test-viewer", ("viewer",), "jwt")
    assert (record.operation_type, record.operation_name, record.outcome) == (
        "export",
        "recordExport",
        "answered",
    )
    assert (record.export_format, record.export_view) == ("csv", "impact")
    assert (record.export_rows, record.export_bytes) == (12, 845)
    assert record.export_as_of is not None and record.export_as_of.isoformat() == (
        "2026-10-20T12:00:00+00:00"
    )
    # A person's pseudonym stays in the file's stamp, never in the log: the log keeps a hash.
    hashed = hashlib.sha256(b'"u_9f2c"').hexdigest()
    assert json.loads(record.export_filters or "") == {
        "uid": "feature:user_ctr_7d@v2",
        "segment": "new",
        "userPseudonym": f"sha256:{hashed}",
    }
    assert "u_9f2c" not in json.dumps(record.as_json())
    # The mutation is an operation too: recorded after the export it asked for.
    (operation,) = [r for r in query(store, AccessLogFilter(), first=10).records if r != record]
    assert (operation.seq, operation.operation_type) == ((record.seq or 0) + 1, "mutation")
    assert verify(store).ok and verify(store).records == 2


def test_every_reader_records_an_export_and_reads_every_cell_of_its_stamp(
    client: TestClient, store: Store, settings: Settings
) -> None:
    policy = AccessPolicy.load(settings.access_policy_file)
    schema = Schema.load(client, bearer(settings))
    selection = schema.selection("ExportStamp")
    document = f"mutation($e: ExportInput!) {{ recordExport(export: $e) {{ {selection} }} }}"
    cells = Cells()

    for role in READERS:
        png = {"format": "PNG", "view": "lineage", "filters": {"uid": "model:ranker@v2"}}
        body = {"query": document, "variables": {"e": png}}
        answer = client.post("/graphql", json=body, headers=bearer(settings, role.value)).json()
        check(answer, role, policy, schema.node_types(), cells, root="Mutation")
        assert answer["data"]["recordExport"]["exportedBy"] == f"test-{role.value}"

    stamp_cells = {cell for cell in policy.rules if cell[0] in ("ExportStamp", "Mutation")}
    assert all(cells.seen[role] >= stamp_cells for role in READERS)
    assert sorted(r.subject for r in _exports(store)) == sorted(f"test-{r.value}" for r in READERS)
    producer = client.post(
        "/graphql",
        json={"query": document, "variables": {"e": {"format": "PNG", "view": "lineage"}}},
        headers=bearer(settings, "producer"),
    )
    assert producer.status_code == 403 and len(_exports(store)) == len(READERS)
    assert verify(store).ok


def test_auditors_list_exports_only_with_their_fields_and_others_may_not(
    client: TestClient, store: Store, settings: Settings
) -> None:
    _record(client, settings, "viewer", IMPACT_CSV)
    client.post("/graphql", json={"query": "{ about { service } }"}, headers=bearer(settings))
    _record(client, settings, "engineer", {"format": "SVG", "view": "lineage"})
    _record(client, settings, "viewer", {"format": "HTML", "view": "trace", "rows": 3})
    page = f"""query Exports($filter: AccessLogFilterInput) {{
      accessLog(filter: $filter) {{ edges {{ node {{ {EXPORT_FIELDS} }} }} }} }}"""

    def listed(where: dict[str, Any], role: str = "auditor") -> Any:
        body = {"query": page, "variables": {"filter": where}}
        return client.post("/graphql", json=body, headers=bearer(settings, role)).json()

    every = listed({"exportsOnly": True})["data"]["accessLog"]["edges"]
    viewers = listed({"exportsOnly": True, "subject": "test-viewer"})["data"]["accessLog"]["edges"]
    viewer = listed({"exportsOnly": True}, role="viewer")

    assert [e["node"]["exportFormat"] for e in every] == ["html", "svg", "csv"]  # newest first
    assert {e["node"]["operationType"] for e in every} == {"export"}
    exports = {r.seq for r in _exports(store)}
    everything = {r.seq for r in query(store, AccessLogFilter(), first=500).records}
    assert [e["node"]["seq"] for e in every] == sorted(exports, reverse=True)
    assert len(everything - exports) == 7  # three mutations, about, the three listings
    first = every[-1]["node"]
    assert first == {
        **first,
        "subject": "test-viewer",
        "operationName": "recordExport",
        "exportView": "impact",
        "exportAsOf": "2026-10-20T12:00:00+00:00",
        "exportRows": 12,
        "exportBytes": 845,
        "returnedUids": [],
    }
    assert first["exportFilters"]["uid"] == "feature:user_ctr_7d@v2"
    assert first["exportFilters"]["userPseudonym"].startswith("sha256:")
    assert [e["node"]["exportView"] for e in viewers] == ["trace", "impact"]
    assert viewer["data"]["accessLog"] is None
    assert [e["extensions"]["code"] for e in viewer["errors"]] == ["FORBIDDEN_FIELD"]


BAD_EXPORTS = [
    ({"format": "DOCX", "view": "impact"}, "DOCX"),
    ({"format": "CSV", "view": "  "}, "view must name the view exported from"),
    ({"format": "CSV", "view": "x" * 101}, "1 to 100 printable characters"),
    ({"format": "CSV", "view": "a\nb"}, "printable characters"),
    ({"format": "CSV", "view": "impact", "filters": "uid=x"}, "filters must be a JSON object"),
    ({"format": "CSV", "view": "impact", "filters": [1, 2]}, "filters must be a JSON object"),
    (
        {"format": "CSV", "view": "impact", "filters": {"range": {"from": 1}}},
        "filter 'range' must be a string, a finite number, a boolean, null or a list",
    ),
    (
        {"format": "CSV", "view": "impact", "filters": {"q": "x" * 5000}},
        "the filters are over 4000 characters as JSON",
    ),
    ({"format": "CSV", "view": "impact", "rows": -1}, "rows must be between 0 and"),
    ({"format": "PNG", "view": "impact", "bytes": 2**31}, "Int cannot represent"),
    ({"format": "CSV", "view": "impact", "asOf": "yesterday"}, "DateTime"),
    ({"view": "impact"}, "format"),
]


def test_bad_input_is_a_clear_error_and_writes_no_export(
    client: TestClient, store: Store, settings: Settings
) -> None:
    for export, message in BAD_EXPORTS:
        answer = _record(client, settings, "engineer", export)

        assert answer["data"] is None, export
        (error,) = answer["errors"]
        assert message in error["message"], (export, error["message"])

    assert _exports(store) == []
    operations = query(store, AccessLogFilter(), first=500).records
    assert len(operations) == len(BAD_EXPORTS)  # each refused operation recorded, nothing else
    assert {r.outcome for r in operations} <= {"failed", "refused"}
    assert verify(store).ok


def test_an_export_is_not_made_when_its_record_cannot_be_written(
    client: TestClient, store: Store, settings: Settings
) -> None:
    client.app.state.store.close()  # type: ignore[attr-defined]  # the service is shutting down

    refused = client.post(
        "/graphql",
        json={"query": RECORD, "variables": {"export": IMPACT_CSV}},
        headers=bearer(settings, "viewer"),
    )

    assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
    assert "Access log record" not in refused.text and "test-viewer" not in refused.text
    assert _exports(store) == []
