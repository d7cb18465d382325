"""Capture writes on a real Neo4j: idempotent, order-independent, one context per combination."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph_lineage.demo import DemoPipeline
from graph_lineage.events import Event, parse_event
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.admin import wipe_database
from graph_lineage.store.writer import LineageWriter

from .graph_snapshot import snapshot

T0 = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def schema(store: Store, settings: Settings) -> Store:
    migrate(store, settings.migrations_dir)
    return store


def _writer(store: Store, settings: Settings) -> LineageWriter:
    return LineageWriter(
        store, Pseudonymizer.from_settings(settings), Sealer.from_settings(settings)
    )


def _demo(recommendations: int) -> list[Event]:
    return [parse_event(raw) for raw in DemoPipeline(recommendations, seed=3).events()]


def _count(store: Store, label: str) -> int:
    rows = store.read("MATCH (n) WHERE $label IN labels(n) RETURN count(n) AS n", label=label)
    return int(rows[0]["n"])


def test_the_same_batch_three_times_changes_nothing(schema: Store, settings: Settings) -> None:
    events = _demo(300)
    writer = _writer(schema, settings)
    writer.write(events)
    first = snapshot(schema)

    for _ in range(2):
        summary = writer.write(events)
        assert summary.counters["nodes_created"] == 0
        assert summary.counters["relationships_created"] == 0
    _writer(schema, settings).write(events)  # a fresh writer, as after a restart

    assert snapshot(schema) == first


def test_arrival_order_does_not_change_the_graph(schema: Store, settings: Settings) -> None:
    events = _demo(400)
    for start in range(0, len(events), 150):
        _writer(schema, settings).write(events[start : start + 150])
    # Two graphs written apart seal each value with its own nonce: compare what they hold.
    opened = Sealer.from_settings(settings)
    in_order = snapshot(schema, ignore=frozenset({"ingested_at"}), sealer=opened)

    wipe_database(schema)
    migrate(schema, settings.migrations_dir)
    shuffled = events[:]
    random.Random(11).shuffle(shuffled)
    writer = _writer(schema, settings)
    for start in range(0, len(shuffled), 150):
        writer.write(shuffled[start : start + 150])

    assert snapshot(schema, ignore=frozenset({"ingested_at"}), sealer=opened) == in_order
    assert _count(schema, "Recommendation") == 400


def _recommendations(count: int, contexts: int) -> Iterator[dict[str, Any]]:
    for index in range(count):
        k = index % contexts
        served = T0 + timedelta(seconds=index)
        yield {
            "type": "recommendation.served", "event_id": f"rec-event-{index}",
            "event_time": served.isoformat(), "producer": "test",
            "request_id": f"req-{index}", "served_at": served.isoformat(),
            "user_id": f"user-{index % 97}", "segment": ("new", "returning")[index % 2],
            "model_version": f"model:ranker@v{k % 4}",
            "feature_versions": [f"feature:ctr@v{k // 4}", "feature:price@v1"],
            "experiment": "rollout" if k % 2 else None, "variant": "treatment" if k % 2 else None,
            "items": [{"item_id": "sku-1", "score": 0.5, "position": 0}],
        }  # fmt: skip


def test_ten_thousand_recommendations_over_twenty_contexts(
    schema: Store, settings: Settings
) -> None:
    events = [parse_event(raw) for raw in _recommendations(10_000, contexts=20)]
    writer = _writer(schema, settings)
    for start in range(0, len(events), 2500):
        writer.write(events[start : start + 2500])

    assert _count(schema, "LineageContext") == 20
    assert _count(schema, "Recommendation") == 10_000
    per_recommendation = schema.read(
        "MATCH (r:Recommendation) RETURN count { (r)-[:HAS_CONTEXT]->() } AS edges, count(*) AS n"
    )
    assert per_recommendation == [{"edges": 1, "n": 10_000}]
    usage = schema.read("MATCH (u:ContextUsage) RETURN sum(u.count) AS total")
    assert usage == [{"total": 10_000}]


def test_no_raw_user_id_is_stored(schema: Store, settings: Settings) -> None:
    events = _demo(500)
    raw_users = {e.user_id for e in events if e.type == "recommendation.served"}
    _writer(schema, settings).write(events)

    stored = schema.read("MATCH (n) RETURN properties(n) AS props")
    stored += schema.read("MATCH ()-[r]->() RETURN properties(r) AS props")
    values: set[str] = set()
    for row in stored:
        for value in row["props"].values():
            values.update(str(v) for v in (value if isinstance(value, list) else [value]))
    assert raw_users and not raw_users & values
    assert not any(user in value for user in raw_users for value in values)
    pseudonyms = schema.read("MATCH (r:Recommendation) RETURN DISTINCT r.user_pseudonym AS p")
    assert len(pseudonyms) == len(raw_users)
    assert all(row["p"].startswith("u_") for row in pseudonyms)


def test_an_outcome_before_its_recommendation_is_joined_later(
    schema: Store, settings: Settings
) -> None:
    recommendation, *_ = (parse_event(raw) for raw in _recommendations(1, contexts=1))
    outcome = parse_event({
        "type": "outcome.observed", "event_id": "o-1", "event_time": T0.isoformat(),
        "producer": "test", "request_id": "req-0", "item_id": "sku-1", "kind": "click",
    })  # fmt: skip
    writer = _writer(schema, settings)

    writer.write([outcome])
    assert schema.read("MATCH (r:Recommendation) RETURN r.stub AS stub") == [{"stub": True}]
    writer.write([recommendation])

    rows = schema.read(
        "MATCH (o:Outcome)-[:FOR]->(r:Recommendation)-[:HAS_CONTEXT]->(c:LineageContext) "
        "RETURN r.stub AS stub, r.segment AS segment, count(*) AS n"
    )
    assert rows == [{"stub": None, "segment": "new", "n": 1}]


def test_versions_and_edges_keep_valid_and_ingested_times(
    schema: Store, settings: Settings
) -> None:
    _writer(schema, settings).write(_demo(50))

    missing = schema.read(
        "MATCH (v:FeatureVersion)-[d:DERIVED_FROM]->() "
        "WHERE d.valid_from IS NULL OR d.ingested_at IS NULL OR v.valid_from IS NULL "
        "RETURN count(*) AS n"
    )
    assert missing == [{"n": 0}]
    trained = schema.read(
        "MATCH (:ModelVersion {uid: 'model:ranker@v2'})-[t:TRAINED_ON]->(v) "
        "RETURN t.valid_from AS valid_from, collect(v.uid) AS versions"
    )
    assert trained[0]["valid_from"].to_native() == datetime(2026, 10, 11, 6, tzinfo=UTC)
    assert "feature:user_ctr_7d@v2" in trained[0]["versions"]


def test_within_a_batch_the_newest_event_of_a_node_describes_it(
    schema: Store, settings: Settings
) -> None:
    def registered(event_id: str, day: int, owner: str) -> Event:
        return parse_event({
            "type": "data_source.registered" if day == 0 else "data_source.changed",
            "event_id": event_id, "event_time": (T0 + timedelta(days=day)).isoformat(),
            "producer": "test", "name": "clicks", "kind": "stream", "uri": "kafka://clicks",
            "owner": owner,
        })  # fmt: skip

    # One statement sees every row against the node as it stood before the batch.
    _writer(schema, settings).write([registered("e2", 2, "newest"), registered("e1", 1, "older")])

    rows = schema.read("MATCH (n:DataSource) RETURN n.owner AS owner, n.event_id AS event")
    assert rows == [{"owner": "newest", "event": "e2"}]


def _declared(event_id: str, day: int, version: str) -> Event:
    """Variant ``a`` of experiment ``exp`` serves ``model:m@<version>`` from T0 + ``day``."""
    return parse_event({
        "type": "experiment.changed" if day else "experiment.started",
        "event_id": event_id, "event_time": (T0 + timedelta(days=day)).isoformat(),
        "producer": "test", "experiment": "exp", "salt": "s",
        "variants": [{"name": "a", "traffic_share": 1.0, "model_version": f"model:m@{version}"}],
    })  # fmt: skip


def _serving_intervals(store: Store) -> list[tuple[str, datetime, datetime | None]]:
    rows = store.read(
        "MATCH (:Variant {uid: 'variant:exp/a'})-[s:SERVES]->(m) "
        "RETURN m.uid AS model, s.valid_from AS start, s.valid_to AS end ORDER BY start"
    )
    return [(r["model"], r["start"].to_native(), r["end"] and r["end"].to_native()) for r in rows]


def test_a_changed_experiment_closes_the_old_serving_interval(
    schema: Store, settings: Settings
) -> None:
    writer = _writer(schema, settings)
    writer.write([_declared("e2", 5, "v2")])  # the change arrives first
    writer.write([_declared("e1", 0, "v1")])

    assert _serving_intervals(schema) == [
        ("model:m@v1", T0, T0 + timedelta(days=5)),
        ("model:m@v2", T0 + timedelta(days=5), None),
    ]


# A from day 0 (declared again on day 3), B from day 5, A again from day 10 (and day 12).
SERVING_AGAIN = [
    _declared("e1", 0, "A"),
    _declared("e2", 3, "A"),
    _declared("e3", 5, "B"),
    _declared("e4", 10, "A"),
    _declared("e5", 12, "A"),
]


@pytest.mark.parametrize(
    "arrival",
    [
        pytest.param([[0], [1], [2], [3], [4]], id="in order"),
        pytest.param([[4], [3], [2], [1], [0]], id="reversed"),
        pytest.param([[1], [3], [2], [4], [0]], id="B splits an interval of A"),
        pytest.param([[3, 0, 4, 2, 1]], id="one batch"),
    ],
)
def test_a_variant_that_serves_a_model_version_again_keeps_every_interval(
    schema: Store, settings: Settings, arrival: list[list[int]]
) -> None:
    writer = _writer(schema, settings)
    for batch in arrival:
        writer.write([SERVING_AGAIN[i] for i in batch])
    intervals = _serving_intervals(schema)

    assert intervals == [
        ("model:m@A", T0, T0 + timedelta(days=5)),
        ("model:m@B", T0 + timedelta(days=5), T0 + timedelta(days=10)),
        ("model:m@A", T0 + timedelta(days=10), None),
    ]
    written = snapshot(schema)
    for replay in (SERVING_AGAIN, SERVING_AGAIN[2:3], SERVING_AGAIN[::-1]):
        assert writer.write(replay).counters["relationships_created"] == 0
        assert snapshot(schema) == written  # not one edge replaced, not one time moved


def _served_copies(events: list[Event]) -> list[Event]:
    """Every recommendation of ``events`` once more: the same event, and the same request
    under a new event id (an at-least-once producer, a retried collector batch)."""
    served = [e for e in events if e.type == "recommendation.served"]
    retried = [e.model_copy(update={"event_id": f"{e.event_id}-retry"}) for e in served]
    return served + retried


def _edges_and_usage(store: Store) -> tuple[int, int, int]:
    rows = store.read(
        "MATCH (r:Recommendation) WITH count(r) AS recommendations"
        " OPTIONAL MATCH (:Recommendation)-[h:HAS_CONTEXT]->()"
        " WITH recommendations, count(h) AS edges"
        " OPTIONAL MATCH (u:ContextUsage)"
        " RETURN recommendations, edges, coalesce(sum(u.count), 0) AS used"
    )
    return int(rows[0]["recommendations"]), int(rows[0]["edges"]), int(rows[0]["used"])


def test_duplicates_inside_one_batch_are_stored_and_counted_once(
    schema: Store, settings: Settings
) -> None:
    events = _demo(200)
    served = sum(1 for e in events if e.type == "recommendation.served")

    _writer(schema, settings).write(events + _served_copies(events))

    assert _edges_and_usage(schema) == (served, served, served)
    _writer(schema, settings).write(_served_copies(events))  # and again, in a later batch
    assert _edges_and_usage(schema) == (served, served, served)


def test_within_a_batch_the_first_of_two_requests_with_one_id_is_stored(
    schema: Store, settings: Settings
) -> None:
    first = next(e for e in _demo(5) if e.type == "recommendation.served")
    second = first.model_copy(update={"event_id": "other-event", "segment": "other-segment"})

    _writer(schema, settings).write([first, second])

    rows = schema.read(
        "MATCH (r:Recommendation)-[:HAS_CONTEXT]->(c)<-[:OF_CONTEXT]-(u:ContextUsage)"
        " RETURN r.segment AS segment, r.event_id AS event, u.segment AS counted, u.count AS n"
    )
    assert rows == [
        {"segment": first.segment, "event": first.event_id, "counted": first.segment, "n": 1}
    ]
