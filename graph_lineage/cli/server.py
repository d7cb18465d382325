"""Commands that run things: the local Neo4j, migrations, the API, and the main job."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from typing import TYPE_CHECKING

from graph_lineage.cli.data import load_events, print_report
from graph_lineage.demo import recent_start, write_ndjson
from graph_lineage.demo_faults import Faults, FaultyDemoPipeline
from graph_lineage.errors import StoreUnavailable
from graph_lineage.neo4j_local import LocalNeo4j, Status, Supervisor
from graph_lineage.settings import Settings
from graph_lineage.store import (
    Migration,
    Store,
    migrate,
    migration_status,
    recommendation_count,
)

if TYPE_CHECKING:
    import uvicorn  # imported when serving: the other commands start faster without it

STARTUP_FAILURE = 3  # the API did not start (its port taken, say), as uvicorn.run exits


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    up_command = commands.add_parser("up", help="start the local Neo4j, migrate and serve the API")
    _serve_options(up_command)
    up_command.set_defaults(handler=up, demo=True)

    neo4j = commands.add_parser("neo4j", help="run the local Neo4j server")
    actions = neo4j.add_subparsers(title="actions", required=True)
    start = actions.add_parser("start", help="start it (downloads Neo4j the first time)")
    start.add_argument("--no-auth", action="store_true", help="turn authentication off")
    start.set_defaults(handler=neo4j_start)
    actions.add_parser("stop", help="stop it cleanly").set_defaults(handler=neo4j_stop)
    status = actions.add_parser("status", help="running or not, URIs, version")
    status.add_argument("--json", action="store_true", help="machine-readable, with credentials")
    status.set_defaults(handler=neo4j_status)

    migration = commands.add_parser("migrate", help="apply pending schema migrations")
    migration.add_argument("--status", action="store_true", help="only report")
    migration.add_argument(
        "--wait", type=float, default=0, metavar="SECONDS", help="wait this long for Neo4j"
    )
    migration.set_defaults(handler=migrate_command)

    serving = commands.add_parser("serve", help="serve the API (GraphQL, health) with uvicorn")
    _serve_options(serving)
    serving.set_defaults(handler=serve)


def _serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to bind (default 8000)")


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


def serve(settings: Settings, _: argparse.Namespace, supervisor: Supervisor | None = None) -> int:
    """Serve the API until Ctrl+C; with a ``supervisor``, also until it gives up on Neo4j
    (then exit status 1)."""
    import uvicorn

    from api import create_app

    config = uvicorn.Config(create_app(settings), host=settings.api_host, port=settings.api_port)
    server = uvicorn.Server(config)
    if supervisor is None:
        _run_until_stopped(server)
    else:

        def give_up(_: str) -> None:
            server.should_exit = True

        supervisor.on_give_up = give_up
        with supervisor:
            _run_until_stopped(server)
        if supervisor.failure is not None:
            print(supervisor.failure, file=sys.stderr)
            return 1
    return 0 if server.started else STARTUP_FAILURE


def _run_until_stopped(server: uvicorn.Server) -> None:
    """Serve until Ctrl+C or SIGTERM. uvicorn re-raises the signal it caught once it has
    shut down; as ``uvicorn.run`` does, a Ctrl+C is the normal way to stop, not an error."""
    with contextlib.suppress(KeyboardInterrupt):
        server.run()


def _load_demo_if_empty(settings: Settings) -> None:
    with Store.connect(settings) as store:
        if recommendation_count(store) > 0:
            print("The graph already holds recommendations; the demo pipeline is not reloaded.")
            return
    path = settings.local_home / "demo-pipeline.ndjson"
    path.parent.mkdir(parents=True, exist_ok=True)
    pipeline = FaultyDemoPipeline(
        settings.demo_recommendations, seed=42, faults=UP_DRIFT, start=recent_start()
    )
    with path.open("w", encoding="utf-8") as output:
        write_ndjson(pipeline.events(), output)
    print(f"Loading the demo pipeline ({settings.demo_recommendations:,} recommendations)...")
    print_report(load_events(settings, path))


UP_DRIFT_SCAN_INTERVAL = 3600.0  # seconds: the main job shows drift as data arrives
# The main job's demo has drift to find: a data source that changes, a cohort that arrives.
UP_DRIFT = Faults(source_shift=1, new_cohort=1)


def up(settings: Settings, arguments: argparse.Namespace) -> int:
    if "drift_scan_interval" not in settings.model_fields_set:
        settings = settings.model_copy(update={"drift_scan_interval": UP_DRIFT_SCAN_INTERVAL})
    supervisor = None
    if settings.uses_local_neo4j:
        neo4j = LocalNeo4j(settings)
        print(_describe(neo4j.start(progress=print)))
        if neo4j.process is not None:  # started here, not already running: keep it running
            supervisor = Supervisor(neo4j)
    migrate_command(settings, argparse.Namespace(status=False, wait=0))
    _load_demo_if_empty(settings)
    api = f"http://{settings.api_host}:{settings.api_port}"
    print(f"\nExplorer:       {api}/ui/  (sign in with a demo role)")
    print(f"GraphiQL:       {api}/graphql")
    print(
        "  a token for it: .venv/bin/graph-lineage token viewer  (header: Authorization:"
        " Bearer <token>)"
    )
    if settings.uses_local_neo4j:
        print(f"Neo4j Browser:  {settings.local_http_uri}/browser/")
    print(
        f"Drift scans:    every {settings.drift_scan_interval:g} s in the API process"
        " (the demo has a source change and a new cohort to find; docs/drift.md)"
    )
    print(
        "Experiments:    .venv/bin/graph-lineage experiment report ranker-v3-rollout"
        " (a true click lift to find; docs/experiments.md)"
    )
    print("Press Ctrl+C to stop the API; `graph-lineage neo4j stop` stops Neo4j.\n")
    return serve(settings, arguments, supervisor)
