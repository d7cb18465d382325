"""GraphQL types of experiment analysis: the report of one experiment.

The types mirror :mod:`graph_lineage.experiments`; maps keyed by variant, metric or uid
become lists of small objects so a client can select and sort them. ``returned_uids`` says
which lineage uids an object of these types tells of, for the access log.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum

import strawberry

from api.graphql.experiment_listing import ExperimentListing, ExperimentVariantListing
from graph_lineage import experiments as analysis
from graph_lineage.lineage.visibility import HIDDEN


@strawberry.enum(
    description="How effects are estimated: a fixed-horizon test, CUPED (variance reduced"
    " by each unit's pre-period), an always-valid sequential test, or both."
)
class ExperimentMethod(Enum):
    FIXED = "fixed"
    CUPED = "cuped"
    SEQUENTIAL = "sequential"
    CUPED_SEQUENTIAL = "cuped_sequential"


@strawberry.enum(description="How the p-values of a report's comparisons are corrected together.")
class MultipleComparisonCorrection(Enum):
    HOLM = "holm"
    BENJAMINI_HOCHBERG = "benjamini_hochberg"
    NONE = "none"


@strawberry.type(description="A number per variant (units observed, or a share of requests).")
class ExperimentVariantValue:
    variant: str
    value: float


@strawberry.type(description="An arm's value of one metric.")
class ExperimentMetricValue:
    metric: str
    value: float | None = strawberry.field(
        description="A rate (share of requests with the outcome) or a mean per unit; null"
        " when the arm has no unit."
    )


@strawberry.type(description="One variant's exposure over the report's window.")
class ExperimentVariant:
    name: str
    uid: strawberry.ID
    units: int = strawberry.field(description="Units that saw this variant and no other.")
    requests: int = strawberry.field(description="Requests of those units.")
    declared_share: float | None = strawberry.field(
        description="The traffic share declared in the last period."
    )
    metrics: list[ExperimentMetricValue]


@strawberry.type(
    description="A chi-square test of the units per variant against the declared split, over"
    " one period between declarations (and within one segment)."
)
class ExperimentSampleRatio:
    period_start: datetime
    period_end: datetime | None = strawberry.field(description="null: the period still runs.")
    segment: str | None = strawberry.field(description="null: every segment.")
    observed: list[ExperimentVariantValue] = strawberry.field(description="Units per variant.")
    declared: list[ExperimentVariantValue] = strawberry.field(
        description="Declared traffic share per variant."
    )
    p_value: float | None = strawberry.field(description="null: too little data (see note).")
    mismatch: bool = strawberry.field(
        description="p below the report's srmThreshold: the split is not what was declared,"
        " and the effects are suspect."
    )
    note: str | None
    summary: str


@strawberry.type(description="A point estimate and its two-sided interval at the report's alpha.")
class ExperimentInterval:
    estimate: float
    low: float
    high: float


@strawberry.type(
    description="One treatment against the control, for one metric and segment. Without"
    " enough data there is no estimate and `note` says what is missing."
)
class ExperimentEffect:
    metric: str
    segment: str | None = strawberry.field(description="null: every segment.")
    control: str
    treatment: str
    control_mean: float | None = strawberry.field(description="The control's raw metric.")
    treatment_mean: float | None = strawberry.field(description="The treatment's raw metric.")
    absolute: ExperimentInterval | None = strawberry.field(
        description="treatment - control; under CUPED, of the adjusted metrics."
    )
    relative: ExperimentInterval | None = strawberry.field(
        description="treatment / control - 1; null when the control's metric is 0."
    )
    p_value: float | None = strawberry.field(description="Before the correction.")
    adjusted_p: float | None = strawberry.field(
        description="After the report's multiple-comparison correction; compare it with alpha."
    )
    significant: bool = strawberry.field(description="adjustedP below alpha.")
    method: str | None = strawberry.field(
        description="The test actually used, e.g. welch_t, cuped+delta_method,"
        " sequential(welch_t); says so when CUPED could not apply."
    )
    control_units: int | None
    treatment_units: int | None
    variance_reduction: float | None = strawberry.field(
        description="CUPED: the share of the difference's variance removed."
    )
    note: str | None = strawberry.field(description="Why there is no estimate.")


@strawberry.type(description="A check of what would make the comparison unfair.")
class ExperimentIntegrityCheck:
    name: str = strawberry.field(
        description="multiple_variants, outside_run, undeclared_model_version, flags_within_arm"
    )
    passed: bool
    count: int = strawberry.field(description="Units or requests, as the summary says.")
    summary: str
    examples: list[str] | None = strawberry.field(
        description="Request uids (rec:...) to trace; null when the policy denies them."
    )
    hidden_examples: int = strawberry.field(
        description="Examples of kinds the caller may not see, counted."
    )


@strawberry.type(description="A lineage node and the share of an arm's requests it took part in.")
class ExperimentLineageShare:
    uid: strawberry.ID = strawberry.field(description="`(hidden)`: nodes the caller may not see.")
    share: float


@strawberry.type(description="A set of feature flags and the share of an arm's requests under it.")
class ExperimentFlagShare:
    flags: str
    share: float


@strawberry.type(description="What one arm served, weighted by requests.")
class ExperimentArm:
    variant: str
    requests: int
    model_versions: list[ExperimentLineageShare]
    feature_versions: list[ExperimentLineageShare] = strawberry.field(
        description="Feature versions served."
    )
    trained_on: list[ExperimentLineageShare] = strawberry.field(
        description="Feature versions the served model versions were trained on."
    )
    sources: list[ExperimentLineageShare] = strawberry.field(
        description="Data sources beneath the served feature versions."
    )
    flags: list[ExperimentFlagShare]


@strawberry.type(description="What the arms served and what differs between them.")
class ExperimentArms:
    lineage: list[ExperimentArm] = strawberry.field(description="Control first.")
    differences: list[str] = strawberry.field(
        description="One line per kind of lineage whose shares differ by more than 5 points."
    )
    statement: str = strawberry.field(description="What each treatment changed, in a sentence.")


@strawberry.type(description="A change during the experiment and the share of each arm it touched.")
class ExperimentIntervention:
    kind: str = strawberry.field(
        description="split_change, flag_change, model_version_change, feature_switch,"
        " deployment or source_change"
    )
    at: datetime
    subject: strawberry.ID = strawberry.field(
        description="The node that changed (the experiment for a split change)."
    )
    summary: str
    shares: list[ExperimentVariantValue] = strawberry.field(
        description="Per variant: the share of its requests since `at` the change touched."
    )
    confounds: bool = strawberry.field(
        description="It touched one arm more than another: effects since mix it in."
    )


@strawberry.type(
    description="One experiment analysed per randomization unit: exposure, sample ratios,"
    " effects with intervals, integrity checks and the arms' lineage. Each run leaves a"
    " RunRecord (`record`) holding the numbers it gave."
)
class ExperimentReport:
    experiment: strawberry.ID
    name: str
    status: str | None
    unit: str = strawberry.field(description="The unit analysed: user or request.")
    window_start: datetime | None = strawberry.field(description="Exposures read from here ...")
    window_end: datetime | None = strawberry.field(description="... to here (excluded).")
    method: ExperimentMethod
    correction: MultipleComparisonCorrection
    alpha: float = strawberry.field(description="Significance level; intervals are 1 - alpha.")
    srm_threshold: float = strawberry.field(description="A sample ratio p below it is a mismatch.")
    variants: list[ExperimentVariant]
    sample_ratios: list[ExperimentSampleRatio]
    mismatches: int = strawberry.field(description="Sample ratio tests that mismatched.")
    effects: list[ExperimentEffect]
    integrity: list[ExperimentIntegrityCheck]
    arms: ExperimentArms | None = strawberry.field(description="null: no exposures.")
    interventions: list[ExperimentIntervention]
    requests: int = strawberry.field(description="Exposed requests read.")
    outcomes: int = strawberry.field(description="Outcomes of those requests.")
    notes: list[str] = strawberry.field(description="What limits the report, in sentences.")
    record: strawberry.ID | None = strawberry.field(
        description="The RunRecord of this run: `node(uid:)` reads it."
    )


_METHODS: dict[ExperimentMethod, analysis.Method] = {
    ExperimentMethod.FIXED: "fixed",
    ExperimentMethod.CUPED: "cuped",
    ExperimentMethod.SEQUENTIAL: "sequential",
    ExperimentMethod.CUPED_SEQUENTIAL: "cuped_sequential",
}
_CORRECTIONS: dict[MultipleComparisonCorrection, analysis.Correction] = {
    MultipleComparisonCorrection.HOLM: "holm",
    MultipleComparisonCorrection.BENJAMINI_HOCHBERG: "benjamini_hochberg",
    MultipleComparisonCorrection.NONE: "none",
}


def report_request(
    experiment: str,
    window: tuple[datetime | None, datetime | None],
    metrics: list[str] | None,
    segments: list[str] | None,
    method: ExperimentMethod | None,
    correction: MultipleComparisonCorrection | None,
) -> analysis.ReportRequest:
    """The library's request; an argument left out takes the library's (settings') default."""
    return analysis.ReportRequest(
        experiment,
        *window,
        metrics=tuple(metrics or ()),
        segments=tuple(segments) if segments is not None else None,
        method=_METHODS[method] if method else None,
        correction=_CORRECTIONS[correction] if correction else None,
    )


def _values(values: dict[str, int] | dict[str, float]) -> list[ExperimentVariantValue]:
    return [ExperimentVariantValue(variant=key, value=value) for key, value in values.items()]


def _variant(summary: analysis.VariantSummary) -> ExperimentVariant:
    return ExperimentVariant(
        name=summary.name,
        uid=strawberry.ID(summary.uid),
        units=summary.units,
        requests=summary.requests,
        declared_share=summary.declared_share,
        metrics=[ExperimentMetricValue(metric=m, value=v) for m, v in summary.metrics.items()],
    )


def _sample_ratio(check: analysis.SampleRatioCheck) -> ExperimentSampleRatio:
    return ExperimentSampleRatio(
        period_start=check.period_start,
        period_end=check.period_end,
        segment=check.segment,
        observed=_values(check.observed),
        declared=_values(check.declared),
        p_value=check.p_value,
        mismatch=check.mismatch,
        note=check.note,
        summary=check.summary,
    )


def _interval(interval: analysis.Interval | None) -> ExperimentInterval | None:
    return ExperimentInterval(**dataclasses.asdict(interval)) if interval else None


def _effect(row: analysis.EffectRow) -> ExperimentEffect:
    effect = row.effect
    return ExperimentEffect(
        metric=row.metric,
        segment=row.segment,
        control=row.control,
        treatment=row.treatment,
        control_mean=effect.control_mean if effect else None,
        treatment_mean=effect.treatment_mean if effect else None,
        absolute=_interval(effect.absolute if effect else None),
        relative=_interval(effect.relative if effect else None),
        p_value=effect.p_value if effect else None,
        adjusted_p=row.adjusted_p,
        significant=row.significant,
        method=effect.method if effect else None,
        control_units=effect.units[0] if effect else None,
        treatment_units=effect.units[1] if effect else None,
        variance_reduction=effect.variance_reduction if effect else None,
        note=row.note,
    )


def _check(check: analysis.IntegrityCheck) -> ExperimentIntegrityCheck:
    return ExperimentIntegrityCheck(**dataclasses.asdict(check))


def _shares(shares: dict[str, float]) -> list[ExperimentLineageShare]:
    return [ExperimentLineageShare(uid=strawberry.ID(uid), share=s) for uid, s in shares.items()]


def _arm(arm: analysis.ArmLineage) -> ExperimentArm:
    return ExperimentArm(
        variant=arm.variant,
        requests=arm.requests,
        model_versions=_shares(arm.model_versions),
        feature_versions=_shares(arm.feature_versions),
        trained_on=_shares(arm.trained_on),
        sources=_shares(arm.sources),
        flags=[ExperimentFlagShare(flags=f, share=s) for f, s in arm.flags.items()],
    )


def _arms(comparison: analysis.ArmComparison) -> ExperimentArms:
    return ExperimentArms(
        lineage=[_arm(arm) for arm in comparison.arms],
        differences=list(comparison.differences),
        statement=comparison.statement,
    )


def _intervention(intervention: analysis.Intervention) -> ExperimentIntervention:
    return ExperimentIntervention(
        kind=intervention.kind,
        at=intervention.at,
        subject=strawberry.ID(intervention.subject),
        summary=intervention.summary,
        shares=_values(intervention.shares),
        confounds=intervention.confounds,
    )


def experiment_report_to_graphql(report: analysis.ExperimentReport) -> ExperimentReport:
    arms = report.arms
    return ExperimentReport(
        experiment=strawberry.ID(report.experiment),
        name=report.name,
        status=report.status,
        unit=report.unit,
        window_start=report.start,
        window_end=report.end,
        method=ExperimentMethod(report.method),
        correction=MultipleComparisonCorrection(report.correction),
        alpha=report.alpha,
        srm_threshold=report.srm_threshold,
        variants=[_variant(v) for v in report.variants],
        sample_ratios=[_sample_ratio(c) for c in report.sample_ratios],
        mismatches=len(report.mismatches),
        effects=[_effect(row) for row in report.effects],
        integrity=[_check(c) for c in report.integrity],
        arms=_arms(arms) if arms else None,
        interventions=[_intervention(i) for i in arms.interventions] if arms else [],
        requests=report.requests,
        outcomes=report.outcomes,
        notes=list(report.notes),
        record=strawberry.ID(report.record) if report.record else None,
    )


# The attribute holding the uids each type tells of; examples only when they are read.
_UIDS_OF = {
    ExperimentReport: "experiment",
    ExperimentVariant: "uid",
    ExperimentLineageShare: "uid",
    ExperimentIntervention: "subject",
    ExperimentListing: "uid",
    ExperimentVariantListing: "uid",
}


def returned_uids(root: object, field_name: str) -> list[str]:
    """The lineage uids whose data reading ``field_name`` of ``root`` sends, if any."""
    if isinstance(root, ExperimentIntegrityCheck):
        return list(root.examples or []) if field_name == "examples" else []
    attribute = _UIDS_OF.get(type(root))
    uid = getattr(root, attribute) if attribute else None
    return [str(uid)] if uid and uid != HIDDEN else []
