"""How long ``LineageCollector.record()`` takes on the serving path, backend up and down.

    .venv/bin/python bench/collector_record.py [--events 100000] [--seed 20261101]

Events come from a fixed seed. Each ``record()`` call is timed alone with
``perf_counter_ns`` while the collector's thread ships batches in the background, so
the percentiles include the contention a serving thread sees. Building an event is not
timed: producers hand the collector built events. Scenarios:

- ``file``: backend up, NDJSON file transport;
- ``neo4j``: backend up, writing into ``GRAPH_LINEAGE_NEO4J_URI`` (only when it is set;
  it stores the benchmark's recommendations in that database);
- ``down``: a transport that always fails, so every batch goes to the disk spool;
- ``file-shedding``: backend up with the default 10,000-event queue, offered faster
  than the thread ships, so the full-queue (shedding) path is timed too;
- ``file-sampled``: backend up, paced, with a sampler keeping 5 % of recommendations by
  chance (plus the rules' and every lineage event), as production would: ``record()``
  then decides each recommendation in the call.

Each of ``file``, ``down`` and ``neo4j`` runs twice: paced at ``--rate`` events/s, each
event built just before its call as a serving loop would, sleeping between bursts of
100; and at ``max``, as fast as one thread can call ``record()`` on events built
beforehand (kept out of the garbage collector with ``gc.freeze``), so the collector's
thread competes for the GIL all the time. ``delivered/s`` is sent + spooled over the
time from the first call until ``close()`` returned: the sustained rate of the whole
pipeline. When the calls end before the thread's first send (``down`` at max), that send
fails after ``close()`` and the final flush retries it with backoff (``max_retries``,
about a second) before spooling: ``delivered/s`` includes it. A ``no-op floor`` row times
the same loop around a call that does nothing. On a busy or virtualized machine the first
call after a sleep pays for cold caches; paced runs report it apart
(``first_after_sleep_p50_us``) from the other calls (``others_p99_us``), since one call in
a burst of 100 lands exactly at p99.

Prints a JSON result and a Markdown table; writes bench/results/collector_record.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from graph_lineage.collector import (
    BackendUnavailable,
    CollectorConfig,
    FileConfig,
    LineageCollector,
    Neo4jConfig,
    Sampler,
    Transport,
    make_transport,
)
from graph_lineage.events import Event, RankedItem, RecommendationServed
from graph_lineage.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "collector_record.json"
START = datetime(2026, 11, 1, tzinfo=UTC)


class DownBackend:
    def send(self, events: Sequence[Event]) -> None:
        raise BackendUnavailable("the benchmark's backend is always down")

    def close(self) -> None:
        pass


def build_events(count: int, seed: int, run: str) -> Iterator[RecommendationServed]:
    """Events of one run, built one at a time as a serving path builds them."""
    rng = random.Random(seed)
    for n in range(count):
        moment = START + timedelta(milliseconds=n)
        items = [
            RankedItem(item_id=f"sku-{rng.randrange(50_000)}", score=rng.random(), position=p)
            for p in range(10)
        ]
        yield RecommendationServed(
            type="recommendation.served",
            event_id=f"bench-{run}-{n}",
            event_time=moment,
            producer="bench/collector_record.py",
            request_id=f"bench-{run}-{n}",
            served_at=moment,
            user_id=f"user-{rng.randrange(100_000)}",
            segment=rng.choice(["new", "returning", "vip"]),
            model_version=f"model:ranker@v{rng.randrange(3)}",
            feature_versions=["feature:ctr_7d@v3", "feature:price@v1"],
            items=items,
            latency_ms=rng.uniform(5, 80),
            error="timeout" if rng.random() < 0.001 else None,
        )


def workload(count: int, seed: int, run: str, rate: int | None) -> Iterable[Event]:
    """Paced: each event built just before its call. Max: all built first, out of the GC."""
    if rate:
        return build_events(count, seed, run)
    prebuilt = list(build_events(count, seed, run))
    gc.collect()
    gc.freeze()  # the benchmark's own prebuilt heap: keep collections off it
    return prebuilt


def sampler(fraction: float = 1.0) -> Sampler:
    """Keep everything (the heaviest load) and evaluate every rule on every event.

    A sampler that keeps every event leaves the rules to the collector's thread; with a
    fraction below 1 (the ``file-sampled`` scenario, 5 %), ``record()`` decides
    recommendations itself, since it reports the decision.
    """
    return Sampler(fraction, users={"user-7"}, experiments={"ranker-v7"}, score_above=0.999)


def run(
    name: str,
    transport: Transport,
    events: Iterable[Event],
    queue: int,
    rate: int | None,
    fraction: float = 1.0,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as spool:
        config = CollectorConfig(max_queue=queue, spool_dir=Path(spool))
        collector = LineageCollector(transport, sampler(fraction), config)
        latencies, elapsed = time_records(collector.record, events, rate)
        split = first_after_sleep(latencies) if rate else {}
        closing = time.perf_counter()
        stats = collector.close(timeout=600)
        drained = time.perf_counter() - closing
    gc.unfreeze()
    latencies.sort()
    handled = stats.sent + stats.spooled
    return {
        "scenario": name,
        "rate": f"{rate:,}/s" if rate else "max",
        "events": len(latencies),
        "max_queue": queue,
        **summary(latencies, elapsed),
        "queued": stats.queued,
        "dropped": stats.dropped,
        "sent": stats.sent,
        "spooled": stats.spooled,
        "delivered_per_s": round(handled / (elapsed + drained)),
        **split,
    }


def floor(events: Iterable[Event], rate: int | None) -> dict[str, Any]:
    """The same timed loop around a call that does nothing: what the machine adds."""
    latencies, elapsed = time_records(lambda event: True, events, rate)
    split = first_after_sleep(latencies) if rate else {}
    gc.unfreeze()
    latencies.sort()
    return {
        "scenario": "no-op floor",
        "rate": f"{rate:,}/s" if rate else "max",
        "events": len(latencies),
        **summary(latencies, elapsed),
        "dropped": 0,
        "sent": 0,
        "spooled": 0,
        "delivered_per_s": 0,
        **split,
    }


def summary(latencies: list[int], elapsed: float) -> dict[str, Any]:
    return {
        "record_p50_us": percentile(latencies, 0.50),
        "record_p99_us": percentile(latencies, 0.99),
        "record_p999_us": percentile(latencies, 0.999),
        "record_max_us": latencies[-1] / 1000,
        "offered_per_s": round(len(latencies) / elapsed),
    }


def time_records(
    record: Callable[[Event], bool], events: Iterable[Event], rate: int | None
) -> tuple[list[int], float]:
    """Time each call alone; at a rate, sleep between bursts of 100 as a serving loop waits."""
    clock = time.perf_counter_ns
    latencies = []
    burst = 100
    started = time.perf_counter()
    for index, event in enumerate(events):
        if rate and index % burst == 0:
            pause = started + index / rate - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
        before = clock()
        record(event)
        latencies.append(clock() - before)
    return latencies, time.perf_counter() - started


def first_after_sleep(latencies: list[int]) -> dict[str, float]:
    """Paced runs: the first call of each burst (after a sleep) apart from the others."""
    burst = 100
    first = sorted(latencies[::burst])
    rest = sorted(ns for index, ns in enumerate(latencies) if index % burst)
    return {
        "first_after_sleep_p50_us": percentile(first, 0.5),
        "others_p99_us": percentile(rest, 0.99),
    }


def percentile(sorted_ns: list[int], fraction: float) -> float:
    return round(sorted_ns[min(len(sorted_ns) - 1, int(fraction * len(sorted_ns)))] / 1000, 2)


def timer_overhead_us() -> float:
    clock = time.perf_counter_ns
    samples = []
    for _ in range(100_000):
        before = clock()
        samples.append(clock() - before)
    samples.sort()
    return samples[len(samples) // 2] / 1000


def scenarios(count: int, seed: int, rate: int) -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "lineage.ndjson"

        def file_transport() -> Transport:
            return make_transport("file", FileConfig(path=file))

        for paced in (rate, None):
            results.append(floor(workload(count, seed, "floor", paced), paced))
            events = workload(count, seed, f"file-{paced}", paced)
            results.append(run("file", file_transport(), events, count, paced))
            events = workload(count, seed, f"down-{paced}", paced)
            results.append(run("down", DownBackend(), events, count, paced))
        events = workload(count, seed, "shed", None)
        results.append(run("file-shedding", file_transport(), events, 10_000, None))
        events = workload(count, seed, f"sampled-{rate}", rate)
        results.append(run("file-sampled", file_transport(), events, count, rate, 0.05))
    if os.environ.get("GRAPH_LINEAGE_NEO4J_URI"):
        results.extend(neo4j_scenarios(count, seed, rate))
    return results


def neo4j_scenarios(count: int, seed: int, rate: int) -> list[dict[str, Any]]:
    settings = Settings()
    throwaway: dict[str, Any] = {}  # the bench reads nothing back: any keys will do
    if settings.pseudonymization_key is None:
        throwaway["pseudonymization_key"] = "bench-collector-record-key"
    if settings.encryption_keys is None:
        throwaway["encryption_keys"] = f"bench:{secrets.token_urlsafe(32)}"
    settings = Settings(**throwaway) if throwaway else settings
    stamp = str(int(time.time()))
    results = []
    for paced in (rate, None):
        transport = make_transport("neo4j", Neo4jConfig(settings=settings))
        events = workload(count, seed, f"neo4j-{stamp}-{paced}", paced)
        results.append(run("neo4j", transport, events, count, paced))
    return results


COLUMNS = {
    "scenario": "scenario",
    "rate": "offered at",
    "record_p50_us": "p50 µs",
    "record_p99_us": "p99 µs",
    "record_p999_us": "p99.9 µs",
    "record_max_us": "max µs",
    "offered_per_s": "offered/s",
    "dropped": "dropped",
    "sent": "sent",
    "spooled": "spooled",
    "delivered_per_s": "delivered/s",
}


def markdown(results: list[dict[str, Any]]) -> str:
    def cell(value: object) -> str:
        if isinstance(value, float):
            return f"{value:,.1f}" if value >= 100 else f"{value:.2f}"
        return f"{value:,}" if isinstance(value, int) else str(value)

    rows = ["| " + " | ".join(COLUMNS.values()) + " |", "|" + "---|" * len(COLUMNS)]
    for result in results:
        rows.append("| " + " | ".join(cell(result[key]) for key in COLUMNS) + " |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261101)
    parser.add_argument("--rate", type=int, default=5_000, help="events/s of the paced runs")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the JSON file to write")
    args = parser.parse_args(argv)
    results = scenarios(args.events, args.seed, args.rate)
    report = {
        "benchmark": "collector_record",
        "seed": args.seed,
        "events_per_scenario": args.events,
        "paced_rate_per_s": args.rate,
        "load_average": list(os.getloadavg()),
        "sampler": "fraction 1.0 + user/experiment/outlier rules",
        "timer_overhead_us": timer_overhead_us(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "results": results,
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    print()
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
