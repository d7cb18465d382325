"""One experiment's report: exposure, sample ratios, effects, integrity, and the arms' lineage.

>>> request = ReportRequest("ranker-v3-rollout", method="cuped")   # doctest: +SKIP
>>> report = experiment_report(store, settings, request)           # doctest: +SKIP

Every run leaves a ``(:RunRecord {kind: 'experiment_report'})`` with what it read (the
experiment, the window, a hash of the per-unit data) and the numbers it printed, so a
decision taken on a report can be defended later with the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from graph_lineage.drift.signals import EPOCH, utc
from graph_lineage.experiments.analysis import (
    EffectRow,
    VariantSummary,
    analyse_effects,
    variant_summaries,
)
from graph_lineage.experiments.arms import ArmComparison, compare_arms
from graph_lineage.experiments.design import Design, read_design
from graph_lineage.experiments.exposure import (
    Exposure,
    PreExposure,
    read_contexts,
    read_exposure,
    read_pre_exposure,
)
from graph_lineage.experiments.integrity import IntegrityCheck, check_integrity
from graph_lineage.experiments.metrics import Metric, default_metrics, metric_named
from graph_lineage.experiments.records import data_hash, record_report
from graph_lineage.experiments.sample_ratio import SampleRatioCheck, check_sample_ratios
from graph_lineage.experiments.statistics import Correction, Method
from graph_lineage.lineage.visibility import EVERYTHING, Visibility
from graph_lineage.settings import Settings
from graph_lineage.store.connection import Store
from graph_lineage.store.values import moment

UNITS = ("user", "request")  # randomization units recommendations record


@dataclass(frozen=True)
class ReportRequest:
    experiment: str  # name or uid
    start: datetime | None = None  # default: the experiment's first exposure
    end: datetime | None = None  # default: its last
    metrics: tuple[str, ...] = ()  # default: see graph_lineage.experiments.metrics
    segments: tuple[str, ...] | None = None  # None: every segment
    method: Method | None = None  # default: settings.experiment_method
    correction: Correction | None = None  # default: settings.experiment_correction


@dataclass(frozen=True)
class ExperimentReport:
    experiment: str
    name: str
    status: str | None
    unit: str  # the unit analysed
    start: datetime | None
    end: datetime | None
    method: str
    correction: str
    alpha: float
    srm_threshold: float
    variants: list[VariantSummary]
    sample_ratios: list[SampleRatioCheck]
    effects: list[EffectRow]
    integrity: list[IntegrityCheck]
    arms: ArmComparison | None
    requests: int
    outcomes: int
    notes: list[str] = field(default_factory=list)
    record: str | None = None

    @property
    def mismatches(self) -> list[SampleRatioCheck]:
        return [check for check in self.sample_ratios if check.mismatch]


def experiment_report(
    store: Store,
    settings: Settings,
    request: ReportRequest,
    visibility: Visibility = EVERYTHING,
    principal: str | None = None,
) -> ExperimentReport:
    """Analyse the experiment; NodeNotFound when it was never declared."""
    design = read_design(store, request.experiment)
    method = request.method or settings.experiment_method
    correction = request.correction or settings.experiment_correction
    contexts = read_contexts(store, design)
    first, last = _exposed(contexts)
    start = utc(request.start) if request.start else first
    end = utc(request.end) if request.end else (last + timedelta(microseconds=1) if last else None)
    notes = _unit_notes(design)
    exposure = read_exposure(store, design, start, end) if start and end else Exposure()
    metrics = [metric_named(m) for m in request.metrics] or default_metrics(
        exposure.kinds, exposure.varying
    )
    pre = _pre_exposure(store, settings, design, first, exposure, method, notes)
    segments = _segments(exposure, request.segments)
    summaries = variant_summaries(design, exposure, metrics)
    effects = analyse_effects(
        design, exposure, metrics, segments, pre, settings, method, correction
    )
    notes += _exposure_notes(design, exposure, metrics)
    report = ExperimentReport(
        experiment=design.uid,
        name=design.name,
        status=design.status,
        unit="request" if design.unit == "request" else "user",
        start=start,
        end=end,
        method=method,
        correction=correction,
        alpha=settings.experiment_alpha,
        srm_threshold=settings.experiment_srm_p_value,
        variants=summaries,
        sample_ratios=check_sample_ratios(
            design, exposure.units, segments, settings.experiment_srm_p_value
        ),
        effects=effects,
        integrity=check_integrity(store, design, exposure, start or EPOCH, visibility),
        arms=compare_arms(store, design, contexts, exposure, end, visibility) if end else None,
        requests=exposure.rows,
        outcomes=exposure.outcomes,
        notes=notes,
    )
    return record_report(store, report, data_hash(design, exposure, pre), request, principal)


def _exposed(contexts: list[dict[str, object]]) -> tuple[datetime | None, datetime | None]:
    """The experiment's first and last exposure, from its contexts."""
    firsts = [m for c in contexts if (m := moment(c["first_seen"])) is not None]
    lasts = [m for c in contexts if (m := moment(c["last_seen"])) is not None]
    return (utc(min(firsts)) if firsts else None, utc(max(lasts)) if lasts else None)


def _pre_exposure(
    store: Store,
    settings: Settings,
    design: Design,
    first: datetime | None,
    exposure: Exposure,
    method: str,
    notes: list[str],
) -> PreExposure | None:
    """Each unit's requests in the days before the experiment's first exposure (not before
    its start event: requests routed ahead of it are exposures, and a covariate the
    treatment touched would pull the estimate towards zero)."""
    if not method.startswith("cuped") or not exposure.units:
        return None
    if design.unit == "request":
        notes.append("CUPED needs a unit seen before the experiment; requests are new: not applied")
        return None
    if first is None:
        return None
    days = settings.experiment_pre_period_days
    return read_pre_exposure(store, sorted(exposure.units), first - timedelta(days=days), first)


def _segments(exposure: Exposure, asked: tuple[str, ...] | None) -> list[str]:
    present = sorted({unit.segment for unit in exposure.units.values()})
    return present if asked is None else [s for s in asked if s]


def _unit_notes(design: Design) -> list[str]:
    if design.unit in UNITS:
        return []
    return [
        f"{design.uid} randomizes by {design.unit!r}, which recommendations do not record;"
        " the report analyses per user pseudonym"
    ]


def _exposure_notes(design: Design, exposure: Exposure, metrics: list[Metric]) -> list[str]:
    if not exposure.rows:
        return [f"no exposures: no recommendation was served through {design.uid}'s variants"]
    notes = []
    if not exposure.outcomes:
        notes.append(
            f"no outcomes: {exposure.rows:,} requests from {len(exposure.units):,} units were"
            " exposed, but no outcome was recorded for any of them; effects need outcomes"
        )
    for metric in metrics:
        if exposure.outcomes and metric.kind not in exposure.kinds:
            notes.append(
                f"no {metric.kind} outcome among the exposed requests: {metric.name}"
                " has nothing to compare"
            )
    return notes
