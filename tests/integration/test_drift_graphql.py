"""Drift through GraphQL: ``driftAlerts``, ``driftReport`` and ``node`` on a demo with drift.

One load of the faulty demo with a source shift and a new cohort for the whole module,
and one drift scan. The alerts are listed, filtered and paged as the store holds them; a
report is the stored windows, or the windows judged again against another baseline with
nothing written. Every role reads exactly its policy cells of every drift type, and no
answer to a viewer holds a recommendation-level value; under a policy that hides data
sources, a cause naming one is left out and counted.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.access_log import AccessLogFilter, query
from graph_lineage.auth import Role
from graph_lineage.auth.policy import AccessPolicy
from graph_lineage.demo_faults import Faults, FaultyDemoPipeline
from graph_lineage.drift import Monitor, scan
from graph_lineage.drift.report import drift_report
from graph_lineage.settings import Settings
from graph_lineage.store import Store
from graph_lineage.store.values import native

from ..conftest import Neo4jTarget, bearer
from .loading import load_events
from .policy_walk import Cells, Schema, ask, check
from .serving import Served
from .test_policy_matrix import _hiding_data_sources

SIZE = 8000
FAULTS = ["source_shift=1", "new_cohort=1"]
READERS = [r for r in Role if r is not Role.PRODUCER]
ALERT_FIELDS = """uid signal signalKind subject verdict status severity summary onset lastWindow
  windows statistic value threshold baseline firstSeen lastSeen resolvedAt scans evidence
  causes { uid kind score evidence } hiddenCauses hiddenEvidence { kind count }
  blastRadius { modelVersions deployments variants experiments recommendations
                usage { day segment count } }"""
POINT_FIELDS = """start end count verdict statistic value pValue threshold baseline
  baselineWindows seasonalValue reason"""
DRIFT_QUERIES = {("Query", "driftAlerts"), ("Query", "driftReport")}
WINDOW_PROPERTIES = "MATCH (w:DriftWindow) RETURN w.uid AS uid, properties(w) AS p ORDER BY uid"


class Drifted(Served):
    def alerts(self, role: str = "admin", **filters: Any) -> list[dict[str, Any]]:
        answer = self.ask(
            f"query($f: DriftAlertFilterInput) {{ driftAlerts(filter: $f, first: 500) {{"
            f" edges {{ node {{ {ALERT_FIELDS} }} }} pageInfo {{ hasNextPage }} }} }}",
            role,
            f=filters or None,
        )
        assert "errors" not in answer, answer["errors"]
        return [edge["node"] for edge in answer["data"]["driftAlerts"]["edges"]]

    def report(self, uid: str, **arguments: Any) -> dict[str, Any]:
        return self.ask(
            "query($uid: ID!, $from: DateTime, $to: DateTime, $baseline: DriftBaseline) {"
            " driftReport(uid: $uid, from: $from, to: $to, baseline: $baseline) {"
            f" uid baseline truncated signals {{ signal signalKind subject"
            f" windows {{ {POINT_FIELDS} }} }} }} }}",
            uid=uid,
            **arguments,
        )


@pytest.fixture(scope="module")
def drifted(
    neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Drifted]:
    settings = neo4j_target.settings(local_home=tmp_path_factory.mktemp("drift-home"))
    pipeline = FaultyDemoPipeline(SIZE, seed=42, faults=Faults.parse(FAULTS))
    with Store.connect(settings) as store:
        load_events(store, settings, pipeline.events(), wipe=True)
        report = scan(store, Monitor.from_settings(settings))
        assert len(report.problems) >= 3  # enough alerts to filter and page
        with TestClient(create_app(settings)) as client:
            yield Drifted(store, settings, client)


def _stored_alerts(store: Store) -> list[dict[str, Any]]:
    rows = store.read("MATCH (a:DriftAlert) RETURN properties(a) AS p")
    return [dict(row["p"]) for row in rows]


# -- listing --


def test_alerts_are_listed_most_recently_seen_first_with_their_causes_and_blast_radius(
    drifted: Drifted,
) -> None:
    listed = drifted.alerts()
    stored = {p["uid"]: p for p in _stored_alerts(drifted.store)}

    assert {a["uid"] for a in listed} == set(stored)
    order = sorted(stored.values(), key=lambda p: p["uid"])
    order.sort(key=lambda p: native(p["last_seen"]), reverse=True)
    assert [a["uid"] for a in listed] == [p["uid"] for p in order]
    for alert in listed:
        props = stored[alert["uid"]]
        assert (alert["signal"], alert["signalKind"], alert["verdict"]) == (
            props["signal"],
            props["kind"],
            props["verdict"],
        )
        assert [c["uid"] for c in alert["causes"]] == props["cause_uids"]
        assert [c["score"] for c in alert["causes"]] == props["cause_scores"]
        assert [c["evidence"] for c in alert["causes"]] == props["cause_evidence"]
        blast = alert["blastRadius"]
        assert blast["modelVersions"] == props["affected_model_versions"]
        assert blast["usage"] == json.loads(props["usage"])
        assert blast["recommendations"] == sum(u["count"] for u in blast["usage"])
        assert alert["evidence"] == props["evidence"]
        assert (alert["hiddenEvidence"], alert["hiddenCauses"]) == ([], 0)

    shifted = [a for a in listed if a["causes"] and a["causes"][0]["uid"] == "source:search_logs"]
    assert shifted, "the source shift is the top cause of its features' drift"
    first = shifted[0]
    assert first["causes"][0]["kind"] == "source_change"
    assert 0 < first["causes"][0]["score"] <= 1
    assert first["blastRadius"]["recommendations"] > 0
    assert "source:search_logs" in first["evidence"]


def test_each_filter_keeps_exactly_the_alerts_that_match(drifted: Drifted) -> None:
    everything = drifted.alerts()
    feature = next(a for a in everything if a["subject"])
    distribution, mix = "feature_distribution", "traffic_mix"
    cases: list[tuple[dict[str, Any], Any]] = [
        ({"signalKind": distribution}, lambda a: a["signalKind"] == distribution),
        ({"verdict": "drift"}, lambda a: a["verdict"] == "drift"),
        ({"verdict": "seasonality"}, lambda a: a["verdict"] == "seasonality"),
        ({"status": "open"}, lambda a: a["status"] == "open"),
        ({"severity": "critical"}, lambda a: a["severity"] == "critical"),
        ({"subject": feature["subject"]}, lambda a: a["subject"] == feature["subject"]),
        ({"evidence": "source:search_logs"}, lambda a: "source:search_logs" in a["evidence"]),
        ({"seenSince": "2999-01-01T00:00:00Z"}, lambda a: False),
        (
            {"verdict": "drift", "signalKind": mix},
            lambda a: a["verdict"] == "drift" and a["signalKind"] == mix,
        ),
    ]
    for filters, keeps in cases:
        expected = [a["uid"] for a in everything if keeps(a)]
        assert [a["uid"] for a in drifted.alerts(**filters)] == expected, filters
    kinds = {a["signalKind"] for a in everything}
    assert {distribution, mix} <= kinds


def test_pages_cover_every_alert_exactly_once(drifted: Drifted) -> None:
    everything = [a["uid"] for a in drifted.alerts()]
    page = "query($after: String) { driftAlerts(first: 1, after: $after) {"
    page += " edges { cursor node { uid } } pageInfo { hasNextPage endCursor } } }"
    seen: list[str] = []
    after = None
    while True:
        answer = drifted.ask(page, after=after)["data"]["driftAlerts"]
        seen += [edge["node"]["uid"] for edge in answer["edges"]]
        if not answer["pageInfo"]["hasNextPage"]:
            break
        after = answer["pageInfo"]["endCursor"]
    assert seen == everything

    for bad in ("first: 0", "first: 501", 'after: "not-a-cursor"'):
        answer = drifted.ask(f"{{ driftAlerts({bad}) {{ pageInfo {{ hasNextPage }} }} }}")
        (error,) = answer["errors"]
        assert "first must be between" in error["message"] or "not a cursor" in error["message"]


def test_a_drift_alert_is_a_node(drifted: Drifted) -> None:
    (alert, *_) = drifted.alerts()
    fields = f"__typename kind ... on DriftAlert {{ {ALERT_FIELDS} }}"
    answer = drifted.ask(f'{{ node(uid: "{alert["uid"]}") {{ {fields} }} }}')
    node = answer["data"]["node"]
    assert (node.pop("__typename"), node.pop("kind")) == ("DriftAlert", "DriftAlert")
    assert node == alert


# -- the report --


def _stored_windows(store: Store, signal: str) -> list[dict[str, Any]]:
    rows = store.read(
        "MATCH (w:DriftWindow {signal: $signal}) RETURN properties(w) AS p ORDER BY w.window_start",
        signal=signal,
    )
    return [dict(row["p"]) for row in rows]


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_report_is_the_stored_windows_of_the_signal_oldest_first(drifted: Drifted) -> None:
    alert = next(a for a in drifted.alerts() if a["subject"] and a["verdict"] == "drift")
    answer = drifted.report(alert["uid"])["data"]["driftReport"]

    (series,) = answer["signals"]
    assert (series["signal"], series["subject"]) == (alert["signal"], alert["subject"])
    assert answer["baseline"] is None and answer["truncated"] is False
    stored = _stored_windows(drifted.store, alert["signal"])
    assert len(series["windows"]) == len(stored) >= 4
    for point, props in zip(series["windows"], stored, strict=True):
        assert _time(point["start"]) == native(props["window_start"])
        assert (point["verdict"], point["value"], point["threshold"], point["baseline"]) == (
            props["verdict"],
            props.get("value"),
            props.get("threshold"),
            props["baseline"],
        )
        assert (point["pValue"], point["count"]) == (props.get("p_value"), props["count"])
    assert "drift" in [p["verdict"] for p in series["windows"]]

    onset = alert["onset"]
    later = drifted.report(alert["uid"], **{"from": onset})["data"]["driftReport"]
    assert [p["start"] for p in later["signals"][0]["windows"]] == [
        p["start"] for p in series["windows"] if p["start"] >= onset
    ]
    by_subject = drifted.report(alert["subject"])["data"]["driftReport"]["signals"]
    assert alert["signal"] in [s["signal"] for s in by_subject]
    assert all(s["subject"] == alert["subject"] for s in by_subject)
    assert len(by_subject) >= 3  # distribution, nulls, volume (and skew)


def test_another_baseline_judges_again_and_writes_nothing(drifted: Drifted) -> None:
    # a month of daily windows: the same weekday a week or two earlier is there
    alert = next(a for a in drifted.alerts() if a["signalKind"] == "traffic_mix")
    before = drifted.store.read(WINDOW_PROPERTIES)
    stored = drifted.report(alert["uid"])["data"]["driftReport"]["signals"][0]["windows"]

    seasonal = drifted.report(alert["uid"], baseline="SEASONAL")["data"]["driftReport"]
    trailing = drifted.report(alert["uid"], baseline="TRAILING")["data"]["driftReport"]

    assert seasonal["baseline"] == "SEASONAL"
    windows = seasonal["signals"][0]["windows"]
    assert [p["start"] for p in windows] == [p["start"] for p in stored]
    assert {p["baseline"] for p in windows} == {"seasonal"}
    assert [p["value"] for p in windows] != [p["value"] for p in stored]
    judged = [p for p in windows if p["verdict"] in ("drift", "stable")]
    assert judged and all(p["baselineWindows"] >= 1 for p in judged)
    assert trailing["signals"][0]["windows"] == stored  # as stored: judged against it already
    assert drifted.store.read(WINDOW_PROPERTIES) == before


def test_report_errors_are_clear(drifted: Drifted) -> None:
    alert = drifted.alerts()[0]
    cases = {
        "no drift alert, feature version or model version has uid": {"uid": "feature:nope@v1"},
        "must be before to": {
            "uid": alert["uid"],
            "from": "2026-10-20T00:00:00Z",
            "to": "2026-10-20T00:00:00Z",
        },
        "a fixed baseline needs the server's reference period": {
            "uid": alert["uid"],
            "baseline": "FIXED",
        },
    }
    for message, arguments in cases.items():
        uid = arguments.pop("uid")
        (error,) = drifted.report(uid, **arguments)["errors"]
        assert message in error["message"], error
    source = drifted.report("source:search_logs")["errors"][0]["message"]
    assert "no drift alert, feature version or model version" in source


# -- policy and redaction --


def test_every_role_reads_exactly_its_drift_cells(drifted: Drifted) -> None:
    client, settings = drifted.client, drifted.settings
    policy = AccessPolicy.load(settings.access_policy_file)
    schema = Schema.load(client, bearer(settings))
    fragment = schema.fragment()
    alert = drifted.alerts()[0]
    queries = [
        f"{{ driftAlerts {{ {schema.selection('DriftAlertConnection')} }} }} {fragment}",
        f'{{ driftReport(uid: "{alert["uid"]}") {{ {schema.selection("DriftReport")} }} }}',
        f'{{ node(uid: "{alert["uid"]}") {{ ...All }} }} {fragment}',
    ]
    cells = Cells()
    for role in READERS:
        for question in queries:
            check(ask(client, settings, role, question), role, policy, schema.node_types(), cells)
    drift_cells = {
        cell for cell in policy.rules if cell[0].startswith("Drift") or cell in DRIFT_QUERIES
    }
    assert drift_cells - set().union(*cells.seen.values()) == set()


def test_a_field_the_policy_denies_answers_forbidden_field(
    drifted: Drifted, tmp_path: Path
) -> None:
    narrower = _policy_with(
        drifted.settings,
        tmp_path,
        {"DriftAlert": {"subject": "investigators"}, "DriftWindowPoint": {"reason": "admin"}},
    )
    policy = AccessPolicy.load(narrower.access_policy_file)
    alert = drifted.alerts()[0]
    queries = [
        "{ driftAlerts { __typename edges { __typename node { __typename uid subject } } } }",
        f'{{ driftReport(uid: "{alert["uid"]}") {{ __typename signals {{ __typename'
        " windows { __typename start reason } } } }",
    ]
    cells = Cells()
    with TestClient(create_app(narrower)) as client:
        answers = {
            role: [ask(client, narrower, role, question) for question in queries]
            for role in (Role.VIEWER, Role.ENGINEER)
        }
    for role, bodies in answers.items():
        for body in bodies:
            check(body, role, policy, [], cells)
    viewer_alerts, viewer_report = answers[Role.VIEWER]
    denied = [e for e in viewer_alerts["errors"] if e["extensions"]["code"] == "FORBIDDEN_FIELD"]
    assert [e["path"][-1] for e in denied] == ["subject"] * len(
        viewer_alerts["data"]["driftAlerts"]["edges"]
    )
    assert "DriftAlert.subject" in denied[0]["message"]
    assert "errors" not in answers[Role.ENGINEER][0]
    assert {e["path"][-1] for e in viewer_report["errors"]} == {"reason"}


def _policy_with(settings: Settings, tmp_path: Path, rules: dict[str, dict[str, str]]) -> Settings:
    """The shipped policy with some drift cells narrowed to one role or group."""
    schema_dir = tmp_path / "schema"
    shutil.copytree(settings.schema_dir, schema_dir)
    policy_file = schema_dir / "access-policy.toml"
    text = policy_file.read_text()
    for type_name, fields in rules.items():
        head = f"[types.{type_name}]\n"
        start = text.index(head)
        end = text.index("\n\n", start)
        section = text[start:end]
        for field_name, who in fields.items():
            section = section.replace(
                f'\n{field_name} = ["readers"]', f'\n{field_name} = ["{who}"]'
            )
        text = text[:start] + section + text[end:]
    policy_file.write_text(text)
    return settings.model_copy(update={"schema_dir": schema_dir})


def _secrets(store: Store) -> set[str]:
    """Every string that would give a recommendation or an outcome away."""
    rows = store.read(
        "MATCH (r:Recommendation) OPTIONAL MATCH (o:Outcome)-[:FOR]->(r)"
        " RETURN r.uid AS uid, r.request_id AS request, r.user_pseudonym AS user,"
        " r.items AS items, collect(o.uid) AS outcomes"
    )
    found: set[str] = set()
    for row in rows:
        found |= {row["uid"], row["request"], *row["items"], *row["outcomes"], row["user"]}
    return {value for value in found if value}


def test_no_drift_answer_to_a_viewer_holds_a_recommendation_level_value(
    drifted: Drifted,
) -> None:
    alerts = drifted.alerts("viewer")
    assert alerts and alerts == drifted.alerts()  # nothing of the shipped demo is hidden
    subjects = sorted({a["subject"] for a in alerts if a["subject"]})
    answers = [json.dumps(alerts)]
    for uid in [a["uid"] for a in alerts] + subjects:
        for baseline in (None, "SEASONAL"):
            answers.append(json.dumps(drifted.report(uid, baseline=baseline)))
        answers.append(
            json.dumps(drifted.ask(f'{{ node(uid: "{uid}") {{ kind properties }} }}', "viewer"))
        )
    secrets = _secrets(drifted.store)
    assert len(secrets) > 10_000
    for text in answers:
        assert not re.search(r'"(rec|outcome):', text), text[:300]
        assert [s for s in secrets if s in text] == []

    (record,) = query(drifted.store, AccessLogFilter(), first=1).records
    assert record.roles == ("viewer",) and record.outcome == "answered"
    viewer_alerts = drifted.ask("{ driftAlerts { edges { node { uid } } } }", "viewer")
    (record,) = query(drifted.store, AccessLogFilter(), first=1).records
    listed = [e["node"]["uid"] for e in viewer_alerts["data"]["driftAlerts"]["edges"]]
    assert set(record.returned_uids) == set(listed)
    drifted.report(subjects[0])
    (record,) = query(drifted.store, AccessLogFilter(), first=1).records
    assert set(record.returned_uids) == {subjects[0]}


def test_a_cause_naming_a_hidden_node_is_left_out_and_counted(
    drifted: Drifted, tmp_path: Path
) -> None:
    hiding = _hiding_data_sources(drifted.settings, tmp_path)
    whole = {a["uid"]: a for a in drifted.alerts()}
    with TestClient(create_app(hiding)) as client:
        seen = Drifted(drifted.store, hiding, client)
        alerts = seen.alerts("viewer")
        fields = f"... on DriftAlert {{ {ALERT_FIELDS} }} properties"
        by_node = [
            seen.ask(f'{{ node(uid: "{uid}") {{ {fields} }} }}', "viewer")["data"]["node"]
            for uid in whole
        ]
        assert seen.alerts("viewer", evidence="source:search_logs") == []

    assert [a["uid"] for a in alerts] == list(whole)
    for alert in alerts:
        before = whole[alert["uid"]]
        sources = [c for c in before["causes"] if c["uid"].startswith("source:")]
        assert alert["hiddenCauses"] == len(sources)
        assert alert["causes"] == [c for c in before["causes"] if c not in sources]
        hidden = sum(uid.startswith("source:") for uid in before["evidence"])
        counted = [{"kind": "DataSource", "count": hidden}] if hidden else []
        assert alert["hiddenEvidence"] == counted
    assert sum(a["hiddenCauses"] for a in alerts) > 0
    for answer in (alerts, by_node):
        text = json.dumps(answer)
        assert "source:" not in text and "(hidden)" in text
    for node, alert in zip(by_node, alerts, strict=True):
        node.pop("properties")
        assert node == alert


def test_the_drift_examples_of_the_docs_answer(drifted: Drifted) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "queries.md").read_text()
    section = doc.split("## Drift in GraphQL", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"```graphql\n(.*?)```", section, re.S)
    assert len(examples) == 2
    for example in examples:
        answer = drifted.ask(example)
        assert "errors" not in answer, answer["errors"]
        (value,) = answer["data"].values()
        assert value["edges"] if "edges" in value else value["signals"][0]["windows"]
    (cypher,) = re.findall(r"```cypher\n(.*?)```", section, re.S)
    assert drifted.store.read(cypher)


def test_a_viewer_reads_no_item_in_a_drift_window(drifted: Drifted) -> None:
    rows = drifted.store.read(
        "MATCH (w:DriftWindow) WHERE w.kind IN ['item_popularity', 'traffic_mix']"
        " RETURN w.uid AS uid, w.kind AS kind ORDER BY uid"
    )
    items = [row["uid"] for row in rows if row["kind"] == "item_popularity"]
    assert items and len(rows) > len(items)
    question = "query($uid: ID!) { node(uid: $uid) { uid kind properties } }"
    secrets = _secrets(drifted.store)
    for row in rows:
        admin = drifted.ask(question, uid=row["uid"])["data"]["node"]
        viewer = drifted.ask(question, "viewer", uid=row["uid"])["data"]["node"]
        assert viewer["uid"] == admin["uid"] == row["uid"]
        if row["kind"] == "item_popularity":
            assert any(name.startswith("sku-") for name in admin["properties"]["categories"])
            assert set(admin["properties"]) - set(viewer["properties"]) == {
                "categories",
                "counts",
                "new_categories",
            } & set(admin["properties"])
            text = json.dumps(viewer)
            assert [s for s in secrets if s in text] == []
        else:
            assert viewer == admin  # segments and cohorts are no recommendation's


def test_a_report_holds_at_most_its_bound_of_windows_the_oldest_first(drifted: Drifted) -> None:
    subject = next(a["subject"] for a in drifted.alerts() if a["subject"])
    whole = drift_report(drifted.store, subject)
    windows = sorted(
        (point.start, series.signal) for series in whole.series for point in series.points
    )
    assert not whole.truncated and len(windows) > 5

    cut = drift_report(drifted.store, subject, max_windows=5)

    assert cut.truncated
    kept = sorted((point.start, s.signal) for s in cut.series for point in s.points)
    assert len(kept) == 5 and {start for start, _ in kept} <= {start for start, _ in windows[:5]}
    assert [s.signal for s in cut.series] == [s.signal for s in whole.series]
