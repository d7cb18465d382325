"""Field-level authorization through the API, role by role, from the policy file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.auth import Role
from graph_lineage.auth.policy import AccessPolicy
from graph_lineage.demo import DemoPipeline
from graph_lineage.events import parse_event
from graph_lineage.governance import RetentionPolicy, run_retention
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.writer import LineageWriter

from ..conftest import bearer

READERS = [r for r in Role if r is not Role.PRODUCER]
# One node of each kind the demo has, asked for through node(uid) with every field.
SAMPLES = {
    "DataSource": "source:orders",
    "Feature": "feature:user_ctr_7d",
    "FeatureVersion": "feature:user_ctr_7d@v2",
    "Model": "model:ranker",
    "ModelVersion": "model:ranker@v2",
    "Deployment": "deployment:ranker/production@v2",
    "Experiment": "experiment:ranker-v3-rollout",
    "Variant": "variant:ranker-v3-rollout/control",
    "Recommendation": "rec:req-42-26-0000002",
}


@pytest.fixture
def app(store: Store, settings: Settings) -> Iterator[tuple[TestClient, Settings]]:
    migrate(store, settings.migrations_dir)
    events = [parse_event(raw) for raw in DemoPipeline(300, seed=42).events()]
    LineageWriter(store, Pseudonymizer.from_settings(settings)).write(events)
    with TestClient(create_app(settings)) as client:
        yield client, settings


def _fields_of(client: TestClient, settings: Settings, type_name: str) -> list[str]:
    query = f'{{ __type(name: "{type_name}") {{ fields {{ name }} }} }}'
    body = client.post("/graphql", json={"query": query}, headers=bearer(settings)).json()
    fields = body["data"]["__type"]["fields"]
    return [f["name"] + (" { uid }" if f["name"] == "versions" else "") for f in fields]


@pytest.mark.parametrize("role", READERS, ids=lambda r: r.value)
def test_each_role_reads_exactly_what_the_policy_grants_through_node(
    app: tuple[TestClient, Settings], role: Role
) -> None:
    client, settings = app
    policy = AccessPolicy.load(settings.access_policy_file)
    for type_name, uid in SAMPLES.items():
        fields = _fields_of(client, settings, type_name)
        query = f'{{ node(uid: "{uid}") {{ ... on {type_name} {{ {" ".join(fields)} }} }} }}'
        body = client.post(
            "/graphql", json={"query": query}, headers=bearer(settings, role.value)
        ).json()
        errors = body.get("errors", [])
        assert all(e.get("extensions", {}).get("code") == "FORBIDDEN_FIELD" for e in errors), errors
        denied = {e["path"][-1] for e in errors}
        expected = {
            f.split()[0]
            for f in fields
            if not policy.may_read(frozenset({role}), type_name, f.split()[0])
        }
        assert denied == expected, (role, type_name)
        node: dict[str, Any] = body["data"]["node"]
        assert all(node[name] is None for name in denied)
        assert node["uid"] == uid


def test_a_denied_field_is_null_with_a_named_error_and_the_rest_answers(
    app: tuple[TestClient, Settings],
) -> None:
    client, settings = app
    query = """{ node(uid: "rec:req-42-26-0000002") {
        uid ... on Recommendation { userPseudonym segment } } }"""

    body = client.post("/graphql", json={"query": query}, headers=bearer(settings, "viewer")).json()

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

    viewer = client.post("/graphql", json={"query": query}, headers=bearer(settings, "viewer"))
    auditor = client.post("/graphql", json={"query": query}, headers=bearer(settings, "auditor"))

    assert viewer.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN_FIELD"
    assert viewer.json()["data"] is None
    assert "errors" not in auditor.json()


def test_governance_records_are_for_auditors_only(
    app: tuple[TestClient, Settings], store: Store
) -> None:
    client, settings = app
    report = run_retention(store, RetentionPolicy.from_settings(settings), dry_run=True)
    fields = "uid ... on AuditRecord { runKind dryRun subject }"
    query = f'{{ node(uid: "{report.uid}") {{ {fields} }} }}'

    viewer = client.post(
        "/graphql", json={"query": query}, headers=bearer(settings, "viewer")
    ).json()
    auditor = client.post(
        "/graphql", json={"query": query}, headers=bearer(settings, "auditor")
    ).json()

    assert viewer["data"]["node"] is None
    assert {e["extensions"]["code"] for e in viewer["errors"]} == {"FORBIDDEN_FIELD"}
    assert auditor["data"]["node"]["runKind"] == "retention"
    assert auditor["data"]["node"]["dryRun"] is True
