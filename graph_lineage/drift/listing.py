"""Stored drift alerts, filtered and paginated (most recently seen first), as a caller sees them.

An alert is shown redacted (:func:`visible_alert`): evidence of kinds hidden from the
caller is left out and counted by kind, as anomalies' is; a cause naming a hidden node is
left out too, with its score and its evidence, and so is a cause naming an item (a new
item in an item-popularity alert) for a caller who may not see recommendations, whose
items they are (:func:`find_drift_node` leaves them out of windows too). Whatever the
summary or the other causes' evidence say of a withheld cause reads ``(hidden)``. Causes
left out are counted in ``hidden_causes``.

>>> page = drift_alerts(store, DriftAlertFilter(verdict="drift", status="open"))
>>> page.nodes[0].properties["signal"]
'feature_distribution|feature:item_price@v2'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph_lineage.anomalies.listing import check_first, last_seen_page
from graph_lineage.drift.records import CAUSE_PROPERTIES
from graph_lineage.drift.signals import ITEM_POPULARITY
from graph_lineage.lineage.model import Node
from graph_lineage.lineage.traversal import find_node
from graph_lineage.lineage.visibility import EVERYTHING, HIDDEN, Visibility
from graph_lineage.store.connection import Reader
from graph_lineage.store.reads import node_columns

ALERT, WINDOW = "DriftAlert", "DriftWindow"
ITEM_PROPERTIES = ("categories", "counts", "new_categories")  # of an item-popularity window
NEW_CATEGORY = "new_category"  # the cause kind of a category new in the window

PAGE = f"""
MATCH (a:DriftAlert)
WHERE ($kind IS NULL OR a.kind = $kind)
  AND ($verdict IS NULL OR a.verdict = $verdict)
  AND ($status IS NULL OR a.status = $status)
  AND ($severity IS NULL OR a.severity = $severity)
  AND ($subject IS NULL OR a.subject = $subject)
  AND ($seenSince IS NULL OR a.last_seen >= $seenSince)
  AND ($onsetBefore IS NULL OR coalesce(a.onset, a.first_seen) < $onsetBefore)
  AND ($endsAfter IS NULL OR coalesce(a.last_window, a.last_seen) > $endsAfter)
  AND ($evidence IS NULL OR $evidence IN a.evidence)
  AND ($afterTime IS NULL OR a.last_seen < datetime($afterTime)
       OR (a.last_seen = datetime($afterTime) AND a.uid > $afterUid))
RETURN {node_columns("a")}
ORDER BY a.last_seen DESC, a.uid
LIMIT $limit
"""


@dataclass(frozen=True)
class DriftAlertFilter:
    kind: str | None = None  # the signal kind, e.g. feature_distribution
    verdict: str | None = None  # drift or seasonality
    status: str | None = None  # open or resolved
    severity: str | None = None  # critical, warning or info
    subject: str | None = None  # the feature or model version the signal is about
    seen_since: datetime | None = None  # last seen at or after
    onset_before: datetime | None = None  # drifting since before this time
    ends_after: datetime | None = None  # its newest window ends after this time
    evidence: str | None = None  # a uid among the evidence


@dataclass
class DriftAlertPage:
    nodes: list[Node]
    cursors: list[str]
    has_next_page: bool


def drift_alerts(
    store: Reader,
    where: DriftAlertFilter,
    first: int = 50,
    after: str | None = None,
    visibility: Visibility = EVERYTHING,
) -> DriftAlertPage:
    """One page of drift alerts matching ``where``; a hidden uid in the filter matches nothing."""
    check_first(first)
    probes = [uid for uid in (where.subject, where.evidence) if uid]
    if ALERT in visibility.hidden or any(visibility.hides_uid(uid) for uid in probes):
        return DriftAlertPage([], [], False)
    nodes, cursors, more = last_seen_page(
        store,
        PAGE,
        first,
        after,
        kind=where.kind,
        verdict=where.verdict,
        status=where.status,
        severity=where.severity,
        subject=where.subject,
        seenSince=where.seen_since,
        onsetBefore=where.onset_before,
        endsAfter=where.ends_after,
        evidence=where.evidence,
    )
    return DriftAlertPage([visible_alert(node, visibility) for node in nodes], cursors, more)


def find_drift_node(store: Reader, uid: str, visibility: Visibility = EVERYTHING) -> Node | None:
    """The drift alert or window with this uid as the caller may see it; None: none, or
    hidden. The items an item-popularity window counts are left out for a caller who may not
    see recommendations (its ``categories``, ``counts`` and ``new_categories``)."""
    node = find_node(store, uid)
    if node is None or node.kind not in (ALERT, WINDOW) or visibility.hides(node):
        return None
    if node.kind == ALERT:
        return visible_alert(node, visibility)
    if node.properties.get("kind") == ITEM_POPULARITY and "Recommendation" in visibility.hidden:
        props = {k: v for k, v in node.properties.items() if k not in ITEM_PROPERTIES}
        node = Node(id=node.id, labels=node.labels, properties=props)
    return visibility.scrub(node)


def visible_alert(node: Node, visibility: Visibility) -> Node:
    """``node`` (a stored drift alert) without what the caller may not see (module doc)."""
    if not visibility.hidden:
        return node
    props = dict(node.properties)
    causes = list(zip(*(props.get(name) or [] for name in CAUSE_PROPERTIES), strict=False))
    withheld = [cause for cause in causes if _withholds(props, cause[0], cause[1], visibility)]
    kept = [cause for cause in causes if cause not in withheld]
    names = _names(withheld)
    for index, name in enumerate(CAUSE_PROPERTIES):
        props[name] = [cause[index] for cause in kept]
    props["cause_evidence"] = [_redacted(text, names) for text in props["cause_evidence"]]
    props["summary"] = _redacted(props.get("summary"), names)
    props["hidden_causes"] = len(withheld)
    return visibility.scrub(Node(id=node.id, labels=node.labels, properties=props))


def _withholds(props: dict[str, Any], uid: str, kind: str, visibility: Visibility) -> bool:
    if visibility.hides_uid(uid):
        return True
    is_item = props.get("kind") == ITEM_POPULARITY and kind == NEW_CATEGORY
    return is_item and "Recommendation" in visibility.hidden


def _names(withheld: list[tuple[Any, ...]]) -> list[str]:
    """What text may say of the withheld causes: their uids, and the names inside them."""
    found = {str(cause[0]) for cause in withheld}
    found |= {name.split(":", 1)[1] for name in found if ":" in name}
    return sorted(found, key=len, reverse=True)  # longest first: a uid before its name


def _redacted(text: Any, names: list[str]) -> Any:
    if not isinstance(text, str):
        return text
    for name in names:
        text = text.replace(name, HIDDEN)
    return text
