"""Sensitive properties at rest: sealed in the store, opened only for roles allowed, rotated."""

from __future__ import annotations

import base64
import json
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.cli import main
from graph_lineage.demo import DemoPipeline
from graph_lineage.errors import ConfigurationError
from graph_lineage.events import DataSourceEvent, Event, ExperimentEvent, parse_event
from graph_lineage.governance.rotation import key_status, rotate_keys
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer, is_sealed, key_id_of, parse_keys
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.writer import LineageWriter

from ..conftest import TEST_ENCRYPTION_KEYS, TEST_PSEUDONYMIZATION_KEY, Neo4jTarget, bearer

KEY_A = "a:" + base64.urlsafe_b64encode(b"A" * 32).decode()
KEY_B = "b:" + base64.urlsafe_b64encode(b"B" * 32).decode()
EXPERIMENT = "experiment:ranker-v3-rollout"
NODE = """{ node(uid: "%s") { uid ... on %s { %s properties } } }"""

RAW_SEALED = """
MATCH (n) WHERE n:Experiment OR n:DataSource
RETURN n.uid AS uid, coalesce(n.salt, n.uri) AS value
ORDER BY uid
"""
EVERY_VALUE = """
CALL () { MATCH (n) RETURN properties(n) AS props UNION ALL
          MATCH ()-[r]->() RETURN properties(r) AS props }
RETURN props
"""


def _events() -> list[Event]:
    return [parse_event(raw) for raw in DemoPipeline(300, seed=42).events()]


def _plaintexts(events: list[Event]) -> dict[str, str]:
    """uid -> the salt or uri its newest event declares."""
    values: dict[str, str] = {}
    for event in sorted(events, key=lambda e: (e.event_time, e.event_id)):
        if isinstance(event, ExperimentEvent):
            values[event.uid] = event.salt
        elif isinstance(event, DataSourceEvent):
            values[event.uid] = event.uri
    return values


def _keyed(settings: Settings, keys: str, active: str | None = None) -> Settings:
    return settings.model_copy(
        update={"encryption_keys": SecretStr(keys), "encryption_key_id": active}
    )


def _write(store: Store, settings: Settings, events: list[Event]) -> None:
    migrate(store, settings.migrations_dir)
    writer = LineageWriter(
        store, Pseudonymizer.from_settings(settings), Sealer.from_settings(settings)
    )
    writer.write(events)


def _stored(store: Store) -> dict[str, Any]:
    return {row["uid"]: row["value"] for row in store.read(RAW_SEALED)}


@pytest.fixture
def demo(store: Store, settings: Settings) -> dict[str, str]:
    events = _events()
    _write(store, settings, events)
    return _plaintexts(events)


def test_the_store_holds_only_envelopes(demo: dict[str, str], store: Store) -> None:
    stored = _stored(store)

    assert len(demo) == 8 and set(stored) == set(demo)  # 6 sources, 2 experiments
    assert all(is_sealed(value) and key_id_of(value) == "test" for value in stored.values())
    everything = repr([row["props"] for row in store.read(EVERY_VALUE)])
    leaked = [plain for plain in demo.values() if plain in everything]
    assert leaked == []


def test_a_replay_keeps_the_envelopes_and_a_newer_event_replaces_them(
    demo: dict[str, str], store: Store, settings: Settings
) -> None:
    before = _stored(store)
    _write(store, settings, _events())
    assert _stored(store) == before

    changed = {
        "type": "data_source.changed", "event_id": "later", "producer": "test",
        "event_time": "2027-01-01T00:00:00Z", "name": "orders", "kind": "table",
        "uri": "postgres://shop-replica/orders", "owner": "commerce",
    }  # fmt: skip
    _write(store, settings, [parse_event(changed)])
    after = _stored(store)
    assert after["source:orders"] != before["source:orders"]
    sealer = Sealer.from_settings(settings)
    assert (
        sealer.open(after["source:orders"], "uri", "source:orders")
        == "postgres://shop-replica/orders"
    )


@pytest.fixture
def client(demo: dict[str, str], settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def _ask(client: TestClient, settings: Settings, role: str, query: str) -> tuple[Any, str]:
    reply = client.post("/graphql", json={"query": query}, headers=bearer(settings, role))
    return reply.json(), reply.text


def test_a_role_allowed_the_salt_reads_it_in_plaintext(
    client: TestClient, settings: Settings, demo: dict[str, str]
) -> None:
    body, _ = _ask(client, settings, "engineer", NODE % (EXPERIMENT, "Experiment", "salt"))

    assert "errors" not in body
    assert body["data"]["node"]["salt"] == demo[EXPERIMENT]
    assert body["data"]["node"]["properties"]["salt"] == demo[EXPERIMENT]


def test_a_role_denied_the_salt_gets_null_and_no_trace_of_it(
    client: TestClient, settings: Settings, demo: dict[str, str], store: Store
) -> None:
    fields = "salt randomizationUnit"
    body, text = _ask(client, settings, "viewer", NODE % (EXPERIMENT, "Experiment", fields))

    assert body["data"]["node"]["salt"] is None
    assert body["data"]["node"]["randomizationUnit"] == "user"
    assert {(e["path"][-1], e["extensions"]["code"]) for e in body["errors"]} == {
        ("salt", "FORBIDDEN_FIELD"),
        ("properties", "FORBIDDEN_FIELD"),
    }
    assert demo[EXPERIMENT] not in text
    assert _stored(store)[EXPERIMENT] not in text


def test_properties_leave_out_a_sealed_value_the_caller_may_not_read(
    demo: dict[str, str], settings: Settings, store: Store, tmp_path: Path
) -> None:
    # A policy where viewers read an experiment's property map but not its salt.
    schema_dir = tmp_path / "schema"
    shutil.copytree(settings.schema_dir, schema_dir)
    policy = (schema_dir / "access-policy.toml").read_text()
    section = re.search(r"\[types\.Experiment\]\n(.*?)\n\n", policy, re.S)
    assert section is not None
    opened = re.sub(r"(?m)^properties = .*$", 'properties = ["readers"]', section.group(1))
    (schema_dir / "access-policy.toml").write_text(policy.replace(section.group(1), opened))
    query = NODE % (EXPERIMENT, "Experiment", "salt")

    with TestClient(create_app(settings.model_copy(update={"schema_dir": schema_dir}))) as app:
        viewer, text = _ask(app, settings, "viewer", query)
        engineer, _ = _ask(app, settings, "engineer", query)

    properties = viewer["data"]["node"]["properties"]
    assert properties["randomization_unit"] == "user" and "salt" not in properties
    assert [e["path"] for e in viewer["errors"]] == [["node", "salt"]]
    assert demo[EXPERIMENT] not in text and _stored(store)[EXPERIMENT] not in text
    assert engineer["data"]["node"]["properties"]["salt"] == demo[EXPERIMENT]


def test_data_source_uris_open_for_readers_everywhere_they_appear(
    client: TestClient, settings: Settings, demo: dict[str, str]
) -> None:
    query = """{ upstream(uid: "feature:user_purchase_30d@v1", depth: 1) {
        nodes { uid properties ... on DataSource { uri } } } }"""

    body, _ = _ask(client, settings, "viewer", query)

    (source,) = [n for n in body["data"]["upstream"]["nodes"] if n["uid"] == "source:orders"]
    assert source["uri"] == source["properties"]["uri"] == demo["source:orders"]


def test_the_app_refuses_to_start_without_encryption_keys(settings: Settings) -> None:
    keyless = settings.model_copy(update={"encryption_keys": None})

    with pytest.raises(ConfigurationError, match="GRAPH_LINEAGE_ENCRYPTION_KEYS is not set"):
        create_app(keyless)


def test_rotation_reseals_everything_under_the_new_key_in_batches(
    store: Store, settings: Settings
) -> None:
    events = _events()
    plaintexts = _plaintexts(events)
    _write(store, _keyed(settings, KEY_A), events)
    rotating = Sealer.from_settings(_keyed(settings, f"{KEY_A},{KEY_B}", active="b"))
    under_a = _stored(store)

    dry = rotate_keys(store, rotating, batch_size=4, dry_run=True)

    assert dry.counts == {("DataSource.uri", "a"): 6, ("Experiment.salt", "a"): 2}
    assert dry.batches == 0 and _stored(store) == under_a

    trips = store.round_trips
    report = rotate_keys(store, rotating, batch_size=4)

    assert report.counts == dry.counts and report.total == 8
    # 6 sources in pages of 4 and 4+2, 2 experiments in one: 3 write transactions, and
    # 3 page reads (a short page is the last one), 1 empty one of Dataset.data_source_uri;
    # 2 more open and close its record.
    assert report.batches == 3
    assert store.round_trips - trips == 9
    (record,) = store.read(
        "MATCH (a:RunRecord {uid: $uid}) RETURN a.kind AS kind, a.status AS status,"
        " a.resealed AS resealed, a.active_key_id AS key, a.dry_run AS dry_run",
        uid=report.uid,
    )
    assert dict(record) == {
        "kind": "key_rotation",
        "status": "finished",
        "resealed": 8,
        "key": "b",
        "dry_run": False,
    }
    only_b = Sealer.from_settings(_keyed(settings, KEY_B))
    stored = _stored(store)
    assert {key_id_of(value) for value in stored.values()} == {"b"}
    opened = {
        uid: only_b.open(v, "salt" if "experiment" in uid else "uri", uid)
        for uid, v in stored.items()
    }
    assert opened == plaintexts
    assert key_status(store) == {("DataSource.uri", "b"): 6, ("Experiment.salt", "b"): 2}
    again = rotate_keys(store, rotating, batch_size=4)
    assert (again.total, again.batches) == (0, 0)


def test_rotation_seals_plaintext_written_before_encryption(
    demo: dict[str, str], store: Store, settings: Settings
) -> None:
    store.write(
        "UNWIND $rows AS row MATCH (n:Experiment {uid: row.uid}) SET n.salt = row.salt",
        rows=[{"uid": uid, "salt": demo[uid]} for uid in demo if uid.startswith("experiment:")],
    )
    assert key_status(store) == {("DataSource.uri", "test"): 6, ("Experiment.salt", "plaintext"): 2}

    report = rotate_keys(store, Sealer.from_settings(settings), batch_size=1)

    assert report.counts == {("Experiment.salt", "plaintext"): 2} and report.batches == 2
    assert key_status(store) == {("DataSource.uri", "test"): 6, ("Experiment.salt", "test"): 2}
    sealer = Sealer.from_settings(settings)
    assert sealer.open(_stored(store)[EXPERIMENT], "salt", EXPERIMENT) == demo[EXPERIMENT]


def test_a_replay_seals_plaintext_it_finds(
    demo: dict[str, str], store: Store, settings: Settings
) -> None:
    store.write("MATCH (n:DataSource) SET n.uri = 'plain://left-over'")

    _write(store, settings, _events())

    stored = _stored(store)
    assert all(is_sealed(value) for value in stored.values())
    sealer = Sealer.from_settings(settings)
    assert sealer.open(stored["source:orders"], "uri", "source:orders") == demo["source:orders"]


@pytest.fixture
def operator(
    demo: dict[str, str], neo4j_target: Neo4jTarget, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The environment of an operator at a terminal, without encryption keys yet."""
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_URI", neo4j_target.uri)
    monkeypatch.setenv("GRAPH_LINEAGE_NEO4J_PASSWORD", neo4j_target.password or "")
    monkeypatch.setenv("GRAPH_LINEAGE_PSEUDONYMIZATION_KEY", TEST_PSEUDONYMIZATION_KEY)
    monkeypatch.delenv("GRAPH_LINEAGE_ENCRYPTION_KEYS", raising=False)
    monkeypatch.delenv("GRAPH_LINEAGE_ENCRYPTION_KEY_ID", raising=False)
    return demo


def _experimented_request(store: Store) -> str:
    rows = store.read(
        "MATCH (r:Recommendation)-[:HAS_CONTEXT]->()-[:IN_VARIANT]->()-[:OF]->"
        "(:Experiment {uid: $uid}) RETURN r.request_id AS id ORDER BY id LIMIT 1",
        uid=EXPERIMENT,
    )
    return str(rows[0]["id"])


def test_the_cli_shows_sealed_values_only_with_the_keys(
    operator: dict[str, str],
    store: Store,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    request = _experimented_request(store)

    assert main(["trace", request]) == 0
    assert "salt <encrypted>" in capsys.readouterr().out

    monkeypatch.setenv("GRAPH_LINEAGE_ENCRYPTION_KEYS", TEST_ENCRYPTION_KEYS)
    assert main(["trace", request]) == 0
    assert f"salt {operator[EXPERIMENT]}" in capsys.readouterr().out
    assert main(["trace", request, "--json"]) == 0
    assert f'"salt": "{operator[EXPERIMENT]}"' in capsys.readouterr().out


def test_keys_status_and_rotate_from_the_cli(
    operator: dict[str, str],
    store: Store,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GRAPH_LINEAGE_ENCRYPTION_KEYS", f"{TEST_ENCRYPTION_KEYS},{KEY_B}")
    monkeypatch.setenv("GRAPH_LINEAGE_ENCRYPTION_KEY_ID", "b")

    assert main(["keys", "status"]) == 0
    status = capsys.readouterr().out
    assert "active key: b" in status
    assert re.search(r"Experiment\.salt\s+test\s+2\s+not the active key", status)

    assert main(["keys", "rotate", "--batch-size", "5", "--dry-run"]) == 0
    assert "would re-seal 8 values under key b" in capsys.readouterr().out
    assert main(["keys", "rotate", "--batch-size", "5"]) == 0
    out = capsys.readouterr().out
    assert "re-sealed 8 values under key b in 3 transactions" in out
    assert re.search(r"DataSource\.uri\s+from test\s+6", out)
    assert {key_id_of(value) for value in _stored(store).values()} == {"b"}


OTHER_EXPERIMENT = "experiment:retriever-v3-ab"


def test_a_salt_copied_to_another_experiment_does_not_open_there(
    client: TestClient, settings: Settings, store: Store
) -> None:
    store.write(
        "MATCH (a:Experiment {uid: $a}), (b:Experiment {uid: $b}) SET b.salt = a.salt",
        a=EXPERIMENT,
        b=OTHER_EXPERIMENT,
    )

    reply = client.post(
        "/graphql",
        json={"query": NODE % (OTHER_EXPERIMENT, "Experiment", "salt")},
        headers=bearer(settings, "engineer"),
    )

    assert reply.status_code == 200
    errors = reply.json()["errors"]
    assert {tuple(error["path"]) for error in errors} == {("node", "salt"), ("node", "properties")}
    assert {error["extensions"]["code"] for error in errors} == {"SEALED_VALUE_UNREADABLE"}
    assert all(f"salt of {OTHER_EXPERIMENT} does not open" in e["message"] for e in errors)


def _version_1(key_id: str, key: bytes, value: str, name: str) -> str:
    """An envelope as version 1 sealed it: the associated data names the property only."""
    header, nonce = f"enc:v1:{key_id}:", secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, json.dumps(value).encode(), f"{header}{name}".encode())
    return header + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def test_a_version_1_salt_opens_and_rotation_reseals_it_as_version_2(
    client: TestClient, settings: Settings, store: Store, demo: dict[str, str]
) -> None:
    key_id, key = next(iter(parse_keys(TEST_ENCRYPTION_KEYS).items()))
    old = _version_1(key_id, key, demo[EXPERIMENT], "salt")
    store.write("MATCH (n:Experiment {uid: $uid}) SET n.salt = $old", uid=EXPERIMENT, old=old)

    body, _ = _ask(client, settings, "engineer", NODE % (EXPERIMENT, "Experiment", "salt"))
    report = rotate_keys(store, Sealer.from_settings(settings))

    assert "errors" not in body and body["data"]["node"]["salt"] == demo[EXPERIMENT]
    assert report.counts == {("Experiment.salt", key_id): 1}
    resealed = _stored(store)[EXPERIMENT]
    assert resealed.startswith(f"enc:v2:{key_id}:")
    assert Sealer.from_settings(settings).open(resealed, "salt", EXPERIMENT) == demo[EXPERIMENT]
    assert all(value.startswith("enc:v2:") for value in _stored(store).values())
