"""Bad input on both ingest endpoints: a JSON 4xx, never a 5xx, and nothing written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate

from ..conftest import bearer
from ..unit.test_event_limits import BIG, run_event, served

ENDPOINTS = ["/v1/events", "/api/v1/lineage"]


@pytest.fixture
def client(store: Store, settings: Settings) -> Iterator[TestClient]:
    migrate(store, settings.migrations_dir)
    with TestClient(create_app(settings), headers=bearer(settings)) as client:
        yield client


def _graph(store: Store) -> tuple[int, int]:
    nodes = store.read("MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS n")[0]["n"]
    edges = store.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    return int(nodes), int(edges)


def _refused(reply: Any, status: int, error: str) -> None:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json()["error"] == error


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_body_nested_a_thousand_deep_is_a_json_422(
    client: TestClient, store: Store, path: str
) -> None:
    reply = client.post(path, content="[" * 1000 + "]" * 1000)

    _refused(reply, 422, "too_deep")
    assert _graph(store) == (0, 0)


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("literal", ["NaN", "Infinity", "1e999"])
def test_non_finite_numbers_are_refused(
    client: TestClient, store: Store, path: str, literal: str
) -> None:
    event = served() if path == "/v1/events" else run_event()
    text = json.dumps([event]).replace('"producer": ', f'"x": {literal}, "producer": ', 1)

    reply = client.post(path, content=text, headers={"content-type": "application/json"})

    _refused(reply, 422, "non_finite_number")
    assert _graph(store) == (0, 0)


def test_a_score_of_1e999_in_ndjson_names_its_line(client: TestClient, store: Store) -> None:
    line = json.dumps(served()).replace('"score": 0.5', '"score": 1e999')

    reply = client.post(
        "/v1/events", content=line, headers={"content-type": "application/x-ndjson"}
    )

    _refused(reply, 422, "invalid_events")
    assert reply.json()["items"][0]["line"] == 1
    assert _graph(store) == (0, 0)


def test_a_ten_megabyte_job_name_is_a_422_not_a_store_error(
    client: TestClient, store: Store
) -> None:
    reply = client.post("/api/v1/lineage", json=run_event(name=BIG))

    _refused(reply, 422, "invalid_events")
    assert _graph(store) == (0, 0)


def test_a_ten_megabyte_error_string_is_refused(client: TestClient, store: Store) -> None:
    reply = client.post("/v1/events", json=[served(error=BIG)])

    _refused(reply, 422, "invalid_events")
    assert _graph(store) == (0, 0)


def test_a_longer_error_is_stored_where_the_setting_allows_it(
    store: Store, settings: Settings
) -> None:
    migrate(store, settings.migrations_dir)
    roomy = settings.model_copy(update={"max_free_text": 50_000})
    with TestClient(create_app(roomy), headers=bearer(roomy)) as client:
        stored = client.post("/v1/events", json=[served(error="e" * 40_000)])
        refused = client.post("/v1/events", json=[served(request_id="r2", error="e" * 50_001)])

    assert stored.status_code == 200, stored.text
    _refused(refused, 422, "invalid_events")
    assert "max_free_text" in refused.text
    rows = store.read("MATCH (r:Recommendation) RETURN r.uid AS uid, size(r.error) AS n")
    assert [(row["uid"], row["n"]) for row in rows] == [("rec:r1", 40_000)]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_another_content_type_is_a_415(client: TestClient, store: Store, path: str) -> None:
    body = json.dumps([served()] if path == "/v1/events" else run_event())

    reply = client.post(path, content=body, headers={"content-type": "application/xml"})

    _refused(reply, 415, "unsupported_media_type")
    assert _graph(store) == (0, 0)


def test_a_single_object_is_one_event(client: TestClient, store: Store) -> None:
    reply = client.post("/v1/events", json=served())

    assert reply.status_code == 200, reply.text
    assert reply.json()["accepted"] == 1


def test_curls_default_content_type_is_read(client: TestClient) -> None:
    reply = client.post(
        "/v1/events",
        content=json.dumps(served()),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    assert reply.status_code == 200, reply.text


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
# Valid events with one field replaced by anything, and anything at all.
_typed = st.builds(lambda k, v: served(**{k: v}), st.sampled_from(list(served())), _json)
_lineage = st.builds(lambda k, v: {**run_event(), k: v}, st.sampled_from(list(run_event())), _json)


def _post_and_check(client: TestClient, store: Store, path: str, content: str) -> None:
    before = _graph(store)
    reply = client.post(path, content=content)
    assert reply.status_code < 500, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    if reply.status_code >= 400:
        assert _graph(store) == before


@given(body=st.one_of(_typed, _json, st.text(max_size=50)))
def test_any_body_on_v1_events_is_2xx_or_a_json_4xx(
    client: TestClient, store: Store, body: Any
) -> None:
    content = body if isinstance(body, str) else json.dumps([body], allow_nan=True)
    _post_and_check(client, store, "/v1/events", content)


@given(body=st.one_of(_lineage, _json, st.text(max_size=50)))
def test_any_body_on_the_openlineage_endpoint_is_2xx_or_a_json_4xx(
    client: TestClient, store: Store, body: Any
) -> None:
    content = body if isinstance(body, str) else json.dumps(body, allow_nan=True)
    _post_and_check(client, store, "/api/v1/lineage", content)
