"""Retention on a real Neo4j: the right nodes go, the aggregates stay, the run is recorded.

The demo pipeline serves from 2026-10-01 to 2026-10-30; with ``NOW`` = 2027-01-10 and 90
days the cut-off is 2026-10-12, so about a third of it is old enough to go. What should go
is worked out from the events themselves, not from the Cypher under test.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, LiteralString, cast

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.cli import main
from graph_lineage.demo import DemoPipeline
from graph_lineage.drift import Monitor, scan
from graph_lineage.events import parse_event
from graph_lineage.governance import RetentionPolicy, run_retention
from graph_lineage.lineage.impact import impact
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer, parse_keys
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.writer import LineageWriter

from ..conftest import TEST_ENCRYPTION_KEYS, TEST_PSEUDONYMIZATION_KEY, Neo4jTarget, bearer

NOW = datetime(2027, 1, 10, tzinfo=UTC)
CUTOFF = datetime(2026, 10, 12, tzinfo=UTC)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _write(store: Store, raw_events: list[dict[str, Any]]) -> None:
    writer = LineageWriter(
        store,
        Pseudonymizer(TEST_PSEUDONYMIZATION_KEY.encode()),
        Sealer(parse_keys(TEST_ENCRYPTION_KEYS)),
    )
    writer.write([parse_event(raw) for raw in raw_events])


@pytest.fixture
def demo(store: Store, settings: Settings) -> list[dict[str, Any]]:
    migrate(store, settings.migrations_dir)
    events = list(DemoPipeline(recommendations=400, seed=11).events())
    _write(store, events)
    return events


def _expected(events: list[dict[str, Any]], cutoff: datetime) -> tuple[set[str], set[str]]:
    """Request ids of the recommendations and event ids of the outcomes that should go."""
    old = {
        e["request_id"]
        for e in events
        if e["type"] == "recommendation.served" and _at(e["served_at"]) < cutoff
    }
    outcomes = {
        e["event_id"]
        for e in events
        if e["type"] == "outcome.observed"
        and (e["request_id"] in old or _at(e["observed_at"]) < cutoff)
    }
    return old, outcomes


def _count(store: Store, label: str) -> int:
    counts = {
        r["label"]: r["n"]
        for r in store.read("MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n")
    }
    return int(counts.get(label, 0))


def _usage_total(store: Store) -> int:
    return int(store.read("MATCH (u:ContextUsage) RETURN sum(u.count) AS n")[0]["n"])


def _records(store: Store) -> list[dict[str, Any]]:
    return store.read("MATCH (a:RunRecord {kind: 'retention'}) RETURN a ORDER BY a.started_at")


def test_retention_deletes_what_is_older_than_the_cutoff_and_keeps_the_aggregates(
    store: Store, demo: list[dict[str, Any]]
) -> None:
    old, old_outcomes = _expected(demo, CUTOFF)
    recommendations, outcomes = _count(store, "Recommendation"), _count(store, "Outcome")
    per_context = Counter(
        r["c"]
        for r in store.read(
            "MATCH (r:Recommendation)-[:HAS_CONTEXT]->(c) WHERE r.request_id IN $old"
            " RETURN c.uid AS c",
            old=sorted(old),
        )
    )
    usage, contexts = _usage_total(store), _count(store, "LineageContext")
    before = impact(store, "model:ranker@v1")
    assert len(old) > 3 * 37 and old_outcomes

    report = run_retention(store, RetentionPolicy(batch_size=37), now=NOW)

    assert (report.recommendations, report.outcomes) == (len(old), len(old_outcomes))
    assert report.feature_statistics == 0 and report.cutoffs.recommendations == CUTOFF
    assert _count(store, "Recommendation") == recommendations - len(old)
    assert _count(store, "Outcome") == outcomes - len(old_outcomes)
    left = store.read("MATCH (r:Recommendation) RETURN min(r.served_at) AS first")[0]
    assert left["first"].to_native() >= CUTOFF
    assert not store.read(
        "MATCH (o:Outcome) WHERE o.uid IN $gone RETURN o",
        gone=[f"outcome:{e}" for e in old_outcomes],
    )
    assert _usage_total(store) == usage and _count(store, "LineageContext") == contexts
    assert impact(store, "model:ranker@v1").by_segment == before.by_segment
    expired = {
        r["uid"]: (r["n"], r["before"].to_native())
        for r in store.read(
            "MATCH (c:LineageContext) WHERE c.expired_recommendations IS NOT NULL"
            " RETURN c.uid AS uid, c.expired_recommendations AS n, c.expired_before AS before"
        )
    }
    assert expired == {uid: (n, CUTOFF) for uid, n in per_context.items()}
    (record,) = _records(store)
    assert record["a"]["uid"] == report.uid and report.uid.startswith("record:retention/")
    assert record["a"]["status"] == "finished" and record["a"]["dry_run"] is False
    assert record["a"]["deleted_recommendations"] == len(old)
    assert record["a"]["deleted_outcomes"] == len(old_outcomes)
    assert record["a"]["recommendations_cutoff"].to_native() == CUTOFF
    assert record["a"]["batch_size"] == 37 and record["a"]["finished_at"] is not None


def test_a_dry_run_deletes_nothing_and_counts_what_the_real_run_deletes(
    store: Store, demo: list[dict[str, Any]]
) -> None:
    nodes = store.read("MATCH (n) RETURN count(n) AS n")[0]["n"]

    dry = run_retention(store, RetentionPolicy(), now=NOW, dry_run=True)

    assert store.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == nodes + 1  # the record
    assert not store.read("MATCH (c:LineageContext) WHERE c.expired_recommendations > 0 RETURN c")
    real = run_retention(store, RetentionPolicy(), now=NOW)
    assert (dry.recommendations, dry.outcomes) == (real.recommendations, real.outcomes) != (0, 0)
    records = [r["a"] for r in _records(store)]
    assert [r["dry_run"] for r in records] == [True, False]
    assert records[0]["deleted_recommendations"] == records[1]["deleted_recommendations"]
    assert run_retention(store, RetentionPolicy(), now=NOW).recommendations == 0


def test_outcomes_expire_on_their_own_and_never_outlive_their_recommendation(
    store: Store, demo: list[dict[str, Any]]
) -> None:
    old, _ = _expected(demo, CUTOFF)  # recommendations served before 2026-10-12
    outcomes = [e for e in demo if e["type"] == "outcome.observed"]
    earlier = NOW - timedelta(days=95)  # 2026-10-07
    on_their_own = [e for e in outcomes if _at(e["observed_at"]) < earlier]
    with_theirs = [e for e in outcomes if e["request_id"] in old and e not in on_their_own]
    recommendations = _count(store, "Recommendation")

    only_outcomes = RetentionPolicy(recommendations_days=0, outcomes_days=95)
    report = run_retention(store, only_outcomes, now=NOW)

    assert (report.recommendations, report.outcomes) == (0, len(on_their_own))
    assert _count(store, "Recommendation") == recommendations
    keep_outcomes = RetentionPolicy(recommendations_days=90, outcomes_days=0)
    report = run_retention(store, keep_outcomes, now=NOW)
    assert (report.recommendations, report.outcomes) == (len(old), len(with_theirs))
    assert len(with_theirs) > 0
    assert _count(store, "Outcome") == len(outcomes) - len(on_their_own) - len(with_theirs)


def test_feature_statistics_expire_by_their_window(
    store: Store, demo: list[dict[str, Any]]
) -> None:
    windows = [_at(e["window_start"]) for e in demo if e["type"] == "feature_statistics.observed"]
    cutoff = NOW - timedelta(days=95)

    scan(store, Monitor(), kinds=["feature_volume"], now=NOW)  # a drift window per statistics
    drift_windows = _count(store, "DriftWindow")
    assert drift_windows == len(windows)
    dry = run_retention(store, RetentionPolicy(feature_statistics_days=95), now=NOW, dry_run=True)
    report = run_retention(store, RetentionPolicy(feature_statistics_days=95), now=NOW)

    assert report.feature_statistics == sum(w < cutoff for w in windows) > 0
    assert _count(store, "FeatureStatistics") == sum(w >= cutoff for w in windows) > 0
    assert report.drift_windows == dry.drift_windows == report.feature_statistics
    assert _count(store, "DriftWindow") == drift_windows - report.drift_windows
    assert _count(store, "FeatureVersion") > 0


def test_stub_recommendations_expire_by_when_they_were_stored(
    store: Store, settings: Settings
) -> None:
    migrate(store, settings.migrations_dir)
    now = datetime.now(UTC)
    outcome = {
        "type": "outcome.observed",
        "event_id": "late-1",
        "event_time": now.isoformat(),
        "producer": "test",
        "schema_version": "1.0",
        "request_id": "req-never-served",
        "item_id": "sku-1",
        "kind": "click",
        "value": 1.0,
    }
    _write(store, [outcome])
    policy = RetentionPolicy(recommendations_days=90, outcomes_days=0)

    assert run_retention(store, policy, now=now + timedelta(days=89)).recommendations == 0
    report = run_retention(store, policy, now=now + timedelta(days=91))

    assert (report.recommendations, report.outcomes) == (1, 1)
    assert _count(store, "Recommendation") == _count(store, "Outcome") == 0


def test_days_of_zero_keep_everything(store: Store, demo: list[dict[str, Any]]) -> None:
    nodes = store.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    policy = RetentionPolicy(recommendations_days=0, outcomes_days=0, feature_statistics_days=0)

    report = run_retention(store, policy, now=NOW)

    assert (report.recommendations, report.outcomes, report.feature_statistics) == (0, 0, 0)
    assert store.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == nodes + 1
    assert "recommendations_cutoff" not in _records(store)[0]["a"]


def test_the_command_reports_and_records(
    neo4j_target: Neo4jTarget, store: Store, demo: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    old, _ = _expected(demo, CUTOFF)
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_URI", neo4j_target.uri)
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_PASSWORD", neo4j_target.password or "")
    monkeypatch.setenv("GRAPH_LINEAGE_RETENTION_BATCH_SIZE", "50")

    assert main(["retention", "run", "--dry-run", "--now", "2027-01-10T00:00:00+00:00"]) == 0
    dry = capsys.readouterr().out
    assert main(["retention", "run", "--now", "2027-01-10"]) == 0  # no zone: UTC
    real = capsys.readouterr().out

    assert f"retention would delete {len(old)} recommendations" in dry
    assert f"retention deleted {len(old)} recommendations" in real
    assert "2026-10-12T00:00:00+00:00" in real
    uids = [r["a"]["uid"] for r in _records(store)]
    assert len(uids) == 2 and uids[0] in dry and uids[1] in real
    assert _records(store)[1]["a"]["batch_size"] == 50


def test_the_queries_of_the_retention_guide_answer(
    store: Store, demo: list[dict[str, Any]]
) -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "retention.md").read_text()
    queries = re.findall(r"```cypher\n(.*?)```", guide, re.S)
    report = run_retention(store, RetentionPolicy(), now=NOW)

    contexts, records = (store.read(cast(LiteralString, query)) for query in queries)

    assert sum(row["c.expired_recommendations"] for row in contexts) == report.recommendations
    assert [row["a.uid"] for row in records] == [report.uid]


def _served(request_id: str, days_ago: int) -> dict[str, Any]:
    at = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    return {
        "type": "recommendation.served",
        "event_id": f"e-{request_id}",
        "event_time": at,
        "producer": "test",
        "request_id": request_id,
        "served_at": at,
        "user_id": "user-1",
        "segment": "new",
        "model_version": "model:ranker@v2",
        "feature_versions": ["feature:user_ctr_7d@v3"],
    }


def _outcome(request_id: str, days_ago: int) -> dict[str, Any]:
    at = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    return {
        "type": "outcome.observed",
        "event_id": f"o-{request_id}-{days_ago}",
        "event_time": at,
        "producer": "test",
        "request_id": request_id,
        "kind": "click",
        "item_id": "item-1",
    }


def test_events_older_than_retention_are_dropped_at_write_time_and_counted(
    store: Store, settings: Settings
) -> None:
    migrate(store, settings.migrations_dir)
    kept = settings.model_copy(
        update={"retention_recommendations_days": 90, "retention_outcomes_days": 30}
    )
    events = [_served("old", 91), _served("new", 89), _outcome("new", 31), _outcome("new", 1)]

    with TestClient(create_app(kept), headers=bearer(kept)) as client:
        reply = client.post("/v1/events", json=events)

    assert reply.status_code == 200, reply.text
    assert reply.json()["dropped"] == {"erased": 0, "expired": 2}
    assert reply.json()["events"] == {"recommendation.served": 1, "outcome.observed": 1}
    stored = store.read("MATCH (r:Recommendation) RETURN r.request_id AS id")
    assert stored == [{"id": "new"}]
    assert store.read("MATCH (o:Outcome) RETURN o.uid AS uid") == [{"uid": "outcome:o-new-1"}]


def test_a_writer_without_retention_keeps_every_event(store: Store, settings: Settings) -> None:
    migrate(store, settings.migrations_dir)
    writer = LineageWriter(
        store, Pseudonymizer(TEST_PSEUDONYMIZATION_KEY.encode()), Sealer.from_settings(settings)
    )

    summary = writer.write([parse_event(_served("ancient", 3650))])

    assert summary.dropped.as_dict() == {"erased": 0, "expired": 0}
    assert store.read("MATCH (r:Recommendation) RETURN r.request_id AS id") == [{"id": "ancient"}]
