"""The likely causes of a drift, ranked, and its blast radius, both through the lineage.

Every candidate gets a score between 0 and 1 from the evidence below; the causes are the
candidates with a score, highest first. "Near the onset" means from one window before the
first drifted window to the end of the one after it.

For a signal of a **feature version** (values, nulls, volume, skew):

- a data source upstream (through ``DERIVED_FROM``) that changed near the onset: 0.5; and
  when two or more of the feature versions derived directly from it (and observed near the
  onset) drift near the onset, up to 0.5 more by the share of them that do: several
  features of one source drifting together point at the source;
- an upstream feature version that drifted near the onset: 0.45, 0.3 more if it was
  materialized near the onset;
- the feature version itself, materialized near the onset (a new version): 0.6; with
  nothing upstream to blame, the feature version's own pipeline: 0.25.

For a signal of a **model version** (scores, outcome rates):

- a feature version whose share of the model version's traffic rose near the onset (a
  migration: "replacing v3 in 38% of traffic"): 0.5 plus up to 0.5 by the share;
- a feature version the recommendations used whose values, nulls, volume or skew drifted
  near the onset: 0.4 plus up to 0.4 by how far past its threshold;
- a version of the same model deployed or retired, or an experiment on it started,
  changed or stopped, near the onset: 0.5;
- a segment or cohort whose outcome rate drifted near the onset, or a new cohort: 0.3
  (0.6 for a new cohort);
- seasonality: 0.5 times the share of the shift the seasonal baseline explains.

For **traffic mix** and **item popularity**: a new category (a new cohort) 0.9, then the
three categories whose share moved most from the week before the onset, up to 0.5 (for
20 points of share or more).

The blast radius of a feature or model version is :func:`graph_lineage.lineage.impact.dependents`
with the recommendations counted by day and segment since the onset, from the same
``ContextUsage`` counters impact analysis reads.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from graph_lineage.drift.distributions import OTHER, Summary
from graph_lineage.drift.records import (
    BlastRadius,
    Cause,
    Usage,
    Window,
    drifts_between,
    observed_between,
    signal_windows,
)
from graph_lineage.drift.signals import (
    FEATURE_KINDS,
    ITEM_POPULARITY,
    OUTCOME_RATE,
    TRAFFIC_MIX,
    kind_of,
)
from graph_lineage.lineage.impact import dependents, usage
from graph_lineage.lineage.traversal import downstream, find_node, upstream
from graph_lineage.store.connection import Store
from graph_lineage.store.values import native

MAX_CAUSES = 10
MIN_TRAFFIC_CHANGE = 0.05

# Per day, the traffic of a model version by the feature versions its contexts used.
MODEL_TRAFFIC = """
MATCH (c:LineageContext {model_version: $modelVersion})
MATCH (u:ContextUsage {context: c.uid})
WHERE u.day >= $since AND u.day < $until
UNWIND CASE WHEN c.feature_versions = [] THEN [null] ELSE c.feature_versions END AS fv
RETURN u.day AS day, fv AS feature_version, sum(u.count) AS count
"""

MODEL_CHANGES = """
MATCH (mv:ModelVersion {uid: $modelVersion})
OPTIONAL MATCH (mv)-[:VERSION_OF]->(m:Model)<-[:VERSION_OF]-(sibling:ModelVersion)
WITH mv, collect(DISTINCT sibling) + [mv] AS versions
UNWIND versions AS version
OPTIONAL MATCH (d:Deployment)-[:DEPLOYS]->(version)
OPTIONAL MATCH (v:Variant)-[:SERVES]->(version)
OPTIONAL MATCH (v)-[:OF]->(e:Experiment)
RETURN collect(DISTINCT {uid: d.uid, model_version: version.uid, deployed_at: d.deployed_at,
                        retired_at: d.retired_at}) AS deployments,
       collect(DISTINCT {uid: e.uid, started_at: e.started_at, stopped_at: e.stopped_at,
                        changed_at: e.event_time, status: e.status}) AS experiments
"""


class Attribution:
    """Ranks causes for the problems of one scan; reads each neighbourhood once."""

    def __init__(self, store: Store, window: timedelta) -> None:
        self.store = store
        self.window = window
        self._drifts: dict[tuple[datetime, datetime], list[dict[str, Any]]] = {}

    def causes(self, signal: str, subject: str | None, onset: Window) -> list[Cause]:
        kind = kind_of(signal)
        if kind in FEATURE_KINDS and subject:
            found = self._feature_causes(kind, subject, onset)
        elif subject and subject.startswith("model:"):
            found = self._model_causes(signal, subject, onset)
        elif kind in (TRAFFIC_MIX, ITEM_POPULARITY):
            found = self._category_causes(signal, onset)
        else:  # outcome rates of a segment or cohort
            found = self._seasonality(onset)
        ranked = sorted(found, key=lambda c: (-c.score, c.uid))
        unique = list({c.uid: c for c in reversed(ranked)}.values())  # best per uid
        return sorted(unique, key=lambda c: (-c.score, c.uid))[:MAX_CAUSES]

    def blast_radius(self, subject: str | None, onset: datetime) -> BlastRadius:
        if not subject:
            return BlastRadius()
        root = find_node(self.store, subject)
        if root is None:
            return BlastRadius()
        found = dependents(self.store, root)
        uses = usage(self.store, found.counted, onset.date())
        counted: dict[tuple[str, str], int] = defaultdict(int)
        for use in uses:
            counted[use.day.isoformat(), use.segment] += use.count
        return BlastRadius(
            model_versions=tuple(n.uid for n in found.model_versions),
            deployments=tuple(n.uid for n in found.deployments),
            variants=tuple(n.uid for n in found.variants),
            experiments=tuple(n.uid for n in found.experiments),
            usage=tuple(
                Usage(day, segment, count) for (day, segment), count in sorted(counted.items())
            ),
        )

    # -- near the onset --

    def _near(self, onset: Window) -> tuple[datetime, datetime]:
        return onset.start - self.window, onset.start + 2 * self.window

    def _is_near(self, moment: Any, onset: Window) -> bool:
        value = native(moment)
        if not isinstance(value, datetime):
            return False
        low, high = self._near(onset)
        return low <= value < high

    def _drifting(self, onset: Window) -> list[dict[str, Any]]:
        span = self._near(onset)
        if span not in self._drifts:
            self._drifts[span] = drifts_between(self.store, *span)
        return self._drifts[span]

    def _drifted(
        self, subject: str, kinds: tuple[str, ...], onset: Window
    ) -> dict[str, Any] | None:
        for row in self._drifting(onset):
            if row["subject"] == subject and row["kind"] in kinds:
                return row
        return None

    # -- feature versions --

    def _feature_causes(self, kind: str, subject: str, onset: Window) -> list[Cause]:
        graph = upstream(self.store, subject, depth=10, kinds=["DataSource", "FeatureVersion"])
        causes: list[Cause] = []
        for node in graph.nodes:
            if node.uid == subject:
                continue
            if node.kind == "DataSource":
                causes += self._source_cause(node.uid, node.properties, kind, onset)
            elif node.kind == "FeatureVersion":
                drifted = self._drifted(node.uid, (kind, "feature_distribution"), onset)
                if drifted is not None:
                    score = 0.45 + (
                        0.3 if self._is_near(node.properties.get("materialized_at"), onset) else 0.0
                    )
                    causes.append(
                        Cause(node.uid, "upstream_drift", score, f"{node.uid} upstream drifted too")
                    )
        own = find_node(self.store, subject)
        if own is not None and self._is_near(own.properties.get("materialized_at"), onset):
            causes.append(
                Cause(subject, "version_change", 0.6, f"{subject} was materialized near the onset")
            )
        elif not causes or max(c.score for c in causes) < 0.25:
            causes.append(
                Cause(
                    subject,
                    "own_pipeline",
                    0.25,
                    f"nothing upstream of {subject} drifted or changed: its own pipeline",
                )
            )
        return causes + self._seasonality(onset)

    def _source_cause(
        self, source: str, properties: dict[str, Any], kind: str, onset: Window
    ) -> list[Cause]:
        """A data source changed near the onset, or several features of it drift together."""
        score, reasons, name = 0.0, [], "co_drift"
        changed, first = native(properties.get("event_time")), native(properties.get("valid_from"))
        if self._is_near(changed, onset) and changed != first:
            score, name = 0.5, "source_change"
            reasons.append(f"{source} changed at {changed.isoformat()}")
        direct = downstream(self.store, source, depth=1, kinds=["FeatureVersion"])
        derived = [n.uid for n in direct.nodes if n.kind == "FeatureVersion"]
        versions = observed_between(self.store, kind, derived, *self._near(onset))
        drifting = [v for v in versions if self._drifted(v, (kind,), onset) is not None]
        if len(drifting) >= 2:
            score += 0.5 * len(drifting) / len(versions)
            reasons.append(
                f"{len(drifting)} of the {len(versions)} feature versions derived from it"
                " and observed then drift together"
            )
        if not reasons:
            return []
        return [Cause(source, name, min(score, 1.0), "; ".join(reasons))]

    # -- model versions --

    def _model_causes(self, signal: str, model_version: str, onset: Window) -> list[Cause]:
        causes = self._traffic_changes(model_version, onset)
        for version in self._used_features(model_version, onset):
            drifted = self._drifted(version, FEATURE_KINDS, onset)
            if drifted is not None and drifted["threshold"]:
                ratio = abs(drifted["value"] or 0) / drifted["threshold"]
                score = 0.4 + 0.4 * min(1.0, (ratio - 1) / 4)
                evidence = f"{version}, which it served from, drifted ({drifted['kind']})"
                causes.append(Cause(version, "upstream_drift", score, evidence))
        causes += self._lineage_changes(model_version, onset)
        outcome = signal.rsplit("|", 1)[1] if kind_of(signal) == OUTCOME_RATE else None
        for drift in self._drifting(onset):
            scope = drift["signal"].split("|")
            grouped = scope[1].startswith(("segment:", "cohort:"))
            if outcome and drift["kind"] == OUTCOME_RATE and scope[2] == outcome and grouped:
                evidence = f"the {outcome} rate of {scope[1]} drifted too"
                causes.append(Cause(scope[1], "segment_behaviour", 0.3, evidence))
            if drift["signal"] == "traffic_mix|cohort":
                for cohort in drift["new_categories"] or []:
                    evidence = f"a new cohort {cohort} arrived near the onset"
                    causes.append(Cause(f"cohort:{cohort}", "new_cohort", 0.6, evidence))
        return causes + self._seasonality(onset)

    def _used_features(self, model_version: str, onset: Window) -> list[str]:
        """The feature versions the model version's recommendations used in the window."""
        return sorted(self._shares(model_version, onset.start, onset.start + self.window))

    def _traffic_changes(self, model_version: str, onset: Window) -> list[Cause]:
        """Feature versions whose share of the model version's traffic rose at the onset."""
        day = datetime(onset.start.year, onset.start.month, onset.start.day, tzinfo=UTC)
        before = self._shares(model_version, day - timedelta(days=7), day)  # usage is daily
        after = self._shares(model_version, day, day + timedelta(days=2))
        causes = []
        for version, share in sorted(after.items()):
            rise = share - before.get(version, 0.0)
            if rise < MIN_TRAFFIC_CHANGE:
                continue
            feature = version.split("@")[0]
            replaced = [
                v
                for v, was in sorted(before.items())
                if v.split("@")[0] == feature and v != version and after.get(v, 0.0) < was
            ]
            instead = f" replacing {replaced[0]}" if replaced else ""
            evidence = (
                f"drift began within one window of {version}{instead} in {share:.0%} of"
                f" {model_version}'s traffic"
            )
            score = 0.5 + 0.5 * min(1.0, rise / 0.5)
            causes.append(Cause(version, "traffic_change", score, evidence))
        return causes

    def _shares(self, model_version: str, since: datetime, until: datetime) -> dict[str, float]:
        """Feature version -> its share of the traffic of the model version that used its
        feature, over the days from ``since`` to before ``until`` (ContextUsage is daily)."""
        last_day = (
            until.date() if until.time() == datetime.min.time() else until.date() + timedelta(1)
        )
        rows = self.store.read(
            MODEL_TRAFFIC, modelVersion=model_version, since=since.date(), until=last_day
        )
        by_version: dict[str, int] = defaultdict(int)
        by_feature: dict[str, int] = defaultdict(int)
        for row in rows:
            version = row["feature_version"]
            if version is not None:
                by_version[version] += int(row["count"])
                by_feature[version.split("@")[0]] += int(row["count"])
        return {v: count / by_feature[v.split("@")[0]] for v, count in by_version.items()}

    def _lineage_changes(self, model_version: str, onset: Window) -> list[Cause]:
        rows = self.store.read(MODEL_CHANGES, modelVersion=model_version)
        if not rows:
            return []
        causes = []
        for deployment in rows[0]["deployments"]:
            if deployment["uid"] is None:
                continue
            for field_name, verb in (("deployed_at", "deployed"), ("retired_at", "retired")):
                if self._is_near(deployment[field_name], onset):
                    causes.append(
                        Cause(
                            deployment["uid"],
                            "deployment",
                            0.5,
                            f"{deployment['model_version']} {verb} at"
                            f" {native(deployment[field_name]).isoformat()}",
                        )
                    )
        for experiment in rows[0]["experiments"]:
            if experiment["uid"] is None:
                continue
            for field_name, verb in (
                ("started_at", "started"),
                ("changed_at", experiment["status"] or "changed"),
                ("stopped_at", "stopped"),
            ):
                if self._is_near(experiment[field_name], onset):
                    causes.append(
                        Cause(
                            experiment["uid"],
                            "experiment_change",
                            0.5,
                            f"{experiment['uid']} {verb} at"
                            f" {native(experiment[field_name]).isoformat()}",
                        )
                    )
                    break
        return causes

    # -- categories --

    def _category_causes(self, signal: str, onset: Window) -> list[Cause]:
        """New categories first, then those whose share moved most against the baseline."""
        scope = _scope(signal)
        causes = [
            Cause(
                f"{scope}:{name}",
                "new_category",
                0.9,
                f"new: {name} is {_share(onset, name):.0%} of the window, under 1% of the baseline",
            )
            for name in onset.new_categories
        ]
        for name, before, now in self._movers(signal, onset):
            evidence = f"{name} went from {before:.0%} to {now:.0%} of the window"
            score = 0.5 * min(1.0, abs(now - before) / 0.2)
            causes.append(Cause(f"{scope}:{name}", "share_change", score, evidence))
        return causes + self._seasonality(onset)

    def _movers(self, signal: str, onset: Window) -> list[tuple[str, float, float]]:
        """The three categories whose share moved most from the windows before the onset."""
        earlier = signal_windows(self.store, [signal], onset.start - 7 * self.window, onset.start)
        if not earlier or not onset.summary.count:
            return []
        pooled = Summary.pool([w.summary for w in earlier])
        if not pooled.count:
            return []
        before = dict(zip(pooled.categories, pooled.counts, strict=True))
        now = dict(zip(onset.summary.categories, onset.summary.counts, strict=True))
        moved = [
            (name, before.get(name, 0.0) / pooled.count, now.get(name, 0.0) / onset.summary.count)
            for name in set(before) | set(now)
            if name not in onset.new_categories and name != OTHER
        ]
        moved.sort(key=lambda m: (-abs(m[2] - m[1]), m[0]))
        return [m for m in moved[:3] if abs(m[2] - m[1]) >= 0.02]

    def _seasonality(self, onset: Window) -> list[Cause]:
        if onset.seasonal_value is None or not onset.value:
            return []
        explained = max(0.0, 1 - abs(onset.seasonal_value) / abs(onset.value))
        if explained <= 0:
            return []
        return [
            Cause(
                "seasonality",
                "seasonality",
                0.5 * explained,
                f"the seasonal baseline explains {explained:.0%} of the shift",
            )
        ]


def _scope(signal: str) -> str:
    return signal.split("|", 1)[1] if "|" in signal else signal


def _share(window: Window, name: str) -> float:
    counts = dict(zip(window.summary.categories, window.summary.counts, strict=True))
    return counts.get(name, 0.0) / window.summary.count if window.summary.count else 0.0
