"""Cypher metacharacters in string arguments change nothing but the answer to them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.demo import DemoPipeline
from graph_lineage.events import parse_event
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.writer import LineageWriter

from ..conftest import bearer
from .graph_snapshot import snapshot

PAYLOADS = [
    "source:orders' OR 1=1 //",
    'x"}) MATCH (n) DETACH DELETE n //',
    "`) DETACH DELETE n WITH 1 AS x MATCH (m",
    "rec:req-42-26-0000002\\' RETURN 1 //",
    "}]->(n) DELETE n RETURN 1 AS x //",
    "$uid",
]

QUERIES = {
    "node": ("query($s: ID!) { node(uid: $s) { uid } }", "node"),
    "upstream": ("query($s: ID!) { upstream(uid: $s) { nodes { uid } } }", "upstream"),
    "downstream": ("query($s: ID!) { downstream(uid: $s) { nodes { uid } } }", "downstream"),
    "trace": ("query($s: ID!) { trace(recommendationId: $s) { notes } }", "trace"),
    "impact": ("query($s: ID!) { impact(uid: $s) { recommendations } }", "impact"),
    "diff": (
        'query($s: ID!) { lineageDiff(a: $s, b: "req-42-26-0000002") { identical } }',
        "lineageDiff",
    ),
    "filter": (
        """query($s: String!) { recommendations(filter: {segment: $s, cohort: $s,
        modelVersion: $s, experiment: $s, variant: $s, userPseudonym: $s}) {
        edges { cursor } } }""",
        "recommendations",
    ),
    "cursor": (
        "query($s: String!) { recommendations(after: $s) { edges { cursor } } }",
        "recommendations",
    ),
}


@pytest.fixture
def client(store: Store, settings: Settings) -> Iterator[TestClient]:
    migrate(store, settings.migrations_dir)
    events = [parse_event(raw) for raw in DemoPipeline(200, seed=42).events()]
    LineageWriter(
        store, Pseudonymizer.from_settings(settings), Sealer.from_settings(settings)
    ).write(events)
    with TestClient(create_app(settings), headers=bearer(settings, "admin")) as client:
        yield client


@pytest.mark.parametrize("name", list(QUERIES))
def test_metacharacters_change_nothing(client: TestClient, store: Store, name: str) -> None:
    before = snapshot(store)
    query, field = QUERIES[name]

    for payload in PAYLOADS:
        reply = client.post("/graphql", json={"query": query, "variables": {"s": payload}})
        body = reply.json()
        assert reply.status_code == 200
        data = (body.get("data") or {}).get(field)
        messages = [error["message"] for error in body.get("errors", [])]
        # an unknown uid is null or a clear "not found"/"not a cursor"; never data or a crash
        assert data in (None, {"edges": []}) or (name == "diff" and data is None), (payload, body)
        assert all(
            ("no lineage node" in m or "no recommendation" in m or "not a cursor" in m)
            for m in messages
        ), (payload, messages)
        assert "Neo.ClientError" not in json.dumps(body)  # no Cypher error reached the caller

    assert snapshot(store) == before
