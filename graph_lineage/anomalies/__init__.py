"""Lineage anomaly rules, their findings stored as ``(:Anomaly)`` nodes, and alerts.

>>> report = scan(store, webhooks=Webhooks.from_settings(settings))
>>> {rule: len(found) for rule, found in report.by_rule().items()}["version_skew"]
3

The rules (:data:`RULES`): ``missing_ancestry``, ``orphan_recommendation``,
``version_skew``, ``unknown_model``, ``retired_model``, ``stale_feature``,
``experiment_mismatch`` and ``declaration_change``; each module under ``rules/`` says
exactly what it flags and what it leaves alone.
"""

from graph_lineage.anomalies.alerts import Alert, Delivery, Webhooks
from graph_lineage.anomalies.finding import Finding, Window, anomaly_uid
from graph_lineage.anomalies.listing import AnomalyFilter, AnomalyPage, anomalies, hidden_evidence
from graph_lineage.anomalies.rules import RULES, Rule
from graph_lineage.anomalies.scan import ScanReport, scan

__all__ = [
    "RULES",
    "Alert",
    "AnomalyFilter",
    "AnomalyPage",
    "Delivery",
    "Finding",
    "Rule",
    "ScanReport",
    "Webhooks",
    "Window",
    "anomalies",
    "anomaly_uid",
    "hidden_evidence",
    "scan",
]
