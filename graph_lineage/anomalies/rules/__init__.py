"""The anomaly rules, by name, in the order a scan runs them."""

from __future__ import annotations

from graph_lineage.anomalies.rules.ancestry import MissingAncestry
from graph_lineage.anomalies.rules.base import Rule
from graph_lineage.anomalies.rules.experiments import DeclarationChange, ExperimentMismatch
from graph_lineage.anomalies.rules.freshness import StaleFeature
from graph_lineage.anomalies.rules.models import RetiredModel, UnknownModel
from graph_lineage.anomalies.rules.orphans import OrphanRecommendation
from graph_lineage.anomalies.rules.skew import VersionSkew

RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        MissingAncestry(),
        OrphanRecommendation(),
        VersionSkew(),
        UnknownModel(),
        RetiredModel(),
        StaleFeature(),
        ExperimentMismatch(),
        DeclarationChange(),
    )
}

__all__ = ["RULES", "Rule"]
