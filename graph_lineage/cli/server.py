"""Commands that run things: the local Neo4j, migrations, the API, and the main job."""

from __future__ import annotations

import argparse
import time

from graph_lineage.cli.data import load_events, print_report
from graph_lineage.demo import DemoPipeline, recent_start, write_ndjson
from graph_lineage.errors import StoreUnavailable
from graph_lineage.neo4j_local import LocalNeo4j, Status
from graph_lineage.settings import Settings
from graph_lineage.store import (
    Migration,
    Store,
    migrate,
    migration_status,
    recommendation_count,
)


def neo4j_start(settings: Settings, _: argparse.Namespace) -> int:
    status = LocalNeo4j(settings).start(progress=print)
    print(_describe(status))
    return 0


def neo4j_stop(settings: Settings, _: argparse.Namespace) -> int:
    stopped = LocalNeo4j(settings).stop()
    print("Neo4j stopped." if stopped else "Neo4j was not running.")
    return 0


def neo4j_status(settings: Settings, arguments: argparse.Namespace) -> int:
    status = LocalNeo4j(settings).status()
    print(status.to_json() if arguments.json else _describe(status))
    return 0 if status.running else 3


def _describe(status: Status) -> str:
    state = f"running (pid {status.pid})" if status.running else "not running"
    lines = [
        f"Neo4j {status.version}: {state}",
        f"  Bolt:           {status.bolt_uri}",
        f"  HTTP:           {status.http_uri}",
        f"  Neo4j Browser:  {status.http_uri}/browser/",
    ]
    if status.password_file:
        lines.append(f"  user:           {status.user} (password in {status.password_file})")
    return "\n".join(lines)


def migrate_command(settings: Settings, arguments: argparse.Namespace) -> int:
    with Store.connect(settings) as store:
        if arguments.status:
            status = migration_status(store, settings.migrations_dir)
            print(f"applied: {status.applied or 'none'}")
            print(f"pending: {[m.path.name for m in status.pending] or 'none'}")
            if status.changed:
                print(f"changed after applying: {status.changed}")
            return 0 if status.current else 1
        applied = _migrate_when_reachable(store, settings, arguments.wait)
    for migration in applied:
        print(f"applied {migration.path.name}")
    print("schema is current" if applied else "schema was already current; nothing to do")
    return 0


def _migrate_when_reachable(store: Store, settings: Settings, wait: float) -> list[Migration]:
    deadline = time.monotonic() + wait
    while True:
        try:
            return migrate(store, settings.migrations_dir)
        except StoreUnavailable:
            if time.monotonic() >= deadline:
                raise
            time.sleep(2)


def serve(settings: Settings, _: argparse.Namespace) -> int:
    import uvicorn

    from api import create_app

    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port)
    return 0


def _load_demo_if_empty(settings: Settings) -> None:
    with Store.connect(settings) as store:
        if recommendation_count(store) > 0:
            print("The graph already holds recommendations; the demo pipeline is not reloaded.")
            return
    path = settings.local_home / "demo-pipeline.ndjson"
    path.parent.mkdir(parents=True, exist_ok=True)
    pipeline = DemoPipeline(settings.demo_recommendations, seed=42, start=recent_start())
    with path.open("w", encoding="utf-8") as output:
        write_ndjson(pipeline.events(), output)
    print(f"Loading the demo pipeline ({settings.demo_recommendations:,} recommendations)...")
    print_report(load_events(settings, path))


def up(settings: Settings, arguments: argparse.Namespace) -> int:
    if settings.uses_local_neo4j:
        print(_describe(LocalNeo4j(settings).start(progress=print)))
    migrate_command(settings, argparse.Namespace(status=False, wait=0))
    _load_demo_if_empty(settings)
    api = f"http://{settings.api_host}:{settings.api_port}"
    print(f"\nGraphiQL:       {api}/graphql")
    print(
        "  a token for it: .venv/bin/graph-lineage token viewer  (header: Authorization:"
        " Bearer <token>)"
    )
    if settings.uses_local_neo4j:
        print(f"Neo4j Browser:  {settings.local_http_uri}/browser/")
    print("Press Ctrl+C to stop the API; `graph-lineage neo4j stop` stops Neo4j.\n")
    return serve(settings, arguments)
