"""Commands that ask lineage questions: trace and lineage."""

from __future__ import annotations

import argparse
import json
import sys

from graph_lineage.lineage.render import graph_json, graph_tree, trace_json, trace_tree
from graph_lineage.lineage.trace import trace
from graph_lineage.lineage.traversal import downstream, upstream
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store


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
