"""Faults in the demo pipeline: where they go is known, and nothing else changes."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from graph_lineage.cli import main
from graph_lineage.demo import START, DemoPipeline, recent_start, write_ndjson
from graph_lineage.demo_drift import DRIFT_KINDS
from graph_lineage.demo_faults import FAULT_KINDS, STALE_SLA_SECONDS, Faults, FaultyDemoPipeline
from graph_lineage.events import parse_event

EVERY_FAULT = Faults(
    missing_ancestry=3,
    orphan=10,
    version_skew=8,
    unknown_model=5,
    retired_model=6,
    stale_feature=3,
    experiment_mismatch=7,
    declaration_change=2,
    incomplete_ancestry=6,
)
PER_RECOMMENDATION = (
    "orphan",
    "version_skew",
    "unknown_model",
    "retired_model",
    "experiment_mismatch",
    "incomplete_ancestry",
)


Events = list[dict[str, Any]]


def _run(
    faults: Faults, recommendations: int = 4000, seed: int = 42, start: datetime = START
) -> tuple[FaultyDemoPipeline, Events]:
    pipeline = FaultyDemoPipeline(recommendations, seed=seed, faults=faults, start=start)
    return pipeline, list(pipeline.events())


def test_without_faults_the_output_is_the_clean_demo_byte_for_byte() -> None:
    clean, same = io.StringIO(), io.StringIO()
    write_ndjson(DemoPipeline(3000, seed=5).events(), clean)
    write_ndjson(FaultyDemoPipeline(3000, seed=5).events(), same)

    assert same.getvalue() == clean.getvalue()


def test_every_kind_is_injected_as_often_as_asked_and_the_events_stay_valid() -> None:
    pipeline, events = _run(EVERY_FAULT)

    counts = {k: c for k, c in EVERY_FAULT.counts().items() if k not in DRIFT_KINDS}
    assert {k: len(v) for k, v in pipeline.injected.items()} == counts
    for kind in PER_RECOMMENDATION:
        assert pipeline.affected[kind] == pipeline.injected[kind]
    for kind in ("missing_ancestry", "stale_feature", "declaration_change"):
        assert pipeline.affected[kind], kind
    for raw in events:
        parse_event(raw)


def test_the_same_seed_puts_the_same_faults_in_the_same_places() -> None:
    (first, events), (again, same), (other, _) = (
        _run(EVERY_FAULT),
        _run(EVERY_FAULT),
        _run(EVERY_FAULT, seed=43),
    )

    assert events == same
    assert first.ground_truth() == again.ground_truth()
    assert first.injected["version_skew"] != other.injected["version_skew"]


def test_events_faults_do_not_touch_are_those_of_the_clean_demo() -> None:
    clean = {e["event_id"]: e for e in DemoPipeline(4000, seed=42).events()}
    pipeline, events = _run(EVERY_FAULT)

    changed = {
        e["event_id"] for e in events if e["event_id"] in clean and e != clean[e["event_id"]]
    }
    added = {e["event_id"] for e in events if e["event_id"] not in clean}
    served = {f"rec:{e['request_id']}": e["event_id"] for e in events if "served_at" in e}
    altered_recommendations = set().union(
        *(pipeline.injected[kind] for kind in PER_RECOMMENDATION),
        pipeline.affected["declaration_change"],
    )
    lineage = {
        e["event_id"]
        for e in events
        if e["type"] == "feature_version.materialized"
        and f"feature:{e['feature']}@{e['version']}"
        in pipeline.injected["missing_ancestry"] | pipeline.injected["stale_feature"]
    }
    lineage |= {e["event_id"] for e in events if e["type"].startswith("experiment.")}

    assert changed - lineage == {served[uid] for uid in altered_recommendations if uid in served}
    assert added and all("fault" in event_id for event_id in added)
    lost = pipeline.injected["orphan"] - set(served)
    assert len(lost) == EVERY_FAULT.orphan // 2


def test_each_fault_is_what_it_claims_to_be() -> None:
    pipeline, events = _run(EVERY_FAULT)
    served = {f"rec:{e['request_id']}": e for e in events if e["type"] == "recommendation.served"}
    trained = {
        f"model:{e['model']}@{e['version']}": set(e["trained_on"])
        for e in events
        if e["type"] == "model_version.trained"
    }
    retired = {
        f"model:{e['model']}@{e['version']}": e["event_time"]
        for e in events
        if e["type"] == "model_version.retired"
    }
    features = {
        f"feature:{e['feature']}@{e['version']}": e
        for e in events
        if e["type"] == "feature_version.materialized"
    }
    outcomes = {f"rec:{e['request_id']}" for e in events if e["type"] == "outcome.observed"}

    for uid in pipeline.injected["version_skew"]:
        event = served[uid]
        assert set(event["feature_versions"]) - trained[event["model_version"]]
    for uid in pipeline.injected["unknown_model"]:
        assert served[uid]["model_version"] not in trained
    for uid in pipeline.injected["retired_model"]:
        event = served[uid]
        assert event["served_at"] >= retired[event["model_version"]]
        assert set(event["feature_versions"]) == trained[event["model_version"]]
    for uid in pipeline.injected["incomplete_ancestry"]:
        event = served[uid]
        assert set(event["feature_versions"]) < trained[event["model_version"]]
    lost = pipeline.injected["orphan"] - set(served)
    assert lost <= outcomes
    assert all(served[uid]["feature_versions"] == [] for uid in pipeline.injected["orphan"] - lost)
    for uid in pipeline.injected["missing_ancestry"]:
        assert all(parent not in features for parent in features[uid]["derived_from"])
    for uid in pipeline.injected["stale_feature"]:
        assert features[uid]["freshness_sla_seconds"] == STALE_SLA_SECONDS


def test_experiment_faults_follow_and_break_the_declarations() -> None:
    pipeline, events = _run(EVERY_FAULT)
    declarations: dict[str, list[tuple[str, str]]] = {}
    for event in sorted(events, key=lambda e: e["event_time"]):
        if event["type"].startswith("experiment."):
            for variant in event["variants"]:
                uid = f"variant:{event['experiment']}/{variant['name']}"
                declarations.setdefault(uid, []).append(
                    (event["event_time"], variant["model_version"])
                )

    def declared(variant: str, at: str) -> str:
        history = declarations[variant]
        return max((h for h in history if h[0] <= at), default=history[0])[1]

    assert pipeline.injected["declaration_change"] == {
        variant
        for variant, history in declarations.items()
        if len({model for _, model in history}) > 1
    }
    for event in events:
        if event["type"] != "recommendation.served" or event["variant"] is None:
            continue
        variant = f"variant:{event['experiment']}/{event['variant']}"
        mismatched = declared(variant, event["served_at"]) != event["model_version"]
        injected = f"rec:{event['request_id']}" in pipeline.injected["experiment_mismatch"]
        assert mismatched == injected


def test_fault_specs_are_parsed_and_checked() -> None:
    assert Faults.parse(["orphan=3", "version_skew=0"]) == Faults(orphan=3)
    with pytest.raises(ValueError, match="KIND=COUNT with KIND one of missing_ancestry"):
        Faults.parse(["skew=3"])
    with pytest.raises(ValueError, match="not KIND=COUNT"):
        Faults.parse(["orphan=-1"])
    with pytest.raises(ValueError, match="only 2 experiment places"):
        FaultyDemoPipeline(100, faults=Faults(declaration_change=3))
    with pytest.raises(ValueError, match="request places"):
        FaultyDemoPipeline(10, faults=Faults(orphan=11))
    assert set(FAULT_KINDS) == set(Faults().counts())


def test_demo_data_writes_the_faulty_pipeline_and_where_the_faults_went(tmp_path: Path) -> None:
    events, truth = tmp_path / "events.ndjson", tmp_path / "truth.json"

    code = main(
        [
            "demo-data",
            "--recommendations",
            "500",
            "--seed",
            "8",
            "--inject",
            "version_skew=4",
            "--inject",
            "orphan=2",
            "--output",
            str(events),
            "--injected-out",
            str(truth),
        ]
    )

    assert code == 0
    written = [json.loads(line) for line in events.read_text().splitlines()]
    ground = json.loads(truth.read_text())
    assert ground["faults"]["version_skew"] == 4 and ground["seed"] == 8
    assert len(ground["injected"]["version_skew"]) == 4 and len(ground["injected"]["orphan"]) == 2
    _, expected = _run(
        Faults(version_skew=4, orphan=2), recommendations=500, seed=8, start=recent_start()
    )
    assert written == expected


def test_demo_data_refuses_an_unknown_fault(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["demo-data", "--inject", "gremlins=3"])

    assert exit_.value.code == 2
    assert "gremlins=3" in capsys.readouterr().err


def test_stale_recommendations_are_those_served_past_the_sla_before_a_newer_version() -> None:
    pipeline, events = _run(Faults(stale_feature=4), recommendations=6000)
    materialized = {
        (e["feature"], int(e["version"][1:])): datetime.fromisoformat(e["materialized_at"])
        for e in events
        if e["type"] == "feature_version.materialized"
    }

    def stale(uid: str, at: datetime) -> bool:
        feature, _, version = uid.removeprefix("feature:").partition("@v")
        since = materialized[(feature, int(version))] + timedelta(seconds=STALE_SLA_SECONDS)
        newer = materialized.get((feature, int(version) + 1))
        return since <= at and (newer is None or at < newer)

    for event in events:
        if event["type"] == "recommendation.served":
            at = datetime.fromisoformat(event["served_at"])
            injected = set(event["feature_versions"]) & pipeline.injected["stale_feature"]
            expected = any(stale(uid, at) for uid in injected)
            assert expected == (f"rec:{event['request_id']}" in pipeline.affected["stale_feature"])
    assert len(pipeline.affected["stale_feature"]) > 100


def test_the_demo_of_the_commands_ends_yesterday_whatever_the_day() -> None:
    today = datetime.now(UTC).date()
    events = list(FaultyDemoPipeline(200, start=recent_start()).events())
    served = [e["served_at"] for e in events if e["type"] == "recommendation.served"]

    assert min(served) >= (today - timedelta(days=31)).isoformat()
    assert max(served) < today.isoformat()
