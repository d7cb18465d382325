"""Everything downstream of a source, feature (version) or model version: ``impact``.

Feature versions derived from it, model versions trained on those, the deployments and
variants serving them, their experiments, and how many recommendations they served since
a time, by model version and by segment. Recommendations are counted through the
per-day ``ContextUsage`` counters of the lineage contexts that used what is affected,
never by scanning recommendation nodes.

:func:`dependents` and :func:`usage` are the two halves, shared with the migration
impact analysis (``graph_lineage.change_plans.assessment``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from graph_lineage.errors import NodeNotFound
from graph_lineage.lineage.model import Node
from graph_lineage.lineage.traversal import find_node
from graph_lineage.lineage.visibility import EVERYTHING, HIDDEN, Visibility
from graph_lineage.store.connection import Reader, Store
from graph_lineage.store.labels import Label
from graph_lineage.store.reads import node_map
from graph_lineage.store.values import native

_NODE = node_map("n")

AFFECTED = f"""
MATCH (root) WHERE elementId(root) = $id
CALL (root) {{
  OPTIONAL MATCH (fv:FeatureVersion)-[:DERIVED_FROM|VERSION_OF*0..20]->(root)
  RETURN collect(DISTINCT fv) AS features
}}
CALL (root, features) {{
  UNWIND features AS fv
  MATCH (mv:ModelVersion)-[:TRAINED_ON]->(fv)
  RETURN collect(DISTINCT mv) AS trained
}}
CALL (root) {{
  OPTIONAL MATCH (mv:ModelVersion)-[:VERSION_OF*0..1]->(root)
  RETURN collect(mv) AS own
}}
WITH features, trained + [mv IN own WHERE NOT mv IN trained] AS models
CALL (models) {{
  UNWIND models AS mv
  OPTIONAL MATCH (d:Deployment)-[:DEPLOYS]->(mv)
  OPTIONAL MATCH (v:Variant)-[s:SERVES]->(mv)
  OPTIONAL MATCH (v)-[:OF]->(e:Experiment)
  RETURN collect(DISTINCT d) AS deployments, collect(DISTINCT v) AS variants,
         collect(DISTINCT e) AS experiments,
         collect(DISTINCT CASE WHEN s IS NOT NULL THEN
           {{variant: v.uid, experiment: e.uid, model_version: mv.uid,
             valid_from: s.valid_from, valid_to: s.valid_to}} END) AS arms
}}
RETURN [n IN features | {_NODE}] AS features, [n IN models | {_NODE}] AS models,
       [n IN deployments | {_NODE}] AS deployments, [n IN variants | {_NODE}] AS variants,
       [n IN experiments | {_NODE}] AS experiments, arms
"""

# Contexts that used an affected feature version or model version, counted by day, on the
# days from $since (null: the first) up to, not including, $until (null: the last).
USAGE = """
UNWIND $ids AS id
MATCH (n) WHERE elementId(n) = id
MATCH (c:LineageContext)-[:USED_FEATURE|USED_MODEL]->(n)
WITH DISTINCT c
MATCH (u:ContextUsage {context: c.uid})
WHERE ($since IS NULL OR u.day >= $since) AND ($until IS NULL OR u.day < $until)
RETURN c.model_version AS model_version, u.segment AS segment, u.day AS day,
       sum(u.count) AS count
"""

# Every recommendation served on those days, whatever served it.
ALL_USAGE = """
MATCH (u:ContextUsage)
WHERE u.day >= $since AND u.day < $until
RETURN null AS model_version, u.segment AS segment, u.day AS day, sum(u.count) AS count
"""


@dataclass(frozen=True)
class Arm:
    """One interval over which a variant served an affected model version (one per edge)."""

    variant: str
    experiment: str | None
    model_version: str
    valid_from: datetime | None
    valid_to: datetime | None


@dataclass(frozen=True)
class Dependents:
    """What depends on one node, before any visibility is applied; each list sorted by uid."""

    root: Node
    feature_versions: list[Node]  # derived from the root, the root itself left out
    model_versions: list[Node]
    deployments: list[Node]
    variants: list[Node]
    experiments: list[Node]
    arms: list[Arm] = field(default_factory=list)

    @property
    def counted(self) -> list[str]:
        """Element ids of the nodes whose lineage contexts carry the affected traffic."""
        ids = [n.id for n in (*self.feature_versions, *self.model_versions)]
        if self.root.kind == Label.FEATURE_VERSION:
            ids.append(self.root.id)
        return ids


@dataclass(frozen=True)
class Usage:
    """Recommendations one model version served to one segment on one day."""

    model_version: str | None
    segment: str
    day: date
    count: int


def dependents(store: Reader, root: Node) -> Dependents:
    """Feature versions, model versions, deployments, variants, experiments below ``root``."""
    row = store.read(AFFECTED, id=root.id)[0]
    return Dependents(
        root=root,
        feature_versions=[n for n in _nodes(row["features"]) if n.id != root.id],
        model_versions=_nodes(row["models"]),
        deployments=_nodes(row["deployments"]),
        variants=_nodes(row["variants"]),
        experiments=_nodes(row["experiments"]),
        arms=[_arm(arm) for arm in row["arms"]],
    )


def usage(
    store: Reader, ids: list[str], since: date | None = None, until: date | None = None
) -> list[Usage]:
    """Traffic through the contexts that used any of the nodes ``ids``, each counted once."""
    return [_usage(row) for row in store.read(USAGE, ids=ids, since=since, until=until)]


def all_usage(store: Store, since: date, until: date) -> list[Usage]:
    """Every recommendation served from ``since`` up to ``until``, by segment and day."""
    return [_usage(row) for row in store.read(ALL_USAGE, since=since, until=until)]


@dataclass
class Impact:
    root: Node
    since: datetime | None
    feature_versions: list[Node] = field(default_factory=list)
    model_versions: list[Node] = field(default_factory=list)
    deployments: list[Node] = field(default_factory=list)
    variants: list[Node] = field(default_factory=list)
    experiments: list[Node] = field(default_factory=list)
    by_model_version: dict[str, int] = field(default_factory=dict)
    by_segment: dict[str, int] = field(default_factory=dict)
    hidden: dict[str, int] = field(default_factory=dict)  # kinds the caller may not see

    @property
    def recommendations(self) -> int:
        return sum(self.by_model_version.values())


def impact(
    store: Store,
    uid: str,
    since: datetime | None = None,
    visibility: Visibility = EVERYTHING,
) -> Impact:
    """What depends on ``uid`` and how much traffic it served since ``since``.

    Nodes of kinds hidden by ``visibility`` are left out and counted in ``hidden``; the
    traffic counts are aggregates and stay whole.
    """
    return store.read_together(lambda reader: _impact(reader, uid, since, visibility))


def _impact(store: Reader, uid: str, since: datetime | None, visibility: Visibility) -> Impact:
    root = find_node(store, uid, visibility)
    if root is None:  # a node the caller may not see answers like one that does not exist
        raise NodeNotFound(f"no lineage node has uid {uid!r}")
    found = dependents(store, root)
    result = Impact(root=root, since=since)
    hidden: Counter[str] = Counter()
    result.feature_versions = visibility.visible(found.feature_versions, hidden)
    result.model_versions = visibility.visible(found.model_versions, hidden)
    result.deployments = visibility.visible(found.deployments, hidden)
    result.variants = visibility.visible(found.variants, hidden)
    result.experiments = visibility.visible(found.experiments, hidden)
    result.hidden = dict(hidden)
    for use in usage(store, found.counted, since.date() if since else None):
        model = use.model_version or ""
        if visibility.hides_uid(model):
            model = HIDDEN  # their traffic still counts, under one key
        result.by_model_version[model] = result.by_model_version.get(model, 0) + use.count
        result.by_segment[use.segment] = result.by_segment.get(use.segment, 0) + use.count
    return result


def _usage(row: Any) -> Usage:
    return Usage(
        model_version=row["model_version"],
        segment=row["segment"],
        day=native(row["day"]),
        count=int(row["count"]),
    )


def _arm(raw: dict[str, Any]) -> Arm:
    return Arm(
        variant=raw["variant"],
        experiment=raw["experiment"],
        model_version=raw["model_version"],
        valid_from=native(raw["valid_from"]),
        valid_to=native(raw["valid_to"]),
    )


def _nodes(raws: list[dict[str, Any]]) -> list[Node]:
    nodes = [Node.from_row(raw) for raw in raws]
    return sorted(nodes, key=lambda node: node.uid)
