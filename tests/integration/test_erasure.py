"""Erasure on a real Neo4j: one person's data goes, everyone else's stays, and the record
names the person by neither the raw id nor the pseudonym."""

from __future__ import annotations

import io
import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.cli import main
from graph_lineage.cli.data import load_events, print_report
from graph_lineage.demo import DemoPipeline
from graph_lineage.events import parse_event
from graph_lineage.governance import erase_user, erasure_subject
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.writer import LineageWriter

from ..conftest import TEST_PSEUDONYMIZATION_KEY, Neo4jTarget, bearer

PSEUDONYMIZER = Pseudonymizer(TEST_PSEUDONYMIZATION_KEY.encode())


@pytest.fixture
def demo(store: Store, settings: Settings) -> list[dict[str, Any]]:
    migrate(store, settings.migrations_dir)
    events = list(DemoPipeline(recommendations=400, seed=11).events())
    LineageWriter(store, PSEUDONYMIZER, Sealer.from_settings(settings)).write(
        [parse_event(raw) for raw in events]
    )
    return events


def _busiest_user(events: list[dict[str, Any]]) -> tuple[str, set[str], set[str]]:
    """The user with the most recommendations, their request ids and their outcomes' uids."""
    served = [e for e in events if e["type"] == "recommendation.served"]
    user = Counter(e["user_id"] for e in served).most_common(1)[0][0]
    requests = {e["request_id"] for e in served if e["user_id"] == user}
    outcomes = {
        f"outcome:{e['event_id']}"
        for e in events
        if e["type"] == "outcome.observed" and e["request_id"] in requests
    }
    return user, requests, outcomes


def _count(store: Store, label: str) -> int:
    return int(
        store.read("MATCH (n) WHERE $label IN labels(n) RETURN count(n) AS n", label=label)[0]["n"]
    )


def _everything_stored(store: Store) -> str:
    nodes = store.read("MATCH (n) RETURN properties(n) AS p")
    edges = store.read("MATCH ()-[r]->() RETURN properties(r) AS p")
    return repr([row["p"] for row in nodes + edges])


def _erasures(store: Store) -> list[dict[str, Any]]:
    rows = store.read("MATCH (a:RunRecord {kind: 'erasure'}) RETURN a ORDER BY a.started_at")
    return [row["a"] for row in rows]


def test_erasure_deletes_one_persons_data_and_nothing_else(
    store: Store, demo: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    user, requests, outcomes = _busiest_user(demo)
    pseudonym = PSEUDONYMIZER.pseudonym(user)
    recommendations, all_outcomes = _count(store, "Recommendation"), _count(store, "Outcome")
    usage = store.read("MATCH (u:ContextUsage) RETURN sum(u.count) AS n")[0]["n"]
    assert len(requests) > 2 and outcomes and pseudonym in _everything_stored(store)

    with caplog.at_level(logging.DEBUG):
        report = erase_user(store, PSEUDONYMIZER, user, batch_size=2)

    assert (report.recommendations, report.outcomes) == (len(requests), len(outcomes))
    assert not store.read("MATCH (r:Recommendation {user_pseudonym: $p}) RETURN r", p=pseudonym)
    assert not store.read("MATCH (o:Outcome) WHERE o.uid IN $gone RETURN o", gone=list(outcomes))
    assert _count(store, "Recommendation") == recommendations - len(requests)
    assert _count(store, "Outcome") == all_outcomes - len(outcomes)
    assert store.read("MATCH (u:ContextUsage) RETURN sum(u.count) AS n")[0]["n"] == usage
    (record,) = _erasures(store)
    assert record["uid"] == report.uid and report.uid.startswith("record:erasure/")
    assert record["subject"] == report.subject == erasure_subject(PSEUDONYMIZER, user)
    assert record["deleted_recommendations"] == len(requests)
    assert record["deleted_outcomes"] == len(outcomes) and record["status"] == "finished"
    stored = _everything_stored(store)
    assert user not in stored and pseudonym not in stored
    assert user not in caplog.text


def test_erasing_twice_is_harmless_and_recorded_twice(
    store: Store, demo: list[dict[str, Any]]
) -> None:
    user, requests, _ = _busiest_user(demo)

    first = erase_user(store, PSEUDONYMIZER, user)
    second = erase_user(store, PSEUDONYMIZER, user)

    assert first.recommendations == len(requests) and second.recommendations == 0
    assert second.outcomes == 0
    assert [r["deleted_recommendations"] for r in _erasures(store)] == [len(requests), 0]
    assert len({r["subject"] for r in _erasures(store)}) == 1


def test_a_dry_run_counts_and_deletes_nothing(store: Store, demo: list[dict[str, Any]]) -> None:
    user, requests, outcomes = _busiest_user(demo)
    recommendations = _count(store, "Recommendation")

    report = erase_user(store, PSEUDONYMIZER, user, dry_run=True)

    assert (report.recommendations, report.outcomes) == (len(requests), len(outcomes))
    assert _count(store, "Recommendation") == recommendations
    assert _erasures(store)[0]["dry_run"] is True


def test_the_command_never_shows_the_raw_id(
    neo4j_target: Neo4jTarget, store: Store, demo: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    user, requests, _ = _busiest_user(demo)
    other = Counter(e["user_id"] for e in demo if e["type"] == "recommendation.served")
    second_user = other.most_common(2)[1][0]
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_URI", neo4j_target.uri)
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_PASSWORD", neo4j_target.password or "")
    monkeypatch.setenv("GRAPH_LINEAGE_PSEUDONYMIZATION_KEY", TEST_PSEUDONYMIZATION_KEY)

    assert main(["erase", "--user", user]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(second_user + "\n"))
    assert main(["erase", "--user", "-"]) == 0

    out, err = capsys.readouterr()
    assert f"erasure deleted {len(requests)} recommendations" in out
    for secret in (user, second_user, PSEUDONYMIZER.pseudonym(user)):
        assert secret not in out + err
    assert all(record["uid"] in out for record in _erasures(store))
    assert not store.read(
        "MATCH (r:Recommendation {user_pseudonym: $p}) RETURN r",
        p=PSEUDONYMIZER.pseudonym(second_user),
    )


def _events_of(events: list[dict[str, Any]], user: str, requests: set[str]) -> list[dict[str, Any]]:
    return [
        e
        for e in events
        if e.get("user_id") == user
        or (e["type"] == "outcome.observed" and e["request_id"] in requests)
    ]


def test_replays_after_an_erasure_bring_nothing_back_and_are_counted(
    store: Store,
    settings: Settings,
    demo: list[dict[str, Any]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    user, requests, outcomes = _busiest_user(demo)
    replay = _events_of(demo, user, requests)
    assert len(replay) == len(requests) + len(outcomes)
    erase_user(store, PSEUDONYMIZER, user)
    path = tmp_path / "replay.ndjson"
    path.write_text("\n".join(json.dumps(event) for event in demo))

    report = load_events(settings, path)
    print_report(report)
    with TestClient(create_app(settings), headers=bearer(settings)) as client:
        reply = client.post("/v1/events", json=replay)

    assert report.summary.dropped.as_dict() == {"erased": len(replay), "expired": 0}
    assert f"dropped: {len(replay)} of erased people, 0 older than retention" in (
        capsys.readouterr().out
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["dropped"] == {"erased": len(replay), "expired": 0}
    assert reply.json()["events"] == {}
    pseudonym = PSEUDONYMIZER.pseudonym(user)
    assert not store.read("MATCH (r:Recommendation {user_pseudonym: $p}) RETURN r", p=pseudonym)
    assert not store.read(
        "MATCH (r:Recommendation) WHERE r.request_id IN $ids RETURN r", ids=sorted(requests)
    )
    assert not store.read("MATCH (o:Outcome) WHERE o.uid IN $gone RETURN o", gone=list(outcomes))
    ledger = {row["key"] for row in store.read("MATCH (e:ErasureEntry) RETURN e.key AS key")}
    assert len(ledger) == 1 + len(requests)
    assert erasure_subject(PSEUDONYMIZER, user) not in ledger
    stored = _everything_stored(store)
    assert user not in stored and pseudonym not in stored
    assert not any(request in stored for request in requests)


def test_a_dry_run_erasure_keeps_later_events(
    store: Store, settings: Settings, demo: list[dict[str, Any]]
) -> None:
    user, requests, _ = _busiest_user(demo)
    erase_user(store, PSEUDONYMIZER, user, dry_run=True)
    writer = LineageWriter(store, PSEUDONYMIZER, Sealer.from_settings(settings))

    summary = writer.write([parse_event(raw) for raw in _events_of(demo, user, requests)])

    assert not store.read("MATCH (e:ErasureEntry) RETURN e")
    assert summary.dropped.as_dict() == {"erased": 0, "expired": 0}
    assert summary.events["recommendation.served"] == len(requests)
