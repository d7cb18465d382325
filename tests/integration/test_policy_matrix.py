"""Role by field: every cell of the access policy, through every way into the graph.

Each read role asks for every field of every type through ``node``, ``upstream``,
``downstream``, ``trace``, ``impact``, ``recommendations``, ``lineageDiff``,
``changePlan`` (and the deprecated ``impactAnalysis``), ``anomalies``, ``dashboard``,
``runRecords`` and ``search`` (and ``downstream`` collapsed into groups). In every object of
every answer, the fields that failed with FORBIDDEN_FIELD are exactly those the policy denies
that role, and no node of a kind the role may not see appears at all. Under a
policy that hides data sources, no answer names one, not even in a property of a node that
is shown (a feature version's ``derivedFrom``, the ``versions`` of a node).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

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
from .policy_walk import Cells, Schema, ask, check, hiding

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
# Cells answered by other tests: the access log has its own (test_access_log.py), drift
# too (test_drift_graphql.py: its alerts need a demo with drift and a drift scan),
# experiment reports (test_experiments_graphql.py: effects need thousands of requests), and
# the mutation with its stamp (test_exports.py). The node types among SAMPLES (Experiment)
# are answered here.
ELSEWHERE_PREFIXES = ("Access", "Drift", "Experiment", "Export", "Mutation")
ELSEWHERE_QUERY_FIELDS = {
    "accessLog",
    "driftAlerts",
    "driftReport",
    "experimentReport",
    "experiments",
}
CHANGE_PLAN = (
    '(change: {asOf: "2026-10-31T00:00:00Z", changes: [{replace:'
    ' "feature:user_ctr_7d@v2", with: "feature:user_ctr_7d@v3"}]})'
)
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


def _entry_points(store: Store, settings: Settings) -> dict[str, str | list[str]]:
    """Query field → the arguments (one or several) that reach much of the graph from it."""
    with_outcomes = _one(
        store,
        "MATCH (r:Recommendation)<-[:FOR]-(:Outcome) RETURN r.uid AS uid ORDER BY uid LIMIT 1",
    )
    other = _one(store, "MATCH (r:Recommendation) RETURN r.uid AS uid ORDER BY uid DESC LIMIT 1")
    context = _one(store, "MATCH (c:LineageContext) RETURN c.uid AS uid ORDER BY uid LIMIT 1")
    return {
        "about": "",
        "me": "",
        "upstream": f'(uid: "{context}", depth: 10)',
        "downstream": [
            '(uid: "source:orders", depth: 10)',
            '(uid: "source:orders", depth: 10, collapse: true)',  # groups instead of leaves
        ],
        "search": '(text: "source", first: 50)',
        "trace": f'(recommendationId: "{with_outcomes}")',
        "impact": '(uid: "source:orders")',
        "recommendations": "(first: 3)",
        "lineageDiff": f'(a: "{with_outcomes}", b: "{other}")',
        "anomalies": "(first: 3)",
        "dashboard": '(from: "2026-10-01T00:00:00Z", to: "2026-11-01T00:00:00Z")',
        "runRecords": "(first: 5)",
        "changePlan": CHANGE_PLAN,
        "impactAnalysis": CHANGE_PLAN,  # deprecated: changePlan
    }


def _node_samples(store: Store, settings: Settings) -> list[str]:
    audit = run_retention(store, RetentionPolicy.from_settings(settings), dry_run=True).uid
    statistics = _one(store, "MATCH (s:FeatureStatistics) RETURN s.uid AS uid LIMIT 1")
    outcome = _one(store, "MATCH (o:Outcome) RETURN o.uid AS uid LIMIT 1")
    recommendation = _one(store, "MATCH (r:Recommendation) RETURN r.uid AS uid LIMIT 1")
    anomaly = _one(store, "MATCH (a:Anomaly) RETURN a.uid AS uid LIMIT 1")
    return [*SAMPLES.values(), audit, statistics, outcome, recommendation, anomaly]


def _ask_everything(
    client: TestClient,
    store: Store,
    settings: Settings,
    policy: AccessPolicy,
    entry_points: dict[str, str | list[str]],
) -> tuple[Cells, dict[Role, list[str]]]:
    """Every field through every entry point and every sample node, checked for each role.

    Returns the cells answered and, per role, the text of every answer.
    """
    schema = Schema.load(client, bearer(settings))
    node_types = schema.node_types()
    fragment = schema.fragment()
    query_fields = {f["name"]: f for f in schema.types["Query"]["fields"]}
    nodes = _node_samples(store, settings)
    cells = Cells()
    answers: dict[Role, list[str]] = {}

    for role in READERS:
        queries = [f'{{ node(uid: "{uid}") {{ ...All }} }} {fragment}' for uid in nodes]
        for name, asked in entry_points.items():
            target = query_fields[name]["type"]
            while target["kind"] in ("NON_NULL", "LIST"):
                target = target["ofType"]
            selection = schema.selection(target["name"])
            used = fragment if "...All" in selection else ""
            for arguments in [asked] if isinstance(asked, str) else asked:
                queries.append(f"{{ {name}{arguments} {{ {selection} }} }} {used}")
        for query in queries:
            body = ask(client, settings, role, query)
            check(body, role, policy, node_types, cells)
            answers.setdefault(role, []).append(json.dumps(body))
    return cells, answers


def test_every_role_reads_exactly_its_cells_through_every_query(
    client: TestClient, store: Store, settings: Settings
) -> None:
    policy = AccessPolicy.load(settings.access_policy_file)
    cells, _ = _ask_everything(client, store, settings, policy, _entry_points(store, settings))

    everything = {
        cell
        for cell in policy.rules
        if cell[0] != "LineageNode"  # an interface: its fields answer as a node type's
        and (cell[0] in SAMPLES or not cell[0].startswith(ELSEWHERE_PREFIXES))
        and not (cell[0] == "Query" and cell[1] in ELSEWHERE_QUERY_FIELDS)
    }
    answered = set().union(*cells.seen.values())
    assert everything - answered == set(), "policy cells no query reached"


def _hiding_data_sources(settings: Settings, tmp_path: Path) -> Settings:
    """The shipped policy, except that only admins may see data sources."""
    return hiding(settings, tmp_path, ["DataSource"])


def test_a_hidden_data_source_is_named_in_no_answer(
    client: TestClient, store: Store, settings: Settings, tmp_path: Path
) -> None:
    hiding = _hiding_data_sources(settings, tmp_path)
    policy = AccessPolicy.load(hiding.access_policy_file)
    sources = {str(row["uid"]) for row in store.read("MATCH (s:DataSource) RETURN s.uid AS uid")}
    assert "source:orders" in sources
    entry_points = _entry_points(store, settings)
    # Asked from a feature version: asked from a data source, they'd answer "no such node".
    entry_points["downstream"] = f'(uid: "{SAMPLES["FeatureVersion"]}", depth: 10)'
    entry_points["impact"] = f'(uid: "{SAMPLES["FeatureVersion"]}")'
    with TestClient(create_app(hiding)) as hidden_client:
        _, answers = _ask_everything(hidden_client, store, hiding, policy, entry_points)

    for role, texts in answers.items():
        named = {uid for text in texts for uid in sources if f'"{uid}"' in text}
        if role is Role.ADMIN:
            assert named, "the admin sees data sources: the answers should name some"
        else:
            assert named == set(), (role, sorted(named))


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
