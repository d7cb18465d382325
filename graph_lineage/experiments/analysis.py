"""Effects: each treatment against the control, per metric and segment, corrected together.

Only units that saw exactly one variant take part. Every (metric, segment, treatment)
comparison with enough data gets a p-value; the family of them is corrected with Holm
(family-wise error) or Benjamini-Hochberg (false discovery rate), and a comparison is
significant when its corrected p-value is below alpha. The report names the correction.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph_lineage.experiments.design import Design
from graph_lineage.experiments.exposure import Exposure, PreExposure, Unit
from graph_lineage.experiments.metrics import Metric
from graph_lineage.experiments.statistics import (
    Correction,
    Effect,
    Method,
    TooLittleData,
    adjust,
    compare,
)
from graph_lineage.settings import Settings


@dataclass(frozen=True)
class EffectRow:
    metric: str
    segment: str | None  # None: every segment
    control: str
    treatment: str
    effect: Effect | None
    note: str | None = None  # why there is no effect (too little data)
    adjusted_p: float | None = None
    significant: bool = False


@dataclass(frozen=True)
class VariantSummary:
    name: str
    uid: str
    units: int  # units that saw this variant only
    requests: int
    declared_share: float | None  # in the last period
    metrics: dict[str, float | None]  # metric -> the arm's value (ratio or mean per unit)


def variant_summaries(
    design: Design, exposure: Exposure, metrics: list[Metric]
) -> list[VariantSummary]:
    summaries = []
    last = design.periods[-1] if design.periods else None
    arms = _arms_by_segment(exposure)
    for variant in design.variants:
        units = arms.get((variant, None), [])
        requests = sum(u.total_requests for _, u in units)
        values: dict[str, float | None] = {}
        for metric in metrics:
            values[metric.name] = _arm_value(metric, units)
        summaries.append(
            VariantSummary(
                name=variant,
                uid=design.variant_uids[variant],
                units=len(units),
                requests=requests,
                declared_share=last.shares.get(variant) if last else None,
                metrics=values,
            )
        )
    return summaries


def analyse_effects(
    design: Design,
    exposure: Exposure,
    metrics: list[Metric],
    segments: list[str],
    pre: PreExposure | None,
    settings: Settings,
    method: Method,
    correction: Correction,
) -> list[EffectRow]:
    if not exposure.outcomes:
        return []
    rows = []
    arms = _arms_by_segment(exposure)
    for metric in metrics:
        for segment in [None, *segments]:
            control = arms.get((design.control, segment), [])
            for treatment in design.treatments:
                rows.append(
                    _effect(
                        metric,
                        segment,
                        design.control,
                        control,
                        treatment,
                        arms.get((treatment, segment), []),
                        pre,
                        settings,
                        method,
                    )
                )
    return _corrected(rows, correction, settings.experiment_alpha)


def _effect(
    metric: Metric,
    segment: str | None,
    control_name: str,
    control: list[tuple[str, Unit]],
    treatment_name: str,
    treatment: list[tuple[str, Unit]],
    pre: PreExposure | None,
    settings: Settings,
    method: Method,
) -> EffectRow:
    if metric.kind not in {k for _, u in control + treatment for k in u.values}:
        note = f"no {metric.kind} outcome in either arm"
        return EffectRow(metric.name, segment, control_name, treatment_name, None, note)
    result = compare(
        metric.arm(control, pre),
        metric.arm(treatment, pre),
        method=method,
        alpha=settings.experiment_alpha,
        min_units=settings.experiment_min_units,
        sequential_tuning=settings.experiment_sequential_tuning,
    )
    if isinstance(result, TooLittleData):
        return EffectRow(metric.name, segment, control_name, treatment_name, None, result.reason)
    return EffectRow(metric.name, segment, control_name, treatment_name, result)


def _corrected(rows: list[EffectRow], correction: Correction, alpha: float) -> list[EffectRow]:
    tested = [row for row in rows if row.effect is not None]
    adjusted = iter(adjust([row.effect.p_value for row in tested if row.effect], correction))
    out = []
    for row in rows:
        if row.effect is None:
            out.append(row)
            continue
        p = next(adjusted)
        out.append(
            EffectRow(
                row.metric,
                row.segment,
                row.control,
                row.treatment,
                row.effect,
                row.note,
                p,
                p < alpha,
            )
        )
    return out


def _arms_by_segment(exposure: Exposure) -> dict[tuple[str, str | None], list[tuple[str, Unit]]]:
    """The units of each (variant, segment) and of each (variant, None): every segment."""
    arms: dict[tuple[str, str | None], list[tuple[str, Unit]]] = {}
    for key, unit in exposure.units.items():
        variant = unit.variant
        if variant is not None:
            arms.setdefault((variant, None), []).append((key, unit))
            arms.setdefault((variant, unit.segment), []).append((key, unit))
    return arms


def _arm_value(metric: Metric, units: list[tuple[str, Unit]]) -> float | None:
    if not units:
        return None
    if metric.ratio:
        requests = sum(u.total_requests for _, u in units)
        return sum(u.with_outcome[metric.kind] for _, u in units) / requests
    return sum(u.values[metric.kind] for _, u in units) / len(units)
