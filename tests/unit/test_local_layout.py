from __future__ import annotations

import stat
from pathlib import Path

from graph_lineage.neo4j_local.layout import Layout, neo4j_conf, read_or_create_password
from graph_lineage.settings import Settings


def _conf(**overrides: object) -> dict[str, str]:
    settings = Settings(**overrides)  # type: ignore[arg-type]
    text = neo4j_conf(settings, Layout.from_settings(settings))
    return dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )


def test_conf_listens_on_loopback_only_on_the_chosen_ports(tmp_path: Path) -> None:
    conf = _conf(local_home=tmp_path, local_bolt_port=17687, local_http_port=17474)

    assert conf["server.default_listen_address"] == "127.0.0.1"
    assert conf["server.bolt.listen_address"] == "127.0.0.1:17687"
    assert conf["server.http.listen_address"] == "127.0.0.1:17474"
    assert conf["server.https.enabled"] == "false"


def test_conf_turns_reporting_off_and_auth_on_by_default(tmp_path: Path) -> None:
    conf = _conf(local_home=tmp_path)

    assert conf["dbms.usage_report.enabled"] == "false"
    assert conf["dbms.security.auth_enabled"] == "true"
    assert _conf(local_home=tmp_path, local_auth=False)["dbms.security.auth_enabled"] == "false"


def test_bolt_tls_is_off_by_default_and_required_when_asked(tmp_path: Path) -> None:
    assert "server.bolt.tls_level" not in _conf(local_home=tmp_path)

    conf = _conf(local_home=tmp_path, local_bolt_tls=True)

    assert conf["server.bolt.tls_level"] == "REQUIRED"
    assert conf["dbms.ssl.policy.bolt.enabled"] == "true"
    assert conf["dbms.ssl.policy.bolt.base_directory"] == str(tmp_path / "certificates" / "bolt")


def test_data_and_logs_folders_can_live_elsewhere(tmp_path: Path) -> None:
    conf = _conf(
        local_home=tmp_path / "home",
        local_data_dir=tmp_path / "disk" / "data",
        local_logs_dir=tmp_path / "disk" / "logs",
    )

    assert conf["server.directories.data"] == str(tmp_path / "disk" / "data")
    assert conf["server.directories.logs"] == str(tmp_path / "disk" / "logs")


def test_password_is_generated_once_and_private(tmp_path: Path) -> None:
    password_file = tmp_path / "neo4j-password"

    first = read_or_create_password(password_file)

    assert len(first) >= 24
    assert set(first) <= set("0123456789abcdef")  # Neo4j's admin tool reads "-x" as a flag
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert read_or_create_password(password_file) == first
