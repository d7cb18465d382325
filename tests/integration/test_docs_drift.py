"""docs/drift.md, run as written: its demo, its scan's output and every Cypher block's table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph_lineage.cli import main
from graph_lineage.demo_faults import Faults, FaultyDemoPipeline
from graph_lineage.store import Store

from ..conftest import Neo4jTarget
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


@pytest.fixture(scope="module")
def scanned(
    neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, str]]:
    settings = neo4j_target.settings(local_home=tmp_path_factory.mktemp("drift-doc-home"))
    with Store.connect(settings) as store:
        load_events(store, settings, _pipeline().events(), wipe=True)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("GRAPH_LINEAGE_NEO4J_URI", neo4j_target.uri)
            patch.setenv("GRAPH_LINEAGE_NEO4J_PASSWORD", neo4j_target.password or "")
            import contextlib
            import io

            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                assert main(["drift", "scan"]) == 0
        yield store, output.getvalue()


def test_the_page_scans_with_the_command_it_shows() -> None:
    assert SETUP.endswith(".venv/bin/graph-lineage drift scan")


def test_the_scan_says_what_the_page_shows(scanned: tuple[Store, str]) -> None:
    _, output = scanned
    shown = re.search(r"```text\n(.*?)```", DOC, re.S).group(1)  # type: ignore[union-attr]
    lines = output.splitlines()
    for line in shown.strip().splitlines():
        assert line in lines, line


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def test_every_cypher_block_answers_its_table(scanned: tuple[Store, str]) -> None:
    store, _ = scanned
    blocks = _cypher_with_tables()
    assert len(blocks) == len(re.findall(r"```cypher", DOC))  # every block has its table
    for query, header, rows in blocks:
        answer = store.read(query)
        assert list(answer[0].keys()) == header if answer else header == [], query
        assert [[_cell(row[name]) for name in header] for row in answer] == rows, query
