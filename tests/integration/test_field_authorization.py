"""Field-level authorization through the API, role by role, from the policy file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.demo import DemoPipeline
from graph_lineage.events import parse_event
from graph_lineage.governance import RetentionPolicy, run_retention
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.writer import LineageWriter

from ..conftest import bearer


@pytest.fixture
def app(store: Store, settings: Settings) -> Iterator[tuple[TestClient, Settings]]:
    migrate(store, settings.migrations_dir)
    events = [parse_event(raw) for raw in DemoPipeline(300, seed=42).events()]
    LineageWriter(
        store, Pseudonymizer.from_settings(settings), Sealer.from_settings(settings)
    ).write(events)
    with TestClient(create_app(settings)) as client:
        yield client, settings


def test_a_denied_field_is_null_with_a_named_error_and_the_rest_answers(
    app: tuple[TestClient, Settings],
) -> None:
    client, settings = app
    query = """{ node(uid: "rec:req-42-26-0000002") {
        uid ... on Recommendation { userPseudonym segment } } }"""

    body = client.post(
        "/graphql", json={"query": query}, headers=bearer(settings, "engineer")
    ).json()

    assert body["data"]["node"]["userPseudonym"] is None
    assert body["data"]["node"]["segment"]
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN_FIELD"
    assert error["path"] == ["node", "userPseudonym"]


def test_filters_cannot_probe_what_the_caller_may_not_read(
    app: tuple[TestClient, Settings],
) -> None:
    client, settings = app
    query = '{ recommendations(filter: {userPseudonym: "u_0"}) { edges { cursor } } }'

    engineer = client.post("/graphql", json={"query": query}, headers=bearer(settings, "engineer"))
    auditor = client.post("/graphql", json={"query": query}, headers=bearer(settings, "auditor"))

    (error,) = engineer.json()["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN_FIELD"
    assert "Recommendation.userPseudonym" in error["message"]
    assert engineer.json()["data"] is None
    assert "errors" not in auditor.json()


def test_a_viewer_may_not_list_recommendations_by_any_filter(
    app: tuple[TestClient, Settings],
) -> None:
    client, settings = app
    for condition in ('segment: "new"', 'experiment: "ranker-v3-rollout"', ""):
        where = f"(filter: {{{condition}}})" if condition else ""
        query = f"{{ recommendations{where} {{ edges {{ cursor }} }} }}"
        body = client.post("/graphql", json={"query": query}, headers=bearer(settings, "viewer"))
        (error,) = body.json()["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN_FIELD"
        assert error["path"] == ["recommendations"]


def test_governance_records_are_for_auditors_only(
    app: tuple[TestClient, Settings], store: Store
) -> None:
    client, settings = app
    report = run_retention(store, RetentionPolicy.from_settings(settings), dry_run=True)
    fields = "uid ... on RunRecord { runKind dryRun subject }"
    query = f'{{ node(uid: "{report.uid}") {{ {fields} }} }}'

    viewer = client.post(
        "/graphql", json={"query": query}, headers=bearer(settings, "viewer")
    ).json()
    auditor = client.post(
        "/graphql", json={"query": query}, headers=bearer(settings, "auditor")
    ).json()

    assert viewer == {"data": {"node": None}}  # hidden: answers like a missing node
    assert auditor["data"]["node"]["runKind"] == "retention"
    assert auditor["data"]["node"]["dryRun"] is True
