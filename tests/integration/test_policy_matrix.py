"""Role by field: every cell of the access policy, through every way into the graph.

Each read role asks for every field of every type through ``node``, ``upstream``,
``downstream``, ``trace``, ``impact``, ``recommendations``, ``lineageDiff``,
``impactAnalysis`` and ``anomalies``. In every
object of every answer, the fields that failed with FORBIDDEN_FIELD are exactly those the
policy denies that role, and no node of a kind the role may not see appears at all.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.anomalies import scan
from graph_lineage.auth import Role
from graph_lineage.auth.policy import AccessPolicy
from graph_lineage.demo import DemoPipeline
from graph_lineage.events import parse_event
from graph_lineage.governance import RetentionPolicy, run_retention
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.writer import LineageWriter

from ..conftest import bearer
from .policy_walk import Cells, Schema, ask, check

READERS = [r for r in Role if r is not Role.PRODUCER]
SAMPLES = {
    "DataSource": "source:orders",
    "Feature": "feature:user_ctr_7d",
    "FeatureVersion": "feature:user_ctr_7d@v2",
    "Model": "model:ranker",
    "ModelVersion": "model:ranker@v2",
    "Deployment": "deployment:ranker/production@v2",
    "Experiment": "experiment:ranker-v3-rollout",
    "Variant": "variant:ranker-v3-rollout/control",
}
# Cells answered by other tests: the access log has its own (test_access_log.py).
ELSEWHERE_PREFIX = "Access"
ELSEWHERE_QUERY_FIELDS = {"accessLog"}
SKEWED = {
    "type": "recommendation.served",
    "event_id": "skewed-1",
    "event_time": "2026-10-16T12:00:00Z",
    "producer": "test",
    "request_id": "req-42-15-skewed",
    "served_at": "2026-10-16T12:00:00Z",
    "user_id": "user-00001",
    "segment": "new",
    "model_version": "model:ranker@v2",
    "feature_versions": ["feature:user_ctr_7d@v3"],
}


@pytest.fixture
def client(store: Store, settings: Settings) -> Iterator[TestClient]:
    migrate(store, settings.migrations_dir)
    events = [parse_event(raw) for raw in DemoPipeline(300, seed=42).events()]
    writer = LineageWriter(
        store, Pseudonymizer.from_settings(settings), Sealer.from_settings(settings)
    )
    writer.write(events)
    writer.write([parse_event(SKEWED)])  # served a feature version not trained on: an anomaly
    scan(store)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _one(store: Store, query: str) -> str:
    rows = store.read(query)  # type: ignore[arg-type]  # fixed test queries
    return str(rows[0]["uid"])


def _entry_points(store: Store, settings: Settings) -> dict[str, str]:
    """Query field → the arguments that reach much of the graph from it."""
    with_outcomes = _one(
        store,
        "MATCH (r:Recommendation)<-[:FOR]-(:Outcome) RETURN r.uid AS uid ORDER BY uid LIMIT 1",
    )
    other = _one(store, "MATCH (r:Recommendation) RETURN r.uid AS uid ORDER BY uid DESC LIMIT 1")
    context = _one(store, "MATCH (c:LineageContext) RETURN c.uid AS uid ORDER BY uid LIMIT 1")
    return {
        "about": "",
        "upstream": f'(uid: "{context}", depth: 10)',
        "downstream": '(uid: "source:orders", depth: 10)',
        "trace": f'(recommendationId: "{with_outcomes}")',
        "impact": '(uid: "source:orders")',
        "recommendations": "(first: 3)",
        "lineageDiff": f'(a: "{with_outcomes}", b: "{other}")',
        "anomalies": "(first: 3)",
        "impactAnalysis": '(change: {asOf: "2026-10-31T00:00:00Z", changes: [{replace:'
        ' "feature:user_ctr_7d@v2", with: "feature:user_ctr_7d@v3"}]})',
    }


def _node_samples(store: Store, settings: Settings) -> list[str]:
    audit = run_retention(store, RetentionPolicy.from_settings(settings), dry_run=True).uid
    statistics = _one(store, "MATCH (s:FeatureStatistics) RETURN s.uid AS uid LIMIT 1")
    outcome = _one(store, "MATCH (o:Outcome) RETURN o.uid AS uid LIMIT 1")
    recommendation = _one(store, "MATCH (r:Recommendation) RETURN r.uid AS uid LIMIT 1")
    anomaly = _one(store, "MATCH (a:Anomaly) RETURN a.uid AS uid LIMIT 1")
    return [*SAMPLES.values(), audit, statistics, outcome, recommendation, anomaly]


def test_every_role_reads_exactly_its_cells_through_every_query(
    client: TestClient, store: Store, settings: Settings
) -> None:
    policy = AccessPolicy.load(settings.access_policy_file)
    schema = Schema.load(client, bearer(settings))
    node_types = schema.node_types()
    fragment = schema.fragment()
    query_fields = {f["name"]: f for f in schema.types["Query"]["fields"]}
    entry_points = _entry_points(store, settings)
    nodes = _node_samples(store, settings)
    cells = Cells()

    for role in READERS:
        for name, arguments in entry_points.items():
            target = query_fields[name]["type"]
            while target["kind"] in ("NON_NULL", "LIST"):
                target = target["ofType"]
            selection = schema.selection(target["name"])
            used = fragment if "...All" in selection else ""
            query = f"{{ {name}{arguments} {{ {selection} }} }} {used}"
            check(ask(client, settings, role, query), role, policy, node_types, cells)
        for uid in nodes:
            query = f'{{ node(uid: "{uid}") {{ ...All }} }} {fragment}'
            body = ask(client, settings, role, query)
            check(body, role, policy, node_types, cells)

    everything = {
        cell
        for cell in policy.rules
        if cell[0] != "LineageNode"  # an interface: its fields answer as a node type's
        and not cell[0].startswith(ELSEWHERE_PREFIX)
        and not (cell[0] == "Query" and cell[1] in ELSEWHERE_QUERY_FIELDS)
    }
    answered = set().union(*cells.seen.values())
    assert everything - answered == set(), "policy cells no query reached"


def test_each_hidden_kind_answers_like_a_missing_node(
    client: TestClient, store: Store, settings: Settings
) -> None:
    policy = AccessPolicy.load(settings.access_policy_file)
    recommendation = _one(store, "MATCH (r:Recommendation) RETURN r.uid AS uid LIMIT 1")
    missing = "rec:no-such-request"
    for role in READERS:
        sees = policy.may_read(frozenset({role}), "Recommendation", "uid")
        for uid in (recommendation, missing):
            node = ask(client, settings, role, f'{{ node(uid: "{uid}") {{ uid }} }}')
            graph = ask(client, settings, role, f'{{ upstream(uid: "{uid}") {{ root }} }}')
            if sees and uid == recommendation:
                assert node["data"]["node"]["uid"] == uid
                assert graph["data"]["upstream"]["root"] == uid
                continue
            assert node == {"data": {"node": None}}
            (error,) = graph["errors"]
            assert error["message"] == f"no lineage node has uid {uid!r}"
