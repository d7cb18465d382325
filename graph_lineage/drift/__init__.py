"""Drift detection that names its likely cause and its blast radius.

Signals (:mod:`~graph_lineage.drift.signals`) are summarized per window
(:mod:`~graph_lineage.drift.distributions`), judged against a trailing, seasonal or fixed
baseline (:mod:`~graph_lineage.drift.baselines`) with the statistics of
:mod:`~graph_lineage.drift.statistics`, stored as ``DriftWindow`` nodes, and grouped into
``DriftAlert`` problems (:mod:`~graph_lineage.drift.records`) whose causes are ranked
through the lineage (:mod:`~graph_lineage.drift.attribution`). ``docs/drift.md`` explains
the choices.

>>> report = scan(store, Monitor.from_settings(settings))
>>> [p.signal for p in report.open_drifts][:1]
['feature_distribution|feature:item_price@v2']
"""

from __future__ import annotations

from graph_lineage.drift.baselines import Monitor
from graph_lineage.drift.distributions import Judgment, Summary, Thresholds, compare
from graph_lineage.drift.records import BlastRadius, Cause, Problem
from graph_lineage.drift.scan import DriftReport, scan, select_kinds
from graph_lineage.drift.signals import KINDS
from graph_lineage.drift.statistics import (
    Statistic,
    chi_square,
    jensen_shannon,
    ks_from_quantiles,
    psi,
    rate_change,
    wasserstein,
)

__all__ = [
    "KINDS",
    "BlastRadius",
    "Cause",
    "DriftReport",
    "Judgment",
    "Monitor",
    "Problem",
    "Statistic",
    "Summary",
    "Thresholds",
    "chi_square",
    "compare",
    "jensen_shannon",
    "ks_from_quantiles",
    "psi",
    "rate_change",
    "scan",
    "select_kinds",
    "wasserstein",
]
