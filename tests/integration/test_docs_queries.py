"""Every query of docs/queries.md runs against the demo pipeline, GraphQL and Cypher alike."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.demo import DemoPipeline
from graph_lineage.events import parse_event
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.writer import LineageWriter

from ..conftest import bearer

DOC = (Path(__file__).resolve().parents[2] / "docs" / "queries.md").read_text()
# Drift needs a demo with drift, scanned: test_drift_graphql.py runs that section.
DRIFT_SECTION = "Drift in GraphQL"
SECTIONS = [
    s
    for s in re.split(r"^## ", DOC, flags=re.M)[1:]
    if "```graphql" in s and not s.startswith(DRIFT_SECTION)
]


def _block(section: str, language: str) -> str:
    match = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert match, f"no {language} block in {section.splitlines()[0]!r}"
    return match.group(1)


@pytest.fixture
def demo_client(store: Store, settings: Settings) -> Iterator[tuple[TestClient, Store]]:
    migrate(store, settings.migrations_dir)
    events = [parse_event(raw) for raw in DemoPipeline(1500, seed=42).events()]
    LineageWriter(
        store, Pseudonymizer.from_settings(settings), Sealer.from_settings(settings)
    ).write(events)
    with TestClient(create_app(settings), headers=bearer(settings)) as client:
        yield client, store


def _uids(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["uid"]} if isinstance(value.get("uid"), str) else set()
        for item in value.values():
            found |= _uids(item)
        return found
    if isinstance(value, list):
        return set().union(*(_uids(item) for item in value)) if value else set()
    return set()


def test_the_page_has_a_pair_for_every_question() -> None:
    titles = [section.splitlines()[0] for section in SECTIONS]
    assert len(titles) == 14
    for section in SECTIONS:
        _block(section, "cypher")


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.splitlines()[0][:40])
def test_graphql_and_cypher_answer(demo_client: tuple[TestClient, Store], section: str) -> None:
    client, store = demo_client
    reply = client.post("/graphql", json={"query": _block(section, "graphql")})
    body = reply.json()
    assert "errors" not in body, body.get("errors")
    for field, value in body["data"].items():
        assert value, f"{field} answered nothing"

    rows = store.read(_block(section, "cypher"))  # type: ignore[arg-type]
    assert rows, "the Cypher returned no row"

    graph = next(iter(body["data"].values()))
    if isinstance(graph, dict) and "nodes" in graph and not graph.get("truncated"):
        root = {n["uid"] for n in graph["nodes"]} - {row["uid"] for row in rows}
        assert len(root) == 1, f"GraphQL and Cypher disagree beyond the root node: {root}"
