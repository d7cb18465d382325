"""From request headers to a :class:`Caller`, or :class:`Unauthenticated`."""

from __future__ import annotations

from graph_lineage.auth.api_keys import PREFIX, ApiKeys
from graph_lineage.auth.principal import Caller
from graph_lineage.auth.tokens import TokenVerifier
from graph_lineage.errors import Unauthenticated
from graph_lineage.settings import Settings


class Authenticator:
    """Accepts ``Authorization: Bearer <jwt or API key>`` or ``X-API-Key: <key>``."""

    def __init__(self, settings: Settings) -> None:
        self.tokens = TokenVerifier(settings)
        self.api_keys = ApiKeys(settings.api_keys_file)

    def authenticate(self, authorization: str | None, api_key: str | None) -> Caller:
        if api_key:
            return self._key(api_key)
        if not authorization:
            raise Unauthenticated("no credentials: send Authorization: Bearer <token>")
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
        credential = credential.strip()
        if credential.startswith(PREFIX):
            return self._key(credential)
        return self.tokens.verify(credential)

    def _key(self, key: str) -> Caller:
        caller = self.api_keys.verify(key)
        if caller is None:
            raise Unauthenticated("unknown API key")
        return caller
