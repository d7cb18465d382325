"""A synthetic recommender pipeline, written as lineage events (``graph-lineage demo-data``).

Thirty days of a small shop's recommender: six data sources, ten features (two derived
from other features) re-materialized into 32 versions, three models retrained every ten days,
deployments and retirements, two experiments (one changes its split, then stops), and
``recommendations`` requests with their outcomes and daily feature statistics. The same
seed and start give the same events, byte for byte.

Experiments have a known truth (:data:`EFFECTS`): ranker v3, the treatment of
``ranker-v3-rollout``, gets clicks at 1.25 times the base rate (0.375 rather than 0.3 per
request) on every request it serves, in the experiment or not, so that its own click rate
never steps; add-to-cart and purchase rates are the same in both arms, and
``retriever-v3-ab`` has no effect at all. The lift is drawn like demo_drift's weekend
clicks: a request without a click of its own gets one with chance (1.25 - 1) * 0.3 / (1 - 0.3)
from a generator of its own, so every other event is the one the pipeline makes without
the effect (``DemoPipeline(..., effects={})``); the added clicks' event ids carry ``effect``.

Built in code the pipeline starts on
2026-10-01 (tests rely on those dates); ``graph-lineage up`` and ``demo-data`` start it at
:func:`recent_start`, so that the retention horizon at write time never drops it.

>>> events = list(DemoPipeline(recommendations=100, seed=7).events())
>>> sum(e["type"] == "recommendation.served" for e in events)
100
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any

START = datetime(2026, 10, 1, tzinfo=UTC)  # of the pipeline built in code (tests)
DAYS = 30
PRODUCER = "https://github.com/graph-lineage/demo"

SOURCES = {
    "clickstream": ("stream", "kafka://events/clicks", "web-platform", True),
    "orders": ("table", "postgres://shop/orders", "commerce", True),
    "catalog": ("table", "postgres://shop/catalog", "merchandising", False),
    "user_profiles": ("table", "postgres://shop/users", "identity", True),
    "search_logs": ("stream", "kafka://events/search", "search", True),
    "inventory": ("api", "https://inventory.internal/v2", "supply", False),
}
# feature -> (sources, parent features, days it is (re)materialized on)
FEATURES = {
    "user_ctr_7d": (["clickstream"], [], [0, 9, 19]),
    "user_purchase_30d": (["orders"], [], [0, 14, 26]),
    "item_popularity_1d": (["clickstream"], [], [0, 7, 15, 24]),
    "item_price": (["catalog", "inventory"], [], [0, 20, 27]),
    "user_age_bucket": (["user_profiles"], [], [0]),
    "query_embedding": (["search_logs"], [], [0, 11, 21]),
    "item_embedding": (["catalog"], [], [0, 10, 20]),
    "user_item_affinity": ([], ["user_ctr_7d", "item_embedding"], [1, 10, 20, 25]),
    "price_sensitivity": ([], ["user_purchase_30d", "item_price"], [1, 15, 21]),
    "session_intent": (["search_logs", "clickstream"], [], [0, 8, 16, 22, 27]),
}
# model -> (features it reads, days a new version is trained, share of traffic)
MODELS = {
    "ranker": (
        ["user_ctr_7d", "item_popularity_1d", "user_item_affinity", "price_sensitivity"],
        [0, 10, 20],
        0.6,
    ),
    "retriever": (["query_embedding", "item_embedding", "session_intent"], [0, 10, 20], 0.25),
    "reranker": (
        ["user_item_affinity", "item_price", "user_age_bucket", "session_intent"],
        [0, 12, 24],
        0.15,
    ),
}
SEGMENTS = (("new", 0.3), ("returning", 0.55), ("power", 0.15))
OUTCOMES = (("click", 0.3), ("add_to_cart", 0.08), ("purchase", 0.04))
# Daily feature statistics: values observed per feature version and day, their null rate.
OBSERVED = 1000
NULL_RATE = 0.012
BIN_EDGES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


@dataclass
class Experiment:
    name: str
    model: str
    control: int  # model version numbers (1-based)
    treatment: int
    start_day: int
    change_day: int | None = None
    stop_day: int | None = None
    salt: str = field(default="")


EXPERIMENTS = (
    Experiment("retriever-v3-ab", "retriever", 2, 3, start_day=21, change_day=25, stop_day=28),
    Experiment("ranker-v3-rollout", "ranker", 2, 3, start_day=22),
)


# Experiment -> outcome kind -> the true lift (at least 1) of its treatment's model version
# over the base rate of OUTCOMES, on every request that version serves; 1 where not named.
EFFECTS: dict[str, dict[str, float]] = {"ranker-v3-rollout": {"click": 1.25}}


def recent_start(today: date | None = None) -> datetime:
    """A start that ends the thirty days yesterday, so the demo is always inside retention."""
    day = today or datetime.now(UTC).date()
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=DAYS + 1)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _bucket(*parts: str) -> float:
    digest = hashlib.blake2b("/".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class DemoPipeline:
    """Generates the events of the demo pipeline in time order."""

    def __init__(
        self,
        recommendations: int,
        seed: int = 42,
        users: int = 2000,
        start: datetime = START,
        effects: Mapping[str, Mapping[str, float]] = EFFECTS,
    ) -> None:
        self.recommendations = recommendations
        self.effects = effects
        self.start = start
        self.seed = seed
        self.users = users
        self.random = random.Random(seed)
        self._ids = 0

    def events(self) -> Iterator[dict[str, Any]]:
        lineage = sorted(self._lineage_events(), key=lambda e: (e["event_time"], e["event_id"]))
        per_day = self._requests_per_day()
        pending = iter(lineage)
        upcoming = next(pending, None)
        for day in range(DAYS):
            day_end = _iso(self.start + timedelta(days=day + 1))
            while upcoming is not None and upcoming["event_time"] < day_end:
                yield upcoming
                upcoming = next(pending, None)
            yield from self._serving_day(day, per_day[day])
        while upcoming is not None:
            yield upcoming
            upcoming = next(pending, None)

    # -- lineage: sources, feature versions, model versions, deployments, experiments --

    def _event(
        self, event_type: str, at: datetime, event_id: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """An event; without ``event_id``, the next of the pipeline's counter."""
        if event_id is None:
            self._ids += 1
            event_id = f"demo-{self.seed}-{self._ids:09d}"
        return {
            "type": event_type,
            "event_id": event_id,
            "event_time": _iso(at),
            "producer": PRODUCER,
            "schema_version": "1.0",
            **fields,
        }

    def _lineage_events(self) -> Iterator[dict[str, Any]]:
        for name, (kind, uri, owner, pii) in SOURCES.items():
            yield self._event(
                "data_source.registered",
                self.start - timedelta(days=30),
                name=name,
                kind=kind,
                uri=uri,
                owner=f"{owner}@shop.example",
                contains_pii=pii,
            )
        yield from self._feature_versions()
        yield from self._models()
        yield from self._experiments()

    def feature_version_on(self, feature: str, day: int) -> str:
        """The uid of the newest version of ``feature`` materialized by ``day``."""
        days = FEATURES[feature][2]
        number = sum(1 for d in days if d <= day)
        return f"feature:{feature}@v{max(number, 1)}"

    def _feature_versions(self) -> Iterator[dict[str, Any]]:
        for feature, (sources, parents, days) in FEATURES.items():
            for number, day in enumerate(days, start=1):
                at = self.start + timedelta(days=day, hours=2)
                derived = [f"source:{s}" for s in sources]
                derived += [self.feature_version_on(p, day) for p in parents]
                yield self._event(
                    "feature_version.materialized",
                    at,
                    feature=feature,
                    version=f"v{number}",
                    schema_hash=_hash("schema", feature, str(1 + number // 3)),
                    transform_hash=_hash("transform", feature, str(number)),
                    derived_from=derived,
                    feature_store="feast://shop",
                    materialized_at=_iso(at),
                    freshness_sla_seconds=_freshness_sla(days),
                    owner=f"{feature.split('_')[0]}-team",
                )

    def model_version_on(self, model: str, day: int) -> int:
        """The number of the newest version of ``model`` trained and deployed by ``day``."""
        return max(1, sum(1 for d in MODELS[model][1] if d + 1 <= day))

    def _models(self) -> Iterator[dict[str, Any]]:
        for model, (features, days, _) in MODELS.items():
            for number, day in enumerate(days, start=1):
                at = self.start + timedelta(days=day, hours=6)
                trained_on = [self.feature_version_on(f, day) for f in features]
                yield self._event(
                    "model_version.trained",
                    at,
                    model=model,
                    version=f"v{number}",
                    trained_on=trained_on,
                    training_window_start=_iso(at - timedelta(days=28)),
                    training_window_end=_iso(at - timedelta(hours=6)),
                    artifact_uri=f"s3://models/{model}/v{number}/model.onnx",
                    artifact_hash=_hash("artifact", model, str(number)),
                    metrics={
                        "ndcg@10": round(0.31 + 0.02 * number, 4),
                        "auc": round(0.74 + 0.015 * number, 4),
                    },
                    owner="ranking-team",
                )
                deployed = self.start + timedelta(days=day + 1)
                yield self._event(
                    "model_version.deployed",
                    deployed,
                    model=model,
                    version=f"v{number}",
                    environment="production",
                    traffic=1.0,
                )
                if number > 1:
                    retired = self._retirement(model, number - 1, deployed + timedelta(hours=1))
                    if retired is not None:
                        yield self._event(
                            "model_version.retired",
                            retired,
                            model=model,
                            version=f"v{number - 1}",
                            environment="production",
                            traffic=0.0,
                        )

    def _retirement(self, model: str, number: int, replaced: datetime) -> datetime | None:
        """An experiment's control version retires when the experiment stops, not before."""
        for experiment in EXPERIMENTS:
            if experiment.model == model and experiment.control == number:
                if experiment.stop_day is None:
                    return None
                return self.start + timedelta(days=experiment.stop_day, hours=2)
        return replaced

    def _experiments(self) -> Iterator[dict[str, Any]]:
        for experiment in EXPERIMENTS:
            experiment.salt = _hash("salt", experiment.name, str(self.seed))[:12]
            shares = [(experiment.start_day, "experiment.started", 0.5)]
            if experiment.change_day is not None:
                shares.append((experiment.change_day, "experiment.changed", 0.8))
            if experiment.stop_day is not None:
                shares.append((experiment.stop_day, "experiment.stopped", 0.8))
            for day, kind, treatment_share in shares:
                yield self._event(
                    kind,
                    self.start + timedelta(days=day, hours=1),
                    experiment=experiment.name,
                    variants=self._variants(experiment, treatment_share),
                    randomization_unit="user",
                    salt=experiment.salt,
                    feature_flags={"explore_boost": day > experiment.start_day},
                    owner="experimentation@shop.example",
                )

    @staticmethod
    def _variants(experiment: Experiment, treatment_share: float) -> list[dict[str, Any]]:
        model = experiment.model
        return [
            {
                "name": "control",
                "traffic_share": round(1 - treatment_share, 4),
                "model_version": f"model:{model}@v{experiment.control}",
            },
            {
                "name": "treatment",
                "traffic_share": treatment_share,
                "model_version": f"model:{model}@v{experiment.treatment}",
            },
        ]

    # -- serving: recommendations, outcomes, feature statistics --

    def _requests_per_day(self) -> list[int]:
        weights = [1.0 + 0.25 * ((day % 7) in (5, 6)) for day in range(DAYS)]
        total = sum(weights)
        counts = [int(self.recommendations * w / total) for w in weights]
        counts[-1] += self.recommendations - sum(counts)
        return counts

    def _serving_day(self, day: int, requests: int) -> Iterator[dict[str, Any]]:
        day_start = self.start + timedelta(days=day)
        offsets = sorted(self.random.random() * 86400 for _ in range(requests))
        for index, offset in enumerate(offsets):
            served_at = day_start + timedelta(seconds=offset)
            yield from self._request(day, index, served_at)
        yield from self._statistics(day)

    def _request(self, day: int, index: int, served_at: datetime) -> Iterator[dict[str, Any]]:
        rnd = self.random
        # Some users come back far more often than others, none dominates: the most active
        # of 2,000 makes 2% of the requests (one draw, like every other field).
        user = f"user-{int(rnd.random() ** 2 * self.users):05d}"
        model = _pick(rnd, [(m, spec[2]) for m, spec in MODELS.items()])
        version, experiment, variant = self._route(model, day, user)
        trained_day = MODELS[model][1][version - 1]  # serving reads what training read
        features = [self.feature_version_on(f, trained_day) for f in MODELS[model][0]]
        request_id = f"req-{self.seed}-{day:02d}-{index:07d}"
        failed = rnd.random() < 0.002
        scores = sorted((round(rnd.random(), 4) for _ in range(10)), reverse=True)
        items = (
            []
            if failed
            else [
                {"item_id": f"sku-{rnd.randrange(500):04d}", "score": score, "position": position}
                for position, score in enumerate(scores)
            ]
        )
        yield self._event(
            "recommendation.served",
            served_at,
            request_id=request_id,
            served_at=_iso(served_at),
            user_id=user,
            segment=_pick(rnd, SEGMENTS),
            cohort=f"2026-W{_week(user)}",
            model_version=f"model:{model}@v{version}",
            feature_versions=features,
            experiment=experiment,
            variant=variant,
            items=items,
            latency_ms=round(rnd.lognormvariate(3.2, 0.4), 2),
            error="upstream timeout: feature store" if failed else None,
        )
        outcomes = list(self._outcomes(request_id, served_at, items))
        yield from outcomes
        yield from self._lifted(request_id, served_at, items, f"model:{model}@v{version}", outcomes)

    def _route(self, model: str, day: int, user: str) -> tuple[int, str | None, str | None]:
        for experiment in EXPERIMENTS:
            stop = experiment.stop_day if experiment.stop_day is not None else DAYS + 1
            if experiment.model != model or not experiment.start_day <= day < stop:
                continue
            changed = experiment.change_day is not None and day >= experiment.change_day
            treated = _bucket(experiment.salt, user) < (0.8 if changed else 0.5)
            version = experiment.treatment if treated else experiment.control
            return version, experiment.name, "treatment" if treated else "control"
        return self.model_version_on(model, day), None, None

    def _outcomes(
        self, request_id: str, served_at: datetime, items: list[dict[str, Any]]
    ) -> Iterator[dict[str, Any]]:
        for kind, rate in OUTCOMES:
            if items and self.random.random() < rate:
                item = items[min(int(self.random.expovariate(0.6)), len(items) - 1)]
                at = served_at + timedelta(seconds=self.random.uniform(2, 900))
                yield self._event(
                    "outcome.observed",
                    at,
                    request_id=request_id,
                    item_id=item["item_id"],
                    kind=kind,
                    value=1.0,
                    observed_at=_iso(at),
                )

    def lift(self, model_version: str, kind: str) -> float:
        """The true lift of ``model_version``'s rate of outcome ``kind`` (:data:`EFFECTS`)."""
        for experiment in EXPERIMENTS:
            if model_version == f"model:{experiment.model}@v{experiment.treatment}":
                return self.effects.get(experiment.name, {}).get(kind, 1.0)
        return 1.0

    def _lifted(
        self,
        request_id: str,
        served_at: datetime,
        items: list[dict[str, Any]],
        model_version: str,
        outcomes: list[dict[str, Any]],
    ) -> Iterator[dict[str, Any]]:
        """The outcomes a true effect adds: drawn apart, with ids of their own, so none shift."""
        had = {outcome["kind"] for outcome in outcomes}
        rnd = random.Random(f"effect/{self.seed}/{request_id}")
        for kind, rate in OUTCOMES:
            extra = (self.lift(model_version, kind) - 1) * rate / (1 - rate)
            if not items or kind in had or extra <= 0 or rnd.random() >= extra:
                continue
            item = items[min(int(rnd.expovariate(0.6)), len(items) - 1)]
            at = served_at + timedelta(seconds=rnd.uniform(2, 900))
            yield self._event(
                "outcome.observed",
                at,
                f"demo-{self.seed}-effect-{request_id}-{kind}",
                request_id=request_id,
                item_id=item["item_id"],
                kind=kind,
                value=1.0,
                observed_at=_iso(at),
            )

    def _statistics(self, day: int) -> Iterator[dict[str, Any]]:
        window_end = self.start + timedelta(days=day + 1)
        for feature in FEATURES:
            version = self.feature_version_on(feature, day)
            yield self._event(
                "feature_statistics.observed",
                window_end - timedelta(seconds=1),
                **self._observed(day, version),
            )

    def _observed(self, day: int, version: str) -> dict[str, Any]:
        return observed_statistics(self.seed, self.start, day, version, version_shares(version))


def version_shares(uid: str) -> tuple[float, ...]:
    """Shares of the five histogram bins of a feature version: each version moves a little."""
    shift = 0.05 * int(uid.rsplit("@v", 1)[1])
    return (0.1, 0.2 + shift, 0.4, 0.2 - shift / 2, 0.1)


def observed_statistics(
    seed: int,
    start: datetime,
    day: int,
    version: str,
    shares: tuple[float, ...],
    null_share: float | None = None,
) -> dict[str, Any]:
    """A day's statistics of ``version``: a sample of OBSERVED values over ``shares``' bins.

    About 1.2% of the values are null, or ``null_share`` of them exactly. The sample has a
    generator of its own, so the pipeline's stream is the same whatever the statistics are.
    """
    window_start = start + timedelta(days=day)
    rnd = random.Random(f"statistics/{seed}/{day}/{version}")
    nulls = (
        sum(rnd.random() < NULL_RATE for _ in range(OBSERVED))
        if null_share is None
        else round(OBSERVED * null_share)
    )
    drawn = Counter(rnd.choices(range(len(shares)), weights=shares, k=OBSERVED - nulls))
    return {
        "feature_version": version,
        "window_start": _iso(window_start),
        "window_end": _iso(window_start + timedelta(days=1)),
        "count": OBSERVED,
        "nulls": nulls,
        "histogram": {"edges": list(BIN_EDGES), "counts": [drawn[b] for b in range(len(shares))]},
    }


def _pick(rnd: random.Random, weighted: Any) -> Any:
    names, weights = zip(*weighted, strict=True)
    return rnd.choices(names, weights=weights)[0]


def _hash(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:16]


def _freshness_sla(days: list[int]) -> int:
    """Seconds: the longest gap between two materializations, plus a day of slack."""
    gaps = [b - a for a, b in zip(days, [*days[1:], DAYS], strict=True)]
    return (max(gaps) + 1) * 86400


def _week(user: str) -> int:
    return 27 + int(_bucket("cohort", user) * 12)


def write_ndjson(events: Iterable[dict[str, Any]], output: IO[str]) -> int:
    """Write events one JSON object a line; return how many."""
    count = 0
    for event in events:
        output.write(json.dumps(event, separators=(",", ":")) + "\n")
        count += 1
    return count
