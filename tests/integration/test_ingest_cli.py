"""`graph-lineage demo-data` and `graph-lineage ingest`, run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph_lineage.cli import main
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate, recommendation_count

from ..conftest import TEST_ENCRYPTION_KEYS, TEST_PSEUDONYMIZATION_KEY, Neo4jTarget


@pytest.fixture
def environment(
    neo4j_target: Neo4jTarget, store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Store:
    migrate(store, settings.migrations_dir)
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_URI", neo4j_target.uri)
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_PASSWORD", neo4j_target.password or "")
    monkeypatch.setenv("GRAPH_LINEAGE_PSEUDONYMIZATION_KEY", TEST_PSEUDONYMIZATION_KEY)
    monkeypatch.setenv("GRAPH_LINEAGE_ENCRYPTION_KEYS", TEST_ENCRYPTION_KEYS)
    return store


def test_demo_data_then_ingest(
    environment: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "demo.ndjson"

    assert main(["demo-data", "--recommendations", "300", "--output", str(events)]) == 0
    assert main(["ingest", str(events), "--batch-size", "250"]) == 0

    out = capsys.readouterr().out
    assert "recommendation.served" in out and "300" in out
    assert recommendation_count(environment) == 300


def test_demo_data_to_standard_output_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    main(["demo-data", "--recommendations", "50", "--seed", "4"])
    first = capsys.readouterr().out
    main(["demo-data", "--recommendations", "50", "--seed", "4"])

    assert capsys.readouterr().out == first
    assert all(json.loads(line)["event_id"] for line in first.splitlines())


def test_an_invalid_line_stops_the_ingest_before_anything_is_written(
    environment: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["demo-data", "--recommendations", "40", "--output", str(tmp_path / "ok.ndjson")])
    lines = (tmp_path / "ok.ndjson").read_text().splitlines()
    bad = json.loads(lines[30])
    bad["served_at"] = "not a time"
    lines[30] = json.dumps(bad)
    (tmp_path / "bad.ndjson").write_text("\n".join(lines) + "\n")

    assert main(["ingest", str(tmp_path / "bad.ndjson")]) == 1

    error = capsys.readouterr().err
    assert "1 invalid event(s); nothing was written" in error
    assert "line 31:" in error
    assert recommendation_count(environment) == 0


def test_a_json_array_file_is_accepted(environment: Store, tmp_path: Path) -> None:
    main(["demo-data", "--recommendations", "25", "--output", str(tmp_path / "e.ndjson")])
    events = [json.loads(line) for line in (tmp_path / "e.ndjson").read_text().splitlines()]
    (tmp_path / "e.json").write_text(json.dumps(events, indent=1))

    assert main(["ingest", str(tmp_path / "e.json")]) == 0
    assert recommendation_count(environment) == 25


def test_ingest_without_a_key_refuses_to_start(
    environment: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.delenv("GRAPH_LINEAGE_PSEUDONYMIZATION_KEY")
    main(["demo-data", "--recommendations", "5", "--output", str(tmp_path / "e.ndjson")])

    assert main(["ingest", str(tmp_path / "e.ndjson")]) == 1
    assert "GRAPH_LINEAGE_PSEUDONYMIZATION_KEY is not set" in capsys.readouterr().err
    assert recommendation_count(environment) == 0
