"""Where the local Neo4j keeps its files, and the neo4j.conf written for it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from graph_lineage.private_files import read_or_create
from graph_lineage.settings import Settings


@dataclass(frozen=True)
class Layout:
    """The folders and files of one local Neo4j server."""

    home: Path
    data: Path
    logs: Path
    password_file: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> Layout:
        home = settings.local_home.resolve()
        return cls(
            home=home,
            data=(settings.local_data_dir or home / "data").resolve(),
            logs=(settings.local_logs_dir or home / "logs").resolve(),
            password_file=settings.local_password_file.resolve(),
        )

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "neo4j.pid"

    @property
    def console_log(self) -> Path:
        return self.logs / "console.log"

    def has_system_database(self) -> bool:
        return (self.data / "databases" / "system").exists()

    def create(self) -> None:
        for folder in (self.home, self.conf_dir, self.run_dir, self.data, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        (self.home / "import").mkdir(exist_ok=True)
        (self.home / "plugins").mkdir(exist_ok=True)


def neo4j_conf(settings: Settings, layout: Layout) -> str:
    """The whole neo4j.conf: loopback only, our ports and folders, no usage reporting."""
    lines = {
        "server.default_listen_address": "127.0.0.1",
        "server.default_advertised_address": "127.0.0.1",
        "server.bolt.listen_address": f"127.0.0.1:{settings.local_bolt_port}",
        "server.bolt.advertised_address": f"127.0.0.1:{settings.local_bolt_port}",
        "server.http.listen_address": f"127.0.0.1:{settings.local_http_port}",
        "server.http.advertised_address": f"127.0.0.1:{settings.local_http_port}",
        "server.https.enabled": "false",
        "server.directories.data": str(layout.data),
        "server.directories.logs": str(layout.logs),
        "server.directories.run": str(layout.run_dir),
        "server.directories.import": str(layout.home / "import"),
        "server.directories.plugins": str(layout.home / "plugins"),
        "server.memory.pagecache.size": settings.local_pagecache,
        "dbms.security.auth_enabled": "true" if settings.local_auth else "false",
        "dbms.usage_report.enabled": "false",
        "client.allow_telemetry": "false",
    }
    if settings.local_bolt_tls:
        lines.update(
            {
                "dbms.ssl.policy.bolt.enabled": "true",
                "dbms.ssl.policy.bolt.base_directory": str(settings.local_certificates_dir),
                "dbms.ssl.policy.bolt.private_key": "private.key",
                "dbms.ssl.policy.bolt.public_certificate": "public.crt",
                "dbms.ssl.policy.bolt.client_auth": "NONE",
                "server.bolt.tls_level": "REQUIRED",
            }
        )
    header = "# Written by graph-lineage at every start: change GRAPH_LINEAGE_LOCAL_* instead.\n"
    return header + "".join(f"{key}={value}\n" for key, value in lines.items())


def read_or_create_password(password_file: Path) -> str:
    """The local server's password, generated once and readable only by this user."""
    # token_hex never starts with "-", which the admin tool would read as a flag
    return read_or_create(password_file, lambda: secrets.token_hex(20))
