"""Drift in the demo pipeline, with its ground truth (``demo-data --inject source_shift=1``).

Where and when each drift starts is chosen by a generator seeded from the pipeline's seed
(never before day 14, so that a detector has two weeks of history) and written down as a
detector should report it: ``truth[kind]`` lists one JSON object per instance with its
``onset`` (the start of a UTC day), its ``cause`` (a uid) and the ``signals`` that must be
flagged, as ``<signal type>|<subject>`` keys. Like the faults of
:mod:`graph_lineage.demo_faults`, drift never draws from the pipeline's random stream:
what it changes it changes after the clean draw, and the events it adds carry ``fault`` in
their event id.

>>> from graph_lineage.demo import DemoPipeline
>>> drift = Drift(DemoPipeline(100, seed=7), {"new_cohort": 1})
>>> [(i["cause"], i["signals"]) for i in drift.truth["new_cohort"]]
[('cohort:2026-W48', ['traffic_mix|cohort'])]
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from graph_lineage.demo import (
    DAYS,
    EXPERIMENTS,
    FEATURES,
    MODELS,
    OUTCOMES,
    PRODUCER,
    SOURCES,
    DemoPipeline,
    _bucket,
    _hash,
    _iso,
    observed_statistics,
    version_shares,
)

DRIFT_KINDS: dict[str, str] = {
    "source_shift": "data sources whose uri changes on a day from which the statistics of"
    " every feature derived directly from them shift (at most 2)",
    "feature_migration": "ranker features replaced by a new version in 40% of ranker v2's"
    " requests from a day on, which raises their scores (at most 4)",
    "new_cohort": "new cohorts of new users (2026-W48, then W49), each 25% of requests from a"
    " day on (at most 2)",
    "weekly_seasonality": "a click rate 1.8 times the weekday rate on Saturdays and Sundays, all"
    " month long (0 or 1)",
    "null_spike": "feature versions with 30% nulls in their statistics for three days",
}
ONSETS = range(14, 25)  # days a drift may start on: two weeks of history before
MIGRATION_ONSETS = range(14, 20)  # ranker v2 serves alone then
SHIFTED_SHARES = (0.02, 0.04, 0.09, 0.35, 0.5)  # most values move to the two upper bins
MIGRATED_SHARES = (0.3, 0.35, 0.2, 0.1, 0.05)
MIGRATED_MODEL = ("ranker", 2)
MIGRATION_SHARE = 0.4
COHORT_SHARE = 0.25
FIRST_NEW_WEEK = 48  # clean cohorts are weeks 27 to 38 (demo._week)
NEW_USERS = 400
WEEKEND = (5, 6)
SEASONAL_FACTOR = 1.8
NULL_SHARE = 0.3
NULL_DAYS = 3

_CLICK_RATE = dict(OUTCOMES)["click"]


def _extra_click(rate: float) -> float:
    """A weekend request without a click of its own gets one with this chance: its click
    rate (``rate`` on weekdays, a true effect included) is then SEASONAL_FACTOR times that."""
    return (SEASONAL_FACTOR - 1) * rate / (1 - rate)


@dataclass(frozen=True)
class _Migration:
    feature: str
    replaces: str  # the feature version uid ranker v2 was trained on
    uid: str
    onset: int


@dataclass(frozen=True)
class _Cohort:
    name: str
    onset: int
    low: float  # the requests whose bucket is in [low, low + COHORT_SHARE)


class Drift:
    """The drift of ``counts`` (kind -> instances) in ``pipeline``, and its ``truth``."""

    def __init__(self, pipeline: DemoPipeline, counts: Mapping[str, int]) -> None:
        self.pipeline = pipeline
        self.truth: dict[str, list[dict[str, Any]]] = {kind: [] for kind in DRIFT_KINDS}
        chooser = random.Random(f"drift/{pipeline.seed}")  # never the pipeline's stream
        self._shifted = self._choose_sources(chooser, counts.get("source_shift", 0))
        self._migrations = self._choose_migrations(chooser, counts.get("feature_migration", 0))
        self._cohorts = self._choose_cohorts(chooser, counts.get("new_cohort", 0))
        self._seasonal = counts.get("weekly_seasonality", 0) > 0  # one pattern, every weekend
        if self._seasonal:
            self._note_seasonality()
        self._nulls = self._choose_null_spikes(chooser, counts.get("null_spike", 0))

    # -- choosing places and onsets --

    def _choose_sources(self, chooser: random.Random, count: int) -> dict[str, int]:
        """Source -> onset; two shifted sources share no feature, so each shift is its own."""
        free = [s for s in SOURCES if len(_direct_features(s)) >= 2]
        chosen: dict[str, int] = {}
        for _ in range(count):
            if not free:
                raise ValueError(
                    f"cannot inject {count} source_shift: only {len(chosen)} source places"
                    " (sources with two features of their own and none in common)"
                )
            source = chooser.choice(free)
            features = _direct_features(source)
            free = [s for s in free if s != source and not features & _direct_features(s)]
            # a day no feature of the source is re-materialized on: each signal has a history
            onset = chooser.choice(
                [d for d in ONSETS if all(d not in FEATURES[f][2] for f in features)]
            )
            chosen[source] = onset
            version_on = self.pipeline.feature_version_on
            self._note(
                "source_shift",
                onset,
                f"source:{source}",
                [f"feature_distribution|{version_on(f, onset)}" for f in sorted(features)],
                source=f"source:{source}",
                uri=_changed_uri(source),
                shifted_versions=sorted(
                    {version_on(f, d) for f in features for d in range(onset, DAYS)}
                ),
            )
        return chosen

    def _choose_migrations(self, chooser: random.Random, count: int) -> list[_Migration]:
        model, number = MIGRATED_MODEL
        features = MODELS[model][0]
        migrations = []
        for feature in _sample(
            chooser, list(features), count, "feature_migration", "ranker feature"
        ):
            replaces = self.pipeline.feature_version_on(feature, MODELS[model][1][number - 1])
            migration = _Migration(
                feature, replaces, f"{replaces}-migrated", chooser.choice(MIGRATION_ONSETS)
            )
            migrations.append(migration)
            self._note(
                "feature_migration",
                migration.onset,
                migration.uid,
                [f"score_distribution|model:{model}@v{number}"],
                replaces=replaces,
                model_version=f"model:{model}@v{number}",
                share=MIGRATION_SHARE,
            )
        return migrations

    def _choose_cohorts(self, chooser: random.Random, count: int) -> list[_Cohort]:
        places = int(1 / COHORT_SHARE) // 2  # new users stay a minority
        if count > places:
            raise ValueError(f"cannot inject {count} new_cohort: only {places} cohort places")
        cohorts = []
        for index in range(count):
            cohort = _Cohort(
                f"2026-W{FIRST_NEW_WEEK + index}", chooser.choice(ONSETS), index * COHORT_SHARE
            )
            cohorts.append(cohort)
            self._note(
                "new_cohort",
                cohort.onset,
                f"cohort:{cohort.name}",
                ["traffic_mix|cohort"],
                cohort=cohort.name,
                share=COHORT_SHARE,
            )
        return cohorts

    def _note_seasonality(self) -> None:
        weekend = [d for d in range(DAYS) if self._weekday(d) in WEEKEND]
        models = sorted({m for day in weekend for m in _serving(self.pipeline, day)})
        self._note(
            "weekly_seasonality",
            weekend[0],
            "seasonality",
            [f"outcome_rate|model:{model}@v{number}|click" for model, number in models],
            weekdays=list(WEEKEND),
            weekend_days=weekend,
            outcome="click",
            factor=SEASONAL_FACTOR,
        )

    def _choose_null_spikes(self, chooser: random.Random, count: int) -> dict[str, int]:
        """Feature version -> onset: served, and the one with statistics, a day before to after."""
        onsets: dict[str, list[int]] = {}
        for feature in FEATURES:
            for onset in ONSETS:
                version = self.pipeline.feature_version_on(feature, onset)
                days = range(onset, onset + NULL_DAYS)
                if all(
                    self.pipeline.feature_version_on(feature, d) == version
                    for d in (onset - 1, *days)
                ) and all(version in _served_features(self.pipeline, d) for d in days):
                    onsets.setdefault(version, []).append(onset)
        chosen = {}
        for version in _sample(chooser, sorted(onsets), count, "null_spike", "feature version"):
            onset = chosen[version] = chooser.choice(onsets[version])
            self._note(
                "null_spike",
                onset,
                version,
                [f"feature_nulls|{version}"],
                end=_iso(self._day_start(onset + NULL_DAYS)),
                end_day=onset + NULL_DAYS,
                null_share=NULL_SHARE,
            )
        return chosen

    def _note(self, kind: str, onset: int, cause: str, signals: list[str], **more: Any) -> None:
        self.truth[kind].append(
            {
                "onset": _iso(self._day_start(onset)),
                "onset_day": onset,
                "cause": cause,
                "signals": signals,
                **more,
            }
        )

    def _day_start(self, day: int) -> datetime:
        return self.pipeline.start + timedelta(days=day)

    def _weekday(self, day: int) -> int:
        return self._day_start(day).weekday()

    # -- lineage --

    def lineage_events(self, materialized: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """The sources' changes, and the migrated versions (like the versions they replace)."""
        for source, onset in self._shifted.items():
            kind, _, owner, pii = SOURCES[source]
            yield self._added(
                "data_source.registered",
                self._day_start(onset) + timedelta(minutes=30),
                f"source-{source}",
                name=source,
                kind=kind,
                uri=_changed_uri(source),
                owner=f"{owner}@shop.example",
                contains_pii=pii,
            )
        by_uid = {f"feature:{e['feature']}@{e['version']}": e for e in materialized}
        for migration in self._migrations:
            at = self._day_start(migration.onset) + timedelta(hours=2)
            predecessor = by_uid[migration.replaces]
            version = migration.uid.rsplit("@", 1)[1]
            yield {
                **predecessor,
                **self._added("feature_version.materialized", at, f"migration-{migration.feature}"),
                "version": version,
                "transform_hash": _hash("transform", migration.feature, version),
                "materialized_at": _iso(at),
            }

    def _added(self, event_type: str, at: datetime, tag: str, **fields: Any) -> dict[str, Any]:
        return {
            "type": event_type,
            "event_id": f"demo-{self.pipeline.seed}-fault-{tag}",
            "event_time": _iso(at),
            "producer": PRODUCER,
            "schema_version": "1.0",
            **fields,
        }

    # -- serving --

    def serve(
        self, served: dict[str, Any], outcomes: list[dict[str, Any]], day: int
    ) -> list[dict[str, Any]]:
        """Change ``served`` in place for the drift of its day; the outcomes drift adds."""
        self._migrate(served, day)
        request = served["request_id"]
        for cohort in self._cohorts:
            if (
                day >= cohort.onset
                and 0 <= _bucket("new-cohort", request) - cohort.low < COHORT_SHARE
            ):
                served["cohort"] = cohort.name
                served["user_id"] = f"user-n{int(_bucket('new-user', request) * NEW_USERS):04d}"
        return self._weekend_click(served, outcomes, day)

    def _migrate(self, served: dict[str, Any], day: int) -> None:
        model, number = MIGRATED_MODEL
        features = served["feature_versions"]
        moved = [
            m
            for m in self._migrations
            if day >= m.onset
            and served["model_version"] == f"model:{model}@v{number}"
            and m.replaces in features
            and _bucket("migration", m.feature, served["request_id"]) < MIGRATION_SHARE
        ]
        if moved:
            new = {m.replaces: m.uid for m in moved}
            served["feature_versions"] = [new.get(uid, uid) for uid in features]
            served["items"] = [
                {**item, "score": round(0.5 + 0.5 * item["score"], 4)} for item in served["items"]
            ]

    def _weekend_click(
        self, served: dict[str, Any], outcomes: list[dict[str, Any]], day: int
    ) -> list[dict[str, Any]]:
        items, request = served["items"], served["request_id"]
        if (
            not self._seasonal
            or not items
            or self._weekday(day) not in WEEKEND
            or any(o["kind"] == "click" for o in outcomes)
            or _bucket("weekend-click", request)
            >= _extra_click(_CLICK_RATE * self.pipeline.lift(served["model_version"], "click"))
        ):
            return []
        rnd = random.Random(f"seasonality/{self.pipeline.seed}/{request}")
        item = items[min(int(rnd.expovariate(0.6)), len(items) - 1)]
        at = datetime.fromisoformat(served["served_at"]) + timedelta(seconds=rnd.uniform(2, 900))
        return [
            self._added(
                "outcome.observed",
                at,
                f"weekend-{request}",
                request_id=request,
                item_id=item["item_id"],
                kind="click",
                value=1.0,
                observed_at=_iso(at),
            )
        ]

    # -- statistics --

    def shares(self, day: int, version: str) -> tuple[tuple[float, ...], float | None]:
        """The bin shares and the null share (None: the usual rate) of a day's statistics."""
        shifted = any(
            day >= onset and version.removeprefix("feature:").split("@")[0] in _direct_features(s)
            for s, onset in self._shifted.items()
        )
        migrated = any(m.uid == version for m in self._migrations)  # keeps its own shares
        shares = (
            MIGRATED_SHARES if migrated else SHIFTED_SHARES if shifted else version_shares(version)
        )
        onset = self._nulls.get(version)
        spiking = onset is not None and onset <= day < onset + NULL_DAYS
        return shares, NULL_SHARE if spiking else None

    def statistics_events(self, day: int) -> Iterator[dict[str, Any]]:
        """The statistics of the migrated versions on ``day``."""
        at = self._day_start(day + 1) - timedelta(seconds=1)
        for m in self._migrations:
            if day >= m.onset:
                fields = observed_statistics(
                    self.pipeline.seed, self.pipeline.start, day, m.uid, *self.shares(day, m.uid)
                )
                tag = f"stats-{m.feature}-{day:02d}"
                yield self._added("feature_statistics.observed", at, tag, **fields)


def _direct_features(source: str) -> set[str]:
    return {feature for feature, (sources, _, _) in FEATURES.items() if source in sources}


def _changed_uri(source: str) -> str:
    return f"{SOURCES[source][1]}/v2"


def _serving(pipeline: DemoPipeline, day: int) -> set[tuple[str, int]]:
    """(model, version number) of the model versions serving on ``day`` (as routed)."""
    serving = set()
    for model in MODELS:
        running = [
            e
            for e in EXPERIMENTS
            if e.model == model and e.start_day <= day < (e.stop_day or DAYS + 1)
        ]
        numbers = (
            {running[0].control, running[0].treatment}
            if running
            else {pipeline.model_version_on(model, day)}
        )
        serving |= {(model, n) for n in numbers}
    return serving


def _served_features(pipeline: DemoPipeline, day: int) -> set[str]:
    return {
        pipeline.feature_version_on(feature, MODELS[model][1][number - 1])
        for model, number in _serving(pipeline, day)
        for feature in MODELS[model][0]
    }


def _sample(
    chooser: random.Random, population: list[Any], count: int, kind: str, what: str
) -> list[Any]:
    if count > len(population):
        raise ValueError(f"cannot inject {count} {kind}: only {len(population)} {what} places")
    return chooser.sample(population, count)
