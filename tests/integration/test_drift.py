"""Drift detection on the demo pipeline, checked against the ground truth of what was injected.

The clean demo (30 days) raises no drift; the injected one has every drift found within one
window of its onset with the injected cause ranked first, and its weekly seasonality
reported as seasonality. A rescan changes nothing and alerts nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from graph_lineage.anomalies import Webhooks
from graph_lineage.cli import main
from graph_lineage.demo_faults import Faults, FaultyDemoPipeline
from graph_lineage.drift import DriftReport, Monitor, scan
from graph_lineage.drift.records import DRIFT, SEASONALITY
from graph_lineage.lineage.impact import impact
from graph_lineage.settings import Settings
from graph_lineage.store import Store

from ..conftest import Neo4jTarget
from ..webhooks import Receiver, receiver
from .loading import load_events

pytestmark = pytest.mark.integration

SIZE = 20_000
DRIFTS = ["source_shift=1", "feature_migration=1", "new_cohort=1", "null_spike=1"]
SEASONAL = ["weekly_seasonality=1"]
DAY = timedelta(days=1)


@dataclass
class Scanned:
    store: Store
    settings: Settings
    truth: dict[str, list[dict[str, Any]]]
    report: DriftReport
    hook: Receiver

    def problems(self, verdict: str) -> dict[str, Any]:
        return {
            s.problem.signal: s.problem
            for s in self.report.problems
            if s.problem.verdict == verdict
        }


@pytest.fixture(scope="module")
def module_settings(
    neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return neo4j_target.settings(local_home=tmp_path_factory.mktemp("drift-home"))


@pytest.fixture(scope="module")
def clean(module_settings: Settings) -> DriftReport:
    """The clean demo's scan (the database is reloaded by the next fixture)."""
    pipeline = FaultyDemoPipeline(SIZE, seed=42)
    with Store.connect(module_settings) as store:
        load_events(store, module_settings, pipeline.events(), wipe=True)
        return scan(store, Monitor.from_settings(module_settings))


@pytest.fixture(scope="module")
def scanned(module_settings: Settings, clean: DriftReport) -> Iterator[Scanned]:
    pipeline = FaultyDemoPipeline(SIZE, seed=42, faults=Faults.parse(DRIFTS + SEASONAL))
    with Store.connect(module_settings) as store:
        load_events(store, module_settings, pipeline.events(), wipe=True)
        with receiver() as hook:
            report = scan(
                store, Monitor.from_settings(module_settings), webhooks=Webhooks([hook.url])
            )
            truth = pipeline.ground_truth()["drift"]
            yield Scanned(store, module_settings, truth, report, hook)


def test_the_clean_demo_raises_no_drift(clean: DriftReport) -> None:
    assert clean.windows > 2000  # thirty days of every signal were judged
    drifts = [s.problem.summary for s in clean.problems if s.problem.verdict == DRIFT]
    assert drifts == []
    assert clean.alerts == []


def _injected(truth: dict[str, list[dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (kind, case)
        for kind, cases in truth.items()
        for case in cases
        if kind != "weekly_seasonality"
    ]


def test_every_injected_drift_is_found_within_one_window_of_its_onset(scanned: Scanned) -> None:
    found = scanned.problems(DRIFT)
    cases = _injected(scanned.truth)
    assert {kind for kind, _ in cases} == {
        "source_shift",
        "feature_migration",
        "new_cohort",
        "null_spike",
    }
    for kind, case in cases:
        onset = datetime.fromisoformat(case["onset"])
        for signal in case["signals"]:
            assert signal in found, f"{kind}: {signal} not found"
            assert abs(found[signal].onset - onset) <= DAY, (kind, signal, found[signal].onset)


def test_the_top_ranked_cause_is_the_injected_one(scanned: Scanned) -> None:
    found = scanned.problems(DRIFT)
    for kind, case in _injected(scanned.truth):
        for signal in case["signals"]:
            causes = found[signal].causes
            assert causes, f"{kind}: {signal} has no cause"
            assert causes[0].uid == case["cause"], (kind, signal, causes[:3])
            assert 0 < causes[0].score <= 1 and causes[0].evidence


def test_a_migration_is_named_with_its_share_of_traffic(scanned: Scanned) -> None:
    (case,) = scanned.truth["feature_migration"]
    (signal,) = case["signals"]
    top = scanned.problems(DRIFT)[signal].causes[0]
    assert top.kind == "traffic_change"
    assert f"{case['cause']} replacing {case['replaces']}" in top.evidence
    share = int(top.evidence.split(" in ")[1].split("%")[0]) / 100
    assert abs(share - case["share"]) <= 0.05


def test_several_features_of_a_changed_source_point_at_the_source(scanned: Scanned) -> None:
    (case,) = scanned.truth["source_shift"]
    for signal in case["signals"]:
        top = scanned.problems(DRIFT)[signal].causes[0]
        assert top.kind == "source_change"
        assert "drift together" in top.evidence and "changed at" in top.evidence


def test_weekly_seasonality_is_reported_as_seasonality_never_as_drift(scanned: Scanned) -> None:
    (case,) = scanned.truth["weekly_seasonality"]
    drifts, seasons = scanned.problems(DRIFT), scanned.problems(SEASONALITY)
    assert not set(case["signals"]) & set(drifts)
    seasonal = [signal for signal in case["signals"] if signal in seasons]
    # every model version that served two full weeks has had a weekend judged against one
    # a season earlier; the ones trained later are still warming up
    assert len(seasonal) >= 3, seasonal
    for signal in seasonal:
        assert seasons[signal].severity == "info"
    assert all(alert.rule != "outcome_rate" for alert in scanned.report.alerts)


def test_each_open_drift_reached_the_webhook_once(scanned: Scanned) -> None:
    open_drifts = {p.uid: p for p in scanned.report.open_drifts}
    accepted = scanned.hook.accepted
    assert sorted(a["drift"] for a in accepted) == sorted(open_drifts)
    for alert in accepted:
        assert alert["kind"] == "drift" and alert["reason"] == "new"
        assert alert["count"] == open_drifts[alert["drift"]].windows
        assert not any(uid.startswith(("rec:", "outcome:")) for uid in alert["evidence"])


def test_the_blast_radius_is_what_impact_counts_since_the_onset(scanned: Scanned) -> None:
    (case,) = scanned.truth["source_shift"]
    problem = scanned.problems(DRIFT)[case["signals"][0]]
    found = impact(scanned.store, problem.subject, since=problem.onset)
    blast = problem.blast
    assert blast.model_versions == tuple(n.uid for n in found.model_versions)
    assert blast.experiments == tuple(n.uid for n in found.experiments)
    assert blast.recommendations == found.recommendations > 0
    by_segment: dict[str, int] = {}
    for use in blast.usage:
        by_segment[use.segment] = by_segment.get(use.segment, 0) + use.count
    assert by_segment == found.by_segment


def test_alerts_are_stored_with_their_evidence(scanned: Scanned) -> None:
    (case,) = scanned.truth["source_shift"]
    rows = scanned.store.read(
        "MATCH (a:DriftAlert {signal: $signal})-[:EVIDENCE]->(n) "
        "RETURN a.cause_uids AS causes, a.status AS status, collect(n.uid) AS evidence",
        signal=case["signals"][0],
    )
    assert len(rows) == 1
    assert rows[0]["causes"][0] == case["cause"] and rows[0]["status"] == "open"
    assert case["cause"] in rows[0]["evidence"]
    assert any(uid.startswith("driftwindow:") for uid in rows[0]["evidence"])


def _graph_state(store: Store) -> list[Any]:
    rows = store.read(
        "MATCH (n) WHERE n:DriftWindow OR n:DriftAlert "
        "RETURN n.uid AS uid, properties(n) AS props ORDER BY uid"
    )
    return [(row["uid"], sorted((k, str(v)) for k, v in row["props"].items())) for row in rows]


def test_a_rescan_changes_nothing_and_alerts_nothing(scanned: Scanned) -> None:
    before = _graph_state(scanned.store)
    with receiver() as hook:
        again = scan(
            scanned.store,
            Monitor.from_settings(scanned.settings),
            webhooks=Webhooks([hook.url]),
        )
    assert again.windows == 0 and again.problems == [] and again.alerts == []
    assert hook.attempts == []
    assert _graph_state(scanned.store) == before


def test_judging_again_from_a_time_gives_the_same_verdicts_and_no_new_alert(
    scanned: Scanned,
) -> None:
    verdicts = (
        "MATCH (w:DriftWindow) RETURN w.uid AS uid, w.verdict AS v, w.value AS x ORDER BY uid"
    )
    before = [tuple(row.values()) for row in scanned.store.read(verdicts)]
    (case,) = scanned.truth["source_shift"]
    since = datetime.fromisoformat(case["onset"]) - 3 * DAY
    with receiver() as hook:
        again = scan(
            scanned.store,
            Monitor.from_settings(scanned.settings),
            since=since,
            webhooks=Webhooks([hook.url]),
        )
    assert again.windows > 0 and again.alerts == [] and hook.attempts == []
    assert [tuple(row.values()) for row in scanned.store.read(verdicts)] == before
    assert {s.problem.uid for s in again.problems} <= {
        s.problem.uid for s in scanned.report.problems
    }


def test_the_cli_scans_and_exits_by_its_flags(
    scanned: Scanned,
    neo4j_target: Neo4jTarget,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_URI", neo4j_target.uri)
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_PASSWORD", neo4j_target.password or "")
    # nothing new, and the drifts the first scan found are still open
    assert main(["drift", "scan", "--json", "--fail-on-findings"]) == 3
    answer = json.loads(capsys.readouterr().out)
    assert answer["windows"] == 0 and answer["problems"] == []
    assert answer["open_drifts"] == len(scanned.report.open_drifts) > 0
    assert main(["drift", "scan", "--json"]) == 0
    capsys.readouterr()

    (case,) = scanned.truth["new_cohort"]
    since = ["--since", case["onset"], "--signal", "traffic_mix"]
    assert main(["drift", "scan", *since, "--json", "--fail-on-findings"]) == 3
    answer = json.loads(capsys.readouterr().out)
    assert answer["signals"] == ["traffic_mix"]
    mix = [p for p in answer["problems"] if p["signal"] == "traffic_mix|cohort"]
    assert mix and mix[0]["causes"][0]["uid"] == "cohort:2026-W48"
    assert mix[0]["alert"] is None  # told by the first scan already

    assert main(["drift", "scan", *since]) == 0
    text = capsys.readouterr().out
    assert "1. 0.90 cohort:2026-W48: new: 2026-W48" in text
    with pytest.raises(SystemExit) as refused:
        main(["drift", "scan", "--signal", "no_such_signal"])
    assert refused.value.code == 2


def test_the_api_process_scans_on_its_schedule(scanned: Scanned) -> None:
    from starlette.testclient import TestClient

    from api import create_app

    settings = scanned.settings.model_copy(update={"drift_scan_interval": 3600.0})
    with TestClient(create_app(settings)) as client:
        schedule = client.app.state.drift_scans  # type: ignore[attr-defined]
        assert schedule.running
        deadline = time.monotonic() + 60
        while schedule.scans < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
    assert not schedule.running  # stopped with the app
    assert schedule.scans == 1 and schedule.failures == 0
    assert schedule.last.windows == 0  # everything was judged already: nothing new


def test_outcome_values_that_vary_are_a_signal_of_their_own(
    store: Store, settings: Settings
) -> None:
    """Dwell seconds per recommendation: a lognormal whose median doubles from day 20."""
    import random

    from graph_lineage.demo import START, DemoPipeline

    events = list(DemoPipeline(6000, seed=5).events())
    generator = random.Random("dwell")
    dwell = []
    for event in events:
        if event["type"] == "recommendation.served" and event["items"]:
            served = datetime.fromisoformat(event["served_at"])
            shifted = served >= START + 20 * DAY
            seconds = generator.lognormvariate(3.0 + (0.7 if shifted else 0.0), 0.5)
            dwell.append(
                {
                    "type": "outcome.observed",
                    "event_id": f"dwell-{event['request_id']}",
                    "event_time": event["served_at"],
                    "producer": "https://example.test/dwell",
                    "schema_version": "1.0",
                    "request_id": event["request_id"],
                    "item_id": event["items"][0]["item_id"],
                    "kind": "dwell",
                    "value": round(seconds, 2),
                }
            )
    load_events(store, settings, [*events, *dwell])
    report = scan(store, Monitor.from_settings(settings), kinds=["outcome_value"])
    found = {s.problem.signal: s.problem for s in report.problems if s.problem.verdict == DRIFT}
    ranker = [p for signal, p in found.items() if signal.startswith("outcome_value|model:ranker")]
    assert ranker, sorted(found)
    assert all(signal.endswith("|dwell") for signal in found)  # clicks are all 1.0: no signal
    assert min(p.onset for p in ranker) - (START + 20 * DAY) <= DAY
    assert all(p.onset >= START + 19 * DAY for p in found.values())


def test_statistics_are_read_in_pages_each_once(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph_lineage.demo import START, DemoPipeline
    from graph_lineage.drift import signals

    load_events(store, settings, DemoPipeline(300, seed=3).events())  # 300 statistics
    monkeypatch.setattr(signals, "PAGE", 7)  # many pages, some ending inside one batch
    every = store.read("MATCH (s:FeatureStatistics) RETURN s.uid AS uid, s.window_start AS at")
    read = [row["uid"] for row in signals.statistics_after(store, None)]
    assert sorted(read) == sorted(row["uid"] for row in every) and len(set(read)) == len(read)
    newest = max(row["ingested_at"] for row in signals.statistics_after(store, None))
    assert signals.statistics_after(store, newest) == []  # strictly after: none at the cursor
    since = START + 20 * DAY
    later = [row["uid"] for row in signals.statistics_since(store, since)]
    assert sorted(later) == sorted(row["uid"] for row in every if row["at"] >= since)
