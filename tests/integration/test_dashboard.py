"""The dashboard and the run records through GraphQL, each answer against its own Cypher.

One load of the faulty demo (drift to find, version skew for anomalies) for the module, one
anomaly scan, one drift scan and one completeness audit. Every number the dashboard gives
is counted again here by a plain Cypher query over the recommendations, outcomes and
lineage nodes, never through the code under test.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.access_log import AccessLogFilter, query
from graph_lineage.anomalies import scan as anomaly_scan
from graph_lineage.completeness import Window, completeness
from graph_lineage.demo_faults import Faults, FaultyDemoPipeline
from graph_lineage.drift import Monitor
from graph_lineage.drift import scan as drift_scan
from graph_lineage.governance import RetentionPolicy, run_retention
from graph_lineage.governance.rotation import rotate_keys
from graph_lineage.sealing import Sealer
from graph_lineage.store import Store
from graph_lineage.store.values import native

from ..conftest import Neo4jTarget, bearer
from .loading import load_events
from .policy_walk import hiding
from .serving import Served

FAULTS = ["source_shift=1", "new_cohort=1", "version_skew=12"]
START = datetime(2026, 10, 5, 12, tzinfo=UTC)  # half a day in: the first bucket is cut
END = datetime(2026, 10, 27, tzinfo=UTC)
DASHBOARD = """
query($from: DateTime!, $to: DateTime!, $segment: String, $cohort: String, $bucket: TimeBucket!) {
  dashboard(from: $from, to: $to, segment: $segment, cohort: $cohort, bucket: $bucket) {
    from to bucket segment cohort recommendations
    outcomes { kind count rate }
    traffic { start end recommendations byModelVersion { key count } byVariant { key count }
              outcomes { kind count rate } }
    segments { key count } cohorts { key count }
    anomalies { uid status lastSeen } driftAlerts { uid status onset lastWindow }
    completeness { uid runKind status windowStart windowEnd recommendations complete share }
    changes { at kind uid name } hidden { kind count }
  }
}"""
RUNS = """
query($kinds: [String!], $first: Int!, $after: String) {
  runRecords(kinds: $kinds, first: $first, after: $after) {
    edges { cursor node { uid runKind status startedAt dryRun activeKeyId resealed } }
    pageInfo { hasNextPage endCursor }
  }
}"""


class Demo(Served):
    def dashboard(self, role: str = "admin", **filters: Any) -> dict[str, Any]:
        variables = {"from": START.isoformat(), "to": END.isoformat(), "bucket": "DAY", **filters}
        answer = self.ask(DASHBOARD, role, **variables)
        assert "errors" not in answer, answer["errors"]
        found: dict[str, Any] = answer["data"]["dashboard"]
        return found

    def count(self, cypher: str, **parameters: Any) -> Counter[Any]:
        """``cypher`` returns ``key`` and ``n`` columns: their counter."""
        rows = self.store.read(cypher, **parameters)  # type: ignore[arg-type]  # fixed test queries
        return Counter({row["key"]: int(row["n"]) for row in rows})


@pytest.fixture(scope="module")
def demo(neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    settings = neo4j_target.settings(local_home=tmp_path_factory.mktemp("dashboard-home"))
    pipeline = FaultyDemoPipeline(4000, seed=42, faults=Faults.parse(FAULTS))
    with Store.connect(settings) as store:
        load_events(store, settings, pipeline.events(), wipe=True)
        anomaly_scan(store)
        drift_scan(store, Monitor.from_settings(settings))
        completeness(store, Window(datetime(2026, 10, 1), datetime(2026, 10, 16)))
        completeness(store, Window(datetime(2026, 11, 1), datetime(2026, 11, 2)))  # not in range
        run_retention(store, RetentionPolicy.from_settings(settings), dry_run=True)
        rotate_keys(store, Sealer.from_settings(settings), dry_run=True)
        with TestClient(create_app(settings)) as client:
            yield Demo(store, settings, client)


def _served(segment: str | None, cohort: str | None) -> str:
    """The WHERE of the recommendations a dashboard counts, for the independent counts."""
    return (
        "r.served_at >= $from AND r.served_at < $to"
        + (" AND r.segment = $segment" if segment else "")
        + (" AND r.cohort = $cohort" if cohort else "")
    )


def _expected_bucket(
    demo: Demo, start: datetime, end: datetime, segment: str | None, cohort: str | None
) -> dict[str, Any]:
    where = _served(segment, cohort)
    bounds = {"from": max(start, START), "to": min(end, END), "segment": segment, "cohort": cohort}
    served = f"MATCH (r:Recommendation) WHERE {where} OPTIONAL MATCH (r)-[:HAS_CONTEXT]->(c)"
    models = demo.count(
        f"{served} RETURN coalesce(c.model_version, '(none)') AS key, count(*) AS n", **bounds
    )
    variants = demo.count(
        f"{served} RETURN coalesce(c.variant, '(none)') AS key, count(*) AS n", **bounds
    )
    outcomes = demo.count(
        f"MATCH (o:Outcome)-[:FOR]->(r:Recommendation) WHERE {where}"
        " RETURN o.kind AS key, count(DISTINCT r) AS n",
        **bounds,
    )
    return {"models": models, "variants": variants, "outcomes": outcomes}


def _counter(counts: list[dict[str, Any]]) -> Counter[str]:
    return Counter({item["key"]: item["count"] for item in counts})


@pytest.mark.parametrize(
    "filters",
    [{}, {"segment": "new"}, {"cohort": "2026-W33"}, {"segment": "power", "cohort": "2026-W30"}],
    ids=["everyone", "segment", "cohort", "both"],
)
def test_each_bucket_counts_what_cypher_counts(demo: Demo, filters: dict[str, str]) -> None:
    found = demo.dashboard(**filters)
    segment, cohort = filters.get("segment"), filters.get("cohort")

    starts = [datetime.fromisoformat(b["start"]) for b in found["traffic"]]
    assert starts[0] == datetime(2026, 10, 5, tzinfo=UTC)
    assert starts == [starts[0] + timedelta(days=i) for i in range(22)]
    total = 0
    for bucket in found["traffic"]:
        start, end = (datetime.fromisoformat(bucket[k]) for k in ("start", "end"))
        expected = _expected_bucket(demo, start, end, segment, cohort)
        assert _counter(bucket["byModelVersion"]) == expected["models"], bucket["start"]
        assert _counter(bucket["byVariant"]) == expected["variants"], bucket["start"]
        recommendations = sum(expected["models"].values())
        assert bucket["recommendations"] == recommendations
        rates = {o["kind"]: (o["count"], o["rate"]) for o in bucket["outcomes"]}
        counted = expected["outcomes"].items()
        assert rates == {kind: (n, pytest.approx(n / recommendations)) for kind, n in counted}
        total += recommendations
    assert found["recommendations"] == total > 0
    everything = _expected_bucket(demo, START, END, segment, cohort)["outcomes"]
    assert {o["kind"]: o["count"] for o in found["outcomes"]} == everything
    assert (found["segment"], found["cohort"]) == (segment, cohort)


def test_other_buckets_split_the_same_traffic(demo: Demo) -> None:
    days = demo.dashboard()
    hours = demo.dashboard(bucket="HOUR")
    weeks = demo.dashboard(bucket="WEEK")

    assert len(hours["traffic"]) == (END - START).total_seconds() / 3600
    assert [datetime.fromisoformat(w["start"]).weekday() for w in weeks["traffic"]] == [0] * 4
    for split in (hours, weeks):
        assert split["recommendations"] == days["recommendations"]
        assert sum(b["recommendations"] for b in split["traffic"]) == days["recommendations"]
        assert split["outcomes"] == days["outcomes"]
    busiest = max(hours["traffic"], key=lambda b: b["recommendations"])
    start, end = (datetime.fromisoformat(busiest[k]) for k in ("start", "end"))
    expected = _expected_bucket(demo, start, end, None, None)
    assert _counter(busiest["byModelVersion"]) == expected["models"]


def test_the_filters_choices_are_the_ranges_segments_and_cohorts(demo: Demo) -> None:
    found = demo.dashboard(segment="new")  # the choices do not depend on the filter
    bounds = {"from": START, "to": END}
    where = "WHERE r.served_at >= $from AND r.served_at < $to"
    segments = demo.count(
        f"MATCH (r:Recommendation) {where} RETURN r.segment AS key, count(*) AS n", **bounds
    )
    cohorts = demo.count(
        f"MATCH (r:Recommendation) {where} RETURN r.cohort AS key, count(*) AS n", **bounds
    )
    assert _counter(found["segments"]) == segments
    assert _counter(found["cohorts"]) == cohorts
    assert "2026-W48" in cohorts  # the new cohort the drift demo brings


def test_lineage_changes_are_every_change_of_the_range_oldest_first(demo: Demo) -> None:
    found = demo.dashboard()["changes"]
    bounds = {"from": START, "to": END}
    rows = demo.store.read(
        """
        MATCH (n:FeatureVersion) WHERE n.materialized_at >= $from AND n.materialized_at < $to
        RETURN 'feature_version' AS kind, n.uid AS uid, n.materialized_at AS at
        UNION ALL
        MATCH (n:ModelVersion) WHERE n.trained_at >= $from AND n.trained_at < $to
        RETURN 'model_version' AS kind, n.uid AS uid, n.trained_at AS at
        UNION ALL
        MATCH (n:Deployment) WHERE n.deployed_at >= $from AND n.deployed_at < $to
        RETURN 'deployment' AS kind, n.uid AS uid, n.deployed_at AS at
        UNION ALL
        MATCH (n:Deployment) WHERE n.retired_at >= $from AND n.retired_at < $to
        RETURN 'retirement' AS kind, n.uid AS uid, n.retired_at AS at
        """,
        **bounds,
    )
    expected = {(row["kind"], row["uid"], native(row["at"])) for row in rows}
    # the demo's experiments: retriever-v3-ab starts on day 21, changes on 25, stops on 28
    # (after the range); ranker-v3-rollout starts on day 22
    experiments = {(c["kind"], c["uid"]) for c in found if c["kind"].startswith("experiment")}
    assert experiments == {
        ("experiment_started", "experiment:retriever-v3-ab"),
        ("experiment_changed", "experiment:retriever-v3-ab"),
        ("experiment_started", "experiment:ranker-v3-rollout"),
    }
    listed = {
        (c["kind"], c["uid"], datetime.fromisoformat(c["at"]))
        for c in found
        if not c["kind"].startswith("experiment")
    }
    assert listed == expected
    assert {"feature_version", "model_version", "deployment", "retirement"} <= {
        kind for kind, _, _ in expected
    }
    times = [datetime.fromisoformat(c["at"]) for c in found]
    assert times == sorted(times) and all(START <= t < END for t in times)
    deployed = next(c for c in found if c["kind"] == "deployment")
    model, _, version = deployed["uid"].removeprefix("deployment:").partition("/production@")
    assert deployed["name"] == f"{model}@{version} (production)"
    assert demo.dashboard()["hidden"] == []


def test_findings_are_the_open_ones_of_the_range(demo: Demo) -> None:
    found = demo.dashboard()
    anomalies = demo.store.read(
        "MATCH (a:Anomaly) WHERE a.status = 'open' AND a.last_seen >= $from"
        " RETURN a.uid AS uid ORDER BY a.last_seen DESC, a.uid",
        **{"from": START},
    )
    drift = demo.store.read(
        "MATCH (a:DriftAlert) WHERE a.status = 'open'"
        " AND coalesce(a.onset, a.first_seen) < $to"
        " AND coalesce(a.last_window, a.last_seen) > $from"
        " RETURN a.uid AS uid ORDER BY a.last_seen DESC, a.uid",
        **{"from": START, "to": END},
    )
    assert [a["uid"] for a in found["anomalies"]] == [row["uid"] for row in anomalies]
    assert [a["uid"] for a in found["driftAlerts"]] == [row["uid"] for row in drift]
    assert found["anomalies"] and found["driftAlerts"]
    everything = demo.store.read("MATCH (a:DriftAlert) RETURN count(a) AS n")[0]["n"]
    late = demo.dashboard(**{"from": "2026-10-01T00:00:00Z", "to": "2026-10-02T00:00:00Z"})
    assert len(late["driftAlerts"]) < everything  # nothing had drifted yet on the first day


def test_completeness_is_the_audits_of_the_range_for_governance_only(demo: Demo) -> None:
    found = demo.dashboard("auditor")["completeness"]
    rows = demo.store.read(
        "MATCH (r:RunRecord {kind: 'completeness'}) WHERE r.window_start < $to"
        " AND r.window_end > $from RETURN r.uid AS uid, r.recommendations AS n,"
        " r.complete AS complete",
        **{"from": START, "to": END},
    )
    assert [(a["uid"], a["recommendations"], a["complete"]) for a in found] == [
        (row["uid"], row["n"], row["complete"]) for row in rows
    ]
    (audit,) = found
    assert audit["share"] == audit["complete"] / audit["recommendations"]

    bounds = {"from": START.isoformat(), "to": END.isoformat(), "bucket": "DAY"}
    viewer = demo.ask(DASHBOARD, "viewer", **bounds)
    (error,) = viewer["errors"]
    assert (error["path"], error["extensions"]["code"]) == (
        ["dashboard", "completeness"],
        "FORBIDDEN_FIELD",
    )
    shown = viewer["data"]["dashboard"]
    assert shown["completeness"] is None
    assert shown["recommendations"] == demo.dashboard()["recommendations"]


def test_a_range_that_is_not_one_is_refused_with_what_to_do(demo: Demo) -> None:
    cases = {
        ("2026-10-05T00:00:00Z", "2026-10-05T00:00:00Z", "DAY"): "before it starts",
        ("2026-01-01T00:00:00Z", "2026-12-01T00:00:00Z", "HOUR"): "choose a shorter range",
    }
    for (start, end, bucket), message in cases.items():
        answer = demo.ask(
            "query($from: DateTime!, $to: DateTime!, $bucket: TimeBucket!) {"
            " dashboard(from: $from, to: $to, bucket: $bucket) { recommendations } }",
            **{"from": start, "to": end, "bucket": bucket},
        )
        (error,) = answer["errors"]
        assert message in error["message"]


def test_hidden_kinds_are_counted_not_shown(demo: Demo, tmp_path: Path) -> None:
    settings = hiding(demo.settings, tmp_path, ["FeatureVersion", "ModelVersion"])
    with TestClient(create_app(settings)) as client:
        body = {
            "query": DASHBOARD,
            "variables": {"from": START.isoformat(), "to": END.isoformat(), "bucket": "DAY"},
        }
        answer = client.post("/graphql", json=body, headers=bearer(settings, "engineer")).json()
    hidden = answer["data"]["dashboard"]
    shown = demo.dashboard()
    kinds = Counter(c["kind"] for c in shown["changes"])
    assert {h["kind"]: h["count"] for h in hidden["hidden"]} == {
        "FeatureVersion": kinds["feature_version"],
        "ModelVersion": kinds["model_version"],
    }
    versions = {"feature_version", "model_version"}
    assert {c["kind"] for c in hidden["changes"]} == set(kinds) - versions
    for seen, full in zip(hidden["traffic"], shown["traffic"], strict=True):
        assert _counter(seen["byModelVersion"]) == Counter({"(hidden)": full["recommendations"]})
        assert seen["byVariant"] == full["byVariant"]


def test_the_access_log_names_the_changes_a_dashboard_told_of(demo: Demo) -> None:
    shown = demo.dashboard("auditor")
    (record,) = query(demo.store, AccessLogFilter(subject="test-auditor"), first=1).records
    assert {c["uid"] for c in shown["changes"]} <= set(record.returned_uids)


# -- run records --


def _all_runs(demo: Demo, kinds: list[str] | None, role: str = "auditor") -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        answer = demo.ask(RUNS, role, kinds=kinds, first=2, after=after)
        assert "errors" not in answer, answer["errors"]
        page = answer["data"]["runRecords"]
        seen += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


def test_run_records_page_through_every_kind_newest_first(demo: Demo) -> None:
    stored = demo.store.read(
        "MATCH (r:RunRecord) RETURN r.uid AS uid, r.kind AS kind ORDER BY r.started_at DESC, r.uid"
    )
    assert [r["uid"] for r in _all_runs(demo, None)] == [row["uid"] for row in stored]
    assert {row["kind"] for row in stored} >= {"completeness", "retention", "key_rotation"}

    some = ["retention", "key_rotation"]
    listed = _all_runs(demo, some, role="compliance")
    assert [r["uid"] for r in listed] == [row["uid"] for row in stored if row["kind"] in some]
    rotation = next(r for r in listed if r["runKind"] == "key_rotation")
    status = demo.store.read(
        "MATCH (r:RunRecord {uid: $uid}) RETURN r.resealed AS resealed, r.active_key_id AS key",
        uid=rotation["uid"],
    )[0]
    assert (rotation["dryRun"], rotation["resealed"], rotation["activeKeyId"]) == (
        True,
        status["resealed"],
        status["key"],
    )


def test_run_records_are_for_governance_and_refuse_unknown_kinds(demo: Demo) -> None:
    viewer = demo.ask(RUNS, "viewer", first=5)
    assert viewer["data"] == {"runRecords": None}
    assert viewer["errors"][0]["extensions"]["code"] == "FORBIDDEN_FIELD"
    engineer = demo.ask(RUNS, "engineer", first=5)
    assert engineer["data"] == {"runRecords": None}

    (error,) = demo.ask(RUNS, kinds=["backup"], first=5)["errors"]
    assert "kind ['backup']" in error["message"] and "key_rotation" in error["message"]
