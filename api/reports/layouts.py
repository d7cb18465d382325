"""What each report prints, section by section, from its GraphQL answer."""

from __future__ import annotations

from api.reports.answer import NOT_VISIBLE, Answer, as_text
from api.reports.pdf import Section, Table


def trace_title(trace: Answer) -> str:
    recommendation = trace.child("recommendation")
    uid = recommendation.text("uid") if recommendation else NOT_VISIBLE
    return f"Why recommendation {uid} was served"


def trace_sections(trace: Answer) -> list[Section]:
    recommendation = trace.child("recommendation")
    model = trace.child("modelVersion")
    experiment, variant = trace.child("experiment"), trace.child("variant")
    served = ("uid", "schemaHash", "transformHash", "materializedAt", "featureStore")
    outcomes = ("uid", "itemId", "outcomeType", "value", "observedAt")
    return [
        Section(
            "Recommendation",
            _fields(
                recommendation,
                ("uid", "requestId", "servedAt", "userPseudonym", "segment", "cohort"),
                ("items", "scores", "latencyMs", "error"),
            ),
        ),
        Section(
            "Model version",
            _fields(
                model,
                ("uid", "trainedAt", "trainingWindowStart", "trainingWindowEnd"),
                ("artifactUri", "artifactHash"),
            ),
            empty=_empty(trace, "modelVersion", "No model version recorded."),
        ),
        Section(
            "Served features",
            table=Table(
                ["Feature version", "Schema hash", "Transform hash", "Materialized", "Store"],
                [item.row(served) for item in trace.items("servedFeatures")],
                (4, 3, 3, 3, 2),
            ),
            lines=[f"Served, not trained on: {as_text(trace.strings('servedNotTrained'))}"],
        ),
        Section(
            "Experiment and variant",
            _fields(experiment, ("uid", "name", "status", "featureFlags"))
            + _fields(variant, ("uid", "name", "trafficShare"), label="variant ")
            + [("declared model versions", as_text(trace.strings("declaredModelVersions")))],
        ),
        Section(
            "Outcomes",
            table=Table(
                ["Outcome", "Item", "Type", "Value", "Observed"],
                [item.row(outcomes) for item in trace.items("outcomes")],
                (4, 2, 2, 1, 3),
            ),
            empty="No outcome recorded.",
        ),
        Section(
            "Derivations",
            table=Table(
                ["Derived", "From", "Edge"],
                [item.row(("source", "target", "type")) for item in trace.items("derivations")],
                (4, 3, 2),
            ),
        ),
        Section("Notes", lines=trace.strings("notes"), empty="No gap or mismatch found."),
        _hidden(trace),
    ]


def impact_title(impact: Answer) -> str:
    root = impact.child("root")
    return f"Impact of {root.text('uid') if root else NOT_VISIBLE}"


def impact_sections(impact: Answer) -> list[Section]:
    def listed(
        name: str,
        headings: list[str],
        fields: tuple[str, ...],
        widths: tuple[int, ...] | None = None,
    ) -> Table:
        return Table(headings, [item.row(fields) for item in impact.items(name)], widths)

    counts = ("key", "count")
    return [
        Section(
            "Summary",
            [
                ("root", _child_text(impact, "root", "uid")),
                ("since", impact.text("since")),
                ("recommendations served", impact.text("recommendations")),
            ],
        ),
        Section(
            "Feature versions",
            table=listed(
                "featureVersions",
                ["Feature version", "Materialized", "Owner"],
                ("uid", "materializedAt", "owner"),
            ),
        ),
        Section(
            "Model versions",
            table=listed("modelVersions", ["Model version", "Trained"], ("uid", "trainedAt")),
        ),
        Section(
            "Deployments",
            table=listed(
                "deployments",
                ["Deployment", "Environment", "Status", "Traffic", "Deployed"],
                ("uid", "environment", "status", "traffic", "deployedAt"),
                (5, 2, 2, 1, 3),
            ),
        ),
        Section(
            "Experiments and variants",
            table=listed(
                "experiments", ["Experiment", "Name", "Status"], ("uid", "name", "status")
            ),
            lines=[
                f"{item.text('uid')} (share {item.text('trafficShare')})"
                for item in impact.items("variants")
            ],
        ),
        Section(
            "Recommendations by model version",
            table=listed("byModelVersion", ["Model version", "Recommendations"], counts),
        ),
        Section(
            "Recommendations by segment",
            table=listed("bySegment", ["Segment", "Recommendations"], counts),
        ),
        _hidden(impact),
    ]


def experiment_title(report: Answer) -> str:
    return f"Experiment report: {report.text('name')}"


def experiment_sections(report: Answer) -> list[Section]:
    summary = (
        "experiment", "status", "unit", "windowStart", "windowEnd", "method", "correction",
        "alpha", "srmThreshold", "requests", "outcomes", "mismatches", "record",
    )  # fmt: skip
    variants = ("name", "uid", "units", "requests", "declaredShare")
    ratios = ("periodStart", "periodEnd", "segment", "pValue", "mismatch", "summary")
    arms = report.child("arms")
    return [
        Section("Summary", _fields(report, summary), lines=report.strings("notes")),
        Section(
            "Variants",
            table=Table(
                ["Variant", "Uid", "Units", "Requests", "Declared share"],
                [item.row(variants) for item in report.items("variants")],
                (2, 4, 1, 1, 1),
            ),
        ),
        Section(
            "Sample ratios",
            table=Table(
                ["From", "To", "Segment", "p", "Mismatch", "Summary"],
                [item.row(ratios) for item in report.items("sampleRatios")],
                (3, 3, 2, 1, 1, 5),
            ),
        ),
        Section(
            "Effects",
            table=Table(
                ["Metric", "Segment", "Arms", "Control", "Treatment", "Relative", "p (adj.)"],
                [_effect(item) for item in report.items("effects")],
                (2, 2, 3, 1, 1, 3, 2),
            ),
        ),
        Section(
            "Integrity checks",
            table=Table(
                ["Check", "Passed", "Count", "Summary", "Examples"],
                [_integrity(item) for item in report.items("integrity")],
                (2, 1, 1, 4, 4),
            ),
        ),
        Section(
            "What the arms served",
            lines=[arms.text("statement"), *arms.strings("differences")] if arms else [],
            empty=_empty(report, "arms", "No exposure in the window."),
        ),
    ]


def _effect(effect: Answer) -> list[str]:
    relative = effect.child("relative")
    if effect.denies("relative"):
        change = NOT_VISIBLE
    elif relative is None:
        change = effect.text("note")
    else:
        low, estimate, high = (relative.value[key] for key in ("low", "estimate", "high"))
        change = f"{estimate:+.2%} [{low:+.2%}, {high:+.2%}]"
    significant = " *" if effect.value.get("significant") else ""
    return [
        effect.text("metric"),
        effect.text("segment") if effect.value.get("segment") else "all",
        f"{effect.text('treatment')} vs {effect.text('control')}",
        effect.text("controlMean"),
        effect.text("treatmentMean"),
        change,
        f"{effect.text('pValue')} ({effect.text('adjustedP')}){significant}",
    ]


def _integrity(check: Answer) -> list[str]:
    examples = check.text("examples")
    hidden = check.value.get("hiddenExamples") or 0
    if hidden:
        examples = f"{examples} (+{hidden:,} hidden)"
    return [*check.row(("name", "passed", "count", "summary")), examples]


def _fields(
    answer: Answer | None, *groups: tuple[str, ...], label: str = ""
) -> list[tuple[str, str]]:
    if answer is None:
        return []
    return [(label + _words(name), answer.text(name)) for group in groups for name in group]


def _child_text(answer: Answer, child: str, name: str) -> str:
    found = answer.child(child)
    if found is None:
        return NOT_VISIBLE if answer.denies(child) else as_text(None)
    return found.text(name)


def _empty(answer: Answer, name: str, otherwise: str) -> str:
    return NOT_VISIBLE if answer.denies(name) else otherwise


def _hidden(answer: Answer) -> Section:
    hidden = [
        f"+{item.text('count')} {item.text('kind')} hidden" for item in answer.items("hidden")
    ]
    return Section("Hidden from your role", lines=hidden, empty="Nothing hidden.")


def _words(name: str) -> str:
    """``trainingWindowStart`` as ``training window start``."""
    return "".join(f" {c.lower()}" if c.isupper() else c for c in name)
