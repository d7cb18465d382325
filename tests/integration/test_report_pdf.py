"""``POST /exports/report.pdf``: the report's query runs as the caller, then the export is
recorded, then the PDF carries its stamp.

Each PDF is read back with pypdf and compared with what ``/graphql`` answers the same
caller: the numbers, the uids, the fields the policy denies ("not visible to your role").
A viewer may not export a trace (403, no uid in the answer), and under a policy that lets
viewers ask for traces, a recommendation stays hidden from them: no PDF names it. Every
refusal is a JSON 4xx that writes no export.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.access_log import AccessLogFilter, AccessRecord, query, verify
from graph_lineage.auth import ApiKeys, Role
from graph_lineage.demo import DemoPipeline
from graph_lineage.settings import Settings
from graph_lineage.store import Store

from ..conftest import bearer
from .loading import load_events

PATH = "/exports/report.pdf"
DOC = Path(__file__).resolve().parents[2] / "docs" / "queries.md"
TRACE = """query($id: ID!) { trace(recommendationId: $id) {
  recommendation { uid userPseudonym } modelVersion { uid }
  servedFeatures { uid schemaHash } outcomes { uid } } }"""
IMPACT = """query($uid: ID!) { impact(uid: $uid) {
  recommendations bySegment { key count } modelVersions { uid } } }"""


@pytest.fixture
def client(store: Store, settings: Settings) -> Iterator[TestClient]:
    load_events(store, settings, DemoPipeline(300, seed=42).events())
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def recommendation(store: Store, client: TestClient) -> str:
    rows = store.read(
        "MATCH (r:Recommendation)<-[:FOR]-(:Outcome) RETURN r.uid AS uid ORDER BY uid LIMIT 1"
    )
    return str(rows[0]["uid"])


def _report(client: TestClient, settings: Settings, role: str, body: Any) -> Any:
    return client.post(PATH, json=body, headers=bearer(settings, role))


def _graphql(
    client: TestClient, settings: Settings, role: str, document: str, **variables: Any
) -> Any:
    body = {"query": document, "variables": variables}
    return client.post("/graphql", json=body, headers=bearer(settings, role)).json()


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    """The text without spaces or line breaks: a uid wrapped across lines is one again."""
    return "".join(text.split())


def _record(store: Store, seq: int) -> AccessRecord:
    (record,) = [r for r in query(store, AccessLogFilter(), first=500).records if r.seq == seq]
    return record


def _exports(store: Store) -> list[AccessRecord]:
    return query(store, AccessLogFilter(exports_only=True), first=500).records


def test_a_trace_pdf_holds_the_trace_as_the_caller_may_read_it_and_its_stamp(
    client: TestClient, store: Store, settings: Settings, recommendation: str
) -> None:
    body = {
        "report": "trace",
        "arguments": {"recommendationId": recommendation},
        "filters": {"tab": "timeline"},
        "asOf": "2026-10-20T00:00:00Z",
    }
    reply = _report(client, settings, "engineer", body)
    seen = _graphql(client, settings, "engineer", TRACE, id=recommendation)

    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "application/pdf"
    export_seq = int(reply.headers["x-export-record"])
    assert f'filename="trace-report-{export_seq}.pdf"' in reply.headers["content-disposition"]
    pages = _pages(reply.content)
    first, text = pages[0], _flat("\n".join(pages))
    assert first.startswith(f"Why recommendation {recommendation} was served\n")
    assert "graph-lineage trace export (PDF)" in first
    assert re.search(r"Exported by test-engineer \(engineer\) at \d{4}-\d\d-\d\dT[\d:]{8}Z", first)
    assert f"Filters: recommendationId={recommendation}; tab=timeline" in first
    assert "Data as of: 2026-10-20T00:00:00Z" in first
    assert f"Access log record: {export_seq}" in first
    assert all(f"access log record {export_seq} - page" in page for page in pages)
    trace = seen["data"]["trace"]
    assert _flat(trace["modelVersion"]["uid"]) in text
    features = trace["servedFeatures"]
    assert features and all(_flat(f["uid"] + f["schemaHash"]) in text for f in features)
    assert trace["outcomes"] and all(o["uid"] in text for o in trace["outcomes"])
    # The engineer may not read the user's pseudonym: GraphQL denies it, the PDF says so.
    assert trace["recommendation"]["userPseudonym"] is None
    assert "user pseudonym not visible to your role" in first

    query_record = _record(store, int(reply.headers["x-access-record"]))
    export = _record(store, export_seq)
    assert (query_record.operation_name, query_record.operation_type) == ("TraceReport", "query")
    assert query_record.denied_fields == ("trace.recommendation.userPseudonym",)
    assert (export.operation_type, export.operation_name) == ("export", "report.pdf")
    assert (export.export_format, export.export_view, export.subject) == (
        "pdf",
        "trace",
        "test-engineer",
    )
    assert export.returned_uids == query_record.returned_uids  # whose data the file holds
    assert recommendation in export.returned_uids and export.seq == (query_record.seq or 0) + 1
    assert verify(store).ok


def test_an_auditor_s_trace_pdf_shows_what_the_auditor_may_read(
    client: TestClient, settings: Settings, recommendation: str
) -> None:
    body = {"report": "trace", "arguments": {"recommendationId": recommendation}}
    reply = _report(client, settings, "auditor", body)
    seen = _graphql(client, settings, "auditor", TRACE, id=recommendation)

    pseudonym = seen["data"]["trace"]["recommendation"]["userPseudonym"]
    assert reply.status_code == 200 and pseudonym
    assert f"user pseudonym {pseudonym}" in _pages(reply.content)[0]
    assert "not visible to your role" not in "".join(_pages(reply.content))


def test_an_api_key_asks_for_a_report_as_a_token_does(
    client: TestClient, store: Store, settings: Settings
) -> None:
    key = ApiKeys(settings.api_keys_file).create("audit-desk", [Role.AUDITOR])
    body = {"report": "impact", "arguments": {"uid": "source:orders"}}

    reply = client.post(PATH, json=body, headers={"X-API-Key": key})

    assert reply.status_code == 200, reply.text
    assert "Exported by api-key:audit-desk (auditor) at" in _pages(reply.content)[0]
    (export,) = _exports(store)
    assert (export.subject, export.auth_method) == ("api-key:audit-desk", "api_key")


def test_a_viewer_may_not_export_a_trace_and_the_answer_names_no_recommendation(
    client: TestClient, store: Store, settings: Settings, recommendation: str
) -> None:
    body = {"report": "trace", "arguments": {"recommendationId": recommendation}}
    reply = _report(client, settings, "viewer", body)

    assert reply.status_code == 403
    assert reply.json() == {
        "error": "forbidden",
        "detail": "your roles (viewer) may not read trace, which the trace report shows;"
        " sign in with a role that may",
    }
    assert "rec:" not in reply.text and "rec:" not in str(reply.headers)
    denied = _record(store, int(reply.headers["x-access-record"]))
    assert denied.denied_fields == ("trace",) and denied.returned_uids == ()
    assert _exports(store) == []


def _viewers_may_trace(settings: Settings, tmp_path: Path) -> Settings:
    """The shipped policy, except that viewers may ask for traces (recommendations stay
    hidden from them)."""
    schema_dir = tmp_path / "schema"
    shutil.copytree(settings.schema_dir, schema_dir)
    policy = schema_dir / "access-policy.toml"
    shipped = policy.read_text()
    assert 'trace = ["investigators"]' in shipped
    policy.write_text(shipped.replace('trace = ["investigators"]', 'trace = ["readers"]', 1))
    return settings.model_copy(update={"schema_dir": schema_dir})


def test_where_a_viewer_may_ask_for_a_trace_its_hidden_recommendation_is_in_no_pdf(
    client: TestClient, store: Store, settings: Settings, recommendation: str, tmp_path: Path
) -> None:
    lenient = _viewers_may_trace(settings, tmp_path)
    body = {"report": "trace", "arguments": {"recommendationId": recommendation}}
    with TestClient(create_app(lenient)) as elsewhere:
        viewer = _report(elsewhere, lenient, "viewer", body)
        engineer = _report(elsewhere, lenient, "engineer", body)

    assert engineer.status_code == 200 and recommendation in "".join(_pages(engineer.content))
    assert viewer.status_code == 404  # as a missing node: the viewer may not know it exists
    assert viewer.json()["error"] == "not_found"
    assert "rec:" not in viewer.text and "rec:" not in str(viewer.headers)
    assert [r.subject for r in _exports(store)] == ["test-engineer"]


def test_an_impact_pdf_holds_the_numbers_graphql_gives_the_same_viewer(
    client: TestClient, store: Store, settings: Settings
) -> None:
    body = {"report": "impact", "arguments": {"uid": "source:orders"}, "filters": {"depth": 3}}
    reply = _report(client, settings, "viewer", body)
    impact = _graphql(client, settings, "viewer", IMPACT, uid="source:orders")["data"]["impact"]

    assert reply.status_code == 200, reply.text
    pages = _pages(reply.content)
    text = "\n".join(pages)
    assert pages[0].startswith("Impact of source:orders\n")
    assert "Filters: depth=3; uid=source:orders" in pages[0]
    assert f"recommendations served {impact['recommendations']:,}" in text
    assert impact["bySegment"]
    assert all(f"{row['key']} {row['count']:,}" in text for row in impact["bySegment"])
    assert all(model["uid"] in text for model in impact["modelVersions"])
    assert "rec:" not in _flat(text) and "outcome:" not in _flat(text)
    (export,) = _exports(store)
    assert (export.export_view, export.subject, export.export_as_of) == (
        "impact",
        "test-viewer",
        None,
    )


def test_requests_that_cannot_make_a_report_are_clear_4xx_and_write_no_export(
    client: TestClient, store: Store, settings: Settings
) -> None:
    asked = {
        "no json": (b"{report", 422, "invalid_request", "Invalid JSON"),
        "unknown report": (
            {"report": "lineage"},
            422,
            "invalid_request",
            "no report 'lineage': one of trace, impact, experiment",
        ),
        "unknown field": (
            {"report": "impact", "arguments": {"uid": "source:orders"}, "format": "docx"},
            422,
            "invalid_request",
            "format: Extra inputs are not permitted",
        ),
        "missing argument": (
            {"report": "trace"},
            422,
            "invalid_request",
            "the trace report needs recommendationId",
        ),
        "unknown argument": (
            {"report": "impact", "arguments": {"uid": "source:orders", "depth": 2}},
            422,
            "invalid_request",
            "the impact report takes uid, since, not depth",
        ),
        "bad filters": (
            {"report": "impact", "arguments": {"uid": "source:orders"}, "filters": {"a": {}}},
            422,
            "invalid_request",
            "filter 'a' must be a string",
        ),
        "bad argument": (
            {"report": "impact", "arguments": {"uid": "source:orders", "since": "soon"}},
            422,
            "invalid_arguments",
            "Variable '$since' has invalid value: Value cannot represent a DateTime",
        ),
        "unknown node": (
            {"report": "impact", "arguments": {"uid": "source:nowhere"}},
            404,
            "not_found",
            "no lineage node has uid 'source:nowhere'",
        ),
        "unknown recommendation": (
            {"report": "trace", "arguments": {"recommendationId": "rec:nope"}},
            404,
            "not_found",
            "trace found nothing for these arguments",
        ),
    }
    for name, (body, status, error, detail) in asked.items():
        if isinstance(body, bytes):
            reply = client.post(PATH, content=body, headers=bearer(settings, "engineer"))
        else:
            reply = _report(client, settings, "engineer", body)
        assert (reply.status_code, reply.json()["error"]) == (status, error), (name, reply.text)
        assert detail in reply.json()["detail"], (name, reply.json())
    unauthenticated = client.post(PATH, json={"report": "impact"})
    producer = _report(client, settings, "producer", {"report": "impact"})

    assert unauthenticated.status_code == 401 and producer.status_code == 403
    assert "exporting reports needs one of the roles" in producer.json()["detail"]
    assert _exports(store) == []
    assert verify(store).ok


def test_no_pdf_leaves_when_the_access_log_cannot_record_it(
    client: TestClient, store: Store, settings: Settings
) -> None:
    client.app.state.store.close()  # type: ignore[attr-defined]  # the service is shutting down

    reply = _report(
        client, settings, "viewer", {"report": "impact", "arguments": {"uid": "source:orders"}}
    )

    assert reply.status_code == 503 and reply.headers["retry-after"] == "5"
    assert reply.json()["error"] == "audit_unavailable"
    assert reply.headers["content-type"] == "application/json"
    assert _exports(store) == []


def test_the_documented_request_makes_the_documented_report(
    client: TestClient, store: Store, settings: Settings
) -> None:
    section = DOC.read_text().split("## Print a report as PDF")[1].split("\n## ")[0]
    sent = re.search(r"-d '(.*?)'", section, re.S)
    assert sent is not None
    body = json.loads(sent.group(1))

    reply = _report(client, settings, "engineer", body)

    assert reply.status_code == 200, reply.text
    first = _pages(reply.content)[0]
    assert first.startswith("Why recommendation rec:req-42-26-0000002 was served")
    assert "Filters: recommendationId=req-42-26-0000002; tab=timeline" in first
