"""An experiment report as JSON (for tools) and as Markdown (for people and pull requests)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from graph_lineage.store.values import jsonable

if TYPE_CHECKING:
    from graph_lineage.experiments.analysis import EffectRow
    from graph_lineage.experiments.report import ExperimentReport


def report_json(report: ExperimentReport, examples: bool = True) -> dict[str, Any]:
    """The report as JSON types; without ``examples``, aggregates only."""
    data = jsonable(dataclasses.asdict(report))
    if not examples:
        for check in data["integrity"]:
            check["hidden_examples"] += len(check["examples"])
            check["examples"] = []
    data["mismatches"] = len(report.mismatches)
    return dict(data)


def report_markdown(report: ExperimentReport) -> str:
    lines = [
        f"# Experiment {report.experiment}",
        "",
        f"Status {report.status or 'unknown'}; unit of analysis: {report.unit};"
        f" {_window(report)}; method: {report.method}; correction: {report.correction};"
        f" alpha {report.alpha:g}; sample-ratio mismatch at p < {report.srm_threshold:g}.",
        f"{report.requests:,} requests and {report.outcomes:,} outcomes read"
        + (f"; record {report.record}." if report.record else "."),
        "",
    ]
    lines += [f"> {note}" for note in report.notes]
    lines += ["", "## Exposure", "", *_variants(report), ""]
    lines += ["## Sample ratio", "", *_sample_ratios(report), ""]
    lines += ["## Effects", "", *_effects(report), ""]
    lines += ["## Integrity", "", *_integrity(report), ""]
    lines += ["## What the arms served", "", *_arms(report), ""]
    lines += ["## Interventions during the experiment", "", *_interventions(report)]
    return "\n".join(lines).rstrip() + "\n"


def _window(report: ExperimentReport) -> str:
    if report.start is None or report.end is None:
        return "no exposures"
    return f"{report.start:%Y-%m-%d %H:%M} to {report.end:%Y-%m-%d %H:%M} UTC"


def _variants(report: ExperimentReport) -> list[str]:
    metrics = list(report.variants[0].metrics) if report.variants else []
    head = ["variant", "declared share", "units", "requests", *metrics]
    rows = [
        [
            v.name,
            _number(v.declared_share),
            f"{v.units:,}",
            f"{v.requests:,}",
            *(_number(v.metrics[m]) for m in metrics),
        ]
        for v in report.variants
    ]
    return _table(head, rows)


def _sample_ratios(report: ExperimentReport) -> list[str]:
    if not report.sample_ratios:
        return ["No period to test."]
    shown = [c for c in report.sample_ratios if c.segment is None or c.mismatch]
    lines = [
        f"- {'**' if c.mismatch else ''}{c.summary}{'**' if c.mismatch else ''}" for c in shown
    ]
    quiet = len(report.sample_ratios) - len(shown)
    if quiet:
        lines.append(f"- {quiet} segment test{'s' if quiet > 1 else ''} as declared")
    return lines


def _effects(report: ExperimentReport) -> list[str]:
    if not report.effects:
        return ["No effect to show: " + (report.notes[-1] if report.notes else "no data") + "."]
    head = [
        "metric",
        "segment",
        "treatment",
        "control",
        "treatment value",
        "absolute lift",
        "relative lift",
        "p",
        "adjusted p",
        "",
    ]
    tested = [row.effect for row in report.effects if row.effect is not None]
    used = "; ".join(sorted({effect.method for effect in tested})) or "nothing"
    lines = _table(head, [_effect_row(row) for row in report.effects])
    lines += [
        "",
        f"Intervals at {1 - report.alpha:.0%} by {used}; p-values adjusted by"
        f" {report.correction} over the {len(tested)} comparisons with enough data.",
    ]
    reductions = [e.variance_reduction for e in tested if e.variance_reduction is not None]
    if reductions:
        lines.append(
            f"CUPED cut the variance of the differences by {min(reductions):.0%} to"
            f" {max(reductions):.0%}."
        )
    return lines


def _effect_row(row: EffectRow) -> list[str]:
    segment = row.segment or "all"
    if row.effect is None:
        return [row.metric, segment, row.treatment, "", "", row.note or "", "", "", "", ""]
    e = row.effect
    absolute = f"{e.absolute.estimate:+.4g} [{e.absolute.low:+.4g}, {e.absolute.high:+.4g}]"
    relative = (
        f"{e.relative.estimate:+.1%} [{e.relative.low:+.1%}, {e.relative.high:+.1%}]"
        if e.relative
        else "n/a"
    )
    return [
        row.metric,
        segment,
        row.treatment,
        _number(e.control_mean),
        _number(e.treatment_mean),
        absolute,
        relative,
        f"{e.p_value:.3g}",
        _number(row.adjusted_p),
        "significant" if row.significant else "",
    ]


def _integrity(report: ExperimentReport) -> list[str]:
    lines = []
    for check in report.integrity:
        mark = "ok" if check.passed else "**warning**"
        examples = ", ".join(f"`{uid}`" for uid in check.examples)
        if check.hidden_examples:
            examples += f"{', ' if examples else ''}{check.hidden_examples} hidden"
        lines.append(
            f"- {mark} {check.name}: {check.summary}"
            + (f" (e.g. {examples})" if examples and not check.passed else "")
        )
    return lines


def _arms(report: ExperimentReport) -> list[str]:
    if report.arms is None:
        return ["No exposures."]
    lines = [report.arms.statement + ".", ""] if report.arms.statement else []
    lines += [f"- {difference}" for difference in report.arms.differences] or [
        "- the arms served the same lineage"
    ]
    return lines


def _interventions(report: ExperimentReport) -> list[str]:
    if report.arms is None or not report.arms.interventions:
        return ["None."]
    return [
        f"- {'**confounds** ' if i.confounds else ''}{i.at:%Y-%m-%d %H:%M} {i.kind}: {i.summary}"
        for i in report.arms.interventions
    ]


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"
