"""Sealed values: sensitive properties are encrypted with AES-256-GCM before they are stored.

A sealed value is a self-describing string, so values under different keys can live side
by side while keys rotate::

    enc:v2:<key id>:<base64url(nonce || ciphertext)>

The nonce is 96 random bits, so sealing one value twice gives two different envelopes.
The associated data binds the envelope to its place: the header, the property name and
the uid of the node that holds it (``<header><name>\\0<uid>``), so an envelope moved to
another property (a sealed salt copied into a uri) or to another node does not open.
Version 1 envelopes (``enc:v1:``) bound the property only; they still open, and key
rotation re-seals them as version 2. Values are JSON inside, so strings, numbers and
lists round-trip.

>>> sealer = Sealer({"k1": bytes(32)})
>>> envelope = sealer.seal("s3cret", "salt", "experiment:e1")
>>> key_id_of(envelope), sealer.open(envelope, "salt", "experiment:e1")
('k1', 's3cret')
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeGuard

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from graph_lineage.errors import ConfigurationError, SealedValueError
from graph_lineage.private_files import read_or_create
from graph_lineage.settings import Settings

SEALED_PREFIX = "enc:"  # every envelope, of any version
PREFIX = "enc:v2:"  # envelopes sealed now
V1_PREFIX = "enc:v1:"  # read compatibility: the property name is the only binding
_VERSIONS = (PREFIX, V1_PREFIX)
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
DEMO_KEY_ID = "demo"
MAKE_KEY = "python -c 'import secrets; print(\"k1:\" + secrets.token_urlsafe(32))'"


def is_sealed(value: object) -> TypeGuard[str]:
    """Whether ``value`` is an envelope (and not a plaintext value)."""
    return isinstance(value, str) and value.startswith(_VERSIONS)


def key_id_of(value: object) -> str | None:
    """The id of the key that sealed ``value``; None for a value that is not sealed."""
    if not is_sealed(value):
        return None
    return value.split(":", 3)[2]


class Sealer:
    """Seals values under the active key; opens values sealed under any key of its ring."""

    def __init__(self, keys: Mapping[str, bytes], active_key_id: str | None = None) -> None:
        if not keys:
            raise ConfigurationError("no encryption key given; " + _HOW_TO)
        for key_id, key in keys.items():
            _check_key(key_id, key)
        if active_key_id is None:
            if len(keys) > 1:
                raise ConfigurationError(
                    f"several encryption keys ({', '.join(sorted(keys))}): set"
                    " GRAPH_LINEAGE_ENCRYPTION_KEY_ID to the one that seals new values"
                )
            (active_key_id,) = keys
        if active_key_id not in keys:
            raise ConfigurationError(
                f"GRAPH_LINEAGE_ENCRYPTION_KEY_ID is {active_key_id!r}, but"
                f" GRAPH_LINEAGE_ENCRYPTION_KEYS has only {', '.join(sorted(keys))}"
            )
        self.active_key_id = active_key_id
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(self._ciphers)

    def seal(self, value: Any, name: str, uid: str) -> str:
        """``value`` (anything JSON can hold) sealed for the property ``name`` of node ``uid``."""
        plaintext = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        nonce = os.urandom(NONCE_BYTES)
        header = f"{PREFIX}{self.active_key_id}:"
        aad = _aad(header, name, uid)
        sealed = self._ciphers[self.active_key_id].encrypt(nonce, plaintext, aad)
        return header + base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")

    def open(self, envelope: str, name: str, uid: str) -> Any:
        """The value sealed in ``envelope`` for the property ``name`` of node ``uid``."""
        version, key_id, payload = _parse(envelope)
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise SealedValueError(
                f"{name} is sealed under key {key_id!r}, which is not configured (keys:"
                f" {', '.join(sorted(self._ciphers))}). Add it to GRAPH_LINEAGE_ENCRYPTION_KEYS."
            )
        header = f"{version}{key_id}:"
        aad = _aad(header, name, uid) if version == PREFIX else _aad_v1(header, name)
        nonce, sealed = payload[:NONCE_BYTES], payload[NONCE_BYTES:]
        try:
            plaintext = cipher.decrypt(nonce, sealed, aad)
        except InvalidTag:
            raise SealedValueError(
                f"{name} of {uid} does not open under key {key_id!r}: it was altered, copied"
                " from another property or node, or sealed by a different key with the same id"
            ) from None
        return json.loads(plaintext)

    def reseal(self, value: Any, name: str, uid: str) -> str:
        """``value`` sealed under the active key as version 2: opened first if sealed."""
        plain = self.open(value, name, uid) if is_sealed(value) else value
        return self.seal(plain, name, uid)

    @classmethod
    def from_settings(cls, settings: Settings) -> Sealer:
        """The configured keys; in demo mode a generated one kept beside the local Neo4j."""
        active = settings.encryption_key_id or None
        if settings.encryption_keys is not None:
            return cls(parse_keys(settings.encryption_keys.get_secret_value()), active)
        if settings.demo:
            return cls(parse_keys(_demo_keys(settings.local_home / DEMO_KEYS_FILE)), active)
        raise ConfigurationError("GRAPH_LINEAGE_ENCRYPTION_KEYS is not set. " + _HOW_TO)

    @classmethod
    def if_configured(cls, settings: Settings) -> Sealer | None:
        """Like :meth:`from_settings`, but None when no keys are configured at all.

        Outside demo mode, the key a demo generated earlier in this local home counts as
        configured: the operator's commands (``trace``, ``keys status``) then open what
        ``graph-lineage up`` sealed. Nothing new is generated.
        """
        demo_file = settings.local_home / DEMO_KEYS_FILE
        if settings.encryption_keys is None and not settings.demo:
            if not demo_file.exists():
                return None
            return cls(
                parse_keys(demo_file.read_text().strip()), settings.encryption_key_id or None
            )
        return cls.from_settings(settings)


DEMO_KEYS_FILE = "encryption-keys"
_HOW_TO = (
    "Sensitive properties (experiment salts, data source uris) are encrypted before they are"
    " stored; set GRAPH_LINEAGE_ENCRYPTION_KEYS to `<key id>:<32 bytes in base64url>`, comma"
    f" separated for several (make one with `{MAKE_KEY}`), or set GRAPH_LINEAGE_DEMO=true to"
    " use a generated key for a demo."
)


def parse_keys(text: str) -> dict[str, bytes]:
    """``kid:base64key[,kid:base64key...]`` as a key ring; standard or URL-safe base64."""
    keys: dict[str, bytes] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        key_id, colon, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not colon or not KEY_ID.fullmatch(key_id):
            raise ConfigurationError(
                "GRAPH_LINEAGE_ENCRYPTION_KEYS: each key is `<key id>:<base64 key>`, with a key"
                f" id of letters, digits, '.', '_' or '-'; e.g. `{MAKE_KEY}`"
            )
        if key_id in keys:
            raise ConfigurationError(f"GRAPH_LINEAGE_ENCRYPTION_KEYS names {key_id!r} twice")
        try:
            keys[key_id] = _b64decode(encoded.strip())
        except binascii.Error:
            raise ConfigurationError(
                f"GRAPH_LINEAGE_ENCRYPTION_KEYS: key {key_id!r} is not valid base64"
            ) from None
    if not keys:
        raise ConfigurationError("GRAPH_LINEAGE_ENCRYPTION_KEYS holds no key. " + _HOW_TO)
    return keys


def _check_key(key_id: str, key: bytes) -> None:
    if not KEY_ID.fullmatch(key_id):
        raise ConfigurationError(
            f"encryption key id {key_id!r}: use 1 to 64 letters, digits, '.', '_' or '-'"
        )
    if len(key) != KEY_BYTES:
        raise ConfigurationError(
            f"encryption key {key_id!r} is {len(key)} bytes; AES-256 needs exactly {KEY_BYTES}"
            f" (make one with `{MAKE_KEY}`)"
        )


def _aad(header: str, name: str, uid: str) -> bytes:
    return f"{header}{name}\0{uid}".encode()


def _aad_v1(header: str, name: str) -> bytes:
    return f"{header}{name}".encode()


def _b64decode(text: str) -> bytes:
    standard = text.replace("-", "+").replace("_", "/")
    return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)


def _parse(envelope: str) -> tuple[str, str, bytes]:
    version = next((v for v in _VERSIONS if envelope.startswith(v)), "")
    key_id, _, encoded = envelope.removeprefix(version).partition(":")
    try:
        payload = _b64decode(encoded) if version else b""
    except binascii.Error:
        payload = b""
    if len(payload) < NONCE_BYTES + TAG_BYTES or not KEY_ID.fullmatch(key_id):
        raise SealedValueError(
            f"not a sealed value: expected {PREFIX}<key id>:<base64url(nonce || ciphertext)>"
        )
    return version, key_id, payload


def _demo_keys(path: Path) -> str:
    return read_or_create(path, lambda: f"{DEMO_KEY_ID}:{secrets.token_urlsafe(KEY_BYTES)}")
