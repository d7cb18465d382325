"""Liveness and readiness probes."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from graph_lineage import __version__
from graph_lineage.errors import LineageError
from graph_lineage.store import migration_status, server_info


async def healthz(request: Request) -> JSONResponse:
    """The process is up; says nothing about Neo4j."""
    return JSONResponse({"status": "ok", "service": "graph-lineage", "version": __version__})


async def readyz(request: Request) -> JSONResponse:
    """200 when Neo4j answers and every migration is applied, else 503 with the reason.

    Without retries and with the request paths' short connection timeout, so a probe
    answers within a couple of seconds when Neo4j is down.
    """
    state = request.app.state
    try:
        info = await run_in_threadpool(server_info, state.probe_store)
        migrations = await run_in_threadpool(
            migration_status, state.probe_store, state.settings.migrations_dir
        )
    except LineageError as error:
        return JSONResponse(
            {"status": "unavailable", "reason": str(error)},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    body = {
        "neo4j": {"version": info.version, "edition": info.edition},
        "migrations": {
            "applied": migrations.applied,
            "pending": [m.path.name for m in migrations.pending],
            "changed": migrations.changed,
        },
    }
    problem = migrations.problem()
    if problem:
        return JSONResponse({"status": "unavailable", "reason": problem, **body}, status_code=503)
    return JSONResponse({"status": "ready", **body})
