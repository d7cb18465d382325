"""How complete is lineage? ``completeness(store, window)``: the share of recommendations
whose ancestry is whole, overall and per model version and segment, with the gaps.

A recommendation's ancestry is complete when its served event arrived, it has a lineage
context, the context names a model version that was announced by a training event, it
served at least one feature version, every feature its model version was trained on was
served (at some version), every served feature version was materialized, and each one
reaches a data source through ``DERIVED_FROM``. Contexts are shared by many
recommendations, so each context is judged once and its recommendations counted.

The audit also checks the graph's consistency: every feature version a model version was
trained on was materialized, and every variant serves a model version that exists.

>>> report = completeness(store, Window(datetime(2026, 10, 1), datetime(2026, 11, 1)))
>>> report.complete, report.recommendations, report.share
(49800, 50000, Fraction(249, 250))
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from graph_lineage.errors import LineageError
from graph_lineage.governance.records import finish_run, start_run, utc
from graph_lineage.store.connection import Store

KIND = "completeness"
NONE = "(none)"
SAMPLE = 5  # recommendation uids listed per gap

SERVED_BY_CONTEXT = """
MATCH (r:Recommendation)
WHERE r.served_at >= $from AND r.served_at < $to
OPTIONAL MATCH (r)-[:HAS_CONTEXT]->(c:LineageContext)
RETURN c.uid AS context, coalesce(c.model_version, $none) AS model_version,
       coalesce(r.segment, $none) AS segment, count(r) AS recommendations,
       collect(r.uid)[..$sample] AS sample
"""

# Recommendations known only from their outcomes, placed in time by their first outcome.
NEVER_SERVED = """
MATCH (r:Recommendation) WHERE r.stub = true
MATCH (o:Outcome)-[:FOR]->(r)
WITH r, min(o.observed_at) AS seen
WHERE seen >= $from AND seen < $to
RETURN count(r) AS recommendations, collect(r.uid)[..$sample] AS sample
"""

CONTEXT_GAPS = """
UNWIND $contexts AS uid
MATCH (c:LineageContext {uid: uid})
OPTIONAL MATCH (c)-[:USED_MODEL]->(mv:ModelVersion)
CALL (c) {
  OPTIONAL MATCH (c)-[:USED_FEATURE]->(fv:FeatureVersion)
  RETURN collect(fv) AS served
}
CALL (mv) {
  OPTIONAL MATCH (mv)-[:TRAINED_ON]->(t:FeatureVersion)
  RETURN collect(DISTINCT t.feature) AS trained
}
WITH c, mv, served, trained, [fv IN served | fv.feature] AS features
RETURN c.uid AS context,
       mv IS NULL AS no_model_version,
       CASE WHEN coalesce(mv.stub, false) THEN mv.uid END AS unannounced_model_version,
       size(served) = 0 AS no_feature_versions,
       [fv IN served WHERE coalesce(fv.stub, false) | fv.uid] AS unmaterialized,
       [fv IN served WHERE NOT EXISTS { (fv)-[:DERIVED_FROM*1..20]->(:DataSource) } | fv.uid]
         AS without_source,
       [f IN trained WHERE NOT f IN features] AS features_not_served
"""

TRAINED_ON_MISSING = """
MATCH (mv:ModelVersion)-[:TRAINED_ON]->(fv:FeatureVersion)
WHERE coalesce(fv.stub, false)
RETURN mv.uid AS model_version, fv.uid AS feature_version
ORDER BY model_version, feature_version
"""

VARIANTS_WITHOUT_MODEL = """
MATCH (v:Variant)
OPTIONAL MATCH (v)-[:SERVES]->(mv:ModelVersion)
WITH v, collect(DISTINCT mv) AS models
WHERE size(models) = 0 OR any(m IN models WHERE coalesce(m.stub, false))
RETURN v.uid AS variant, [m IN models WHERE coalesce(m.stub, false) | m.uid] AS unknown
ORDER BY variant
"""


@dataclass(frozen=True)
class Window:
    """``[start, end)``; a time without a zone is UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if utc(self.end) <= utc(self.start):
            raise ValueError(f"the window ends ({self.end}) before it starts ({self.start})")


@dataclass
class Tally:
    recommendations: int = 0
    complete: int = 0

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.complete, self.recommendations) if self.recommendations else None

    def counts(self) -> dict[str, Any]:
        """The tally as plain values: its counts and its share as a float (None if empty)."""
        share = self.share
        return {
            "recommendations": self.recommendations,
            "complete": self.complete,
            "share": float(share) if share is not None else None,
        }


@dataclass
class Gap:
    """One reason some recommendations' ancestry is incomplete, and where."""

    reason: str
    where: str  # the context, model version or variant at fault; NONE for missing events
    recommendations: int = 0
    sample: list[str] = field(default_factory=list)


@dataclass
class CompletenessReport:
    window: Window
    overall: Tally = field(default_factory=Tally)
    by_model_version: dict[str, Tally] = field(default_factory=dict)
    by_segment: dict[str, Tally] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)
    trained_on_missing: list[tuple[str, str]] = field(default_factory=list)
    variants_without_model: list[tuple[str, list[str]]] = field(default_factory=list)
    minimum: Fraction | None = None  # the share the audit had to reach, when one was set
    uid: str = ""  # of the RunRecord record

    @property
    def recommendations(self) -> int:
        return self.overall.recommendations

    @property
    def complete(self) -> int:
        return self.overall.complete

    @property
    def share(self) -> Fraction | None:
        return self.overall.share

    @property
    def consistent(self) -> bool:
        return not (self.trained_on_missing or self.variants_without_model)

    @property
    def passed(self) -> bool:
        """Reached the minimum share (an empty window vouches for nothing) and consistent."""
        if self.minimum is None:
            return self.consistent
        return self.share is not None and self.share >= self.minimum and self.consistent


def completeness(
    store: Store, window: Window, minimum: Fraction | None = None
) -> CompletenessReport:
    """Audit the window and keep an ``RunRecord`` record (kind ``completeness``) of it."""
    bounds = {"from": utc(window.start), "to": utc(window.end), "sample": SAMPLE, "none": NONE}
    uid = start_run(store, KIND, {"window_start": bounds["from"], "window_end": bounds["to"]})
    try:
        report = _audit(store, window, bounds)
    except LineageError:
        with suppress(LineageError):
            finish_run(store, uid, {}, status="failed")
        raise
    report.minimum, report.uid = minimum, uid
    finish_run(store, uid, _record(report))
    return report


def _audit(store: Store, window: Window, bounds: dict[str, Any]) -> CompletenessReport:
    report = CompletenessReport(window)
    served = store.read(SERVED_BY_CONTEXT, **bounds)
    contexts = sorted({row["context"] for row in served if row["context"] is not None})
    reasons = {row["context"]: _reasons(row) for row in store.read(CONTEXT_GAPS, contexts=contexts)}
    gaps: dict[tuple[str, str], Gap] = {}
    for row in served:
        found = reasons.get(row["context"], []) if row["context"] else ["no lineage context"]
        _count(report, row["model_version"], row["segment"], row["recommendations"], not found)
        for reason in found:
            gap = gaps.setdefault(
                (reason, row["context"] or NONE), Gap(reason, row["context"] or NONE)
            )
            gap.recommendations += row["recommendations"]
            gap.sample = sorted({*gap.sample, *row["sample"]})[:SAMPLE]
    (never,) = store.read(NEVER_SERVED, **bounds)
    if never["recommendations"]:
        _count(report, NONE, NONE, never["recommendations"], complete=False)
        gaps[("served event missing", NONE)] = Gap(
            "served event missing", NONE, never["recommendations"], sorted(never["sample"])
        )
    report.gaps = sorted(gaps.values(), key=lambda g: (-g.recommendations, g.reason, g.where))
    report.trained_on_missing = [
        (row["model_version"], row["feature_version"]) for row in store.read(TRAINED_ON_MISSING)
    ]
    report.variants_without_model = [
        (row["variant"], list(row["unknown"])) for row in store.read(VARIANTS_WITHOUT_MODEL)
    ]
    return report


def _reasons(row: dict[str, Any]) -> list[str]:
    reasons = []
    if row["no_model_version"]:
        reasons.append("no model version")
    if row["unannounced_model_version"]:
        reasons.append(f"model version {row['unannounced_model_version']} never announced")
    if row["no_feature_versions"]:
        reasons.append("no feature versions")
    reasons += [f"feature version {uid} never materialized" for uid in row["unmaterialized"]]
    reasons += [f"feature version {uid} reaches no data source" for uid in row["without_source"]]
    reasons += [f"feature {name} of the model not served" for name in row["features_not_served"]]
    return reasons


def _count(
    report: CompletenessReport, model: str, segment: str, count: int, complete: bool
) -> None:
    for tally in (
        report.overall,
        report.by_model_version.setdefault(model, Tally()),
        report.by_segment.setdefault(segment, Tally()),
    ):
        tally.recommendations += count
        tally.complete += count if complete else 0


def _record(report: CompletenessReport) -> dict[str, Any]:
    return {
        **report.overall.counts(),
        "minimum": float(report.minimum) if report.minimum is not None else None,
        "gaps": len(report.gaps),
        "inconsistencies": len(report.trained_on_missing) + len(report.variants_without_model),
        "passed": report.passed,
    }
