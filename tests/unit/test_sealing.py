from __future__ import annotations

import base64
import re
import secrets
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from graph_lineage.errors import ConfigurationError, SealedValueError
from graph_lineage.events import SENSITIVE_FIELDS, DataSourceEvent
from graph_lineage.sealing import V1_PREFIX, Sealer, is_sealed, key_id_of, parse_keys
from graph_lineage.settings import Settings
from graph_lineage.store.labels import Label
from graph_lineage.store.sealed import QUERIES, SEALED_PROPERTIES, SealedProperty

KEY_A, KEY_B = bytes(range(32)), bytes(range(32, 64))
UID, OTHER_UID = "experiment:e1", "experiment:e2"
ENVELOPE = re.compile(r"enc:v2:(?P<kid>[A-Za-z0-9_.-]+):(?P<payload>[A-Za-z0-9_-]+)")


def _b64(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


def _payload(envelope: str) -> bytes:
    match = ENVELOPE.fullmatch(envelope)
    assert match, envelope
    encoded = match["payload"]
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))


@pytest.mark.parametrize(
    "value", ["s3cret-salt", "", "ünïcødé", 42, 2.5, ["a", 1, None], {"k": [True]}]
)
def test_values_round_trip(value: Any) -> None:
    sealer = Sealer({"k1": KEY_A})

    envelope = sealer.seal(value, "salt", UID)

    assert ENVELOPE.fullmatch(envelope)
    assert is_sealed(envelope) and key_id_of(envelope) == "k1"
    assert sealer.open(envelope, "salt", UID) == value


def test_the_envelope_does_not_hold_the_plaintext() -> None:
    envelope = Sealer({"k1": KEY_A}).seal("postgres://admin:hunter2@db/orders", "uri", UID)

    assert "hunter2" not in envelope and "postgres" not in envelope
    assert b"hunter2" not in _payload(envelope)


def test_every_sealing_draws_a_new_nonce() -> None:
    sealer = Sealer({"k1": KEY_A})

    envelopes = [sealer.seal("same value", "salt", UID) for _ in range(500)]

    assert len(set(envelopes)) == 500
    assert len({_payload(envelope)[:12] for envelope in envelopes}) == 500
    assert {sealer.open(envelope, "salt", UID) for envelope in envelopes} == {"same value"}


def test_a_tampered_ciphertext_does_not_open() -> None:
    sealer = Sealer({"k1": KEY_A})
    envelope = sealer.seal("s3cret", "salt", UID)
    payload = bytearray(_payload(envelope))
    payload[-1] ^= 1
    tampered = "enc:v2:k1:" + _b64(bytes(payload))

    with pytest.raises(SealedValueError, match="altered"):
        sealer.open(tampered, "salt", UID)


def test_an_envelope_moved_to_another_property_does_not_open() -> None:
    sealer = Sealer({"k1": KEY_A})
    salt = sealer.seal("s3cret", "salt", UID)

    with pytest.raises(SealedValueError, match="copied from another property"):
        sealer.open(salt, "uri", UID)


def test_an_unknown_key_id_is_named() -> None:
    envelope = Sealer({"old": KEY_A}).seal("s3cret", "salt", UID)

    with pytest.raises(SealedValueError, match="'old', which is not configured"):
        Sealer({"new": KEY_B}).open(envelope, "salt", UID)


def test_a_relabelled_key_id_does_not_open() -> None:
    sealer = Sealer({"a": KEY_A, "b": KEY_B}, active_key_id="a")
    envelope = sealer.seal("s3cret", "salt", UID)

    with pytest.raises(SealedValueError):
        sealer.open(envelope.replace("enc:v2:a:", "enc:v2:b:"), "salt", UID)


@pytest.mark.parametrize("text", ["enc:v2:k1:", "enc:v2:k1:!!!!", "enc:v2:k1:AAAA", "plain"])
def test_a_malformed_envelope_is_a_clear_error(text: str) -> None:
    with pytest.raises(SealedValueError, match="not a sealed value"):
        Sealer({"k1": KEY_A}).open(text, "salt", UID)


def test_plain_values_are_not_sealed() -> None:
    assert not is_sealed("kafka://events/clicks")
    assert not is_sealed(None) and not is_sealed(7)
    assert key_id_of("kafka://events/clicks") is None


def test_reseal_moves_a_value_to_the_active_key_and_seals_plaintext() -> None:
    old = Sealer({"a": KEY_A})
    both = Sealer({"a": KEY_A, "b": KEY_B}, active_key_id="b")

    moved = both.reseal(old.seal("s3cret", "salt", UID), "salt", UID)
    sealed = both.reseal("written before encryption", "salt", UID)

    assert key_id_of(moved) == key_id_of(sealed) == "b"
    assert both.open(moved, "salt", UID) == "s3cret"
    assert both.open(sealed, "salt", UID) == "written before encryption"


def test_keys_come_from_settings_as_a_comma_list(tmp_path: Path) -> None:
    settings = Settings(
        local_home=tmp_path,
        encryption_keys=f"a:{_b64(KEY_A)}, b:{base64.b64encode(KEY_B).decode()}",
        encryption_key_id="b",
    )

    sealer = Sealer.from_settings(settings)

    assert sealer.key_ids == {"a", "b"} and sealer.active_key_id == "b"
    assert sealer.open(Sealer({"a": KEY_A}).seal("under a", "salt", UID), "salt", UID) == "under a"
    assert Sealer({"b": KEY_B}).open(sealer.seal("under b", "salt", UID), "salt", UID) == "under b"


def test_the_only_key_is_the_active_one_and_the_documented_recipe_works(tmp_path: Path) -> None:
    made = "k1:" + secrets.token_urlsafe(32)  # the `python -c` the errors suggest

    sealer = Sealer.from_settings(Settings(local_home=tmp_path, encryption_keys=made))

    assert sealer.active_key_id == "k1"


def test_no_keys_outside_the_demo_says_what_to_set_and_how(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="GRAPH_LINEAGE_ENCRYPTION_KEYS") as raised:
        Sealer.from_settings(Settings(local_home=tmp_path))

    assert "python -c" in str(raised.value) and "GRAPH_LINEAGE_DEMO" in str(raised.value)
    assert Sealer.if_configured(Settings(local_home=tmp_path)) is None


@pytest.mark.parametrize(
    ("keys", "key_id", "message"),
    [
        (f"k1:{_b64(bytes(16))}", None, "16 bytes; AES-256 needs exactly 32"),
        ("k1:not*base64", None, "not valid base64"),
        (_b64(KEY_A), None, "`<key id>:<base64 key>`"),
        (f"k/1:{_b64(KEY_A)}", None, "`<key id>:<base64 key>`"),
        (f"a:{_b64(KEY_A)},a:{_b64(KEY_B)}", None, "names 'a' twice"),
        (f"a:{_b64(KEY_A)},b:{_b64(KEY_B)}", None, "set GRAPH_LINEAGE_ENCRYPTION_KEY_ID"),
        (f"a:{_b64(KEY_A)}", "b", "has only a"),
        (" , ", None, "holds no key"),
    ],
)
def test_wrong_key_configuration_is_a_clear_error(
    tmp_path: Path, keys: str, key_id: str | None, message: str
) -> None:
    settings = Settings(local_home=tmp_path, encryption_keys=keys, encryption_key_id=key_id)

    with pytest.raises(ConfigurationError, match=re.escape(message)) as raised:
        Sealer.from_settings(settings)

    assert _b64(KEY_A) not in str(raised.value)  # key material is never echoed


def test_the_demo_generates_and_keeps_a_private_key_file(tmp_path: Path) -> None:
    settings = Settings(local_home=tmp_path, demo=True)

    envelope = Sealer.from_settings(settings).seal("s3cret", "salt", UID)

    key_file = tmp_path / "encryption-keys"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert Sealer.from_settings(settings).open(envelope, "salt", UID) == "s3cret"
    assert parse_keys(key_file.read_text())["demo"] != bytes(32)


def test_operator_commands_open_what_an_earlier_demo_sealed(tmp_path: Path) -> None:
    envelope = Sealer.from_settings(Settings(local_home=tmp_path, demo=True)).seal("s", "salt", UID)

    operator = Sealer.if_configured(Settings(local_home=tmp_path))  # `graph-lineage trace`

    assert operator is not None and operator.open(envelope, "salt", UID) == "s"
    assert Sealer.if_configured(Settings(local_home=tmp_path / "elsewhere")) is None


def test_sensitive_fields_come_from_the_event_model_and_the_openlineage_facets() -> None:
    sensitive = {event_type.__name__: names for event_type, names in SENSITIVE_FIELDS.items()}
    assert sensitive == {"DataSourceEvent": {"uri"}, "ExperimentEvent": {"salt"}}
    assert DataSourceEvent.model_json_schema()["properties"]["uri"]["sensitive"] is True
    assert set(SEALED_PROPERTIES) == {
        SealedProperty(Label.DATA_SOURCE, "uri"),
        SealedProperty(Label.EXPERIMENT, "salt"),
        SealedProperty(Label.DATASET, "data_source_uri"),
    }


def test_every_sealed_property_has_its_queries_and_is_written_sealed() -> None:
    from graph_lineage.store.writer import _PLAN

    assert {prop.label for prop in SEALED_PROPERTIES} <= set(QUERIES)
    for event_type in SENSITIVE_FIELDS:
        query, _ = _PLAN[event_type]
        assert "row.sealed" in query, f"{event_type.__name__}'s write drops its sealed values"


def test_every_sealed_property_has_a_typed_graphql_field_with_a_policy_rule() -> None:
    from api.graphql.nodes import _SEALED_FIELDS
    from graph_lineage.auth.policy import AccessPolicy

    policy = AccessPolicy.load(Settings().access_policy_file)

    assert set(_SEALED_FIELDS) == {(str(p.label), p.name) for p in SEALED_PROPERTIES}
    assert set(_SEALED_FIELDS.values()) == {("DataSource", "uri"), ("Experiment", "salt")}
    assert all(field in policy.rules for field in _SEALED_FIELDS.values())


def _v1(key: bytes, key_id: str, value: str, name: str) -> str:
    """An envelope as version 1 sealed it: the associated data names the property only."""
    header, nonce = f"{V1_PREFIX}{key_id}:", secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(nonce, f'"{value}"'.encode(), f"{header}{name}".encode())
    return header + _b64(nonce + sealed)


def test_an_envelope_copied_to_another_node_does_not_open_there() -> None:
    sealer = Sealer({"k1": KEY_A})
    envelope = sealer.seal("s3cret", "salt", UID)

    assert envelope.startswith("enc:v2:k1:")
    with pytest.raises(SealedValueError, match=r"salt of experiment:e2 does not open.*node"):
        sealer.open(envelope, "salt", OTHER_UID)


def test_a_version_1_envelope_opens_and_reseals_as_version_2() -> None:
    sealer = Sealer({"k1": KEY_A})
    old = _v1(KEY_A, "k1", "s3cret", "salt")

    assert is_sealed(old) and key_id_of(old) == "k1"
    assert sealer.open(old, "salt", UID) == sealer.open(old, "salt", OTHER_UID) == "s3cret"
    resealed = sealer.reseal(old, "salt", UID)
    assert resealed.startswith("enc:v2:k1:") and sealer.open(resealed, "salt", UID) == "s3cret"
    with pytest.raises(SealedValueError):
        sealer.open(resealed, "salt", OTHER_UID)
