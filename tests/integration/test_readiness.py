from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage import __version__
from graph_lineage.errors import ConfigurationError
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate

from ..conftest import (
    TEST_ENCRYPTION_KEYS,
    TEST_JWT_SECRET,
    TEST_PSEUDONYMIZATION_KEY,
    bearer,
    free_port,
)


@pytest.fixture
def client(store: Store, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), headers=bearer(settings, "viewer")) as client:
        yield client


def test_healthz_answers_without_looking_at_neo4j(client: TestClient) -> None:
    reply = client.get("/healthz")

    assert reply.status_code == 200
    assert reply.json()["status"] == "ok"


def test_not_ready_until_migrated_then_ready_with_the_neo4j_version(
    client: TestClient, store: Store, settings: Settings
) -> None:
    before = client.get("/readyz")
    assert before.status_code == 503
    assert "pending migrations: 0001_uid_constraints.cypher" in before.json()["reason"]

    migrate(store, settings.migrations_dir)
    after = client.get("/readyz")

    assert after.status_code == 200
    assert after.json()["status"] == "ready"
    assert after.json()["neo4j"]["version"].startswith("5.26")


def test_not_ready_when_neo4j_is_unreachable(tmp_path: object) -> None:
    settings = Settings(
        neo4j_uri=f"bolt://127.0.0.1:{free_port()}",
        neo4j_password="x",
        pseudonymization_key=TEST_PSEUDONYMIZATION_KEY,
        encryption_keys=TEST_ENCRYPTION_KEYS,
        auth_jwt_secret=TEST_JWT_SECRET,
    )
    with TestClient(create_app(settings)) as client:
        reply = client.get("/readyz")

    assert reply.status_code == 503
    assert "unreachable" in reply.json()["reason"]


def test_graphql_reports_service_and_neo4j_versions(client: TestClient) -> None:
    query = "{ about { service version neo4jVersion neo4jEdition } }"
    reply = client.post("/graphql", json={"query": query})

    about = reply.json()["data"]["about"]
    assert about["service"] == "graph-lineage"
    assert about["version"] == __version__
    assert about["neo4jVersion"].startswith("5.26")
    assert about["neo4jEdition"] == "community"


def test_a_browser_asking_graphql_for_a_page_is_sent_to_the_built_in_graphiql(
    client: TestClient,
) -> None:
    reply = client.get("/graphql", headers={"accept": "text/html"}, follow_redirects=False)

    assert reply.status_code == 303
    assert reply.headers["location"] == "/ui/graphiql"


def test_the_app_refuses_to_start_without_a_pseudonymization_key(settings: Settings) -> None:
    keyless = settings.model_copy(update={"pseudonymization_key": None})

    with pytest.raises(ConfigurationError, match="GRAPH_LINEAGE_PSEUDONYMIZATION_KEY is not set"):
        create_app(keyless)


def test_an_outage_answers_503_with_retry_after_on_probe_and_ingest(tmp_path: object) -> None:
    settings = Settings(
        neo4j_uri=f"bolt://127.0.0.1:{free_port()}",
        neo4j_password="x",
        pseudonymization_key=TEST_PSEUDONYMIZATION_KEY,
        encryption_keys=TEST_ENCRYPTION_KEYS,
        auth_jwt_secret=TEST_JWT_SECRET,
    )
    with TestClient(create_app(settings), headers=bearer(settings, "producer")) as client:
        probe = client.get("/readyz")
        ingest = client.post("/v1/events", content=_ONE_EVENT)

    assert probe.status_code == 503
    assert probe.headers["retry-after"] == "5"
    assert ingest.status_code == 503, ingest.text
    assert ingest.headers["retry-after"] == "5"
    assert ingest.json()["error"] == "unavailable"


_ONE_EVENT = (
    '[{"type": "data_source.registered", "event_id": "outage-1",'
    ' "event_time": "2026-11-01T00:00:00Z", "producer": "test", "name": "clickstream",'
    ' "kind": "table", "uri": "s3://bucket/clicks", "owner": "data"}]'
)
