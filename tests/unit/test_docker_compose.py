"""No Docker engine runs here, so the compose path is checked by structure, not run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose


def test_neo4j_service_is_5_26_community_with_a_volume_and_auth_from_the_environment() -> None:
    neo4j = _compose()["services"]["neo4j"]

    assert neo4j["image"] == "neo4j:5.26-community"
    assert any(volume.endswith(":/data") for volume in neo4j["volumes"])
    assert "neo4j-data" in _compose()["volumes"]
    assert neo4j["environment"]["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD")
    assert "127.0.0.1:7687:7687" in neo4j["ports"]
    assert "127.0.0.1:7474:7474" in neo4j["ports"]


def test_neo4j_has_a_health_check_that_runs_a_query() -> None:
    check = _compose()["services"]["neo4j"]["healthcheck"]

    assert "cypher-shell" in " ".join(check["test"])
    assert check["retries"] > 0


def test_api_is_built_here_and_waits_for_neo4j_to_be_healthy() -> None:
    api = _compose()["services"]["api"]

    assert api["build"] == "."
    assert api["depends_on"] == {"neo4j": {"condition": "service_healthy"}}
    assert api["environment"]["GRAPH_LINEAGE_NEO4J_URI"] == "bolt://neo4j:7687"
    assert api["environment"]["GRAPH_LINEAGE_API_HOST"] == "0.0.0.0"
    assert "PSEUDONYMIZATION_KEY:?" in api["environment"]["GRAPH_LINEAGE_PSEUDONYMIZATION_KEY"]
    assert "AUTH_JWT_SECRET:?" in api["environment"]["GRAPH_LINEAGE_AUTH_JWT_SECRET"]
    assert "ENCRYPTION_KEYS:?" in api["environment"]["GRAPH_LINEAGE_ENCRYPTION_KEYS"]
    assert "ENCRYPTION_KEY_ID:-}" in api["environment"]["GRAPH_LINEAGE_ENCRYPTION_KEY_ID"]
    assert "127.0.0.1:8000:8000" in api["ports"]
    assert "/readyz" in " ".join(api["healthcheck"]["test"])


def test_dockerfile_installs_the_package_migrates_and_serves() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "pip install --no-cache-dir ." in dockerfile
    assert "COPY schema ./schema" in dockerfile
    assert "graph-lineage migrate --wait" in dockerfile
    assert "graph-lineage serve" in dockerfile
