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
    graph-lineage impact --change PLAN    what a migration plan touches and its risk (CI gate)
    graph-lineage token ROLE              a demo token for a role
    graph-lineage api-key create|list|revoke   API keys, stored hashed
    graph-lineage export-schema           write the events' JSON Schema and the GraphQL SDL
    graph-lineage retention run           delete what is older than its retention
    graph-lineage erase --user RAW_ID     delete one person's recommendations and outcomes
    graph-lineage access-log export|verify   copy the access audit out; check its hash chain
    graph-lineage keys status|rotate      sealed values per encryption key; re-seal them
    graph-lineage anomalies scan [--since] run the anomaly rules, store findings, alert
    graph-lineage audit completeness      share of recommendations with complete ancestry
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from graph_lineage.auth import Role
from graph_lineage.cli import access, data, queries, server
from graph_lineage.cli import access_log as access_log_commands
from graph_lineage.cli import anomalies as anomaly_commands
from graph_lineage.cli import audit as audit_commands
from graph_lineage.cli import impact as impact_commands
from graph_lineage.cli import keys as encryption_keys
from graph_lineage.errors import LineageError
from graph_lineage.governance.rotation import DEFAULT_BATCH_SIZE
from graph_lineage.settings import Settings


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
    if getattr(arguments, "demo", False):
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
    up.set_defaults(handler=server.up, demo=True)

    neo4j = commands.add_parser("neo4j", help="run the local Neo4j server")
    actions = neo4j.add_subparsers(title="actions", required=True)
    start = actions.add_parser("start", help="start it (downloads Neo4j the first time)")
    start.add_argument("--no-auth", action="store_true", help="turn authentication off")
    start.set_defaults(handler=server.neo4j_start)
    actions.add_parser("stop", help="stop it cleanly").set_defaults(handler=server.neo4j_stop)
    status = actions.add_parser("status", help="running or not, URIs, version")
    status.add_argument("--json", action="store_true", help="machine-readable, with credentials")
    status.set_defaults(handler=server.neo4j_status)

    migrate_command = commands.add_parser("migrate", help="apply pending schema migrations")
    migrate_command.add_argument("--status", action="store_true", help="only report")
    migrate_command.add_argument(
        "--wait", type=float, default=0, metavar="SECONDS", help="wait this long for Neo4j"
    )
    migrate_command.set_defaults(handler=server.migrate_command)

    serve = commands.add_parser("serve", help="serve the API (GraphQL, health) with uvicorn")
    _serve_options(serve)
    serve.set_defaults(handler=server.serve)

    demo = commands.add_parser("demo-data", help="write the synthetic pipeline as NDJSON")
    demo.add_argument("--recommendations", type=int, default=10_000, metavar="N")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--output", default="-", metavar="FILE", help="'-' is standard output")
    demo.add_argument(
        "--inject", action="append", type=data.fault_spec, metavar="KIND=COUNT", help=data.FAULTS
    )
    demo.add_argument("--injected-out", metavar="FILE", help="write where faults went, as JSON")
    demo.set_defaults(handler=data.demo_data)

    ingest = commands.add_parser("ingest", help="load NDJSON or a JSON array of events")
    ingest.add_argument("file", help="the event file; '-' reads standard input")
    ingest.add_argument("--batch-size", type=int, help="events per transaction")
    ingest.set_defaults(handler=data.ingest)

    trace_command = commands.add_parser("trace", help="the whole lineage of one recommendation")
    trace_command.add_argument("recommendation", help="request id or rec: uid")
    trace_command.add_argument("--json", action="store_true", help="machine-readable")
    trace_command.set_defaults(handler=queries.trace_command)

    lineage = commands.add_parser("lineage", help="upstream or downstream lineage of a node")
    lineage.add_argument("uid", help="e.g. feature:user_ctr_7d@v3")
    way = lineage.add_mutually_exclusive_group()
    way.add_argument("--up", dest="direction", action="store_const", const="upstream")
    way.add_argument("--down", dest="direction", action="store_const", const="downstream")
    lineage.add_argument("--depth", type=int, default=3)
    lineage.add_argument("--as-of", type=datetime.fromisoformat, metavar="ISO-TIME")
    lineage.add_argument("--kinds", help="comma-separated node kinds to show")
    lineage.add_argument("--json", action="store_true", help="machine-readable")
    lineage.set_defaults(handler=queries.lineage_command, direction="upstream")
    impact_commands.add_parser(commands)

    token = commands.add_parser("token", help="print a demo token for a role")
    token.add_argument("role", choices=[role.value for role in Role])
    token.add_argument("--subject", default=None, help="the token's sub (default: demo-ROLE)")
    token.add_argument("--ttl", type=int, default=8 * 3600, metavar="SECONDS")
    token.set_defaults(handler=access.token, demo=True)

    keys = commands.add_parser("api-key", help="manage API keys (stored hashed)")
    key_actions = keys.add_subparsers(title="actions", required=True)
    create = key_actions.add_parser("create", help="make a key; it is printed once")
    create.add_argument("--name", required=True)
    create.add_argument(
        "--role", action="append", required=True, choices=[role.value for role in Role]
    )
    create.set_defaults(handler=access.api_key_create)
    key_actions.add_parser("list", help="names, roles, dates").set_defaults(
        handler=access.api_key_list
    )
    revoke = key_actions.add_parser("revoke", help="remove a key by name")
    revoke.add_argument("name")
    revoke.set_defaults(handler=access.api_key_revoke)

    export = commands.add_parser(
        "export-schema", help="write schema/events.schema.json and schema/schema.graphql"
    )
    export.set_defaults(handler=data.export_schema)

    retention = commands.add_parser("retention", help="delete what retention no longer keeps")
    retention_actions = retention.add_subparsers(title="actions", required=True)
    retention_run = retention_actions.add_parser("run", help="run it once, recorded")
    retention_run.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    retention_run.add_argument(
        "--now", type=datetime.fromisoformat, metavar="ISO-TIME", help="count days back from here"
    )
    retention_run.set_defaults(handler=access.retention_run)

    erase = commands.add_parser("erase", help="delete one person's recommendations and outcomes")
    erase.add_argument("--user", required=True, metavar="RAW_ID", help="'-' reads standard input")
    erase.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    erase.set_defaults(handler=access.erase)

    audit = commands.add_parser("access-log", help="the access audit of every GraphQL operation")
    audit_actions = audit.add_subparsers(title="actions", required=True)
    audit_export = audit_actions.add_parser("export", help="write records, oldest first")
    audit_export.add_argument(
        "--from", dest="from_time", type=datetime.fromisoformat, metavar="ISO-TIME"
    )
    audit_export.add_argument(
        "--to", dest="to_time", type=datetime.fromisoformat, metavar="ISO-TIME", help="before"
    )
    audit_export.add_argument("--subject", help="only this caller's records")
    audit_export.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    audit_export.add_argument("--output", default="-", metavar="FILE", help="'-': standard output")
    audit_export.set_defaults(handler=access_log_commands.export_command)
    audit_actions.add_parser(
        "verify", help="check the hash chain; exit 3 naming the first broken seq"
    ).set_defaults(handler=access_log_commands.verify_command)

    sealing = commands.add_parser("keys", help="encryption keys of sensitive properties")
    sealing_actions = sealing.add_subparsers(title="actions", required=True)
    sealing_actions.add_parser(
        "status", help="stored values per key id, and plaintext"
    ).set_defaults(handler=encryption_keys.status)
    rotate = sealing_actions.add_parser("rotate", help="re-seal every value under the active key")
    rotate.add_argument(
        "--batch-size",
        dest="rotation_batch_size",
        type=encryption_keys.batch_size,
        default=DEFAULT_BATCH_SIZE,
        metavar="N",
        help=f"values per write transaction (default {DEFAULT_BATCH_SIZE})",
    )
    rotate.add_argument("--dry-run", action="store_true", help="count, change nothing")
    rotate.set_defaults(handler=encryption_keys.rotate)
    anomaly_commands.add_parser(commands)
    audit_commands.add_parser(commands)
    return parser


def _serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to bind (default 8000)")
