"""The access log under concurrency: appends per second and their latency, grouped or not.

    .venv/bin/python bench/run.py --only audit

Every GraphQL operation appends one record to the access log and waits for its commit
(fail-closed), and every append takes the lock on the chain's single head node, on every
API replica. So the access log bounds how many GraphQL operations per second a deployment
answers. Here ``callers`` threads append as fast as they can to a throwaway database,
``APPENDS`` records in all per run, two ways:

- ``grouped``: ``access_log.append`` as the API calls it: concurrent appends share a
  transaction (group commit);
- ``one per transaction``: ``access_log.append_all`` with one record, which is how every
  append was written before group commit (one transaction, one commit, one lock hold each).

Each run ends with ``verify``: the chain must be intact and hold every record.
"""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

from machine import load_average
from throwaway import Server

from graph_lineage import access_log
from graph_lineage.access_log import AccessRecord
from graph_lineage.store import Store

CALLERS = (1, 4, 16, 64)
COLUMNS = {
    "way": "way",
    "callers": "concurrent callers",
    "appends": "appends",
    "appends_per_s": "appends/s",
    "p50_ms": "p50 (ms)",
    "p95_ms": "p95 (ms)",
    "chain_intact": "chain intact",
    "load_average": "load avg (1, 5, 15 min)",
}
APPENDS = 2_000
WARMUP = 100
CLEAR = "MATCH (n) WHERE n:AccessRecord OR n:AccessLogHead CALL (n) { DELETE n } IN TRANSACTIONS"


def record(n: int) -> AccessRecord:
    """A record like a trace's: a few dozen uids returned."""
    return AccessRecord.build(
        subject=f"bench-{n % 7}",
        roles=["engineer"],
        auth_method="bearer",
        operation_name="Trace",
        operation_type="query",
        document="query Trace($id: ID!) { trace(recommendationId: $id) { notes } }",
        variables={"id": f"req-{n}"},
        returned_uids=[f"feature:f{i}@v1" for i in range(30)],
    )


def one_run(store: Store, callers: int, grouped: bool) -> dict[str, Any]:
    store.run_autocommit(CLEAR)
    for n in range(WARMUP):
        access_log.append(store, record(n))
    latencies: list[float] = []
    lock = threading.Lock()
    per_caller = APPENDS // callers
    start = threading.Barrier(callers + 1)

    def caller(c: int) -> None:
        mine = []
        start.wait()
        for n in range(per_caller):
            began = time.perf_counter()
            append(store, record(c * per_caller + n))
            mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)

    def append(store: Store, one: AccessRecord) -> None:
        if grouped:
            access_log.append(store, one)
        else:
            access_log.append_all(store, [one])

    threads = [threading.Thread(target=caller, args=(c,)) for c in range(callers)]
    load = load_average()
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    report = access_log.verify(store)
    ordered = sorted(latencies)
    return {
        "way": "grouped" if grouped else "one per transaction",
        "callers": callers,
        "appends": len(latencies),
        "seconds": round(seconds, 2),
        "appends_per_s": round(len(latencies) / seconds),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[round(0.95 * (len(ordered) - 1))] * 1000, 2),
        "chain_intact": report.ok and report.records == WARMUP + len(latencies),
        "load_average": load,
    }


def run(server: Server) -> dict[str, Any]:
    results = []
    with Store.connect(server.settings) as store:
        for callers in CALLERS:
            for grouped in (False, True):
                results.append(one_run(store, callers, grouped))
                print(results[-1], flush=True)
    return {"appends_per_run": APPENDS, "results": results}
