"""Lineage-aware redaction: kinds a caller may not see are left out, counted, and never leak.

The viewer role may not see recommendations or outcomes (schema/access-policy.toml). No
answer to a viewer, from any way into the graph at any depth, may hold a recommendation's
or an outcome's uid, request id, user pseudonym or item; hidden nodes are counted instead,
and they never shape limits or ``truncated`` reasons.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.demo import DemoPipeline
from graph_lineage.events import parse_event
from graph_lineage.lineage.impact import impact
from graph_lineage.lineage.recommendations import lineage_diff
from graph_lineage.lineage.trace import trace
from graph_lineage.lineage.traversal import downstream
from graph_lineage.lineage.visibility import HIDDEN, Visibility
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.writer import LineageWriter

from ..conftest import bearer
from .policy_walk import Schema

VIEWER = Visibility(hidden=frozenset({"Recommendation", "Outcome"}))


@pytest.fixture
def demo(store: Store, settings: Settings) -> Store:
    migrate(store, settings.migrations_dir)
    events = [parse_event(raw) for raw in DemoPipeline(150, seed=11).events()]
    writer = LineageWriter(
        store, Pseudonymizer.from_settings(settings), Sealer.from_settings(settings)
    )
    writer.write(events)
    return store


@pytest.fixture
def client(demo: Store, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _uids(store: Store, label_query: str) -> list[str]:
    return [str(row["uid"]) for row in store.read(label_query)]  # type: ignore[arg-type]


def _secrets(store: Store) -> set[str]:
    """Every string that would give a recommendation or an outcome away."""
    rows = store.read(
        "MATCH (r:Recommendation) OPTIONAL MATCH (o:Outcome)-[:FOR]->(r)"
        " RETURN r.uid AS uid, r.request_id AS request, r.user_pseudonym AS user,"
        " r.items AS items, collect(o.uid) AS outcomes"
    )
    found: set[str] = set()
    for row in rows:
        found |= {row["uid"], row["request"], *row["items"], *row["outcomes"]}
        found |= {row["user"]} if row["user"] else set()
    return {value for value in found if value}


def _ask(client: TestClient, settings: Settings, query: str) -> str:
    response = client.post("/graphql", json={"query": query}, headers=bearer(settings, "viewer"))
    assert response.status_code == 200
    return response.text


def test_no_answer_to_a_viewer_holds_a_recommendation_or_an_outcome(
    client: TestClient, demo: Store, settings: Settings
) -> None:
    schema = Schema.load(client, bearer(settings))
    fragment = schema.fragment()
    graph = schema.selection("LineageGraph")
    impact_fields = schema.selection("Impact")
    secrets = _secrets(demo)
    assert len(secrets) > 400  # the demo served recommendations, with outcomes
    roots = _uids(
        demo,
        "MATCH (n) WHERE n:DataSource OR n:FeatureVersion OR n:ModelVersion"
        " OR n:LineageContext OR n:Variant OR n:Experiment RETURN n.uid AS uid ORDER BY uid",
    )
    answers = []
    for uid in roots:
        for direction in ("upstream", "downstream"):
            answers.append(
                _ask(
                    client,
                    settings,
                    f'{{ {direction}(uid: "{uid}", depth: 20) {{ {graph} }} }} {fragment}',
                )
            )
        answers.append(_ask(client, settings, f'{{ node(uid: "{uid}") {{ ...All }} }} {fragment}'))
        answers.append(
            _ask(client, settings, f'{{ impact(uid: "{uid}") {{ {impact_fields} }} }} {fragment}')
        )
    rec = next(value for value in secrets if value.startswith("rec:"))
    for question in (
        f'{{ node(uid: "{rec}") {{ uid }} }}',
        f'{{ upstream(uid: "{rec}") {{ root }} }}',
        f'{{ downstream(uid: "{rec}") {{ root }} }}',
        f'{{ impact(uid: "{rec}") {{ recommendations }} }}',
        f'{{ trace(recommendationId: "{rec}") {{ notes }} }}',
        f'{{ lineageDiff(a: "{rec}", b: "{rec}") {{ identical }} }}',
        "{ recommendations { edges { cursor } } }",
    ):
        # an unknown uid is echoed back in its error, like any other the caller names
        answers.append(_ask(client, settings, question).replace(rec, "<asked>"))

    hidden_seen = 0
    for answer in answers:
        leaked = [secret for secret in secrets if secret in answer]
        assert leaked == [], leaked[:3]
        hidden_seen += answer.count('"kind":"Recommendation","count"')
    assert hidden_seen > 0  # the hidden recommendations were counted, not silently lost


def test_a_viewer_sees_every_other_node_and_counts_the_hidden_ones(
    client: TestClient, demo: Store, settings: Settings
) -> None:
    query = """{ downstream(uid: "source:clickstream", depth: 20) {
        nodes { uid kind } edges { source target } truncated hidden { kind count } } }"""
    viewer = json.loads(_ask(client, settings, query))["data"]["downstream"]
    admin = client.post("/graphql", json={"query": query}, headers=bearer(settings)).json()
    everything = admin["data"]["downstream"]
    assert not everything["truncated"] and not viewer["truncated"]

    hidden_kinds = {"Recommendation", "Outcome"}
    shown = {n["uid"] for n in everything["nodes"] if n["kind"] not in hidden_kinds}
    assert {n["uid"] for n in viewer["nodes"]} == shown
    assert all(e["source"] in shown and e["target"] in shown for e in viewer["edges"])
    assert len(viewer["edges"]) == sum(
        e["source"] in shown and e["target"] in shown for e in everything["edges"]
    )
    # one step past the visible graph: the recommendations of its contexts (the outcomes
    # lie behind those recommendations, which are not entered)
    contexts = [n["uid"] for n in viewer["nodes"] if n["kind"] == "LineageContext"]
    (count,) = demo.read(
        "MATCH (r:Recommendation)-[:HAS_CONTEXT]->(c:LineageContext) WHERE c.uid IN $contexts"
        " RETURN count(DISTINCT r) AS n",
        contexts=contexts,
    )
    assert viewer["hidden"] == [{"kind": "Recommendation", "count": count["n"]}]
    assert count["n"] > 0


def test_hidden_nodes_never_shape_limits_or_truncation(demo: Store) -> None:
    everything = downstream(demo, "source:clickstream", depth=20)
    visible = [n for n in everything.nodes if not VIEWER.hides(n)]
    assert len(visible) < len(everything.nodes)

    exactly = downstream(demo, "source:clickstream", 20, max_nodes=len(visible), visibility=VIEWER)
    assert not exactly.truncated and exactly.truncated_reason is None
    assert {n.uid for n in exactly.nodes} == {n.uid for n in visible}

    cut = downstream(demo, "source:clickstream", depth=20, max_nodes=len(visible))
    assert cut.truncated  # the same limit cuts a caller who sees everything

    shallow = downstream(demo, "source:clickstream", 2, visibility=VIEWER)
    reason = shallow.truncated_reason or ""
    assert "Recommendation" not in reason and "Outcome" not in reason


def test_a_trace_leaves_out_and_counts_what_the_caller_may_not_see(demo: Store) -> None:
    (row,) = demo.read(
        "MATCH (o:Outcome)-[:FOR]->(r:Recommendation)-[:HAS_CONTEXT]->()-[:IN_VARIANT]->()"
        " WITH r, count(o) AS n"
        " RETURN r.uid AS uid, n ORDER BY n DESC, uid LIMIT 1"
    )
    whole = trace(demo, row["uid"])
    assert whole is not None and whole.outcomes and whole.variant is not None
    no_outcomes = Visibility(hidden=frozenset({"Outcome", "Variant", "DataSource"}))

    seen = trace(demo, row["uid"], no_outcomes)

    assert seen is not None
    assert seen.outcomes == [] and seen.variant is None
    sources = [n for n in whole.ancestors if n.kind == "DataSource"]
    assert seen.hidden == {"Outcome": row["n"], "Variant": 1, "DataSource": len(sources)}
    text = json.dumps(dataclasses.asdict(seen), default=str)
    for node in (*whole.outcomes, whole.variant, *sources):
        assert node.uid not in text
    assert trace(demo, row["uid"], VIEWER) is None


def test_impact_and_diff_name_nothing_hidden(demo: Store) -> None:
    hide_models = Visibility(hidden=frozenset({"ModelVersion", "Deployment"}))
    whole = impact(demo, "source:clickstream")
    seen = impact(demo, "source:clickstream", visibility=hide_models)

    assert seen.model_versions == [] and seen.deployments == []
    assert seen.hidden == {
        "ModelVersion": len(whole.model_versions),
        "Deployment": len(whole.deployments),
    }
    assert set(seen.by_model_version) == {HIDDEN}
    assert seen.recommendations == whole.recommendations  # aggregates stay whole
    text = json.dumps(dataclasses.asdict(seen), default=str)
    assert not any(model.uid in text for model in whole.model_versions)

    pair = _different_models(demo)
    plain = lineage_diff(demo, *pair)
    hidden = lineage_diff(demo, *pair, visibility=hide_models)
    assert plain.model_version is not None and HIDDEN not in plain.model_version
    assert hidden.model_version == (HIDDEN, HIDDEN)
    assert hidden.identical == plain.identical


def _different_models(store: Store) -> tuple[str, str]:
    rows: list[Any] = store.read(
        "MATCH (r:Recommendation)-[:HAS_CONTEXT]->(c:LineageContext)"
        " WITH c.model_version AS model, min(r.uid) AS uid RETURN uid ORDER BY uid LIMIT 2"
    )
    return rows[0]["uid"], rows[1]["uid"]
