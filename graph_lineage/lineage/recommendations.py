"""Filtered, paginated recommendations (newest first) and the lineage diff of two of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph_lineage import uids
from graph_lineage.errors import InvalidQuery, NodeNotFound
from graph_lineage.lineage.cursors import decode_time_cursor, time_cursor
from graph_lineage.lineage.model import Node
from graph_lineage.lineage.visibility import EVERYTHING, HIDDEN, Visibility
from graph_lineage.store.connection import Store
from graph_lineage.store.reads import node_columns

MAX_PAGE = 500

PAGE = f"""
MATCH (r:Recommendation)
WHERE r.served_at IS NOT NULL
  AND ($from IS NULL OR r.served_at >= $from) AND ($to IS NULL OR r.served_at < $to)
  AND ($segment IS NULL OR r.segment = $segment)
  AND ($cohort IS NULL OR r.cohort = $cohort)
  AND ($user IS NULL OR r.user_pseudonym = $user)
  AND ($afterTime IS NULL OR r.served_at < datetime($afterTime)
       OR (r.served_at = datetime($afterTime) AND r.uid > $afterUid))
  AND ($modelVersion IS NULL AND $experiment IS NULL AND $variant IS NULL AND $context IS NULL
       OR EXISTS {{
         MATCH (r)-[:HAS_CONTEXT]->(c:LineageContext)
         WHERE ($context IS NULL OR c.uid = $context)
           AND ($modelVersion IS NULL OR c.model_version = $modelVersion)
           AND ($variant IS NULL OR c.variant = $variant)
           AND ($experiment IS NULL OR c.variant STARTS WITH $experiment)
       }})
RETURN {node_columns("r")}
ORDER BY r.served_at DESC, r.uid
LIMIT $limit
"""

LINEAGE_OF = """
UNWIND $uids AS uid
MATCH (r:Recommendation {uid: uid})
OPTIONAL MATCH (r)-[:HAS_CONTEXT]->(c:LineageContext)
CALL (c) {
  OPTIONAL MATCH (c)-[:USED_FEATURE]->(:FeatureVersion)-[:DERIVED_FROM*0..20]->(x)
  WITH DISTINCT x
  RETURN collect(x.uid) AS ancestry
}
RETURN uid, r.served_at AS served_at, r.segment AS segment, c.model_version AS model_version,
       c.feature_versions AS feature_versions, c.variant AS variant, ancestry
"""


# The outcomes of each recommendation, in the order they were observed.
OUTCOMES_OF = f"""
UNWIND $uids AS uid
MATCH (:Recommendation {{uid: uid}})<-[:FOR]-(o:Outcome)
RETURN uid, {node_columns("o")}
ORDER BY uid, o.observed_at, o.uid
"""


@dataclass(frozen=True)
class RecommendationFilter:
    served_from: datetime | None = None
    served_to: datetime | None = None
    segment: str | None = None
    cohort: str | None = None
    model_version: str | None = None
    experiment: str | None = None
    variant: str | None = None
    user_pseudonym: str | None = None
    context: str | None = None  # a LineageContext uid: one collapsed group of a graph


@dataclass
class Page:
    nodes: list[Node]
    cursors: list[str]
    has_next_page: bool


def recommendations(
    store: Store,
    where: RecommendationFilter,
    first: int = 50,
    after: str | None = None,
    visibility: Visibility = EVERYTHING,
) -> Page:
    """One page of recommendations matching ``where``, newest first."""
    if not 1 <= first <= MAX_PAGE:
        raise InvalidQuery(f"first must be between 1 and {MAX_PAGE}, not {first}")
    if "Recommendation" in visibility.hidden:
        return Page([], [], False)
    after_time, after_uid = decode_time_cursor(after)
    experiment = uids.variant_uid(where.experiment, "") if where.experiment else None
    rows = store.read(
        PAGE,
        limit=first + 1,
        afterTime=after_time,
        afterUid=after_uid,
        **{"from": where.served_from, "to": where.served_to},
        segment=where.segment,
        cohort=where.cohort,
        user=where.user_pseudonym,
        modelVersion=where.model_version,
        variant=where.variant,
        experiment=experiment,
        context=where.context,
    )
    nodes = [Node.from_row(row) for row in rows]
    page = nodes[:first]
    return Page(page, [time_cursor(node, "served_at") for node in page], len(nodes) > first)


def outcomes_of(
    store: Store, uids: list[str], visibility: Visibility = EVERYTHING
) -> dict[str, list[Node]]:
    """For each recommendation uid: its outcomes the caller may see, oldest first."""
    found: dict[str, list[Node]] = {uid: [] for uid in uids}
    for row in store.read(OUTCOMES_OF, uids=uids):
        node = Node.from_row(row)
        if not visibility.hides(node):
            found[row["uid"]].append(visibility.scrub(node))
    return found


@dataclass
class FeatureChange:
    feature: str
    a: str | None
    b: str | None


@dataclass
class LineageDiff:
    a: str
    b: str
    model_version: tuple[str | None, str | None] | None = None
    variant: tuple[str | None, str | None] | None = None
    feature_changes: list[FeatureChange] = field(default_factory=list)
    ancestry_only_in_a: list[str] = field(default_factory=list)
    ancestry_only_in_b: list[str] = field(default_factory=list)
    same_context: bool = False
    hidden_differences: int = 0  # ancestry differences in kinds the caller may not see

    @property
    def identical(self) -> bool:
        visible = self.ancestry_only_in_a or self.ancestry_only_in_b
        return self.same_context and not visible and not self.hidden_differences


def lineage_diff(store: Store, a: str, b: str, visibility: Visibility = EVERYTHING) -> LineageDiff:
    """What differs between the lineage of two recommendations (request ids or uids).

    Uids of kinds hidden by ``visibility`` show as ``(hidden)`` or are left out of lists.
    """
    wanted = [x if x.startswith("rec:") else uids.recommendation_uid(x) for x in (a, b)]
    found = {row["uid"]: row for row in store.read(LINEAGE_OF, uids=wanted)}
    for uid in wanted:
        if uid not in found or visibility.hides_uid(uid):
            raise NodeNotFound(f"no recommendation has uid {uid!r}")
    left, right = found[wanted[0]], found[wanted[1]]
    diff = LineageDiff(a=wanted[0], b=wanted[1])
    diff.feature_changes = _feature_changes(left, right)
    diff.same_context = not (
        left["model_version"] != right["model_version"]
        or left["variant"] != right["variant"]
        or diff.feature_changes
    )

    def shown(uid: str | None) -> str | None:
        return HIDDEN if uid is not None and visibility.hides_uid(uid) else uid

    if left["model_version"] != right["model_version"]:
        diff.model_version = (shown(left["model_version"]), shown(right["model_version"]))
    if left["variant"] != right["variant"]:
        diff.variant = (shown(left["variant"]), shown(right["variant"]))
    if "FeatureVersion" in visibility.hidden:
        diff.feature_changes = []
    only_a = sorted(set(left["ancestry"]) - set(right["ancestry"]))
    only_b = sorted(set(right["ancestry"]) - set(left["ancestry"]))
    diff.ancestry_only_in_a = visibility.visible_uids(only_a)
    diff.ancestry_only_in_b = visibility.visible_uids(only_b)
    diff.hidden_differences = (
        len(only_a) + len(only_b) - len(diff.ancestry_only_in_a) - len(diff.ancestry_only_in_b)
    )
    return diff


def _feature_changes(left: dict[str, Any], right: dict[str, Any]) -> list[FeatureChange]:
    def versions(row: dict[str, Any]) -> dict[str, str]:
        parsed = (uids.parse(uid) for uid in row["feature_versions"] or [])
        return {p.name: p.version or "" for p in parsed}

    a, b = versions(left), versions(right)
    return [
        FeatureChange(feature, a.get(feature), b.get(feature))
        for feature in sorted(set(a) | set(b))
        if a.get(feature) != b.get(feature)
    ]
