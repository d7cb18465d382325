"""GraphQL types of the dashboard: its range's traffic buckets, outcome rates, findings and
lineage changes.

Each part of a ``Dashboard`` is read when it is asked for, and only if the policy lets the
caller read it; the traffic is read once for all the fields that show it, and the lineage
changes once for ``changes`` and ``hidden``.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from functools import partial
from typing import Any, TypeVar, cast

import strawberry
from starlette.concurrency import run_in_threadpool

from api.graphql.analyses import Count, counts_to_graphql
from api.graphql.context import Context, ask
from api.graphql.hidden import HiddenNodes, hidden_to_graphql
from api.graphql.nodes import Anomaly, DriftAlert, RunRecord, to_kind
from graph_lineage import dashboard
from graph_lineage.dashboard import Bucket, DashboardWindow, LineageChanges, Traffic

_Read = TypeVar("_Read")


@strawberry.enum(description="The width of a dashboard's buckets, in UTC.")
class TimeBucket(Enum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"  # ISO weeks, from Monday


@strawberry.type(description="Recommendations with an outcome of one kind, and their share.")
class OutcomeRate:
    kind: str = strawberry.field(description="click, add_to_cart, purchase...")
    count: int = strawberry.field(description="Recommendations with at least one such outcome.")
    rate: float = strawberry.field(description="count / recommendations; 0 without any.")


@strawberry.type(
    description="The recommendations of one bucket (only those inside the dashboard's range)."
)
class TrafficBucket:
    start: datetime
    end: datetime
    recommendations: int
    by_model_version: list[Count] = strawberry.field(
        description="(none): without a lineage context; (hidden): a model version you may not see."
    )
    by_variant: list[Count] = strawberry.field(
        description="(none): outside every experiment; (hidden): a variant you may not see."
    )
    outcomes: list[OutcomeRate] = strawberry.field(
        description="Per kind of outcome, counted in the bucket its recommendation was served."
    )


@strawberry.type(description="A change of the lineage at one moment, on the dashboard's axis.")
class LineageChange:
    at: datetime
    kind: str = strawberry.field(
        description="feature_version (materialized), model_version (trained), deployment,"
        " retirement, experiment_started, experiment_changed or experiment_stopped."
    )
    uid: strawberry.ID
    name: str


def _rates(outcomes: Counter[str], recommendations: int) -> list[OutcomeRate]:
    return [
        OutcomeRate(kind=kind, count=count, rate=count / recommendations if recommendations else 0)
        for kind, count in sorted(outcomes.items())
    ]


def _bucket(found: dashboard.TrafficBucket, width: timedelta) -> TrafficBucket:
    return TrafficBucket(
        start=found.start,
        end=found.start + width,
        recommendations=found.recommendations,
        by_model_version=counts_to_graphql(found.by_model_version),
        by_variant=counts_to_graphql(found.by_variant),
        outcomes=_rates(found.outcomes, found.recommendations),
    )


@dataclass
class _Reads:
    """The reads of one dashboard shared by several of its fields, each started once."""

    started: dict[str, asyncio.Future[Any]] = field(default_factory=dict)

    def once(self, name: str, read: Callable[[], Awaitable[_Read]]) -> asyncio.Future[_Read]:
        if name not in self.started:
            self.started[name] = asyncio.ensure_future(read())
        return cast("asyncio.Future[_Read]", self.started[name])


@strawberry.type(
    description="A time range at a glance: traffic by model version and variant, outcome"
    " rates, open anomalies and drift alerts, completeness audits and lineage changes. The"
    " segment and cohort filters narrow the traffic and outcomes (and only those: findings,"
    " audits and changes are not per audience)."
)
class Dashboard:
    from_: datetime = strawberry.field(name="from", description="The range: [from, to), UTC.")
    to: datetime
    bucket: TimeBucket
    segment: str | None = strawberry.field(description="Recommendations of this segment only.")
    cohort: str | None = strawberry.field(
        description="Recommendations of this cohort only: the recommendation's `cohort`, a"
        " group of users named by the producer (in the demo, the week they first came)."
    )
    window: strawberry.Private[DashboardWindow]
    reads: strawberry.Private[_Reads]

    async def _traffic(self, info: Context) -> Traffic:
        read = partial(ask, info, dashboard.traffic, self.window)
        return await self.reads.once("traffic", read)

    async def _changes(self, info: Context) -> LineageChanges:
        read = partial(ask, info, dashboard.lineage_changes, self.window)
        return await self.reads.once("changes", read)

    async def _audience(self, info: Context) -> dashboard.Audience:
        read = partial(run_in_threadpool, dashboard.audience, info.context.store, self.window)
        return await self.reads.once("audience", read)

    @strawberry.field(description="Recommendations of the range for the segment and cohort.")
    async def recommendations(self, info: Context) -> int:
        return (await self._traffic(info)).recommendations

    @strawberry.field(description="Outcome rates over the whole range.")
    async def outcomes(self, info: Context) -> list[OutcomeRate]:
        found = await self._traffic(info)
        return _rates(found.outcomes, found.recommendations)

    @strawberry.field(description="Every bucket of the range, oldest first, empty ones too.")
    async def traffic(self, info: Context) -> list[TrafficBucket]:
        width = timedelta(seconds=self.window.bucket.seconds)
        return [_bucket(found, width) for found in (await self._traffic(info)).buckets]

    @strawberry.field(
        description="Recommendations of the range per segment, whatever the filters: the"
        " segment filter's choices."
    )
    async def segments(self, info: Context) -> list[Count]:
        return counts_to_graphql((await self._audience(info)).segments)

    @strawberry.field(
        description="Recommendations of the range per cohort, whatever the filters: the"
        " cohort filter's choices."
    )
    async def cohorts(self, info: Context) -> list[Count]:
        return counts_to_graphql((await self._audience(info)).cohorts)

    @strawberry.field(
        description="Open anomalies a scan saw at or after the range's start, most recently"
        f" seen first (at most {dashboard.LISTED})."
    )
    async def anomalies(self, info: Context) -> list[Anomaly]:
        found = await ask(info, dashboard.open_anomalies, self.window)
        return [to_kind(node, Anomaly) for node in found]

    @strawberry.field(
        description="Open drift alerts whose episode overlaps the range, most recently seen"
        f" first (at most {dashboard.LISTED})."
    )
    async def drift_alerts(self, info: Context) -> list[DriftAlert]:
        found = await ask(info, dashboard.open_drift_alerts, self.window)
        return [to_kind(node, DriftAlert) for node in found]

    @strawberry.field(
        description="Completeness audits that finished, of windows overlapping the range,"
        f" newest first (at most {dashboard.LISTED})."
    )
    async def completeness(self, info: Context) -> list[RunRecord] | None:
        found = await ask(info, dashboard.completeness, self.window)
        return [to_kind(node, RunRecord) for node in found]

    @strawberry.field(
        description="Lineage changes of the range, oldest first: feature versions"
        " materialized, model versions trained, deployments, experiments started, changed"
        " and stopped."
    )
    async def changes(self, info: Context) -> list[LineageChange]:
        found = await self._changes(info)
        return [
            LineageChange(at=c.at, kind=c.kind, uid=strawberry.ID(c.uid), name=c.name)
            for c in found.changes
        ]

    @strawberry.field(description="Lineage changes of nodes you may not see, counted by kind.")
    async def hidden(self, info: Context) -> list[HiddenNodes]:
        return hidden_to_graphql((await self._changes(info)).hidden)


def dashboard_of(
    from_: datetime,
    to: datetime,
    bucket: TimeBucket,
    segment: str | None,
    cohort: str | None,
) -> Dashboard:
    window = DashboardWindow(from_, to, Bucket(bucket.value), segment, cohort)
    return Dashboard(
        from_=window.start,
        to=window.end,
        bucket=bucket,
        segment=segment,
        cohort=cohort,
        window=window,
        reads=_Reads(),
    )
