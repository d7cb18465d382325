"""A completeness audit as JSON (for machines) and Markdown (for a person or a pull request)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from graph_lineage.completeness.audit import CompletenessReport, Tally


def percent(share: Fraction | None) -> str:
    return "n/a" if share is None else f"{float(share) * 100:.2f}%"


def completeness_json(report: CompletenessReport) -> dict[str, Any]:
    return {
        "audit": report.uid,
        "window": {"from": report.window.start.isoformat(), "to": report.window.end.isoformat()},
        **report.overall.counts(),
        "minimum": float(report.minimum) if report.minimum is not None else None,
        "passed": report.passed,
        "by_model_version": {k: v.counts() for k, v in sorted(report.by_model_version.items())},
        "by_segment": {k: v.counts() for k, v in sorted(report.by_segment.items())},
        "gaps": [
            {
                "reason": gap.reason,
                "where": gap.where,
                "recommendations": gap.recommendations,
                "sample": gap.sample,
            }
            for gap in report.gaps
        ],
        "consistency": {
            "trained_on_missing": [
                {"model_version": mv, "feature_version": fv} for mv, fv in report.trained_on_missing
            ],
            "variants_without_model": [
                {"variant": variant, "unknown_model_versions": unknown}
                for variant, unknown in report.variants_without_model
            ],
        },
    }


def completeness_markdown(report: CompletenessReport) -> str:
    verdict = "passed" if report.passed else "FAILED"
    wanted = f" (minimum {percent(report.minimum)})" if report.minimum is not None else ""
    lines = [
        f"# Lineage completeness: {percent(report.share)}{wanted}, {verdict}",
        "",
        f"{report.complete:,} of {report.recommendations:,} recommendations served from"
        f" {report.window.start.isoformat()} to {report.window.end.isoformat()} have complete"
        f" ancestry (context, model version, feature versions, data sources). Audit record"
        f" `{report.uid}`.",
        "",
        *_table("Model version", report.by_model_version),
        "",
        *_table("Segment", report.by_segment),
        "",
        "## Gaps",
        "",
    ]
    if report.gaps:
        lines += ["| reason | where | recommendations | e.g. |", "| --- | --- | ---: | --- |"]
        lines += [
            f"| {g.reason} | `{g.where}` | {g.recommendations:,} | {', '.join(g.sample[:2])} |"
            for g in report.gaps
        ]
    else:
        lines.append("None.")
    lines += ["", "## Consistency", ""]
    problems = [
        f"- `{mv}` was trained on `{fv}`, which was never materialized"
        for mv, fv in report.trained_on_missing
    ] + [
        f"- variant `{variant}` serves "
        + (", ".join(f"`{m}`" for m in unknown) + ", never announced" if unknown else "nothing")
        for variant, unknown in report.variants_without_model
    ]
    lines += problems or [
        "Every feature version a model was trained on exists; every variant serves a known"
        " model version."
    ]
    return "\n".join(lines) + "\n"


def _table(title: str, tallies: dict[str, Tally]) -> list[str]:
    rows = [
        f"| {title.lower()} | recommendations | complete | share |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key, tally in sorted(tallies.items()):
        rows.append(
            f"| `{key}` | {tally.recommendations:,} | {tally.complete:,} | {percent(tally.share)} |"
        )
    return [f"## By {title.lower()}", "", *rows]
