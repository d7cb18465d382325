"""A comparable picture of the whole graph, for idempotency and ordering tests."""

from __future__ import annotations

from typing import Any

from graph_lineage.sealing import Sealer, is_sealed, key_id_of
from graph_lineage.store import Store

NODES = """
MATCH (n) WHERE NOT n:SchemaMigration AND NOT n:AccessRecord AND NOT n:AccessLogHead
RETURN labels(n) AS labels, properties(n) AS props
"""
RELATIONSHIPS = """
MATCH (a)-[r]->(b)
RETURN coalesce(a.uid, a.context + '/' + a.segment + '/' + toString(a.day)) AS start,
       type(r) AS type, coalesce(b.uid, '') AS end, properties(r) AS props
"""


def _clean(
    props: dict[str, Any], ignore: set[str], sealer: Sealer | None
) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted(
            (key, repr(_opened(key, value, str(props.get("uid")), sealer)))
            for key, value in props.items()
            if key not in ignore
        )
    )


def _opened(key: str, value: Any, uid: str, sealer: Sealer | None) -> Any:
    if sealer is None or not is_sealed(value):
        return value
    return ("sealed", key_id_of(value), sealer.open(value, key, uid))


def snapshot(
    store: Store, ignore: frozenset[str] = frozenset(), sealer: Sealer | None = None
) -> dict[str, list[Any]]:
    """Nodes and relationships with their properties, sorted.

    Sealing the same value twice gives different envelopes (random nonces). With a
    ``sealer``, sealed values compare by key id and what they hold; without one, by their
    exact text, which only a replay onto the same graph keeps.
    """
    nodes = sorted(
        (tuple(sorted(row["labels"])), _clean(row["props"], set(ignore), sealer))
        for row in store.read(NODES)
    )
    relationships = sorted(
        (row["start"], row["type"], row["end"], _clean(row["props"], set(ignore), sealer))
        for row in store.read(RELATIONSHIPS)
    )
    return {"nodes": nodes, "relationships": relationships}
