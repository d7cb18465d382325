"""Change plans: the YAML plan of a change of features, sources and models, and its report.

>>> from graph_lineage.change_plans import analyze, load_plan, change_plan_markdown

``load_plan`` validates a plan, ``analyze`` evaluates it against the store (touched nodes,
traffic, owners, risk) and ``change_plan_json`` / ``change_plan_markdown`` render the report.
"""

from __future__ import annotations

from graph_lineage.change_plans.assessment import ChangeImpact, PlanImpact, Traffic, analyze
from graph_lineage.change_plans.plan import Change, ChangePlan, load_plan, parse_plan
from graph_lineage.change_plans.report import change_plan_json, change_plan_markdown
from graph_lineage.change_plans.risk import Reason, RiskLevel
from graph_lineage.errors import InvalidPlan

__all__ = [
    "Change",
    "ChangeImpact",
    "ChangePlan",
    "InvalidPlan",
    "PlanImpact",
    "Reason",
    "RiskLevel",
    "Traffic",
    "analyze",
    "change_plan_json",
    "change_plan_markdown",
    "load_plan",
    "parse_plan",
]
