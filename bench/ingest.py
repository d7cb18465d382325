"""Ingestion throughput: the demo traffic written four ways, each against a raw ceiling.

    .venv/bin/python bench/run.py --only ingest [--scale small|full]

The same recommendations and outcomes (demo pipeline, fixed seed; the upstream lineage is
loaded first, untimed, see ``workload.py``) go into a freshly wiped and migrated database
each time, in batches of ``settings.ingest_batch_size`` events:

- ``ceiling``: the nodes and relationships the lineage writer ends with, written by the
  simplest batched ``UNWIND $rows AS row CREATE ...`` in one transaction per batch. "The
  same nodes and relationships" means: one ``Recommendation`` (same properties) and its
  ``HAS_CONTEXT`` edge, one ``Outcome`` and its ``FOR`` edge, each ``LineageContext`` once
  with its ``USED_MODEL``/``USED_FEATURE``/``IN_VARIANT`` edges, each per-day, per-segment
  ``ContextUsage`` counter with its ``OF_CONTEXT`` edge (created once, then its count
  added to). No MERGE, no idempotence, no ordering rules, no context first/last-seen
  upkeep. Its rows (pseudonyms, fingerprints) are built before the clock starts, so it
  is the database and driver cost alone;
- ``writer``: ``LineageWriter.write`` on parsed events, one call per batch;
- ``http``: ``POST /v1/events`` to the real app under uvicorn (in a thread of this
  process), NDJSON bodies of one batch each, sent one after another by one client;
  parsing and validation happen in the server and are timed;
- ``collector``: ``LineageCollector.record`` of every parsed event with the neo4j
  transport (``batch_size`` = the same batch size, a queue that holds everything, sampling
  that keeps everything), timed until ``close()`` returned with everything sent.

Each way's graph is counted afterwards; ``same_graph`` says it matches the ceiling's.
Before the timed runs, every way runs once untimed on a smaller workload (warm-up).
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, LiteralString

import httpx
import uvicorn
from machine import load_average
from throwaway import Server, free_port
from workload import SEED, Workload, batches, graph_counts

from api.app import create_app
from graph_lineage.auth import Role, demo_token
from graph_lineage.collector import (
    CollectorConfig,
    LineageCollector,
    Neo4jConfig,
    Sampler,
    make_transport,
)
from graph_lineage.events import Event, OutcomeObserved, RecommendationServed
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.admin import wipe_database
from graph_lineage.store.writer import LineageWriter, _outcome_row

WARMUP_RECOMMENDATIONS = 3_000
Statements = list[tuple[LiteralString, dict[str, Any]]]

CEILING_CONTEXTS = """
UNWIND $contexts AS c
CREATE (n:LineageContext {uid: c.uid, fingerprint: c.fingerprint,
                          model_version: c.model_version.uid,
                          feature_versions: [fv IN c.feature_versions | fv.uid],
                          variant: c.variant.uid, first_seen: c.first_seen,
                          last_seen: c.last_seen, valid_from: c.first_seen, ingested_at: $now})
WITH n, c
MATCH (modelVersion:ModelVersion {uid: c.model_version.uid})
CREATE (n)-[:USED_MODEL {ingested_at: $now}]->(modelVersion)
WITH n, c
CALL (n, c) {
  UNWIND c.feature_versions AS fv
  MATCH (version:FeatureVersion {uid: fv.uid})
  CREATE (n)-[:USED_FEATURE {ingested_at: $now}]->(version)
}
CALL (n, c) {
  UNWIND CASE WHEN c.variant IS NULL THEN [] ELSE [c.variant] END AS declared
  MATCH (variant:Variant {uid: declared.uid})
  CREATE (n)-[:IN_VARIANT {ingested_at: $now}]->(variant)
}
"""

CEILING_RECOMMENDATIONS = """
UNWIND $rows AS row
MATCH (context:LineageContext {uid: row.context})
CREATE (n:Recommendation)-[:HAS_CONTEXT {valid_from: row.props.served_at,
                                         ingested_at: $now}]->(context)
SET n = row.props, n.uid = row.uid, n.valid_from = row.props.served_at,
    n.ingested_at = $now, n.event_time = row.event_time, n.event_id = row.event_id
"""

CEILING_NEW_USAGE = """
UNWIND $usage AS u
MATCH (context:LineageContext {uid: u.context})
CREATE (:ContextUsage {context: u.context, day: u.day, segment: u.segment,
                       count: u.count})-[:OF_CONTEXT]->(context)
"""

CEILING_USAGE_COUNTS = """
UNWIND $usage AS u
MATCH (usage:ContextUsage {context: u.context, day: u.day, segment: u.segment})
SET usage.count = usage.count + u.count
"""

CEILING_OUTCOMES = """
UNWIND $rows AS row
MATCH (recommendation:Recommendation {uid: row.recommendation})
CREATE (n:Outcome)-[:FOR {valid_from: row.props.observed_at,
                          ingested_at: $now}]->(recommendation)
SET n = row.props, n.uid = row.uid, n.valid_from = row.props.observed_at,
    n.event_time = row.event_time, n.event_id = row.event_id, n.ingested_at = $now
"""


def fresh_writer(settings: Settings, store: Store) -> LineageWriter:
    return LineageWriter(
        store, Pseudonymizer.from_settings(settings), Sealer.from_settings(settings)
    )


def reset(server: Server, workload: Workload) -> None:
    """An empty, migrated database holding the upstream lineage only."""
    with Store.connect(server.settings) as store:
        wipe_database(store)
        migrate(store, server.settings.migrations_dir)
        workload.load_lineage(fresh_writer(server.settings, store))


def ceiling_statements(
    writer: LineageWriter, events: Sequence[Event], size: int
) -> list[Statements]:
    """The ceiling's transactions: the writer's own rows, written with plain CREATEs."""
    now = datetime.now(UTC)
    contexts_seen: set[str] = set()
    usage_seen: set[tuple[str, Any, str]] = set()
    transactions = []
    for batch in batches(events, size):
        served = [e for e in batch if isinstance(e, RecommendationServed)]
        outcomes = [_outcome_row(e) for e in batch if isinstance(e, OutcomeObserved)]
        contexts, rows = writer._recommendation_rows(served)  # the rows the writer sends
        new_contexts = [c for c in contexts if c["uid"] not in contexts_seen]
        contexts_seen.update(c["uid"] for c in new_contexts)
        usage: dict[tuple[str, Any, str], int] = {}
        for row in rows:
            key = (row["context"], row["day"], row["props"]["segment"])
            usage[key] = usage.get(key, 0) + 1
        counts = [
            {"context": c, "day": d, "segment": s, "count": n} for (c, d, s), n in usage.items()
        ]
        new_usage = [u for u in counts if (u["context"], u["day"], u["segment"]) not in usage_seen]
        old_usage = [u for u in counts if (u["context"], u["day"], u["segment"]) in usage_seen]
        usage_seen.update(usage)
        statements: Statements = [
            (CEILING_CONTEXTS, {"contexts": new_contexts, "now": now}),
            (CEILING_RECOMMENDATIONS, {"rows": rows, "now": now}),
            (CEILING_NEW_USAGE, {"usage": new_usage}),
            (CEILING_USAGE_COUNTS, {"usage": old_usage}),
            (CEILING_OUTCOMES, {"rows": outcomes, "now": now}),
        ]
        transactions.append([(q, p) for q, p in statements if next(iter(p.values()))])
    return transactions


def run_ceiling(server: Server, events: list[Event], size: int) -> float:
    with Store.connect(server.settings) as store:
        transactions = ceiling_statements(fresh_writer(server.settings, store), events, size)
        started = time.perf_counter()
        for statements in transactions:
            store.write_all(statements)
        return time.perf_counter() - started


def run_writer(server: Server, events: list[Event], size: int) -> float:
    with Store.connect(server.settings) as store:
        writer = fresh_writer(server.settings, store)
        started = time.perf_counter()
        for batch in batches(events, size):
            writer.write(batch)
        return time.perf_counter() - started


class ThreadedServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # not the main thread
        pass


def run_http(server: Server, raw: list[dict[str, Any]], size: int) -> float:
    settings = server.settings
    bodies = [
        "".join(json.dumps(event, separators=(",", ":")) + "\n" for event in batch).encode()
        for batch in batches(raw, size)
    ]
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    api = ThreadedServer(config)
    thread = threading.Thread(target=api.run, name="bench-uvicorn", daemon=True)
    thread.start()
    while not api.started:
        time.sleep(0.05)
    headers = {
        "Authorization": f"Bearer {demo_token(settings, Role.PRODUCER, 'bench')}",
        "Content-Type": "application/x-ndjson",
    }
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
            started = time.perf_counter()
            for body in bodies:
                reply = client.post("/v1/events", content=body, headers=headers)
                reply.raise_for_status()
            return time.perf_counter() - started
    finally:
        api.should_exit = True
        thread.join(30)


def run_collector(server: Server, events: list[Event], size: int) -> float:
    transport = make_transport("neo4j", Neo4jConfig(settings=server.settings))
    with tempfile.TemporaryDirectory() as spool:
        config = CollectorConfig(max_queue=len(events) + 1, batch_size=size, spool_dir=Path(spool))
        collector = LineageCollector(transport, Sampler(1.0), config)
        started = time.perf_counter()
        for event in events:
            collector.record(event)
        stats = collector.close(timeout=3600)
        elapsed = time.perf_counter() - started
    if stats.sent != len(events):
        raise RuntimeError(f"the collector sent {stats.sent} of {len(events)} events: {stats}")
    return elapsed


def measure(
    name: str, server: Server, workload: Workload, run: Callable[[], float]
) -> dict[str, Any]:
    reset(server, workload)
    load = load_average()
    seconds = run()
    with Store.connect(server.settings) as store:
        counts = graph_counts(store)
    recommendations, events = workload.recommendations, len(workload.traffic)
    return {
        "way": name,
        "recommendations": recommendations,
        "events": events,
        "seconds": round(seconds, 2),
        "recommendations_per_s": round(recommendations / seconds),
        "events_per_s": round(events / seconds),
        "load_average_before": load,
        "load_average_after": load_average(),
        "counts": counts,
    }


def ways(server: Server, workload: Workload) -> dict[str, Callable[[], float]]:
    events = workload.parsed_traffic()
    size = server.settings.ingest_batch_size
    return {
        "ceiling": lambda: run_ceiling(server, events, size),
        "writer": lambda: run_writer(server, events, size),
        "http": lambda: run_http(server, workload.traffic, size),
        "collector": lambda: run_collector(server, events, size),
    }


def run(server: Server, recommendations: int) -> dict[str, Any]:
    # An untimed pass of every way first: the JVM's JIT and Neo4j's query plan cache warm
    # up, or whichever way ran first would pay for them.
    warmup = Workload.demo(min(WARMUP_RECOMMENDATIONS, recommendations), seed=SEED + 1)
    for name, way in ways(server, warmup).items():
        measure(name, server, warmup, way)
    workload = Workload.demo(recommendations)
    timed = ways(server, workload)
    results = [measure(name, server, workload, way) for name, way in timed.items()]
    ceiling = results[0]
    for result in results:
        result["ratio_to_ceiling"] = round(
            result["recommendations_per_s"] / ceiling["recommendations_per_s"], 3
        )
        result["same_graph"] = result["counts"] == ceiling["counts"]
    return {
        "benchmark": "ingest",
        "recommendations": recommendations,
        "traffic_events": len(workload.traffic),
        "lineage_events_untimed": len(workload.lineage),
        "batch_size": server.settings.ingest_batch_size,
        "results": results,
    }


COLUMNS = {
    "way": "way",
    "seconds": "seconds",
    "recommendations_per_s": "recommendations/s",
    "events_per_s": "events/s",
    "ratio_to_ceiling": "ratio to ceiling",
    "same_graph": "same graph",
    "load_average_before": "load avg (1, 5, 15 min) before",
}
