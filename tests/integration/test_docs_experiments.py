"""docs/experiments.md, run as written: its demo, its report's lines and its Cypher's table."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph_lineage.cli import main
from graph_lineage.demo_faults import Faults, FaultyDemoPipeline
from graph_lineage.store import Store

from ..conftest import Neo4jTarget
from .loading import load_events

pytestmark = pytest.mark.integration

DOC = (Path(__file__).resolve().parents[2] / "docs" / "experiments.md").read_text()
EXAMPLE = DOC.split("## A worked example on the demo", 1)[1]
SETUP = " ".join(re.search(r"```sh\n(.*?)```", EXAMPLE, re.S).group(1).split())  # type: ignore[union-attr]


@dataclass
class Reported:
    store: Store
    output: str  # what the page's report printed


@pytest.fixture(scope="module")
def reported(
    neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Reported]:
    settings = neo4j_target.settings(local_home=tmp_path_factory.mktemp("experiments-doc-home"))
    size = int(re.search(r"--recommendations (\d+)", SETUP).group(1))  # type: ignore[union-attr]
    seed = int(re.search(r"--seed (\d+)", SETUP).group(1))  # type: ignore[union-attr]
    faults = Faults.parse(re.findall(r"--inject (\S+)", SETUP))
    command = SETUP.rsplit(".venv/bin/graph-lineage ", 1)[1].split()
    with Store.connect(settings) as store:
        load_events(store, settings, FaultyDemoPipeline(size, seed, faults=faults).events(), True)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("GRAPH_LINEAGE_NEO4J_URI", neo4j_target.uri)
            patch.setenv("GRAPH_LINEAGE_NEO4J_PASSWORD", neo4j_target.password or "")
            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                assert main(command) == 3  # --fail-on-findings: a mismatch and a confounder
        yield Reported(store, output.getvalue())


def test_the_page_reports_with_the_command_it_shows() -> None:
    assert SETUP.endswith(
        ".venv/bin/graph-lineage experiment report ranker-v3-rollout --fail-on-findings"
    )


def test_the_report_says_what_the_page_shows(reported: Reported) -> None:
    shown = re.findall(r"```text\n(.*?)```", EXAMPLE, re.S)
    assert shown
    lines = reported.output.splitlines()
    for block in shown:
        for line in block.strip().splitlines():
            if line.strip() != "...":
                assert line in lines, line


def test_the_cypher_block_answers_its_table(reported: Reported) -> None:
    ((query, table),) = re.findall(r"```cypher\n(.*?)```\n\n((?:\|[^\n]*\|\n)+)", EXAMPLE, re.S)
    rows = [[c.strip() for c in line.strip().split("|")[1:-1]] for line in table.splitlines()]
    header, body = rows[0], rows[2:]
    answer = reported.store.read(query)
    assert list(answer[0].keys()) == header
    assert [[str(row[name]) for name in header] for row in answer] == body
