"""Experiments through GraphQL: ``experimentReport`` and ``experiments`` on the faulty demo.

One load of the demo (with a variant serving an undeclared model version, so an integrity
check fails with examples) for the whole module. A report answers what the library
computes for the same request and leaves a RunRecord naming who asked; a viewer reads the
aggregates but no request uid; the listing holds both demo experiments; errors a caller
can act on keep their message; every role reads exactly its policy cells; the access log
names the nodes a report told of; under a policy that hides data sources, no report names
one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.access_log import AccessLogFilter, query
from graph_lineage.auth import Role
from graph_lineage.auth.policy import AccessPolicy
from graph_lineage.demo import EXPERIMENTS
from graph_lineage.demo_faults import Faults, FaultyDemoPipeline
from graph_lineage.experiments import ReportRequest, experiment_report
from graph_lineage.lineage.visibility import HIDDEN
from graph_lineage.store import Store

from ..conftest import Neo4jTarget, bearer
from .loading import load_events
from .policy_walk import Cells, Schema, ask, check
from .serving import Served
from .test_policy_matrix import _hiding_data_sources

SIZE = 6000
FAULTS = ["experiment_mismatch=1"]
EXPERIMENT = "ranker-v3-rollout"
READERS = [r for r in Role if r is not Role.PRODUCER]
INTERVAL = "estimate low high"
EFFECT = f"""metric segment control treatment controlMean treatmentMean pValue adjustedP
  significant method controlUnits treatmentUnits varianceReduction note
  absolute {{ {INTERVAL} }} relative {{ {INTERVAL} }}"""
REPORT = f"""experiment name unit windowStart windowEnd method correction alpha record notes
  variants {{ name uid units requests metrics {{ metric value }} }}
  effects {{ {EFFECT} }}
  integrity {{ name passed count summary examples hiddenExamples }}
  arms {{ statement differences lineage {{ variant modelVersions {{ uid share }} }} }}
  interventions {{ kind subject confounds shares {{ variant value }} }}"""
ASK_REPORT = """query($experiment: ID!, $metrics: [String!], $method: ExperimentMethod) {
  experimentReport(experiment: $experiment, metrics: $metrics, method: $method) { %s } }"""
EXPERIMENT_QUERIES = {("Query", "experimentReport"), ("Query", "experiments")}


class Demo(Served):
    def report(self, role: str = "admin", fields: str = REPORT, **variables: Any) -> Any:
        variables.setdefault("experiment", EXPERIMENT)
        answer = self.ask(ASK_REPORT % fields, role, **variables)
        assert "errors" not in answer, answer["errors"]
        return answer["data"]["experimentReport"]


@pytest.fixture(scope="module")
def demo(neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    settings = neo4j_target.settings(local_home=tmp_path_factory.mktemp("experiments-home"))
    pipeline = FaultyDemoPipeline(SIZE, seed=42, faults=Faults.parse(FAULTS))
    with Store.connect(settings) as store:
        load_events(store, settings, pipeline.events(), wipe=True)
        with TestClient(create_app(settings)) as client:
            yield Demo(store, settings, client)


def _overall(report: dict[str, Any], metric: str = "click_rate") -> list[dict[str, Any]]:
    return [e for e in report["effects"] if e["metric"] == metric and e["segment"] is None]


# -- the report --


def test_a_report_answers_what_the_library_computes_with_intervals(demo: Demo) -> None:
    report = demo.report("data_scientist", metrics=["click_rate"])
    library = experiment_report(
        demo.store, demo.settings, ReportRequest(EXPERIMENT, metrics=("click_rate",))
    )

    assert (report["experiment"], report["method"], report["correction"]) == (
        f"experiment:{EXPERIMENT}",
        library.method.upper(),
        library.correction.upper(),
    )
    assert [v["name"] for v in report["variants"]] == [v.name for v in library.variants]
    assert [v["units"] for v in report["variants"]] == [v.units for v in library.variants]
    (effect,) = _overall(report)
    (expected,) = [row for row in library.effects if row.segment is None]
    assert expected.effect is not None and expected.effect.relative is not None
    absolute, relative = effect["absolute"], effect["relative"]
    assert absolute == {
        "estimate": expected.effect.absolute.estimate,
        "low": expected.effect.absolute.low,
        "high": expected.effect.absolute.high,
    }
    assert relative["low"] == expected.effect.relative.low
    assert absolute["low"] < absolute["estimate"] < absolute["high"]
    # a fixed-horizon estimate is the difference of the arms' raw metrics
    assert absolute["estimate"] == pytest.approx(effect["treatmentMean"] - effect["controlMean"])
    assert relative["estimate"] == pytest.approx(
        effect["treatmentMean"] / effect["controlMean"] - 1
    )
    assert 0 <= effect["pValue"] <= effect["adjustedP"] <= 1
    assert effect["significant"] == (effect["adjustedP"] < report["alpha"])
    assert (effect["control"], effect["treatment"]) == (expected.control, expected.treatment)
    assert effect["controlUnits"] + effect["treatmentUnits"] <= sum(
        v["units"] for v in report["variants"]
    )


def test_the_report_leaves_a_run_record_naming_who_asked(demo: Demo) -> None:
    report = demo.report("data_scientist", method="CUPED")
    (row,) = demo.store.read(
        "MATCH (r:RunRecord {uid: $uid}) RETURN properties(r) AS p", uid=report["record"]
    )
    stored = dict(row["p"])
    assert (stored["kind"], stored["method"], stored["principal"]) == (
        "experiment_report",
        "cuped",
        "test-data_scientist",
    )

    fields = "method principal dataSha256 report windowStart windowEnd subject runKind"
    answer = demo.ask(
        f'{{ node(uid: "{report["record"]}") {{ ... on RunRecord {{ {fields} }} }} }}'
    )
    node = answer["data"]["node"]
    assert (node["method"], node["principal"], node["subject"], node["runKind"]) == (
        "cuped",
        "test-data_scientist",
        report["experiment"],
        "experiment_report",
    )
    assert node["dataSha256"] == stored["data_sha256"] and len(node["dataSha256"]) == 64
    assert node["windowStart"] == report["windowStart"]
    assert node["report"]["record"] is None  # the record holds the report before it had one
    assert node["report"]["effects"][0]["metric"] == report["effects"][0]["metric"]
    assert "rec:" not in json.dumps(node["report"])  # aggregates only, whoever asked


def test_cuped_and_sequential_are_reported_as_used(demo: Demo) -> None:
    fixed = _overall(demo.report(method="FIXED"))
    cuped_report = demo.report(method="CUPED")
    sequential_report = demo.report(method="SEQUENTIAL")

    assert (cuped_report["method"], sequential_report["method"]) == ("CUPED", "SEQUENTIAL")
    (cuped,), (sequential,), (plain,) = _overall(cuped_report), _overall(sequential_report), fixed
    assert "cuped" in cuped["method"] and cuped["varianceReduction"] is not None
    assert sequential["method"].startswith("sequential(")
    assert plain["varianceReduction"] is None and "cuped" not in plain["method"]
    # an always-valid interval is wider than the fixed-horizon one at the same alpha
    width = {
        name: e["absolute"]["high"] - e["absolute"]["low"]
        for name, e in (("fixed", plain), ("sequential", sequential))
    }
    assert width["sequential"] > width["fixed"]
    assert sequential["absolute"]["estimate"] == pytest.approx(plain["absolute"]["estimate"])


def test_errors_a_caller_can_act_on_keep_their_message(demo: Demo) -> None:
    unknown = demo.ask(ASK_REPORT % "experiment", experiment="no-such-experiment")
    assert unknown["data"] is None
    (error,) = unknown["errors"]
    assert "'experiment:no-such-experiment'" in error["message"]
    assert "no experiment of that name" in error["message"]

    bad = demo.ask(ASK_REPORT % "experiment", experiment=EXPERIMENT, metrics=["clicks"])
    (error,) = bad["errors"]
    assert error["message"].startswith("'clicks' is not a metric")


# -- what a viewer reads --


def test_a_viewer_reads_counts_but_no_request(demo: Demo) -> None:
    investigator = demo.report("engineer")
    answer = demo.ask(ASK_REPORT % REPORT, "viewer", experiment=EXPERIMENT)
    viewer = answer["data"]["experimentReport"]

    failed = [c for c in investigator["integrity"] if not c["passed"]]
    assert failed and any(c["examples"] for c in failed), "the demo's mismatch has examples"
    assert any(uid.startswith("rec:") for c in failed for uid in c["examples"])
    assert {e["extensions"]["code"] for e in answer["errors"]} == {"FORBIDDEN_FIELD"}
    assert sorted(tuple(e["path"]) for e in answer["errors"]) == [
        ("experimentReport", "integrity", i, "examples") for i in range(len(viewer["integrity"]))
    ]
    for seen, full in zip(viewer["integrity"], investigator["integrity"], strict=True):
        assert seen["examples"] is None
        assert (seen["name"], seen["count"], seen["passed"]) == (
            full["name"],
            full["count"],
            full["passed"],
        )
        # the library hides request uids from a viewer: they are counted instead
        requests = [uid for uid in full["examples"] if uid.startswith("rec:")]
        assert seen["hiddenExamples"] == len(requests) + full["hiddenExamples"]
    assert viewer["effects"] == investigator["effects"]
    assert "rec:" not in json.dumps(answer)


def test_every_role_reads_exactly_its_experiment_cells(demo: Demo) -> None:
    client, settings = demo.client, demo.settings
    policy = AccessPolicy.load(settings.access_policy_file)
    schema = Schema.load(client, bearer(settings))
    queries = [  # the retriever's split changes mid-way: an intervention
        f'{{ experimentReport(experiment: "{experiment.name}")'
        f" {{ {schema.selection('ExperimentReport')} }} }}"
        for experiment in EXPERIMENTS
    ] + [f"{{ experiments {{ {schema.selection('ExperimentListing')} }} }}"]
    cells = Cells()
    for role in READERS:
        for question in queries:
            body = ask(client, settings, role, question)
            check(body, role, policy, schema.node_types(), cells)
            if not policy.may_read(frozenset({role}), "Recommendation", "uid"):
                assert "rec:" not in json.dumps(body)
    experiment_cells = {
        cell
        for cell in policy.rules
        if (cell[0].startswith("Experiment") and cell[0] != "Experiment")
        or cell in EXPERIMENT_QUERIES
    }
    assert experiment_cells - set().union(*cells.seen.values()) == set()


# -- the listing --


def test_experiments_lists_both_demo_experiments_with_their_variants(demo: Demo) -> None:
    fields = "uid name status requests lastExposure variants { name uid trafficShare requests }"
    listed = demo.ask(f"{{ experiments {{ {fields} }} }}", "viewer")["data"]["experiments"]
    stored = demo.store.read(
        "MATCH (v:Variant)-[:OF]->(e:Experiment) RETURN e.name AS name, collect(v.name) AS variants"
    )

    assert {e["name"] for e in listed} == {e.name for e in EXPERIMENTS}
    variants = {row["name"]: sorted(row["variants"]) for row in stored}
    for experiment in listed:
        assert [v["name"] for v in experiment["variants"]] == variants[experiment["name"]]
        assert experiment["requests"] == sum(v["requests"] for v in experiment["variants"]) > 0
        assert all(v["uid"].startswith("variant:") for v in experiment["variants"])
    ranker = demo.ask('{ experiments(filter: {name: "RANKER"}, first: 5) { name } }', "viewer")[
        "data"
    ]["experiments"]
    assert ranker == [{"name": EXPERIMENT}]
    first = demo.ask("{ experiments(first: 1) { name } }")["data"]["experiments"]
    assert first == [{"name": listed[0]["name"]}]


# -- the access log --


def test_the_access_log_names_what_a_report_told_of(demo: Demo) -> None:
    fields = """experiment variants { uid } integrity { examples }
      arms { lineage { modelVersions { uid } featureVersions { uid } } }
      interventions { subject }"""
    report = demo.report("engineer", fields=fields)
    (record,) = query(demo.store, AccessLogFilter(), first=1).records

    arms = report["arms"]["lineage"]
    told = {
        report["experiment"],
        *(v["uid"] for v in report["variants"]),
        *(s["uid"] for arm in arms for s in arm["modelVersions"] + arm["featureVersions"]),
        *(i["subject"] for i in report["interventions"]),
        *(uid for c in report["integrity"] for uid in c["examples"]),
    }
    assert any(uid.startswith("model:") for uid in told)
    assert set(record.returned_uids) == told

    demo.report("viewer", fields="experiment integrity { count }")
    (viewed,) = query(demo.store, AccessLogFilter(), first=1).records
    assert viewed.roles == ("viewer",) and viewed.returned_uids == (report["experiment"],)


def test_a_hidden_data_source_is_named_nowhere_in_a_report(demo: Demo, tmp_path: Path) -> None:
    hiding = _hiding_data_sources(demo.settings, tmp_path)
    found = demo.store.read("MATCH (s:DataSource) RETURN s.uid AS uid")
    sources = {str(row["uid"]) for row in found}
    document = (
        f'{{ experimentReport(experiment: "{EXPERIMENT}") {{ notes'
        " arms { statement differences lineage { sources { uid share } } }"
        " interventions { subject summary } } }"
    )
    with TestClient(create_app(hiding)) as client:
        admin, engineer = (
            ask(client, hiding, role, document) for role in (Role.ADMIN, Role.ENGINEER)
        )

    assert [s for s in sources if f'"{s}"' in json.dumps(admin)], "the admin sees them"
    assert [s for s in sources if s in json.dumps(engineer)] == []
    lineage = engineer["data"]["experimentReport"]["arms"]["lineage"]
    assert {s["uid"] for arm in lineage for s in arm["sources"]} == {HIDDEN}
    assert all(sum(s["share"] for s in arm["sources"]) > 0 for arm in lineage)
