"""The demo's experiments: a true effect where it says, faults where it says, nothing else."""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scipy.stats import binomtest, chisquare
from statsmodels.stats.proportion import proportions_ztest

from graph_lineage.cli import main
from graph_lineage.demo import DAYS, START, DemoPipeline, _iso, recent_start, write_ndjson
from graph_lineage.demo_faults import Faults, FaultyDemoPipeline
from graph_lineage.events import parse_event

pytestmark = pytest.mark.unit

Events = list[dict[str, Any]]
RECOMMENDATIONS = 20_000
ROLLOUT = "ranker-v3-rollout"
V3 = "model:ranker@v3"


@dataclass
class Tally:
    """Requests served per model version, and those with an outcome of each kind."""

    requests: Counter[str]
    with_outcome: dict[str, Counter[str]]

    def rate(self, kind: str, versions: set[str]) -> tuple[int, int]:
        hits = sum(self.with_outcome[kind][v] for v in versions)
        return hits, sum(self.requests[v] for v in versions)


def _tally(events: Events, key: str = "model_version") -> Tally:
    served = {e["request_id"]: e for e in events if e["type"] == "recommendation.served"}
    seen = {(e["request_id"], e["kind"]) for e in events if e["type"] == "outcome.observed"}
    with_outcome: dict[str, Counter[str]] = defaultdict(Counter)
    for request, kind in seen:
        with_outcome[kind][served[request][key]] += 1
    return Tally(Counter(e[key] for e in served.values()), with_outcome)


@pytest.fixture(scope="module")
def clean() -> Events:
    return list(DemoPipeline(RECOMMENDATIONS, seed=42).events())


def _served(events: Events) -> dict[str, dict[str, Any]]:
    return {e["request_id"]: e for e in events if e["type"] == "recommendation.served"}


def _day(moment: str) -> int:
    return (datetime.fromisoformat(moment) - START).days


def test_ranker_v3_clicks_at_its_true_lift_and_buys_at_the_base_rate(clean: Events) -> None:
    truth = FaultyDemoPipeline(10).ground_truth()["experiments"]["effects"]
    effect = truth[f"experiment:{ROLLOUT}"]
    assert effect["lift"] == {"click": 1.25, "add_to_cart": 1.0, "purchase": 1.0}
    assert effect["treatment_model_version"] == V3
    assert effect["treatment"] == f"variant:{ROLLOUT}/treatment"
    assert set(truth["experiment:retriever-v3-ab"]["lift"].values()) == {1.0}

    tally = _tally(clean)
    others = set(tally.requests) - {V3}
    for kind, base in effect["base_rate"].items():
        k, n = tally.rate(kind, {V3})
        assert n > 1500
        assert binomtest(k, n, base * effect["lift"][kind]).pvalue > 0.001, kind
        k_other, n_other = tally.rate(kind, others)
        assert binomtest(k_other, n_other, base).pvalue > 0.001, kind
    clicks, n = tally.rate("click", {V3})
    assert binomtest(clicks, n, 0.3).pvalue < 1e-6  # the lift is there, not noise
    ratio = (clicks / n) / (tally.rate("click", others)[0] / tally.rate("click", others)[1])
    assert 1.15 < ratio < 1.35


def test_in_the_experiment_treatment_beats_control_on_clicks_only(clean: Events) -> None:
    arms = {r: e for r, e in _served(clean).items() if e["experiment"] == ROLLOUT}
    outcomes = [e for e in clean if e["type"] == "outcome.observed" and e["request_id"] in arms]
    tally = _tally([*arms.values(), *outcomes], key="variant")
    p_values = {}
    for kind in ("click", "add_to_cart", "purchase"):
        counts = [tally.with_outcome[kind][v] for v in ("treatment", "control")]
        sizes = [tally.requests[v] for v in ("treatment", "control")]
        _, p_values[kind] = proportions_ztest(counts, sizes)
    assert p_values["click"] < 0.001
    assert p_values["add_to_cart"] > 0.001 and p_values["purchase"] > 0.001


def test_the_effect_adds_clicks_to_ranker_v3_and_changes_nothing_else() -> None:
    with_effect = list(DemoPipeline(4000, seed=42).events())
    without = list(DemoPipeline(4000, seed=42, effects={}).events())
    served = _served(without)

    added = [e for e in with_effect if "effect" in e["event_id"]]
    kept, plain = io.StringIO(), io.StringIO()
    write_ndjson((e for e in with_effect if "effect" not in e["event_id"]), kept)
    write_ndjson(without, plain)
    assert kept.getvalue() == plain.getvalue()

    clicked = {e["request_id"] for e in without if e.get("kind") == "click"}
    eligible = {r for r, e in served.items() if e["model_version"] == V3 and e["items"]}
    assert {e["kind"] for e in added} == {"click"}
    assert {e["request_id"] for e in added} <= eligible - clicked
    for event in added:
        items = {item["item_id"] for item in served[event["request_id"]]["items"]}
        assert (
            event["item_id"] in items
            and event["event_time"] > served[event["request_id"]]["event_time"]
        )
        parse_event(event)
    assert len({e["event_id"] for e in with_effect}) == len(with_effect)
    expected = 0.25 * 0.3 / 0.7  # the chance a request without a click gets one
    assert binomtest(len(added), len(eligible - clicked), expected).pvalue > 0.001


def test_weekend_clicks_scale_the_lifted_rate_too() -> None:
    events = list(FaultyDemoPipeline(RECOMMENDATIONS, faults=Faults(weekly_seasonality=1)).events())
    clicked = {e["request_id"] for e in events if e.get("kind") == "click"}
    tally: dict[bool, list[bool]] = defaultdict(list)
    for request, event in _served(events).items():
        if event["model_version"] == V3:
            weekend = datetime.fromisoformat(event["served_at"]).weekday() in (5, 6)
            tally[weekend].append(request in clicked)
    weekday, weekend = (sum(tally[w]) / len(tally[w]) for w in (False, True))
    assert weekday == pytest.approx(0.375, abs=0.04)
    assert weekend == pytest.approx(1.8 * 0.375, abs=0.07)  # 1.8 times the lifted rate


@pytest.fixture(scope="module")
def srm() -> tuple[FaultyDemoPipeline, Events]:
    pipeline = FaultyDemoPipeline(RECOMMENDATIONS, seed=42, faults=Faults(experiment_srm=1))
    return pipeline, list(pipeline.events())


def test_a_sample_ratio_mismatch_drops_a_share_of_the_treatment_users(
    clean: Events, srm: tuple[FaultyDemoPipeline, Events]
) -> None:
    pipeline, events = srm
    (truth,) = pipeline.ground_truth()["experiments"]["experiment_srm"]
    assert truth["experiment"] == f"experiment:{ROLLOUT}"
    assert truth["variant"] == f"variant:{ROLLOUT}/treatment"
    assert pipeline.injected["experiment_srm"] == {truth["variant"]}

    kept = _served(events)
    dropped = {r: e for r, e in _served(clean).items() if r not in kept}
    assert {(e["experiment"], e["variant"]) for e in dropped.values()} == {(ROLLOUT, "treatment")}
    assert [e for e in clean if e.get("request_id") not in dropped] == events  # nothing else
    lost = {e["user_id"] for e in dropped.values()}
    assert not any(
        e["user_id"] in lost and e["variant"] == "treatment" and e["experiment"] == ROLLOUT
        for e in kept.values()
    )
    assert truth["dropped_requests"] == len(dropped) and truth["dropped_users"] == len(lost)

    def users(served: dict[str, dict[str, Any]], variant: str) -> set[str]:
        return {
            e["user_id"]
            for e in served.values()
            if e["experiment"] == ROLLOUT and e["variant"] == variant
        }

    treated = users(_served(clean), "treatment")
    assert users(kept, "control") == users(_served(clean), "control")
    assert binomtest(len(lost), len(treated), truth["dropped_share"]).pvalue > 0.001
    assert chisquare([len(users(kept, "control")), len(users(kept, "treatment"))]).pvalue < 0.01
    assert chisquare([len(users(_served(clean), v)) for v in ("control", "treatment")]).pvalue > 0.1


@pytest.fixture(scope="module")
def switch() -> tuple[FaultyDemoPipeline, Events]:
    pipeline = FaultyDemoPipeline(RECOMMENDATIONS, seed=42, faults=Faults(arm_feature_switch=1))
    return pipeline, list(pipeline.events())


def test_a_feature_switch_serves_a_hotfix_to_half_the_treatment_after_the_onset(
    clean: Events, switch: tuple[FaultyDemoPipeline, Events]
) -> None:
    pipeline, events = switch
    (truth,) = pipeline.ground_truth()["experiments"]["arm_feature_switch"]
    hotfix, old, onset = truth["feature_version"], truth["replaces"], truth["onset_day"]
    assert (hotfix, old) == ("feature:user_ctr_7d@v3-hotfix", "feature:user_ctr_7d@v3")
    assert truth["onset"] == _iso(START + timedelta(days=onset)) and 24 <= onset <= 27
    trained = next(
        e
        for e in events
        if e["type"] == "model_version.trained" and e["version"] == "v3" and e["model"] == "ranker"
    )
    assert old in trained["trained_on"]

    clean_by_id = {e["event_id"]: e for e in clean}
    added = [e for e in events if e["event_id"] not in clean_by_id]
    (materialized,) = added
    assert (
        materialized["type"] == "feature_version.materialized"
        and "fault" in materialized["event_id"]
    )
    assert f"feature:{materialized['feature']}@{materialized['version']}" == hotfix
    assert materialized["event_time"] == truth["materialized_at"]
    assert materialized["event_time"] == _iso(START + timedelta(days=onset, hours=-2))
    (original,) = [
        e
        for e in clean
        if e["type"] == "feature_version.materialized"
        and f"feature:{e['feature']}@{e['version']}" == old
    ]
    assert materialized["derived_from"] == original["derived_from"] == ["source:clickstream"]
    parse_event(materialized)

    clean_served = _served(clean)
    switched = set()
    eligible = 0
    for request, event in _served(events).items():
        before = clean_served[request]
        if event != before:
            assert {k for k in event if event[k] != before[k]} == {"feature_versions"}
            assert event["feature_versions"] == [
                hotfix if uid == old else uid for uid in before["feature_versions"]
            ]
            switched.add(request)
        in_arm = before["experiment"] == ROLLOUT and before["variant"] == "treatment"
        eligible += in_arm and _day(before["served_at"]) >= onset
        assert request not in switched or (in_arm and _day(before["served_at"]) >= onset)
    assert truth["requests"] == len(switched) > 0
    assert pipeline.affected["arm_feature_switch"] == {f"rec:{r}" for r in switched}
    assert binomtest(len(switched), eligible, truth["share"]).pvalue > 0.001
    kept = {e["event_id"]: e for e in events}
    assert all(kept[i] == e for i, e in clean_by_id.items() if e["type"] != "recommendation.served")


@pytest.mark.parametrize("seed", range(6))
def test_the_switch_day_is_chosen_in_the_experiment_and_repeats(seed: int) -> None:
    faults = Faults(experiment_srm=1, arm_feature_switch=1)
    truth = FaultyDemoPipeline(10, seed=seed, faults=faults).ground_truth()["experiments"]
    again = FaultyDemoPipeline(10, seed=seed, faults=faults).ground_truth()["experiments"]

    assert truth == again
    (switched,) = truth["arm_feature_switch"]
    assert switched["onset_day"] in range(24, 28) and switched["onset_day"] < DAYS
    json.dumps(truth)


def test_experiment_faults_keep_the_other_faults_where_they_were() -> None:
    faults = Faults(version_skew=8, experiment_mismatch=6, orphan=6, declaration_change=1)
    alone = FaultyDemoPipeline(4000, seed=42, faults=faults)
    both = FaultyDemoPipeline(
        4000,
        seed=42,
        faults=Faults(**{**faults.counts(), "experiment_srm": 1, "arm_feature_switch": 1}),
    )
    list(alone.events())
    for raw in both.events():
        parse_event(raw)

    injected = both.ground_truth()["injected"]
    assert {k: v for k, v in injected.items() if k in faults.counts() and faults.counts()[k]} == {
        k: v for k, v in alone.ground_truth()["injected"].items() if faults.counts()[k]
    }


def test_more_than_one_experiment_fault_of_a_kind_is_refused() -> None:
    for kind in ("experiment_srm", "arm_feature_switch"):
        with pytest.raises(ValueError, match=f"{kind} is 0 or 1"):
            Faults.parse([f"{kind}=2"])


def test_demo_data_writes_the_experiments_into_the_ground_truth(tmp_path: Path) -> None:
    truth_file, events_file = tmp_path / "truth.json", tmp_path / "events.ndjson"

    code = main(
        [
            "demo-data",
            "--recommendations",
            "2000",
            "--inject",
            "experiment_srm=1",
            "--output",
            str(events_file),
            "--injected-out",
            str(truth_file),
        ]
    )

    assert code == 0
    experiments = json.loads(truth_file.read_text())["experiments"]
    assert experiments["effects"][f"experiment:{ROLLOUT}"]["lift"]["click"] == 1.25
    assert experiments["arm_feature_switch"] == []
    (srm_truth,) = experiments["experiment_srm"]
    written = [json.loads(line) for line in events_file.read_text().splitlines()]

    def treated(events: Events) -> int:
        return sum(
            e["type"] == "recommendation.served"
            and e["experiment"] == ROLLOUT
            and e["variant"] == "treatment"
            for e in events
        )

    clean = list(DemoPipeline(2000, seed=42, start=recent_start()).events())
    assert srm_truth["dropped_requests"] == treated(clean) - treated(written) > 0


def test_demo_data_refuses_a_second_sample_ratio_mismatch(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["demo-data", "--inject", "experiment_srm=2"])

    assert exit_.value.code == 2
    assert "experiment_srm is 0 or 1" in capsys.readouterr().err
