"""Stored anomalies, filtered and paginated (most recently seen first), as a caller may see them.

Evidence of kinds hidden from the caller is left out of ``evidence`` (and of every other
property) and counted by kind instead, as lineage answers do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, LiteralString

from graph_lineage.errors import InvalidQuery
from graph_lineage.lineage.cursors import decode_time_cursor, time_cursor
from graph_lineage.lineage.model import Node
from graph_lineage.lineage.visibility import EVERYTHING, Visibility
from graph_lineage.store.connection import Reader, Store
from graph_lineage.store.reads import node_columns

MAX_PAGE = 500

PAGE = f"""
MATCH (a:Anomaly)
WHERE ($rule IS NULL OR a.rule = $rule)
  AND ($status IS NULL OR a.status = $status)
  AND ($severity IS NULL OR a.severity = $severity)
  AND ($seenSince IS NULL OR a.last_seen >= $seenSince)
  AND ($evidence IS NULL OR $evidence IN a.evidence)
  AND ($afterTime IS NULL OR a.last_seen < datetime($afterTime)
       OR (a.last_seen = datetime($afterTime) AND a.uid > $afterUid))
RETURN {node_columns("a")}
ORDER BY a.last_seen DESC, a.uid
LIMIT $limit
"""


@dataclass(frozen=True)
class AnomalyFilter:
    rule: str | None = None
    status: str | None = None  # open or resolved
    severity: str | None = None  # critical or warning
    seen_since: datetime | None = None  # last seen at or after
    evidence: str | None = None  # a uid among the evidence


@dataclass
class AnomalyPage:
    nodes: list[Node]
    cursors: list[str]
    has_next_page: bool


def hidden_evidence(node: Node, visibility: Visibility) -> dict[str, int]:
    """How many evidence uids of each kind hidden from the caller the anomaly holds."""
    kinds = node.properties.get("evidence_kinds") or []
    counts = node.properties.get("evidence_counts") or []
    return {
        kind: int(count)
        for kind, count in zip(kinds, counts, strict=False)
        if kind in visibility.hidden and count
    }


def anomalies(
    store: Store,
    where: AnomalyFilter,
    first: int = 50,
    after: str | None = None,
    visibility: Visibility = EVERYTHING,
) -> AnomalyPage:
    """One page of anomalies matching ``where``; a hidden evidence uid matches nothing."""
    check_first(first)
    if "Anomaly" in visibility.hidden or (where.evidence and visibility.hides_uid(where.evidence)):
        return AnomalyPage([], [], False)
    nodes, cursors, more = last_seen_page(
        store,
        PAGE,
        first,
        after,
        rule=where.rule,
        status=where.status,
        severity=where.severity,
        seenSince=where.seen_since,
        evidence=where.evidence,
    )
    return AnomalyPage([visibility.scrub(node) for node in nodes], cursors, more)


def check_first(first: int) -> None:
    if not 1 <= first <= MAX_PAGE:
        raise InvalidQuery(f"first must be between 1 and {MAX_PAGE}, not {first}")


def last_seen_page(
    store: Reader, query: LiteralString, first: int, after: str | None, **filters: Any
) -> tuple[list[Node], list[str], bool]:
    """One page of findings (anomalies, drift alerts), most recently seen first: ``query``
    takes the filters, ``$afterTime``/``$afterUid`` and ``$limit``. The nodes, their
    cursors, and whether more follow."""
    after_time, after_uid = decode_time_cursor(after)
    rows = store.read(query, afterTime=after_time, afterUid=after_uid, limit=first + 1, **filters)
    nodes = [Node.from_row(row) for row in rows]
    page = nodes[:first]
    return page, [time_cursor(node, "last_seen") for node in page], len(nodes) > first
