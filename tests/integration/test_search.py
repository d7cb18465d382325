"""Search for completion, and collapsed downstream graphs whose groups page through
recommendations: against a real Neo4j, as each role sees them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.demo import DemoPipeline
from graph_lineage.errors import InvalidQuery
from graph_lineage.lineage.search import search
from graph_lineage.lineage.traversal import downstream
from graph_lineage.lineage.visibility import Visibility
from graph_lineage.settings import Settings
from graph_lineage.store import Store

from ..conftest import bearer
from .graph_snapshot import snapshot
from .loading import load_events
from .test_injection import PAYLOADS

VIEWER = Visibility(hidden=frozenset({"Recommendation", "Outcome"}))
KINDS = ["DataSource", "FeatureVersion", "ModelVersion", "LineageContext", "Recommendation"]


@pytest.fixture
def demo(store: Store, settings: Settings) -> Store:
    load_events(store, settings, list(DemoPipeline(400, seed=5).events()))
    store.read("CALL db.awaitIndexes(300)")  # the fulltext index fills in the background
    return store


def _count(store: Store, query: str, **parameters: object) -> int:
    return int(store.read(query, **parameters)[0]["n"])  # type: ignore[arg-type]  # test queries


def test_search_finds_by_uid_prefix_and_by_words_exact_first(demo: Store) -> None:
    exact = search(demo, "feature:user_ctr_7d", first=5)
    assert [hit.uid for hit in exact.hits][:2] == ["feature:user_ctr_7d", "feature:user_ctr_7d@v1"]
    assert exact.hits[1].kind == "FeatureVersion" and exact.hits[1].version == "v1"

    without_kind = search(demo, "user_ctr_7d@v", first=50)
    expected = _count(
        demo, "MATCH (n:FeatureVersion) WHERE n.uid STARTS WITH 'feature:user_ctr_7d@v'"
        " RETURN count(n) AS n",
    )  # fmt: skip
    assert len(without_kind.hits) == expected > 1

    by_words = search(demo, "rollout treat")
    assert [hit.uid for hit in by_words.hits] == ["variant:ranker-v3-rollout/treatment"]

    models = search(demo, "ranker", kinds=["ModelVersion"], first=50)
    assert models.hits and {hit.kind for hit in models.hits} == {"ModelVersion"}
    assert search(demo, "   ").hits == []


def test_search_counts_what_a_role_may_not_see_and_never_names_it(demo: Store) -> None:
    prefix = "rec:req-5-00-00000"
    matching = _count(
        demo,
        "MATCH (r:Recommendation) WHERE r.uid STARTS WITH $p RETURN count(r) AS n",
        p=prefix,
    )
    assert matching > 0
    for text in (prefix, prefix.removeprefix("rec:")):
        viewer = search(demo, text, visibility=VIEWER)
        assert viewer.hits == [] and viewer.hidden == matching
        engineer = search(demo, text, first=50)
        assert len(engineer.hits) == min(matching, 50) and engineer.hidden == 0
    assert search(demo, "ctr", visibility=VIEWER).hidden == 0


def test_search_refuses_what_it_cannot_answer(demo: Store) -> None:
    with pytest.raises(InvalidQuery, match="cannot search kinds Nope"):
        search(demo, "x", kinds=["Nope"])
    with pytest.raises(InvalidQuery, match="first must be between"):
        search(demo, "x", first=0)


def test_collapsed_groups_count_each_contexts_recommendations_as_of(demo: Store) -> None:
    graph = downstream(demo, "source:clickstream", depth=6, kinds=KINDS, collapse=True)
    assert graph.groups and not {node.kind for node in graph.nodes} & {"Recommendation", "Outcome"}
    shown = {node.uid for node in graph.nodes if node.kind == "LineageContext"}
    assert {group.context for group in graph.groups} == shown
    for group in graph.groups:
        assert group.recommendations == _count(
            demo,
            "MATCH (:LineageContext {uid: $c})<-[:HAS_CONTEXT]-(r) RETURN count(r) AS n",
            c=group.context,
        )
        assert group.outcomes is None  # not asked for: Outcome is not among KINDS

    span = demo.read(
        "MATCH (r:Recommendation) RETURN min(r.valid_from) AS a, max(r.valid_from) AS b"
    )
    moment = span[0]["a"].to_native() + (span[0]["b"].to_native() - span[0]["a"].to_native()) / 2
    then = downstream(demo, "source:clickstream", 6, moment, [*KINDS, "Outcome"], collapse=True)
    for group in then.groups:
        assert group.recommendations == _count(
            demo,
            "MATCH (:LineageContext {uid: $c})<-[:HAS_CONTEXT]-(r) WHERE r.valid_from <= $t"
            " RETURN count(r) AS n",
            c=group.context,
            t=moment,
        )
    assert sum(g.recommendations or 0 for g in then.groups) < sum(
        g.recommendations or 0 for g in graph.groups
    )
    assert sum(g.outcomes or 0 for g in then.groups) > 0


def test_a_viewer_gets_no_groups_only_hidden_counts(demo: Store) -> None:
    graph = downstream(demo, "source:clickstream", 6, kinds=KINDS, collapse=True, visibility=VIEWER)
    assert graph.groups == []
    assert graph.hidden["Recommendation"] > 0


@pytest.fixture
def client(demo: Store, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


GROUPS = """query($uid: ID!, $kinds: [String!]) {
  downstream(uid: $uid, depth: 6, kinds: $kinds, collapse: true) {
    groups { context recommendations outcomes } hidden { kind count } } }"""
PAGE = """query($context: ID!, $after: String) {
  recommendations(filter: {context: $context}, first: 25, after: $after) {
    edges { node { uid outcomes { uid requestId } } } pageInfo { hasNextPage endCursor } } }"""


def _ask(client: TestClient, settings: Settings, role: str, query: str, **variables: object):  # type: ignore[no-untyped-def]
    reply = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=bearer(settings, role)
    )
    body = reply.json()
    assert "errors" not in body, body
    return body["data"]


def test_a_group_pages_through_exactly_its_recommendations(
    client: TestClient, demo: Store, settings: Settings
) -> None:
    kinds = [*KINDS, "Outcome"]
    groups = _ask(client, settings, "engineer", GROUPS, uid="source:clickstream", kinds=kinds)
    group = min(groups["downstream"]["groups"], key=lambda g: g["recommendations"])
    paged: list[str] = []
    outcomes: list[dict[str, str]] = []
    after = None
    while True:
        page = _ask(client, settings, "engineer", PAGE, context=group["context"], after=after)
        nodes = [edge["node"] for edge in page["recommendations"]["edges"]]
        paged += [node["uid"] for node in nodes]
        outcomes += [{**o, "rec": node["uid"]} for node in nodes for o in node["outcomes"]]
        if not page["recommendations"]["pageInfo"]["hasNextPage"]:
            break
        after = page["recommendations"]["pageInfo"]["endCursor"]
    assert len(paged) == len(set(paged)) == group["recommendations"]
    in_context = demo.read(
        "MATCH (:LineageContext {uid: $c})<-[:HAS_CONTEXT]-(r) RETURN collect(r.uid) AS uids",
        c=group["context"],
    )
    assert set(paged) == set(in_context[0]["uids"])
    assert len(outcomes) == group["outcomes"]  # each page brings its outcomes along
    assert all(o["rec"] == f"rec:{o['requestId']}" for o in outcomes)


def test_a_viewer_searching_for_recommendations_gets_a_count_and_no_uid(
    client: TestClient, settings: Settings
) -> None:
    query = "query($t: String!) { search(text: $t, first: 50) { hits { uid kind } hidden } }"
    answer = _ask(client, settings, "viewer", query, t="rec:")
    assert answer["search"]["hits"] == [] and answer["search"]["hidden"] == 400
    collapsed = _ask(client, settings, "viewer", GROUPS, uid="source:clickstream", kinds=KINDS)
    assert "rec:" not in json.dumps(answer) + json.dumps(collapsed)
    assert collapsed["downstream"]["groups"] == []
    assert collapsed["downstream"]["hidden"][0]["kind"] == "Recommendation"


def test_metacharacters_in_search_text_change_nothing(
    client: TestClient, demo: Store, settings: Settings
) -> None:
    before = snapshot(demo)
    lucene = ['uid:(a OR b)~2 "x', "*", "feature:*", "\\", "+-&&||!(){}[]^~?:/"]
    query = "query($t: String!, $k: [String!]) { search(text: $t, kinds: $k) { hits { uid } } }"
    for payload in [*PAYLOADS, *lucene]:
        answer = _ask(client, settings, "admin", query, t=payload, k=None)  # asserts no error
        assert all(hit["uid"] for hit in answer["search"]["hits"])
    assert snapshot(demo) == before
