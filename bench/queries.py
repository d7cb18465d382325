"""Query latency: trace, upstream, downstream, impact and recommendation pages, p50 and p95.

    .venv/bin/python bench/run.py --only queries [--scale small|full]

For each size of the scale, a wiped, migrated throwaway database gets the demo (fixed
seed: upstream lineage, then its recommendations and outcomes through the product
writer; the demo cannot grow a graph it made smaller, so each size is loaded afresh),
then every query runs ``REPETITIONS`` times after ``WARMUP`` untimed runs, two ways:

- ``graphql``: ``POST /graphql`` to the real app (``api.create_app``) under uvicorn in a
  thread of this process, one keep-alive ``httpx`` client, as ``engineer`` (a demo
  token). Each request also appends an access-log record before it answers
  (fail-closed); that append is timed apart (``audit``: ``access_log.append`` called
  directly, the same number of times) so it can be told from the rest;
- ``library``: the same library function (the same Cypher through the driver plus our
  Python), called directly against a ``Store`` with the engineer's visibility.

``overhead`` = graphql p50 minus library p50: HTTP, JSON, GraphQL validation and
resolution, authentication and the access-log append. Several recommendations rotate
for ``trace`` and ``upstream`` (deterministic: the newest ones, spread over the list).
"""

from __future__ import annotations

import gc
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import uvicorn
from ingest import ThreadedServer, fresh_writer, reset
from machine import load_average
from throwaway import Server, free_port
from workload import Workload, batches, graph_counts

from api.app import create_app
from api.graphql.visibility import visibility_for
from graph_lineage.auth import Role, demo_token
from graph_lineage.auth.policy import AccessPolicy
from graph_lineage import access_log
from graph_lineage.access_log import AccessRecord
from graph_lineage.lineage import impact as impact_analysis
from graph_lineage.lineage import recommendations as listing
from graph_lineage.lineage import trace as tracing
from graph_lineage.lineage import traversal
from graph_lineage.store import Store

REPETITIONS = 50
WARMUP = 5
DEPTHS = (3, 6, 10)
ROTATE = 8  # recommendations taken in turn by trace and upstream
SOURCE = "source:clickstream"  # feeds the most features in the demo
DEEP_PAGE = 10  # the page reached by following cursors, for "recommendations deep"

NODE = "uid kind"
GRAPH = f"depthReached truncated truncatedReason nodes {{ {NODE} }} edges {{ source target type }}"
Q_TRACE = f"""query Q($id: ID!) {{ trace(recommendationId: $id) {{
  recommendation {{ {NODE} validFrom }} context {{ {NODE} }} modelVersion {{ {NODE} }}
  trainedOn {{ {NODE} }} servedFeatures {{ {NODE} }} servedNotTrained
  derivations {{ source target type }} ancestors {{ {NODE} }} experiment {{ {NODE} }}
  variant {{ {NODE} }} outcomes {{ {NODE} }} notes }} }}"""
Q_UPSTREAM = f"query Q($uid: ID!, $d: Int!) {{ upstream(uid: $uid, depth: $d) {{ {GRAPH} }} }}"
Q_DOWNSTREAM = f"query Q($uid: ID!, $d: Int!) {{ downstream(uid: $uid, depth: $d) {{ {GRAPH} }} }}"
Q_IMPACT = f"""query Q($uid: ID!) {{ impact(uid: $uid) {{ root {{ {NODE} }}
  featureVersions {{ {NODE} }} modelVersions {{ {NODE} }} deployments {{ {NODE} }}
  variants {{ {NODE} }} experiments {{ {NODE} }} recommendations
  byModelVersion {{ key count }} bySegment {{ key count }} }} }}"""
Q_PAGE = f"""query Q($after: String) {{ recommendations(first: 50, after: $after) {{
  edges {{ cursor node {{ {NODE} validFrom }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""

NEWEST = """
MATCH (r:Recommendation) RETURN r.uid AS uid ORDER BY r.served_at DESC, r.uid DESC LIMIT $n
"""


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def timed(call: Callable[[int], Any], repetitions: int, warmup: int) -> list[float]:
    for i in range(warmup):
        call(i)
    samples = []
    for i in range(repetitions):
        started = time.perf_counter()
        call(i)
        samples.append(time.perf_counter() - started)
    return samples


def load(server: Server, workload: Workload) -> dict[str, int]:
    reset(server, workload)
    with Store.connect(server.settings) as store:
        writer = fresh_writer(server.settings, store)
        for batch in batches(workload.parsed_traffic(), server.settings.ingest_batch_size):
            writer.write(batch)
        return graph_counts(store)


class Api:
    """The real app under uvicorn in a thread, and one keep-alive client as engineer."""

    def __init__(self, server: Server) -> None:
        settings = server.settings
        self.port = free_port()
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.uvicorn = ThreadedServer(config)
        self.thread = threading.Thread(target=self.uvicorn.run, name="bench-api", daemon=True)
        token = demo_token(settings, Role.ENGINEER, "bench")
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )

    def __enter__(self) -> Api:
        self.thread.start()
        while not self.uvicorn.started:
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.client.close()
        self.uvicorn.should_exit = True
        self.thread.join(30)

    def query(self, document: str, **variables: Any) -> dict[str, Any]:
        reply = self.client.post("/graphql", json={"query": document, "variables": variables})
        reply.raise_for_status()
        body: dict[str, Any] = reply.json()
        if body.get("errors"):
            raise RuntimeError(f"GraphQL errors: {body['errors']}")
        return body["data"]


def cases(
    store: Store, api: Api, recs: list[str], policy: AccessPolicy
) -> dict[str, tuple[Callable[[int], Any], Callable[[int], Any]]]:
    """name -> (library call, GraphQL call), each taking the repetition number."""
    seen = visibility_for(policy, frozenset({Role.ENGINEER}))
    pick = lambda i: recs[i % len(recs)]  # noqa: E731
    first = listing.recommendations(store, listing.RecommendationFilter(), 50, None, seen)
    deep_after = None
    page = first
    for _ in range(DEEP_PAGE - 1):
        deep_after = page.cursors[-1] if page.cursors else None
        page = listing.recommendations(store, listing.RecommendationFilter(), 50, deep_after, seen)
    found: dict[str, tuple[Callable[[int], Any], Callable[[int], Any]]] = {
        "trace": (
            lambda i: tracing.trace(store, pick(i), seen),
            lambda i: api.query(Q_TRACE, id=pick(i)),
        ),
    }
    for depth in DEPTHS:
        found[f"upstream d{depth}"] = (
            lambda i, d=depth: traversal.upstream(store, pick(i), d, visibility=seen),
            lambda i, d=depth: api.query(Q_UPSTREAM, uid=pick(i), d=d),
        )
    for depth in DEPTHS:
        found[f"downstream d{depth}"] = (
            lambda i, d=depth: traversal.downstream(store, SOURCE, d, visibility=seen),
            lambda i, d=depth: api.query(Q_DOWNSTREAM, uid=SOURCE, d=d),
        )
    found["impact"] = (
        lambda i: impact_analysis.impact(store, SOURCE, None, seen),
        lambda i: api.query(Q_IMPACT, uid=SOURCE),
    )
    found["recommendations first page"] = (
        lambda i: listing.recommendations(store, listing.RecommendationFilter(), 50, None, seen),
        lambda i: api.query(Q_PAGE, after=None),
    )
    found[f"recommendations page {DEEP_PAGE}"] = (
        lambda i: listing.recommendations(
            store, listing.RecommendationFilter(), 50, deep_after, seen
        ),
        lambda i: api.query(Q_PAGE, after=deep_after),
    )
    return found


def shape(name: str, answer: Any) -> dict[str, Any]:
    """What a query returned, so a fast answer that is small shows."""
    if isinstance(answer, traversal.Graph):
        return {
            "nodes": len(answer.nodes),
            "edges": len(answer.edges),
            "depth_reached": answer.depth_reached,
            "truncated": (answer.truncated_reason or "").split(":")[0]
            if answer.truncated
            else "no",
            "truncated_reason": answer.truncated_reason,
        }
    if isinstance(answer, listing.Page):
        return {"nodes": len(answer.nodes)}
    if isinstance(answer, impact_analysis.Impact):
        return {"nodes": len(answer.feature_versions), "served": answer.recommendations}
    if isinstance(answer, tracing.Trace):
        return {"nodes": len(answer.ancestors), "outcomes": len(answer.outcomes)}
    return {}


def audit_samples(store: Store, repetitions: int) -> list[float]:
    def append(_: int) -> None:
        record = AccessRecord.build(
            subject="bench", roles=["engineer"], document=Q_TRACE, variables={"id": "x"}
        )
        access_log.append(store, record)

    return timed(append, repetitions, WARMUP)


def measure_size(
    server: Server, recommendations: int, repetitions: int, warmup: int
) -> list[dict[str, Any]]:
    workload = Workload.demo(recommendations)
    started = time.perf_counter()
    counts = load(server, workload)
    load_seconds = round(time.perf_counter() - started, 1)
    # The workload (millions of events at 10^6) must not stay in this process's heap: the
    # garbage collector's full passes over it would land in the timings as multi-second
    # pauses (first full run: GraphQL downstream p95 4 s at 10^6).
    del workload
    gc.collect()
    rows: list[dict[str, Any]] = []
    policy = AccessPolicy.load(server.settings.access_policy_file)
    with Store.connect(server.settings) as store, Api(server) as api:
        newest = [r["uid"] for r in store.read(NEWEST, n=ROTATE * 50)]
        recs = newest[::50][:ROTATE]
        audit = percentiles(audit_samples(store, repetitions))
        for name, (library, graphql) in cases(store, api, recs, policy).items():
            row: dict[str, Any] = {
                "recommendations": counts["recommendations"],
                "size": recommendations,
                "query": name,
                **shape(name, library(0)),
                "load_average": load_average(),
            }
            lib = percentiles(timed(library, repetitions, warmup))
            gql = percentiles(timed(graphql, repetitions, warmup))
            row.update(
                library_p50_ms=lib["p50_ms"],
                library_p95_ms=lib["p95_ms"],
                graphql_p50_ms=gql["p50_ms"],
                graphql_p95_ms=gql["p95_ms"],
                overhead_p50_ms=round(gql["p50_ms"] - lib["p50_ms"], 2),
                audit_p50_ms=audit["p50_ms"],
                overhead_without_audit_ms=round(gql["p50_ms"] - lib["p50_ms"] - audit["p50_ms"], 2),
                load_seconds=load_seconds,
            )
            rows.append(row)
            print(
                f"  {counts['recommendations']:>9,} {name:<28} lib {lib['p50_ms']:8.2f}"
                f" / {lib['p95_ms']:8.2f}  gql {gql['p50_ms']:8.2f} / {gql['p95_ms']:8.2f} ms",
                file=sys.stderr,
                flush=True,
            )
    return rows


def run(
    server: Server, sizes: list[int], repetitions: int = REPETITIONS, warmup: int = WARMUP
) -> dict[str, Any]:
    results = []
    for size in sizes:
        results += measure_size(server, size, repetitions, warmup)
    return {
        "benchmark": "queries",
        "sizes": sizes,
        "repetitions": repetitions,
        "warmup": warmup,
        "results": results,
    }


COLUMNS = {
    "recommendations": "recommendations",
    "query": "query",
    "nodes": "nodes",
    "truncated": "truncated",
    "library_p50_ms": "library p50 (ms)",
    "library_p95_ms": "library p95 (ms)",
    "graphql_p50_ms": "GraphQL p50 (ms)",
    "graphql_p95_ms": "GraphQL p95 (ms)",
    "overhead_p50_ms": "overhead p50 (ms)",
    "overhead_without_audit_ms": "overhead less audit (ms)",
    "load_average": "load avg (1, 5, 15 min)",
}
