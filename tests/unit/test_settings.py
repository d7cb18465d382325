from __future__ import annotations

from pathlib import Path

import pytest

from graph_lineage.errors import ConfigurationError
from graph_lineage.settings import Settings
from graph_lineage.store import resolve_target


def test_environment_variables_use_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_LINEAGE_API_PORT", "9123")
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_DATABASE", "lineage")
    monkeypatch.setenv("API_PORT", "1")  # no prefix: ignored

    settings = Settings()

    assert settings.api_port == 9123
    assert settings.neo4j_database == "lineage"


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_LINEAGE_API_PORT", "9123")

    assert Settings(api_port=9000).api_port == 9000


def test_an_out_of_range_port_is_refused() -> None:
    with pytest.raises(ValueError, match="api_port"):
        Settings(api_port=70000)


def test_without_a_uri_the_local_server_and_its_password_file_are_used(tmp_path: Path) -> None:
    settings = Settings(local_home=tmp_path, local_bolt_port=17000)
    settings.local_password_file.write_text("s3cret-from-file\n")

    assert settings.uses_local_neo4j
    assert resolve_target(settings) == ("bolt://127.0.0.1:17000", ("neo4j", "s3cret-from-file"))


def test_an_explicit_uri_means_that_server(tmp_path: Path) -> None:
    settings = Settings(
        neo4j_uri="neo4j+s://db.example:7687", neo4j_password="pw", local_home=tmp_path
    )

    assert not settings.uses_local_neo4j
    assert resolve_target(settings) == ("neo4j+s://db.example:7687", ("neo4j", "pw"))


def test_a_missing_local_password_file_says_what_to_do(tmp_path: Path) -> None:
    settings = Settings(local_home=tmp_path)

    with pytest.raises(ConfigurationError, match="graph-lineage neo4j start"):
        resolve_target(settings)


def test_local_server_without_auth_needs_no_password(tmp_path: Path) -> None:
    settings = Settings(local_home=tmp_path, local_auth=False)

    assert resolve_target(settings) == ("bolt://127.0.0.1:7687", None)
