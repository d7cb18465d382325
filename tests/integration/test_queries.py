"""The lineage queries on a real Neo4j holding the demo pipeline or a hand-made migration."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.change_plans.serving import Serving
from graph_lineage.demo import DemoPipeline
from graph_lineage.errors import NodeNotFound
from graph_lineage.lineage.impact import dependents, impact
from graph_lineage.lineage.recommendations import (
    RecommendationFilter,
    lineage_diff,
    recommendations,
)
from graph_lineage.lineage.trace import trace
from graph_lineage.lineage.traversal import downstream, find_node, upstream
from graph_lineage.settings import Settings
from graph_lineage.store import Store

from ..conftest import bearer
from .loading import load_events

T0 = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def demo(store: Store, settings: Settings) -> Store:
    load_events(store, settings, list(DemoPipeline(600, seed=3).events()))
    return store


def _event(event_type: str, event_id: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {
        "type": event_type,
        "event_id": event_id,
        "event_time": at.isoformat(),
        "producer": "test",
        **fields,
    }


def _migration_events() -> list[dict[str, Any]]:
    """ctr moves from v3 to v4 at T0 + 1 day; ranker v2 is trained on v4 and takes over."""
    switch = T0 + timedelta(days=1)
    events = [
        _event(
            "data_source.registered",
            "s",
            T0 - timedelta(days=9),
            name="clicks",
            kind="stream",
            uri="kafka://clicks",
            owner="web",
        ),
    ]
    for version, at in (("v3", T0 - timedelta(days=5)), ("v4", switch)):
        events.append(
            _event(
                "feature_version.materialized",
                f"f-{version}",
                at,
                feature="ctr",
                version=version,
                schema_hash="s" * 8,
                transform_hash=version * 4,
                derived_from=["source:clicks"],
                feature_store="feast",
                materialized_at=at.isoformat(),
            )
        )
    for number, (feature, at) in enumerate((("v3", T0 - timedelta(days=4)), ("v4", switch)), 1):
        events.append(
            _event(
                "model_version.trained",
                f"m-{number}",
                at,
                model="ranker",
                version=f"v{number}",
                trained_on=[f"feature:ctr@{feature}"],
                training_window_start=at.isoformat(),
                training_window_end=at.isoformat(),
                artifact_uri="s3://m",
                artifact_hash="abcd",
            )
        )
    for hour in (6, 30):  # one request before the switch, one after
        at = T0 + timedelta(hours=hour)
        version = "v3" if at < switch else "v4"
        events.append(
            _event(
                "recommendation.served",
                f"r-{hour}",
                at,
                request_id=f"req-{hour}",
                served_at=at.isoformat(),
                user_id="u1",
                segment="new",
                model_version=f"model:ranker@v{1 if version == 'v3' else 2}",
                feature_versions=[f"feature:ctr@{version}"],
            )
        )
    return events


def test_trace_follows_a_feature_migration(store: Store, settings: Settings) -> None:
    load_events(store, settings, _migration_events())

    before, after = trace(store, "req-6"), trace(store, "req-30")

    assert before is not None and after is not None
    assert [n.uid for n in before.served_features] == ["feature:ctr@v3"]
    assert [n.uid for n in after.served_features] == ["feature:ctr@v4"]
    assert before.model_version and before.model_version.uid == "model:ranker@v1"
    assert [e.target for e in after.derivations] == ["source:clicks"]
    assert before.notes == [] and after.served_not_trained == []


def test_as_of_shows_lineage_as_it_stood(store: Store, settings: Settings) -> None:
    load_events(store, settings, _migration_events())

    then = downstream(store, "source:clicks", depth=3, as_of=T0)
    now = downstream(store, "source:clicks", depth=3)

    assert {n.uid for n in then.nodes} >= {"feature:ctr@v3", "model:ranker@v1"}
    assert not {"feature:ctr@v4", "model:ranker@v2"} & {n.uid for n in then.nodes}
    assert {"feature:ctr@v4", "model:ranker@v2"} <= {n.uid for n in now.nodes}


def _serving_again_events() -> list[dict[str, Any]]:
    """Variant a serves ranker v1 from T0, v2 from T0 + 5 days, v1 again from T0 + 10 days;
    one request in each period."""
    events = []
    for number, (day, version) in enumerate(((0, "v1"), (5, "v2"), (10, "v1"))):
        at = T0 + timedelta(days=day)
        declared = [{"name": "a", "traffic_share": 1.0, "model_version": f"model:ranker@{version}"}]
        kind = "experiment.changed" if day else "experiment.started"
        events.append(
            _event(kind, f"x-{number}", at, experiment="exp", salt="s", variants=declared)
        )
        served = at + timedelta(days=1)
        events.append(
            _event(
                "recommendation.served", f"r-{number}", served, request_id=f"req-{number}",
                served_at=served.isoformat(), user_id="u1", segment="new",
                model_version=f"model:ranker@{version}", experiment="exp", variant="a",
            )
        )  # fmt: skip
    return events


def test_as_of_shows_what_a_variant_served_in_each_period(store: Store, settings: Settings) -> None:
    load_events(store, settings, _serving_again_events())

    for day, version in ((1, "v1"), (6, "v2"), (11, "v1")):
        then = upstream(store, "variant:exp/a", depth=1, as_of=T0 + timedelta(days=day))
        served = [e.target for e in then.edges if e.type == "SERVES"]
        assert served == [f"model:ranker@{version}"], f"day {day}"
        assert {n.uid for n in then.nodes} == {"variant:exp/a", "experiment:exp", served[0]}
    for number, version in enumerate(("v1", "v2", "v1")):
        found = trace(store, f"req-{number}")
        assert found is not None and found.declared_model_versions == [f"model:ranker@{version}"]
    ranker_v1 = find_node(store, "model:ranker@v1")
    assert ranker_v1 is not None
    for day, serving in ((1, True), (6, False), (11, True)):  # the change plans' view
        arms = Serving(dependents(store, ranker_v1), T0 + timedelta(days=day)).arms
        assert [arm.variant for arm in arms] == (["variant:exp/a"] if serving else []), day
    every = upstream(store, "variant:exp/a", depth=1).edges
    assert sorted((e.target, e.properties["valid_from"]) for e in every if e.type == "SERVES") == [
        ("model:ranker@v1", T0), ("model:ranker@v1", T0 + timedelta(days=10)),
        ("model:ranker@v2", T0 + timedelta(days=5)),
    ]  # fmt: skip


def test_upstream_of_a_recommendation_reaches_its_sources(demo: Store) -> None:
    rec = next(t for t in _served(demo) if t)
    graph = upstream(demo, rec, depth=8)

    kinds = {n.kind for n in graph.nodes}
    assert {"LineageContext", "ModelVersion", "FeatureVersion", "DataSource"} <= kinds
    assert len({n.uid for n in graph.nodes}) == len(graph.nodes)
    uids = {n.uid for n in graph.nodes}
    assert all(e.source in uids and e.target in uids for e in graph.edges)
    assert any(e.type == "HAS_CONTEXT" and e.source == rec for e in graph.edges)
    assert not graph.truncated


def _served(store: Store) -> list[str]:
    rows = store.read(
        "MATCH (r:Recommendation) WHERE r.served_at IS NOT NULL "
        "RETURN r.uid AS uid ORDER BY uid LIMIT 5"
    )
    return [row["uid"] for row in rows]


def test_limits_cut_the_graph_and_say_why(demo: Store) -> None:
    shallow = downstream(demo, "source:clickstream", depth=1)
    small = downstream(demo, "source:clickstream", depth=6, max_nodes=25)

    assert shallow.truncated and "depth limit" in (shallow.truncated_reason or "")
    assert small.truncated and "size limit: more than 25 nodes" in (small.truncated_reason or "")
    assert len(small.nodes) == 25


def test_unknown_uids(demo: Store) -> None:
    assert find_node(demo, "feature:nope@v1") is None
    with pytest.raises(NodeNotFound):
        upstream(demo, "feature:nope@v1")


def test_impact_counts_through_contexts_what_a_scan_counts(demo: Store) -> None:
    since = datetime(2026, 10, 15, tzinfo=UTC)

    result = impact(demo, "feature:user_ctr_7d@v2", since)

    truth = demo.read(
        "MATCH (r:Recommendation)-[:HAS_CONTEXT]->(c)-[:USED_FEATURE|USED_MODEL]->(x) "
        "WHERE r.served_at >= $since AND (x.uid IN $uids) "
        "RETURN c.model_version AS mv, count(DISTINCT r) AS n",
        since=since,
        uids=[
            "feature:user_ctr_7d@v2",
            *[n.uid for n in result.feature_versions],
            *[n.uid for n in result.model_versions],
        ],
    )
    assert result.by_model_version == {row["mv"]: row["n"] for row in truth}
    assert result.recommendations > 0
    assert {n.uid for n in result.model_versions} >= {"model:ranker@v2"}
    assert "experiment:ranker-v3-rollout" in {n.uid for n in result.experiments}


def test_pages_cover_every_match_once(demo: Store) -> None:
    where = RecommendationFilter(segment="returning", experiment="ranker-v3-rollout")
    seen: list[str] = []
    after = None
    while True:
        page = recommendations(demo, where, first=7, after=after)
        seen += [n.uid for n in page.nodes]
        if not page.has_next_page:
            break
        after = page.cursors[-1]

    truth = demo.read(
        "MATCH (r:Recommendation {segment: 'returning'})-[:HAS_CONTEXT]->(c) "
        "WHERE c.variant STARTS WITH 'variant:ranker-v3-rollout/' RETURN r.uid AS uid"
    )
    assert len(seen) == len(set(seen)) == len(truth) > 7
    assert set(seen) == {row["uid"] for row in truth}


def test_lineage_diff_names_what_changed(store: Store, settings: Settings) -> None:
    load_events(store, settings, _migration_events())

    diff = lineage_diff(store, "req-6", "req-30")

    assert diff.model_version == ("model:ranker@v1", "model:ranker@v2")
    assert [(c.feature, c.a, c.b) for c in diff.feature_changes] == [("ctr", "v3", "v4")]
    assert diff.ancestry_only_in_a == ["feature:ctr@v3"]
    assert not diff.identical
    assert lineage_diff(store, "req-6", "req-6").identical


@pytest.fixture
def client(demo: Store, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), headers=bearer(settings)) as client:
        yield client


def test_nested_fields_load_without_n_plus_one(client: TestClient) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    query = """query($uid: ID!, $depth: Int!) { upstream(uid: $uid, depth: $depth) {
      nodes { uid versions { uid } } } }"""

    counts = []
    for depth in (2, 4):
        before = store.round_trips
        reply = client.post(
            "/graphql",
            json={"query": query, "variables": {"uid": "model:ranker@v3", "depth": depth}},
        )
        nodes = reply.json()["data"]["upstream"]["nodes"]
        counts.append((len(nodes), store.round_trips - before))

    (small_nodes, small_trips), (big_nodes, big_trips) = counts
    assert big_nodes > small_nodes + 5
    # root lookup, one per level, a look past the last level, the edges, one batched
    # versions load: grows with depth, never with the number of nodes
    assert small_trips <= 2 + 4 and big_trips <= 4 + 4 < big_nodes


def test_graphql_answers_each_question(client: TestClient, demo: Store) -> None:
    rec = _served(demo)[0]
    query = """query($rec: ID!) {
      node(uid: "model:ranker@v2") { kind ... on ModelVersion { trainedOn } versions { uid } }
      trace(recommendationId: $rec) { servedFeatures { uid } ancestors { kind } notes }
      impact(uid: "source:orders") { recommendations bySegment { key count } }
      recommendations(first: 2, filter: {segment: "new"}) {
        edges { cursor } pageInfo { hasNextPage } }
      lineageDiff(a: $rec, b: $rec) { identical }
    }"""

    reply = client.post("/graphql", json={"query": query, "variables": {"rec": rec}})

    body = reply.json()
    assert "errors" not in body, body
    data = body["data"]
    assert data["node"]["kind"] == "ModelVersion"
    assert [v["uid"] for v in data["node"]["versions"]] == [f"model:ranker@v{i}" for i in (1, 2, 3)]
    assert {"DataSource"} <= {a["kind"] for a in data["trace"]["ancestors"]}
    assert data["impact"]["recommendations"] > 0
    assert len(data["recommendations"]["edges"]) == 2
    assert data["lineageDiff"]["identical"] is True


def test_a_missing_node_is_null_and_a_bad_depth_is_an_error(client: TestClient) -> None:
    reply = client.post(
        "/graphql",
        json={
            "query": """{ node(uid: "source:nope") { uid }
      upstream(uid: "source:orders", depth: 99) { truncated } }"""
        },
    )

    body = reply.json()
    assert body["data"] is None or body["data"].get("node") is None
    assert "depth must be between 1 and 20" in body["errors"][0]["message"]
