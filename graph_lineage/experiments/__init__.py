"""Experiment analysis tied to lineage: exposure per randomization unit, sample-ratio tests
per split period, effects with honest intervals, integrity checks, and what the arms served::

    report = experiment_report(store, settings, ReportRequest("ranker-v3-rollout"))
    print(report_markdown(report))
"""

from __future__ import annotations

from graph_lineage.experiments.analysis import EffectRow, VariantSummary
from graph_lineage.experiments.arms import ArmComparison, ArmLineage
from graph_lineage.experiments.integrity import IntegrityCheck
from graph_lineage.experiments.interventions import Intervention
from graph_lineage.experiments.listing import (
    ExperimentFilter,
    ExperimentListing,
    VariantListing,
    list_experiments,
)
from graph_lineage.experiments.render import report_json, report_markdown
from graph_lineage.experiments.report import ExperimentReport, ReportRequest, experiment_report
from graph_lineage.experiments.sample_ratio import SampleRatioCheck
from graph_lineage.experiments.statistics import Correction, Effect, Interval, Method

__all__ = [
    "ArmComparison",
    "ArmLineage",
    "Correction",
    "Effect",
    "EffectRow",
    "ExperimentFilter",
    "ExperimentListing",
    "ExperimentReport",
    "IntegrityCheck",
    "Interval",
    "Intervention",
    "Method",
    "ReportRequest",
    "SampleRatioCheck",
    "VariantListing",
    "VariantSummary",
    "experiment_report",
    "list_experiments",
    "report_json",
    "report_markdown",
]
