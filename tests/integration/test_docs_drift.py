"""docs/drift.md, run as written: its demo, its scan's output and every Cypher block's table."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.cli import main
from graph_lineage.demo_faults import Faults, FaultyDemoPipeline
from graph_lineage.settings import Settings
from graph_lineage.store import Store

from ..conftest import Neo4jTarget, bearer
from .loading import load_events

pytestmark = pytest.mark.integration

DOC = (Path(__file__).resolve().parents[2] / "docs" / "drift.md").read_text()
SETUP = " ".join(re.search(r"```sh\n(.*?)```", DOC, re.S).group(1).split())  # type: ignore[union-attr]


def _pipeline() -> FaultyDemoPipeline:
    """The demo exactly as the page's setup block makes it."""
    size = int(re.search(r"--recommendations (\d+)", SETUP).group(1))  # type: ignore[union-attr]
    seed = int(re.search(r"--seed (\d+)", SETUP).group(1))  # type: ignore[union-attr]
    return FaultyDemoPipeline(
        size, seed=seed, faults=Faults.parse(re.findall(r"--inject (\S+)", SETUP))
    )


def _cypher_with_tables() -> list[tuple[str, list[str], list[list[str]]]]:
    """Each Cypher block with the table right after it: (query, header, rows)."""
    found = []
    for query, table in re.findall(r"```cypher\n(.*?)```\n\n((?:\|[^\n]*\|\n)+)", DOC, re.S):
        lines = [line.strip() for line in table.strip().splitlines()]
        cells = [
            [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            for line in lines
        ]
        found.append((query, cells[0], cells[2:]))
    return found


@dataclass
class Scanned:
    store: Store
    settings: Settings
    output: str  # what the page's scan printed


@pytest.fixture(scope="module")
def scanned(
    neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scanned]:
    settings = neo4j_target.settings(local_home=tmp_path_factory.mktemp("drift-doc-home"))
    with Store.connect(settings) as store:
        load_events(store, settings, _pipeline().events(), wipe=True)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("GRAPH_LINEAGE_NEO4J_URI", neo4j_target.uri)
            patch.setenv("GRAPH_LINEAGE_NEO4J_PASSWORD", neo4j_target.password or "")
            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                assert main(["drift", "scan"]) == 0
        yield Scanned(store, settings, output.getvalue())


def test_the_page_scans_with_the_command_it_shows() -> None:
    assert SETUP.endswith(".venv/bin/graph-lineage drift scan")


def test_the_scan_says_what_the_page_shows(scanned: Scanned) -> None:
    output = scanned.output
    shown = re.search(r"```text\n(.*?)```", DOC, re.S).group(1)  # type: ignore[union-attr]
    lines = output.splitlines()
    for line in shown.strip().splitlines():
        assert line in lines, line


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def test_every_cypher_block_answers_its_table(scanned: Scanned) -> None:
    store = scanned.store
    blocks = _cypher_with_tables()
    assert len(blocks) == len(re.findall(r"```cypher", DOC))  # every block has its table
    for query, header, rows in blocks:
        answer = store.read(query)
        assert list(answer[0].keys()) == header if answer else header == [], query
        assert [[_cell(row[name]) for name in header] for row in answer] == rows, query


def test_the_graphql_block_answers_a_viewer_what_the_tables_say(scanned: Scanned) -> None:
    settings = scanned.settings
    (query,) = re.findall(r"```graphql\n(.*?)```", DOC, re.S)
    with TestClient(create_app(settings), headers=bearer(settings, "viewer")) as client:
        body = client.post("/graphql", json={"query": query}).json()
    assert "errors" not in body, body
    edges = body["data"]["driftAlerts"]["edges"]
    _, _, rows = _cypher_with_tables()[0]
    from_source = sorted(signal for signal, _, cause in rows if cause == "source:search_logs")
    assert sorted(e["node"]["signal"] for e in edges) == from_source
    for edge in edges:
        assert edge["node"]["causes"][0]["uid"] == "source:search_logs"
        assert edge["node"]["blastRadius"]["recommendations"] > 0
    assert "rec:" not in str(body)
