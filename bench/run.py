"""Every benchmark of issue 7 in one command, on throwaway local Neo4j servers.

    .venv/bin/python bench/run.py [--scale smoke|small|full]
                                  [--only ingest,storage,collector,queries,audit,profile,drift,
                                         experiments,explorer]
                                  [--output FOLDER]

Each selected benchmark starts its own Neo4j (free ports, a temporary folder, removed at
the end; never the database on 7687), writes ``bench/results/<name>.json`` with the
machine's facts, and ``bench/RESULTS.md`` is regenerated from every result there; with
``--output`` both go into FOLDER instead, and the committed results are left alone.
``smoke`` only checks that the benchmarks run (the test suite runs ``--scale smoke --only
ingest``; its numbers mean nothing); ``small`` takes a few minutes on two cores; ``full``
is the scale the issue asks for:
query latency at 10^4, 10^5 and 10^6 recommendations, the profiles at 10^6, 200,000
through each ingestion way (four loads and three wipes; the writer's rate loading 10^6
is in the query-latency results), 100,000 for storage and the collector, drift scans up to
10^5 feature statistics windows, experiment reports at 10^5 and 10^6 recommendations, the
explorer in Chromium on the make-run demo (20,000 recommendations).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
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
import report
import storage
from machine import facts
from throwaway import neo4j_version, throwaway_neo4j

from graph_lineage.store import Store

SCALES: dict[str, dict[str, int]] = {
    "smoke": {
        "ingest": 100,
        "storage": 100,
        "collector": 100,
        "queries": 10_000,
        "audit": audit.APPENDS,
        "profile": 1_000,
        "drift": 300,
        "experiments": 2_000,
        "explorer": 2_000,
    },
    "small": {
        "ingest": 20_000,
        "storage": 20_000,
        "collector": 20_000,
        "queries": 20_000,
        "audit": audit.APPENDS,
        "profile": 20_000,
        "drift": 10_000,
        "experiments": 100_000,
        "explorer": 20_000,
    },
    "full": {
        "ingest": 200_000,
        "storage": 100_000,
        "collector": 100_000,
        "queries": 1_000_000,
        "audit": audit.APPENDS,
        "profile": 1_000_000,
        "drift": 100_000,
        "experiments": 1_000_000,
        "explorer": 20_000,
    },
}
# Query latency is measured at each size of its scale, up to the scale's size.
QUERY_SIZES = (10_000, 20_000, 100_000, 1_000_000)


def run_ingest(folder: Path, size: int, output: Path) -> dict[str, Any]:
    with throwaway_neo4j(folder / "ingest") as server:
        with Store.connect(server.settings) as store:
            version = neo4j_version(store)
        machine = facts(version)
        return {**ingest.run(server, size), "machine": machine}


def run_storage(folder: Path, size: int, output: Path) -> dict[str, Any]:
    machine = facts()
    result = storage.run(folder / "storage", size)
    machine["neo4j"] = result["results"][0]["neo4j"]
    return {**result, "machine": machine}


def run_collector(folder: Path, size: int, output: Path) -> dict[str, Any]:
    """collector_record.py as it is, in its own process, with its neo4j scenario pointed at
    a throwaway server through the variables the script reads; it writes its own JSON."""
    with throwaway_neo4j(folder / "collector") as server:
        with Store.connect(server.settings) as store:
            machine = facts(neo4j_version(store))
        auth = server.local.auth()
        environment = {
            **os.environ,
            "GRAPH_LINEAGE_NEO4J_URI": server.settings.local_bolt_uri,
            "GRAPH_LINEAGE_NEO4J_USER": auth[0] if auth else "neo4j",
            "GRAPH_LINEAGE_NEO4J_PASSWORD": auth[1] if auth else "",
        }
        script = Path(collector_record.__file__)
        results = output / collector_record.RESULTS.name
        command = [sys.executable, str(script), "--events", str(size), "--results", str(results)]
        subprocess.run(command, env=environment, check=True, stdout=subprocess.DEVNULL)
    result: dict[str, Any] = json.loads(results.read_text())
    return {**result, "machine": machine}


def run_queries(folder: Path, size: int, output: Path) -> dict[str, Any]:
    sizes = [n for n in QUERY_SIZES if n <= size and (n != 20_000 or size < 100_000)]
    with throwaway_neo4j(folder / "queries") as server:
        with Store.connect(server.settings) as store:
            machine = facts(neo4j_version(store))
        return {**queries.run(server, sizes), "machine": machine}


def run_audit(folder: Path, size: int, output: Path) -> dict[str, Any]:
    with throwaway_neo4j(folder / "audit") as server:
        with Store.connect(server.settings) as store:
            machine = facts(neo4j_version(store))
        return {**audit.run(server), "machine": machine}


def run_profile(folder: Path, size: int, output: Path) -> dict[str, Any]:
    with throwaway_neo4j(folder / "profile") as server:
        with Store.connect(server.settings) as store:
            machine = facts(neo4j_version(store))
        return {**hotspots.run(server, size), "machine": machine}


def run_drift(folder: Path, size: int, output: Path) -> dict[str, Any]:
    with throwaway_neo4j(folder / "drift") as server:
        with Store.connect(server.settings) as store:
            machine = facts(neo4j_version(store))
        profiles = drift.PROFILES if output == report.RESULTS_DIR else output / "profiles"
        return {**drift.run(server, size, profiles), "machine": machine}


def run_experiments(folder: Path, size: int, output: Path) -> dict[str, Any]:
    with throwaway_neo4j(folder / "experiments") as server:
        with Store.connect(server.settings) as store:
            machine = facts(neo4j_version(store))
        return {**experiments.run(server, size), "machine": machine}


def run_explorer(folder: Path, size: int, output: Path) -> dict[str, Any]:
    with throwaway_neo4j(folder / "explorer") as server:
        with Store.connect(server.settings) as store:
            machine = facts(neo4j_version(store))
        return {**explorer.run(server, size, folder / "explorer-site"), "machine": machine}


# Each gets a temporary folder, its size and the folder its results go to.
BENCHMARKS: dict[str, tuple[str, Callable[[Path, int, Path], dict[str, Any]]]] = {
    "ingest": ("ingest", run_ingest),
    "storage": ("storage", run_storage),
    "collector": ("collector_record", run_collector),
    "queries": ("queries", run_queries),
    "audit": ("audit", run_audit),
    "profile": ("profile", run_profile),
    "drift": ("drift", run_drift),
    "experiments": ("experiments", run_experiments),
    "explorer": ("explorer", run_explorer),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument(
        "--only", default=",".join(BENCHMARKS), help="comma-separated: " + ", ".join(BENCHMARKS)
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help=f"where the JSON results and RESULTS.md go (default: {report.RESULTS_DIR})",
    )
    args = parser.parse_args(argv)
    output: Path = args.output or report.RESULTS_DIR
    markdown = output / report.RESULTS_MD.name if args.output else report.RESULTS_MD
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        known = ", ".join(BENCHMARKS)
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {known}")
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="graph-lineage-bench-") as folder:
        for name in chosen:
            result_name, benchmark = BENCHMARKS[name]
            size = SCALES[args.scale][name]
            print(f"{name}: scale {args.scale} ({size:,}) ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            result = benchmark(Path(folder), size, output)
            result.update(scale=args.scale, wall_seconds=round(time.perf_counter() - started, 1))
            path = output / f"{result_name}.json"
            path.write_text(json.dumps(result, indent=2, default=str) + "\n")
            print(f"{name}: wrote {path}", file=sys.stderr, flush=True)
    print(report.render(output))
    report.write(output, markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
