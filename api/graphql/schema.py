"""The GraphQL schema. Resolvers translate arguments and call graph_lineage; no Cypher here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from starlette.concurrency import run_in_threadpool
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from api.graphql.access_log import (
    AccessLogFilterInput,
    AccessRecordConnection,
    access_page_to_graphql,
)
from api.graphql.analyses import (
    Impact,
    LineageDiff,
    RecommendationConnection,
    RecommendationFilterInput,
    Trace,
    diff_to_graphql,
    impact_to_graphql,
    page_to_graphql,
    trace_to_graphql,
)
from api.graphql.anomalies import AnomalyConnection, AnomalyFilterInput, anomaly_page_to_graphql
from api.graphql.authorization import field_authorization
from api.graphql.change_plans import (
    ChangePlanInput,
    ChangePlanReport,
    ImpactAnalysis,
    report_to_graphql,
)
from api.graphql.context import Context, ask
from api.graphql.dashboard import Dashboard, TimeBucket, dashboard_of
from api.graphql.drift import (
    DriftAlertConnection,
    DriftAlertFilterInput,
    DriftBaseline,
    DriftReport,
    drift_page_to_graphql,
    drift_report_to_graphql,
)
from api.graphql.experiment_listing import (
    ExperimentFilterInput,
    ExperimentListing,
    experiment_listing_to_graphql,
)
from api.graphql.experiments import (
    ExperimentMethod,
    ExperimentReport,
    MultipleComparisonCorrection,
    experiment_report_to_graphql,
    report_request,
)
from api.graphql.exports import ExportInput, ExportStamp, stamp_to_graphql
from api.graphql.graph import LineageGraph, graph_to_graphql
from api.graphql.nodes import NODE_TYPES, LineageNode, to_graphql
from api.graphql.outages import StoreOutageErrors
from api.graphql.recording import AccessRecording
from api.graphql.run_records import RunRecordConnection, run_page_to_graphql
from api.graphql.search import SearchResult, search_to_graphql
from api.graphql.visibility import require_readable
from graph_lineage import __version__, access_log, change_plans
from graph_lineage.access_log import AccessLogFilter, record_export
from graph_lineage.anomalies import AnomalyFilter
from graph_lineage.anomalies import anomalies as list_anomalies
from graph_lineage.auth.policy import AccessPolicy
from graph_lineage.drift import Monitor
from graph_lineage.drift.listing import DriftAlertFilter, drift_alerts, find_drift_node
from graph_lineage.drift.report import drift_report
from graph_lineage.errors import InvalidQuery, NodeNotFound
from graph_lineage.experiments import ExperimentFilter, experiment_report
from graph_lineage.experiments import list_experiments as experiment_listing
from graph_lineage.governance import run_records
from graph_lineage.lineage import impact as impact_analysis
from graph_lineage.lineage import recommendations as listing
from graph_lineage.lineage import search as searching
from graph_lineage.lineage import trace as tracing
from graph_lineage.lineage import traversal
from graph_lineage.lineage.model import Graph
from graph_lineage.lineage.recommendations import RecommendationFilter
from graph_lineage.lineage.visibility import kind_of_uid
from graph_lineage.settings import Settings
from graph_lineage.store import server_info


@strawberry.type(description="The running service and the Neo4j server behind it.")
class About:
    service: str
    version: str
    neo4j_version: str
    neo4j_edition: str


@strawberry.type(description="Who is asking: the signed-in principal, as the API sees it.")
class Principal:
    subject: str
    roles: list[str]
    auth_method: str


async def _lineage(
    info: Context, walk: Callable[..., Graph], uid: strawberry.ID, *limits: Any
) -> LineageGraph:
    """``walk`` from ``uid`` within ``limits`` (depth, as of, kinds, size, and collapse)."""
    return graph_to_graphql(await ask(info, walk, str(uid), *limits))


@strawberry.type
class Query:
    @strawberry.field(description="Versions of graph-lineage and of its Neo4j server.")
    async def about(self, info: Context) -> About:
        neo4j = await run_in_threadpool(server_info, info.context.store)
        return About(
            service="graph-lineage",
            version=__version__,
            neo4j_version=neo4j.version,
            neo4j_edition=neo4j.edition,
        )

    @strawberry.field(description="The principal this request is answered for.")
    def me(self, info: Context) -> Principal:
        caller = info.context.caller
        assert caller is not None  # /graphql operations are authenticated
        roles = sorted(role.value for role in caller.roles)
        return Principal(subject=caller.subject, roles=roles, auth_method=caller.method)

    @strawberry.field(description="Any lineage node by uid; null when there is none.")
    async def node(self, info: Context, uid: strawberry.ID) -> LineageNode | None:
        # drift is redacted as a whole: an alert's causes are parallel lists, windows hold items
        drift = kind_of_uid(str(uid)) in ("DriftAlert", "DriftWindow")
        find = find_drift_node if drift else traversal.find_node
        found = await ask(info, find, str(uid))
        return to_graphql(found) if found else None

    @strawberry.field(
        description="Nodes whose uid or name the text begins (completion), best first, of the"
        " given kinds (labels); those the caller may not see are counted in hidden."
    )
    async def search(
        self, info: Context, text: str, kinds: list[str] | None = None, first: int = 10
    ) -> SearchResult:
        return search_to_graphql(await ask(info, searching.search, text, kinds, first))

    @strawberry.field(description="What a node came from, as a bounded subgraph.")
    async def upstream(
        self,
        info: Context,
        uid: strawberry.ID,
        depth: int = 3,
        as_of: datetime | None = None,
        kinds: list[str] | None = None,
        max_nodes: int = traversal.DEFAULT_MAX_NODES,
    ) -> LineageGraph:
        return await _lineage(info, traversal.upstream, uid, depth, as_of, kinds, max_nodes)

    @strawberry.field(description="What was derived from a node, as a bounded subgraph.")
    async def downstream(
        self,
        info: Context,
        uid: strawberry.ID,
        depth: int = 3,
        as_of: datetime | None = None,
        kinds: list[str] | None = None,
        max_nodes: int = traversal.DEFAULT_MAX_NODES,
        collapse: Annotated[
            bool,
            strawberry.argument(
                description="Count recommendations and outcomes per context in groups"
                " instead of returning them as nodes."
            ),
        ] = False,
    ) -> LineageGraph:
        walk = traversal.downstream
        return await _lineage(info, walk, uid, depth, as_of, kinds, max_nodes, collapse)

    @strawberry.field(description="The whole path of one recommendation; null if unknown.")
    async def trace(self, info: Context, recommendation_id: strawberry.ID) -> Trace | None:
        result = await ask(info, tracing.trace, str(recommendation_id))
        return trace_to_graphql(result) if result else None

    @strawberry.field(description="Everything downstream of a node, with the traffic it served.")
    async def impact(
        self, info: Context, uid: strawberry.ID, since: datetime | None = None
    ) -> Impact:
        return impact_to_graphql(await ask(info, impact_analysis.impact, str(uid), since))

    @strawberry.field(description="Recommendations, newest first, filtered and paginated.")
    async def recommendations(
        self,
        info: Context,
        filter: RecommendationFilterInput | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> RecommendationConnection:
        where = filter.to_filter() if filter else RecommendationFilter()
        if filter is not None:
            require_readable(info, filter.fields_read(), "filter by it")
        return page_to_graphql(await ask(info, listing.recommendations, where, first, after))

    @strawberry.field(description="What differs between the lineage of two recommendations.")
    async def lineage_diff(self, info: Context, a: strawberry.ID, b: strawberry.ID) -> LineageDiff:
        return diff_to_graphql(await ask(info, listing.lineage_diff, str(a), str(b)))

    @strawberry.field(description="The access log, newest first: who read what, what was denied.")
    async def access_log(
        self,
        info: Context,
        filter: AccessLogFilterInput | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> AccessRecordConnection | None:
        where = filter.to_filter() if filter else AccessLogFilter()
        work = partial(access_log.query, info.context.store, where, first, after)
        return access_page_to_graphql(await run_in_threadpool(work))

    @strawberry.field(
        description="Records of governance runs and audits (retention, erasure, key rotation,"
        " completeness, experiment reports), newest first; `kinds` picks some of them."
    )
    async def run_records(
        self,
        info: Context,
        kinds: list[str] | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> RunRecordConnection | None:
        return run_page_to_graphql(await ask(info, run_records, kinds, first, after))

    @strawberry.field(
        description="A time range at a glance, in buckets; segment and cohort narrow its"
        " traffic and outcomes."
    )
    def dashboard(
        self,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        segment: str | None = None,
        cohort: str | None = None,
        bucket: TimeBucket = TimeBucket.DAY,
    ) -> Dashboard:
        return dashboard_of(from_, to, bucket, segment, cohort)

    @strawberry.field(description="What a planned change touches, whom to tell, its risk.")
    async def change_plan(self, info: Context, change: ChangePlanInput) -> ChangePlanReport:
        plan = change.to_plan()
        return report_to_graphql(await ask(info, change_plans.analyze, plan), ChangePlanReport)

    @strawberry.field(
        description="What a planned change touches, whom to tell, its risk.",
        deprecation_reason="Use changePlan: the same report, named for what it is.",
    )
    async def impact_analysis(self, info: Context, change: ChangePlanInput) -> ImpactAnalysis:
        plan = change.to_plan()
        answer = await ask(info, change_plans.analyze, plan)
        return report_to_graphql(answer, ImpactAnalysis)

    @strawberry.field(description="Lineage anomalies the scans found, most recently seen first.")
    async def anomalies(
        self,
        info: Context,
        filter: AnomalyFilterInput | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> AnomalyConnection:
        where = filter.to_filter() if filter else AnomalyFilter()
        page = await ask(info, list_anomalies, where, first, after)
        return anomaly_page_to_graphql(page)

    @strawberry.field(description="Drift alerts the drift scans raised, most recently seen first.")
    async def drift_alerts(
        self,
        info: Context,
        filter: DriftAlertFilterInput | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> DriftAlertConnection:
        where = filter.to_filter() if filter else DriftAlertFilter()
        return drift_page_to_graphql(await ask(info, drift_alerts, where, first, after))

    @strawberry.field(
        description="The windows of a drift alert's signal, or of every signal of a feature or"
        " model version, in [from, to), oldest first; with a baseline, judged again against it"
        " (nothing is written)."
    )
    async def drift_report(
        self,
        info: Context,
        uid: strawberry.ID,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        baseline: DriftBaseline | None = None,
    ) -> DriftReport:
        monitor = Monitor.from_settings(info.context.settings)
        asked = baseline.value if baseline else None
        answer = await ask(info, drift_report, str(uid), from_, to, asked, monitor)
        return drift_report_to_graphql(answer)

    @strawberry.field(
        description="One experiment analysed: exposure per unit, sample ratios per split period,"
        " effects of each treatment with intervals, integrity checks and what the arms served,"
        " over [from, to) (default: its first to its last exposure). Each run is kept as a"
        " RunRecord with its numbers."
    )
    async def experiment_report(
        self,
        info: Context,
        experiment: strawberry.ID,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        metrics: list[str] | None = None,
        segments: list[str] | None = None,
        method: ExperimentMethod | None = None,
        correction: MultipleComparisonCorrection | None = None,
    ) -> ExperimentReport:
        request = report_request(
            str(experiment), (from_, to), metrics, segments, method, correction
        )
        caller = info.context.caller
        run = partial(experiment_report, principal=caller.subject if caller else None)
        answer = await ask(info, run, info.context.settings, request)
        return experiment_report_to_graphql(answer)

    @strawberry.field(description="Experiments, most recently started first, with their variants.")
    async def experiments(
        self, info: Context, filter: ExperimentFilterInput | None = None, first: int = 100
    ) -> list[ExperimentListing]:
        where = filter.to_filter(first) if filter else ExperimentFilter(limit=first)
        found = await run_in_threadpool(experiment_listing, info.context.store, where)
        return [experiment_listing_to_graphql(listing) for listing in found]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Record an export in the access log before its file is made: any signed-in"
        " reader, for their own export. Returns the stamp the file must carry."
    )
    async def record_export(self, info: Context, export: ExportInput) -> ExportStamp:
        caller = info.context.caller
        assert caller is not None  # /graphql operations are authenticated
        made = export.to_export()  # an invalid export is refused here: nothing is written
        work = partial(record_export, info.context.store, made, caller, RECORD_EXPORT)
        return stamp_to_graphql(await run_in_threadpool(work))


RECORD_EXPORT = "recordExport"  # how an export recorded through GraphQL was asked for

# Errors a caller can act on keep their message; anything else (a failed query, a bug)
# becomes "Unexpected error." with no stack trace and no Cypher.
SHOWN_ERRORS = (InvalidQuery, NodeNotFound)


def _should_mask(error: GraphQLError) -> bool:
    original = error.original_error  # a GraphQLError raised on purpose (FORBIDDEN_FIELD) shows
    return original is not None and not isinstance(original, (GraphQLError, *SHOWN_ERRORS))


# Parsed and validated documents are kept per distinct document (LRU, bounded): clients
# send the same few documents with new variables, and parsing plus validation cost more
# than a trace's Cypher. Parsing is keyed by the text and the token limit, validation by
# the document and the rule classes, so the limits still apply to every request.
DOCUMENT_CACHE_SIZE = 256


def build_schema(settings: Settings, policy: AccessPolicy) -> strawberry.Schema:
    """The schema with the request limits of ``settings`` and the field access ``policy``."""
    # The limiters' rule classes are made once: a class per request would miss the cache.
    rules = [
        *QueryDepthLimiter(max_depth=settings.graphql_max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases).validation_rules,
    ]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=NODE_TYPES,
        extensions=[
            lambda: AddValidationRules(rules),
            lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
            lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
            lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
            lambda: MaskErrors(should_mask_error=_should_mask),
            StoreOutageErrors,  # after MaskErrors: it runs first when the operation ends
            AccessRecording,  # before field authorization, so inside it: allowed fields only
            field_authorization(policy),
        ],
    )


# for the SDL; limits don't change it
schema = strawberry.Schema(query=Query, mutation=Mutation, types=NODE_TYPES)
