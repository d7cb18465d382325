"""`graph-lineage up` as a user runs it: a real process, real HTTP, the real database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from graph_lineage.store import LINEAGE_LABELS, Store, recommendation_count

from ..conftest import Neo4jTarget, free_port

EXPERIMENT_REPORT = """
{ experiments { name }
  experimentReport(experiment: "ranker-v3-rollout") { variants { name units } notes } }
"""


def _get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status, json.load(reply)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def _get_status(request: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        error.close()
        return int(error.code)


def _wait_ready(url: str, process: subprocess.Popen[str], timeout: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            status, body = _get(url)
            if status == 200:
                return body
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} never answered 200")


def _drift_causes(store: Store, process: subprocess.Popen[str]) -> list[list[str]]:
    """The ranked causes of the open drifts, once the first scheduled scan stored some."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None
        rows = store.read(
            "MATCH (a:DriftAlert {verdict: 'drift', status: 'open'}) RETURN a.cause_uids AS causes"
        )
        if rows:
            return [list(row["causes"]) for row in rows if row["causes"]]
        time.sleep(1)
    raise AssertionError("no drift alert two minutes after the API started")


def test_up_migrates_loads_the_demo_and_serves_graphql(
    neo4j_target: Neo4jTarget, store: Store, tmp_path: Path
) -> None:
    port = free_port()
    environment = {
        **os.environ,
        "GRAPH_LINEAGE_NEO4J_URI": neo4j_target.uri,
        "GRAPH_LINEAGE_NEO4J_USER": neo4j_target.user,
        "GRAPH_LINEAGE_NEO4J_PASSWORD": neo4j_target.password or "",
        "GRAPH_LINEAGE_API_PORT": str(port),
        "GRAPH_LINEAGE_DEMO_RECOMMENDATIONS": "300",
    }
    command = [sys.executable, "-m", "graph_lineage.cli", "up"]
    process = subprocess.Popen(
        command, env=environment, cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        ready = _wait_ready(f"http://127.0.0.1:{port}/readyz", process)
        assert ready["status"] == "ready"
        assert str(ready["neo4j"]["version"]).startswith("5.26")  # type: ignore[index]

        assert recommendation_count(store) == 300
        constraints = store.read("SHOW CONSTRAINTS YIELD labelsOrTypes RETURN labelsOrTypes")
        labels = {row["labelsOrTypes"][0] for row in constraints}
        assert {str(label) for label in LINEAGE_LABELS} <= labels

        url = f"http://127.0.0.1:{port}/graphql"
        query = json.dumps({"query": "{ about { neo4jEdition } }"}).encode()
        anonymous = urllib.request.Request(
            url, data=query, headers={"content-type": "application/json"}
        )
        assert _get_status(anonymous) == 401

        token = subprocess.run(
            [sys.executable, "-m", "graph_lineage.cli", "token", "viewer"],
            env=environment,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        request = urllib.request.Request(
            url,
            data=query,
            headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            assert json.load(reply) == {"data": {"about": {"neo4jEdition": "community"}}}

        # the demo's experiments, reported to a viewer through the same door
        report = json.dumps({"query": EXPERIMENT_REPORT}).encode()
        request = urllib.request.Request(
            url,
            data=report,
            headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            answer = json.load(reply)
        assert "errors" not in answer, answer
        listed = {e["name"] for e in answer["data"]["experiments"]}
        assert listed == {"ranker-v3-rollout", "retriever-v3-ab"}
        variants = answer["data"]["experimentReport"]["variants"]
        assert [v["name"] for v in variants] == ["control", "treatment"]
        assert all(v["units"] > 0 for v in variants) and "rec:" not in json.dumps(answer)

        # the API's own drift scan finds the demo's source change, with the source first
        causes = _drift_causes(store, process)
        assert any(found[0].startswith("source:") for found in causes), causes
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert f"GraphiQL:       http://127.0.0.1:{port}/graphql" in output
    assert "Loading the demo pipeline (300 recommendations)" in output
    assert "Drift scans:    every 3600 s in the API process" in output
    assert "Experiments:    .venv/bin/graph-lineage experiment report ranker-v3-rollout" in output
    assert process.returncode == 0
