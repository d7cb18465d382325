"""GraphQL types of change plans: the plan as input, its report (``changePlan``) as output."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

import strawberry

from api.graphql.analyses import Count
from api.graphql.hidden import HiddenNodes, hidden_to_graphql
from api.graphql.nodes import (
    Deployment,
    Experiment,
    FeatureVersion,
    LineageNode,
    ModelVersion,
    Variant,
    to_graphql,
    to_kind,
)
from graph_lineage.change_plans import assessment
from graph_lineage.change_plans.plan import DEFAULT_WINDOW_DAYS, ChangePlan, parse_plan
from graph_lineage.change_plans.risk import Reason


@strawberry.enum(description="How risky a planned change is, lowest first.")
class RiskLevel(Enum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


@strawberry.enum(description="What a change does to the node it names.")
class ChangeAction(Enum):
    REPLACE = "replace"
    DEPRECATE = "deprecate"
    DROP = "drop"
    RETIRE = "retire"


@strawberry.input(
    description="One change: exactly one of replace (with `with`), deprecate, drop, retire."
)
class ChangeInput:
    replace: str | None = strawberry.field(
        default=None, description="A feature version that gives way to `with`."
    )
    with_: str | None = strawberry.field(
        default=None, name="with", description="The version of the same feature replacing it."
    )
    deprecate: str | None = strawberry.field(default=None, description="A feature version.")
    drop: str | None = strawberry.field(default=None, description="A data source.")
    retire: str | None = strawberry.field(default=None, description="A model version.")

    def to_dict(self) -> dict[str, str]:
        given = {
            "replace": self.replace,
            "with": self.with_,
            "deprecate": self.deprecate,
            "drop": self.drop,
            "retire": self.retire,
        }
        return {key: value for key, value in given.items() if value is not None}


@strawberry.input(description="A planned change, as in a plan file (docs/change-plans.md).")
class ChangePlanInput:
    changes: list[ChangeInput]
    title: str | None = None
    as_of: datetime | None = strawberry.field(
        default=None, description="When the plan is judged (default: now)."
    )
    window_days: int = strawberry.field(
        default=DEFAULT_WINDOW_DAYS, description="Traffic of this many whole days before asOf."
    )

    def to_plan(self) -> ChangePlan:
        """The validated plan; InvalidPlan names each problem."""
        data: dict[str, Any] = {
            "changes": [change.to_dict() for change in self.changes],
            "window_days": self.window_days,
        }
        if self.title is not None:
            data["title"] = self.title
        if self.as_of is not None:
            data["as_of"] = self.as_of
        return parse_plan(data)


@strawberry.type(description="One reason for a risk level, from a documented rule.")
class RiskReason:
    change: int = strawberry.field(description="The change it is about, counted from 1.")
    level: RiskLevel
    rule: str
    message: str


@strawberry.type(description="An affected version and what takes over from it, if anything.")
class Replacement:
    uid: str
    replacement: str | None


@strawberry.type(description="Someone to tell, with what of theirs the plan affects.")
class Owner:
    owner: str
    affected: list[str]


@strawberry.type(description="Recommendations of one day of the window.")
class DayTraffic:
    day: date
    recommendations: int = strawberry.field(description="Through what the plan changes.")
    total: int = strawberry.field(description="Every recommendation of that day.")


@strawberry.type(description="Recommendations of one segment over the window.")
class SegmentTraffic:
    segment: str
    recommendations: int = strawberry.field(description="Through what the plan changes.")
    total: int = strawberry.field(description="Every recommendation of that segment.")


@strawberry.type(description="What one change of a plan touches, its traffic and its risk.")
class ChangeImpact:
    index: int = strawberry.field(description="Counted from 1, as in the plan.")
    action: ChangeAction
    target: LineageNode
    replacement: LineageNode | None
    level: RiskLevel
    reasons: list[RiskReason]
    feature_versions: list[FeatureVersion]
    model_versions: list[ModelVersion]
    deployments: list[Deployment]
    variants: list[Variant]
    experiments: list[Experiment]
    active_deployments: list[str] = strawberry.field(description="Active at asOf.")
    running_experiments: list[str] = strawberry.field(
        description="Running at asOf with an arm on an affected model version."
    )
    replacements: list[Replacement]
    recommendations: int
    share: float = strawberry.field(description="Of all recommendations in the window, 0 to 1.")
    hidden: list[HiddenNodes] = strawberry.field(
        description="Affected nodes the caller may not see, counted by kind."
    )


@strawberry.type(description="What a planned change touches, whom to tell, and its risk.")
class ChangePlanReport:
    title: str | None
    as_of: datetime
    window_start: date = strawberry.field(description="The first day whose traffic counts.")
    window_end: date = strawberry.field(description="The day of asOf, which does not count.")
    level: RiskLevel = strawberry.field(description="The highest level of any change.")
    reasons: list[RiskReason]
    changes: list[ChangeImpact]
    feature_versions: list[FeatureVersion]
    model_versions: list[ModelVersion]
    deployments: list[Deployment]
    variants: list[Variant]
    experiments: list[Experiment]
    active_deployments: list[str]
    running_experiments: list[str]
    recommendations: int = strawberry.field(description="In the window, through the plan.")
    all_recommendations: int = strawberry.field(description="In the window, all of them.")
    share: float
    by_day: list[DayTraffic]
    by_segment: list[SegmentTraffic]
    by_model_version: list[Count]
    owners: list[Owner]
    replacements: list[Replacement]
    without_replacement: list[str]
    hidden: list[HiddenNodes] = strawberry.field(
        description="Affected nodes the caller may not see, counted by kind."
    )


@strawberry.type(description="The report of the deprecated impactAnalysis: a ChangePlanReport.")
class ImpactAnalysis(ChangePlanReport):
    pass


Report = TypeVar("Report", bound=ChangePlanReport)


def _reasons(index: int, reasons: list[Reason]) -> list[RiskReason]:
    return [
        RiskReason(change=index, level=RiskLevel(r.level.label), rule=r.rule, message=r.message)
        for r in reasons
    ]


def _replacements(replacements: dict[str, str | None]) -> list[Replacement]:
    return [Replacement(uid=uid, replacement=new) for uid, new in replacements.items()]


def _change_to_graphql(change: assessment.ChangeImpact) -> ChangeImpact:
    return ChangeImpact(
        index=change.index,
        action=ChangeAction(change.change.action),
        target=to_graphql(change.target),
        replacement=to_graphql(change.replacement) if change.replacement else None,
        level=RiskLevel(change.level.label),
        reasons=_reasons(change.index, change.reasons),
        feature_versions=[to_kind(n, FeatureVersion) for n in change.feature_versions],
        model_versions=[to_kind(n, ModelVersion) for n in change.model_versions],
        deployments=[to_kind(n, Deployment) for n in change.deployments],
        variants=[to_kind(n, Variant) for n in change.variants],
        experiments=[to_kind(n, Experiment) for n in change.experiments],
        active_deployments=change.active_deployments,
        running_experiments=change.running_experiments,
        replacements=_replacements(change.replacements),
        recommendations=change.recommendations,
        share=change.share,
        hidden=hidden_to_graphql(change.hidden),
    )


def report_to_graphql(result: assessment.PlanImpact, report: type[Report]) -> Report:
    """The GraphQL report of an evaluated plan, as ``report`` (ImpactAnalysis when deprecated)."""
    traffic, totals = result.traffic, result.totals
    return report(
        title=result.plan.title,
        as_of=result.window.as_of,
        window_start=result.window.start,
        window_end=result.window.end,
        level=RiskLevel(result.level.label),
        reasons=[r for c in result.changes for r in _reasons(c.index, c.reasons)],
        changes=[_change_to_graphql(change) for change in result.changes],
        feature_versions=[to_kind(n, FeatureVersion) for n in result.feature_versions],
        model_versions=[to_kind(n, ModelVersion) for n in result.model_versions],
        deployments=[to_kind(n, Deployment) for n in result.deployments],
        variants=[to_kind(n, Variant) for n in result.variants],
        experiments=[to_kind(n, Experiment) for n in result.experiments],
        active_deployments=result.active_deployments,
        running_experiments=result.running_experiments,
        recommendations=traffic.recommendations,
        all_recommendations=totals.recommendations,
        share=result.share,
        by_day=[
            DayTraffic(day=day, recommendations=count, total=totals.by_day[day])
            for day, count in traffic.by_day.items()
        ],
        by_segment=[
            SegmentTraffic(
                segment=segment, recommendations=traffic.by_segment.get(segment, 0), total=total
            )
            for segment, total in sorted(totals.by_segment.items())
        ],
        by_model_version=[
            Count(key=key, count=count)
            for key, count in sorted(traffic.by_model_version.items(), key=lambda kv: -kv[1])
        ],
        owners=[Owner(owner=owner, affected=owned) for owner, owned in result.owners.items()],
        replacements=_replacements(result.replacements),
        without_replacement=result.without_replacement,
        hidden=hidden_to_graphql(result.hidden),
    )
