"""GraphQL types inside a drift alert: its ranked causes and its blast radius."""

from __future__ import annotations

import json
from typing import Any

import strawberry

from graph_lineage.drift.records import CAUSE_PROPERTIES
from graph_lineage.lineage.model import Node


@strawberry.type(description="A likely contributor to a drift, with its score and why.")
class DriftCause:
    uid: str = strawberry.field(description="A lineage uid, or cohort:…, segment:…, seasonality.")
    kind: str = strawberry.field(
        description="source_change, co_drift, upstream_drift, version_change, traffic_change, …"
    )
    score: float = strawberry.field(description="From 0 to 1; causes are ranked by it.")
    evidence: str


@strawberry.type(description="Recommendations downstream of a drift on one day and segment.")
class DriftUsage:
    day: str
    segment: str
    count: int


@strawberry.type(description="What is downstream of the drifting signal, and its traffic.")
class DriftBlastRadius:
    model_versions: list[str]
    deployments: list[str]
    variants: list[str]
    experiments: list[str]
    recommendations: int = strawberry.field(description="Served since the onset, in all.")
    usage: list[DriftUsage] = strawberry.field(description="Since the onset, by day and segment.")


def causes_of(node: Node) -> list[DriftCause]:
    columns = [node.properties.get(name) or [] for name in CAUSE_PROPERTIES]
    return [
        DriftCause(uid=uid, kind=kind, score=float(score), evidence=evidence)
        for uid, kind, score, evidence in zip(*columns, strict=True)
    ]


def blast_radius_of(node: Node) -> DriftBlastRadius:
    props = node.properties
    usage: list[dict[str, Any]] = json.loads(props.get("usage") or "[]")
    return DriftBlastRadius(
        model_versions=list(props.get("affected_model_versions") or []),
        deployments=list(props.get("affected_deployments") or []),
        variants=list(props.get("affected_variants") or []),
        experiments=list(props.get("affected_experiments") or []),
        recommendations=int(props.get("affected_recommendations") or 0),
        usage=[
            DriftUsage(day=u["day"], segment=u["segment"], count=int(u["count"])) for u in usage
        ],
    )
