"""docs/debugging.md, run as written on the faulty demo it sets up."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.anomalies import scan
from graph_lineage.cli import main
from graph_lineage.demo_faults import Faults, FaultyDemoPipeline
from graph_lineage.events import parse_event
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.admin import wipe_database
from graph_lineage.store.writer import LineageWriter

from ..conftest import TEST_ENCRYPTION_KEYS, TEST_PSEUDONYMIZATION_KEY, Neo4jTarget, bearer

DOC = (Path(__file__).resolve().parents[2] / "docs" / "debugging.md").read_text()
SECTIONS = re.split(r"^## ", DOC, flags=re.M)[1:]
SETUP = " ".join(re.search(r"```sh\n(.*?)```", SECTIONS[0], re.S).group(1).split())  # type: ignore[union-attr]
REQUEST = "req-42-16-0000147"
CONTEXT = "context:84270557526f3dd2f6bf21ed51676c1e"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, re.S)


def _setup_pipeline() -> FaultyDemoPipeline:
    """The faulty demo exactly as the page's setup block makes it."""
    size = int(re.search(r"--recommendations (\d+)", SETUP).group(1))  # type: ignore[union-attr]
    seed = int(re.search(r"--seed (\d+)", SETUP).group(1))  # type: ignore[union-attr]
    faults = Faults.parse(re.findall(r"--inject (\S+)", SETUP))
    return FaultyDemoPipeline(size, seed=seed, faults=faults)


@dataclass
class Demo:
    store: Store
    settings: Settings
    pipeline: FaultyDemoPipeline
    client: TestClient

    def ask(self, query: str) -> dict[str, Any]:
        body = self.client.post("/graphql", json={"query": query}).json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture(scope="module")
def demo(neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    settings = neo4j_target.settings(local_home=tmp_path_factory.mktemp("debugging-home"))
    pipeline = _setup_pipeline()
    with Store.connect(settings) as store:
        wipe_database(store)
        migrate(store, settings.migrations_dir)
        events = [parse_event(raw) for raw in pipeline.events()]
        writer = LineageWriter(
            store, Pseudonymizer.from_settings(settings), Sealer.from_settings(settings)
        )
        for start in range(0, len(events), 5000):
            writer.write(events[start : start + 5000])
        scan(store)  # step 5 of the page, before anything queries anomalies
        with TestClient(create_app(settings), headers=bearer(settings, "engineer")) as client:
            yield Demo(store, settings, pipeline, client)


def test_the_request_of_the_page_is_the_one_it_says() -> None:
    pipeline = _setup_pipeline()
    list(pipeline.events())

    assert sorted(pipeline.injected["version_skew"])[4] == f"rec:{REQUEST}"
    assert "GRAPH_LINEAGE_LOCAL_DATA_DIR" in SETUP and "--injected-out faults.json" in SETUP


def test_every_graphql_and_cypher_block_answers(demo: Demo) -> None:
    graphql, cypher = _blocks("graphql"), _blocks("cypher")
    assert len(graphql) == 5 and len(cypher) == 1

    for query in graphql:
        for field, value in demo.ask(query).items():
            assert value, f"{field} answered nothing"
    for query in cypher:
        assert demo.store.read(query)  # type: ignore[arg-type]  # the page's fixed queries


def test_each_step_shows_what_the_page_says(demo: Demo) -> None:
    trace, diff, upstream, impact, anomalies = (demo.ask(q) for q in _blocks("graphql"))

    traced = trace["trace"]
    assert traced["servedNotTrained"] == ["feature:item_popularity_1d@v3"]
    assert (
        traced["context"]["uid"] == CONTEXT and traced["modelVersion"]["uid"] == "model:ranker@v2"
    )
    assert any("feature:item_popularity_1d@v3" in note for note in traced["notes"])
    changes = diff["lineageDiff"]
    assert changes["featureChanges"] == [{"feature": "item_popularity_1d", "a": "v2", "b": "v3"}]
    assert changes["modelVersion"] is None and changes["variant"] is None
    assert "source:clickstream" in {n["uid"] for n in upstream["upstream"]["nodes"]}
    counts = {c["key"]: c["count"] for c in impact["impact"]["byModelVersion"]}
    assert counts["model:ranker@v3"] > counts["model:ranker@v2"] > 0
    found = [edge["node"] for edge in anomalies["anomalies"]["edges"]]
    assert {node["rule"] for node in found} == {"version_skew"}
    assert any(CONTEXT in node["evidence"] for node in found)


def test_the_commands_of_the_steps_run(
    demo: Demo,
    neo4j_target: Neo4jTarget,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_URI", neo4j_target.uri)
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_PASSWORD", neo4j_target.password or "")
    monkeypatch.setenv("GRAPH_LINEAGE_PSEUDONYMIZATION_KEY", TEST_PSEUDONYMIZATION_KEY)
    monkeypatch.setenv("GRAPH_LINEAGE_ENCRYPTION_KEYS", TEST_ENCRYPTION_KEYS)
    commands = [
        shlex.split(line.split("#")[0])[1:]
        for block in _blocks("sh")[1:]  # the first block sets the demo up
        for line in block.splitlines()
        if line.startswith(".venv/bin/graph-lineage")
    ]
    assert [c[0] for c in commands] == ["trace", "anomalies", "anomalies"]

    for command in commands:
        assert main(command) == 0, command
    output = capsys.readouterr().out
    assert "feature:item_popularity_1d@v3" in output and CONTEXT in output
