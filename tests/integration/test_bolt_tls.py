"""Bolt over TLS by configuration: a real Neo4j that requires TLS, reached three ways."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from graph_lineage.errors import ConfigurationError, StoreError
from graph_lineage.neo4j_local import LocalNeo4j
from graph_lineage.neo4j_local.certificates import ensure_certificate
from graph_lineage.settings import Settings
from graph_lineage.store import Store

from ..conftest import local_settings


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    server = LocalNeo4j(local_settings(tmp_path_factory.mktemp("tls"), local_bolt_tls=True))
    server.start()
    yield server
    server.stop()


def test_the_local_server_requires_tls_with_its_own_certificate(server: LocalNeo4j) -> None:
    settings = server.settings
    conf = (server.layout.conf_dir / "neo4j.conf").read_text()
    key = settings.local_certificates_dir / "private.key"

    assert "server.bolt.tls_level=REQUIRED" in conf
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    with Store.connect(settings) as store:  # trusts exactly the generated certificate
        assert store.read("RETURN 1 AS one") == [{"one": 1}]
        assert store.driver.encrypted


def test_a_client_without_tls_is_refused(server: LocalNeo4j) -> None:
    uri = server.settings.local_bolt_uri
    with (
        neo4j.GraphDatabase.driver(uri, auth=server.auth()) as plain,
        pytest.raises(neo4j.exceptions.ServiceUnavailable),
    ):
        plain.verify_connectivity()


def test_an_external_server_by_uri_and_ca_file(server: LocalNeo4j, tmp_path: Path) -> None:
    auth = server.auth()
    assert auth is not None
    port = server.settings.local_bolt_port
    ca_file = server.settings.local_certificates_dir / "public.crt"
    common = {"neo4j_password": auth[1], "local_home": tmp_path}

    for settings in (
        Settings(neo4j_uri=f"bolt://localhost:{port}", neo4j_ca_file=ca_file, **common),
        Settings(neo4j_uri=f"neo4j+ssc://127.0.0.1:{port}", **common),
    ):
        with Store.connect(settings) as store:
            assert store.read("RETURN 2 AS two") == [{"two": 2}]
            assert store.driver.encrypted


def test_a_certificate_that_is_not_trusted_fails_and_says_so(
    server: LocalNeo4j, tmp_path: Path
) -> None:
    auth = server.auth()
    assert auth is not None
    port = server.settings.local_bolt_port
    stranger = ensure_certificate(tmp_path / "another-server")
    settings = Settings(
        neo4j_uri=f"bolt://127.0.0.1:{port}",
        neo4j_ca_file=stranger,
        neo4j_password=auth[1],
        local_home=tmp_path,
    )
    with Store.connect(settings) as store, pytest.raises(StoreError) as raised:
        store.read("RETURN 1 AS one")
    assert "TLS handshake with Neo4j failed" in str(raised.value)
    assert "CERTIFICATE_VERIFY_FAILED" in str(raised.value)
    assert not raised.value.retryable

    with pytest.raises(ConfigurationError, match="needs a bolt:// or neo4j:// URI"):
        Store.connect(settings.model_copy(update={"neo4j_uri": f"bolt+s://127.0.0.1:{port}"}))
