"""What a dashboard lists beside its traffic: the open findings about its range, and the
newest completeness audits of it.

- anomalies still open that a scan saw at or after the range's start (scans run after the
  traffic they judge, so one first seen after the range may be about it);
- drift alerts still open whose episode overlaps the range (drifting since before its end,
  its newest window ending after its start);
- completeness audits that finished, of a window overlapping the range, newest first.

Each list holds at most :data:`LISTED`, most recent first, redacted for the caller as the
anomaly and drift listings redact them.
"""

from __future__ import annotations

from graph_lineage.anomalies.listing import AnomalyFilter, anomalies
from graph_lineage.dashboard.window import DashboardWindow
from graph_lineage.drift.listing import DriftAlertFilter, drift_alerts
from graph_lineage.governance.listing import completeness_audits
from graph_lineage.lineage.model import Node
from graph_lineage.lineage.visibility import EVERYTHING, Visibility
from graph_lineage.store.connection import Store

LISTED = 200
OPEN = "open"


def open_anomalies(
    store: Store, window: DashboardWindow, visibility: Visibility = EVERYTHING
) -> list[Node]:
    where = AnomalyFilter(status=OPEN, seen_since=window.start)
    return anomalies(store, where, LISTED, visibility=visibility).nodes


def open_drift_alerts(
    store: Store, window: DashboardWindow, visibility: Visibility = EVERYTHING
) -> list[Node]:
    where = DriftAlertFilter(status=OPEN, onset_before=window.end, ends_after=window.start)
    return drift_alerts(store, where, LISTED, visibility=visibility).nodes


def completeness(
    store: Store, window: DashboardWindow, visibility: Visibility = EVERYTHING
) -> list[Node]:
    return completeness_audits(store, window.start, window.end, LISTED, visibility)
