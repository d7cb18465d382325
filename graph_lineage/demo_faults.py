"""The demo pipeline with known faults in known places (``graph-lineage demo-data --inject``).

Each fault is put where a generator seeded from the pipeline's seed chooses, and the
pipeline writes down the truth while it generates: ``injected[kind]`` holds the uids it
altered (feature versions, recommendations, variants), ``affected[kind]`` the
recommendations an anomaly rule should count for that kind, and, for faults put into
lineage, ``affected_by[kind][uid]`` those each altered uid touched. The random stream of
:class:`DemoPipeline` is left alone, so every event a fault does not touch is, byte for
byte, the event the clean pipeline makes with the same seed; the events faults add carry
``fault`` in their event id. Drift (source shifts, feature migrations, new cohorts,
seasonality, null spikes) is put in by :class:`graph_lineage.demo_drift.Drift`, and its truth
is ``ground_truth()["drift"]``; the experiments' true effects and faults (sample-ratio
mismatch, a feature switched in one arm) by
:class:`graph_lineage.demo_experiments.ExperimentFaults`, in ``ground_truth()["experiments"]``.

>>> pipeline = FaultyDemoPipeline(2000, seed=7, faults=Faults(version_skew=5))
>>> events = list(pipeline.events())
>>> len(pipeline.injected["version_skew"])
5
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from graph_lineage.demo import (
    DAYS,
    EXPERIMENTS,
    FEATURES,
    MODELS,
    PRODUCER,
    START,
    DemoPipeline,
    Experiment,
    _bucket,
    _iso,
    observed_statistics,
)
from graph_lineage.demo_drift import DRIFT_KINDS, Drift, _sample
from graph_lineage.demo_experiments import EXPERIMENT_KINDS, ExperimentFaults, check_counts

# What each kind puts into the pipeline; the keys are the fields of Faults.
FAULT_KINDS: dict[str, str] = {
    "missing_ancestry": "feature versions derived only from a feature version never materialized",
    "orphan": "recommendations without lineage: every other one loses its served event (only"
    " its outcomes arrive), the others are served without feature versions",
    "version_skew": "recommendations served a feature version their model version was not"
    " trained on",
    "unknown_model": "recommendations served by a model version never trained nor deployed",
    "retired_model": "recommendations served by a model's v1 after it was retired",
    "stale_feature": "feature versions declaring a one-day freshness SLA, served past it"
    " before a newer version of their feature was materialized",
    "experiment_mismatch": "recommendations whose variant served a model version it did not"
    " declare",
    "declaration_change": "experiments whose treatment switches to the control's model version"
    " half-way through (at most 2)",
    "incomplete_ancestry": "recommendations served without one of their model's feature"
    " versions (for completeness audits; no anomaly rule fires on them)",
    **DRIFT_KINDS,
    **EXPERIMENT_KINDS,
}
_LINEAGE_FAULTS = ("missing_ancestry", "stale_feature", "declaration_change")
STALE_SLA_SECONDS = 86_400
# Days whose requests may carry each per-recommendation fault: version skew needs a second
# materialized version, retired models a retirement (every v1 has retired by day 14).
_EXPERIMENT_DAYS = sorted({d for e in EXPERIMENTS for d in range(e.start_day, e.stop_day or DAYS)})
_SLOT_DAYS: dict[str, list[int]] = {
    "orphan": list(range(DAYS)),
    "version_skew": list(range(10, DAYS)),
    "unknown_model": list(range(DAYS)),
    "retired_model": list(range(14, DAYS)),
    "experiment_mismatch": _EXPERIMENT_DAYS,
    "incomplete_ancestry": list(range(DAYS)),
}


@dataclass(frozen=True)
class Faults:
    """How many of each fault to inject (see :data:`FAULT_KINDS`); all zero is the clean demo."""

    missing_ancestry: int = 0
    orphan: int = 0
    version_skew: int = 0
    unknown_model: int = 0
    retired_model: int = 0
    stale_feature: int = 0
    experiment_mismatch: int = 0
    declaration_change: int = 0
    incomplete_ancestry: int = 0
    source_shift: int = 0
    feature_migration: int = 0
    new_cohort: int = 0
    weekly_seasonality: int = 0
    null_spike: int = 0
    experiment_srm: int = 0
    arm_feature_switch: int = 0

    def __post_init__(self) -> None:
        negative = [name for name, count in self.counts().items() if count < 0]
        if negative:
            raise ValueError(f"fault counts cannot be negative: {', '.join(negative)}")
        if self.weekly_seasonality > 1:
            raise ValueError("weekly_seasonality is 0 or 1: the one pattern recurs every weekend")
        check_counts(self.counts())

    @classmethod
    def parse(cls, specs: Iterable[str]) -> Faults:
        """From ``KIND=COUNT`` strings, e.g. ``["version_skew=20", "orphan=10"]``."""
        counts: dict[str, int] = {}
        for spec in specs:
            kind, _, count = spec.partition("=")
            if kind not in FAULT_KINDS or not count.isdigit():
                raise ValueError(
                    f"{spec!r} is not KIND=COUNT with KIND one of {', '.join(FAULT_KINDS)}"
                )
            counts[kind] = int(count)
        return cls(**counts)

    def counts(self) -> dict[str, int]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


class FaultyDemoPipeline(DemoPipeline):
    """:class:`DemoPipeline` with ``faults``; ``injected`` and ``affected`` fill as it runs."""

    def __init__(
        self,
        recommendations: int,
        seed: int = 42,
        users: int = 2000,
        faults: Faults = Faults(),
        start: datetime = START,
    ) -> None:
        super().__init__(recommendations, seed, users, start)
        self.faults = faults
        recorded = [kind for kind in FAULT_KINDS if kind not in DRIFT_KINDS]  # drift: self.drift
        self.injected: dict[str, set[str]] = {kind: set() for kind in recorded}
        self.affected: dict[str, set[str]] = {kind: set() for kind in recorded}
        # For faults put into lineage rather than into requests: injected uid -> what it touched.
        self.affected_by: dict[str, dict[str, set[str]]] = {
            kind: defaultdict(set) for kind in _LINEAGE_FAULTS
        }
        chooser = random.Random(f"faults/{seed}")  # never self.random: that stream stays clean
        self._broken = set(
            _sample(chooser, _leaf_versions(), faults.missing_ancestry, "missing_ancestry", "leaf")
        )
        self._stale = set(
            _sample(
                chooser, self._stale_candidates(), faults.stale_feature, "stale_feature", "servable"
            )
        )
        changed = _sample(
            chooser,
            list(EXPERIMENTS),
            faults.declaration_change,
            "declaration_change",
            "experiment",
        )
        self._changed = {e.name: (e.start_day + (e.stop_day or DAYS)) // 2 for e in changed}
        self._slots = self._choose_slots(chooser)
        self.drift = Drift(self, faults.counts())  # its own chooser: the faults' places stay
        self.experiment_faults = ExperimentFaults(self, faults.counts())  # its own chooser too
        for kind, uids in self.experiment_faults.injected.items():
            self.injected[kind] |= uids
        self._materialized: list[dict[str, Any]] = []  # clean feature version events

    def ground_truth(self) -> dict[str, Any]:
        """What was injected where, as JSON (``demo-data --injected-out``)."""
        return {
            "seed": self.seed,
            "recommendations": self.recommendations,
            "faults": self.faults.counts(),
            "injected": {kind: sorted(uids) for kind, uids in self.injected.items()},
            "affected": {kind: sorted(uids) for kind, uids in self.affected.items()},
            "affected_by": {
                kind: {subject: sorted(uids) for subject, uids in sorted(touched.items())}
                for kind, touched in self.affected_by.items()
            },
            "drift": self.drift.truth,
            "experiments": self.experiment_faults.truth,
        }

    # -- choosing places --

    def _stale_candidates(self) -> list[str]:
        """Feature versions some model version serves for a day or more past a one-day SLA."""
        found = set()
        for features, days, _ in MODELS.values():
            replaced = [*(later + 1 for later in days[1:]), DAYS]  # when the next one deploys
            for day, serve_to in zip(days, replaced, strict=True):
                serve_from = day + 1
                for feature in features:
                    version = self.feature_version_on(feature, day)
                    start, superseded = _window_days(version)
                    if min(serve_to, superseded) - max(serve_from, start) >= 1:
                        found.add(version)
        return sorted(found)

    def _choose_slots(self, chooser: random.Random) -> dict[tuple[int, int], str]:
        """(day, index of the request that day) -> the fault its recommendation carries."""
        per_day = self._requests_per_day()
        taken: dict[tuple[int, int], str] = {}
        for kind, days in _SLOT_DAYS.items():
            free = [(d, i) for d in days for i in range(per_day[d]) if (d, i) not in taken]
            for slot in _sample(chooser, free, getattr(self.faults, kind), kind, "request"):
                taken[slot] = kind
        orphans = sorted(slot for slot, kind in taken.items() if kind == "orphan")
        self._lost = set(orphans[::2])
        return taken

    # -- lineage: derivations, SLAs, declarations --

    def _lineage_events(self) -> Iterator[dict[str, Any]]:
        yield from super()._lineage_events()
        yield from self.drift.lineage_events(self._materialized)
        yield from self.experiment_faults.lineage_events(self._materialized)

    def _feature_versions(self) -> Iterator[dict[str, Any]]:
        for event in super()._feature_versions():
            self._materialized.append(dict(event))
            uid = f"feature:{event['feature']}@{event['version']}"
            if uid in self._broken:
                event["derived_from"] = [f"feature:{event['feature']}_upstream@{event['version']}"]
                self.injected["missing_ancestry"].add(uid)
            if uid in self._stale:
                event["freshness_sla_seconds"] = STALE_SLA_SECONDS
                self.injected["stale_feature"].add(uid)
            yield event

    def _experiments(self) -> Iterator[dict[str, Any]]:
        for event in super()._experiments():
            change = self._changed.get(event["experiment"])
            if change is not None and event["event_time"] >= _iso(
                self.start + timedelta(days=change)
            ):
                _treatment_serves_control(event, _experiment(event["experiment"]))
            yield event
        for name, day in sorted(self._changed.items()):
            yield self._declaration_change(_experiment(name), day)

    def _declaration_change(self, experiment: Experiment, day: int) -> dict[str, Any]:
        changed_split = experiment.change_day is not None and day >= experiment.change_day
        event = {
            "type": "experiment.changed",
            "event_id": f"demo-{self.seed}-fault-{experiment.name}",
            "event_time": _iso(self.start + timedelta(days=day)),
            "producer": PRODUCER,
            "schema_version": "1.0",
            "experiment": experiment.name,
            "variants": self._variants(experiment, 0.8 if changed_split else 0.5),
            "randomization_unit": "user",
            "salt": experiment.salt,
            "feature_flags": {"explore_boost": True},
            "owner": "experimentation@shop.example",
        }
        _treatment_serves_control(event, experiment)
        self.injected["declaration_change"].add(f"variant:{experiment.name}/treatment")
        return event

    def _route(self, model: str, day: int, user: str) -> tuple[int, str | None, str | None]:
        version, name, variant = super()._route(model, day, user)
        change = self._changed.get(name) if name else None
        if name and change is not None and variant == "treatment" and day >= change:
            version = _experiment(name).control  # serving follows the new declaration
        return version, name, variant

    # -- serving --

    def _request(self, day: int, index: int, served_at: datetime) -> Iterator[dict[str, Any]]:
        events = super()._request(day, index, served_at)
        served = next(events)
        outcomes = list(events)  # drawn whatever happens, so the random stream stays aligned
        kind = self._slots.get((day, index))
        uid = f"rec:{served['request_id']}"
        if kind is not None:
            self.injected[kind].add(uid)
            self.affected[kind].add(uid)
        if (day, index) in self._lost:
            yield from outcomes or [_lone_outcome(served)]
            return
        if kind is not None:
            _INJECT[kind](self, served, day, served_at)
        elif not self.experiment_faults.logged(served):
            return  # a request carrying another fault keeps it: each fault's count holds
        outcomes += self.drift.serve(served, outcomes, day)
        if self.experiment_faults.switch(served, day):
            self.affected["arm_feature_switch"].add(uid)
        self._note(uid, served, day, served_at)
        yield served
        yield from outcomes

    def _statistics(self, day: int) -> Iterator[dict[str, Any]]:
        yield from super()._statistics(day)
        yield from self.drift.statistics_events(day)

    def _observed(self, day: int, version: str) -> dict[str, Any]:
        shares, null_share = self.drift.shares(day, version)
        return observed_statistics(self.seed, self.start, day, version, shares, null_share)

    def _note(self, uid: str, served: dict[str, Any], day: int, served_at: datetime) -> None:
        """Record what the served recommendation touches of the lineage-level faults."""
        features = served["feature_versions"]
        touched = {
            "missing_ancestry": self._broken.intersection(features),
            "stale_feature": {
                fv
                for fv in self._stale.intersection(features)
                if _is_stale(self.start, fv, served_at)
            },
            "declaration_change": set(),
        }
        change = self._changed.get(served["experiment"] or "")
        if change is not None and served["variant"] == "treatment" and day >= change:
            touched["declaration_change"].add(f"variant:{served['experiment']}/treatment")
        for kind, subjects in touched.items():
            for subject in subjects:
                self.affected[kind].add(uid)
                self.affected_by[kind][subject].add(uid)

    def _trained_features(self, model: str, number: int) -> list[str]:
        trained_day = MODELS[model][1][number - 1]
        return [self.feature_version_on(f, trained_day) for f in MODELS[model][0]]

    def _version_skew(self, served: dict[str, Any], day: int, served_at: datetime) -> None:
        features = list(served["feature_versions"])
        options = []
        for position, uid in enumerate(features):
            feature, number = _feature_and_number(uid)
            others = [n for n in _materialized_by(self.start, feature, served_at) if n != number]
            if others:
                options.append((position, f"feature:{feature}@v{max(others)}"))
        position, other = options[_index(len(options), "skew", served["request_id"])]
        features[position] = other
        served["feature_versions"] = features

    def _unknown_model(self, served: dict[str, Any], day: int, served_at: datetime) -> None:
        served["model_version"] = served["model_version"] + "-hotfix"
        served["experiment"] = served["variant"] = None

    def _retired_model(self, served: dict[str, Any], day: int, served_at: datetime) -> None:
        model = served["model_version"].split(":")[1].split("@")[0]
        served["model_version"] = f"model:{model}@v1"
        served["feature_versions"] = self._trained_features(model, 1)
        served["experiment"] = served["variant"] = None

    def _experiment_mismatch(self, served: dict[str, Any], day: int, served_at: datetime) -> None:
        active = [e for e in EXPERIMENTS if e.start_day <= day < (e.stop_day or DAYS + 1)]
        experiment = active[_index(len(active), "mismatch", served["request_id"])]
        declared, name, variant = self._route(experiment.model, day, served["user_id"])
        other = experiment.treatment if declared == experiment.control else experiment.control
        served["model_version"] = f"model:{experiment.model}@v{other}"
        served["feature_versions"] = self._trained_features(experiment.model, other)
        served["experiment"], served["variant"] = name, variant

    def _incomplete_ancestry(self, served: dict[str, Any], day: int, served_at: datetime) -> None:
        features = list(served["feature_versions"])
        del features[_index(len(features), "incomplete", served["request_id"])]
        served["feature_versions"] = features

    def _featureless(self, served: dict[str, Any], day: int, served_at: datetime) -> None:
        served["feature_versions"] = []


_INJECT = {
    "orphan": FaultyDemoPipeline._featureless,  # the lost half never reaches this table
    "version_skew": FaultyDemoPipeline._version_skew,
    "unknown_model": FaultyDemoPipeline._unknown_model,
    "retired_model": FaultyDemoPipeline._retired_model,
    "experiment_mismatch": FaultyDemoPipeline._experiment_mismatch,
    "incomplete_ancestry": FaultyDemoPipeline._incomplete_ancestry,
}


def _experiment(name: str) -> Experiment:
    return next(e for e in EXPERIMENTS if e.name == name)


def _treatment_serves_control(event: dict[str, Any], experiment: Experiment) -> None:
    control = f"model:{experiment.model}@v{experiment.control}"
    for variant in event["variants"]:
        variant["model_version"] = control


def _leaf_versions() -> list[str]:
    """Versions of features no other feature derives from: breaking one breaks only itself."""
    parents = {parent for _, derived_from, _ in FEATURES.values() for parent in derived_from}
    return [
        f"feature:{feature}@v{number}"
        for feature, (_, _, days) in FEATURES.items()
        if feature not in parents
        for number in range(1, len(days) + 1)
    ]


def _feature_and_number(uid: str) -> tuple[str, int]:
    feature, _, version = uid.removeprefix("feature:").partition("@v")
    return feature, int(version)


def _materialized(start: datetime, feature: str, number: int) -> datetime:
    return start + timedelta(days=FEATURES[feature][2][number - 1], hours=2)


def _materialized_by(start: datetime, feature: str, moment: datetime) -> list[int]:
    days = FEATURES[feature][2]
    return [n for n in range(1, len(days) + 1) if _materialized(start, feature, n) < moment]


def _window_days(uid: str) -> tuple[float, float]:
    """Days (from START) between which ``uid`` is past a one-day SLA and still the newest."""
    feature, number = _feature_and_number(uid)
    days = FEATURES[feature][2]
    superseded = days[number] + 2 / 24 if number < len(days) else float(DAYS)
    return days[number - 1] + 1 + 2 / 24, superseded


def _is_stale(start: datetime, uid: str, served_at: datetime) -> bool:
    feature, number = _feature_and_number(uid)
    deadline = _materialized(start, feature, number) + timedelta(seconds=STALE_SLA_SECONDS)
    newer = number < len(FEATURES[feature][2])
    return deadline <= served_at and not (
        newer and served_at >= _materialized(start, feature, number + 1)
    )


def _index(size: int, *parts: str) -> int:
    return int(_bucket(*parts) * size)


def _lone_outcome(served: dict[str, Any]) -> dict[str, Any]:
    """A click on a recommendation whose served event was lost: its only trace."""
    at = datetime.fromisoformat(served["served_at"]) + timedelta(seconds=30)
    items = served["items"]
    return {
        "type": "outcome.observed",
        "event_id": f"{served['event_id']}-fault",
        "event_time": _iso(at),
        "producer": PRODUCER,
        "schema_version": "1.0",
        "request_id": served["request_id"],
        "item_id": items[0]["item_id"] if items else "sku-0000",
        "kind": "click",
        "value": 1.0,
        "observed_at": _iso(at),
    }
