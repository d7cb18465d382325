"""Change plans on the demo pipeline, checked against its raw events.

The oracle below reads the demo's events as plain dicts (which feature version was derived
from what, which model version was trained on what, what was deployed and retired, which
variants declared which model version, what each request was served by) and never asks
Neo4j; the analysis under test reads the graph with its own Cypher.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.change_plans.assessment import analyze
from graph_lineage.change_plans.plan import load_plan, parse_plan
from graph_lineage.change_plans.risk import RiskLevel
from graph_lineage.cli import main
from graph_lineage.demo import DemoPipeline
from graph_lineage.errors import InvalidPlan
from graph_lineage.events import parse_event
from graph_lineage.lineage.visibility import HIDDEN, Visibility
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.admin import wipe_database
from graph_lineage.store.writer import LineageWriter

from ..conftest import TEST_ENCRYPTION_KEYS, TEST_PSEUDONYMIZATION_KEY, Neo4jTarget, bearer

AS_OF = datetime(2026, 10, 31, tzinfo=UTC)
WINDOW_DAYS = 7
OLD, NEW = "feature:user_ctr_7d@v2", "feature:user_ctr_7d@v3"
CTR_PLAN = f"""
title: move user_ctr_7d to v3
as_of: {AS_OF.isoformat()}
window_days: {WINDOW_DAYS}
changes:
  - replace: {OLD}
    with: {NEW}
"""


@dataclass
class Oracle:
    """The demo's lineage, read from its raw events in plain Python."""

    events: list[dict[str, Any]]
    parents: dict[str, list[str]] = field(default_factory=dict)
    trained_on: dict[str, list[str]] = field(default_factory=dict)
    deployments: dict[str, str] = field(default_factory=dict)  # deployment -> model version
    live: dict[str, bool] = field(default_factory=dict)  # deployment -> active at AS_OF
    arms: dict[str, set[str]] = field(default_factory=dict)  # variant -> model versions
    serving_arm: dict[str, str] = field(default_factory=dict)  # variant -> at AS_OF
    running: set[str] = field(default_factory=set)  # experiments running at AS_OF

    def __post_init__(self) -> None:
        for e in sorted(self.events, key=lambda e: e["event_time"]):
            at = datetime.fromisoformat(e["event_time"])
            if e["type"] == "feature_version.materialized":
                self.parents[f"feature:{e['feature']}@{e['version']}"] = e["derived_from"]
            elif e["type"] == "model_version.trained":
                self.trained_on[f"model:{e['model']}@{e['version']}"] = e["trained_on"]
            elif e["type"].startswith("model_version.") and at <= AS_OF:
                uid = f"deployment:{e['model']}/{e['environment']}@{e['version']}"
                self.deployments[uid] = f"model:{e['model']}@{e['version']}"
                self.live[uid] = e["type"] == "model_version.deployed"
            elif e["type"].startswith("experiment."):
                self._experiment(e, at)

    def _experiment(self, e: dict[str, Any], at: datetime) -> None:
        experiment = f"experiment:{e['experiment']}"
        for variant in e["variants"]:
            uid = f"variant:{e['experiment']}/{variant['name']}"
            self.arms.setdefault(uid, set()).add(variant["model_version"])
            if at <= AS_OF:
                self.serving_arm[uid] = variant["model_version"]
        if at <= AS_OF:
            stopped = e["type"] == "experiment.stopped"
            (self.running.discard if stopped else self.running.add)(experiment)

    def derived(self, root: str) -> set[str]:
        """Feature versions derived, at any depth, from ``root``."""
        found: set[str] = set()
        frontier = {root}
        while frontier:
            frontier = {fv for fv, ps in self.parents.items() if frontier & set(ps)} - found
            found |= frontier
        return found

    def models_on(self, features: set[str]) -> set[str]:
        return {mv for mv, fvs in self.trained_on.items() if features & set(fvs)}

    def served(
        self, features: set[str], models: set[str], as_of: datetime = AS_OF, days: int = 7
    ) -> list[dict[str, Any]]:
        """Requests served through ``features`` or ``models`` in the days before as_of's."""
        start = as_of.date() - timedelta(days=days)
        return [
            e
            for e in self.events
            if e["type"] == "recommendation.served"
            and start <= datetime.fromisoformat(e["served_at"]).date() < as_of.date()
            and (e["model_version"] in models or features & set(e["feature_versions"]))
        ]


@dataclass
class Expected:
    feature_versions: set[str]
    model_versions: set[str]
    deployments: set[str]
    active_deployments: set[str]
    variants: set[str]
    experiments: set[str]
    running_experiments: set[str]
    without_replacement: set[str]
    by_day: Counter[date]
    by_segment: Counter[str]


def _family(uid: str) -> str:
    return uid.split("@")[0]


def expected_replace(oracle: Oracle, old: str, new: str) -> Expected:
    features = oracle.derived(old)
    models = oracle.models_on(features | {old})
    variants = {v for v, mvs in oracle.arms.items() if mvs & models}
    experiments = {"experiment:" + v.split(":")[1].split("/")[0] for v in variants}
    deployments = {d for d, mv in oracle.deployments.items() if mv in models}
    successors = oracle.derived(new) | {new}
    successors |= oracle.models_on(successors)
    kept = successors - features - models
    serving = {v for v in variants if oracle.serving_arm.get(v) in models}
    served = oracle.served(features | {old}, models)
    return Expected(
        feature_versions=features,
        model_versions=models,
        deployments=deployments,
        active_deployments={d for d in deployments if oracle.live[d]},
        variants=variants,
        experiments=experiments,
        running_experiments={
            e for e in experiments if e in oracle.running and any(e[11:] in v for v in serving)
        },
        without_replacement={
            uid for uid in features | models if not any(_family(k) == _family(uid) for k in kept)
        },
        by_day=Counter(datetime.fromisoformat(e["served_at"]).date() for e in served),
        by_segment=Counter(e["segment"] for e in served),
    )


@pytest.fixture(scope="module")
def demo(
    neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, Settings, Oracle]]:
    """The demo, loaded once for this module's tests, which only read it."""
    settings = neo4j_target.settings(local_home=tmp_path_factory.mktemp("unused-local-home"))
    events = list(DemoPipeline(600, seed=3).events())
    with Store.connect(settings) as store:
        wipe_database(store)
        migrate(store, settings.migrations_dir)
        LineageWriter(
            store, Pseudonymizer.from_settings(settings), Sealer.from_settings(settings)
        ).write([parse_event(e) for e in events])
        yield store, settings, Oracle(events)


def _uids(nodes: list[Any]) -> set[str]:
    return {node.uid for node in nodes}


def test_a_feature_replacement_names_exactly_what_the_events_say(
    demo: tuple[Store, Settings, Oracle],
) -> None:
    store, _, oracle = demo
    expected = expected_replace(oracle, OLD, NEW)

    result = analyze(store, load_plan(CTR_PLAN))

    assert expected.model_versions == {"model:ranker@v2", "model:reranker@v2"}  # the oracle
    assert expected.variants and expected.running_experiments  # reaches an experiment
    assert _uids(result.model_versions) == expected.model_versions
    assert _uids(result.feature_versions) == expected.feature_versions
    assert _uids(result.deployments) == expected.deployments
    assert set(result.active_deployments) == expected.active_deployments
    assert _uids(result.variants) == expected.variants
    assert _uids(result.experiments) == expected.experiments
    assert set(result.running_experiments) == expected.running_experiments
    assert set(result.without_replacement) == expected.without_replacement == set()
    (change,) = result.changes
    assert change.replacements[OLD] == NEW
    assert change.replacements["model:ranker@v2"] == "model:ranker@v3"


@pytest.mark.parametrize(
    ("as_of", "window_days"),
    [(AS_OF, WINDOW_DAYS), (datetime(2026, 10, 27, 15, tzinfo=UTC), 5)],  # mid-day, mid-data
)
def test_traffic_is_what_was_served_in_the_window(
    demo: tuple[Store, Settings, Oracle], as_of: datetime, window_days: int
) -> None:
    store, _, oracle = demo
    features = oracle.derived(OLD) | {OLD}
    served = oracle.served(features, oracle.models_on(features), as_of, window_days)
    plan = {"as_of": as_of, "window_days": window_days, "changes": [{"replace": OLD, "with": NEW}]}

    result = analyze(store, parse_plan(plan))

    days = [as_of.date() - timedelta(days=n) for n in range(window_days, 0, -1)]
    by_day = Counter(datetime.fromisoformat(e["served_at"]).date() for e in served)
    assert list(result.traffic.by_day) == days == result.window.days
    assert result.traffic.by_day == {day: by_day[day] for day in days}
    assert result.traffic.by_segment == dict(Counter(e["segment"] for e in served))
    assert result.traffic.recommendations == len(served) > 0
    (row,) = store.read(
        "MATCH (r:Recommendation) WHERE r.served_at >= $start AND r.served_at < $end"
        " RETURN count(r) AS n",
        start=datetime.combine(days[0], datetime.min.time(), UTC),
        end=datetime.combine(as_of.date(), datetime.min.time(), UTC),
    )
    assert result.totals.recommendations == row["n"] > result.traffic.recommendations
    assert result.changes[0].recommendations == result.traffic.recommendations


def test_the_replacement_risk_is_medium_for_documented_reasons(
    demo: tuple[Store, Settings, Oracle],
) -> None:
    store, _, _ = demo

    result = analyze(store, load_plan(CTR_PLAN))

    assert result.level is RiskLevel.MEDIUM
    rules = {r.rule: r.level for r in result.changes[0].reasons}
    assert rules == {
        "dependents": RiskLevel.LOW,
        "traffic": RiskLevel.MEDIUM,  # about a third of the window's recommendations
        "switch": RiskLevel.MEDIUM,  # ranker@v2 still serves the rollout's control arm
        "experiment": RiskLevel.MEDIUM,
    }
    assert result.owners["ranking-team"] == ["model:ranker@v2", "model:reranker@v2"]
    assert result.owners["user-team"] == [OLD, "feature:user_item_affinity@v2"]


def test_a_replacement_nothing_was_trained_on_needs_retraining(
    demo: tuple[Store, Settings, Oracle],
) -> None:
    store, _, oracle = demo
    old, new = "feature:item_popularity_1d@v3", "feature:item_popularity_1d@v4"
    expected = expected_replace(oracle, old, new)
    plan = parse_plan(
        {"as_of": AS_OF, "window_days": WINDOW_DAYS, "changes": [{"replace": old, "with": new}]}
    )

    result = analyze(store, plan)

    assert set(result.without_replacement) == expected.without_replacement == {"model:ranker@v3"}
    assert result.level is RiskLevel.HIGH
    retrain = [r for r in result.changes[0].reasons if r.rule == "retrain"]
    assert [r.level for r in retrain] == [RiskLevel.HIGH]
    assert f"train one on {new}" in retrain[0].message


def test_alternatives_must_survive_the_whole_plan(demo: tuple[Store, Settings, Oracle]) -> None:
    store, _, _ = demo
    alone = analyze(
        store, load_plan(f"as_of: {AS_OF.isoformat()}\nchanges: [{{retire: model:ranker@v2}}]")
    )
    both = analyze(
        store,
        load_plan(
            f"as_of: {AS_OF.isoformat()}\n"
            "changes: [{retire: model:ranker@v2}, {drop: source:inventory}]"
        ),
    )

    assert alone.replacements == {"model:ranker@v2": "model:ranker@v3"}
    assert alone.level is RiskLevel.MEDIUM
    assert both.changes[0].replacements == {"model:ranker@v2": None}  # v3 reads inventory too
    assert both.level is RiskLevel.CRITICAL
    assert [c.level for c in both.changes] == [RiskLevel.HIGH, RiskLevel.CRITICAL]
    assert both.traffic.recommendations < sum(c.recommendations for c in both.changes)


def test_a_plan_naming_unknown_nodes_computes_nothing(demo: tuple[Store, Settings, Oracle]) -> None:
    store, _, _ = demo
    plan = load_plan(
        "changes: [{drop: source:orders}, {retire: model:ranker@v9},"
        " {replace: feature:user_ctr_7d@v3, with: feature:user_ctr_7d@v4}]"
    )

    with pytest.raises(InvalidPlan) as raised:
        analyze(store, plan)

    assert raised.value.problems == [
        "change 2: no lineage node has uid 'model:ranker@v9'; `graph-lineage lineage"
        " model:ranker --down --depth 1` lists its versions",
        "change 3 `with`: no lineage node has uid 'feature:user_ctr_7d@v4'; `graph-lineage"
        " lineage feature:user_ctr_7d --down --depth 1` lists its versions; a replacement must"
        " be materialized (feature_version.materialized) before it is planned",
    ]


def test_hidden_kinds_are_left_out_and_counted_but_the_risk_stays(
    demo: tuple[Store, Settings, Oracle],
) -> None:
    store, _, _ = demo
    whole = analyze(store, load_plan(CTR_PLAN))
    no_models = Visibility(hidden=frozenset({"ModelVersion", "Deployment"}))

    seen = analyze(store, load_plan(CTR_PLAN), no_models)

    assert seen.model_versions == [] and seen.deployments == [] and seen.active_deployments == []
    assert seen.hidden == {
        "ModelVersion": len(whole.model_versions),
        "Deployment": len(whole.deployments),
    }
    assert seen.level is whole.level and seen.traffic.by_day == whole.traffic.by_day
    assert set(seen.traffic.by_model_version) == {HIDDEN}
    text = repr(dataclasses.asdict(seen))
    for node in (*whole.model_versions, *whole.deployments):
        assert node.uid not in text


# --- through the command line ------------------------------------------------------


@pytest.fixture
def cli_env(demo: tuple[Store, Settings, Oracle], monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment a user's shell gives the command: where Neo4j is, and the keys."""
    _, settings, _ = demo
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_URI", settings.neo4j_uri or "")
    password = settings.neo4j_password
    monkeypatch.setenv(
        "GRAPH_LINEAGE_NEO4J_PASSWORD", password.get_secret_value() if password else ""
    )
    monkeypatch.setenv("GRAPH_LINEAGE_PSEUDONYMIZATION_KEY", TEST_PSEUDONYMIZATION_KEY)
    monkeypatch.setenv("GRAPH_LINEAGE_ENCRYPTION_KEYS", TEST_ENCRYPTION_KEYS)


def test_fail_on_exits_3_at_or_above_the_level_and_0_below(
    cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(CTR_PLAN)  # medium on the demo
    unused = tmp_path / "unused.json"  # nothing was trained on item_popularity_1d@v4
    unused.write_text(
        json.dumps(
            {
                "as_of": AS_OF.isoformat(),
                "changes": [{"deprecate": "feature:item_popularity_1d@v4"}],
            }
        )
    )

    codes = {
        level: main(["change-plan", str(plan), "--fail-on", level])
        for level in ("low", "medium", "high", "critical")
    }
    quiet = main(["change-plan", str(unused), "--fail-on", "low"])
    ungated = main(["change-plan", str(plan)])

    assert codes == {"low": 3, "medium": 3, "high": 0, "critical": 0}
    assert quiet == 0 and ungated == 0
    err = capsys.readouterr().err
    assert "risk medium is at or above --fail-on low" in err
    assert "risk medium is at or above --fail-on medium" in err
    assert "risk: none" in err


def test_a_bad_plan_exits_2_naming_the_change(
    cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("changes: [{drop: source:orders}, {drop: source:nowhere}]")
    malformed = tmp_path / "malformed.yaml"
    malformed.write_text("changes: [{remove: source:orders}]")

    assert main(["change-plan", str(unknown), "--fail-on", "critical"]) == 2
    assert main(["change-plan", str(malformed)]) == 2
    assert main(["change-plan", str(tmp_path / "missing.yaml")]) == 2

    out, err = capsys.readouterr()
    assert out == ""  # no half report
    assert "change 2: no lineage node has uid 'source:nowhere'" in err
    assert "change 1: a change needs exactly one of replace, deprecate, drop, retire" in err
    assert "cannot read the plan" in err


def test_the_markdown_report_has_every_section(
    demo: tuple[Store, Settings, Oracle],
    cli_env: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected = expected_replace(demo[2], OLD, NEW)
    plan = tmp_path / "plan.yaml"
    plan.write_text(CTR_PLAN)
    report = tmp_path / "impact.md"

    assert main(["change-plan", str(plan), "--format", "md", "--output", str(report)]) == 0

    text = report.read_text()
    assert text.startswith("# Change plan: move user_ctr_7d to v3\n\n**Risk: MEDIUM**")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Why",
        "## Changes",
        "## Model versions",
        "## Deployments",
        "## Experiments and variants",
        "## Derived feature versions",
        "## Traffic",
        "## Owners to tell",
        "## Without replacement",
    ]
    assert (
        "| `deployment:ranker/production@v2` | `model:ranker@v2` | active | `model:ranker@v3` |"
        in text
    )
    assert (
        "| `experiment:ranker-v3-rollout` | running | `variant:ranker-v3-rollout/control` |" in text
    )
    assert "| ranking-team | `model:ranker@v2`, `model:reranker@v2` |" in text
    assert capsys.readouterr().out == ""  # the report went to the file
    named = expected.model_versions | expected.variants | expected.experiments
    assert [uid for uid in sorted(named) if f"`{uid}`" not in text] == []


def test_the_json_report_holds_the_same_facts(
    demo: tuple[Store, Settings, Oracle],
    cli_env: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, _, oracle = demo
    expected = expected_replace(oracle, OLD, NEW)
    plan = tmp_path / "plan.yaml"
    plan.write_text(CTR_PLAN)

    assert main(["change-plan", str(plan), "--format", "json"]) == 0

    report = json.loads(capsys.readouterr().out)
    assert report["level"] == "medium"
    assert set(report["model_versions"]) == expected.model_versions
    assert set(report["variants"]) == expected.variants
    assert set(report["experiments"]) == expected.experiments
    assert report["window"] == {"start": "2026-10-24", "end": "2026-10-31", "days": 7}
    assert {d["day"]: d["recommendations"] for d in report["by_day"]} == {
        day.isoformat(): count for day, count in sorted(expected.by_day.items())
    }
    assert report["changes"][0]["replacement"] == NEW


# --- through GraphQL ------------------------------------------------------------------

QUERY = """
query Plan($plan: ChangePlanInput!) {
  changePlan(change: $plan) {
    level reasons { change level rule message }
    modelVersions { uid } variants { uid } experiments { uid } deployments { uid }
    activeDeployments runningExperiments recommendations allRecommendations
    byDay { day recommendations total } bySegment { segment recommendations total }
    byModelVersion { key count } owners { owner affected } withoutReplacement
    changes { index action level target { uid } replacement { uid } hidden { kind count } }
    hidden { kind count }
  }
}
"""
PLAN_INPUT = {
    "title": "move user_ctr_7d to v3",
    "asOf": AS_OF.isoformat(),
    "windowDays": WINDOW_DAYS,
    "changes": [{"replace": OLD, "with": NEW}],
}


@pytest.fixture
def client(demo: tuple[Store, Settings, Oracle]) -> Iterator[TestClient]:
    _, settings, _ = demo
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_deprecated_impact_spelling_gives_the_same_report_and_says_so(
    cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(CTR_PLAN)  # medium on the demo

    current = main(["change-plan", str(plan), "--format", "json", "--fail-on", "medium"])
    current_out, current_err = capsys.readouterr()
    old = main(["impact", "--change", str(plan), "--format", "json", "--fail-on", "medium"])
    old_out, old_err = capsys.readouterr()

    assert current == old == 3
    assert json.loads(old_out) == json.loads(current_out)
    assert "warning" not in current_err
    assert old_err.startswith(
        "warning: `graph-lineage impact --change PLAN` is deprecated;"
        " use `graph-lineage change-plan PLAN`"
    )
    assert old_err.endswith(current_err)


def _report(client: TestClient, settings: Settings, field: str) -> Any:
    """The engineer's answer of ``field`` (changePlan or impactAnalysis) to PLAN_INPUT."""
    query = QUERY.replace("changePlan(", f"{field}(")
    reply = client.post(
        "/graphql",
        json={"query": query, "variables": {"plan": PLAN_INPUT}},
        headers=bearer(settings, "engineer"),
    ).json()
    assert "errors" not in reply, reply
    return reply["data"][field]


def test_a_change_plan_through_graphql(
    client: TestClient, demo: tuple[Store, Settings, Oracle]
) -> None:
    _, settings, oracle = demo
    expected = expected_replace(oracle, OLD, NEW)

    answer = _report(client, settings, "changePlan")
    assert answer["level"] == "MEDIUM"
    assert {n["uid"] for n in answer["modelVersions"]} == expected.model_versions
    assert {n["uid"] for n in answer["variants"]} == expected.variants
    assert {n["uid"] for n in answer["experiments"]} == expected.experiments
    assert answer["recommendations"] == sum(expected.by_day.values())
    assert answer["changes"] == [
        {
            "index": 1,
            "action": "REPLACE",
            "level": "MEDIUM",
            "target": {"uid": OLD},
            "replacement": {"uid": NEW},
            "hidden": [],
        }
    ]


def test_the_deprecated_impact_analysis_answers_the_same_report(
    client: TestClient, demo: tuple[Store, Settings, Oracle]
) -> None:
    _, settings, _ = demo
    report = _report(client, settings, "changePlan")
    assert report["recommendations"] > 0
    assert _report(client, settings, "impactAnalysis") == report


def test_a_viewer_gets_the_analysis_without_a_single_recommendation(
    client: TestClient, demo: tuple[Store, Settings, Oracle]
) -> None:
    store, settings, _ = demo
    rows = store.read("MATCH (r:Recommendation) RETURN r.uid AS uid, r.request_id AS request")
    secrets = {row["uid"] for row in rows} | {row["request"] for row in rows}
    assert len(secrets) > 1000

    viewer = client.post(
        "/graphql",
        json={"query": QUERY, "variables": {"plan": PLAN_INPUT}},
        headers=bearer(settings, "viewer"),
    )
    admin = client.post(
        "/graphql",
        json={"query": QUERY, "variables": {"plan": PLAN_INPUT}},
        headers=bearer(settings),
    )

    assert viewer.status_code == 200 and "errors" not in viewer.json(), viewer.text
    assert viewer.json() == admin.json()  # nothing in it is a recommendation: nothing differs
    assert "rec:" not in viewer.text
    assert not [secret for secret in secrets if secret in viewer.text]


def test_a_bad_plan_is_a_graphql_error_that_says_why(
    client: TestClient, demo: tuple[Store, Settings, Oracle]
) -> None:
    _, settings, _ = demo
    plan = {**PLAN_INPUT, "changes": [{"replace": OLD, "with": "feature:item_price@v3"}]}

    reply = client.post(
        "/graphql",
        json={"query": QUERY, "variables": {"plan": plan}},
        headers=bearer(settings, "viewer"),
    ).json()

    assert reply["data"] is None
    (error,) = reply["errors"]
    assert error["message"].startswith(
        "the change plan is not valid: change 1: `with` must be a version of the feature"
        " user_ctr_7d, not feature:item_price@v3"
    )


# --- docs/change-plans.md --------------------------------------------------------------

DOC = (Path(__file__).resolve().parents[2] / "docs" / "change-plans.md").read_text()


def test_the_plans_of_the_change_plan_guide_come_out_as_it_says(
    demo: tuple[Store, Settings, Oracle],
) -> None:
    store, _, _ = demo
    plans = dict(re.findall(r"cat > (plans/\S+\.yaml) <<'EOF'\n(.*?)\nEOF", DOC, re.S))
    table = dict(re.findall(r"^\| `(plans/[^`]+)` \| (\w+) \|", DOC, re.M))

    assert len(plans) == 4 and set(plans) == set(table)
    levels = {path: analyze(store, load_plan(text)).level.label for path, text in plans.items()}
    assert levels == table


def test_the_graphql_example_of_the_change_plan_guide_answers(
    client: TestClient, demo: tuple[Store, Settings, Oracle]
) -> None:
    _, settings, _ = demo
    (query,) = re.findall(r"```graphql\n(.*?)```", DOC, re.S)

    reply = client.post("/graphql", json={"query": query}, headers=bearer(settings, "viewer"))

    answer = reply.json()["data"]["changePlan"]
    assert answer["level"] == "MEDIUM"
    assert answer["changes"][0]["replacements"][0] == {
        "uid": OLD,
        "replacement": NEW,
    }
