"""The dashboard of a time range: traffic by model version and variant, outcome rates,
open anomalies and drift alerts, completeness audits, and the lineage changes of the range
on the same time axis. Each part is a read of its own, so a caller asks only for what it
shows; the explorer's Dashboard view and GraphQL's ``dashboard`` ask through these.

>>> window = DashboardWindow(datetime(2026, 10, 1), datetime(2026, 10, 31), Bucket.DAY,
...                          segment="new")
>>> found = traffic(store, window)
>>> found.recommendations, found.buckets[0].by_model_version.most_common(1)
(5925, [('model:ranker@v1', 118)])
"""

from graph_lineage.dashboard.changes import LineageChange, LineageChanges, lineage_changes
from graph_lineage.dashboard.findings import (
    LISTED,
    completeness,
    open_anomalies,
    open_drift_alerts,
)
from graph_lineage.dashboard.traffic import (
    NONE,
    Audience,
    Traffic,
    TrafficBucket,
    audience,
    traffic,
)
from graph_lineage.dashboard.window import MAX_BUCKETS, Bucket, DashboardWindow

__all__ = [
    "LISTED",
    "MAX_BUCKETS",
    "NONE",
    "Audience",
    "Bucket",
    "DashboardWindow",
    "LineageChange",
    "LineageChanges",
    "Traffic",
    "TrafficBucket",
    "audience",
    "completeness",
    "lineage_changes",
    "open_anomalies",
    "open_drift_alerts",
    "traffic",
]
