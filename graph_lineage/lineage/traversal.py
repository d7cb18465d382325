"""Upstream and downstream lineage of one node, bounded by depth and size, as of a time.

>>> graph = upstream(store, "rec:req-1", depth=6)
>>> sorted(n.kind for n in graph.nodes)[:2]
['DataSource', 'DataSource']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, LiteralString

from graph_lineage.errors import InvalidQuery, NodeNotFound
from graph_lineage.lineage.model import Edge, Graph, LeafGroup, Node
from graph_lineage.lineage.visibility import EVERYTHING, Visibility
from graph_lineage.store import reads
from graph_lineage.store.connection import Reader, Store
from graph_lineage.store.reads import decoded

MAX_DEPTH = 20
# High-volume leaves of the graph: a traversal asked for other kinds does not enter them,
# since nothing but outcomes lies beyond a recommendation.
LEAF_KINDS = ("Recommendation", "Outcome")
DEFAULT_MAX_NODES = 1000


def find_node(store: Reader, uid: str, visibility: Visibility = EVERYTHING) -> Node | None:
    """The node with this uid; None when there is none or the caller may not see its kind."""
    rows = store.read(reads.NODE_BY_UID, uid=uid)
    node = _node(rows[0]) if rows else None
    return None if node is None or visibility.hides(node) else visibility.scrub(node)


def versions_of(
    store: Store, uids: list[str], visibility: Visibility = EVERYTHING
) -> dict[str, list[Node]]:
    """For each uid: the versions of that feature or model, or of the one it is a version of."""
    result: dict[str, list[Node]] = {uid: [] for uid in uids}
    for row in store.read(reads.VERSIONS_OF, uids=uids):
        node = _node(row)
        if not visibility.hides(node):
            result[row["uid"]].append(visibility.scrub(node))
    return result


def upstream(
    store: Store,
    uid: str,
    depth: int = 3,
    as_of: datetime | None = None,
    kinds: list[str] | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    visibility: Visibility = EVERYTHING,
) -> Graph:
    """What ``uid`` came from: follows edges from derived to origin."""
    walk = _Walk("upstream", reads.UPSTREAM_STEP, reads.HIDDEN_UPSTREAM)
    limits = _Limits(depth, as_of, kinds, max_nodes, collapse=False)
    return store.read_together(lambda reader: _traverse(reader, uid, walk, limits, visibility))


def downstream(
    store: Store,
    uid: str,
    depth: int = 3,
    as_of: datetime | None = None,
    kinds: list[str] | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    collapse: bool = False,
    visibility: Visibility = EVERYTHING,
) -> Graph:
    """What was derived from ``uid``: follows edges backwards.

    With ``collapse``, recommendations and outcomes are not entered but counted per context
    of the graph in ``groups`` (a page of one group: ``recommendations`` by ``context``).
    """
    walk = _Walk("downstream", reads.DOWNSTREAM_STEP, reads.HIDDEN_DOWNSTREAM)
    limits = _Limits(depth, as_of, kinds, max_nodes, collapse)
    return store.read_together(lambda reader: _traverse(reader, uid, walk, limits, visibility))


@dataclass(frozen=True)
class _Walk:
    direction: str
    step: LiteralString
    hidden_count: LiteralString


@dataclass(frozen=True)
class _Limits:
    depth: int
    as_of: datetime | None
    kinds: list[str] | None
    max_nodes: int
    collapse: bool

    def asked(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


def _traverse(
    store: Reader, uid: str, walk: _Walk, limits: _Limits, visibility: Visibility
) -> Graph:
    """One level per statement; the callers run all of them in one read transaction."""
    depth, as_of, kinds, max_nodes = limits.depth, limits.as_of, limits.kinds, limits.max_nodes
    if not 1 <= depth <= MAX_DEPTH:
        raise InvalidQuery(f"depth must be between 1 and {MAX_DEPTH}, not {depth}")
    if not 1 <= max_nodes <= DEFAULT_MAX_NODES:
        raise InvalidQuery(f"max_nodes must be between 1 and {DEFAULT_MAX_NODES}, not {max_nodes}")
    root = find_node(store, uid, visibility)
    if root is None:  # a node the caller may not see answers like one that does not exist
        raise NodeNotFound(f"no lineage node has uid {uid!r}")
    graph = Graph(root=uid, direction=walk.direction, depth=depth)
    # Hidden kinds are never entered: they cannot shape limits, truncation or what is found.
    skip = [kind for kind in LEAF_KINDS if limits.collapse or not limits.asked(kind)]
    skip += sorted(visibility.hidden)
    found: dict[str, Node] = {root.id: root}
    inner = [root.id]  # nodes whose neighbours lie within the depth
    frontier = [root.id]
    for level in range(1, depth + 1):
        rows = store.read(
            walk.step, ids=frontier, seen=list(found), asOf=as_of, skip=skip, limit=max_nodes + 1
        )
        fresh = _new_nodes(rows, found)
        if len(found) + len(fresh) > max_nodes:
            fresh = dict(list(fresh.items())[: max_nodes - len(found)])
            graph.truncated = True
            graph.truncated_reason = f"size limit: more than {max_nodes} nodes within depth {level}"
        found.update(fresh)
        graph.depth_reached = level if fresh else graph.depth_reached
        frontier = list(fresh)
        if level < depth:
            inner += frontier
        if graph.truncated or not frontier:
            break
    else:
        if _has_more(store, walk.step, frontier, found, as_of, skip):
            graph.truncated = True
            graph.truncated_reason = f"depth limit: lineage continues beyond depth {depth}"
    _fill(graph, store, found, kinds, as_of)
    graph.nodes = [visibility.scrub(node) for node in graph.nodes]
    graph.hidden = _count_hidden(store, walk, inner, as_of, kinds, visibility)
    if limits.collapse:
        graph.groups = _leaf_groups(store, graph, limits, visibility)
    return graph


def _leaf_groups(
    store: Reader, graph: Graph, limits: _Limits, visibility: Visibility
) -> list[LeafGroup]:
    """Per context of the graph: its recommendations and their outcomes, counted as of."""
    counted = {kind: limits.asked(kind) and kind not in visibility.hidden for kind in LEAF_KINDS}
    contexts = [node.id for node in graph.nodes if node.kind == "LineageContext"]
    if not contexts or not any(counted.values()):
        return []
    rows = store.read(
        reads.LEAF_GROUPS,
        ids=contexts,
        asOf=limits.as_of,
        withOutcomes=counted["Outcome"],
    )
    return [
        LeafGroup(
            context=row["context"],
            recommendations=row["recommendations"] if counted["Recommendation"] else None,
            outcomes=row["outcomes"] if counted["Outcome"] else None,
        )
        for row in rows
    ]


def _new_nodes(rows: list[dict[str, Any]], found: dict[str, Node]) -> dict[str, Node]:
    fresh: dict[str, Node] = {}
    for row in rows:
        if row["id"] not in found and row["id"] not in fresh:
            fresh[row["id"]] = _node(row)
    return fresh


def _has_more(
    store: Reader,
    step: LiteralString,
    frontier: list[str],
    found: dict[str, Node],
    as_of: datetime | None,
    skip: list[str],
) -> bool:
    if not frontier:
        return False
    more = store.read(step, ids=frontier, seen=list(found), asOf=as_of, skip=skip, limit=1)
    return bool(more)


def _count_hidden(
    store: Reader,
    walk: _Walk,
    inner: list[str],
    as_of: datetime | None,
    kinds: list[str] | None,
    visibility: Visibility,
) -> dict[str, int]:
    hidden = sorted(kind for kind in visibility.hidden if kinds is None or kind in kinds)
    if not hidden:
        return {}
    rows = store.read(walk.hidden_count, ids=inner, asOf=as_of, skip=[], hidden=hidden)
    return {row["kind"]: row["count"] for row in rows}


def _fill(
    graph: Graph,
    store: Reader,
    found: dict[str, Node],
    kinds: list[str] | None,
    as_of: datetime | None,
) -> None:
    root = next(iter(found.values()))
    keep = {
        node_id: node
        for node_id, node in found.items()
        if kinds is None or node is root or node.kind in kinds
    }
    graph.nodes = list(keep.values())
    rows = store.read(reads.EDGES_AMONG, ids=list(keep), asOf=as_of)
    graph.edges = [
        Edge(keep[row["from"]].uid, keep[row["to"]].uid, row["type"], decoded(row["rel"]))
        for row in rows
    ]


def _node(row: dict[str, Any]) -> Node:
    return Node.from_row(row)
