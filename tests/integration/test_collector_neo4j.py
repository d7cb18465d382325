"""The collector against a real Neo4j: direct writes, and surviving Neo4j being down."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_lineage.collector import (
    CollectorConfig,
    LineageCollector,
    Neo4jConfig,
    Sampler,
    make_transport,
)
from graph_lineage.events import OutcomeObserved, RankedItem, RecommendationServed
from graph_lineage.neo4j_local import LocalNeo4j
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate

from ..conftest import TEST_ENCRYPTION_KEYS, Neo4jTarget, local_settings

KEY = "collector-test-pseudonymization-key"
EVENTS = 10_000


def _served(n: int, user: str = "user") -> RecommendationServed:
    return RecommendationServed.model_validate(
        {
            "type": "recommendation.served",
            "event_id": f"evt-{n}",
            "event_time": "2026-11-01T10:00:00Z",
            "producer": "collector-test",
            "request_id": f"req-{n}",
            "served_at": "2026-11-01T10:00:00Z",
            "user_id": f"{user}-{n % 97}",
            "segment": f"segment-{n % 3}",
            "model_version": "model:ranker@v1",
            "feature_versions": ["feature:ctr@v3"],
        }
    ).model_copy(update={"items": [RankedItem(item_id="sku-1", score=n % 7, position=0)]})


def _count(store: Store, query: str) -> int:
    return int(store.read(query)[0]["n"])  # type: ignore[arg-type]


def _collector(settings: Settings, spool: Path, sampler: Sampler | None = None) -> LineageCollector:
    transport = make_transport(
        "neo4j", Neo4jConfig(settings=settings, transaction_retry_seconds=0.5, connection_timeout=2)
    )
    config = CollectorConfig(
        max_queue=2 * EVENTS,
        batch_size=500,
        flush_interval=0.1,
        max_retries=1,
        backoff_initial=0.05,
        backoff_max=1.0,
        spool_dir=spool,
    )
    return LineageCollector(transport, sampler, config)


def test_sampled_events_reach_neo4j_pseudonymized(
    store: Store, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    keyed = neo4j_target.settings(pseudonymization_key=KEY, local_home=tmp_path / "unused")
    migrate(store, keyed.migrations_dir)
    sampler = Sampler(0.0, users={"vip-5"})
    collector = _collector(keyed, tmp_path / "spool", sampler)
    for n in range(200):
        collector.record(_served(n, user="vip" if n == 5 else "user"))
    outcome = OutcomeObserved.model_validate(
        {
            "type": "outcome.observed",
            "event_id": "click-5",
            "event_time": "2026-11-01T10:01:00Z",
            "producer": "collector-test",
            "request_id": "req-5",
            "item_id": "sku-1",
            "kind": "click",
        }
    )
    collector.record(outcome)
    stats = collector.close()

    assert (stats.sent, stats.sampled_out) == (2, 199)
    assert stats.kept_by_reason == {"chosen_user": 1, "lineage": 1}
    rows = store.read("MATCH (r:Recommendation) RETURN r.uid AS uid, r.user_pseudonym AS user")
    assert [row["uid"] for row in rows] == ["rec:req-5"]
    assert rows[0]["user"].startswith("u_") and "vip" not in rows[0]["user"]
    assert _count(store, "MATCH (:Outcome)-[:FOR]->(:Recommendation) RETURN count(*) AS n") == 1


@pytest.fixture
def stopped_neo4j(tmp_path: Path) -> Iterator[LocalNeo4j]:
    """A private migrated Neo4j, stopped: the backend is down when the test starts."""
    server = LocalNeo4j(
        local_settings(
            tmp_path / "neo4j", pseudonymization_key=KEY, encryption_keys=TEST_ENCRYPTION_KEYS
        )
    )
    server.start()
    try:
        with Store.connect(server.settings) as store:
            migrate(store, server.settings.migrations_dir)
        server.stop()
        yield server
    finally:
        server.stop()


def test_with_neo4j_stopped_10000_events_arrive_exactly_once_when_it_starts(
    stopped_neo4j: LocalNeo4j, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    collector = _collector(stopped_neo4j.settings, spool)
    try:
        accepted = [collector.record(_served(n)) for n in range(EVENTS)]
        assert all(accepted)
        assert collector.flush(timeout=120)
        down = collector.stats()
        assert (down.spooled, down.spool_pending, down.sent, down.dropped) == (EVENTS, EVENTS, 0, 0)
        assert list(spool.rglob("*.ndjson"))

        stopped_neo4j.start()
        deadline = time.monotonic() + 180
        while collector.stats().spool_pending and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stats = collector.close(timeout=60)

    assert (stats.sent, stats.replayed, stats.spool_pending, stats.dropped) == (
        EVENTS,
        EVENTS,
        0,
        0,
    )
    assert not list(spool.rglob("*.ndjson"))
    with Store.connect(stopped_neo4j.settings) as store:
        assert _count(store, "MATCH (r:Recommendation) RETURN count(r) AS n") == EVENTS
        assert (
            _count(store, "MATCH (:Recommendation)-[h:HAS_CONTEXT]->() RETURN count(h) AS n")
            == EVENTS
        )
        # ContextUsage counts move only when a recommendation is first stored.
        assert _count(store, "MATCH (u:ContextUsage) RETURN sum(u.count) AS n") == EVENTS


def test_a_request_recorded_twice_is_counted_once(
    store: Store, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    keyed = neo4j_target.settings(pseudonymization_key=KEY, local_home=tmp_path / "unused")
    migrate(store, keyed.migrations_dir)
    collector = _collector(keyed, tmp_path / "spool")
    for n in range(50):  # each request twice, once under a new event id, in one batch
        event = _served(n)
        collector.record(event)
        collector.record(event.model_copy(update={"event_id": f"evt-{n}-again"}))
    stats = collector.close()

    assert stats.sent == 100
    assert _count(store, "MATCH (:Recommendation)-[h:HAS_CONTEXT]->() RETURN count(h) AS n") == 50
    assert _count(store, "MATCH (u:ContextUsage) RETURN sum(u.count) AS n") == 50
