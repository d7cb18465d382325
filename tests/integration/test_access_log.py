"""The access log: every GraphQL operation leaves one chained record before it answers."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api import create_app
from api.graphql import render_sdl
from graph_lineage.access_log import (
    AccessLogFilter,
    AccessRecord,
    append,
    query,
    verify,
)
from graph_lineage.cli import main
from graph_lineage.demo import DemoPipeline
from graph_lineage.errors import LineageError
from graph_lineage.events import parse_event
from graph_lineage.governance import RetentionPolicy, erase_user, run_retention
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.writer import LineageWriter

from ..conftest import (
    TEST_ENCRYPTION_KEYS,
    TEST_PSEUDONYMIZATION_KEY,
    AccessLogCheck,
    Neo4jTarget,
    bearer,
    free_port,
)

# A viewer may not read an experiment's salt; everything else here is theirs to read.
LINEAGE = """query Lineage($uid: ID!) {
  node(uid: "experiment:ranker-v3-rollout") { uid ... on Experiment { name salt } }
  upstream(uid: $uid, depth: 2) { nodes { uid kind } edges { source target type } }
}"""
ALTER = "MATCH (r:AccessRecord {seq: $seq}) SET r.subject = 'someone-else'"
REMOVE = "MATCH (r:AccessRecord {seq: $seq}) DELETE r"


@pytest.fixture
def app(store: Store, settings: Settings) -> Iterator[TestClient]:
    migrate(store, settings.migrations_dir)
    events = [parse_event(raw) for raw in DemoPipeline(300, seed=42).events()]
    LineageWriter(
        store, Pseudonymizer.from_settings(settings), Sealer.from_settings(settings)
    ).write(events)
    with TestClient(create_app(settings)) as client:
        yield client


def _post(client: TestClient, settings: Settings, role: str, query: str, **extra: Any) -> Any:
    body = {"query": query, **extra}
    return client.post("/graphql", json=body, headers=bearer(settings, role))


def _newest(store: Store, count: int = 1) -> list[AccessRecord]:
    return query(store, AccessLogFilter(), first=count).records


def _uids_in(answer: dict[str, Any]) -> set[str]:
    graph = answer["upstream"]
    edges = {uid for edge in graph["edges"] for uid in (edge["source"], edge["target"])}
    return {answer["node"]["uid"]} | {node["uid"] for node in graph["nodes"]} | edges


def test_a_query_is_recorded_with_who_what_whose_data_and_what_was_denied(
    app: TestClient, store: Store, settings: Settings
) -> None:
    variables = {"uid": "model:ranker@v2"}
    body = _post(app, settings, "viewer", LINEAGE, variables=variables).json()

    (record,) = _newest(store)
    assert (record.subject, record.roles, record.auth_method) == ("test-viewer", ("viewer",), "jwt")
    assert (record.operation_name, record.operation_type) == ("Lineage", "query")
    assert record.document_sha256 == hashlib.sha256(LINEAGE.encode()).hexdigest()
    canonical = json.dumps(variables, sort_keys=True, separators=(",", ":"))
    assert record.variables_sha256 == hashlib.sha256(canonical.encode()).hexdigest()
    assert len(_uids_in(body["data"])) > 3
    assert set(record.returned_uids) == _uids_in(body["data"])
    assert record.returned_uid_count == len(record.returned_uids)
    forbidden = [e for e in body["errors"] if e["extensions"]["code"] == "FORBIDDEN_FIELD"]
    assert list(record.denied_fields) == [".".join(map(str, e["path"])) for e in forbidden]
    assert record.denied_fields == ("node.salt",)
    assert (record.outcome, record.error_codes) == ("partial", ("FORBIDDEN_FIELD",))
    assert record.seq == 1 and verify(store).ok


def test_a_node_whose_fields_are_all_denied_is_not_counted_as_returned(
    app: TestClient, store: Store, settings: Settings
) -> None:
    query_text = '{ node(uid: "experiment:ranker-v3-rollout") { ... on Experiment { salt } } }'
    viewer = _post(app, settings, "viewer", query_text).json()
    engineer = _post(app, settings, "engineer", query_text).json()

    by_engineer, by_viewer = _newest(store, 2)
    assert viewer["data"]["node"]["salt"] is None and engineer["data"]["node"]["salt"]
    assert by_viewer.returned_uids == () and by_viewer.denied_fields == ("node.salt",)
    assert by_engineer.returned_uids == ("experiment:ranker-v3-rollout",)
    assert by_engineer.denied_fields == () and by_engineer.outcome == "answered"


def test_refused_documents_are_recorded_too(store: Store, settings: Settings) -> None:
    tight = settings.model_copy(update={"graphql_max_depth": 3})
    deep = '{ upstream(uid: "source:x") { nodes { versions { versions { uid } } } } }'
    broken = '{ node(uid: "source:x") { uid '
    with TestClient(create_app(tight), headers=bearer(tight, "engineer")) as client:
        refused = client.post("/graphql", json={"query": deep}).json()
        unparsable = client.get("/graphql", params={"query": broken}).json()
        subscription = client.post("/graphql", json={"query": "subscription { x }"}).json()
        over_get = client.get("/graphql", params={"query": "mutation { __typename }"})
        no_document = client.post("/graphql", json={})  # not an operation: nothing to record
        ide = client.get("/graphql", headers={"accept": "text/html"}, follow_redirects=False)

    assert "exceeds maximum operation depth of 3" in refused["errors"][0]["message"]
    assert unparsable["data"] is None and subscription["data"] is None
    assert no_document.status_code == 400 and over_get.status_code == 400
    assert ide.status_code == 303  # sent on to /ui/graphiql: not an operation either
    records = list(reversed(_newest(store, 10)))
    assert [r.document_sha256 for r in records] == [
        hashlib.sha256(text.encode()).hexdigest()
        for text in (deep, broken, "subscription { x }", "mutation { __typename }")
    ]
    assert [(r.outcome, r.error_codes, r.operation_type) for r in records] == [
        ("refused", ("INVALID_DOCUMENT",), None),
        ("refused", ("INVALID_DOCUMENT",), None),
        ("refused", ("INVALID_DOCUMENT",), None),
        ("refused", ("OPERATION_NOT_ALLOWED",), None),
    ]
    assert all(r.returned_uids == () and r.subject == "test-engineer" for r in records)


def test_auditors_read_the_log_with_filters_and_pages_and_viewers_may_not(
    app: TestClient, store: Store, settings: Settings
) -> None:
    start = datetime.now(UTC)
    for role in ("viewer", "engineer", "viewer", "viewer"):
        _post(app, settings, role, LINEAGE, variables={"uid": "model:ranker@v2"})
    _post(app, settings, "viewer", "query About { about { service } }")
    page = """query Page($filter: AccessLogFilterInput, $after: String) {
      accessLog(filter: $filter, first: 2, after: $after) {
        edges { cursor node { seq subject roles operationName deniedFields returnedUids } }
        pageInfo { hasNextPage endCursor } } }"""

    def read(where: dict[str, Any], after: str | None = None) -> dict[str, Any]:
        body = _post(app, settings, "auditor", page, variables={"filter": where, "after": after})
        assert "errors" not in body.json(), body.json()
        log: dict[str, Any] = body.json()["data"]["accessLog"]
        return log

    first = read({"subject": "test-viewer", "operationName": "Lineage"})
    second = read(
        {"subject": "test-viewer", "operationName": "Lineage"}, first["pageInfo"]["endCursor"]
    )
    seqs = [e["node"]["seq"] for e in first["edges"] + second["edges"]]
    assert seqs == [4, 3, 1] and first["pageInfo"]["hasNextPage"]
    assert not second["pageInfo"]["hasNextPage"]
    assert [e["node"]["seq"] for e in read({"role": "engineer"})["edges"]] == [2]
    assert [e["node"]["seq"] for e in read({"uid": "model:ranker@v2"})["edges"]] == [4, 3]
    denied = read({"deniedOnly": True, "subject": "test-viewer"})
    assert all(e["node"]["deniedFields"] == ["node.salt"] for e in denied["edges"])
    since = read({"from": start.isoformat(), "subject": "test-engineer"})
    assert [e["node"]["seq"] for e in since["edges"]] == [2]
    assert read({"to": start.isoformat()})["edges"] == []
    assert read({"from": (start + timedelta(days=1)).isoformat()})["edges"] == []

    viewer = _post(app, settings, "viewer", page, variables={"filter": None}).json()
    assert viewer["data"]["accessLog"] is None
    assert [e["extensions"]["code"] for e in viewer["errors"]] == ["FORBIDDEN_FIELD"]
    assert _newest(store)[0].denied_fields == ("accessLog",)


def test_an_unknown_role_filter_or_cursor_is_a_clear_error(
    app: TestClient, settings: Settings
) -> None:
    bad = _post(
        app, settings, "auditor", '{ accessLog(filter: {role: "wizard"}) { edges { cursor } } }'
    )
    cursor = _post(app, settings, "auditor", '{ accessLog(after: "nope") { edges { cursor } } }')
    big = _post(app, settings, "auditor", "{ accessLog(first: 501) { edges { cursor } } }")

    assert "unknown role 'wizard'" in bad.json()["errors"][0]["message"]
    assert "is not a cursor of the access log" in cursor.json()["errors"][0]["message"]
    assert "first must be between 1 and 500" in big.json()["errors"][0]["message"]


def test_nothing_in_the_api_can_change_or_delete_a_record(
    app: TestClient, settings: Settings
) -> None:
    roots = "{ __schema { mutationType { fields { name } } subscriptionType { name } } }"

    body = _post(app, settings, "admin", roots).json()

    # The one mutation appends an export's record (test_exports.py); none changes a record.
    assert body["data"]["__schema"] == {
        "mutationType": {"fields": [{"name": "recordExport"}]},
        "subscriptionType": None,
    }
    assert "type Subscription" not in render_sdl()


def test_the_chain_verifies_and_an_altered_record_is_named(
    app: TestClient,
    store: Store,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    cli_env: None,
) -> None:
    for _ in range(5):
        _post(app, settings, "viewer", "{ about { service } }")
    assert verify(store).ok and verify(store).records == 5
    assert main(["access-log", "verify"]) == 0
    assert "access log intact: 5 records" in capsys.readouterr().out

    store.write(ALTER, seq=3)

    report = verify(store)
    assert (report.broken_seq, report.ok) == (3, False)
    assert "record 3 was altered" in (report.problem or "")
    assert main(["access-log", "verify"]) == 3
    assert "access log broken at seq 3" in capsys.readouterr().err


def test_a_removed_record_and_a_cut_off_tail_are_named(store: Store) -> None:
    for n in range(4):
        append(store, AccessRecord.build(subject=f"s{n}", roles=["viewer"], document="{ x }"))

    store.write(REMOVE, seq=4)
    tail = verify(store)
    store.write(REMOVE, seq=2)
    middle = verify(store)

    assert tail.broken_seq == 4 and "chain ends at record 3" in (tail.problem or "")
    assert middle.broken_seq == 2 and "record 2 is missing" in (middle.problem or "")


def test_no_data_leaves_when_the_record_cannot_be_written(
    app: TestClient, settings: Settings
) -> None:
    unreachable = settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{free_port()}"})
    with TestClient(create_app(unreachable), headers=bearer(settings, "admin")) as elsewhere:
        refused = elsewhere.post("/graphql", json={"query": "{ __typename }"})
    assert _post(app, settings, "admin", "{ __typename }").json() == {
        "data": {"__typename": "Query"}
    }
    app.app.state.store.close()  # type: ignore[attr-defined]  # the service is shutting down
    closed = _post(app, settings, "admin", "{ __typename }")

    for reply in (refused, closed):
        assert reply.status_code == 503
        assert reply.headers["retry-after"] == "5"
        assert "data" not in reply.json() and "Query" not in reply.text
        assert reply.json()["error"] == "audit_unavailable"
    assert "the access log cannot record this operation" in refused.json()["detail"]


def test_concurrent_queries_get_one_record_each_with_contiguous_seqs(
    app: TestClient, store: Store, settings: Settings
) -> None:
    headers = bearer(settings, "viewer")

    def ask(n: int) -> int:
        query_text = f"query Q{n} {{ about {{ service }} }}"
        return app.post("/graphql", json={"query": query_text}, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert set(pool.map(ask, range(20))) == {200}

    records = _newest(store, 20)
    assert sorted(r.seq or 0 for r in records) == list(range(1, 21))
    assert {r.operation_name for r in records} == {f"Q{n}" for n in range(20)}
    assert verify(store).ok


def test_concurrent_appends_share_transactions_and_each_caller_gets_its_own_record(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    transactions = []
    real = store.write_transaction

    def counted(*args: Any, **kwargs: Any) -> Any:
        transactions.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "write_transaction", counted)
    start = threading.Barrier(32)

    def one(n: int) -> AccessRecord:
        start.wait()
        return append(store, AccessRecord.build(subject=f"caller-{n}", roles=[], document="{ x }"))

    with ThreadPoolExecutor(max_workers=32) as pool:
        written = list(pool.map(one, range(32)))

    assert [record.subject for record in written] == [f"caller-{n}" for n in range(32)]
    assert sorted(record.seq or 0 for record in written) == list(range(1, 33))
    stored = {record.seq: record.hash for record in _newest(store, 32)}
    assert all(stored[record.seq] == record.hash for record in written)
    assert verify(store).ok and verify(store).records == 32
    assert len(transactions) < 32  # callers that arrived during a write shared the next one


def test_every_caller_of_a_failed_group_learns_its_record_was_not_written(
    store: Store, settings: Settings
) -> None:
    unreachable = settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{free_port()}"})
    with Store.connect(unreachable) as elsewhere, ThreadPoolExecutor(max_workers=8) as pool:

        def one(n: int) -> str:
            record = AccessRecord.build(subject=f"caller-{n}", roles=[], document="{ x }")
            try:
                append(elsewhere, record)
            except LineageError as error:
                return type(error).__name__
            return "written"

        outcomes = list(pool.map(one, range(8)))
    assert outcomes == ["StoreUnavailable"] * 8
    assert verify(store).records == 0


def test_verify_is_not_confused_by_records_appended_while_it_runs(store: Store) -> None:
    for n in range(1_500):  # more than one page of the chain walk
        append(store, AccessRecord.build(subject=f"s{n}", roles=[], document="{ x }"))
    stop = threading.Event()

    def keep_appending() -> None:
        while not stop.is_set():
            append(store, AccessRecord.build(subject="late", roles=[], document="{ y }"))

    appender = threading.Thread(target=keep_appending)
    appender.start()
    try:
        reports = [verify(store) for _ in range(3)]
    finally:
        stop.set()
        appender.join()
    assert all(report.ok for report in reports), [report.problem for report in reports]
    assert reports[0].records >= 1_500
    assert verify(store).records > reports[0].records  # the late ones, checked next time


def test_retention_and_erasure_leave_the_access_log_alone(
    app: TestClient, store: Store, settings: Settings
) -> None:
    for _ in range(3):
        _post(app, settings, "auditor", '{ node(uid: "rec:req-42-26-0000002") { uid } }')
    before = verify(store)

    retention = run_retention(
        store, RetentionPolicy(recommendations_days=1), now=datetime(2030, 1, 1, tzinfo=UTC)
    )
    erase_user(store, Pseudonymizer.from_settings(settings), "user-42")

    assert retention.recommendations > 0
    after = verify(store)
    assert after.ok and (after.records, after.head_hash) == (before.records, before.head_hash)


def test_the_cli_export_writes_the_records_and_is_recorded_itself(
    app: TestClient,
    store: Store,
    settings: Settings,
    tmp_path: Path,
    cli_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _post(app, settings, "viewer", "query One { about { service } }")
    _post(app, settings, "engineer", "query Two { about { service } }")
    output = tmp_path / "access.jsonl"

    assert main(["access-log", "export", "--output", str(output)]) == 0

    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert [(r["seq"], r["subject"], r["operation_name"]) for r in lines] == [
        (1, "test-viewer", "One"),
        (2, "test-engineer", "Two"),
        (3, lines[2]["subject"], "access-log export"),
    ]
    assert lines[2]["subject"].startswith("cli:") and lines[2]["auth_method"] == "cli"
    assert lines[1]["previous_hash"] == lines[0]["hash"]
    assert "exported 3 access records" in capsys.readouterr().err

    assert main(["access-log", "export", "--subject", "test-viewer", "--format", "csv"]) == 0
    csv_lines = capsys.readouterr().out.splitlines()
    assert csv_lines[0].startswith("seq,at,subject,roles,") and len(csv_lines) == 2
    assert ",test-viewer,viewer,jwt,One,query," in csv_lines[1]


def test_the_suite_wide_check_notices_an_operation_without_a_record(
    app: TestClient, store: Store, settings: Settings, access_log_check: AccessLogCheck
) -> None:
    _post(app, settings, "viewer", "{ about { service } }")
    assert access_log_check.problems() == []

    store.write(REMOVE, seq=1)  # as if the operation had never been recorded

    (problem,) = access_log_check.problems()
    assert "1 GraphQL operations answered, 0 access records" in problem
    access_log_check.forget()  # this test's deliberate gap is not a failure of the suite


@pytest.fixture
def cli_env(neo4j_target: Neo4jTarget, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_URI", neo4j_target.uri)
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_PASSWORD", neo4j_target.password or "")
    monkeypatch.setenv("GRAPH_LINEAGE_PSEUDONYMIZATION_KEY", TEST_PSEUDONYMIZATION_KEY)
    monkeypatch.setenv("GRAPH_LINEAGE_ENCRYPTION_KEYS", TEST_ENCRYPTION_KEYS)


# --- Refusals at the door (401, 403) ---------------------------------------------------

DOOR_PAGE = """query Door($after: String) {
  accessLog(first: 100, after: $after) {
    edges { node { seq subject errorCodes outcome requestMethod requestPath sourceAddress
                   reason suppressedCount } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def _door_records(store: Store) -> list[AccessRecord]:
    records = query(store, AccessLogFilter(), first=500).records
    return sorted((r for r in records if r.request_path is not None), key=lambda r: r.seq or 0)


def test_refusals_at_the_door_are_recorded_with_their_reasons(
    store: Store, settings: Settings
) -> None:
    migrate(store, settings.migrations_dir)
    with TestClient(create_app(settings)) as client:
        missing = client.post("/graphql", json={"query": "{ about { service } }"})
        forged = client.get(
            "/graphql?query={about{service}}", headers={"Authorization": "Bearer x.y.z"}
        )
        viewer = client.post("/v1/events", content=b"[]", headers=bearer(settings, "viewer"))
    assert [missing.status_code, forged.status_code, viewer.status_code] == [401, 401, 403]

    records = _door_records(store)

    assert [(r.request_method, r.request_path, r.error_codes) for r in records] == [
        ("POST", "/graphql", ("UNAUTHENTICATED",)),
        ("GET", "/graphql", ("UNAUTHENTICATED",)),
        ("POST", "/v1/events", ("FORBIDDEN",)),
    ]
    assert [r.reason for r in records] == [
        missing.json()["detail"],
        forged.json()["detail"],
        viewer.json()["detail"],
    ]
    assert [r.subject for r in records] == ["(anonymous)", "(anonymous)", "test-viewer"]
    assert records[2].roles == ("viewer",) and records[2].auth_method == "jwt"
    assert {r.outcome for r in records} == {"refused"}
    assert {r.source_address for r in records} == {"testclient"}
    assert all(r.suppressed_count is None for r in records)
    assert verify(store).ok


def test_a_flood_from_one_source_is_ten_records_and_a_summary_and_the_chain_holds(
    store: Store, settings: Settings
) -> None:
    migrate(store, settings.migrations_dir)
    with TestClient(create_app(settings)) as client:
        answers = [client.post("/graphql", json={"query": "{ x }"}).status_code for _ in range(50)]
        # A GraphQL operation between them is recorded as always, in the same chain.
        assert _post(client, settings, "auditor", "{ about { service } }").status_code == 200
    assert answers == [401] * 50

    records = _door_records(store)  # the summary is written once the window closes

    assert len(records) == 11
    assert [r.suppressed_count for r in records] == [None] * 10 + [40]
    assert "40 more refusals from this source within 60 s" in (records[-1].reason or "")
    report = verify(store)
    assert report.ok and report.records == 12, report

    with TestClient(create_app(settings)) as client:
        body = _post(client, settings, "auditor", DOOR_PAGE).json()
    nodes = [edge["node"] for edge in body["data"]["accessLog"]["edges"]]
    summary = next(node for node in nodes if node["suppressedCount"] is not None)
    assert summary == {
        **summary,
        "subject": "(anonymous)",
        "errorCodes": ["UNAUTHENTICATED"],
        "outcome": "refused",
        "requestMethod": "POST",
        "requestPath": "/graphql",
        "sourceAddress": "testclient",
        "suppressedCount": 40,
    }
    assert sum(1 for node in nodes if node["requestPath"] == "/graphql") == 11


def test_a_closed_window_is_summarized_while_the_api_runs(store: Store, settings: Settings) -> None:
    migrate(store, settings.migrations_dir)
    quick = settings.model_copy(
        update={"access_log_refusals_per_window": 2, "access_log_refusal_window_seconds": 0.5}
    )
    with TestClient(create_app(quick)) as client:
        for _ in range(5):
            assert client.get("/v1/events").status_code == 401
        deadline = time.monotonic() + 10
        while len(_door_records(store)) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [r.suppressed_count for r in _door_records(store)] == [None, None, 3]


def test_refusals_are_answered_at_once_when_their_records_cannot_be_written(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = settings.model_copy(update={"neo4j_uri": f"bolt://127.0.0.1:{free_port()}"})
    with TestClient(create_app(unreachable)) as elsewhere:
        started = time.monotonic()
        answers = [elsewhere.post("/graphql", json={"query": "{ x }"}) for _ in range(3)]
        answered_in = time.monotonic() - started

    # Appending one record retries for 5 s; waiting for the records would take 15 s or more.
    assert [answer.status_code for answer in answers] == [401, 401, 401]
    assert answered_in < 5, answered_in
    assert "access log: a refusal was not recorded" in caplog.text
