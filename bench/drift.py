"""Drift scans against the number of statistics windows and feature versions.

    .venv/bin/python bench/run.py --only drift [--scale smoke|small|full]

For each shape (``versions`` feature versions x ``days`` daily windows) of the scale, a
wiped, migrated throwaway database gets, through the product writer: a few data sources
(:data:`SOURCES`), one ``feature_version.materialized`` per version (each derived from
one source), and one ``feature_statistics.observed`` per version and day, a histogram of
:data:`BINS` bins drawn from a seeded numpy generator. Every :data:`SHIFT_EVERY`-th
version (all of them of the first source, which also changes that day) shifts its
values from 70 % of the days onwards, so the scan has drifts to find and to attribute.
Then, each timed:

- ``first scan``: ``drift.scan`` of everything, in a process of its own (spawned, so its
  peak resident memory is the scan's); at the largest shape under pyinstrument (a sample
  every 10 ms, which costs well under 1 %), its call tree in ``bench/profiles/drift-scan.txt``
  and the time of the scan's parts in the JSON;
- ``rescan``: the same scan again with nothing new (median of :data:`RESCANS`), and the
  queries it sent with the rows each returned; its statistics read is ``PROFILE``d into
  ``bench/profiles/cypher-drift-rescan.txt``;
- ``incremental``: one more day of statistics for every version, then a scan.

Only the feature signals are scanned (``kinds=FEATURE_KINDS``: distribution, nulls,
volume, training skew; no model is trained, so skew has no windows): the serving signals
come from recommendations, one read per settled window whatever the number of feature
versions, and are not what this measures.
"""

from __future__ import annotations

import multiprocessing
import resource
import statistics as stats
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, LiteralString

import numpy as np
from hotspots import cypher_plan
from ingest import fresh_writer
from machine import load_average
from pyinstrument import Profiler
from throwaway import Server
from workload import batches

from graph_lineage.drift import Monitor, scan
from graph_lineage.drift.records import DRIFT, cursor
from graph_lineage.drift.signals import (
    AFTER_EVERY_UID,
    FEATURE_KINDS,
    PAGE,
    STATISTICS_AFTER,
    utc,
)
from graph_lineage.events import parse_event
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.admin import wipe_database

SEED = 20261203
SOURCES = 5
BINS = 10
EDGES = [i / BINS for i in range(BINS + 1)]
OBSERVED = 10_000  # values per window, about
NULL_RATE = 0.01
SHIFT_EVERY = 50  # versions 0, 50, 100, ...: all of source 0
SHIFT_AT = 0.7  # of the days
TILT = np.exp(2.0 * np.linspace(0, 1, BINS))  # the shift: values move to the upper bins
BATCH = 5_000
RESCANS = 5
PROFILE_INTERVAL = 0.01
# The product's settings, query timeout included (30 s): a scan reads in pages, so a first
# scan of 10^5 windows completes under it.
QUERY_TIMEOUT: float | None = None
WARMUP = (5, 10)  # a shape loaded and scanned untimed first, so no shape pays the JVM's warm-up
PROFILES = Path(__file__).resolve().parent / "profiles"
# (feature versions, days) by the scale's size (bench/run.py): the versions vary at 100 days
# up to 10^5 windows; at small scale, 10^4 windows as 100 x 100 and as 1000 x 10.
SHAPES: dict[int, tuple[tuple[int, int], ...]] = {
    300: ((10, 30),),
    10_000: ((10, 100), (100, 100), (1000, 10)),
    100_000: ((10, 100), (100, 100), (1000, 100)),
}
# The parts of a scan as pyinstrument names them, and the parts of those: where time goes.
PARTS: dict[str, tuple[str, ...]] = {
    "_new_feature_windows": (),
    "save_windows": (),
    "_judge": ("_stored_around", "judge", "_replaced"),
    "save_verdicts": (),
    "_problems": ("signal_windows", "current_episode", "causes", "blast_radius"),
    "store_problems": (),
}
COLUMNS = {
    "versions": "feature versions",
    "days": "days",
    "windows": "statistics windows",
    "load_s": "load (s)",
    "scan_s": "first scan (s)",
    "windows_per_s": "windows/s",
    "judged": "judged (drift, seasonality, stable, unjudged)",
    "drift_alerts": "drift alerts",
    "injected_found": "shifted versions found",
    "peak_rss_mib": "scan peak RSS (MiB)",
    "rescan_ms": "rescan, nothing new (ms)",
    "rescan_queries": "rescan queries (rows)",
    "incremental_windows": "next day: windows judged",
    "incremental_s": "next day: scan (s)",
    "incremental_rows": "next day: rows read",
    "load_average": "load avg (1, 5, 15 min)",
}


class Counting(Store):
    """The same driver, counting each query it sends and the rows it got back."""

    def __init__(self, store: Store) -> None:
        super().__init__(store.driver, store.database, store.read_timeout, store.retry_seconds)
        self.sent: list[tuple[str, int]] = []

    def read(self, query: LiteralString, **parameters: Any) -> list[Any]:
        rows = super().read(query, **parameters)
        self.sent.append((_first_line(query), len(rows)))
        return rows

    def write(self, query: LiteralString, **parameters: Any) -> list[Any]:
        rows = super().write(query, **parameters)
        self.sent.append((_first_line(query), len(rows)))
        return rows

    def write_transaction(self, work: Any, retry_seconds: float | None = None) -> Any:
        self.sent.append(("(write transaction)", 0))
        return super().write_transaction(work, retry_seconds)

    @property
    def rows_read(self) -> int:
        return sum(rows for _, rows in self.sent)


def _first_line(query: str) -> str:
    return next(line for line in query.strip().splitlines() if line.strip())[:80]


# -- the data --


def version_uid(index: int) -> str:
    return f"feature:bench_f{index:04d}@v1"


def shifted(index: int) -> bool:
    return index % SHIFT_EVERY == 0


def _event(event_type: str, at: datetime, tag: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": event_type,
        "event_id": f"bench-drift-{tag}",
        "event_time": _iso(at),
        "producer": "bench/drift.py",
        "schema_version": "1.0",
        **fields,
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def lineage(versions: int, start: datetime, shift_day: int) -> list[dict[str, Any]]:
    """The sources (the first one changes on the shift day) and the feature versions."""
    events = []
    for s in range(SOURCES):
        fields = {"name": f"bench_s{s}", "kind": "table", "uri": f"warehouse://bench/s{s}"}
        fields["owner"] = "bench@example.com"
        at = start - timedelta(days=2)
        events.append(_event("data_source.registered", at, f"source-{s}", **fields))
    changed = start + timedelta(days=shift_day, hours=1)
    fields = {"name": "bench_s0", "kind": "table", "uri": "warehouse://bench/s0-new"}
    fields["owner"] = "bench@example.com"
    events.append(_event("data_source.changed", changed, "source-0-changed", **fields))
    for v in range(versions):
        at = start - timedelta(days=1)
        events.append(
            _event(
                "feature_version.materialized",
                at,
                f"version-{v}",
                feature=f"bench_f{v:04d}",
                version="v1",
                schema_hash=f"schema-{v}",
                transform_hash=f"transform-{v}",
                derived_from=[f"source:bench_s{v % SOURCES}"],
                feature_store="feast://bench",
                materialized_at=_iso(at),
            )
        )
    return events


def _shares(index: int) -> np.ndarray[Any, Any]:
    rng = np.random.default_rng([SEED, index])
    shares: np.ndarray[Any, Any] = rng.dirichlet(np.full(BINS, 5.0))
    return shares


def statistics(index: int, day: int, start: datetime, shift_day: int) -> dict[str, Any]:
    """Version ``index``'s statistics of ``day``: its own generator, so a day's values do
    not depend on how many days or versions were drawn before it."""
    rng = np.random.default_rng([SEED, index, day])
    shares = _shares(index)
    if shifted(index) and day >= shift_day:
        shares = shares * TILT / (shares * TILT).sum()
    count = int(rng.normal(OBSERVED, 100))
    nulls = int(rng.binomial(count, NULL_RATE))
    counts = rng.multinomial(count - nulls, shares)
    window_start = start + timedelta(days=day)
    return _event(
        "feature_statistics.observed",
        window_start + timedelta(days=1, seconds=-1),
        f"statistics-{index}-{day}",
        feature_version=version_uid(index),
        window_start=_iso(window_start),
        window_end=_iso(window_start + timedelta(days=1)),
        count=count,
        nulls=nulls,
        histogram={"edges": EDGES, "counts": [int(c) for c in counts]},
    )


def days_of_statistics(
    versions: int, days: range, start: datetime, shift_day: int
) -> Iterator[dict[str, Any]]:
    for day in days:
        for index in range(versions):
            yield statistics(index, day, start, shift_day)


def load(store: Store, settings: Settings, events: Iterator[dict[str, Any]]) -> int:
    writer = fresh_writer(settings, store)
    written = 0
    for batch in batches(list(events), BATCH):
        writer.write([parse_event(event) for event in batch])
        written += len(batch)
    return written


# -- the scans --


def first_scan(settings: Settings, profile: Path | None) -> dict[str, Any]:
    """Run in a process of its own: the scan's time, what it judged, its peak memory."""
    with Store.connect(settings) as base:
        store = Counting(base)
        monitor = Monitor.from_settings(settings)
        profiler = Profiler(interval=PROFILE_INTERVAL) if profile else None
        rss_before = _rss_mib()
        if profiler:
            profiler.start()
        began = time.perf_counter()
        report = scan(store, monitor, kinds=FEATURE_KINDS)
        seconds = time.perf_counter() - began
        parts: dict[str, float] = {}
        if profiler:
            profiler.stop()
            text = profiler.output_text(unicode=False, color=False, show_all=False)
            profile.write_text(text)
            parts = _parts(profiler)
        opened = [p for p in report.open_drifts if p.signal.startswith("feature_distribution|")]
        return {
            "seconds": seconds,
            "windows": report.windows,
            "judged": report.judged,
            "drift_alerts": len(report.open_drifts),
            "drifting_versions": sorted({p.subject or "" for p in opened}),
            "top_causes": sorted({p.causes[0].uid for p in opened if p.causes}),
            "queries": len(store.sent),
            "rows_read": store.rows_read,
            "rss_before_mib": rss_before,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "parts_s": parts,
        }


def _rss_mib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024)
    return 0


def _parts(profiler: Profiler) -> dict[str, float]:
    """Seconds in each of :data:`PARTS` (``part > inner`` for the parts of a part),
    outermost calls only, so no time is counted twice."""
    totals: dict[str, float] = {}
    for part, inner in PARTS.items():
        totals[part] = 0.0
        totals.update({f"{part} > {name}": 0.0 for name in inner})

    def walk(frame: Any, inside: str | None, seen: frozenset[str]) -> None:
        name = frame.function
        if inside is None and name in PARTS:
            totals[name] += frame.time
            inside, seen = name, frozenset()
        elif inside is not None and name in PARTS[inside] and name not in seen:
            totals[f"{inside} > {name}"] += frame.time
            seen = seen | {name}
        for child in frame.children:
            walk(child, inside, seen)

    root = profiler.last_session.root_frame() if profiler.last_session else None
    if root is not None:
        walk(root, None, frozenset())
    return {name: round(seconds, 2) for name, seconds in totals.items()}


def in_own_process(settings: Settings, profile: Path | None) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(first_scan, settings, profile).result()


def rescan(store: Store, settings: Settings) -> dict[str, Any]:
    """Scans with nothing new: the median time and what one of them sent."""
    # Right after a load, a scan keeps its cursor GRAPH_LINEAGE_DRIFT_INGEST_LAG_SECONDS (120)
    # behind and the next scan reads those two minutes again; a rescan of a quiet store
    # (the case measured) reads nothing, which no lag here shows at once.
    monitor = replace(Monitor.from_settings(settings), ingest_lag=timedelta(0))
    times, sent = [], []
    for _ in range(RESCANS):
        counting = Counting(store)
        began = time.perf_counter()
        report = scan(counting, monitor, kinds=FEATURE_KINDS)
        times.append(time.perf_counter() - began)
        assert report.windows == 0 and not report.alerts, "a rescan judged or alerted something"
        sent = counting.sent
    return {"ms": stats.median(times) * 1000, "sent": sent}


def one_shape(server: Server, versions: int, days: int, profile: Path | None) -> dict[str, Any]:
    settings = server.settings
    if QUERY_TIMEOUT is not None:
        settings = settings.model_copy(update={"query_timeout": QUERY_TIMEOUT})
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=days + 1)  # the next day ends today
    shift_day = round(SHIFT_AT * days)
    load_avg = load_average()
    with Store.connect(settings) as store:
        wipe_database(store)
        migrate(store, settings.migrations_dir)
        load(store, settings, iter(lineage(versions, start, shift_day)))
        began = time.perf_counter()
        written = load(store, settings, days_of_statistics(versions, range(days), start, shift_day))
        load_s = time.perf_counter() - began
        first = in_own_process(settings, profile)
        again = rescan(store, settings)
        name = "statistics:" + ",".join(FEATURE_KINDS)
        after = {"after": utc(cursor(store, name)), "afterUid": AFTER_EVERY_UID, "page": PAGE}
        plan = "As the scan sends it (STATISTICS_AFTER):\n" + cypher_plan(
            store, STATISTICS_AFTER, after
        )
        load(store, settings, days_of_statistics(versions, range(days, days + 1), start, shift_day))
        counting = Counting(store)
        began = time.perf_counter()
        following = scan(counting, Monitor.from_settings(settings), kinds=FEATURE_KINDS)
        incremental_s = time.perf_counter() - began
    injected = {version_uid(v) for v in range(versions) if shifted(v)}
    found = injected & set(first["drifting_versions"])
    judged = first["judged"]
    return {
        "versions": versions,
        "days": days,
        "windows": written,
        "load_s": round(load_s, 1),
        "scan_s": round(first["seconds"], 1),
        "windows_per_s": round(written / first["seconds"]),
        "drift_windows_judged": first["windows"],
        "judged": [judged.get(v, 0) for v in (DRIFT, "seasonality", "stable", "unjudged")],
        "drift_alerts": first["drift_alerts"],
        "injected_found": f"{len(found)} of {len(injected)}",
        "false_versions": sorted(set(first["drifting_versions"]) - injected),
        "top_causes": first["top_causes"],
        "scan_queries": first["queries"],
        "scan_rows_read": first["rows_read"],
        "rss_before_mib": first["rss_before_mib"],
        "peak_rss_mib": first["peak_rss_mib"],
        "profiled": profile is not None,
        "parts_s": first["parts_s"],
        "rescan_ms": round(again["ms"], 1),
        "rescan_queries": f"{len(again['sent'])} ({sum(r for _, r in again['sent'])})",
        "rescan_sent": again["sent"],
        "rescan_statistics_plan": _summary_lines(plan),
        "incremental_windows": following.windows,
        "incremental_s": round(incremental_s, 2),
        "incremental_queries": len(counting.sent),
        "incremental_rows": counting.rows_read,
        "incremental_judged": following.judged,
        "load_average": load_avg,
        "_plan": plan,
    }


def _summary_lines(plan: str) -> list[str]:
    """Each profiled plan's first line (rows, server time) and its db hits."""
    found = []
    for section in plan.split("\n\n" + "With "):
        lines = section.splitlines()
        head = next(line for line in lines if " ms in the server" in line)
        hits = sum(int(line.split("dbHits=")[1].split()[0]) for line in lines if "dbHits=" in line)
        found.append(f"{head}, {hits:,} db hits")
    return found


def shapes(size: int) -> list[tuple[int, int]]:
    return list(SHAPES.get(size) or [(v, d) for v, d in SHAPES[100_000] if v * d <= size])


def run(server: Server, size: int, profiles: Path = PROFILES) -> dict[str, Any]:
    """Every shape of :func:`shapes`; the largest (the most versions of those) profiled,
    its files in ``profiles``."""
    chosen = shapes(size)
    largest = max(chosen, key=lambda shape: (shape[0] * shape[1], shape[0]))
    profiles.mkdir(parents=True, exist_ok=True)
    written = [profiles / "drift-scan.txt", profiles / "cypher-drift-rescan.txt"]
    one_shape(server, *WARMUP, None)
    results = []
    for versions, days in chosen:
        profiled = (versions, days) == largest
        row = one_shape(server, versions, days, written[0] if profiled else None)
        plan = row.pop("_plan")
        if profiled:
            written[1].write_text(plan)
        results.append(row)
        print({k: v for k, v in row.items() if k != "rescan_sent"}, flush=True)
    root = PROFILES.parent.parent
    return {
        "benchmark": "drift",
        "kinds": list(FEATURE_KINDS),
        "shift_every": SHIFT_EVERY,
        "query_timeout_s": QUERY_TIMEOUT,
        "profiles": [
            str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in written
        ],
        "results": results,
    }


def breakdown(report: dict[str, Any]) -> list[str]:
    """RESULTS.md's lines on where the profiled scan's time went."""
    profiled = [row for row in report["results"] if row.get("profiled")]
    if not profiled:
        return []
    row = profiled[0]
    lines = [
        "",
        f"Where the first scan's {row['scan_s']} s went at {row['windows']:,} windows"
        f" ({row['versions']:,} versions x {row['days']} days), from its pyinstrument"
        " profile (the indented rows are inside the row above them):",
        "",
        "| part | seconds |",
        "|---|---|",
    ]
    for part, seconds in row["parts_s"].items():
        outer, _, inner = part.partition(" > ")
        label = f"&nbsp;&nbsp;in it, `{inner}`" if inner else f"`{outer}`"
        lines.append(f"| {label} | {seconds:.2f} |")
    current = (row["rescan_statistics_plan"] + [""])[0]
    lines += [
        "",
        f"A rescan's statistics read at {row['windows']:,} windows, as the scan sends it:"
        f" {current}.",
    ]
    return lines
