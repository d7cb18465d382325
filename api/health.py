"""Liveness and readiness probes."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse

from api.deadline import store_call
from graph_lineage import __version__
from graph_lineage.errors import LineageError
from graph_lineage.store import MigrationStatus, ServerInfo, Store, migration_status, server_info


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
        # A probe answers within about its connection timeout, even from a starting Neo4j.
        deadline = state.settings.request_connect_timeout + 1.0
        info, migrations = await store_call(
            deadline, _probe, state.probe_store, state.settings.migrations_dir
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


def _probe(store: Store, migrations_dir: Path) -> tuple[ServerInfo, MigrationStatus]:
    return server_info(store), migration_status(store, migrations_dir)
