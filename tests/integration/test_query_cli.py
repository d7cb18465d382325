"""`graph-lineage trace` and `graph-lineage lineage`, as a user runs them."""

from __future__ import annotations

import json

import pytest

from graph_lineage.cli import main
from graph_lineage.demo import DemoPipeline
from graph_lineage.events import parse_event
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.writer import LineageWriter

from ..conftest import TEST_ENCRYPTION_KEYS, TEST_PSEUDONYMIZATION_KEY, Neo4jTarget


@pytest.fixture
def demo(
    neo4j_target: Neo4jTarget, store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Store:
    migrate(store, settings.migrations_dir)
    events = [parse_event(raw) for raw in DemoPipeline(300, seed=42).events()]
    LineageWriter(
        store, Pseudonymizer.from_settings(settings), Sealer.from_settings(settings)
    ).write(events)
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_URI", neo4j_target.uri)
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_PASSWORD", neo4j_target.password or "")
    monkeypatch.setenv("GRAPH_LINEAGE_PSEUDONYMIZATION_KEY", TEST_PSEUDONYMIZATION_KEY)
    monkeypatch.setenv("GRAPH_LINEAGE_ENCRYPTION_KEYS", TEST_ENCRYPTION_KEYS)
    return store


def test_trace_prints_a_tree_down_to_the_sources(
    demo: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trace", "req-42-26-0000002"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("Recommendation rec:req-42-26-0000002")
    assert "├── model version model:" in out
    assert "derived from source:" in out


def test_trace_json_and_unknown_ids(demo: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "rec:req-42-26-0000002", "--json"]) == 0
    traced = json.loads(capsys.readouterr().out)
    assert traced["recommendation"]["uid"] == "rec:req-42-26-0000002"
    assert traced["served_features"] and traced["served_not_trained"] == []

    assert main(["trace", "req-nope"]) == 1
    assert "no recommendation 'req-nope'" in capsys.readouterr().err


def test_lineage_up_and_down(demo: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lineage", "model:ranker@v3", "--up", "--depth", "5"]) == 0
    tree = capsys.readouterr().out
    assert tree.splitlines()[0] == "ModelVersion model:ranker@v3"
    assert "TRAINED_ON FeatureVersion feature:user_ctr_7d@v3" in tree
    assert "DERIVED_FROM DataSource source:clickstream" in tree

    assert (
        main(
            [
                "lineage",
                "source:orders",
                "--down",
                "--json",
                "--kinds",
                "FeatureVersion,ModelVersion",
            ]
        )
        == 0
    )
    graph = json.loads(capsys.readouterr().out)
    assert {n["kind"] for n in graph["nodes"]} == {"DataSource", "FeatureVersion", "ModelVersion"}
    assert all(e["type"] in {"DERIVED_FROM", "TRAINED_ON"} for e in graph["edges"])


def test_an_unknown_uid_is_a_clear_error(demo: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lineage", "feature:nope@v9"]) == 1
    assert "no lineage node has uid 'feature:nope@v9'" in capsys.readouterr().err
