"""Experiment reports against the number of recommendations, and how to aggregate exposure.

    .venv/bin/python bench/run.py --only experiments [--scale smoke|small|full]

For each size of the scale, a wiped, migrated throwaway database gets the demo (fixed
seed; one user per :data:`REQUESTS_PER_USER` recommendations, so a unit has about that
many requests) through the product writer. Then, for ``ranker-v3-rollout`` (randomized by
user; it runs the last eight of the demo's thirty days on the ranker's 60 % of traffic):

- ``experiment_report`` with method ``fixed``, ``cuped`` and ``sequential``, the median of
  :data:`RUNS` after one untimed report; each run's parts timed with ``time.perf_counter``
  around the library functions the report calls (:data:`PARTS`), the rows the database
  returned to each part, the units and the requests/s of the exposure read;
- the same report (``cuped``, the one reading the most) in a process of its own, spawned,
  whose peak resident memory is the report's (``rss_before``: the process before it);
- the alternative of ``per_unit.py``: exposure aggregated per unit in Cypher, one query per
  day; first checked to give ``read_exposure``'s per-unit data (units, requests per
  variant, requests with an outcome and values per kind, first exposure and its segment,
  periods, context counts), then timed alone and inside the report (``fixed``), and its
  report's memory measured the same way.
"""

from __future__ import annotations

import gc
import multiprocessing
import statistics as stats
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import per_unit
from drift import Counting
from machine import load_average
from queries import load
from throwaway import Server
from workload import Workload

import graph_lineage.experiments.report as report_module
from graph_lineage.experiments import ReportRequest, experiment_report
from graph_lineage.experiments.design import read_design
from graph_lineage.experiments.exposure import read_contexts, read_exposure
from graph_lineage.settings import Settings
from graph_lineage.store import Store

EXPERIMENT = "ranker-v3-rollout"
METHODS = ("fixed", "cuped", "sequential")
REQUESTS_PER_USER = 10
RUNS = 3
MEMORY_METHOD = "cuped"
# (recommendations, how users are drawn) measured, by the scale's size (bench/run.py).
DEMO = "demo"
SIZES: dict[int, tuple[tuple[int, str], ...]] = {
    2_000: ((2_000, DEMO),),
    100_000: ((100_000, DEMO),),
    1_000_000: ((100_000, DEMO), (1_000_000, DEMO)),
}
# The report's parts: the library functions report.py calls, by the name it calls them.
PARTS: dict[str, tuple[str, ...]] = {
    "design and contexts": ("read_design", "read_contexts"),
    "exposure read": ("read_exposure",),
    "pre-period read": ("read_pre_exposure",),
    "statistics": ("variant_summaries", "analyse_effects", "check_sample_ratios"),
    "integrity": ("check_integrity",),
    "arms": ("compare_arms",),
    "record write": ("record_report",),
}
COLUMNS = {
    "recommendations": "recommendations",
    "users_drawn": "users",
    "approach": "exposure read as",
    "method": "method",
    "report_s": "report (s)",
    "exposure_s": "exposure read (s)",
    "requests_per_s": "exposure requests/s",
    "pre_period_s": "pre-period read (s)",
    "statistics_s": "statistics (s)",
    "integrity_arms_s": "integrity + arms (s)",
    "record_s": "record write (s)",
    "requests": "requests read",
    "units": "units",
    "rows_read": "rows returned",
    "peak_rss_mib": "peak RSS (MiB)",
    "load_average": "load avg (1, 5, 15 min)",
}
CURRENT, PER_UNIT = "request rows, folded in Python", "per unit in Cypher, per day"


@contextmanager
def timed_parts(
    counting: Counting, replace: dict[str, Callable[..., Any]] | None = None
) -> Iterator[dict[str, Any]]:
    """The report module's functions wrapped to add up their seconds and rows per part;
    ``replace`` swaps one for another first (the per-unit exposure read)."""
    spent: dict[str, Any] = {"seconds": defaultdict(float), "rows": defaultdict(int)}
    saved = {name: getattr(report_module, name) for names in PARTS.values() for name in names}

    def timer(part: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            rows, began = counting.rows_read, time.perf_counter()
            result = function(*args, **kwargs)
            spent["seconds"][part] += time.perf_counter() - began
            spent["rows"][part] += counting.rows_read - rows
            if part == "exposure read":
                spent["exposure"] = result
            return result

        return timed

    for part, names in PARTS.items():
        for name in names:
            setattr(report_module, name, timer(part, (replace or {}).get(name, saved[name])))
    try:
        yield spent
    finally:
        for name, function in saved.items():
            setattr(report_module, name, function)


def one_report(
    store: Store, settings: Settings, method: str, replace: dict[str, Any] | None = None
) -> dict[str, Any]:
    counting = Counting(store)
    request = ReportRequest(EXPERIMENT, method=method)  # type: ignore[arg-type]
    with timed_parts(counting, replace) as spent:
        began = time.perf_counter()
        report = experiment_report(counting, settings, request)
        seconds = time.perf_counter() - began
    exposure = spent["exposure"]
    return {
        "seconds": seconds,
        "parts_s": dict(spent["seconds"]),
        "parts_rows": dict(spent["rows"]),
        "rows_read": counting.rows_read,
        "queries": len(counting.sent),
        "requests": report.requests,
        "units": len(exposure.units),
        "outcomes": report.outcomes,
    }


def median_report(
    store: Store, settings: Settings, method: str, replace: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The median of :data:`RUNS` reports, each part the median of its own."""
    runs = [one_report(store, settings, method, replace) for _ in range(RUNS)]
    parts = {part: stats.median(r["parts_s"].get(part, 0.0) for r in runs) for part in PARTS}
    return {
        **runs[0],
        "seconds": stats.median(r["seconds"] for r in runs),
        "runs_s": [round(r["seconds"], 2) for r in runs],
        "parts_s": {part: round(seconds, 3) for part, seconds in parts.items()},
    }


def report_memory(settings: Settings, method: str, per_unit_read: bool) -> dict[str, int]:
    """Run in a process of its own: its resident memory before the report and at its peak.

    The peak is ``VmHWM``, not ``getrusage``'s ``ru_maxrss``: Linux keeps ``ru_maxrss``
    across ``execve``, so a spawned child reports the parent's peak (here the workload
    held while loading: 1,378 MiB at 10^5, whichever report ran)."""
    replace = {"read_exposure": per_unit.read_unit_exposure} if per_unit_read else None
    with Store.connect(settings) as store:
        before = _status_mib("VmRSS")
        one_report(store, settings, method, replace)
    return {"rss_before_mib": before, "peak_rss_mib": _status_mib("VmHWM")}


def _status_mib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024)
    return 0


def in_own_process(settings: Settings, method: str, per_unit_read: bool) -> dict[str, int]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(report_memory, settings, method, per_unit_read).result()


def exposure_reads(store: Store) -> dict[str, Any]:
    """Both exposure reads over the report's window: checked equal, then each timed."""
    design = read_design(store, EXPERIMENT)
    contexts = read_contexts(store, design)
    start, last = report_module._exposed(contexts)
    assert start is not None and last is not None, f"{EXPERIMENT} has no exposure"
    end = last + timedelta(microseconds=1)
    read = read_exposure(store, design, start, end)
    aggregated = per_unit.read_unit_exposure(store, design, start, end)
    wrong = per_unit.differences(read, aggregated)
    assert not wrong, "per-unit aggregation differs from read_exposure: " + "; ".join(wrong)
    timings: dict[str, Any] = {"batches": len(per_unit.batches(design, start, end))}
    for name, reader in ((CURRENT, read_exposure), (PER_UNIT, per_unit.read_unit_exposure)):
        counting = Counting(store)
        seconds = []
        for _ in range(RUNS):
            began = time.perf_counter()
            reader(counting, design, start, end)
            seconds.append(time.perf_counter() - began)
        timings[name] = {
            "seconds": round(stats.median(seconds), 3),
            "queries": len(counting.sent) // RUNS,
            "rows": counting.rows_read // RUNS,
        }
    return {"same_per_unit_data": True, "units": len(read.units), "requests": read.rows, **timings}


def _row(
    shape: tuple[int, str],
    approach: str,
    method: str,
    measured: dict[str, Any],
    rss: dict[str, int] | None,
) -> dict[str, Any]:
    parts = measured["parts_s"]
    exposure_s = parts["exposure read"]
    return {
        "recommendations": shape[0],
        "users_drawn": shape[1],
        "approach": approach,
        "method": method,
        "report_s": round(measured["seconds"], 2),
        "runs_s": measured["runs_s"],
        "exposure_s": round(exposure_s, 2),
        "requests_per_s": round(measured["requests"] / exposure_s) if exposure_s else None,
        "pre_period_s": round(parts["pre-period read"], 2),
        "statistics_s": round(parts["statistics"], 3),
        "integrity_arms_s": round(parts["integrity"] + parts["arms"], 2),
        "record_s": round(parts["record write"], 3),
        "parts_s": parts,
        "parts_rows": measured["parts_rows"],
        "requests": measured["requests"],
        "units": measured["units"],
        "outcomes": measured["outcomes"],
        "rows_read": measured["rows_read"],
        "queries": measured["queries"],
        **(rss or {}),
        "load_average": load_average(),
    }


def one_size(server: Server, shape: tuple[int, str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    settings = server.settings
    size, drawn = shape
    users = max(1, size // REQUESTS_PER_USER)
    workload = Workload.demo(size, users=users)
    began = time.perf_counter()
    counts = load(server, workload)
    load_s = time.perf_counter() - began
    del workload
    gc.collect()
    rows = []
    with Store.connect(settings) as store:
        one_report(store, settings, "fixed")  # warm-up
        compared = exposure_reads(store)
        replace = {"read_exposure": per_unit.read_unit_exposure}
        for method in METHODS:
            rss = in_own_process(settings, method, False) if method == MEMORY_METHOD else None
            rows.append(_row(shape, CURRENT, method, median_report(store, settings, method), rss))
            print(rows[-1], flush=True)
            if method in ("fixed", MEMORY_METHOD):
                rss = in_own_process(settings, method, True) if method == MEMORY_METHOD else None
                measured = median_report(store, settings, method, replace)
                rows.append(_row(shape, PER_UNIT, method, measured, rss))
                print(rows[-1], flush=True)
    loaded = {
        "recommendations": counts["recommendations"],
        "outcomes": counts["outcomes"],
        "users": users,
        "users_drawn": drawn,
        "load_s": round(load_s, 1),
        "recommendations_per_s": round(counts["recommendations"] / load_s),
        "exposure_reads": compared,
    }
    return rows, loaded


def run(server: Server, size: int) -> dict[str, Any]:
    results, loads = [], []
    for shape in SIZES.get(size) or ((size, DEMO),):
        rows, loaded = one_size(server, shape)
        results += rows
        loads.append(loaded)
    return {
        "benchmark": "experiments",
        "experiment": EXPERIMENT,
        "runs": RUNS,
        "requests_per_user": REQUESTS_PER_USER,
        "loads": loads,
        "results": results,
    }


def breakdown(report: dict[str, Any]) -> list[str]:
    """RESULTS.md's lines: the exposure reads side by side, and the parts of each report."""
    lines = [
        "",
        "The exposure read alone, both ways, on the report's window (median of"
        f" {report['runs']}; checked first to give the same per-unit data):",
        "",
        "| recommendations | users | units | requests | per-unit batches (days) | request rows (s)"
        " | per unit in Cypher (s) | ratio | rows returned (request rows, per unit) | load (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for loaded in report["loads"]:
        read = loaded["exposure_reads"]
        current, aggregated = read[CURRENT], read[PER_UNIT]
        ratio = current["seconds"] / aggregated["seconds"] if aggregated["seconds"] else 0
        lines.append(
            f"| {loaded['recommendations']:,} | {loaded['users']:,} {loaded['users_drawn']}"
            f" | {read['units']:,} | {read['requests']:,}"
            f" | {read['batches']} | {current['seconds']:.2f} | {aggregated['seconds']:.2f}"
            f" | {ratio:.2f}x | {current['rows']:,}, {aggregated['rows']:,}"
            f" | {loaded['load_s']} ({loaded['recommendations_per_s']:,}/s) |"
        )
    lines += ["", "Each report's parts (median seconds; rows the database returned to them):", ""]
    lines += ["| recommendations | users | exposure read as | method | " + " | ".join(PARTS) + " |"]
    lines += ["|" + "---|" * (4 + len(PARTS))]
    for row in report["results"]:
        cells = [
            f"{row['parts_s'][part]:.2f} ({row['parts_rows'].get(part, 0):,})" for part in PARTS
        ]
        lines.append(
            f"| {row['recommendations']:,} | {row['users_drawn']} | {row['approach']}"
            f" | {row['method']} | " + " | ".join(cells) + " |"
        )
    return lines
