"""``POST /api/v1/lineage`` on a real Neo4j, fed by the real openlineage-python client."""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from openlineage.client import OpenLineageClient
from openlineage.client import event_v2 as ol
from openlineage.client.facet_v2 import schema_dataset
from openlineage.client.transport.http import (
    ApiKeyTokenProvider,
    HttpCompression,
    HttpConfig,
    HttpTransport,
)
from starlette.applications import Starlette
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.auth import ApiKeys, Role
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate

from ..conftest import bearer, free_port

PATH = "/api/v1/lineage"
RUN_ID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"


def lineage_app(store: Store, settings: Settings) -> Starlette:
    """The whole API, as `graph-lineage serve` runs it (store: the same database)."""
    return create_app(settings)


@pytest.fixture
def schema(store: Store, settings: Settings) -> Store:
    migrate(store, settings.migrations_dir)
    return store


@pytest.fixture
def client(schema: Store, settings: Settings) -> Iterator[TestClient]:
    with TestClient(lineage_app(schema, settings), headers=bearer(settings, "producer")) as client:
        yield client


def run_event(event_type: str = "START", **changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "eventTime": "2026-11-01T10:00:00Z",
        "eventType": event_type,
        "producer": "https://example.com/producer",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": RUN_ID},
        "job": {"namespace": "spark", "name": "build_ctr"},
        "inputs": [{"namespace": "s3://lake", "name": "clickstream"}],
    }
    event.update(changes)
    return event


def count(store: Store) -> int:
    rows = store.read("MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS n")
    return int(rows[0]["n"])


def test_one_event_is_stored_and_counted(client: TestClient, schema: Store) -> None:
    reply = client.post(PATH, json=run_event())

    assert reply.status_code == 200
    body = reply.json()
    assert body["accepted"] == 1
    assert body["events"] == {"RunEvent": 1}
    assert body["nodes_created"] == 3
    assert body["warnings"] == []
    assert count(schema) == 3


def test_an_array_and_a_gzipped_body(client: TestClient, schema: Store) -> None:
    events = [run_event("START"), run_event("COMPLETE", eventTime="2026-11-01T11:00:00Z")]
    body = gzip.compress(json.dumps(events).encode())
    headers = {"content-type": "application/json", "content-encoding": "gzip"}

    reply = client.post(PATH, content=body, headers=headers)

    assert reply.status_code == 200
    assert reply.json()["events"] == {"RunEvent": 2}
    state = schema.read("MATCH (r:Run) RETURN r.state AS state")
    assert state == [{"state": "COMPLETE"}]


def test_an_invalid_event_rejects_the_request_and_says_why(
    client: TestClient, schema: Store
) -> None:
    broken = run_event(run={"runId": "42"})
    del broken["producer"]

    reply = client.post(PATH, json=[run_event(), broken, {"hello": "world"}])

    assert reply.status_code == 422
    items = reply.json()["items"]
    assert [item["index"] for item in items] == [1, 2]
    assert {tuple(e["loc"]) for e in items[0]["errors"]} == {
        ("RunEvent", "producer"),
        ("RunEvent", "run", "runId"),
    }
    assert "give `run` and `job` (RunEvent)" in items[1]["errors"][0]["msg"]
    assert count(schema) == 0


def test_a_malformed_facet_is_a_warning_not_a_rejection(client: TestClient) -> None:
    job = {"namespace": "spark", "name": "build_ctr", "facets": {"sql": {"text": "q"}}}

    reply = client.post(PATH, json=run_event(job=job))

    assert reply.status_code == 200
    assert reply.json()["warnings"] == ["[0].job.facets.sql ignored: query: Field required"]


@pytest.mark.parametrize(
    ("content", "headers", "status", "error"),
    [
        (b"{not json", {}, 422, "invalid_json"),
        (b"[]", {}, 422, "invalid_events"),
        (b"\xff\xfe", {}, 422, "invalid_encoding"),
        (b"{}", {"content-encoding": "br"}, 415, "unsupported_encoding"),
        (b"not gzip", {"content-encoding": "gzip"}, 400, "invalid_gzip"),
        (gzip.compress(b"[]")[:-4], {"content-encoding": "gzip"}, 400, "invalid_gzip"),
    ],
)
def test_bodies_that_are_not_events(
    client: TestClient, content: bytes, headers: dict[str, str], status: int, error: str
) -> None:
    reply = client.post(PATH, content=content, headers=headers)

    assert reply.status_code == status
    assert reply.json()["error"] == error


def test_bodies_over_the_limit_before_or_after_decompression(
    schema: Store, settings: Settings
) -> None:
    small = settings.model_copy(update={"ingest_max_body_bytes": 2000})
    bomb = gzip.compress(json.dumps([run_event()] * 100).encode())
    assert len(bomb) < 2000

    with TestClient(lineage_app(schema, small), headers=bearer(small, "producer")) as client:
        plain = client.post(PATH, json=[run_event()] * 100)
        inflated = client.post(PATH, content=bomb, headers={"content-encoding": "gzip"})
        fits = client.post(PATH, json=run_event())

    assert (plain.status_code, inflated.status_code, fits.status_code) == (413, 413, 200)
    assert plain.json()["error"] == "too_large"


@pytest.fixture
def served(schema: Store, settings: Settings) -> Iterator[str]:
    """The endpoint served by uvicorn on a free port, as a real client reaches it."""
    port = free_port()
    config = uvicorn.Config(
        lineage_app(schema, settings), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.parametrize("compression", [None, HttpCompression.GZIP])
def test_the_openlineage_python_client_feeds_the_graph(
    served: str, schema: Store, settings: Settings, compression: HttpCompression | None
) -> None:
    key = ApiKeys(settings.api_keys_file).create(f"spark-{compression}", [Role.PRODUCER])
    config = HttpConfig(
        url=served,
        endpoint="api/v1/lineage",
        compression=compression,
        auth=ApiKeyTokenProvider({"apiKey": key}),  # sent as Authorization: Bearer <key>
    )
    client = OpenLineageClient(transport=HttpTransport(config))
    run = ol.Run(runId=str(uuid.uuid4()))
    job = ol.Job(namespace="spark", name="build_user_ctr_7d")
    schema_facet = schema_dataset.SchemaDatasetFacet(
        fields=[schema_dataset.SchemaDatasetFacetFields(name="user_id", type="string")]
    )
    inputs = [
        ol.InputDataset("kafka://broker:9092", "clickstream", facets={"schema": schema_facet})
    ]
    outputs = [ol.OutputDataset("s3://features", "user_ctr_7d")]
    started = datetime.now(UTC)
    for state, moment in ((ol.RunState.START, started), (ol.RunState.COMPLETE, started + ONE)):
        client.emit(
            ol.RunEvent(
                eventType=state,
                eventTime=moment.isoformat(),
                run=run,
                job=job,
                producer="https://example.com/acceptance",
                inputs=inputs,
                outputs=outputs,
            )
        )
    client.close()

    run_uid = f"run:{run.runId}"
    linked = schema.read(LINKED, run=run_uid)
    assert linked == [
        {
            "job": "job:spark/build_user_ctr_7d",
            "input": "dataset:kafka/broker.9092/clickstream",
            "output": "dataset:s3/features/user_ctr_7d",
            "state": "COMPLETE",
            "schema": ["user_id"],
        }
    ]
    ended = schema.read("MATCH (r:Run {uid: $run}) RETURN r.ended_at AS t", run=run_uid)
    assert ended[0]["t"].to_native() == started + ONE


ONE = timedelta(minutes=1)
LINKED = """
MATCH (output:Dataset)-[:PRODUCED_BY]->(run:Run {uid: $run})-[:RUN_OF]->(job:Job),
      (run)-[:READ]->(input:Dataset)
RETURN job.uid AS job, input.uid AS input, output.uid AS output, run.state AS state,
       input.schema_fields AS schema
"""


def test_the_example_in_the_docs_runs(
    served: str, schema: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = (Path(__file__).parents[2] / "docs" / "openlineage.md").read_text()
    (example,) = re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL)
    key = ApiKeys(settings.api_keys_file).create("docs-example", [Role.PRODUCER])
    monkeypatch.setenv("GRAPH_LINEAGE_API_KEY", key)

    exec(example.replace("http://127.0.0.1:8000", served), {})

    rows = schema.read("MATCH (r:Run)-[:RUN_OF]->(j:Job) RETURN j.uid AS job, r.state AS state")
    assert rows == [{"job": "job:spark/build_user_ctr_7d", "state": "COMPLETE"}]


def test_a_data_source_uri_is_sealed_at_rest_and_opens_for_a_reader(
    client: TestClient, schema: Store, settings: Settings
) -> None:
    uri = "postgres://admin@db.internal:5432/shop"
    facets = {"dataSource": {"name": "orders-db", "uri": uri}}
    event = run_event(inputs=[{"namespace": "postgres://db", "name": "orders", "facets": facets}])

    reply = client.post(PATH, json=event)
    (row,) = schema.read("MATCH (n:Dataset) RETURN n.uid AS uid, n.data_source_uri AS value")
    query = '{ node(uid: "' + row["uid"] + '") { properties } }'
    read = client.post("/graphql", json={"query": query}, headers=bearer(settings, "viewer"))

    assert reply.status_code == 200 and reply.json()["warnings"] == []
    assert row["value"].startswith("enc:v2:") and uri not in row["value"]
    assert "errors" not in read.json(), read.text
    assert read.json()["data"]["node"]["properties"]["data_source_uri"] == uri
