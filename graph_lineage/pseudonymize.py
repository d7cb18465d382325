"""Raw user ids never reach the store: they become keyed HMAC-SHA256 pseudonyms first.

The same user always gets the same pseudonym under one key, so lineage can still be
filtered by user, but the raw id cannot be recovered without the key.

>>> Pseudonymizer(b"k" * 32).pseudonym("user-42")[:2]
'u_'
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from graph_lineage.errors import ConfigurationError
from graph_lineage.private_files import read_or_create
from graph_lineage.settings import Settings

MIN_KEY_BYTES = 16


class Pseudonymizer:
    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ConfigurationError(
                f"the pseudonymization key must be at least {MIN_KEY_BYTES} bytes long"
            )
        self._key = key

    def pseudonym(self, user_id: str) -> str:
        digest = hmac.new(self._key, user_id.encode("utf-8"), hashlib.sha256).hexdigest()
        return "u_" + digest[:32]

    def derived(self, domain: str) -> Pseudonymizer:
        """A pseudonymizer under a key of its own, derived from this one for ``domain``."""
        return Pseudonymizer(hmac.new(self._key, domain.encode("utf-8"), hashlib.sha256).digest())

    @classmethod
    def from_settings(cls, settings: Settings) -> Pseudonymizer:
        """The configured key; in demo mode a generated one kept beside the local Neo4j."""
        if settings.pseudonymization_key is not None:
            return cls(settings.pseudonymization_key.get_secret_value().encode("utf-8"))
        if settings.demo:
            return cls(_demo_key(settings.local_home / "pseudonymization-key"))
        raise ConfigurationError(
            "GRAPH_LINEAGE_PSEUDONYMIZATION_KEY is not set. Raw user ids are pseudonymized with"
            " a keyed HMAC before they are stored; set a secret of 16+ characters (for example"
            " `python -c 'import secrets; print(secrets.token_urlsafe(32))'`), or set"
            " GRAPH_LINEAGE_DEMO=true to use a generated key for a demo."
        )


def _demo_key(path: Path) -> bytes:
    return read_or_create(path, lambda: secrets.token_urlsafe(32)).encode("utf-8")
