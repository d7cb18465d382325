"""The whole path of one recommendation: ``trace(store, request_id)``.

Context, model version and what it was trained on, the feature versions actually served
and their derivation chains down to the data sources, the experiment and variant (with
what the variant declared at serving time), and the outcomes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from graph_lineage import uids
from graph_lineage.lineage.model import Edge, Node
from graph_lineage.lineage.visibility import EVERYTHING, Visibility
from graph_lineage.store.connection import Store
from graph_lineage.store.reads import decoded, node_map, props_of

TRACE = f"""
MATCH (r:Recommendation {{uid: $uid}})
OPTIONAL MATCH (r)-[:HAS_CONTEXT]->(c:LineageContext)
OPTIONAL MATCH (c)-[:USED_MODEL]->(mv:ModelVersion)
OPTIONAL MATCH (c)-[:IN_VARIANT]->(v:Variant)
OPTIONAL MATCH (v)-[:OF]->(e:Experiment)
CALL (mv) {{
  OPTIONAL MATCH (mv)-[:TRAINED_ON]->(t:FeatureVersion)
  RETURN collect({node_map("t")}) AS trained
}}
CALL (c) {{
  OPTIONAL MATCH (c)-[:USED_FEATURE]->(s:FeatureVersion)
  RETURN collect({node_map("s")}) AS served
}}
CALL (c) {{
  OPTIONAL MATCH (c)-[:USED_FEATURE]->(:FeatureVersion)-[:DERIVED_FROM*0..20]->(x)
  WITH DISTINCT x
  OPTIONAL MATCH (x)-[d:DERIVED_FROM]->(y)
  WITH x, d, y WHERE y IS NOT NULL
  RETURN collect({{from: x.uid, to: y.uid, props: {props_of("d")}}}) AS derivations,
         collect(DISTINCT {node_map("y")}) AS ancestors
}}
CALL (v, r) {{
  OPTIONAL MATCH (v)-[s:SERVES]->(declared:ModelVersion)
  WHERE s.valid_from <= r.served_at AND (s.valid_to IS NULL OR s.valid_to > r.served_at)
  RETURN collect(DISTINCT declared.uid) AS declared
}}
CALL (r) {{
  OPTIONAL MATCH (o:Outcome)-[:FOR]->(r)
  WITH o ORDER BY o.observed_at
  RETURN collect({node_map("o")}) AS outcomes
}}
RETURN {node_map("r")} AS recommendation,
       CASE WHEN c IS NULL THEN null ELSE {node_map("c")} END AS context,
       CASE WHEN mv IS NULL THEN null ELSE {node_map("mv")} END AS model_version,
       CASE WHEN v IS NULL THEN null ELSE {node_map("v")} END AS variant,
       CASE WHEN e IS NULL THEN null ELSE {node_map("e")} END AS experiment,
       trained, served, derivations, ancestors, declared, outcomes
"""


@dataclass
class Trace:
    recommendation: Node
    context: Node | None
    model_version: Node | None
    trained_on: list[Node]
    served_features: list[Node]
    derivations: list[Edge]
    ancestors: list[Node]
    experiment: Node | None
    variant: Node | None
    declared_model_versions: list[str]
    outcomes: list[Node]
    notes: list[str] = field(default_factory=list)
    hidden: dict[str, int] = field(default_factory=dict)  # kinds the caller may not see

    @property
    def served_not_trained(self) -> list[str]:
        """Feature versions served that the model version was not trained on (skew)."""
        trained = {node.uid for node in self.trained_on}
        return sorted(node.uid for node in self.served_features if node.uid not in trained)


def trace(store: Store, request_id: str, visibility: Visibility = EVERYTHING) -> Trace | None:
    """The lineage of one recommendation, by request id or ``rec:`` uid; None if unknown.

    Nodes of kinds hidden by ``visibility`` are left out and counted in ``hidden``; notes
    are drawn from what remains, so they name nothing hidden either.
    """
    uid = request_id if request_id.startswith("rec:") else uids.recommendation_uid(request_id)
    rows = store.read(TRACE, uid=uid)
    if not rows or visibility.hides(_node(rows[0]["recommendation"])):
        return None
    row = rows[0]
    hidden: Counter[str] = Counter()

    def one(raw: dict[str, Any] | None) -> Node | None:
        found = visibility.visible([_node(raw)] if raw else [], hidden)
        return found[0] if found else None

    def many(raws: list[dict[str, Any]]) -> list[Node]:
        return visibility.visible(_nodes(raws), hidden)

    result = Trace(
        recommendation=visibility.scrub(_node(row["recommendation"])),
        context=one(row["context"]),
        model_version=one(row["model_version"]),
        trained_on=many(row["trained"]),
        served_features=many(row["served"]),
        derivations=[
            Edge(d["from"], d["to"], "DERIVED_FROM", decoded(d["props"]))
            for d in row["derivations"]
            if not (visibility.hides_uid(d["from"]) or visibility.hides_uid(d["to"]))
        ],
        ancestors=many(row["ancestors"]),
        experiment=one(row["experiment"]),
        variant=one(row["variant"]),
        declared_model_versions=visibility.visible_uids(row["declared"]),
        outcomes=many(row["outcomes"]),
    )
    result.notes = _notes(result)
    result.hidden = dict(hidden)
    return result


def _notes(result: Trace) -> list[str]:
    notes = []
    if result.recommendation.stub:
        notes.append("only outcomes arrived: the recommendation event itself is missing")
    if result.context is None and not result.recommendation.stub:
        notes.append("no lineage context: model and feature versions are unknown")
    if result.model_version is not None and result.model_version.stub:
        notes.append(f"{result.model_version.uid} was never announced by a training event")
    if result.served_not_trained:
        notes.append(
            "served feature versions the model was not trained on: "
            + ", ".join(result.served_not_trained)
        )
    served_by = result.model_version.uid if result.model_version else None
    if result.variant is not None and served_by not in result.declared_model_versions:
        declared = ", ".join(result.declared_model_versions) or "nothing"
        notes.append(f"variant {result.variant.uid} declared {declared} at serving time")
    return notes


def _node(raw: dict[str, Any]) -> Node:
    return Node.from_row(raw)


def _optional(raw: dict[str, Any] | None) -> Node | None:
    return _node(raw) if raw else None


def _nodes(raws: list[dict[str, Any]]) -> list[Node]:
    return sorted((_node(raw) for raw in raws if raw and raw.get("id")), key=lambda n: n.uid)
