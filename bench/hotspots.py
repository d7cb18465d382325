"""Where a query's time goes: Python profiles, Cypher plans and a GraphQL request's parts.

    .venv/bin/python bench/run.py --only profile

On a throwaway database loaded with the demo (fixed seed), after warm-up:

- ``bench/profiles/<name>.txt``: pyinstrument call trees (sampling every 0.2 ms) of the
  library's ``downstream`` of the busiest source and ``trace``, and of GraphQL ``trace``
  requests run in this thread through the real app (``httpx.ASGITransport``), so the
  tree covers HTTP, authentication, parsing, validation, execution and the access-log append;
- ``bench/profiles/cypher-<name>.txt``: ``PROFILE`` of the trace statement and of one
  downstream level, operator by operator with rows and db hits;
- the result JSON: a GraphQL ``trace`` request cut into the library call (the same
  Cypher and Python a direct call runs), the access-log append, and everything else,
  each a p50 over ``REPETITIONS`` requests, measured by timing those two functions
  inside the request.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from pyinstrument import Profiler
from queries import NEWEST, Q_TRACE, SOURCE, load
from throwaway import Server
from workload import Workload

from api.app import create_app
from graph_lineage.auth import Role, demo_token
from graph_lineage import access_log
from graph_lineage.lineage import trace as tracing
from graph_lineage.lineage import traversal
from graph_lineage.store import Store, reads

PROFILES = Path(__file__).resolve().parent / "profiles"
REPETITIONS = 200
INTERVAL = 0.0002  # seconds between samples


def write_profile(name: str, profiler: Profiler) -> str:
    PROFILES.mkdir(parents=True, exist_ok=True)
    path = PROFILES / f"{name}.txt"
    path.write_text(profiler.output_text(unicode=False, color=False, show_all=False))
    return str(path.relative_to(PROFILES.parent.parent))


@contextmanager
def profiled(name: str, written: list[str]) -> Iterator[None]:
    profiler = Profiler(interval=INTERVAL)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        written.append(write_profile(name, profiler))


def cypher_plan(store: Store, query: str, parameters: dict[str, Any]) -> str:
    lines: list[str] = []

    def walk(plan: dict[str, Any], depth: int) -> None:
        details = plan.get("args", {}).get("Details", "")
        lines.append(
            f"{'  ' * depth}{plan['operatorType']}  rows={plan.get('rows')}"
            f"  dbHits={plan.get('dbHits')}  {details[:160]}"
        )
        for child in plan.get("children", []):
            walk(child, depth + 1)

    with store.driver.session(database=store.database) as session:
        for _ in range(3):  # the last one, once the profiled plan is compiled and cached
            result = session.run("PROFILE " + query, parameters)
            rows = len(list(result))
            summary = result.consume()
    walk(summary.profile, 0)
    took = (summary.result_available_after or 0) + (summary.result_consumed_after or 0)
    return f"{rows} rows, {took} ms in the server\n\n" + "\n".join(lines) + "\n"


def downstream_level(store: Store) -> tuple[str, dict[str, Any]]:
    """The statement and parameters of downstream's second level from the source."""
    root = traversal.find_node(store, SOURCE)
    assert root is not None
    step = {"asOf": None, "skip": [], "limit": traversal.DEFAULT_MAX_NODES + 1}
    first = store.read(reads.DOWNSTREAM_STEP, ids=[root.id], seen=[root.id], **step)
    ids = [row["id"] for row in first]
    return reads.DOWNSTREAM_STEP, {"ids": ids, "seen": [root.id, *ids], **step}


@contextmanager
def timing(module: Any, name: str, into: list[float]) -> Iterator[None]:
    """Time every call of ``module.name`` (as the app calls it) into ``into``."""
    original: Callable[..., Any] = getattr(module, name)

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            into.append(time.perf_counter() - started)

    setattr(module, name, timed)
    try:
        yield
    finally:
        setattr(module, name, original)


def graphql_requests(server: Server, recs: list[str], written: list[str]) -> dict[str, Any]:
    """GraphQL trace requests in this thread's event loop: parts, then a profile."""
    app = create_app(server.settings)
    token = demo_token(server.settings, Role.ENGINEER, "bench")
    library: list[float] = []
    audit: list[float] = []
    total: list[float] = []

    async def requests() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", headers=headers
            ) as client:

                async def one(i: int) -> None:
                    variables = {"id": recs[i % len(recs)]}
                    reply = await client.post(
                        "/graphql", json={"query": Q_TRACE, "variables": variables}
                    )
                    reply.raise_for_status()
                    assert not reply.json().get("errors"), reply.json()

                for i in range(20):
                    await one(i)
                with timing(tracing, "trace", library), timing(access_log, "append", audit):
                    for i in range(REPETITIONS):
                        started = time.perf_counter()
                        await one(i)
                        total.append(time.perf_counter() - started)
                with profiled("graphql-trace", written):
                    for i in range(REPETITIONS):
                        await one(i)

    asyncio.run(requests())
    p50 = lambda samples: round(statistics.median(samples) * 1000, 2)  # noqa: E731
    rest = [t - lib - aud for t, lib, aud in zip(total, library, audit, strict=True)]
    return {
        "requests": REPETITIONS,
        "total_p50_ms": p50(total),
        "library_p50_ms": p50(library),
        "audit_p50_ms": p50(audit),
        "rest_p50_ms": p50(rest),
    }


def run(server: Server, recommendations: int) -> dict[str, Any]:
    counts = load(server, Workload.demo(recommendations))
    gc.collect()  # the workload is gone; its garbage must not land in the profiles
    written: list[str] = []
    with Store.connect(server.settings) as store:
        recs = [row["uid"] for row in store.read(NEWEST, n=400)][::50]
        for _ in range(5):
            traversal.downstream(store, SOURCE, 6)
        with profiled("library-downstream", written):
            for _ in range(20):
                traversal.downstream(store, SOURCE, 6)
        with profiled("library-trace", written):
            for i in range(REPETITIONS):
                tracing.trace(store, recs[i % len(recs)])
        plans = {
            "cypher-trace": (tracing.TRACE, {"uid": recs[0]}),
            "cypher-downstream-level": downstream_level(store),
        }
        for name, (query, parameters) in plans.items():
            path = PROFILES / f"{name}.txt"
            path.write_text(cypher_plan(store, query, parameters))
            written.append(str(path.relative_to(PROFILES.parent.parent)))
    request = graphql_requests(server, recs, written)
    return {
        "recommendations": counts["recommendations"],
        "profiles": written,
        "results": [{"query": "trace", **request}],
    }


COLUMNS = {
    "query": "GraphQL query",
    "requests": "requests",
    "total_p50_ms": "request p50 (ms)",
    "library_p50_ms": "library call p50 (ms)",
    "audit_p50_ms": "audit append p50 (ms)",
    "rest_p50_ms": "everything else p50 (ms)",
}
