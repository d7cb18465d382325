"""POST /v1/events on the real app and a real Neo4j."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.demo import DemoPipeline
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate, recommendation_count

from ..conftest import bearer


@pytest.fixture
def client(store: Store, settings: Settings) -> Iterator[TestClient]:
    migrate(store, settings.migrations_dir)
    small = settings.model_copy(update={"ingest_max_body_bytes": 200_000})
    with TestClient(create_app(small), headers=bearer(small)) as client:
        yield client


def _events(recommendations: int = 20) -> list[dict[str, object]]:
    return list(DemoPipeline(recommendations, seed=5).events())


def _node_count(store: Store) -> int:
    return int(store.read("MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS n")[0]["n"])


def test_a_json_array_is_written_and_counted(client: TestClient, store: Store) -> None:
    events = _events()

    reply = client.post("/v1/events", json=events)

    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["accepted"] == len(events)
    assert body["events"]["recommendation.served"] == 20
    assert body["nodes_created"] > 20
    assert recommendation_count(store) == 20


def test_ndjson_is_accepted(client: TestClient, store: Store) -> None:
    events = _events()
    ndjson = "\n".join(json.dumps(e) for e in events) + "\n"

    reply = client.post(
        "/v1/events", content=ndjson, headers={"content-type": "application/x-ndjson"}
    )

    assert reply.status_code == 200, reply.text
    assert reply.json()["accepted"] == len(events)
    assert recommendation_count(store) == 20


def test_one_invalid_item_rejects_the_request_and_writes_nothing(
    client: TestClient, store: Store
) -> None:
    events = _events()
    broken = dict(events[-3])
    broken["event_time"] = "yesterday-ish"
    events[-3] = broken

    reply = client.post("/v1/events", json=events)

    assert reply.status_code == 422
    body = reply.json()
    assert body["detail"] == "no event was written"
    assert [item["index"] for item in body["items"]] == [len(events) - 3]
    assert body["items"][0]["event_id"] == broken["event_id"]
    assert body["items"][0]["errors"][0]["loc"][-1] == "event_time"
    assert _node_count(store) == 0


def test_an_unparsable_ndjson_line_is_named_by_its_line(client: TestClient, store: Store) -> None:
    lines = [json.dumps(e) for e in _events(2)[:3]]
    lines.insert(1, "{not json")

    reply = client.post("/v1/events", content="\n".join(lines))

    assert reply.status_code == 422
    assert [item["line"] for item in reply.json()["items"]] == [2]
    assert _node_count(store) == 0


def test_an_unknown_event_type_is_refused(client: TestClient) -> None:
    event = {**_events(1)[0], "type": "feature.teleported"}

    reply = client.post("/v1/events", json=[event])

    assert reply.status_code == 422
    assert "type" in json.dumps(reply.json()["items"][0]["errors"])


def test_a_body_over_the_limit_gets_413(client: TestClient, store: Store) -> None:
    reply = client.post("/v1/events", json=_events(400))

    assert reply.status_code == 413
    assert "200000 bytes" in reply.json()["detail"]
    assert _node_count(store) == 0


def test_an_empty_body_is_refused(client: TestClient) -> None:
    reply = client.post("/v1/events", json=[])

    assert reply.status_code == 422
    assert reply.json()["detail"] == "the body holds no event"


def test_duplicates_inside_one_request_are_counted_once(client: TestClient, store: Store) -> None:
    events = _events(8)
    served = [e for e in events if e["type"] == "recommendation.served"]
    retried = [{**e, "event_id": f"{e['event_id']}-retry"} for e in served]

    reply = client.post("/v1/events", json=events + served + retried)

    assert reply.status_code == 200, reply.text
    rows = store.read(
        "MATCH (r:Recommendation)-[h:HAS_CONTEXT]->() WITH count(h) AS edges"
        " MATCH (u:ContextUsage) RETURN edges, sum(u.count) AS used"
    )
    assert (rows[0]["edges"], rows[0]["used"]) == (8, 8)
    assert recommendation_count(store) == 8
