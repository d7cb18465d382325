"""OpenLineage events on a real Neo4j: idempotent, order-independent, linked to signals."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph_lineage.events import parse_event as parse_capture_event
from graph_lineage.openlineage import OpenLineageEvent, ingest, link_signals, parse_event
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.admin import wipe_database
from graph_lineage.store.writer import LineageWriter

from .graph_snapshot import snapshot

T0 = datetime(2026, 11, 1, 10, tzinfo=UTC)
RUN = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
PARENT = "0190a1b2-c3d4-7e5f-8a9b-00000000000a"
RUN_UID = f"run:{RUN}"


@pytest.fixture
def schema(store: Store, settings: Settings) -> Store:
    migrate(store, settings.migrations_dir)
    return store


def at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def run_event(
    event_type: str | None, minutes: int, run: dict[str, Any] | None = None, **changes: Any
) -> OpenLineageEvent:
    raw: dict[str, Any] = {
        "eventTime": at(minutes),
        "eventType": event_type,
        "producer": "https://example.com/spark",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": run or {"runId": RUN},
        "job": {"namespace": "spark", "name": "build_ctr"},
        "inputs": [{"namespace": "s3://lake", "name": "events/clickstream"}],
        "outputs": [{"namespace": "s3://lake", "name": "user_ctr_7d"}],
    }
    raw.update(changes)
    return parse_event(raw)


def with_parent() -> dict[str, Any]:
    parent = {"run": {"runId": PARENT}, "job": {"namespace": "airflow", "name": "daily"}}
    return {"runId": RUN, "facets": {"parent": parent}}


def static_events() -> list[OpenLineageEvent]:
    base = {"producer": "https://example.com/dbt", "schemaURL": "https://x", "eventTime": at(0)}
    schema = {"fields": [{"name": "user_id", "type": "string"}]}
    dataset = {"namespace": "s3://lake", "name": "events/clickstream", "facets": {"schema": schema}}
    job = {"namespace": "dbt", "name": "model.ctr"}
    return [
        parse_event({**base, "dataset": dataset}),
        parse_event({**base, "job": job, "inputs": [dataset], "outputs": [dataset]}),
    ]


def one(store: Store, query: str, **parameters: Any) -> Any:
    rows = store.read(query, **parameters)
    assert len(rows) == 1, rows
    return rows[0]["value"]


def edges(store: Store) -> set[tuple[str, str, str]]:
    rows = store.read("MATCH (a)-[r]->(b) RETURN a.uid AS a, type(r) AS r, b.uid AS b")
    return {(row["a"], row["r"], row["b"]) for row in rows}


def test_a_run_with_its_job_datasets_and_parent(schema: Store) -> None:
    summary = ingest(schema, [run_event("START", 0, run=with_parent())])

    assert summary.events == {"RunEvent": 1}
    assert edges(schema) == {
        (RUN_UID, "RUN_OF", "job:spark/build_ctr"),
        (RUN_UID, "READ", "dataset:s3/lake/events/clickstream"),
        ("dataset:s3/lake/user_ctr_7d", "PRODUCED_BY", RUN_UID),
        (RUN_UID, "CHILD_OF", f"run:{PARENT}"),
        (f"run:{PARENT}", "RUN_OF", "job:airflow/daily"),
    }
    stubs = schema.read("MATCH (n {stub: true}) RETURN n.uid AS uid ORDER BY uid")
    assert [row["uid"] for row in stubs] == ["job:airflow/daily", f"run:{PARENT}"]


def test_the_same_events_three_times_change_nothing(schema: Store) -> None:
    events = [
        run_event("START", 0, run=with_parent()),
        run_event("RUNNING", 5),
        run_event("COMPLETE", 9),
        *static_events(),
    ]
    ingest(schema, events)
    first = snapshot(schema)

    for _ in range(2):
        summary = ingest(schema, events)
        assert summary.counters["nodes_created"] == 0
        assert summary.counters["relationships_created"] == 0

    assert snapshot(schema) == first


def test_state_follows_the_newest_event_whatever_arrives_first(schema: Store) -> None:
    def state() -> Any:
        query = "MATCH (r:Run {uid: $uid}) RETURN [r.state, r.started_at, r.ended_at] AS value"
        return one(schema, query, uid=RUN_UID)

    ingest(schema, [run_event("COMPLETE", 30)])
    assert state() == ["COMPLETE", None, T0 + timedelta(minutes=30)]

    ingest(schema, [run_event("START", 0)])
    assert state() == ["COMPLETE", T0, T0 + timedelta(minutes=30)]

    ingest(schema, [run_event("RUNNING", 10)])
    assert state() == ["COMPLETE", T0, T0 + timedelta(minutes=30)]

    ingest(schema, [run_event("FAIL", 40)])
    assert state() == ["FAIL", T0, T0 + timedelta(minutes=40)]


def test_on_equal_times_the_later_state_wins_across_requests(schema: Store) -> None:
    ingest(schema, [run_event("COMPLETE", 0)])
    ingest(schema, [run_event("START", 0)])

    assert one(schema, "MATCH (r:Run) RETURN r.state AS value") == "COMPLETE"


def test_arrival_order_does_not_change_the_graph(schema: Store, settings: Settings) -> None:
    def job(query: str | None) -> dict[str, Any]:
        facets = {"sql": {"query": query}} if query else {}
        return {"namespace": "spark", "name": "build_ctr", "facets": facets}

    # The newest event that states a facet wins, even when a newer one is silent on it.
    events = [
        run_event("START", 0, run=with_parent(), job=job("select v1")),
        run_event("RUNNING", 5, job=job("select v2")),
        run_event("COMPLETE", 9, job=job(None)),
    ]
    pictures = []
    for order in itertools.permutations(events):
        wipe_database(schema)
        migrate(schema, settings.migrations_dir)
        for event in order:
            ingest(schema, [event])
        pictures.append(snapshot(schema, ignore=frozenset({"ingested_at"})))
        assert one(schema, "MATCH (j:Job {name: 'build_ctr'}) RETURN j.sql AS value") == "select v2"

    assert all(picture == pictures[0] for picture in pictures)


def test_one_request_and_many_give_the_same_graph(schema: Store, settings: Settings) -> None:
    events = [run_event(kind, minutes) for kind, minutes in (("START", 0), ("COMPLETE", 9))]
    events += [run_event("START", 3, run=with_parent()), *static_events()]
    random.Random(5).shuffle(events)

    ingest(schema, events)
    together = snapshot(schema, ignore=frozenset({"ingested_at"}))
    wipe_database(schema)
    migrate(schema, settings.migrations_dir)
    for event in reversed(events):
        ingest(schema, [event])

    assert snapshot(schema, ignore=frozenset({"ingested_at"})) == together


def test_job_and_dataset_events_declare_static_lineage(schema: Store) -> None:
    ingest(schema, static_events())

    assert edges(schema) == {
        ("job:dbt/model.ctr", "CONSUMES", "dataset:s3/lake/events/clickstream"),
        ("dataset:s3/lake/events/clickstream", "OUTPUT_OF", "job:dbt/model.ctr"),
    }
    query = "MATCH (d:Dataset) RETURN [d.schema_fields, d.schema_types, d.facets_seen] AS value"
    assert one(schema, query) == [["user_id"], ["string"], ["schema"]]


def _write_signals(store: Store) -> None:
    common = {"producer": "test", "event_time": T0.isoformat()}
    source = {
        "type": "data_source.registered",
        "event_id": "s1",
        "name": "clickstream",
        "kind": "stream",
        "uri": "kafka://clicks",
        "owner": "web",
        **common,
    }
    feature = {
        "type": "feature_version.materialized", "event_id": "f1", "feature": "user_ctr_7d",
        "version": "v3", "schema_hash": "abcd1234", "transform_hash": "efgh5678",
        "derived_from": ["source:clickstream"], "feature_store": "feast",
        "materialized_at": T0.isoformat(), **common,
    }  # fmt: skip
    writer = LineageWriter(
        store, Pseudonymizer(b"test-key-for-openlineage-tests"), Sealer({"test": bytes(32)})
    )
    writer.write([parse_capture_event(source), parse_capture_event(feature)])


def _versioned_output() -> dict[str, Any]:
    facets = {"version": {"datasetVersion": "v3"}}
    return {"namespace": "s3://lake", "name": "user_ctr_7d", "facets": facets}


def _same_as(store: Store) -> set[tuple[str, str, str]]:
    return {edge for edge in edges(store) if edge[1] == "SAME_AS"}


LINKED_SOURCE = ("dataset:s3/lake/events/clickstream", "SAME_AS", "source:clickstream")
LINKED_FEATURE = ("dataset:s3/lake/user_ctr_7d", "SAME_AS", "feature:user_ctr_7d@v3")
LINKED = {LINKED_SOURCE, LINKED_FEATURE}


def test_datasets_link_to_signals_written_before_them(schema: Store) -> None:
    _write_signals(schema)

    ingest(schema, [run_event("COMPLETE", 9, outputs=[_versioned_output()])])

    assert _same_as(schema) == LINKED


def test_datasets_link_to_signals_written_after_them(schema: Store) -> None:
    ingest(schema, [run_event("COMPLETE", 9, outputs=[_versioned_output()])])
    assert _same_as(schema) == set()

    _write_signals(schema)  # the capture writer links the datasets that name them

    assert _same_as(schema) == LINKED
    assert link_signals(schema, ["source:clickstream"])["relationships_created"] == 0


def test_the_next_event_on_a_dataset_links_it_too(schema: Store) -> None:
    ingest(schema, [run_event("START", 0, outputs=[_versioned_output()])])
    # a signal created outside the capture writer (by hand in Neo4j Browser, say)
    schema.write("CREATE (:DataSource {uid: 'source:clickstream', name: 'clickstream'})")

    ingest(schema, [run_event("COMPLETE", 9, outputs=[])])

    assert _same_as(schema) == {LINKED_SOURCE}


def _with_data_source(uri: str, minutes: int = 0) -> OpenLineageEvent:
    facet = {"name": "orders-db", "uri": uri}
    dataset = {"namespace": "postgres://db", "name": "shop.orders", "facets": {"dataSource": facet}}
    base = {
        "producer": "https://example.com/dbt",
        "schemaURL": "https://x",
        "eventTime": at(minutes),
    }
    return parse_event({**base, "dataset": dataset})


DATA_SOURCE_URI = "MATCH (n:Dataset) RETURN n.uid AS uid, n.data_source_uri AS value"


def test_a_data_source_uri_is_stored_sealed_and_replays_keep_its_envelope(
    schema: Store, settings: Settings
) -> None:
    sealer = Sealer.from_settings(settings)
    uri = "postgres://admin@db.internal:5432/shop"

    summary = ingest(schema, [_with_data_source(uri)], sealer=sealer)
    (row,) = schema.read(DATA_SOURCE_URI)
    ingest(schema, [_with_data_source(uri)], sealer=sealer)
    ingest(schema, [_with_data_source("postgres://admin@db2.internal/shop", 5)], sealer=sealer)
    (newer,) = schema.read(DATA_SOURCE_URI)

    assert summary.warnings == []
    assert row["value"].startswith("enc:v2:") and "db.internal" not in repr(snapshot(schema))
    assert sealer.open(row["value"], "data_source_uri", row["uid"]) == uri
    assert newer["value"] != row["value"]
    assert sealer.open(newer["value"], "data_source_uri", newer["uid"]).startswith(
        "postgres://admin@db2"
    )


def test_a_replay_keeps_the_sealed_data_source_uri(schema: Store, settings: Settings) -> None:
    sealer = Sealer.from_settings(settings)
    ingest(schema, [_with_data_source("postgres://admin@db/shop")], sealer=sealer)
    first = schema.read(DATA_SOURCE_URI)

    ingest(schema, [_with_data_source("postgres://admin@db/shop")], sealer=sealer)

    assert schema.read(DATA_SOURCE_URI) == first


def test_without_a_sealer_the_data_source_facet_is_not_stored(schema: Store) -> None:
    summary = ingest(schema, [_with_data_source("postgres://admin@db/shop")])

    assert summary.warnings == [
        "[0].dataset.facets.data_source ignored: no encryption key to seal it"
    ]
    assert schema.read(DATA_SOURCE_URI)[0]["value"] is None
    assert "admin@db" not in repr(snapshot(schema))
