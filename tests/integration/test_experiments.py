"""Experiment reports on the demo pipeline, checked against what the demo put in.

The clean demo's ranker-v3-rollout has a true click-through lift and none in purchases;
retriever-v3-ab changes its split mid-way, which moves users between the arms. The
injected demo drops a fifth of the treatment's users from the logs (a sample-ratio
mismatch) and switches a feature version in half of the treatment's requests mid-way.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from graph_lineage.cli import main
from graph_lineage.demo_faults import Faults, FaultyDemoPipeline
from graph_lineage.drift.signals import utc
from graph_lineage.experiments import (
    ExperimentFilter,
    ExperimentReport,
    ReportRequest,
    experiment_report,
    exposure,
    list_experiments,
    report_json,
)
from graph_lineage.experiments.design import read_design
from graph_lineage.experiments.exposure import read_contexts, read_exposure
from graph_lineage.experiments.records import data_hash
from graph_lineage.lineage.visibility import Visibility
from graph_lineage.settings import Settings
from graph_lineage.store import Store

from ..conftest import Neo4jTarget
from .loading import load_events

pytestmark = pytest.mark.integration

SIZE = 20_000
RANKER, RETRIEVER = "ranker-v3-rollout", "retriever-v3-ab"
INJECTED = ["experiment_srm=1", "arm_feature_switch=1"]
VIEWER = Visibility(hidden=frozenset({"Recommendation", "Outcome"}))


@dataclass
class Loaded:
    store: Store
    settings: Settings
    events: list[dict[str, Any]]
    truth: dict[str, Any]

    def report(self, name: str, **asked: Any) -> ExperimentReport:
        visibility = asked.pop("visibility", Visibility())
        request = ReportRequest(name, **asked)
        return experiment_report(self.store, self.settings, request, visibility, "test")


@pytest.fixture(scope="module")
def module_settings(
    neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return neo4j_target.settings(local_home=tmp_path_factory.mktemp("experiments-home"))


def _loaded(settings: Settings, faults: list[str]) -> Iterator[Loaded]:
    pipeline = FaultyDemoPipeline(SIZE, seed=42, faults=Faults.parse(faults))
    events = list(pipeline.events())
    with Store.connect(settings) as store:
        load_events(store, settings, events, wipe=True)
        yield Loaded(store, settings, events, pipeline.ground_truth())


@pytest.fixture(scope="module")
def clean(module_settings: Settings) -> Iterator[Loaded]:
    yield from _loaded(module_settings, [])


def _effect(report: ExperimentReport, metric: str, segment: str | None = None) -> Any:
    (row,) = [e for e in report.effects if e.metric == metric and e.segment == segment]
    return row


def test_the_true_lift_is_found_and_the_null_metric_is_not(clean: Loaded) -> None:
    report = clean.report(RANKER)
    truth = clean.truth["experiments"]["effects"]["experiment:ranker-v3-rollout"]["lift"]
    click = _effect(report, "click_rate")
    assert click.significant and click.effect.relative is not None
    assert click.effect.relative.low < truth["click"] - 1 < click.effect.relative.high
    assert click.effect.absolute.low > 0
    purchase = _effect(report, "purchase_rate")
    assert truth["purchase"] == 1.0 and not purchase.significant
    assert purchase.effect.absolute.low < 0 < purchase.effect.absolute.high
    assert report.correction == "holm" and click.adjusted_p >= click.effect.p_value
    assert not report.mismatches


def test_the_report_says_what_the_treatment_changed(clean: Loaded) -> None:
    report = clean.report(RANKER)
    assert report.arms is not None
    statement = report.arms.statement
    assert statement.startswith("treatment served model:ranker@v3, trained on")
    assert "feature:user_ctr_7d@v3" in statement
    assert "control served model:ranker@v2 on" in statement
    assert "feature:user_ctr_7d@v2" in statement
    control, treatment = report.arms.arms
    assert control.model_versions == {"model:ranker@v2": 1.0}
    assert treatment.model_versions == {"model:ranker@v3": 1.0}
    assert not [i for i in report.arms.interventions if i.confounds]


def test_units_in_two_variants_are_counted_once_and_left_out(clean: Loaded) -> None:
    """retriever-v3-ab moves users from control to treatment when its split changes."""
    report = clean.report(RETRIEVER)
    seen: defaultdict[str, set[str]] = defaultdict(set)
    start = min(
        datetime.fromisoformat(e["event_time"])
        for e in clean.events
        if e["type"] == "experiment.started" and e["experiment"] == RETRIEVER
    )
    served = [
        e
        for e in clean.events
        if e["type"] == "recommendation.served" and e.get("experiment") == RETRIEVER
    ]
    for event in served:
        if datetime.fromisoformat(event["served_at"]) >= start:
            seen[event["user_id"]].add(event["variant"])
    crossed = sum(1 for variants in seen.values() if len(variants) > 1)
    check = {c.name: c for c in report.integrity}["multiple_variants"]
    assert crossed > 0 and check.count == crossed and not check.passed
    analysed = sum(v.units for v in report.variants)
    assert analysed == len(seen) - crossed


@pytest.mark.parametrize("name", [RANKER, RETRIEVER])
def test_both_ways_of_reading_exposures_read_the_same(
    clean: Loaded, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the time index (the demo's experiments are a big part of its traffic) and
    from the experiment's contexts (what a small experiment uses): the same data."""
    design = read_design(clean.store, name)
    contexts = read_contexts(clean.store, design)
    start = min(utc(c["first_seen"]) for c in contexts)
    end = max(utc(c["last_seen"]) for c in contexts) + timedelta(seconds=1)
    read = {}
    for through_contexts in (False, True):
        monkeypatch.setattr(exposure, "_through_contexts", lambda *_, f=through_contexts: f)
        found = read_exposure(clean.store, design, start, end)
        read[through_contexts] = (found.rows, data_hash(design, found, None))
    assert read[False] == read[True] and read[False][0] > 1000


def test_a_split_change_gets_its_own_sample_ratio_test(clean: Loaded) -> None:
    report = clean.report(RETRIEVER)
    overall = [c for c in report.sample_ratios if c.segment is None]
    assert [c.declared for c in overall] == [
        {"control": 0.5, "treatment": 0.5},
        {"control": 0.2, "treatment": 0.8},
    ]
    assert overall[0].period_end == overall[1].period_start
    assert all(c.p_value is not None and not c.mismatch for c in overall)
    kinds = [i.kind for i in report.arms.interventions] if report.arms else []
    assert "split_change" in kinds


def test_each_run_leaves_a_record_with_its_numbers(clean: Loaded) -> None:
    report = clean.report(RANKER, method="cuped")
    (record,) = clean.store.read(
        "MATCH (r:RunRecord {uid: $uid}) RETURN r {.*} AS r", uid=report.record
    )
    stored = record["r"]
    assert stored["kind"] == "experiment_report" and stored["status"] == "finished"
    assert stored["subject"] == "experiment:ranker-v3-rollout" and stored["principal"] == "test"
    assert stored["method"] == "cuped" and len(stored["data_sha256"]) == 64
    numbers = json.loads(stored["report"])
    assert numbers["effects"] == json.loads(json.dumps(report_json(report)["effects"]))
    again = clean.report(RANKER, method="cuped")
    (second,) = clean.store.read(
        "MATCH (r:RunRecord {uid: $uid}) RETURN r.data_sha256 AS hash", uid=again.record
    )
    assert second["hash"] == stored["data_sha256"]


def test_cuped_and_sequential_say_what_they_used(clean: Loaded) -> None:
    fixed = _effect(clean.report(RANKER), "click_rate").effect
    cuped = _effect(clean.report(RANKER, method="cuped"), "click_rate").effect
    sequential = _effect(clean.report(RANKER, method="sequential"), "click_rate").effect
    assert "cuped" in cuped.method and "sequential" in sequential.method
    fixed_width = fixed.absolute.high - fixed.absolute.low
    assert sequential.absolute.high - sequential.absolute.low > fixed_width


def test_a_viewer_gets_aggregates_only(clean: Loaded) -> None:
    report = clean.report(RETRIEVER, visibility=VIEWER)
    text = json.dumps(report_json(report))
    assert "rec:" not in text
    check = {c.name: c for c in report.integrity}["multiple_variants"]
    assert check.count > 0 and check.examples == [] and check.hidden_examples > 0
    pseudonyms = {
        r["p"]
        for r in clean.store.read(
            "MATCH (r:Recommendation) RETURN DISTINCT r.user_pseudonym AS p LIMIT 50"
        )
    }
    assert not any(p in text for p in pseudonyms)


def test_listing_and_the_command(
    clean: Loaded, tmp_path: Path, neo4j_target: Neo4jTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = {e.name: e for e in list_experiments(clean.store, ExperimentFilter())}
    assert set(listed) == {RANKER, RETRIEVER}
    assert listed[RETRIEVER].status == "stopped"
    assert [v.name for v in listed[RANKER].variants] == ["control", "treatment"]
    served = sum(
        1
        for e in clean.events
        if e["type"] == "recommendation.served" and e.get("experiment") == RANKER
    )
    assert listed[RANKER].requests == served
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_URI", neo4j_target.uri)
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_PASSWORD", neo4j_target.password or "")
    output = tmp_path / "report.json"
    code = main(["experiment", "report", RANKER, "--format", "json", "--output", str(output)])
    assert code == 0
    written = json.loads(output.read_text())
    assert written["experiment"] == "experiment:ranker-v3-rollout" and written["record"]
    assert main(["experiment", "report", RANKER, "--output", str(tmp_path / "report.md")]) == 0
    markdown = (tmp_path / "report.md").read_text()
    assert markdown.startswith("# Experiment experiment:ranker-v3-rollout")
    assert "| click_rate | all | treatment |" in markdown


def test_an_unknown_metric_or_experiment_is_a_clear_error(clean: Loaded) -> None:
    from graph_lineage.errors import InvalidQuery, NodeNotFound

    with pytest.raises(NodeNotFound):
        clean.report("no-such-experiment")
    with pytest.raises(InvalidQuery, match="click_rate"):
        clean.report(RANKER, metrics=("clicks",))


def test_no_outcomes_says_so(module_settings: Settings) -> None:
    start = datetime(2026, 10, 1, tzinfo=UTC)
    events: list[dict[str, Any]] = [
        _event(
            "experiment.started",
            start,
            experiment="quiet",
            salt="s",
            variants=[
                {"name": "control", "traffic_share": 0.5, "model_version": "model:m@v1"},
                {"name": "treatment", "traffic_share": 0.5, "model_version": "model:m@v2"},
            ],
        ),
    ]
    for index in range(200):
        variant = ("control", "treatment")[index % 2]
        at = start + timedelta(minutes=index + 1)
        events.append(
            _event(
                "recommendation.served",
                at,
                request_id=f"q-{index}",
                served_at=at.isoformat(),
                user_id=f"u-{index}",
                segment="all",
                experiment="quiet",
                variant=variant,
                model_version=f"model:m@v{1 + index % 2}",
            )
        )
    with Store.connect(module_settings) as store:
        load_events(store, module_settings, events, wipe=True)
        report = experiment_report(store, module_settings, ReportRequest("quiet"))
    assert report.effects == [] and report.outcomes == 0
    assert any(note.startswith("no outcomes: 200 requests from 200 units") for note in report.notes)
    assert [v.units for v in report.variants] == [100, 100]


def test_an_experiment_randomized_by_request_counts_requests(module_settings: Settings) -> None:
    """Twenty users, ten requests each, every request assigned on its own: 200 units, and no
    user is "exposed to two variants" (the request is the unit)."""
    start = datetime(2026, 10, 1, tzinfo=UTC)
    events: list[dict[str, Any]] = [
        _event(
            "experiment.started",
            start,
            experiment="per-request",
            salt="s",
            randomization_unit="request",
            variants=[
                {"name": "control", "traffic_share": 0.5, "model_version": "model:m@v1"},
                {"name": "treatment", "traffic_share": 0.5, "model_version": "model:m@v2"},
            ],
        ),
    ]
    for index in range(200):
        at = start + timedelta(minutes=index + 1)
        events.append(
            _event(
                "recommendation.served",
                at,
                request_id=f"r-{index}",
                served_at=at.isoformat(),
                user_id=f"u-{index % 20}",
                segment="all",
                experiment="per-request",
                variant=("control", "treatment")[index % 2],
                model_version=f"model:m@v{1 + index % 2}",
                items=[{"item_id": "sku-1", "score": 0.5, "position": 0}],
            )
        )
        if index % 3 == 0:
            events.append(
                _event(
                    "outcome.observed", at, request_id=f"r-{index}", item_id="sku-1", kind="click"
                )
            )
    with Store.connect(module_settings) as store:
        load_events(store, module_settings, events, wipe=True)
        report = experiment_report(
            store, module_settings, ReportRequest("per-request", method="cuped")
        )
    assert report.unit == "request" and [v.units for v in report.variants] == [100, 100]
    assert {c.name: c.passed for c in report.integrity}["multiple_variants"]
    assert any("CUPED needs a unit seen before" in note for note in report.notes)
    click = _effect(report, "click_rate")
    # every third request clicked: 34 of the control's 100 (even indexes), 33 of the treatment's
    assert click.effect.control_mean == 0.34 and click.effect.treatment_mean == 0.33


def _event(event_type: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {
        "type": event_type,
        "event_id": f"{event_type}-{fields.get('request_id', fields.get('experiment', 'x'))}",
        "event_time": at.isoformat(),
        "producer": "https://example.test",
        "schema_version": "1.0",
        **fields,
    }


@pytest.fixture(scope="module")
def injected(module_settings: Settings, clean: Loaded) -> Iterator[Loaded]:
    yield from _loaded(module_settings, INJECTED)


def test_an_injected_sample_ratio_mismatch_is_reported(injected: Loaded) -> None:
    report = injected.report(RANKER)
    (truth,) = injected.truth["experiments"]["experiment_srm"]
    assert truth["experiment"] == report.experiment
    overall = [c for c in report.mismatches if c.segment is None]
    assert overall and overall[0].observed["treatment"] < overall[0].observed["control"]


def test_a_feature_switch_in_one_arm_is_a_confounding_intervention(injected: Loaded) -> None:
    report = injected.report(RANKER)
    (truth,) = injected.truth["experiments"]["arm_feature_switch"]
    assert report.arms is not None
    (switch,) = [
        i
        for i in report.arms.interventions
        if i.kind == "feature_switch" and i.subject == truth["feature_version"]
    ]
    assert switch.confounds and truth["replaces"] in switch.summary
    assert switch.shares["control"] == 0.0
    assert abs(switch.shares["treatment"] - truth["share"]) < 0.1
