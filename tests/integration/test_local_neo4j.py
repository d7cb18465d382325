"""The local launcher: a real Neo4j from Maven Central's jars, started and stopped here."""

from __future__ import annotations

import json
import socket
import stat
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from graph_lineage.cli import main
from graph_lineage.errors import Neo4jStartFailed, PortInUse
from graph_lineage.neo4j_local import LocalNeo4j

from ..conftest import local_settings


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalNeo4j]:
    server = LocalNeo4j(local_settings(tmp_path / "local"))
    yield server
    server.stop()


def _count_markers(server: LocalNeo4j) -> int:
    with neo4j.GraphDatabase.driver(server.settings.local_bolt_uri, auth=server.auth()) as driver:
        records, _, _ = driver.execute_query("MATCH (m:Marker) RETURN count(m) AS n")
        return int(records[0]["n"])


def test_start_stop_start_keeps_data_and_reports_status(
    server: LocalNeo4j, capsys: pytest.CaptureFixture[str]
) -> None:
    status = server.start()
    assert status.running and status.version.startswith("5.26")
    with neo4j.GraphDatabase.driver(status.bolt_uri, auth=server.auth()) as driver:
        driver.execute_query("CREATE (:Marker {kept: true})")

    assert server.stop() is True
    assert server.status().running is False
    assert not server.layout.pid_file.exists()

    again = server.start()
    assert again.running and again.pid != status.pid
    assert _count_markers(server) == 1


def test_listens_on_loopback_with_auth_and_a_private_password_file(server: LocalNeo4j) -> None:
    server.start()
    conf = (server.layout.conf_dir / "neo4j.conf").read_text()

    assert f"server.bolt.listen_address=127.0.0.1:{server.settings.local_bolt_port}" in conf
    assert "dbms.usage_report.enabled=false" in conf
    assert stat.S_IMODE(server.layout.password_file.stat().st_mode) == 0o600
    with (
        neo4j.GraphDatabase.driver(server.settings.local_bolt_uri, auth=("neo4j", "wrong")) as d,
        pytest.raises(neo4j.exceptions.AuthError),
    ):
        d.verify_connectivity()


def test_serves_neo4j_browser_and_reports_version_over_http(server: LocalNeo4j) -> None:
    server.start()
    http = server.settings.local_http_uri

    with urllib.request.urlopen(f"{http}/browser/", timeout=10) as reply:
        assert reply.status == 200
        assert b"Neo4j Browser" in reply.read()
    with urllib.request.urlopen(f"{http}/", timeout=10) as reply:
        assert json.load(reply)["neo4j_version"].startswith("5.26")


def test_cli_status_json_for_scripts(
    server: LocalNeo4j, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = server.settings
    for key, value in {
        "LOCAL_HOME": settings.local_home,
        "LOCAL_BOLT_PORT": settings.local_bolt_port,
        "LOCAL_HTTP_PORT": settings.local_http_port,
        "LOCAL_HEAP": settings.local_heap,
        "LOCAL_PAGECACHE": settings.local_pagecache,
    }.items():
        monkeypatch.setenv(f"GRAPH_LINEAGE_{key}", str(value))

    assert main(["neo4j", "status", "--json"]) == 3
    assert json.loads(capsys.readouterr().out)["running"] is False

    assert main(["neo4j", "start"]) == 0
    capsys.readouterr()
    assert main(["neo4j", "status", "--json"]) == 0
    reported = json.loads(capsys.readouterr().out)
    assert reported["running"] is True
    assert reported["bolt_uri"] == settings.local_bolt_uri
    assert reported["user"] == "neo4j"
    assert Path(reported["password_file"]).read_text().strip() == server.auth()[1]  # type: ignore[index]

    assert main(["neo4j", "stop"]) == 0
    assert "stopped" in capsys.readouterr().out


def test_a_taken_port_is_named(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = LocalNeo4j(local_settings(tmp_path, local_bolt_port=port))

        with pytest.raises(PortInUse, match=f"port {port} .*GRAPH_LINEAGE_LOCAL_BOLT_PORT"):
            server.start()


def test_a_bad_setting_fails_before_the_server_starts(tmp_path: Path) -> None:
    server = LocalNeo4j(local_settings(tmp_path, local_pagecache="plenty"))

    with pytest.raises(
        Neo4jStartFailed, match=r"(?s)initial Neo4j password failed:.*'plenty' is not a valid size"
    ):
        server.start()


def test_a_failed_start_shows_the_tail_of_the_log(tmp_path: Path) -> None:
    server = LocalNeo4j(local_settings(tmp_path, local_pagecache="plenty", local_auth=False))

    with pytest.raises(Neo4jStartFailed) as failure:
        server.start()

    message = str(failure.value)
    assert "exited with code" in message
    assert "last lines of" in message and "plenty" in message
    assert server.status().running is False
