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
    graph-lineage change-plan PLAN        what a change plan touches and its risk (CI gate)
    graph-lineage token ROLE              a demo token for a role
    graph-lineage api-key create|list|revoke   API keys, stored hashed
    graph-lineage export-schema           write the events' JSON Schema and the GraphQL SDL
    graph-lineage retention run           delete what is older than its retention
    graph-lineage erase --user RAW_ID     delete one person's recommendations and outcomes
    graph-lineage access-log export|verify   copy the access log out; check its hash chain
    graph-lineage keys status|rotate      sealed values per encryption key; re-seal them
    graph-lineage anomalies scan [--since] run the anomaly rules, store findings, alert
    graph-lineage drift scan [--since]    judge new windows for drift, store alerts with causes
    graph-lineage experiment report NAME  exposure, sample ratios, effects, the arms' lineage
    graph-lineage experiment list         the experiments, newest first
    graph-lineage audit completeness      share of recommendations with complete ancestry
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from graph_lineage.cli import (
    access,
    access_log,
    anomalies,
    change_plans,
    completeness,
    data,
    drift,
    experiments,
    keys,
    queries,
    server,
)
from graph_lineage.errors import LineageError
from graph_lineage.settings import Settings

# Each module owns the parsers of its commands (``register``); this order is the help's.
COMMAND_MODULES = (
    server,
    data,
    queries,
    change_plans,
    access,
    access_log,
    keys,
    anomalies,
    drift,
    experiments,
    completeness,
)


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
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser
