"""Lineage as text trees (for people at a terminal) and as JSON (for scripts).

Sealed properties are shown opened when a :class:`Sealer` is given (operators with the
keys), else as ``<encrypted>``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graph_lineage.errors import SealedValueError
from graph_lineage.lineage.model import Edge, Graph, Node
from graph_lineage.lineage.trace import Trace
from graph_lineage.sealing import Sealer, is_sealed
from graph_lineage.store.values import jsonable

ENCRYPTED = "<encrypted>"


def revealed(properties: dict[str, Any], sealer: Sealer | None) -> dict[str, Any]:
    """``properties`` with sealed values opened, or ``<encrypted>`` where they cannot be."""
    uid = str(properties.get("uid", ""))
    return {key: _revealed(key, value, uid, sealer) for key, value in properties.items()}


def _revealed(key: str, value: Any, uid: str, sealer: Sealer | None) -> Any:
    if not is_sealed(value):
        return value
    if sealer is None:
        return ENCRYPTED
    try:
        return sealer.open(value, key, uid)
    except SealedValueError:
        return ENCRYPTED


def node_json(node: Node | None, sealer: Sealer | None = None) -> dict[str, Any] | None:
    if node is None:
        return None
    properties = jsonable(revealed(node.properties, sealer))
    return {"uid": node.uid, "kind": node.kind, "properties": properties}


def edge_json(edge: Edge) -> dict[str, Any]:
    return {
        "source": edge.source,
        "target": edge.target,
        "type": edge.type,
        "properties": jsonable(edge.properties),
    }


def graph_json(graph: Graph, sealer: Sealer | None = None) -> dict[str, Any]:
    return {
        "root": graph.root,
        "direction": graph.direction,
        "depth": graph.depth,
        "depth_reached": graph.depth_reached,
        "truncated": graph.truncated,
        "truncated_reason": graph.truncated_reason,
        "nodes": [node_json(n, sealer) for n in graph.nodes],
        "edges": [edge_json(e) for e in graph.edges],
    }


def trace_json(trace: Trace, sealer: Sealer | None = None) -> dict[str, Any]:
    def node(n: Node | None) -> dict[str, Any] | None:
        return node_json(n, sealer)

    return {
        "recommendation": node(trace.recommendation),
        "context": node(trace.context),
        "model_version": node(trace.model_version),
        "trained_on": [node(n) for n in trace.trained_on],
        "served_features": [node(n) for n in trace.served_features],
        "served_not_trained": trace.served_not_trained,
        "derivations": [edge_json(e) for e in trace.derivations],
        "ancestors": [node(n) for n in trace.ancestors],
        "experiment": node(trace.experiment),
        "variant": node(trace.variant),
        "declared_model_versions": trace.declared_model_versions,
        "outcomes": [node(n) for n in trace.outcomes],
        "notes": trace.notes,
    }


def _when(value: Any) -> str:
    value = jsonable(value)
    return str(value)[:19].replace("T", " ") if value else "?"


def graph_tree(graph: Graph) -> str:
    """The graph as an indented tree from its root; a node met twice is shown once."""
    by_uid = {node.uid: node for node in graph.nodes}
    children: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for edge in graph.edges:
        parent, child = (
            (edge.source, edge.target)
            if graph.direction == "upstream"
            else (edge.target, edge.source)
        )
        children[parent].append((edge.type, child))
    lines = [_label(by_uid[graph.root])]
    shown = {graph.root}

    def walk(uid: str, prefix: str) -> None:
        branches = sorted(children.get(uid, []), key=lambda pair: pair[1])
        for index, (kind, child) in enumerate(branches):
            last = index == len(branches) - 1
            repeat = child in shown
            suffix = " (shown above)" if repeat else ""
            lines.append(
                f"{prefix}{'└── ' if last else '├── '}{kind} {_label(by_uid[child])}{suffix}"
            )
            if not repeat:
                shown.add(child)
                walk(child, prefix + ("    " if last else "│   "))

    walk(graph.root, "")
    if graph.truncated:
        lines.append(f"(truncated: {graph.truncated_reason})")
    return "\n".join(lines)


def _label(node: Node) -> str:
    stub = " [stub: its event has not arrived]" if node.stub else ""
    return f"{node.kind} {node.uid}{stub}"


def trace_tree(trace: Trace, sealer: Sealer | None = None) -> str:
    rec = trace.recommendation.properties
    lines = [
        f"Recommendation {trace.recommendation.uid}",
        f"  served {_when(rec.get('served_at'))}  segment {rec.get('segment')}"
        f"  cohort {rec.get('cohort')}  user {rec.get('user_pseudonym')}",
        f"  items {', '.join((rec.get('items') or [])[:5])}"
        + (" ..." if len(rec.get("items") or []) > 5 else ""),
    ]
    if trace.context is not None:
        lines.append(f"├── context {trace.context.uid}")
    if trace.model_version is not None:
        mv = trace.model_version.properties
        lines.append(
            f"├── model version {trace.model_version.uid}  trained {_when(mv.get('trained_at'))}"
            f"  artifact {mv.get('artifact_hash')}"
        )
        trained = ", ".join(n.uid for n in trace.trained_on) or "unknown"
        lines.append(f"│   └── trained on {trained}")
    lines.append("├── served features")
    derived: dict[str, list[str]] = defaultdict(list)
    for edge in trace.derivations:
        derived[edge.source].append(edge.target)
    for index, feature in enumerate(trace.served_features):
        props = feature.properties
        corner = "└──" if index == len(trace.served_features) - 1 else "├──"
        lines.append(
            f"│   {corner} {feature.uid}  schema {props.get('schema_hash')}"
            f"  transform {props.get('transform_hash')}"
            f"  materialized {_when(props.get('materialized_at'))}"
        )
        lines.extend(_chain(feature.uid, derived, "│   " + ("    " if corner == "└──" else "│   ")))
    if trace.experiment is not None and trace.variant is not None:
        exp = revealed(trace.experiment.properties, sealer)
        declared = ", ".join(trace.declared_model_versions) or "nothing"
        lines.append(
            f"├── experiment {trace.experiment.uid}  variant {trace.variant.properties.get('name')}"
            f"  (declared {declared})  unit {exp.get('randomization_unit')}"
            f"  salt {exp.get('salt')}"
        )
    outcomes = [_outcome(o.properties) for o in trace.outcomes]
    lines.append(f"{'├' if trace.notes else '└'}── outcomes: {'; '.join(outcomes) or 'none'}")
    for index, note in enumerate(trace.notes):
        lines.append(f"{'└' if index == len(trace.notes) - 1 else '├'}── note: {note}")
    return "\n".join(lines)


def _outcome(props: dict[str, Any]) -> str:
    return f"{props.get('kind')} {props.get('item_id')} at {_when(props.get('observed_at'))}"


def _chain(uid: str, derived: dict[str, list[str]], prefix: str) -> list[str]:
    lines: list[str] = []
    parents = sorted(derived.get(uid, []))
    for index, parent in enumerate(parents):
        last = index == len(parents) - 1
        lines.append(f"{prefix}{'└── ' if last else '├── '}derived from {parent}")
        lines.extend(_chain(parent, derived, prefix + ("    " if last else "│   ")))
    return lines
