"""GraphQL types for trace, impact, the recommendations connection and the lineage diff."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.graphql.graph import LineageEdge, edge_to_graphql
from api.graphql.hidden import HiddenNodes, hidden_to_graphql
from api.graphql.nodes import (
    Deployment,
    Experiment,
    FeatureVersion,
    LineageContext,
    LineageNode,
    ModelVersion,
    Outcome,
    Recommendation,
    Variant,
    optional_kind,
    to_graphql,
    to_kind,
)
from api.graphql.pagination import Connection, connection
from graph_lineage.lineage.impact import Impact as ImpactResult
from graph_lineage.lineage.model import Node
from graph_lineage.lineage.recommendations import LineageDiff as DiffResult
from graph_lineage.lineage.recommendations import Page, RecommendationFilter
from graph_lineage.lineage.trace import Trace as TraceResult


@strawberry.type(description="The whole lineage of one recommendation.")
class Trace:
    recommendation: Recommendation
    context: LineageContext | None
    model_version: ModelVersion | None
    trained_on: list[FeatureVersion]
    served_features: list[FeatureVersion]
    served_not_trained: list[str] = strawberry.field(
        description="Feature versions served that the model version was not trained on."
    )
    derivations: list[LineageEdge]
    ancestors: list[LineageNode]
    experiment: Experiment | None
    variant: Variant | None
    declared_model_versions: list[str] = strawberry.field(
        description="What the variant declared it served when the request was served."
    )
    outcomes: list[Outcome]
    notes: list[str] = strawberry.field(description="Gaps and mismatches found on the way.")
    hidden: list[HiddenNodes] = strawberry.field(
        description="Nodes on this path that the caller may not see, counted by kind."
    )


def trace_to_graphql(result: TraceResult) -> Trace:
    return Trace(
        recommendation=to_kind(result.recommendation, Recommendation),
        context=optional_kind(result.context, LineageContext),
        model_version=optional_kind(result.model_version, ModelVersion),
        trained_on=[to_kind(n, FeatureVersion) for n in result.trained_on],
        served_features=[to_kind(n, FeatureVersion) for n in result.served_features],
        served_not_trained=result.served_not_trained,
        derivations=[edge_to_graphql(e) for e in result.derivations],
        ancestors=[to_graphql(n) for n in result.ancestors],
        experiment=optional_kind(result.experiment, Experiment),
        variant=optional_kind(result.variant, Variant),
        declared_model_versions=result.declared_model_versions,
        outcomes=[to_kind(n, Outcome) for n in result.outcomes],
        notes=result.notes,
        hidden=hidden_to_graphql(result.hidden),
    )


@strawberry.type
class Count:
    key: str
    count: int


@strawberry.type(description="What depends on a node and how much traffic it served.")
class Impact:
    root: LineageNode
    since: datetime | None
    feature_versions: list[FeatureVersion]
    model_versions: list[ModelVersion]
    deployments: list[Deployment]
    variants: list[Variant]
    experiments: list[Experiment]
    recommendations: int
    by_model_version: list[Count]
    by_segment: list[Count]
    hidden: list[HiddenNodes] = strawberry.field(
        description="Affected nodes the caller may not see, counted by kind."
    )


def counts_to_graphql(counts: dict[str, int]) -> list[Count]:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Count(key=k, count=v) for k, v in ordered]


def impact_to_graphql(result: ImpactResult) -> Impact:
    return Impact(
        root=to_graphql(result.root),
        since=result.since,
        feature_versions=[to_kind(n, FeatureVersion) for n in result.feature_versions],
        model_versions=[to_kind(n, ModelVersion) for n in result.model_versions],
        deployments=[to_kind(n, Deployment) for n in result.deployments],
        variants=[to_kind(n, Variant) for n in result.variants],
        experiments=[to_kind(n, Experiment) for n in result.experiments],
        recommendations=result.recommendations,
        by_model_version=counts_to_graphql(result.by_model_version),
        by_segment=counts_to_graphql(result.by_segment),
        hidden=hidden_to_graphql(result.hidden),
    )


@strawberry.input(description="All given conditions must hold.")
class RecommendationFilterInput:
    served_from: datetime | None = None
    served_to: datetime | None = None
    segment: str | None = None
    cohort: str | None = None
    model_version: str | None = None
    experiment: str | None = None
    variant: str | None = None
    user_pseudonym: str | None = None
    context: strawberry.ID | None = strawberry.field(
        default=None, description="A LineageContext uid: one group of a collapsed graph."
    )

    def to_filter(self) -> RecommendationFilter:
        return RecommendationFilter(**vars(self))

    def fields_read(self) -> list[tuple[str, str]]:
        """The fields a caller must be able to read to filter on what this filter gives."""
        return [FILTER_READS[name] for name, value in vars(self).items() if value is not None]


# Filtering on a value reveals it: each condition needs the right to read what it matches.
FILTER_READS = {
    "served_from": ("Recommendation", "servedAt"),
    "served_to": ("Recommendation", "servedAt"),
    "segment": ("Recommendation", "segment"),
    "cohort": ("Recommendation", "cohort"),
    "model_version": ("ModelVersion", "uid"),
    "experiment": ("Experiment", "uid"),
    "variant": ("Variant", "uid"),
    "user_pseudonym": ("Recommendation", "userPseudonym"),
    "context": ("LineageContext", "uid"),
}


RecommendationConnection = Connection[Recommendation]


def page_to_graphql(page: Page) -> RecommendationConnection:
    def recommendation(node: Node) -> Recommendation:
        return to_kind(node, Recommendation)

    return connection(page.nodes, page.cursors, page.has_next_page, recommendation)


@strawberry.type
class Change:
    a: str | None
    b: str | None


@strawberry.type
class FeatureChange:
    feature: str
    a: str | None
    b: str | None


@strawberry.type(description="Why two recommendations' lineage differs.")
class LineageDiff:
    a: strawberry.ID
    b: strawberry.ID
    identical: bool
    model_version: Change | None
    variant: Change | None
    feature_changes: list[FeatureChange]
    ancestry_only_in_a: list[str]
    ancestry_only_in_b: list[str]
    hidden_differences: int = strawberry.field(
        description="Ancestry differences in nodes the caller may not see."
    )


def diff_to_graphql(diff: DiffResult) -> LineageDiff:
    def change(pair: tuple[str | None, str | None] | None) -> Change | None:
        return Change(a=pair[0], b=pair[1]) if pair else None

    return LineageDiff(
        a=strawberry.ID(diff.a),
        b=strawberry.ID(diff.b),
        identical=diff.identical,
        model_version=change(diff.model_version),
        variant=change(diff.variant),
        feature_changes=[
            FeatureChange(feature=c.feature, a=c.a, b=c.b) for c in diff.feature_changes
        ],
        ancestry_only_in_a=diff.ancestry_only_in_a,
        ancestry_only_in_b=diff.ancestry_only_in_b,
        hidden_differences=diff.hidden_differences,
    )
