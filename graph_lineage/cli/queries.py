"""Commands that ask lineage questions: trace and lineage."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from graph_lineage.lineage.render import graph_json, graph_tree, trace_json, trace_tree
from graph_lineage.lineage.trace import trace
from graph_lineage.lineage.traversal import downstream, upstream
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tracing = commands.add_parser("trace", help="the whole lineage of one recommendation")
    tracing.add_argument("recommendation", help="request id or rec: uid")
    tracing.add_argument("--json", action="store_true", help="machine-readable")
    tracing.set_defaults(handler=trace_command)

    lineage = commands.add_parser("lineage", help="upstream or downstream lineage of a node")
    lineage.add_argument("uid", help="e.g. feature:user_ctr_7d@v3")
    way = lineage.add_mutually_exclusive_group()
    way.add_argument("--up", dest="direction", action="store_const", const="upstream")
    way.add_argument("--down", dest="direction", action="store_const", const="downstream")
    lineage.add_argument("--depth", type=int, default=3)
    lineage.add_argument("--as-of", type=datetime.fromisoformat, metavar="ISO-TIME")
    lineage.add_argument("--kinds", help="comma-separated node kinds to show")
    lineage.add_argument("--json", action="store_true", help="machine-readable")
    lineage.set_defaults(handler=lineage_command, direction="upstream")


def trace_command(settings: Settings, arguments: argparse.Namespace) -> int:
    sealer = Sealer.if_configured(settings)  # operators with the keys see sealed values
    with Store.connect(settings) as store:
        result = trace(store, arguments.recommendation)
    if result is None:
        print(f"error: no recommendation {arguments.recommendation!r}", file=sys.stderr)
        return 1
    if arguments.json:
        print(json.dumps(trace_json(result, sealer), indent=2))
    else:
        print(trace_tree(result, sealer))
    return 0


def lineage_command(settings: Settings, arguments: argparse.Namespace) -> int:
    walk = upstream if arguments.direction == "upstream" else downstream
    kinds = arguments.kinds.split(",") if arguments.kinds else None
    sealer = Sealer.if_configured(settings)
    with Store.connect(settings) as store:
        graph = walk(store, arguments.uid, arguments.depth, arguments.as_of, kinds)
    print(json.dumps(graph_json(graph, sealer), indent=2) if arguments.json else graph_tree(graph))
    return 0
