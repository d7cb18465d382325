"""API keys for machines (producers, CI): shown once, stored only as SHA-256 hashes.

The key file is JSON, readable only by its owner::

    {"keys": [{"name": "spark-etl", "sha256": "...", "roles": ["producer"],
               "created_at": "2026-11-25T00:00:00+00:00"}]}

Keys are 32 random bytes, so a plain SHA-256 is enough (no slow hash needed: there is
nothing to brute-force).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph_lineage.auth.principal import Caller, Role, known_roles
from graph_lineage.errors import ConfigurationError

PREFIX = "glk_"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeys:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        try:
            keys: list[dict[str, Any]] = json.loads(self.path.read_text())["keys"]
        except (ValueError, KeyError) as error:
            raise ConfigurationError(f"{self.path} is not an API key file: {error}") from error
        return keys

    def _save(self, keys: list[dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump({"keys": keys}, handle, indent=2)
        temporary.replace(self.path)

    def create(self, name: str, roles: list[Role]) -> str:
        """Make a key, store its hash, and return the key: the only time it is seen."""
        keys = self._load()
        if any(entry["name"] == name for entry in keys):
            raise ConfigurationError(f"an API key named {name!r} exists; revoke it first")
        key = PREFIX + secrets.token_urlsafe(32)
        keys.append(
            {
                "name": name,
                "sha256": _digest(key),
                "roles": [r.value for r in roles],
                "created_at": datetime.now(UTC).isoformat(),
            }
        )
        self._save(keys)
        return key

    def revoke(self, name: str) -> bool:
        keys = self._load()
        kept = [entry for entry in keys if entry["name"] != name]
        self._save(kept)
        return len(kept) < len(keys)

    def list(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in entry.items() if k != "sha256"} for entry in self._load()]

    def verify(self, key: str) -> Caller | None:
        digest = _digest(key)
        for entry in self._load():
            if secrets.compare_digest(entry["sha256"], digest):
                return Caller(f"api-key:{entry['name']}", known_roles(entry["roles"]), "api_key")
        return None
