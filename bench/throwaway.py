"""Throwaway local Neo4j servers for the benchmarks: free ports, a temporary home each.

Never the developer's database on 7687: every server here lives under a folder the
benchmark made and is stopped (and its folder removed) when the ``with`` block ends.

>>> with throwaway_neo4j(Path(tmp) / "ingest") as server:
...     store = Store.connect(server.settings)
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph_lineage.neo4j_local import LocalNeo4j
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate

# The product's defaults for the local server, so the figures are what a user gets.
HEAP = "1g"
PAGECACHE = "512m"
NEO4J_VERSION = """
CALL dbms.components() YIELD versions, edition RETURN versions[0] AS version, edition
"""


@dataclass(frozen=True)
class Server:
    settings: Settings
    home: Path
    local: LocalNeo4j

    @property
    def store_dir(self) -> Path:
        """The folder of the ``neo4j`` database's store files (transaction logs are apart)."""
        return self.home / "data" / "databases" / self.settings.neo4j_database

    @property
    def transactions_dir(self) -> Path:
        return self.home / "data" / "transactions" / self.settings.neo4j_database


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def bench_settings(home: Path, **overrides: Any) -> Settings:
    """Settings for a server under ``home`` with throwaway keys; nothing from the environment
    may point the benchmark at another database, so the target is given explicitly."""
    values: dict[str, Any] = {
        "neo4j_uri": None,
        "neo4j_password": None,
        "neo4j_database": "neo4j",
        "local_home": home,
        "local_data_dir": None,
        "local_logs_dir": None,
        "local_bolt_port": free_port(),
        "local_http_port": free_port(),
        "local_heap": HEAP,
        "local_pagecache": PAGECACHE,
        "local_bolt_tls": False,
        "pseudonymization_key": "bench-" + secrets.token_urlsafe(24),
        "encryption_keys": f"bench:{secrets.token_urlsafe(32)}",
        "auth_jwt_secret": secrets.token_urlsafe(48),
        "auth_jwks": None,
        "auth_issuer": None,
        "demo": False,
    }
    values.update(overrides)
    return Settings(**values)


@contextmanager
def throwaway_neo4j(home: Path) -> Iterator[Server]:
    """A started local Neo4j under ``home``, migrated to the product's schema."""
    settings = bench_settings(home)
    server = LocalNeo4j(settings)
    server.start()
    try:
        with Store.connect(settings) as store:
            migrate(store, settings.migrations_dir)
        yield Server(settings, home, server)
    finally:
        server.stop()


def neo4j_version(store: Store) -> str:
    row = store.read(NEO4J_VERSION)[0]
    return f"{row['version']} {row['edition']}"
