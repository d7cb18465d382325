"""Completeness audits on a real Neo4j: 100% on the clean demo, the injected share exactly
with gaps, consistency problems named, an audit record kept, and the CLI's exit codes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from graph_lineage.cli import main
from graph_lineage.completeness import (
    Window,
    completeness,
    completeness_json,
    completeness_markdown,
)
from graph_lineage.demo import DAYS, START, DemoPipeline
from graph_lineage.demo_faults import Faults, FaultyDemoPipeline
from graph_lineage.settings import Settings
from graph_lineage.store import Store

from ..conftest import Neo4jTarget
from .loading import load_events

WHOLE = Window(START, START + timedelta(days=DAYS + 1))
# The faults that leave a recommendation's ancestry incomplete; the others (skew, retired
# or stale versions, experiment mismatches) are wrong lineage, but whole lineage.
GAPS = ("orphan", "unknown_model", "missing_ancestry", "incomplete_ancestry")
FAULTS = Faults(
    orphan=14,
    unknown_model=9,
    missing_ancestry=1,
    incomplete_ancestry=11,
    version_skew=7,
    retired_model=5,
    stale_feature=1,
    experiment_mismatch=6,
)


@pytest.fixture
def faulty(store: Store, settings: Settings) -> FaultyDemoPipeline:
    pipeline = FaultyDemoPipeline(6000, seed=23, faults=FAULTS)
    load_events(store, settings, pipeline.events())
    return pipeline


def test_a_clean_pipeline_is_complete_and_consistent(store: Store, settings: Settings) -> None:
    pipeline = DemoPipeline(3000, seed=8)
    events = list(pipeline.events())
    load_events(store, settings, events)

    report = completeness(store, WHOLE, minimum=Fraction(1))

    assert report.recommendations == 3000 and report.share == 1
    assert report.gaps == [] and report.consistent and report.passed
    assert all(tally.share == 1 for tally in report.by_model_version.values())
    served = sorted(e["served_at"] for e in events if e["type"] == "recommendation.served")
    middle = datetime.fromisoformat(served[1000])
    late = completeness(store, Window(middle, WHOLE.end))
    assert late.recommendations == sum(s >= served[1000] for s in served)  # window [from, to)


def test_injected_gaps_give_exactly_the_injected_share(
    store: Store, faulty: FaultyDemoPipeline
) -> None:
    incomplete = set().union(*(faulty.affected[kind] for kind in GAPS))
    assert len(incomplete) >= 30  # enough of each kind landed to mean something

    report = completeness(store, WHOLE)

    assert report.recommendations == 6000
    assert report.recommendations - report.complete == len(incomplete)
    assert report.share == Fraction(6000 - len(incomplete), 6000)
    reasons = {gap.reason.split(" ")[0] for gap in report.gaps}
    assert {"served", "no", "model", "feature"} <= reasons
    sampled = {uid for gap in report.gaps for uid in gap.sample}
    assert sampled <= incomplete  # every example named is one of the injected ones
    missing_served = next(g for g in report.gaps if g.reason == "served event missing")
    lost = {uid for uid in faulty.affected["orphan"]} - _served_uids(store)
    assert missing_served.recommendations == len(lost)
    per_model = sum(t.recommendations - t.complete for t in report.by_model_version.values())
    per_segment = sum(t.recommendations - t.complete for t in report.by_segment.values())
    assert per_model == per_segment == len(incomplete)


def _served_uids(store: Store) -> set[str]:
    rows = store.read("MATCH (r:Recommendation) WHERE r.served_at IS NOT NULL RETURN r.uid AS uid")
    return {row["uid"] for row in rows}


def test_inconsistencies_are_named(store: Store, settings: Settings) -> None:
    events = list(DemoPipeline(200, seed=4).events())
    at = "2026-10-20T00:00:00Z"
    common = {"event_time": at, "producer": "test"}
    events += [
        {
            "type": "model_version.trained",
            "event_id": "t-1",
            "model": "ranker",
            "version": "v9",
            "trained_on": ["feature:user_ctr_7d@v9"],  # never materialized
            "training_window_start": "2026-10-01T00:00:00Z",
            "training_window_end": at,
            "artifact_uri": "s3://models/ranker/v9",
            "artifact_hash": "abc123ef",
            **common,
        },
    ]
    load_events(store, settings, events)
    store.write(
        "MATCH (v:Variant) WITH v ORDER BY v.uid LIMIT 1"
        " MERGE (m:ModelVersion {uid: 'model:ghost@v1'}) ON CREATE SET m.stub = true"
        " CREATE (v)-[:SERVES {valid_from: datetime($at)}]->(m)",
        at=at,
    )

    report = completeness(store, WHOLE)

    assert report.trained_on_missing == [("model:ranker@v9", "feature:user_ctr_7d@v9")]
    ((variant, unknown),) = report.variants_without_model
    assert unknown == ["model:ghost@v1"] and variant.startswith("variant:")
    assert not report.consistent and not report.passed
    text = completeness_markdown(report)
    assert "`model:ghost@v1`, never announced" in text and "## Consistency" in text


def test_the_cli_gates_on_a_minimum_and_keeps_a_record(
    neo4j_target: Neo4jTarget,
    store: Store,
    faulty: FaultyDemoPipeline,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_URI", neo4j_target.uri)
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_PASSWORD", neo4j_target.password or "")
    window = ["--from", WHOLE.start.isoformat(), "--to", WHOLE.end.isoformat()]
    report_file = tmp_path / "completeness.json"

    passed = main(
        [
            "audit",
            "completeness",
            *window,
            "--min",
            "90",
            "--format",
            "json",
            "--output",
            str(report_file),
        ]
    )
    failed = main(
        ["audit", "completeness", *window, "--min", "95", "--output", str(tmp_path / "report.md")]
    )

    body = json.loads(report_file.read_text())
    share = body["share"]
    assert 0.9 <= share < 0.95 and (passed, failed) == (0, 3)
    assert body == completeness_json(completeness(store, WHOLE, Fraction(9, 10))) | {
        "audit": body["audit"]
    }
    assert "FAILED" in (tmp_path / "report.md").read_text()
    (record,) = store.read(
        "MATCH (a:RunRecord {uid: $uid}) RETURN a.kind AS kind, a.status AS status,"
        " a.recommendations AS total, a.passed AS passed",
        uid=body["audit"],
    )
    assert dict(record) == {
        "kind": "completeness",
        "status": "finished",
        "total": 6000,
        "passed": True,
    }
    assert main(["audit", "completeness", "--from", "2026-11-01", "--to", "2026-10-01"]) == 2
    nowhere = str(tmp_path / "no-such-folder" / "report.md")
    assert main(["audit", "completeness", *window, "--output", nowhere]) == 1
    assert f"error: cannot write the report to {nowhere}" in capsys.readouterr().err
