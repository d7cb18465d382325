"""GraphQL types of the anomaly listing: its filter and its connection."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.graphql.nodes import Anomaly, to_kind
from api.graphql.pagination import Connection, connection
from graph_lineage.anomalies import AnomalyFilter, AnomalyPage
from graph_lineage.lineage.model import Node


@strawberry.input(description="All given conditions must hold.")
class AnomalyFilterInput:
    rule: str | None = strawberry.field(default=None, description="e.g. version_skew")
    status: str | None = strawberry.field(default=None, description="open or resolved")
    severity: str | None = strawberry.field(default=None, description="critical or warning")
    seen_since: datetime | None = strawberry.field(
        default=None, description="Last seen at or after this time."
    )
    evidence: strawberry.ID | None = strawberry.field(
        default=None, description="A uid among the evidence (one you may see)."
    )

    def to_filter(self) -> AnomalyFilter:
        return AnomalyFilter(
            rule=self.rule,
            status=self.status,
            severity=self.severity,
            seen_since=self.seen_since,
            evidence=str(self.evidence) if self.evidence is not None else None,
        )


AnomalyConnection = Connection[Anomaly]


def anomaly_page_to_graphql(page: AnomalyPage) -> AnomalyConnection:
    def anomaly(node: Node) -> Anomaly:
        return to_kind(node, Anomaly)

    return connection(page.nodes, page.cursors, page.has_next_page, anomaly)
