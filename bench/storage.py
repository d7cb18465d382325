"""Storage per recommendation: the LineageContext model against one edge per feature.

    .venv/bin/python bench/run.py --only storage [--scale small|full]

The same demo recommendations (fixed seed; ``recommendation.served`` only: outcomes are
stored the same way in both models, so they would only add the same amount to each) go
into two separate database folders, each its own throwaway Neo4j:

- ``lineage_context``: the product writer, in batches of ``settings.ingest_batch_size``:
  per recommendation one node and one ``HAS_CONTEXT`` edge, plus the shared contexts and
  their per-day, per-segment ``ContextUsage`` counters;
- ``naive``: the same ``Recommendation`` nodes (same properties), each with a
  ``USED_MODEL`` edge, one ``USED_FEATURE`` edge per feature version and an ``IN_VARIANT``
  edge when it was in an experiment, each edge carrying the same ``valid_from`` and
  ``ingested_at`` as ``HAS_CONTEXT``; no contexts, no counters.

Both folders get the product's schema (migrations) and the demo's upstream lineage first;
growth is the size of the store files under ``data/databases/neo4j`` after
a clean shutdown (which checkpoints: Community has no ``db.checkpoint()``), minus the
same size measured, the same way, before the recommendations.
Transaction logs (``data/transactions``) are reported apart: retention rotates them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest import fresh_writer
from machine import load_average
from throwaway import Server, neo4j_version, throwaway_neo4j
from workload import Workload, batches

from graph_lineage.events import RecommendationServed
from graph_lineage.store import Store
from graph_lineage.store.writer import LineageWriter

NAIVE_RECOMMENDATIONS = """
UNWIND $rows AS row
CREATE (n:Recommendation)
SET n = row.props, n.uid = row.uid, n.valid_from = row.props.served_at,
    n.ingested_at = $now, n.event_time = row.event_time, n.event_id = row.event_id
WITH n, row
MATCH (modelVersion:ModelVersion {uid: row.model_version})
CREATE (n)-[:USED_MODEL {valid_from: row.props.served_at, ingested_at: $now}]->(modelVersion)
WITH n, row
CALL (n, row) {
  UNWIND row.feature_versions AS uid
  MATCH (version:FeatureVersion {uid: uid})
  CREATE (n)-[:USED_FEATURE {valid_from: row.props.served_at, ingested_at: $now}]->(version)
}
CALL (n, row) {
  UNWIND CASE WHEN row.variant IS NULL THEN [] ELSE [row.variant] END AS uid
  MATCH (variant:Variant {uid: uid})
  CREATE (n)-[:IN_VARIANT {valid_from: row.props.served_at, ingested_at: $now}]->(variant)
}
"""

COUNT_EDGES = """
MATCH (:Recommendation)-[r]->() RETURN count(r) AS edges
"""


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def file_sizes(folder: Path) -> dict[str, int]:
    return {
        str(path.relative_to(folder)): path.stat().st_size
        for path in folder.rglob("*")
        if path.is_file()
    }


def growth_by_file(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Files that grew, largest growth first: where the bytes go."""
    grown = {name: size - before.get(name, 0) for name, size in after.items()}
    ranked = sorted(((g, name) for name, g in grown.items() if g > 0), reverse=True)
    return {name: g for g, name in ranked}


def sizes(server: Server) -> dict[str, Any]:
    """Sizes on disk of a stopped server: its shutdown wrote a checkpoint."""
    files = file_sizes(server.store_dir)
    return {
        "store_bytes": sum(files.values()),
        "files": files,
        # Neo4j preallocates its transaction log files, so this moves in large steps.
        "transaction_log_bytes": folder_bytes(server.transactions_dir),
    }


def load_product(writer: LineageWriter, served: list[RecommendationServed], size: int) -> None:
    for batch in batches(served, size):
        writer.write(batch)


def load_naive(
    store: Store, writer: LineageWriter, served: list[RecommendationServed], size: int
) -> None:
    for batch in batches(served, size):
        _, rows = writer._recommendation_rows(list(batch))  # the same properties
        for row, event in zip(rows, batch, strict=True):
            row["model_version"] = event.model_version
            row["feature_versions"] = sorted(set(event.feature_versions))
            row["variant"] = event.variant_uid
        now = rows[0]["props"]["served_at"]  # any fixed instant: same bytes in both models
        store.write_all([(NAIVE_RECOMMENDATIONS, {"rows": rows, "now": now})])


def measure(model: str, home: Path, workload: Workload) -> dict[str, Any]:
    served = [e for e in workload.parsed_traffic() if isinstance(e, RecommendationServed)]
    with throwaway_neo4j(home) as server:
        with Store.connect(server.settings) as store:
            workload.load_lineage(fresh_writer(server.settings, store))
        server.local.stop()  # a clean shutdown checkpoints: measure the files at rest
        before = sizes(server)
        server.local.start()
        load = load_average()
        size = server.settings.ingest_batch_size
        with Store.connect(server.settings) as store:
            writer = fresh_writer(server.settings, store)
            if model == "naive":
                load_naive(store, writer, served, size)
            else:
                load_product(writer, served, size)
            edges = store.read(COUNT_EDGES)[0]["edges"]
            version = neo4j_version(store)
        server.local.stop()
        after = sizes(server)
    growth = after["store_bytes"] - before["store_bytes"]
    return {
        "model": model,
        "recommendations": len(served),
        "recommendation_edges": edges,
        "store_bytes_before": before["store_bytes"],
        "store_bytes_after": after["store_bytes"],
        "store_growth_bytes": growth,
        "bytes_per_recommendation": round(growth / len(served), 1),
        "mib_per_100k": round(growth / len(served) * 100_000 / 2**20, 1),
        "growth_by_file": growth_by_file(before["files"], after["files"]),
        "transaction_log_growth_bytes": after["transaction_log_bytes"]
        - before["transaction_log_bytes"],
        "load_average": load,
        "neo4j": version,
    }


def run(folder: Path, recommendations: int) -> dict[str, Any]:
    workload = Workload.demo(recommendations)
    results = [measure(model, folder / model, workload) for model in ("lineage_context", "naive")]
    product, naive = results
    return {
        "benchmark": "storage",
        "recommendations": recommendations,
        "naive_over_lineage_context": round(
            naive["store_growth_bytes"] / product["store_growth_bytes"], 2
        ),
        "results": results,
    }


COLUMNS = {
    "model": "model",
    "recommendations": "recommendations",
    "recommendation_edges": "edges from recommendations",
    "store_growth_bytes": "store growth (bytes)",
    "bytes_per_recommendation": "bytes/recommendation",
    "mib_per_100k": "MiB per 100,000",
    "load_average": "load avg (1, 5, 15 min)",
}
