"""Drift in the demo pipeline: where and when it starts is known, and nothing else changes."""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from graph_lineage.cli import main
from graph_lineage.demo import (
    DAYS,
    FEATURES,
    NULL_RATE,
    OBSERVED,
    SOURCES,
    START,
    DemoPipeline,
    _iso,
    recent_start,
    version_shares,
)
from graph_lineage.demo_drift import DRIFT_KINDS
from graph_lineage.demo_faults import FAULT_KINDS, Faults, FaultyDemoPipeline
from graph_lineage.events import parse_event

pytestmark = pytest.mark.unit

Events = list[dict[str, Any]]


def _statistics(events: Events) -> dict[tuple[str, str], dict[str, Any]]:
    """(feature version, window start) -> its statistics event."""
    return {
        (e["feature_version"], e["window_start"]): e
        for e in events
        if e["type"] == "feature_statistics.observed"
    }


def test_clean_statistics_are_a_daily_sample_of_each_versions_shares() -> None:
    statistics = _statistics(list(DemoPipeline(200, seed=3).events()))
    per_version: dict[str, list[list[int]]] = defaultdict(list)
    for event in statistics.values():
        counts = event["histogram"]["counts"]
        assert event["count"] == OBSERVED == sum(counts) + event["nulls"]
        per_version[event["feature_version"]].append(counts)

    for event in statistics.values():  # each day is near its version's shares, none shifted
        shares = version_shares(event["feature_version"])
        assert _psi(_shares(list(shares)), _shares(event["histogram"]["counts"])) < 0.03
    nulls = [e["nulls"] / e["count"] for e in statistics.values()]
    assert abs(sum(nulls) / len(nulls) - NULL_RATE) < 0.002
    assert len(statistics) == 30 * len(FEATURES)
    v1, v5 = per_version["feature:session_intent@v1"], per_version["feature:session_intent@v5"]
    assert len({tuple(c) for c in v1}) == len(v1) > 1  # no two days alike
    share = [sum(c[1] for c in days) / sum(map(sum, days)) for days in (v1, v5)]
    assert share[0] == pytest.approx(0.25 / 1.025, abs=0.01)  # the bin shares move per version
    assert share[1] == pytest.approx(0.45 / 1.125, abs=0.02)


EVERY_DRIFT = Faults(
    source_shift=1, feature_migration=1, new_cohort=1, weekly_seasonality=1, null_spike=1
)
RECOMMENDATIONS = 20_000


@dataclass
class Run:
    pipeline: FaultyDemoPipeline
    events: Events
    clean: Events

    def truth(self, kind: str) -> dict[str, Any]:
        (instance,) = self.pipeline.ground_truth()["drift"][kind]
        return instance

    def served(self, events: Events | None = None) -> dict[str, dict[str, Any]]:
        return {
            e["request_id"]: e
            for e in (self.events if events is None else events)
            if e["type"] == "recommendation.served"
        }


@pytest.fixture(scope="module")
def run() -> Run:
    pipeline = FaultyDemoPipeline(RECOMMENDATIONS, seed=42, faults=EVERY_DRIFT)
    events = list(pipeline.events())
    return Run(pipeline, events, list(DemoPipeline(RECOMMENDATIONS, seed=42).events()))


def _day(moment: str) -> int:
    return (datetime.fromisoformat(moment) - START).days


def _shares(counts: list[int]) -> list[float]:
    return [c / sum(counts) for c in counts]


def _pooled(events: Iterable[dict[str, Any]]) -> list[float]:
    return _shares([sum(c) for c in zip(*(e["histogram"]["counts"] for e in events), strict=True)])


def _psi(reference: list[float], current: list[float]) -> float:
    return sum((c - r) * math.log(c / r) for r, c in zip(reference, current, strict=True))


def _wasserstein_in_spreads(reference: list[float], current: list[float]) -> float:
    centres = [0.1, 0.3, 0.5, 0.7, 0.9]
    mean = sum(p * x for p, x in zip(reference, centres, strict=True))
    spread = math.sqrt(sum(p * (x - mean) ** 2 for p, x in zip(reference, centres, strict=True)))
    gaps = itertools.accumulate(c - r for r, c in zip(reference, current, strict=True))
    return sum(abs(gap) * 0.2 for gap in gaps) / spread


def test_events_drift_does_not_touch_are_those_of_the_clean_demo(run: Run) -> None:
    clean = {e["event_id"]: e for e in run.clean}
    truth = run.pipeline.ground_truth()["drift"]
    shift, spike = truth["source_shift"][0], truth["null_spike"][0]
    migration = truth["feature_migration"][0]

    changed = [e for e in run.events if e["event_id"] in clean and e != clean[e["event_id"]]]
    added = [e for e in run.events if e["event_id"] not in clean]

    def drifted(event: dict[str, Any]) -> bool:
        if event["type"] == "recommendation.served":
            return event["cohort"] == "2026-W48" or migration["cause"] in event["feature_versions"]
        day, version = _day(event["window_start"]), event["feature_version"]
        shifted = version in shift["shifted_versions"] and day >= shift["onset_day"]
        spiking = version == spike["cause"] and spike["onset_day"] <= day < spike["end_day"]
        return shifted or spiking

    expected = [e for e in run.events if e["event_id"] in clean and "window_start" in e]
    expected = [e for e in expected if drifted(e)]
    expected += [e for e in run.served().values() if drifted(e)]
    assert sorted(e["event_id"] for e in changed) == sorted(e["event_id"] for e in expected)
    assert all(drifted(e) for e in changed)
    assert all("fault" in e["event_id"] for e in added)
    kinds = Counter(e["type"] for e in added)
    assert kinds.pop("outcome.observed") > 500  # the weekend clicks
    assert kinds == {
        "data_source.registered": 1,
        "feature_version.materialized": 1,
        "feature_statistics.observed": DAYS - migration["onset_day"],
    }
    assert [e["event_id"] for e in run.events if e["event_id"] in clean] == [
        e["event_id"] for e in run.clean
    ]
    for raw in added + changed:
        parse_event(raw)


def test_a_source_shift_changes_the_source_and_moves_its_features_from_the_onset(
    run: Run,
) -> None:
    truth = run.truth("source_shift")
    onset, source = truth["onset_day"], truth["cause"].removeprefix("source:")
    (changed,) = [
        e for e in run.events if e["type"] == "data_source.registered" and "fault" in e["event_id"]
    ]
    assert changed["name"] == source and changed["uri"] == truth["uri"] != SOURCES[source][1]
    assert changed["event_time"] == _iso(START + timedelta(days=onset, minutes=30))
    direct = {f for f, (sources, _, _) in FEATURES.items() if source in sources}
    assert len(direct) >= 2
    assert {
        s.split("|")[1].split("@")[0].removeprefix("feature:") for s in truth["signals"]
    } == direct
    statistics = _statistics(run.events)
    clean = _statistics(run.clean)
    for signal in truth["signals"]:
        kind, version = signal.split("|")
        assert kind == "feature_distribution"
        days = {_day(start): e for (v, start), e in statistics.items() if v == version}
        before = [e for day, e in days.items() if day < onset]
        assert before and all(clean[(version, e["window_start"])] == e for e in before)
        reference = _pooled(before)
        for day, event in days.items():
            if day >= onset:
                current = _shares(event["histogram"]["counts"])
                assert _psi(reference, current) > 1.0
                assert _wasserstein_in_spreads(reference, current) > 0.5
    spiked = run.truth("null_spike")["cause"]
    for (version, start), event in clean.items():
        feature = version.removeprefix("feature:").split("@")[0]
        if version != spiked and (feature not in direct or _day(start) < onset):
            assert statistics[(version, start)] == event  # derived features are left alone


def test_a_feature_migration_serves_a_new_version_to_40_percent_of_ranker_v2(run: Run) -> None:
    truth = run.truth("feature_migration")
    onset, new, old = truth["onset_day"], truth["cause"], truth["replaces"]
    assert truth["signals"] == ["score_distribution|model:ranker@v2"] and truth["share"] == 0.4
    materialized = {
        f"feature:{e['feature']}@{e['version']}": e
        for e in run.events
        if e["type"] == "feature_version.materialized"
    }
    assert new not in {e.get("feature_version") for e in run.clean} | {
        f"feature:{e['feature']}@{e['version']}"
        for e in run.clean
        if e["type"] == "feature_version.materialized"
    }
    assert materialized[new]["derived_from"] == materialized[old]["derived_from"]
    assert materialized[new]["transform_hash"] != materialized[old]["transform_hash"]
    assert materialized[new]["event_time"] == _iso(START + timedelta(days=onset, hours=2))

    clean = run.served(run.clean)
    per_day: dict[int, list[bool]] = defaultdict(list)
    for request, event in run.served().items():
        migrated = new in event["feature_versions"]
        scores = [item["score"] for item in event["items"]]
        clean_scores = [item["score"] for item in clean[request]["items"]]
        if migrated:
            assert scores == [round(0.5 + 0.5 * s, 4) for s in clean_scores]
            assert event["feature_versions"] == [
                new if uid == old else uid for uid in clean[request]["feature_versions"]
            ]
        else:
            assert scores == clean_scores
        if event["model_version"] == "model:ranker@v2":
            per_day[_day(event["served_at"])].append(migrated)
        else:
            assert not migrated
    assert all(not any(per_day[day]) for day in range(onset))
    after = [m for day in range(onset, DAYS) for m in per_day[day]]
    assert 0.37 < sum(after) / len(after) < 0.43
    assert all(
        0.25 < sum(per_day[d]) / len(per_day[d]) < 0.55
        for d in per_day
        if d >= onset and per_day[d]
    )

    statistics = {k: e for k, e in _statistics(run.events).items() if k[0] in (new, old)}
    days = sorted(_day(start) for version, start in statistics if version == new)
    assert days == list(range(onset, DAYS))
    ours = _pooled(e for (v, _), e in statistics.items() if v == new)
    theirs = _pooled(e for (v, _), e in statistics.items() if v == old)
    assert _psi(theirs, ours) > 0.25


def test_a_new_cohort_of_new_users_is_a_quarter_of_the_requests_from_the_onset(run: Run) -> None:
    truth = run.truth("new_cohort")
    onset, cohort = truth["onset_day"], truth["cause"].removeprefix("cohort:")
    assert cohort == "2026-W48" and truth["share"] == 0.25
    clean = run.served(run.clean)
    clean_users = {e["user_id"] for e in clean.values()}
    assert cohort not in {e["cohort"] for e in clean.values()}

    per_day: dict[int, list[bool]] = defaultdict(list)
    for request, event in run.served().items():
        new = event["cohort"] == cohort
        per_day[_day(event["served_at"])].append(new)
        if new:
            assert event["user_id"] not in clean_users
            moved = ("cohort", "user_id", "items", "feature_versions")  # also migrated, maybe
            others = {k: v for k, v in event.items() if k not in moved}
            assert others == {k: v for k, v in clean[request].items() if k not in moved}
        else:
            assert event["user_id"] == clean[request]["user_id"]
    assert not any(m for day in range(onset) for m in per_day[day])
    after = [m for day in range(onset, DAYS) for m in per_day[day]]
    assert 0.23 < sum(after) / len(after) < 0.27
    assert all(0.17 < sum(per_day[d]) / len(per_day[d]) < 0.33 for d in range(onset, DAYS))


def _click_rates(events: Events, start: datetime = START) -> dict[str, tuple[float, float]]:
    """Model -> (weekend, weekday) click rate per recommendation served."""
    served = {e["request_id"]: e for e in events if e["type"] == "recommendation.served"}
    clicks = Counter(
        e["request_id"] for e in events if e["type"] == "outcome.observed" and e["kind"] == "click"
    )
    tally: dict[tuple[str, bool], list[int]] = defaultdict(lambda: [0, 0])
    for request, event in served.items():
        model = event["model_version"].split("@")[0]
        weekend = datetime.fromisoformat(event["served_at"]).weekday() in (5, 6)
        tally[(model, weekend)][0] += clicks[request]
        tally[(model, weekend)][1] += 1
    rates = {key: clicked / requests for key, (clicked, requests) in tally.items()}
    return {model: (rates[(model, True)], rates[(model, False)]) for model, _ in tally}


def test_weekend_clicks_are_1_8_times_the_weekday_ones_every_week(run: Run) -> None:
    truth = run.truth("weekly_seasonality")
    assert (
        truth["weekdays"] == [5, 6] and truth["factor"] == 1.8 and truth["cause"] == "seasonality"
    )
    weekend = [d for d in range(DAYS) if (START + timedelta(days=d)).weekday() in (5, 6)]
    assert truth["weekend_days"] == weekend and truth["onset_day"] == weekend[0]
    served_on_weekends = {
        e["model_version"]
        for e in run.events
        if e["type"] == "recommendation.served" and _day(e["served_at"]) in weekend
    }
    assert truth["signals"] == sorted(f"outcome_rate|{m}|click" for m in served_on_weekends)

    for model, (on_weekends, on_weekdays) in _click_rates(run.events).items():
        assert 1.6 <= on_weekends / on_weekdays <= 2.0, model
    for model, (on_weekends, on_weekdays) in _click_rates(run.clean).items():
        assert 0.85 <= on_weekends / on_weekdays <= 1.15, model


def test_a_null_spike_is_30_percent_nulls_on_exactly_three_days(run: Run) -> None:
    truth = run.truth("null_spike")
    onset, version = truth["onset_day"], truth["cause"]
    assert truth["signals"] == [f"feature_nulls|{version}"] and truth["end_day"] == onset + 3
    assert truth["end"] == _iso(START + timedelta(days=onset + 3))
    days = {_day(start): e for (v, start), e in _statistics(run.events).items() if v == version}
    assert {onset - 1, onset, onset + 1, onset + 2} <= set(days)
    for day, event in days.items():
        assert event["count"] == 1000 == event["nulls"] + sum(event["histogram"]["counts"])
        assert (event["nulls"] == 300) == (onset <= day < onset + 3)
        assert event["nulls"] < 50 or onset <= day < onset + 3
    served = {
        _day(e["served_at"])
        for e in run.events
        if e["type"] == "recommendation.served" and version in e["feature_versions"]
    }
    assert set(range(onset, onset + 3)) <= served


@pytest.mark.parametrize("seed", range(8))
def test_onsets_are_chosen_in_their_ranges_and_repeat_with_the_seed(seed: int) -> None:
    faults = Faults(
        source_shift=2, feature_migration=4, new_cohort=2, weekly_seasonality=1, null_spike=3
    )
    truth = FaultyDemoPipeline(100, seed=seed, faults=faults).ground_truth()["drift"]

    assert truth == FaultyDemoPipeline(100, seed=seed, faults=faults).ground_truth()["drift"]
    ranges = {
        "source_shift": range(14, 25),
        "feature_migration": range(14, 20),
        "new_cohort": range(14, 25),
        "null_spike": range(14, 25),
    }
    for kind, days in ranges.items():
        instances = truth[kind]
        assert len(instances) == faults.counts()[kind]
        assert len({i["cause"] for i in instances}) == len(instances)
        for instance in instances:
            assert instance["onset_day"] in days
            assert instance["onset"] == _iso(START + timedelta(days=instance["onset_day"]))
    assert {i["cause"] for i in truth["new_cohort"]} == {"cohort:2026-W48", "cohort:2026-W49"}
    signals = [set(i["signals"]) for i in truth["source_shift"]]
    assert not signals[0] & signals[1]
    json.dumps(truth)


def test_more_drift_than_places_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="only 2 source places"):
        FaultyDemoPipeline(100, faults=Faults(source_shift=3))
    with pytest.raises(ValueError, match="only 4 ranker feature places"):
        FaultyDemoPipeline(100, faults=Faults(feature_migration=5))
    with pytest.raises(ValueError, match="only 2 cohort places"):
        FaultyDemoPipeline(100, faults=Faults(new_cohort=3))
    with pytest.raises(
        ValueError, match=r"cannot inject 99 null_spike: only \d+ feature version places"
    ):
        FaultyDemoPipeline(100, faults=Faults(null_spike=99))
    with pytest.raises(ValueError, match="weekly_seasonality is 0 or 1"):
        Faults.parse(["weekly_seasonality=2"])


def test_demo_data_refuses_a_second_seasonality(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["demo-data", "--inject", "weekly_seasonality=2"])

    assert exit_.value.code == 2
    assert "weekly_seasonality is 0 or 1" in capsys.readouterr().err


def test_demo_data_writes_the_drift_into_the_ground_truth(tmp_path: Path) -> None:
    truth = tmp_path / "truth.json"

    code = main(
        [
            "demo-data",
            "--recommendations",
            "300",
            "--inject",
            "new_cohort=1",
            "--output",
            str(tmp_path / "events.ndjson"),
            "--injected-out",
            str(truth),
        ]
    )

    assert code == 0
    ground = json.loads(truth.read_text())
    assert ground["faults"]["new_cohort"] == 1 and set(ground["injected"]) == set(
        FAULT_KINDS
    ) - set(DRIFT_KINDS)
    (cohort,) = ground["drift"]["new_cohort"]
    assert cohort["cause"] == "cohort:2026-W48"
    assert cohort["onset"] == _iso(recent_start() + timedelta(days=cohort["onset_day"]))
    assert all(ground["drift"][kind] == [] for kind in DRIFT_KINDS if kind != "new_cohort")


def test_drift_and_faults_together_leave_the_faults_where_they_were() -> None:
    faults = Faults(
        missing_ancestry=3, orphan=10, version_skew=8, stale_feature=3, declaration_change=2
    )
    both = Faults(**{kind: faults.counts()[kind] or n for kind, n in EVERY_DRIFT.counts().items()})
    faulty = FaultyDemoPipeline(4000, seed=42, faults=faults)
    drifting = FaultyDemoPipeline(4000, seed=42, faults=both)
    list(faulty.events())
    events = list(drifting.events())

    truth = drifting.ground_truth()
    assert truth["injected"] == faulty.ground_truth()["injected"]
    assert len(truth["injected"]["version_skew"]) == 8
    assert all(len(truth["drift"][kind]) == 1 for kind in DRIFT_KINDS)
    for raw in events:
        parse_event(raw)


def test_demo_data_help_lists_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["demo-data", "--help"])

    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert all(kind in text for kind in FAULT_KINDS)
    assert "40% of ranker v2's requests" in text
