"""Everything downstream of a source, feature (version) or model version: ``impact``.

Feature versions derived from it, model versions trained on those, the deployments and
variants serving them, their experiments, and how many recommendations they served since
a time, by model version and by segment. Recommendations are counted through the
per-day ``ContextUsage`` counters of the lineage contexts that used what is affected,
never by scanning recommendation nodes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph_lineage.lineage.model import Node
from graph_lineage.lineage.traversal import NodeNotFound, find_node
from graph_lineage.lineage.visibility import EVERYTHING, HIDDEN, Visibility
from graph_lineage.store.connection import Store

_NODE = "{id: elementId(n), labels: labels(n), props: properties(n)}"

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
  OPTIONAL MATCH (v:Variant)-[:SERVES]->(mv)
  OPTIONAL MATCH (v)-[:OF]->(e:Experiment)
  RETURN collect(DISTINCT d) AS deployments, collect(DISTINCT v) AS variants,
         collect(DISTINCT e) AS experiments
}}
RETURN [n IN features | {_NODE}] AS features, [n IN models | {_NODE}] AS models,
       [n IN deployments | {_NODE}] AS deployments, [n IN variants | {_NODE}] AS variants,
       [n IN experiments | {_NODE}] AS experiments
"""

# Contexts that used an affected feature version or model version, counted by day.
USAGE = """
UNWIND $ids AS id
MATCH (n) WHERE elementId(n) = id
MATCH (c:LineageContext)-[:USED_FEATURE|USED_MODEL]->(n)
WITH DISTINCT c
MATCH (u:ContextUsage {context: c.uid})
WHERE $since IS NULL OR u.day >= $since
RETURN c.model_version AS model_version, u.segment AS segment, sum(u.count) AS count,
       min(u.day) AS first_day, max(u.day) AS last_day
"""


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
    root = find_node(store, uid, visibility)
    if root is None:  # a node the caller may not see answers like one that does not exist
        raise NodeNotFound(f"no lineage node has uid {uid!r}")
    row = store.read(AFFECTED, id=root.id)[0]
    result = Impact(root=root, since=since)
    features = [n for n in _nodes(row["features"]) if n.id != root.id]
    models = _nodes(row["models"])
    used = [n.id for n in (*features, *models)]
    if root.kind == "FeatureVersion":
        used.append(root.id)
    hidden: Counter[str] = Counter()
    result.feature_versions = visibility.visible(features, hidden)
    result.model_versions = visibility.visible(models, hidden)
    result.deployments = visibility.visible(_nodes(row["deployments"]), hidden)
    result.variants = visibility.visible(_nodes(row["variants"]), hidden)
    result.experiments = visibility.visible(_nodes(row["experiments"]), hidden)
    result.hidden = dict(hidden)
    day = since.date() if since else None
    for usage in store.read(USAGE, ids=used, since=day):
        count = int(usage["count"])
        model, segment = usage["model_version"], usage["segment"]
        if visibility.hides_uid(model):
            model = HIDDEN  # their traffic still counts, under one key
        result.by_model_version[model] = result.by_model_version.get(model, 0) + count
        result.by_segment[segment] = result.by_segment.get(segment, 0) + count
    return result


def _nodes(raws: list[dict[str, Any]]) -> list[Node]:
    nodes = [Node(id=r["id"], labels=tuple(r["labels"]), properties=r["props"]) for r in raws]
    return sorted(nodes, key=lambda node: node.uid)
