"""The ``graph-lineage`` command.

::

    graph-lineage up                      start local Neo4j, migrate, serve (the main job)
    graph-lineage neo4j start|stop|status run the local Neo4j server
    graph-lineage migrate [--status]      apply schema migrations
    graph-lineage serve                   serve the API with uvicorn
    graph-lineage demo-data               write the synthetic pipeline as NDJSON events
    graph-lineage ingest FILE             load NDJSON or JSON events into the store
    graph-lineage trace REC_ID [--json]   the whole lineage of one recommendation
    graph-lineage lineage UID --up|--down upstream or downstream lineage as a tree
    graph-lineage token ROLE              a demo token for a role
    graph-lineage api-key create|list|revoke   API keys, stored hashed
    graph-lineage export-schema           write the events' JSON Schema and the GraphQL SDL
    graph-lineage retention run           delete what is older than its retention
    graph-lineage erase --user RAW_ID     delete one person's recommendations and outcomes
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from graph_lineage.auth import ApiKeys, Role, demo_token
from graph_lineage.demo import DemoPipeline, write_ndjson
from graph_lineage.errors import LineageError, StoreUnavailable
from graph_lineage.events import render_events_json_schema
from graph_lineage.governance import RetentionPolicy, erase_user, run_retention
from graph_lineage.ingest import IngestReport, ingest_file
from graph_lineage.lineage.render import graph_json, graph_tree, trace_json, trace_tree
from graph_lineage.lineage.trace import trace
from graph_lineage.lineage.traversal import downstream, upstream
from graph_lineage.neo4j_local import LocalNeo4j, Status
from graph_lineage.progress import Progress
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.settings import Settings
from graph_lineage.store import (
    Migration,
    Store,
    migrate,
    migration_status,
    recommendation_count,
)
from graph_lineage.store.writer import LineageWriter


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    if not hasattr(arguments, "handler"):
        parser.print_help()
        return 2
    try:
        settings = Settings(**_overrides(arguments))
        handler: Callable[[Settings, argparse.Namespace], int] = arguments.handler
        return handler(settings, arguments)
    except LineageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _overrides(arguments: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if getattr(arguments, "no_auth", False):
        overrides["local_auth"] = False
    if getattr(arguments, "host", None):
        overrides["api_host"] = arguments.host
    if getattr(arguments, "port", None):
        overrides["api_port"] = arguments.port
    if getattr(arguments, "batch_size", None):
        overrides["ingest_batch_size"] = arguments.batch_size
    if getattr(arguments, "handler", None) in (_up, _token):
        overrides["demo"] = True
    return overrides


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="graph-lineage",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(title="commands")

    up = commands.add_parser("up", help="start the local Neo4j, migrate and serve the API")
    _serve_options(up)
    up.set_defaults(handler=_up)

    neo4j = commands.add_parser("neo4j", help="run the local Neo4j server")
    actions = neo4j.add_subparsers(title="actions", required=True)
    start = actions.add_parser("start", help="start it (downloads Neo4j the first time)")
    start.add_argument("--no-auth", action="store_true", help="turn authentication off")
    start.set_defaults(handler=_neo4j_start)
    actions.add_parser("stop", help="stop it cleanly").set_defaults(handler=_neo4j_stop)
    status = actions.add_parser("status", help="running or not, URIs, version")
    status.add_argument("--json", action="store_true", help="machine-readable, with credentials")
    status.set_defaults(handler=_neo4j_status)

    migrate_command = commands.add_parser("migrate", help="apply pending schema migrations")
    migrate_command.add_argument("--status", action="store_true", help="only report")
    migrate_command.add_argument(
        "--wait", type=float, default=0, metavar="SECONDS", help="wait this long for Neo4j"
    )
    migrate_command.set_defaults(handler=_migrate)

    serve = commands.add_parser("serve", help="serve the API (GraphQL, health) with uvicorn")
    _serve_options(serve)
    serve.set_defaults(handler=_serve)

    demo = commands.add_parser("demo-data", help="write the synthetic pipeline as NDJSON")
    demo.add_argument("--recommendations", type=int, default=10_000, metavar="N")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--output", default="-", metavar="FILE", help="'-' is standard output")
    demo.set_defaults(handler=_demo_data)

    ingest = commands.add_parser("ingest", help="load NDJSON or a JSON array of events")
    ingest.add_argument("file", help="the event file; '-' reads standard input")
    ingest.add_argument("--batch-size", type=int, help="events per transaction")
    ingest.set_defaults(handler=_ingest)

    trace_command = commands.add_parser("trace", help="the whole lineage of one recommendation")
    trace_command.add_argument("recommendation", help="request id or rec: uid")
    trace_command.add_argument("--json", action="store_true", help="machine-readable")
    trace_command.set_defaults(handler=_trace)

    lineage = commands.add_parser("lineage", help="upstream or downstream lineage of a node")
    lineage.add_argument("uid", help="e.g. feature:user_ctr_7d@v3")
    way = lineage.add_mutually_exclusive_group()
    way.add_argument("--up", dest="direction", action="store_const", const="upstream")
    way.add_argument("--down", dest="direction", action="store_const", const="downstream")
    lineage.add_argument("--depth", type=int, default=3)
    lineage.add_argument("--as-of", type=datetime.fromisoformat, metavar="ISO-TIME")
    lineage.add_argument("--kinds", help="comma-separated node kinds to show")
    lineage.add_argument("--json", action="store_true", help="machine-readable")
    lineage.set_defaults(handler=_lineage, direction="upstream")

    token = commands.add_parser("token", help="print a demo token for a role")
    token.add_argument("role", choices=[role.value for role in Role])
    token.add_argument("--subject", default=None, help="the token's sub (default: demo-ROLE)")
    token.add_argument("--ttl", type=int, default=8 * 3600, metavar="SECONDS")
    token.set_defaults(handler=_token)

    keys = commands.add_parser("api-key", help="manage API keys (stored hashed)")
    key_actions = keys.add_subparsers(title="actions", required=True)
    create = key_actions.add_parser("create", help="make a key; it is printed once")
    create.add_argument("--name", required=True)
    create.add_argument(
        "--role", action="append", required=True, choices=[role.value for role in Role]
    )
    create.set_defaults(handler=_api_key_create)
    key_actions.add_parser("list", help="names, roles, dates").set_defaults(handler=_api_key_list)
    revoke = key_actions.add_parser("revoke", help="remove a key by name")
    revoke.add_argument("name")
    revoke.set_defaults(handler=_api_key_revoke)

    export = commands.add_parser(
        "export-schema", help="write schema/events.schema.json and schema/schema.graphql"
    )
    export.set_defaults(handler=_export_schema)

    retention = commands.add_parser("retention", help="delete what retention no longer keeps")
    retention_actions = retention.add_subparsers(title="actions", required=True)
    retention_run = retention_actions.add_parser("run", help="run it once, recorded")
    retention_run.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    retention_run.add_argument(
        "--now", type=datetime.fromisoformat, metavar="ISO-TIME", help="count days back from here"
    )
    retention_run.set_defaults(handler=_retention_run)

    erase = commands.add_parser("erase", help="delete one person's recommendations and outcomes")
    erase.add_argument("--user", required=True, metavar="RAW_ID", help="'-' reads standard input")
    erase.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    erase.set_defaults(handler=_erase)
    return parser


def _serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to bind (default 8000)")


def _neo4j_start(settings: Settings, _: argparse.Namespace) -> int:
    status = LocalNeo4j(settings).start(progress=print)
    print(_describe(status))
    return 0


def _neo4j_stop(settings: Settings, _: argparse.Namespace) -> int:
    stopped = LocalNeo4j(settings).stop()
    print("Neo4j stopped." if stopped else "Neo4j was not running.")
    return 0


def _neo4j_status(settings: Settings, arguments: argparse.Namespace) -> int:
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


def _migrate(settings: Settings, arguments: argparse.Namespace) -> int:
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


def _serve(settings: Settings, _: argparse.Namespace) -> int:
    import uvicorn

    from api import create_app

    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port)
    return 0


def _demo_data(settings: Settings, arguments: argparse.Namespace) -> int:
    pipeline = DemoPipeline(recommendations=arguments.recommendations, seed=arguments.seed)
    if arguments.output == "-":
        written = write_ndjson(pipeline.events(), sys.stdout)
    else:
        with open(arguments.output, "w", encoding="utf-8") as output:
            written = write_ndjson(pipeline.events(), output)
        print(f"wrote {written} events to {arguments.output}", file=sys.stderr)
    return 0


def _ingest(settings: Settings, arguments: argparse.Namespace) -> int:
    path = Path(arguments.file)
    if arguments.file == "-":
        with tempfile.NamedTemporaryFile("w", suffix=".ndjson", delete=False) as copy:
            shutil.copyfileobj(sys.stdin, copy)
        path = Path(copy.name)
    try:
        report = load_events(settings, path)
    finally:
        if arguments.file == "-":
            path.unlink()
    _print_report(report)
    return 0


def load_events(settings: Settings, path: Path) -> IngestReport:
    progress = Progress(f"ingesting {path.name}")
    with Store.connect(settings) as store:
        writer = LineageWriter(store, Pseudonymizer.from_settings(settings))
        report = ingest_file(path, writer, settings.ingest_batch_size, progress.update)
    progress.done()
    return report


def _print_report(report: IngestReport) -> None:
    print(f"ingested {report.events} events in {report.seconds:.1f}s ({report.rate:,.0f}/s)")
    for event_type, count in sorted(report.summary.events.items()):
        print(f"  {event_type:32} {count:>10,}")
    counters = report.summary.counters
    print(
        f"  nodes created {counters.get('nodes_created', 0):,},"
        f" relationships created {counters.get('relationships_created', 0):,}"
    )


def _trace(settings: Settings, arguments: argparse.Namespace) -> int:
    with Store.connect(settings) as store:
        result = trace(store, arguments.recommendation)
    if result is None:
        print(f"error: no recommendation {arguments.recommendation!r}", file=sys.stderr)
        return 1
    print(json.dumps(trace_json(result), indent=2) if arguments.json else trace_tree(result))
    return 0


def _lineage(settings: Settings, arguments: argparse.Namespace) -> int:
    walk = upstream if arguments.direction == "upstream" else downstream
    kinds = arguments.kinds.split(",") if arguments.kinds else None
    with Store.connect(settings) as store:
        graph = walk(store, arguments.uid, arguments.depth, arguments.as_of, kinds)
    print(json.dumps(graph_json(graph), indent=2) if arguments.json else graph_tree(graph))
    return 0


def _token(settings: Settings, arguments: argparse.Namespace) -> int:
    role = Role(arguments.role)
    print(demo_token(settings, role, arguments.subject or f"demo-{role.value}", arguments.ttl))
    return 0


def _api_key_create(settings: Settings, arguments: argparse.Namespace) -> int:
    key = ApiKeys(settings.api_keys_file).create(arguments.name, [Role(r) for r in arguments.role])
    print(key)
    print(f"(shown once; only its hash is kept in {settings.api_keys_file})", file=sys.stderr)
    return 0


def _api_key_list(settings: Settings, _: argparse.Namespace) -> int:
    for entry in ApiKeys(settings.api_keys_file).list():
        print(f"{entry['name']:24} {','.join(entry['roles']):32} {entry['created_at']}")
    return 0


def _api_key_revoke(settings: Settings, arguments: argparse.Namespace) -> int:
    revoked = ApiKeys(settings.api_keys_file).revoke(arguments.name)
    print("revoked" if revoked else f"no key named {arguments.name!r}")
    return 0 if revoked else 1


def _export_schema(settings: Settings, _: argparse.Namespace) -> int:
    from api.graphql import render_sdl

    for name, text in (
        ("events.schema.json", render_events_json_schema()),
        ("schema.graphql", render_sdl()),
    ):
        target = settings.schema_dir / name
        target.write_text(text)
        print(f"wrote {target}")
    return 0


def _retention_run(settings: Settings, arguments: argparse.Namespace) -> int:
    with Store.connect(settings) as store:
        report = run_retention(
            store, RetentionPolicy.from_settings(settings), arguments.now, arguments.dry_run
        )
    verb = "would delete" if report.dry_run else "deleted"
    print(
        f"retention {verb} {report.recommendations:,} recommendations, {report.outcomes:,}"
        f" outcomes, {report.feature_statistics:,} feature statistics"
    )
    for kind, cutoff in report.cutoffs.parameters().items():
        print(f"  {kind:28} {cutoff.isoformat() if cutoff else 'none (kept forever)'}")
    print(f"  record: {report.uid}")
    return 0


def _erase(settings: Settings, arguments: argparse.Namespace) -> int:
    raw_user_id = sys.stdin.readline().strip() if arguments.user == "-" else arguments.user
    if not raw_user_id:
        print("error: --user is empty; give the raw user id to erase", file=sys.stderr)
        return 2
    with Store.connect(settings) as store:
        report = erase_user(
            store,
            Pseudonymizer.from_settings(settings),
            raw_user_id,
            dry_run=arguments.dry_run,
            batch_size=settings.retention_batch_size,
        )
    verb = "would delete" if report.dry_run else "deleted"
    counts = f"{report.recommendations:,} recommendations, {report.outcomes:,} outcomes"
    print(f"erasure {verb} {counts}")
    print(f"  record: {report.uid} (subject {report.subject})")
    return 0


def _load_demo_if_empty(settings: Settings) -> None:
    with Store.connect(settings) as store:
        if recommendation_count(store) > 0:
            print("The graph already holds recommendations; the demo pipeline is not reloaded.")
            return
    path = settings.local_home / "demo-pipeline.ndjson"
    path.parent.mkdir(parents=True, exist_ok=True)
    pipeline = DemoPipeline(recommendations=settings.demo_recommendations, seed=42)
    with path.open("w", encoding="utf-8") as output:
        write_ndjson(pipeline.events(), output)
    print(f"Loading the demo pipeline ({settings.demo_recommendations:,} recommendations)...")
    _print_report(load_events(settings, path))


def _up(settings: Settings, arguments: argparse.Namespace) -> int:
    if settings.uses_local_neo4j:
        print(_describe(LocalNeo4j(settings).start(progress=print)))
    _migrate(settings, argparse.Namespace(status=False, wait=0))
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
    return _serve(settings, arguments)


if __name__ == "__main__":
    sys.exit(main())
