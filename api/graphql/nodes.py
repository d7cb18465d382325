"""GraphQL types of lineage nodes: one interface, one type per kind, built from store nodes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON
from strawberry.types import Info
from strawberry.utils.str_converters import to_camel_case

from api.graphql.context import RequestContext
from api.graphql.drift_findings import DriftBlastRadius, DriftCause, blast_radius_of, causes_of
from api.graphql.hidden import HiddenNodes, hidden_to_graphql
from graph_lineage.anomalies.listing import hidden_evidence
from graph_lineage.errors import SealedValueError
from graph_lineage.lineage.model import Node
from graph_lineage.sealing import is_sealed
from graph_lineage.store.sealed import SEALED_PROPERTIES
from graph_lineage.store.values import jsonable
from graph_lineage.store.values import natives as native

SEALED_VALUE_UNREADABLE = "SEALED_VALUE_UNREADABLE"


def _opened(node: Node, name: str, context: RequestContext) -> Any:
    """A property's value, opened if sealed (plaintext stored before encryption as it is)."""
    value = node.properties.get(name)
    if not is_sealed(value):
        return native(value)
    try:
        return context.sealer.open(value, name, node.uid)
    except SealedValueError as error:
        raise GraphQLError(str(error), extensions={"code": SEALED_VALUE_UNREADABLE}) from error


def _sealed_field(name: str) -> Any:
    """A typed field of a sealed property: it opens only if the policy let the field resolve."""

    def resolve(root: LineageNode, info: Info[RequestContext, None]) -> str | None:
        value = _opened(root.stored, name, info.context)
        return None if value is None else str(value)

    return strawberry.field(resolver=resolve)


def _properties(root: LineageNode, info: Info[RequestContext, None]) -> JSON | None:
    """Every property; a sealed one opened if the caller may read its typed field, else left out."""
    context, node = info.context, root.stored
    roles = context.caller.roles if context.caller is not None else frozenset()
    shown: dict[str, Any] = {}
    for key, value in node.properties.items():
        field = _SEALED_FIELDS.get((node.kind, key))
        if field is None and not is_sealed(value):
            shown[key] = jsonable(value)
        elif field is not None and context.policy.may_read(roles, *field):
            shown[key] = jsonable(_opened(node, key, context))
    return JSON(shown)


@strawberry.interface(description="Any node of the lineage graph, found by its uid.")
class LineageNode:
    uid: strawberry.ID = strawberry.field(description="`<kind>:<name>[@<version>]`")
    kind: str = strawberry.field(description="The node's label, e.g. FeatureVersion.")
    stub: bool = strawberry.field(
        description="Referenced by other events but its own event has not arrived."
    )
    valid_from: datetime | None = strawberry.field(description="When the fact became true.")
    ingested_at: datetime | None = strawberry.field(description="When the store first saw it.")
    properties: JSON | None = strawberry.field(
        description="Every stored property, as JSON (null when the policy denies it).",
        resolver=_properties,
    )
    stored: strawberry.Private[Node]

    @strawberry.field(description="The versions of this feature or model (or of its parent).")
    async def versions(self, info: Info[RequestContext, None]) -> list[LineageNode]:
        # The loader answers only what the caller may see, redacted.
        return [to_graphql(node) for node in await info.context.loaders.versions.load(self.uid)]


@strawberry.type
class DataSource(LineageNode):
    name: str
    source_type: str | None
    uri: str | None = _sealed_field("uri")
    owner: str | None
    contains_pii: bool | None
    description: str | None


@strawberry.type
class Feature(LineageNode):
    name: str


@strawberry.type
class FeatureVersion(LineageNode):
    feature: str
    version: str
    schema_hash: str | None
    transform_hash: str | None
    feature_store: str | None
    materialized_at: datetime | None
    freshness_sla_seconds: int | None
    owner: str | None
    derived_from: list[str]


@strawberry.type
class Model(LineageNode):
    name: str


@strawberry.type
class ModelVersion(LineageNode):
    model: str
    version: str
    trained_at: datetime | None
    training_window_start: datetime | None
    training_window_end: datetime | None
    artifact_uri: str | None
    artifact_hash: str | None
    metrics: JSON
    trained_on: list[str]


@strawberry.type
class Deployment(LineageNode):
    model_version: str
    environment: str
    status: str | None
    traffic: float | None
    deployed_at: datetime | None
    retired_at: datetime | None


@strawberry.type
class Experiment(LineageNode):
    name: str
    status: str | None
    randomization_unit: str | None
    salt: str | None = _sealed_field("salt")
    feature_flags: JSON
    started_at: datetime | None
    stopped_at: datetime | None


@strawberry.type
class Variant(LineageNode):
    name: str
    experiment: str
    traffic_share: float | None


@strawberry.type
class LineageContext(LineageNode):
    fingerprint: str
    model_version: str
    feature_versions: list[str]
    variant: str | None
    first_seen: datetime | None
    last_seen: datetime | None


@strawberry.type
class Recommendation(LineageNode):
    request_id: str
    served_at: datetime | None
    user_pseudonym: str | None
    segment: str | None
    cohort: str | None
    items: list[str]
    scores: list[float]
    latency_ms: float | None
    error: str | None

    @strawberry.field(description="What the user did with it, oldest first (those you may see).")
    async def outcomes(self, info: Info[RequestContext, None]) -> list[Outcome]:
        found = await info.context.loaders.outcomes.load(self.uid)
        return [to_kind(node, Outcome) for node in found]


@strawberry.type
class Outcome(LineageNode):
    request_id: str
    item_id: str
    outcome_type: str
    value: float | None
    observed_at: datetime | None


@strawberry.type(
    description="The record of a run: retention, erasure, key rotation, completeness, or an"
    " experiment report."
)
class RunRecord(LineageNode):
    run_kind: str | None
    status: str | None
    dry_run: bool | None
    started_at: datetime | None
    finished_at: datetime | None
    deleted_recommendations: int | None
    deleted_outcomes: int | None
    subject: str | None = strawberry.field(
        description="Erasures: a keyed hash standing for the person, never their id;"
        " experiment reports: the experiment."
    )
    method: str | None = strawberry.field(description="Experiment reports: the method asked.")
    principal: str | None = strawberry.field(description="Experiment reports: who asked.")
    window_start: datetime | None = strawberry.field(description="Experiment reports.")
    window_end: datetime | None = strawberry.field(description="Experiment reports.")
    data_sha256: str | None = strawberry.field(
        description="Experiment reports: a hash of the per-unit data read; the same hash, the"
        " same data."
    )
    report: JSON | None = strawberry.field(
        description="Experiment reports: the report as it was given, aggregates only."
    )
    as_of: datetime | None = strawberry.field(
        description="Retention and erasure: the time the run judged by."
    )
    deleted_feature_statistics: int | None = strawberry.field(description="Retention.")
    deleted_drift_windows: int | None = strawberry.field(description="Retention.")
    recommendations: int | None = strawberry.field(
        description="Completeness audits: recommendations in the window."
    )
    complete: int | None = strawberry.field(
        description="Completeness audits: those whose ancestry is complete."
    )
    share: float | None = strawberry.field(description="Completeness audits: complete / all.")
    minimum: float | None = strawberry.field(
        description="Completeness audits: the share it had to reach, if one was set."
    )
    passed: bool | None = strawberry.field(description="Completeness audits.")
    gaps: int | None = strawberry.field(
        description="Completeness audits: distinct reasons and places of incomplete ancestry."
    )
    inconsistencies: int | None = strawberry.field(
        description="Completeness audits: training or serving that names what was never announced."
    )
    active_key_id: str | None = strawberry.field(
        description="Key rotations: the key everything is sealed under after the run."
    )
    resealed: int | None = strawberry.field(
        description="Key rotations: values re-sealed (in a dry run: to re-seal)."
    )


@strawberry.type(description="A lineage anomaly a scan found: one distinct problem and its size.")
class Anomaly(LineageNode):
    rule: str
    key: str = strawberry.field(description="What the problem is about; the same in every scan.")
    severity: str
    status: str | None = strawberry.field(
        description="open; resolved once a full scan no longer sees it."
    )  # nullable like the status of other node types, so fragments on several types merge
    summary: str
    count: int = strawberry.field(description="Recommendations affected, as of the last scan.")
    scans: int = strawberry.field(description="How many scans have seen it.")
    first_seen: datetime | None
    last_seen: datetime | None
    resolved_at: datetime | None
    evidence: list[str] = strawberry.field(
        description="uids of the nodes involved that the caller may see (at most 1,000)."
    )

    @strawberry.field(description="Evidence of kinds the caller may not see, counted by kind.")
    def hidden_evidence(self, info: Info[RequestContext, None]) -> list[HiddenNodes]:
        return hidden_to_graphql(hidden_evidence(self.stored, info.context.visibility))


@strawberry.type(
    description="A drift the scans found in one signal: one distinct problem, its likely causes"
    " and its blast radius."
)
class DriftAlert(LineageNode):
    signal: str = strawberry.field(description="The signal's key, e.g. feature_nulls|<uid>.")
    signal_kind: str = strawberry.field(description="e.g. feature_distribution, outcome_rate")
    subject: str | None = strawberry.field(
        description="The feature or model version the signal is about, if one."
    )
    verdict: str = strawberry.field(description="drift, or seasonality (explained by the season)")
    status: str | None = strawberry.field(
        description="open; resolved once the signal stopped drifting."
    )
    severity: str = strawberry.field(description="critical, warning or info")
    summary: str
    onset: datetime | None = strawberry.field(description="Start of the first drifted window.")
    last_window: datetime | None = strawberry.field(description="End of the newest one.")
    windows: int = strawberry.field(description="Windows of the episode with this verdict.")
    statistic: str | None
    value: float | None = strawberry.field(description="The statistic at its largest.")
    threshold: float | None
    baseline: str | None = strawberry.field(description="trailing, seasonal or fixed")
    first_seen: datetime | None
    last_seen: datetime | None
    resolved_at: datetime | None
    scans: int = strawberry.field(description="How many scans have seen it.")
    causes: list[DriftCause] = strawberry.field(
        description="Likely contributors, best first; those naming what the caller may not see"
        " are left out and counted in hiddenCauses."
    )
    hidden_causes: int
    blast_radius: DriftBlastRadius
    evidence: list[str] = strawberry.field(
        description="uids of the nodes involved that the caller may see."
    )

    @strawberry.field(description="Evidence of kinds the caller may not see, counted by kind.")
    def hidden_evidence(self, info: Info[RequestContext, None]) -> list[HiddenNodes]:
        return hidden_to_graphql(hidden_evidence(self.stored, info.context.visibility))


@strawberry.type(description="Lineage nodes without a dedicated type (OpenLineage, analyses).")
class OtherNode(LineageNode):
    pass


def _base(node: Node) -> dict[str, Any]:
    props = node.properties
    return {
        "uid": strawberry.ID(node.uid),
        "kind": node.kind,
        "stub": node.stub,
        "valid_from": native(props.get("valid_from")),
        "ingested_at": native(props.get("ingested_at")),
        "stored": node,
    }


def _fields(*names: str, renamed: dict[str, str] | None = None) -> Callable[[Node], dict[str, Any]]:
    renamed = renamed or {}

    def extract(node: Node) -> dict[str, Any]:
        props = node.properties
        values = {name: native(props.get(name)) for name in names}
        values.update({field: native(props.get(key)) for field, key in renamed.items()})
        return values

    return extract


def _json_or_none(text: Any) -> JSON | None:
    return JSON(json.loads(text)) if isinstance(text, str) else None


def _json_field(name: str) -> Callable[[Node], dict[str, Any]]:
    return lambda node: {name: json.loads(node.properties.get(name) or "{}")}


_TYPES: dict[str, tuple[type[LineageNode], list[Callable[[Node], dict[str, Any]]]]] = {
    "DataSource": (
        DataSource,
        [
            _fields(
                "name",
                "owner",
                "contains_pii",
                "description",
                renamed={"source_type": "kind"},
            )
        ],
    ),
    "Feature": (Feature, [_fields("name")]),
    "FeatureVersion": (
        FeatureVersion,
        [
            _fields(
                "feature",
                "version",
                "schema_hash",
                "transform_hash",
                "feature_store",
                "materialized_at",
                "freshness_sla_seconds",
                "owner",
            ),
            lambda n: {"derived_from": n.properties.get("derived_from") or []},
        ],
    ),
    "Model": (Model, [_fields("name")]),
    "ModelVersion": (
        ModelVersion,
        [
            _fields(
                "model",
                "version",
                "trained_at",
                "training_window_start",
                "training_window_end",
                "artifact_uri",
                "artifact_hash",
            ),
            _json_field("metrics"),
            lambda n: {"trained_on": n.properties.get("trained_on") or []},
        ],
    ),
    "Deployment": (
        Deployment,
        [_fields("model_version", "environment", "status", "traffic", "deployed_at", "retired_at")],
    ),
    "Experiment": (
        Experiment,
        [
            _fields("name", "status", "randomization_unit", "started_at", "stopped_at"),
            _json_field("feature_flags"),
        ],
    ),
    "Variant": (Variant, [_fields("name", "experiment", "traffic_share")]),
    "LineageContext": (
        LineageContext,
        [
            _fields("fingerprint", "model_version", "variant", "first_seen", "last_seen"),
            lambda n: {"feature_versions": n.properties.get("feature_versions") or []},
        ],
    ),
    "Recommendation": (
        Recommendation,
        [
            _fields(
                "request_id",
                "served_at",
                "user_pseudonym",
                "segment",
                "cohort",
                "latency_ms",
                "error",
            ),
            lambda n: {
                "items": n.properties.get("items") or [],
                "scores": n.properties.get("scores") or [],
            },
        ],
    ),
    "RunRecord": (
        RunRecord,
        [
            _fields(
                "status",
                "dry_run",
                "started_at",
                "finished_at",
                "deleted_recommendations",
                "deleted_outcomes",
                "subject",
                "method",
                "principal",
                "window_start",
                "window_end",
                "data_sha256",
                "as_of",
                "deleted_feature_statistics",
                "deleted_drift_windows",
                "recommendations",
                "complete",
                "share",
                "minimum",
                "passed",
                "gaps",
                "inconsistencies",
                "active_key_id",
                "resealed",
                renamed={"run_kind": "kind"},
            ),
            lambda n: {"report": _json_or_none(n.properties.get("report"))},
        ],
    ),
    "Anomaly": (
        Anomaly,
        [
            _fields(
                "rule",
                "key",
                "severity",
                "status",
                "summary",
                "count",
                "scans",
                "first_seen",
                "last_seen",
                "resolved_at",
            ),
            lambda n: {"evidence": n.properties.get("evidence") or []},
        ],
    ),
    "DriftAlert": (
        DriftAlert,
        [
            _fields(
                "signal",
                "subject",
                "verdict",
                "status",
                "severity",
                "summary",
                "onset",
                "last_window",
                "windows",
                "statistic",
                "value",
                "threshold",
                "baseline",
                "first_seen",
                "last_seen",
                "resolved_at",
                "scans",
                renamed={"signal_kind": "kind"},
            ),
            lambda n: {
                "evidence": n.properties.get("evidence") or [],
                "causes": causes_of(n),
                "hidden_causes": int(n.properties.get("hidden_causes") or 0),
                "blast_radius": blast_radius_of(n),
            },
        ],
    ),
    "Outcome": (
        Outcome,
        [
            _fields(
                "request_id", "item_id", "value", "observed_at", renamed={"outcome_type": "kind"}
            )
        ],
    ),
}


def to_graphql(node: Node) -> LineageNode:
    """The GraphQL object for a store node, typed by its kind."""
    graphql_type, extractors = _TYPES.get(node.kind, (OtherNode, []))
    values = _base(node)
    for extract in extractors:
        values.update(extract(node))
    return graphql_type(**values)


NODE_TYPES: list[type[LineageNode]] = [t for t, _ in _TYPES.values()] + [OtherNode]

# (label, sealed property) -> the (GraphQL type, field) whose read right opens it.
_SEALED_FIELDS: dict[tuple[str, str], tuple[str, str]] = {
    (prop.label.value, prop.name): (_TYPES[prop.label][0].__name__, to_camel_case(prop.name))
    for prop in SEALED_PROPERTIES
    if prop.label in _TYPES
}
# A dataset's dataSource uri (an OpenLineage facet) opens for those who may read DataSource.uri.
_SEALED_FIELDS[("Dataset", "data_source_uri")] = ("DataSource", "uri")


def type_name_of(kind: str) -> str:
    """The GraphQL type a node of this kind (store label) is served as."""
    graphql_type, _ = _TYPES.get(kind, (OtherNode, []))
    return graphql_type.__name__


_Kind = TypeVar("_Kind", bound=LineageNode)


def to_kind(node: Node, graphql_type: type[_Kind]) -> _Kind:
    """The GraphQL object of a node the caller knows to be of one kind (a concrete field)."""
    value = to_graphql(node)
    if not isinstance(value, graphql_type):
        raise TypeError(f"{node.uid} is a {node.kind}, not a {graphql_type.__name__}")
    return value


def optional_kind(node: Node | None, graphql_type: type[_Kind]) -> _Kind | None:
    """`to_kind` of a node that may be absent."""
    return to_kind(node, graphql_type) if node else None
