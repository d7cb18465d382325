"""A comparable picture of the whole graph, for idempotency and ordering tests."""

from __future__ import annotations

from typing import Any

from graph_lineage.store import Store

NODES = """
MATCH (n) WHERE NOT n:SchemaMigration
RETURN labels(n) AS labels, properties(n) AS props
"""
RELATIONSHIPS = """
MATCH (a)-[r]->(b)
RETURN coalesce(a.uid, a.context + '/' + a.segment + '/' + toString(a.day)) AS start,
       type(r) AS type, coalesce(b.uid, '') AS end, properties(r) AS props
"""


def _clean(props: dict[str, Any], ignore: set[str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((key, repr(value)) for key, value in props.items() if key not in ignore))


def snapshot(store: Store, ignore: frozenset[str] = frozenset()) -> dict[str, list[Any]]:
    nodes = sorted(
        (tuple(sorted(row["labels"])), _clean(row["props"], set(ignore)))
        for row in store.read(NODES)
    )
    relationships = sorted(
        (row["start"], row["type"], row["end"], _clean(row["props"], set(ignore)))
        for row in store.read(RELATIONSHIPS)
    )
    return {"nodes": nodes, "relationships": relationships}
