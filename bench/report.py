"""bench/RESULTS.md, regenerated from every result in bench/results/."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import audit
import collector_record
import drift
import experiments
import explorer
import hotspots
import ingest
import queries
import storage

BENCH = Path(__file__).resolve().parent
RESULTS_DIR = BENCH / "results"
RESULTS_MD = BENCH / "RESULTS.md"

TITLES = {
    "ingest": "Ingestion throughput (issue 7, part 1)",
    "storage": "Storage per recommendation (issue 7, part 2)",
    "collector_record": "Collector overhead on the serving path (issue 7, part 3)",
    "queries": "Query latency (issue 7, part 4)",
    "audit": "Access log under concurrency (issue 7, part 5)",
    "profile": "Where a GraphQL request's time goes (issue 7, part 5)",
    "drift": "Drift scans against statistics windows and feature versions (issue 13)",
    "experiments": "Experiment reports against recommendations (issue 14)",
    "explorer": "Time to a usable explorer view in Chromium (issue 15)",
}
NOTES = {
    "ingest": (
        "Demo traffic (recommendations and their outcomes, fixed seed) in batches of"
        " `ingest_batch_size` events, each way on a wiped, migrated database holding the"
        " demo's upstream lineage. `ceiling`: the same nodes and relationships by plain"
        " `UNWIND ... CREATE`, rows built before the clock. `same graph`: the counts of"
        " recommendations, outcomes, contexts, usage counters and their edges match the"
        " ceiling's. See `bench/ingest.py`."
    ),
    "storage": (
        "Store files under `data/databases/neo4j` after a clean shutdown (it checkpoints),"
        " growth from before the recommendations (upstream lineage and schema already"
        " there), each model in its own database folder. `naive`: one edge per feature version per"
        " recommendation plus model and variant edges, no contexts. See `bench/storage.py`."
    ),
    "collector_record": (
        "`record()` latency with the backend up (file), down (spool) and shedding; the"
        " neo4j scenario writes into a throwaway server (`bench/run.py`) or into"
        " `GRAPH_LINEAGE_NEO4J_URI` when the script runs alone. See"
        " `bench/collector_record.py`."
    ),
    "queries": (
        "Each query after warm-up, on a freshly loaded demo graph per size (fixed seed)."
        " `library`: the lineage function called directly on a `Store` (the Cypher through"
        " the driver plus our Python); `GraphQL`: `POST /graphql` to the real app under"
        " uvicorn, one keep-alive client, as `engineer`. `overhead` = GraphQL p50 minus"
        " library p50; every GraphQL request also appends an access-log record before"
        " answering, timed apart (`access_log.append` directly) and taken off in `overhead"
        " less audit`. `trace`/`upstream` rotate over several recent recommendations;"
        " `downstream`/`impact` start at `source:clickstream`; downstream stops at 1,000"
        " nodes (`truncated`). See `bench/queries.py`."
    ),
    "audit": (
        "Threads appending access-log records as fast as they can to a throwaway"
        " database; `grouped` is `access_log.append` as the API calls it (group commit),"
        " `one per transaction` is one record per transaction as before group commit."
        " Every GraphQL operation waits for one append, on every API replica, so"
        " `appends/s` bounds a deployment's GraphQL operations per second. `chain intact`:"
        " `verify` passes and counts every record. See `bench/audit.py`."
    ),
    "profile": (
        "GraphQL `trace` requests as `engineer` through the real app in the benchmark's"
        " own event loop (`httpx.ASGITransport`: no sockets), after warm-up. `library"
        " call`: `trace.trace` as the resolver calls it (Cypher, driver, our Python);"
        " `audit append`: `access_log.append`, the record written before the answer;"
        " `everything else`: HTTP framing, authentication, GraphQL parsing, validation and"
        " execution, field authorization, JSON. The call trees and Cypher plans are the"
        " files listed above. See `bench/hotspots.py`."
    ),
    "drift": (
        "Each shape on a wiped, migrated database: sources, feature versions and one"
        " `feature_statistics.observed` per version and day (10-bin histograms, seeded),"
        " through the product writer (`load`); every 50th version, all of one source,"
        " shifts at 70 % of the days and that source changes then. `first scan`:"
        " `drift.scan` of the feature signals (distribution, nulls, volume; no model is"
        " trained, so no skew windows), in a process of its own, whose peak resident memory"
        " is `scan peak RSS`; `windows/s` counts statistics windows, each of which makes three"
        " `DriftWindow`s. `judged` counts those. `shifted versions found`: shifted versions with"
        " an open `feature_distribution` drift. `rescan`: the same scan with nothing new"
        " (median of 5), the queries it sent and the rows they returned. `next day`: one more"
        " day of statistics for every version, then a scan. See `bench/drift.py`."
    ),
    "experiments": (
        "Each size on a wiped, migrated database: the demo (fixed seed) with one user per 10"
        " recommendations, through the product writer. `experiment_report` of"
        " `ranker-v3-rollout` (randomized by user), the median of 3 runs after a warm-up,"
        " its parts timed around the library functions it calls. `request rows, folded in"
        " Python`: `read_exposure` as the library has it (time slices of ~10,000 requests, each"
        " with its outcomes); `per unit in Cypher, per day`: `bench/per_unit.py`, one query"
        " per day returning one row per (unit, variant, context), checked to give the same"
        " per-unit data before it is timed. `rows returned`: rows every query of the report"
        " returned. `peak RSS`: the report (cuped) alone in a spawned process. See"
        " `bench/experiments.py`."
    ),
    "explorer": (
        "`graph-lineage up` on a throwaway Neo4j (its demo pipeline, fixed seed), headless"
        " Chromium through Playwright; each run a fresh browser context (no cache) whose tab"
        " holds a signed-in session, the page's own clock from navigation start to the view"
        " being usable: the graph drawn and laid out, or every chart of the dashboard drawn."
        " `of which GraphQL`: the time of the page's `/graphql` requests (they may overlap"
        " with the browser's own work). See `bench/explorer.py`."
    ),
}
COLUMNS: dict[str, Mapping[str, str]] = {
    "ingest": ingest.COLUMNS,
    "storage": storage.COLUMNS,
    "collector_record": collector_record.COLUMNS,
    "queries": queries.COLUMNS,
    "audit": audit.COLUMNS,
    "profile": hotspots.COLUMNS,
    "drift": drift.COLUMNS,
    "experiments": experiments.COLUMNS,
    "explorer": explorer.COLUMNS,
}


def cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 100 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(cell(item) for item in value)
    return str(value)


def table(columns: Mapping[str, str], rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(columns.values()) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(cell(row.get(key, "")) for key in columns) + " |")
    return "\n".join(lines)


def machine_line(report: dict[str, Any]) -> str:
    machine = report.get("machine") or {
        "cpus": report.get("cpus"),
        "python": report.get("python"),
        "load_average": report.get("load_average"),
        "measured_at": report.get("measured_at"),
    }
    parts = [
        f"measured {machine.get('measured_at')}",
        f"scale `{report.get('scale', 'recorded by the script alone')}`",
        f"{machine.get('cpus')} cores",
        f"{machine['memory_gib']} GiB" if "memory_gib" in machine else "memory not recorded",
        f"Neo4j {machine.get('neo4j') or 'n/a'}",
        f"Python {machine.get('python')}",
        f"load average {cell(machine.get('load_average'))} at the start",
    ]
    return "; ".join(parts) + "."


def headline(name: str, report: dict[str, Any]) -> str:
    if name == "storage":
        ratio = report["naive_over_lineage_context"]
        return f"The naive model's store grows **{ratio}x** as much as LineageContext's."
    if name == "ingest":
        return (
            f"{report['recommendations']:,} recommendations, {report['traffic_events']:,} events,"
            f" batch size {report['batch_size']:,}."
        )
    if name == "queries":
        audit = list(
            {row["recommendations"]: row["audit_p50_ms"] for row in report["results"]}.values()
        )
        sizes = ", ".join(f"{size:,}" for size in report["sizes"])
        return (
            f"Recommendations: {sizes}; {report['repetitions']} timed runs per query after"
            f" {report['warmup']} warm-up runs. Audit append p50:"
            f" {', '.join(cell(a) for a in audit)} ms (one per size)."
        )
    if name == "profile":
        listed = ", ".join(f"`{path}`" for path in report["profiles"])
        return f"{report['recommendations']:,} recommendations. Profiles: {listed}."
    if name == "audit":
        return f"{report['appends_per_run']:,} appends per run."
    if name == "experiments":
        sizes = ", ".join(f"{loaded['recommendations']:,}" for loaded in report["loads"])
        return f"Experiment `{report['experiment']}`; recommendations: {sizes}."
    if name == "explorer":
        return f"{report['recommendations']:,} recommendations; Chromium {report['chromium']}."
    if name == "drift":
        listed = ", ".join(f"`{path}`" for path in report["profiles"])
        kinds = ", ".join(report["kinds"])
        return f"Signals scanned: {kinds}. Profiles: {listed}."
    return f"{report.get('events_per_scenario', 0):,} events per scenario."


def growth(report: dict[str, Any]) -> list[str]:
    """The scaling curve: each query's p50 at every size, and how much it grew."""
    sizes = report["sizes"]
    if len(sizes) < 2:
        return []
    by_query: dict[str, dict[int, dict[str, Any]]] = {}
    for row in report["results"]:
        by_query.setdefault(row["query"], {})[row["size"]] = row
    factor = sizes[-1] / sizes[0]
    head = [
        "query",
        *(f"library p50 at {n:,}" for n in sizes),
        f"growth for {factor:,.0f}x the graph",
    ]
    head += [f"GraphQL p50 at {sizes[-1]:,}", f"GraphQL p95 at {sizes[-1]:,}"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for query, rows in by_query.items():
        if not all(n in rows for n in sizes):
            continue
        p50s = [rows[n]["library_p50_ms"] for n in sizes]
        last = rows[sizes[-1]]
        cells = [query, *(cell(p) for p in p50s), f"{p50s[-1] / p50s[0]:.2f}x"]
        cells += [cell(last["graphql_p50_ms"]), cell(last["graphql_p95_ms"])]
        lines.append("| " + " | ".join(cells) + " |")
    title = f"Scaling curve, library p50 in ms, from {sizes[0]:,} to {sizes[-1]:,} recommendations:"
    return ["", title, "", *lines]


def render(results_dir: Path = RESULTS_DIR) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Regenerated by `.venv/bin/python bench/run.py` (see docs/performance.md); every",
        "figure comes from a JSON file in `bench/results/`. Numbers from a shared or busy",
        "machine are noisy: each table says the load average it was measured at.",
    ]
    for name, title in TITLES.items():
        path = results_dir / f"{name}.json"
        if not path.exists():
            continue
        report = json.loads(path.read_text())
        lines += ["", f"## {title}", "", machine_line(report), "", headline(name, report)]
        lines += ["", table(COLUMNS[name], report["results"])]
        if name == "queries":
            lines += growth(report)
        if name == "drift":
            lines += drift.breakdown(report)
        if name == "experiments":
            lines += experiments.breakdown(report)
        lines += ["", NOTES[name]]
    return "\n".join(lines) + "\n"


def write(results_dir: Path = RESULTS_DIR, markdown: Path = RESULTS_MD) -> Path:
    markdown.write_text(render(results_dir))
    return markdown
