"""GraphQL types of drift: the alert listing's filter and connection, and the drift report."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum

import strawberry

from api.graphql.nodes import DriftAlert, to_kind
from api.graphql.pagination import Connection, connection
from graph_lineage.drift.listing import DriftAlertFilter, DriftAlertPage
from graph_lineage.drift.report import Chart, Point, Series
from graph_lineage.lineage.model import Node


@strawberry.enum(description="What a window is compared with (docs/drift.md).")
class DriftBaseline(Enum):
    TRAILING = "trailing"
    SEASONAL = "seasonal"
    FIXED = "fixed"


@strawberry.input(description="All given conditions must hold.")
class DriftAlertFilterInput:
    signal_kind: str | None = strawberry.field(
        default=None, description="e.g. feature_distribution"
    )
    verdict: str | None = strawberry.field(default=None, description="drift or seasonality")
    status: str | None = strawberry.field(default=None, description="open or resolved")
    severity: str | None = strawberry.field(default=None, description="critical, warning or info")
    subject: strawberry.ID | None = strawberry.field(
        default=None, description="The feature or model version the signal is about."
    )
    seen_since: datetime | None = strawberry.field(
        default=None, description="Last seen at or after this time."
    )
    evidence: strawberry.ID | None = strawberry.field(
        default=None, description="A uid among the evidence (one you may see)."
    )

    def to_filter(self) -> DriftAlertFilter:
        return DriftAlertFilter(
            kind=self.signal_kind,
            verdict=self.verdict,
            status=self.status,
            severity=self.severity,
            subject=str(self.subject) if self.subject is not None else None,
            seen_since=self.seen_since,
            evidence=str(self.evidence) if self.evidence is not None else None,
        )


DriftAlertConnection = Connection[DriftAlert]


def drift_page_to_graphql(page: DriftAlertPage) -> DriftAlertConnection:
    def alert(node: Node) -> DriftAlert:
        return to_kind(node, DriftAlert)

    return connection(page.nodes, page.cursors, page.has_next_page, alert)


@strawberry.type(description="One window of a signal, and how it was judged.")
class DriftWindowPoint:
    start: datetime
    end: datetime
    count: int = strawberry.field(description="Observations in the window.")
    verdict: str | None = strawberry.field(
        description="drift, seasonality, stable or unjudged (not enough data, warming up)"
    )
    statistic: str | None = strawberry.field(description="e.g. ks, psi, cramers_v, rate_change")
    value: float | None
    p_value: float | None
    threshold: float | None = strawberry.field(description="The line a value drifts at.")
    baseline: str | None = strawberry.field(description="trailing, seasonal, fixed or training")
    baseline_windows: int | None = strawberry.field(description="Windows the baseline pooled.")
    seasonal_value: float | None = strawberry.field(
        description="The statistic against the seasonal baseline, when that was asked."
    )
    reason: str | None


@strawberry.type(description="The windows of one signal, oldest first.")
class DriftSignalSeries:
    signal: str
    signal_kind: str
    subject: str | None
    windows: list[DriftWindowPoint]


@strawberry.type(description="Drift signals window by window, for charts.")
class DriftReport:
    uid: str = strawberry.field(description="The drift alert, feature or model version asked.")
    baseline: DriftBaseline | None = strawberry.field(
        description="The baseline asked; null: as the scans judged."
    )
    signals: list[DriftSignalSeries]
    truncated: bool = strawberry.field(
        description="More windows than one answer holds: ask for a shorter period."
    )


def _point(point: Point) -> DriftWindowPoint:
    return DriftWindowPoint(**dataclasses.asdict(point))


def _series(series: Series) -> DriftSignalSeries:
    return DriftSignalSeries(
        signal=series.signal,
        signal_kind=series.kind,
        subject=series.subject,
        windows=[_point(point) for point in series.points],
    )


def drift_report_to_graphql(chart: Chart) -> DriftReport:
    return DriftReport(
        uid=chart.uid,
        baseline=DriftBaseline(chart.baseline) if chart.baseline else None,
        signals=[_series(series) for series in chart.series],
        truncated=chart.truncated,
    )
