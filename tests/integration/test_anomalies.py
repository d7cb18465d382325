"""Anomaly rules on a real Neo4j holding 50,000 recommendations with known faults.

One load of the faulty demo for the whole module (about half a minute), one scan with a
webhook receiver that fails every first POST; each rule must find exactly what was
injected: no miss, no false alarm. The last test wipes the database and loads the clean
demo of the same size, where every rule must find nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.anomalies import RULES, Finding, ScanReport, Webhooks, scan
from graph_lineage.cli import main
from graph_lineage.demo import DemoPipeline
from graph_lineage.demo_faults import Faults, FaultyDemoPipeline
from graph_lineage.events import parse_event
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store
from graph_lineage.store.writer import LineageWriter

from ..conftest import TEST_ENCRYPTION_KEYS, TEST_PSEUDONYMIZATION_KEY, Neo4jTarget, bearer
from ..webhooks import Receiver, receiver
from .loading import load_events

SIZE = 50_000
FAULTS = Faults(
    missing_ancestry=4,
    orphan=40,
    version_skew=30,
    unknown_model=12,
    retired_model=25,
    stale_feature=4,
    experiment_mismatch=20,
    declaration_change=2,
    incomplete_ancestry=25,
)


@dataclass
class Scanned:
    store: Store
    settings: Settings
    pipeline: FaultyDemoPipeline
    report: ScanReport
    hook: Receiver

    def found(self, rule: str) -> list[Finding]:
        return [s.finding for s in self.report.findings if s.finding.rule == rule]

    def through(self, contexts: Iterable[str]) -> set[str]:
        """Recommendations served through these contexts."""
        rows = self.store.read(
            "MATCH (r:Recommendation)-[:HAS_CONTEXT]->(c:LineageContext) WHERE c.uid IN $uids "
            "RETURN r.uid AS uid",
            uids=sorted(contexts),
        )
        return {row["uid"] for row in rows}

    def contexts_of(self, recommendations: Iterable[str]) -> set[str]:
        rows = self.store.read(
            "MATCH (r:Recommendation)-[:HAS_CONTEXT]->(c) WHERE r.uid IN $uids "
            "RETURN DISTINCT c.uid AS uid",
            uids=sorted(recommendations),
        )
        return {row["uid"] for row in rows}

    def model_versions_of(self, recommendations: Iterable[str]) -> set[str]:
        rows = self.store.read(
            "MATCH (r:Recommendation)-[:HAS_CONTEXT]->(c) WHERE r.uid IN $uids "
            "RETURN DISTINCT c.model_version AS uid",
            uids=sorted(recommendations),
        )
        return {row["uid"] for row in rows}


@pytest.fixture(scope="module")
def module_settings(
    neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return neo4j_target.settings(local_home=tmp_path_factory.mktemp("anomalies-home"))


@pytest.fixture(scope="module")
def scanned(module_settings: Settings) -> Iterator[Scanned]:
    pipeline = FaultyDemoPipeline(SIZE, seed=42, faults=FAULTS)
    with Store.connect(module_settings) as store:
        loaded = load_events(store, module_settings, pipeline.events(), wipe=True)
        with receiver(failures=[500]) as hook:
            started = time.monotonic()
            report = scan(store, webhooks=Webhooks([hook.url], retries=2, backoff=0.01))
            print(
                f"\nloaded {SIZE:,} in {loaded:.1f}s, scanned in {time.monotonic() - started:.1f}s"
            )
        yield Scanned(store, module_settings, pipeline, report, hook)


def test_missing_ancestry_is_exactly_the_broken_feature_versions(scanned: Scanned) -> None:
    found = scanned.found("missing_ancestry")

    injected, touched = (
        scanned.pipeline.injected["missing_ancestry"],
        scanned.pipeline.affected_by["missing_ancestry"],
    )
    assert {f.key: f.count for f in found} == {fv: len(touched.get(fv, ())) for fv in injected}


def test_orphans_are_exactly_the_lost_and_the_featureless(scanned: Scanned) -> None:
    found = scanned.found("orphan_recommendation")
    (lost,) = [f for f in found if f.key == "no-context"]
    contexts = {f.key for f in found if f is not lost}

    orphans = set(lost.evidence) | scanned.through(contexts)
    assert orphans == scanned.pipeline.injected["orphan"]
    assert sum(f.count for f in found) == FAULTS.orphan
    assert lost.count == len(lost.evidence) == FAULTS.orphan // 2


def test_version_skew_is_exactly_the_injected_recommendations(scanned: Scanned) -> None:
    found = scanned.found("version_skew")

    assert scanned.through(f.key for f in found) == scanned.pipeline.injected["version_skew"]
    assert sum(f.count for f in found) == FAULTS.version_skew


def test_experiment_mismatch_counts_only_what_was_served_undeclared(scanned: Scanned) -> None:
    found = scanned.found("experiment_mismatch")
    injected = scanned.pipeline.injected["experiment_mismatch"]

    assert {f.key for f in found} == scanned.contexts_of(injected)
    assert sum(f.count for f in found) == FAULTS.experiment_mismatch
    # after a declaration change, a context can hold requests served when it was declared
    assert len(scanned.through(f.key for f in found)) > len(injected)


def test_unknown_model_versions_are_exactly_those_injected(scanned: Scanned) -> None:
    found = scanned.found("unknown_model")
    injected = scanned.pipeline.injected["unknown_model"]
    contexts = {uid for f in found for uid in f.evidence if uid.startswith("context:")}

    assert {f.key for f in found} == scanned.model_versions_of(injected)
    assert all(f.key.endswith("-hotfix") for f in found)
    assert scanned.through(contexts) == injected
    assert sum(f.count for f in found) == FAULTS.unknown_model


def test_retired_model_versions_count_only_traffic_after_retirement(scanned: Scanned) -> None:
    found = scanned.found("retired_model")
    injected = scanned.pipeline.injected["retired_model"]

    assert {f.key for f in found} == scanned.model_versions_of(injected)
    # the same contexts served legitimately before the retirement: those do not count
    contexts = {uid for f in found for uid in f.evidence if uid.startswith("context:")}
    assert len(scanned.through(contexts)) > len(injected)
    assert sum(f.count for f in found) == FAULTS.retired_model


@pytest.mark.parametrize("rule", ["stale_feature", "declaration_change"])
def test_window_rules_name_what_was_injected_and_count_what_it_touched(
    scanned: Scanned, rule: str
) -> None:
    found = scanned.found(rule)

    touched = scanned.pipeline.affected_by[rule]
    assert {f.key for f in found} == scanned.pipeline.injected[rule] == set(touched)
    assert {f.key: f.count for f in found} == {uid: len(recs) for uid, recs in touched.items()}


def test_a_capture_gap_is_not_an_anomaly(scanned: Scanned) -> None:
    gaps = scanned.contexts_of(scanned.pipeline.injected["incomplete_ancestry"])
    keys = {s.finding.key for s in scanned.report.findings}

    assert len(gaps) > 0 and not keys & gaps


def test_every_rule_ran_and_findings_are_stored_with_their_evidence(scanned: Scanned) -> None:
    assert scanned.report.rules == list(RULES)
    rows = scanned.store.read(
        "MATCH (a:Anomaly) RETURN a.uid AS uid, a.count AS count, a.status AS status, "
        "COLLECT { MATCH (a)-[:EVIDENCE]->(n) RETURN n.uid } AS evidence"
    )
    stored = {row["uid"]: row for row in rows}
    for finding in (s.finding for s in scanned.report.findings):
        row = stored.pop(finding.uid)
        assert row["count"] == finding.count and row["status"] == "open"
        assert set(row["evidence"]) == set(finding.evidence)
    assert stored == {}


def test_each_problem_reached_the_webhook_once_with_its_count(scanned: Scanned) -> None:
    findings = {s.finding.uid: s.finding for s in scanned.report.findings}
    accepted = scanned.hook.accepted

    assert sorted(a["anomaly"] for a in accepted) == sorted(findings)
    assert len(scanned.hook.attempts) == 2 * len(findings)  # each first POST got a 500
    for alert in accepted:
        assert alert["count"] == findings[alert["anomaly"]].count
        assert alert["reason"] == "new"
        assert not any(uid.startswith("rec:") for uid in alert["evidence"])
    assert scanned.report.delivery.undelivered == 0


def test_a_rescan_updates_the_same_anomalies_and_sends_nothing_new(scanned: Scanned) -> None:
    before = {
        row["uid"]: row
        for row in scanned.store.read(
            "MATCH (a:Anomaly) RETURN a.uid AS uid, a.first_seen AS first_seen, a.count AS count"
        )
    }
    with receiver() as hook:
        again = scan(scanned.store, webhooks=Webhooks([hook.url]))

    after = scanned.store.read(
        "MATCH (a:Anomaly) RETURN a.uid AS uid, a.first_seen AS first_seen, a.count AS count,"
        " a.scans AS scans, a.last_seen AS last_seen"
    )
    assert {row["uid"] for row in after} == set(before)
    for row in after:
        assert row["scans"] == 2 and row["last_seen"] > row["first_seen"]
        assert (row["first_seen"], row["count"]) == (
            before[row["uid"]]["first_seen"],
            before[row["uid"]]["count"],
        )
    assert again.alerts == [] and hook.attempts == [] and again.resolved == []


@pytest.fixture
def client(scanned: Scanned) -> Iterator[TestClient]:
    with TestClient(create_app(scanned.settings)) as test_client:
        yield test_client


QUERY = """query($filter: AnomalyFilterInput, $first: Int!, $after: String) {
  anomalies(filter: $filter, first: $first, after: $after) {
    edges { cursor node { uid rule key count evidence hiddenEvidence { kind count } properties } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def _anomalies(client: TestClient, settings: Settings, role: str, **variables: Any) -> Any:
    variables.setdefault("first", 50)
    reply = client.post(
        "/graphql", json={"query": QUERY, "variables": variables}, headers=bearer(settings, role)
    )
    body = reply.json()
    assert "errors" not in body, body
    return body["data"]["anomalies"]


def test_a_viewer_reads_anomalies_but_no_recommendation_uid(
    client: TestClient, scanned: Scanned
) -> None:
    where = {"rule": "orphan_recommendation"}
    seen = {
        e["node"]["key"]: e["node"]
        for e in _anomalies(client, scanned.settings, "viewer", filter=where)["edges"]
    }
    shown = {
        e["node"]["key"]: e["node"]
        for e in _anomalies(client, scanned.settings, "engineer", filter=where)["edges"]
    }
    lost = scanned.pipeline.injected["orphan"] - scanned.through(
        k for k in shown if k != "no-context"
    )

    assert set(seen) == set(shown) == {f.key for f in scanned.found("orphan_recommendation")}
    assert seen["no-context"]["evidence"] == [] == seen["no-context"]["properties"]["evidence"]
    assert seen["no-context"]["hiddenEvidence"] == [{"kind": "Recommendation", "count": len(lost)}]
    assert set(shown["no-context"]["evidence"]) == lost
    assert shown["no-context"]["hiddenEvidence"] == []
    assert "rec:" not in json.dumps(seen)
    for key, node in seen.items():
        if key != "no-context":
            assert node["evidence"][0] == key and node["count"] == shown[key]["count"]


def test_a_hidden_uid_filters_to_nothing_and_pages_cover_everything_once(
    client: TestClient, scanned: Scanned
) -> None:
    (lost,) = [f for f in scanned.found("orphan_recommendation") if f.key == "no-context"]
    probe = {"evidence": lost.evidence[0]}  # a recommendation's uid
    assert _anomalies(client, scanned.settings, "viewer", filter=probe)["edges"] == []
    assert len(_anomalies(client, scanned.settings, "engineer", filter=probe)["edges"]) == 1

    keys: list[str] = []
    after = None
    while True:
        page = _anomalies(client, scanned.settings, "viewer", first=7, after=after)
        keys += [edge["node"]["uid"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(keys) == sorted(s.finding.uid for s in scanned.report.findings)


def test_an_anomaly_is_a_typed_node(client: TestClient, scanned: Scanned) -> None:
    (lost,) = [f for f in scanned.found("orphan_recommendation") if f.key == "no-context"]
    query = f"""{{ node(uid: "{lost.uid}") {{ kind ... on Anomaly {{ rule status count evidence
      hiddenEvidence {{ kind count }} }} }} }}"""
    reply = client.post(
        "/graphql", json={"query": query}, headers=bearer(scanned.settings, "viewer")
    )

    node = reply.json()["data"]["node"]
    assert node["kind"] == "Anomaly" and node["rule"] == "orphan_recommendation"
    assert node["evidence"] == [] and node["hiddenEvidence"][0]["count"] == lost.count


@pytest.fixture
def cli_environment(
    scanned: Scanned, neo4j_target: Neo4jTarget, monkeypatch: pytest.MonkeyPatch
) -> Scanned:
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_URI", neo4j_target.uri)
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_PASSWORD", neo4j_target.password or "")
    monkeypatch.setenv("GRAPH_LINEAGE_PSEUDONYMIZATION_KEY", TEST_PSEUDONYMIZATION_KEY)
    monkeypatch.setenv("GRAPH_LINEAGE_ENCRYPTION_KEYS", TEST_ENCRYPTION_KEYS)
    return scanned


def test_the_cli_scans_one_rule_and_exits_by_its_flags(
    cli_environment: Scanned, capsys: pytest.CaptureFixture[str]
) -> None:
    skew = cli_environment.found("version_skew")

    code = main(["anomalies", "scan", "--rule", "version_skew", "--json", "--fail-on-findings"])

    report = json.loads(capsys.readouterr().out)
    assert code == 3
    assert report["rules"] == ["version_skew"]
    assert {f["uid"]: f["count"] for f in report["findings"]} == {f.uid: f.count for f in skew}
    assert {f["alert"] for f in report["findings"]} == {None}  # told already: not again
    assert main(["anomalies", "scan", "--since", "2026-10-29", "--rule", "declaration_change"]) == 0
    text = capsys.readouterr().out
    assert "traffic since 2026-10-29: 1 open problem" in text  # only the rollout still runs
    assert "variant:ranker-v3-rollout/treatment" in text


def test_an_undeliverable_alert_fails_the_command_and_is_sent_by_the_next_scan(
    cli_environment: Scanned, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store, settings = cli_environment.store, cli_environment.settings
    canary = {
        "type": "recommendation.served",
        "event_id": "canary-1",
        "event_time": "2026-10-30T12:00:00Z",
        "producer": "test",
        "request_id": "req-canary-1",
        "served_at": "2026-10-30T12:00:00Z",
        "user_id": "user-1",
        "segment": "new",
        "model_version": "model:ranker@v9-canary",
        "feature_versions": ["feature:user_ctr_7d@v3"],
    }
    LineageWriter(
        store, Pseudonymizer.from_settings(settings), Sealer.from_settings(settings)
    ).write([parse_event(canary)])
    monkeypatch.setenv("GRAPH_LINEAGE_ALERT_RETRIES", "1")
    monkeypatch.setenv("GRAPH_LINEAGE_ALERT_BACKOFF", "0")

    with receiver(failures=[503] * 5) as down:
        monkeypatch.setenv("GRAPH_LINEAGE_ALERT_WEBHOOKS", down.url)
        code = main(["anomalies", "scan", "--rule", "unknown_model"])

    assert code == 4
    assert "1 alerts not delivered" in capsys.readouterr().err
    assert [a["summary"].split()[0] for a in down.attempts] == ["model:ranker@v9-canary"] * 2
    with receiver() as up:
        monkeypatch.setenv("GRAPH_LINEAGE_ALERT_WEBHOOKS", up.url)
        assert main(["anomalies", "scan", "--rule", "unknown_model"]) == 0
        assert main(["anomalies", "scan", "--rule", "unknown_model"]) == 0
    assert [(a["reason"], a["count"]) for a in up.accepted] == [("undelivered", 1)]


def test_a_problem_that_is_gone_is_resolved(scanned: Scanned) -> None:
    store = scanned.store
    open_unknown = "MATCH (a:Anomaly {rule: 'unknown_model', status: 'open'}) RETURN a.uid AS uid"
    unknown = {row["uid"] for row in store.read(open_unknown)}
    store.write(
        "MATCH (r:Recommendation)-[:HAS_CONTEXT]->(c)-[:USED_MODEL]->(mv:ModelVersion {stub: true})"
        " DETACH DELETE r"
    )
    store.write("MATCH (mv:ModelVersion {stub: true})<-[:USED_MODEL]-(c) DETACH DELETE c")

    report = scan(store)

    assert set(report.resolved) == unknown
    rows = store.read("MATCH (a:Anomaly {status: 'resolved'}) RETURN a.uid AS uid")
    assert {row["uid"] for row in rows} == unknown


def test_a_clean_pipeline_of_the_same_size_has_no_anomaly(scanned: Scanned) -> None:
    store, settings = scanned.store, scanned.settings
    loaded = load_events(store, settings, DemoPipeline(SIZE, seed=42).events(), wipe=True)

    started = time.monotonic()
    report = scan(store)

    print(f"\nclean: loaded in {loaded:.1f}s, scanned in {time.monotonic() - started:.1f}s")
    assert {rule: len(found) for rule, found in report.by_rule().items()} == dict.fromkeys(RULES, 0)
