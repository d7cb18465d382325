"""Request limits on /graphql, and errors that tell callers nothing about the inside."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.settings import Settings
from graph_lineage.store import Store

from ..conftest import bearer


@pytest.fixture
def client(store: Store, settings: Settings) -> Iterator[TestClient]:
    tight = settings.model_copy(
        update={"graphql_max_depth": 4, "graphql_max_tokens": 120, "graphql_max_aliases": 2}
    )
    with TestClient(create_app(tight), headers=bearer(tight, "viewer")) as client:
        yield client


def _errors(client: TestClient, query: str) -> list[str]:
    body = client.post("/graphql", json={"query": query}).json()
    return [error["message"] for error in body.get("errors", [])]


def test_a_deep_query_is_refused(client: TestClient) -> None:
    deep = '{ upstream(uid: "source:x") { nodes { versions { versions { versions { uid } } } } } }'

    assert any("exceeds maximum operation depth of 4" in m for m in _errors(client, deep))


def test_a_long_query_is_refused(client: TestClient) -> None:
    long = "{ about { " + " ".join(["service"] * 130) + " } }"

    assert any(
        "exceeds maximum token count" in m.lower() or "token" in m.lower()
        for m in _errors(client, long)
    )


def test_too_many_aliases_are_refused(client: TestClient) -> None:
    aliased = "{ a: about { service } b: about { service } c: about { service } }"

    assert any("alias" in m.lower() for m in _errors(client, aliased))


def test_internal_errors_are_masked_and_user_errors_are_not(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(store: Store) -> None:  # a bug in our own code, not a Neo4j stand-in
        raise RuntimeError("CALL dbms.components() YIELD secret")

    # the module, not the Schema object api.graphql exports under the same name
    monkeypatch.setattr(sys.modules["api.graphql.schema"], "server_info", failing)

    response = client.post("/graphql", json={"query": "{ about { service } }"})
    masked = _errors(client, "{ about { service } }")
    shown = _errors(client, '{ upstream(uid: "source:x", depth: 0) { truncated } }')

    assert masked == ["Unexpected error."]
    assert "dbms" not in response.text and "Traceback" not in response.text
    assert shown == ["depth must be between 1 and 20, not 0"]
